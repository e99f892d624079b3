"""Embeds for the host platform: who may frame them, voting inside, oEmbed, and the cookie setting for a
platform on another site."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from pedt_participation.config import build_config
from pedt_participation.extensions import db
from pedt_participation.models import ActionState, Vote, VoteKind
from tests.conftest import make_test_app
from tests.helpers import login, make_consultation, make_participant, page_text

PLATFORM = "https://participer.ville.fr"


@pytest.fixture
def platform_origins(app, monkeypatch):
    monkeypatch.setitem(app.config, "EMBED_ALLOWED_ORIGINS", (PLATFORM,))


def _form_action(html: str, path_start: str) -> str:
    """The `action` of the first form posting to a path starting with `path_start`, as the browser sends it."""
    return unescape(re.search(rf'action="({re.escape(path_start)}[^"]*)"', html).group(1))


def test_embed_shows_the_actions_and_only_the_platform_may_frame_it(client, platform_origins):
    consultation = make_consultation(slug="pedt")

    response = client.get("/embed/consultations/pedt")

    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"].endswith(f"; frame-ancestors 'self' {PLATFORM}")
    assert "X-Frame-Options" not in response.headers
    text = page_text(response)
    assert "Consultation pedt" in text
    assert "Action 1.1" in text and "Action 2.3" in text
    assert "Menu principal" not in response.get_data(as_text=True)  # compact: the platform has its own menu
    action = consultation.orientations[0].actions[0]
    assert f'href="/embed/actions/{action.id}"' in response.get_data(as_text=True)


def test_signed_out_people_get_a_sign_in_link_opening_in_a_new_tab(client):
    make_consultation(slug="pedt")

    html = client.get("/embed/consultations/pedt").get_data(as_text=True)

    link = re.search(r'<a class="button" href="([^"]+)" target="_blank" rel="opener">([^<]+)</a>', html)
    assert unescape(link.group(1)) == "/auth/login?next=/embed/connecte"
    assert link.group(2) == "Se connecter pour voter (nouvel onglet)"
    assert "Se connecter pour soutenir" not in html  # no sign-in inside the frame, where it would be refused


def test_the_tab_opened_to_sign_in_ends_on_a_page_that_reloads_the_embed(client):
    make_consultation(slug="pedt")
    participant = make_participant()

    response = client.post(
        "/auth/login", query_string={"next": "/embed/connecte"}, data={"email": participant.email, "password": "mot-de-passe-de-test"}
    )
    assert response.headers["Location"].endswith("/embed/connecte")
    page = client.get("/embed/connecte")
    assert "Vous pouvez fermer cet onglet et revenir à la consultation" in page_text(page)
    assert "embed-signed-in.js" in page.get_data(as_text=True)
    assert page.headers["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize("path", ["/consultations/pedt", "/auth/login", "/embed/connecte", "/page-inconnue"])
def test_every_other_page_refuses_to_be_framed_by_another_site(client, platform_origins, path):
    make_consultation(slug="pedt")

    response = client.get(path)

    assert response.headers["Content-Security-Policy"].endswith("; frame-ancestors 'self'")
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_support_inside_the_embed_comes_back_to_the_embed(client):
    consultation = make_consultation(slug="pedt", vote_limit_per_orientation=1)
    first, second = consultation.orientations[0].actions[:2]
    participant = make_participant()
    login(client, participant)

    html = client.get("/embed/consultations/pedt").get_data(as_text=True)
    response = client.post(_form_action(html, f"/actions/{first.id}/votes/support"))

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/embed/consultations/pedt#action-{first.id}")
    text = page_text(client.get("/embed/consultations/pedt"))
    assert "Votre soutien est enregistré. Vous avez utilisé tous vos soutiens pour cette orientation." in text
    assert db.session.scalars(select(Vote.action_id).where(Vote.participant_id == participant.id)).all() == [first.id]

    # The same rules and French refusals as on the full pages.
    html = client.get("/embed/consultations/pedt").get_data(as_text=True)
    client.post(_form_action(html, f"/actions/{second.id}/votes/support"))
    assert "Vous avez déjà donné votre seul soutien pour l’orientation « Orientation numéro 1 »" in page_text(client.get("/embed/consultations/pedt"))


def test_opinion_and_grade_inside_the_action_embed(client):
    consultation = make_consultation(slug="pedt", opinion_enabled=True, majority_judgment_enabled=True)
    action = consultation.orientations[0].actions[0]
    participant = make_participant()
    login(client, participant)
    embed = f"/embed/actions/{action.id}"

    html = client.get(embed).get_data(as_text=True)
    opinion = client.post(_form_action(html, f"/actions/{action.id}/votes/opinion"), data={"value": "1"})
    grade = client.post(_form_action(html, f"/actions/{action.id}/votes/grade"), data={"value": "5"})

    assert opinion.headers["Location"].endswith(embed) and grade.headers["Location"].endswith(embed)
    text = page_text(client.get(embed))
    assert "Votre mention est enregistrée." in text
    assert "Avis : 1 pour, 0 mitigé, 0 contre" in text
    votes = db.session.execute(select(Vote.kind, Vote.value).where(Vote.participant_id == participant.id)).all()
    assert sorted(votes) == sorted([(VoteKind.OPINION, 1), (VoteKind.GRADE, 5)])

    withdraw = client.post(_form_action(client.get(embed).get_data(as_text=True), f"/actions/{action.id}/votes/grade/withdraw"))
    assert withdraw.headers["Location"].endswith(embed)
    assert "Votre mention est retirée." in page_text(client.get(embed))


def _visitor_form(html: str, path_start: str) -> str:
    """The opening tag of the first form posting to a path starting with `path_start`."""
    return re.search(rf'<form[^>]*action="{re.escape(path_start)}[^>]*>', html).group(0)


@pytest.mark.parametrize("embed", ["consultation", "action"])
def test_a_visitor_s_vote_in_the_embed_is_cast_once_they_sign_in_in_the_new_tab(client, embed):
    consultation = make_consultation(slug="pedt")
    action = consultation.orientations[0].actions[0]
    participant = make_participant()
    page = "/embed/consultations/pedt" if embed == "consultation" else f"/embed/actions/{action.id}"
    html = client.get(page).get_data(as_text=True)

    form = _visitor_form(html, f"/actions/{action.id}/votes/support")
    assert 'target="_blank"' in form and 'rel="opener"' in form  # sign-in pages are never framed
    assert "Soutenir « Action 1.1 » (nouvel onglet)" in page_text(client.get(page))
    held = client.post(_form_action(html, f"/actions/{action.id}/votes/support"))
    signed_in = client.post(held.headers["Location"], data={"email": participant.email, "password": "mot-de-passe-de-test"})

    assert signed_in.headers["Location"].endswith("/embed/connecte")  # reloads the embed and closes the tab
    client.get("/embed/connecte")
    assert db.session.scalars(select(Vote.action_id).where(Vote.participant_id == participant.id)).all() == [action.id]
    assert "Votre soutien est enregistré." in page_text(client.get(page)), "the answer waits for the embed"


def test_across_sites_a_visitor_gets_the_sign_in_link_only(client, app, monkeypatch):
    """The frame's cookies may be kept apart from the tab's (Safari, Firefox): the tab would refuse the frame's
    form as expired."""
    monkeypatch.setitem(app.config, "EMBED_ACROSS_SITES", True)
    action = make_consultation(slug="pedt").orientations[0].actions[0]

    for page in ("/embed/consultations/pedt", f"/embed/actions/{action.id}"):
        html = client.get(page).get_data(as_text=True)
        assert f"/actions/{action.id}/votes/support" not in html
        assert "Se connecter pour voter (nouvel onglet)" in page_text(client.get(page))


def test_action_embed_without_sign_in_shows_counts_and_the_sign_in_link(client):
    action = make_consultation(slug="pedt").orientations[0].actions[0]

    text = page_text(client.get(f"/embed/actions/{action.id}"))

    assert "Action 1.1" in text and "0 soutien" in text
    assert "Se connecter pour voter (nouvel onglet)" in text
    assert "Lire les commentaires et commenter (nouvel onglet)" in text


def test_oembed_describes_a_consultation_as_a_rich_iframe(client):
    make_consultation(slug="pedt")

    response = client.get("/oembed", query_string={"url": "http://pedt.test/consultations/pedt", "format": "json"})

    assert response.status_code == 200
    data = response.get_json()
    assert {key: data[key] for key in ("version", "type", "title", "provider_name", "provider_url", "width", "height")} == {
        "version": "1.0",
        "type": "rich",
        "title": "Consultation pedt",
        "provider_name": "Participer au projet éducatif",
        "provider_url": "http://pedt.test/",
        "width": 640,
        "height": 800,
    }
    assert data["html"] == (
        '<iframe src="http://pedt.test/embed/consultations/pedt" title="Consultation : Consultation pedt" '
        'width="640" height="800" loading="lazy" style="border:0;max-width:100%"></iframe>'
    )


def test_oembed_of_an_action_fits_the_maximum_size(client):
    action = make_consultation(slug="pedt").orientations[0].actions[0]

    data = client.get(
        "/oembed", query_string={"url": f"http://pedt.test/actions/{action.id}", "maxwidth": "300", "maxheight": "250"}
    ).get_json()

    assert (data["width"], data["height"]) == (300, 250)
    assert f'src="http://pedt.test/embed/actions/{action.id}"' in data["html"]
    assert 'title="Action à voter : Action 1.1"' in data["html"]


def test_oembed_refuses_unknown_pages_and_other_formats(client):
    consultation = make_consultation(slug="pedt")
    hidden = consultation.orientations[0].actions[0]
    hidden.state = ActionState.HIDDEN
    db.session.commit()

    for url in (
        "http://pedt.test/consultations/inconnue",
        f"http://pedt.test/actions/{hidden.id}",
        "http://pedt.test/auth/login",
        "https://ailleurs.example/consultations/pedt",
        "",
    ):
        assert client.get("/oembed", query_string={"url": url}).status_code == 404, url
    assert client.get("/oembed", query_string={"url": "http://pedt.test/consultations/pedt", "format": "xml"}).status_code == 501


def test_public_pages_announce_their_oembed(client):
    action = make_consultation(slug="pedt").orientations[0].actions[0]

    for page, url in (
        ("/consultations/pedt", "http://pedt.test/consultations/pedt"),
        (f"/actions/{action.id}", f"http://pedt.test/actions/{action.id}"),
    ):
        html = client.get(page).get_data(as_text=True)
        link = re.search(r'<link rel="alternate" type="application/json\+oembed" title="[^"]+"\s+href="([^"]+)"', html)
        discovered = client.get(unescape(link.group(1)))
        assert discovered.status_code == 200 and discovered.get_json()["type"] == "rich", url


def test_allowed_origins_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("EMBED_ALLOWED_ORIGINS", "https://participer.ville.fr, https://metropole.fr/ https://ecoles.fr/pedt")
    assert build_config(str(tmp_path))["EMBED_ALLOWED_ORIGINS"] == (
        "https://participer.ville.fr",
        "https://metropole.fr",
        "https://ecoles.fr",
    )
    monkeypatch.delenv("EMBED_ALLOWED_ORIGINS")
    monkeypatch.setenv("PLATFORM_URL", "https://decidim.ville.fr/")
    assert build_config(str(tmp_path))["EMBED_ALLOWED_ORIGINS"] == ("https://decidim.ville.fr",)


def _cookie(response, name: str) -> str:
    return next(header for header in response.headers.getlist("Set-Cookie") if header.startswith(f"{name}="))


@pytest.mark.parametrize(("across_sites", "expected"), [("", "SameSite=Lax"), ("1", "Secure; HttpOnly; Path=/; SameSite=None")])
def test_embedding_across_sites_sends_the_session_cookies_as_third_party(
    database_url, celery_settings, monkeypatch, across_sites, expected
):
    """A platform on another site (not a sub-domain of the same one) needs SameSite=None, hence Secure."""
    monkeypatch.setenv("EMBED_ACROSS_SITES", across_sites)
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    app = make_test_app(database_url, celery_settings)
    participant = make_participant()
    response = login(app.test_client(), participant, remember=True)

    for name in ("session", "remember_token"):
        cookie = _cookie(response, name)
        assert expected in cookie, cookie
        assert ("Secure" in cookie) == bool(across_sites)
