"""Vote buttons post this form; the value is checked by the voting service against the vote's kind."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import Optional


class VoteForm(FlaskForm):
    value = IntegerField(validators=[Optional()])
