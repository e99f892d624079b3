"""Committee summaries: built in the background, on demand or on a schedule, then e-mailed."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

# A worker builds the summaries: it imports their analyses and their charts' library (matplotlib) when it starts, so
# that its first build takes no longer than the next ones. Only workers import this module; the web processes,
# which never build a summary, never import matplotlib.
from pedt_participation.committee import charts, division, opinion_groups, services, themes  # noqa: F401
from pedt_participation.extensions import db
from tasks.notifications import SMTP_RETRIES

# And the word lists the comments' themes read, for the same reason.
themes.read_word_lists()


@shared_task(
    bind=True,
    name="pedt.committee.build_summary",
    acks_late=True,
    max_retries=3,
)
def build_summary(self, summary_id: int) -> str:
    """Idempotent: a snapshot already built is left as it is. An unexpected error is retried with
    a growing delay; a hopeless one (SummaryFailed, time limit) fails at once, its reason on the row.
    Time limits: SUMMARY_BUILD_TIME_LIMIT_SECONDS (see config's task_annotations)."""
    try:
        summary = services.claim_summary(summary_id)
    except services.SummaryBeingBuilt as busy:
        # Looked at again once the other build is finished, or known dead (retries left for real errors).
        raise self.retry(countdown=busy.seconds_left, max_retries=None) from busy
    db.session.commit()
    if summary is None:
        return "nothing to do"

    def report_progress(progress: int) -> None:
        services.set_progress(summary_id, progress)
        db.session.commit()

    try:
        services.build_summary(summary, report_progress)
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        retry = not isinstance(error, services.SummaryFailed | SoftTimeLimitExceeded) and (
            self.request.retries < self.max_retries
        )
        services.record_failure(summary_id, error, will_retry=retry)
        db.session.commit()
        if retry:
            raise self.retry(exc=error, countdown=10 * 2**self.request.retries) from error
        if isinstance(error, services.SummaryFailed):
            return "failed"
        raise
    return "done"


@shared_task(name="pedt.committee.email_summary", **SMTP_RETRIES)
def email_summary(summary_id: int) -> bool:
    """Idempotent: a summary already e-mailed is not sent again."""
    sent = services.email_summary(summary_id)
    db.session.commit()
    return sent


@shared_task(name="pedt.committee.queue_scheduled_summaries", acks_late=True)
def queue_scheduled_summaries() -> list[int]:
    """Run by beat; the (consultation, trigger, period) uniqueness makes overlapping runs harmless."""
    queued = services.queue_scheduled_summaries()
    db.session.commit()
    return [summary.id for summary in queued]
