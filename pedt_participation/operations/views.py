"""/healthz and /readyz: JSON, no sign-in, not rate-limited (probes call them often)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from . import services

bp = Blueprint("operations", __name__)


@bp.get("/healthz")
def healthz():
    """The process answers; nothing else is checked, so a database outage does not get it restarted."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    checks = services.readiness()
    ready = all(checks.values())
    failed = [name for name, ok in checks.items() if not ok]
    return jsonify(status="ok" if ready else "unavailable", checks=checks, failed=failed), 200 if ready else 503
