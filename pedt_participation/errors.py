"""What a person sees when something goes wrong: a French page (or JSON under /api) saying what to do."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


class ParticipationRefused(Exception):
    """A rule of the consultation forbids this (phase closed, limit reached, not eligible…).
    The message is shown to the person as is, so it must say what happened and what they can do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _error_messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Demande incomplète"), _("La demande n’a pas pu être comprise. Revenez en arrière et réessayez.")),
        403: (_("Accès refusé"), _("Cette page est réservée à d’autres personnes. Si vous pensez que c’est une erreur, contactez l’équipe de la consultation.")),
        404: (_("Page introuvable"), _("Cette page n’existe pas ou n’est plus publiée. Vous pouvez revenir à la liste des consultations.")),
        405: (_("Action impossible"), _("Cette adresse ne s’utilise pas ainsi. Revenez à la page précédente.")),
        429: (_("Trop de tentatives"), _("Vous avez fait trop de demandes en peu de temps. Attendez une minute puis réessayez.")),
        500: (_("Erreur de notre côté"), _("Un problème technique nous empêche de répondre. Ce que vous aviez déjà enregistré est conservé. Réessayez dans quelques minutes.")),
    }


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        title = _("Le formulaire a expiré")
        message = _(
            "Pour votre sécurité, le formulaire n’est valable qu’un temps limité. Revenez en arrière avec le "
            "bouton « Précédent » : ce que vous aviez écrit y est encore. Rechargez la page, puis envoyez à nouveau."
        )
        return render_template("errors/error.html", title=title, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        title, message = _error_messages().get(status, (error.name, error.description or ""))
        if _wants_json():
            code = (error.name or "error").lower().replace(" ", "_")
            return jsonify(error={"code": code, "message": message}), status
        return render_template("errors/error.html", title=title, message=message), status

