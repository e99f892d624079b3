"""Issue 16's acceptance test, in Chromium, from an empty database (no `seed-demo`): an admin creates a consultation
and gives it to a manager; the manager fills the downloaded spreadsheet template, imports it, corrects an action's
title, previews the draft (which a parent cannot see yet), publishes and opens the proposals and the vote; a parent
supports the corrected action and is in favour of it; the manager closes the vote; the committee records and publishes a decision on it;
the parent reads it beside the action and has a notification. Every staff page met is saved at 360 and 1280 px."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
from playwright.sync_api import Browser, Page, expect

from pedt_participation.models import Role
from pedt_participation.models.types import utcnow
from tests.e2e.conftest import LiveServer, browser_page, save_screenshots, sign_in
from tests.helpers import make_participant

TITLE = "Projet éducatif 2027"
SLUG = "projet-educatif-2027"
THEME = "Grandir ensemble"
# The rows the manager types into the template, one action per row; a blank orientation repeats the one above.
FILLED_ROWS = {
    "Thème": [THEME, "", ""],
    "Orientation": ["Ouvrir les écoles sur le quartier", "", "Apprendre dehors"],
    "Description de l’orientation": ["Les écoles comme lieux de vie, après la classe aussi.", "", ""],
    "Action": ["Ouvrir la cour le samedi matin", "Un café des parents par mois", "Une classe dehors par semaine"],
    "Description de l’action": ["La cour de l’école Jaurès, surveillée.", "", "Au parc, avec les animateurs."],
    "Version facile à lire de l’action": ["", "", ""],
}
TYPO = "Un café des parents par mois"
CORRECTED = "Un café des parents chaque mois, à l’école"
EXPLANATION = "Retenue : le premier café aura lieu en octobre, à l’école Jaurès."


def _staff_page(page: Page, name: str) -> None:
    save_screenshots(page, f"run-your-own-{name}")


def _flash(page: Page):
    return page.locator(".flash")


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()


def _filled_template(template: bytes) -> bytes:
    """The downloaded template, its example rows replaced by the manager's, under the template's own headings."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook.active
    headings = [cell.value for cell in sheet[1]]
    assert headings == list(FILLED_ROWS)
    sheet.delete_rows(2, sheet.max_row)
    for row in zip(*FILLED_ROWS.values(), strict=True):
        sheet.append(list(row))
    filled = io.BytesIO()
    workbook.save(filled)
    return filled.getvalue()


