"""Results by neighbourhood: each action's supports and opinions per neighbourhood, in the columns of the
staff's list of neighbourhoods where k people or more took part, every other answer under OTHER_NEIGHBOURHOODS."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from sqlalchemy import func, literal

from ..extensions import db
from ..models import OTHER_ANSWER, Consultation, Participant, ProfileListKind, Vote, VoteKind
from .counting import counted_votes, sums
from .profile_groups import NOT_GIVEN, answer_groups, group_of, regrouped

# The column of the results by neighbourhood that holds the answers outside the staff's list and the
# neighbourhoods where fewer than k people took part: no small neighbourhood is shown under its own name.
OTHER_NEIGHBOURHOODS = "Autres"


def neighbourhood_tallies(action_ids: list[int]) -> dict[int, dict[tuple[VoteKind, int], dict[str, int]]]:
    """action → (kind, value) → neighbourhood as answered → number of supports and opinions, from one GROUP BY."""
    tallies: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    neighbourhood = func.coalesce(Participant.neighbourhood, literal(NOT_GIVEN))
    rows = db.session.execute(
        counted_votes(action_ids, Vote.action_id, Vote.kind, Vote.value, neighbourhood, func.count())
        .where(Vote.kind.in_((VoteKind.SUPPORT, VoteKind.OPINION)))
        .group_by(Vote.action_id, Vote.kind, Vote.value, neighbourhood)
    )
    for action_id, kind, value, answer, number in rows:
        tallies[action_id][(kind, value)][answer] += number
    return tallies


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
