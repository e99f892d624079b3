"""Addresses on this site: where to send a person after a form (back where they were, never to another site),
and links for e-mails and webhooks, which leave the site."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request
from werkzeug.routing import MapAdapter


def safe_next_url(default: str, target: str | None = None) -> str:
    """`next` comes from the query string or the form (or `target`, kept across a detour through the
    host platform); only a path on this site is followed (no scheme, no host, no `//host` or backslash
    tricks), otherwise the default is used."""
    target = request.values.get("next", "") if target is None else target
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or "\\" in target or parts.scheme or parts.netloc:
        return default
    return target


def public_url(endpoint: str, **values: Any) -> str:
    """An address on the site as people reach it (PUBLIC_URL), built the same in a request and in the
    worker, which has no request to take a host from."""
    return _public_routes().build(endpoint, values, force_external=True)


def site_path(endpoint: str, anchor: str = "", **values: Any) -> str:
    """The path of a page of the site (and a place on it), as a notification stores it: built by the services
    that notify, the same whether a page, the API, a task or the command line runs them (none needs a request)."""
    path = _public_routes().build(endpoint, values)
    return f"{path}#{anchor}" if anchor else path


def _public_routes() -> MapAdapter:
    base = urlsplit(current_app.config["PUBLIC_URL"])
    return current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
