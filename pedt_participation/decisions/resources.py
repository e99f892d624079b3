"""Published decisions as the pages, the API, the webhooks and the committee's summary read them. Kept apart from
`services.py`, which sends webhooks, so that the webhooks' own resources can include a decision."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import Decision


def published_decisions(action_ids: list[int]) -> dict[int, Decision]:
    """The decisions people may read, by action id, in one query."""
    if not action_ids:
        return {}
    statement = select(Decision).where(Decision.action_id.in_(action_ids), Decision.published_at.is_not(None))
    return {decision.action_id: decision for decision in db.session.scalars(statement)}


def decision_resource(decision: Decision | None) -> dict[str, Any] | None:
    """A published decision as plain values (dates as datetimes); None for a draft or no decision."""
    if decision is None or decision.published_at is None:
        return None
    return {
        "verdict": decision.verdict.value,
        "explanation": decision.explanation,
        "progress": decision.progress.value if decision.progress else None,
        "progress_note": decision.progress_note,
        "published_at": decision.published_at,
        "updated_at": decision.updated_at,
    }
