"""The answer to a vote is where the finger is: after pressing « Soutenir » deep in a long page, the message
(recorded, or refused and why) is on screen beside that action, on a phone and on a desktop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from pedt_participation.extensions import db
from pedt_participation.models import Grade, Vote, VoteKind
from pedt_participation.voting.services import cast_vote
from tests.e2e.conftest import DESKTOP, PHONE, fill_sign_in_form, sign_in
from tests.helpers import make_consultation, make_participant


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_a_refused_support_is_answered_inside_the_viewport(browser, live_server, viewport, javascript):
    consultation = make_consultation(vote_limit_per_orientation=2, actions_per_orientation=6, orientations=3)
    last_orientation = consultation.orientations[-1]
    first, second, *_rest, far_down = last_orientation.actions
    parent = make_participant()
    cast_vote(parent, first, VoteKind.SUPPORT, 1)
    cast_vote(parent, second, VoteKind.SUPPORT, 1)
    db.session.commit()

    context = browser.new_context(locale="fr-FR", viewport=viewport, java_script_enabled=javascript)
    context.set_default_timeout(5000)
    page = context.new_page()
    sign_in(page, live_server, parent)
    page.goto(f"{live_server.url}/consultations/{consultation.slug}")
    card = page.locator(f"#action-{far_down.id}")
    card.get_by_role("button", name="Soutenir").click()

    refusal = card.get_by_role("alert")
    expect(refusal).to_contain_text("Vous avez déjà donné vos 2 soutiens")
    expect(refusal).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0  # the reader kept their place down the page
    expect(page.locator(".flashes")).to_have_count(0)
    context.close()


def test_with_javascript_a_support_answers_in_place_without_reloading(page, live_server):
    consultation = make_consultation(vote_limit_per_orientation=2, actions_per_orientation=6, orientations=3)
    orientation = consultation.orientations[-1]
    action = orientation.actions[-1]
    parent = make_participant()
    sign_in(page, live_server, parent)
    page.goto(f"{live_server.url}/consultations/{consultation.slug}")
    page.evaluate("window.stillTheSamePage = true")
    card = page.locator(f"#action-{action.id}")

    card.get_by_role("button", name="Soutenir").click()

    expect(card.get_by_role("status")).to_have_text("Votre soutien est enregistré. Il vous reste 1 soutien pour cette orientation.")
    expect(card.get_by_role("button", name="Soutenir")).to_have_attribute("aria-pressed", "true")
    expect(card.get_by_role("button", name="Soutenir")).to_be_focused()
    expect(page.locator(f"#restants-{orientation.id}")).to_have_text("Il vous reste 1 soutien pour cette orientation.")
    expect(page.locator("[aria-live=polite]")).to_have_text("Votre soutien est enregistré. Il vous reste 1 soutien pour cette orientation.")
    assert page.evaluate("window.stillTheSamePage") is True, "the page was reloaded"

    # Pressed again: withdrawn, in place too.
    card.get_by_role("button", name="Soutenir").click()
    expect(card.get_by_role("status")).to_have_text("Votre soutien est retiré. Il vous reste 2 soutiens pour cette orientation.")
    expect(card.get_by_role("button", name="Soutenir")).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("window.stillTheSamePage") is True
    votes = db.session.scalars(select(Vote).where(Vote.participant_id == parent.id)).all()
    assert votes == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_a_grade_is_given_in_one_tap(page, live_server, viewport):
    action = make_consultation(majority_judgment_enabled=True).orientations[0].actions[0]
    parent = make_participant()
    page.set_viewport_size(viewport)
    sign_in(page, live_server, parent)
    page.goto(f"{live_server.url}/actions/{action.id}")

    page.get_by_role("group", name="Votre mention").get_by_role("button", name="Très bien").click()

    panel = page.locator("#vote")
    expect(panel.get_by_role("status")).to_have_text("Votre mention est enregistrée.")
    expect(panel.get_by_role("button", name="Très bien")).to_have_attribute("aria-pressed", "true")
    expect(panel.get_by_role("status")).to_be_in_viewport()
    grades = db.session.scalars(select(Vote.value).where(Vote.participant_id == parent.id, Vote.kind == VoteKind.GRADE)).all()
    assert grades == [int(Grade.TRES_BIEN)]


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_a_support_pressed_before_signing_in_is_recorded_after_it_beside_the_action(browser, live_server, javascript):
    consultation = make_consultation(vote_limit_per_orientation=2, actions_per_orientation=6, orientations=3)
    orientation = consultation.orientations[-1]
    far_down = orientation.actions[-1]
    parent = make_participant()
    context = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True, java_script_enabled=javascript)
    context.set_default_timeout(5000)
    page = context.new_page()
    page.goto(f"{live_server.url}/consultations/{consultation.slug}")

    page.locator(f"#action-{far_down.id}").get_by_role("button", name="Soutenir").click()
    expect(page.locator("#vote-en-attente")).to_contain_text(f"Votre soutien à « {far_down.title} » sera enregistré")
    fill_sign_in_form(page, parent)

    card = page.locator(f"#action-{far_down.id}")
    expect(card.get_by_role("status")).to_have_text("Votre soutien est enregistré. Il vous reste 1 soutien pour cette orientation.")
    expect(card.get_by_role("status")).to_be_in_viewport()
    expect(card.get_by_role("button", name="Soutenir")).to_have_attribute("aria-pressed", "true")
    supports = db.session.scalars(select(Vote.action_id).where(Vote.participant_id == parent.id)).all()
    assert supports == [far_down.id]
    context.close()


def test_a_grade_whose_background_sending_fails_is_sent_as_usual_with_the_grade(page, live_server):
    action = make_consultation(majority_judgment_enabled=True).orientations[0].actions[0]
    parent = make_participant()
    sign_in(page, live_server, parent)
    page.goto(f"{live_server.url}/actions/{action.id}")
    # The background sending is cut (a network that drops it); the browser's own sending goes through.
    page.route(
        "**/actions/**",
        lambda route: route.abort() if route.request.resource_type == "fetch" else route.continue_(),
    )

    page.get_by_role("group", name="Votre mention").get_by_role("button", name="Très bien").click()

    expect(page.get_by_text("Votre mention est enregistrée.")).to_be_visible()
    grades = db.session.scalars(select(Vote.value).where(Vote.participant_id == parent.id, Vote.kind == VoteKind.GRADE)).all()
    assert grades == [int(Grade.TRES_BIEN)]
