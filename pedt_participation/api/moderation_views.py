"""API v1, for moderators of a consultation (and admins): the proposal queue, publishing or refusing a
proposal, hiding a comment. Same services, rights and moderation log as the moderation pages."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint, abort

from ..authorization import Permission, require
from ..consultations.services import get_consultation
from ..extensions import db
from ..models import Action, Comment, Consultation, Orientation, Participant, RefusalCategory
from ..moderation import services as moderation
from ..reports.services import Target
from . import representations
from .actor import PARTICIPANT_SECURITY, check_actor, require_participant
from .schemas import (
    ActionSchema,
    ApprovalInputSchema,
    CommentSchema,
    ErrorEnvelopeSchema,
    PageArgsSchema,
    ReasonInputSchema,
    RejectionInputSchema,
    envelope,
)
from .services import page_of
from .views import actions_with_counts, comments_with_ratings

bp = Blueprint("api_moderation", __name__, url_prefix="/api/v1", description="Moderation")
bp.before_request(check_actor)


def _moderator_of(consultation: Consultation) -> Participant:
    return require(require_participant(), Permission.MODERATE, consultation)


def _moderated(model, row_id: int):
    """The row and the moderator acting on it; 404 before 403, so nothing is learnt of a row one cannot see."""
    row = db.get_or_404(model, row_id)
    action = row if isinstance(row, Action) else db.session.get(Action, row.action_id)
    return row, _moderator_of(action.orientation.consultation)


@bp.get("/consultations/<slug>/proposals/pending")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, envelope(ActionSchema, many=True))
@bp.doc(security=PARTICIPANT_SECURITY)
def pending_proposals(page_args, slug: str):
    """Proposals awaiting review, oldest first."""
    consultation = get_consultation(slug)
    _moderator_of(consultation)
    page = page_of(moderation.pending_proposals_statement(consultation), **page_args)
    return representations.listing(page, actions_with_counts(page.items), "api_moderation.pending_proposals", slug=slug)


@bp.post("/proposals/<int:action_id>/approve")
@bp.arguments(ApprovalInputSchema)
@bp.response(200, envelope(ActionSchema))
@bp.alt_response(409, schema=ErrorEnvelopeSchema, description="Already handled, or the consultation is archived")
@bp.doc(security=PARTICIPANT_SECURITY)
def approve_proposal(edits, action_id: int):
    """Publishes a proposal, possibly with its wording edited or under another orientation."""
    action, moderator = _moderated(Action, action_id)
    orientation = action.orientation
    if "orientation_id" in edits:
        orientation = db.session.get(Orientation, edits["orientation_id"])
        if orientation is None:
            abort(422, code="unknown_orientation", message=_("Cette orientation n’existe pas."))
    moderation.approve_proposal(
        moderator,
        action,
        title=edits.get("title", action.title),
        body=edits.get("body", action.body),
        orientation=orientation,
    )
    db.session.commit()
    return {"data": actions_with_counts([action])[0]}


@bp.post("/proposals/<int:action_id>/reject")
@bp.arguments(RejectionInputSchema)
@bp.response(200, envelope(ActionSchema))
@bp.alt_response(409, schema=ErrorEnvelopeSchema, description="Already handled, or the consultation is archived")
@bp.doc(security=PARTICIPANT_SECURITY)
def reject_proposal(rejection, action_id: int):
    """Refuses a proposal for a kind of reason and in the moderator's words, both shown to its author."""
    action, moderator = _moderated(Action, action_id)
    moderation.reject_proposal(moderator, action, RefusalCategory(rejection["category"]), rejection["reason"])
    db.session.commit()
    return {"data": actions_with_counts([action])[0]}


def _moderate_comment(comment_id: int, reason: str, change) -> dict:
    comment, moderator = _moderated(Comment, comment_id)
    consultation = db.session.get(Action, comment.action_id).orientation.consultation
    change(moderator, consultation, Target(comment=comment), reason)
    db.session.commit()
    return {"data": comments_with_ratings([comment])[0]}


@bp.post("/comments/<int:comment_id>/hide")
@bp.arguments(ReasonInputSchema)
@bp.response(200, envelope(CommentSchema))
@bp.alt_response(409, schema=ErrorEnvelopeSchema, description="The consultation is archived")
@bp.doc(security=PARTICIPANT_SECURITY)
def hide_comment(moderation_reason, comment_id: int):
    """Hides a comment from everyone (its place in the thread stays); recorded in the moderation log."""
    return _moderate_comment(comment_id, moderation_reason["reason"], moderation.hide)


@bp.post("/comments/<int:comment_id>/unhide")
@bp.arguments(ReasonInputSchema)
@bp.response(200, envelope(CommentSchema))
@bp.alt_response(409, schema=ErrorEnvelopeSchema, description="The consultation is archived")
@bp.doc(security=PARTICIPANT_SECURITY)
def unhide_comment(moderation_reason, comment_id: int):
    return _moderate_comment(comment_id, moderation_reason["reason"], moderation.unhide)
