"""Sign-in through the host platform, end to end against a real OAuth2 authorization server on loopback
(tests/oauth_provider.py): redirect with PKCE, code exchange, profile, first-visit questions, linking an
existing account, refusals."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import func, select

from pedt_participation.extensions import db
from pedt_participation.models import AgeBracket, Audience, Participant, utcnow
from tests.conftest import make_test_app
from tests.helpers import TEST_PASSWORD, make_participant, page_text
from tests.oauth_provider import PlatformUser, Provider

CALLBACK = "http://pedt.test/auth/plateforme/retour"


@pytest.fixture
def provider():
    with Provider(CALLBACK) as provider:
        yield provider


@pytest.fixture
def platform_app(database_url, celery_settings, provider):
    """The app as a town would run it beside its Decidim: the platform's address and client credentials."""
    app = make_test_app(
        database_url,
        celery_settings,
        PLATFORM_NAME="Decidim de la ville",
        PLATFORM_URL=provider.url,
        PLATFORM_OAUTH_CLIENT_ID=provider.client.client_id,
        PLATFORM_OAUTH_CLIENT_SECRET=provider.client.client_secret,
    )
    with app.app_context():
        yield app


@pytest.fixture
def platform_client(platform_app):
    return platform_app.test_client()


def _through_the_platform(client, provider, next_path="/"):
    """What the browser does: our redirect, the platform's answer, back to our callback."""
    start = client.get(f"/auth/plateforme?next={next_path}")
    assert start.status_code == 302
    assert start.headers["Location"].startswith(f"{provider.url}/oauth/authorize?")
    answer = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith(CALLBACK)
    return client.get(answer.headers["Location"].removeprefix("http://pedt.test"))


def _participants() -> int:
    return db.session.scalar(select(func.count()).select_from(Participant))


def test_first_sign_in_asks_only_what_the_platform_did_not_give(platform_client, provider):
    provider.signed_in = PlatformUser(42, "Camille@Exemple.fr", "Camille Martin", "camille")
    response = _through_the_platform(platform_client, provider, next_path="/consultations/")
    authorize = provider.authorize_requests[-1]
    assert authorize["code_challenge_method"] == "S256" and len(authorize["code_challenge"]) >= 43  # PKCE
    assert response.status_code == 303 and response.headers["Location"].endswith("/auth/plateforme/profil")

    form = page_text(platform_client.get("/auth/plateforme/profil"))
    assert "Bienvenue Camille Martin" in form and "Vous êtes connecté avec Decidim de la ville" in form
    assert "Adresse e-mail" not in form and "Nom affiché" not in form and "Mot de passe" not in form
    assert "Vous participez en tant que" in form and "Votre âge" in form

    answered = platform_client.post(
        "/auth/plateforme/profil", data={"audience": "parent", "age_bracket": "26-39", "neighbourhood": "Je préfère ne pas répondre"}
    )
    assert answered.status_code == 303 and answered.headers["Location"] == "/consultations/"
    person = db.session.scalar(select(Participant).where(Participant.platform_uid == "42"))
    assert (person.email, person.display_name, person.audience, person.neighbourhood) == (
        "camille@exemple.fr", "Camille Martin", Audience.PARENT, "Je préfère ne pas répondre")
    assert person.password_hash is None
    assert "Connecté : Camille Martin" in page_text(platform_client.get("/"))

    # Next time: straight in, nothing asked, nobody created.
    platform_client.post("/auth/logout")
    again = _through_the_platform(platform_client, provider)
    assert again.status_code == 303 and again.headers["Location"] == "/"
    assert _participants() == 1
    assert "Connecté : Camille Martin" in page_text(platform_client.get("/"))


def test_a_youth_under_15_from_the_platform_needs_a_parent(platform_client, provider):
    provider.signed_in = PlatformUser(7, "lina@exemple.fr", "", "lina")
    _through_the_platform(platform_client, provider)
    refused = platform_client.post("/auth/plateforme/profil", data={"audience": "youth", "age_bracket": "11-14"})
    assert refused.status_code == 422
    text = page_text(refused)
    assert "Avant 15 ans, indiquez l’e-mail d’un parent" in text
    assert _participants() == 0

    accepted = platform_client.post(
        "/auth/plateforme/profil",
        data={"audience": "youth", "age_bracket": "11-14", "parent_email": "maman@exemple.fr"},
    )
    assert accepted.status_code == 303
    lina = db.session.scalar(select(Participant).where(Participant.platform_uid == "7"))
    assert lina.display_name == "lina" and lina.age_bracket == AgeBracket.FROM_11_TO_14
    # The platform vouches for the e-mail; the parent still consents through their own link.
    assert lina.parent_email == "maman@exemple.fr" and lina.parental_consent_at is None
    assert lina.email_confirmed_at is not None


