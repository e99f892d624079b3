"""The votes a summary counts, read from the database once, as arrays: its tables by voter profile, its judges, the
opinions its groups and its representativeness read are all folded from them in Python. Asked of the database one
GROUP BY each, the same votes were read three times (at the 1 M-vote bench: 0.67 s for the tallies by profile and
0.4 s for the opinions, against 0.3 s to read every vote once and a few milliseconds to fold them)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from itertools import islice

import numpy as np
from sqlalchemy import LargeBinary, SmallInteger, case, cast, func, literal, select

from ..extensions import db, driver_rows
from ..models import (
    AgeBracket,
    Audience,
    Consultation,
    Grade,
    Opinion,
    Participant,
    Vote,
    VoteKind,
    participant_counts_in,
)

KINDS = tuple(VoteKind)  # a vote's kind, as its position here
# The values a vote can hold (the database checks it: `value_fits_kind`), from « contre » to the best grade.
LOWEST_VALUE = min(Opinion)
VALUE_SPAN = max(Grade) - LOWEST_VALUE + 1
# On Postgres, each action's votes come as one row of fixed-width big-endian records (voter, kind, value), which
# numpy reads as they are: no Python object per vote.
PACKED_VOTE = np.dtype([("voter", ">i4"), ("kind", ">i2"), ("value", ">i2")])
ROWS_READ_AT_ONCE = 50_000

# What a voter answered of their profile: audience, age bracket, neighbourhood (None when not given).
Profile = tuple[Audience, AgeBracket, str | None]
# (action id, kind, value) and the voter's profile.
ProfileKey = tuple[int, VoteKind, int, Audience, AgeBracket, str | None]


@dataclass(frozen=True)
class CountedVotes:
    """The votes that count on the actions a summary shows (`read_counted_votes`): one entry per vote in each
    array, in no particular order."""

    actions: np.ndarray  # action id
    voters: np.ndarray  # participant id
    kinds: np.ndarray  # position in KINDS
    values: np.ndarray
    profiles: np.ndarray  # position of the voter's answers in `profile_keys`
    profile_keys: list[Profile]

    def of_kind(self, kind: VoteKind) -> np.ndarray:
        return self.kinds == KINDS.index(kind)

    @cached_property
    def opinions(self) -> np.ndarray:
        """The opinions, one row (participant id, action id, opinion −1/0/1) each: what the opinion groups read."""
        chosen = self.of_kind(VoteKind.OPINION)
        return np.column_stack((self.voters[chosen], self.actions[chosen], self.values[chosen].astype(np.int32)))

    @cached_property
    def by_profile(self) -> dict[ProfileKey, int]:
        """How many votes of each kind and value each action has from each profile of voter: a few thousand
        groups, from which every table that cuts the votes by voter is summed."""
        profiles = max(len(self.profile_keys), 1)
        keys = (
            (self.actions.astype(np.int64) * len(KINDS) + self.kinds) * VALUE_SPAN + (self.values - LOWEST_VALUE)
        ) * profiles + self.profiles
        groups, numbers = np.unique(keys, return_counts=True)
        groups, profile = np.divmod(groups, profiles)
        groups, value = np.divmod(groups, VALUE_SPAN)
        action, kind = np.divmod(groups, len(KINDS))
        return {
            (action_id, KINDS[kind_at], value_at + LOWEST_VALUE, *self.profile_keys[profile_at]): number
            for action_id, kind_at, value_at, profile_at, number in zip(
                action.tolist(), kind.tolist(), value.tolist(), profile.tolist(), numbers.tolist(), strict=True
            )
        }


def read_counted_votes(consultation: Consultation, action_ids: list[int]) -> CountedVotes:
    """Every vote that counts on these actions (the ones the summary shows: aggregation's `published_actions`), with
    its voter's profile: the votes of those actions, kept when their voter's votes count in the consultation
    (`participant_counts_in`, asked of the database for the people, a few thousand rows)."""
    people, profile_of_person, profile_keys = _voter_profiles(consultation)
    actions, voters, kinds, values = _votes(action_ids)
    if len(people):
        position = np.searchsorted(people, voters).clip(max=len(people) - 1)
        counted = people[position] == voters
    else:
        position, counted = np.zeros(len(voters), dtype=np.intp), np.zeros(len(voters), dtype=bool)
    return CountedVotes(
        actions=actions[counted], voters=voters[counted], kinds=kinds[counted], values=values[counted],
        profiles=profile_of_person[position[counted]], profile_keys=profile_keys,
    )


def _voter_profiles(consultation: Consultation) -> tuple[np.ndarray, np.ndarray, list[Profile]]:
    """The people whose votes count in the consultation, by id, and the position of each one's answers among the
    distinct answers. Read as the driver's rows: the ORM's, which make each row's enums, took seven times as long."""
    rows = driver_rows(
        select(Participant.id, Participant.audience, Participant.age_bracket, Participant.neighbourhood)
        .where(participant_counts_in(consultation.id))
        .order_by(Participant.id),
        chunk=ROWS_READ_AT_ONCE,
    )
    ids: list[int] = []
    positions: list[int] = []
    keys: dict[tuple, int] = {}
    for person_id, *answers in rows:
        ids.append(person_id)
        positions.append(keys.setdefault(tuple(answers), len(keys)))
    profiles = [(Audience(audience), AgeBracket(bracket), neighbourhood) for audience, bracket, neighbourhood in keys]
    return np.array(ids, dtype=np.int32), np.array(positions, dtype=np.int32), profiles


def _votes(action_ids: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The votes on these actions, whoever cast them: action ids, voter ids, kinds (positions in KINDS), values."""
    kind = case(*((Vote.kind == kind, position) for position, kind in enumerate(KINDS)))
    if db.session.get_bind().dialect.name != "postgresql":
        rows = driver_rows(
            select(Vote.action_id, Vote.participant_id, kind, Vote.value).where(Vote.action_id.in_(action_ids)),
            chunk=ROWS_READ_AT_ONCE,
        )
        batches = [np.empty((0, 4), dtype=np.int32)]
        while batch := list(islice(rows, ROWS_READ_AT_ONCE)):
            batches.append(np.array(batch, dtype=np.int32))
        votes = np.concatenate(batches)
        return votes[:, 0], votes[:, 1], votes[:, 2].astype(np.int8), votes[:, 3].astype(np.int8)
    packed = func.string_agg(
        func.int4send(Vote.participant_id)
        .op("||")(func.int2send(cast(kind, SmallInteger)))
        .op("||")(func.int2send(cast(Vote.value, SmallInteger))),
        cast(literal(""), LargeBinary),
    )
    parts = [
        (action_id, np.frombuffer(records, dtype=PACKED_VOTE))
        for action_id, records in driver_rows(
            select(Vote.action_id, packed).where(Vote.action_id.in_(action_ids)).group_by(Vote.action_id),
            chunk=1, binary=True,
        )
    ]
    if not parts:
        empty = np.empty(0, dtype=np.int32)
        return empty, empty, empty.astype(np.int8), empty.astype(np.int8)
    return (
        np.concatenate([np.full(len(records), action_id, dtype=np.int32) for action_id, records in parts]),
        np.concatenate([records["voter"] for _action_id, records in parts]).astype(np.int32),
        np.concatenate([records["kind"] for _action_id, records in parts]).astype(np.int8),
        np.concatenate([records["value"] for _action_id, records in parts]).astype(np.int8),
    )
