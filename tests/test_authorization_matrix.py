"""Every moderation and admin route, requested by every kind of person."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from pedt_participation.consultations.services import propose_action
from pedt_participation.extensions import db
from pedt_participation.models import (
    ActionState,
    AgeBracket,
    Audience,
    DeliveryStatus,
    ModerationAction,
    ModerationLogEntry,
    ModeratorAssignment,
    Participant,
    Role,
    WebhookDelivery,
    WebhookEvent,
    Workshop,
)
from pedt_participation.api.services import issue_token
from pedt_participation.webhooks.services import create_endpoint
from tests.helpers import assert_every_route_listed, login, make_consultation, make_participant, page_text


@pytest.fixture
def world():
    demo = make_consultation(slug="demo")
    other = make_consultation(slug="autre")
    author = make_participant()
    proposal = propose_action(author, demo.orientations[0], "Une proposition à relire", "")
    db.session.commit()
    people = {
        "participant": author,
        "committee": make_participant(role=Role.COMMITTEE),
        "moderator_elsewhere": make_participant(role=Role.MODERATOR),
        "moderator": make_participant(role=Role.MODERATOR),
        "admin": make_participant(role=Role.ADMIN, audience=Audience.PROFESSIONAL, age_bracket=AgeBracket.FROM_40_TO_59),
    }
    db.session.add(ModeratorAssignment(participant_id=people["moderator"].id, consultation_id=demo.id))
    db.session.add(ModeratorAssignment(participant_id=people["moderator_elsewhere"].id, consultation_id=other.id))
    workshop = Workshop(consultation_id=demo.id, held_on=date(2026, 1, 10), place="Centre social")
    db.session.add(workshop)
    # Disabled, so that its empty ping is refused; a delivered delivery cannot be sent again.
    webhook = create_endpoint(people["admin"], url="https://decidim.ville.fr/hooks", description="",
                              events=["summary.ready"], active=False)
    delivery = WebhookDelivery(endpoint=webhook, event=WebhookEvent.PING, event_id="ping", payload={},
                               status=DeliveryStatus.DELIVERED)
    db.session.add(delivery)
    api_token, _secret = issue_token("Plateforme", owner=None)
    db.session.commit()
    return {"proposal": proposal, "people": people, "demo": demo, "workshop": workshop, "webhook": webhook,
            "delivery": delivery, "api_token": api_token}


def _routes(world):
    proposal_id = world["proposal"].id
    participant_id = world["people"]["participant"].id
    return {
        ("GET", "/moderation/"): "moderation_home",
        ("GET", "/moderation/demo/proposals"): "moderation",
        ("POST", f"/moderation/proposals/{proposal_id}/approve"): "moderation",
        ("POST", f"/moderation/proposals/{proposal_id}/reject"): "moderation",
        ("POST", f"/moderation/proposals/{proposal_id}/merge"): "moderation",
        ("GET", "/moderation/demo/reports"): "moderation",
        ("POST", f"/moderation/demo/action/{world['demo'].orientations[0].actions[0].id}/dismiss"): "moderation",
        ("POST", f"/moderation/demo/participants/{participant_id}/block"): "moderation",
        ("GET", "/moderation/demo/answers"): "moderation",
        ("POST", f"/moderation/demo/answers/{world['demo'].orientations[0].actions[0].id}"): "moderation",
        ("POST", "/moderation/demo/answers/publish"): "moderation",
        ("GET", "/moderation/demo/workshops"): "moderation",
        ("POST", "/moderation/demo/workshops"): "moderation_form",
        ("GET", f"/moderation/demo/workshops/{world['workshop'].id}"): "moderation",
        ("POST", f"/moderation/demo/workshops/{world['workshop'].id}"): "moderation_form",
        ("GET", "/moderation/demo/opendata"): "moderation",
        ("POST", "/moderation/demo/opendata/apercu"): "moderation_form",
        ("POST", "/moderation/demo/opendata/import"): "moderation_form",
        ("GET", "/moderation/demo/opendata/propositions.csv"): "moderation",
        ("GET", "/moderation/demo/opendata/commentaires.csv"): "moderation",
        ("GET", "/moderation/demo/traductions"): "moderation",
        ("GET", f"/moderation/demo/traductions/action/{world['demo'].orientations[0].actions[0].id}"): "moderation",
        ("POST", f"/moderation/demo/traductions/orientation/{world['demo'].orientations[0].id}"): "moderation",
        ("GET", "/admin/participants"): "admin",
        ("POST", f"/admin/participants/{participant_id}/role"): "admin",
        ("GET", "/admin/moderation-log"): "admin",
        ("GET", "/admin/webhooks/"): "admin",
        ("POST", "/admin/webhooks/"): "admin_form",
        ("GET", f"/admin/webhooks/{world['webhook'].id}"): "admin",
        ("POST", f"/admin/webhooks/{world['webhook'].id}"): "admin_form",
        ("POST", f"/admin/webhooks/{world['webhook'].id}/secret"): "admin",
        ("POST", f"/admin/webhooks/{world['webhook'].id}/ping"): "admin",
        ("POST", f"/admin/webhooks/{world['webhook'].id}/delete"): "admin",
        ("GET", "/admin/webhooks/deliveries"): "admin",
        ("POST", f"/admin/webhooks/deliveries/{world['delivery'].id}/resend"): "admin",
        ("GET", "/admin/jetons-api/"): "admin",
        ("POST", "/admin/jetons-api/"): "admin_form",
        ("POST", f"/admin/jetons-api/{world['api_token'].id}/revoquer"): "admin",
    }


# What each person gets on each kind of route: "ok" is 200 for a page and 303 for a form post
# (sent empty here, so it only redirects back with a message and changes nothing); a form page that
# shows its errors again answers 422.
EXPECTED = {
    "participant": {"moderation_home": 403, "moderation": 403, "moderation_form": 403, "admin": 403, "admin_form": 403},
    "committee": {"moderation_home": 403, "moderation": 403, "moderation_form": 403, "admin": 403, "admin_form": 403},
    "moderator_elsewhere": {"moderation_home": "ok", "moderation": 403, "moderation_form": 403, "admin": 403,
                            "admin_form": 403},
    "moderator": {"moderation_home": "ok", "moderation": "ok", "moderation_form": 422, "admin": 403, "admin_form": 403},
    "admin": {"moderation_home": "ok", "moderation": "ok", "moderation_form": 422, "admin": "ok", "admin_form": 422},
}


def test_every_moderation_and_admin_route_is_in_this_matrix(app, world):
    """A new staff route must be added above, so that its rights are tested for every role."""
    assert_every_route_listed(app, ("/moderation", "/admin"), _routes(world))


def test_anonymous_visitors_are_sent_to_login(client, world):
    for (method, path), _kind in _routes(world).items():
        response = client.open(path, method=method)
        assert response.status_code == 302, (method, path)
        assert "/auth/login" in response.headers["Location"], (method, path)


@pytest.mark.parametrize("who", list(EXPECTED))
def test_each_role_on_each_route(client, world, who):
    login(client, world["people"][who])
    for (method, path), kind in _routes(world).items():
        response = client.open(path, method=method, data={})
        expected = EXPECTED[who][kind]
        if expected == "ok":
            expected = 200 if method == "GET" else 303
        assert response.status_code == expected, (who, method, path, response.status_code)
        if expected == 403:
            assert "Accès refusé" in page_text(response)
    assert db.session.get(type(world["proposal"]), world["proposal"].id).state == ActionState.PENDING


def test_dashboard_lists_only_the_consultations_a_moderator_has(client, world):
    login(client, world["people"]["moderator_elsewhere"])
    text = page_text(client.get("/moderation/"))
    assert "Consultation autre" in text and "Consultation demo" not in text


def test_admin_assigns_a_moderator_and_it_is_logged(client, world):
    admin, person = world["people"]["admin"], world["people"]["committee"]
    login(client, admin)
    assert person.email in page_text(client.get("/admin/participants", query_string={"q": person.email}))
    client.post(
        f"/admin/participants/{person.id}/role",
        data={f"p{person.id}-role": "moderator", f"p{person.id}-consultations": [str(world["demo"].id)]},
    )
    assert db.session.get(Participant, person.id).role == Role.MODERATOR
    [entry] = db.session.scalars(select(ModerationLogEntry).where(ModerationLogEntry.action == ModerationAction.ROLE_CHANGE))
    assert entry.details["role"] == {"before": "committee", "after": "moderator"}
    assert entry.details["consultations"] == {"before": [], "after": [world["demo"].id]}
    client.post("/auth/logout")

    login(client, person)
    assert client.get("/moderation/demo/proposals").status_code == 200


def test_admin_cannot_remove_their_own_admin_role(client, world):
    admin = world["people"]["admin"]
    login(client, admin)
    text = page_text(client.post(f"/admin/participants/{admin.id}/role", data={f"p{admin.id}-role": "participant"}, follow_redirects=True))
    assert "Vous ne pouvez pas retirer votre propre rôle" in text
    assert db.session.get(Participant, admin.id).role == Role.ADMIN


def test_moderation_log_lists_and_filters(client, world):
    moderator = world["people"]["moderator"]
    login(client, moderator)
    proposal = world["proposal"]
    client.post(f"/moderation/proposals/{proposal.id}/reject", data={f"r{proposal.id}-reason": "Hors sujet"})
    client.post("/auth/logout")

    login(client, world["people"]["admin"])
    everything = page_text(client.get("/admin/moderation-log"))
    assert "1 action enregistrée" in everything and "Proposition refusée" in everything and "Hors sujet" in everything
    assert "0 action" in page_text(client.get("/admin/moderation-log", query_string={"action": "approve"}))
    assert "1 action enregistrée" in page_text(client.get("/admin/moderation-log", query_string={"moderator": moderator.id, "consultation": world["demo"].id}))
    assert "0 action" in page_text(client.get("/admin/moderation-log", query_string={"since": "2999-01-01"}))
    assert client.get("/admin/moderation-log", query_string={"since": "pas-une-date", "moderator": "x"}).status_code == 200