def test_the_email_is_asked_when_the_platform_gives_none(platform_client, provider):
    provider.signed_in = PlatformUser(9, None, "Sam", "sam")
    _through_the_platform(platform_client, provider)
    assert "Adresse e-mail" in page_text(platform_client.get("/auth/plateforme/profil"))
    platform_client.post("/auth/plateforme/profil",
                         data={"email": "sam@exemple.fr", "audience": "professional", "age_bracket": "40-59"})
    assert db.session.scalar(select(Participant.email).where(Participant.platform_uid == "9")) == "sam@exemple.fr"


def test_a_platform_name_this_site_refuses_is_chosen_again_here(platform_client, provider):
    provider.signed_in = PlatformUser(11, "claire@exemple.fr", "Équipe de modération", "claire")
    _through_the_platform(platform_client, provider)
    page = page_text(platform_client.get("/auth/plateforme/profil"))
    assert "Le nom que Decidim de la ville nous a donné ne peut pas être affiché ici" in page
    assert "réservé à l’équipe de la ville" in page and "Nom affiché" in page

    platform_client.post("/auth/plateforme/profil",
                         data={"display_name": "Claire", "audience": "parent", "age_bracket": "40-59"})
    assert db.session.scalar(select(Participant.display_name).where(Participant.platform_uid == "11")) == "Claire"


def test_an_existing_account_is_linked_only_with_its_password(platform_client, provider):
    local = make_participant(email="fatima@exemple.fr", display_name="Fatima")
    provider.signed_in = PlatformUser(5, "fatima@exemple.fr", "Fatima B.", "fatima")
    response = _through_the_platform(platform_client, provider)
    assert response.headers["Location"].endswith("/auth/plateforme/lier")
    assert "Un compte existe déjà sur ce site avec l’adresse fatima@exemple.fr" in page_text(
        platform_client.get("/auth/plateforme/lier"))

    wrong = platform_client.post("/auth/plateforme/lier", data={"password": "pas-le-bon"})
    assert wrong.status_code == 422 and "Ce mot de passe n’est pas celui de ce compte" in page_text(wrong)
    db.session.refresh(local)
    assert local.platform_uid is None

    assert platform_client.post("/auth/plateforme/lier", data={"password": TEST_PASSWORD}).status_code == 303
    db.session.refresh(local)
    assert local.platform_uid == "5" and _participants() == 1
    assert "Connecté : Fatima" in page_text(platform_client.get("/"))


def test_refusals_are_explained(platform_client, provider):
    # The person said no on the platform.
    provider.signed_in = None
    cancelled = _through_the_platform(platform_client, provider)
    assert cancelled.headers["Location"].endswith("/auth/login")
    assert "La connexion avec Decidim de la ville a été annulée" in page_text(platform_client.get("/auth/login"))

    # A callback this browser did not start (stale or forged state).
    forged = platform_client.get("/auth/plateforme/retour?code=abc&state=not-ours")
    assert forged.headers["Location"].endswith("/auth/login")
    assert "n’a pas abouti" in page_text(platform_client.get("/auth/login"))

    # A blocked participant stays out.
    blocked = make_participant(email="bloque@exemple.fr", display_name="Bloqué")
    blocked.platform_uid, blocked.blocked_at, blocked.blocked_reason = "13", utcnow(), "messages insultants"
    db.session.commit()
    provider.signed_in = PlatformUser(13, "bloque@exemple.fr", "Bloqué", "bloque")
    _through_the_platform(platform_client, provider)
    text = page_text(platform_client.get("/auth/login"))
    assert "Ce compte est bloqué" in text and "messages insultants" in text
    assert "Connecté" not in text


def test_without_a_platform_only_local_accounts(client):
    assert "Se connecter avec" not in page_text(client.get("/auth/login"))
    assert client.get("/auth/plateforme").status_code == 404


def test_the_login_page_offers_the_platform_when_configured(platform_client):
    assert "Se connecter avec Decidim de la ville" in page_text(platform_client.get("/auth/login"))


def test_signing_in_through_the_platform_starts_a_new_session(platform_client, provider):
    """The other way in: a token planted in the browser's session before it is gone after."""
    make_participant(email="ines@exemple.fr", display_name="Inès", platform_uid="8")
    provider.signed_in = PlatformUser(8, "ines@exemple.fr", "Inès", "ines")
    with platform_client.session_transaction() as session:
        session["csrf_token"] = "planted-before-sign-in"

    assert _through_the_platform(platform_client, provider).status_code == 303

    with platform_client.session_transaction() as session:
        assert "csrf_token" not in session
    assert platform_client.get("/mes-donnees").status_code == 200
    platform_client.post("/auth/logout")
    assert platform_client.get("/mes-donnees").status_code == 302
