"""Security hardening as a person (or an attacker) would meet it: headers, cookies, redirects, escaped text,
passwords, lockout and rate limits."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import uuid4

import flask_limiter._limits as flask_limiter_limits
import pytest
from limits import parse_many
from sqlalchemy import func, select

from pedt_participation import ratelimits
from pedt_participation.api.services import issue_token
from pedt_participation.consultations.services import propose_action
from pedt_participation.extensions import db
from pedt_participation.models import Comment, SignInLockout, utcnow
from tests.conftest import make_test_app
from tests.helpers import TEST_PASSWORD, login, make_consultation, make_participant, page_text

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)
MAIN_PAGES = ["/", "/consultations/demo", "/auth/login", "/auth/register", "/comment-ca-marche", "/accessibilite",
              "/api/v1/docs/"]


@pytest.fixture
def consultation():
    return make_consultation(slug="demo")


@pytest.mark.parametrize("path", MAIN_PAGES)
def test_pages_send_the_security_headers_and_no_inline_script_or_style(client, consultation, path):
    response = client.get(path)

    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # plain http here: HSTS would lock a local run out
    html = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> (blocked by the CSP)"
    assert not re.search(r"\sstyle=\"|\son[a-z]+=\"", html), "inline style or event attribute"


def test_action_page_has_no_inline_script_either(client, consultation):
    html = client.get(f"/actions/{consultation.orientations[0].actions[0].id}").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=\"|\son[a-z]+=\"", html)


def test_production_cookies_are_secure_http_only_and_same_site_with_hsts(database_url, celery_settings, monkeypatch):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    monkeypatch.delenv("EMBED_ACROSS_SITES", raising=False)
    app = make_test_app(database_url, celery_settings)
    participant = make_participant()
    client = app.test_client()
    response = login(client, participant, remember=True)

    for cookie in response.headers.getlist("Set-Cookie"):
        if cookie.startswith(("session=", "remember_token=")):
            assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_default_session_cookie_is_http_only_and_same_site(client):
    response = login(client, make_participant())
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


OTHER_SITES = ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)", "\\\\evil.example",
               "http:/evil.example", " //evil.example", "%2F%2Fevil.example"]


@pytest.mark.parametrize("target", OTHER_SITES)
def test_next_never_leads_to_another_site(client, consultation, target):
    participant = make_participant()
    action = consultation.orientations[0].actions[0]
    signed_in = client.post("/auth/login", query_string={"next": target},
                            data={"email": participant.email, "password": TEST_PASSWORD})
    already = client.get("/auth/login", query_string={"next": target})
    language = client.post("/langue", data={"locale": "fr", "next": target})
    vote = client.post(f"/actions/{action.id}/votes/support", data={"next": target})

    for response in (signed_in, already, language, vote):
        location = response.headers["Location"]
        assert response.status_code in (302, 303), location
        assert "evil" not in location and not location.startswith("javascript"), location


def test_next_keeps_a_path_of_this_site(client, consultation):
    participant = make_participant()
    response = client.post("/auth/login", query_string={"next": "/consultations/demo?tri=votes"},
                           data={"email": participant.email, "password": TEST_PASSWORD})
    assert response.headers["Location"].endswith("/consultations/demo?tri=votes")


def test_script_and_javascript_links_in_comments_and_proposals_are_shown_as_text(client, consultation):
    author = make_participant(display_name="<b>Pirate</b>")
    action = consultation.orientations[0].actions[0]
    hostile = '<script>alert("x")</script> [clic](javascript:alert(1)) <a href="javascript:alert(2)">ici</a>'
    login(client, author)
    assert client.post(f"/actions/{action.id}/comments", data={"body": hostile, "alignment": "0"}).status_code == 303
    proposal = propose_action(author, consultation.orientations[0], '<img src=x onerror="alert(3)">', hostile)
    db.session.commit()

    for path in (f"/actions/{action.id}", f"/actions/{proposal.id}", f"/embed/actions/{action.id}"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and 'href="javascript:' not in html and "<img src=x" not in html, path
        assert "<b>Pirate</b>" not in html, path
    page = client.get(f"/actions/{action.id}")
    assert '<script>alert("x")</script>' in page_text(page)  # the words are there, as text
    assert "&lt;script&gt;" in page.get_data(as_text=True)


# Passwords

REGISTRATION = {
    "email": "nadia@exemple.fr",
    "display_name": "Nadia",
    "audience": "parent",
    "age_bracket": "26-39",
}


@pytest.mark.parametrize(("password", "expected"), [
    ("court1", "au moins 10 caractères"),
    ("Azerty-uiop", "trop facile à deviner"),
    ("Mot de passe 123", "trop facile à deviner"),
    ("aaaaaaaaaaaa", "trop facile à deviner"),
    ("nadia@exemple.fr", "trop facile à deviner"),
])
def test_weak_passwords_are_refused_with_what_to_do(client, password, expected):
    response = client.post("/auth/register", data={**REGISTRATION, "password": password,
                                                   "password_confirmation": password})
    assert response.status_code == 422
    assert expected in page_text(response)
    assert "quelques mots à la suite" in page_text(response)


def test_a_passphrase_is_accepted_and_the_rule_is_explained_before(client):
    assert "Au moins 10 caractères, et pas un mot de passe courant" in page_text(client.get("/auth/register"))
    passphrase = "tortue vélo parapluie"
    response = client.post("/auth/register", data={**REGISTRATION, "password": passphrase,
                                                   "password_confirmation": passphrase})
    assert response.status_code == 303


def _sign_in(client, participant, password):
    return client.post("/auth/login", data={"email": participant.email, "password": password})


def test_an_account_is_locked_after_too_many_wrong_passwords_and_says_until_when(app, client):
    participant = make_participant()
    for _attempt in range(app.config["SIGN_IN_MAX_FAILURES"] - 1):
        assert "E-mail ou mot de passe incorrect" in page_text(_sign_in(client, participant, "pas-le-bon-mot"))

    last = _sign_in(client, participant, "pas-le-bon-mot")
    right_but_locked = _sign_in(client, participant, TEST_PASSWORD)

    for response in (last, right_but_locked):
        assert response.status_code == 422
        text = page_text(response)
        assert "la connexion est bloquée pendant encore 15 minutes" in text, text
        assert "choisissez « Mot de passe oublié ? »" in text
    lockout = db.session.get(SignInLockout, participant.id)
    lockout.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _sign_in(client, participant, TEST_PASSWORD).status_code == 303
    assert db.session.get(SignInLockout, participant.id) is None


def test_a_success_resets_the_count_and_other_accounts_are_not_locked(app, client):
    participant, neighbour = make_participant(), make_participant()
    for _round in range(2):
        for _attempt in range(app.config["SIGN_IN_MAX_FAILURES"] - 1):
            _sign_in(client, participant, "pas-le-bon-mot")
        assert _sign_in(client, participant, TEST_PASSWORD).status_code == 303
        client.post("/auth/logout")
    assert _sign_in(client, neighbour, TEST_PASSWORD).status_code == 303


# Rate limits

@pytest.fixture
def limited_app(database_url, celery_settings):
    with _limited_app(database_url, celery_settings).app_context() as context:
        yield context.app


def _limited_app(database_url, celery_settings):
    """Counts in Redis, as in production, when the tests run with a Redis broker (each test under keys of its
    own); in memory otherwise."""
    broker = celery_settings["broker_url"]
    storage = (
        {"RATELIMIT_STORAGE_URI": broker, "RATELIMIT_KEY_PREFIX": f"test-{uuid4().hex}"}
        if broker.startswith("redis") else {}
    )
    return make_test_app(database_url, celery_settings, RATELIMIT_ENABLED=True, **storage)


def test_an_api_vote_spends_its_budgets_together_and_says_what_is_left(limited_app, consultation):
    """Votes, API writes and API calls are counted together (in Redis, in one round trip): the headers show the
    tightest window, and the 61st vote in a minute is refused with a wait."""
    action = consultation.orientations[0].actions[0]
    client = limited_app.test_client()
    headers = {"Authorization": f"Bearer {issue_token('Vote', owner=make_participant())[1]}"}
    db.session.commit()

    answers = [client.put(f"/api/v1/actions/{action.id}/votes/opinion", json={"value": n % 3 - 1}, headers=headers)
               for n in range(61)]

    assert [answer.status_code for answer in answers] == [200] * 60 + [429]
    assert [answer.headers["X-RateLimit-Remaining"] for answer in answers[:3]] == ["59", "58", "57"]
    assert answers[59].headers["X-RateLimit-Remaining"] == "0"
    assert int(answers[60].headers["Retry-After"]) > 0
    assert re.search(r"attendez \d+\s(secondes|minute)", answers[60].get_json()["error"]["message"])


def test_the_limits_are_parsed_at_the_first_request_only(limited_app, consultation, monkeypatch):
    """Each vote's CPU: the limit strings are fixed when the app starts, not read again at every request."""
    action = consultation.orientations[0].actions[0]
    client = limited_app.test_client()
    headers = {"Authorization": f"Bearer {issue_token('Vote', owner=make_participant())[1]}"}
    db.session.commit()

    def vote():
        return client.put(f"/api/v1/actions/{action.id}/votes/opinion", json={"value": 1}, headers=headers)

    assert vote().status_code == 200
    parsed = []
    monkeypatch.setattr(flask_limiter_limits, "parse_many", lambda text: parsed.append(text) or parse_many(text))

    answers = [vote() for _n in range(3)]

    assert [answer.status_code for answer in answers] == [200] * 3
    assert [answer.headers["X-RateLimit-Remaining"] for answer in answers] == ["58", "57", "56"]
    assert parsed == []


