"""Committee summaries: queue a snapshot, build it (the task's work), schedule them, e-mail them,
compare two of them. The web pages, the Celery tasks and the CLI all come through here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..deferred_tasks import send_after_commit
from ..errors import NotFound, ParticipationRefused
from ..extensions import db, execute_counting_rows, reads_from_replica
from ..languages.services import current_language, format_count
from ..mail import mail_enabled, send_email
from ..models import (
    Activity,
    CommitteeSummary,
    CommitteeSummaryFile,
    Consultation,
    ConsultationStatus,
    Participant,
    Role,
    SummaryFileKind,
    SummaryStatus,
    SummaryTrigger,
    WebhookEvent,
    utcnow,
)
from ..navigation import public_url
from ..webhooks.services import publish_event, summary_resource
from .aggregation import aggregate, figure_text, published_cells
from .analyses_section import analyses_of
from .disclosure import DisclosureRefused
from .documents import MEDIA_TYPES, chart_images, json_chunks, summary_csv, summary_pdf, summary_xlsx
from .key_points import key_points_of, leading_actions

BUILD_TASK = "pedt.committee.build_summary"
EMAIL_TASK = "pedt.committee.email_summary"
CLOSING_PERIOD = "closing"


class SummaryFailed(Exception):
    """A build that cannot succeed by trying again; the message is shown to the committee as is."""


# --- queueing -------------------------------------------------------------------------------------


def queue_summary(
    consultation: Consultation,
    trigger: SummaryTrigger = SummaryTrigger.ON_DEMAND,
    *,
    requested_by: Participant | None = None,
    period: str | None = None,
) -> CommitteeSummary:
    """Adds the snapshot row; its build task is sent once the caller commits."""
    summary = CommitteeSummary(
        consultation_id=consultation.id,
        trigger=trigger,
        period=period,
        requested_by_id=requested_by.id if requested_by else None,
        status=SummaryStatus.QUEUED,
    )
    db.session.add(summary)
    db.session.flush()
    send_after_commit(BUILD_TASK, summary.id)
    return summary


def requeue_summary(summary: CommitteeSummary) -> None:
    """Sends a failed (or stuck queued) snapshot to the worker again."""
    if not summary.can_be_sent_again(utcnow()):
        raise ParticipationRefused(_("Cette synthèse est déjà prête ou en cours de construction."))
    summary.status = SummaryStatus.QUEUED
    summary.error = ""
    summary.progress = 0
    db.session.flush()
    send_after_commit(BUILD_TASK, summary.id)


def queue_scheduled_summaries(now: datetime | None = None) -> list[CommitteeSummary]:
    """Run by beat: a weekly snapshot (one per ISO week) while voting is open, and one when voting has
    closed, for the consultations that ask for them. The unique (consultation, trigger, period)
    makes two overlapping runs queue each snapshot once."""
    now = now or utcnow()
    queued = []
    consultations = db.session.scalars(
        select(Consultation).where(
            Consultation.status != ConsultationStatus.DRAFT,
            or_(Consultation.weekly_summaries, Consultation.summary_at_closing),
        )
    )
    for consultation in consultations:
        due = []
        if consultation.weekly_summaries and consultation.is_open_for(Activity.VOTE, now):
            year, week, _day = now.isocalendar()
            due.append((SummaryTrigger.WEEKLY, f"{year}-W{week:02d}"))
        closed = consultation.voting_close_at is not None and now >= consultation.voting_close_at
        if consultation.summary_at_closing and closed:
            due.append((SummaryTrigger.CLOSING, CLOSING_PERIOD))
        for trigger, period in due:
            if _exists(consultation, trigger, period):
                continue
            try:
                with db.session.begin_nested():
                    queued.append(queue_summary(consultation, trigger, period=period))
            except IntegrityError:
                continue  # another scheduler run queued it in the meantime
    return queued


def _exists(consultation: Consultation, trigger: SummaryTrigger, period: str) -> bool:
    return db.session.execute(
        select(func.count())
        .select_from(CommitteeSummary)
        .where(
            CommitteeSummary.consultation_id == consultation.id,
            CommitteeSummary.trigger == trigger,
            CommitteeSummary.period == period,
        )
    ).scalar_one() > 0


# --- building (the task's work) -------------------------------------------------------------------


class SummaryBeingBuilt(Exception):
    """Another worker started this snapshot less than the build's time limit ago: it may still be building."""

    def __init__(self, seconds_left: int) -> None:
        super().__init__(f"being built, known dead in {seconds_left} s at most")
        self.seconds_left = seconds_left


