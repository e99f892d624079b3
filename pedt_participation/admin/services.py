"""Administration: roles, moderator and manager assignments, and reading the moderation log."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from ..auth.services import end_every_sign_in_session
from ..authorization import Permission, roles_with
from ..config import town_time_zone
from ..errors import ParticipationRefused
from ..extensions import db
from ..models import (
    Consultation,
    ManagerAssignment,
    ModerationAction,
    ModerationLogEntry,
    ModeratorAssignment,
    Participant,
    Role,
)
from ..moderation.services import record

LOG_PAGE_SIZE = 50


def consultations_by_title() -> list[Consultation]:
    return list(db.session.scalars(select(Consultation).order_by(Consultation.title)))


def staff() -> list[Participant]:
    """The people who may moderate, by name: those whose actions the moderation log lists."""
    return list(
        db.session.scalars(
            select(Participant)
            .where(Participant.role.in_(roles_with(Permission.ENTER_MODERATION)))
            .order_by(Participant.display_name)
        )
    )


def find_participants(search: str, limit: int = 50) -> list[Participant]:
    query = select(Participant).order_by(Participant.role, Participant.email).limit(limit)
    if search.strip():
        pattern = f"%{search.strip().lower()}%"
        query = query.where(func.lower(Participant.email).like(pattern) | func.lower(Participant.display_name).like(pattern))
    return list(db.session.scalars(query))


Assignment = type[ModeratorAssignment] | type[ManagerAssignment]


def assignments_of(participant: Participant, kind: Assignment = ModeratorAssignment) -> set[int]:
    """The consultations the participant moderates (or, with ManagerAssignment, manages)."""
    return set(db.session.scalars(select(kind.consultation_id).where(kind.participant_id == participant.id)))


def set_role(
    admin: Participant,
    participant: Participant,
    role: Role,
    consultation_ids: Set[int],
    managed_ids: Set[int] = frozenset(),
) -> None:
    """Gives a role and, for moderators, the consultations they moderate; for staff accounts below admin (who
    manage every one), the consultations they manage. All of it is logged; a change of role signs the person out
    everywhere."""
    if participant.id == admin.id and role != Role.ADMIN:
        raise ParticipationRefused(_("Vous ne pouvez pas retirer votre propre rôle d’administration."))
    known = set(db.session.scalars(select(Consultation.id).where(Consultation.id.in_(consultation_ids | managed_ids))))
    wanted = known & consultation_ids if role == Role.MODERATOR else set()
    may_manage = role in roles_with(Permission.MANAGE) and role != Role.ADMIN
    wanted_managed = known & managed_ids if may_manage else set()
    before_role, before_assignments = participant.role, assignments_of(participant)
    before_managed = assignments_of(participant, ManagerAssignment)
    if before_role == role and before_assignments == wanted and before_managed == wanted_managed:
        return
    if role != before_role:
        # A new role starts from a new sign-in, with a new session and CSRF token.
        end_every_sign_in_session(participant)
    participant.role = role
    _assign(participant, ModeratorAssignment, before_assignments, wanted)
    _assign(participant, ManagerAssignment, before_managed, wanted_managed)
    record(
        admin,
        ModerationAction.ROLE_CHANGE,
        participant,
        None,
        role={"before": before_role.value, "after": role.value},
        consultations={"before": sorted(before_assignments), "after": sorted(wanted)},
        managed={"before": sorted(before_managed), "after": sorted(wanted_managed)},
    )


def _assign(participant: Participant, kind: Assignment, before: set[int], wanted: set[int]) -> None:
    db.session.execute(delete(kind).where(kind.participant_id == participant.id, kind.consultation_id.not_in(wanted)))
    for consultation_id in sorted(wanted - before):
        db.session.add(kind(participant_id=participant.id, consultation_id=consultation_id))


@dataclass(frozen=True)
class LogFilters:
    consultation_id: int | None = None
    moderator_id: int | None = None
    action: ModerationAction | None = None
    since: date | None = None
    until: date | None = None


def log_entries(filters: LogFilters, page: int) -> tuple[list[ModerationLogEntry], int]:
    query = select(ModerationLogEntry)
    if filters.consultation_id:
        query = query.where(ModerationLogEntry.consultation_id == filters.consultation_id)
    if filters.moderator_id:
        query = query.where(ModerationLogEntry.moderator_id == filters.moderator_id)
    if filters.action:
        query = query.where(ModerationLogEntry.action == filters.action)
    if filters.since:
        query = query.where(ModerationLogEntry.created_at >= _local_midnight(filters.since))
    if filters.until:
        query = query.where(ModerationLogEntry.created_at < _local_midnight(filters.until + timedelta(days=1)))
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    entries = db.session.scalars(
        query.order_by(ModerationLogEntry.created_at.desc(), ModerationLogEntry.id.desc())
        .limit(LOG_PAGE_SIZE)
        .offset((page - 1) * LOG_PAGE_SIZE)
    )
    return list(entries), total


def _local_midnight(day: date) -> datetime:
    """Dates typed by an admin are the town's days, not UTC days."""
    return datetime.combine(day, time.min, tzinfo=town_time_zone())
