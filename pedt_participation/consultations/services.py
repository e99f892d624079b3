"""Consultations, their orientations and actions: what is public, who may take part, proposals, closing."""

from __future__ import annotations

import dataclasses
import enum
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from ..authorization import Permission, can
from ..errors import NotFound, ParticipationRefused
from ..extensions import db, execute_without_orm
from ..kept_counts import kept_counts
from ..labels import AUDIENCE_LABELS
from ..models import (
    AFTER_THE_VOTE,
    Action,
    ActionOrigin,
    ActionState,
    Activity,
    Audience,
    Consultation,
    ConsultationRules,
    ConsultationStatus,
    Orientation,
    Participant,
    Person,
    Vote,
    participant_counts_in,
    utcnow,
)
from ..navigation import site_path
from ..notifications.services import notify_moderators
from ..templating import format_long_date
from .similarity import keywords, similarity

PARTICIPANTS = "consultation-participants"  # the kind of counts the home page keeps (kept_counts)
PUBLIC_STATUSES = (
    ConsultationStatus.PUBLISHED,
    ConsultationStatus.CLOSED,
    ConsultationStatus.DECISIONS_PUBLISHED,
    ConsultationStatus.ARCHIVED,
)


@dataclass(frozen=True)
class HomeListing:
    open: list[Consultation]
    closed: list[Consultation]
    archived: list[Consultation]
    # People who voted at least once, by consultation id (open and closed ones).
    participants: dict[int, int]


def public_consultations_statement() -> Select:
    """Every consultation but drafts, newest first."""
    return (
        select(Consultation)
        .where(Consultation.status.in_(PUBLIC_STATUSES))
        .order_by(Consultation.created_at.desc(), Consultation.id.desc())
    )


def home_listing() -> HomeListing:
    # Their orientations too, whose pictograms the cards show.
    consultations = db.session.scalars(
        public_consultations_statement().options(selectinload(Consultation.orientations))
    ).all()
    open_ = [c for c in consultations if c.status == ConsultationStatus.PUBLISHED]
    closed = [c for c in consultations if c.status in (ConsultationStatus.CLOSED, ConsultationStatus.DECISIONS_PUBLISHED)]
    return HomeListing(
        open=open_,
        closed=closed,
        archived=[c for c in consultations if c.status == ConsultationStatus.ARCHIVED],
        participants=kept_counts(PARTICIPANTS, [c.id for c in open_ + closed], participant_counts),
    )


def participant_counts(consultation_ids: list[int]) -> dict[int, int]:
    """How many people voted at least once in each consultation, counting only those whose votes count there, as the
    vote counts do (`participant_counts_in`: not blocked, address confirmed, votes not held, a parent's consent
    under 15, no revoked code): each person's votes looked up through the index on people, which costs a lookup per
    person rather than a read of every vote (0.12 s instead of 1.3 s a consultation of a million votes and 26,000
    voters, on a loaded machine). The home page keeps them a few seconds (kept_counts)."""
    counts = dict.fromkeys(consultation_ids, 0)
    if not consultation_ids:
        return counts
    voted_there = (
        select(Vote.id)
        .join(Action, Action.id == Vote.action_id)
        .join(Orientation, Orientation.id == Action.orientation_id)
        .where(Vote.participant_id == Participant.id, Orientation.consultation_id == Consultation.id)
        # Explicit: the consultation is two levels out, beyond automatic correlation.
        .correlate(Participant, Consultation)
        .exists()
    )
    people = select(func.count()).select_from(Participant).where(participant_counts_in(Consultation.id), voted_there)
    rows = db.session.execute(
        select(Consultation.id, people.correlate(Consultation).scalar_subquery()).where(Consultation.id.in_(consultation_ids))
    )
    counts.update((consultation_id, number) for consultation_id, number in rows)
    return counts


def days_left_to_vote(consultation: Consultation, now: datetime) -> int | None:
    """Whole days, rounded up, until the vote closes: 1 on its last day; None when it is not open or never closes."""
    if consultation.voting_close_at is None or not consultation.is_open_for(Activity.VOTE, now):
        return None
    left = consultation.voting_close_at - now
    return left.days + (1 if left.seconds or left.microseconds else 0)


