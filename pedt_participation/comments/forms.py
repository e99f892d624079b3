"""Comment and reply forms."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from ..labels import ALIGNMENT_LABELS
from .services import MAX_COMMENT_LENGTH, MAX_IDEMPOTENCY_KEY_LENGTH


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Votre commentaire"),
        validators=[
            InputRequired(_l("Votre commentaire est vide : écrivez quelques mots avant d’envoyer.")),
            Length(max=MAX_COMMENT_LENGTH, message=_l("5 000 caractères au maximum.")),
        ],
    )
    alignment = RadioField(
        _l("Votre position sur cette action"),
        choices=[SelectChoice(int(a), label) for a, label in ALIGNMENT_LABELS.items()],
        coerce=int,
        default=0,
    )
    parent_id = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    # A new key each time the form is shown: sending the same form twice publishes one comment.
    idempotency_key = HiddenField(
        default=lambda: secrets.token_urlsafe(16),
        validators=[Optional(), Length(max=MAX_IDEMPOTENCY_KEY_LENGTH, message=_l("Rechargez la page, puis réessayez."))],
    )


class RatingForm(FlaskForm):
    value = IntegerField(validators=[Optional()])


class DeletionForm(FlaskForm):
    """Deleting is final: the button that sends this form sits behind a first "Supprimer" that only asks."""

    confirmed = HiddenField()
