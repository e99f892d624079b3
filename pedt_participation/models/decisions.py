"""What the committee decided about each action once the vote closed, and what became of it since."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model
from .consultations import Action
from .participants import Participant
from .types import UTCDateTime, enum_column, utcnow


class DecisionVerdict(enum.StrEnum):
    RETAINED = "retained"
    RETAINED_AMENDED = "retained_amended"
    NOT_RETAINED = "not_retained"
    UNDER_WAY = "under_way"


class DecisionProgress(enum.StrEnum):
    """Where a retained action stands, told after the decision."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    ABANDONED = "abandoned"


class Decision(Model):
    """One action's decision. A draft until its consultation's decisions are published (`published_at`); once
    published, a change (the progress, mostly) shows at once, and every change is in the moderation log."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("actions.id", ondelete="CASCADE"), unique=True)
    verdict: Mapped[DecisionVerdict] = mapped_column(enum_column(DecisionVerdict, "decision_verdict"))
    explanation: Mapped[str] = mapped_column(sa.Text, default="")
    progress: Mapped[DecisionProgress | None] = mapped_column(enum_column(DecisionProgress, "decision_progress"))
    progress_note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    action: Mapped[Action] = relationship()
    updated_by: Mapped[Participant | None] = relationship()
