"""The committee's summary page on a 360 px phone: the results per action (supports, opinions, grades) read one action
at a time, each figure after its column's name, instead of running past the right edge of the screen."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext

from pedt_participation.extensions import db
from pedt_participation.models import Opinion, ProfileListEntry, ProfileListKind, Role, Vote, VoteKind
from tests.e2e.conftest import PHONE, overflows_phone, save_screenshots, sign_in
from tests.helpers import build_summary_now, make_consultation, make_participant

TITLES = (
    "Ouvrir la médiathèque le dimanche après-midi pour les familles",
    "Un accompagnement aux devoirs gratuit dans chaque école élémentaire",
    "Des sorties nature pendant les vacances scolaires",
)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_results_per_action_fit_a_phone_without_sideways_scrolling(page, live_server, language):
    consultation = make_consultation(slug=f"avis-{language}", orientations=1, actions_per_orientation=3,
                                     opinion_enabled=True, majority_judgment_enabled=True, k_anonymity=2)
    actions = consultation.orientations[0].actions
    for action, title in zip(actions, TITLES, strict=True):
        action.title = title
    for index in range(9):
        person = make_participant()
        db.session.add_all(Vote(participant_id=person.id, action_id=action.id, kind=VoteKind.OPINION,
                                value=list(Opinion)[(index + position) % 3].value)
                           for position, action in enumerate(actions))
    summary = build_summary_now(consultation)
    sign_in(page, live_server, make_participant(role=Role.COMMITTEE))
    page.context.add_cookies([{"name": "langue", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/comite/syntheses/{summary.id}")

    save_screenshots(page, f"summary-opinions-{language}")
    assert overflows_phone(page) is None
    page.set_viewport_size(PHONE)
    with live_server.app.test_request_context(), force_locale(language):
        balance = gettext("Solde")
    # The opinions per action: the one table of the summary with a column of balances.
    opinions = page.locator("table", has=page.get_by_role("columnheader", name=balance, exact=True)).first
    width, shown_width = opinions.evaluate("table => [table.scrollWidth, table.clientWidth]")
    assert width <= shown_width, f"the table of opinions scrolls sideways: {width} px in {shown_width} px"
    scrolling = page.locator("section.orientation table").evaluate_all(
        "tables => tables.filter(t => t.scrollWidth > t.clientWidth).map(t => t.caption.textContent)")
    assert scrolling == []


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_an_action_too_small_to_detail_says_so_in_words(page, live_server, language):
    """An action with 7 supports (k = 5) has no breakdown by audience or by neighbourhood: one sentence says why,
    across the columns, where a row of « < 5 » would stand; it fits a phone."""
    consultation = make_consultation(slug=f"peu-{language}", orientations=1, actions_per_orientation=3, k_anonymity=5,
                                     opinion_enabled=True)
    actions = consultation.orientations[0].actions
    for action, title in zip(actions, TITLES, strict=True):
        action.title = title
    for entry, label in enumerate(("Bellevue", "Centre")):
        db.session.add(ProfileListEntry(consultation_id=consultation.id, kind=ProfileListKind.NEIGHBOURHOOD,
                                        position=entry, label=label))
    people = [make_participant(neighbourhood=("Bellevue", "Centre")[index % 2]) for index in range(24)]
    supporters = {actions[0]: people[:7], actions[1]: people[7:19], actions[2]: people[12:]}
    for action, persons in supporters.items():
        db.session.add_all(Vote(participant_id=person.id, action_id=action.id, kind=VoteKind.SUPPORT, value=1)
                           for person in persons)
    db.session.add_all(Vote(participant_id=person.id, action_id=actions[1 + index % 2].id, kind=VoteKind.OPINION,
                            value=list(Opinion)[index % 3].value) for index, person in enumerate(people))
    summary = build_summary_now(consultation)
    sign_in(page, live_server, make_participant(role=Role.COMMITTEE))
    page.context.add_cookies([{"name": "langue", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/comite/syntheses/{summary.id}")

    save_screenshots(page, f"summary-not-detailed-{language}")
    with live_server.app.test_request_context(), force_locale(language):
        not_detailed = gettext("Pas de détail : trop peu de soutiens pour le donner sans révéler un petit groupe.")
    assert page.get_by_text(not_detailed).count() == 2  # by audience and by neighbourhood
    assert overflows_phone(page) is None