def all_consultations() -> list[Consultation]:
    """Every consultation, drafts included, newest first, for staff pages."""
    return list(db.session.scalars(select(Consultation).order_by(Consultation.created_at.desc())))


def get_consultation(slug: str) -> Consultation:
    """Any consultation, drafts included, for staff pages; NotFound when the slug is unknown."""
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        raise NotFound()
    return consultation


def get_public_consultation(slug: str, viewer: Participant | None = None) -> Consultation:
    """A consultation people may read; a draft only for those who manage it (its preview)."""
    consultation = db.session.scalar(
        select(Consultation).where(Consultation.slug == slug).options(selectinload(Consultation.orientations))
    )
    if consultation is None or not _readable(consultation, viewer):
        raise NotFound()
    return consultation


def _readable(consultation: Consultation | ConsultationRules, viewer: Person | None) -> bool:
    return consultation.status in PUBLIC_STATUSES or can(viewer, Permission.MANAGE, consultation)


def published_actions_statement(consultation: Consultation, orientation_id: int | None = None) -> Select:
    """The consultation's published actions (not those of blocked authors), in reading order; with
    `orientation_id`, those of that orientation only."""
    statement = (
        select(Action)
        .join(Orientation)
        .outerjoin(Participant, Participant.id == Action.author_id)
        .where(
            Orientation.consultation_id == consultation.id,
            Action.state == ActionState.PUBLISHED,
            Participant.writings_shown,
        )
        .order_by(Orientation.position, Action.position, Action.id)
    )
    return statement if orientation_id is None else statement.where(Action.orientation_id == orientation_id)


def published_actions(consultation: Consultation) -> list[Action]:
    return list(db.session.scalars(published_actions_statement(consultation)))


def by_orientation(consultation: Consultation, actions: list[Action]) -> dict[int, list[Action]]:
    grouped: dict[int, list[Action]] = {o.id: [] for o in consultation.orientations}
    for action in actions:
        grouped[action.orientation_id].append(action)
    return grouped


class ActionOrder(enum.StrEnum):
    """How a consultation page lists each orientation's actions. Random by default, so that the first actions
    listed do not collect the supports of people who stop reading (the order Decidim uses for proposals)."""

    RANDOM = "random"
    MOST_SUPPORTED = "supported"
    NEWEST = "newest"


def action_orders(consultation: Consultation) -> list[ActionOrder]:
    """The orders a reader may choose: by supports only when supports are counted and their figures are shown,
    so that the order never reveals figures hidden during the vote."""
    orders = list(ActionOrder)
    if not (consultation.supports_enabled and consultation.figures_visible()):
        orders.remove(ActionOrder.MOST_SUPPORTED)
    return orders


def _shuffle_key(seed: str, action: Action) -> bytes:
    return hashlib.blake2b(f"{seed}:{action.id}".encode(), digest_size=8).digest()


def order_actions(
    grouped: dict[int, list[Action]], order: ActionOrder, seed: str, supports: dict[int, int]
) -> dict[int, list[Action]]:
    """Each orientation's actions in the chosen order. The random order depends on the reader's `seed` and each
    action alone: the same person sees the same order at every visit, and a new action does not reshuffle the
    others. `supports` gives each action's support count, for the most supported first."""
    keys: dict[ActionOrder, Callable[[Action], Any]] = {
        ActionOrder.RANDOM: lambda a: _shuffle_key(seed, a),
        ActionOrder.MOST_SUPPORTED: lambda a: (-supports.get(a.id, 0), a.position, a.id),
        ActionOrder.NEWEST: lambda a: (-(a.published_at or a.created_at).timestamp(), -a.id),
    }
    return {orientation_id: sorted(actions, key=keys[order]) for orientation_id, actions in grouped.items()}


