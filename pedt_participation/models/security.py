"""Failed sign-ins of an account, so that a password cannot be guessed by trying many."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model
from .types import UTCDateTime


class SignInLockout(Model):
    """One row per account that failed to sign in since its last success: after too many failures in a row the
    account refuses passwords until `locked_until`. Kept in the database, so every web process sees it."""

    __tablename__ = "sign_in_lockouts"

    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True)
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
