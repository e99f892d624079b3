"""A participant's rights over their data (GDPR arts. 15, 17, 20): a copy of everything about them, and
erasure. Erasure anonymises the account in place rather than deleting it, so that the votes it cast still
count, in the same groups, and every figure the committee already saw stays true. The same functions serve
the "Mes données" page, `flask privacy …` (requests received by post) and the retention task."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, Subquery, delete, exists, select, union, update
from sqlalchemy.orm import InstrumentedAttribute

from ..auth.services import participant_with_email
from ..extensions import db, execute_counting_rows
from ..models import (
    AFTER_THE_VOTE,
    CONSENT_AGE_BRACKETS,
    ERASED_ACCOUNT_NAME,
    AccountErasure,
    Action,
    ActionOrigin,
    ApiToken,
    Comment,
    CommentRating,
    Consultation,
    ErasureReason,
    ModeratorAssignment,
    Notification,
    Orientation,
    Participant,
    Report,
    Role,
    Vote,
    utcnow,
)

EXPORT_FORMAT_VERSION = 1


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_data(participant: Participant) -> dict[str, Any]:
    """Everything stored about this person, and nothing about anyone else (other people's comments,
    votes or names are never included: a reply is exported without the comment it answers)."""
    votes = db.session.execute(
        select(Vote, Action.title).join(Action, Action.id == Vote.action_id)
        .where(Vote.participant_id == participant.id).order_by(Vote.id)
    ).all()
    comments = db.session.scalars(select(Comment).where(Comment.author_id == participant.id).order_by(Comment.id))
    ratings = db.session.scalars(
        select(CommentRating).where(CommentRating.participant_id == participant.id).order_by(CommentRating.id)
    )
    proposals = db.session.scalars(
        select(Action).where(Action.author_id == participant.id, Action.origin == ActionOrigin.PARTICIPANT)
        .order_by(Action.id)
    )
    reports = db.session.scalars(select(Report).where(Report.reporter_id == participant.id).order_by(Report.id))
    notifications = db.session.scalars(
        select(Notification).where(Notification.recipient_id == participant.id).order_by(Notification.id)
    )
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": utcnow().isoformat(),
        "profile": {
            "id": participant.id,
            "email": participant.email,
            "display_name": participant.display_name,
            "role": participant.role.value,
            "audience": participant.audience.value,
            "age_bracket": participant.age_bracket.value,
            "neighbourhood": participant.neighbourhood,
            "school": participant.school,
            "parent_email": participant.parent_email,
            "parental_consent_at": _moment(participant.parental_consent_at),
            "email_confirmed_at": _moment(participant.email_confirmed_at),
            "linked_to_platform": participant.platform_uid is not None,
            "locale": participant.locale,
            "decision_emails": participant.decision_emails,
            "created_at": _moment(participant.created_at),
            "blocked_at": _moment(participant.blocked_at),
        },
        "votes": [
            {"action_id": vote.action_id, "action_title": title, "kind": vote.kind.value, "value": vote.value,
             "created_at": _moment(vote.created_at), "updated_at": _moment(vote.updated_at)}
            for vote, title in votes
        ],
        "comments": [
            {"id": comment.id, "action_id": comment.action_id, "in_reply_to_another_comment": comment.parent_id is not None,
             "body": comment.body, "alignment": comment.alignment, "created_at": _moment(comment.created_at),
             "deleted_at": _moment(comment.deleted_at), "hidden_at": _moment(comment.hidden_at)}
            for comment in comments
        ],
        "comment_ratings": [{"comment_id": rating.comment_id, "value": rating.value} for rating in ratings],
        "proposals": [
            {"id": action.id, "title": action.title, "body": action.body, "state": action.state.value,
             "refusal_category": action.refusal_category.value if action.refusal_category else None,
             "refusal_reason": action.rejection_reason or None, "created_at": _moment(action.created_at)}
            for action in proposals
        ],
        "reports_made": [
            {"id": report.id, "reason": report.reason.value, "details": report.details,
             "about": "comment" if report.comment_id else "action" if report.action_id else "participant",
             "created_at": _moment(report.created_at), "resolved_at": _moment(report.resolved_at)}
            for report in reports
        ],
        "notifications": [
            {"message": notification.message, "link": notification.link, "created_at": _moment(notification.created_at),
             "read_at": _moment(notification.read_at)}
            for notification in notifications
        ],
    }


def erase_account(participant: Participant, reason: ErasureReason, now: datetime | None = None) -> None:
    """Turns the account into an anonymous tombstone and logs it (who and when, not what).

    Kept, without anything that names the person: the votes and comment ratings (results and
    rankings stay exactly the same), audience, age bracket, neighbourhood and school (the groups the
    committee's figures are split by, each shown only above the k-anonymity threshold), the proposals
    (other people voted on them; they now show "Compte supprimé" as author), the reports made (without
    their free text; report thresholds stay right). Removed: e-mail, name, password, platform link,
    parent's e-mail, the network it was created from, language, blocking reason, comment texts (free text often names people; the
    comment stays as "deleted" so replies keep their place), notifications, moderator assignments;
    API tokens acting as the account are revoked."""
    if participant.erased_at is not None:
        return
    now = now or utcnow()
    participant.email = f"compte-supprime-{participant.id}@invalid"
    participant.display_name = ERASED_ACCOUNT_NAME
    participant.password_hash = None
    participant.platform_uid = None
    participant.parent_email = None
    participant.registration_network = None
    participant.locale = None
    participant.decision_emails = False
    participant.blocked_reason = ""
    participant.role = Role.PARTICIPANT
    participant.erased_at = now
    db.session.execute(
        update(Comment).where(Comment.author_id == participant.id)
        .values(body="", deleted_at=db.func.coalesce(Comment.deleted_at, now))
    )
    db.session.execute(update(Report).where(Report.reporter_id == participant.id).values(details=""))
    db.session.execute(
        update(ApiToken).where(ApiToken.owner_id == participant.id, ApiToken.revoked_at.is_(None)).values(revoked_at=now)
    )
    db.session.execute(delete(Notification).where(Notification.recipient_id == participant.id))
    db.session.execute(delete(ModeratorAssignment).where(ModeratorAssignment.participant_id == participant.id))
    db.session.add(AccountErasure(participant_id=participant.id, reason=reason, erased_at=now))
    db.session.flush()


def _consultations_taken_part_in() -> Subquery:
    """(participant, consultation) for every trace someone left: votes, comments, ratings, proposals, reports."""
    def through_action(
        person: InstrumentedAttribute[Any], source: type[Vote | Comment], action_id: InstrumentedAttribute[int]
    ) -> Select[Any]:
        return (
            select(person.label("participant_id"), Orientation.consultation_id).select_from(source)
            .join(Action, Action.id == action_id).join(Orientation, Orientation.id == Action.orientation_id)
        )

    parts = [
        through_action(Vote.participant_id, Vote, Vote.action_id),
        through_action(Comment.author_id, Comment, Comment.action_id),
        select(Action.author_id, Orientation.consultation_id).join(Orientation, Orientation.id == Action.orientation_id),
    ]
    parts.append(
        select(CommentRating.participant_id, Orientation.consultation_id)
        .join(Comment, Comment.id == CommentRating.comment_id).join(Action, Action.id == Comment.action_id)
        .join(Orientation, Orientation.id == Action.orientation_id)
    )
    parts.append(select(Report.reporter_id, Report.consultation_id))
    return union(*parts).subquery()


def accounts_past_retention(now: datetime, retention_days: int) -> list[Participant]:
    """Participants (not staff) who took part only in consultations closed more than `retention_days`
    ago. Someone who also took part in a consultation still running, or recently closed, is kept whole."""
    cutoff = now - timedelta(days=retention_days)
    taken_part = _consultations_taken_part_in()
    still_relevant = (
        select(taken_part.c.participant_id)
        .join(Consultation, Consultation.id == taken_part.c.consultation_id)
        .where(
            taken_part.c.participant_id.is_not(None),  # official actions have no author; NULL spoils NOT IN
            Consultation.status.not_in(AFTER_THE_VOTE)
            | Consultation.voting_close_at.is_(None)
            | (Consultation.voting_close_at > cutoff),
        )
    )
    return list(db.session.scalars(
        select(Participant).where(
            Participant.erased_at.is_(None),
            Participant.role == Role.PARTICIPANT,
            exists().where(taken_part.c.participant_id == Participant.id),
            Participant.id.not_in(still_relevant),
        ).order_by(Participant.id)
    ))


def erase_accounts_past_retention(now: datetime, retention_days: int) -> list[int]:
    """The retention rule, run by the beat task: idempotent (an erased account is not found again)."""
    erased = accounts_past_retention(now, retention_days)
    for participant in erased:
        erase_account(participant, ErasureReason.RETENTION, now)
    return [participant.id for participant in erased]


def erase_held_account(participant: Participant, reason: ErasureReason, now: datetime | None = None) -> None:
    """An under-15's account that no parent consented to: erased, and its votes and ratings deleted with it,
    since they were only ever held (an erased account's counted votes otherwise stay)."""
    erase_account(participant, reason, now)
    db.session.execute(delete(Vote).where(Vote.participant_id == participant.id))
    db.session.execute(delete(CommentRating).where(CommentRating.participant_id == participant.id))
    db.session.flush()


def erase_accounts_without_parental_consent(now: datetime, consent_days: int) -> list[int]:
    """Run by the beat task: under-15s' accounts created more than `consent_days` ago that no parent consented
    to. Idempotent (an erased account is not found again)."""
    unconsented = db.session.scalars(
        select(Participant).where(
            Participant.erased_at.is_(None),
            Participant.age_bracket.in_(CONSENT_AGE_BRACKETS),
            Participant.parental_consent_at.is_(None),
            Participant.created_at < now - timedelta(days=consent_days),
        ).order_by(Participant.id)
    ).all()
    for participant in unconsented:
        erase_held_account(participant, ErasureReason.NO_PARENTAL_CONSENT, now)
    return [participant.id for participant in unconsented]


# How long the keyed network of an account's creation is kept: long enough for moderators to see a burst of
# accounts during a consultation's vote, not for the life of the account.
REGISTRATION_NETWORK_DAYS = 30


def forget_registration_networks(now: datetime) -> int:
    """Clears the network key of accounts created more than REGISTRATION_NETWORK_DAYS ago; returns how many."""
    cutoff = now - timedelta(days=REGISTRATION_NETWORK_DAYS)
    return execute_counting_rows(
        update(Participant)
        .where(Participant.created_at < cutoff, Participant.registration_network.is_not(None))
        .values(registration_network=None)
    )


def participant_by_email(email: str) -> Participant | None:
    """For requests received by post: the account the letter names, if it exists and is not erased."""
    participant = participant_with_email(email)
    return participant if participant is not None and participant.erased_at is None else None
