"""What API v1 shows of each thing, as plain values the schemas of `schemas.py` dump. Public counts only:
never who voted what, nothing of hidden content."""

from __future__ import annotations

from typing import Any

from flask import url_for

from ..decisions.resources import decision_resource
from ..labels import STAFF_TEAMS
from ..models import (
    Action,
    Comment,
    CommitteeSummary,
    Consultation,
    Decision,
    Orientation,
    Participant,
    SummaryFileKind,
    SummaryStatus,
)
from ..public_names import public_name
from ..voting.services import ActionCounts
from .schemas import ALIGNMENTS
from .services import Page

ALIGNMENT_NAMES = {value: name for name, value in ALIGNMENTS.items()}


def listing(page: Page, data: list[dict], endpoint: str, **values: Any) -> dict:
    """One page of a list: `data`, `meta` and `links` (next and previous pages only when they exist)."""
    links = {"self": url_for(endpoint, page=page.page, per_page=page.per_page, _external=True, **values)}
    if page.page * page.per_page < page.total:
        links["next"] = url_for(endpoint, page=page.page + 1, per_page=page.per_page, _external=True, **values)
    if page.page > 1:
        links["prev"] = url_for(endpoint, page=page.page - 1, per_page=page.per_page, _external=True, **values)
    return {"data": data, "meta": {"page": page.page, "per_page": page.per_page, "total": page.total}, "links": links}


def consultation(consultation: Consultation) -> dict:
    return {
        "slug": consultation.slug,
        "title": consultation.title,
        "summary": consultation.summary,
        "status": consultation.status.value,
        "phases": {
            "proposals": {"opens_at": consultation.proposals_open_at, "closes_at": consultation.proposals_close_at},
            "voting": {"opens_at": consultation.voting_open_at, "closes_at": consultation.voting_close_at},
        },
        "voting": {
            "supports_enabled": consultation.supports_enabled,
            "vote_limit_per_orientation": consultation.vote_limit_per_orientation,
            "opinion_enabled": consultation.opinion_enabled,
            "majority_judgment_enabled": consultation.majority_judgment_enabled,
            "allowed_audiences": list(consultation.allowed_audiences),
            "minimum_age": consultation.minimum_age,
            "figures_during_vote": consultation.figures_during_vote,
            "comments_enabled": consultation.comments_enabled,
        },
        "url": url_for("consultations.consultation", slug=consultation.slug, _external=True),
        "api_url": url_for("api.consultation", slug=consultation.slug, _external=True),
    }


def _counts(counts: ActionCounts, comments: int, shown: bool) -> dict:
    """The counts of votes, or None for each while the consultation hides them until the vote closes."""
    votes = {
        "supports": counts.supports,
        "paper_supports": counts.paper_supports,
        "opinions": {"pour": counts.opinions[1], "mitige": counts.opinions[0], "contre": counts.opinions[-1]},
        "grades": {str(value): number for value, number in sorted(counts.grades.items())},
    }
    return {**(votes if shown else dict.fromkeys(votes)), "comments": comments}


def action(action: Action, counts: ActionCounts, comments: int, decision: Decision | None) -> dict:
    """`decision`: the action's published decision, if any."""
    return {
        "id": action.id,
        "title": action.title,
        "body": action.body,
        "origin": action.origin.value,
        "state": action.state.value,
        "orientation_id": action.orientation_id,
        "published_at": action.published_at or action.created_at,
        "counts": _counts(counts, comments, shown=action.orientation.consultation.figures_visible()),
        "answer": {
            "state": action.answer_state.value,
            "text": action.answer_text,
            "published_at": action.answer_published_at,
        }
        if action.answer_state
        else None,
        "refusal": {"category": action.refusal_category.value, "reason": action.rejection_reason}
        if action.refusal_category
        else None,
        "decision": decision_resource(decision),
        "url": url_for("consultations.action", action_id=action.id, _external=True),
        "api_url": url_for("api.action", action_id=action.id, _external=True),
    }


def orientation_ref(orientation: Orientation) -> dict:
    return {"id": orientation.id, "position": orientation.position, "title": orientation.title}


def comment(comment: Comment, ups: int, downs: int) -> dict:
    """A comment that is not visible keeps its place in the thread, without its words or its author."""
    if comment.is_visible:
        state = "visible"
    else:
        state = "deleted" if comment.deleted_at is not None else "hidden"
    visible = state == "visible"
    return {
        "id": comment.id,
        "action_id": comment.action_id,
        "parent_id": comment.parent_id,
        "depth": comment.depth,
        "state": state,
        "body": comment.body if visible else None,
        "author": (
            {"display_name": public_name(comment.author), "team": STAFF_TEAMS.get(comment.author.role)}
            if visible and comment.author
            else None
        ),
        "alignment": ALIGNMENT_NAMES[comment.alignment],
        "created_at": comment.created_at,
        "ups": ups,
        "downs": downs,
    }


def me(participant: Participant) -> dict:
    return {
        "id": participant.id,
        "display_name": participant.display_name,
        "role": participant.role.value,
        "platform_uid": participant.platform_uid,
        "votes_count": participant.votes_count,
        "votes_held_because": [reason.value for reason in participant.votes_held_because],
    }


def summary(summary: CommitteeSummary, file_kinds: set[SummaryFileKind]) -> dict:
    """`file_kinds`: the files stored for it (a summary made before spreadsheets were has no .xlsx: null)."""
    done = summary.status == SummaryStatus.DONE
    return {
        "id": summary.id,
        "consultation_slug": summary.consultation.slug if summary.consultation else None,
        "status": summary.status.value,
        "progress": summary.progress,
        "trigger": summary.trigger.value,
        "created_at": summary.created_at,
        "finished_at": summary.finished_at,
        "error": summary.error or None,
        "files": {
            extension: url_for("api_committee.summary_file", summary_id=summary.id, extension=extension, _external=True)
            if extension == "json" or SummaryFileKind(extension) in file_kinds
            else None
            for extension in ("pdf", "csv", "xlsx", "json")
        }
        if done
        else None,
        "url": url_for("committee.summary", summary_id=summary.id, _external=True),
        "api_url": url_for("api_committee.summary", summary_id=summary.id, _external=True),
    }
