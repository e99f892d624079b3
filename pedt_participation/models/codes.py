"""Participation codes handed out on paper (at a school, a neighbourhood centre, a workshop): a consultation may
require one to vote. A code binds once, to one account, in its own consultation; a batch revoked stops counting the
votes of the accounts bound through it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Mapped, aliased, mapped_column, relationship

from .base import Model
from .consultations import Action, Orientation
from .participants import Participant
from .types import UTCDateTime, utcnow
from .votes import Vote


class CodeBatch(Model):
    """Codes printed together for one place; revoked together when the sheet is lost or misused."""

    __tablename__ = "code_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    # Where the codes are handed out ("École Jean-Jaurès"): told to the person who has none, shown in the summary.
    label: Mapped[str] = mapped_column(sa.String(120))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    codes: Mapped[list[ParticipationCode]] = relationship(
        back_populates="batch", order_by="ParticipationCode.id", cascade="all, delete-orphan"
    )


class ParticipationCode(Model):
    """One slip. `consultation_id` repeats the batch's so that the database itself keeps one code per account and
    consultation."""

    __tablename__ = "participation_codes"
    __table_args__ = (sa.UniqueConstraint("consultation_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("code_batches.id", ondelete="CASCADE"), index=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id", ondelete="CASCADE"))
    # Drawn at random from an alphabet without look-alikes (see codes/services.py); unique site-wide.
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    participant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"))
    bound_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    batch: Mapped[CodeBatch] = relationship(back_populates="codes")


def bound_through_revoked_batch(
    participant_id: sa.ColumnElement[int] | InstrumentedAttribute[int],
    consultation_id: sa.ColumnElement[int] | InstrumentedAttribute[int] | int,
) -> sa.Exists:
    """Whether the account's code for this consultation comes from a revoked batch. Aliased tables, so that a
    query that already joins codes and batches does not swallow them by correlation."""
    code, batch = aliased(ParticipationCode), aliased(CodeBatch)
    return (
        sa.select(code.id)
        .join(batch, batch.id == code.batch_id)
        .where(code.participant_id == participant_id, code.consultation_id == consultation_id, batch.revoked_at.is_not(None))
        .exists()
    )


def participant_counts_in(
    consultation_id: sa.ColumnElement[int] | InstrumentedAttribute[int] | int,
) -> sa.ColumnElement[bool]:
    """Whether `Participant`'s votes count in this consultation: `Participant.votes_count` (who they are) and not
    bound through a revoked batch of its codes. Every query that counts people of a consultation asks this."""
    return sa.and_(Participant.votes_count, ~bound_through_revoked_batch(Participant.id, consultation_id))


def vote_counts() -> sa.ColumnElement[bool]:
    """Whether a `Vote` (joined to its `Participant`) counts: the person's votes count in the consultation of the
    vote's action. Every query that counts votes asks this, once."""
    action, orientation = aliased(Action), aliased(Orientation)
    consultation_of_vote = (
        sa.select(orientation.consultation_id)
        .join(action, action.orientation_id == orientation.id)
        .where(action.id == Vote.action_id)
        # Explicit: the vote is two levels out (this sits inside the EXISTS), beyond automatic correlation.
        .correlate(Vote)
        .scalar_subquery()
    )
    return participant_counts_in(consultation_of_vote)
