"""The decision form under each action of the decisions page, and the e-mail preference."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import InputRequired

from ..labels import DECISION_PROGRESS_LABELS, DECISION_VERDICT_LABELS
from ..models import Decision, DecisionProgress, DecisionVerdict
from .services import DecisionEdit


class DecisionForm(FlaskForm):
    verdict = SelectField(
        _l("Décision"),
        choices=[SelectChoice("", _l("Choisir…")), *(SelectChoice(v.value, label) for v, label in DECISION_VERDICT_LABELS.items())],
        validators=[InputRequired(_l("Choisissez une décision dans la liste."))],
    )
    explanation = TextAreaField(
        _l("Explication (lue par les participants)"),
        description=_l("Pourquoi ce choix, et ce qui change s’il y a des modifications."),
        validators=[InputRequired(_l("Expliquez la décision en quelques phrases : les participants la liront."))],
    )
    progress = SelectField(
        _l("Avancement"),
        choices=[SelectChoice("", _l("Pas encore indiqué")), *(SelectChoice(p.value, label) for p, label in DECISION_PROGRESS_LABELS.items())],
        description=_l("À remplir plus tard, quand l’action avance. Pas pour une action non retenue."),
        default="",
    )
    progress_note = TextAreaField(_l("Note sur l’avancement"), description=_l("Une ou deux phrases, par exemple une date."))

    @classmethod
    def for_action(cls, action_id: int, decision: Decision | None, formdata=None) -> DecisionForm:
        """The form of one action (its fields prefixed by its id), showing the recorded decision or what was typed."""
        data = {}
        if decision is not None:
            data = {
                "verdict": decision.verdict.value,
                "explanation": decision.explanation,
                "progress": decision.progress.value if decision.progress else "",
                "progress_note": decision.progress_note,
            }
        return cls(prefix=f"d{action_id}", formdata=formdata, data=data)

    def edit(self) -> DecisionEdit:
        return DecisionEdit(
            verdict=DecisionVerdict(self.verdict.data),
            explanation=self.explanation.data or "",
            progress=DecisionProgress(self.progress.data) if self.progress.data else None,
            progress_note=self.progress_note.data or "",
        )


class DecisionEmailsForm(FlaskForm):
    wanted = BooleanField(_l("Recevoir aussi par e-mail les décisions sur les actions auxquelles j’ai participé"))
