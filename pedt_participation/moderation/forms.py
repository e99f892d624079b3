"""Forms of the proposal queue."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..labels import REFUSAL_CATEGORY_LABELS


class ApproveForm(FlaskForm):
    title = StringField(
        _l("Titre publié"),
        validators=[InputRequired(_l("Le titre ne peut pas être vide.")), Length(min=5, max=200, message=_l("Entre 5 et 200 caractères."))],
    )
    body = TextAreaField(_l("Description publiée"), validators=[Length(max=3000, message=_l("3 000 caractères au maximum."))])
    orientation_id = SelectField(_l("Orientation"), coerce=int)


class RejectForm(FlaskForm):
    category = SelectField(
        _l("Motif du refus"),
        description=_l("L’auteur le voit ; la synthèse du comité compte les refus par motif."),
        choices=[SelectChoice("", _l("Choisissez…"))]
        + [SelectChoice(category.value, label) for category, label in REFUSAL_CATEGORY_LABELS.items()],
        validators=[InputRequired(_l("Choisissez le motif du refus."))],
    )
    reason = TextAreaField(
        _l("Raison du refus (montrée à l’auteur)"),
        validators=[InputRequired(_l("Expliquez à l’auteur pourquoi sa proposition n’est pas retenue.")), Length(max=1000)],
    )


class MergeForm(FlaskForm):
    target_id = SelectField(
        _l("Regrouper avec l’action"),
        coerce=int,
        validators=[InputRequired(_l("Choisissez l’action avec laquelle regrouper cette proposition."))],
    )
