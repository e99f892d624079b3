"""The moderation log in words: what each entry was about and what it changed, in the reader's language.
Entries keep their facts as data (`target_type`, `details`); this is the one place that reads them aloud."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..labels import ANSWER_STATE_LABELS, ROLE_LABELS
from ..languages.services import ngettext
from ..models import AnswerState, ModerationLogEntry, Role
from ..templating import format_long_date

_TARGET_KINDS = {
    "action": _l("Action n° %(id)s"),
    "comment": _l("Commentaire n° %(id)s"),
    "participant": _l("Compte n° %(id)s"),
    "consultation": _l("Consultation n° %(id)s"),
    "workshop": _l("Atelier n° %(id)s"),
}

_CHANGED_FIELDS = {
    "title": _l("titre"),
    "body": _l("description"),
    "orientation_id": _l("orientation"),
    "summary": _l("introduction"),
    "context": _l("d’où viennent ces orientations"),
    "proposals_open_at": _l("ouverture des propositions"),
    "proposals_close_at": _l("fermeture des propositions"),
    "voting_open_at": _l("ouverture du vote"),
    "voting_close_at": _l("fermeture du vote"),
}


def log_target(entry: ModerationLogEntry) -> str:
    kind = _TARGET_KINDS.get(entry.target_type)
    return str(kind) % {"id": entry.target_id} if kind is not None else f"{entry.target_type} {entry.target_id}"


def _numbers(ids: list[int]) -> str:
    return ", ".join(_("n° %(id)s", id=number) for number in ids) or _("aucune")


def log_details(entry: ModerationLogEntry) -> list[str]:
    """One short sentence per fact the entry recorded; a fact this function does not know is shown as it is
    stored rather than hidden."""
    details: dict[str, Any] = dict(entry.details or {})
    sentences = []
    if "reports" in details:
        sentences.append(ngettext("%(num)s signalement", "%(num)s signalements", details.pop("reports")))
    if "changes" in details:
        changed = [str(_CHANGED_FIELDS.get(name, name)) for name in details.pop("changes")]
        sentences.append(_("Modifié : %(fields)s", fields=", ".join(changed)) if changed else _("Publiée telle quelle"))
    if "into" in details:
        sentences.append(_("Regroupée dans l’action n° %(id)s", id=details.pop("into")))
    if "moved_votes" in details:
        sentences.append(ngettext("%(num)s vote déplacé", "%(num)s votes déplacés", details.pop("moved_votes")))
    if "moved_comments" in details:
        sentences.append(
            ngettext("%(num)s commentaire déplacé", "%(num)s commentaires déplacés", details.pop("moved_comments"))
        )
    if "state" in details:
        sentences.append(_("Réponse : %(state)s", state=ANSWER_STATE_LABELS[AnswerState(details.pop("state"))]))
    if "actions" in details:
        sentences.append(ngettext("%(num)s réponse publiée", "%(num)s réponses publiées", len(details.pop("actions"))))
    if "role" in details:
        role = details.pop("role")
        sentences.append(
            _("Rôle : %(before)s → %(after)s", before=ROLE_LABELS[Role(role["before"])], after=ROLE_LABELS[Role(role["after"])])
        )
    if "consultations" in details:
        moderated = details.pop("consultations")
        sentences.append(
            _("Consultations modérées : %(before)s → %(after)s", before=_numbers(moderated["before"]), after=_numbers(moderated["after"]))
        )
    if "managed" in details:
        managed = details.pop("managed")
        sentences.append(
            _("Consultations gérées : %(before)s → %(after)s", before=_numbers(managed["before"]), after=_numbers(managed["after"]))
        )
    if "held_on" in details:
        sentences.append(_("Atelier du %(date)s", date=format_long_date(date.fromisoformat(details.pop("held_on")))))
    if "place" in details:
        sentences.append(_("Lieu : %(place)s", place=details.pop("place")))
    if "supports" in details:
        sentences.append(ngettext("%(num)s soutien saisi", "%(num)s soutiens saisis", details.pop("supports")))
    if "imported_from" in details:
        sentences.append(_("Importée du fichier « %(name)s »", name=details.pop("imported_from")))
    if "copied_from" in details:
        sentences.append(_("Copie de la consultation n° %(id)s", id=details.pop("copied_from")))
    if "structure" in details:
        structure = details.pop("structure")
        sentences.append(ngettext("%(num)s orientation", "%(num)s orientations", structure["orientations"]))
        sentences.append(ngettext("%(num)s action", "%(num)s actions", structure["actions"]))
    sentences += [f"{name} : {value}" for name, value in details.items()]
    return sentences
