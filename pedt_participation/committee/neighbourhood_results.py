"""Results by neighbourhood: each action's supports and opinions per neighbourhood, in the columns of the
staff's list of neighbourhoods where k people or more took part, every other answer under OTHER_NEIGHBOURHOODS."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..models import OTHER_ANSWER, Consultation, Opinion, ProfileListKind, VoteKind
from .counting import sums
from .disclosure import Disclosure
from .disclosure_audit import CellKey
from .profile_groups import NOT_GIVEN, OTHER_NEIGHBOURHOODS, answer_groups, group_of, regrouped


class NeighbourhoodColumns:
    """The columns of the results by neighbourhood: each entry of the staff's list (or "non renseigné") where k
    people or more took part, then OTHER_NEIGHBOURHOODS for every other answer, so that no small neighbourhood is
    shown under its own name."""

    def __init__(self, consultation: Consultation, by_profile: Mapping[tuple, int]) -> None:
        self.groups = answer_groups(consultation, ProfileListKind.NEIGHBOURHOOD)
        people = regrouped({answer: number for (answer,), number in sums(by_profile, 2).items()}, self.groups)
        shown = {group for group, number in people.items() if group != OTHER_ANSWER and number >= consultation.k_anonymity}
        # The list's neighbourhoods alphabetically, then "non renseigné"; none at all without a list.
        self.names = (
            [*sorted(shown - {NOT_GIVEN}), *sorted(shown & {NOT_GIVEN}), OTHER_NEIGHBOURHOODS] if self.groups else []
        )

    def of(self, answer: str) -> str:
        group = group_of(answer, self.groups)
        return group if group in self.names else OTHER_NEIGHBOURHOODS


def in_columns(by_answer: Mapping[str, int], neighbourhoods: NeighbourhoodColumns) -> dict[str, int]:
    """Counts per neighbourhood as answered, added up per column of the results by neighbourhood."""
    columns = dict.fromkeys(neighbourhoods.names, 0)
    if columns:
        for answer, number in by_answer.items():
            columns[neighbourhoods.of(answer)] += number
    return columns


def opinions_by_neighbourhood(
    figures: Disclosure,
    action: CellKey,
    sides: Mapping[str, Opinion],
    tally: Mapping[tuple[VoteKind, int], Mapping[str, int]],
    neighbourhoods: NeighbourhoodColumns,
) -> dict[str, dict[str, Any]]:
    """An action's opinions per column, a table of the summary's `figures` each; each opinion is the sum of its
    columns'."""
    opinions_by_column = {
        side: in_columns(tally.get((VoteKind.OPINION, o.value), {}), neighbourhoods) for side, o in sides.items()
    }
    by_neighbourhood = {
        name: figures.table(
            (*action, "opinions", "neighbourhood", name, "total"),
            {side: ((*action, "opinions", "neighbourhood", name, side), opinions_by_column[side][name]) for side in sides},
        )
        for name in neighbourhoods.names
    }
    if neighbourhoods.names:
        for side in sides:
            figures.relate(
                (*action, "opinions", side), [(*action, "opinions", "neighbourhood", name, side) for name in neighbourhoods.names]
            )
    return by_neighbourhood


def online_supports_by_neighbourhood(
    figures: Disclosure,
    action: CellKey,
    tally: Mapping[tuple[VoteKind, int], Mapping[str, int]],
    neighbourhoods: NeighbourhoodColumns,
) -> dict[str, Any] | None:
    """An action's online supports per column (paper supports are counted per workshop, without neighbourhood);
    None without columns."""
    if not neighbourhoods.names:
        return None
    online_by_column = in_columns(tally.get((VoteKind.SUPPORT, 1), {}), neighbourhoods)
    return figures.table((*action, "supports", "online"), {
        name: ((*action, "supports", "online", "neighbourhood", name), online_by_column[name])
        for name in neighbourhoods.names
    })
