"""The comments a summary counts and quotes: visible comments counted per action and alignment, their recurring
themes (from k different authors), and the best-rated ones for and against each action, never an under-15's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, aliased

from ..extensions import db, driver_rows
from ..models import (
    ERASED_ACCOUNT_NAME,
    UNDER_15_AGE_BRACKETS,
    YOUTH_AGE_BRACKETS,
    AgeBracket,
    Alignment,
    Audience,
    Comment,
    CommentRating,
    Participant,
)
from .themes import ThemeCounter

TOP_COMMENTS_PER_SIDE = 2
COMMENTS_READ_AT_ONCE = 10_000

_CommentAuthor = aliased(Participant, name="comment_author")
_QuotedAuthor = aliased(Participant, name="quoted_author")


def _visible_comments(action_ids: list[int], *columns: ColumnElement[Any] | InstrumentedAttribute[Any]) -> Select[Any]:
    """Comments shown on the site on these actions: not deleted, not hidden, author not blocked."""
    return (
        select(*columns)
        .select_from(Comment)
        .outerjoin(_CommentAuthor, _CommentAuthor.id == Comment.author_id)
        .where(
            Comment.action_id.in_(action_ids),
            Comment.deleted_at.is_(None),
            Comment.hidden_at.is_(None),
            _CommentAuthor.writings_shown,
        )
    )


@dataclass(frozen=True)
class CommentTexts:
    """The visible comments of a summary's actions as read: counted by action and alignment, and their texts with
    their authors by action, whose themes are counted apart (`count_themes`)."""

    counts: dict[int, dict[int, int]]
    texts: dict[int, list[tuple[str, int | None]]]


def read_comments(action_ids: list[int]) -> CommentTexts:
    """Visible comments counted by action and alignment, with their texts by action: the only place text is read,
    streamed as plain rows (`driver_rows`), so that the texts are held once, not also in the driver's buffer."""
    counts: dict = defaultdict(lambda: {alignment.value: 0 for alignment in Alignment})
    texts: dict = defaultdict(list)
    rows = driver_rows(
        _visible_comments(action_ids, Comment.action_id, Comment.alignment, Comment.body, Comment.author_id),
        chunk=COMMENTS_READ_AT_ONCE,
    )
    for action_id, alignment, body, author_id in rows:
        counts[action_id][alignment] += 1
        texts[action_id].append((body, author_id))
    return CommentTexts(counts, texts)


def count_themes(texts: dict[int, list[tuple[str, int | None]]]) -> dict[int, ThemeCounter]:
    """The words of each action's comments counted for its recurring themes: Python's work alone, no database.
    Each action's texts are taken out of `texts` as they are counted, so that they are not all held while the
    counters grow."""
    themes: dict = defaultdict(ThemeCounter)
    for action_id in list(texts):
        counter = themes[action_id]
        for body, author_id in texts.pop(action_id):
            counter.add(body, author_id)
        counter.count_added()
    return themes


def top_comments(action_ids: list[int]) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """The best-rated comments for and against each action (none by an under-15), ranked in SQL by a window function over the
    comments joined to their summed ratings. Texts and authors are read for the chosen few only: the ranking
    sorts narrow rows (in memory, where whole texts spilled to disk at 100 k comments)."""
    ratings = (
        select(CommentRating.comment_id, func.sum(CommentRating.value).label("score"))
        .group_by(CommentRating.comment_id)
        .subquery()
    )
    score = func.coalesce(ratings.c.score, 0)
    ranked = (
        _visible_comments(
            action_ids,
            Comment.id,
            Comment.action_id,
            Comment.alignment,
            score.label("score"),
            func.row_number()
            .over(partition_by=(Comment.action_id, Comment.alignment), order_by=(score.desc(), Comment.id))
            .label("place"),
        )
        .outerjoin(ratings, ratings.c.comment_id == Comment.id)
        .where(
            Comment.alignment != Alignment.NEUTRE,
            # A child under 15 is never quoted: their words would reach the committee as theirs.
            or_(_CommentAuthor.age_bracket.is_(None), _CommentAuthor.age_bracket.not_in(UNDER_15_AGE_BRACKETS)),
        )
        .subquery()
    )
    rows = db.session.execute(
        select(
            ranked.c.action_id, ranked.c.alignment, ranked.c.score, Comment.body,
            _QuotedAuthor.display_name, _QuotedAuthor.audience, _QuotedAuthor.age_bracket,
        )
        .join(Comment, Comment.id == ranked.c.id)
        .outerjoin(_QuotedAuthor, _QuotedAuthor.id == Comment.author_id)
        .where(ranked.c.place <= TOP_COMMENTS_PER_SIDE)
        .order_by(ranked.c.action_id, ranked.c.place)
    )
    top: dict = defaultdict(lambda: {"pour": [], "contre": []})
    for row in rows:
        side = "pour" if row.alignment == Alignment.POUR else "contre"
        top[row.action_id][side].append(
            {"text": row.body, "author": _quoted_author(row.display_name, row.audience, row.age_bracket),
             "score": int(row.score)}
        )
    return top


def _quoted_author(name: str | None, audience: Audience | None, bracket: AgeBracket | None) -> str:
    """Adults are quoted by the name they show on the site; youths by no name at all."""
    if name is None:
        return ERASED_ACCOUNT_NAME
    if audience == Audience.YOUTH or bracket in YOUTH_AGE_BRACKETS:
        return "Un ou une jeune"
    return name


def merged_themes(counters: Iterable[ThemeCounter]) -> ThemeCounter:
    merged = ThemeCounter()
    for counter in counters:
        merged.merge(counter)
    return merged


def themes_of(counter: ThemeCounter, limit: int, k: int) -> list[dict[str, Any]]:
    """Themes used by at least k different people: fewer would point at who wrote them."""
    return [
        {"phrase": theme.phrase, "comments": theme.comments} for theme in counter.themes(limit=limit, min_authors=k)
    ]
