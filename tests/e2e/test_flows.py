"""What people do, in Chromium, asserting what they see and what the database holds: a parent registers,
votes, is refused past the limit, changes a vote, comments and replies (once with the mouse, once with the
keyboard only); a youth under 15 registers with a parent's consent; a moderator publishes a proposal; a
committee member has a summary built by the worker and downloads its PDF."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from pedt_participation.auth.services import confirmation_link
from pedt_participation.comments.services import add_comment
from pedt_participation.consultations.services import propose_action
from pedt_participation.extensions import db
from pedt_participation.models import (
    Action,
    ActionState,
    AgeBracket,
    Alignment,
    Audience,
    Comment,
    CommitteeSummary,
    Participant,
    Role,
    SummaryStatus,
    Vote,
    VoteKind,
)
from tests.e2e.conftest import sign_in
from tests.helpers import TEST_PASSWORD, make_consultation, make_moderator, make_participant, pdf_pages, wait_until

LIMIT_MESSAGE = (
    "Vous avez déjà donné vos 2 soutiens pour l’orientation « Orientation numéro 1 ». Pour soutenir cette action, "
    "retirez d’abord un soutien donné à une autre action de cette orientation."
)


@pytest.fixture
def consultation():
    """Two supports per orientation, opinions, and someone's comment to reply to."""
    consultation = make_consultation(slug="pedt", vote_limit_per_orientation=2)
    neighbour = make_participant(display_name="Karim")
    add_comment(neighbour, consultation.orientations[0].actions[0], "Il faut plus d’aide aux devoirs.", Alignment.POUR)
    db.session.commit()
    return consultation


def _votes_of(email: str) -> list[tuple[str, VoteKind, int]]:
    def read():
        participant = db.session.scalar(select(Participant).where(Participant.email == email))
        rows = db.session.execute(
            select(Action.title, Vote.kind, Vote.value).join(Action).where(Vote.participant_id == participant.id)
        )
        return sorted(tuple(row) for row in rows)

    return wait_until(read)


def _comments_of(email: str) -> list[tuple[str, str | None]]:
    db.session.expire_all()
    participant = db.session.scalar(select(Participant).where(Participant.email == email))
    rows = db.session.scalars(select(Comment).where(Comment.author_id == participant.id).order_by(Comment.id))
    return [(comment.body, db.session.get(Comment, comment.parent_id).body if comment.parent_id else None) for comment in rows]


def _flash(page: Page):
    return page.locator(".flash")


