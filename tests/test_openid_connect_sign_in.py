"""Sign-in through an OpenID Connect provider (PLATFORM_PROVIDER=oidc), against a provider on loopback that can
be made to misbehave (tests/openid_provider.py): the claims read, the client authentication chosen, and every
way the exchange can fail answered with the French "n'a pas abouti", a log line naming the cause, never a 500.
The whole flow in a browser against a certified provider is in tests/e2e/test_openid_connect_sign_in.py."""

from __future__ import annotations

import logging
import socket
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import func, select

from pedt_participation.extensions import db
from pedt_participation.models import Audience, Participant
from tests.conftest import make_test_app
from tests.helpers import TEST_PASSWORD, login, make_participant, page_text
from tests.openid_provider import CLIENT_ID, CLIENT_SECRET, OpenIDProvider, OpenIDUser, signing_key

CALLBACK = "http://pedt.test/auth/plateforme/retour"
PLATFORM = "Connexion de la métropole"
FAILED = f"La connexion avec {PLATFORM} n’a pas abouti"


def _oidc_app(database_url, celery_settings, issuer: str, **settings):
    oidc = {
        "PLATFORM_PROVIDER": "oidc",
        "PLATFORM_NAME": PLATFORM,
        "PLATFORM_OIDC_ISSUER": issuer,
        "PLATFORM_OAUTH_CLIENT_ID": CLIENT_ID,
        "PLATFORM_OAUTH_CLIENT_SECRET": CLIENT_SECRET,
    }
    return make_test_app(database_url, celery_settings, **(oidc | settings))


@pytest.fixture
def provider():
    with OpenIDProvider(CALLBACK) as provider:
        yield provider


@pytest.fixture
def oidc_client(database_url, celery_settings, provider):
    app = _oidc_app(database_url, celery_settings, provider.url)
    with app.app_context():
        yield app.test_client()


def _through_the_provider(client, provider, next_path="/"):
    """What the browser does: our redirect, the provider's answer, back to our callback."""
    start = client.get(f"/auth/plateforme?next={next_path}")
    assert start.status_code == 302, page_text(start)
    assert start.headers["Location"].startswith(f"{provider.url}/authorize?")
    answer = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302 and answer.headers["Location"].startswith(CALLBACK)
    return client.get(answer.headers["Location"].removeprefix("http://pedt.test"))


def _participants() -> int:
    return db.session.scalar(select(func.count()).select_from(Participant))


def _failed(client, response) -> str:
    """The person is back on the sign-in page with the French message; the page's text."""
    assert response.status_code == 303 and response.headers["Location"].endswith("/auth/login")
    text = page_text(client.get("/auth/login"))
    assert FAILED in text
    return text


def test_first_and_second_sign_in_read_the_standard_claims(oidc_client, provider):
    provider.signed_in = OpenIDUser("f3b2-uuid-camille", "Camille@Exemple.fr", True, "Camille Martin")
    response = _through_the_provider(oidc_client, provider, next_path="/consultations/")
    authorize = provider.authorize_requests[-1]
    assert set(authorize["scope"].split()) == {"openid", "email", "profile"}
    assert authorize["code_challenge_method"] == "S256" and len(authorize["nonce"]) >= 16
    assert provider.token_requests[-1]["authorization"].startswith("Basic ")  # from discovery
    assert response.headers["Location"].endswith("/auth/plateforme/profil")

    form = page_text(oidc_client.get("/auth/plateforme/profil"))
    assert "Bienvenue Camille Martin" in form and "Adresse e-mail" not in form and "Nom affiché" not in form
    answered = oidc_client.post("/auth/plateforme/profil", data={"audience": "parent", "age_bracket": "26-39"})
    assert answered.status_code == 303 and answered.headers["Location"] == "/consultations/"
    person = db.session.scalar(select(Participant).where(Participant.platform_uid == "f3b2-uuid-camille"))
    assert (person.email, person.display_name, person.audience) == ("camille@exemple.fr", "Camille Martin", Audience.PARENT)

    oidc_client.post("/auth/logout")
    again = _through_the_provider(oidc_client, provider)
    assert again.status_code == 303 and again.headers["Location"] == "/"
    assert _participants() == 1 and "Connecté : Camille Martin" in page_text(oidc_client.get("/"))


