"""Webhooks end to end: addresses registered on the admin page, events made by the real user paths
(a moderator publishes a proposal or an answer, the committee builds a summary), POSTed by a real
Celery worker to a real HTTP receiver on loopback that checks every signature; retries with back-off,
failure after the last try, sending again, and the delivery log."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from pedt_participation.consultations.services import propose_action
from pedt_participation.deferred_tasks import PENDING_TASKS
from pedt_participation.extensions import db
from pedt_participation.models import (
    AgeBracket,
    Audience,
    CommitteeSummary,
    DeliveryStatus,
    Role,
    SummaryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    utcnow,
)
from pedt_participation.webhooks import services
from tests.conftest import WORKER_PUBLIC_URL, WORKER_SETTINGS
from tests.helpers import login, make_consultation, make_participant, page_text, task_result, wait_until
from tests.webhook_receiver import Receiver

ALL_EVENTS = ["proposal.published", "action.answered", "summary.ready"]


@pytest.fixture
def consultation():
    return make_consultation(slug="demo", orientations=2, actions_per_orientation=2)


@pytest.fixture
def admin():
    return make_participant(
        role=Role.ADMIN, audience=Audience.PROFESSIONAL, age_bracket=AgeBracket.FROM_40_TO_59, display_name="Mme Admin"
    )


@pytest.fixture
def author():
    return make_participant(email="auteur.prive@exemple.fr", display_name="Karim Auteur")


@pytest.fixture
def proposal(consultation, author):
    action = propose_action(author, consultation.orientations[0], "Un atelier devoirs au centre social", "Le mardi soir.")
    db.session.commit()
    return action


def _register(client, url: str, events=ALL_EVENTS, active: bool = True, description: str = "Decidim de la ville"):
    """Adds an endpoint on the admin page; returns it and the secret the page shows once."""
    response = client.post(
        "/admin/webhooks/",
        data={"url": url, "description": description, "events": events, "active": "y" if active else ""},
    )
    assert response.status_code == 200, page_text(response)
    assert response.headers["Cache-Control"] == "no-store"
    secret = re.search(r'id="secret-value" value="([^"]+)"', response.get_data(as_text=True)).group(1)
    endpoint = db.session.scalar(select(WebhookEndpoint).order_by(WebhookEndpoint.id.desc()))
    return endpoint, unescape(secret)


def _approve(client, proposal):
    return client.post(
        f"/moderation/proposals/{proposal.id}/approve",
        data={
            f"a{proposal.id}-title": proposal.title,
            f"a{proposal.id}-body": proposal.body,
            f"a{proposal.id}-orientation_id": proposal.orientation_id,
        },
    )


def _publish_answer(client, action, text="La ville financera cette action dès la rentrée."):
    client.post(f"/moderation/demo/answers/{action.id}", data={f"r{action.id}-state": "accepted", f"r{action.id}-text": text})
    client.post("/moderation/demo/answers/publish", data={"action_ids": [str(action.id)]})


def _deliveries() -> list[WebhookDelivery]:
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def _status(delivery_id: int) -> DeliveryStatus:
    return db.session.get(WebhookDelivery, delivery_id).status


# --- the three events, through the worker, to a receiver that checks signatures -------------------


def test_the_three_events_reach_the_platform_signed(client, consultation, admin, author, proposal, start_worker):
    login(client, admin)
    with Receiver() as receiver:
        endpoint, receiver.secret = _register(client, receiver.url)
        start_worker()

        _approve(client, proposal)
        answered = consultation.orientations[1].actions[0]
        _publish_answer(client, answered)
        client.post("/comite/demo/syntheses")

        received = receiver.wait_for(3, seconds=120)
    assert all(request.signature_valid for request in received)
    by_event = {request.headers["X-PEDT-Event"]: request for request in received}
    assert set(by_event) == set(ALL_EVENTS)
    wait_until(lambda: all(d.status == DeliveryStatus.DELIVERED for d in _deliveries()), message="not all delivered")
    for delivery in _deliveries():
        request = by_event[delivery.event.value]
        assert request.headers["X-PEDT-Delivery"] == delivery.uuid
        assert request.payload == delivery.payload and request.payload["id"] == delivery.event_id
        assert request.payload["event"] == delivery.event.value
        assert delivery.attempts == 1 and delivery.last_http_status == 200 and delivery.delivered_at

    published = by_event["proposal.published"].payload["data"]["action"]
    assert published["id"] == proposal.id and published["state"] == "published" and published["origin"] == "participant"
    assert published["consultation"]["slug"] == "demo" and published["url"] == f"http://127.0.0.1:5000/actions/{proposal.id}"
    # Never personal data: neither the author's name nor their e-mail travels.
    for request in received:
        assert b"Karim" not in request.body and b"auteur.prive" not in request.body

    answer = by_event["action.answered"].payload["data"]["action"]
    assert answer["id"] == answered.id
    assert answer["answer"]["state"] == "accepted" and answer["answer"]["text"].startswith("La ville financera")

    summary = db.session.scalar(select(CommitteeSummary))
    assert summary.status == SummaryStatus.DONE
    ready = by_event["summary.ready"].payload["data"]["summary"]
    assert ready["id"] == summary.id and ready["status"] == "done" and ready["consultation"]["slug"] == "demo"
    assert ready["downloads"]["pdf"] == f"{WORKER_PUBLIC_URL}/comite/syntheses/{summary.id}/synthese.pdf"
    assert "orientations" not in ready  # the figures stay behind the committee's sign-in

    log = page_text(client.get("/admin/webhooks/deliveries"))
    assert log.split("3 envois", 1)[1].count("Reçu") == 3


def test_a_receiver_failing_twice_gets_three_attempts_and_is_then_delivered(client, admin, start_worker):
    login(client, admin)
    with Receiver(statuses=(500, 500)) as receiver:
        endpoint, receiver.secret = _register(client, receiver.url)
        start_worker()
        response = client.post(f"/admin/webhooks/{endpoint.id}/ping")
        assert response.headers["Location"].endswith(f"/admin/webhooks/deliveries?webhook={endpoint.id}")
        [delivery] = _deliveries()
        wait_until(lambda: _status(delivery.id) == DeliveryStatus.DELIVERED, message="the ping was not delivered")
        received = receiver.received
    assert len(received) == 3 and all(request.signature_valid for request in received)
    assert {request.headers["X-PEDT-Delivery"] for request in received} == {delivery.uuid}  # the same delivery
    retry_base = float(WORKER_SETTINGS["WEBHOOK_RETRY_BASE_SECONDS"])
    assert received[1].at - received[0].at >= 0.9 * retry_base and received[2].at - received[1].at >= 1.9 * retry_base
    assert received[0].payload["event"] == "ping" and received[0].payload["data"]["webhook"]["id"] == endpoint.id

    delivery = db.session.get(WebhookDelivery, delivery.id)
    assert delivery.attempts == 3 and delivery.last_http_status == 200 and delivery.last_error == ""
    log = page_text(client.get("/admin/webhooks/deliveries", query_string={"webhook": endpoint.id}))
    assert "Essai (ping)" in log and "Reçu" in log and "Envoyer à nouveau" not in log


def test_a_receiver_that_always_fails_ends_failed_and_can_be_sent_again(client, admin, start_worker):
    login(client, admin)
    with Receiver(statuses=(503, 503, 503)) as receiver:
        endpoint, receiver.secret = _register(client, receiver.url)
        start_worker()
        client.post(f"/admin/webhooks/{endpoint.id}/ping")
        [delivery] = _deliveries()
        wait_until(lambda: _status(delivery.id) == DeliveryStatus.FAILED, message="the delivery did not fail")
        assert len(receiver.received) == 3  # WEBHOOK_MAX_ATTEMPTS, no more
        delivery = db.session.get(WebhookDelivery, delivery.id)
        assert delivery.attempts == 3 and delivery.last_http_status == 503
        assert delivery.last_error == "Réponse HTTP 503"

        failed = page_text(client.get("/admin/webhooks/deliveries", query_string={"status": "failed"}))
        assert "1 envoi" in failed and "Échec" in failed and "Réponse HTTP 503" in failed
        assert "0 envoi" in page_text(client.get("/admin/webhooks/deliveries", query_string={"status": "delivered"}))

        # The platform is fixed; the admin sends the event again, and it arrives.
        back = client.post(f"/admin/webhooks/deliveries/{delivery.id}/resend", data={"next": "/admin/webhooks/deliveries?status=failed"})
        assert back.headers["Location"] == "/admin/webhooks/deliveries?status=failed"
        wait_until(lambda: _status(delivery.id) == DeliveryStatus.DELIVERED, message="the resent delivery did not arrive")
        assert len(receiver.received) == 4 and receiver.received[3].signature_valid
    assert db.session.get(WebhookDelivery, delivery.id).attempts == 1


def test_a_delivery_whose_task_was_lost_is_sent_by_the_beat_job(app, admin, start_worker):
    with Receiver() as receiver:
        endpoint = services.create_endpoint(admin, url=receiver.url, description="", events=ALL_EVENTS, active=True)
        receiver.secret = endpoint.secret
        [delivery] = services.publish_event(WebhookEvent.SUMMARY_READY, {"summary": {"id": 1}})
        db.session.info.pop(PENDING_TASKS)  # as if the broker had been down at commit: no task was sent
        db.session.commit()
        start_worker()
        due = task_result(app.extensions["celery"].send_task("pedt.webhooks.resend_due"))
        assert due == [delivery.id]
        wait_until(lambda: _status(delivery.id) == DeliveryStatus.DELIVERED, message="the beat job did not resend it")
        assert len(receiver.received) == 1 and receiver.received[0].signature_valid


# --- who gets what --------------------------------------------------------------------------------


def test_disabled_or_unsubscribed_endpoints_get_nothing(client, admin, proposal):
    login(client, admin)
    subscribed, _ = _register(client, "https://decidim.ville.fr/hooks/a", events=["proposal.published"])
    _register(client, "https://decidim.ville.fr/hooks/b", events=["proposal.published"], active=False)
    _register(client, "https://decidim.ville.fr/hooks/c", events=["summary.ready"])

    _approve(client, proposal)
    [delivery] = _deliveries()
    assert delivery.endpoint_id == subscribed.id and delivery.event == WebhookEvent.PROPOSAL_PUBLISHED
    assert delivery.status == DeliveryStatus.PENDING

    # A refused approval (already published) makes no event.
    _approve(client, proposal)
    assert len(_deliveries()) == 1


def test_an_endpoint_disabled_before_the_attempt_receives_nothing(client, admin, proposal):
    login(client, admin)
    with Receiver() as receiver:
        endpoint, receiver.secret = _register(client, receiver.url)
        _approve(client, proposal)
        client.post(f"/admin/webhooks/{endpoint.id}", data={"url": receiver.url, "events": ALL_EVENTS, "active": ""})
        [delivery] = _deliveries()
        # The task's own steps, in this process.
        claimed = services.claim_delivery(delivery.id)
        assert services.attempt_delivery(claimed) is None
        db.session.commit()
    assert receiver.received == []
    delivery = db.session.get(WebhookDelivery, delivery.id)
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_error == "Adresse désactivée : rien n’a été envoyé."


def test_publishing_answers_makes_one_event_per_action(client, consultation, admin):
    login(client, admin)
    _register(client, "https://decidim.ville.fr/hooks", events=["action.answered"])
    first, second = consultation.orientations[0].actions
    for action in (first, second):
        client.post(f"/moderation/demo/answers/{action.id}", data={f"r{action.id}-state": "not_retained", f"r{action.id}-text": "Pas de budget cette année."})
    client.post("/moderation/demo/answers/publish", data={"action_ids": [str(first.id), str(second.id)]})
    deliveries = _deliveries()
    assert [d.payload["data"]["action"]["id"] for d in deliveries] == [first.id, second.id]
    assert len({d.event_id for d in deliveries}) == 2
    assert all(d.payload["data"]["action"]["answer"]["state"] == "not_retained" for d in deliveries)


def test_a_delivery_is_claimed_by_one_attempt_at_a_time(admin):
    endpoint = services.create_endpoint(admin, url="https://decidim.ville.fr/hooks", description="", events=ALL_EVENTS, active=True)
    delivery = services.send_ping(endpoint)
    db.session.commit()
    assert services.claim_delivery(delivery.id) is not None
    db.session.commit()
    assert services.claim_delivery(delivery.id) is None  # held by the first attempt
    db.session.get(WebhookDelivery, delivery.id).next_attempt_at = utcnow()  # its lease ran out (worker died)
    db.session.commit()
    assert services.claim_delivery(delivery.id).attempts == 2
    db.session.get(WebhookDelivery, delivery.id).status = DeliveryStatus.DELIVERED
    db.session.commit()
    assert services.claim_delivery(delivery.id) is None


def test_signature_is_hmac_sha256_of_timestamp_and_body():
    # Known answer, computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
    assert services.signature("secret", "1700000000", b'{"a":1}') == (
        "sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
    )


# --- the admin pages ------------------------------------------------------------------------------


def test_adding_an_endpoint_shows_its_secret_once(client, admin):
    login(client, admin)
    assert "Aucune adresse pour l’instant" in page_text(client.get("/admin/webhooks/"))
    endpoint, secret = _register(client, "https://decidim.ville.fr/hooks", events=["summary.ready"])
    assert secret == endpoint.secret and len(secret) == 64
    assert endpoint.created_by_id == admin.id and endpoint.events == ["summary.ready"] and endpoint.active
    listing = page_text(client.get("/admin/webhooks/"))
    assert "Decidim de la ville" in listing and "Synthèse du comité prête" in listing and "Active" in listing
    assert secret not in listing and secret not in page_text(client.get(f"/admin/webhooks/{endpoint.id}"))


def test_an_invalid_endpoint_is_refused_in_plain_french(client, admin):
    login(client, admin)
    response = client.post("/admin/webhooks/", data={"url": "ftp://decidim.ville.fr", "events": []})
    assert response.status_code == 422
    text = page_text(response)
    assert "Il y a un problème" in text
    assert "L’adresse doit commencer par https://" in text and "Cochez au moins un événement." in text
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0


def test_editing_disabling_regenerating_and_deleting_an_endpoint(client, admin):
    login(client, admin)
    endpoint, secret = _register(client, "https://decidim.ville.fr/hooks")
    response = client.post(
        f"/admin/webhooks/{endpoint.id}",
        data={"url": "https://decidim.ville.fr/hooks/v2", "description": "Decidim", "events": ["action.answered"], "active": ""},
        follow_redirects=True,
    )
    assert "L’adresse https://decidim.ville.fr/hooks/v2 est enregistrée." in page_text(response)
    endpoint = db.session.get(WebhookEndpoint, endpoint.id)
    assert (endpoint.url, endpoint.events, endpoint.active) == ("https://decidim.ville.fr/hooks/v2", ["action.answered"], False)
    assert "Désactivée" in page_text(client.get("/admin/webhooks/"))

    refused = page_text(client.post(f"/admin/webhooks/{endpoint.id}/ping", follow_redirects=True))
    assert "Cette adresse est désactivée : réactivez-la avant de l’essayer." in refused and _deliveries() == []

    kept = page_text(client.post(f"/admin/webhooks/{endpoint.id}/secret", data={}, follow_redirects=True))
    assert "Le secret n’a pas changé" in kept and db.session.get(WebhookEndpoint, endpoint.id).secret == secret
    renewed = client.post(f"/admin/webhooks/{endpoint.id}/secret", data={"secret-confirm": "y"})
    new_secret = db.session.get(WebhookEndpoint, endpoint.id).secret
    assert new_secret != secret and new_secret in renewed.get_data(as_text=True)
    assert "Copiez ce secret maintenant : il ne sera plus affiché." in page_text(renewed)

    other = services.create_endpoint(admin, url="https://autre.exemple.fr", description="", events=ALL_EVENTS, active=True)
    services.send_ping(other)
    db.session.commit()
    client.post(f"/admin/webhooks/{endpoint.id}", data={"url": endpoint.url, "events": ["action.answered"], "active": "y"})
    client.post(f"/admin/webhooks/{endpoint.id}/ping")
    assert len(_deliveries()) == 2
    assert "L’adresse n’a pas été supprimée" in page_text(client.post(f"/admin/webhooks/{endpoint.id}/delete", follow_redirects=True))
    deleted = page_text(client.post(f"/admin/webhooks/{endpoint.id}/delete", data={"delete-confirm": "y"}, follow_redirects=True))
    assert "est supprimée, avec son journal d’envois" in deleted
    assert db.session.scalars(select(WebhookEndpoint.url)).all() == ["https://autre.exemple.fr"]
    assert [d.endpoint_id for d in _deliveries()] == [other.id]  # its log went with it
    assert client.get(f"/admin/webhooks/{other.id + 1}").status_code == 404


def test_the_delivery_log_filters_and_pages(client, admin):
    login(client, admin)
    first = services.create_endpoint(admin, url="https://a.exemple.fr", description="Plateforme A", events=ALL_EVENTS, active=True)
    second = services.create_endpoint(admin, url="https://b.exemple.fr", description="Plateforme B", events=ALL_EVENTS, active=True)
    for _ in range(2 * services.LOG_PAGE_SIZE + 1):
        services.send_ping(first)
    services.send_ping(second).status = DeliveryStatus.FAILED
    db.session.commit()

    everything = page_text(client.get("/admin/webhooks/deliveries"))
    total = 2 * services.LOG_PAGE_SIZE + 2
    assert f"{total} envois" in everything and "Page suivante" in everything and "Page précédente" not in everything
    table = everything.split(f"{total} envois", 1)[1]
    assert table.index("Plateforme B") < table.index("Plateforme A")  # latest first
    by_endpoint = client.get("/admin/webhooks/deliveries", query_string={"webhook": first.id, "page": 2})
    assert f"{total - 1} envois" in page_text(by_endpoint)
    assert f"webhook={first.id}" in by_endpoint.get_data(as_text=True).split("Page suivante")[0]  # filter kept
    failed = page_text(client.get("/admin/webhooks/deliveries", query_string={"status": "failed"}))
    assert "1 envoi" in failed and "Envoyer à nouveau" in failed
    middle = page_text(client.get("/admin/webhooks/deliveries", query_string={"page": 2}))
    assert "Page précédente" in middle and "Page suivante" in middle
    last = page_text(client.get("/admin/webhooks/deliveries", query_string={"page": 3}))
    assert "Page précédente" in last and "Page suivante" not in last
    assert client.get("/admin/webhooks/deliveries", query_string={"webhook": "x", "status": "nimporte"}).status_code == 200

    delivered = services.send_ping(first)
    delivered.status = DeliveryStatus.DELIVERED
    db.session.commit()
    refused = page_text(client.post(f"/admin/webhooks/deliveries/{delivered.id}/resend", follow_redirects=True))
    assert "Seul un envoi en échec peut être envoyé à nouveau." in refused


def test_the_event_checkboxes_ask_for_at_least_one_not_for_every_one(client, admin):
    """The browser must let an admin tick only the events the platform wants: `required` on each checkbox made it
    demand all of them before sending; the server still refuses none."""
    login(client, admin)
    page = client.get("/admin/webhooks/").get_data(as_text=True)
    boxes = re.findall(r'<input[^>]*name="events"[^>]*>', page)
    assert len(boxes) >= 3
    assert not [box for box in boxes if re.search(r"\brequired\b", box)]

    response = client.post("/admin/webhooks/", data={"url": "https://platform.example/hook", "events": []})
    assert "Cochez au moins un événement." in page_text(response)
