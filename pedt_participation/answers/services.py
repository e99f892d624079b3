"""Official answers: moderators draft the town's answer to each action, then publish drafts in bulk;
everyone who voted on or discussed the action is told."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, union

from ..consultations.services import published_actions
from ..errors import ParticipationRefused
from ..extensions import db
from ..labels import ANSWER_STATE_LABELS
from ..languages.services import in_language_of
from ..models import (
    Action,
    AnswerState,
    Comment,
    Consultation,
    ModerationAction,
    Participant,
    Vote,
    WebhookEvent,
    utcnow,
)
from ..moderation.services import check_moderation_open, record
from ..navigation import site_path
from ..notifications.services import notify
from ..webhooks.services import action_resource, publish_event

MAX_ANSWER_LENGTH = 5000


def save_draft(moderator: Participant, action: Action, state: AnswerState, text: str) -> None:
    check_moderation_open(action.orientation.consultation)
    text = text.strip()
    if len(text) > MAX_ANSWER_LENGTH:
        raise ParticipationRefused(_("La réponse dépasse %(max)s caractères : raccourcissez-la.", max=MAX_ANSWER_LENGTH))
    if state != AnswerState.EVALUATING and not text:
        raise ParticipationRefused(_("Expliquez la décision en quelques phrases : les participants la liront."))
    action.answer_draft_state = state
    action.answer_draft_text = text
    record(moderator, ModerationAction.ANSWER, action, action.orientation.consultation, state=state.value)


def followers(action: Action) -> list[Participant]:
    """People who voted on the action or commented on it, each once."""
    ids = union(
        select(Vote.participant_id).where(Vote.action_id == action.id),
        select(Comment.author_id).where(Comment.action_id == action.id, Comment.author_id.is_not(None)),
    ).subquery()
    return list(db.session.scalars(select(Participant).where(Participant.id.in_(select(ids.c[0])))))


def publish_answers(moderator: Participant, consultation: Consultation, action_ids: list[int]) -> list[Action]:
    """Publishes the chosen drafts that differ from what is shown; returns the actions answered."""
    check_moderation_open(consultation)
    chosen = [a for a in published_actions(consultation) if a.id in set(action_ids) and a.has_unpublished_answer]
    if not chosen:
        raise ParticipationRefused(_("Aucune réponse à publier : cochez des réponses enregistrées en brouillon."))
    now = utcnow()
    for action in chosen:
        action.answer_state = action.answer_draft_state
        action.answer_text = action.answer_draft_text
        action.answer_published_at = now
        publish_event(WebhookEvent.ACTION_ANSWERED, {"action": action_resource(action)})
        # Every draft chosen has a state (has_unpublished_answer).
        state = ANSWER_STATE_LABELS[action.answer_state]  # type: ignore[index]
        link = site_path("consultations.action", action_id=action.id, anchor="reponse")
        author = action.author if action.author is not None and action.author.is_active else None
        if author is not None:
            # The person who proposed the action hears of the answer as its author, by e-mail too when they asked
            # for the decisions by e-mail.
            with in_language_of(author):
                own = _("La ville a répondu à votre proposition « %(title)s » : %(state)s.",
                        title=action.title, state=str(state).lower())
            notify(author, own, link, email=author.decision_emails)
        for person in followers(action):
            if person != author:
                with in_language_of(person):
                    message = _("La ville a répondu à l’action « %(title)s » : %(state)s.",
                                title=action.title, state=str(state).lower())
                notify(person, message, link)
    record(moderator, ModerationAction.PUBLISH_ANSWERS, consultation, consultation, actions=[a.id for a in chosen])
    return chosen