def test_too_many_sign_ins_from_one_address_are_slowed_down_in_plain_french(limited_app):
    client = limited_app.test_client()
    responses = [client.post("/auth/login", data={"email": f"p{n}@exemple.fr", "password": "x"}) for n in range(61)]

    assert [r.status_code for r in responses[:60]] == [422] * 60
    refused = responses[60]
    assert refused.status_code == 429
    assert "Trop de tentatives" in page_text(refused)
    assert re.search(r"attendez 5 minutes, puis réessayez", page_text(refused)), page_text(refused)
    assert int(refused.headers["Retry-After"]) > 0
    assert client.get("/auth/login").status_code == 200  # reading the page is never limited


def test_comments_are_limited_per_account_not_per_shared_network(limited_app, consultation):
    """At a workshop, parents share the school's network: one busy commenter does not stop the others."""
    action = consultation.orientations[0].actions[0]
    busy, neighbour = limited_app.test_client(), limited_app.test_client()
    login(busy, make_participant())
    login(neighbour, make_participant())

    statuses = [busy.post(f"/actions/{action.id}/comments", data={"body": f"Idée {n}", "alignment": "0"}).status_code
                for n in range(11)]

    assert statuses == [303] * 10 + [429]
    again = page_text(busy.post(f"/actions/{action.id}/comments", data={"body": "encore"}))
    assert re.search(r"attendez \d+\s(secondes|minute), puis réessayez", again), again
    assert neighbour.post(f"/actions/{action.id}/comments", data={"body": "Moi aussi", "alignment": "0"}).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 11


