"""After the vote, in Chromium: the committee records a decision, publishes it after confirming, and a parent who
voted finds the notification and the decision beside the action."""

from __future__ import annotations

from playwright.sync_api import expect

from pedt_participation.extensions import db
from pedt_participation.models import Role, Vote, VoteKind
from tests.e2e.conftest import save_screenshots, sign_in
from tests.helpers import make_consultation, make_participant

EXPLANATION = "Retenue, le mercredi après-midi plutôt que le samedi matin."


def test_the_committee_publishes_a_decision_and_the_parent_who_voted_reads_it(page, live_server):
    consultation = make_consultation(slug="pedt", voting="past", proposals="past")
    action = consultation.orientations[0].actions[0]
    parent = make_participant(display_name="Amina")
    db.session.add(Vote(participant_id=parent.id, action_id=action.id, kind=VoteKind.SUPPORT, value=1))
    db.session.commit()

    sign_in(page, live_server, make_participant(role=Role.COMMITTEE, display_name="Comité"))
    page.get_by_role("link", name="Comité de pilotage").click()
    page.get_by_role("link", name="Consultation pedt").click()
    page.get_by_role("link", name="Décisions sur les actions").click()
    card = page.locator(f"#action-{action.id}")
    card.get_by_label("Décision").select_option(label="Retenue avec des modifications")
    card.get_by_label("Explication (lue par les participants)").fill(EXPLANATION)
    card.get_by_role("button", name="Enregistrer « Action 1.1 »").click()
    expect(page.locator(".flash")).to_contain_text("Décision enregistrée pour « Action 1.1 ».")

    page.get_by_role("link", name="Publier les décisions").click()
    expect(page.get_by_text("Action 1.1 : Retenue avec des modifications")).to_be_visible()
    expect(page.get_by_text("1 personne qui a proposé, voté ou commenté ces actions recevra une notification")).to_be_visible()
    page.get_by_role("button", name="Oui, publier les décisions").click()
    page.wait_for_url(f"{live_server.url}/consultations/pedt/resultats")
    expect(page.get_by_role("heading", name="Décision : Retenue avec des modifications")).to_be_visible()
    page.get_by_role("button", name="Se déconnecter").click()

    sign_in(page, live_server, parent)
    page.get_by_role("link", name="Notifications").click()
    page.get_by_role("link", name="Les décisions de la consultation « Consultation pedt » sont publiées").click()
    page.wait_for_url(f"{live_server.url}/consultations/pedt/resultats")
    expect(page.get_by_text(EXPLANATION)).to_be_visible()
    save_screenshots(page, "decisions-results-parent")
    page.get_by_role("link", name="Action 1.1").click()
    expect(page.get_by_role("heading", name="Décision : Retenue avec des modifications")).to_be_visible()
    expect(page.get_by_text(EXPLANATION)).to_be_visible()
