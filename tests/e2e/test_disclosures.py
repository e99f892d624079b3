"""Every « open for more » control (Refuser, Regrouper, Répondre, Signaler, Supprimer…) shows the triangle that
says it opens, and is a target a thumb can hit, on the participant's and the moderator's pages."""

from __future__ import annotations

import pytest

from pedt_participation.comments.services import add_comment
from pedt_participation.consultations.services import propose_action
from pedt_participation.extensions import db
from tests.e2e.conftest import PHONE, sign_in
from tests.helpers import make_consultation, make_moderator, make_participant

DISCLOSURES = """() => [...document.querySelectorAll('main summary, #contenu summary')].map((summary) => ({
  what: summary.textContent.trim().replace(/\\s+/g, ' '),
  display: getComputedStyle(summary).display,
  height: summary.getBoundingClientRect().height,
}))"""


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_disclosures_look_openable_and_are_big_enough(page, live_server, language):
    consultation = make_consultation(slug="pedt")
    orientation = consultation.orientations[0]
    action = orientation.actions[0]
    author, reader = make_participant(display_name="Nadia"), make_participant()
    propose_action(author, orientation, "Un atelier cuisine", "Chaque mercredi au centre social.")
    add_comment(reader, action, "Mon commentaire.")
    add_comment(author, action, "Un autre avis.", parent_id=None)
    db.session.commit()
    moderator = make_moderator(consultation)
    page.set_viewport_size(PHONE)

    found = []
    for person, path in ((reader, f"/actions/{action.id}"), (moderator, "/moderation/pedt/proposals")):
        page.context.clear_cookies()
        sign_in(page, live_server, person)
        page.context.add_cookies([{"name": "langue", "value": language, "url": live_server.url}])
        page.goto(live_server.url + path)
        found += page.evaluate(DISCLOSURES)

    assert len(found) >= 5, found  # Répondre, Signaler, « Supprimer » on her own comment; Refuser, Regrouper
    assert [d for d in found if d["display"] != "list-item" or d["height"] < 44] == [], found
