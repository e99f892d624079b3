"""axe-core audit of every page, in French and Arabic, as each kind of visitor: no serious or critical
violation, and nothing wider than a 360 px phone (which also covers a desktop at 200 % zoom). The pages come
from the app's URL map: a new GET page must be audited here or excluded with a reason."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import url_for
from playwright.sync_api import expect

from pedt_participation.auth.services import consent_link, reset_link
from pedt_participation.codes.services import generate_batch
from pedt_participation.comments.services import COMMENT_PAGE_SIZE, add_comment
from pedt_participation.committee import services as committee_services
from pedt_participation.committee.representativeness import import_population, map_neighbourhoods, population_areas
from pedt_participation.consultations.services import propose_action
from pedt_participation.decisions.services import DecisionEdit, publish_decisions, record_decision
from pedt_participation.extensions import db
from pedt_participation.management.profile_lists import replace_entries
from pedt_participation.models import (
    AgeBracket,
    Alignment,
    Audience,
    DecisionProgress,
    DecisionVerdict,
    Participant,
    ProfileListKind,
    ReportReason,
    Role,
    Vote,
    VoteKind,
    utcnow,
)
from pedt_participation.reports.services import Target, report
from pedt_participation.voting.services import cast_vote
from pedt_participation.webhooks.services import create_endpoint
from pedt_participation.workshops.services import save_workshop
from tests.conftest import keep_rows_written_by_this_test
from tests.e2e.conftest import LiveServer, browser_page, overflows_phone, save_screenshots, sign_in
from tests.helpers import make_consultation, make_moderator, make_participant

LANGUAGES = ("fr", "ar")
SAMPLE_POPULATION = Path(__file__).parents[2] / "pedt_participation" / "demo" / "population-iris-exemple-fictif.csv"
ROLES = ("anonymous", "participant", "moderator", "committee", "admin")

# endpoint -> the roles whose pages are audited there (each role sees its own version of a public page).
AUDITED = {
    "consultations.home": ("anonymous", "participant"),
    "consultations.consultation": ("anonymous", "participant"),
    "consultations.action": ("anonymous", "participant", "moderator"),
    "consultations.propose": ("participant",),
    "auth.login": ("anonymous",),
    "auth.register": ("anonymous",),
    "auth.forgotten_password": ("anonymous",),
    "auth.open_reset_link": ("anonymous",),  # leads to the new password's form
    "auth.parental_consent": ("anonymous",),  # what a parent's link opens
    "information.how_it_works": ("anonymous",),
    "information.accessibility": ("anonymous",),
    "privacy.notice": ("anonymous",),
    "privacy.my_data": ("participant",),
    "privacy.erase": ("participant",),
    "embeds.consultation": ("anonymous", "participant"),
    "embeds.action": ("anonymous", "participant"),
    "embeds.signed_in": ("participant",),
    "notifications.index": ("participant", "moderator"),
    "moderation.dashboard": ("moderator",),
    "moderation.proposals": ("moderator",),
    "moderation.reports": ("moderator",),
    "moderation.duplicates": ("moderator",),
    "answers.index": ("moderator",),
    "workshops.index": ("moderator",),
    "workshops.edit": ("moderator",),
    "opendata.index": ("moderator",),
    "translations.index": ("moderator",),
    "translations.edit": ("moderator",),
    "committee.index": ("committee",),
    "committee.consultation": ("committee",),
    "committee.summary": ("committee",),
    "committee.compare": ("committee",),
    "decisions.index": ("committee",),
    "decisions.publish": ("committee",),
    "decisions.results": ("anonymous", "participant"),
    "committee.population": ("committee", "admin"),
    "management.index": ("admin",),
    "management.edit": ("admin",),
    "management.step": ("admin",),
    "management.settings_page": ("admin",),
    "management.structure_page": ("admin",),
    "management.profile_lists_page": ("admin",),
    "management.answer_mapping_page": ("admin",),
    "management.add_orientation": ("admin",),
    "management.add_action": ("admin",),
    "management.edit_item": ("admin",),
    "management.remove_item": ("admin",),
    "codes.index": ("admin",),
    "codes.revoke": ("admin",),
    "creation.new": ("admin",),
    "creation.copy": ("admin",),
    "creation.import_file": ("admin",),
    "admin.participants": ("admin",),
    "admin.moderation_log": ("admin",),
    "admin.api_tokens.index": ("admin",),
    "admin.webhooks.index": ("admin",),
    "admin.webhooks.edit": ("admin",),
    "admin.webhooks.deliveries": ("admin",),
}

EXCLUDED = {
    "static": "files, not pages",
    "information.favicon": "the site's icon, not a page",
    "api-docs.openapi_json": "JSON for programs",
    "api_docs.assets": "Swagger UI's own files",
    "api_docs.documentation": "Swagger UI, a third-party tool: named as a known limit in the accessibility statement",
    "committee.download": "PDF, CSV and JSON files",
    "codes.sheet": "the printed slips, a PDF file (looked at in test_participation_codes)",
    "creation.template": "the import template, a spreadsheet file",
    "committee.summary_status": "JSON polled by the summary page",
    "opendata.download": "CSV files",
    "privacy.export": "the person's data as a JSON file",
    "operations.healthz": "JSON for probes",
    "operations.readyz": "JSON for probes",
    "embeds.oembed": "JSON for the host platform",
    "auth.platform_sign_in": "redirects to the host platform",
    "auth.platform_callback": "redirects back from the host platform",
    "auth.platform_profile": "needs a platform sign-in in progress; its fields are those of the audited register page",
    "auth.platform_link": "needs a platform sign-in in progress; a password form like the audited login page",
    "auth.reset_password": "reached only through auth.open_reset_link, audited: the link leads to this form",
    "auth.platform_signed_out": "needs a sign-out from an OpenID Connect provider: audited in test_openid_connect_sign_in",
    "comments.show": "redirects to the audited action page that shows the comment",
    "auth.confirm_email": "a valid link redirects to the audited home page; a refused one is a heading and a paragraph",
}

SEVERE = ("serious", "critical")
# Forms also audited once sent empty, to check their errors: summary at the top, messages tied to fields.
SENT_EMPTY = {"auth.login", "auth.register", "auth.open_reset_link", "consultations.propose", "management.add_orientation"}
# The pages saved as pictures (desktop and phone) under test-artifacts/screenshots/ for a person to look at: issue 18's
# main pages, as each role sees them. A full-page picture at two sizes costs more than auditing the page.
SCREENSHOTS = {"consultations.home", "consultations.consultation", "consultations.action", "auth.register", "moderation.proposals"}


# The REST API's blueprints answer JSON to programs, never a page.
JSON_API_BLUEPRINTS = {"api", "api_participation", "api_moderation", "api_committee"}


def _page_endpoints(app) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint.split(".")[0] not in JSON_API_BLUEPRINTS
    }


def test_every_page_is_audited_or_excluded_with_a_reason(app):
    forgotten = _page_endpoints(app) - AUDITED.keys() - EXCLUDED.keys()
    assert not forgotten, f"GET pages neither audited nor excluded in {__name__}: {sorted(forgotten)}"
    stale = (AUDITED.keys() | EXCLUDED.keys()) - _page_endpoints(app)
    assert not stale, f"No such page any more, remove it from {__name__}: {sorted(stale)}"


@dataclass
class Site:
    """Whom the audit signs in as (participant ids by role) and the addresses it visits. A password reset link
    opens once, so each language's audit opens another person's."""

    people: dict[str, int]
    urls: dict[str, str]
    reset_links: dict[str, str]


@pytest.fixture(scope="module")
def site(app, live_server, _tables_emptied_after_module) -> Site:
    """One consultation with something on every page: votes, a thread, a pending proposal, a report, a
    workshop, a built summary, a webhook address, and an action with two pages of comments. Built once per
    test process for every language and role (it takes seconds, a summary's build among them), and emptied
    after the module."""
    with app.app_context():
        site = _build_site(live_server)
        db.session.commit()
        db.session.remove()
    keep_rows_written_by_this_test()  # the module's rows, not a test's
    return site


@pytest.fixture
def site_kept(site) -> Iterator[Site]:
    """The site, kept for the next test: an audit writes only its own sign-in session, the person's choice of
    language (made again by each audit) and the session's last activity, which no other audit reads."""
    yield site
    keep_rows_written_by_this_test()


def _build_site(live_server: LiveServer) -> Site:
    consultation = make_consultation(slug="pedt", majority_judgment_enabled=True, vote_limit_per_orientation=2)
    action = consultation.orientations[0].actions[0]
    # Not yet confirmed, so that the pages she sees say why her votes wait, with the button to send the link again.
    participant = make_participant(display_name="Fatima", confirmed=False)
    child = make_participant(display_name="Lina", audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_11_TO_14,
                             parental_consent=False)
    people = {
        "participant": participant,
        "moderator": make_moderator(consultation, display_name="Modératrice"),
        "committee": make_participant(role=Role.COMMITTEE, display_name="Comité"),
        "admin": make_participant(role=Role.ADMIN, display_name="Admin"),
    }
    cast_vote(participant, action, VoteKind.SUPPORT, 1)
    cast_vote(participant, action, VoteKind.GRADE, 2)
    voices = [make_participant(display_name=f"Parent {n}") for n in range(5)]
    for voice in voices:
        db.session.add(Vote(participant_id=voice.id, action_id=action.id, kind=VoteKind.OPINION, value=1))
    first = add_comment(voices[0], action, "Très utile pour les familles du quartier.", Alignment.POUR)
    add_comment(voices[1], action, "D’accord, surtout le mercredi.", Alignment.POUR, parent_id=first.id)
    doubtful = add_comment(voices[2], action, "Je ne suis pas sûr que ce soit prioritaire.", Alignment.CONTRE)
    commenting_child = make_participant(display_name="Lina 12 ans", audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_11_TO_14)
    add_comment(commenting_child, action, "On pourrait le faire aussi pendant les vacances.", Alignment.POUR)  # under a pseudonym
    report(participant, consultation, Target(comment=doubtful), ReportReason.OFF_TOPIC)
    busy = consultation.orientations[0].actions[1]
    for n in range(COMMENT_PAGE_SIZE + 5):
        add_comment(voices[n % len(voices)], busy, f"Avis numéro {n + 1} sur cette action.")
    pending = propose_action(participant, consultation.orientations[1], "Un atelier de devoirs", "Le soir, à la médiathèque.")
    workshop = save_workshop(
        people["moderator"], consultation, held_on=date.today(), place="Centre social",
        counts={(action.id, Audience.PARENT): 7}, today=date.today(),
    )
    endpoint = create_endpoint(
        people["admin"], url="https://decidim.ville.fr/hooks", description="Plateforme", events=["action.answered"],
        active=True,
    )
    batch = generate_batch(people["admin"], consultation, "École Jean-Jaurès", 8)
    import_population(consultation, SAMPLE_POPULATION.read_bytes())
    map_neighbourhoods(consultation, {area.id: "Centre-ville" for area in population_areas(consultation)[:3]})
    replace_entries(consultation, ProfileListKind.NEIGHBOURHOOD, "Centre-ville\nLes Hauts\nQuartier de la gare")
    voices[0].neighbourhood = "centre ville"  # typed before the lists: on the page of answers to merge
    db.session.commit()
    closed = _closed_with_decisions(people["committee"], voices)
    summary = committee_services.queue_summary(consultation, requested_by=people["committee"])
    db.session.commit()
    committee_services.build_summary(committee_services.claim_summary(summary.id), lambda progress: None)
    db.session.commit()

    ids = {
        "slug": consultation.slug, "action_id": action.id, "workshop_id": workshop.id, "endpoint_id": endpoint.id,
        "summary_id": summary.id, "kind": "action", "item_id": action.id, "step": "close_voting",
        "orientation_id": consultation.orientations[0].id,
        "batch_id": batch.id,
    }
    with live_server.app.test_request_context():
        urls = {}
        for rule in live_server.app.url_map.iter_rules():
            if rule.endpoint in AUDITED and "token" not in rule.arguments:  # e-mailed links: made below
                urls[rule.endpoint] = url_for(rule.endpoint, **{k: v for k, v in ids.items() if k in rule.arguments})
        urls["committee.compare"] += "?" + urlencode({"older": summary.id, "newer": summary.id})
        urls["pending proposal"] = url_for("consultations.action", action_id=pending.id)
        urls["consultation with a code"] = url_for("consultations.consultation", slug=consultation.slug, code=batch.codes[0].code)
        for endpoint in ("decisions.index", "decisions.publish", "decisions.results"):
            urls[endpoint] = url_for(endpoint, slug=closed.slug)
        urls["decided action"] = url_for("consultations.action", action_id=closed.orientations[0].actions[0].id)
        urls["second page of comments"] = url_for("consultations.action", action_id=busy.id, page=2)
        urls["auth.parental_consent"] = consent_link(child).removeprefix(live_server.app.config["PUBLIC_URL"].rstrip("/"))
        reset_links = {
            language: url_for("auth.open_reset_link", token=reset_link(person).rsplit("/", 1)[1])
            for language, person in zip(LANGUAGES, voices[3:5], strict=True)
        }
    return Site({role: person.id for role, person in people.items()}, urls, reset_links)


def _closed_with_decisions(committee, voices):
    """A consultation whose vote is over: one action's decision published (with its progress), one still a draft."""
    closed = make_consultation(slug="terminee", voting="past", proposals="past")
    decided, drafted = closed.orientations[0].actions[:2]
    for voice in voices:
        db.session.add(Vote(participant_id=voice.id, action_id=decided.id, kind=VoteKind.SUPPORT, value=1))
    db.session.commit()
    now = utcnow()
    record_decision(committee, decided, DecisionEdit(
        DecisionVerdict.RETAINED_AMENDED, "Retenue, le mercredi après-midi plutôt que le samedi.",
        DecisionProgress.IN_PROGRESS, "Premiers ateliers en mars.",
    ), now)
    publish_decisions(committee, closed, now)
    record_decision(committee, drafted, DecisionEdit(DecisionVerdict.NOT_RETAINED, "Déjà proposé par la médiathèque.", None, ""), now)
    db.session.commit()
    return closed


def _pages_of(role: str, language: str, site: Site) -> list[tuple[str, str]]:
    urls = {**site.urls, "auth.open_reset_link": site.reset_links[language]}
    pages = [(endpoint, urls[endpoint]) for endpoint, roles in AUDITED.items() if role in roles]
    if role in ("anonymous", "participant"):
        pages.append(("consultation with a code", site.urls["consultation with a code"]))
    if role == "participant":
        pages.append(("pending proposal", site.urls["pending proposal"]))
    if role == "anonymous":
        pages.append(("second page of comments", site.urls["second page of comments"]))
        pages.append(("decided action", site.urls["decided action"]))
        pages.append(("page not found", "/page-qui-n-existe-pas"))
    return pages


def _choose_language(page, live_server, language: str) -> None:
    """Through the site's language switch, as a person would. A signed-in person's choice is saved with their
    account, so it is made in French too: another audit may have left Arabic there."""
    page.goto(f"{live_server.url}/")
    page.locator(f'button[name="locale"][value="{language}"]').click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def _audit(page, axe: Axe, language: str, where: str) -> list[str]:
    """What is wrong with the page shown: its language, axe's serious and critical violations (rule, impact,
    targets, help address), and anything forcing sideways scrolling on a phone."""
    problems = []
    shown = page.evaluate("document.documentElement.lang")
    if shown != language:
        problems.append(f"{where}: the page is in {shown!r}, not {language!r}")
    for violation in axe.run(page).response["violations"]:
        if violation["impact"] in SEVERE:
            targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            problems.append(
                f"{where}: {violation['id']} ({violation['impact']}) {violation['help']} — {targets} — {violation['helpUrl']}"
            )
    if overflow := overflows_phone(page):
        problems.append(f"{where}: {overflow}")
    return problems


# One test per language and role, so that the test processes share them out; the site is built once per process.
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_passes_axe_and_fits_a_phone(browser, live_server, site_kept, language, role):
    axe = Axe()
    problems: list[str] = []
    started = time.monotonic()
    audited = 0
    with browser_page(browser) as page:
        # Pages are audited here, not timed: the summary page draws its charts when it is opened, which takes
        # seconds on a CI machine running three suites side by side.
        page.set_default_navigation_timeout(20_000)
        if role != "anonymous":
            sign_in(page, live_server, db.session.get(Participant, site_kept.people[role]))
        _choose_language(page, live_server, language)
        for name, url in _pages_of(role, language, site_kept):
            response = page.goto(live_server.url + url)
            if response.status != (404 if name == "page not found" else 200):
                problems.append(f"[{role}] {name}: answered {response.status}")
            problems += _audit(page, axe, language, f"[{role}] {name}")
            if name in SCREENSHOTS:
                save_screenshots(page, f"{language}-{role}-{name}")
            audited += 1
            if name in SENT_EMPTY:
                page.locator("main form[novalidate] button[type=submit]").first.click()
                expect(page.locator(".error-summary")).to_be_visible()
                problems += _audit(page, axe, language, f"[{role}] {name} sent empty")
                audited += 1
    print(f"axe audit ({language}, {role}): {audited} pages in {time.monotonic() - started:.1f} s")
    assert not problems, "\n".join(["Serious or critical accessibility problems:", *problems])
