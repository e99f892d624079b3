"""Sending e-mail through the configured SMTP server (plain smtplib: nothing to add for one message), or, in the
embedded default without one, writing it to a folder where whoever runs the site reads it."""

from __future__ import annotations

import logging
import smtplib
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)


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
    visible). Raises on SMTP errors, so a task can retry. Without MAIL_SERVER, the message is written as plain
    text to MAIL_FOLDER (the callers of notifications send nothing then; links about one's own account are
    written there so that the embedded default lets a person finish confirming)."""
    config = current_app.config
    if not mail_enabled():
        _write_to_folder(to, subject, text)
        return
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


def _write_to_folder(to: str | None, subject: str, text: str) -> None:
    folder = Path(current_app.config["MAIL_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.txt"
    path.write_text(f"To: {to or ''}\nSubject: {subject}\n\n{text}\n", encoding="utf-8")
    log.info("No MAIL_SERVER: e-mail written to %s", path)
