"""The plain-language help page and the accessibility statement: public, linked from every page's footer."""

from __future__ import annotations

from tests.helpers import login, make_consultation, make_participant, page_text


def test_how_it_works_explains_each_vote_and_what_becomes_of_it(client):
    response = client.get("/comment-ca-marche")

    text = page_text(response)
    assert response.status_code == 200
    assert "Vous dites : « cette action est importante pour moi »" in text
    assert "Vous dites si vous êtes pour l’action, contre, ou entre les deux" in text
    assert "Vous donnez une note à l’action, comme à l’école" in text
    assert "La page vous dit combien de soutiens il vous reste" in text
    assert "Vous pouvez le changer ou le retirer jusqu’à la date de fin du vote" in text
    assert "Personne ne voit pour qui vous avez voté" in text
    assert "Le comité de pilotage reçoit une synthèse" in text


def test_accessibility_statement_gives_the_status_the_contact_and_the_recourse(client, app, monkeypatch):
    text = page_text(client.get("/accessibilite"))
    assert "Ce site est partiellement conforme au RGAA 4.1" in text
    assert "avec un zoom à 200 % : rien ne dépasse" in text
    assert "Adressez-vous à l’accueil de la mairie" in text
    assert "Défenseur des droits" in text and "09 69 39 00 00" in text

    monkeypatch.setitem(app.config, "ACCESSIBILITY_CONTACT", "accessibilite@ville.fr")
    html = client.get("/accessibilite").get_data(as_text=True)
    assert 'href="mailto:accessibilite@ville.fr"' in html


def test_every_page_links_to_the_help_and_the_statement(client):
    consultation = make_consultation(slug="pedt")
    login(client, make_participant())
    for url in ("/", "/consultations/pedt", f"/actions/{consultation.orientations[0].actions[0].id}", "/notifications/"):
        html = client.get(url).get_data(as_text=True)
        assert 'href="/accessibilite">Accessibilité : partiellement conforme</a>' in html, url
        assert 'href="/comment-ca-marche">Comment ça marche ?</a>' in html, url
    assert 'href="/accessibilite" target="_blank">' in client.get("/embed/consultations/pedt").get_data(as_text=True)


def test_vote_controls_say_what_happens_to_a_vote(client):
    consultation = make_consultation(slug="pedt", vote_limit_per_orientation=2)
    login(client, make_participant())

    text = page_text(client.get(f"/actions/{consultation.orientations[0].actions[0].id}"))

    assert "Il vous reste 2 soutiens pour cette orientation." in text
    assert "Votre vote est compté tout de suite." in text
    assert "Vous pouvez le changer ou le retirer jusqu’au" in text
    assert "Votre nom n’est jamais affiché à côté de votre vote." in text


def test_the_site_has_an_icon_so_browsers_get_no_404(client):
    consultation = make_consultation(slug="pedt")
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.mimetype == "image/svg+xml"
    for url in ("/", "/consultations/pedt", f"/actions/{consultation.orientations[0].actions[0].id}", "/api/v1/docs/"):
        html = client.get(url).get_data(as_text=True)
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html, url