def test_an_api_token_is_limited_with_a_json_message(database_url, celery_settings, consultation):
    # The allowance lowered from 600 to 20 calls a minute: 600 calls took the whole minute of the moving window on a
    # slow machine, and the first calls left the window before the last was refused.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ratelimits, "API_CALLS_PER_TOKEN", "20 per minute")
        app = _limited_app(database_url, celery_settings)
    client = app.test_client()
    _token, secret = issue_token("Plateforme", owner=None)
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    statuses = {client.get("/api/v1/consultations", headers=headers).status_code for _call in range(20)}
    assert statuses == {200}

    refused = client.get("/api/v1/consultations", headers=headers)

    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert re.search(r"attendez \d+\s(secondes|minute)", refused.get_json()["error"]["message"])
    assert client.get("/api/v1/consultations").status_code == 200  # without the token: another allowance


def _csrf_token_of_a_page(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def test_comments_through_the_api_with_a_session_spend_the_same_budget_as_the_page(limited_app, consultation):
    """One person, one budget, whatever the door: the page's 10 comments a minute are not renewed by the API."""
    limited_app.config["WTF_CSRF_ENABLED"] = True
    action = consultation.orientations[0].actions[0]
    client = limited_app.test_client()
    parent = make_participant()
    login_token = _csrf_token_of_a_page(client, "/auth/login")
    client.post("/auth/login", data={"email": parent.email, "password": TEST_PASSWORD, "csrf_token": login_token})
    token = _csrf_token_of_a_page(client, f"/actions/{action.id}")

    on_the_page = [
        client.post(f"/actions/{action.id}/comments", data={"body": f"Idée {n}", "alignment": "0", "csrf_token": token})
        .status_code
        for n in range(5)
    ]
    through_the_api = [
        client.post(f"/api/v1/actions/{action.id}/comments", json={"body": f"Avis {n}"}, headers={"X-CSRFToken": token})
        .status_code
        for n in range(6)
    ]

    assert on_the_page == [303] * 5
    assert through_the_api == [201] * 5 + [429]
    assert client.post(f"/actions/{action.id}/comments", data={"body": "encore", "csrf_token": token}).status_code == 429
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 10


def test_a_personal_token_keeps_its_owners_budget_whatever_platform_user_it_names(limited_app, consultation):
    """X-Platform-User means nothing to a personal token: changing it on every call does not renew the limits."""
    action = consultation.orientations[0].actions[0]
    client = limited_app.test_client()
    _token, secret = issue_token("Script", owner=make_participant())
    db.session.commit()

    statuses = [
        client.post(
            f"/api/v1/actions/{action.id}/comments",
            json={"body": f"Avis {n}"},
            headers={"Authorization": f"Bearer {secret}", "X-Platform-User": f"quelqu-un-{n}"},
        ).status_code
        for n in range(11)
    ]

    assert statuses == [201] * 10 + [429]


def test_the_platform_token_gives_each_person_their_own_budget(limited_app, consultation):
    action = consultation.orientations[0].actions[0]
    client = limited_app.test_client()
    _token, secret = issue_token("Plateforme", owner=None)
    make_participant(platform_uid="p-1")
    make_participant(platform_uid="p-2")

    def comment(platform_user: str) -> int:
        headers = {"Authorization": f"Bearer {secret}", "X-Platform-User": platform_user}
        return client.post(f"/api/v1/actions/{action.id}/comments", json={"body": "Avis"}, headers=headers).status_code

    assert [comment("p-1") for _n in range(11)] == [201] * 10 + [429]
    assert comment("p-2") == 201
