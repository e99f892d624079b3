"""Shapes of API v1: what the views accept and answer, and what the OpenAPI document says they do."""

from __future__ import annotations

from functools import cache

from marshmallow import Schema, fields, validate

from ..comments.services import MAX_COMMENT_LENGTH
from ..models import (
    ActionOrigin,
    ActionState,
    Alignment,
    AnswerState,
    ConsultationStatus,
    DecisionProgress,
    DecisionVerdict,
    Grade,
    Opinion,
    RefusalCategory,
    Role,
    SummaryStatus,
    SummaryTrigger,
    VotesHeld,
)

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
ALIGNMENTS = {alignment.name.lower(): alignment.value for alignment in Alignment}


def _one_of(enum_type) -> validate.OneOf:
    return validate.OneOf([member.value for member in enum_type])


# --- errors and pages -----------------------------------------------------------------------------


class ErrorSchema(Schema):
    code = fields.String(required=True, metadata={"description": "Stable, for programs: e.g. not_found"})
    message = fields.String(required=True, metadata={"description": "In plain French, to show as is"})
    field_errors = fields.Dict(data_key="fields", metadata={"description": "Per request part and field, what is wrong"})


class ErrorEnvelopeSchema(Schema):
    error = fields.Nested(ErrorSchema, required=True)


class PageArgsSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class PageMetaSchema(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


class PageLinksSchema(Schema):
    self = fields.Url(required=True)
    next = fields.Url()
    prev = fields.Url()


@cache
def envelope(item_schema: type[Schema], *, many: bool = False) -> type[Schema]:
    """`{"data": …}`, with `meta` and `links` for a page of a list; one class per shape, so the OpenAPI
    document names each once."""
    name = item_schema.__name__.removesuffix("Schema")
    if not many:
        return Schema.from_dict({"data": fields.Nested(item_schema, required=True)}, name=f"{name}Envelope")
    return Schema.from_dict(
        {
            "data": fields.List(fields.Nested(item_schema), required=True),
            "meta": fields.Nested(PageMetaSchema, required=True),
            "links": fields.Nested(PageLinksSchema, required=True),
        },
        name=f"{name}Page",
    )


# --- consultations, orientations, actions ---------------------------------------------------------


class PhaseSchema(Schema):
    opens_at = fields.AwareDateTime(allow_none=True, required=True)
    closes_at = fields.AwareDateTime(allow_none=True, required=True)


class PhasesSchema(Schema):
    proposals = fields.Nested(PhaseSchema, required=True)
    voting = fields.Nested(PhaseSchema, required=True)


class VotingRulesSchema(Schema):
    supports_enabled = fields.Boolean(required=True)
    vote_limit_per_orientation = fields.Integer(allow_none=True, required=True)
    opinion_enabled = fields.Boolean(required=True)
    majority_judgment_enabled = fields.Boolean(required=True)
    allowed_audiences = fields.List(fields.String(), required=True)
    minimum_age = fields.Integer(required=True)
    figures_during_vote = fields.Boolean(
        required=True, metadata={"description": "False: the counts of votes are shown only once the vote has closed"}
    )
    comments_enabled = fields.Boolean(required=True)


class ConsultationSchema(Schema):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    status = fields.String(required=True, validate=_one_of(ConsultationStatus))
    phases = fields.Nested(PhasesSchema, required=True)
    voting = fields.Nested(VotingRulesSchema, required=True)
    url = fields.Url(required=True)
    api_url = fields.Url(required=True)


class OpinionCountsSchema(Schema):
    pour = fields.Integer(required=True)
    mitige = fields.Integer(required=True)
    contre = fields.Integer(required=True)


_HIDDEN_DURING_VOTE = " Null until the vote closes when the consultation shows no figures during the vote."


class ActionCountsSchema(Schema):
    supports = fields.Integer(required=True, allow_none=True,
                              metadata={"description": "Online and on paper." + _HIDDEN_DURING_VOTE})
    paper_supports = fields.Integer(required=True, allow_none=True, metadata={"description": _HIDDEN_DURING_VOTE.strip()})
    opinions = fields.Nested(OpinionCountsSchema, required=True, allow_none=True,
                             metadata={"description": _HIDDEN_DURING_VOTE.strip()})
    grades = fields.Dict(
        keys=fields.String(), values=fields.Integer(), required=True, allow_none=True,
        metadata={"description": "Number of each grade, 0 (À rejeter) to 6 (Excellent)." + _HIDDEN_DURING_VOTE},
    )
    comments = fields.Integer(required=True)


class AnswerSchema(Schema):
    state = fields.String(required=True, validate=_one_of(AnswerState))
    text = fields.String(required=True)
    published_at = fields.AwareDateTime(allow_none=True, required=True)


class RefusalSchema(Schema):
    category = fields.String(required=True, validate=_one_of(RefusalCategory), metadata={"description": "The kind of reason"})
    reason = fields.String(required=True, metadata={"description": "The moderator's words to the author"})


class DecisionSchema(Schema):
    verdict = fields.String(
        required=True, validate=_one_of(DecisionVerdict),
        metadata={"description": "The steering committee's decision once the vote has closed"},
    )
    explanation = fields.String(required=True)
    progress = fields.String(
        allow_none=True, required=True, validate=_one_of(DecisionProgress),
        metadata={"description": "Where a retained action stands; null until told"},
    )
    progress_note = fields.String(required=True)
    published_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)


class ActionSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    origin = fields.String(required=True, validate=_one_of(ActionOrigin))
    state = fields.String(required=True, validate=_one_of(ActionState))
    orientation_id = fields.Integer(required=True)
    published_at = fields.AwareDateTime(allow_none=True, required=True)
    counts = fields.Nested(ActionCountsSchema, required=True)
    answer = fields.Nested(AnswerSchema, allow_none=True, required=True)
    refusal = fields.Nested(
        RefusalSchema, allow_none=True, required=True,
        metadata={"description": "Why moderation refused the proposal (its author and moderators see it); null otherwise"},
    )
    decision = fields.Nested(
        DecisionSchema, allow_none=True, required=True, metadata={"description": "Null until the decision is published"}
    )
    url = fields.Url(required=True)
    api_url = fields.Url(required=True)


class OrientationSchema(Schema):
    id = fields.Integer(required=True)
    position = fields.Integer(required=True)
    theme = fields.String(allow_none=True, required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    actions = fields.List(fields.Nested(ActionSchema), required=True)


class ConsultationDetailSchema(ConsultationSchema):
    context = fields.String(required=True)
    orientations = fields.List(fields.Nested(OrientationSchema), required=True)


class OrientationRefSchema(Schema):
    id = fields.Integer(required=True)
    position = fields.Integer(required=True)
    title = fields.String(required=True)


class ConsultationRefSchema(Schema):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    api_url = fields.Url(required=True)


class ActionDetailSchema(ActionSchema):
    orientation = fields.Nested(OrientationRefSchema, required=True)
    consultation = fields.Nested(ConsultationRefSchema, required=True)


class ActionFilterSchema(PageArgsSchema):
    orientation_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class ProposalInputSchema(Schema):
    orientation_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    title = fields.String(required=True, validate=validate.Length(min=3, max=400))
    body = fields.String(load_default="", validate=validate.Length(max=5000))


# --- votes ----------------------------------------------------------------------------------------


class SupportInputSchema(Schema):
    value = fields.Integer(
        validate=validate.Equal(1), metadata={"description": "1, or left out (as the whole body may be)"}
    )


class OpinionInputSchema(Schema):
    value = fields.Integer(
        required=True,
        validate=validate.OneOf([opinion.value for opinion in Opinion]),
        metadata={"description": "-1 contre, 0 mitigé, 1 pour"},
    )


class GradeInputSchema(Schema):
    value = fields.Integer(
        required=True,
        validate=validate.OneOf([grade.value for grade in Grade]),
        metadata={"description": "0 (À rejeter) to 6 (Excellent)"},
    )


class MyVotesSchema(Schema):
    action_id = fields.Integer(required=True)
    support = fields.Boolean(required=True)
    opinion = fields.Integer(allow_none=True, required=True)
    grade = fields.Integer(allow_none=True, required=True)
    supports_remaining_in_orientation = fields.Integer(
        allow_none=True, required=True, metadata={"description": "null when supports are not limited"}
    )


# --- comments -------------------------------------------------------------------------------------


class AuthorSchema(Schema):
    display_name = fields.String(required=True)
    team = fields.String(
        allow_none=True, required=True, validate=validate.OneOf(["moderation", "town"]),
        metadata={"description": "Set when the author writes for the town's team (moderation; town: the committee or "
                                 "the administration), to be shown beside the name; null for a participant"},
    )


class CommentSchema(Schema):
    id = fields.Integer(required=True)
    action_id = fields.Integer(required=True)
    parent_id = fields.Integer(allow_none=True, required=True)
    depth = fields.Integer(required=True)
    state = fields.String(
        required=True, validate=validate.OneOf(["visible", "deleted", "hidden"]),
        metadata={"description": "Only a visible comment has a body and an author: the others keep their place in the thread"},
    )
    body = fields.String(allow_none=True, required=True)
    author = fields.Nested(AuthorSchema, allow_none=True, required=True)
    alignment = fields.String(required=True, validate=validate.OneOf(list(ALIGNMENTS)))
    created_at = fields.AwareDateTime(required=True)
    ups = fields.Integer(required=True)
    downs = fields.Integer(required=True)


class CommentInputSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=MAX_COMMENT_LENGTH))
    alignment = fields.String(load_default="neutre", validate=validate.OneOf(list(ALIGNMENTS)))
    parent_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))


