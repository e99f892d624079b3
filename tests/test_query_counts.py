"""The public pages and the API's consultation detail send the same small number of SQL queries whatever
the data size: a consultation with one action and no participation, and one with many actions, votes and
comment threads (an N+1 would make the second one grow with every action or comment). A vote, the busiest
write, keeps to the few queries it needs. The moderation dashboard counts its queues without loading them."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from pedt_participation.api.services import issue_token
from pedt_participation.comments.services import COMMENT_PAGE_SIZE, add_comment, rate_comment
from pedt_participation.consultations.services import propose_action
from pedt_participation.demo.services import simulate
from pedt_participation.extensions import db
from pedt_participation.models import ModeratorAssignment, Participant, ReportReason, VoteKind
from pedt_participation.models.base import Model
from pedt_participation.reports.services import Target, report
from pedt_participation.voting.services import cast_vote
from tests.conftest import rows_built_once
from tests.helpers import count_queries, login, make_consultation, make_moderator, make_participant, page_text

MAX_QUERIES = 12


def _first_action(consultation):
    return consultation.orientations[0].actions[0]


PAGES = {
    "consultation page": lambda consultation: f"/consultations/{consultation.slug}",
    "action page": lambda consultation: f"/actions/{_first_action(consultation).id}",
    "API consultation detail": lambda consultation: f"/api/v1/consultations/{consultation.slug}",
}


def _add_threads(action, count):
    """Root comments, each with a reply and a thumbs up, written by simulated people."""
    people = db.session.scalars(select(Participant).order_by(Participant.id).limit(count + 1)).all()
    for n in range(count):
        root = add_comment(people[n], action, f"Fil de discussion numéro {n}")
        add_comment(people[n + 1], action, "Une réponse", parent_id=root.id)
        rate_comment(people[n + 1], root, 1)


def _small_and_large():
    """`large` has 24 actions and a few hundred people's votes and comment threads, and its first action three
    pages of threads; `small` one action with the viewer's votes and comment only. The viewer has voted and
    commented in both, so every per-viewer query runs."""
    large = make_consultation(slug="grande", orientations=4, actions_per_orientation=6, majority_judgment_enabled=True)
    report = simulate(participants=400, seed=8)
    db.session.commit()
    assert report.votes > 2000 and report.comments > 50, report
    _add_threads(_first_action(large), 3 * COMMENT_PAGE_SIZE)
    small = make_consultation(slug="petite", orientations=1, actions_per_orientation=1)
    viewer = make_participant()
    for consultation in (small, large):
        cast_vote(viewer, _first_action(consultation), VoteKind.SUPPORT, 1)
        cast_vote(viewer, _first_action(consultation), VoteKind.OPINION, 1)
        add_comment(viewer, _first_action(consultation), "Bonne idée pour les enfants du quartier.")
    db.session.commit()
    return small, large, viewer


# Built once for the module: its tests only read pages.
small_large_and_viewer = rows_built_once(_small_and_large)


@pytest.fixture
def small_and_large(client, small_large_and_viewer):
    """The two consultations, seen by the viewer, signed in."""
    small, large, viewer = small_large_and_viewer
    login(client, viewer)
    return small, large


@pytest.mark.parametrize("page", PAGES)
def test_query_count_stays_flat_and_small(app, client, small_and_large, page):
    counts = {}
    for consultation in small_and_large:
        url = PAGES[page](consultation)
        assert client.get(url).status_code == 200  # warms what is loaded once per process
        with count_queries(db.engine) as statements:
            response = client.get(url)
        assert response.status_code == 200
        counts[consultation.slug] = len(statements)
    assert counts["grande"] == counts["petite"], counts
    assert counts["grande"] <= MAX_QUERIES, counts


def test_the_action_page_renders_one_page_of_threads(client, small_and_large):
    _small, large = small_and_large
    html = client.get(PAGES["action page"](large)).get_data(as_text=True)
    assert html.count('class="comment depth-0"') == COMMENT_PAGE_SIZE
    assert "Voir les commentaires suivants" in html


# An opinion: the token with its owner, the action, the upsert, then the answer (the person's votes on the action
# and supports left, in one query). A support also locks the person's row and counts their other supports.
VOTE_QUERIES = {"opinion": 4, "support": 6}


@pytest.mark.parametrize("kind", VOTE_QUERIES)
def test_a_vote_through_the_api_sends_only_the_queries_it_needs(client, kind):
    action = _first_action(make_consultation(vote_limit_per_orientation=3))
    url = f"/api/v1/actions/{action.id}/votes/{kind}"
    _token, secret = issue_token("Application mobile", owner=make_participant())
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    for value in (1, 0) if kind == "opinion" else (1, 1):  # the first vote, then a change (or the same again)
        with count_queries(db.engine) as statements:
            response = client.put(url, json={"value": value}, headers=headers)
        assert response.status_code == 200, response.json
        assert len(statements) == VOTE_QUERIES[kind], statements


def test_a_vote_through_the_api_builds_no_orm_object(client):
    """Its CPU: the token's owner, the action and its consultation are read as plain values, not ORM objects."""
    action = _first_action(make_consultation(vote_limit_per_orientation=3))
    _token, secret = issue_token("Application mobile", owner=make_participant())
    db.session.commit()
    built = []

    def listener(target, _context):
        built.append(target)

    event.listen(Model, "load", listener, propagate=True)
    try:
        response = client.put(
            f"/api/v1/actions/{action.id}/votes/opinion", json={"value": 1}, headers={"Authorization": f"Bearer {secret}"}
        )
    finally:
        event.remove(Model, "load", listener)

    assert response.status_code == 200, response.json
    assert response.json["data"]["opinion"] == 1
    assert built == []


