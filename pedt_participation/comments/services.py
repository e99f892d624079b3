"""Threaded comments: write, reply, rate, delete (softly), and the threads shown under an action, by pages."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, joinedload, selectinload

from ..consultations.services import check_can_participate, check_open_for
from ..errors import ParticipationRefused
from ..extensions import db
from ..models import Action, ActionState, ActionTally, Activity, Alignment, Comment, CommentRating, Participant, utcnow

MAX_COMMENT_LENGTH = 5000
MAX_IDEMPOTENCY_KEY_LENGTH = 64
# Root comments per page of an action, each shown with its replies: the page stays light with 1 000 of them.
COMMENT_PAGE_SIZE = 20


class CommentOrder(enum.StrEnum):
    OLDEST = "oldest"
    NEWEST = "newest"
    BEST = "best"


@dataclass
class CommentNode:
    comment: Comment
    ups: int = 0
    downs: int = 0
    viewer_rating: int = 0
    replies: list[CommentNode] = field(default_factory=list)

    @property
    def score(self) -> int:
        return self.ups - self.downs


@dataclass
class CommentPage:
    """One page of an action's threads: `page_size` root comments, each with all its replies, and the counts
    of the whole action."""

    threads: list[CommentNode]
    page: int
    thread_count: int
    comment_count: int
    page_size: int = COMMENT_PAGE_SIZE

    @property
    def first(self) -> int:
        return (self.page - 1) * self.page_size + 1

    @property
    def last(self) -> int:
        return self.first + len(self.threads) - 1

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.thread_count


def _roots_in_order(
    action_id: int, order: CommentOrder
) -> tuple[Select, list[ColumnElement[Any] | InstrumentedAttribute[Any]]]:
    """The action's root comments and how they are sorted, shared by a page and a comment's position so that
    both agree."""
    roots = select(Comment.id).where(Comment.action_id == action_id, Comment.parent_id.is_(None))
    if order == CommentOrder.BEST:
        score = (
            select(func.coalesce(func.sum(CommentRating.value), 0))
            .where(CommentRating.comment_id == Comment.id)
            .scalar_subquery()
        )
        return roots, [score.desc(), Comment.created_at, Comment.id]
    if order == CommentOrder.NEWEST:
        return roots, [Comment.created_at.desc(), Comment.id.desc()]
    return roots, [Comment.created_at, Comment.id]


def comment_page(action: Action, order: CommentOrder, viewer: Participant | None, page: int) -> CommentPage:
    """The threads of one page in three queries (their comments, rating sums, the viewer's ratings) and the
    action's counts (`count_comments`), sorted at every level; a page past the end shows
    the last one. Its cost does not grow with the number of comments."""
    counts = count_comments([action.id])[action.id]
    comment_count, thread_count = counts.shown, counts.threads
    page = max(1, min(page, -(-thread_count // COMMENT_PAGE_SIZE)))
    roots, ordering = _roots_in_order(action.id, order)
    page_roots = roots.order_by(*ordering).limit(COMMENT_PAGE_SIZE).offset((page - 1) * COMMENT_PAGE_SIZE)
    threads = select(Comment.id).where(Comment.id.in_(page_roots)).cte("threads", recursive=True)
    threads = threads.union_all(select(Comment.id).where(Comment.parent_id == threads.c.id))
    comments = db.session.scalars(
        select(Comment).where(Comment.id.in_(select(threads.c.id))).options(joinedload(Comment.author))
    ).all()
    nodes = {c.id: CommentNode(comment=c) for c in comments}
    if nodes:
        for comment_id, (ups, downs) in comment_ratings(list(nodes)).items():
            nodes[comment_id].ups, nodes[comment_id].downs = ups, downs
        if viewer is not None:
            own = db.session.execute(
                select(CommentRating.comment_id, CommentRating.value).where(
                    CommentRating.participant_id == viewer.id, CommentRating.comment_id.in_(nodes)
                )
            )
            for comment_id, value in own:
                nodes[comment_id].viewer_rating = value
    roots_of_page: list[CommentNode] = []
    for node in nodes.values():
        parent_id = node.comment.parent_id
        (nodes[parent_id].replies if parent_id in nodes else roots_of_page).append(node)
    _sort(roots_of_page, order)
    return CommentPage(threads=roots_of_page, page=page, thread_count=thread_count, comment_count=comment_count)


def page_of_comment(comment: Comment, order: CommentOrder) -> int:
    """The page (in this order) that shows the comment: the one of its root comment."""
    root = comment
    while root.parent_id is not None:
        root = db.session.get_one(Comment, root.parent_id)
    roots, ordering = _roots_in_order(comment.action_id, order)
    ranked = roots.add_columns(func.row_number().over(order_by=ordering).label("position")).subquery()
    position = db.session.execute(select(ranked.c.position).where(ranked.c.id == root.id)).scalar_one()
    return (position - 1) // COMMENT_PAGE_SIZE + 1


def comment_ratings(comment_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Thumbs up and down of each rated comment, in one query."""
    if not comment_ids:
        return {}
    rows = db.session.execute(
        select(
            CommentRating.comment_id,
            func.sum(case((CommentRating.value > 0, 1), else_=0)),
            func.sum(case((CommentRating.value < 0, 1), else_=0)),
        )
        .where(CommentRating.comment_id.in_(comment_ids))
        .group_by(CommentRating.comment_id)
    )
    return {comment_id: (int(ups), int(downs)) for comment_id, ups, downs in rows}


def _sort(nodes: list[CommentNode], order: CommentOrder) -> None:
    if order == CommentOrder.BEST:
        nodes.sort(key=lambda n: (-n.score, n.comment.created_at, n.comment.id))
    else:
        nodes.sort(key=lambda n: (n.comment.created_at, n.comment.id), reverse=order == CommentOrder.NEWEST)
    for node in nodes:
        _sort(node.replies, order)


@dataclass(frozen=True)
class CommentCounts:
    """An action's comments as its pages count them."""

    shown: int  # not deleted, not hidden, author not blocked
    threads: int  # root comments, deleted or hidden ones included (they keep their place so that their replies do)


def count_comments(action_ids: list[int]) -> dict[int, CommentCounts]:
    """Each action's comments as its pages count them, from its tally (kept by the database as comments are written
    and their authors blocked or unblocked: `ActionTally`), in one short query however many comments there are."""
    if not action_ids:
        return {}
    rows = db.session.execute(
        select(ActionTally.action_id, ActionTally.comments_shown, ActionTally.comment_threads)
        .where(ActionTally.action_id.in_(action_ids))
    )
    counted = {action_id: CommentCounts(shown, threads) for action_id, shown, threads in rows}
    return {action_id: counted.get(action_id, CommentCounts(0, 0)) for action_id in action_ids}


def live_comment_counts(action_ids: list[int]) -> dict[int, int]:
    """The comments shown on each action."""
    return {action_id: counts.shown for action_id, counts in count_comments(action_ids).items()}


def _check_can_comment(participant: Participant, action: Action, now: datetime) -> None:
    if action.state != ActionState.PUBLISHED:
        raise ParticipationRefused(_("Cette action n’accepte pas de commentaires."))
    consultation = action.orientation.consultation
    check_open_for(consultation, Activity.COMMENT, now)
    check_can_participate(consultation, participant)


def add_comment(
    participant: Participant,
    action: Action,
    body: str,
    alignment: Alignment = Alignment.NEUTRE,
    parent_id: int | None = None,
    now: datetime | None = None,
    idempotency_key: str | None = None,
) -> Comment:
    """With an idempotency key, the same comment sent again (double click, retried request) returns the
    one already stored; the unique (author, key) constraint settles two copies arriving at once."""
    _check_can_comment(participant, action, now or utcnow())
    body = body.strip()
    if not body:
        raise ParticipationRefused(_("Votre commentaire est vide : écrivez quelques mots avant d’envoyer."))
    if len(body) > MAX_COMMENT_LENGTH:
        raise ParticipationRefused(
            _("Votre commentaire est trop long (%(max)s caractères au maximum). Raccourcissez-le.", max=MAX_COMMENT_LENGTH)
        )
    depth = 0
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.action_id != action.id:
            raise ParticipationRefused(_("Le commentaire auquel vous répondez n’existe plus."))
        if not parent.accepts_replies:
            raise ParticipationRefused(
                _("On ne peut plus répondre à ce commentaire. Répondez plutôt au commentaire au-dessus de lui.")
            )
        depth = parent.depth + 1
    if idempotency_key:
        stored = _comment_with_key(participant, idempotency_key)
        if stored is not None:
            return _same_comment_again(stored, action, parent_id, body)
    comment = Comment(
        action_id=action.id,
        author=participant,
        parent_id=parent_id,
        depth=depth,
        body=body,
        alignment=int(alignment),
        idempotency_key=idempotency_key or None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(comment)
    except IntegrityError:
        stored = _comment_with_key(participant, idempotency_key) if idempotency_key else None
        if stored is None:
            raise
        return _same_comment_again(stored, action, parent_id, body)
    return comment


def thread_statement(action: Action) -> Select:
    """The action's whole thread, oldest first, with the authors."""
    return (
        select(Comment)
        .where(Comment.action_id == action.id)
        .options(selectinload(Comment.author))
        .order_by(Comment.created_at, Comment.id)
    )


def _comment_with_key(participant: Participant, idempotency_key: str) -> Comment | None:
    return db.session.scalar(
        select(Comment).where(Comment.author_id == participant.id, Comment.idempotency_key == idempotency_key)
    )


def _same_comment_again(stored: Comment, action: Action, parent_id: int | None, body: str) -> Comment:
    """A key names one comment: sent again with other words (a page kept open, then reused), it is refused."""
    if (stored.action_id, stored.parent_id, stored.body) != (action.id, parent_id, body):
        raise ParticipationRefused(
            _("Ce formulaire a déjà servi à publier un commentaire. Rechargez la page, puis écrivez le nouveau.")
        )
    return stored


def delete_comment(participant: Participant, comment: Comment, now: datetime | None = None) -> None:
    """The author removes their words; the place stays so that replies still make sense."""
    if comment.author_id != participant.id:
        raise ParticipationRefused(_("Vous ne pouvez supprimer que vos propres commentaires."))
    if comment.deleted_at is None:
        comment.deleted_at = now or utcnow()
        db.session.flush()


def rate_comment(participant: Participant, comment: Comment, value: int, now: datetime | None = None) -> int:
    """Thumbs up (+1) or down (-1); the same click again takes it back. Returns the participant's rating now."""
    if value not in (-1, 1):
        raise ParticipationRefused(_("Ce choix n’existe pas."))
    if not comment.is_visible:
        raise ParticipationRefused(_("Ce commentaire n’est plus visible."))
    if comment.author_id == participant.id:
        raise ParticipationRefused(_("Vous ne pouvez pas évaluer votre propre commentaire."))
    action = db.session.get_one(Action, comment.action_id)
    _check_can_comment(participant, action, now or utcnow())
    rating = db.session.scalar(
        select(CommentRating).where(
            CommentRating.comment_id == comment.id, CommentRating.participant_id == participant.id
        )
    )
    if rating is not None and rating.value == value:
        db.session.delete(rating)
        db.session.flush()
        return 0
    if rating is None:
        db.session.add(CommentRating(comment_id=comment.id, participant_id=participant.id, value=value))
    else:
        rating.value = value
    db.session.flush()
    return value
