"""A consultation's settings: how people vote, who takes part, what is shown. Once votes exist, a change that would
alter a vote already cast is refused beside its field; the others apply at once, with the consequence the page
states (see `CONSEQUENCES`)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from ..errors import ParticipationRefused
from ..extensions import db
from ..labels import AUDIENCE_LABELS
from ..languages.services import ngettext
from ..models import (
    Action,
    ActionState,
    Audience,
    Consultation,
    ModerationAction,
    Orientation,
    PaperVoteCount,
    Participant,
    Vote,
    VoteKind,
)
from ..moderation.services import record
from .lifecycle import check_editable

# The youngest people the service is for (youths from 11); the oldest minimum age a consultation may ask.
YOUNGEST_AGE, OLDEST_MINIMUM_AGE = 11, 26
MAX_K_ANONYMITY = 100


@dataclass(frozen=True)
class ConsultationSettings:
    supports_enabled: bool
    # Supports a participant may give per orientation; None = no limit.
    vote_limit_per_orientation: int | None
    opinion_enabled: bool
    majority_judgment_enabled: bool
    allowed_audiences: list[str]
    minimum_age: int
    k_anonymity: int
    missing_grades_as_reject: bool
    comments_enabled: bool
    figures_during_vote: bool
    codes_required: bool


# What a change does to what already exists, said beside the field (and tested), where it is allowed after votes.
CONSEQUENCES = {
    "k_anonymity": _l("S’applique aux résultats publiés et aux synthèses produites à partir de maintenant."),
    "missing_grades_as_reject": _l(
        "Change le calcul du jugement majoritaire pour toutes les mentions, déjà données ou à venir ; chaque "
        "synthèse indique la règle utilisée."
    ),
    "comments_enabled": _l("Désactivés : les commentaires déjà écrits restent lisibles, personne ne peut en ajouter."),
    "codes_required": _l(
        "Activé : un vote sans code est refusé, avec un message qui dit où en trouver un ; les votes déjà donnés sans "
        "code restent comptés."
    ),
    "figures_during_vote": _l(
        "Masqués : les nombres de votes disparaissent des pages, de l’API et des intégrations jusqu’à la "
        "fermeture du vote ; les votes ne changent pas."
    ),
}

_VOTE_KIND_FIELDS = {
    VoteKind.SUPPORT: ("supports_enabled", _l("soutien")),
    VoteKind.OPINION: ("opinion_enabled", _l("avis")),
    VoteKind.GRADE: ("majority_judgment_enabled", _l("jugement majoritaire")),
}


def current_settings(consultation: Consultation) -> ConsultationSettings:
    values = {field.name: getattr(consultation, field.name) for field in fields(ConsultationSettings)}
    values["allowed_audiences"] = list(values["allowed_audiences"])
    return ConsultationSettings(**values)


def edit_settings(manager: Participant, consultation: Consultation, edit: ConsultationSettings) -> list[str]:
    """Saves the settings once they are valid and leave every vote cast as it was, logs what changed (before and
    after) and returns the fields' names."""
    check_editable(consultation)
    _check_values(edit)
    before = current_settings(consultation)
    changed = [field.name for field in fields(ConsultationSettings) if getattr(before, field.name) != getattr(edit, field.name)]
    if not changed:
        return changed
    _check_votes_kept(consultation, edit)
    for name in changed:
        setattr(consultation, name, getattr(edit, name))
    db.session.flush()
    changes = {name: {"before": getattr(before, name), "after": getattr(edit, name)} for name in changed}
    record(manager, ModerationAction.EDIT_CONSULTATION, consultation, consultation, changes=changes)
    return changed


def _check_values(edit: ConsultationSettings) -> None:
    if edit.vote_limit_per_orientation is not None and edit.vote_limit_per_orientation < 1:
        raise ParticipationRefused(
            _("La limite de soutiens est d’au moins 1. Laissez le champ vide pour ne fixer aucune limite."),
            field="vote_limit_per_orientation",
        )
    if not edit.allowed_audiences:
        raise ParticipationRefused(_("Choisissez au moins un public."), field="allowed_audiences")
    if not YOUNGEST_AGE <= edit.minimum_age <= OLDEST_MINIMUM_AGE:
        raise ParticipationRefused(
            _("L’âge minimum va de %(low)s à %(high)s ans.", low=YOUNGEST_AGE, high=OLDEST_MINIMUM_AGE), field="minimum_age"
        )
    if not 1 <= edit.k_anonymity <= MAX_K_ANONYMITY:
        raise ParticipationRefused(
            _("Le seuil de confidentialité va de 1 à %(max)s personnes.", max=MAX_K_ANONYMITY), field="k_anonymity"
        )


