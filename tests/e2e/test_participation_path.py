"""Issue 18, measured: what a parent's usual visit costs on a phone — the taps (clicks or keys that submit or
navigate), the page loads, and the bytes each page of the path weighs, with the other pages issue 18 names (an
action, registration, sign-in, the moderation queue, and the demo's largest consultation as `make run` shows it). The visit: from the home page, sign in, support two actions
of one orientation, give one opinion and one grade. The figures are printed at the end of the run (tests/conftest.py's
`pytest_terminal_summary`), so that CI's log shows them."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, Locator, Page, Request, expect
from sqlalchemy import select

from pedt_participation.consultations.services import propose_action
from pedt_participation.demo.services import seed_demo, simulate
from pedt_participation.extensions import db
from pedt_participation.models import Vote, VoteKind
from tests.e2e.conftest import PHONE, LiveServer, sign_in
from tests.helpers import TEST_PASSWORD, make_consultation, make_moderator, make_participant

# Main's figures for this path with JavaScript off (see the first test's docstring); issue 18 asks for half.
TAPS_ON_MAIN = 8
PAGE_LOADS_ON_MAIN = 9
MAXIMUM_PAGE_BYTES = 150 * 1024
# As `make run` loads the demo (Makefile: SIMULATED_PARTICIPANTS).
SIMULATED_PARTICIPANTS = 300


@dataclass
class Visit:
    """What the visitor did: taps counted by `tap`, page loads (main-frame documents) by the page's events,
    and the address of each page loaded."""

    page: Page
    taps: int = 0
    pages: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("load", lambda page: self.pages.append(page.url))

    def tap(self, target: Locator) -> None:
        self.taps += 1
        target.click()


def walk_the_usual_path(visit: Visit, live_server: LiveServer, email: str) -> None:
    """Home page, « Participer », « Soutenir » on action 1.1 while signed out (the sign-in form opens over the
    consultation page; signing in records that support), « Soutenir » on action 1.2, then on action 1.1's card
    the opinion « Pour » and the grade « Très bien »."""
    page = visit.page
    page.goto(f"{live_server.url}/")
    # The consultation page loaded, its scripts with it, as a parent sees it before tapping: a tap before they ran
    # sends the form as a page, which is not the path measured here.
    with page.expect_navigation(wait_until="load"):
        visit.tap(page.get_by_role("link", name="Participer", exact=True))
    visit.tap(page.get_by_role("button", name="Soutenir « Action 1.1 »"))
    sign_in = page.get_by_role("dialog", name="Se connecter")
    sign_in.get_by_label("Adresse e-mail").fill(email)
    sign_in.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    visit.tap(sign_in.get_by_role("button", name="Se connecter"))
    expect(page.get_by_role("button", name="Soutenir « Action 1.1 »")).to_have_attribute("aria-pressed", "true")
    visit.tap(page.get_by_role("button", name="Soutenir « Action 1.2 »"))
    expect(page.get_by_role("button", name="Soutenir « Action 1.2 »")).to_have_attribute("aria-pressed", "true")
    visit.tap(page.get_by_role("button", name="Pour (avis sur « Action 1.1 »)"))
    expect(page.get_by_role("button", name="Pour (avis sur « Action 1.1 »)")).to_have_attribute("aria-pressed", "true")
    visit.tap(page.get_by_role("button", name="Très bien (mention pour « Action 1.1 »)"))
    expect(page.get_by_role("button", name="Très bien (mention pour « Action 1.1 »)")).to_have_attribute("aria-pressed", "true")


def _bytes_transferred(request: Request) -> int:
    sizes = request.sizes()
    return sizes["responseHeadersSize"] + sizes["responseBodySize"]


def page_weight(browser: Browser, address: str, cookies: dict | None) -> int:
    """The page opened in a new browser profile holding `cookies` (a storage state; None for a visitor), so with an
    empty cache: the bytes of its document, styles, scripts, images and fonts together, as sent over the network."""
    context = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True, storage_state=cookies)
    try:
        page = context.new_page()
        finished: list[Request] = []
        page.on("requestfinished", lambda request: finished.append(request))
        response = page.goto(address, wait_until="networkidle")
        assert response.ok, f"{address} answered {response.status}"
        return sum(_bytes_transferred(request) for request in finished)
    finally:
        context.close()


@dataclass(frozen=True)
class Measures:
    taps: int
    page_loads: int
    page_bytes: dict[str, int]


@pytest.fixture(scope="module")
def usual_visit(app, browser, live_server) -> Measures:
    """The visit made once for the module's tests, on a phone with JavaScript, then each of its pages weighed, and
    the other pages of issue 18: the first action's page as the parent sees it, registration and sign-in as a
    visitor does, the moderation queue with a proposal to review, and the demo's PEDT consultation (54 actions) with
    the participation `make run` simulates, the heaviest page a family opens."""
    with app.app_context():
        consultation = make_consultation(slug="parcours", vote_limit_per_orientation=2, majority_judgment_enabled=True)
        parent = make_participant(email="nadia@exemple.fr")
        moderator = make_moderator(consultation)
        propose_action(parent, consultation.orientations[0], "Un atelier cuisine", "Chaque mercredi au centre social.")
        db.session.commit()
        context = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True)
        context.set_default_timeout(5000)
        try:
            visit = Visit(context.new_page())
            walk_the_usual_path(visit, live_server, parent.email)
            signed_in = context.storage_state()
        finally:
            context.close()
        first, second = consultation.orientations[0].actions[:2]
        votes = db.session.execute(select(Vote.action_id, Vote.kind).where(Vote.participant_id == parent.id)).all()
        assert sorted(votes) == sorted([(first.id, VoteKind.SUPPORT), (second.id, VoteKind.SUPPORT),
                                        (first.id, VoteKind.OPINION), (first.id, VoteKind.GRADE)])
        moderating = browser.new_context(locale="fr-FR")
        try:
            sign_in(moderating.new_page(), live_server, moderator)
            moderator_cookies = moderating.storage_state()
        finally:
            moderating.close()
        pages = {address.split("#")[0]: signed_in for address in visit.pages}  # each page once, in order
        pages[f"{live_server.url}/actions/{first.id}"] = signed_in
        pages[f"{live_server.url}/auth/register"] = None
        pages[f"{live_server.url}/auth/login"] = None
        pages[f"{live_server.url}/moderation/parcours/proposals"] = moderator_cookies
        weights = {address: page_weight(browser, address, cookies) for address, cookies in pages.items()}
        seed_demo(with_accounts=False)
        simulate(SIMULATED_PARTICIPANTS, seed=1)
        db.session.commit()
        demo = f"{live_server.url}/consultations/pedt"
        weights[demo] = page_weight(browser, demo, None)
    return Measures(visit.taps, len(visit.pages), {address.removeprefix(live_server.url): weight
                                                   for address, weight in weights.items()})


def test_the_usual_visit_takes_half_the_taps_and_page_loads_it_took(usual_visit, record_property):
    """Main at 0d51bf4 needed 8 taps and 9 page loads, 17 together, measured with this path walked by Chromium with
    JavaScript off (`java_script_enabled=False` on the phone's context): the flow before in-place answers. The
    target is at most half of that, 8, taps and page loads counted together: each is a wait or a gesture on a cheap
    phone, and the taps alone cannot be halved (to 4) without counting less than a person does, since the visit
    holds five separate choices, each one tap (sending the sign-in form, two supports, one opinion, one grade), and
    « Participer » to reach them from the home page.

    Now the visit takes those 6 taps and 2 page loads (home, consultation): the sign-in form opens in a dialog over
    the consultation page, and the opinion and the grade are given on the card of the action just supported."""
    together = usual_visit.taps + usual_visit.page_loads
    record_property("figure", f"usual visit on a phone: {usual_visit.taps} taps + {usual_visit.page_loads} page loads = "
                              f"{together} ({TAPS_ON_MAIN} + {PAGE_LOADS_ON_MAIN} = {TAPS_ON_MAIN + PAGE_LOADS_ON_MAIN} "
                              f"on main; at most {(TAPS_ON_MAIN + PAGE_LOADS_ON_MAIN) // 2})")
    assert together <= (TAPS_ON_MAIN + PAGE_LOADS_ON_MAIN) // 2, (
        f"{usual_visit.taps} taps and {usual_visit.page_loads} page loads, {together} together: "
        f"at most {(TAPS_ON_MAIN + PAGE_LOADS_ON_MAIN) // 2}, half of main's {TAPS_ON_MAIN + PAGE_LOADS_ON_MAIN}"
    )


def test_every_page_of_the_usual_visit_weighs_at_most_150_kb_uncached(usual_visit, record_property):
    for address, weight in usual_visit.page_bytes.items():
        record_property("figure", f"{weight / 1024:7.1f} KB uncached  {address}")
    too_heavy = {address: weight for address, weight in usual_visit.page_bytes.items() if weight > MAXIMUM_PAGE_BYTES}
    assert not too_heavy, f"pages over {MAXIMUM_PAGE_BYTES // 1024} KB: {too_heavy}"