def test_the_username_names_the_person_when_the_provider_gives_no_name(oidc_client, provider):
    provider.signed_in = OpenIDUser("sam-1", "sam@exemple.fr", True, None)
    provider.userinfo_changes = {"preferred_username": "sam.d", "nickname": "Sammy"}
    _through_the_provider(oidc_client, provider)
    assert "Bienvenue sam.d" in page_text(oidc_client.get("/auth/plateforme/profil"))


@pytest.mark.parametrize("setting", ["", "client_secret_post"])
def test_client_secret_post_from_discovery_or_the_setting(database_url, celery_settings, setting):
    with OpenIDProvider(CALLBACK, token_auth_method="client_secret_post") as provider:
        if setting:  # the provider lists both; the setting says which this client is registered with
            provider.metadata["token_endpoint_auth_methods_supported"] = ["client_secret_basic", "client_secret_post"]
        app = _oidc_app(database_url, celery_settings, provider.url, PLATFORM_OAUTH_TOKEN_AUTH_METHOD=setting)
        with app.app_context():
            client = app.test_client()
            provider.signed_in = OpenIDUser("nour-2", "nour@exemple.fr", True, "Nour")
            response = _through_the_provider(client, provider)
            assert response.headers["Location"].endswith("/auth/plateforme/profil")
            sent = provider.token_requests[-1]
            assert sent["form"]["client_secret"] == CLIENT_SECRET and sent["authorization"] is None


def _now() -> int:
    return int(time.time())


# What is forged, how, and the cause the log names.
FORGERIES = {
    "signed with another key": ("key", None, "BadSignatureError"),
    "for another client": ("claims", {"aud": "another-client"}, "Invalid claim: 'aud'"),
    "expired an hour ago": ("claims", {"exp": _now() - 3600, "iat": _now() - 3900}, "ExpiredTokenError"),
    "with another nonce": ("claims", {"nonce": "not-the-one-we-sent"}, "Invalid claim: 'nonce'"),
    "from another issuer": ("claims", {"iss": "https://impostor.example"}, "Invalid claim: 'iss'"),
    "without a nonce": ("claims", {"nonce": None}, "nonce"),
}


@pytest.mark.parametrize("forgery", FORGERIES, ids=list(FORGERIES))
def test_a_forged_id_token_is_refused(oidc_client, provider, caplog, forgery):
    kind, changes, cause = FORGERIES[forgery]
    if kind == "key":
        provider.signing_key = signing_key(provider.key.kid)  # same key id, another key
    else:
        provider.id_token_changes = changes
    provider.signed_in = OpenIDUser("eve", "eve@exemple.fr", True, "Eve")
    with caplog.at_level(logging.WARNING, logger="pedt_participation.auth.views"):
        response = _through_the_provider(oidc_client, provider)
    text = _failed(oidc_client, response)
    assert "Connecté" not in text and _participants() == 0
    assert any(
        "Sign-in through the platform failed" in record.getMessage() and cause in record.getMessage()
        for record in caplog.records
    )


@pytest.mark.parametrize(
    ("sent_issuer", "cause"),
    [("https://impostor.example", "is not the issuer"), (None, "has no iss")],
    ids=["another issuer", "none, though the provider says it sends it"],
)
def test_the_issuer_sent_with_the_code_must_be_the_providers(oidc_client, provider, caplog, sent_issuer, cause):
    provider.response_issuer = sent_issuer
    provider.signed_in = OpenIDUser("mix-up", "mix@exemple.fr", True, "Mix")
    with caplog.at_level(logging.WARNING, logger="pedt_participation.auth.views"):
        response = _through_the_provider(oidc_client, provider)
    _failed(oidc_client, response)
    assert provider.token_requests == []  # the code was never used
    assert any(cause in record.getMessage() for record in caplog.records)


def test_without_the_iss_promise_a_response_without_iss_is_accepted(oidc_client, provider):
    provider.metadata["authorization_response_iss_parameter_supported"] = False
    provider.response_issuer = None
    provider.signed_in = OpenIDUser("old-provider", "old@exemple.fr", True, "Ancien")
    assert _through_the_provider(oidc_client, provider).headers["Location"].endswith("/auth/plateforme/profil")