def _add_moderation_work(consultation, proposals: int, reported_comments: int) -> None:
    """Pending proposals, and comments each reported twice (one reported item, two reports)."""
    author = make_participant()
    reporters = [make_participant(), make_participant()]
    action = _first_action(consultation)
    for n in range(proposals):
        propose_action(author, consultation.orientations[0], f"Proposition numéro {n}", "")
    for n in range(reported_comments):
        comment = add_comment(author, action, f"Commentaire signalé numéro {n}")
        for reporter in reporters:
            report(reporter, consultation, Target(comment=comment), ReportReason.SPAM)
    db.session.commit()


def test_the_moderation_dashboard_counts_without_loading_the_queues(client):
    """Its two numbers per consultation are counted by the database: the page sends as many queries for one
    proposal and one reported comment as for many, in more consultations."""
    first = make_consultation(slug="premiere")
    moderator = make_moderator(first)
    _add_moderation_work(first, proposals=1, reported_comments=1)
    login(client, moderator)
    assert client.get("/moderation/").status_code == 200  # warms what is loaded once per process
    with count_queries(db.engine) as few:
        text = page_text(client.get("/moderation/"))
    assert "1 proposition en attente" in text and "1 contenu signalé" in text

    second = make_consultation(slug="seconde")
    db.session.add(ModeratorAssignment(participant_id=moderator.id, consultation_id=second.id))
    _add_moderation_work(first, proposals=5, reported_comments=6)
    _add_moderation_work(second, proposals=3, reported_comments=2)
    with count_queries(db.engine) as many:
        text = page_text(client.get("/moderation/"))
    assert "6 propositions en attente" in text and "7 contenus signalés" in text
    assert "3 propositions en attente" in text and "2 contenus signalés" in text
    assert len(many) == len(few), "\n".join(s[:150] for s in many)


def test_the_reports_page_loads_the_reported_items_together(client):
    """The moderators' list of reports sends as many queries for one reported comment as for many: the
    comments and their authors are read together, not one by one."""
    consultation = make_consultation()
    moderator = make_moderator(consultation)
    _add_moderation_work(consultation, proposals=0, reported_comments=1)
    login(client, moderator)
    url = f"/moderation/{consultation.slug}/reports"
    assert client.get(url).status_code == 200  # warms what is loaded once per process
    with count_queries(db.engine) as few:
        text = page_text(client.get(url))
    assert "Commentaire signalé numéro 0" in text

    _add_moderation_work(consultation, proposals=0, reported_comments=8)
    with count_queries(db.engine) as many:
        text = page_text(client.get(url))
    assert "Commentaire signalé numéro 7" in text and text.count("2 signalements") == 9
    assert len(many) == len(few), "\n".join(s[:150] for s in many)
