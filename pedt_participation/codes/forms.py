"""Forms of participation codes: a batch to print, a batch to revoke, a code to enter."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import AnyOf, InputRequired, Length

from .services import MAX_CODES_PER_BATCH


class BatchForm(FlaskForm):
    label = StringField(
        _l("Lieu de distribution"),
        validators=[InputRequired(_l("Dites où les codes seront distribués.")), Length(max=120)],
        description=_l("Par exemple « École Jean-Jaurès » ou « Centre social des Tilleuls » : dit à qui n’a pas de code où en trouver un."),
    )
    count = IntegerField(
        _l("Nombre de codes"),
        validators=[InputRequired(_l("Écrivez un nombre entier, par exemple 30."))],
        description=_l("De 1 à %(max)s ; huit codes par feuille A4.", max=MAX_CODES_PER_BATCH),
    )


class RevokeForm(FlaskForm):
    confirmed = HiddenField(validators=[AnyOf(["oui"], message=_l("Confirmez avec le bouton de la page."))])
    reason = StringField(_l("Raison"), validators=[Length(max=500)])


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code de participation"),
        validators=[InputRequired(_l("Recopiez le code imprimé sur votre papier."))],
        description=_l("Huit lettres et chiffres, imprimés sur le papier remis par l’école ou le centre."),
    )
