"""The language switch in every page's header, and the moderators' translation of an action or orientation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from .services import LANGUAGE_NAMES, text_direction


class LanguageForm(FlaskForm):
    locale = SelectField(
        _l("Langue"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()],
        validators=[InputRequired(_l("Choisissez une langue."))],
    )


def _language(code: str) -> dict[str, str]:
    """Typed text is spell-checked in its own language, and Arabic is written right to left."""
    return {"lang": code, "dir": text_direction(code)}


class ContentTranslationForm(FlaskForm):
    """Every field is optional: what is left empty shows the French original."""

    en_title = StringField(_l("Titre en anglais"), validators=[Length(max=400)], render_kw=_language("en"))
    en_text = TextAreaField(_l("Texte en anglais"), render_kw=_language("en"))
    ar_title = StringField(_l("Titre en arabe"), validators=[Length(max=400)], render_kw=_language("ar"))
    ar_text = TextAreaField(_l("Texte en arabe"), render_kw=_language("ar"))
