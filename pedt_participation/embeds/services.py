"""Framing and oEmbed: which pages the host platform may frame, and how it learns to embed a public page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import abort, current_app, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from ..consultations.services import get_public_consultation, get_visible_action

# The pages made to sit in the platform's iframe; every other page refuses to be framed elsewhere.
FRAMED_ENDPOINTS = frozenset({"embeds.consultation", "embeds.action"})
DEFAULT_WIDTH = 640
DEFAULT_HEIGHTS = {"embeds.consultation": 800, "embeds.action": 600}


# Scripts and styles only from files of this site: an injected `<script>` or `style=` does nothing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'"
)


# None of these browser features is used: a page (or an injected script) cannot ask for them.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def content_security_policy(frame_origins: Iterable[str]) -> str:
    """The site's CSP, with the origins (besides this site) allowed to frame the page."""
    frame_ancestors = " ".join(("frame-ancestors", "'self'", *frame_origins))
    return f"{CONTENT_SECURITY_POLICY}; {frame_ancestors}"


@dataclass(frozen=True)
class EmbeddablePage:
    title: str
    frame_title: str
    embed_endpoint: str
    embed_args: dict


def embeddable_page(url: str) -> EmbeddablePage:
    """The public consultation or action page at `url` (an address of this site), or 404."""
    parts = urlsplit(url)
    our_hosts = {request.host, urlsplit(current_app.config["PUBLIC_URL"]).netloc}
    if parts.scheme not in ("http", "https") or parts.netloc not in our_hosts:
        abort(404)
    try:
        endpoint, args = current_app.url_map.bind(parts.netloc).match(parts.path, method="GET")
    except HTTPException:
        abort(404)
    if endpoint == "consultations.consultation":
        consultation = get_public_consultation(args["slug"])
        return EmbeddablePage(
            consultation.title,
            _("Consultation : %(title)s", title=consultation.title),
            "embeds.consultation",
            {"slug": consultation.slug},
        )
    if endpoint == "consultations.action":
        action = get_visible_action(args["action_id"], None)
        return EmbeddablePage(
            action.title, _("Action à voter : %(title)s", title=action.title), "embeds.action", {"action_id": action.id}
        )
    abort(404)


def _fit(default: int, maximum: int | None) -> int:
    return min(default, maximum) if maximum and maximum > 0 else default


def oembed_response(page: EmbeddablePage, max_width: int | None, max_height: int | None) -> dict:
    """oEmbed 1.0 `rich` type: an iframe within the consumer's maximum size."""
    width = _fit(DEFAULT_WIDTH, max_width)
    height = _fit(DEFAULT_HEIGHTS[page.embed_endpoint], max_height)
    html = Markup(
        '<iframe src="{src}" title="{title}" width="{width}" height="{height}" loading="lazy" '
        'style="border:0;max-width:100%"></iframe>'
    ).format(
        src=url_for(page.embed_endpoint, **page.embed_args, _external=True),
        title=page.frame_title,
        width=width,
        height=height,
    )
    return {
        "version": "1.0",
        "type": "rich",
        "title": page.title,
        "provider_name": _("Participer au projet éducatif"),
        "provider_url": url_for("consultations.home", _external=True),
        "html": str(html),
        "width": width,
        "height": height,
    }