# Every action page runs it: built once, so that SQLAlchemy neither rebuilds it nor recomputes its cache key.
_ACTION_WITH_CONSULTATION = (
    select(Action)
    .where(Action.id == bindparam("action_id"))
    .options(joinedload(Action.orientation).joinedload(Orientation.consultation))
)


def get_visible_action(action_id: int, viewer: Person | None) -> Action:
    """Published actions are public; a proposal awaiting review (or refused) is shown to its author only."""
    action = db.session.scalar(_ACTION_WITH_CONSULTATION, {"action_id": action_id})
    if action is None:
        raise NotFound()
    author_shown = action.author is None or action.author.writings_shown
    _check_visible(action, author_shown, action.orientation.consultation, viewer)
    return action


@dataclass(frozen=True)
class VoteOrientation:
    """What a vote reads of an action's orientation: the support limit counts per orientation, names it in its
    refusal, and follows the consultation's rules."""

    id: int
    title: str
    consultation: ConsultationRules


@dataclass(frozen=True)
class VoteTarget:
    """The action a vote is about, with what the vote's rules read of its orientation and consultation."""

    id: int
    state: ActionState
    author_id: int | None
    orientation: VoteOrientation

    @property
    def orientation_id(self) -> int:
        return self.orientation.id


# Every vote runs it, built once: plain columns rather than three ORM objects (each object and each column loaded
# costs CPU at every vote), and whether the author's writings are shown (true without an author).
_CONSULTATION_RULES_COLUMNS = [
    getattr(Consultation, field.name) for field in dataclasses.fields(ConsultationRules)
]
_VOTE_TARGET = (
    select(
        Action.id,
        Action.state,
        Action.author_id,
        Participant.writings_shown,
        Orientation.id,
        Orientation.title,
        *_CONSULTATION_RULES_COLUMNS,
    )
    .join(Orientation, Orientation.id == Action.orientation_id)
    .join(Consultation, Consultation.id == Orientation.consultation_id)
    .outerjoin(Participant, Participant.id == Action.author_id)
    .where(Action.id == bindparam("action_id"))
)


def get_vote_target(action_id: int, viewer: Person | None) -> VoteTarget:
    """The action as a vote sees it, in one query, under the same visibility as `get_visible_action`."""
    row = execute_without_orm(_VOTE_TARGET, {"action_id": action_id}).one_or_none()
    if row is None:
        raise NotFound()
    action_id, state, author_id, author_shown, orientation_id, title, *rules = row
    consultation = ConsultationRules(*rules)
    target = VoteTarget(action_id, state, author_id, VoteOrientation(orientation_id, title, consultation))
    _check_visible(target, author_shown, consultation, viewer)
    return target


def _check_visible(
    action: Action | VoteTarget,
    author_shown: bool,
    consultation: Consultation | ConsultationRules,
    viewer: Person | None,
) -> None:
    if not _readable(consultation, viewer) or not author_shown:
        raise NotFound()
    if action.state == ActionState.PUBLISHED:
        return
    is_author = viewer is not None and action.author_id is not None and action.author_id == viewer.id
    if is_author and action.state in (ActionState.PENDING, ActionState.REJECTED):
        return
    raise NotFound()


def merged_into(action_id: int) -> int | None:
    """Where a proposal merged into another now lives, so that old links still lead somewhere."""
    return db.session.scalar(
        select(Action.merged_into_id).where(Action.id == action_id, Action.state == ActionState.MERGED)
    )


def check_can_participate(consultation: Consultation | ConsultationRules, participant: Person) -> None:
    """The consultation's audience and age rules, with a message that says who may take part."""
    if participant.audience.value not in consultation.allowed_audiences:
        allowed = ", ".join(str(AUDIENCE_LABELS[Audience(a)]).lower() for a in consultation.allowed_audiences)
        raise ParticipationRefused(
            _(
                "Cette consultation s’adresse aux publics suivants : %(allowed)s. Votre profil ne permet pas d’y "
                "participer. Si votre profil est inexact, contactez l’équipe de la consultation.",
                allowed=allowed,
            )
        )
    if participant.age_bracket.lowest_age < consultation.minimum_age:
        raise ParticipationRefused(
            _("Cette consultation est ouverte à partir de %(age)s ans.", age=consultation.minimum_age)
        )


