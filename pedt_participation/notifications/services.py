"""In-app notifications: what a person is told about their proposals, and what moderators must look at."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from ..authorization import moderating
from ..deferred_tasks import send_after_commit
from ..extensions import db
from ..languages.services import in_language_of
from ..mail import mail_enabled, send_email
from ..models import Consultation, Notification, Participant, Role, utcnow
from ..navigation import site_path


def notify(recipient: Participant, message: str, link: str = "", *, email: bool = False) -> Notification:
    """An in-app notification; with `email`, also an e-mail copy when the SMTP server is configured. `link` is a
    path on the site, built with `navigation.site_path` (the e-mail puts PUBLIC_URL before it)."""
    notification = Notification(recipient_id=recipient.id, message=message, link=link)
    db.session.add(notification)
    db.session.flush()
    if email and mail_enabled():
        send_after_commit("pedt.notifications.send_email", notification.id)
    return notification


def email_notification(notification_id: int) -> bool:
    """Sends the e-mail copy of a notification once; returns False when there was nothing to send."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.emailed_at is not None:
        return False
    link = f"{current_app.config['PUBLIC_URL'].rstrip('/')}{notification.link}" if notification.link else ""
    # The greeting and the reason in the language the person chose, like the decisions told to them.
    with in_language_of(notification.recipient):
        send_email(
            notification.recipient.email,
            _("Consultation éducative : %(message)s", message=notification.message[:80]),
            "\n\n".join(
                part
                for part in (
                    _("Bonjour %(name)s,", name=notification.recipient.display_name),
                    notification.message,
                    _("Pour voir : %(link)s", link=link) if link else "",
                    _why_emailed(notification.recipient),
                )
                if part
            ),
        )
    notification.emailed_at = utcnow()
    db.session.flush()
    return True


def _why_emailed(recipient: Participant) -> str:
    """Moderators and admins are e-mailed what needs them; everyone else only the decisions they asked for."""
    if recipient.role in (Role.MODERATOR, Role.ADMIN):
        return _("Vous recevez ce message parce que vous participez à la modération de la consultation.")
    settings = f"{current_app.config['PUBLIC_URL'].rstrip('/')}{site_path('notifications.index')}"
    return _(
        "Vous recevez ce message parce que vous avez demandé les décisions par e-mail. Pour ne plus les recevoir : %(link)s",
        link=settings,
    )


def moderators_of(consultation: Consultation) -> list[Participant]:
    """Assigned moderators; admins too, so that a consultation nobody was assigned to is still watched."""
    return list(db.session.scalars(select(Participant).where(moderating(consultation)).order_by(Participant.id)))


def notify_moderators(consultation: Consultation, message: Callable[[], str], link: str = "") -> None:
    """`message` writes the words, once for each moderator in their language."""
    for moderator in moderators_of(consultation):
        with in_language_of(moderator):
            words = message()
        notify(moderator, words, link, email=True)


def unread_count(participant: Participant) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(Notification)
        .where(Notification.recipient_id == participant.id, Notification.read_at.is_(None))
    ).scalar_one()


def latest(participant: Participant, limit: int = 50) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.recipient_id == participant.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_all_read(participant: Participant) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.recipient_id == participant.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.flush()
