"""The record of account erasures: who (the anonymous tombstone's id), when and why, never what was erased."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Connection, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from .base import Model
from .types import UTCDateTime, enum_column, utcnow


class ErasureReason(enum.StrEnum):
    SELF_SERVICE = "self_service"  # the person, on the "Mes données" page
    WRITTEN_REQUEST = "written_request"  # a request received by post, run with `flask privacy erase`
    RETENTION = "retention"  # the retention period after the consultations closed
    PARENT_REFUSED = "parent_refused"  # an under-15's parent refused, through the link e-mailed to them
    NO_PARENTAL_CONSENT = "no_parental_consent"  # no parent consented within PARENTAL_CONSENT_DAYS


class AccountErasure(Model):
    """One erased account. Append-only, like the moderation log."""

    __tablename__ = "account_erasures"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id"), unique=True)
    reason: Mapped[ErasureReason] = mapped_column(enum_column(ErasureReason, "erasure_reason"))
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


@event.listens_for(AccountErasure, "before_update")
@event.listens_for(AccountErasure, "before_delete")
def _refuse_changes(_mapper: Mapper[AccountErasure], _connection: Connection, erasure: AccountErasure) -> None:
    raise PermissionError(f"The erasure log is append-only (entry {erasure.id}).")
