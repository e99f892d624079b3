"""New consultations: blank, built from an imported file, or copied from last year's. Each starts as a draft that only
staff see, and is in the moderation log."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import ParticipationRefused
from ..extensions import db
from ..management.services import TITLE_MAX_LENGTH
from ..models import (
    Action,
    ActionOrigin,
    ActionState,
    Consultation,
    ConsultationStatus,
    ModerationAction,
    Orientation,
    Participant,
)
from ..moderation.services import record
from .importing import ImportPlan

SLUG_MAX_LENGTH = 80
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# What a copy for next year keeps. Every column of these tables is named here or in the NOT_COPIED lists, so that a
# new column is a decision (tests/test_creation.py checks it).
COPIED_CONSULTATION_COLUMNS = (
    "summary", "context", "supports_enabled", "vote_limit_per_orientation", "opinion_enabled",
    "majority_judgment_enabled", "allowed_audiences", "minimum_age", "k_anonymity", "hide_after_reports",
    "missing_grades_as_reject", "weekly_summaries", "summary_at_closing", "figures_during_vote", "comments_enabled",
    "codes_required",
)
# The copy has its own identity and title, starts as a draft and has next year's dates, typed in the editor.
NOT_COPIED_CONSULTATION_COLUMNS = (
    "id", "slug", "title", "status", "created_at", "published_at", "proposals_open_at", "proposals_close_at", "voting_open_at",
    "voting_close_at", "voting_dates_changed_at", "previous_voting_close_at",
)
COPIED_ORIENTATION_COLUMNS = ("position", "theme", "pictogram", "title", "description", "easy_read", "translations")
NOT_COPIED_ORIENTATION_COLUMNS = ("id", "consultation_id")
COPIED_ACTION_COLUMNS = ("title", "body", "easy_read", "translations")
# Participation and its answers belong to last year; the copy's official actions are numbered anew.
NOT_COPIED_ACTION_COLUMNS = (
    "id", "orientation_id", "position", "origin", "state", "author_id", "merged_into_id", "refusal_category",
    "rejection_reason", "created_at", "published_at", "answer_draft_state", "answer_draft_text", "answer_state",
    "answer_text", "answer_published_at", "platform_reference",
)


def suggested_slug(title: str) -> str:
    """The address part made from a title: lower case, no accents, words joined by hyphens."""
    without_accents = "".join(c for c in unicodedata.normalize("NFKD", title) if not unicodedata.combining(c))
    return "-".join(re.findall(r"[a-z0-9]+", without_accents.lower()))[:SLUG_MAX_LENGTH].strip("-")


def next_year_identity(source: Consultation, now: datetime) -> tuple[str, str]:
    """What the copy form proposes: the years in the title and address moved on by one (2026-2027 → 2027-2028),
    or next year added to the address when it names none."""
    def moved_on(text: str) -> str:
        return re.sub(r"\b(19|20)(\d\d)\b", lambda year: str(int(year.group(0)) + 1), text)

    title, slug = moved_on(source.title), moved_on(source.slug)
    if slug == source.slug:
        slug = f"{source.slug}-{now.year + 1}"[:SLUG_MAX_LENGTH]
    return title, slug


def check_identity(title: str, slug: str) -> tuple[str, str]:
    """The title and address of a new consultation, once they are valid; an empty address is made from the title."""
    title = title.strip()
    if not title:
        raise ParticipationRefused(_("Donnez un titre à la consultation."), field="title")
    if len(title) > TITLE_MAX_LENGTH:
        raise ParticipationRefused(
            _("Le titre est trop long : %(max)s caractères au plus.", max=TITLE_MAX_LENGTH), field="title"
        )
    slug = slug.strip() or suggested_slug(title)
    if not _SLUG.fullmatch(slug) or len(slug) > SLUG_MAX_LENGTH:
        raise ParticipationRefused(
            _("L’adresse ne peut contenir que des lettres minuscules sans accent, des chiffres et des tirets (par "
              "exemple pedt-2027), %(max)s caractères au plus.", max=SLUG_MAX_LENGTH),
            field="slug",
        )
    if db.session.scalar(select(Consultation.id).where(Consultation.slug == slug)) is not None:
        raise ParticipationRefused(
            _("L’adresse « %(slug)s » est déjà celle d’une autre consultation. Choisissez-en une autre, par exemple "
              "avec l’année.", slug=slug),
            field="slug",
        )
    return title, slug


def create_consultation(
    admin: Participant, title: str, slug: str, now: datetime, plan: ImportPlan | None = None, file_name: str = ""
) -> Consultation:
    """A draft consultation, empty or with the orientations and actions of an import plan that has no error."""
    title, slug = check_identity(title, slug)
    if plan is not None:
        _refuse_errors(plan)
    consultation = Consultation(slug=slug, title=title, status=ConsultationStatus.DRAFT, created_at=now)
    db.session.add(consultation)
    details: dict[str, Any] = {}
    if plan is not None:
        import_structure(consultation, plan, now)
        details = {"imported_from": file_name, "structure": _structure_counts(consultation)}
    db.session.flush()
    record(admin, ModerationAction.CREATE_CONSULTATION, consultation, consultation, **details)
    return consultation


def import_into_draft(manager: Participant, consultation: Consultation, plan: ImportPlan, file_name: str,
                      now: datetime) -> None:
    """A manager adds a file's orientations and actions to a draft they manage, after those it has. Once the
    consultation is out of draft, people may have voted on its ballot: the editor changes it then, not an import."""
    if consultation.status != ConsultationStatus.DRAFT:
        raise ParticipationRefused(
            _("L’import n’ajoute des orientations qu’à une consultation en brouillon. Modifiez celle-ci action par "
              "action, ou copiez-la pour en préparer une nouvelle."),
            field="file",
        )
    _refuse_errors(plan)
    import_structure(consultation, plan, now)
    record(manager, ModerationAction.EDIT_CONSULTATION, consultation, consultation, imported_from=file_name,
           structure={"orientations": len(plan.orientations), "actions": plan.action_count})


def _refuse_errors(plan: ImportPlan) -> None:
    if plan.errors:
        raise ParticipationRefused(_("Le fichier a des lignes à corriger : corrigez-les, puis envoyez-le à nouveau."),
                                   field="file")


def import_structure(consultation: Consultation, plan: ImportPlan, published_at: datetime) -> None:
    """Adds the plan's orientations and official actions after those the consultation has, in the file's order.
    The page and `seed-demo` both build consultations with it."""
    position = max((orientation.position for orientation in consultation.orientations), default=0)
    for imported in plan.orientations:
        position += 1
        orientation = Orientation(
            position=position, theme=imported.theme, title=imported.title, description=imported.description
        )
        for action_position, action in enumerate(imported.actions, start=1):
            orientation.actions.append(_official_action(
                action_position, published_at, title=action.title, body=action.body, easy_read=action.easy_read
            ))
        consultation.orientations.append(orientation)
    db.session.flush()


def copy_consultation(admin: Participant, source: Consultation, title: str, slug: str, now: datetime) -> Consultation:
    """Next year's draft: the source's words, settings, orientations and published official actions (with their
    translations), and nothing of its participation: no vote, comment, proposal, answer, report or log entry."""
    title, slug = check_identity(title, slug)
    copy = Consultation(
        slug=slug, title=title, status=ConsultationStatus.DRAFT, created_at=now,
        **{name: _copied(getattr(source, name)) for name in COPIED_CONSULTATION_COLUMNS},
    )
    for source_orientation in source.orientations:
        orientation = Orientation(
            **{name: _copied(getattr(source_orientation, name)) for name in COPIED_ORIENTATION_COLUMNS}
        )
        kept = [
            action for action in source_orientation.actions
            if action.origin == ActionOrigin.OFFICIAL and action.state == ActionState.PUBLISHED
        ]
        for position, source_action in enumerate(kept, start=1):
            orientation.actions.append(_official_action(
                position, now, **{name: _copied(getattr(source_action, name)) for name in COPIED_ACTION_COLUMNS}
            ))
        copy.orientations.append(orientation)
    db.session.add(copy)
    db.session.flush()
    record(admin, ModerationAction.CREATE_CONSULTATION, copy, copy, copied_from=source.id,
           structure=_structure_counts(copy))
    return copy


def _official_action(position: int, published_at: datetime, **texts: Any) -> Action:
    return Action(
        position=position, origin=ActionOrigin.OFFICIAL, state=ActionState.PUBLISHED,
        created_at=published_at, published_at=published_at, **texts,
    )


def _copied(value: Any) -> Any:
    """JSON values (translations, audiences) are copied, so that editing the copy leaves the source as it was."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value


def _structure_counts(consultation: Consultation) -> dict[str, int]:
    return {
        "orientations": len(consultation.orientations),
        "actions": sum(len(orientation.actions) for orientation in consultation.orientations),
    }
