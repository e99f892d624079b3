"""API v1, for a participant: who am I, votes, comments and proposals. The same services as the pages,
so the same rules and the same French messages (a refusal is a 409 whose message is shown as is)."""

from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _
from flask_smorest import Blueprint, abort

from ..comments import services as comments
from ..consultations import services as consultations
from ..extensions import db
from ..models import Alignment, Comment, Orientation, Person, VoteKind
from ..voting import services as voting
from . import representations
from .actor import PARTICIPANT_SECURITY, check_actor, require_actor, require_participant
from .schemas import (
    ALIGNMENTS,
    ActionSchema,
    CommentInputSchema,
    CommentSchema,
    ErrorEnvelopeSchema,
    GradeInputSchema,
    MeSchema,
    MyVotesSchema,
    OpinionInputSchema,
    ProposalInputSchema,
    SupportInputSchema,
    envelope,
)
from .views import actions_with_counts, comments_with_ratings

bp = Blueprint("api_participation", __name__, url_prefix="/api/v1", description="Participating")
bp.before_request(check_actor)
VOTE_KINDS = "any(support, opinion, grade)"
IDEMPOTENCY_HEADER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "maxLength": comments.MAX_IDEMPOTENCY_KEY_LENGTH},
    "description": "Chosen by the client, new for each comment: the same request sent again returns the comment "
    "already published instead of a second one",
}


def _my_votes(participant: Person, action: consultations.VoteTarget) -> dict:
    """Read before the commit (which expires every loaded object), not after it: no reloading."""
    mine = voting.my_votes_on(participant, action)
    return {
        "data": {
            "action_id": action.id,
            "support": mine.support,
            "opinion": mine.opinion,
            "grade": mine.grade,
            "supports_remaining_in_orientation": mine.supports_remaining,
        }
    }


@bp.get("/me")
@bp.response(200, envelope(MeSchema))
@bp.doc(security=PARTICIPANT_SECURITY)
def me():
    """The account this request acts for."""
    return {"data": representations.me(require_participant())}


@bp.get("/actions/<int:action_id>/votes/mine")
@bp.response(200, envelope(MyVotesSchema))
@bp.doc(security=PARTICIPANT_SECURITY)
def my_votes(action_id: int):
    participant = require_actor()
    return _my_votes(participant, consultations.get_vote_target(action_id, participant))


VOTE_REFUSED = "Refused by a rule of the consultation (phase closed, limit reached…)"


@bp.put("/actions/<int:action_id>/votes/support")
@bp.arguments(SupportInputSchema, required=False)
@bp.response(200, envelope(MyVotesSchema))
@bp.alt_response(409, schema=ErrorEnvelopeSchema, description=VOTE_REFUSED)
@bp.doc(security=PARTICIPANT_SECURITY)
def support(vote, action_id: int):
    """Supports the action (the body may be left out)."""
    return _cast_vote(action_id, VoteKind.SUPPORT, 1)


@bp.put("/actions/<int:action_id>/votes/opinion")
@bp.arguments(OpinionInputSchema)
@bp.response(200, envelope(MyVotesSchema))
@bp.alt_response(409, schema=ErrorEnvelopeSchema, description=VOTE_REFUSED)
@bp.doc(security=PARTICIPANT_SECURITY)
def give_opinion(vote, action_id: int):
    """Gives, or changes, one's opinion of the action."""
    return _cast_vote(action_id, VoteKind.OPINION, vote["value"])


@bp.put("/actions/<int:action_id>/votes/grade")
@bp.arguments(GradeInputSchema)
@bp.response(200, envelope(MyVotesSchema))
@bp.alt_response(409, schema=ErrorEnvelopeSchema, description=VOTE_REFUSED)
@bp.doc(security=PARTICIPANT_SECURITY)
def give_grade(vote, action_id: int):
    """Gives, or changes, one's grade of the action (majority judgment)."""
    return _cast_vote(action_id, VoteKind.GRADE, vote["value"])


def _cast_vote(action_id: int, kind: VoteKind, value: int):
    """One operation a kind, so that the document says which value each requires."""
    participant = require_actor()
    action = consultations.get_vote_target(action_id, participant)
    voting.cast_vote(participant, action, kind, value)
    answer = _my_votes(participant, action)
    db.session.commit()
    return answer


@bp.delete(f"/actions/<int:action_id>/votes/<{VOTE_KINDS}:kind>")
@bp.response(200, envelope(MyVotesSchema))
@bp.alt_response(409, schema=ErrorEnvelopeSchema, description="Refused by a rule of the consultation (voting closed…)")
@bp.doc(security=PARTICIPANT_SECURITY)
def withdraw_vote(action_id: int, kind: str):
    """Withdraws one's vote of this kind (nothing happens when there was none)."""
    participant = require_actor()
    action = consultations.get_vote_target(action_id, participant)
    voting.withdraw_vote(participant, action, VoteKind(kind))
    answer = _my_votes(participant, action)
    db.session.commit()
    return answer


@bp.post("/actions/<int:action_id>/comments")
@bp.arguments(CommentInputSchema)
@bp.response(201, envelope(CommentSchema))
@bp.alt_response(409, schema=ErrorEnvelopeSchema, description="Refused (comments closed, thread too deep, key reused…)")
@bp.doc(security=PARTICIPANT_SECURITY, parameters=[IDEMPOTENCY_HEADER])
def add_comment(comment, action_id: int):
    participant = require_participant()
    action = consultations.get_visible_action(action_id, participant)
    idempotency_key = request.headers.get("Idempotency-Key", "").strip() or None
    if idempotency_key and len(idempotency_key) > comments.MAX_IDEMPOTENCY_KEY_LENGTH:
        abort(
            422,
            code="idempotency_key_too_long",
            message=_("L’en-tête Idempotency-Key est trop long (%(max)d caractères au maximum).",
                      max=comments.MAX_IDEMPOTENCY_KEY_LENGTH),
        )
    created = comments.add_comment(
        participant,
        action,
        comment["body"],
        Alignment(ALIGNMENTS[comment["alignment"]]),
        comment["parent_id"],
        idempotency_key=idempotency_key,
    )
    db.session.commit()
    return {"data": comments_with_ratings([created])[0]}


@bp.delete("/comments/<int:comment_id>")
@bp.response(204)
@bp.alt_response(409, schema=ErrorEnvelopeSchema, description="Not the author's")
@bp.doc(security=PARTICIPANT_SECURITY)
def delete_comment(comment_id: int):
    """The author removes their words; the comment keeps its place in the thread."""
    participant = require_participant()
    comment = db.get_or_404(Comment, comment_id)
    comments.delete_comment(participant, comment)
    db.session.commit()


@bp.post("/consultations/<slug>/proposals")
@bp.arguments(ProposalInputSchema)
@bp.response(201, envelope(ActionSchema))
@bp.alt_response(409, schema=ErrorEnvelopeSchema, description="Refused (proposals closed, not eligible…)")
@bp.doc(security=PARTICIPANT_SECURITY)
def propose_action(proposal, slug: str):
    """Proposes a new action; it waits for a moderator (state `pending`)."""
    participant = require_participant()
    consultation = consultations.get_public_consultation(slug)
    orientation = db.session.get(Orientation, proposal["orientation_id"])
    if orientation is None or orientation.consultation_id != consultation.id:
        abort(422, code="unknown_orientation", message=_("Cette orientation n’existe pas dans cette consultation."))
    action = consultations.propose_action(participant, orientation, proposal["title"], proposal["body"])
    db.session.commit()
    return {"data": actions_with_counts([action])[0]}, 201, {"Location": url_for("api.action", action_id=action.id)}
