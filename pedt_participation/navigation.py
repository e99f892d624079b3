"""Where to send a person after a form: back where they were, but never to another site."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def safe_next_url(default: str, target: str | None = None) -> str:
    """`next` comes from the query string or the form (or `target`, kept across a detour through the
    host platform); only a path on this site is followed (no scheme, no host, no `//host` or backslash
    tricks), otherwise the default is used."""
    target = request.values.get("next", "") if target is None else target
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or "\\" in target or parts.scheme or parts.netloc:
        return default
    return target
