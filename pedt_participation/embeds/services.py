"""Framing and oEmbed: which pages the host platform may frame, and how it learns to embed a public page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from ..consultations.services import get_public_consultation, get_visible_action
from ..errors import NotFound
from ..models import Participant

# The pages made to sit in the platform's iframe; every other page refuses to be framed elsewhere.
FRAMED_ENDPOINTS = frozenset({"embeds.consultation", "embeds.action"})


def visitor_votes_in_a_tab(viewer: Participant | None) -> bool:
    """A visitor's vote pressed in an embed opens a new tab (sign-in pages are never framed), where the vote is held,
    the person signs in and it is cast, and which ends on the page that reloads the embed. Only for a platform on
    the same site, whose frame and tab share the session: across sites a browser may keep the frame's cookies apart
    (Safari, Firefox), the tab would refuse the frame's form as expired, and visitors get the sign-in link alone."""
    return viewer is None and not current_app.config["EMBED_ACROSS_SITES"]


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


def embeddable_page(url: str, requested_host: str) -> EmbeddablePage:
    """The public consultation or action page at `url`, an address of this site (the host the request came to,
    or PUBLIC_URL's); NotFound otherwise."""
    parts = urlsplit(url)
    our_hosts = {requested_host, urlsplit(current_app.config["PUBLIC_URL"]).netloc}
    if parts.scheme not in ("http", "https") or parts.netloc not in our_hosts:
        raise NotFound()
    try:
        endpoint, args = current_app.url_map.bind(parts.netloc).match(parts.path, method="GET")
    except HTTPException as unknown:
        raise NotFound() from unknown
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
    raise NotFound()


def _fit(default: int, maximum: int | None) -> int:
    return min(default, maximum) if maximum and maximum > 0 else default


def frame_size(page: EmbeddablePage, max_width: int | None, max_height: int | None) -> tuple[int, int]:
    """The iframe's width and height, within the consumer's maximum size."""
    return _fit(DEFAULT_WIDTH, max_width), _fit(DEFAULT_HEIGHTS[page.embed_endpoint], max_height)