# --- the actor, moderation ------------------------------------------------------------------------


class MeSchema(Schema):
    id = fields.Integer(required=True)
    display_name = fields.String(required=True)
    role = fields.String(required=True, validate=_one_of(Role))
    platform_uid = fields.String(allow_none=True, required=True)
    votes_count = fields.Boolean(
        required=True, metadata={"description": "Whether this person's votes are counted now (see votes_held_because)"}
    )
    votes_held_because = fields.List(
        fields.String(validate=_one_of(VotesHeld)),
        required=True,
        metadata={
            "description": "Why the votes are kept but not counted, empty when they count: email_unconfirmed (the "
            "confirmation link was not opened), parental_consent_pending (under 15, no parent consented yet), "
            "blocked (by moderators), held_for_review (a moderator holds them while reviewing the account). A consultation "
            "requiring participation codes also needs one entered there."
        },
    )


class ApprovalInputSchema(Schema):
    title = fields.String(validate=validate.Length(min=3, max=400), metadata={"description": "Edited wording"})
    body = fields.String(validate=validate.Length(max=5000))
    orientation_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class ReasonInputSchema(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class RejectionInputSchema(Schema):
    category = fields.String(
        load_default=RefusalCategory.OTHER.value,
        validate=_one_of(RefusalCategory),
        metadata={"description": "The kind of reason, counted in the committee's summary; other when not given"},
    )
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


# --- committee summaries --------------------------------------------------------------------------


class SummaryFilesSchema(Schema):
    pdf = fields.Url(required=True)
    csv = fields.Url(required=True)
    xlsx = fields.Url(
        required=True, allow_none=True, metadata={"description": "The spreadsheet; null for a summary made before them"}
    )
    json = fields.Url(required=True)


class SummarySchema(Schema):
    id = fields.Integer(required=True)
    consultation_slug = fields.String(allow_none=True, required=True)
    status = fields.String(required=True, validate=_one_of(SummaryStatus))
    progress = fields.Integer(required=True, metadata={"description": "Percent"})
    trigger = fields.String(required=True, validate=_one_of(SummaryTrigger))
    created_at = fields.AwareDateTime(required=True)
    finished_at = fields.AwareDateTime(allow_none=True, required=True)
    error = fields.String(allow_none=True, required=True)
    files = fields.Nested(SummaryFilesSchema, allow_none=True, required=True, metadata={"description": "Once done"})
    url = fields.Url(required=True, metadata={"description": "The committee's page of this summary"})
    api_url = fields.Url(required=True)