def test_a_town_runs_its_own_consultation_from_the_template_to_published_decisions(
    browser: Browser, live_server: LiveServer, tmp_path
):
    admin = make_participant(role=Role.ADMIN, display_name="Admin de la ville")
    manager = make_participant(role=Role.MODERATOR, display_name="Gestionnaire PEDT")
    committee = make_participant(role=Role.COMMITTEE, display_name="Comité")
    parent = make_participant(display_name="Amina")
    edit_url = f"{live_server.url}/gestion/{SLUG}/"
    public_url = f"{live_server.url}/consultations/{SLUG}"

    with browser_page(browser) as staff, browser_page(browser) as family:
        # The admin creates an empty draft and gives it to the manager on the roles page.
        sign_in(staff, live_server, admin)
        staff.goto(f"{live_server.url}/gestion/")
        staff.get_by_role("link", name="Créer une consultation").click()
        _staff_page(staff, "new")
        staff.get_by_label("Titre").fill(TITLE)
        staff.get_by_role("button", name="Continuer").click()
        staff.wait_for_url(edit_url)
        expect(_flash(staff)).to_contain_text(f"Consultation « {TITLE} » créée, en brouillon")
        staff.goto(f"{live_server.url}/admin/participants?q={manager.email}")
        card = staff.locator(f"section.card:has-text('{manager.email}')")
        card.get_by_role("group", name="Consultations gérées").get_by_label(TITLE).check()
        card.get_by_role("button", name="Enregistrer").click()
        expect(_flash(staff)).to_contain_text("Rôle de Gestionnaire PEDT enregistré.")
        _staff_page(staff, "roles")
        _sign_out(staff)

        # The manager downloads the template, fills it, sees what it holds, then imports it.
        sign_in(staff, live_server, manager)
        staff.goto(f"{live_server.url}/gestion/")
        _staff_page(staff, "management-index")
        staff.get_by_role("link", name=TITLE).click()
        staff.get_by_role("link", name="Importer des orientations et des actions").click()
        with staff.expect_download() as download:
            staff.get_by_role("link", name="Modèle .xlsx").click()
        filled = tmp_path / "plan-2027.xlsx"
        filled.write_bytes(_filled_template(download.value.path().read_bytes()))
        _staff_page(staff, "import")
        staff.locator("#file").set_input_files(filled)
        staff.locator("main form button[type=submit]").last.click()
        expect(staff.locator(".error-summary")).to_have_count(0)
        expect(staff.get_by_text("2 orientations, 3 actions.")).to_be_visible()
        expect(staff.locator(".import-preview")).to_contain_text(TYPO)
        _staff_page(staff, "import-preview")
        staff.get_by_role("button", name="Importer ces orientations et ces actions").click()
        staff.wait_for_url(edit_url)
        expect(_flash(staff)).to_have_text("Import terminé : 2 orientations et 3 actions ajoutées.")

        # The manager corrects an action's title in the structure editor.
        staff.get_by_role("link", name="Orientations et actions").click()
        expect(staff.get_by_role("heading", name=f"Thème : {THEME}")).to_be_visible()
        staff.get_by_role("link", name=f"Modifier : {TYPO}").click()
        _staff_page(staff, "edit-action")
        staff.locator("#title").fill(CORRECTED)
        staff.get_by_role("button", name="Enregistrer").click()
        expect(_flash(staff)).to_have_text("Enregistré.")
        expect(staff.locator(".structure-actions")).to_contain_text([CORRECTED])
        expect(staff.get_by_text(TYPO, exact=True)).to_have_count(0)
        _staff_page(staff, "structure")

        # The draft's preview, as a parent will see it; the parent cannot see it yet.
        staff.get_by_role("link", name="Textes, dates et étape").click()
        staff.get_by_role("link", name="Voir l’aperçu, comme un parent la verra").click()
        expect(staff.get_by_role("note")).to_contain_text("Aperçu : cette consultation n’est pas publiée.")
        expect(staff.get_by_text(CORRECTED).first).to_be_visible()
        _staff_page(staff, "preview")
        sign_in(family, live_server, parent)
        expect(family.get_by_text(TITLE)).to_have_count(0)
        answer = family.goto(public_url)
        assert answer is not None and answer.status == 404
        expect(family.get_by_role("heading", name="Page introuvable")).to_be_visible()
        expect(family.get_by_text(CORRECTED)).to_have_count(0)

        # Dates: proposals open since yesterday, the vote planned from next week for a week; then the manager publishes
        # and opens the vote now, ahead of its date.
        staff.get_by_role("link", name="Retour à la gestion").click()
        town_day = (utcnow() + timedelta(hours=2)).date()
        staff.get_by_label("Ouverture des propositions").fill(f"{town_day - timedelta(days=1)}T09:00")
        staff.get_by_label("Ouverture du vote").fill(f"{town_day + timedelta(days=7)}T09:00")
        staff.get_by_label("Fermeture du vote").fill(f"{town_day + timedelta(days=14)}T18:00")
        staff.get_by_role("button", name="Enregistrer").click()
        expect(_flash(staff)).to_have_text("Consultation enregistrée.")
        _staff_page(staff, "edit")
        staff.get_by_role("link", name="Publier", exact=True).click()
        expect(staff.get_by_text("La consultation devient visible de tous.")).to_be_visible()
        _staff_page(staff, "step-publish")
        staff.get_by_role("button", name="Confirmer : Publier").click()
        expect(_flash(staff)).to_have_text("C’est fait : Publier.")
        staff.get_by_role("link", name="Ouvrir le vote maintenant").click()
        staff.get_by_role("button", name="Confirmer : Ouvrir le vote maintenant").click()
        expect(_flash(staff)).to_have_text("C’est fait : Ouvrir le vote maintenant.")
        expect(staff.get_by_role("link", name="Clore le vote")).to_be_visible()
        _staff_page(staff, "vote-open")

        # The parent now finds the consultation, supports the corrected action and gives an opinion on it.
        family.goto(public_url)
        expect(family.get_by_role("heading", name=TITLE)).to_be_visible()
        expect(family.get_by_role("note")).to_have_count(0)
        family.get_by_role("button", name=f"Soutenir « {CORRECTED} »").click()
        expect(_flash(family).or_(family.get_by_role("status").first)).to_contain_text("Votre soutien est enregistré.")
        family.get_by_role("link", name=CORRECTED).click()
        in_favour = family.get_by_role("button", name=f"Pour (avis sur « {CORRECTED} »)")
        in_favour.click()
        expect(in_favour).to_have_attribute("aria-pressed", "true")

        # The manager closes the vote.
        staff.get_by_role("link", name="Clore le vote").click()
        expect(staff.get_by_text("Plus personne ne peut voter")).to_be_visible()
        _staff_page(staff, "step-close")
        staff.get_by_role("button", name="Confirmer : Clore le vote").click()
        expect(_flash(staff)).to_have_text("C’est fait : Clore le vote.")
        _sign_out(staff)

        # The committee records a decision on the corrected action and publishes it.
        sign_in(staff, live_server, committee)
        staff.get_by_role("link", name="Comité de pilotage").click()
        staff.get_by_role("link", name=TITLE).click()
        staff.get_by_role("link", name="Décisions sur les actions").click()
        card = staff.locator(".card, li, section").filter(has=staff.get_by_role("button", name=f"Enregistrer « {CORRECTED} »")).last
        card.get_by_label("Décision").select_option(label="Retenue")
        card.get_by_label("Explication (lue par les participants)").fill(EXPLANATION)
        card.get_by_role("button", name=f"Enregistrer « {CORRECTED} »").click()
        expect(_flash(staff)).to_contain_text(f"Décision enregistrée pour « {CORRECTED} ».")
        _staff_page(staff, "decisions")
        staff.get_by_role("link", name="Publier les décisions").click()
        expect(staff.get_by_text(f"{CORRECTED} : Retenue")).to_be_visible()
        _staff_page(staff, "decisions-publish")
        staff.get_by_role("button", name="Oui, publier les décisions").click()
        staff.wait_for_url(f"{public_url}/resultats")

        # The parent has a notification, and reads the decision beside the action on both pages.
        family.goto(live_server.url)
        family.get_by_role("link", name="Notifications 1 non lues").click()
        family.get_by_role("link", name=f"Les décisions de la consultation « {TITLE} » sont publiées").click()
        family.wait_for_url(f"{public_url}/resultats")
        expect(family.get_by_role("heading", name="Résultats et décisions")).to_be_visible()
        expect(family.get_by_role("heading", name="Décision : Retenue")).to_be_visible()
        expect(family.get_by_text(EXPLANATION)).to_be_visible()
        save_screenshots(family, "run-your-own-parent-results")
        family.get_by_role("link", name=CORRECTED).click()
        expect(family.get_by_role("heading", name=CORRECTED)).to_be_visible()
        expect(family.get_by_role("heading", name="Décision : Retenue")).to_be_visible()
        expect(family.get_by_text(EXPLANATION)).to_be_visible()
