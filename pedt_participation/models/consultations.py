"""A consultation, its ordered orientations and the actions put to the vote under each."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model
from .participants import Audience, Participant
from .types import UTCDateTime, enum_column, utcnow


class ConsultationStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class ActionOrigin(enum.StrEnum):
    OFFICIAL = "official"
    PARTICIPANT = "participant"


class ActionState(enum.StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"
    MERGED = "merged"
    WITHDRAWN = "withdrawn"
    HIDDEN = "hidden"


class AnswerState(enum.StrEnum):
    """The town's official answer to an action."""

    EVALUATING = "evaluating"
    ACCEPTED = "accepted"
    NOT_RETAINED = "not_retained"


class Consultation(Model):
    __tablename__ = "consultations"
    __table_args__ = (
        sa.CheckConstraint("vote_limit_per_orientation IS NULL OR vote_limit_per_orientation > 0", name="vote_limit_positive"),
        sa.CheckConstraint("k_anonymity >= 1", name="k_anonymity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    context: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[ConsultationStatus] = mapped_column(
        enum_column(ConsultationStatus, "consultation_status"), default=ConsultationStatus.DRAFT
    )
    # A phase is open from its opening (included) to its closing (excluded); no opening date = not scheduled.
    proposals_open_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    proposals_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voting_open_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voting_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when a manager moves the vote's dates while it is open, so that the page announces it until it closes.
    voting_dates_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    previous_voting_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    supports_enabled: Mapped[bool] = mapped_column(default=True)
    # Supports a participant may give per orientation; None = no limit.
    vote_limit_per_orientation: Mapped[int | None] = mapped_column(default=3)
    opinion_enabled: Mapped[bool] = mapped_column(default=True)
    majority_judgment_enabled: Mapped[bool] = mapped_column(default=False)
    allowed_audiences: Mapped[list[str]] = mapped_column(
        sa.JSON, default=lambda: [audience.value for audience in Audience]
    )
    minimum_age: Mapped[int] = mapped_column(default=11)
    k_anonymity: Mapped[int] = mapped_column(default=5)
    # A comment or action reported by this many people is hidden until a moderator looks at it.
    hide_after_reports: Mapped[int] = mapped_column(default=3, server_default="3")
    # Majority judgment: a judge of an orientation who left an action ungraded gives it "À rejeter"
    # (Balinski–Laraki); False counts only the grades given. Stated in every summary.
    missing_grades_as_reject: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Summaries for the committee, built and e-mailed on a schedule: weekly while voting is open,
    # and once when voting closes.
    weekly_summaries: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    summary_at_closing: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    orientations: Mapped[list[Orientation]] = relationship(
        back_populates="consultation", order_by="Orientation.position", cascade="all, delete-orphan"
    )

    def proposals_are_open(self, now: datetime) -> bool:
        return self._phase_is_open(self.proposals_open_at, self.proposals_close_at, now)

    def voting_is_open(self, now: datetime) -> bool:
        return self._phase_is_open(self.voting_open_at, self.voting_close_at, now)

    def comments_are_open(self, now: datetime) -> bool:
        """People discuss an action while proposals or votes are being collected, not after."""
        return self.proposals_are_open(now) or self.voting_is_open(now)

    def _phase_is_open(self, opens: datetime | None, closes: datetime | None, now: datetime) -> bool:
        if self.status != ConsultationStatus.PUBLISHED or opens is None or now < opens:
            return False
        return closes is None or now < closes


class Orientation(Model):
    __tablename__ = "orientations"
    __table_args__ = (sa.UniqueConstraint("consultation_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id", ondelete="CASCADE"))
    position: Mapped[int]
    # A heading grouping several orientations (the PEDT's four themes); None where the document has none.
    theme: Mapped[str | None] = mapped_column(sa.String(300))
    title: Mapped[str] = mapped_column(sa.String(400))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # Optional translations entered by moderators, {"en": {"title": …, "description": …}, "ar": {…}}:
    # the French text stays the original, shown wherever a language has no translation.
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(sa.JSON, default=dict, server_default="{}")

    consultation: Mapped[Consultation] = relationship(back_populates="orientations")
    actions: Mapped[list[Action]] = relationship(
        back_populates="orientation", order_by="Action.position", cascade="all, delete-orphan"
    )


class Action(Model):
    __tablename__ = "actions"
    __table_args__ = (sa.Index("ix_actions_orientation_state", "orientation_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    orientation_id: Mapped[int] = mapped_column(sa.ForeignKey("orientations.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(400))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    origin: Mapped[ActionOrigin] = mapped_column(enum_column(ActionOrigin, "action_origin"))
    state: Mapped[ActionState] = mapped_column(enum_column(ActionState, "action_state"), default=ActionState.PENDING)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="SET NULL"), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("actions.id", ondelete="SET NULL"))
    # Shown to the author of a refused proposal.
    rejection_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The official answer: moderators edit a draft; publishing copies it to what participants see,
    # so a draft never shows and a published answer stays up while its next version is written.
    answer_draft_state: Mapped[AnswerState | None] = mapped_column(enum_column(AnswerState, "answer_draft_state"))
    answer_draft_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    answer_state: Mapped[AnswerState | None] = mapped_column(enum_column(AnswerState, "answer_state"))
    answer_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    answer_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Where an action imported from the host platform's open data came from (the proposal's address
    # there, or its id when the file gave none): importing the same file again creates nothing twice.
    platform_reference: Mapped[str | None] = mapped_column(sa.String(500))
    # Optional translations entered by moderators, {"en": {"title": …, "body": …}, "ar": {…}}: an action
    # stays in the language it was written in, shown wherever a language has no translation.
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(sa.JSON, default=dict, server_default="{}")

    orientation: Mapped[Orientation] = relationship(back_populates="actions")

    @property
    def has_unpublished_answer(self) -> bool:
        return self.answer_draft_state is not None and (
            self.answer_draft_state != self.answer_state or self.answer_draft_text != self.answer_text
        )
    author: Mapped[Participant | None] = relationship()