def claim_summary(summary_id: int, now: datetime | None = None) -> CommitteeSummary | None:
    """Marks the snapshot running; None when there is nothing to do (done or failed already, or no such
    row), which makes a re-delivered or re-run task harmless. A `running` row is taken over only once it
    is older than the build's time limit: its worker was killed (a live build is stopped at that limit);
    sooner, SummaryBeingBuilt says how long to wait, so that two workers never build the same snapshot."""
    now = now or utcnow()
    time_limit = timedelta(seconds=current_app.config["SUMMARY_BUILD_TIME_LIMIT_SECONDS"])
    claimable = or_(
        CommitteeSummary.status == SummaryStatus.QUEUED,
        (CommitteeSummary.status == SummaryStatus.RUNNING) & (CommitteeSummary.started_at <= now - time_limit),
    )
    claimed = execute_counting_rows(
        update(CommitteeSummary)
        .where(CommitteeSummary.id == summary_id, claimable)
        .values(
            status=SummaryStatus.RUNNING,
            started_at=now,
            progress=5,
            error="",
            attempts=CommitteeSummary.attempts + 1,
        )
    )
    summary = db.session.get(CommitteeSummary, summary_id, populate_existing=True)
    if claimed:
        return summary
    if summary is not None and summary.status == SummaryStatus.RUNNING and summary.started_at is not None:
        raise SummaryBeingBuilt(max(1, int((summary.started_at + time_limit - now).total_seconds()) + 1))
    return None


def build_summary(summary: CommitteeSummary, report_progress: Callable[[int], None]) -> None:
    """Aggregates, renders the files and stores everything on the row, which ends *done*.
    Raises SummaryFailed for what trying again cannot fix."""
    consultation = summary.consultation
    if consultation is None:
        raise SummaryFailed(
            _("La consultation de cette synthèse a été supprimée : il n’y a plus de résultats à compter.")
        )
    # Reading every vote and comment is the heaviest query of the app: a replica, when there is one, takes it
    # off the primary that serves the votes; the figures may then lag it by the replication delay.
    try:
        with reads_from_replica():
            data = summary_figures(consultation, before=summary)
    except DisclosureRefused as refused:
        raise SummaryFailed(
            _(
                "La synthèse n’a pas été enregistrée : %(count)s nombres cachés pourraient être retrouvés par calcul "
                "à partir des nombres publiés, même après avoir caché d’autres nombres. Aucun document n’a été "
                "produit ; une nouvelle synthèse pourra être demandée quand il y aura davantage de participants.",
                count=format_count(len(refused.findings)),
            )
        ) from refused
    report_progress(40)
    files = {
        SummaryFileKind.CSV: summary_csv(data),
        SummaryFileKind.XLSX: summary_xlsx(data),
        SummaryFileKind.PDF: summary_pdf(data),
    }
    report_progress(90)
    db.session.execute(delete(CommitteeSummaryFile).where(CommitteeSummaryFile.summary_id == summary.id))
    for kind, content in files.items():
        db.session.add(CommitteeSummaryFile(summary_id=summary.id, kind=kind, content=content, size=len(content)))
    summary.data = data
    summary.status = SummaryStatus.DONE
    summary.progress = 100
    summary.finished_at = utcnow()
    db.session.flush()
    publish_event(WebhookEvent.SUMMARY_READY, {"summary": summary_resource(summary)})
    if summary.trigger != SummaryTrigger.ON_DEMAND and mail_enabled():
        send_after_commit(EMAIL_TASK, summary.id)


