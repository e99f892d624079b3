"""Decisions: once the vote has closed, the committee or the consultation's managers record what was decided
about each action, and later how far it got. Publishing makes the decisions public, beside each action's
protected results, and tells every person who proposed, voted on or commented on an action what became of it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, union

from ..consultations.services import published_actions
from ..errors import ParticipationRefused
from ..extensions import db
from ..labels import DECISION_VERDICT_LABELS
from ..languages.services import in_language_of
from ..management.lifecycle import mark_decisions_published
from ..models import (
    Action,
    Comment,
    Consultation,
    ConsultationStatus,
    Decision,
    DecisionProgress,
    DecisionVerdict,
    ModerationAction,
    Orientation,
    Participant,
    Vote,
    WebhookEvent,
)
from ..moderation.services import record
from ..navigation import site_path
from ..notifications.services import notify
from ..voting.services import ActionCounts, count_votes
from ..webhooks.services import action_resource, publish_event
from .resources import published_decisions

MAX_EXPLANATION_LENGTH = 5000
MAX_PROGRESS_NOTE_LENGTH = 500


@dataclass(frozen=True)
class DecisionEdit:
    """What the decision form holds; `progress` None = not told yet."""

    verdict: DecisionVerdict
    explanation: str
    progress: DecisionProgress | None
    progress_note: str


def why_decisions_cannot_change(consultation: Consultation, now: datetime) -> str | None:
    """Decisions are recorded and published after the vote, until the consultation is archived (read-only)."""
    if not consultation.vote_has_ended(now):
        return _("Le vote n’est pas terminé : les décisions s’enregistrent et se publient une fois le vote fermé.")
    if consultation.status == ConsultationStatus.ARCHIVED:
        return _("Cette consultation est archivée : elle ne peut plus être modifiée.")
    return None


def _check_decisions_can_change(consultation: Consultation, now: datetime) -> None:
    reason = why_decisions_cannot_change(consultation, now)
    if reason:
        raise ParticipationRefused(reason)


def decisions_of(action_ids: list[int]) -> dict[int, Decision]:
    """The decisions recorded on these actions, drafts included (staff pages), by action id."""
    if not action_ids:
        return {}
    return {d.action_id: d for d in db.session.scalars(select(Decision).where(Decision.action_id.in_(action_ids)))}


def shown_decision(action: Action, now: datetime) -> Decision | None:
    """The decision an action's page shows: its published one, looked for only once the vote has closed, so
    that the pages read while people vote spend no query on it."""
    if not action.orientation.consultation.vote_has_ended(now):
        return None
    return published_decisions([action.id]).get(action.id)


def has_published_decisions(consultation: Consultation) -> bool:
    return (
        db.session.scalar(
            select(Decision.id)
            .join(Action, Action.id == Decision.action_id)
            .join(Orientation, Orientation.id == Action.orientation_id)
            .where(Orientation.consultation_id == consultation.id, Decision.published_at.is_not(None))
            .limit(1)
        )
        is not None
    )


def record_decision(person: Participant, action: Action, edit: DecisionEdit, now: datetime) -> bool:
    """Saves the action's decision once the vote has closed; returns False when nothing changed. Every change is
    logged with what it was before; a decision already published shows the change at once."""
    consultation = action.orientation.consultation
    _check_decisions_can_change(consultation, now)
    edit = DecisionEdit(edit.verdict, edit.explanation.strip(), edit.progress, edit.progress_note.strip())
    _check(edit)
    decision = db.session.scalar(select(Decision).where(Decision.action_id == action.id))
    before = _values(decision) if decision is not None else _NO_DECISION
    after = _values_of(edit)
    changes = {name: {"before": before[name], "after": value} for name, value in after.items() if before[name] != value}
    if not changes:
        return False
    if decision is None:
        decision = Decision(action_id=action.id)
        db.session.add(decision)
    decision.verdict = edit.verdict
    decision.explanation = edit.explanation
    decision.progress = edit.progress
    decision.progress_note = edit.progress_note
    decision.updated_at = now
    decision.updated_by_id = person.id
    db.session.flush()
    record(person, ModerationAction.DECIDE, action, consultation, changes=changes)
    return True


# What a first decision is logged as changing from.
_NO_DECISION: dict[str, str | None] = {"verdict": None, "explanation": "", "progress": None, "progress_note": ""}


def _values_of(edit: DecisionEdit) -> dict[str, str | None]:
    return {
        "verdict": edit.verdict.value,
        "explanation": edit.explanation,
        "progress": edit.progress.value if edit.progress else None,
        "progress_note": edit.progress_note,
    }


def _values(decision: Decision) -> dict[str, str | None]:
    return _values_of(DecisionEdit(decision.verdict, decision.explanation, decision.progress, decision.progress_note))


def _check(edit: DecisionEdit) -> None:
    if not edit.explanation:
        raise ParticipationRefused(
            _("Expliquez la décision en quelques phrases : les participants la liront."), field="explanation"
        )
    if len(edit.explanation) > MAX_EXPLANATION_LENGTH:
        raise ParticipationRefused(
            _("L’explication dépasse %(max)s caractères : raccourcissez-la.", max=MAX_EXPLANATION_LENGTH),
            field="explanation",
        )
    if edit.verdict == DecisionVerdict.NOT_RETAINED and edit.progress is not None:
        raise ParticipationRefused(
            _("Une action non retenue n’a pas d’avancement : laissez « Pas encore indiqué »."), field="progress"
        )
    if edit.progress_note and edit.progress is None:
        raise ParticipationRefused(
            _("Choisissez où en est l’action avant d’écrire la note sur son avancement."), field="progress"
        )
    if len(edit.progress_note) > MAX_PROGRESS_NOTE_LENGTH:
        raise ParticipationRefused(
            _("La note sur l’avancement dépasse %(max)s caractères : raccourcissez-la.", max=MAX_PROGRESS_NOTE_LENGTH),
            field="progress_note",
        )


def drafts_to_publish(consultation: Consultation) -> list[tuple[Action, Decision]]:
    """The recorded decisions of the consultation's published actions that are not public yet, in reading order."""
    actions = published_actions(consultation)
    decisions = decisions_of([a.id for a in actions])
    return [(a, decisions[a.id]) for a in actions if a.id in decisions and decisions[a.id].published_at is None]


