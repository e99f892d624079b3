"""pedt-participation: participatory consultation on a town's education plan (PEDT, Cité éducative)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .auth.platform import init_platform_sign_in
from .config import INSECURE_DEFAULT_SECRET_KEY, build_config
from .errors import SiteJSONProvider, refuse_forbidden_characters, refuse_long_addresses, refuse_untrusted_host
from .extensions import babel, cache, celery_init_app, csrf, db, login_manager, migrate
from .languages.selection import select_locale
from .models.types import render_migration_item
from .operations.logs import hide_secret_paths, init_request_logging

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(build_config(app.instance_path))
    if test_config:
        test_config = dict(test_config)
        celery_overrides = test_config.pop("CELERY", {})
        app.config.update(test_config)
        app.config["CELERY"] = {**app.config["CELERY"], **celery_overrides}
    _refuse_insecure_secret_key(app)
    if app.config["TRUSTED_PROXY_COUNT"]:
        proxies = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    # First, so that every request has its id before any other hook can refuse it (rate limits, sign-in).
    init_request_logging(app)
    app.before_request(refuse_untrusted_host)
    app.before_request(refuse_long_addresses)
    # Next, before any hook or view hands a value to the database.
    app.json = SiteJSONProvider(app)
    app.before_request(refuse_forbidden_characters)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_item=render_migration_item)
    csrf.init_app(app)
    cache.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    celery_init_app(app)
    init_platform_sign_in(app)

    from . import models  # noqa: F401  (registers every table on the metadata)
    from .admin.views import bp as admin_bp
    from .answers.views import bp as answers_bp
    from .api.cli import api_token_cli
    from .api.committee_views import bp as api_committee_bp
    from .api.moderation_views import bp as api_moderation_bp
    from .api.openapi import RowId, init_api
    from .api.participation_views import bp as api_participation_bp
    from .api.views import bp as api_bp
    from .auth.views import bp as auth_bp
    from .codes.views import bp as codes_bp
    from .comments.views import bp as comments_bp
    from .committee.cli import report_cli
    from .committee.views import bp as committee_bp
    from .consultations.views import bp as consultations_bp
    from .creation.views import bp as creation_bp
    from .decisions.views import bp as decisions_bp
    from .demo.cli import seed_demo_command, simulate_command
    from .embeds.views import bp as embeds_bp
    from .errors import register_error_handlers
    from .information.views import bp as information_bp
    from .languages.views import bp as languages_bp
    from .languages.views import moderation_bp as translations_bp
    from .management.views import bp as management_bp
    from .moderation.views import bp as moderation_bp
    from .notifications.views import bp as notifications_bp
    from .opendata.cli import opendata_cli
    from .opendata.views import bp as opendata_bp
    from .operations.views import bp as operations_bp
    from .privacy.cli import privacy_cli
    from .privacy.views import bp as privacy_bp
    from .ratelimits import init_rate_limits
    from .reports.views import bp as reports_bp
    from .templating import register_template_helpers
    from .voting.views import bp as voting_bp
    from .workshops.views import bp as workshops_bp

    # Every id in an address, of pages as of the API, is checked against the database's range: past it, a 404
    # (SQLite cannot even compare such a number) rather than a 500.
    app.url_map.converters["int"] = RowId
    app.register_blueprint(auth_bp)
    app.register_blueprint(consultations_bp)
    app.register_blueprint(voting_bp)
    app.register_blueprint(comments_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(management_bp)
    app.register_blueprint(codes_bp)
    app.register_blueprint(decisions_bp)
    app.register_blueprint(creation_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(answers_bp)
    app.register_blueprint(workshops_bp)
    app.register_blueprint(opendata_bp)
    app.register_blueprint(committee_bp)
    app.register_blueprint(embeds_bp)
    app.register_blueprint(languages_bp)
    app.register_blueprint(translations_bp)
    app.register_blueprint(information_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(operations_bp)
    api_blueprints = [api_bp, api_participation_bp, api_moderation_bp, api_committee_bp]
    init_api(app, api_blueprints)
    for blueprint in api_blueprints:
        # Tokens need no CSRF token; a session's writes are checked in `api.actor`.
        csrf.exempt(blueprint)
    init_rate_limits(app)
    hide_secret_paths(app)
    # After init_api: the site's handler of HTTPException replaces the one flask-smorest registers.
    register_error_handlers(app)
    register_template_helpers(app)
    # The command line, each feature's commands beside its services (`flask --app pedt_participation --help`).
    for command in (seed_demo_command, simulate_command, report_cli, api_token_cli, opendata_cli, privacy_cli):
        app.cli.add_command(command)
    return app


def _refuse_insecure_secret_key(app: Flask) -> None:
    """Sessions signed with a published key can be forged: only debug and test runs may use it."""
    if app.config["SECRET_KEY"] == INSECURE_DEFAULT_SECRET_KEY and not (app.debug or app.testing):
        raise RuntimeError(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random value "
            "(python -c 'import secrets; print(secrets.token_hex(32))'), or run `make run` which creates "
            "instance/secret_key for a local demo."
        )
