"""Accounts: register, parental consent before 15, log in and out, remember me, login required."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from pedt_participation.auth.services import register_participant
from pedt_participation.errors import ParticipationRefused
from pedt_participation.extensions import db
from pedt_participation.models import AgeBracket, Audience, Participant
from tests.helpers import TEST_PASSWORD, login, make_consultation, make_participant, page_text

PARENT = {
    "email": "Amina.Parent@Exemple.fr",
    "password": "un-bon-mot-de-passe",
    "password_confirmation": "un-bon-mot-de-passe",
    "display_name": "Amina",
    "audience": "parent",
    "age_bracket": "26-39",
    "neighbourhood": "Autre",
}


def test_register_creates_a_signed_in_parent(client):
    response = client.post("/auth/register", data=PARENT, follow_redirects=True)

    assert "Bienvenue Amina ! Votre compte est créé" in page_text(response)
    participant = db.session.scalar(select(Participant))
    assert participant.email == "amina.parent@exemple.fr"
    assert participant.audience == Audience.PARENT and participant.neighbourhood == "Autre"
    assert participant.password_hash and "un-bon-mot-de-passe" not in participant.password_hash
    assert "Connecté : Amina" in page_text(client.get("/"))


def test_the_sign_up_form_says_which_fields_may_stay_empty(client):
    html = client.get("/auth/register").get_data(as_text=True)
    labels = {
        " ".join(re.sub(r"<[^>]+>", "", label).split())
        for label in re.findall(r'<(?:label for="[^"]+"|legend)>(.*?)</(?:label|legend)>', html, re.S)
    }
    assert {"Quartier (facultatif)", "École, collège ou lycée (facultatif)"} <= labels, labels
    assert {"Adresse e-mail", "Mot de passe", "Nom affiché", "Votre âge"} <= labels, labels
    assert "Les champs marqués « facultatif » peuvent rester vides." in page_text(client.get("/auth/register"))
    assert "<h2>Vous connecter</h2>" not in html and "<h2>Votre adresse et votre mot de passe</h2>" in html


def test_register_returns_to_the_page_the_person_came_from(client):
    make_consultation(slug="demo")
    response = client.post("/auth/register?next=/consultations/demo", data=PARENT)
    assert response.headers["Location"].endswith("/consultations/demo")


def test_register_errors_are_in_french_and_keep_what_was_typed(client):
    data = {**PARENT, "email": "pas-une-adresse", "password_confirmation": "autre-chose"}
    response = client.post("/auth/register", data=data)

    text = page_text(response)
    assert response.status_code == 422
    assert "Cette adresse e-mail n’est pas valide." in text
    assert "Les deux mots de passe ne sont pas identiques." in text
    html = response.get_data(as_text=True)
    assert 'value="pas-une-adresse"' in html and 'value="Amina"' in html
    assert 'aria-invalid="true"' in html
    assert db.session.scalar(select(Participant)) is None


def test_email_already_used_is_explained(client):
    make_participant(email="amina.parent@exemple.fr")
    text = page_text(client.post("/auth/register", data=PARENT))
    assert "Un compte existe déjà avec cette adresse e-mail." in text


def test_under_15_needs_a_parent_email_and_waits_for_the_parents_consent(client):
    youth = {**PARENT, "email": "lina@exemple.fr", "display_name": "Lina", "audience": "youth", "age_bracket": "11-14"}

    refused = page_text(client.post("/auth/register", data=youth))
    assert "Avant 15 ans, indiquez l’e-mail d’un parent" in refused
    assert db.session.scalar(select(Participant)) is None

    welcome = page_text(client.post("/auth/register", data={**youth, "parent_email": "maman@exemple.fr"},
                                    follow_redirects=True))
    assert "Un e-mail vient de partir vers votre parent (maman@exemple.fr)" in welcome
    participant = db.session.scalar(select(Participant))
    assert participant.age_bracket == AgeBracket.FROM_11_TO_14
    assert participant.parent_email == "maman@exemple.fr"
    # The parent answers through the e-mailed link (tests/test_confirmed_accounts.py), not the child's form.
    assert participant.parental_consent_at is None


def test_youth_age_and_audience_must_match(client):
    text = page_text(client.post("/auth/register", data={**PARENT, "audience": "youth", "age_bracket": "40-59"}))
    assert "Les jeunes qui participent ont entre 11 et 25 ans" in text
    text = page_text(client.post("/auth/register", data={**PARENT, "age_bracket": "15-17"}))
    assert "Avant 18 ans, inscrivez-vous en tant que jeune." in text


@pytest.mark.parametrize(("audience", "bracket"), [(Audience.PARENT, AgeBracket.FROM_15_TO_17),
                                                    (Audience.PROFESSIONAL, AgeBracket.FROM_11_TO_14),
                                                    (Audience.YOUTH, AgeBracket.FROM_26_TO_39)])
def test_no_account_has_an_age_its_audience_does_not_admit(app, audience, bracket):
    """Whatever creates the account (a form, the host platform, the demo): the committee summaries' disclosure
    control takes every person under 18 to be a young person, and every young person to be 25 at most."""
    with pytest.raises(ParticipationRefused):
        register_participant(email="x@exemple.fr", password=TEST_PASSWORD, display_name="Camille",
                             audience=audience, age_bracket=bracket, parent_email="parent@exemple.fr")
    assert db.session.scalar(select(Participant)) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Équipe de modération", "réservé à l’équipe de la ville"),
        ("EQUIPE-DE-MODERATION", "réservé à l’équipe de la ville"),
        ("Le modérateur", "réservé à l’équipe de la ville"),
        ("Ｍａｉｒｉｅ", "réservé à l’équipe de la ville"),  # full-width letters
        ("admin_42", "réservé à l’équipe de la ville"),
        ("Comité de pilotage", "réservé à l’équipe de la ville"),
        ("Compte supprimé", "réservé à l’équipe de la ville"),
        ("Ami\u200bna", "caractère invisible"),  # zero-width space
        ("\u202enimdA", "caractère invisible"),  # right-to-left override
        ("Amina\u2066", "caractère invisible"),  # bidi isolate
        ("Amina\u00ad", "caractère invisible"),  # soft hyphen
        ("· · ·", "au moins une lettre ou un chiffre"),
    ],
)
def test_a_display_name_cannot_pass_for_the_team_or_hide_characters(client, name, expected):
    response = client.post("/auth/register", data={**PARENT, "display_name": name})

    assert response.status_code == 422
    assert expected in page_text(response)
    assert 'value="amina.parent@exemple.fr"' in response.get_data(as_text=True).lower()  # nothing typed is lost
    assert db.session.scalar(select(Participant)) is None


def test_a_display_name_cannot_copy_someone_elses(client):
    make_participant(display_name="Samia Benali")
    for copy in ("Samia Benali", "samia  BENALI", "Sàmia-Bénali"):
        text = page_text(client.post("/auth/register", data={**PARENT, "display_name": copy}))
        assert "Une autre personne a déjà ce nom. Ajoutez par exemple l’initiale" in text
    assert "Bienvenue Samia B. !" in page_text(
        client.post("/auth/register", data={**PARENT, "display_name": "Samia B."}, follow_redirects=True)
    )


def test_arabic_and_accented_names_are_welcome(client):
    response = client.post("/auth/register", data={**PARENT, "display_name": "نور الهدى"}, follow_redirects=True)
    assert "Bienvenue نور الهدى !" in page_text(response)


def test_login_and_logout(client):
    participant = make_participant(display_name="Karim")
    response = login(client, participant)
    assert "Connecté : Karim" in page_text(client.get(response.headers["Location"]))

    text = page_text(client.post("/auth/logout", follow_redirects=True))
    assert "Vous êtes déconnecté." in text and "Se connecter" in text


def test_wrong_password_is_refused_with_a_hint(client):
    participant = make_participant()
    response = client.post("/auth/login", data={"email": participant.email, "password": "faux"})
    assert response.status_code == 422
    assert "E-mail ou mot de passe incorrect." in page_text(response)
    assert f'value="{participant.email}"' in response.get_data(as_text=True)


def test_login_is_case_insensitive_on_email(client):
    make_participant(email="karim@exemple.fr")
    response = client.post("/auth/login", data={"email": " Karim@Exemple.FR ", "password": TEST_PASSWORD})
    assert response.status_code == 303


def test_remember_me_sets_a_lasting_cookie(client):
    participant = make_participant()
    response = login(client, participant, remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "Expires=" in remember[0] and "HttpOnly" in remember[0]
    assert not any(c.startswith("remember_token=") for c in login(client.application.test_client(), participant).headers.getlist("Set-Cookie"))


def test_login_ignores_an_outside_next(client):
    participant = make_participant()
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(f"/auth/login?next={target}", data={"email": participant.email, "password": TEST_PASSWORD})
        assert response.headers["Location"] in ("/", "http://pedt.test/"), target
        client.post("/auth/logout")


def test_login_required_pages_send_to_login_with_a_message(client):
    make_consultation(slug="demo")
    response = client.get("/consultations/demo/propose", follow_redirects=True)
    text = page_text(response)
    assert "Connectez-vous ou créez un compte pour participer." in text
    assert response.request.path == "/auth/login"
