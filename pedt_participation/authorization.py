"""Who may do what: the one place that says which roles reach moderation, the committee's summaries, the
management of consultations and administration, and whom a moderator may block. Pages, the API and the menu ask it the same question, and a
refusal is one `Forbidden`, answered in `errors.py`."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from flask import Blueprint, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, false, or_, select, true

from .errors import Forbidden
from .extensions import db
from .models import (
    Action,
    Comment,
    Consultation,
    ConsultationRules,
    ManagerAssignment,
    ModeratorAssignment,
    Orientation,
    Participant,
    Person,
    Report,
    Role,
    Vote,
)


class Permission(enum.StrEnum):
    # The moderation pages, before knowing which consultation (and an account that cannot be blocked there).
    ENTER_MODERATION = "enter_moderation"
    # One consultation's queue, reports, answers, workshops, open data and translations.
    MODERATE = "moderate"
    # The committee's summaries, pages and API.
    READ_SUMMARIES = "read_summaries"
    # A consultation's words and dates; without a consultation, whether the person manages at least one.
    MANAGE = "manage"
    # Recording and publishing the decisions on a consultation's actions: the committee, the consultation's
    # managers and admins; without a consultation, whether the person may for at least one.
    DECIDE = "decide"
    # A new consultation, blank, imported or copied: a new public space whose managers and moderators the admins
    # choose, so admins only; a manager runs the consultations given to them.
    CREATE_CONSULTATION = "create_consultation"
    # Roles, the moderation log, webhooks and API tokens.
    ADMINISTER = "administer"
    # Blocking and unblocking anyone (not only the people of one's consultations), and the list of every blocked
    # account with its reason.
    BLOCK_SITE_WIDE = "block_site_wide"


_ROLES = {
    Permission.ENTER_MODERATION: frozenset({Role.MODERATOR, Role.ADMIN}),
    Permission.MODERATE: frozenset({Role.MODERATOR, Role.ADMIN}),
    Permission.READ_SUMMARIES: frozenset({Role.COMMITTEE, Role.ADMIN}),
    # Managers are chosen among staff accounts only: a participant's account is never given a consultation to run.
    Permission.MANAGE: frozenset({Role.MODERATOR, Role.COMMITTEE, Role.ADMIN}),
    Permission.DECIDE: frozenset({Role.MODERATOR, Role.COMMITTEE, Role.ADMIN}),
    Permission.CREATE_CONSULTATION: frozenset({Role.ADMIN}),
    Permission.ADMINISTER: frozenset({Role.ADMIN}),
    Permission.BLOCK_SITE_WIDE: frozenset({Role.ADMIN}),
}

# The town's team: whoever moderates, manages a consultation, sits on the committee or administers. Moderation
# never blocks them; an admin who must stop one of them takes their role away first.
STAFF_ROLES = frozenset({Role.MODERATOR, Role.COMMITTEE, Role.ADMIN})

# What an API client is told (`code`, `message`) when refused; pages show the standard refusal page.
_REFUSALS = {
    Permission.MODERATE: ("not_a_moderator", _l("Seule la modération de cette consultation peut faire cela.")),
    Permission.READ_SUMMARIES: ("not_committee", _l("Les synthèses sont réservées au comité de pilotage.")),
    Permission.MANAGE: ("not_a_manager", _l("Seules les personnes qui gèrent cette consultation peuvent la modifier.")),
    Permission.DECIDE: (
        "not_a_decider",
        _l("Seuls le comité de pilotage et les personnes qui gèrent cette consultation enregistrent ses décisions."),
    ),
}


def roles_with(permission: Permission) -> frozenset[Role]:
    """The roles that hold the permission (for MODERATE, on the consultations assigned to a moderator)."""
    return _ROLES[permission]


def can(
    person: Person | None, permission: Permission, consultation: Consultation | ConsultationRules | None = None
) -> bool:
    """`consultation` is needed for MODERATE: a moderator moderates only the consultations assigned to them,
    an admin every one. MANAGE asks the same of manager assignments, for the consultation given or, without one,
    for any; DECIDE is the committee's and admins' everywhere, and MANAGE's otherwise. Anonymous visitors (None, or Flask-Login's anonymous user) may do none of these."""
    if person is None or not person.is_authenticated or person.role not in _ROLES[permission]:
        return False
    if permission == Permission.DECIDE:
        # The committee decides on every consultation; a moderator only on those they manage.
        return person.role != Role.MODERATOR or can(person, Permission.MANAGE, consultation)
    if permission not in _ASSIGNMENTS or person.role == Role.ADMIN:
        return True
    if consultation is None and permission == Permission.MODERATE:
        raise ValueError("MODERATE is checked against a consultation")
    query = select(Consultation.id).where(_assigned_to(person, permission))
    if consultation is not None:
        query = query.where(Consultation.id == consultation.id)
    return db.session.scalar(query.limit(1)) is not None


# The permissions held on the consultations a person is assigned to (admins: on every one).
_ASSIGNMENTS: dict[Permission, type[ModeratorAssignment] | type[ManagerAssignment]] = {
    Permission.MODERATE: ModeratorAssignment,
    Permission.MANAGE: ManagerAssignment,
}


def _assigned_to(person: Person, permission: Permission) -> ColumnElement[bool]:
    if person.role == Role.ADMIN:
        return true()
    if person.role not in _ROLES[permission]:
        return false()
    assignment = _ASSIGNMENTS[permission]
    return Consultation.id.in_(select(assignment.consultation_id).where(assignment.participant_id == person.id))


def moderated_by(person: Participant) -> ColumnElement[bool]:
    """The condition on consultations that `can(person, MODERATE, ·)` checks, to list them in one query."""
    return _assigned_to(person, Permission.MODERATE)


def managed_by(person: Participant) -> ColumnElement[bool]:
    """The condition on consultations that `can(person, MANAGE, ·)` checks, to list them in one query."""
    return _assigned_to(person, Permission.MANAGE)


def moderating(consultation: Consultation) -> ColumnElement[bool]:
    """The condition on participants who may moderate the consultation: admins and its assigned moderators."""
    assigned = select(ModeratorAssignment.participant_id).where(ModeratorAssignment.consultation_id == consultation.id)
    return (Participant.role == Role.ADMIN) | ((Participant.role == Role.MODERATOR) & Participant.id.in_(assigned))


def contributing_to(consultation: Consultation) -> ColumnElement[bool]:
    """The condition on participants who voted, commented or proposed in the consultation."""
    actions = select(Action.id).join(Orientation).where(Orientation.consultation_id == consultation.id)
    return or_(
        Participant.id.in_(select(Vote.participant_id).where(Vote.action_id.in_(actions))),
        Participant.id.in_(select(Comment.author_id).where(Comment.action_id.in_(actions))),
        Participant.id.in_(
            select(Action.author_id).join(Orientation).where(Orientation.consultation_id == consultation.id)
        ),
    )


def taking_part_in(consultation: Consultation) -> ColumnElement[bool]:
    """The condition on participants who took part in the consultation: voted, commented, proposed or reported
    there."""
    reporters = select(Report.reporter_id).where(Report.consultation_id == consultation.id)
    return or_(contributing_to(consultation), Participant.id.in_(reporters))


def can_block(person: Participant, participant: Participant, consultation: Consultation) -> bool:
    """Blocking or unblocking `participant` from the moderation of `consultation`: its moderators reach the people
    who took part in it, admins anyone; nobody blocks the town's team there."""
    return participant.id in blockable(person, consultation, [participant])


