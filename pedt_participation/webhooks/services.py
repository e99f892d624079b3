"""Webhooks: the host platform registers addresses; events are written to an outbox (one delivery row
per endpoint, in the transaction that made the event) and a Celery task POSTs each one, signed, trying
again later and later until the endpoint answers 2xx or the tries run out."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from flask import current_app
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from requests_hardened.ip_filter import InvalidIPAddress
from sqlalchemy import select, update

from ..decisions.resources import decision_resource, published_decisions
from ..deferred_tasks import send_after_commit
from ..errors import ParticipationRefused
from ..extensions import db, execute_counting_rows
from ..models import (
    Action,
    CommitteeSummary,
    DeliveryStatus,
    Participant,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    utcnow,
)
from ..navigation import public_url
from . import destinations

log = logging.getLogger(__name__)

DELIVER_TASK = "pedt.webhooks.deliver"
LOG_PAGE_SIZE = 50
# Deliveries the beat job hands back to the worker per run; the next run takes the rest.
RESEND_BATCH = 500


# --- endpoints (admin page) -----------------------------------------------------------------------


def _new_secret() -> str:
    return secrets.token_hex(32)


def endpoints() -> list[WebhookEndpoint]:
    return list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)))


def create_endpoint(
    admin: Participant, *, url: str, description: str, events: list[str], active: bool
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(created_by_id=admin.id, secret=_new_secret())
    update_endpoint(endpoint, url=url, description=description, events=events, active=active)
    db.session.add(endpoint)
    db.session.flush()
    return endpoint


def update_endpoint(endpoint: WebhookEndpoint, *, url: str, description: str, events: list[str], active: bool) -> None:
    """Refuses an address that leads to the inside (see destinations.py); each delivery checks it again."""
    if destinations.leads_inside(url.strip()):
        raise ParticipationRefused(
            _(
                "Cette adresse mène au réseau interne (adresse privée, locale ou réservée) : les événements ne "
                "partent que vers des adresses publiques. Indiquez l’adresse publique de la plateforme ; si elle "
                "n’est joignable que sur le réseau de la ville, l’hébergeur du site peut l’autoriser."
            ),
            field="url",
        )
    endpoint.url = url.strip()
    endpoint.description = description.strip()
    endpoint.events = sorted(WebhookEvent(name).value for name in set(events))
    endpoint.active = active
    db.session.flush()


def regenerate_secret(endpoint: WebhookEndpoint) -> str:
    """The old secret stops working at once: the platform must be given the new one."""
    endpoint.secret = _new_secret()
    db.session.flush()
    return endpoint.secret


def delete_endpoint(endpoint: WebhookEndpoint) -> None:
    """Its deliveries go with it (the log is about endpoints that exist)."""
    db.session.delete(endpoint)
    db.session.flush()


def send_ping(endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A test event for one endpoint, whatever it subscribed to, to check the address and the secret."""
    if not endpoint.active:
        raise ParticipationRefused(_("Cette adresse est désactivée : réactivez-la avant de l’essayer."))
    [delivery] = _queue(WebhookEvent.PING, {"webhook": {"id": endpoint.id, "events": endpoint.events}}, [endpoint])
    return delivery


# --- producing events (the outbox) ----------------------------------------------------------------


def publish_event(event: WebhookEvent, data: dict[str, Any]) -> list[WebhookDelivery]:
    """One delivery per active endpoint subscribed to `event`, in the caller's transaction: the event
    exists exactly when what it announces was committed. The sending tasks leave after the commit."""
    active = db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active).order_by(WebhookEndpoint.id))
    return _queue(event, data, [endpoint for endpoint in active if event.value in endpoint.events])


def _queue(event: WebhookEvent, data: dict[str, Any], recipients: list[WebhookEndpoint]) -> list[WebhookDelivery]:
    if not recipients:
        return []
    envelope = {"id": str(uuid.uuid4()), "event": event.value, "occurred_at": utcnow().isoformat(), "data": data}
    deliveries = [
        WebhookDelivery(endpoint=endpoint, event=event, event_id=envelope["id"], payload=envelope)
        for endpoint in recipients
    ]
    db.session.add_all(deliveries)
    db.session.flush()
    for delivery in deliveries:
        send_after_commit(DELIVER_TASK, delivery.id)
    return deliveries


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def action_resource(action: Action) -> dict[str, Any]:
    """An action as the public pages show it: no author, no individual vote."""
    orientation = action.orientation
    consultation = orientation.consultation
    return {
        "id": action.id,
        "title": action.title,
        "body": action.body,
        "origin": action.origin.value,
        "state": action.state.value,
        "published_at": _iso(action.published_at),
        "orientation": {"id": orientation.id, "position": orientation.position, "title": orientation.title},
        "consultation": {
            "slug": consultation.slug,
            "title": consultation.title,
            "url": public_url("consultations.consultation", slug=consultation.slug),
        },
        "answer": {
            "state": action.answer_state.value,
            "text": action.answer_text,
            "published_at": _iso(action.answer_published_at),
        }
        if action.answer_state
        else None,
        "decision": _decision(action),
        "url": public_url("consultations.action", action_id=action.id),
    }


def _decision(action: Action) -> dict[str, Any] | None:
    """The action's published decision, dates in ISO 8601; None until one is published."""
    decision = decision_resource(published_decisions([action.id]).get(action.id))
    if decision is None:
        return None
    return {**decision, "published_at": _iso(decision["published_at"]), "updated_at": _iso(decision["updated_at"])}


