"""Moderation: who may moderate what, the proposal queue (approve, reject, merge), and the log."""

from __future__ import annotations

from typing import Any

from flask import abort, url_for
from flask_babel import gettext as _
from sqlalchemy import and_, exists, select, update
from sqlalchemy.orm import aliased

from ..errors import ParticipationRefused
from ..extensions import db
from ..models import (
    Action,
    ActionState,
    Comment,
    Consultation,
    ModerationAction,
    ModerationLogEntry,
    ModeratorAssignment,
    Orientation,
    Participant,
    Role,
    Vote,
    utcnow,
)
from ..notifications.services import notify


def can_moderate(user: Participant, consultation: Consultation) -> bool:
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.MODERATOR:
        return False
    return (
        db.session.scalar(
            select(ModeratorAssignment.id).where(
                ModeratorAssignment.participant_id == user.id, ModeratorAssignment.consultation_id == consultation.id
            )
        )
        is not None
    )


def require_moderation_rights(user: Participant, consultation: Consultation) -> None:
    if not can_moderate(user, consultation):
        abort(403)


def moderated_consultations(user: Participant) -> list[Consultation]:
    query = select(Consultation).order_by(Consultation.created_at.desc())
    if user.role != Role.ADMIN:
        query = query.join(ModeratorAssignment).where(ModeratorAssignment.participant_id == user.id)
    return list(db.session.scalars(query))


def record(
    moderator: Participant,
    action: ModerationAction,
    target: Any,
    consultation: Consultation | None,
    reason: str = "",
    **details: Any,
) -> ModerationLogEntry:
    """Appends one entry to the moderation log: who, what, on which target, why, when."""
    entry = ModerationLogEntry(
        moderator_id=moderator.id,
        consultation_id=consultation.id if consultation else None,
        action=action,
        target_type=type(target).__name__.lower(),
        target_id=target.id,
        reason=reason,
        details=details,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def pending_proposals(consultation: Consultation) -> list[Action]:
    return list(
        db.session.scalars(
            select(Action)
            .join(Orientation)
            .where(Orientation.consultation_id == consultation.id, Action.state == ActionState.PENDING)
            .order_by(Action.created_at, Action.id)
        )
    )


def _check_pending(action: Action) -> None:
    if action.state != ActionState.PENDING:
        raise ParticipationRefused(_("Cette proposition a déjà été traitée par un autre membre de la modération."))


def _action_link(action: Action) -> str:
    return url_for("consultations.action", action_id=action.id)


def approve_proposal(
    moderator: Participant, action: Action, *, title: str, body: str, orientation: Orientation
) -> None:
    """Publishes a proposal, possibly with its wording edited or under another orientation."""
    _check_pending(action)
    consultation = action.orientation.consultation
    if orientation.consultation_id != consultation.id:
        raise ParticipationRefused(_("Cette orientation n’appartient pas à la même consultation."))
    changes = {
        name: {"before": before, "after": after}
        for name, before, after in (
            ("title", action.title, title.strip()),
            ("body", action.body, body.strip()),
            ("orientation_id", action.orientation_id, orientation.id),
        )
        if before != after
    }
    action.title, action.body, action.orientation = title.strip(), body.strip(), orientation
    action.state = ActionState.PUBLISHED
    action.published_at = utcnow()
    record(moderator, ModerationAction.APPROVE, action, consultation, changes=changes)
    if action.author is not None:
        notify(
            action.author,
            _("Votre proposition « %(title)s » est publiée : tout le monde peut maintenant la soutenir.", title=action.title),
            _action_link(action),
        )


def reject_proposal(moderator: Participant, action: Action, reason: str) -> None:
    _check_pending(action)
    reason = reason.strip()
    if not reason:
        raise ParticipationRefused(_("Expliquez à l’auteur pourquoi sa proposition n’est pas retenue."))
    action.state = ActionState.REJECTED
    action.rejection_reason = reason
    record(moderator, ModerationAction.REJECT, action, action.orientation.consultation, reason=reason)
    if action.author is not None:
        notify(
            action.author,
            _("Votre proposition « %(title)s » n’a pas été publiée. Raison : %(reason)s", title=action.title, reason=reason),
            _action_link(action),
        )


def merge_actions(moderator: Participant, source: Action, target: Action) -> None:
    """Folds a duplicate into an existing action. Its votes move to the target unless the same person
    already voted that kind there (a person is never counted twice; the extra vote stays on the merged
    action, so nothing is lost); its comments follow; its author is told."""
    consultation = source.orientation.consultation
    if source.id == target.id:
        raise ParticipationRefused(_("Choisissez une autre action que la proposition elle-même."))
    if source.state not in (ActionState.PENDING, ActionState.PUBLISHED):
        raise ParticipationRefused(_("Cette proposition a déjà été traitée par un autre membre de la modération."))
    if target.state != ActionState.PUBLISHED or target.orientation.consultation_id != consultation.id:
        raise ParticipationRefused(_("On ne peut regrouper qu’avec une action publiée de la même consultation."))
    already_on_target = aliased(Vote)
    moved_votes = db.session.execute(
        update(Vote)
        .where(
            Vote.action_id == source.id,
            ~exists().where(
                and_(
                    already_on_target.action_id == target.id,
                    already_on_target.participant_id == Vote.participant_id,
                    already_on_target.kind == Vote.kind,
                )
            ),
        )
        .values(action_id=target.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    moved_comments = db.session.execute(
        update(Comment)
        .where(Comment.action_id == source.id)
        .values(action_id=target.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    source.state = ActionState.MERGED
    source.merged_into_id = target.id
    record(
        moderator,
        ModerationAction.MERGE,
        source,
        consultation,
        into=target.id,
        moved_votes=moved_votes,
        moved_comments=moved_comments,
    )
    if source.author is not None:
        notify(
            source.author,
            _(
                "Votre proposition « %(title)s » rejoint l’action « %(target)s », qui porte la même idée. "
                "Vos votes et commentaires y ont été reportés.",
                title=source.title,
                target=target.title,
            ),
            _action_link(target),
        )
    db.session.expire_all()
