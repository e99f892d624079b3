"""The opinions a committee analysis counts, asked the same way by each of them (groups, division, weighting)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from ..models import Action, ActionState, Consultation, Orientation, Participant, Vote, VoteKind, participant_counts_in


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
