"""The neighbourhood or school group a participant's answer counts under in one consultation's summary: an entry
of the consultation's list, the entry a free-text answer was merged into, or "Autre"; no answer, or "Je préfère ne
pas répondre", is "non renseigné". No label typed by one person reaches the committee."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from sqlalchemy import select

from ..extensions import db
from ..models import OTHER_ANSWER, UNSAID_ANSWER, Consultation, ProfileAnswerMapping, ProfileListEntry, ProfileListKind

NOT_GIVEN = "non renseigné"
# The column of the results by neighbourhood that holds the answers outside the staff's list and the
# neighbourhoods where fewer than k people took part: no small neighbourhood is shown under its own name.
OTHER_NEIGHBOURHOODS = "Autres"


def answer_groups(consultation: Consultation, kind: ProfileListKind) -> dict[str, str]:
    """Answer → group, for the answers that name an entry: the entries themselves and the merged free text."""
    groups = {
        label: label
        for label in db.session.scalars(
            select(ProfileListEntry.label).where(
                ProfileListEntry.consultation_id == consultation.id, ProfileListEntry.kind == kind
            )
        )
    }
    mapped = db.session.execute(
        select(ProfileAnswerMapping.answer, ProfileListEntry.label)
        .join(ProfileListEntry, ProfileListEntry.id == ProfileAnswerMapping.entry_id)
        .where(ProfileAnswerMapping.consultation_id == consultation.id, ProfileAnswerMapping.kind == kind)
    )
    groups.update({answer: label for answer, label in mapped})
    return groups


def group_of(answer: str | None, groups: Mapping[str, str]) -> str:
    if answer is None or answer in ("", NOT_GIVEN, UNSAID_ANSWER):
        return NOT_GIVEN
    return groups.get(answer, OTHER_ANSWER)


def regrouped(counts: Mapping[str, int], groups: Mapping[str, str]) -> dict[str, int]:
    """People per answer, added up per group."""
    totals: defaultdict[str, int] = defaultdict(int)
    for answer, number in counts.items():
        totals[group_of(answer, groups)] += number
    return dict(totals)
