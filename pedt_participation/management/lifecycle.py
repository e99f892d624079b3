"""A consultation's life: draft → published (proposals, then the vote, on their dates) → closed → decisions
published → archived. Steps are taken on their dates by beat (`advance_phases`) or by a manager's button; a step
taken by hand is in the moderation log."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..errors import ParticipationRefused
from ..extensions import db
from ..models import Activity, Consultation, ConsultationStatus, ModerationAction, Participant, utcnow
from ..moderation.services import record
from ..templating import format_long_date


class Step(enum.StrEnum):
    """A step a manager takes by hand, from the management page."""

    PUBLISH = "publish"
    OPEN_VOTING = "open_voting"
    CLOSE_VOTING = "close_voting"
    ARCHIVE = "archive"
    # Taken by the decisions' page when the committee's decisions are made public, not by a button here.
    PUBLISH_DECISIONS = "publish_decisions"


STEP_LABELS = {
    Step.PUBLISH: _l("Publier"),
    Step.OPEN_VOTING: _l("Ouvrir le vote maintenant"),
    Step.CLOSE_VOTING: _l("Clore le vote"),
    Step.ARCHIVE: _l("Archiver"),
    Step.PUBLISH_DECISIONS: _l("Publier les décisions"),
}

# What the confirmation page says each step does, before the manager confirms.
STEP_CONSEQUENCES = {
    Step.PUBLISH: _l(
        "La consultation devient visible de tous. Les propositions et le vote s’ouvriront aux dates prévues."
    ),
    Step.OPEN_VOTING: _l(
        "Le vote s’ouvre tout de suite : les participants peuvent voter dès maintenant, jusqu’à la date de "
        "fermeture prévue, ou jusqu’à ce que vous cliquiez sur « Clore le vote »."
    ),
    Step.CLOSE_VOTING: _l(
        "Le vote et les propositions se ferment tout de suite. Plus personne ne peut voter, changer son vote, "
        "proposer ni commenter. Cela ne peut pas être annulé."
    ),
    Step.ARCHIVE: _l(
        "La consultation passe dans les archives : elle reste lisible par tous, mais plus rien ne peut y être "
        "modifié. Cela ne peut pas être annulé."
    ),
    Step.PUBLISH_DECISIONS: _l("Les décisions du comité deviennent visibles de tous."),
}

MANUAL_STEPS = (Step.PUBLISH, Step.OPEN_VOTING, Step.CLOSE_VOTING, Step.ARCHIVE)


def available_steps(consultation: Consultation, now: datetime) -> list[Step]:
    """The buttons the management page offers now."""
    status = consultation.status
    steps = []
    if status == ConsultationStatus.DRAFT:
        steps.append(Step.PUBLISH)
    if status == ConsultationStatus.PUBLISHED and _vote_not_started(consultation, now):
        steps.append(Step.OPEN_VOTING)
    if status == ConsultationStatus.PUBLISHED and not _vote_not_started(consultation, now):
        steps.append(Step.CLOSE_VOTING)
    if status in (ConsultationStatus.CLOSED, ConsultationStatus.DECISIONS_PUBLISHED):
        steps.append(Step.ARCHIVE)
    return steps


def _vote_not_started(consultation: Consultation, now: datetime) -> bool:
    return consultation.voting_open_at is None or now < consultation.voting_open_at


def check_editable(consultation: Consultation) -> None:
    """Archived consultations are read-only: their words, structure and settings stay as they were."""
    if consultation.status == ConsultationStatus.ARCHIVED:
        raise ParticipationRefused(_("Cette consultation est archivée : elle ne peut plus être modifiée."))


def take_step(step: Step, consultation: Consultation, by: Participant, now: datetime | None = None) -> None:
    """Takes a step by hand, once the page has asked the manager to confirm it, and logs it."""
    now = now or utcnow()
    if step not in available_steps(consultation, now):
        raise ParticipationRefused(not_available_message(step, consultation))
    before_status = consultation.status
    before_dates = {name: getattr(consultation, name) for name in _DATES}
    if step == Step.PUBLISH:
        _publish(consultation, now)
    elif step == Step.OPEN_VOTING:
        _open_voting(consultation, now)
    elif step == Step.CLOSE_VOTING:
        _close_voting(consultation, now)
    else:
        consultation.status = ConsultationStatus.ARCHIVED
    db.session.flush()
    _log(step, consultation, by, before_status, before_dates)


def mark_decisions_published(consultation: Consultation, by: Participant, now: datetime) -> None:
    """The step after the vote, taken when the committee's decisions are made public (a vote past its closing date
    that beat has not closed yet is closed here first). Publishing more decisions later changes nothing here;
    before the vote has ended, or once archived, it is refused."""
    if consultation.status == ConsultationStatus.DECISIONS_PUBLISHED:
        return
    if consultation.status == ConsultationStatus.PUBLISHED and consultation.vote_has_ended(now):
        _close_voting(consultation, now)
    if consultation.status != ConsultationStatus.CLOSED:
        raise ParticipationRefused(_("Les décisions se publient une fois le vote clos, avant l’archivage."))
    consultation.status = ConsultationStatus.DECISIONS_PUBLISHED
    db.session.flush()
    _log(Step.PUBLISH_DECISIONS, consultation, by, ConsultationStatus.CLOSED, {})


_DATES = ("published_at", "proposals_open_at", "proposals_close_at", "voting_open_at", "voting_close_at")


def _publish(consultation: Consultation, now: datetime) -> None:
    if not consultation.orientations:
        raise ParticipationRefused(_("Ajoutez au moins une orientation avant de publier la consultation."))
    if consultation.voting_open_at is not None and consultation.voting_open_at < now:
        raise ParticipationRefused(
            _(
                "Le vote devait s’ouvrir le %(date)s, avant la publication : choisissez une nouvelle date "
                "d’ouverture du vote (ou laissez-la vide), puis publiez.",
                date=format_long_date(consultation.voting_open_at),
            )
        )
    consultation.status = ConsultationStatus.PUBLISHED
    consultation.published_at = now


def _open_voting(consultation: Consultation, now: datetime) -> None:
    if not (consultation.supports_enabled or consultation.opinion_enabled or consultation.majority_judgment_enabled):
        raise ParticipationRefused(_("Choisissez d’abord au moins une façon de voter dans les réglages."))
    if consultation.proposals_open_at is not None and now < consultation.proposals_open_at:
        raise ParticipationRefused(
            _(
                "Le vote ne peut pas s’ouvrir avant les propositions, prévues le %(date)s : avancez d’abord leur date "
                "(ou videz-la).",
                date=format_long_date(consultation.proposals_open_at),
            )
        )
    consultation.voting_open_at = now


def _close_voting(consultation: Consultation, now: datetime) -> None:
    """Everything still open closes now: the vote, and proposals (with comments) where they were still open."""
    if consultation.voting_close_at is None or consultation.voting_close_at > now:
        consultation.voting_close_at = now
    if consultation.is_open_for(Activity.PROPOSE, now):
        consultation.proposals_close_at = now
    consultation.status = ConsultationStatus.CLOSED


def not_available_message(step: Step, consultation: Consultation) -> str:
    """Why a step cannot be taken now, for its confirmation page and its refusal."""
    if consultation.status == ConsultationStatus.ARCHIVED:
        return _("Cette consultation est archivée : elle ne peut plus être modifiée.")
    return _(
        "« %(step)s » n’est pas possible à cette étape de la consultation. La page de gestion montre ce qui l’est.",
        step=STEP_LABELS[step],
    )


def _log(
    step: Step,
    consultation: Consultation,
    by: Participant,
    before_status: ConsultationStatus,
    before_dates: dict[str, datetime | None],
) -> None:
    details: dict[str, Any] = {
        "step": step.value,
        "status": {"before": before_status.value, "after": consultation.status.value},
    }
    changes = {
        name: {"before": _iso(before), "after": _iso(getattr(consultation, name))}
        for name, before in before_dates.items()
        if getattr(consultation, name) != before
    }
    if changes:
        details["changes"] = changes
    record(by, ModerationAction.CHANGE_PHASE, consultation, consultation, **details)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def advance_phases(now: datetime | None = None) -> dict[str, list[int]]:
    """Run by beat: drafts whose publication date has come are published; published consultations whose vote and
    proposals have ended are closed. Idempotent: a consultation already moved on is left alone."""
    now = now or utcnow()
    due = list(db.session.scalars(
        select(Consultation.id).where(
            Consultation.status == ConsultationStatus.DRAFT,
            Consultation.published_at.is_not(None),
            Consultation.published_at <= now,
        )
    ))
    if due:
        db.session.execute(
            update(Consultation)
            .where(Consultation.id.in_(due), Consultation.status == ConsultationStatus.DRAFT)
            .values(status=ConsultationStatus.PUBLISHED)
        )
    candidates = db.session.scalars(
        select(Consultation).where(
            Consultation.status == ConsultationStatus.PUBLISHED,
            Consultation.voting_close_at.is_not(None),
            Consultation.voting_close_at <= now,
        )
    ).all()
    ended = [c.id for c in candidates if c.proposals_close_at is None or c.proposals_close_at <= now]
    if ended:
        db.session.execute(
            update(Consultation)
            .where(Consultation.id.in_(ended), Consultation.status == ConsultationStatus.PUBLISHED)
            .values(status=ConsultationStatus.CLOSED)
        )
    db.session.flush()
    return {"published": due, "closed": ended}
