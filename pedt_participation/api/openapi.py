"""The OpenAPI 3 document of API v1, written by flask-smorest from the views' marshmallow schemas, and
its browsable documentation served from this machine (no CDN: the town's network may have none)."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template, send_from_directory, url_for
from flask_smorest import Api
from flask_smorest.spec.plugins import integerconverter2paramschema
from swagger_ui_bundle import swagger_ui_path
from werkzeug.routing import IntegerConverter

from .schemas import ErrorEnvelopeSchema

OPENAPI_PATH = "/api/v1/openapi.json"

DESCRIPTION = """\
Consultations, orientations, actions and their public counts are open to everyone. Writing needs an actor:

- **platform token** (`Authorization: Bearer …` without owner) plus the header `X-Platform-User: <platform user id>`:
  the platform acts for one of its users, who must have signed in here once through the platform (to give the
  profile that votes need);
- **personal token** (`Authorization: Bearer …` issued for an account): acts as that account, with its role;
- **session**: the browser's session cookie, with the `X-CSRFToken` header on every write.

Tokens are issued by an admin (`flask api-token issue`). Errors are JSON, `{"error": {"code", "message"}}`,
with `message` in plain French, meant to be shown to the person as is. Every list is paginated
(`page`, `per_page`; `links.next` and `links.prev`)."""


class RowId(IntegerConverter):
    """A database id in a URL: out-of-range numbers are a 404, never a database error."""

    def __init__(self, map, **kwargs):
        super().__init__(map, min=1, max=2**31 - 1, **kwargs)


class DocumentedErrorsApi(Api):
    """The OpenAPI document describes errors in the envelope `errors.py` answers with."""

    ERROR_SCHEMA = ErrorEnvelopeSchema


api = DocumentedErrorsApi()

docs_bp = Blueprint("api_docs", __name__, url_prefix="/api/v1/docs")


@docs_bp.get("/")
def documentation():
    return render_template("api/docs.html", spec_url=OPENAPI_PATH, assets=url_for(".assets", filename=""))


@docs_bp.get("/assets/<path:filename>")
def assets(filename: str):
    return send_from_directory(swagger_ui_path, filename, max_age=86400)


def init_api(app: Flask, blueprints: list) -> None:
    app.config.update(
        API_TITLE="pedt-participation",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {"description": DESCRIPTION},
            "components": {
                "securitySchemes": {
                    "token": {"type": "http", "scheme": "bearer"},
                    "platformUser": {"type": "apiKey", "in": "header", "name": "X-Platform-User"},
                    "session": {"type": "apiKey", "in": "cookie", "name": "session"},
                }
            },
        },
    )
    # flask-smorest registers its own handler of every HTTPException, which would answer the whole site in
    # JSON; `errors.register_error_handlers`, called after this, replaces it with the site's handler (JSON under
    # /api/, French pages elsewhere).
    api.init_app(app)
    api.register_converter(RowId, integerconverter2paramschema)
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    app.register_blueprint(docs_bp)
