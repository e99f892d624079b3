"""Colours as the browser computes them, for the states a page shows only to someone who acted: a pressed
button and the unread-notification badge. axe's audit sees a page in one state; these states need a reader too."""

from __future__ import annotations

import pytest

from pedt_participation.comments.services import add_comment, rate_comment
from pedt_participation.extensions import db
from pedt_participation.models import Alignment, VoteKind
from pedt_participation.notifications.services import notify
from pedt_participation.voting.services import cast_vote
from tests.e2e.conftest import sign_in
from tests.helpers import make_consultation, make_participant

# WCAG 2.1 contrast of the element's text against the first opaque background behind it.
CONTRASTS = """() => {
  const channels = (colour) => colour.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const linear = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  };
  const background = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const c = channels(getComputedStyle(e).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll('[aria-pressed="true"], .badge')].map((element) => {
    const [a, b] = [luminance(channels(getComputedStyle(element).color)), luminance(background(element))];
    return {what: element.textContent.trim().replace(/\\s+/g, ' '), ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)};
  });
}"""


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_pressed_buttons_and_the_unread_badge_are_readable(page, live_server, language):
    consultation = make_consultation(opinion_enabled=True)
    action = consultation.orientations[0].actions[0]
    parent, other = make_participant(), make_participant(display_name="Nadia")
    comment = add_comment(other, action, "Une bonne idée pour le quartier.", Alignment.POUR)
    rate_comment(parent, comment, 1)
    cast_vote(parent, action, VoteKind.SUPPORT, 1)
    cast_vote(parent, action, VoteKind.OPINION, 1)
    notify(parent, "Votre proposition a reçu une réponse.")
    db.session.commit()

    sign_in(page, live_server, parent)
    page.context.add_cookies([{"name": "langue", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/actions/{action.id}")
    states = page.evaluate(CONTRASTS)

    assert len(states) >= 4, states  # support, opinion, "Utile", badge
    assert [s for s in states if s["ratio"] < 4.5] == [], states
