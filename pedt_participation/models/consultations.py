"""A consultation, its ordered orientations and the actions put to the vote under each."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model
from .participants import Audience, Participant
from .types import UTCDateTime, enum_column, utcnow


class ConsultationStatus(enum.StrEnum):
    """The stored step of a consultation's life. While *published*, what is open (proposals, the vote) follows
    the phase dates; the other steps are reached on a date (beat) or by a manager's button."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    DECISIONS_PUBLISHED = "decisions_published"
    ARCHIVED = "archived"


# The steps after the vote: figures hidden during it are shown from then on.
AFTER_THE_VOTE = frozenset({ConsultationStatus.CLOSED, ConsultationStatus.DECISIONS_PUBLISHED, ConsultationStatus.ARCHIVED})


class Activity(enum.StrEnum):
    """What a participant does on a consultation, each allowed only in its phase."""

    PROPOSE = "propose"
    VOTE = "vote"
    COMMENT = "comment"


class Pictogram(enum.StrEnum):
    """The pictures staff may give an orientation, so that a reader finds it without reading its title. Each is
    drawn in pedt_participation/static/pictograms/<value>.svg."""

    SCHOOL = "school"
    FAMILY = "family"
    SPORT = "sport"
    CULTURE = "culture"
    HEALTH = "health"
    NATURE = "nature"
    DIGITAL = "digital"
    CITIZENSHIP = "citizenship"
    COOPERATION = "cooperation"
    INCLUSION = "inclusion"
    TRAINING = "training"
    IDEAS = "ideas"
    COMMUNICATION = "communication"
    PATH = "path"
    AWARD = "award"


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


class RefusalCategory(enum.StrEnum):
    """Why moderation refused a proposal, in the few kinds a town gives; the moderator's own words go beside it.
    A duplicate is usually merged into the action it repeats; this category is for one that cannot be."""

    OUT_OF_SCOPE = "out_of_scope"
    ALREADY_PLANNED = "already_planned"
    DUPLICATE = "duplicate"
    AGAINST_CHARTER = "against_charter"
    NOT_FEASIBLE = "not_feasible"
    OTHER = "other"


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
    # When the consultation becomes public: a draft given this date is published by beat when it comes; publishing
    # by hand sets it. No phase opens before it.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
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
    # Off: the comments already written stay readable, and nobody may write a new one.
    comments_enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Off: counts of votes stay hidden until the vote closes, so that early figures do not sway later voters.
    figures_during_vote: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Only people who entered a participation code handed out on paper (codes.py) may vote.
    codes_required: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    orientations: Mapped[list[Orientation]] = relationship(
        back_populates="consultation", order_by="Orientation.position", cascade="all, delete-orphan"
    )

    def is_open_for(self, activity: Activity | str, now: datetime) -> bool:
        return is_open_for(self, activity, now)

    def vote_has_ended(self, now: datetime) -> bool:
        """After the vote: closed (by hand or by beat) and every later step, or still published past the vote's
        closing date, in the minute before beat closes it."""
        if self.status in AFTER_THE_VOTE:
            return True
        return self.status == ConsultationStatus.PUBLISHED and self.voting_close_at is not None and now >= self.voting_close_at

    @property
    def is_archived(self) -> bool:
        """Archived: read-only, its moderation too."""
        return self.status == ConsultationStatus.ARCHIVED

    def figures_visible(self) -> bool:
        """Whether counts of votes are shown: always, or only once the vote has closed."""
        return self.figures_during_vote or self.status in AFTER_THE_VOTE


@dataclass(frozen=True)
class ConsultationRules:
    """What a consultation's participation rules read of it, as plain values: a vote, the busiest request, loads
    these columns without building the ORM object (`consultations.services.get_vote_target`)."""

    id: int
    status: ConsultationStatus
    proposals_open_at: datetime | None
    proposals_close_at: datetime | None
    voting_open_at: datetime | None
    voting_close_at: datetime | None
    comments_enabled: bool
    supports_enabled: bool
    opinion_enabled: bool
    majority_judgment_enabled: bool
    vote_limit_per_orientation: int | None
    allowed_audiences: list[str]
    minimum_age: int
    codes_required: bool

    def is_open_for(self, activity: Activity | str, now: datetime) -> bool:
        return is_open_for(self, activity, now)


