"""Which language a page is shown in, and which words of an action or orientation it shows.

French is the reference: every message is written in French and translated in the catalogues under
`translations/`. Content written by people (actions, orientations) stays in its language, French, unless
a moderator entered a translation for the reader's language."""

from __future__ import annotations

import functools
from contextlib import AbstractContextManager
from dataclasses import dataclass

import flask_babel
from babel import Locale
from babel.numbers import format_decimal
from flask_babel import get_locale
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from ..errors import NotFound
from ..extensions import db
from ..models import Action, Consultation, Orientation, Participant

ORIGINAL_LANGUAGE = "fr"
# Each language named in itself, in the order of the switch.
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "ar": "العربية"}
TRANSLATED_LANGUAGES = tuple(code for code in LANGUAGE_NAMES if code != ORIGINAL_LANGUAGE)
RIGHT_TO_LEFT = frozenset({"ar"})
LOCALE_COOKIE = "langue"
LOCALE_COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest browsers keep a cookie


def current_language() -> str:
    return str(get_locale() or ORIGINAL_LANGUAGE)


def in_language_of(person: Participant) -> AbstractContextManager[None]:
    """Around words written to one person (a notification, its e-mail): in the language they chose on the site,
    French if they never chose one, whoever's request writes them."""
    return flask_babel.force_locale(person.locale or ORIGINAL_LANGUAGE)


def format_count(number: int, signed: bool = False) -> str:
    """A count written the reader's way: 14 364 in French, 14,364 in English (Western digits in Arabic too,
    as in the Maghreb and on French documents). `signed` writes the + of a rise."""
    return _formatted_count(number, signed, get_locale())


@functools.lru_cache(maxsize=4096)
def _formatted_count(number: int, signed: bool, locale: Locale | None) -> str:
    """Kept per count and language: Babel's formatting took ~15 µs a count, and the consultation page writes up to
    five counts on each of its cards."""
    return format_decimal(number, format="+#,##0;-#,##0" if signed else None, locale=locale)


def plural_count(num: int, language: str | None = None) -> int:
    """The count gettext should choose the form by. French has no catalogue (it is the code's language), so
    gettext would fall back to "plural unless 1" and write "0 soutiens"; French takes the singular for 0
    and 1 (CLDR: plural from 2)."""
    return 1 if abs(num) < 2 and (language or current_language()) == ORIGINAL_LANGUAGE else num


class CountWords:
    """Flask-Babel's ngettext with `%(num)s` given as `format_count(num)`: "1 234 soutiens", not "1234". Made once
    for many counts (the consultation page's cards), it looks the reader's translations and language up once."""

    def __init__(self) -> None:
        self._translations = flask_babel.get_translations()
        self._locale = get_locale()
        self._language = current_language()

    def __call__(self, singular: str, plural: str, num: int, **variables: object) -> str:
        variables.setdefault("num", _formatted_count(num, False, self._locale))
        return self._translations.ngettext(singular, plural, plural_count(num, self._language)) % variables


def ngettext(singular: str, plural: str, num: int, **variables: object) -> str:
    """A count in words, in the reader's language (see CountWords)."""
    return CountWords()(singular, plural, num, **variables)


def install_template_translations(jinja_env: Environment) -> None:
    """Templates' gettext (and `_`) and ngettext, in place of those Flask-Babel installs through Jinja's i18n
    extension: the same escaping of the variables (the translation is markup, the variables are not), with
    ngettext's `%(num)s` written as format_count, but the translations read in one call rather than through three
    wrappers; the consultation page calls them some 400 times."""

    @pass_context
    def template_gettext(context: Context, string: str, **variables: object) -> str:
        return _escaping(context, flask_babel.get_translations().gettext(string)) % variables

    @pass_context
    def template_ngettext(context: Context, singular: str, plural: str, num: int, **variables: object) -> str:
        variables.setdefault("num", format_count(num))
        translated = flask_babel.get_translations().ngettext(singular, plural, plural_count(num))
        return _escaping(context, translated) % variables

    jinja_env.globals.update(gettext=template_gettext, _=template_gettext, ngettext=template_ngettext)


def _escaping(context: Context, translated: str) -> str:
    """Where the template escapes, the translation as markup, so that `%` escapes the variables put in it."""
    return Markup(translated) if context.eval_ctx.autoescape else translated


def text_direction(language: str) -> str:
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


