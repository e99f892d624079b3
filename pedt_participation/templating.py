"""Helpers every template may use: labels, and dates and numbers written the reader's way (the current
locale: French, English or Arabic), dates in the town's time zone."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import get_datetime_format
from babel.numbers import format_percent
from flask import Flask, has_request_context
from flask_babel import format_date, format_time, get_locale, get_timezone
from flask_login import current_user
from markupsafe import Markup

from . import labels
from .auth.platform import platform_sign_in_enabled
from .authorization import Permission, can
from .committee.aggregation import figure_text
from .languages.services import (
    LANGUAGE_NAMES,
    content_for_reader,
    current_language,
    format_count,
    install_template_translations,
    language_attributes,
    text_direction,
)
from .messages import messages_beside, messages_on_top
from .public_names import public_name
from .voting.card_figures import CardFigures


def format_long_date(value: datetime | None) -> str:
    return format_date(value, format="long") if value else ""


def format_long_datetime(value: datetime | None, *, seconds: bool = False) -> str:
    """The long date and the hour, joined as the language joins them (CLDR); with `seconds` where two moments of
    the same minute must be told apart (two summaries asked for one after the other)."""
    if not value:
        return ""
    joined = get_datetime_format("long", locale=get_locale()).replace("'", "")
    hour = format_time(value, format="medium" if seconds else "short")
    return joined.replace("{0}", hour).replace("{1}", format_long_date(value))


def format_share(value: float | None) -> str:
    """A share with at most one decimal: 12,3 % in French, 12.3% in English."""
    if value is None:
        return ""
    return format_percent(round(value, 3), locale=get_locale(), decimal_quantization=False)


def format_iso_date(value: str) -> str:
    """Dates kept as text in stored summaries (JSON)."""
    return format_long_date(date.fromisoformat(value))


def format_iso_datetime(value: str, *, seconds: bool = False) -> str:
    return format_long_datetime(datetime.fromisoformat(value), seconds=seconds)


def local_today() -> date:
    """Today in the town's time zone (a workshop held this evening in Paris is not tomorrow's)."""
    return datetime.now(get_timezone()).date()


def isolated(text: str) -> Markup:
    """A name or title typed by a person, kept out of the page's direction: "Sophie M." inside an Arabic sentence
    keeps its full stop after the M, and an Arabic name in a French sentence does not pull the punctuation along."""
    return Markup("<bdi>%s</bdi>") % text


# An id no action has (beyond Postgres's integer), written nowhere else in a URL: a page builds the URL of an
# endpoint for it once, and each action's URL from that by substitution (`for_action`), a fraction of a url_for.
ANY_ACTION_ID = 2**62
_ANY_ACTION_ID_TEXT = str(ANY_ACTION_ID)


def for_action(url: str, action_id: int) -> str:
    """The URL built for ANY_ACTION_ID (in its path, its anchor or an address it carries) for this action."""
    return url.replace(_ANY_ACTION_ID_TEXT, str(action_id))


def _unread_notifications() -> dict:
    """The header shows how many notifications wait for the signed-in person."""
    from .notifications.services import unread_count

    if has_request_context() and current_user.is_authenticated:
        return {"unread_notifications": unread_count(current_user)}
    return {}


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(
        labels=labels,
        can=can,
        public_name=public_name,
        Permission=Permission,
        platform_sign_in_enabled=platform_sign_in_enabled,
        language_names=LANGUAGE_NAMES,
        current_language=current_language,
        text_direction=text_direction,
        language_attributes=language_attributes,
        content_for_reader=content_for_reader,
        messages_beside=messages_beside,
        messages_on_top=messages_on_top,
        any_action_id=ANY_ACTION_ID,
        CardFigures=CardFigures,
    )
    app.context_processor(_unread_notifications)
    app.jinja_env.filters["long_date"] = format_long_date
    app.jinja_env.filters["long_datetime"] = format_long_datetime
    app.jinja_env.filters["long_date_from_iso"] = format_iso_date
    app.jinja_env.filters["long_datetime_from_iso"] = format_iso_datetime
    app.jinja_env.filters["percent"] = format_share
    app.jinja_env.filters["number"] = format_count
    app.jinja_env.filters["figure"] = figure_text
    app.jinja_env.filters["isolated"] = isolated
    app.jinja_env.filters["for_action"] = for_action
    install_template_translations(app.jinja_env)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
