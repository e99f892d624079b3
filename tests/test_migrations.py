"""Migrations keep people's data: every upgrade from the first schema to the newest, and back to
it, leaves votes and comments in place (SQLite rebuilds tables to alter them)."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from pedt_participation import create_app
from pedt_participation.comments.services import CommentCounts, count_comments
from pedt_participation.extensions import db
from pedt_participation.voting.services import count_votes
from tests.helpers import fresh_comment_counts, fresh_vote_counts

FIRST_REVISION = "523b41acb66a"

ROWS = """
INSERT INTO participants (id, email, display_name, role, audience, age_bracket, created_at)
    VALUES (1, 'a@exemple.fr', 'A', 'participant', 'parent', '26-39', '2026-01-01');
INSERT INTO consultations (id, slug, title, summary, context, status, supports_enabled, opinion_enabled,
    majority_judgment_enabled, allowed_audiences, minimum_age, k_anonymity, created_at)
    VALUES (1, 'x', 'X', '', '', 'published', 1, 1, 0, '["parent"]', 11, 5, '2026-01-01');
INSERT INTO orientations (id, consultation_id, position, title, description) VALUES (1, 1, 1, 'O', '');
INSERT INTO actions (id, orientation_id, position, title, body, origin, state, created_at)
    VALUES (1, 1, 1, 'A', '', 'official', 'published', '2026-01-01');
INSERT INTO votes (participant_id, action_id, kind, value, created_at, updated_at)
    VALUES (1, 1, 'support', 1, '2026-01-01', '2026-01-01');
INSERT INTO comments (action_id, author_id, depth, body, alignment, created_at)
    VALUES (1, 1, 0, 'Un avis', 1, '2026-01-01');
"""


def _counts() -> tuple[int, int]:
    with db.engine.connect() as connection:
        return (
            connection.execute(text("SELECT count(*) FROM votes")).scalar(),
            connection.execute(text("SELECT count(*) FROM comments")).scalar(),
        )


def test_upgrades_and_downgrades_keep_votes_and_comments(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with app.app_context():
        upgrade(revision=FIRST_REVISION)
        with db.engine.begin() as connection:
            for statement in ROWS.split(";"):
                if statement.strip():
                    connection.execute(text(statement))
        assert _counts() == (1, 1)

        upgrade()
        assert _counts() == (1, 1)
        with db.engine.connect() as connection:  # names given before keys existed are compared too
            assert connection.execute(text("SELECT display_name_key FROM participants")).scalar() == "a"
        # The tallies are filled from the votes and comments already there.
        assert count_votes([1]) == fresh_vote_counts([1])
        assert count_comments([1]) == fresh_comment_counts([1]) == {1: CommentCounts(shown=1, threads=1)}
        db.session.remove()
        downgrade(revision=FIRST_REVISION)
        assert _counts() == (1, 1)
        db.engine.dispose()


def test_the_lifecycle_migration_dates_the_publication_of_public_consultations(tmp_path):
    """Public consultations get a publication date no later than their creation or their first phase, so that "no
    phase before publication" holds for them; drafts get none (published by hand); settings keep today's behaviour."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with app.app_context():
        upgrade(revision="ee82ef8934d3")
        with db.engine.begin() as connection:
            for slug, status, proposals_open_at in (("ouverte", "published", "2025-12-01 08:00:00"),
                                                    ("brouillon", "draft", None)):
                connection.execute(text(
                    "INSERT INTO consultations (slug, title, summary, context, status, supports_enabled,"
                    " opinion_enabled, majority_judgment_enabled, allowed_audiences, minimum_age, k_anonymity,"
                    " hide_after_reports, missing_grades_as_reject, weekly_summaries, summary_at_closing,"
                    " proposals_open_at, voting_open_at, created_at)"
                    " VALUES (:slug, 'X', '', '', :status, 1, 1, 0, '[\"parent\"]', 11, 5, 3, 1, 0, 1,"
                    " :proposals_open_at, '2026-02-01 08:00:00', '2026-01-01 00:00:00')"
                ), {"slug": slug, "status": status, "proposals_open_at": proposals_open_at})

        upgrade(revision="cd1c266a63f2")
        with db.engine.connect() as connection:
            rows = dict(connection.execute(text(
                "SELECT slug, published_at FROM consultations"
            )).tuples().all())
            settings = connection.execute(text("SELECT DISTINCT comments_enabled, figures_during_vote FROM consultations")).all()
        assert str(rows["ouverte"]).startswith("2025-12-01 08:00:00") and rows["brouillon"] is None
        assert [tuple(row) for row in settings] == [(1, 1)]
        db.engine.dispose()


def test_proposals_refused_before_the_categories_are_refused_for_another_reason(tmp_path):
    """Every refused proposal has a kind of reason once the list exists (the committee's summary counts them by
    kind): those refused before it get « autre », the others none, and the database refuses a refusal without one."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with app.app_context():
        upgrade(revision="f2c8d41a7b93")
        with db.engine.begin() as connection:
            for statement in ROWS.split(";"):
                if statement.strip():
                    connection.execute(text(statement))
            connection.execute(text(
                "INSERT INTO actions (id, orientation_id, position, title, body, origin, state, rejection_reason,"
                " created_at) VALUES (2, 1, 2, 'Refusée', '', 'participant', 'rejected', 'Hors sujet', '2026-01-02')"
            ))

        upgrade()
        with db.engine.connect() as connection:
            categories = dict(connection.execute(text("SELECT id, refusal_category FROM actions")).tuples().all())
        assert categories == {1: None, 2: "other"}
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text("UPDATE actions SET state = 'rejected' WHERE id = 1"))
        downgrade(revision="f2c8d41a7b93")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT state, rejection_reason FROM actions WHERE id = 2")).one() == ("rejected", "Hors sujet")
        db.engine.dispose()


def test_accounts_outside_the_age_rule_are_brought_within_it_then_refused(tmp_path):
    """Accounts written before every way of making one applied the ages of each audience: a « parent » of 16 and
    a « professional » of 12 become youths (the age decides), a youth of 45 is put in the 18–25 bracket (the
    audience is kept); a parent of 30 is untouched. Then the database refuses such an account."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with app.app_context():
        upgrade(revision="3b030b75b8c2")
        with db.engine.begin() as connection:
            for number, audience, bracket in ((1, "parent", "26-39"), (2, "parent", "15-17"),
                                              (3, "professional", "11-14"), (4, "youth", "40-59")):
                connection.execute(text(
                    "INSERT INTO participants (id, email, display_name, role, audience, age_bracket, parent_email,"
                    " created_at) VALUES (:id, :email, 'X', 'participant', :audience, :bracket, 'p@exemple.fr',"
                    " '2026-01-01')"
                ), {"id": number, "email": f"{number}@exemple.fr", "audience": audience, "bracket": bracket})

        upgrade()
        with db.engine.connect() as connection:
            profiles = {row[0]: tuple(row[1:]) for row in connection.execute(
                text("SELECT id, audience, age_bracket FROM participants"))}
        assert profiles == {1: ("parent", "26-39"), 2: ("youth", "15-17"), 3: ("youth", "11-14"), 4: ("youth", "18-25")}
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text("UPDATE participants SET audience = 'parent' WHERE id = 2"))
        downgrade(revision="3b030b75b8c2")
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE participants SET audience = 'parent' WHERE id = 2"))
        db.engine.dispose()