@functools.lru_cache(maxsize=64)
def language_attributes(language: str) -> Markup:
    """`lang` and `dir` for a piece of text, so screen readers pronounce it right and French stays
    left-to-right inside an Arabic page. Kept per language: pages write them for every title and text."""
    return Markup('lang="{}" dir="{}"').format(language, text_direction(language))


def remember_locale(participant: Participant | None, language: str) -> None:
    """The choice follows a signed-in person to their other devices (the cookie is set by the view)."""
    if participant is not None:
        participant.locale = language
        db.session.flush()


def _text_field(item: Action | Orientation) -> str:
    return "body" if isinstance(item, Action) else "description"


@dataclass(frozen=True)
class ShownContent:
    """An action's or orientation's title and text as a reader sees them, each with its language."""

    title: str
    title_language: str
    text: str
    text_language: str
    # The easy-to-read version (FALC), empty where none is written.
    easy_read: str = ""
    easy_read_language: str = ORIGINAL_LANGUAGE

    @property
    def title_attributes(self) -> Markup:
        return language_attributes(self.title_language)

    @property
    def text_attributes(self) -> Markup:
        return language_attributes(self.text_language)

    @property
    def easy_read_attributes(self) -> Markup:
        return language_attributes(self.easy_read_language)

    @property
    def is_translated(self) -> bool:
        return self.title_language != ORIGINAL_LANGUAGE or self.text_language != ORIGINAL_LANGUAGE


def content_for_reader(item: Action | Orientation) -> ShownContent:
    """The reader's language where a moderator translated it, field by field; the French original elsewhere."""
    language = current_language()
    original_text = getattr(item, _text_field(item))
    translation = (item.translations or {}).get(language, {}) if language != ORIGINAL_LANGUAGE else {}
    title = translation.get("title")
    text = translation.get(_text_field(item)) if original_text else None
    easy_read = translation.get("easy_read") if item.easy_read else None
    return ShownContent(
        title=title or item.title,
        title_language=language if title else ORIGINAL_LANGUAGE,
        text=text or original_text,
        text_language=language if text else ORIGINAL_LANGUAGE,
        easy_read=easy_read or item.easy_read,
        easy_read_language=language if easy_read else ORIGINAL_LANGUAGE,
    )


def translatable(consultation: Consultation, kind: str, item_id: int) -> Action | Orientation:
    """The action or orientation to translate, provided it belongs to this consultation (NotFound otherwise)."""
    item: Action | Orientation | None = None
    if kind == "action":
        item = db.session.get(Action, item_id)
    elif kind == "orientation":
        item = db.session.get(Orientation, item_id)
    if item is None:
        raise NotFound()
    orientation = item if isinstance(item, Orientation) else item.orientation
    if orientation.consultation_id != consultation.id:
        raise NotFound()
    return item


def translation_fields(item: Action | Orientation) -> dict[str, str]:
    """The form's initial values: `en_title`, `en_text`, `ar_title`, `ar_text`."""
    text_field = _text_field(item)
    values = {}
    for language in TRANSLATED_LANGUAGES:
        translation = (item.translations or {}).get(language, {})
        values[f"{language}_title"] = translation.get("title", "")
        values[f"{language}_text"] = translation.get(text_field, "")
    return values


def save_translations(item: Action | Orientation, fields: dict[str, str]) -> None:
    """A language left empty is removed: readers then see the French original. The easy-to-read version's
    translation, entered in the management pages, is kept. An archived consultation's words stay as they are."""
    # Imported here: moderation's services import this module for the language of a notification.
    from ..moderation.services import check_moderation_open

    check_moderation_open(item.orientation.consultation if isinstance(item, Action) else item.consultation)
    text_field = _text_field(item)
    translations = {}
    for language in TRANSLATED_LANGUAGES:
        entry = {
            "easy_read": (item.translations or {}).get(language, {}).get("easy_read", ""),
            "title": (fields.get(f"{language}_title") or "").strip(),
            text_field: (fields.get(f"{language}_text") or "").strip(),
        }
        entry = {key: value for key, value in entry.items() if value}
        if entry:
            translations[language] = entry
    item.translations = translations  # a new dict, so that SQLAlchemy sees the change
    db.session.flush()


def translated_languages(item: Action | Orientation) -> list[str]:
    return [LANGUAGE_NAMES[language] for language in TRANSLATED_LANGUAGES if (item.translations or {}).get(language)]
