"""Colours as the browser computes them, for the states a page shows only to someone who acted: every pressed
button (support, opinion and grade on the action page and on the card, « Utile », « Pas d'accord », « Écouter »),
every badge (unread notifications in the menu and its phone button, « Nouveau », « Proposée par un participant »,
the staff's) and the current choice of a list (order, language). axe's audit sees a page in one state; these states
need a reader too."""

from __future__ import annotations

import pytest

from pedt_participation.comments.services import add_comment, rate_comment
from pedt_participation.extensions import db
from pedt_participation.models import ActionOrigin, Alignment, Grade, VoteKind
from pedt_participation.notifications.services import notify
from pedt_participation.voting.services import cast_vote
from tests.e2e.conftest import PHONE, sign_in
from tests.helpers import make_consultation, make_moderator, make_participant

# What each state is, by the selector that finds it: each must be seen at least once.
STATES = {
    "support pressed": '[id^="soutien-"][aria-pressed="true"]',
    "opinion pressed": '[id^="avis-"][aria-pressed="true"]',
    "grade pressed": '[id^="mention-"][aria-pressed="true"]',
    "comment rating pressed": '.button-small[aria-pressed="true"]',
    "listen pressed": '[data-listen][aria-pressed="true"]',
    "badge": ".badge:not(.badge-team)",
    "staff badge": ".badge-team",
    "current choice": "[aria-current]",
}

# WCAG 2.1 contrast of each element's text against the first opaque background behind it.
CONTRASTS = """(states) => {
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
  return Object.entries(states).flatMap(([state, selector]) => [...document.querySelectorAll(selector)]
    .filter((element) => element.getClientRects().length > 0)
    .map((element) => {
      const [a, b] = [luminance(channels(getComputedStyle(element).color)), luminance(background(element))];
      return {state, what: element.textContent.trim().replace(/\\s+/g, ' '),
              ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)};
    }));
}"""

# The browser's speech synthesis, recorded instead of spoken (a headless browser has no voice).
SILENT_SPEECH = "window.speechSynthesis.speak = () => {}; window.speechSynthesis.cancel = () => {};"


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_pressed_button_badge_and_current_choice_is_readable(page, live_server, language):
    consultation = make_consultation(opinion_enabled=True, majority_judgment_enabled=True, slug="contraste")
    action = consultation.orientations[0].actions[0]
    action.origin = ActionOrigin.PARTICIPANT
    parent, other = make_participant(), make_participant(display_name="Nadia")
    useful = add_comment(other, action, "Une bonne idée pour le quartier.", Alignment.POUR)
    disputed = add_comment(other, action, "Trop cher pour la ville.", Alignment.CONTRE)
    add_comment(make_moderator(consultation), action, "Merci, nous transmettons au comité.")
    rate_comment(parent, useful, 1)
    rate_comment(parent, disputed, -1)
    cast_vote(parent, action, VoteKind.SUPPORT, 1)
    cast_vote(parent, action, VoteKind.OPINION, 1)
    cast_vote(parent, action, VoteKind.GRADE, int(Grade.TRES_BIEN))
    notify(parent, "Votre proposition a reçu une réponse.")
    db.session.commit()

    page.add_init_script(SILENT_SPEECH)
    sign_in(page, live_server, parent)
    page.context.add_cookies([{"name": "langue", "value": language, "url": live_server.url}])
    found = []
    page.goto(f"{live_server.url}/actions/{action.id}")
    page.locator("button[data-listen]").click()
    found += page.evaluate(CONTRASTS, STATES)
    page.goto(f"{live_server.url}/consultations/{consultation.slug}")
    found += page.evaluate(CONTRASTS, STATES)
    page.goto(f"{live_server.url}/notifications")
    found += page.evaluate(CONTRASTS, STATES)
    page.set_viewport_size(PHONE)  # the « Menu » button and its unread count
    found += page.evaluate(CONTRASTS, STATES)

    assert {state["state"] for state in found} == set(STATES), found
    assert [state for state in found if state["ratio"] < 4.5] == [], found
