"""Sending e-mail through the configured SMTP server (plain smtplib: nothing to add for one message)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app


def mail_enabled() -> bool:
    return bool(current_app.config["MAIL_SERVER"])


def send_email(
    to: str | None,
    subject: str,
    text: str,
    attachments: tuple[tuple[str, str, bytes], ...] = (),
    bcc: tuple[str, ...] = (),
) -> None:
    """`attachments` are (filename, MIME type, content). `bcc` reaches several people in one message
    without showing them each other's address (with `to` None, the message is addressed to nobody
    visible). Raises on SMTP errors, so a task can retry."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to or "undisclosed-recipients:;"
    message["Subject"] = subject
    message.set_content(text)
    for filename, mime_type, content in attachments:
        maintype, subtype = mime_type.split("/", 1)
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_STARTTLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message, to_addrs=[*([to] if to else []), *bcc])
