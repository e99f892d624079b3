"""Helpers every template may use: French labels and dates shown in the town's time zone."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_babel import format_date, format_datetime, get_timezone
from flask_login import current_user

from . import labels


def format_long_date(value: datetime | None) -> str:
    return format_date(value, format="long") if value else ""


def format_long_datetime(value: datetime | None) -> str:
    return format_datetime(value, format="d MMMM y 'à' HH'h'mm") if value else ""


def local_today() -> date:
    """Today in the town's time zone (a workshop held this evening in Paris is not tomorrow's)."""
    return datetime.now(get_timezone()).date()


def _unread_notifications() -> dict:
    """The header shows how many notifications wait for the signed-in person."""
    from .notifications.services import unread_count

    if current_user.is_authenticated:
        return {"unread_notifications": unread_count(current_user)}
    return {}


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(labels=labels)
    app.context_processor(_unread_notifications)
    app.jinja_env.filters["date_fr"] = format_long_date
    app.jinja_env.filters["datetime_fr"] = format_long_datetime
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
