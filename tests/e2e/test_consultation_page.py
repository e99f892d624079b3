"""The consultation page on a phone: each orientation reads in about one screen of compact cards without a wall of
zeros, a jump list between orientations stays at hand, and French cards align as one block in an Arabic page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from pedt_participation.extensions import db
from pedt_participation.models import VoteKind
from pedt_participation.voting.services import cast_vote
from tests.e2e.conftest import PHONE, overflows_phone, save_screenshots, sign_in
from tests.helpers import make_consultation, make_participant


def _consultation_with_a_few_votes():
    consultation = make_consultation(
        orientations=4, actions_per_orientation=6, vote_limit_per_orientation=2, opinion_enabled=True,
        majority_judgment_enabled=True,
    )
    voter = make_participant()
    first_actions = consultation.orientations[0].actions
    cast_vote(voter, first_actions[0], VoteKind.SUPPORT, 1)
    cast_vote(voter, first_actions[1], VoteKind.OPINION, 1)
    db.session.commit()
    return consultation


def test_an_orientation_of_six_actions_reads_in_about_one_phone_screen(page, live_server):
    """Measured at 360 px with six actions per orientation: 1,407 px per orientation before the compact cards
    (four lines of figures per action, most of them « 0 »), 835 px with them."""
    consultation = _consultation_with_a_few_votes()
    sign_in(page, live_server, make_participant())
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/consultations/{consultation.slug}")

    heights = page.locator("section.orientation").evaluate_all("sections => sections.map(s => s.offsetHeight)")
    assert len(heights) == 4 and max(heights) < 900, heights
    texts = page.locator("section.orientation").all_inner_texts()
    zeros = [line for text in texts for line in text.splitlines() if re.search(r"(^|\D)0(\D|$)", line)]
    assert zeros == []
    first_card = page.locator(".action").first
    expect(first_card.locator(".action-summary")).to_have_count(1)
    save_screenshots(page, "consultation-compact-fr")


def test_the_jump_list_stays_on_screen_and_takes_the_keyboard_to_an_orientation(page, live_server):
    consultation = _consultation_with_a_few_votes()
    last = consultation.orientations[-1]
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/consultations/{consultation.slug}")
    jump_list = page.get_by_role("navigation", name="Aller à une orientation")

    page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
    expect(jump_list).to_be_in_viewport()
    link = jump_list.get_by_role("link", name=re.compile("^Orientation 4 : "))
    link.focus()
    page.keyboard.press("Enter")

    heading = page.locator(f"#orientation-{last.id}")
    expect(heading).to_be_in_viewport()
    jump_list_bottom = jump_list.evaluate("e => e.getBoundingClientRect().bottom")
    assert heading.evaluate("e => e.getBoundingClientRect().top") >= jump_list_bottom  # not hidden under it


@pytest.mark.parametrize("language, side", [("fr", "left"), ("ar", "right")])
def test_a_cards_french_title_and_description_start_on_the_same_side(page, live_server, language, side):
    consultation = _consultation_with_a_few_votes()
    page.context.add_cookies([{"name": "langue", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/consultations/{consultation.slug}")
    card = page.locator(".action").first
    text_edges = """e => { const range = document.createRange(); range.selectNodeContents(e);
        const text = range.getBoundingClientRect(), box = e.getBoundingClientRect();
        return {left: text.left - box.left, right: box.right - text.right}; }"""

    title = card.locator(".action-title").evaluate(text_edges)
    description = card.locator(".action-summary").evaluate(text_edges)

    assert title[side] == pytest.approx(0, abs=1) and description[side] == pytest.approx(0, abs=1), (title, description)
    save_screenshots(page, f"consultation-compact-{language}")


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_jump_list_scrolls_within_itself_and_never_widens_the_phone_page(page, live_server, language):
    """Its links' text for screen readers is positioned out of sight: the list must hold it, or an Arabic page
    (which overflows to the left) opens scrolled sideways onto an empty screen."""
    consultation = _consultation_with_a_few_votes()
    page.context.add_cookies([{"name": "langue", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/consultations/{consultation.slug}")
    assert overflows_phone(page) is None