def test_an_unverified_email_never_finds_a_local_account(oidc_client, provider):
    local = make_participant(email="fatima@exemple.fr", display_name="Fatima")
    provider.signed_in = OpenIDUser("someone-else", "fatima@exemple.fr", False, "Pas Fatima")
    response = _through_the_provider(oidc_client, provider)
    assert response.headers["Location"].endswith("/auth/plateforme/profil")  # not the page to link accounts

    form = oidc_client.get("/auth/plateforme/profil")
    assert f"{PLATFORM} n’a pas vérifié votre adresse e-mail" in page_text(form)
    assert 'value="fatima@exemple.fr"' in form.get_data(as_text=True)  # offered, to confirm or correct
    refused = oidc_client.post(
        "/auth/plateforme/profil", data={"email": "fatima@exemple.fr", "audience": "parent", "age_bracket": "26-39"}
    )
    assert refused.status_code == 422 and "Un compte existe déjà avec cette adresse e-mail" in page_text(refused)
    assert oidc_client.get("/auth/plateforme/lier").headers["Location"].endswith("/auth/plateforme/profil")
    db.session.refresh(local)
    assert local.platform_uid is None and _participants() == 1


def test_a_verified_email_of_a_local_account_asks_its_password(oidc_client, provider):
    make_participant(email="fatima@exemple.fr", display_name="Fatima")
    provider.signed_in = OpenIDUser("fatima-sub", "fatima@exemple.fr", "true", "Fatima B.")
    response = _through_the_provider(oidc_client, provider)
    assert response.headers["Location"].endswith("/auth/plateforme/lier")
    assert oidc_client.post("/auth/plateforme/lier", data={"password": TEST_PASSWORD}).status_code == 303
    assert db.session.scalar(select(Participant.platform_uid).where(Participant.email == "fatima@exemple.fr")) == "fatima-sub"


def test_userinfo_about_someone_else_is_refused(oidc_client, provider, caplog):
    provider.signed_in = OpenIDUser("alice", "alice@exemple.fr", True, "Alice")
    provider.userinfo_changes = {"sub": "mallory"}
    with caplog.at_level(logging.WARNING, logger="pedt_participation.auth.views"):
        _failed(oidc_client, _through_the_provider(oidc_client, provider))
    assert any("userinfo's sub" in record.getMessage() for record in caplog.records)


def test_a_discovery_document_for_another_issuer_is_refused(oidc_client, provider, caplog):
    provider.metadata["issuer"] = "https://impostor.example"
    with caplog.at_level(logging.WARNING, logger="pedt_participation.auth.views"):
        _failed(oidc_client, oidc_client.get("/auth/plateforme"))
    assert any("discovery document's issuer" in record.getMessage() for record in caplog.records)
    # Loaded again at the next try, once the provider is fixed.
    provider.metadata["issuer"] = provider.url
    assert oidc_client.get("/auth/plateforme").status_code == 302


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_provider_that_is_down(database_url, celery_settings, caplog):
    app = _oidc_app(database_url, celery_settings, f"http://127.0.0.1:{_closed_port()}")
    with app.app_context(), caplog.at_level(logging.WARNING, logger="pedt_participation.auth.views"):
        client = app.test_client()
        _failed(client, client.get("/auth/plateforme"))
    assert any("ConnectionError" in record.getMessage() for record in caplog.records)


def test_a_provider_that_goes_down_before_the_code_is_exchanged(oidc_client, provider):
    provider.signed_in = OpenIDUser("late", "late@exemple.fr", True, "Tard")
    start = oidc_client.get("/auth/plateforme")
    answer = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    provider.stop()
    _failed(oidc_client, oidc_client.get(answer.headers["Location"].removeprefix("http://pedt.test")))
    assert _participants() == 0


