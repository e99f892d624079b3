"""Webhooks cannot reach the inside: every form of an internal address is refused when an admin saves it and
again when a delivery is attempted (the worker connects to the very address it checked), a host the settings
allow is reached, and the delivery log keeps a status and a short reason, never the reply or the network error."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from pedt_participation import create_app
from pedt_participation.config import build_config
from pedt_participation.extensions import db
from pedt_participation.models import (
    AgeBracket,
    Audience,
    DeliveryStatus,
    Role,
    WebhookDelivery,
    WebhookEndpoint,
)
from pedt_participation.webhooks import services
from tests.helpers import login, make_participant, page_text, wait_until
from tests.processes import free_port
from tests.webhook_receiver import Receiver

REFUSED_AT_SAVE = "Cette adresse mène au réseau interne"
REFUSED_AT_DELIVERY = "Refusé : cette adresse mène au réseau interne."
NO_ANSWER = "Pas de réponse : l’adresse n’a pas pu être jointe."
# The data migration that removes what the log used to keep.
LOG_CLEANING_REVISION = "11851b6d7fd6"

# The inside written every way an attacker may write it: Redis, Postgres, the cloud's metadata service, loopback
# as a decimal, octal, hexadecimal or short number, the unspecified address, IPv6 and IPv4-mapped IPv6, names
# that resolve to loopback, private, shared, reserved, multicast and link-local ranges, and IPv6 forms that lead
# to IPv4 loopback (IPv4-compatible, NAT64, 6to4) or to a site.
INTERNAL_URLS = [
    "http://127.0.0.1:6379/",
    "http://127.0.0.1:5432/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://[::1]:6379/",
    "http://2130706433/",
    "http://0/",
    "http://0.0.0.0:5000/",
    "http://0177.0.0.1/",
    "http://0x7f000001/",
    "http://127.1/",
    "http://[::ffff:127.0.0.1]:6379/",
    "http://[0:0:0:0:0:ffff:7f00:1]/",
    "http://localhost:5432/",
    "http://LocalHost:6379/",
    "https://10.0.0.1/hooks",
    "https://172.16.5.4/hooks",
    "https://192.168.1.1/hooks",
    "https://100.64.0.1/hooks",
    "https://192.0.2.10/hooks",
    "https://240.0.0.1/hooks",
    "https://255.255.255.255/hooks",
    "https://224.0.0.1/hooks",
    "https://[ff02::1]/hooks",
    "https://[fe80::1]/hooks",
    "https://[fc00::1]/hooks",
    "https://[fec0::1]/hooks",
    "https://[::]/hooks",
    "https://[::7f00:1]/hooks",
    "https://[64:ff9b::7f00:1]/hooks",
    "https://[2002:7f00:1::]/hooks",
    "http://[fe80::1%25eth0]/",
    "http://[::1%25lo]:6379/",
]

EVENTS = ["proposal.published", "action.answered", "summary.ready"]


@pytest.fixture
def admin():
    return make_participant(
        role=Role.ADMIN, audience=Audience.PROFESSIONAL, age_bracket=AgeBracket.FROM_40_TO_59, display_name="Mme Admin"
    )


@pytest.fixture
def nothing_internal_allowed(app, monkeypatch):
    """The production default: no internal host is allowed (the tests allow their receiver's)."""
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_INTERNAL_HOSTS", ())


def _endpoint_saved_before(admin, url: str) -> WebhookEndpoint:
    """An address already in the database (saved before this check, or by a name that resolved elsewhere then)."""
    endpoint = WebhookEndpoint(url=url, description="", events=EVENTS, secret="s" * 64, active=True,
                               created_by_id=admin.id)
    db.session.add(endpoint)
    db.session.commit()
    return endpoint


def _attempt(endpoint: WebhookEndpoint) -> WebhookDelivery:
    """One delivery attempt, the task's own steps, in this process."""
    delivery = services.send_ping(endpoint)
    db.session.commit()
    services.attempt_delivery(services.claim_delivery(delivery.id))
    db.session.commit()
    return db.session.get(WebhookDelivery, delivery.id)


def _endpoints() -> int:
    return db.session.scalar(select(func.count()).select_from(WebhookEndpoint))


# --- at save ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", INTERNAL_URLS)
def test_an_internal_address_is_refused_beside_the_url_field(client, admin, nothing_internal_allowed, url):
    login(client, admin)
    response = client.post("/admin/webhooks/", data={"url": url, "events": EVENTS, "active": "y"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field_error = html.split('id="url-erreur"', 1)[1].split("</p>", 1)[0]
    assert REFUSED_AT_SAVE in field_error
    assert url in html  # what was typed stays in the field
    assert _endpoints() == 0


def test_an_address_cannot_be_changed_to_an_internal_one(client, admin, nothing_internal_allowed):
    login(client, admin)
    endpoint = services.create_endpoint(admin, url="https://decidim.ville.fr/hooks", description="",
                                        events=EVENTS, active=True)
    db.session.commit()
    response = client.post(f"/admin/webhooks/{endpoint.id}",
                           data={"url": "http://2130706433:6379/", "events": EVENTS, "active": "y"})
    assert response.status_code == 422 and REFUSED_AT_SAVE in page_text(response)
    assert db.session.get(WebhookEndpoint, endpoint.id).url == "https://decidim.ville.fr/hooks"


def test_the_receiver_on_loopback_is_refused_unless_the_settings_allow_it(client, admin, app, monkeypatch):
    login(client, admin)
    with Receiver() as receiver:
        monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_INTERNAL_HOSTS", ())
        refused = client.post("/admin/webhooks/", data={"url": receiver.url, "events": EVENTS, "active": "y"})
        assert refused.status_code == 422 and REFUSED_AT_SAVE in page_text(refused)

        monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_INTERNAL_HOSTS", ("127.0.0.1",))
        assert client.post("/admin/webhooks/", data={"url": receiver.url, "events": EVENTS, "active": "y"}).status_code == 200
        # Allowed as written: the same address in another form is still refused.
        disguised = client.post("/admin/webhooks/", data={"url": f"http://2130706433:{receiver.port}/pedt-hook",
                                                          "events": EVENTS, "active": "y"})
        assert disguised.status_code == 422
    assert db.session.scalars(select(WebhookEndpoint.url)).all() == [receiver.url]


def test_the_allowed_internal_hosts_setting_reads_a_list(monkeypatch, tmp_path):
    monkeypatch.setenv("WEBHOOK_ALLOWED_INTERNAL_HOSTS", "Decidim.Mairie.local, 10.1.2.3  [::1]")
    assert build_config(str(tmp_path))["WEBHOOK_ALLOWED_INTERNAL_HOSTS"] == ("decidim.mairie.local", "10.1.2.3", "::1")
    monkeypatch.delenv("WEBHOOK_ALLOWED_INTERNAL_HOSTS")
    assert build_config(str(tmp_path))["WEBHOOK_ALLOWED_INTERNAL_HOSTS"] == ()


# --- at each delivery ------------------------------------------------------------------------------------------


def _receiver_forms(port: int) -> list[str]:
    """The receiver on 127.0.0.1, written so that each form reaches it when nothing checks."""
    return [
        f"http://127.0.0.1:{port}/pedt-hook",
        f"http://2130706433:{port}/pedt-hook",
        f"http://0:{port}/pedt-hook",
        f"http://127.1:{port}/pedt-hook",
        f"http://0x7f000001:{port}/pedt-hook",
        f"http://localhost:{port}/pedt-hook",
        f"http://[::ffff:127.0.0.1]:{port}/pedt-hook",
    ]


def test_a_delivery_to_an_internal_address_is_refused_and_sends_nothing(admin, nothing_internal_allowed):
    with Receiver() as receiver:
        for url in _receiver_forms(receiver.port):
            delivery = _attempt(_endpoint_saved_before(admin, url))
            assert (delivery.status, delivery.last_error, delivery.attempts) == (
                DeliveryStatus.FAILED, REFUSED_AT_DELIVERY, 1
            ), url
        assert receiver.received == []


def test_the_worker_refuses_an_internal_address(client, admin, start_worker):
    """Through the real worker, whose settings allow only the receiver's host as written."""
    login(client, admin)
    with Receiver() as receiver:
        endpoint = _endpoint_saved_before(admin, f"http://2130706433:{receiver.port}/pedt-hook")
        start_worker()
        client.post(f"/admin/webhooks/{endpoint.id}/ping")
        [delivery] = db.session.scalars(select(WebhookDelivery)).all()
        wait_until(lambda: db.session.get(WebhookDelivery, delivery.id).status == DeliveryStatus.FAILED,
                   message="the delivery was not refused")
        assert receiver.received == []
    log = page_text(client.get("/admin/webhooks/deliveries"))
    assert REFUSED_AT_DELIVERY in log and "Envoyer à nouveau" in log


@pytest.fixture
def rebinding_name(monkeypatch):
    """A name whose DNS answers a public address first, then the receiver's loopback address: what an attacker's
    name server does to pass a check and then connect to the inside. Other names resolve as usual."""
    real_getaddrinfo = socket.getaddrinfo
    answers = ["93.184.215.14", "127.0.0.1"]
    asked = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "rebind.exemple.fr":
            return real_getaddrinfo(host, port, *args, **kwargs)
        address = answers[min(len(asked), len(answers) - 1)]
        asked.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_a_rebinding_name_cannot_switch_between_check_and_connection(admin, app, monkeypatch, rebinding_name):
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT_SECONDS", 3)
    with Receiver() as receiver:
        endpoint = _endpoint_saved_before(admin, f"http://rebind.exemple.fr:{receiver.port}/pedt-hook")
        delivery = _attempt(endpoint)
        # The connection went to the public address that was checked (nothing listens there), not to loopback.
        assert receiver.received == []
        assert rebinding_name == ["93.184.215.14"]
        assert delivery.status == DeliveryStatus.PENDING and delivery.last_error == NO_ANSWER
        # The next attempt resolves again, finds loopback and refuses it.
        delivery.next_attempt_at = delivery.created_at
        db.session.commit()
        services.attempt_delivery(services.claim_delivery(delivery.id))
        db.session.commit()
        assert receiver.received == []
    delivery = db.session.get(WebhookDelivery, delivery.id)
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.FAILED, REFUSED_AT_DELIVERY)


def test_an_allowed_internal_host_is_reached(admin):
    with Receiver() as receiver:
        endpoint = services.create_endpoint(admin, url=receiver.url, description="", events=EVENTS, active=True)
        receiver.secret = endpoint.secret
        delivery = _attempt(endpoint)
        assert len(receiver.received) == 1 and receiver.received[0].signature_valid
    assert delivery.status == DeliveryStatus.DELIVERED


# --- what the delivery log keeps -------------------------------------------------------------------------------


def test_the_log_keeps_the_status_and_never_the_reply(client, admin):
    login(client, admin)
    with Receiver(statuses=(500,), error_body="INTERNAL-SECRET: redis-password-1234") as receiver:
        endpoint = services.create_endpoint(admin, url=receiver.url, description="", events=EVENTS, active=True)
        receiver.secret = endpoint.secret
        delivery = _attempt(endpoint)
        assert len(receiver.received) == 1
    assert (delivery.last_http_status, delivery.last_error) == (500, "Réponse HTTP 500")
    log = page_text(client.get("/admin/webhooks/deliveries"))
    assert "Réponse HTTP 500" in log and "INTERNAL-SECRET" not in log


def test_the_log_says_no_answer_without_the_network_error(client, admin):
    """A closed port and a refused connection read alike: the log cannot be used to scan ports."""
    login(client, admin)
    closed = free_port()
    endpoint = services.create_endpoint(admin, url=f"http://127.0.0.1:{closed}/", description="", events=EVENTS,
                                        active=True)
    delivery = _attempt(endpoint)
    assert (delivery.status, delivery.last_http_status, delivery.last_error) == (DeliveryStatus.PENDING, None, NO_ANSWER)
    log = page_text(client.get("/admin/webhooks/deliveries"))
    assert NO_ANSWER in log
    for detail in ("Connection", "refused", "Errno", "HTTPConnectionPool", "Max retries"):
        assert detail not in log


def test_an_address_whose_name_is_not_found_is_kept_and_checked_at_delivery(admin, nothing_internal_allowed):
    endpoint = services.create_endpoint(admin, url="https://plateforme.invalid/hooks", description="", events=EVENTS,
                                        active=True)
    delivery = _attempt(endpoint)
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.PENDING, NO_ANSWER)


def test_replies_and_network_errors_already_in_the_log_are_removed_by_the_migration(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with app.app_context():
        script = ScriptDirectory(str(Path(__file__).parents[1] / "migrations"))
        upgrade(revision=script.get_revision(LOG_CLEANING_REVISION).down_revision)
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO webhook_endpoints (id, url, description, events, secret, active, created_at) "
                "VALUES (1, 'http://127.0.0.1:6379/', '', '[]', 's', 1, '2026-01-01')"
            ))
            for number, (status, error) in enumerate([
                (500, "Réponse HTTP 500 : INTERNAL-SECRET: redis-password-1234"),
                (None, "Pas de réponse (ConnectionError: HTTPConnectionPool(host='127.0.0.1', port=5432): "
                       "Max retries exceeded with url: / ([Errno 111] Connection refused))"),
                (None, "Adresse désactivée : rien n’a été envoyé."),
                (200, ""),
            ]):
                connection.execute(text(
                    "INSERT INTO webhook_deliveries (id, uuid, endpoint_id, event, event_id, payload, status, attempts, "
                    "last_http_status, last_error, created_at, next_attempt_at) VALUES (:id, :uuid, 1, 'ping', 'e', "
                    "'{}', 'failed', 1, :status, :error, '2026-01-01', '2026-01-01')"
                ), {"id": number + 1, "uuid": f"u{number}", "status": status, "error": error})

        upgrade(revision=LOG_CLEANING_REVISION)
        with db.engine.connect() as connection:
            errors = connection.execute(text("SELECT last_error FROM webhook_deliveries ORDER BY id")).scalars().all()
        db.engine.dispose()
    assert errors == ["Réponse HTTP 500", NO_ANSWER, "Adresse désactivée : rien n’a été envoyé.", ""]
