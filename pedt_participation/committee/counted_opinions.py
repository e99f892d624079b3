"""The opinions a committee analysis counts, asked the same way by each of them (groups, division, weighting)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from itertools import islice
from typing import Any

import numpy as np
from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from ..extensions import driver_rows
from ..models import Action, ActionState, Consultation, Orientation, Participant, Vote, VoteKind, participant_counts_in

# Polis places a participant once they judged 7 statements (or all of them, when there are fewer).
MIN_OPINIONS = 7
OPINIONS_READ_AT_ONCE = 50_000


def counted_opinions(consultation: Consultation, *columns: Any) -> Select:
    """`columns` of the opinions given on the actions the summary shows (published, and not a blocked author's or
    an unconsented child's proposal, as the public pages) by people whose votes count (erased people's votes are
    already gone); Vote, Action, Orientation and Participant (the voter) are joined."""
    author = aliased(Participant)
    return (
        select(*columns)
        .join(Action, Action.id == Vote.action_id)
        .join(Orientation, Orientation.id == Action.orientation_id)
        .join(Participant, Participant.id == Vote.participant_id)
        .outerjoin(author, author.id == Action.author_id)
        .where(
            Orientation.consultation_id == consultation.id,
            Action.state == ActionState.PUBLISHED,
            author.writings_shown,
            Vote.kind == VoteKind.OPINION,
            participant_counts_in(consultation.id),
        )
    )


def least_opinions_placed(people_by_opinions: Mapping[int, int], actions: int, k: int) -> int:
    """The fewest opinions that place a person in the opinion groups, given how many people gave each number of
    opinions and on how many actions: `MIN_OPINIONS` (or every action, when there are fewer), unless fewer than k
    people would be left out, who are then placed with the others (0: everyone is placed), as their number could
    be worked out from each action's opinions (see opinion_groups)."""
    least = min(MIN_OPINIONS, actions)
    left_out = sum(people for given, people in people_by_opinions.items() if given < least)
    return least if left_out >= k else 0


def opinion_votes(consultation: Consultation) -> np.ndarray:
    """The opinions that count in a consultation (`counted_opinions`): one row (participant id, action id, opinion)
    each, read in batches of plain tuples (`driver_rows`). A summary reads them once, for the people its opinion
    groups place (aggregation) and for the groups themselves."""
    rows = driver_rows(
        counted_opinions(consultation, Vote.participant_id, Vote.action_id, Vote.value), chunk=OPINIONS_READ_AT_ONCE
    )
    # 32-bit: the ids are the database's INTEGER columns (8 MB for the 1 M-vote bench's 700 000 opinions, not 17).
    batches = [np.empty((0, 3), dtype=np.int32)]
    while batch := list(islice(rows, OPINIONS_READ_AT_ONCE)):
        batches.append(np.array(batch, dtype=np.int32))
    return np.concatenate(batches)


def people_by_opinions(opinions: np.ndarray) -> tuple[dict[int, int], int]:
    """How many people gave each number of `opinions` (rows of `opinion_votes`), and on how many actions."""
    _people, given = np.unique(opinions[:, 0], return_counts=True)
    return dict(Counter(given.tolist())), len(np.unique(opinions[:, 1]))
