"""An action's page shows where things stand in pictures with words: the opinion split as a bar and the merit
profile of the grades (best grade first, the majority grade named and marked at the middle), once the consultation
shows figures; while they are hidden, neither bar nor figure."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from pedt_participation.extensions import db
from pedt_participation.models import Grade, Opinion, VoteKind
from pedt_participation.voting.services import cast_vote
from tests.e2e.conftest import save_screenshots
from tests.helpers import make_consultation, make_participant

GRADES_GIVEN = [Grade.EXCELLENT, Grade.BIEN, Grade.BIEN, Grade.PASSABLE, Grade.A_REJETER]


def _voted_action(**settings):
    consultation = make_consultation(opinion_enabled=True, majority_judgment_enabled=True, **settings)
    action = consultation.orientations[0].actions[0]
    for grade, opinion in zip(GRADES_GIVEN, [Opinion.POUR, Opinion.POUR, Opinion.POUR, Opinion.MITIGE, Opinion.CONTRE], strict=True):
        voter = make_participant()
        cast_vote(voter, action, VoteKind.GRADE, grade.value)
        cast_vote(voter, action, VoteKind.OPINION, opinion.value)
    db.session.commit()
    return action


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_opinion_split_and_the_merit_profile_are_drawn_with_their_figures(page, live_server, language):
    action = _voted_action()
    page.context.add_cookies([{"name": "langue", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/actions/{action.id}")
    results = page.locator("#resultats")

    opinion_parts = results.locator(".opinion-split svg rect").evaluate_all(
        "rects => rects.map(r => [r.getAttribute('class'), r.getBoundingClientRect().width])"
    )
    assert [kind for kind, _width in opinion_parts] == ["bar-pour", "bar-mitige", "bar-contre"]
    assert opinion_parts[0][1] == pytest.approx(3 * opinion_parts[1][1], rel=0.02)
    profile = results.locator(".merit-profile svg rect").evaluate_all("rects => rects.map(r => r.getAttribute('class'))")
    assert profile == ["bar-grade-6", "bar-grade-4", "bar-grade-2", "bar-grade-0"]  # best first, zeros left out
    # The best grade starts the bar on the side the page reads from.
    best_edge = results.locator(".merit-profile svg").evaluate("""svg => {
        const bar = svg.getBoundingClientRect(), best = svg.querySelector('rect').getBoundingClientRect();
        return {left: best.left - bar.left, right: bar.right - best.right}; }""")
    assert best_edge["right" if language == "ar" else "left"] == pytest.approx(0, abs=1), best_edge
    if language == "fr":
        expect(results.locator(".opinion-split")).to_contain_text("Avis : 3 pour, 1 mitigé, 1 contre")
        expect(results.locator(".merit-profile")).to_contain_text("5 mentions données · mention majoritaire : « Bien »")
        expect(results.locator(".legend .majority")).to_have_text("Bien : 2")
    expect(results.locator("svg").first).to_have_attribute("aria-hidden", "true")
    save_screenshots(page, f"action-figures-{language}")


def test_no_bar_while_figures_are_hidden_during_the_vote(page, live_server):
    action = _voted_action(figures_during_vote=False)
    page.goto(f"{live_server.url}/actions/{action.id}")
    expect(page.locator("#resultats")).to_contain_text("Les résultats seront affichés à la fermeture du vote.")
    expect(page.locator("#resultats svg")).to_have_count(0)
    expect(page.locator("#resultats")).not_to_contain_text("mention majoritaire")
