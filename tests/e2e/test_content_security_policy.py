"""The main pages in Chromium under the site's Content Security Policy: no violation reported (console or
`securitypolicyviolation` event), and their scripts still work (vote buttons, the summary's progress, Swagger UI)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from pedt_participation.committee.services import queue_summary, set_progress
from pedt_participation.extensions import db
from pedt_participation.models import Role
from tests.e2e.conftest import sign_in
from tests.helpers import make_consultation, make_participant

# Collects the violations the browser reports to the page, from before any of its scripts runs.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def watched_page(page: Page):
    """The page, failing the test at the end if the CSP blocked anything on any page it loaded."""
    reported: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda message: reported.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.on("load", lambda loaded: reported.extend(loaded.evaluate("window.cspViolations || []")))
    yield page
    reported.extend(page.evaluate("window.cspViolations || []"))
    assert not reported, "\n".join(reported)


def test_public_pages_and_the_embed_load_without_a_violation(watched_page, live_server):
    consultation = make_consultation(slug="pedt")
    action = consultation.orientations[0].actions[0]
    sign_in(watched_page, live_server, make_participant())
    for path in ("/", "/consultations/pedt", "/embed/consultations/pedt", f"/embed/actions/{action.id}"):
        watched_page.goto(live_server.url + path)
        expect(watched_page.get_by_role("heading", level=1)).to_be_visible()

    watched_page.goto(f"{live_server.url}/actions/{action.id}")
    watched_page.get_by_role("button", name="Soutenir « Action 1.1 »").click()
    expect(watched_page.get_by_role("button", name="Soutenir « Action 1.1 »")).to_have_attribute("aria-pressed", "true")


def test_the_summary_page_follows_the_build_without_a_violation(watched_page, live_server):
    summary = queue_summary(make_consultation(slug="pedt"))
    db.session.commit()
    sign_in(watched_page, live_server, make_participant(role=Role.COMMITTEE))
    watched_page.goto(f"{live_server.url}/comite/syntheses/{summary.id}")

    set_progress(summary.id, 40)
    db.session.commit()
    expect(watched_page.locator("#summary-status-text")).to_contain_text("40 %", timeout=10_000)


def test_swagger_ui_shows_the_operations_without_a_violation(watched_page, live_server):
    watched_page.goto(f"{live_server.url}/api/v1/docs/")
    expect(watched_page.locator(".opblock").first).to_be_visible(timeout=10_000)
    expect(watched_page.get_by_text("/consultations/{slug}/summaries").first).to_be_visible()
