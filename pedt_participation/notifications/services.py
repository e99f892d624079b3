"""In-app notifications: what a person is told about their proposals, and what moderators must look at."""

from __future__ import annotations

from sqlalchemy import func, or_, select, update

from ..extensions import db
from ..models import Consultation, ModeratorAssignment, Notification, Participant, Role, utcnow


def notify(recipient: Participant, message: str, link: str = "") -> Notification:
    notification = Notification(recipient_id=recipient.id, message=message, link=link)
    db.session.add(notification)
    db.session.flush()
    return notification


def moderators_of(consultation: Consultation) -> list[Participant]:
    """Assigned moderators; admins too, so that a consultation nobody was assigned to is still watched."""
    assigned = select(ModeratorAssignment.participant_id).where(ModeratorAssignment.consultation_id == consultation.id)
    return list(
        db.session.scalars(
            select(Participant)
            .where(
                or_(
                    Participant.role == Role.ADMIN,
                    (Participant.role == Role.MODERATOR) & Participant.id.in_(assigned),
                )
            )
            .order_by(Participant.id)
        )
    )


def notify_moderators(consultation: Consultation, message: str, link: str = "") -> None:
    for moderator in moderators_of(consultation):
        notify(moderator, message, link)


def unread_count(participant: Participant) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.recipient_id == participant.id, Notification.read_at.is_(None))
    )


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
