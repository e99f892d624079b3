"""The proposal form ("proposer une action")."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length


class ProposalForm(FlaskForm):
    orientation_id = SelectField(
        _l("Orientation concernée"),
        coerce=int,
        validators=[InputRequired(_l("Choisissez l’orientation à laquelle votre action se rattache."))],
    )
    title = StringField(
        _l("Votre action en une phrase"),
        description=_l("Exemple : « Ouvrir la bibliothèque du collège le samedi matin »."),
        validators=[
            InputRequired(_l("Écrivez votre action en une phrase.")),
            Length(min=5, max=200, message=_l("Entre 5 et 200 caractères.")),
        ],
    )
    body = TextAreaField(
        _l("Expliquez en quelques lignes"),
        description=_l("Pour qui ? Pourquoi ? Comment ? 3 000 caractères au maximum."),
        validators=[Length(max=3000, message=_l("3 000 caractères au maximum."))],
    )
    # Set once the person has seen the similar actions and still wants to send their own.
    confirmed = BooleanField()