def summary_figures(consultation: Consultation, *, before: CommitteeSummary | None = None) -> dict[str, Any]:
    """Every figure of a summary: the aggregation, its analyses, and « Ce qu'il faut retenir » first (in the JSON as
    on the page and in the PDF). The summaries finished before it (before `before`, the one being built, when
    given) are what moved since, for the newest, and for all, figures the reader already knows: a count is at least
    what an earlier summary published of it, and the audit knows it too (aggregate's `earlier`)."""
    previous, earlier = _earlier_summaries(consultation, before=before)
    data = aggregate(
        consultation, with_representativeness=True, with_opinion_groups=True, earlier=earlier,
        max_rounds=current_app.config["DISCLOSURE_MAX_ROUNDS"],
    )
    data["analyses"] = analyses_of(consultation, data, data.pop("representativeness"), data.pop("opinion_groups"))
    return {"key_points": key_points_of(consultation, data, previous), **data}


def population_analysis(consultation: Consultation) -> dict[str, Any] | None:
    """The participants against the reference population as a summary made now would print them, protected with
    all its figures and knowing, as a summary does, what the finished summaries published; None when no IRIS is
    mapped, or when the figures cannot be protected yet."""
    _previous, earlier = _earlier_summaries(consultation)
    try:
        return aggregate(
            consultation, with_comments=False, with_representativeness=True, earlier=earlier,
            max_rounds=current_app.config["DISCLOSURE_MAX_ROUNDS"],
        )["representativeness"]
    except DisclosureRefused:
        return None


def _earlier_summaries(
    consultation: Consultation, *, before: CommitteeSummary | None = None
) -> tuple[dict[str, Any] | None, dict[tuple, int]]:
    """The newest finished summary's figures (made before `before`, when given; None without one), and the largest
    count each cell had in all of them: what a reader of the finished summaries knows (aggregate's `earlier`)."""
    previous: dict[str, Any] | None = None
    earlier: dict[tuple, int] = {}
    for figures in earlier_figures(consultation, before=before):
        previous = previous or figures
        for key, value in published_cells(figures).items():
            earlier[key] = max(value, earlier.get(key, 0))
    return previous, earlier


def earlier_figures(consultation: Consultation, *, before: CommitteeSummary | None = None) -> Iterator[dict[str, Any]]:
    """The figures of the consultation's finished summaries (made before `before`, when given), newest first."""
    statement = select(CommitteeSummary.data).where(
        CommitteeSummary.consultation_id == consultation.id, CommitteeSummary.status == SummaryStatus.DONE
    )
    if before is not None:
        statement = statement.where(CommitteeSummary.id != before.id, CommitteeSummary.created_at <= before.created_at)
    yield from db.session.scalars(
        statement.order_by(CommitteeSummary.created_at.desc(), CommitteeSummary.id.desc()),
        execution_options={"yield_per": 4},
    )


def set_progress(summary_id: int, progress: int) -> None:
    db.session.execute(update(CommitteeSummary).where(CommitteeSummary.id == summary_id).values(progress=progress))


def record_failure(summary_id: int, error: Exception, *, will_retry: bool) -> None:
    """What the committee page shows: the reason in plain French, and whether a new try is coming."""
    if isinstance(error, SummaryFailed):
        message = str(error)
    else:
        message = _(
            "Erreur inattendue pendant la construction (%(error)s). L’équipe technique peut consulter "
            "le journal du worker.",
            error=f"{type(error).__name__}: {error}"[:300],
        )
    if will_retry:
        values: dict[str, Any] = {"status": SummaryStatus.QUEUED, "error": _("Nouvel essai dans un instant. %(message)s", message=message)}
    else:
        values = {"status": SummaryStatus.FAILED, "error": message, "finished_at": utcnow()}
    db.session.execute(
        update(CommitteeSummary)
        .where(CommitteeSummary.id == summary_id, CommitteeSummary.status != SummaryStatus.DONE)
        .values(**values)
    )


# --- e-mail ---------------------------------------------------------------------------------------


def committee_members() -> list[Participant]:
    return list(
        db.session.scalars(
            select(Participant)
            .where(Participant.role == Role.COMMITTEE, Participant.blocked_at.is_(None))
            .order_by(Participant.id)
        )
    )


