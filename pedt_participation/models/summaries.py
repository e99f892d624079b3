"""Committee summaries: snapshots of the results, built by a Celery task and kept as a history."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model
from .consultations import Consultation
from .participants import Participant
from .types import UTCDateTime, enum_column, utcnow

# A snapshot takes seconds to build; one still queued after this is worth sending again.
STUCK_AFTER = timedelta(minutes=2)


class SummaryStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class SummaryTrigger(enum.StrEnum):
    ON_DEMAND = "on_demand"
    WEEKLY = "weekly"
    CLOSING = "closing"


class SummaryFileKind(enum.StrEnum):
    PDF = "pdf"
    CSV = "csv"
    XLSX = "xlsx"


class CommitteeSummary(Model):
    """One snapshot. The row is committed *before* the task is sent, so the worker always finds it;
    a scheduled snapshot has a `period` (ISO week, or "closing") unique per consultation, so two
    scheduler runs can never queue the same one twice."""

    __tablename__ = "committee_summaries"
    __table_args__ = (
        sa.UniqueConstraint("consultation_id", "trigger", "period"),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="progress_is_a_percentage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # SET NULL: the history outlives a deleted consultation (and a queued snapshot of it fails clearly).
    consultation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("consultations.id", ondelete="SET NULL"), index=True
    )
    trigger: Mapped[SummaryTrigger] = mapped_column(enum_column(SummaryTrigger, "summary_trigger"))
    period: Mapped[str | None] = mapped_column(sa.String(20))
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="SET NULL"))
    status: Mapped[SummaryStatus] = mapped_column(
        enum_column(SummaryStatus, "summary_status"), default=SummaryStatus.QUEUED
    )
    progress: Mapped[int] = mapped_column(default=0)
    # Why it failed, in French, for the committee page.
    error: Mapped[str] = mapped_column(sa.Text, default="")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The aggregated results, already through the privacy threshold: what every output is made from.
    data: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)

    consultation: Mapped[Consultation | None] = relationship()
    requested_by: Mapped[Participant | None] = relationship()

    @property
    def figures(self) -> dict[str, Any]:
        """The data of a finished snapshot, for the code that is only given finished ones."""
        if self.data is None:
            raise ValueError(f"Summary {self.id} has no figures: it is {self.status.value}.")
        return self.data

    def can_be_sent_again(self, now: datetime) -> bool:
        """Failed, or still waiting long after it was asked for (the worker or the broker was down)."""
        waiting_too_long = self.status == SummaryStatus.QUEUED and now - self.created_at > STUCK_AFTER
        return self.status == SummaryStatus.FAILED or waiting_too_long


class CommitteeSummaryFile(Model):
    """A built document, kept in the database so that web and worker need no shared disk."""

    __tablename__ = "committee_summary_files"
    __table_args__ = (sa.UniqueConstraint("summary_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(sa.ForeignKey("committee_summaries.id", ondelete="CASCADE"))
    kind: Mapped[SummaryFileKind] = mapped_column(enum_column(SummaryFileKind, "summary_file_kind"))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
