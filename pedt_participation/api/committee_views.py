"""API v1, for the steering committee (and admins): ask for a snapshot of the results, follow its
progress, download its PDF, CSV, spreadsheet or JSON. The same queue and worker as the committee's pages."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_smorest import Blueprint, abort

from ..authorization import Permission, require
from ..committee import services as committee
from ..committee.documents import MEDIA_TYPES
from ..committee.views import summary_attachment
from ..consultations.services import get_consultation
from ..extensions import db
from ..models import CommitteeSummary, Participant, SummaryFileKind, SummaryStatus
from . import representations
from .actor import PARTICIPANT_SECURITY, check_actor, require_participant
from .schemas import ErrorEnvelopeSchema, PageArgsSchema, SummarySchema, envelope
from .services import page_of

bp = Blueprint("api_committee", __name__, url_prefix="/api/v1", description="Committee summaries")
bp.before_request(check_actor)


def _committee_member() -> Participant:
    return require(require_participant(), Permission.READ_SUMMARIES)


def _summary(summary_id: int) -> CommitteeSummary:
    _committee_member()
    return committee.summary_of(summary_id)


@bp.get("/consultations/<slug>/summaries")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, envelope(SummarySchema, many=True))
@bp.doc(security=PARTICIPANT_SECURITY)
def summaries(page_args, slug: str):
    """The consultation's snapshots, newest first."""
    _committee_member()
    page = page_of(committee.summaries_statement(get_consultation(slug)), **page_args)
    kinds = committee.file_kinds([summary.id for summary in page.items])
    return representations.listing(
        page, [representations.summary(s, kinds[s.id]) for s in page.items], "api_committee.summaries", slug=slug
    )


@bp.post("/consultations/<slug>/summaries")
@bp.response(202, envelope(SummarySchema))
@bp.doc(security=PARTICIPANT_SECURITY)
def request_summary(slug: str):
    """Queues a snapshot; follow it at its `api_url` until its status is `done` (or `failed`)."""
    summary = committee.queue_summary(get_consultation(slug), requested_by=_committee_member())
    db.session.commit()
    location = url_for("api_committee.summary", summary_id=summary.id)
    return {"data": representations.summary(summary, set())}, 202, {"Location": location}


@bp.get("/summaries/<int:summary_id>")
@bp.response(200, envelope(SummarySchema))
@bp.doc(security=PARTICIPANT_SECURITY)
def summary(summary_id: int):
    summary = _summary(summary_id)
    return {"data": representations.summary(summary, committee.file_kinds([summary.id])[summary.id])}


@bp.get("/summaries/<int:summary_id>/files/<any(pdf, csv, xlsx, json):extension>")
@bp.alt_response(404, schema=ErrorEnvelopeSchema, description="Unknown summary, or a file it does not have")
@bp.alt_response(409, schema=ErrorEnvelopeSchema, description="Not built yet")
@bp.doc(
    security=PARTICIPANT_SECURITY,
    responses={
        "200": {
            "description": "The file, as an attachment: PDF, CSV (`;`, with a BOM), spreadsheet (.xlsx, one sheet "
            "per table) or JSON; 404 for the spreadsheet of a summary made before spreadsheets were",
            "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "text/csv": {"schema": {"type": "string", "format": "binary"}},
                MEDIA_TYPES[SummaryFileKind.XLSX]: {"schema": {"type": "string", "format": "binary"}},
                "application/json": {"schema": {"type": "object"}},
            },
        }
    },
)
def summary_file(summary_id: int, extension: str):
    summary = _summary(summary_id)
    if summary.status != SummaryStatus.DONE:
        abort(409, code="summary_not_ready", message=_("Cette synthèse n’est pas encore prête : réessayez dans un moment."))
    return summary_attachment(summary, extension)
