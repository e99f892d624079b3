"""Webhooks: the addresses the host platform registered, and every event sent to them (the outbox)."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model
from .participants import Participant
from .types import UTCDateTime, enum_column, utcnow


class WebhookEvent(enum.StrEnum):
    PROPOSAL_PUBLISHED = "proposal.published"
    ACTION_ANSWERED = "action.answered"
    SUMMARY_READY = "summary.ready"
    DECISION_PUBLISHED = "decision.published"
    # Sent on demand from the admin page, to check an address; nobody subscribes to it.
    PING = "ping"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookEndpoint(Model):
    """An address of the host platform and the events it wants. The secret signs every request; we
    keep it readable because signing needs it, and show it to the admin only when it is made."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    # Event names (WebhookEvent values): a handful of endpoints, read whole when an event happens.
    events: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    secret: Mapped[str] = mapped_column(sa.String(100))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="SET NULL"))

    created_by: Mapped[Participant | None] = relationship()


class WebhookDelivery(Model):
    """One event for one endpoint. Inserted in the transaction that made the event, so an event is
    never lost; `next_attempt_at` is when it may be sent (again), and is moved forward while a worker
    holds it, so that two workers never send it at once."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Sent as X-PEDT-Delivery; the same for every attempt, so a receiver can ignore a repeat.
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True, default=lambda: str(uuid.uuid4()))
    endpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True)
    event: Mapped[WebhookEvent] = mapped_column(enum_column(WebhookEvent, "webhook_event"))
    # The event's id, in the payload too: the same for every endpoint that receives this event.
    event_id: Mapped[str] = mapped_column(sa.String(36))
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus, "webhook_delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_http_status: Mapped[int | None]
    # What went wrong the last time, in a line, for the delivery log.
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    endpoint: Mapped[WebhookEndpoint] = relationship()
