"""Public pages: the list of consultations, a consultation with its orientations, an action, proposing one."""

from __future__ import annotations

import secrets

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from ..auth.sessions import RANDOM_ORDER_SEED
from ..codes.forms import CodeForm
from ..codes.services import code_of
from ..comments.forms import CommentForm
from ..comments.services import CommentOrder, comment_page, live_comment_counts, page_of_comment
from ..decisions.services import has_published_decisions, shown_decision
from ..errors import refusal_shown
from ..extensions import db
from ..models import Action, Activity, Comment, Participant, utcnow
from ..voting.services import count_votes, supports_remaining, votes_of
from . import services
from .forms import ProposalForm

bp = Blueprint("consultations", __name__)


def _viewer() -> Participant | None:
    return current_user if current_user.is_authenticated else None


@bp.get("/")
def home():
    listing = services.home_listing()
    now = utcnow()
    days_left = {c.id: services.days_left_to_vote(c, now) for c in listing.open}
    return render_template("consultations/home.html", listing=listing, days_left=days_left)


def _random_order_seed() -> str:
    """A visitor's seed is drawn once and kept in their session, and kept when they sign in (`auth.sessions`), so
    that the cards do not reshuffle under the finger that just voted; a person who signs in without having looked
    first takes their account's seed, the same on every device."""
    if RANDOM_ORDER_SEED in session:
        return session[RANDOM_ORDER_SEED]
    viewer = _viewer()
    if viewer is not None:
        return f"participant-{viewer.id}"
    session[RANDOM_ORDER_SEED] = secrets.token_hex(8)
    return session[RANDOM_ORDER_SEED]


def consultation_page(slug: str) -> dict:
    """What the consultation page and its embed show: published actions by orientation in the reader's chosen
    order, their counts, and the viewer's votes and remaining supports."""
    consultation = services.get_public_consultation(slug, _viewer())
    actions = services.published_actions(consultation)
    action_ids = [a.id for a in actions]
    counts = count_votes(action_ids)
    orders = services.action_orders(consultation)
    order = request.args.get("order", services.ActionOrder.RANDOM, type=services.ActionOrder)
    if order not in orders:
        order = services.ActionOrder.RANDOM
    supports = {action_id: tally.supports for action_id, tally in counts.items()}
    now = utcnow()
    my_code = code_of(_viewer(), consultation)
    typed = request.args.get("code", "")
    # The code received on paper: asked where the consultation requires one, or when a slip's QR code brings it.
    show_code_entry = consultation.is_open_for(Activity.VOTE, now) and bool(consultation.codes_required or my_code or typed)
    return {
        "consultation": consultation,
        "actions": services.order_actions(
            services.by_orientation(consultation, actions), order, _random_order_seed(), supports
        ),
        "order": order,
        "orders": orders,
        "counts": counts,
        "comment_counts": live_comment_counts(action_ids),
        "my_votes": votes_of(_viewer(), action_ids),
        "supports_left": supports_remaining(_viewer(), consultation.orientations),
        "now": now,
        "show_code_entry": show_code_entry,
        "my_code": my_code,
        # Made only where it is shown: a form's first field loads WTForms' catalogue for the request.
        "code_form": CodeForm(formdata=None, data={"code": typed}) if show_code_entry else None,
        # Decisions come after the vote: while it runs, the page spends no query on them.
        "decisions_published": consultation.vote_has_ended(now) and has_published_decisions(consultation),
    }


@bp.get("/consultations/<slug>")
def consultation(slug: str):
    return render_template("consultations/consultation.html", **consultation_page(slug))


def _page_of_reply(action: Action, reply_form: CommentForm | None, order: CommentOrder) -> int | None:
    """The page showing the comment a refused reply answers, where the reply form opens again."""
    if reply_form is None or not reply_form.parent_id.data or reply_form.parent_id.errors:
        return None
    parent = db.session.get(Comment, reply_form.parent_id.data)
    return page_of_comment(parent, order) if parent is not None and parent.action_id == action.id else None


def render_action_page(
    action: Action, comment_form: CommentForm | None = None, reply_form: CommentForm | None = None, status: int = 200
):
    """Also shows a refused comment or reply again, with its text and the reason, so nothing typed is lost
    (a refused reply on the page of the comment it answers)."""
    order = request.args.get("order", CommentOrder.OLDEST, type=CommentOrder)
    page = _page_of_reply(action, reply_form, order) or request.args.get("page", 1, type=int)
    viewer = _viewer()
    consultation = action.orientation.consultation
    comments = comment_page(action, order, viewer, page)
    now = utcnow()
    return (
        render_template(
            "consultations/action.html",
            action=action,
            orientation=action.orientation,
            consultation=consultation,
            counts=count_votes([action.id])[action.id],
            decision=shown_decision(action, now),
            my_votes=votes_of(viewer, [action.id]),
            supports_left=supports_remaining(viewer, [action.orientation])[action.orientation_id],
            comments=comments,
            comment_count=comments.comment_count,
            order=order,
            comment_form=comment_form or CommentForm(formdata=None),
            reply_form=reply_form,
            now=now,
        ),
        status,
    )


@bp.get("/actions/<int:action_id>")
def action(action_id: int):
    merged_into = services.merged_into(action_id)
    if merged_into is not None:
        return redirect(url_for("consultations.action", action_id=merged_into), 301)
    return render_action_page(services.get_visible_action(action_id, _viewer()))


@bp.route("/consultations/<slug>/propose", methods=["GET", "POST"])
@login_required
def propose(slug: str):
    consultation = services.get_public_consultation(slug)
    form = ProposalForm()
    form.orientation_id.choices = [SelectChoice(o.id, f"{o.position}. {o.title}") for o in consultation.orientations]
    if request.method == "GET" and request.args.get("orientation", type=int):
        form.orientation_id.data = request.args.get("orientation", type=int)
    refusals: list[str] = []
    similar = []
    if form.validate_on_submit():
        orientation = next(o for o in consultation.orientations if o.id == form.orientation_id.data)
        if not form.confirmed.data:
            similar = services.similar_actions(consultation, f"{form.title.data} {form.body.data or ''}")
        if not similar:
            with refusal_shown(refusals):
                proposal = services.propose_action(current_user, orientation, form.title.data, form.body.data or "")
                db.session.commit()
                flash(
                    _(
                        "Merci ! Votre proposition est enregistrée. L’équipe de modération la relit avant de la "
                        "publier ; vous la retrouvez sur cette page en attendant."
                    ),
                    "success",
                )
                return redirect(url_for("consultations.action", action_id=proposal.id), 303)
    status = 422 if (form.errors or refusals) else 200
    return (
        render_template(
            "consultations/propose.html", consultation=consultation, form=form, refusals=refusals, similar=similar
        ),
        status,
    )
