"""Who moderates which consultation, what moderators did (append-only), and what people are told."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, event
from sqlalchemy.orm import Mapped, Mapper, declared_attr, mapped_column, relationship

from .base import Model
from .participants import Participant
from .types import UTCDateTime, enum_column, utcnow


class _ConsultationAssignment:
    """One person given one consultation, once."""

    @declared_attr.directive
    def __table_args__(cls) -> tuple[sa.UniqueConstraint]:
        return (sa.UniqueConstraint("participant_id", "consultation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"))
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id", ondelete="CASCADE"), index=True)


class ModeratorAssignment(_ConsultationAssignment, Model):
    """A moderator acts only on the consultations they are assigned to (admins act on all)."""

    __tablename__ = "moderator_assignments"


class ManagerAssignment(_ConsultationAssignment, Model):
    """A consultation's manager edits its words and dates; any staff account may be one (admins manage all)."""

    __tablename__ = "manager_assignments"


class ModerationAction(enum.StrEnum):
    """Every kind of moderator action the log records."""

    APPROVE = "approve"
    REJECT = "reject"
    MERGE = "merge"
    HIDE = "hide"
    UNHIDE = "unhide"
    DISMISS_REPORTS = "dismiss_reports"
    BLOCK = "block"
    UNBLOCK = "unblock"
    ANSWER = "answer"
    PUBLISH_ANSWERS = "publish_answers"
    PAPER_VOTES = "paper_votes"
    ROLE_CHANGE = "role_change"
    EDIT_CONSULTATION = "edit_consultation"
    # A step of the consultation's life taken by hand: published, vote opened or closed, decisions, archived.
    CHANGE_PHASE = "change_phase"
    # The consultation's orientations and official actions: added, edited, removed, moved.
    ADD_ITEM = "add_item"
    EDIT_ITEM = "edit_item"
    REMOVE_ITEM = "remove_item"
    MOVE_ITEM = "move_item"
    DECIDE = "decide"
    PUBLISH_DECISIONS = "publish_decisions"
    CREATE_CONSULTATION = "create_consultation"
    # Participation codes: a batch printed for a place, or revoked with the votes bound through it.
    GENERATE_CODES = "generate_codes"
    REVOKE_CODES = "revoke_codes"
    # An account's votes held pending review (not counted), or released.
    HOLD_VOTES = "hold_votes"
    RELEASE_VOTES = "release_votes"


class ModerationLogEntry(Model):
    """One moderator action. Rows are only ever inserted: the app refuses to update or delete them
    (see `_refuse_changes`) and the database does too (triggers in the migration)."""

    __tablename__ = "moderation_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    moderator_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id"), index=True)
    consultation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("consultations.id"), index=True)
    action: Mapped[ModerationAction] = mapped_column(enum_column(ModerationAction, "moderation_action"))
    target_type: Mapped[str] = mapped_column(sa.String(20))
    target_id: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    moderator: Mapped[Participant] = relationship()


@event.listens_for(ModerationLogEntry, "before_update")
@event.listens_for(ModerationLogEntry, "before_delete")
def _refuse_changes(_mapper: Mapper[ModerationLogEntry], _connection: Connection, entry: ModerationLogEntry) -> None:
    raise PermissionError(f"The moderation log is append-only (entry {entry.id}).")


class Notification(Model):
    """A message for one person, shown in the app (and sent by e-mail when the server is configured)."""

    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_recipient_unread", "recipient_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(sa.Text)
    link: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set once the e-mail copy is handed to the SMTP server, so a retried task never sends it twice.
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    recipient: Mapped[Participant] = relationship()


class ReportReason(enum.StrEnum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"
    OTHER = "other"


class Report(Model):
    """A participant flags a comment, an action or another participant, once each. The consultation is
    where it was reported, so that its moderators see it."""

    __tablename__ = "reports"
    __table_args__ = (
        sa.CheckConstraint(
            "(CASE WHEN comment_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN action_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN reported_participant_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="exactly_one_target",
        ),
        sa.UniqueConstraint("reporter_id", "comment_id"),
        sa.UniqueConstraint("reporter_id", "action_id"),
        sa.UniqueConstraint("reporter_id", "reported_participant_id"),
        sa.Index("ix_reports_consultation_open", "consultation_id", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"))
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    action_id: Mapped[int | None] = mapped_column(sa.ForeignKey("actions.id", ondelete="CASCADE"))
    reported_participant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"))
    reason: Mapped[ReportReason] = mapped_column(enum_column(ReportReason, "report_reason"))
    details: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when a moderator hides the content, blocks the person or dismisses the reports.
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
