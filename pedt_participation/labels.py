"""French wording of the domain's values, in one place for pages, forms and the API."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .committee.profile_groups import NOT_GIVEN, OTHER_NEIGHBOURHOODS
from .models import (
    OTHER_ANSWER,
    ActionState,
    AgeBracket,
    Alignment,
    AnswerState,
    Audience,
    ConsultationStatus,
    DecisionProgress,
    DecisionVerdict,
    DeliveryStatus,
    Grade,
    ModerationAction,
    Opinion,
    Pictogram,
    RefusalCategory,
    ReportReason,
    Role,
    SummaryStatus,
    SummaryTrigger,
    VoteKind,
    WebhookEvent,
)

AUDIENCE_LABELS = {
    Audience.PARENT: _l("Parent"),
    Audience.YOUTH: _l("Jeune (11 à 25 ans)"),
    Audience.PROFESSIONAL: _l("Professionnel ou professionnelle de l’éducation"),
}

AGE_BRACKET_LABELS = {
    AgeBracket.FROM_11_TO_14: _l("11 à 14 ans"),
    AgeBracket.FROM_15_TO_17: _l("15 à 17 ans"),
    AgeBracket.FROM_18_TO_25: _l("18 à 25 ans"),
    AgeBracket.FROM_26_TO_39: _l("26 à 39 ans"),
    AgeBracket.FROM_40_TO_59: _l("40 à 59 ans"),
    AgeBracket.FROM_60: _l("60 ans et plus"),
}

# The groups a committee summary makes of its own beside the entries of the lists, which the summary's data holds in
# French whatever the language it was built in (summaries already built too): translated only when shown. No entry
# of a list may take one of these names (`management.profile_lists`), or it would be counted in with them.
SUMMARY_GROUP_LABELS = {NOT_GIVEN: _l("non renseigné"), OTHER_ANSWER: _l("Autre"), OTHER_NEIGHBOURHOODS: _l("Autres")}

CONSULTATION_STATUS_LABELS = {
    ConsultationStatus.DRAFT: _l("Brouillon"),
    ConsultationStatus.PUBLISHED: _l("Ouverte"),
    ConsultationStatus.CLOSED: _l("Terminée"),
    ConsultationStatus.DECISIONS_PUBLISHED: _l("Décisions publiées"),
    ConsultationStatus.ARCHIVED: _l("Archivée"),
}

ACTION_STATE_LABELS = {
    ActionState.PENDING: _l("En attente de relecture"),
    ActionState.PUBLISHED: _l("Publiée"),
    ActionState.REJECTED: _l("Refusée"),
    ActionState.MERGED: _l("Regroupée avec une autre action"),
    ActionState.WITHDRAWN: _l("Retirée par son auteur"),
    ActionState.HIDDEN: _l("Masquée par la modération"),
}

REFUSAL_CATEGORY_LABELS = {
    RefusalCategory.OUT_OF_SCOPE: _l("Hors du champ du projet éducatif"),
    RefusalCategory.ALREADY_PLANNED: _l("Déjà prévu ou existant"),
    RefusalCategory.DUPLICATE: _l("Doublon d’une autre proposition"),
    RefusalCategory.AGAINST_CHARTER: _l("Ne respecte pas la charte de participation"),
    RefusalCategory.NOT_FEASIBLE: _l("Pas réalisable par la commune"),
    RefusalCategory.OTHER: _l("Autre raison"),
}

VOTE_KIND_LABELS = {
    VoteKind.SUPPORT: _l("Soutien"),
    VoteKind.OPINION: _l("Avis"),
    VoteKind.GRADE: _l("Mention"),
}

OPINION_LABELS = {
    Opinion.POUR: _l("Pour"),
    Opinion.MITIGE: _l("Mitigé"),
    Opinion.CONTRE: _l("Contre"),
}

# The pictograms staff choose from, in the order the form offers them.
PICTOGRAM_LABELS = {
    Pictogram.SCHOOL: _l("École"),
    Pictogram.FAMILY: _l("Famille"),
    Pictogram.SPORT: _l("Sport"),
    Pictogram.CULTURE: _l("Culture"),
    Pictogram.HEALTH: _l("Santé"),
    Pictogram.NATURE: _l("Nature"),
    Pictogram.DIGITAL: _l("Numérique"),
    Pictogram.CITIZENSHIP: _l("Citoyenneté"),
    Pictogram.COOPERATION: _l("Coopération"),
    Pictogram.INCLUSION: _l("Inclusion"),
    Pictogram.TRAINING: _l("Formation"),
    Pictogram.IDEAS: _l("Idées"),
    Pictogram.COMMUNICATION: _l("Communication"),
    Pictogram.PATH: _l("Parcours"),
    Pictogram.AWARD: _l("Valorisation"),
}

GRADE_LABELS = {
    Grade.EXCELLENT: _l("Excellent"),
    Grade.TRES_BIEN: _l("Très bien"),
    Grade.BIEN: _l("Bien"),
    Grade.ASSEZ_BIEN: _l("Assez bien"),
    Grade.PASSABLE: _l("Passable"),
    Grade.INSUFFISANT: _l("Insuffisant"),
    Grade.A_REJETER: _l("À rejeter"),
}

ALIGNMENT_LABELS = {
    Alignment.POUR: _l("Pour"),
    Alignment.NEUTRE: _l("Neutre"),
    Alignment.CONTRE: _l("Contre"),
}

ROLE_LABELS = {
    Role.PARTICIPANT: _l("Participant"),
    Role.MODERATOR: _l("Modération"),
    Role.COMMITTEE: _l("Comité de pilotage"),
    Role.ADMIN: _l("Administration"),
}

# The badge beside the name of someone who writes for the town's team (comments and replies, pages and API), so
# that nobody else can pass for them; participants have none. API: the key, in `author.team`.
STAFF_TEAMS = {Role.MODERATOR: "moderation", Role.COMMITTEE: "town", Role.ADMIN: "town"}
STAFF_TEAM_LABELS = {"moderation": _l("Modération"), "town": _l("Équipe de la ville")}

MODERATION_ACTION_LABELS = {
    ModerationAction.APPROVE: _l("Proposition publiée"),
    ModerationAction.REJECT: _l("Proposition refusée"),
    ModerationAction.MERGE: _l("Propositions regroupées"),
    ModerationAction.HIDE: _l("Contenu masqué"),
    ModerationAction.UNHIDE: _l("Contenu rétabli"),
    ModerationAction.DISMISS_REPORTS: _l("Signalements classés"),
    ModerationAction.BLOCK: _l("Compte bloqué"),
    ModerationAction.UNBLOCK: _l("Compte débloqué"),
    ModerationAction.ANSWER: _l("Réponse officielle rédigée"),
    ModerationAction.PUBLISH_ANSWERS: _l("Réponses officielles publiées"),
    ModerationAction.PAPER_VOTES: _l("Votes papier saisis"),
    ModerationAction.ROLE_CHANGE: _l("Rôle modifié"),
    ModerationAction.EDIT_CONSULTATION: _l("Consultation modifiée"),
    ModerationAction.CHANGE_PHASE: _l("Étape de la consultation"),
    ModerationAction.ADD_ITEM: _l("Élément ajouté"),
    ModerationAction.EDIT_ITEM: _l("Élément modifié"),
    ModerationAction.REMOVE_ITEM: _l("Élément supprimé"),
    ModerationAction.MOVE_ITEM: _l("Élément déplacé"),
    ModerationAction.DECIDE: _l("Décision enregistrée"),
    ModerationAction.PUBLISH_DECISIONS: _l("Décisions publiées"),
    ModerationAction.CREATE_CONSULTATION: _l("Consultation créée"),
    ModerationAction.GENERATE_CODES: _l("Codes de participation créés"),
    ModerationAction.REVOKE_CODES: _l("Codes de participation révoqués"),
    ModerationAction.HOLD_VOTES: _l("Votes retenus en attente de vérification"),
    ModerationAction.RELEASE_VOTES: _l("Votes libérés"),
}

REPORT_REASON_LABELS = {
    ReportReason.SPAM: _l("Publicité ou spam"),
    ReportReason.OFFENSIVE: _l("Propos insultants, haineux ou choquants"),
    ReportReason.OFF_TOPIC: _l("Hors sujet"),
    ReportReason.PERSONAL_DATA: _l("Données personnelles (nom, adresse, téléphone…)"),
    ReportReason.OTHER: _l("Autre raison"),
}

ANSWER_STATE_LABELS = {
    AnswerState.EVALUATING: _l("À l’étude"),
    AnswerState.ACCEPTED: _l("Retenue"),
    AnswerState.NOT_RETAINED: _l("Non retenue"),
}

DECISION_VERDICT_LABELS = {
    DecisionVerdict.RETAINED: _l("Retenue"),
    DecisionVerdict.RETAINED_AMENDED: _l("Retenue avec des modifications"),
    DecisionVerdict.NOT_RETAINED: _l("Non retenue"),
    DecisionVerdict.UNDER_WAY: _l("Déjà en cours"),
}

DECISION_PROGRESS_LABELS = {
    DecisionProgress.PLANNED: _l("À venir"),
    DecisionProgress.IN_PROGRESS: _l("En cours"),
    DecisionProgress.DONE: _l("Réalisée"),
    DecisionProgress.ABANDONED: _l("Abandonnée"),
}

SUMMARY_STATUS_LABELS = {
    SummaryStatus.QUEUED: _l("En attente"),
    SummaryStatus.RUNNING: _l("En préparation"),
    SummaryStatus.DONE: _l("Prête"),
    SummaryStatus.FAILED: _l("Échec"),
}

SUMMARY_TRIGGER_LABELS = {
    SummaryTrigger.ON_DEMAND: _l("Demandée"),
    SummaryTrigger.WEEKLY: _l("Hebdomadaire"),
    SummaryTrigger.CLOSING: _l("Clôture du vote"),
}

WEBHOOK_EVENT_LABELS = {
    WebhookEvent.PROPOSAL_PUBLISHED: _l("Proposition publiée (proposal.published)"),
    WebhookEvent.ACTION_ANSWERED: _l("Réponse officielle publiée (action.answered)"),
    WebhookEvent.SUMMARY_READY: _l("Synthèse du comité prête (summary.ready)"),
    WebhookEvent.DECISION_PUBLISHED: _l("Décision publiée (decision.published)"),
    WebhookEvent.PING: _l("Essai (ping)"),
}

DELIVERY_STATUS_LABELS = {
    DeliveryStatus.PENDING: _l("En attente"),
    DeliveryStatus.DELIVERED: _l("Reçu"),
    DeliveryStatus.FAILED: _l("Échec"),
}
