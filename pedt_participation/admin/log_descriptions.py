"""The moderation log in words: what each entry was about and what it changed, in the reader's language.
Entries keep their facts as data (`target_type`, `details`); this is the one place that reads them aloud."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..labels import ANSWER_STATE_LABELS, CONSULTATION_STATUS_LABELS, REFUSAL_CATEGORY_LABELS, ROLE_LABELS
from ..languages.services import ngettext
from ..management.lifecycle import STEP_LABELS, Step
from ..models import AnswerState, ConsultationStatus, ModerationLogEntry, RefusalCategory, Role
from ..templating import format_long_date

_TARGET_KINDS = {
    "action": _l("Action n° %(id)s"),
    "comment": _l("Commentaire n° %(id)s"),
    "participant": _l("Compte n° %(id)s"),
    "consultation": _l("Consultation n° %(id)s"),
    "orientation": _l("Orientation n° %(id)s"),
    "workshop": _l("Atelier n° %(id)s"),
    "codebatch": _l("Lot de codes n° %(id)s"),
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
    "published_at": _l("publication"),
    "status": _l("étape"),
    "description": _l("description"),
    "easy_read": _l("version facile à lire"),
    "theme": _l("thème"),
    "pictogram": _l("pictogramme"),
    "translations": _l("traductions"),
    "supports_enabled": _l("soutiens"),
    "vote_limit_per_orientation": _l("soutiens par orientation"),
    "opinion_enabled": _l("avis"),
    "majority_judgment_enabled": _l("jugement majoritaire"),
    "allowed_audiences": _l("publics invités"),
    "minimum_age": _l("âge minimum"),
    "k_anonymity": _l("seuil de confidentialité"),
    "missing_grades_as_reject": _l("mentions manquantes"),
    "comments_enabled": _l("commentaires"),
    "figures_during_vote": _l("nombres de votes pendant le vote"),
    "codes_required": _l("code nécessaire pour voter"),
    "verdict": _l("décision"),
    "explanation": _l("explication"),
    "progress": _l("avancement"),
    "progress_note": _l("note sur l’avancement"),
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
    if "step" in details:
        sentences.append(_("Étape : %(step)s", step=STEP_LABELS[Step(details.pop("step"))]))
        status = details.pop("status", None)
        if status:
            sentences.append(_("%(before)s → %(after)s", before=CONSULTATION_STATUS_LABELS[ConsultationStatus(status["before"])],
                               after=CONSULTATION_STATUS_LABELS[ConsultationStatus(status["after"])]))
    if "title" in details:
        sentences.append(_("« %(title)s »", title=details.pop("title")))
    if "position" in details:
        position = details.pop("position")
        sentences.append(_("Position : %(before)s → %(after)s", before=position["before"], after=position["after"]))
    if "reports" in details:
        sentences.append(ngettext("%(num)s signalement", "%(num)s signalements", details.pop("reports")))
    if "changes" in details:
        changed = [str(_CHANGED_FIELDS.get(name, name)) for name in details.pop("changes")]
        sentences.append(_("Modifié : %(fields)s", fields=", ".join(changed)) if changed else _("Publiée telle quelle"))
    if "category" in details:
        sentences.append(_("Motif : %(category)s", category=REFUSAL_CATEGORY_LABELS[RefusalCategory(details.pop("category"))]))
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
    if "decisions" in details:
        sentences.append(
            ngettext("%(num)s décision publiée", "%(num)s décisions publiées", len(details.pop("decisions")))
        )
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
    if "label" in details:
        sentences.append(_("Lieu de distribution : %(label)s", label=details.pop("label")))
    if "count" in details:
        sentences.append(ngettext("%(num)s code", "%(num)s codes", details.pop("count")))
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
