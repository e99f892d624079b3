"""Migrations keep people's data: every upgrade from the first schema to the newest, and back to
it, leaves votes and comments in place (SQLite rebuilds tables to alter them)."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from pedt_participation import create_app
from pedt_participation.extensions import db

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
        downgrade(revision=FIRST_REVISION)
        assert _counts() == (1, 1)
        db.engine.dispose()
