"""Read-only JSON API v1: what the host platform shows of a consultation. Public counts only."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for
from sqlalchemy import func, select

from ..comments.services import count_comments
from ..consultations import services
from ..extensions import db
from ..models import Action, Consultation, Orientation
from ..voting.services import ActionCounts, count_votes

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _consultation_summary(consultation: Consultation) -> dict:
    return {
        "slug": consultation.slug,
        "title": consultation.title,
        "summary": consultation.summary,
        "status": consultation.status.value,
        "phases": {
            "proposals": {"opens_at": _iso(consultation.proposals_open_at), "closes_at": _iso(consultation.proposals_close_at)},
            "voting": {"opens_at": _iso(consultation.voting_open_at), "closes_at": _iso(consultation.voting_close_at)},
        },
        "voting": {
            "supports_enabled": consultation.supports_enabled,
            "vote_limit_per_orientation": consultation.vote_limit_per_orientation,
            "opinion_enabled": consultation.opinion_enabled,
            "majority_judgment_enabled": consultation.majority_judgment_enabled,
            "allowed_audiences": list(consultation.allowed_audiences),
            "minimum_age": consultation.minimum_age,
        },
        "url": url_for("consultations.consultation", slug=consultation.slug, _external=True),
        "api_url": url_for("api.consultation", slug=consultation.slug, _external=True),
    }


def _action(action: Action, counts: ActionCounts, comments: int) -> dict:
    return {
        "id": action.id,
        "title": action.title,
        "body": action.body,
        "origin": action.origin.value,
        "state": action.state.value,
        "orientation_id": action.orientation_id,
        "published_at": _iso(action.published_at or action.created_at),
        "counts": {
            "supports": counts.supports,
            "paper_supports": counts.paper_supports,
            "opinions": {"pour": counts.opinions[1], "mitige": counts.opinions[0], "contre": counts.opinions[-1]},
            "grades": {str(value): number for value, number in sorted(counts.grades.items())},
            "comments": comments,
        },
        "answer": {
            "state": action.answer_state.value,
            "text": action.answer_text,
            "published_at": _iso(action.answer_published_at),
        }
        if action.answer_state
        else None,
        "url": url_for("consultations.action", action_id=action.id, _external=True),
    }


def _page_arguments() -> tuple[int, int]:
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    default_size = current_app.config["API_PAGE_SIZE"]
    per_page = request.args.get("per_page", default_size, type=int) or default_size
    return page, min(max(per_page, 1), current_app.config["API_MAX_PAGE_SIZE"])


@bp.get("/consultations")
def consultations():
    page, per_page = _page_arguments()
    public = Consultation.status.in_(services.PUBLIC_STATUSES)
    total = db.session.scalar(select(func.count()).select_from(Consultation).where(public))
    rows = db.session.scalars(
        select(Consultation).where(public).order_by(Consultation.created_at.desc(), Consultation.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    links = {"self": url_for("api.consultations", page=page, per_page=per_page, _external=True)}
    if page * per_page < total:
        links["next"] = url_for("api.consultations", page=page + 1, per_page=per_page, _external=True)
    if page > 1:
        links["prev"] = url_for("api.consultations", page=page - 1, per_page=per_page, _external=True)
    return jsonify(
        data=[_consultation_summary(c) for c in rows],
        meta={"page": page, "per_page": per_page, "total": total},
        links=links,
    )


@bp.get("/consultations/<slug>")
def consultation(slug: str):
    consultation = services.get_public_consultation(slug)
    actions = services.published_actions(consultation)
    action_ids = [a.id for a in actions]
    grouped = services.by_orientation(consultation, actions)
    counts = count_votes(action_ids)
    comments = count_comments(action_ids)
    return jsonify(
        data={
            **_consultation_summary(consultation),
            "context": consultation.context,
            "orientations": [
                {
                    "id": orientation.id,
                    "position": orientation.position,
                    "theme": orientation.theme,
                    "title": orientation.title,
                    "description": orientation.description,
                    "actions": [_action(a, counts[a.id], comments.get(a.id, 0)) for a in grouped[orientation.id]],
                }
                for orientation in consultation.orientations
            ],
        }
    )


@bp.get("/actions/<int:action_id>")
def action(action_id: int):
    action = services.get_visible_action(action_id, viewer=None)
    orientation: Orientation = action.orientation
    return jsonify(
        data={
            **_action(action, count_votes([action.id])[action.id], count_comments([action.id]).get(action.id, 0)),
            "orientation": {"id": orientation.id, "position": orientation.position, "title": orientation.title},
            "consultation": {
                "slug": orientation.consultation.slug,
                "title": orientation.consultation.title,
                "api_url": url_for("api.consultation", slug=orientation.consultation.slug, _external=True),
            },
        }
    )
