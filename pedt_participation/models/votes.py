"""Votes: one per participant, action and kind, enforced by a unique constraint."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model
from .participants import Audience
from .types import UTCDateTime, enum_column, utcnow


class VoteKind(enum.StrEnum):
    SUPPORT = "support"
    OPINION = "opinion"
    GRADE = "grade"


class Opinion(enum.IntEnum):
    CONTRE = -1
    MITIGE = 0
    POUR = 1


class Grade(enum.IntEnum):
    """Majority-judgment grades, worst to best, so that a higher value is a better grade."""

    A_REJETER = 0
    INSUFFISANT = 1
    PASSABLE = 2
    ASSEZ_BIEN = 3
    BIEN = 4
    TRES_BIEN = 5
    EXCELLENT = 6


class Vote(Model):
    __tablename__ = "votes"
    __table_args__ = (
        sa.UniqueConstraint("participant_id", "action_id", "kind"),
        sa.CheckConstraint(
            "(kind = 'support' AND value = 1)"
            " OR (kind = 'opinion' AND value BETWEEN -1 AND 1)"
            " OR (kind = 'grade' AND value BETWEEN 0 AND 6)",
            name="value_fits_kind",
        ),
        sa.Index("ix_votes_action_kind_value", "action_id", "kind", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"))
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("actions.id", ondelete="CASCADE"))
    kind: Mapped[VoteKind] = mapped_column(enum_column(VoteKind, "vote_kind"))
    value: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def tally_column(kind: VoteKind, value: int) -> str:
    """The column of `ActionTally` that counts the votes of this kind and value."""
    if kind == VoteKind.SUPPORT:
        return "supports"
    member = Opinion(value) if kind == VoteKind.OPINION else Grade(value)
    return f"{kind.value}_{member.name.lower()}"


class ActionTally(Model):
    """Each action's counted votes and shown comments, tallied by the database as votes are written, so that a page reads an action's
    counts in one row however many votes it has. Triggers keep it (created by the migration `5e1f0c7a9d24`, which
    says how), in the transaction of each change: a row per action from its creation; each vote written, changed,
    moved or deleted (a withdrawal, a merge, an erasure, a cascade) moves its column while its person's votes count
    (`Participant.votes_count`); a person whose votes start or stop counting adds or takes away all of theirs. People
    bound through a revoked batch of codes are still tallied: their votes are taken away when read
    (`voting.services.count_votes`)."""

    __tablename__ = "action_tallies"
    # The tests put rows back into emptied tables: these rows are made again by the triggers, not put back.
    __table_args__ = {"info": {"written_by_triggers": True}}

    action_id: Mapped[int] = mapped_column(sa.ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True)
    supports: Mapped[int] = mapped_column(server_default="0")
    opinion_contre: Mapped[int] = mapped_column(server_default="0")
    opinion_mitige: Mapped[int] = mapped_column(server_default="0")
    opinion_pour: Mapped[int] = mapped_column(server_default="0")
    grade_a_rejeter: Mapped[int] = mapped_column(server_default="0")
    grade_insuffisant: Mapped[int] = mapped_column(server_default="0")
    grade_passable: Mapped[int] = mapped_column(server_default="0")
    grade_assez_bien: Mapped[int] = mapped_column(server_default="0")
    grade_bien: Mapped[int] = mapped_column(server_default="0")
    grade_tres_bien: Mapped[int] = mapped_column(server_default="0")
    grade_excellent: Mapped[int] = mapped_column(server_default="0")
    # Its comments shown (neither deleted nor hidden, their author's writings shown) and its threads (root comments, shown or not), tallied alike
    # (migration `8b2d4f6a1c37`).
    comments_shown: Mapped[int] = mapped_column(server_default="0")
    comment_threads: Mapped[int] = mapped_column(server_default="0")


class Workshop(Model):
    """A meeting where people voted on paper; a moderator enters the counts afterwards."""

    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date]
    place: Mapped[str] = mapped_column(sa.String(200))
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PaperVoteCount(Model):
    """Supports collected on paper for one action from one audience at one workshop: a separate
    channel, added to the totals and shown apart in summaries (no person behind it)."""

    __tablename__ = "paper_vote_counts"
    __table_args__ = (
        sa.UniqueConstraint("workshop_id", "action_id", "audience"),
        sa.CheckConstraint("supports >= 0", name="supports_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(sa.ForeignKey("workshops.id", ondelete="CASCADE"))
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    audience: Mapped[Audience] = mapped_column(enum_column(Audience, "paper_vote_audience"))
    supports: Mapped[int]
