"""What the summary's tables and the sections built beside them (results by neighbourhood, representativeness)
count with: the votes that count, and counts summed over some of their keys."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import InstrumentedAttribute

from ..models import Participant, Vote, vote_counts


def counted_votes(action_ids: list[int], *columns: ColumnElement[Any] | InstrumentedAttribute[Any]) -> Select[Any]:
    """Votes that count: on the given actions, by participants who are not blocked."""
    return (
        select(*columns)
        .select_from(Vote)
        .join(Participant, Participant.id == Vote.participant_id)
        .where(Vote.action_id.in_(action_ids), vote_counts())
    )


def sums(counts: Mapping[tuple, int], *positions: int) -> dict[tuple, int]:
    """`counts` summed over every key item but those at `positions`: {(a, b, c): n} → {(a,): Σ n} for (0,)."""
    summed: dict = defaultdict(int)
    for key, number in counts.items():
        summed[tuple(key[position] for position in positions)] += number
    return summed