def summary_resource(summary: CommitteeSummary) -> dict[str, Any]:
    """A finished snapshot: where the committee reads and downloads it (those pages ask for a
    committee sign-in); never its figures."""
    consultation = summary.consultation
    return {
        "id": summary.id,
        "status": summary.status.value,
        "trigger": summary.trigger.value,
        "finished_at": _iso(summary.finished_at),
        "consultation": {"slug": consultation.slug, "title": consultation.title} if consultation else None,
        "url": public_url("committee.summary", summary_id=summary.id),
        "downloads": {
            extension: public_url("committee.download", summary_id=summary.id, extension=extension)
            for extension in ("pdf", "csv", "xlsx", "json")
        },
    }


# --- delivering (the task's work) -----------------------------------------------------------------


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 of "<timestamp>.<body>": the timestamp is signed too, so an old request cannot be
    replayed with a fresh one."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def claim_delivery(delivery_id: int) -> WebhookDelivery | None:
    """Takes a due delivery for one attempt, moving its next attempt past the request's timeout so
    that a second task (a re-delivered message, the beat job) finds nothing to do meanwhile. None
    when it is not due, already delivered or failed, or gone."""
    now = utcnow()
    lease = timedelta(seconds=current_app.config["WEBHOOK_TIMEOUT_SECONDS"] + 60)
    claimed = execute_counting_rows(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + lease, attempts=WebhookDelivery.attempts + 1)
    )
    return db.session.get(WebhookDelivery, delivery_id, populate_existing=True) if claimed else None


def attempt_delivery(delivery: WebhookDelivery) -> float | None:
    """POSTs a claimed delivery once. Returns in how many seconds to try again, or None when it is
    settled (delivered, or failed for good with the last error kept)."""
    endpoint = delivery.endpoint
    if not endpoint.active:
        _settle(delivery, DeliveryStatus.FAILED, _("Adresse désactivée : rien n’a été envoyé."))
        return None
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(utcnow().timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "pedt-participation-webhooks",
        "X-PEDT-Event": delivery.event.value,
        "X-PEDT-Delivery": delivery.uuid,
        "X-PEDT-Timestamp": timestamp,
        "X-PEDT-Signature": signature(endpoint.secret, timestamp, body),
    }
    try:
        with destinations.session_for(endpoint.url) as session, session.post(
            endpoint.url,
            data=body,
            headers=headers,
            timeout=current_app.config["WEBHOOK_TIMEOUT_SECONDS"],
            allow_redirects=False,
            stream=True,  # the reply's body is never read: only its status is kept
        ) as response:
            delivery.last_http_status = response.status_code
            if 200 <= response.status_code < 300:
                _settle(delivery, DeliveryStatus.DELIVERED, "")
                return None
            error = _("Réponse HTTP %(status)s", status=response.status_code)
    except InvalidIPAddress:
        delivery.last_http_status = None
        _settle(delivery, DeliveryStatus.FAILED, _("Refusé : cette adresse mène au réseau interne."))
        return None
    except requests.RequestException as failure:
        # The precise error stays in the worker's log, for the host: the admin page says only that it failed.
        log.warning("webhook delivery %s: no answer (%s: %s)", delivery.id, type(failure).__name__, failure)
        delivery.last_http_status = None
        error = _("Pas de réponse : l’adresse n’a pas pu être jointe.")
    if delivery.attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]:
        _settle(delivery, DeliveryStatus.FAILED, error)
        return None
    delay = current_app.config["WEBHOOK_RETRY_BASE_SECONDS"] * 2 ** (delivery.attempts - 1)
    delivery.last_error = error[:500]
    delivery.next_attempt_at = utcnow() + timedelta(seconds=delay)
    db.session.flush()
    return delay


def _settle(delivery: WebhookDelivery, status: DeliveryStatus, error: str) -> None:
    delivery.status = status
    delivery.last_error = error[:500]
    if status == DeliveryStatus.DELIVERED:
        delivery.delivered_at = utcnow()
    db.session.flush()


def resend_due() -> list[int]:
    """Run by beat: deliveries still pending past their time go back to the worker (the broker was
    down when their event committed, or a worker died mid-attempt). Claiming makes a duplicate harmless."""
    due = list(
        db.session.scalars(
            select(WebhookDelivery.id)
            .where(WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.next_attempt_at <= utcnow())
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(RESEND_BATCH)
        )
    )
    for delivery_id in due:
        send_after_commit(DELIVER_TASK, delivery_id)
    return due


def resend_delivery(delivery: WebhookDelivery) -> None:
    """A failed delivery gets a new series of tries (the receiver was fixed); its last error stays
    shown until the next attempt."""
    if delivery.status != DeliveryStatus.FAILED:
        raise ParticipationRefused(_("Seul un envoi en échec peut être envoyé à nouveau."))
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    db.session.flush()
    send_after_commit(DELIVER_TASK, delivery.id)


# --- the delivery log -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryFilters:
    endpoint_id: int | None = None
    status: DeliveryStatus | None = None


def deliveries(filters: DeliveryFilters, page: int) -> Pagination:
    """Latest first."""
    query = select(WebhookDelivery).order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
    if filters.endpoint_id:
        query = query.where(WebhookDelivery.endpoint_id == filters.endpoint_id)
    if filters.status:
        query = query.where(WebhookDelivery.status == filters.status)
    return db.paginate(query, page=page, per_page=LOG_PAGE_SIZE, error_out=False)