def _votes(consultation: Consultation) -> Select:
    """Votes cast on the consultation's actions, as a statement to narrow."""
    return (
        select(Vote)
        .join(Action, Action.id == Vote.action_id)
        .join(Orientation, Orientation.id == Action.orientation_id)
        .where(Orientation.consultation_id == consultation.id)
    )


def _check_votes_kept(consultation: Consultation, edit: ConsultationSettings) -> None:
    """Refuses a change that would make a vote already cast impossible or against the rules."""
    for kind, (name, label) in _VOTE_KIND_FIELDS.items():
        if getattr(consultation, name) and not getattr(edit, name) and _has_votes(consultation, kind):
            raise ParticipationRefused(
                _("Des votes « %(kind)s » ont déjà été donnés : ce type de vote ne peut plus être retiré.", kind=label),
                field=name,
            )
    limit = edit.vote_limit_per_orientation
    if limit is not None and limit != consultation.vote_limit_per_orientation:
        most = _most_supports_in_an_orientation(consultation)
        if most > limit:
            raise ParticipationRefused(
                ngettext(
                    "Une personne a déjà donné %(num)s soutien dans une même orientation : la limite ne peut pas "
                    "descendre en dessous.",
                    "Une personne a déjà donné %(num)s soutiens dans une même orientation : la limite ne peut pas "
                    "descendre en dessous.",
                    most,
                ),
                field="vote_limit_per_orientation",
            )
    excluded = set(consultation.allowed_audiences) - set(edit.allowed_audiences)
    voted = excluded and _exists(
        _votes(consultation).join(Participant, Participant.id == Vote.participant_id).where(Participant.audience.in_(excluded))
    )
    if voted:
        names = ", ".join(str(AUDIENCE_LABELS[Audience(a)]).lower() for a in sorted(excluded))
        raise ParticipationRefused(
            _("Des personnes de ces publics ont déjà voté : %(audiences)s. Gardez-les dans la consultation.", audiences=names),
            field="allowed_audiences",
        )
    if edit.minimum_age > consultation.minimum_age:
        youngest = _youngest_voter_age(consultation)
        if youngest is not None and youngest < edit.minimum_age:
            raise ParticipationRefused(
                _("Des personnes de %(age)s ans ont déjà voté : l’âge minimum ne peut pas dépasser %(age)s ans.", age=youngest),
                field="minimum_age",
            )


def _has_votes(consultation: Consultation, kind: VoteKind) -> bool:
    """Online votes of the kind, and for supports those counted on paper at workshops too."""
    if _exists(_votes(consultation).where(Vote.kind == kind)):
        return True
    return kind == VoteKind.SUPPORT and _exists(
        select(PaperVoteCount)
        .join(Action, Action.id == PaperVoteCount.action_id)
        .join(Orientation, Orientation.id == Action.orientation_id)
        .where(Orientation.consultation_id == consultation.id, PaperVoteCount.supports > 0)
    )


def _exists(statement: Select) -> bool:
    return db.session.scalar(select(statement.exists())) or False


def _most_supports_in_an_orientation(consultation: Consultation) -> int:
    per_person = (
        select(func.count().label("supports"))
        .select_from(Vote)
        .join(Action, Action.id == Vote.action_id)
        .join(Orientation, Orientation.id == Action.orientation_id)
        # The limit counts supports on published actions only (see voting.services).
        .where(Orientation.consultation_id == consultation.id, Vote.kind == VoteKind.SUPPORT,
               Action.state == ActionState.PUBLISHED)
        .group_by(Vote.participant_id, Action.orientation_id)
        .subquery()
    )
    return db.session.scalar(select(func.coalesce(func.max(per_person.c.supports), 0))) or 0


def _youngest_voter_age(consultation: Consultation) -> int | None:
    brackets = db.session.scalars(
        _votes(consultation).join(Participant, Participant.id == Vote.participant_id)
        .with_only_columns(Participant.age_bracket).distinct()
    )
    ages = [bracket.lowest_age for bracket in brackets]
    return min(ages) if ages else None