def blockable(person: Participant, consultation: Consultation, people: Iterable[Participant]) -> set[int]:
    """`can_block` for many people at once, in one query: the ids of those `person` may block or unblock."""
    if not can(person, Permission.MODERATE, consultation):
        return set()
    query = select(Participant.id).where(
        Participant.id.in_({participant.id for participant in people}), Participant.role.not_in(STAFF_ROLES)
    )
    if not can(person, Permission.BLOCK_SITE_WIDE):
        query = query.where(taking_part_in(consultation))
    return set(db.session.scalars(query))


def require_block(person: Participant, participant: Participant, consultation: Consultation) -> Participant:
    """The person, when they may block or unblock `participant` from this consultation; otherwise `Forbidden`."""
    if not can_block(person, participant, consultation):
        message = (
            _l("Un compte de l’équipe de la ville ne peut pas être bloqué par la modération.")
            if participant.role in STAFF_ROLES
            else _l(
                "Cette personne n’a pas participé à cette consultation : seule l’administration peut bloquer ou "
                "débloquer son compte."
            )
        )
        raise Forbidden("cannot_block", str(message))
    return person


def require(person: Participant, permission: Permission, consultation: Consultation | None = None) -> Participant:
    """The person, when they may; otherwise `Forbidden`."""
    if not can(person, permission, consultation):
        code, message = _REFUSALS.get(permission, ("forbidden", None))
        raise Forbidden(code, str(message) if message is not None else None)
    return person


def require_platform_may_act_for(person: Participant) -> Participant:
    """The host platform's token acts for participants; for a staff account only when PLATFORM_TOKEN_STAFF_ROLES
    names its role, so that a leaked or misused platform token cannot moderate or administer."""
    if person.role != Role.PARTICIPANT and person.role not in current_app.config["PLATFORM_TOKEN_STAFF_ROLES"]:
        raise Forbidden(
            "platform_cannot_act_for_staff",
            str(
                _l(
                    "Le jeton de la plateforme n’agit que pour les participants. Ce compte de l’équipe doit se "
                    "connecter sur le site, ou utiliser un jeton d’API personnel."
                )
            ),
        )
    return person


def restrict_pages(blueprint: Blueprint, permission: Permission) -> None:
    """Every page of the blueprint (and of those nested in it) asks to sign in first, then for the permission."""

    @blueprint.before_request
    @login_required
    def _require_permission() -> None:
        require(current_user, permission)
