"""All models, imported here so that Alembic and the app see the whole schema."""

from .api_tokens import ApiToken
from .comments import MAX_COMMENT_DEPTH, Alignment, Comment, CommentRating
from .consultations import (
    Action,
    ActionOrigin,
    ActionState,
    AnswerState,
    Consultation,
    ConsultationStatus,
    Orientation,
)
from .moderation import (
    ManagerAssignment,
    ModerationAction,
    ModerationLogEntry,
    ModeratorAssignment,
    Notification,
    Report,
    ReportReason,
)
from .participants import ERASED_ACCOUNT_NAME, YOUTH_AGE_BRACKETS, AgeBracket, Audience, Participant, Role
from .population import PopulationArea
from .privacy import AccountErasure, ErasureReason
from .security import SignInLockout
from .summaries import CommitteeSummary, CommitteeSummaryFile, SummaryFileKind, SummaryStatus, SummaryTrigger
from .types import utcnow
from .votes import Grade, Opinion, PaperVoteCount, Vote, VoteKind, Workshop
from .webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "ERASED_ACCOUNT_NAME",
    "MAX_COMMENT_DEPTH",
    "YOUTH_AGE_BRACKETS",
    "AccountErasure",
    "Action",
    "ActionOrigin",
    "ActionState",
    "AgeBracket",
    "ApiToken",
    "AnswerState",
    "Alignment",
    "Audience",
    "Comment",
    "CommitteeSummary",
    "CommitteeSummaryFile",
    "CommentRating",
    "Consultation",
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
    "PopulationArea",
    "Participant",
    "Report",
    "ReportReason",
    "Role",
    "SignInLockout",
    "SummaryFileKind",
    "SummaryStatus",
    "SummaryTrigger",
    "Vote",
    "VoteKind",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "Workshop",
    "utcnow",
]
