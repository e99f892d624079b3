"""A vote pressed before signing in: the visitor is asked to sign in (or register), and the vote they pressed is
then cast once, under every usual rule, its answer beside the action where they pressed it."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from pedt_participation.extensions import db
from pedt_participation.models import Participant, Vote, VoteKind
from pedt_participation.voting import views as voting_views
from tests.helpers import TEST_PASSWORD, login, make_consultation, make_participant, page_text
from tests.test_auth import PARENT


def _votes() -> list[tuple[int, VoteKind, int]]:
    return sorted(db.session.execute(select(Vote.action_id, Vote.kind, Vote.value)).tuples().all())


def _sign_in(client, participant, **query):
    return client.post("/auth/login", query_string=query,
                       data={"email": participant.email, "password": TEST_PASSWORD})


def test_a_visitor_pressing_support_signs_in_and_lands_on_the_card_with_the_support_recorded(client):
    consultation = make_consultation(vote_limit_per_orientation=2)
    action = consultation.orientations[0].actions[0]
    parent = make_participant()
    card = f"/consultations/{consultation.slug}#action-{action.id}"

    pressed = client.post(f"/actions/{action.id}/votes/support", data={"next": card})
    assert pressed.status_code == 302 and "/auth/login" in pressed.headers["Location"]
    sign_in_page = page_text(client.get(pressed.headers["Location"]))
    assert f"Votre soutien à « {action.title} » sera enregistré dès que vous serez connecté" in sign_in_page
    assert _votes() == []

    signed_in = _sign_in(client, parent, next=card)
    assert signed_in.headers["Location"] == card
    assert _votes() == [(action.id, VoteKind.SUPPORT, 1)]
    html = client.get(card).get_data(as_text=True)
    beside = html[html.index(f'id="action-{action.id}"'):]
    beside = beside[:beside.index("</li>")]
    assert "Votre soutien est enregistré. Il vous reste 1 soutien pour cette orientation." in page_text_of(beside)

    # Held once: signing out and in again casts nothing more, and the button now withdraws.
    client.post("/auth/logout")
    _sign_in(client, parent)
    assert _votes() == [(action.id, VoteKind.SUPPORT, 1)]


def page_text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "’").strip()


def test_a_new_account_casts_the_opinion_pressed_before_registering(client):
    action = make_consultation().orientations[0].actions[0]
    client.post(f"/actions/{action.id}/votes/opinion", data={"value": "-1"})
    register_page = page_text(client.get("/auth/register"))
    assert f"Votre avis « Contre » sur « {action.title} » sera enregistré" in register_page

    registered = client.post("/auth/register", data=PARENT)

    assert registered.headers["Location"].endswith(f"/actions/{action.id}#vote")
    participant = db.session.scalar(select(Participant))
    assert db.session.execute(select(Vote.participant_id, Vote.kind, Vote.value)).all() == [
        (participant.id, VoteKind.OPINION, -1)
    ]
    assert "Votre avis est enregistré." in page_text(client.get(registered.headers["Location"]))


def test_a_held_support_over_the_limit_is_refused_beside_the_action_and_not_cast(client):
    consultation = make_consultation(vote_limit_per_orientation=1)
    first, second, _third = consultation.orientations[0].actions
    parent = make_participant()
    login(client, parent)
    client.post(f"/actions/{first.id}/votes/support")
    client.post("/auth/logout")

    client.post(f"/actions/{second.id}/votes/support")
    landed = _sign_in(client, parent)

    assert landed.headers["Location"].endswith(f"/actions/{second.id}#vote")
    assert _votes() == [(first.id, VoteKind.SUPPORT, 1)]
    html = client.get(landed.headers["Location"]).get_data(as_text=True)
    panel = html[html.index('id="vote"'):]
    assert "Vous avez déjà donné votre seul soutien pour l’orientation" in page_text_of(panel)


def test_a_held_vote_in_a_consultation_requiring_codes_is_refused_until_a_code_is_entered(client):
    action = make_consultation(codes_required=True).orientations[0].actions[0]
    client.post(f"/actions/{action.id}/votes/support")
    landed = _sign_in(client, make_participant())
    assert _votes() == []
    assert "il faut un code de participation" in page_text(client.get(landed.headers["Location"]))


def test_a_visitor_who_drops_the_held_vote_signs_in_without_voting(client):
    action = make_consultation().orientations[0].actions[0]
    client.post(f"/actions/{action.id}/votes/support")
    dropped = client.post("/votes/en-attente/annuler", query_string={"next": f"/actions/{action.id}#vote"})
    assert dropped.headers["Location"].endswith(f"/actions/{action.id}#vote")
    assert "sera enregistré" not in page_text(client.get("/auth/login"))

    assert _sign_in(client, make_participant()).headers["Location"].endswith("/")
    assert _votes() == []


def test_a_held_vote_expires_after_a_quarter_of_an_hour(client, monkeypatch):
    action = make_consultation().orientations[0].actions[0]
    client.post(f"/actions/{action.id}/votes/support")
    pressed_at = voting_views.time.time()
    monkeypatch.setattr(voting_views.time, "time", lambda: pressed_at + voting_views.HELD_VOTE_SECONDS + 1)

    _sign_in(client, make_participant())

    assert _votes() == []


def test_a_vote_is_never_held_from_a_link_or_a_post_without_the_form_token(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    action = make_consultation().orientations[0].actions[0]
    parent = make_participant()
    assert client.get(f"/actions/{action.id}/votes/support").status_code == 405
    assert client.post(f"/actions/{action.id}/votes/support").status_code == 400  # a forged form

    login_page = client.get("/auth/login").get_data(as_text=True)
    assert "sera enregistré" not in page_text_of(login_page)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/auth/login", data={"email": parent.email, "password": TEST_PASSWORD, "csrf_token": token})
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


def test_signed_out_pages_offer_the_vote_buttons_themselves(client):
    consultation = make_consultation(majority_judgment_enabled=True)
    action = consultation.orientations[0].actions[0]
    card_page = client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)
    action_page = client.get(f"/actions/{action.id}").get_data(as_text=True)

    assert f'action="/actions/{action.id}/votes/support' in card_page
    for kind in ("support", "opinion", "grade"):
        assert f'action="/actions/{action.id}/votes/{kind}' in action_page
    # Sent as plain forms (the in-place script would swap in the sign-in page).
    assert "data-vote>" not in card_page.replace("data-vote-place", "") and "data-vote>" not in action_page
