"""Pages made to sit in an iframe on the host platform, the page that ends a sign-in started from one,
and the oEmbed endpoint that tells the platform how to embed a public page."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from ..comments.services import live_comment_counts
from ..consultations import services as consultations
from ..consultations.views import consultation_page
from ..decisions.services import shown_decision
from ..models import Participant, utcnow
from ..voting.services import count_votes, supports_remaining, votes_of
from . import services

bp = Blueprint("embeds", __name__)


def _viewer() -> Participant | None:
    return current_user if current_user.is_authenticated else None


def _visitor_vote_tab() -> str | None:
    """Where a visitor's vote pressed in the embed ends, the tab it opens having signed them in (see
    `services.visitor_votes_in_a_tab`); None where they vote inside the frame, or cannot vote there."""
    return url_for("embeds.signed_in") if services.visitor_votes_in_a_tab(_viewer()) else None


@bp.after_app_request
def apply_security_headers(response: Response) -> Response:
    """One policy for every response. Embeds may be framed by the configured platform origins, every other page
    only by this site (CSP for current browsers, X-Frame-Options for older ones), so that no other site can frame
    a form to trick a click. HSTS only where the site is served over HTTPS (secure cookies), or a local http run
    would be refused by the browser for a year."""
    framed = request.endpoint in services.FRAMED_ENDPOINTS
    frame_origins = current_app.config["EMBED_ALLOWED_ORIGINS"] if framed else ()
    response.headers["Content-Security-Policy"] = services.content_security_policy(frame_origins)
    if not framed:
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("Permissions-Policy", services.PERMISSIONS_POLICY)
    if current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


@bp.get("/embed/consultations/<slug>")
def consultation(slug: str):
    return render_template(
        "embeds/consultation.html", **consultation_page(slug), embedded=True, vote_tab=_visitor_vote_tab()
    )


@bp.get("/embed/actions/<int:action_id>")
def action(action_id: int):
    merged_into = consultations.merged_into(action_id)
    if merged_into is not None:
        return redirect(url_for("embeds.action", action_id=merged_into), 301)
    action = consultations.get_visible_action(action_id, _viewer())
    now = utcnow()
    return render_template(
        "embeds/action.html",
        action=action,
        orientation=action.orientation,
        consultation=action.orientation.consultation,
        counts=count_votes([action.id])[action.id],
        comment_count=live_comment_counts([action.id])[action.id],
        my_votes=votes_of(_viewer(), [action.id]),
        supports_left=supports_remaining(_viewer(), [action.orientation])[action.orientation_id],
        decision=shown_decision(action, now),
        now=now,
        embedded=True,
        vote_tab=_visitor_vote_tab(),
    )


@bp.get("/embed/connecte")
@login_required
def signed_in():
    """Sign-in pages cannot be framed, so an embed opens them in a new tab that lands here: this page
    reloads the embed that opened it (now signed in) and closes itself."""
    return render_template("embeds/signed_in.html")


@bp.get("/oembed")
def oembed():
    """oEmbed 1.0 `rich` type: an iframe within the consumer's maximum size."""
    if request.args.get("format", "json") != "json":
        abort(501)
    page = services.embeddable_page(request.args.get("url", ""), request.host)
    width, height = services.frame_size(page, request.args.get("maxwidth", type=int), request.args.get("maxheight", type=int))
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
