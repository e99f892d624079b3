"""What a person sees when something goes wrong: a French page (or JSON under /api) saying what to do."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, Response, current_app, flash, jsonify, make_response, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException, RequestURITooLarge, SecurityError

from .extensions import db
from .messages import flash_beside
from .ratelimits import wait_before_retrying


class ParticipationRefused(Exception):
    """A rule of the consultation forbids this (phase closed, limit reached, not eligible…).
    The message is shown to the person as is, so it must say what happened and what they can do; `field` names
    the form field it is about, when there is one, so that a page shows it there."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(Exception):
    """What was asked for does not exist, or is not shown to this person: the page (or API answer) of a 404,
    so that nothing is learnt of a row one may not see."""


class Forbidden(Exception):
    """This person may not do this. `code` and `message` tell an API client why; pages show the standard
    refusal page."""

    def __init__(self, code: str = "forbidden", message: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


@contextmanager
def refusal_shown(
    errors: list[str] | None = None, form: FlaskForm | None = None, beside: str | None = None
) -> Iterator[None]:
    """Around a page's call to a service, with its commit and its message of success: a refusal undoes what the
    call wrote and is shown where the person is looking, beside the form field whose `errors` are given (or, with
    `form`, beside the field the refusal names), or else as a message on the page the view sends them back to,
    at the element `beside` names when given. The code after the block runs either way."""
    try:
        yield
    except ParticipationRefused as refusal:
        db.session.rollback()
        if form is not None and refusal.field is not None and refusal.field in form:
            errors = form[refusal.field].errors = list(form[refusal.field].errors)
        if errors is None and beside is not None:
            flash_beside(beside, refusal.message, "error")
        elif errors is None:
            flash(refusal.message, "error")
        else:
            errors.append(refusal.message)


def refuse_untrusted_host() -> None:
    """Before any other hook: a Host header outside TRUSTED_HOSTS is refused at once (Flask only notes it, and
    then no hook or page can build a link)."""
    if isinstance(request.routing_exception, SecurityError):
        raise request.routing_exception


def refuse_long_addresses() -> None:
    """An address longer than MAX_URL_LENGTH is refused with the site's 414, before anything reads it (gunicorn lets
    longer request lines through to the app for that, up to its own limit)."""
    if len(request.environ.get("RAW_URI") or request.full_path) > current_app.config["MAX_URL_LENGTH"]:
        raise RequestURITooLarge()


class ForbiddenCharacterRefused(BadRequest):
    """The request carries a character no text may hold: a NUL (\\x00), which Postgres refuses in any text, or
    half of a UTF-16 pair (a lone surrogate, possible in JSON's \\ud800), which cannot be written in UTF-8."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code


# A lone surrogate: half of a character that JSON's \u escapes can name but UTF-8 cannot hold.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _forbidden_character(value: Any) -> str | None:
    """The code of the first forbidden character found in the value (a form, query or JSON's strings)."""
    if isinstance(value, str):
        if "\x00" in value:
            return "nul_character"
        return "broken_character" if LONE_SURROGATE.search(value) else None
    if isinstance(value, dict):
        value = [item for pair in value.items() for item in pair]
    if isinstance(value, list):
        return next(filter(None, map(_forbidden_character, value)), None)
    return None


# The only bodies Werkzeug reads as form fields and files: for any other, `request.form` and `request.files` are
# empty, and asking for them (as every API call would) only costs the parser's setting up.
FORM_BODIES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


def refuse_forbidden_characters() -> None:
    """The one place that refuses a NUL character in the address, a query argument, a form field, a file
    name or a JSON string, and a lone surrogate in JSON, for pages and API alike: the database would raise on
    them (a 500), and no person means to send one (they come from a pasted binary, a broken program or a fuzzer).
    Reading the JSON here also refuses one nested too deep (`SiteJSONProvider`) before anything else reads it."""
    sent: list[Any] = [request.path, *([key, *values] for key, values in request.args.lists())]
    if request.mimetype in FORM_BODIES:
        sent.append([file.filename or "" for file in request.files.values()])
        sent += [[key, *values] for key, values in request.form.lists()]
    if request.is_json:
        sent.append(request.get_json(silent=True))
    code = _forbidden_character(sent)
    if code is not None:
        raise ForbiddenCharacterRefused(code)


# Deeper than any body the API expects; far below what would exhaust Python's stack.
MAX_JSON_DEPTH = 32


class JsonTooDeep(BadRequest):
    """A JSON body nested deeper than MAX_JSON_DEPTH: a BadRequest, not the ValueError of a malformed body, so that
    it is answered even where the body is read with `silent=True`."""


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and objects are nested more than `limit` deep; without recursion, whatever the depth."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            pending.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


class SiteJSONProvider(DefaultJSONProvider):
    """Flask's JSON, which refuses a body nested too deep: Python's parser would raise RecursionError (a 500) on
    `[[[[…`, and a body just below its limit would exhaust the stack of whatever walks it next."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise JsonTooDeep() from None
        if _deeper_than(value, MAX_JSON_DEPTH):
            raise JsonTooDeep()
        return value


def _error_messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Demande incomplète"), _("La demande n’a pas pu être comprise. Revenez en arrière et réessayez.")),
        401: (_("Connexion nécessaire"), _("Il faut être connecté pour cela. Connectez-vous, puis réessayez.")),
        403: (_("Accès refusé"), _("Cette page est réservée à d’autres personnes. Si vous pensez que c’est une erreur, contactez l’équipe de la consultation.")),
        404: (_("Page introuvable"), _("Cette page n’existe pas ou n’est plus publiée. Vous pouvez revenir à la liste des consultations.")),
        405: (_("Action impossible"), _("Cette adresse ne s’utilise pas ainsi. Revenez à la page précédente.")),
        413: (_("Envoi trop volumineux"), _(
            "Ce que vous avez envoyé dépasse la taille acceptée (%(size)s Mo). Raccourcissez le texte ou choisissez "
            "un fichier plus petit, puis envoyez à nouveau.",
            size=format_decimal((request.max_content_length or 0) / (1024 * 1024), "#,##0.#"),
        )),
        414: (_("Adresse trop longue"), _(
            "L’adresse demandée est trop longue pour être lue. Raccourcissez-la (moins de paramètres), puis réessayez."
        )),
        415: (_("Format non accepté"), _("Envoyez les données en JSON (en-tête Content-Type: application/json).")),
        422: (_("Valeurs à corriger"), _("Certaines valeurs envoyées ne conviennent pas : le détail est donné pour chaque champ.")),
        500: (_("Erreur de notre côté"), _("Un problème technique nous empêche de répondre. Ce que vous aviez déjà enregistré est conservé. Réessayez dans quelques minutes.")),
    }


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _json_error(status: int, code: str, message: str, field_errors: dict | None = None):
    error = {"code": code, "message": message}
    if field_errors:
        error["fields"] = field_errors
    return jsonify(error=error), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ForbiddenCharacterRefused)
    def forbidden_character(error: ForbiddenCharacterRefused):
        if error.code == "nul_character":
            message = _(
                "Le texte envoyé contient un caractère invisible interdit (le caractère nul, souvent collé depuis "
                "un autre logiciel). Retirez-le ou retapez le texte, puis envoyez à nouveau."
            )
        else:
            message = _(
                "Le texte envoyé contient un caractère mal codé (une moitié de caractère, comme \\ud800 seul en "
                "JSON). Envoyez du texte en UTF-8 valide, puis réessayez."
            )
        if _wants_json():
            return _json_error(400, error.code, message)
        return render_template("errors/error.html", title=_("Caractère interdit"), message=message), 400

    @app.errorhandler(JsonTooDeep)
    def json_too_deep(error: JsonTooDeep):
        message = _(
            "Les données JSON envoyées sont imbriquées trop profondément (plus de %(depth)s niveaux de listes ou "
            "d’objets). Envoyez-les sous une forme plus simple, comme le décrit la documentation de l’API.",
            depth=MAX_JSON_DEPTH,
        )
        if _wants_json():
            return _json_error(400, "json_too_deep", message)
        return render_template("errors/error.html", title=_("Demande incomplète"), message=message), 400

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        """The Host header is not one of TRUSTED_HOSTS, so Flask has no routes to build a link with: a plain
        answer, which never echoes the host."""
        title = _("Adresse du site inconnue")
        message = _("Ce site ne répond qu’à sa propre adresse. Ouvrez-le depuis son lien habituel, puis réessayez.")
        if _wants_json():
            return _json_error(400, "untrusted_host", message)
        return Response(f"{title}\n\n{message}\n", 400, mimetype="text/plain")

    @app.errorhandler(ParticipationRefused)
    def refused(refusal: ParticipationRefused):
        """Pages keep the person on their page with `refusal_shown`; the API answers refusals here."""
        if _wants_json():
            return _json_error(409, "refused", refusal.message)
        return render_template("errors/error.html", title=_("Action impossible"), message=refusal.message), 409

    @app.errorhandler(NotFound)
    def not_found(error: NotFound):
        return _standard_answer(404, "not_found")

    @app.errorhandler(Forbidden)
    def forbidden(error: Forbidden):
        return _standard_answer(403, error.code, error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        if _wants_json():
            message = _("Jeton CSRF absent ou expiré : envoyez l’en-tête X-CSRFToken d’une page du site, ou un jeton d’API.")
            return _json_error(400, "csrf_failed", message)
        title = _("Le formulaire a expiré")
        message = _(
            "Pour votre sécurité, le formulaire n’est valable qu’un temps limité. Revenez en arrière avec le "
            "bouton « Précédent » : ce que vous aviez écrit y est encore. Rechargez la page, puis envoyez à nouveau."
        )
        return render_template("errors/error.html", title=title, message=message), 400

    @app.errorhandler(RateLimitExceeded)
    def too_many_requests(error: RateLimitExceeded):
        title = _("Trop de tentatives")
        message = _(
            "Vous avez fait trop de demandes en peu de temps. Pour protéger le site, attendez %(wait)s, puis "
            "réessayez. Ce qui a déjà été enregistré est conservé.",
            wait=wait_before_retrying(),
        )
        if _wants_json():
            return _json_error(429, "too_many_requests", message)
        return render_template("errors/error.html", title=title, message=message), 429

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        # flask-smorest's abort (and webargs' validation) put the details in `data`.
        data = getattr(error, "data", None) or {}
        code = data.get("code") or (error.name or "error").lower().replace(" ", "_")
        default = (error.name, error.description or "")
        response = make_response(_standard_answer(status, code, data.get("message"), data.get("messages"), default))
        # What the exception says in its headers (the methods allowed, after a 405) stays said.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response


def _standard_answer(
    status: int,
    code: str,
    message: str | None = None,
    field_errors: dict | None = None,
    default: tuple[str, str] = ("", ""),
):
    """The page of an HTTP status with its usual French words, or under /api its JSON, where `code` and
    `message` say more when the refusal has its own."""
    title, usual_message = _error_messages().get(status, default)
    if _wants_json():
        return _json_error(status, code, message or usual_message, field_errors)
    return render_template("errors/error.html", title=title, message=usual_message), status