def is_open_for(consultation: Consultation | ConsultationRules, activity: Activity | str, now: datetime) -> bool:
    """The one answer to "may people propose / vote / comment now?": only while published, within the phase's
    dates; comments while proposals or the vote are open, unless the consultation turned them off."""
    activity = Activity(activity)
    if consultation.status != ConsultationStatus.PUBLISHED:
        return False
    if activity == Activity.COMMENT:
        return consultation.comments_enabled and (
            is_open_for(consultation, Activity.PROPOSE, now) or is_open_for(consultation, Activity.VOTE, now)
        )
    opens, closes = (
        (consultation.voting_open_at, consultation.voting_close_at)
        if activity == Activity.VOTE
        else (consultation.proposals_open_at, consultation.proposals_close_at)
    )
    return opens is not None and opens <= now and (closes is None or now < closes)


class Orientation(Model):
    __tablename__ = "orientations"
    __table_args__ = (sa.UniqueConstraint("consultation_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id", ondelete="CASCADE"))
    position: Mapped[int]
    # A heading grouping several orientations (the PEDT's four themes); None where the document has none.
    theme: Mapped[str | None] = mapped_column(sa.String(300))
    title: Mapped[str] = mapped_column(sa.String(400))
    # Shown beside the title wherever the orientation is named to participants; None: no picture.
    pictogram: Mapped[Pictogram | None] = mapped_column(enum_column(Pictogram, "orientation_pictogram"))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # The same in easy-to-read French (FALC): short sentences, everyday words; empty = none written.
    easy_read: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # Optional translations entered by moderators, {"en": {"title": …, "description": …, "easy_read": …}, "ar": {…}}:
    # the French text stays the original, shown wherever a language has no translation.
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(sa.JSON, default=dict, server_default="{}")

    consultation: Mapped[Consultation] = relationship(back_populates="orientations")
    actions: Mapped[list[Action]] = relationship(
        back_populates="orientation", order_by="Action.position", cascade="all, delete-orphan"
    )


class Action(Model):
    __tablename__ = "actions"
    __table_args__ = (
        sa.Index("ix_actions_orientation_state", "orientation_id", "state"),
        sa.CheckConstraint("state <> 'rejected' OR refusal_category IS NOT NULL", name="refused_with_category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    orientation_id: Mapped[int] = mapped_column(sa.ForeignKey("orientations.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(400))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    # The same in easy-to-read French (FALC): short sentences, everyday words; empty = none written.
    easy_read: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    origin: Mapped[ActionOrigin] = mapped_column(enum_column(ActionOrigin, "action_origin"))
    state: Mapped[ActionState] = mapped_column(enum_column(ActionState, "action_state"), default=ActionState.PENDING)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="SET NULL"), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("actions.id", ondelete="SET NULL"))
    # Shown to the author of a refused proposal: the kind of reason, and the moderator's words.
    refusal_category: Mapped[RefusalCategory | None] = mapped_column(enum_column(RefusalCategory, "refusal_category"))
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
    # Optional translations entered by moderators, {"en": {"title": …, "body": …, "easy_read": …}, "ar": {…}}: an action
    # stays in the language it was written in, shown wherever a language has no translation.
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(sa.JSON, default=dict, server_default="{}")

    orientation: Mapped[Orientation] = relationship(back_populates="actions")

    @property
    def has_unpublished_answer(self) -> bool:
        return self.answer_draft_state is not None and (
            self.answer_draft_state != self.answer_state or self.answer_draft_text != self.answer_text
        )
    author: Mapped[Participant | None] = relationship()
