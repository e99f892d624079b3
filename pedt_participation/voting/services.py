"""Votes: cast, change, withdraw, and the public counts. The rules live here, once, for pages and API."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, ScalarSelect, Select, bindparam, delete, func, select, text
from sqlalchemy.orm import InstrumentedAttribute, aliased

from ..codes.services import check_code
from ..committee.majority_judgment import majority_grade
from ..consultations.services import VoteOrientation, VoteTarget, check_can_participate, check_open_for
from ..errors import ParticipationRefused
from ..extensions import db, execute_counting_rows, execute_without_orm
from ..languages.services import ngettext
from ..models import (
    Action,
    ActionState,
    ActionTally,
    Activity,
    CodeBatch,
    Grade,
    Opinion,
    Orientation,
    PaperVoteCount,
    Participant,
    ParticipationCode,
    Person,
    Vote,
    VoteKind,
    tally_column,
    utcnow,
    vote_counts,
)

# The action a vote is about: the columns a vote loads (`get_vote_target`), or the ORM object of a vote held
# while its visitor signed in.
Votable = Action | VoteTarget

VALID_VALUES = {
    VoteKind.SUPPORT: frozenset({1}),
    VoteKind.OPINION: frozenset(o.value for o in Opinion),
    VoteKind.GRADE: frozenset(g.value for g in Grade),
}

# One statement records a vote or changes it, so that the same vote sent twice at once (double click) is stored
# once; SQLite and Postgres spell it alike. Written as text because SQLAlchemy 2.0 compiles its dialect INSERTs
# again at every call (they are not cached), which would cost more CPU than the rest of `cast_vote`.
_RECORD_VOTE = text(
    "INSERT INTO votes (participant_id, action_id, kind, value, created_at, updated_at)"
    " VALUES (:participant_id, :action_id, :kind, :value, :now, :now)"
    " ON CONFLICT (participant_id, action_id, kind) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
).bindparams(bindparam("kind", type_=Vote.__table__.c.kind.type), bindparam("now", type_=Vote.__table__.c.updated_at.type))


@dataclass
class ActionCounts:
    """Public counts for one action: supports (online and on paper at workshops), opinions by value,
    grades by value."""

    online_supports: int = 0
    paper_supports: int = 0
    opinions: dict[int, int] = field(default_factory=lambda: {o.value: 0 for o in Opinion})
    grades: dict[int, int] = field(default_factory=lambda: {g.value: 0 for g in Grade})

    @property
    def supports(self) -> int:
        return self.online_supports + self.paper_supports

    @property
    def opinion_total(self) -> int:
        return sum(self.opinions.values())

    @property
    def grade_total(self) -> int:
        return sum(self.grades.values())

    @property
    def majority_grade(self) -> int | None:
        """The grade a majority grants at least (Balinski–Laraki's lower middle grade); None without grades."""
        return majority_grade([self.grades[grade.value] for grade in sorted(Grade)])


# The people bound through a revoked batch of codes: their votes stop counting in that batch's consultation, and
# they are few (a sheet of codes lost or misused).
_REVOKED = (
    select(ParticipationCode.participant_id)
    .join(CodeBatch, CodeBatch.id == ParticipationCode.batch_id)
    .where(CodeBatch.revoked_at.is_not(None), ParticipationCode.participant_id.is_not(None))
)
_COUNTED_KINDS_AND_VALUES = [(kind, value) for kind, values in VALID_VALUES.items() for value in sorted(values)]


def count_votes(action_ids: list[int]) -> dict[int, ActionCounts]:
    """Each action's counts, as the pages, the API, the open-data export and the decisions show them: its tally (the
    votes of people whose votes count, tallied by the database as they are written: `ActionTally`), less the votes
    of people bound through a revoked batch of the consultation's codes (`vote_counts`), plus the supports collected
    on paper. Two short queries however many votes there are (a third, while any batch is revoked, reads its
    people's votes), each change counted as soon as it is committed."""
    counts: dict[int, ActionCounts] = defaultdict(ActionCounts)
    if not action_ids:
        return counts
    paper_supports = (
        select(func.sum(PaperVoteCount.supports)).where(PaperVoteCount.action_id == ActionTally.action_id).scalar_subquery()
    )
    tallies = db.session.execute(
        select(ActionTally.action_id, paper_supports,
               *(getattr(ActionTally, tally_column(kind, value)) for kind, value in _COUNTED_KINDS_AND_VALUES))
        .where(ActionTally.action_id.in_(action_ids))
    )
    for action_id, paper, *numbers in tallies:
        tally = counts[action_id]
        tally.paper_supports = paper or 0
        for (kind, value), number in zip(_COUNTED_KINDS_AND_VALUES, numbers, strict=True):
            _add(tally, kind, value, number)
    revoked = db.session.scalars(_REVOKED).all()
    if revoked:
        not_counted = db.session.execute(
            select(Vote.action_id, Vote.kind, Vote.value, func.count())
            .join(Participant, Participant.id == Vote.participant_id)
            .where(Vote.participant_id.in_(revoked), Vote.action_id.in_(action_ids), Participant.votes_count, ~vote_counts())
            .group_by(Vote.action_id, Vote.kind, Vote.value)
        )
        for action_id, kind, value, number in not_counted:
            _add(counts[action_id], kind, value, -number)
    return counts


def _add(tally: ActionCounts, kind: VoteKind, value: int, number: int) -> None:
    if kind == VoteKind.SUPPORT:
        tally.online_supports += number
    elif kind == VoteKind.OPINION:
        tally.opinions[value] += number
    else:
        tally.grades[value] += number


# Every vote answers with these two (the person's votes on the action, supports left): built once, so that
# SQLAlchemy neither rebuilds them nor recomputes their cache keys at each call.
_VOTES_OF = select(Vote.action_id, Vote.kind, Vote.value).where(
    Vote.participant_id == bindparam("participant_id"), Vote.action_id.in_(bindparam("action_ids", expanding=True))
)
_SUPPORTS_USED = (
    select(Action.orientation_id, func.count())
    .select_from(Vote)
    .join(Action, Action.id == Vote.action_id)
    .where(
        Vote.participant_id == bindparam("participant_id"),
        Vote.kind == VoteKind.SUPPORT,
        Action.orientation_id.in_(bindparam("orientation_ids", expanding=True)),
        Action.state == ActionState.PUBLISHED,
    )
    .group_by(Action.orientation_id)
)


def votes_of(participant: Participant | None, action_ids: list[int]) -> dict[tuple[int, VoteKind], int]:
    """The viewer's own votes, to show which buttons are pressed."""
    if participant is None or not action_ids:
        return {}
    rows = db.session.execute(_VOTES_OF, {"participant_id": participant.id, "action_ids": action_ids})
    return {(action_id, kind): value for action_id, kind, value in rows}


def supports_used_by_orientation(participant: Participant, orientation_ids: list[int]) -> dict[int, int]:
    """Supports on published actions only: a support given to an action later hidden or merged frees its place."""
    if not orientation_ids:
        return {}
    rows = db.session.execute(_SUPPORTS_USED, {"participant_id": participant.id, "orientation_ids": orientation_ids})
    used = dict.fromkeys(orientation_ids, 0)
    used.update(rows.tuples().all())
    return used


def _vote_value(kind: VoteKind) -> ScalarSelect[int]:
    return (
        select(Vote.value)
        .where(
            Vote.participant_id == bindparam("participant_id"),
            Vote.action_id == bindparam("action_id"),
            Vote.kind == kind,
        )
        .scalar_subquery()
    )


def supports_elsewhere_in_orientation(
    participant_id: int | ColumnElement[int] | InstrumentedAttribute[int],
    orientation_id: int | ColumnElement[int],
    action_id: int | ColumnElement[int],
) -> Select:
    """What the support limit counts: the person's supports on the orientation's published actions other than
    `action_id`. Each argument is a value (a vote), a bound parameter (a statement built once) or a column to
    correlate with (a merge moving votes)."""
    counted = aliased(Vote)
    return (
        select(func.count())
        .select_from(counted)
        .join(Action, Action.id == counted.action_id)
        .where(
            counted.participant_id == participant_id,
            counted.kind == VoteKind.SUPPORT,
            counted.action_id != action_id,
            Action.orientation_id == orientation_id,
            Action.state == ActionState.PUBLISHED,
        )
    )


# A vote's answer in one row, built once: the person's three votes on the action, and their supports on the
# orientation's other published actions (a support on this one counts too when the action is published).
_MY_VOTES_ON_ACTION = select(
    _vote_value(VoteKind.SUPPORT),
    _vote_value(VoteKind.OPINION),
    _vote_value(VoteKind.GRADE),
    supports_elsewhere_in_orientation(
        bindparam("participant_id"), bindparam("orientation_id"), bindparam("action_id")
    ).scalar_subquery(),
)


@dataclass(frozen=True)
class MyVotes:
    """One person's votes on one action, and the supports they may still give in its orientation (None: no limit)."""

    support: bool
    opinion: int | None
    grade: int | None
    supports_remaining: int | None


def my_votes_on(participant: Person, action: Votable) -> MyVotes:
    """What the API answers after each vote, in one query (a page shows many actions: `votes_of` and
    `supports_remaining`)."""
    support, opinion, grade, supports_elsewhere = execute_without_orm(
        _MY_VOTES_ON_ACTION,
        {"participant_id": participant.id, "action_id": action.id, "orientation_id": action.orientation_id},
    ).one()
    limit = action.orientation.consultation.vote_limit_per_orientation
    remaining = None
    if limit is not None:
        used = supports_elsewhere + (support is not None and action.state == ActionState.PUBLISHED)
        remaining = max(limit - used, 0)
    return MyVotes(support is not None, opinion, grade, remaining)


def supports_remaining(
    participant: Participant | None, orientations: Sequence[Orientation | VoteOrientation]
) -> dict[int, int | None]:
    """Per orientation, how many supports the participant may still give (None: no limit or not signed in)."""
    if participant is None or not orientations:
        return {o.id: None for o in orientations}
    limit = orientations[0].consultation.vote_limit_per_orientation
    if limit is None:
        return {o.id: None for o in orientations}
    used = supports_used_by_orientation(participant, [o.id for o in orientations])
    return {o.id: max(limit - used[o.id], 0) for o in orientations}


def _kind_enabled(action: Votable, kind: VoteKind) -> bool:
    consultation = action.orientation.consultation
    return {
        VoteKind.SUPPORT: consultation.supports_enabled,
        VoteKind.OPINION: consultation.opinion_enabled,
        VoteKind.GRADE: consultation.majority_judgment_enabled,
    }[kind]


def _check_vote_allowed(participant: Person, action: Votable, kind: VoteKind, now: datetime) -> None:
    consultation = action.orientation.consultation
    if action.state != ActionState.PUBLISHED:
        raise ParticipationRefused(_("Cette action n’est pas ouverte au vote."))
    if not _kind_enabled(action, kind):
        raise ParticipationRefused(_("Ce type de vote n’est pas utilisé dans cette consultation."))
    check_open_for(consultation, Activity.VOTE, now)
    check_can_participate(consultation, participant)
    check_code(consultation, participant)


def _lock_participant(participant: Person) -> None:
    """Serialises one person's supports (Postgres row lock; SQLite already serialises writers), so two
    simultaneous clicks cannot both pass the support-limit check."""
    execute_without_orm(select(Participant.id).where(Participant.id == participant.id).with_for_update())


def cast_vote(
    participant: Person, action: Votable, kind: VoteKind, value: int, now: datetime | None = None
) -> None:
    """Records a vote, or changes the participant's earlier vote of the same kind on this action."""
    _check_vote_allowed(participant, action, kind, now or utcnow())
    if value not in VALID_VALUES[kind]:
        raise ParticipationRefused(_("Ce choix n’existe pas. Choisissez l’une des réponses proposées."))
    if kind == VoteKind.SUPPORT:
        _lock_participant(participant)
        _check_support_limit(participant, action)
    execute_without_orm(
        _RECORD_VOTE, {"participant_id": participant.id, "action_id": action.id, "kind": kind, "value": value, "now": utcnow()}
    )


def _check_support_limit(participant: Person, action: Votable) -> None:
    """Supports given to the orientation's other actions: a support already given to this one is kept
    (sending it again changes nothing), whatever the limit."""
    orientation = action.orientation
    limit = orientation.consultation.vote_limit_per_orientation
    if limit is None:
        return
    if db.session.scalar(supports_elsewhere_in_orientation(participant.id, orientation.id, action.id)) < limit:
        return
    raise ParticipationRefused(
        ngettext(
            "Vous avez déjà donné votre seul soutien pour l’orientation « %(title)s ». Pour soutenir cette "
            "action, retirez d’abord votre soutien à une autre action de cette orientation.",
            "Vous avez déjà donné vos %(num)s soutiens pour l’orientation « %(title)s ». Pour soutenir cette "
            "action, retirez d’abord un soutien donné à une autre action de cette orientation.",
            limit,
            title=orientation.title,
        )
    )


def withdraw_vote(participant: Person, action: Votable, kind: VoteKind, now: datetime | None = None) -> bool:
    """Removes the participant's vote of this kind; returns False when there was none."""
    _check_vote_allowed(participant, action, kind, now or utcnow())
    deleted = execute_counting_rows(
        delete(Vote).where(Vote.participant_id == participant.id, Vote.action_id == action.id, Vote.kind == kind)
    )
    return deleted > 0