def test_a_new_parent_registers_votes_is_refused_past_the_limit_changes_a_vote_comments_and_replies(
    page, live_server, consultation
):
    page.goto(f"{live_server.url}/consultations/pedt")
    page.get_by_role("link", name="Créer un compte").first.click()
    page.get_by_label("Adresse e-mail").fill("nadia@exemple.fr")
    page.get_by_label("Mot de passe", exact=True).fill(TEST_PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(TEST_PASSWORD)
    page.get_by_label("Nom affiché").fill("Nadia")
    page.get_by_label("Parent", exact=True).check()
    page.get_by_label("Votre âge").select_option(label="26 à 39 ans")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(_flash(page)).to_have_text(
        "Bienvenue Nadia ! Votre compte est créé : vous pouvez voter et commenter. Pour que vos votes comptent, "
        "ouvrez le lien que nous venons d’envoyer à nadia@exemple.fr."
    )
    # She opens the link of the e-mail (its sending is tested in tests/test_confirmed_accounts.py).
    nadia = wait_until(lambda: db.session.scalar(select(Participant).where(Participant.email == "nadia@exemple.fr")))
    with live_server.app.test_request_context():
        link = confirmation_link(nadia).removeprefix(live_server.app.config["PUBLIC_URL"].rstrip("/"))
    page.goto(live_server.url + link)
    expect(_flash(page)).to_have_text("Votre adresse e-mail nadia@exemple.fr est confirmée : vos votes comptent maintenant.")

    page.goto(f"{live_server.url}/consultations/pedt")
    expect(page.locator("#restants-1, .remaining").first).to_have_text("Il vous reste 2 soutiens pour cette orientation.")
    page.get_by_role("button", name="Soutenir « Action 1.1 »").click()
    expect(_flash(page)).to_have_text("Votre soutien est enregistré. Il vous reste 1 soutien pour cette orientation.")
    page.get_by_role("button", name="Soutenir « Action 1.2 »").click()
    expect(_flash(page)).to_have_text("Votre soutien est enregistré. Vous avez utilisé tous vos soutiens pour cette orientation.")
    expect(page.get_by_role("button", name="Soutenir « Action 1.2 »")).to_have_attribute("aria-pressed", "true")

    page.get_by_role("button", name="Soutenir « Action 1.3 »").click()
    expect(page.get_by_role("alert")).to_have_text(LIMIT_MESSAGE)
    expect(page.get_by_role("button", name="Soutenir « Action 1.3 »")).to_have_attribute("aria-pressed", "false")
    assert _votes_of("nadia@exemple.fr") == [("Action 1.1", VoteKind.SUPPORT, 1), ("Action 1.2", VoteKind.SUPPORT, 1)]

    # Changing one's mind: withdraw a support (the button is pressed again), then give the opinion and change it.
    page.get_by_role("button", name="Soutenir « Action 1.2 »").click()
    expect(_flash(page)).to_have_text("Votre soutien est retiré. Il vous reste 1 soutien pour cette orientation.")
    expect(page.get_by_role("button", name="Soutenir « Action 1.2 »")).to_have_attribute("aria-pressed", "false")
    page.get_by_role("link", name="Action 1.1").click()
    page.get_by_role("button", name="Pour (avis sur « Action 1.1 »)").click()
    expect(_flash(page)).to_have_text("Votre avis est enregistré.")
    page.get_by_role("button", name="Contre (avis sur « Action 1.1 »)").click()
    expect(page.get_by_role("button", name="Contre (avis sur « Action 1.1 »)")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Pour (avis sur « Action 1.1 »)")).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_text("Avis : 0 pour, 0 mitigé, 1 contre")).to_be_visible()
    assert _votes_of("nadia@exemple.fr") == [("Action 1.1", VoteKind.OPINION, -1), ("Action 1.1", VoteKind.SUPPORT, 1)]

    page.get_by_label("Votre commentaire").fill("Un accueil le mercredi aiderait beaucoup.")
    page.get_by_role("group", name="Votre position sur cette action").get_by_label("Pour").check()
    page.get_by_role("button", name="Publier mon commentaire").click()
    expect(_flash(page)).to_have_text("Votre commentaire est publié. Merci !")
    expect(page.get_by_role("heading", name="2 commentaires")).to_be_visible()

    page.get_by_text("Répondre à Karim").click()
    page.get_by_label("Votre réponse à Karim").fill("D’accord avec vous, Karim.")
    page.get_by_role("button", name="Publier ma réponse").click()
    expect(_flash(page)).to_have_text("Votre commentaire est publié. Merci !")
    expect(page.locator(".thread .thread .comment-body")).to_have_text("D’accord avec vous, Karim.")
    assert _comments_of("nadia@exemple.fr") == [
        ("Un accueil le mercredi aiderait beaucoup.", None),
        ("D’accord avec vous, Karim.", "Il faut plus d’aide aux devoirs."),
    ]


def test_a_youth_under_15_registers_with_a_parents_email(page, live_server, consultation):
    page.goto(f"{live_server.url}/auth/register")
    page.get_by_label("Adresse e-mail").fill("lina@exemple.fr")
    page.get_by_label("Mot de passe", exact=True).fill(TEST_PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(TEST_PASSWORD)
    page.get_by_label("Nom affiché").fill("Lina")
    page.get_by_label("Jeune (11 à 25 ans)").check()
    page.get_by_label("Votre âge").select_option(label="11 à 14 ans")
    page.get_by_role("button", name="Créer mon compte").click()

    # Refused without a parent: the summary says why, and each field carries its own message.
    expect(page.get_by_role("alert")).to_contain_text("Avant 15 ans, indiquez l’e-mail d’un parent ou responsable légal.")
    parent_email = page.get_by_label("E-mail d’un parent ou responsable légal")
    expect(parent_email).to_have_attribute("aria-invalid", "true")
    expect(parent_email).to_have_accessible_description(
        "Obligatoire si vous avez moins de 15 ans. Votre parent recevra un lien pour donner son accord : d’ici là, "
        "vous pouvez voter et écrire, mais vos votes ne comptent pas et ce que vous écrivez n’est pas affiché. "
        "Avant 15 ans, indiquez l’e-mail d’un parent ou responsable légal."
    )
    assert db.session.scalar(select(Participant).where(Participant.email == "lina@exemple.fr")) is None

    page.get_by_label("Mot de passe", exact=True).fill(TEST_PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(TEST_PASSWORD)
    parent_email.fill("maman@exemple.fr")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(_flash(page)).to_contain_text("Un e-mail vient de partir vers votre parent (maman@exemple.fr)")

    youth = wait_until(lambda: db.session.scalar(select(Participant).where(Participant.email == "lina@exemple.fr")))
    assert (youth.audience, youth.age_bracket, youth.parent_email) == (Audience.YOUTH, AgeBracket.FROM_11_TO_14, "maman@exemple.fr")
    assert youth.parental_consent_at is None


def test_the_under_15_questions_appear_only_once_that_age_is_chosen(page, browser, live_server):
    page.goto(f"{live_server.url}/auth/register")
    under_15 = page.get_by_role("heading", name="Vous avez moins de 15 ans ?")
    expect(under_15).to_be_hidden()
    page.get_by_label("Votre âge").select_option(label="11 à 14 ans")
    expect(under_15).to_be_visible()
    expect(page.get_by_label("E-mail d’un parent ou responsable légal")).to_be_visible()
    page.get_by_label("Votre âge").select_option(label="40 à 59 ans")
    expect(under_15).to_be_hidden()

    without_script = browser.new_context(java_script_enabled=False, locale="fr-FR")
    try:
        plain = without_script.new_page()
        plain.goto(f"{live_server.url}/auth/register")
        expect(plain.get_by_role("heading", name="Vous avez moins de 15 ans ?")).to_be_visible()
    finally:
        without_script.close()


def test_a_moderator_publishes_a_proposal(page, live_server, consultation):
    author = make_participant(display_name="Sami")
    proposal = propose_action(author, consultation.orientations[1], "Un atelier de devoirs", "Le soir, à la médiathèque.")
    db.session.commit()
    sign_in(page, live_server, make_moderator(consultation))

    page.get_by_role("link", name="Modération").click()
    page.get_by_role("link", name="1 proposition en attente").click()
    expect(page.get_by_role("heading", name="Un atelier de devoirs")).to_be_visible()
    page.get_by_label("Titre").fill("Un atelier de devoirs le soir")
    page.get_by_role("button", name="Publier « Un atelier de devoirs »").click()

    expect(_flash(page)).to_have_text("Proposition publiée : « Un atelier de devoirs le soir ».")
    expect(page.get_by_text("Aucune proposition en attente. Merci !")).to_be_visible()
    db.session.expire_all()
    published = db.session.get(Action, proposal.id)
    assert (published.state, published.title) == (ActionState.PUBLISHED, "Un atelier de devoirs le soir")
    page.goto(f"{live_server.url}/consultations/pedt")
    expect(page.get_by_role("link", name="Un atelier de devoirs le soir")).to_be_visible()


def test_a_committee_member_has_a_summary_built_and_downloads_its_pdf(page, live_server, consultation, start_worker):
    start_worker()
    sign_in(page, live_server, make_participant(role=Role.COMMITTEE, display_name="Mme Durand"))

    page.get_by_role("link", name="Comité de pilotage").click()
    page.get_by_role("link", name="Consultation pedt").click()
    page.get_by_role("button", name="Construire une synthèse maintenant").click()
    expect(_flash(page)).to_have_text("La synthèse est en préparation. Cette page se met à jour toute seule.")

    # The page follows the worker's progress by itself and shows the files once built.
    pdf_link = page.get_by_role("link", name="PDF")
    expect(pdf_link).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        pdf_link.click()
    content = open(download.value.path(), "rb").read()
    assert download.value.suggested_filename.endswith(".pdf")
    text = " ".join(pdf_pages(content))
    assert "Consultation pedt" in text
    summary = db.session.scalars(select(CommitteeSummary)).one()
    assert summary.status == SummaryStatus.DONE


def _focused(page: Page) -> str:
    return page.evaluate("document.activeElement.outerHTML.slice(0, 200)")


def _tab_to(page: Page, locator, *, backwards: bool = False, limit: int = 120) -> None:
    """Presses Tab (or Shift+Tab) until the element has the focus, as a keyboard user moves through a page."""
    for _ in range(limit):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"never reached with the keyboard; focus is on {_focused(page)}")


def test_the_same_flow_with_the_keyboard_only(page, live_server, consultation):
    keyboard = page.keyboard
    page.goto(f"{live_server.url}/auth/register")

    # The first Tab reaches the skip link, which takes the focus past the menu.
    keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
    keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    _tab_to(page, page.get_by_label("Adresse e-mail"))
    keyboard.type("yanis@exemple.fr")
    keyboard.press("Tab")
    keyboard.type(TEST_PASSWORD)
    keyboard.press("Tab")
    keyboard.type(TEST_PASSWORD)
    _tab_to(page, page.get_by_label("Nom affiché"))
    keyboard.type("Yanis")
    _tab_to(page, page.get_by_label("Parent", exact=True))
    keyboard.press("Space")
    expect(page.get_by_label("Parent", exact=True)).to_be_checked()
    _tab_to(page, page.get_by_label("Votre âge"))
    for _ in range(4):  # Choisissez… → 11 à 14 → 15 à 17 → 18 à 25 → 26 à 39
        keyboard.press("ArrowDown")
    expect(page.get_by_label("Votre âge")).to_have_value(AgeBracket.FROM_26_TO_39.value)
    _tab_to(page, page.get_by_role("button", name="Créer mon compte"))
    keyboard.press("Enter")
    expect(_flash(page)).to_have_text(
        "Bienvenue Yanis ! Votre compte est créé : vous pouvez voter et commenter. Pour que vos votes comptent, "
        "ouvrez le lien que nous venons d’envoyer à yanis@exemple.fr."
    )

    _tab_to(page, page.get_by_role("link", name="Consultation pedt", exact=True))
    keyboard.press("Enter")
    support = page.get_by_role("button", name="Soutenir « Action 1.1 »")
    _tab_to(page, support)
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"  # the focus shows
    keyboard.press("Enter")
    expect(_flash(page)).to_have_text("Votre soutien est enregistré. Il vous reste 1 soutien pour cette orientation.")
    expect(support).to_have_attribute("aria-pressed", "true")

    _tab_to(page, page.get_by_role("link", name="Action 1.1"), backwards=True)
    keyboard.press("Enter")
    _tab_to(page, page.get_by_role("button", name="Pour (avis sur « Action 1.1 »)"))
    keyboard.press("Space")
    expect(_flash(page)).to_have_text("Votre avis est enregistré.")
    mixed = page.get_by_role("button", name="Mitigé (avis sur « Action 1.1 »)")
    _tab_to(page, mixed)
    keyboard.press("Enter")
    expect(mixed).to_have_attribute("aria-pressed", "true")
    assert _votes_of("yanis@exemple.fr") == [("Action 1.1", VoteKind.OPINION, 0), ("Action 1.1", VoteKind.SUPPORT, 1)]

    _tab_to(page, page.get_by_label("Votre commentaire"))
    keyboard.type("Je peux aider à l’organiser.")
    _tab_to(page, page.get_by_role("group", name="Votre position sur cette action").get_by_label("Neutre"))
    keyboard.press("ArrowRight")  # Neutre → Contre: arrows move within the group
    expect(page.get_by_role("group", name="Votre position sur cette action").get_by_label("Contre")).to_be_checked()
    _tab_to(page, page.get_by_role("button", name="Publier mon commentaire"))
    keyboard.press("Enter")
    expect(_flash(page)).to_have_text("Votre commentaire est publié. Merci !")
    assert _comments_of("yanis@exemple.fr") == [("Je peux aider à l’organiser.", None)]
