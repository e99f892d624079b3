"""French, English and Arabic: complete catalogues, the language chosen and remembered, right-to-left
pages, dates and numbers written each language's way, and actions translated by moderators."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from gettext import c2py
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale

from pedt_participation.comments.services import add_comment
from pedt_participation.committee.aggregation import figure_text
from pedt_participation.consultations.services import propose_action
from pedt_participation.extensions import db
from pedt_participation.languages.services import LOCALE_COOKIE, ngettext
from pedt_participation.models import Action, Audience, PaperVoteCount, Participant, Role, Workshop
from pedt_participation.templating import format_share
from tests.helpers import login, make_consultation, make_moderator, make_participant, page_text

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "pedt_participation" / "translations"
TRANSLATED = ("en", "ar")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")
HOW_TO_FIX = (
    "Run `make translations`, translate the new messages in pedt_participation/translations/{en,ar}/"
    "LC_MESSAGES/messages.po, then `make install` (or rerun this test) to compile them."
)


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues():
    """What `make install` does: the .mo files are build outputs, compiled from the committed .po files."""
    for language in TRANSLATED:
        po = CATALOGUES / language / "LC_MESSAGES" / "messages.po"
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source, mo.open("wb") as target:
                write_mo(target, read_po(source, locale=language))


def _extracted_messages() -> dict[str, tuple[str, ...]]:
    """Every French message of the code and templates as `make translations` extracts it, now."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    messages = {}
    for folder in ("pedt_participation", "tasks", "templates"):
        for _filename, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map, options_map, keywords=keywords
        ):
            ids = message if isinstance(message, tuple) else (message,)
            messages[ids[0]] = tuple(ids)
    return messages


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language):
    """A French message added anywhere without its translation fails here, with the list of what is missing."""
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalogue = read_po(source, locale=language)
    problems = []
    for key, ids in sorted(_extracted_messages().items()):
        entry = catalogue.get(key)
        if entry is None or "fuzzy" in entry.flags:
            problems.append(f"not translated: {key!r}")
            continue
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(form.strip() for form in forms) or len(forms) != (catalogue.num_plurals if len(ids) > 1 else 1):
            problems.append(f"empty or missing form: {key!r}")
            continue
        expected = _placeholders(ids[-1])
        # Plural forms for one or two may say the number in words; the general form keeps every placeholder.
        if _placeholders(forms[-1]) != expected or any(not _placeholders(form) <= expected for form in forms):
            problems.append(f"placeholders differ: {key!r} -> {forms!r}")
    assert not problems, f"{language}: {len(problems)} problem(s). {HOW_TO_FIX}\n" + "\n".join(problems)


def test_arabic_has_its_six_plural_forms():
    with (CATALOGUES / "ar" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalogue = read_po(source, locale="ar")
    assert catalogue.num_plurals == 6
    plural_form = c2py(catalogue.plural_expr)  # how gettext reads the header
    assert [plural_form(n) for n in (0, 1, 2, 3, 10, 11, 99, 100, 102, 103)] == [0, 1, 2, 3, 3, 4, 4, 5, 5, 3]


def _html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.get_data(as_text=True)).group(0)


