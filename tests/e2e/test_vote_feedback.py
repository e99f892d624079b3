"""The answer to a vote is where the finger is: after pressing « Soutenir » deep in a long page, the message
(recorded, or refused and why) is on screen beside that action, on a phone and on a desktop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from pedt_participation.extensions import db
from pedt_participation.models import VoteKind
from pedt_participation.voting.services import cast_vote
from tests.e2e.conftest import DESKTOP, PHONE, sign_in
from tests.helpers import make_consultation, make_participant


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_a_refused_support_is_answered_inside_the_viewport(page, live_server, viewport):
    consultation = make_consultation(vote_limit_per_orientation=2, actions_per_orientation=6, orientations=3)
    last_orientation = consultation.orientations[-1]
    first, second, *_rest, far_down = last_orientation.actions
    parent = make_participant()
    cast_vote(parent, first, VoteKind.SUPPORT, 1)
    cast_vote(parent, second, VoteKind.SUPPORT, 1)
    db.session.commit()

    page.set_viewport_size(viewport)
    sign_in(page, live_server, parent)
    page.goto(f"{live_server.url}/consultations/{consultation.slug}")
    card = page.locator(f"#action-{far_down.id}")
    card.get_by_role("button", name="Soutenir").click()

    refusal = card.get_by_role("alert")
    expect(refusal).to_contain_text("Vous avez déjà donné vos 2 soutiens")
    expect(refusal).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0  # the reader kept their place down the page
    expect(page.locator(".flashes")).to_have_count(0)
