"""Every page, as an anonymous visitor and as a signed-in participant."""

from __future__ import annotations

import re
from datetime import timedelta

from pedt_participation.extensions import db
from pedt_participation.models import Action, ActionState, ConsultationStatus, VoteKind, utcnow
from pedt_participation.voting.services import cast_vote
from tests.helpers import login, make_consultation, make_participant, page_text


def test_home_lists_open_and_closed_consultations_but_not_drafts(client):
    make_consultation(slug="ouverte")
    make_consultation(slug="terminee", status=ConsultationStatus.CLOSED, voting="past", proposals="past")
    make_consultation(slug="brouillon", status=ConsultationStatus.DRAFT)

    text = page_text(client.get("/"))

    assert "Consultations ouvertes" in text
    assert "Consultation ouverte" in text
    assert "Consultations terminées" in text and "Consultation terminee" in text
    assert "brouillon" not in text


def test_home_invites_with_days_left_people_who_took_part_and_one_participer_button(client):
    consultation = make_consultation(slug="ouverte")
    consultation.voting_close_at = utcnow() + timedelta(days=4, hours=2)
    for voter in (make_participant(), make_participant()):
        cast_vote(voter, consultation.orientations[0].actions[0], VoteKind.SUPPORT, 1)
    db.session.commit()

    response = client.get("/")
    text = page_text(response)

    assert "Qui décide ? Le comité de pilotage du projet éducatif" in text
    assert "Plus que 5 jours pour voter" in text
    assert "2 personnes ont déjà voté" in text
    # With one consultation open, the big button leads straight to it.
    assert re.search(r'class="button button-large" href="/consultations/ouverte">Participer</a>', response.get_data(as_text=True))


def test_home_says_when_nothing_is_open(client):
    assert "Aucune consultation n’est ouverte en ce moment" in page_text(client.get("/"))


def test_consultation_page_shows_orientations_actions_and_counts(client):
    make_consultation(slug="demo", orientations=2, actions_per_orientation=2, vote_limit_per_orientation=2)

    response = client.get("/consultations/demo")

    text = page_text(response)
    assert response.status_code == 200
    assert "Orientation 1 : Orientation numéro 1" in text
    assert "Orientation 2 : Orientation numéro 2" in text
    assert "Action 1.1" in text and "Action 2.2" in text
    assert "Pas encore de vote" in text and "0 soutien" not in text
    assert "jusqu’à 2 soutiens par orientation" in text
    assert "Soutenir « Action 1.1 »" in text
    assert "Appuyez sur « Soutenir » : on vous demande ensuite de vous connecter" in text


def test_signed_in_participant_sees_support_buttons_and_remaining_supports(client):
    make_consultation(slug="demo", vote_limit_per_orientation=3)
    login(client, make_participant())

    text = page_text(client.get("/consultations/demo"))

    assert "Il vous reste 3 soutiens pour cette orientation." in text
    assert "Soutenir « Action 1.1 »" in text


def test_draft_consultation_is_not_found(client):
    make_consultation(slug="brouillon", status=ConsultationStatus.DRAFT)
    response = client.get("/consultations/brouillon")
    assert response.status_code == 404
    assert "Page introuvable" in page_text(response)


def test_action_page_for_anonymous_and_participant(client):
    consultation = make_consultation(majority_judgment_enabled=True)
    action = consultation.orientations[0].actions[0]

    anonymous = page_text(client.get(f"/actions/{action.id}"))
    assert "Action 1.1" in anonymous and "Description de l’action 1.1" in anonymous
    for control in ("Soutenir", "Pour", "Contre", "Excellent"):
        assert control in anonymous
    assert "on vous demande ensuite de vous connecter ou de créer un compte" in anonymous
    assert "0 commentaire" in anonymous

    login(client, make_participant())
    signed_in = page_text(client.get(f"/actions/{action.id}"))
    for control in ("Soutenir", "Pour", "Mitigé", "Contre", "Excellent", "À rejeter"):
        assert control in signed_in
    assert "Publier mon commentaire" in signed_in


