"""Webhook forms: an endpoint, a confirmation for what cannot be undone, and the log's filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, SelectMultipleField, StringField, URLField
from wtforms.validators import URL, DataRequired, InputRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from ..labels import DELIVERY_STATUS_LABELS, WEBHOOK_EVENT_LABELS
from ..models import WebhookEvent


class EndpointForm(FlaskForm):
    url = URLField(
        _l("Adresse qui reçoit les événements"),
        description=_l("Donnée par la plateforme ; elle commence par https://."),
        validators=[
            InputRequired(_l("Indiquez l’adresse qui recevra les événements.")),
            Length(max=500, message=_l("500 caractères au maximum.")),
            Regexp(r"^https?://", message=_l("L’adresse doit commencer par https:// (ou http://).")),
            URL(require_tld=False, message=_l("Cette adresse n’est pas valide : copiez-la à nouveau depuis la plateforme.")),
        ],
    )
    description = StringField(
        _l("Description"),
        description=_l("Pour vous y retrouver, par exemple « Decidim de la ville »."),
        validators=[Optional(), Length(max=200, message=_l("200 caractères au maximum."))],
    )
    events = SelectMultipleField(
        _l("Événements envoyés"),
        choices=[SelectChoice(event.value, label) for event, label in WEBHOOK_EVENT_LABELS.items() if event != WebhookEvent.PING],
        validators=[DataRequired(_l("Cochez au moins un événement."))],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    active = BooleanField(_l("Active : les événements lui sont envoyés"), default=True)


class ConfirmForm(FlaskForm):
    confirm = BooleanField(_l("Je confirme"), validators=[DataRequired(_l("Cochez « Je confirme » pour continuer."))])


class DeliveryFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it only filters what is shown

    webhook = SelectField(_l("Adresse"), coerce=lambda v: int(v) if v else None, validators=[Optional()])
    status = SelectField(
        _l("État"),
        choices=[SelectChoice("", _l("Tous"))]
        + [SelectChoice(status.value, label) for status, label in DELIVERY_STATUS_LABELS.items()],
        validators=[Optional()],
    )
