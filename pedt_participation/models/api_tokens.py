"""Tokens for the REST API, issued by an admin to the host platform or to a staff member's scripts."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model
from .participants import Participant
from .types import UTCDateTime, utcnow


class ApiToken(Model):
    """Only a hash of the secret is stored: the secret is shown once, when the token is issued.

    A token with an owner acts as that account (its role decides what it may do). A token without an
    owner is the platform's: it acts for the platform user named in each request's `X-Platform-User`
    header (a participant linked to the platform), and for nobody when the header is absent."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The first characters of the secret, so that an admin can tell tokens apart without seeing them.
    prefix: Mapped[str] = mapped_column(sa.String(12))
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    owner: Mapped[Participant | None] = relationship(foreign_keys=[owner_id])

    @property
    def acts_for_platform_users(self) -> bool:
        return self.owner_id is None
