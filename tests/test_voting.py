"""Vote rules as a participant meets them: limit, phases, change, withdraw, double vote, eligibility."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from pedt_participation.errors import ParticipationRefused
from pedt_participation.extensions import db
from pedt_participation.models import ActionState, AgeBracket, Audience, Vote, VoteKind
from pedt_participation.voting.services import cast_vote, count_votes
from tests.helpers import login, make_consultation, make_participant, page_text


def _votes(participant, kind=None):
    query = select(func.count()).select_from(Vote).where(Vote.participant_id == participant.id)
    if kind:
        query = query.where(Vote.kind == kind)
    return db.session.scalar(query)


def _support(client, action, **query):
    return client.post(f"/actions/{action.id}/votes/support", query_string=query, follow_redirects=True)


def test_supports_count_down_and_stop_at_the_orientation_limit(client):
    consultation = make_consultation(vote_limit_per_orientation=2, actions_per_orientation=3)
    first, second, third = consultation.orientations[0].actions
    other_orientation_action = consultation.orientations[1].actions[0]
    participant = make_participant()
    login(client, participant)

    assert "Il vous reste 1 soutien pour cette orientation." in page_text(_support(client, first))
    assert "Vous avez utilisé tous vos soutiens pour cette orientation." in page_text(_support(client, second))

    refused = page_text(_support(client, third))
    assert "Vous avez déjà donné vos 2 soutiens pour l’orientation « Orientation numéro 1 »" in refused
    assert "retirez d’abord un soutien" in refused
    assert _votes(participant, VoteKind.SUPPORT) == 2

    # The limit is per orientation: the other orientation still has both supports.
    assert "Il vous reste 1 soutien pour cette orientation." in page_text(_support(client, other_orientation_action))


def test_a_supported_action_does_not_ask_to_withdraw_another_support_first(client):
    consultation = make_consultation(vote_limit_per_orientation=2, actions_per_orientation=3)
    first, second, third = consultation.orientations[0].actions
    login(client, make_participant())
    _support(client, first)
    _support(client, second)

    supported = page_text(client.get(f"/actions/{first.id}"))
    assert "Vous avez utilisé tous vos soutiens pour cette orientation, dont un pour cette action." in supported
    assert "retirez d’abord" not in supported and "Il vous reste 0" not in supported

    not_supported = page_text(client.get(f"/actions/{third.id}"))
    assert "Pour soutenir cette action, retirez d’abord un autre soutien dans la même orientation." in not_supported
    assert "Il vous reste 0" not in page_text(client.get(f"/consultations/{consultation.slug}"))


def test_opinion_counts_agree_in_number(client):
    consultation = make_consultation(opinion_enabled=True)
    action = consultation.orientations[0].actions[0]
    for value in (0, 0, 1):
        cast_vote(make_participant(), action, VoteKind.OPINION, value)
    db.session.commit()
    assert "Avis : 1 pour, 2 mitigés, 0 contre" in page_text(client.get(f"/actions/{action.id}"))
    cast_vote(make_participant(), consultation.orientations[0].actions[1], VoteKind.OPINION, 0)
    db.session.commit()
    assert "Avis : 0 pour, 1 mitigé, 0 contre" in page_text(client.get(f"/actions/{consultation.orientations[0].actions[1].id}"))


def test_a_refused_support_answers_beside_the_action_and_not_at_the_top(client):
    consultation = make_consultation(vote_limit_per_orientation=1, actions_per_orientation=3)
    first, second, _third = consultation.orientations[0].actions
    login(client, make_participant())
    _support(client, first)

    listing = f"/consultations/{consultation.slug}#action-{second.id}"
    response = client.post(f"/actions/{second.id}/votes/support", query_string={"next": listing})
    assert response.headers["Location"].endswith(listing)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    card = html[html.index(f'id="action-{second.id}"') :]
    card = card[: card.index("</li>")]
    assert 'class="flash flash-error flash-beside" role="alert">Vous avez déjà donné votre seul soutien' in card
    assert 'class="flashes"' not in html  # not repeated at the top of the page

    # On the action page, the answer sits in the vote panel the browser lands on.
    landing = client.post(f"/actions/{first.id}/votes/support/withdraw").headers["Location"]
    assert landing.endswith(f"/actions/{first.id}#vote")
    page = client.get(landing).get_data(as_text=True)
    panel = page[page.index('id="vote"') :]
    assert 'class="flash flash-success flash-beside" role="status">Votre soutien est retiré.' in panel
    assert 'class="flashes"' not in page


def test_a_message_whose_place_the_page_does_not_show_goes_on_top(client):
    action = make_consultation().orientations[0].actions[0]
    login(client, make_participant())
    client.post(f"/actions/{action.id}/votes/support", query_string={"next": "/notifications/"})
    html = client.get("/notifications/").get_data(as_text=True)
    assert '<div class="flashes">' in html and "Votre soutien est enregistré." in html


def test_withdrawing_a_support_frees_a_place(client):
    consultation = make_consultation(vote_limit_per_orientation=1)
    first, second = consultation.orientations[0].actions[:2]
    participant = make_participant()
    login(client, participant)
    _support(client, first)

    text = page_text(client.post(f"/actions/{first.id}/votes/support/withdraw", follow_redirects=True))
    assert "Votre soutien est retiré. Il vous reste 1 soutien pour cette orientation." in text

    _support(client, second)
    assert db.session.scalars(select(Vote.action_id).where(Vote.participant_id == participant.id)).all() == [second.id]


def test_support_button_shows_pressed_state_and_returns_to_the_list(client):
    consultation = make_consultation()
    action = consultation.orientations[0].actions[0]
    login(client, make_participant())

    response = client.post(
        f"/actions/{action.id}/votes/support", query_string={"next": f"/consultations/{consultation.slug}#action-{action.id}"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/consultations/{consultation.slug}#action-{action.id}")
    html = client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)
    assert 'aria-pressed="true"' in html
    assert "1 soutien" in page_text(client.get(f"/consultations/{consultation.slug}"))


def _card(client, page: str, action) -> str:
    html = client.get(page).get_data(as_text=True)
    return re.search(rf'<li class="action" id="action-{action.id}".*?</li>', html, re.S).group(0)


def _form_sent_to(card: str, path: str) -> str:
    return next(unescape(url) for url in re.findall(r'<form [^>]*action="([^"]+)"', card) if url.startswith(path))


@pytest.mark.parametrize("embedded", [False, True])
def test_each_card_s_link_and_vote_forms_act_on_its_own_action_and_come_back_to_its_card(client, embedded):
    """The cards' addresses are written from one built for the whole page (`for_action`): each card's must still
    name its own action, and bring the person back to that card."""
    consultation = make_consultation(opinion_enabled=True)
    prefix = "/embed" if embedded else ""
    page = f"{prefix}/consultations/{consultation.slug}"
    actions = [orientation.actions[1] for orientation in consultation.orientations]
    participant = make_participant()
    login(client, participant)

    for action in actions:
        card = _card(client, page, action)
        assert f'href="{prefix}/actions/{action.id}"' in card
        response = client.post(_form_sent_to(card, f"/actions/{action.id}/votes/support?"))
        assert response.headers["Location"].endswith(f"{page}#action-{action.id}")
        response = client.post(_form_sent_to(_card(client, page, action), f"/actions/{action.id}/votes/opinion?"), data={"value": "1"})
        assert response.headers["Location"].endswith(f"{page}#action-{action.id}")
    withdrawn = actions[0]
    response = client.post(_form_sent_to(_card(client, page, withdrawn), f"/actions/{withdrawn.id}/votes/support/withdraw?"))
    assert response.headers["Location"].endswith(f"{page}#action-{withdrawn.id}")

    votes = db.session.execute(select(Vote.action_id, Vote.kind).where(Vote.participant_id == participant.id)).all()
    assert sorted(votes) == sorted(
        [(actions[1].id, VoteKind.SUPPORT)] + [(action.id, VoteKind.OPINION) for action in actions]
    )


def test_vote_redirect_ignores_next_pointing_to_another_site(client):
    action = make_consultation().orientations[0].actions[0]
    login(client, make_participant())
    response = client.post(f"/actions/{action.id}/votes/support", query_string={"next": "https://evil.example/"})
    assert response.headers["Location"].endswith(f"/actions/{action.id}#vote")


def test_opinion_can_be_changed_and_withdrawn(client):
    action = make_consultation(opinion_enabled=True).orientations[0].actions[0]
    participant = make_participant()
    login(client, participant)

    client.post(f"/actions/{action.id}/votes/opinion", data={"value": "1"})
    assert count_votes([action.id])[action.id].opinions == {-1: 0, 0: 0, 1: 1}

    text = page_text(client.post(f"/actions/{action.id}/votes/opinion", data={"value": "-1"}, follow_redirects=True))
    assert "Votre avis est enregistré." in text
    assert "Avis : 0 pour, 0 mitigé, 1 contre" in text
    assert _votes(participant, VoteKind.OPINION) == 1
    assert f'action="/actions/{action.id}/votes/opinion/withdraw"' in client.get(f"/actions/{action.id}").get_data(as_text=True)

    text = page_text(client.post(f"/actions/{action.id}/votes/opinion/withdraw", follow_redirects=True))
    assert "Votre avis est retiré." in text
    assert _votes(participant) == 0


def test_grade_is_recorded_and_changed(client):
    action = make_consultation(majority_judgment_enabled=True).orientations[0].actions[0]
    participant = make_participant()
    login(client, participant)

    client.post(f"/actions/{action.id}/votes/grade", data={"value": "6"})
    client.post(f"/actions/{action.id}/votes/grade", data={"value": "2"})

    grades = count_votes([action.id])[action.id].grades
    assert grades[2] == 1 and sum(grades.values()) == 1
    html = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert re.search(r'<button type="submit" name="value" value="2" id="mention-\d+-2" class="toggle grade grade-2" aria-pressed="true">', html)
    assert html.count('aria-pressed="true"><span aria-hidden="true">✓ </span>') == 1
    assert f'action="/actions/{action.id}/votes/grade/withdraw"' in html


def test_grade_refused_when_the_consultation_does_not_use_it(client):
    action = make_consultation(majority_judgment_enabled=False).orientations[0].actions[0]
    login(client, make_participant())
    text = page_text(client.post(f"/actions/{action.id}/votes/grade", data={"value": "3"}, follow_redirects=True))
    assert "Ce type de vote n’est pas utilisé dans cette consultation." in text


def test_out_of_range_value_is_refused_with_a_message(client):
    action = make_consultation().orientations[0].actions[0]
    login(client, make_participant())
    text = page_text(client.post(f"/actions/{action.id}/votes/opinion", data={"value": "7"}, follow_redirects=True))
    assert "Ce choix n’existe pas." in text


@pytest.mark.parametrize(
    ("voting", "message"),
    [
        ("future", "Le vote n’est pas encore ouvert : il commencera le"),
        ("past", "Le vote est terminé depuis le"),
    ],
)
def test_votes_outside_the_voting_phase_are_refused(client, voting, message):
    action = make_consultation(voting=voting).orientations[0].actions[0]
    participant = make_participant()
    login(client, participant)

    response = _support(client, action)

    assert response.status_code == 200
    assert message in page_text(response)
    assert _votes(participant) == 0


def test_vote_cannot_be_withdrawn_after_voting_closed(client, app):
    consultation = make_consultation()
    action = consultation.orientations[0].actions[0]
    participant = make_participant()
    cast_vote(participant, action, VoteKind.SUPPORT, 1)
    db.session.commit()
    consultation.voting_close_at = consultation.voting_open_at
    db.session.commit()
    login(client, participant)

    text = page_text(client.post(f"/actions/{action.id}/votes/support/withdraw", follow_redirects=True))
    assert "Le vote est terminé" in text
    assert _votes(participant) == 1


def test_audience_not_allowed_is_told_who_may_vote(client):
    action = make_consultation(allowed_audiences=["parent", "youth"]).orientations[0].actions[0]
    professional = make_participant(audience=Audience.PROFESSIONAL, age_bracket=AgeBracket.FROM_40_TO_59)
    login(client, professional)

    text = page_text(_support(client, action))

    assert "Cette consultation s’adresse aux publics suivants : parent, jeune (11 à 25 ans)" in text
    assert _votes(professional) == 0


def test_minimum_age_is_enforced(client):
    action = make_consultation(minimum_age=15).orientations[0].actions[0]
    young = make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_11_TO_14)
    login(client, young)
    assert "Cette consultation est ouverte à partir de 15 ans." in page_text(_support(client, action))


def test_hidden_action_cannot_be_voted_on(client):
    action = make_consultation().orientations[0].actions[0]
    action.state = ActionState.HIDDEN
    db.session.commit()
    login(client, make_participant())
    assert client.post(f"/actions/{action.id}/votes/support").status_code == 404


def test_voting_twice_keeps_one_vote(client):
    action = make_consultation().orientations[0].actions[0]
    participant = make_participant()
    login(client, participant)
    _support(client, action)
    # A second "support" on the same action (double click, second tab) changes nothing.
    cast_vote(participant, action, VoteKind.SUPPORT, 1)
    db.session.commit()
    assert _votes(participant, VoteKind.SUPPORT) == 1
    assert count_votes([action.id])[action.id].supports == 1


def test_support_on_a_hidden_action_no_longer_counts_against_the_limit(client):
    consultation = make_consultation(vote_limit_per_orientation=1)
    first, second = consultation.orientations[0].actions[:2]
    participant = make_participant()
    cast_vote(participant, first, VoteKind.SUPPORT, 1)
    first.state = ActionState.HIDDEN
    db.session.commit()

    cast_vote(participant, second, VoteKind.SUPPORT, 1)
    db.session.commit()
    assert _votes(participant, VoteKind.SUPPORT) == 2


def test_service_refusal_is_an_exception_with_a_french_message(app):
    action = make_consultation(voting="past").orientations[0].actions[0]
    with pytest.raises(ParticipationRefused, match="Le vote est terminé"):
        cast_vote(make_participant(), action, VoteKind.SUPPORT, 1)


def test_voting_requires_login(client):
    action = make_consultation().orientations[0].actions[0]
    response = client.post(f"/actions/{action.id}/votes/support")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
