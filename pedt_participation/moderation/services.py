"""Moderation: the consultations one moderates, the proposal queue (approve, reject, merge), reports, and the log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, true, update
from sqlalchemy.orm import aliased, joinedload

from ..authorization import Permission, can, moderated_by, require, require_block, taking_part_in
from ..consultations.services import get_consultation
from ..errors import NotFound, ParticipationRefused
from ..extensions import db, execute_counting_rows
from ..labels import REFUSAL_CATEGORY_LABELS
from ..languages.services import in_language_of
from ..models import (
    Action,
    ActionState,
    Comment,
    Consultation,
    ModerationAction,
    ModerationLogEntry,
    Orientation,
    Participant,
    RefusalCategory,
    Report,
    ReportReason,
    Vote,
    VoteKind,
    WebhookEvent,
    utcnow,
)
from ..navigation import site_path
from ..notifications.services import notify
from ..reports.services import Target, open_reports_count
from ..voting.services import supports_elsewhere_in_orientation
from ..webhooks.services import action_resource, publish_event


def moderated_consultation(user: Participant, slug: str) -> Consultation:
    consultation = get_consultation(slug)
    require(user, Permission.MODERATE, consultation)
    return consultation


def moderated_consultations(user: Participant) -> list[Consultation]:
    return list(db.session.scalars(select(Consultation).where(moderated_by(user)).order_by(Consultation.created_at.desc())))


@dataclass(frozen=True)
class QueueSizes:
    """Per consultation id: proposals awaiting review, and items (comment, action or person) with open reports."""

    pending: dict[int, int]
    reported: dict[int, int]


def queue_sizes(consultations: list[Consultation]) -> QueueSizes:
    """What the dashboard shows, counted by the database, in two queries whatever the size of the queues."""
    ids = [c.id for c in consultations]
    pending = db.session.execute(
        select(Orientation.consultation_id, func.count())
        .select_from(Action)
        .join(Orientation)
        .where(Orientation.consultation_id.in_(ids), Action.state == ActionState.PENDING)
        .group_by(Orientation.consultation_id)
    )
    reported_items = (
        select(Report.consultation_id, Report.comment_id, Report.action_id, Report.reported_participant_id)
        .where(Report.consultation_id.in_(ids), Report.resolved_at.is_(None))
        .distinct()
        .subquery()
    )
    reported = db.session.execute(
        select(reported_items.c.consultation_id, func.count()).group_by(reported_items.c.consultation_id)
    )
    return QueueSizes(
        pending=dict.fromkeys(ids, 0) | dict(pending.tuples().all()),
        reported=dict.fromkeys(ids, 0) | dict(reported.tuples().all()),
    )


def check_moderation_open(consultation: Consultation) -> None:
    """An archived consultation is read-only, its moderation too: what was published, refused, hidden, blocked or
    counted on paper stays as the archive shows it."""
    if consultation.is_archived:
        raise ParticipationRefused(_("Cette consultation est archivée : sa modération ne se modifie plus."))


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


def pending_proposals_statement(consultation: Consultation) -> Select:
    """Proposals awaiting review, oldest first."""
    return (
        select(Action)
        .join(Orientation)
        .where(Orientation.consultation_id == consultation.id, Action.state == ActionState.PENDING)
        .order_by(Action.created_at, Action.id)
    )


def pending_proposals(consultation: Consultation) -> list[Action]:
    return list(db.session.scalars(pending_proposals_statement(consultation)))


def _check_pending(action: Action) -> None:
    if action.state != ActionState.PENDING:
        raise ParticipationRefused(_("Cette proposition a déjà été traitée par un autre membre de la modération."))


def _action_link(action: Action) -> str:
    return site_path("consultations.action", action_id=action.id)


def approve_proposal(
    moderator: Participant, action: Action, *, title: str, body: str, orientation: Orientation
) -> None:
    """Publishes a proposal, possibly with its wording edited or under another orientation."""
    consultation = action.orientation.consultation
    check_moderation_open(consultation)
    _check_pending(action)
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
    publish_event(WebhookEvent.PROPOSAL_PUBLISHED, {"action": action_resource(action)})
    if action.author is not None:
        with in_language_of(action.author):
            message = _(
                "Votre proposition « %(title)s » est publiée : tout le monde peut maintenant la soutenir.", title=action.title
            )
        notify(action.author, message, _action_link(action))


def reject_proposal(moderator: Participant, action: Action, category: RefusalCategory, reason: str) -> None:
    """Refuses a proposal for one of the kinds of reason a town gives (counted in the committee's summary) and in
    the moderator's words; the author is told both."""
    check_moderation_open(action.orientation.consultation)
    _check_pending(action)
    reason = reason.strip()
    if not reason:
        raise ParticipationRefused(_("Expliquez à l’auteur pourquoi sa proposition n’est pas retenue."))
    action.state = ActionState.REJECTED
    action.refusal_category = category
    action.rejection_reason = reason
    record(moderator, ModerationAction.REJECT, action, action.orientation.consultation, reason=reason, category=category.value)
    if action.author is not None:
        with in_language_of(action.author):
            message = _(
                "Votre proposition « %(title)s » n’a pas été publiée. Motif : %(category)s. Raison : %(reason)s",
                title=action.title,
                category=REFUSAL_CATEGORY_LABELS[category],
                reason=reason,
            )
        notify(action.author, message, _action_link(action))


def merge_actions(moderator: Participant, source: Action, target: Action) -> None:
    """Folds a duplicate into an existing action. Its votes move to the target unless the same person
    already voted that kind there (a person is never counted twice), or, for a support, unless the person
    already gives every support allowed in the target's orientation; a vote that does not move stays on the
    merged action, so nothing is lost. Its comments follow; its author is told."""
    consultation = source.orientation.consultation
    check_moderation_open(consultation)
    if source.id == target.id:
        raise ParticipationRefused(_("Choisissez une autre action que la proposition elle-même."))
    if source.state not in (ActionState.PENDING, ActionState.PUBLISHED):
        raise ParticipationRefused(_("Cette proposition a déjà été traitée par un autre membre de la modération."))
    if target.state != ActionState.PUBLISHED or target.orientation.consultation_id != consultation.id:
        raise ParticipationRefused(_("On ne peut regrouper qu’avec une action publiée de la même consultation."))
    already_on_target = aliased(Vote)
    moved_votes = execute_counting_rows(
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
            _within_support_limit(source, target),
        )
        .values(action_id=target.id)
        .execution_options(synchronize_session=False)
    )
    moved_comments = execute_counting_rows(
        update(Comment)
        .where(Comment.action_id == source.id)
        .values(action_id=target.id)
        .execution_options(synchronize_session=False)
    )
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
        with in_language_of(source.author):
            message = _(
                "Votre proposition « %(title)s » rejoint l’action « %(target)s », qui porte la même idée. "
                "Vos votes et commentaires y ont été reportés.",
                title=source.title,
                target=target.title,
            )
        notify(source.author, message, _action_link(target))
    db.session.expire_all()


