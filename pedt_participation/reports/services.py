"""Reporting: anyone signed in flags a comment, an action or a person once; enough reports from people of the
consultation hide the content until a moderator looks at it (never one of the town's official actions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError

from ..authorization import contributing_to
from ..errors import ParticipationRefused
from ..extensions import db
from ..models import (
    Action,
    ActionOrigin,
    ActionState,
    Comment,
    Consultation,
    Participant,
    Report,
    ReportReason,
    utcnow,
)
from ..navigation import site_path
from ..notifications.services import notify_moderators


@dataclass(frozen=True)
class Target:
    """What is reported: exactly one of a comment, an action or a participant."""

    comment: Comment | None = None
    action: Action | None = None
    participant: Participant | None = None

    @property
    def filters(self) -> dict:
        return {
            "comment_id": self.comment.id if self.comment else None,
            "action_id": self.action.id if self.action else None,
            "reported_participant_id": self.participant.id if self.participant else None,
        }

    @property
    def author_id(self) -> int | None:
        if self.participant is not None:
            return self.participant.id
        content = self.comment or self.action
        return content.author_id if content is not None else None

    def describe(self) -> str:
        if self.comment is not None:
            return _("un commentaire")
        if self.action is not None:
            return _("l’action « %(title)s »", title=self.action.title)
        # A target is exactly one of the three: here, the participant.
        return _("le compte « %(name)s »", name=self.participant.display_name)  # type: ignore[union-attr]


def open_reports_count(target: Target) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(Report)
        .filter_by(**target.filters)
        .where(Report.resolved_at.is_(None))
    ).scalar_one()


# A report counts towards hiding content automatically only when its author's account is at least this old and
# voted, commented or proposed in the consultation: reports from new or idle accounts reach the moderators' queue
# all the same, but a few throwaway accounts cannot hide anything by themselves.
REPORTER_MINIMUM_AGE = timedelta(days=1)


def _counting(consultation: Consultation) -> list[ColumnElement[bool]]:
    """The conditions on a reporter (a `Participant`) whose reports count towards hiding."""
    return [Participant.created_at <= utcnow() - REPORTER_MINIMUM_AGE, contributing_to(consultation)]


def counts_towards_hiding(reporter: Participant, consultation: Consultation) -> bool:
    query = select(Participant.id).where(Participant.id == reporter.id, *_counting(consultation))
    return db.session.scalar(query) is not None


def counting_reports_count(target: Target, consultation: Consultation) -> int:
    """Open reports on the target from people whose reports count towards hiding."""
    return db.session.execute(
        select(func.count())
        .select_from(Report)
        .filter_by(**target.filters)
        .join(Participant, Participant.id == Report.reporter_id)
        .where(Report.resolved_at.is_(None), *_counting(consultation))
    ).scalar_one()


def report(
    reporter: Participant, consultation: Consultation, target: Target, reason: ReportReason, details: str = ""
) -> Report:
    if target.author_id == reporter.id:
        raise ParticipationRefused(_("Vous ne pouvez pas signaler ce que vous avez écrit vous-même."))
    if db.session.scalar(select(Report.id).filter_by(reporter_id=reporter.id, **target.filters)) is not None:
        raise ParticipationRefused(_("Vous avez déjà signalé ce contenu. Merci : l’équipe de modération va le regarder."))
    entry = Report(
        reporter_id=reporter.id, consultation_id=consultation.id, reason=reason, details=details.strip(), **target.filters
    )
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError as error:
        raise ParticipationRefused(_("Vous avez déjà signalé ce contenu.")) from error
    if (
        counts_towards_hiding(reporter, consultation)
        and counting_reports_count(target, consultation) == consultation.hide_after_reports
    ):
        _hide_automatically(consultation, target)
    return entry


def _hide_automatically(consultation: Consultation, target: Target) -> None:
    """At the threshold a comment or a participant's action is hidden at once; the town's official actions stay
    up and a person is never blocked without a moderator, but moderators are told in every case."""
    now = utcnow()
    if target.comment is not None and target.comment.hidden_at is None:
        target.comment.hidden_at = now
    elif (
        target.action is not None
        and target.action.state == ActionState.PUBLISHED
        and target.action.origin != ActionOrigin.OFFICIAL
    ):
        target.action.state = ActionState.HIDDEN
    db.session.flush()
    notify_moderators(
        consultation,
        lambda: _(
            "%(count)s signalements pour %(what)s : à examiner.",
            count=consultation.hide_after_reports,
            what=target.describe(),
        ),
        site_path("moderation.reports", slug=consultation.slug),
    )
