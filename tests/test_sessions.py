"""Sign-in sessions end on the server: after signing out (here or everywhere) a copied cookie opens nothing, and
a session left open on a shared computer ends by itself."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from pedt_participation.admin.services import set_role
from pedt_participation.auth.services import forget_expired_sign_in_sessions
from pedt_participation.extensions import db
from pedt_participation.models import Role, SignInSession, utcnow
from tests.helpers import TEST_PASSWORD, login, make_participant, page_text

DOMAIN = "pedt.test"
# A page, the API and the data export: what a stolen cookie would be used for.
SIGNED_IN_ONLY = ["/mes-donnees", "/api/v1/me", "/mes-donnees/export.json"]


def _signed_in(client, path: str) -> bool:
    response = client.get(path)
    if response.status_code == 200:
        return True
    assert response.status_code in (302, 401), (path, response.status_code)
    return False


def _copy_of(app, client, *cookie_names: str):
    """Another browser holding copies of this one's cookies (as someone who read them would)."""
    other = app.test_client()
    for name in cookie_names:
        cookie = client.get_cookie(name, domain=DOMAIN)
        assert cookie is not None, name
        other.set_cookie(name, cookie.value, domain=DOMAIN)
    return other


@pytest.mark.parametrize("cookies", [("session",), ("remember_token",), ("session", "remember_token")])
def test_after_signing_out_copied_cookies_open_nothing(app, client, cookies):
    participant = make_participant()
    login(client, participant, remember=True)
    copy = _copy_of(app, client, *cookies)
    assert all(_signed_in(copy, path) for path in SIGNED_IN_ONLY)

    assert client.post("/auth/logout").status_code == 303

    assert not any(_signed_in(copy, path) for path in SIGNED_IN_ONLY)
    assert copy.get("/api/v1/me").get_json()["error"]["code"] == "authentication_required"
    assert not any(_signed_in(client, path) for path in SIGNED_IN_ONLY)


def test_signing_out_ends_only_this_browsers_session(app, client):
    participant = make_participant()
    phone = app.test_client()
    login(phone, participant)
    login(client, participant)

    client.post("/auth/logout")

    assert _signed_in(phone, "/mes-donnees")


def test_signing_out_everywhere_from_the_account_page_ends_every_session(app, client):
    participant = make_participant()
    phone = app.test_client()
    login(phone, participant, remember=True)
    login(client, participant)
    assert "Se déconnecter partout" in page_text(client.get("/mes-donnees"))

    response = client.post("/auth/deconnexion-partout", follow_redirects=True)

    assert "Vous êtes déconnecté sur tous les appareils" in page_text(response)
    assert not _signed_in(client, "/mes-donnees")
    assert not _signed_in(phone, "/mes-donnees") and not _signed_in(phone, "/api/v1/me")
    assert db.session.scalars(select(SignInSession)).all() == []


def _age_sessions(**ages: timedelta) -> None:
    """Moves every session's activity and start into the past, as if time had passed."""
    for session in db.session.scalars(select(SignInSession)):
        for column, age in ages.items():
            setattr(session, column, getattr(session, column) - age)
    db.session.commit()


def test_a_session_left_unused_ends_after_the_idle_limit(app, client):
    login(client, make_participant())
    _age_sessions(last_seen_at=timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 2))
    assert _signed_in(client, "/mes-donnees")  # counts as activity: the idle time starts again
    _age_sessions(last_seen_at=timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 2))
    assert _signed_in(client, "/mes-donnees")

    _age_sessions(last_seen_at=timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1))

    assert not _signed_in(client, "/mes-donnees")
    assert db.session.scalars(select(SignInSession)).all() == []


def test_a_session_in_use_still_ends_after_the_absolute_limit(app, client):
    login(client, make_participant())
    _age_sessions(created_at=timedelta(hours=app.config["SESSION_MAX_HOURS"], minutes=1))
    assert not _signed_in(client, "/api/v1/me")


def test_staying_signed_in_outlives_the_idle_limit_but_not_its_own(app, client):
    login(client, make_participant(), remember=True)
    cookie = client.get_cookie("remember_token", domain=DOMAIN)
    lifetime = timedelta(days=app.config["REMEMBER_ME_DAYS"])
    assert abs(cookie.expires - (utcnow() + lifetime)) < timedelta(minutes=1)
    assert app.config["REMEMBER_ME_DAYS"] == 14
    _age_sessions(last_seen_at=timedelta(hours=20), created_at=timedelta(hours=20))
    assert _signed_in(client, "/mes-donnees")

    _age_sessions(created_at=lifetime)
    assert not _signed_in(client, "/mes-donnees")


def test_expired_sessions_whose_browser_never_came_back_are_deleted(app, client):
    login(client, make_participant())
    login(app.test_client(), make_participant(), remember=True)
    _age_sessions(last_seen_at=timedelta(hours=1))

    assert forget_expired_sign_in_sessions() == 1
    db.session.commit()
    assert [session.remember for session in db.session.scalars(select(SignInSession))] == [True]


def _csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', html).group(1)


def test_signing_in_renews_the_csrf_token(app, client, monkeypatch):
    """A token read (or planted) before signing in is refused after it."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    participant = make_participant()
    before = _csrf_token(client.get("/auth/login").get_data(as_text=True))
    assert client.post(
        "/auth/login", data={"email": participant.email, "password": TEST_PASSWORD, "csrf_token": before}
    ).status_code == 303

    after = _csrf_token(client.get("/mes-donnees").get_data(as_text=True))
    stale = client.post("/auth/logout", data={"csrf_token": before})
    assert stale.status_code == 400 and "Le formulaire a expiré" in page_text(stale)
    assert client.post("/auth/logout", data={"csrf_token": after}).status_code == 303


def test_a_change_of_role_signs_the_person_in_again(app, client):
    admin = make_participant(role=Role.ADMIN)
    participant = make_participant()
    login(client, participant)

    set_role(admin, participant, Role.COMMITTEE, set())
    db.session.commit()

    assert not _signed_in(client, "/mes-donnees")
    login(client, participant)
    assert _signed_in(client, "/mes-donnees")

