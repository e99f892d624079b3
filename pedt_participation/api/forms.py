"""The admin's form to issue an API token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import Email, InputRequired, Length, Optional


class TokenForm(FlaskForm):
    name = StringField(
        _l("Nom du jeton"),
        description=_l("Pour savoir qui s’en sert, par exemple « Decidim de la ville »."),
        validators=[InputRequired(_l("Donnez un nom au jeton.")), Length(max=120, message=_l("120 caractères au maximum."))],
    )
    owner_email = EmailField(
        _l("Compte pour lequel le jeton agit"),
        description=_l(
            "Laissez vide pour le jeton de la plateforme : il agit pour la personne de la plateforme nommée dans "
            "chaque demande. Sinon, indiquez l’adresse d’un compte : le jeton agit en son nom, avec son rôle."
        ),
        validators=[Optional(), Email(_l("Cette adresse e-mail n’est pas valide."))],
    )