def email_summary(summary_id: int) -> bool:
    """Sends a finished scheduled snapshot to the committee once, PDF attached, each member in Bcc."""
    summary = db.session.get(CommitteeSummary, summary_id)
    if summary is None or summary.status != SummaryStatus.DONE or summary.emailed_at is not None:
        return False
    recipients = tuple(member.email for member in committee_members())
    if not recipients:
        return False
    pdf = summary_file(summary, SummaryFileKind.PDF)
    send_email(
        None,
        _("Synthèse de la consultation « %(title)s »", title=summary.figures["consultation"]["title"]),
        summary_email_text(summary),
        attachments=((download_name(summary, SummaryFileKind.PDF), MEDIA_TYPES[SummaryFileKind.PDF], pdf),),
        bcc=recipients,
    )
    summary.emailed_at = utcnow()
    db.session.flush()
    return True


def summary_email_text(summary: CommitteeSummary) -> str:
    data = summary.figures
    figures = key_figures(data)
    lines = [
        _("Bonjour,"),
        "",
        _(
            "La synthèse de la consultation « %(title)s » est prête (résultats au %(date)s).",
            title=data["consultation"]["title"],
            date=format_date(datetime.fromisoformat(data["generated_at"]), "d MMMM yyyy"),
        ),
        "",
        _("Chiffres clés :"),
        *(f"- {label} : {value}" for label, value in figures.items()),
    ]
    leaders = leading_actions(data)
    if leaders:
        lines += ["", _("En tête dans chaque orientation :")]
        lines += [f"- {orientation} : {action}" for orientation, action in leaders]
    link = public_url("committee.summary", summary_id=summary.id)
    lines += [
        "",
        _("Le document complet est joint (PDF). Pour le consulter en ligne : %(link)s", link=link),
        "",
        _(
            "Les nombres inférieurs à %(k)d sont remplacés par « < %(k)d » pour que personne ne puisse être reconnu.",
            k=data["parameters"]["k_anonymity"],
        ),
    ]
    return "\n".join(lines)


def key_figures(data: dict[str, Any]) -> dict[str, str]:
    """The few numbers a committee member reads first, as they appear in every output."""
    participation = data["participation"]
    comments = sum(
        sum(action["comments"].values()) for orientation in data["orientations"] for action in orientation["actions"]
    )
    proposals = sum(orientation["proposals"]["received"] for orientation in data["orientations"])
    return {
        _("Participants en ligne"): figure_text(participation["participants"]),
        _("Soutiens"): figure_text(participation["supports"]["total"]),
        _("dont en ligne"): figure_text(participation["supports"]["parts"]["online"]),
        _("dont sur papier (ateliers)"): figure_text(participation["supports"]["parts"]["paper"]),
        _("Ateliers"): format_count(participation["workshops"]),
        _("Commentaires"): format_count(comments),
        _("Propositions reçues"): format_count(proposals),
    }


# --- reading --------------------------------------------------------------------------------------


def summaries_statement(consultation: Consultation) -> Select:
    """The consultation's snapshots, newest first."""
    return (
        select(CommitteeSummary)
        .where(CommitteeSummary.consultation_id == consultation.id)
        .order_by(CommitteeSummary.created_at.desc(), CommitteeSummary.id.desc())
    )


def summaries_of(consultation: Consultation) -> list[CommitteeSummary]:
    return list(db.session.scalars(summaries_statement(consultation)))


def summary_of(summary_id: int, *, done: bool = False) -> CommitteeSummary:
    """The snapshot (with `done`, only once built); NotFound otherwise."""
    summary = db.session.get(CommitteeSummary, summary_id)
    if summary is None or (done and summary.status != SummaryStatus.DONE):
        raise NotFound()
    return summary


def summary_file(summary: CommitteeSummary, kind: SummaryFileKind) -> bytes:
    return db.session.execute(
        select(CommitteeSummaryFile.content).where(
            CommitteeSummaryFile.summary_id == summary.id, CommitteeSummaryFile.kind == kind
        )
    ).scalar_one()


