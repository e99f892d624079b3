"""The order of a consultation's actions does not favour the first ones: random by default, the same for one person
at every visit and different between people, or by supports or newest first on request, through plain links."""

from __future__ import annotations

import re
from datetime import timedelta

from pedt_participation.extensions import db
from pedt_participation.models import VoteKind
from pedt_participation.voting.services import cast_vote
from tests.helpers import login, make_consultation, make_participant, page_text


def _titles(client, slug, **query):
    """The action titles of the first orientation, in the order the page lists them."""
    html = client.get(f"/consultations/{slug}", query_string=query).get_data(as_text=True)
    return re.findall(r"Action (1\.\d+)</a>", html)


def test_the_random_order_is_the_same_at_every_visit_and_differs_between_people(app, client):
    consultation = make_consultation(orientations=1, actions_per_orientation=8)
    first, second = make_participant(), make_participant()

    login(client, first)
    order_of_first = _titles(client, consultation.slug)
    assert _titles(client, consultation.slug) == order_of_first
    assert sorted(order_of_first) == [f"1.{n}" for n in range(1, 9)]
    assert order_of_first != sorted(order_of_first)  # not the written order
    client.post("/auth/logout")

    login(client, second)
    assert _titles(client, consultation.slug) != order_of_first
    client.post("/auth/logout")

    # A visitor keeps theirs for the session; another visitor has another.
    visitor_order = _titles(client, consultation.slug)
    assert _titles(client, consultation.slug) == visitor_order
    assert _titles(app.test_client(), consultation.slug) != visitor_order


def test_signing_in_keeps_the_order_the_visitor_was_looking_at(client):
    """A visitor who presses « Soutenir » signs in over the page (the dialog) and finds the cards where they were:
    the random order does not change under their finger. Signed out, a new visit draws a new order."""
    consultation = make_consultation(orientations=1, actions_per_orientation=8)
    parent = make_participant()
    seen_as_visitor = _titles(client, consultation.slug)

    login(client, parent)
    assert _titles(client, consultation.slug) == seen_as_visitor


def test_the_page_says_the_order_is_random_and_offers_the_others_as_links(client):
    consultation = make_consultation(orientations=1, actions_per_orientation=3)
    text = page_text(client.get(f"/consultations/{consultation.slug}"))
    assert "Ordre des actions : au hasard les plus soutenues les plus récentes" in text
    assert "pour que les premières de la liste ne soient pas avantagées" in text


def test_most_supported_and_newest_first(client):
    consultation = make_consultation(orientations=1, actions_per_orientation=4)
    actions = consultation.orientations[0].actions
    for n, action in enumerate(actions):
        action.published_at = action.published_at - timedelta(days=10 - n)  # 1.4 the newest
    voters = [make_participant() for _ in range(3)]
    for voter in voters:
        cast_vote(voter, actions[2], VoteKind.SUPPORT, 1)
    cast_vote(voters[0], actions[0], VoteKind.SUPPORT, 1)
    db.session.commit()

    assert _titles(client, consultation.slug, order="supported") == ["1.3", "1.1", "1.2", "1.4"]
    assert _titles(client, consultation.slug, order="newest") == ["1.4", "1.3", "1.2", "1.1"]


def test_no_order_by_supports_while_figures_are_hidden(client):
    consultation = make_consultation(orientations=1, actions_per_orientation=6, figures_during_vote=False)
    actions = consultation.orientations[0].actions
    cast_vote(make_participant(), actions[5], VoteKind.SUPPORT, 1)
    db.session.commit()

    response = client.get(f"/consultations/{consultation.slug}", query_string={"order": "supported"})
    assert "les plus soutenues" not in page_text(response)
    assert _titles(client, consultation.slug, order="supported") == _titles(client, consultation.slug)
