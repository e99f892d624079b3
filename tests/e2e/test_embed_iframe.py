"""A platform page on another origin frames a consultation: Chromium shows it, a signed-in participant
votes inside the frame, and a site not allowed gets nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from pedt_participation.extensions import db
from pedt_participation.models import Vote, VoteKind
from tests.e2e.conftest import fill_sign_in_form, sign_in
from tests.helpers import make_consultation, make_participant, wait_until


@pytest.fixture
def consultation(live_server, platform_site, monkeypatch):
    """A consultation whose embeds only the platform site may frame."""
    monkeypatch.setitem(live_server.app.config, "EMBED_ALLOWED_ORIGINS", (platform_site.origin,))
    return make_consultation(slug="pedt", vote_limit_per_orientation=2)


def _embed(page, live_server, site):
    page.goto(site.framing(f"{live_server.url}/embed/consultations/pedt"))
    return page.frame_locator("iframe")


def test_signed_in_participant_votes_inside_the_platform_frame(page, live_server, platform_site, consultation):
    action = consultation.orientations[0].actions[1]
    participant = make_participant()
    sign_in(page, live_server, participant)

    frame = _embed(page, live_server, platform_site)
    expect(frame.get_by_role("heading", name="Consultation pedt", level=1)).to_be_visible()
    expect(frame.get_by_role("link", name="Action 2.3")).to_be_visible()
    frame.get_by_role("button", name="Soutenir « Action 1.2 »").click()

    expect(frame.get_by_role("status")).to_have_text("Votre soutien est enregistré. Il vous reste 1 soutien pour cette orientation.")
    expect(frame.get_by_role("button", name="Soutenir « Action 1.2 »")).to_have_attribute("aria-pressed", "true")
    assert page.url.startswith(platform_site.origin)  # the vote happened inside the frame
    votes = wait_until(lambda: db.session.execute(select(Vote.action_id, Vote.kind).where(Vote.participant_id == participant.id)).all())
    assert votes == [(action.id, VoteKind.SUPPORT)]


def test_signing_in_from_the_frame_opens_a_tab_then_the_frame_shows_the_vote_buttons(
    page, live_server, platform_site, consultation
):
    participant = make_participant(display_name="Samia")
    frame = _embed(page, live_server, platform_site)

    with page.expect_popup() as opened:
        frame.get_by_role("link", name="Se connecter pour voter (nouvel onglet)").click()
    sign_in_tab = opened.value
    # Listening for the close before the form is sent: the tab can sign in, land and close while the click returns,
    # and a listener added after that waits for a close that has already happened.
    with sign_in_tab.expect_event("close"):
        fill_sign_in_form(sign_in_tab, participant)

    expect(frame.get_by_text("Connecté : Samia")).to_be_visible()
    expect(frame.get_by_role("button", name="Soutenir « Action 1.1 »")).to_be_visible()


def test_a_visitor_s_support_pressed_in_the_frame_is_cast_once_they_sign_in_in_the_new_tab(
    page, live_server, platform_site, consultation
):
    action = consultation.orientations[0].actions[1]
    participant = make_participant(display_name="Samia")
    frame = _embed(page, live_server, platform_site)

    with page.expect_popup() as opened:
        frame.get_by_role("button", name="Soutenir « Action 1.2 » (nouvel onglet)").click()
    sign_in_tab = opened.value
    expect(sign_in_tab.get_by_text("Action 1.2")).to_be_visible()  # the held vote, named beside the form
    with sign_in_tab.expect_event("close"):
        fill_sign_in_form(sign_in_tab, participant)

    expect(frame.get_by_text("Connecté : Samia")).to_be_visible()
    expect(frame.get_by_role("button", name="Soutenir « Action 1.2 »")).to_have_attribute("aria-pressed", "true")
    expect(frame.locator(f"#action-{action.id}").get_by_role("status")).to_contain_text("Votre soutien est enregistré.")
    votes = wait_until(lambda: db.session.execute(select(Vote.action_id, Vote.kind).where(Vote.participant_id == participant.id)).all())
    assert votes == [(action.id, VoteKind.SUPPORT)]


def test_a_site_not_allowed_cannot_frame_the_consultation(page, live_server, foreign_site, consultation):
    refusals = []
    page.on("console", lambda message: refusals.append(message.text) if "frame-ancestors" in message.text else None)

    _embed(page, live_server, foreign_site)
    page.wait_for_load_state("load")

    framed = page.frames[1]
    assert framed.url.startswith("chrome-error://"), framed.url
    assert "Consultation pedt" not in framed.content()
    assert refusals, "Chromium did not report the frame-ancestors refusal"