def test_signing_out_offers_to_sign_out_of_the_provider_too(oidc_client, provider):
    provider.signed_in = OpenIDUser("leo", "leo@exemple.fr", True, "Léo")
    _through_the_provider(oidc_client, provider)
    oidc_client.post("/auth/plateforme/profil", data={"audience": "parent", "age_bracket": "26-39"})

    signed_out = oidc_client.post("/auth/logout")
    assert signed_out.status_code == 303 and signed_out.headers["Location"].endswith("/auth/plateforme/deconnexion")
    page = oidc_client.get("/auth/plateforme/deconnexion")
    assert page.status_code == 200
    assert f"Se déconnecter aussi de {PLATFORM}" in page_text(page) and "Connecté" not in page_text(page)
    link = _sign_out_link(page, provider)
    query = parse_qs(urlsplit(link).query)
    assert query["post_logout_redirect_uri"] == ["http://pedt.test/"] and query["client_id"] == [CLIENT_ID]
    assert query["id_token_hint"][0].count(".") == 2  # the ID token the provider gave at sign-in
    # Offered once: the page seen again (or without a provider sign-in) leads home.
    assert oidc_client.get("/auth/plateforme/deconnexion").status_code == 302


def _sign_out_link(page, provider) -> str:
    html = page.get_data(as_text=True)
    start = html.index(f'href="{provider.metadata["end_session_endpoint"]}')
    return html[start + len('href="') : html.index('"', start + len('href="'))].replace("&amp;", "&")


def test_signing_out_after_a_local_sign_in_offers_nothing_more(oidc_client, provider):
    login(oidc_client, make_participant(email="local@exemple.fr"))
    signed_out = oidc_client.post("/auth/logout")
    assert signed_out.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("settings", "named"),
    [({"PLATFORM_PROVIDER": "keycloak"}, "PLATFORM_PROVIDER"),
     ({"PLATFORM_OAUTH_TOKEN_AUTH_METHOD": "private_key_jwt"}, "PLATFORM_OAUTH_TOKEN_AUTH_METHOD")],
)
def test_a_setting_that_cannot_work_stops_the_start(database_url, celery_settings, settings, named):
    with pytest.raises(RuntimeError, match=named):
        make_test_app(database_url, celery_settings, **settings)


def test_the_decidim_kind_pointed_at_an_openid_provider_fails_in_french(database_url, celery_settings, provider):
    """Asked for `openid`, the Decidim kind receives an ID token it has no keys to check: the sign-in fails
    with the French message, not a 500. PLATFORM_PROVIDER=oidc is the way to such a provider."""
    app = make_test_app(
        database_url,
        celery_settings,
        PLATFORM_NAME=PLATFORM,
        PLATFORM_URL=provider.url,
        PLATFORM_OAUTH_AUTHORIZE_URL=f"{provider.url}/authorize",
        PLATFORM_OAUTH_TOKEN_URL=f"{provider.url}/token",
        PLATFORM_OAUTH_PROFILE_URL=f"{provider.url}/userinfo",
        PLATFORM_OAUTH_CLIENT_ID=CLIENT_ID,
        PLATFORM_OAUTH_CLIENT_SECRET=CLIENT_SECRET,
        PLATFORM_OAUTH_SCOPES="openid email profile",
    )
    provider.signed_in = OpenIDUser("decidim-kind", "d@exemple.fr", True, "D")
    with app.app_context():
        client = app.test_client()
        _failed(client, _through_the_provider(client, provider))


def test_a_provider_that_refuses_the_client(database_url, celery_settings, provider, caplog):
    app = _oidc_app(database_url, celery_settings, provider.url, PLATFORM_OAUTH_CLIENT_SECRET="not-the-secret")
    provider.signed_in = OpenIDUser("ines", "ines@exemple.fr", True, "Inès")
    with app.app_context(), caplog.at_level(logging.WARNING, logger="pedt_participation.auth.views"):
        client = app.test_client()
        _failed(client, _through_the_provider(client, provider))
    assert any("invalid_client" in record.getMessage() for record in caplog.records)


def test_claims_of_the_wrong_shape_are_set_aside(oidc_client, provider):
    """An e-mail that is not one, a name that is not text: asked in the form instead, never a 500."""
    provider.signed_in = OpenIDUser("odd-claims", None, True, None)
    provider.userinfo_changes = {"email": ["odd@exemple.fr"], "name": 12, "preferred_username": "  ", "nickname": "Odd"}
    response = _through_the_provider(oidc_client, provider)
    assert response.headers["Location"].endswith("/auth/plateforme/profil")
    form = page_text(oidc_client.get("/auth/plateforme/profil"))
    assert "Bienvenue Odd" in form and "ne nous a pas donné votre adresse e-mail" in form
