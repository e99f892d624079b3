"""Helpers every template may use: French labels and dates shown in the town's time zone."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, has_request_context
from flask_babel import format_date, format_datetime, format_percent, get_timezone
from flask_login import current_user

from . import labels
from .auth.platform import platform_sign_in_enabled


def format_long_date(value: datetime | None) -> str:
    return format_date(value, format="long") if value else ""


def format_long_datetime(value: datetime | None) -> str:
    return format_datetime(value, format="d MMMM y 'à' HH'h'mm") if value else ""


def format_share(value: float | None) -> str:
    return format_percent(value, format="#,##0.# %") if value is not None else ""


def format_iso_date(value: str) -> str:
    """Dates kept as text in stored summaries (JSON)."""
    return format_date(date.fromisoformat(value), format="d MMMM y")


def format_iso_datetime(value: str) -> str:
    return format_long_datetime(datetime.fromisoformat(value))


def local_today() -> date:
    """Today in the town's time zone (a workshop held this evening in Paris is not tomorrow's)."""
    return datetime.now(get_timezone()).date()


def _unread_notifications() -> dict:
    """The header shows how many notifications wait for the signed-in person."""
    from .notifications.services import unread_count

    if has_request_context() and current_user.is_authenticated:
        return {"unread_notifications": unread_count(current_user)}
    return {}


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(labels=labels, platform_sign_in_enabled=platform_sign_in_enabled)
    app.context_processor(_unread_notifications)
    app.jinja_env.filters["date_fr"] = format_long_date
    app.jinja_env.filters["datetime_fr"] = format_long_datetime
    app.jinja_env.filters["percent_fr"] = format_share
    app.jinja_env.filters["iso_date_fr"] = format_iso_date
    app.jinja_env.filters["iso_datetime_fr"] = format_iso_datetime
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