def publish_decisions(person: Participant, consultation: Consultation, now: datetime) -> list[Decision]:
    """Makes every draft decision of the consultation public, announces each to the webhooks, and tells each
    person who took part in those actions once, listing their actions and what was decided."""
    _check_decisions_can_change(consultation, now)
    drafts = drafts_to_publish(consultation)
    if not drafts:
        raise ParticipationRefused(
            _("Aucune décision à publier : enregistrez d’abord la décision d’au moins une action.")
        )
    for _action, decision in drafts:
        decision.published_at = now
    db.session.flush()
    for action, _decision in drafts:
        publish_event(WebhookEvent.DECISION_PUBLISHED, {"action": action_resource(action)})
    _tell_participants(consultation, drafts)
    record(person, ModerationAction.PUBLISH_DECISIONS, consultation, consultation,
           decisions=[action.id for action, _decision in drafts])
    mark_decisions_published(consultation, person, now)
    return [decision for _action, decision in drafts]


def participants_of(action_ids: list[int]) -> dict[Participant, list[int]]:
    """Who proposed, voted on or commented on each action (each person once, with their actions), leaving out
    blocked and erased accounts."""
    rows = union(
        select(Vote.participant_id, Vote.action_id).where(Vote.action_id.in_(action_ids)),
        select(Comment.author_id, Comment.action_id).where(Comment.action_id.in_(action_ids), Comment.author_id.is_not(None)),
        select(Action.author_id, Action.id).where(Action.id.in_(action_ids), Action.author_id.is_not(None)),
    ).subquery()
    statement = (
        select(Participant, rows.c[1])
        .join(rows, rows.c[0] == Participant.id)
        .where(Participant.blocked_at.is_(None), Participant.erased_at.is_(None))
        .order_by(Participant.id, rows.c[1])
    )
    actions_by_person: dict[Participant, list[int]] = defaultdict(list)
    for person, action_id in db.session.execute(statement):
        actions_by_person[person].append(action_id)
    return actions_by_person


def _tell_participants(consultation: Consultation, drafts: list[tuple[Action, Decision]]) -> None:
    """One notification per person, in the language they chose, listing each of their actions and its decision;
    an e-mail copy to those who asked for one."""
    decided = {action.id: (action, decision) for action, decision in drafts}
    link = site_path("decisions.results", slug=consultation.slug)
    for person, action_ids in participants_of(list(decided)).items():
        with in_language_of(person):
            lines = [
                _("« %(title)s » : %(verdict)s", title=decided[i][0].title,
                  verdict=str(DECISION_VERDICT_LABELS[decided[i][1].verdict]).lower())
                for i in action_ids
            ]
            message = _(
                "Les décisions de la consultation « %(consultation)s » sont publiées. Pour ce à quoi vous avez participé : %(decisions)s.",
                consultation=consultation.title,
                decisions=" ; ".join(lines),
            )
        notify(person, message, link, email=person.decision_emails)


def set_decision_emails(person: Participant, wanted: bool) -> None:
    person.decision_emails = wanted
    db.session.flush()


@dataclass(frozen=True)
class ResultRow:
    """One action on the public page: its counts and its decision."""

    action: Action
    tally: ActionCounts
    decision: Decision | None


def results(consultation: Consultation) -> dict[int, list[ResultRow]]:
    """By orientation id, each published action's counts beside its published decision. The counts are the ones
    every action's page, the API and the open-data file show (`count_votes`), so that the page says what they say;
    the committee summary publishes them as they are and protects its breakdowns knowing them."""
    actions = published_actions(consultation)
    tallies = count_votes([action.id for action in actions])
    decisions = published_decisions([action.id for action in actions])
    rows: dict[int, list[ResultRow]] = {orientation.id: [] for orientation in consultation.orientations}
    for action in actions:
        rows[action.orientation_id].append(ResultRow(action, tallies[action.id], decisions.get(action.id)))
    return rows
