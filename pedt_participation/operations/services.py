"""What a load balancer or an orchestrator asks: is the process alive, and can it do its work now?"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import text

from ..extensions import db

BROKER_TIMEOUT_SECONDS = 2.0


def database_reachable() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 — any failure means "not ready", said in the answer
        db.session.rollback()
        return False
    return True


def broker_reachable() -> bool:
    """One connection attempt, no retries, so that a broker that is down answers within the timeout."""
    try:
        with current_app.extensions["celery"].connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception:  # noqa: BLE001
        return False
    return True


def readiness() -> dict[str, bool]:
    return {"database": database_reachable(), "broker": broker_reachable()}