def require_file(summary: CommitteeSummary, kind: SummaryFileKind) -> None:
    """NotFound for a file the summary does not have (a summary made before spreadsheets were, has no .xlsx)."""
    if db.session.scalar(select(CommitteeSummaryFile.id).where(
        CommitteeSummaryFile.summary_id == summary.id, CommitteeSummaryFile.kind == kind
    )) is None:
        raise NotFound()


def file_kinds(summary_ids: list[int]) -> dict[int, set[SummaryFileKind]]:
    """The files stored for each summary, in one query."""
    kinds: dict[int, set[SummaryFileKind]] = {summary_id: set() for summary_id in summary_ids}
    rows = db.session.execute(
        select(CommitteeSummaryFile.summary_id, CommitteeSummaryFile.kind).where(
            CommitteeSummaryFile.summary_id.in_(summary_ids)
        )
    )
    for summary_id, kind in rows:
        kinds[summary_id].add(kind)
    return kinds


def file_chunks(summary_id: int, kind: SummaryFileKind, chunk_size: int = 256 * 1024) -> Iterator[bytes]:
    """A stored file a slice at a time, so a download never holds the whole file in memory."""
    of_file = (CommitteeSummaryFile.summary_id == summary_id, CommitteeSummaryFile.kind == kind)
    size = db.session.scalar(select(CommitteeSummaryFile.size).where(*of_file))
    for start in range(0, size or 0, chunk_size):
        yield db.session.execute(
            select(func.substr(CommitteeSummaryFile.content, start + 1, chunk_size)).where(*of_file)
        ).scalar_one()


def data_chunks(summary_id: int) -> Iterator[bytes]:
    """The snapshot's figures as JSON, a piece at a time."""
    yield from json_chunks(db.session.get_one(CommitteeSummary, summary_id).figures)


def download_name(summary: CommitteeSummary, extension: str) -> str:
    slug = summary.data["consultation"]["slug"] if summary.data else "consultation"
    day = (summary.finished_at or summary.created_at).date().isoformat()
    return f"synthese-{slug}-{day}-{summary.id}.{extension}"


# --- comparing two snapshots ----------------------------------------------------------------------


@dataclass
class ActionChange:
    orientation: str
    title: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def supports_change(self) -> int | None:
        """Only between two figures that both show: a difference with a hidden figure would reveal it."""
        if self.before is None or self.after is None:
            return None
        old, new = (side["supports"]["by_channel"]["total"]["value"] for side in (self.before, self.after))
        return new - old if old is not None and new is not None else None


def compare(older: CommitteeSummary, newer: CommitteeSummary) -> dict[str, Any]:
    """What changed between two snapshots of the same consultation, action by action."""
    def actions(summary: CommitteeSummary) -> dict[int, tuple[str, dict[str, Any]]]:
        return {
            action["id"]: (orientation["title"], action)
            for orientation in summary.figures["orientations"]
            for action in orientation["actions"]
        }

    before, after = actions(older), actions(newer)
    changes = []
    for action_id in [*after, *(key for key in before if key not in after)]:
        orientation, action = after.get(action_id) or before[action_id]
        changes.append(
            ActionChange(orientation, action["title"], before.get(action_id, (None, None))[1],
                         after.get(action_id, (None, None))[1])
        )
    participants = [s.figures["participation"]["participants"] for s in (older, newer)]
    return {
        "participants": participants,
        "participants_change": (
            participants[1]["value"] - participants[0]["value"]
            if participants[0]["value"] is not None and participants[1]["value"] is not None
            else None
        ),
        "actions": changes,
    }


def page_charts(summary: CommitteeSummary) -> dict[str, Any]:
    """The charts of a finished summary for its page. Drawing them takes seconds and a finished summary never
    changes, so each process draws them once (keyed by the summary, the moment it was finished and the reader's
    language, in which the charts write their numbers)."""
    return _charts_of(summary.id, summary.finished_at, current_language())


@lru_cache(maxsize=16)
def _charts_of(summary_id: int, finished_at: datetime | None, language: str) -> dict[str, Any]:
    data = db.session.scalar(select(CommitteeSummary.data).where(CommitteeSummary.id == summary_id))
    return chart_images(data) if data else {}