def test_french_by_default_else_the_browsers_language(client):
    make_consultation(slug="pedt")
    assert _html_tag(client.get("/")) == '<html lang="fr" dir="ltr">'
    assert "Se connecter" in page_text(client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"}))

    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"})
    assert _html_tag(english) == '<html lang="en" dir="ltr">'
    assert "Sign in" in page_text(english) and "Se connecter" not in page_text(english)

    arabic = client.get("/", headers={"Accept-Language": "ar-MA,ar;q=0.9"})
    assert _html_tag(arabic) == '<html lang="ar" dir="rtl">'
    assert "تسجيل الدخول" in page_text(arabic)


def test_the_sign_in_request_of_a_members_only_page_is_in_the_readers_language(client):
    make_consultation(slug="demo")
    english = client.get("/consultations/demo/propose", headers={"Accept-Language": "en"}, follow_redirects=True)
    assert english.request.path == "/auth/login"
    assert "Sign in or create an account to take part." in page_text(english)
    assert "Connectez-vous" not in page_text(english)


def test_every_page_offers_the_switch_with_each_language_named_in_itself(client):
    html = client.get("/").get_data(as_text=True)
    switch = re.search(r'<form class="language-switch".*?</form>', html, flags=re.S).group(0)
    assert 'lang="fr"' in switch and ">Français<" in switch and 'aria-current="true"' in switch
    assert 'lang="en" dir="ltr" class="link-button">English<' in switch
    assert 'lang="ar" dir="rtl" class="link-button">العربية<' in switch


def test_the_choice_is_remembered_in_a_cookie(client):
    consultation = make_consultation(slug="pedt")
    page = f"/consultations/{consultation.slug}"
    chosen = client.post("/langue", data={"locale": "en", "next": page})
    assert chosen.status_code == 303 and chosen.headers["Location"].endswith(page)
    cookie = client.get_cookie(LOCALE_COOKIE, domain="pedt.test")
    assert cookie.value == "en" and cookie.max_age > 300 * 24 * 3600
    # The explicit choice wins over the browser's language, on every later page.
    assert "Sign in" in page_text(client.get(page, headers={"Accept-Language": "fr"}))

    client.post("/langue", data={"locale": "ar", "next": "https://ailleurs.example/"})
    assert _html_tag(client.get("/")) == '<html lang="ar" dir="rtl">'


def test_an_unknown_language_changes_nothing(client):
    refused = client.post("/langue", data={"locale": "xx"}, follow_redirects=True)
    assert "Choisissez une langue dans la liste." in page_text(refused)
    assert client.get_cookie(LOCALE_COOKIE, domain="pedt.test") is None


def test_a_signed_in_persons_choice_follows_them_to_another_device(app, client):
    parent = make_participant()
    login(client, parent)
    client.post("/langue", data={"locale": "ar"})
    assert db.session.get(Participant, parent.id).locale == "ar"

    other_device = app.test_client()
    login(other_device, parent)
    assert _html_tag(other_device.get("/", headers={"Accept-Language": "en"})) == '<html lang="ar" dir="rtl">'


def test_dates_and_numbers_are_written_each_languages_way(client):
    consultation = make_consultation(slug="pedt")
    consultation.voting_close_at = datetime(2026, 3, 14, 18, 0, tzinfo=UTC)
    db.session.commit()
    assert "Vote ouvert jusqu’au 14 mars 2026" in page_text(client.get("/"))
    assert "Voting open until March 14, 2026" in page_text(client.get("/", headers={"Accept-Language": "en"}))

    shares = {}
    for language in ("fr", "en", "ar"):
        with force_locale(language):
            shares[language] = format_share(0.125)
    assert shares["fr"].replace("\u202f", " ").replace("\xa0", " ") == "12,5 %"
    assert shares["en"] == "12.5%"
    assert "12.5" in shares["ar"]


def test_counts_of_a_thousand_and_more_are_grouped_each_languages_way(client):
    """1 234 soutiens in French, 1,234 supports in English: counts are read, not deciphered."""
    consultation = make_consultation(slug="pedt")
    action = consultation.orientations[0].actions[0]
    workshop = Workshop(consultation_id=consultation.id, held_on=date(2026, 3, 2), place="Centre social")
    db.session.add(workshop)
    db.session.flush()
    db.session.add(PaperVoteCount(workshop_id=workshop.id, action_id=action.id, audience=Audience.PARENT, supports=1234))
    db.session.commit()

    french = page_text(client.get(f"/actions/{action.id}"))
    assert "1 234 soutiens (dont 1 234 recueillis en atelier)" in french
    english = page_text(client.get(f"/actions/{action.id}", headers={"Accept-Language": "en"}))
    assert "1,234 supports" in english
    arabic = page_text(client.get(f"/actions/{action.id}", headers={"Accept-Language": "ar"}))
    assert "1,234 صوتَ دعم" in arabic


def test_messages_made_in_python_group_their_counts_too():
    with force_locale("en"):
        assert ngettext("%(num)s soutien", "%(num)s soutiens", 1234) == "1,234 supports"
    with force_locale("fr"):
        assert ngettext("%(num)s soutien", "%(num)s soutiens", 1) == "1 soutien"


def test_french_counts_none_and_one_in_the_singular(client):
    """French says « 0 proposition en attente » (the plural starts at 2), English "0 proposals"; on pages and in
    messages made in Python alike."""
    consultation = make_consultation(slug="pedt")
    login(client, make_moderator(consultation))
    french = page_text(client.get("/moderation/"))
    assert "0 proposition en attente" in french and "0 contenu signalé" in french
    english = page_text(client.get("/moderation/", headers={"Accept-Language": "en"}))
    assert "0 proposals" in english
    with force_locale("fr"):
        assert [ngettext("%(num)s soutien", "%(num)s soutiens", n) for n in (0, 1, 2)] == ["0 soutien", "1 soutien", "2 soutiens"]
    with force_locale("en"):
        assert ngettext("%(num)s soutien", "%(num)s soutiens", 0) == "0 supports"


def test_summary_figures_are_grouped_and_their_stand_ins_translated():
    shown = {"value": 14364, "display": "14364", "share": None}
    masked = {"value": None, "display": "masqué", "share": None}
    below_threshold = {"value": None, "display": "< 5", "share": None}
    with force_locale("fr"):
        assert [figure_text(part) for part in (shown, masked, below_threshold)] == ["14\u202f364", "masqué", "< 5"]
    with force_locale("en"):
        assert [figure_text(part) for part in (shown, masked, below_threshold)] == ["14,364", "hidden", "< 5"]


def _translated_action() -> Action:
    consultation = make_consultation(slug="pedt")
    action = consultation.orientations[0].actions[0]
    action.title = "Ouvrir la bibliothèque le samedi"
    action.body = "Pour lire et faire ses devoirs le week-end."
    action.translations = {"en": {"title": "Open the library on Saturdays", "body": "To read and do homework."}}
    db.session.commit()
    return action


def test_an_action_shows_its_translation_and_its_french_original_one_click_away(client):
    action = _translated_action()
    english = client.get(f"/actions/{action.id}", headers={"Accept-Language": "en"})
    html = english.get_data(as_text=True)
    assert re.search(r'<h1 [^>]*lang="en" dir="ltr">Open the library on Saturdays</h1>', html)
    assert 'lang="en" dir="ltr">To read and do homework.</div>' in html
    original = re.search(r'<details class="original-text">.*?</details>', html, flags=re.S).group(0)
    assert "Original text in French" in original
    assert '<div lang="fr" dir="ltr">' in original and "Ouvrir la bibliothèque le samedi" in original

    french = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert re.search(r'<h1 [^>]*lang="fr" dir="ltr">Ouvrir la bibliothèque le samedi</h1>', french)
    assert "original-text" not in french

    # No Arabic translation: the French original, marked as French and left to right inside the Arabic page.
    arabic = client.get(f"/actions/{action.id}", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert re.search(r'<h1 [^>]*lang="fr" dir="ltr">Ouvrir la bibliothèque le samedi</h1>', arabic)
    assert "original-text" not in arabic


def test_the_consultation_page_lists_translated_titles(client):
    action = _translated_action()
    listing = client.get("/consultations/pedt", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert re.search(rf'lang="en" dir="ltr"><a href="[^"]*/actions/{action.id}">Open the library on Saturdays</a>', listing)


def test_a_moderator_enters_translations(client):
    action = _translated_action()
    consultation = action.orientation.consultation
    login(client, make_moderator(consultation))
    listing = page_text(client.get("/moderation/pedt/traductions"))
    assert "Ouvrir la bibliothèque le samedi English" in listing and "Orientation 1 : Orientation numéro 1" in listing

    form_page = client.get(f"/moderation/pedt/traductions/action/{action.id}").get_data(as_text=True)
    assert 'name="en_title"' in form_page and 'lang="ar" dir="rtl"' in form_page
    saved = client.post(
        f"/moderation/pedt/traductions/action/{action.id}",
        data={"en_title": "Open the library on Saturdays", "en_text": "",
              "ar_title": "فتح المكتبة أيام السبت", "ar_text": "للقراءة وأداء الواجبات في عطلة نهاية الأسبوع."},
    )
    assert saved.status_code == 303
    assert db.session.get(Action, action.id).translations == {
        "en": {"title": "Open the library on Saturdays"},
        "ar": {"title": "فتح المكتبة أيام السبت", "body": "للقراءة وأداء الواجبات في عطلة نهاية الأسبوع."},
    }
    arabic = client.get(f"/actions/{action.id}", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert re.search(r'<h1 [^>]*lang="ar" dir="rtl">فتح المكتبة أيام السبت</h1>', arabic)
    # English has a title only: the description stays the French original, marked as French.
    english = client.get(f"/actions/{action.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="fr" dir="ltr">Pour lire et faire ses devoirs le week-end.</div>' in english

    too_long = client.post(f"/moderation/pedt/traductions/action/{action.id}", data={"en_title": "x" * 401})
    assert too_long.status_code == 422


def test_a_moderator_cannot_translate_another_consultations_action(client):
    action = _translated_action()
    other = make_consultation(slug="autre")
    login(client, make_moderator(other))
    assert client.get(f"/moderation/autre/traductions/action/{action.id}").status_code == 404


def test_api_messages_follow_accept_language(client):
    action = _translated_action()
    english = client.put(f"/api/v1/actions/{action.id}/votes/support", json={}, headers={"Accept-Language": "en"})
    assert english.status_code == 401
    assert english.get_json()["error"]["message"].startswith("You need to be signed in")
    french = client.put(f"/api/v1/actions/{action.id}/votes/support", json={})
    assert french.get_json()["error"]["message"].startswith("Il faut être connecté")


def test_names_typed_by_people_keep_their_own_direction_in_arabic(client):
    consultation = make_consultation()
    action = consultation.orientations[0].actions[0]
    sophie, other = make_participant(display_name="Sophie M."), make_participant(display_name="<b>Nadia</b>")
    add_comment(other, action, "Bonne idée.")
    db.session.commit()
    login(client, sophie)
    client.post("/langue", data={"locale": "ar"})

    html = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "متصل: <bdi>Sophie M.</bdi>" in html
    assert '<span class="author" id="auteur-' in html and "<bdi>&lt;b&gt;Nadia&lt;/b&gt;</bdi>" in html


@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_an_admins_menu_names_each_place_differently(client, language):
    """In Arabic « Gestion » and « Administration » were both « الإدارة »: two menu entries an admin could not tell apart."""
    login(client, make_participant(role=Role.ADMIN))
    client.post("/langue", data={"locale": language})
    menu = re.search(r'<nav[^>]*id="menu-principal".*?</nav>', client.get("/").get_data(as_text=True), re.S).group(0)
    names = [re.sub(r"<[^>]+>|\s+", " ", name).strip() for name in re.findall(r"<a [^>]*>(.*?)</a>", menu, re.S)]
    assert len(names) >= 5
    assert len(set(names)) == len(names), names


def test_english_quotes_the_english_way_on_buttons_and_in_every_message(client):
    """« » are French quotation marks: English buttons named « Action 1.1 » (as screen readers say the support,
    withdrawal and moderation buttons) and English messages that kept them read as half translated."""
    with (CATALOGUES / "en" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalogue = read_po(source, locale="en")
    french_marks = [entry.id for entry in catalogue if entry.id and any(
        "«" in form or "»" in form for form in (entry.string if isinstance(entry.string, tuple) else (entry.string,))
    )]
    assert french_marks == []

    consultation = make_consultation(slug="pedt")
    action = consultation.orientations[0].actions[0]
    author = make_participant()
    propose_action(author, consultation.orientations[0], "Un atelier cuisine", "Chaque mercredi au centre social.")
    db.session.commit()
    visitor = page_text(client.get("/consultations/pedt", headers={"Accept-Language": "en"}))
    assert "Support “Action 1.1”" in visitor and "«" not in visitor

    login(client, make_participant())
    client.post("/langue", data={"locale": "en"})
    client.post(f"/actions/{action.id}/votes/support")
    supporter = page_text(client.get(f"/actions/{action.id}"))
    assert "Support “Action 1.1”" in supporter and "«" not in supporter
    client.post("/auth/logout")

    login(client, make_moderator(consultation))
    client.post("/langue", data={"locale": "en"})
    queue = page_text(client.get("/moderation/pedt/proposals"))
    assert "Publish “Un atelier cuisine”" in queue and "«" not in queue


def test_no_template_puts_french_quotation_marks_around_what_it_prints():
    """A title or a quote printed between « » written in the template stays in French quotation marks in every
    language; the catalogue's « %(title)s » is quoted the reader's way (“ ” in English)."""
    around_a_value = re.compile(r"«\s*(?:<[a-z/][^<>]*>\s*)*\{\{|\}\}\s*(?:<[a-z/][^<>]*>\s*)*»")
    found = [
        f"{template.relative_to(ROOT)}: {match.group(0)}"
        for template in sorted((ROOT / "templates").rglob("*.html"))
        for match in around_a_value.finditer(re.sub(r"\{#.*?#\}", "", template.read_text(), flags=re.S))
    ]
    assert found == []
