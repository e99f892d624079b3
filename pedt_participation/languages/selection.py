"""The language of the request being answered: Flask-Babel asks for it once per request. Services and tasks
read the chosen language through `get_locale()`, never the request."""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from .services import LANGUAGE_NAMES, LOCALE_COOKIE, ORIGINAL_LANGUAGE


def select_locale() -> str:
    """The person's saved choice when signed in, else the language switch's cookie, else what the browser
    asks for (Accept-Language, also for API clients), else French. Outside a request (Celery tasks, the
    CLI): French."""
    if not has_request_context():
        return ORIGINAL_LANGUAGE
    # current_user is typed as the proxy it is, which does not show the person's attributes.
    if current_user.is_authenticated and current_user.locale in LANGUAGE_NAMES:  # type: ignore[attr-defined]
        return current_user.locale  # type: ignore[attr-defined]
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in LANGUAGE_NAMES:
        return chosen
    return request.accept_languages.best_match(LANGUAGE_NAMES) or ORIGINAL_LANGUAGE
