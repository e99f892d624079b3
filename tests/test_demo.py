"""Demo data: the town's two documents become consultations; seeding twice changes nothing;
simulation is the same for the same seed and follows the voting rules."""

from __future__ import annotations

from sqlalchemy import delete, func, select, text

from pedt_participation.extensions import db
from pedt_participation.models import (
    Action,
    Comment,
    CommentRating,
    Consultation,
    ModeratorAssignment,
    Orientation,
    Participant,
    Vote,
    VoteKind,
)
from tests.helpers import login, page_text

TABLES = (Consultation, Orientation, Action, Participant, ModeratorAssignment, Vote, Comment, CommentRating)


def _snapshot() -> dict:
    """Every row of every table (ids included), to compare two states of the database."""
    snapshot = {}
    for model in TABLES:
        columns = [c for c in model.__table__.columns if c.name != "password_hash"]
        rows = db.session.execute(select(*columns).order_by(model.id)).all()
        snapshot[model.__tablename__] = [tuple(row) for row in rows]
    return snapshot


def test_seed_demo_loads_both_consultations(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "parent@demo.pedt.local" in result.output and "demo-pedt-2026" in result.output
    # 2 consultations, 14 orientations, 18 + 54 actions, 2 × 2 lists, 5 accounts, 2 moderator assignments; nothing
    # existed, so nothing was "updated".
    assert "99 éléments créés, 0 mis à jour" in result.output

    cite = db.session.scalar(select(Consultation).filter_by(slug="cite-educative"))
    assert len(cite.orientations) == 6
    assert [len(o.actions) for o in cite.orientations] == [4, 5, 2, 3, 2, 2]
    assert cite.orientations[0].title.startswith("Favoriser l'implication des parents") or cite.orientations[0].title.startswith("Favoriser l’implication des parents")
    assert "29 personnes" in cite.context
    pedt = db.session.scalar(select(Consultation).filter_by(slug="pedt"))
    assert len(pedt.orientations) == 8
    assert len({o.theme for o in pedt.orientations}) == 4
    assert all(a.body for o in pedt.orientations for a in o.actions)


def test_seed_demo_outside_demo_mode_loads_the_documents_but_no_account(app, runner, monkeypatch):
    """On a real database nobody gets an admin account whose password is published, unless asked by name."""
    monkeypatch.setitem(app.config, "DEMO_MODE", False)
    result = runner.invoke(args=["seed-demo"])

    assert result.exit_code == 0, result.output
    assert "Aucun compte de démonstration" in result.output and "--with-demo-accounts" in result.output
    assert "demo-pedt-2026" not in result.output
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 2
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 0

    asked = runner.invoke(args=["seed-demo", "--with-demo-accounts"])
    assert asked.exit_code == 0, asked.output
    assert "admin@demo.pedt.local" in asked.output and "demo-pedt-2026" in asked.output
    assert db.session.scalar(select(Participant.role).filter_by(email="admin@demo.pedt.local")) == "admin"


def test_seed_demo_twice_leaves_the_same_rows(runner):
    runner.invoke(args=["seed-demo"])
    first = _snapshot()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0
    assert "0 éléments créés, 0 mis à jour" in result.output
    db.session.expire_all()
    assert _snapshot() == first


def test_seeded_consultation_is_served_in_french_and_a_new_account_can_vote_and_comment(client, runner):
    runner.invoke(args=["seed-demo"])

    page = page_text(client.get("/consultations/cite-educative"))
    assert "Orientation 1 : Favoriser" in page and "Le vote est ouvert" in page

    client.post(
        "/auth/register",
        data={
            "email": "nouveau@exemple.fr",
            "password": "mot-de-passe-long",
            "password_confirmation": "mot-de-passe-long",
            "display_name": "Nouveau parent",
            "audience": "parent",
            "age_bracket": "40-59",
        },
    )
    action = db.session.scalar(select(Action).join(Orientation).join(Consultation).where(Consultation.slug == "cite-educative").order_by(Action.id))
    assert "Votre soutien est enregistré." in page_text(client.post(f"/actions/{action.id}/votes/support", follow_redirects=True))
    assert "Votre commentaire est publié." in page_text(
        client.post(f"/actions/{action.id}/comments", data={"body": "Bonne idée", "alignment": "1"}, follow_redirects=True)
    )


def test_api_lists_both_seeded_consultations(client, runner):
    runner.invoke(args=["seed-demo"])
    slugs = {c["slug"] for c in client.get("/api/v1/consultations").get_json()["data"]}
    assert slugs == {"cite-educative", "pedt"}


def test_demo_account_can_sign_in(client, runner):
    runner.invoke(args=["seed-demo"])
    parent = db.session.scalar(select(Participant).filter_by(email="parent@demo.pedt.local"))
    login(client, parent, password="demo-pedt-2026")


def _simulated_state() -> set:
    """Who did what, keyed by e-mail rather than ids, so that two runs can be compared."""
    votes = db.session.execute(
        select(Participant.email, Vote.action_id, Vote.kind, Vote.value).join(Participant)
    ).all()
    comments = db.session.execute(
        select(Participant.email, Comment.action_id, Comment.body, Comment.depth, Comment.alignment).join(Participant)
    ).all()
    return {tuple(v) for v in votes} | {tuple(c) for c in comments}


def _planner_row_estimate(table: str) -> int | None:
    """What the database's planner believes a table holds (None: never analysed)."""
    if db.engine.dialect.name == "postgresql":
        estimate = db.session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = :table"), {"table": table})
        return None if estimate is None or estimate < 0 else int(estimate)
    if not db.session.scalar(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")):
        return None
    stat = db.session.scalar(text("SELECT stat FROM sqlite_stat1 WHERE tbl = :table LIMIT 1"), {"table": table})
    return int(stat.split()[0]) if stat else None


def test_simulate_leaves_the_planner_knowing_how_many_rows_it_loaded(runner):
    """Otherwise Postgres plans the committee's aggregation for empty tables until autovacuum passes."""
    runner.invoke(args=["seed-demo"])
    assert runner.invoke(args=["simulate", "--participants", "80", "--seed", "3"]).exit_code == 0
    db.session.commit()
    votes = db.session.scalar(select(func.count()).select_from(Vote))
    assert votes > 100 and _planner_row_estimate("votes") == votes


def test_simulate_is_deterministic_and_respects_the_rules(runner):
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(args=["simulate", "--participants", "60", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "60 participants" in result.output
    first = _simulated_state()
    assert len(first) > 100

    # Supports never exceed the orientation limit, for anyone.
    per_orientation = db.session.execute(
        select(Vote.participant_id, Action.orientation_id, Consultation.vote_limit_per_orientation, func.count())
        .join(Action, Action.id == Vote.action_id)
        .join(Orientation)
        .join(Consultation)
        .where(Vote.kind == VoteKind.SUPPORT)
        .group_by(Vote.participant_id, Action.orientation_id, Consultation.vote_limit_per_orientation)
    ).all()
    assert per_orientation and all(used <= limit for *_ids, limit, used in per_orientation)

    again = runner.invoke(args=["simulate", "--participants", "60", "--seed", "7"])
    assert again.exit_code != 0 and "already been simulated" in again.output
    # What `make run` asks each time it starts: the same data, loaded once.
    quietly = runner.invoke(args=["simulate", "--participants", "60", "--seed", "7", "--unless-done"])
    assert quietly.exit_code == 0 and "déjà chargée" in quietly.output
    assert _simulated_state() == first

    simulated = select(Participant.id).where(Participant.email.like("simule-7-%"))
    db.session.execute(delete(Participant).where(Participant.id.in_(simulated)))
    db.session.commit()
    assert _simulated_state() == set()
    runner.invoke(args=["simulate", "--participants", "60", "--seed", "7"])
    assert _simulated_state() == first
