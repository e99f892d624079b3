"""The bench's data: its own database made and dropped, grown with the app's `simulate` service, and the rows the
stages read (the consultation, its actions, voters with API tokens)."""

from __future__ import annotations

import subprocess
import sys
import time

import psycopg
import redis
from sqlalchemy import func, insert, select, text

from benchmarks.settings import CLIENTS, ROOT, SLUG, Settings
from pedt_participation.api.services import issue_token
from pedt_participation.consultations.services import published_actions
from pedt_participation.demo.services import simulate
from pedt_participation.extensions import db
from pedt_participation.models import Action, Audience, Comment, Consultation, Orientation, Participant, Vote


def recreate_database(settings: Settings) -> None:
    """An empty database at the schema of the migrations, and an empty Redis database."""
    drop_database(settings)
    with psycopg.connect(f"{settings.postgres}/postgres", autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {settings.database}")
    redis.Redis.from_url(settings.redis).flushdb()
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "pedt_participation", "db", "upgrade"],
        check=True, cwd=ROOT, capture_output=True, timeout=300,
    )


def drop_database(settings: Settings) -> None:
    with psycopg.connect(f"{settings.postgres}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {settings.database} WITH (FORCE)")


def measured_consultation() -> Consultation:
    return db.session.scalar(select(Consultation).where(Consultation.slug == SLUG))


def count_rows() -> tuple[int, int]:
    """Votes and comments of the measured consultation."""
    consultation = measured_consultation()

    def of(model):
        return db.session.scalar(
            select(func.count()).select_from(model).join(Action, Action.id == model.action_id)
            .join(Orientation).where(Orientation.consultation_id == consultation.id)
        )

    return of(Vote), of(Comment)


class Loader:
    """Grows the data with `simulate` (new seed each time) until the measured consultation holds `votes`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.seed = 0
        self.votes_per_participant = 0.0
        self.seconds = 0.0

    def grow_to(self, votes: int) -> None:
        start = time.perf_counter()
        for _attempt in range(100):
            have, _comments = count_rows()
            if have >= votes:
                break
            wanted = votes - have
            batch = 300 if not self.votes_per_participant else int(wanted / self.votes_per_participant) + 1
            self.seed += 1
            simulate(participants=min(batch, 20_000), seed=self.seed)
            db.session.commit()
            added = count_rows()[0] - have
            self.votes_per_participant = self.votes_per_participant or added / 300
        vacuum_analyze(self.settings)
        self.seconds += time.perf_counter() - start

    def add_comments_to(self, comments: int) -> None:
        """Comments beyond what `simulate` writes for these participants: copies of its root comments,
        spread over the same actions and authors (the aggregation reads their texts and alignments)."""
        start = time.perf_counter()
        have = count_rows()[1]
        if have < comments:
            roots = (
                "SELECT c.* FROM comments c JOIN actions a ON a.id = c.action_id"
                " JOIN orientations o ON o.id = a.orientation_id JOIN consultations s ON s.id = o.consultation_id"
                " WHERE s.slug = :slug AND c.depth = 0"
            )
            root_count = db.session.scalar(text(f"SELECT count(*) FROM ({roots}) r"), {"slug": SLUG})
            db.session.execute(
                text(
                    "INSERT INTO comments (action_id, author_id, depth, body, alignment, created_at)"
                    " SELECT r.action_id, r.author_id, 0, r.body, r.alignment, r.created_at"
                    f" FROM ({roots}) r CROSS JOIN generate_series(1, :copies) LIMIT :missing"
                ),
                {"slug": SLUG, "copies": (comments - have) // max(root_count, 1) + 1, "missing": comments - have},
            )
            db.session.commit()
            vacuum_analyze(self.settings)
        self.seconds += time.perf_counter() - start


def vacuum_analyze(settings: Settings) -> None:
    """What autovacuum does a little after a bulk load (Postgres 13+ vacuums after inserts too): planner
    statistics, without which Postgres plans the aggregation's joins for empty tables and the aggregation runs many
    times slower, and the visibility map, without which index-only scans visit every row anyway. A bench
    measured right after its load would otherwise time a state that a live database leaves within minutes.
    VACUUM runs outside a transaction, hence a connection of its own; this process's own is ended first, so that
    its snapshot holds nothing back."""
    db.session.commit()
    with psycopg.connect(settings.database_server_url, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")


def add_page_comments(action_id: int, count: int) -> None:
    authors = db.session.scalars(select(Participant.id).order_by(Participant.id).limit(200)).all()
    db.session.execute(
        insert(Comment),
        [
            {"action_id": action_id, "author_id": authors[i % len(authors)], "depth": 0,
             "body": f"Commentaire de banc d’essai numéro {i}, assez long pour ressembler à un vrai avis.",
             "alignment": (i % 3) - 1}
            for i in range(count)
        ],
    )
    db.session.commit()


def voters_with_tokens(count: int) -> list[tuple[int, str]]:
    """Up to `count` simulated parents (eligible in both consultations) with an API token each."""
    voters = db.session.scalars(
        select(Participant)
        .where(Participant.audience == Audience.PARENT).order_by(Participant.id).limit(count)
    ).all()
    assert len(voters) >= CLIENTS, f"only {len(voters)} parents to vote"
    tokens = [(voter.id, issue_token(f"Banc d’essai {voter.id}", owner=voter)[1]) for voter in voters]
    db.session.commit()
    return tokens


def action_ids() -> list[int]:
    return [action.id for action in published_actions(measured_consultation())]
