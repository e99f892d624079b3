"""An admin, in the browser, downloads the template, sends a file with rows to fix and sees each named, sends the
corrected file, creates the consultation from its preview, then copies it for next year. Each page passes axe, fits a
phone and is saved as pictures, in French and in Arabic."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from pedt_participation.creation.importing import TEMPLATE_ROWS, ImportRow, spreadsheet
from pedt_participation.models import Role
from tests.e2e.conftest import browser_page, overflows_phone, save_screenshots, sign_in
from tests.helpers import make_participant

BROKEN_ROWS = (
    *TEMPLATE_ROWS,
    ImportRow(5, "", "", "", TEMPLATE_ROWS[2].action, ""),
    ImportRow(6, "", "", "", "", "Une description sans titre d’action"),
)


def _check(page, axe: Axe, where: str, language: str) -> None:
    severe = [v["id"] for v in axe.run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert not severe, f"{where}: {severe}"
    assert overflows_phone(page) is None, where
    save_screenshots(page, f"creation-{language}-{where}")


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_an_admin_imports_a_file_row_by_row_then_copies_the_consultation(browser, live_server, tmp_path, language):
    admin = make_participant(role=Role.ADMIN, display_name="Admin")
    broken, fixed = tmp_path / "plan.xlsx", tmp_path / "plan-corrige.ods"
    broken.write_bytes(spreadsheet(BROKEN_ROWS, "xlsx"))
    fixed.write_bytes(spreadsheet(TEMPLATE_ROWS, "ods"))
    axe = Axe()
    with browser_page(browser) as page:
        sign_in(page, live_server, admin)
        if language == "ar":
            page.context.add_cookies([{"name": "langue", "value": "ar", "url": live_server.url}])
        page.goto(f"{live_server.url}/gestion/")
        page.locator("main a.button").click()
        expect(page.locator("h1")).to_be_visible()
        with page.expect_download() as download:
            page.locator('a[href$="/gestion/modele.xlsx"]').click()
        assert download.value.suggested_filename == "modele-consultation.xlsx"
        _check(page, axe, "new", language)

        page.locator("#title").fill("Projet éducatif 2027")
        page.locator("#file").set_input_files(broken)
        page.locator("main form button[type=submit]").last.click()
        summary = page.locator(".error-summary")
        expect(summary).to_contain_text("5")
        expect(summary).to_contain_text("6")
        _check(page, axe, "preview-with-row-errors", language)

        page.locator("#file").set_input_files(fixed)
        page.locator("main form button[type=submit]").last.click()
        expect(page.locator(".error-summary")).to_have_count(0)
        expect(page.locator(".import-preview")).to_contain_text("Adapter l’accueil des enfants en situation de handicap")
        _check(page, axe, "preview", language)

        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(f"{live_server.url}/gestion/projet-educatif-2027/")
        page.locator('a[href$="/gestion/projet-educatif-2027/import"]').click()
        _check(page, axe, "import-into-draft", language)
        page.goto(f"{live_server.url}/gestion/projet-educatif-2027/copie")
        expect(page.locator("#title")).to_have_value("Projet éducatif 2028")
        _check(page, axe, "copy", language)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/gestion/projet-educatif-2028/")
