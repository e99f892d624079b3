"""The count of supports left in an orientation stays in sight while the reader goes down its cards, on a phone
and on a desktop, under the jump list and over no card's button."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, sign_in
from tests.helpers import make_consultation, make_participant

# The element at the middle of the button: the button itself (or its text) when nothing covers it.
UNCOVERED = """button => { const box = button.getBoundingClientRect();
    const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return button.contains(top); }"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_the_supports_left_stay_in_sight_down_the_orientation(page, live_server, viewport):
    consultation = make_consultation(vote_limit_per_orientation=2, actions_per_orientation=8, orientations=2)
    first_orientation = consultation.orientations[0]
    last_card = first_orientation.actions[-1]
    page.set_viewport_size(viewport)
    sign_in(page, live_server, make_participant())
    page.goto(f"{live_server.url}/consultations/{consultation.slug}")
    counter = page.locator(f"#restants-{first_orientation.id}")
    card = page.locator(f"#action-{last_card.id}")

    card.evaluate("e => e.scrollIntoView({block: 'start'})")  # the orientation's first cards above the screen
    card.get_by_role("button", name="Soutenir").click()

    expect(card.get_by_role("button", name="Soutenir")).to_have_attribute("aria-pressed", "true")
    expect(counter).to_have_text("Il vous reste 1 soutien pour cette orientation.")
    expect(counter).to_be_in_viewport()
    jump_list_bottom = page.get_by_role("navigation", name="Aller à une orientation").evaluate(
        "e => e.getBoundingClientRect().bottom")
    assert counter.evaluate("e => e.getBoundingClientRect().top") >= jump_list_bottom - 1  # not under it
    # Further down, in the next orientation, its own count takes the place.
    next_card = page.locator(f"#action-{consultation.orientations[1].actions[-1].id}")
    next_card.evaluate("e => e.scrollIntoView({block: 'start'})")
    expect(page.locator(f"#restants-{consultation.orientations[1].id}")).to_be_in_viewport()
    expect(counter).not_to_be_in_viewport()
    assert next_card.get_by_role("button", name="Soutenir").evaluate(UNCOVERED)