def test_pending_proposal_is_visible_to_its_author_only(client):
    consultation = make_consultation()
    author = make_participant()
    login(client, author)
    response = client.post(
        f"/consultations/{consultation.slug}/propose",
        data={"orientation_id": consultation.orientations[1].id, "title": "Ouvrir la bibliothèque le samedi", "body": "Pour les familles."},
    )
    assert response.status_code == 303
    proposal = db.session.scalar(db.select(Action).filter_by(title="Ouvrir la bibliothèque le samedi"))
    assert proposal.state == ActionState.PENDING and proposal.orientation_id == consultation.orientations[1].id

    author_view = page_text(client.get(response.headers["Location"]))
    assert "En attente de relecture" in author_view

    client.post("/auth/logout")
    assert client.get(f"/actions/{proposal.id}").status_code == 404
    assert "Ouvrir la bibliothèque le samedi" not in page_text(client.get(f"/consultations/{consultation.slug}"))


def test_proposal_form_keeps_text_and_explains_errors(client):
    consultation = make_consultation()
    login(client, make_participant())
    response = client.post(
        f"/consultations/{consultation.slug}/propose",
        data={"orientation_id": consultation.orientations[0].id, "title": "Oui", "body": "Mon idée détaillée"},
    )
    text = page_text(response)
    assert response.status_code == 422
    assert "Il y a un problème" in text and "Entre 5 et 200 caractères." in text
    assert "Mon idée détaillée" in response.get_data(as_text=True)


def test_proposals_refused_when_phase_closed(client):
    consultation = make_consultation(proposals="past")
    login(client, make_participant())
    response = client.post(
        f"/consultations/{consultation.slug}/propose",
        data={"orientation_id": consultation.orientations[0].id, "title": "Une idée tardive mais bonne"},
    )
    assert response.status_code == 422
    assert "Les propositions sont closes depuis le" in page_text(response)
    assert "Une idée tardive mais bonne" in response.get_data(as_text=True)


def test_proposing_requires_login(client):
    make_consultation(slug="demo")
    response = client.get("/consultations/demo/propose")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_every_page_answers_for_anonymous_and_signed_in_visitors(client):
    consultation = make_consultation(slug="demo")
    action = consultation.orientations[0].actions[0]
    pages = {
        "/": "Consultations ouvertes",
        "/consultations/demo": "Orientation 1",
        f"/actions/{action.id}": "Action 1.1",
        "/auth/login": "Se connecter",
        "/auth/register": "Créer un compte",
    }
    for path, expected in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert expected in page_text(response), path
        assert 'lang="fr"' in response.get_data(as_text=True)
    assert client.get("/consultations/demo/propose").status_code == 302

    login(client, make_participant(display_name="Inès"))
    for path in pages:
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        assert "Connecté : Inès" in page_text(response), path
    assert "Proposer une action" in page_text(client.get("/consultations/demo/propose"))


def test_a_card_carries_the_start_of_a_long_description_and_the_action_page_all_of_it(client):
    """A card shows one line of the description: the consultation page sends that line's worth, not the whole text
    (the demo's PEDT page sent 12 KB of descriptions, most of them never shown)."""
    consultation = make_consultation(slug="demo")
    action = consultation.orientations[0].actions[0]
    action.body = "Effets attendus : " + "des activités nouvelles pour tous les enfants du quartier, " * 8 + "et leurs familles."
    db.session.commit()

    html = client.get("/consultations/demo").get_data(as_text=True)
    summary = re.search(rf'<li class="action" id="action-{action.id}".*?<p class="action-summary"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert summary.startswith("Effets attendus : des activités nouvelles") and summary.endswith("…")
    assert len(summary) <= 121
    assert "et leurs familles." in page_text(client.get(f"/actions/{action.id}"))
