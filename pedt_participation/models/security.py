"""Sign-ins: the sessions open on each device, and failed sign-ins of an account, so that a password cannot be
guessed by trying many."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model
from .types import UTCDateTime, utcnow


class SignInLockout(Model):
    """One row per account that failed to sign in since its last success: after too many failures in a row the
    account refuses passwords until `locked_until`. Kept in the database, so every web process sees it."""

    __tablename__ = "sign_in_lockouts"

    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True)
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SignInSession(Model):
    """One row per signed-in browser: its cookies (session and "stay signed in") carry the secret key whose hash
    is stored here, so that signing out, or out everywhere, ends the session on the server: a copied cookie is
    worth nothing once its row is gone. `last_seen_at` gives the idle limit, `created_at` the absolute one."""

    __tablename__ = "sign_in_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    # SHA-256 of the key in the cookie: the database alone cannot be used to forge a session.
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # "Stay signed in" was ticked: the session outlives the browser, up to REMEMBER_ME_DAYS.
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
