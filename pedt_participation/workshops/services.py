"""Paper votes: supports counted at a workshop, per action and audience, entered by a moderator.
They are a separate channel: added to the totals, shown apart in summaries."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from ..consultations.services import published_actions
from ..errors import NotFound, ParticipationRefused
from ..extensions import db
from ..models import Audience, Consultation, ModerationAction, PaperVoteCount, Participant, Workshop
from ..moderation.services import check_moderation_open, record

MAX_COUNT = 100_000

Counts = dict[tuple[int, Audience], int]


def workshops_with_totals(consultation: Consultation) -> list[tuple[Workshop, int]]:
    rows = db.session.execute(
        select(Workshop, func.coalesce(func.sum(PaperVoteCount.supports), 0))
        .outerjoin(PaperVoteCount, PaperVoteCount.workshop_id == Workshop.id)
        .where(Workshop.consultation_id == consultation.id)
        .group_by(Workshop.id)
        .order_by(Workshop.held_on.desc(), Workshop.id.desc())
    )
    return [(workshop, int(total)) for workshop, total in rows]


def workshop_of(consultation: Consultation, workshop_id: int) -> Workshop:
    """The workshop, provided it belongs to this consultation (NotFound otherwise)."""
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or workshop.consultation_id != consultation.id:
        raise NotFound()
    return workshop


def counts_of(workshop: Workshop) -> Counts:
    rows = db.session.scalars(select(PaperVoteCount).where(PaperVoteCount.workshop_id == workshop.id))
    return {(row.action_id, row.audience): row.supports for row in rows}


def save_workshop(
    moderator: Participant,
    consultation: Consultation,
    *,
    held_on: date,
    place: str,
    counts: Counts,
    today: date,
    workshop: Workshop | None = None,
) -> Workshop:
    """Creates the workshop, or corrects one entered before; its counts are replaced as a whole."""
    check_moderation_open(consultation)
    place = place.strip()
    if not place:
        raise ParticipationRefused(_("Indiquez où l’atelier a eu lieu."))
    if held_on > today:
        raise ParticipationRefused(_("La date de l’atelier est dans le futur : saisissez les votes après l’atelier."))
    allowed = {a.id for a in published_actions(consultation)}
    if any(action_id not in allowed for action_id, _audience in counts):
        raise ParticipationRefused(_("Une des actions n’est plus publiée : rechargez la page."))
    if any(not 0 <= number <= MAX_COUNT for number in counts.values()):
        raise ParticipationRefused(_("Chaque nombre doit être compris entre 0 et %(max)s.", max=MAX_COUNT))
    if workshop is None:
        workshop = Workshop(consultation_id=consultation.id, entered_by_id=moderator.id)
        db.session.add(workshop)
    workshop.held_on, workshop.place = held_on, place
    db.session.flush()
    db.session.execute(delete(PaperVoteCount).where(PaperVoteCount.workshop_id == workshop.id))
    db.session.add_all(
        PaperVoteCount(workshop_id=workshop.id, action_id=action_id, audience=audience, supports=number)
        for (action_id, audience), number in sorted(counts.items())
        if number
    )
    record(
        moderator,
        ModerationAction.PAPER_VOTES,
        workshop,
        consultation,
        held_on=held_on.isoformat(),
        place=place,
        supports=sum(counts.values()),
    )
    return workshop