def check_open_for(consultation: Consultation | ConsultationRules, activity: Activity, now: datetime) -> None:
    """Refuses, in words saying when it opens or since when it is over, what the consultation's phase does not
    allow now (`Consultation.is_open_for`)."""
    if consultation.is_open_for(activity, now):
        return
    if activity == Activity.COMMENT:
        if consultation.status == ConsultationStatus.PUBLISHED and not consultation.comments_enabled:
            raise ParticipationRefused(_("Cette consultation ne recueille pas de commentaires."))
        raise ParticipationRefused(_("Les commentaires sont fermés : la consultation n’est pas ouverte en ce moment."))
    if activity == Activity.VOTE:
        message = _phase_closed_message(
            consultation,
            consultation.voting_open_at,
            now,
            not_yet=_("Le vote n’est pas encore ouvert : il commencera le %(date)s. Revenez à partir de cette date."),
            over=_(
                "Le vote est terminé depuis le %(date)s : il n’est plus possible de voter ni de changer son vote. "
                "Les résultats seront présentés au comité de pilotage."
            ),
            closes=consultation.voting_close_at,
        )
    else:
        message = _phase_closed_message(
            consultation,
            consultation.proposals_open_at,
            now,
            not_yet=_("Les propositions ne sont pas encore ouvertes : elles commenceront le %(date)s."),
            over=_("Les propositions sont closes depuis le %(date)s. Vous pouvez encore voter et commenter s’il est temps."),
            closes=consultation.proposals_close_at,
        )
    raise ParticipationRefused(message)


def _phase_closed_message(
    consultation: Consultation | ConsultationRules,
    opens: datetime | None,
    now: datetime,
    *,
    not_yet: str,
    over: str,
    closes: datetime | None,
) -> str:
    if consultation.status == ConsultationStatus.DRAFT:
        return _("Cette consultation n’est pas encore publiée.")
    if consultation.status in AFTER_THE_VOTE or (closes is not None and now >= closes):
        return over % {"date": format_long_date(closes)} if closes else _("La consultation est terminée.")
    if opens is not None and now < opens:
        return not_yet % {"date": format_long_date(opens)}
    return _("Cette étape de la consultation n’est pas prévue.")


def propose_action(
    participant: Participant, orientation: Orientation, title: str, body: str, now: datetime | None = None
) -> Action:
    """A participant's proposal waits in state *pending* until a moderator publishes it."""
    consultation = orientation.consultation
    check_open_for(consultation, Activity.PROPOSE, now or utcnow())
    check_can_participate(consultation, participant)
    last_position = db.session.scalar(
        select(func.max(Action.position)).where(Action.orientation_id == orientation.id)
    )
    action = Action(
        orientation=orientation,
        position=(last_position or 0) + 1,
        title=title.strip(),
        body=body.strip(),
        origin=ActionOrigin.PARTICIPANT,
        state=ActionState.PENDING,
        author=participant,
    )
    db.session.add(action)
    db.session.flush()
    notify_moderators(
        consultation,
        lambda: _("Nouvelle proposition à relire : « %(title)s ».", title=action.title),
        site_path("moderation.proposals", slug=consultation.slug),
    )
    return action


SIMILARITY_THRESHOLD = 0.5


def similar_actions(consultation: Consultation, text: str, limit: int = 3, exclude: int | None = None) -> list[Action]:
    """Published actions of the consultation sharing at least half the words of the shorter text."""
    wanted = keywords(text)
    candidates = [a for a in published_actions(consultation) if a.id != exclude]
    scored = [(similarity(wanted, keywords(f"{a.title} {a.body}")), a) for a in candidates]
    close = sorted(((score, a) for score, a in scored if score >= SIMILARITY_THRESHOLD), key=lambda pair: -pair[0])
    return [action for _score, action in close[:limit]]
