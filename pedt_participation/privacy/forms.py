"""The erasure confirmation: a box to tick, so that one stray click never erases an account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import InputRequired


class ErasureForm(FlaskForm):
    understood = BooleanField(
        _l("J’ai compris : mon compte sera supprimé pour toujours et je ne pourrai pas le récupérer"),
        validators=[InputRequired(_l("Cochez la case pour confirmer que vous voulez supprimer votre compte."))],
    )
