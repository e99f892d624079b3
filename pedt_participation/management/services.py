"""A consultation's managers edit its words and dates; every saved change is in the moderation log."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from ..authorization import managed_by
from ..errors import ParticipationRefused
from ..extensions import db
from ..models import Activity, Consultation, ConsultationStatus, ModerationAction, Participant
from ..moderation.services import record
from .lifecycle import check_editable

TITLE_MAX_LENGTH = 200


@dataclass(frozen=True)
class ConsultationEdit:
    """What a manager may change on this page, dates in UTC; a date left empty is not scheduled."""

    title: str
    summary: str
    context: str
    published_at: datetime | None
    proposals_open_at: datetime | None
    proposals_close_at: datetime | None
    voting_open_at: datetime | None
    voting_close_at: datetime | None


def managed_consultations(person: Participant) -> list[Consultation]:
    return list(db.session.scalars(select(Consultation).where(managed_by(person)).order_by(Consultation.title)))


def current_values(consultation: Consultation) -> ConsultationEdit:
    return ConsultationEdit(**{field.name: getattr(consultation, field.name) for field in fields(ConsultationEdit)})


def edit_consultation(
    manager: Participant, consultation: Consultation, edit: ConsultationEdit, now: datetime
) -> list[str]:
    """Saves the edit once it is valid, logs what it changed (before and after) and returns the fields' names. A change of the
    vote's dates while people vote is kept, so that the consultation page announces it until the vote closes. Once
    published, the publication date is history: it stays as it is."""
    check_editable(consultation)
    edit = replace(edit, title=edit.title.strip(), summary=edit.summary.strip(), context=edit.context.strip())
    if consultation.status != ConsultationStatus.DRAFT:
        edit = replace(edit, published_at=consultation.published_at)
    _check(edit)
    before = current_values(consultation)
    changed = [field.name for field in fields(ConsultationEdit) if _differs(getattr(before, field.name), getattr(edit, field.name))]
    if not changed:
        return changed
    vote_dates_moved = {"voting_open_at", "voting_close_at"} & set(changed)
    if vote_dates_moved and consultation.is_open_for(Activity.VOTE, now):
        consultation.voting_dates_changed_at = now
        consultation.previous_voting_close_at = before.voting_close_at
    for name in changed:
        setattr(consultation, name, getattr(edit, name))
    db.session.flush()
    changes = {name: {"before": _stored(getattr(before, name)), "after": _stored(getattr(edit, name))} for name in changed}
    record(manager, ModerationAction.EDIT_CONSULTATION, consultation, consultation, changes=changes)
    return changed


def _differs(before: str | datetime | None, after: str | datetime | None) -> bool:
    """Dates are typed to the minute: one stored with seconds is unchanged when its minute is kept."""
    if isinstance(before, datetime) and isinstance(after, datetime):
        return before.replace(second=0, microsecond=0) != after.replace(second=0, microsecond=0)
    return before != after


def _stored(value: str | datetime | None) -> str | None:
    """A value as the log's JSON keeps it (dates in ISO 8601, UTC)."""
    return value.isoformat() if isinstance(value, datetime) else value


def _check(edit: ConsultationEdit) -> None:
    if not edit.title:
        raise ParticipationRefused(_("Donnez un titre à la consultation."), field="title")
    if len(edit.title) > TITLE_MAX_LENGTH:
        raise ParticipationRefused(
            _("Le titre est trop long : %(max)s caractères au plus.", max=TITLE_MAX_LENGTH), field="title"
        )
    if edit.proposals_close_at is not None and edit.proposals_open_at is None:
        raise ParticipationRefused(
            _("Indiquez aussi quand les propositions s’ouvrent : une phase qui se ferme doit d’abord s’ouvrir."),
            field="proposals_open_at",
        )
    if edit.voting_close_at is not None and edit.voting_open_at is None:
        raise ParticipationRefused(
            _("Indiquez aussi quand le vote s’ouvre : une phase qui se ferme doit d’abord s’ouvrir."),
            field="voting_open_at",
        )
    if edit.proposals_open_at and edit.proposals_close_at and edit.proposals_close_at <= edit.proposals_open_at:
        raise ParticipationRefused(
            _("La fermeture des propositions doit venir après leur ouverture."), field="proposals_close_at"
        )
    if edit.voting_open_at and edit.voting_close_at and edit.voting_close_at <= edit.voting_open_at:
        raise ParticipationRefused(_("La fermeture du vote doit venir après son ouverture."), field="voting_close_at")
    if edit.proposals_open_at and edit.voting_open_at and edit.voting_open_at < edit.proposals_open_at:
        raise ParticipationRefused(
            _("Le vote ne peut pas s’ouvrir avant l’ouverture des propositions."), field="voting_open_at"
        )
    if edit.published_at and edit.voting_open_at and edit.voting_open_at < edit.published_at:
        raise ParticipationRefused(
            _("Le vote ne peut pas s’ouvrir avant la publication de la consultation."), field="voting_open_at"
        )
    if edit.published_at and edit.proposals_open_at and edit.proposals_open_at < edit.published_at:
        raise ParticipationRefused(
            _("Les propositions ne peuvent pas s’ouvrir avant la publication de la consultation."),
            field="proposals_open_at",
        )
