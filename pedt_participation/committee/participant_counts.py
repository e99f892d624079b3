"""Distinct participants counted for a summary: per profile (audience, age bracket, neighbourhood, school, week
of their first activity) and per orientation, in one statement whatever the number of votes."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, Subquery, case, func, literal, select, union_all

from ..extensions import db
from ..models import Action, ActionOrigin, Comment, Consultation, Participant, Vote, participant_counts_in
from .profile_groups import NOT_GIVEN


def _people(orientation_ids: list[int]) -> Subquery:
    """One row per participant who did something online on these orientations (voted, commented, proposed):
    the first moment they did, and for each orientation whether they took part in it (`took_part_<i>`, 1 or 0).
    Grouping by participant alone keeps the groups few (one per person, not per person and orientation).
    Comments hidden by moderation do not count; blocked participants are left out by the caller."""
    activity = union_all(
        select(Vote.participant_id.label("participant_id"), Action.orientation_id, Vote.created_at.label("at"))
        .join(Action, Action.id == Vote.action_id)
        .where(Action.orientation_id.in_(orientation_ids)),
        select(Comment.author_id, Action.orientation_id, Comment.created_at)
        .join(Action, Action.id == Comment.action_id)
        .where(Action.orientation_id.in_(orientation_ids), Comment.author_id.is_not(None), Comment.hidden_at.is_(None)),
        select(Action.author_id, Action.orientation_id, Action.created_at).where(
            Action.orientation_id.in_(orientation_ids),
            Action.origin == ActionOrigin.PARTICIPANT,
            Action.author_id.is_not(None),
        ),
    ).subquery()
    return (
        select(
            activity.c.participant_id,
            func.min(activity.c.at).label("first_at"),
            *(
                func.max(case((activity.c.orientation_id == orientation_id, 1), else_=0)).label(f"took_part_{i}")
                for i, orientation_id in enumerate(orientation_ids)
            ),
        )
        .group_by(activity.c.participant_id)
        .subquery()
    )


def _week_start(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """Monday of the (UTC) week, as "YYYY-MM-DD" on both databases."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.date_trunc("week", column), "YYYY-MM-DD")
    return func.date(column, "-6 days", "weekday 1")


def participant_counts(consultation: Consultation, orientation_ids: list[int]) -> tuple[dict[tuple, int], dict[tuple, int]]:
    """Distinct participants (not blocked) counted in one statement, two ways: per (audience, age bracket,
    neighbourhood, school, week of their first activity in the consultation), and per (orientation, audience,
    age bracket). Every breakdown of the summary is a sum of one of them; the result has a few hundred rows
    whatever the number of votes."""
    people = _people(orientation_ids)
    profile = (
        Participant.audience,
        Participant.age_bracket,
        func.coalesce(Participant.neighbourhood, literal(NOT_GIVEN)),
        func.coalesce(Participant.school, literal(NOT_GIVEN)),
        _week_start(people.c.first_at),
    )
    rows = db.session.execute(
        select(*profile, func.count(), *(func.sum(people.c[f"took_part_{i}"]) for i in range(len(orientation_ids))))
        .join(Participant, Participant.id == people.c.participant_id)
        .where(participant_counts_in(consultation.id))
        .group_by(*profile)
    )
    by_profile: dict = {}
    by_orientation: dict = defaultdict(int)
    for audience, bracket, neighbourhood, school, week, number, *in_orientations in rows:
        by_profile[(audience, bracket, neighbourhood, school, week)] = number
        for orientation_id, took_part in zip(orientation_ids, in_orientations, strict=True):
            by_orientation[(orientation_id, audience, bracket)] += took_part
    return by_profile, by_orientation