def _within_support_limit(source: Action, target: Action) -> ColumnElement[bool]:
    """For the UPDATE of `merge_actions`: a vote that is not a support, or a support whose person has room left
    in the target's orientation, counted as the voting service counts it."""
    limit = target.orientation.consultation.vote_limit_per_orientation
    if limit is None:
        return true()
    supports_there = supports_elsewhere_in_orientation(Vote.participant_id, target.orientation_id, source.id)
    return or_(Vote.kind != VoteKind.SUPPORT, supports_there.scalar_subquery() < limit)


@dataclass
class ReportedItem:
    """One reported comment, action or person, with its open reports."""

    target: Target
    count: int
    reasons: dict[ReportReason, int]
    # The reporters' notes, with when each was written, oldest first.
    notes: list[tuple[str, datetime]]


def report_queue(consultation: Consultation) -> list[ReportedItem]:
    """Open reports grouped by what they target, the most reported first."""
    reports = db.session.scalars(
        select(Report)
        .where(Report.consultation_id == consultation.id, Report.resolved_at.is_(None))
        .order_by(Report.created_at)
    ).all()
    grouped: dict[tuple, list[Report]] = {}
    for entry in reports:
        grouped.setdefault((entry.comment_id, entry.action_id, entry.reported_participant_id), []).append(entry)
    comments = _by_id(Comment, {entry.comment_id for entry in reports if entry.comment_id})
    actions = _by_id(Action, {entry.action_id for entry in reports if entry.action_id})
    participants = _by_id(Participant, {entry.reported_participant_id for entry in reports if entry.reported_participant_id})
    items = []
    for (comment_id, action_id, participant_id), entries in grouped.items():
        target = Target(
            comment=comments.get(comment_id),
            action=actions.get(action_id),
            participant=participants.get(participant_id),
        )
        reasons: dict[ReportReason, int] = {}
        for entry in entries:
            reasons[entry.reason] = reasons.get(entry.reason, 0) + 1
        items.append(
            ReportedItem(target, len(entries), reasons, [(e.details, e.created_at) for e in entries if e.details])
        )
    return sorted(items, key=lambda item: -item.count)


_Reported = TypeVar("_Reported", Comment, Action, Participant)


def _by_id(model: type[_Reported], ids: set[int]) -> dict[int, _Reported]:
    """The rows of these ids in one query (a comment with its author), instead of one query each."""
    if not ids:
        return {}
    query = select(model).where(model.id.in_(ids))
    if model is Comment:
        query = query.options(joinedload(Comment.author))
    return {row.id: row for row in db.session.scalars(query)}


def action_in(consultation: Consultation, action_id: int) -> Action:
    """The action, provided it belongs to this consultation (NotFound otherwise)."""
    action = db.session.get(Action, action_id)
    if action is None or action.orientation.consultation_id != consultation.id:
        raise NotFound()
    return action


def target_in(consultation: Consultation, model: type[Comment] | type[Action], target_id: int) -> Target:
    """The comment or action, provided it belongs to this consultation (NotFound otherwise)."""
    if model is Action:
        return Target(action=action_in(consultation, target_id))
    comment = db.session.get(Comment, target_id)
    if comment is None:
        raise NotFound()
    action_in(consultation, comment.action_id)
    return Target(comment=comment)


