"""The opinions a committee analysis counts, asked the same way by each of them (groups, division, weighting)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from ..models import Action, ActionState, Consultation, Orientation, Participant, Vote, VoteKind, participant_counts_in

# Polis places a participant once they judged 7 statements (or all of them, when there are fewer).
MIN_OPINIONS = 7


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
