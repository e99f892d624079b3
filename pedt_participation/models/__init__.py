"""All models, imported here so that Alembic and the app see the whole schema."""

from .api_tokens import ApiToken
from .codes import CodeBatch, ParticipationCode, participant_counts_in, vote_counts
from .comments import MAX_COMMENT_DEPTH, Alignment, Comment, CommentRating
from .consultations import (
    AFTER_THE_VOTE,
    Action,
    ActionOrigin,
    ActionState,
    Activity,
    AnswerState,
    Consultation,
    ConsultationStatus,
    Orientation,
    Pictogram,
    RefusalCategory,
)
from .decisions import Decision, DecisionProgress, DecisionVerdict
from .moderation import (
    ManagerAssignment,
    ModerationAction,
    ModerationLogEntry,
    ModeratorAssignment,
    Notification,
    Report,
    ReportReason,
)
from .participants import (
    AGE_BRACKETS_OF_AUDIENCE,
    CONSENT_AGE_BRACKETS,
    ERASED_ACCOUNT_NAME,
    UNDER_15_AGE_BRACKETS,
    YOUTH_AGE_BRACKETS,
    AgeBracket,
    Audience,
    Participant,
    Role,
    VotesHeld,
    comparable_name,
)
from .population import PopulationArea
from .privacy import AccountErasure, ErasureReason
from .profile_lists import OTHER_ANSWER, UNSAID_ANSWER, ProfileAnswerMapping, ProfileListEntry, ProfileListKind
from .security import SignInLockout, SignInSession
from .summaries import CommitteeSummary, CommitteeSummaryFile, SummaryFileKind, SummaryStatus, SummaryTrigger
from .types import utcnow
from .votes import Grade, Opinion, PaperVoteCount, Vote, VoteKind, Workshop
from .webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "AFTER_THE_VOTE",
    "CONSENT_AGE_BRACKETS",
    "ERASED_ACCOUNT_NAME",
    "MAX_COMMENT_DEPTH",
    "OTHER_ANSWER",
    "UNSAID_ANSWER",
    "YOUTH_AGE_BRACKETS",
    "UNDER_15_AGE_BRACKETS",
    "AGE_BRACKETS_OF_AUDIENCE",
    "VotesHeld",
    "AccountErasure",
    "Action",
    "ActionOrigin",
    "ActionState",
    "Activity",
    "AgeBracket",
    "ApiToken",
    "AnswerState",
    "Alignment",
    "Audience",
    "CodeBatch",
    "Comment",
    "CommitteeSummary",
    "CommitteeSummaryFile",
    "CommentRating",
    "Consultation",
    "Decision",
    "DecisionProgress",
    "DecisionVerdict",
    "ConsultationStatus",
    "DeliveryStatus",
    "ErasureReason",
    "Grade",
    "ModerationAction",
    "ModerationLogEntry",
    "ManagerAssignment",
    "ModeratorAssignment",
    "Notification",
    "Opinion",
    "Orientation",
    "PaperVoteCount",
    "ParticipationCode",
    "Pictogram",
    "PopulationArea",
    "ProfileAnswerMapping",
    "ProfileListEntry",
    "ProfileListKind",
    "Participant",
    "RefusalCategory",
    "Report",
    "ReportReason",
    "Role",
    "SignInLockout",
    "SignInSession",
    "SummaryFileKind",
    "SummaryStatus",
    "SummaryTrigger",
    "Vote",
    "VoteKind",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "Workshop",
    "comparable_name",
    "participant_counts_in",
    "utcnow",
    "vote_counts",
]
