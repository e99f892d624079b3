"""A consultation's lists of neighbourhoods and schools, and the free-text answers staff merge into them.

Participants answer once for the site (a person lives in one neighbourhood whatever the consultation): the forms
offer the entries of every consultation's lists, which coincide when the site runs one territory. Each
consultation's summary reads the answers through its own list: an entry as such, a free-text answer through its
mapping, anything else as "Autre" (see `committee/profile_groups.py`).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from ..errors import NotFound, ParticipationRefused
from ..extensions import db
from ..labels import SUMMARY_GROUP_LABELS
from ..models import (
    OTHER_ANSWER,
    UNSAID_ANSWER,
    Consultation,
    Participant,
    ProfileAnswerMapping,
    ProfileListEntry,
    ProfileListKind,
    comparable_name,
)
from .lifecycle import check_editable

MAX_LABEL_LENGTH = 120
# An entry named like a group the summary makes of its own would be counted in with it, under one name.
_SUMMARY_GROUP_KEYS = frozenset(comparable_name(name) for name in SUMMARY_GROUP_LABELS)
_ANSWER_COLUMNS = {ProfileListKind.NEIGHBOURHOOD: Participant.neighbourhood, ProfileListKind.SCHOOL: Participant.school}


def entries(consultation: Consultation, kind: ProfileListKind) -> list[ProfileListEntry]:
    return list(
        db.session.scalars(
            select(ProfileListEntry)
            .where(ProfileListEntry.consultation_id == consultation.id, ProfileListEntry.kind == kind)
            .order_by(ProfileListEntry.position, ProfileListEntry.id)
        )
    )


def replace_entries(consultation: Consultation, kind: ProfileListKind, text: str) -> None:
    """The list as written, one entry a line. An entry kept keeps the answers merged into it; two lines that
    read alike ("École Jean-Jaurès", "école jean jaures") are refused, since they would split one group."""
    check_editable(consultation)
    labels = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    seen: dict[str, str] = {}
    for label in labels:
        if len(label) > MAX_LABEL_LENGTH:
            raise ParticipationRefused(
                _("« %(label)s » dépasse %(n)s caractères : raccourcissez-le.", label=label[:40], n=MAX_LABEL_LENGTH),
                field=kind.value,
            )
        key = comparable_name(label)
        if key in (comparable_name(OTHER_ANSWER), comparable_name(UNSAID_ANSWER)):
            raise ParticipationRefused(
                _("« %(label)s » est déjà proposé à tout le monde : retirez cette ligne.", label=label), field=kind.value
            )
        if key in _SUMMARY_GROUP_KEYS:
            raise ParticipationRefused(
                _("« %(label)s » est déjà le nom d’un groupe de la synthèse du comité, celui des personnes hors de "
                  "la liste ou sans réponse : une ligne de ce nom s’y confondrait. Donnez-lui un autre nom.",
                  label=label),
                field=kind.value,
            )
        if key in seen:
            raise ParticipationRefused(
                _("« %(first)s » et « %(second)s » se lisent de la même façon : gardez-en un seul.",
                  first=seen[key], second=label),
                field=kind.value,
            )
        seen[key] = label
    existing = {entry.label: entry for entry in entries(consultation, kind)}
    for label, entry in existing.items():
        if label not in seen.values():
            db.session.delete(entry)
    for position, label in enumerate(labels, start=1):
        entry = existing.get(label) or ProfileListEntry(consultation_id=consultation.id, kind=kind, label=label)
        entry.position = position
        db.session.add(entry)
    db.session.flush()


def offered_labels(kind: ProfileListKind) -> list[str]:
    """What the registration and profile forms offer: every consultation's entries, each once, alphabetical."""
    labels = db.session.scalars(select(ProfileListEntry.label).where(ProfileListEntry.kind == kind).distinct())
    return sorted(labels, key=comparable_name)


def unmapped_answers(consultation: Consultation, kind: ProfileListKind) -> list[tuple[str, int]]:
    """Free-text answers that are neither an entry of the list nor merged into one, with how many people gave
    each: what the consultation's summary counts as "Autre" until staff merge them."""
    column = _ANSWER_COLUMNS[kind]
    known = select(ProfileListEntry.label).where(
        ProfileListEntry.consultation_id == consultation.id, ProfileListEntry.kind == kind
    )
    mapped = select(ProfileAnswerMapping.answer).where(
        ProfileAnswerMapping.consultation_id == consultation.id, ProfileAnswerMapping.kind == kind
    )
    rows = db.session.execute(
        select(column, func.count())
        .where(
            column.is_not(None),
            column != "",
            column.not_in([OTHER_ANSWER, UNSAID_ANSWER]),
            column.not_in(known),
            column.not_in(mapped),
        )
        .group_by(column)
        .order_by(column)
    )
    return [(answer, number) for answer, number in rows]


def map_answer(consultation: Consultation, kind: ProfileListKind, answer: str, entry_id: int) -> ProfileListEntry:
    """Merges a free-text answer into an entry of the list: the people who gave it count under that entry."""
    entry = db.session.get(ProfileListEntry, entry_id)
    if entry is None or entry.consultation_id != consultation.id or entry.kind != kind:
        raise NotFound()
    db.session.execute(
        delete(ProfileAnswerMapping).where(
            ProfileAnswerMapping.consultation_id == consultation.id,
            ProfileAnswerMapping.kind == kind,
            ProfileAnswerMapping.answer == answer,
        )
    )
    db.session.add(ProfileAnswerMapping(consultation_id=consultation.id, kind=kind, answer=answer, entry_id=entry.id))
    db.session.flush()
    return entry
