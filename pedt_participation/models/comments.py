"""Threaded comments on actions, with up/down ratings; deletion is soft so replies keep their place."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model
from .participants import Participant
from .types import UTCDateTime, utcnow

# Decidim's rule: root comments have depth 0 and a comment of depth 3 takes no reply.
MAX_COMMENT_DEPTH = 3


class Alignment(enum.IntEnum):
    CONTRE = -1
    NEUTRE = 0
    POUR = 1


class Comment(Model):
    __tablename__ = "comments"
    __table_args__ = (
        sa.CheckConstraint(f"depth BETWEEN 0 AND {MAX_COMMENT_DEPTH}", name="depth_in_range"),
        sa.CheckConstraint("alignment BETWEEN -1 AND 1", name="alignment_in_range"),
        sa.CheckConstraint("(parent_id IS NULL) = (depth = 0)", name="root_has_depth_0"),
        # A form sent twice (double click, retried request) stores one comment: the database decides.
        sa.UniqueConstraint("author_id", "idempotency_key"),
        # An action's page of threads: its first root comments in order, read from the index rather than sorted
        # from all of them (18,000 roots took 14 ms to sort).
        sa.Index(
            "ix_comments_action_roots", "action_id", "created_at", "id",
            postgresql_where=sa.text("parent_id IS NULL"), sqlite_where=sa.text("parent_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="SET NULL"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    depth: Mapped[int] = mapped_column(default=0)
    body: Mapped[str] = mapped_column(sa.Text)
    alignment: Mapped[int] = mapped_column(default=Alignment.NEUTRE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Hidden by moderation (or by reaching the report threshold); never deleted, and reversible.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Chosen by the sender (one per form shown, or the API's Idempotency-Key header); NULL for none.
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(64))

    author: Mapped[Participant | None] = relationship()

    @property
    def is_visible(self) -> bool:
        """Shown with its text: not deleted by its author, not hidden, and its author's writings are shown."""
        author_hidden = self.author is not None and not self.author.writings_shown
        return self.deleted_at is None and self.hidden_at is None and not author_hidden

    @property
    def accepts_replies(self) -> bool:
        return self.depth < MAX_COMMENT_DEPTH and self.is_visible


class CommentRating(Model):
    """A participant's thumbs up (+1) or down (-1) on a comment; "best rated" sorts by their sum."""

    __tablename__ = "comment_ratings"
    __table_args__ = (
        sa.UniqueConstraint("comment_id", "participant_id"),
        sa.CheckConstraint("value IN (-1, 1)", name="value_is_up_or_down"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"))
    value: Mapped[int]