def hidden_content(consultation: Consultation) -> tuple[list[Comment], list[Action]]:
    """What moderation (or the report threshold) hid in this consultation, to be restored if wrong."""
    in_consultation = select(Action.id).join(Orientation).where(Orientation.consultation_id == consultation.id)
    comments = db.session.scalars(
        select(Comment).where(Comment.hidden_at.is_not(None), Comment.action_id.in_(in_consultation)).order_by(Comment.hidden_at.desc())
    ).all()
    actions = db.session.scalars(
        select(Action).where(Action.state == ActionState.HIDDEN, Action.id.in_(in_consultation)).order_by(Action.id)
    ).all()
    return list(comments), list(actions)


def _resolve_reports(target: Target) -> None:
    db.session.execute(
        update(Report)
        .filter_by(**target.filters)
        .where(Report.resolved_at.is_(None))
        .values(resolved_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _target_object(target: Target) -> Comment | Action | Participant | None:
    return target.comment or target.action or target.participant


def hide(moderator: Participant, consultation: Consultation, target: Target, reason: str = "") -> None:
    check_moderation_open(consultation)
    if target.comment is not None:
        target.comment.hidden_at = target.comment.hidden_at or utcnow()
    elif target.action is not None:
        if target.action.state not in (ActionState.PUBLISHED, ActionState.HIDDEN):
            raise ParticipationRefused(_("Seule une action publiée peut être masquée."))
        target.action.state = ActionState.HIDDEN
    else:
        raise ParticipationRefused(_("Pour une personne, utilisez « Bloquer le compte »."))
    _resolve_reports(target)
    record(moderator, ModerationAction.HIDE, _target_object(target), consultation, reason=reason)


def _restore(target: Target) -> None:
    if target.comment is not None:
        target.comment.hidden_at = None
    elif target.action is not None and target.action.state == ActionState.HIDDEN:
        target.action.state = ActionState.PUBLISHED


def unhide(moderator: Participant, consultation: Consultation, target: Target, reason: str = "") -> None:
    check_moderation_open(consultation)
    _restore(target)
    record(moderator, ModerationAction.UNHIDE, _target_object(target), consultation, reason=reason)


def dismiss_reports(moderator: Participant, consultation: Consultation, target: Target, reason: str = "") -> None:
    """The reports were unfounded: they are closed and content hidden by the threshold comes back."""
    check_moderation_open(consultation)
    count = open_reports_count(target)
    _resolve_reports(target)
    _restore(target)
    record(moderator, ModerationAction.DISMISS_REPORTS, _target_object(target), consultation, reason=reason, reports=count)


def block(moderator: Participant, consultation: Consultation, participant: Participant, reason: str) -> None:
    """The person can no longer sign in or vote and what they wrote is hidden; reversible. A moderator blocks only
    people who took part in their consultation, and never the town's team (see `authorization.can_block`)."""
    require_block(moderator, participant, consultation)
    check_moderation_open(consultation)
    reason = reason.strip()
    if not reason:
        raise ParticipationRefused(_("Indiquez pourquoi ce compte est bloqué : la raison est gardée dans le journal."))
    participant.blocked_at = utcnow()
    participant.blocked_reason = reason
    _resolve_reports(Target(participant=participant))
    record(moderator, ModerationAction.BLOCK, participant, consultation, reason=reason)


def unblock(moderator: Participant, consultation: Consultation, participant: Participant, reason: str = "") -> None:
    require_block(moderator, participant, consultation)
    check_moderation_open(consultation)
    participant.blocked_at = None
    participant.blocked_reason = ""
    record(moderator, ModerationAction.UNBLOCK, participant, consultation, reason=reason)


def hold_votes(moderator: Participant, consultation: Consultation, participant: Participant, reason: str) -> None:
    """The person's votes stay but stop counting (`Participant.votes_count`) until a moderator releases them: a
    duplicate signal is looked into without deleting anything and without the person being blocked."""
    require_block(moderator, participant, consultation)
    check_moderation_open(consultation)
    if participant.votes_held_at is not None:
        return
    participant.votes_held_at = utcnow()
    record(moderator, ModerationAction.HOLD_VOTES, participant, consultation, reason=reason.strip())


def release_votes(moderator: Participant, consultation: Consultation, participant: Participant, reason: str = "") -> None:
    require_block(moderator, participant, consultation)
    check_moderation_open(consultation)
    if participant.votes_held_at is None:
        return
    participant.votes_held_at = None
    record(moderator, ModerationAction.RELEASE_VOTES, participant, consultation, reason=reason.strip())


def blocked_participants(moderator: Participant, consultation: Consultation) -> list[Participant]:
    """The blocked accounts a moderator sees with their reasons: the people of this consultation; for an admin,
    every blocked account of the site."""
    query = select(Participant).where(Participant.blocked_at.is_not(None))
    if not can(moderator, Permission.BLOCK_SITE_WIDE):
        query = query.where(taking_part_in(consultation))
    return list(db.session.scalars(query.order_by(Participant.blocked_at.desc())))
