"""API v1, public reading: consultations, orientations, actions with their public counts, and comments.
Nothing hidden, nothing of a draft, never who voted what."""

from __future__ import annotations

from flask import url_for
from flask_smorest import Blueprint, abort

from ..comments.services import comment_ratings, live_comment_counts, thread_statement
from ..consultations import services as consultations
from ..decisions.resources import published_decisions
from ..models import Action, ActionState, Comment, Orientation
from ..voting.services import count_votes
from . import representations
from .actor import check_actor, current_actor
from .schemas import (
    ActionDetailSchema,
    ActionFilterSchema,
    ActionSchema,
    CommentSchema,
    ConsultationDetailSchema,
    ConsultationSchema,
    ErrorEnvelopeSchema,
    PageArgsSchema,
    envelope,
)
from .services import page_of

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="Public reading")
bp.before_request(check_actor)


def actions_with_counts(actions: list[Action]) -> list[dict]:
    """Representations of several actions, with their kept vote counts (as the pages show them), comment counts
    and decisions."""
    action_ids = [a.id for a in actions]
    counts, comments, decisions = count_votes(action_ids), live_comment_counts(action_ids), published_decisions(action_ids)
    return [representations.action(a, counts[a.id], comments.get(a.id, 0), decisions.get(a.id)) for a in actions]


def comments_with_ratings(comments: list[Comment]) -> list[dict]:
    ratings = comment_ratings([c.id for c in comments])
    return [representations.comment(c, *ratings.get(c.id, (0, 0))) for c in comments]


@bp.get("/consultations")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, envelope(ConsultationSchema, many=True))
def consultations_list(page_args):
    """Published and closed consultations, newest first."""
    page = page_of(consultations.public_consultations_statement(), **page_args)
    return representations.listing(page, [representations.consultation(c) for c in page.items], "api.consultations_list")


@bp.get("/consultations/<slug>")
@bp.response(200, envelope(ConsultationDetailSchema))
@bp.alt_response(404, schema=ErrorEnvelopeSchema, description="Unknown or not published")
def consultation(slug: str):
    """A consultation with its orientations and their published actions."""
    consultation = consultations.get_public_consultation(slug)
    grouped: dict[int, list[dict]] = {o.id: [] for o in consultation.orientations}
    for item in actions_with_counts(consultations.published_actions(consultation)):
        grouped[item["orientation_id"]].append(item)
    return {
        "data": {
            **representations.consultation(consultation),
            "context": consultation.context,
            "orientations": [
                {
                    "id": orientation.id,
                    "position": orientation.position,
                    "theme": orientation.theme,
                    "title": orientation.title,
                    "description": orientation.description,
                    "actions": grouped[orientation.id],
                }
                for orientation in consultation.orientations
            ],
        }
    }


@bp.get("/consultations/<slug>/actions")
@bp.arguments(ActionFilterSchema, location="query")
@bp.response(200, envelope(ActionSchema, many=True))
@bp.alt_response(404, schema=ErrorEnvelopeSchema, description="Unknown or not published")
def consultation_actions(filters, slug: str):
    """The published actions, in reading order; `orientation_id` keeps those of one orientation."""
    consultation = consultations.get_public_consultation(slug)
    orientation_id = filters.pop("orientation_id", None)
    page = page_of(consultations.published_actions_statement(consultation, orientation_id), **filters)
    extra = {"orientation_id": orientation_id} if orientation_id is not None else {}
    return representations.listing(page, actions_with_counts(page.items), "api.consultation_actions", slug=slug, **extra)


@bp.get("/actions/<int:action_id>")
@bp.response(200, envelope(ActionDetailSchema))
@bp.alt_response(404, schema=ErrorEnvelopeSchema, description="Unknown, not published, or hidden")
def action(action_id: int):
    action = consultations.get_visible_action(action_id, viewer=current_actor())
    orientation: Orientation = action.orientation
    return {
        "data": {
            **actions_with_counts([action])[0],
            "orientation": representations.orientation_ref(orientation),
            "consultation": {
                "slug": orientation.consultation.slug,
                "title": orientation.consultation.title,
                "api_url": url_for("api.consultation", slug=orientation.consultation.slug, _external=True),
            },
        }
    }


@bp.get("/actions/<int:action_id>/comments")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, envelope(CommentSchema, many=True))
@bp.alt_response(404, schema=ErrorEnvelopeSchema, description="Unknown, not published, or hidden")
def action_comments(page_args, action_id: int):
    """The whole thread, oldest first; `parent_id` and `depth` rebuild it."""
    action = consultations.get_visible_action(action_id, viewer=current_actor())
    if action.state != ActionState.PUBLISHED:
        abort(404)
    page = page_of(thread_statement(action), **page_args)
    return representations.listing(page, comments_with_ratings(page.items), "api.action_comments", action_id=action.id)
