"""The host platform as an OAuth2 provider (Authlib's Flask client): authorization code with PKCE,
then the profile endpoint. Decidim's paths are the defaults; each URL can be set on its own."""

from __future__ import annotations

from typing import Any

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

CLIENT_EXTENSION = "pedt_platform_oauth"


def _endpoint(config: dict, key: str, default_path: str) -> str:
    return config[key] or (f"{config['PLATFORM_URL']}{default_path}" if config["PLATFORM_URL"] else "")


def init_platform_sign_in(app: Flask) -> None:
    """Registers the client when the platform is configured; otherwise only local accounts exist."""
    config = app.config
    authorize_url = _endpoint(config, "PLATFORM_OAUTH_AUTHORIZE_URL", "/oauth/authorize")
    token_url = _endpoint(config, "PLATFORM_OAUTH_TOKEN_URL", "/oauth/token")
    config["PLATFORM_OAUTH_PROFILE_URL"] = _endpoint(config, "PLATFORM_OAUTH_PROFILE_URL", "/oauth/me")
    if not (config["PLATFORM_OAUTH_CLIENT_ID"] and authorize_url and token_url and config["PLATFORM_OAUTH_PROFILE_URL"]):
        return
    oauth = OAuth(app)
    app.extensions[CLIENT_EXTENSION] = oauth.register(
        "platform",
        client_id=config["PLATFORM_OAUTH_CLIENT_ID"],
        client_secret=config["PLATFORM_OAUTH_CLIENT_SECRET"],
        authorize_url=authorize_url,
        access_token_url=token_url,
        client_kwargs={"scope": config["PLATFORM_OAUTH_SCOPES"], "code_challenge_method": "S256", "timeout": 15},
    )


def platform_sign_in_enabled() -> bool:
    return CLIENT_EXTENSION in current_app.extensions


def platform_client():
    return current_app.extensions[CLIENT_EXTENSION]


def fetch_profile(token: dict[str, Any]) -> dict[str, Any]:
    """Decidim's /oauth/me: id, email, name, nickname, image."""
    response = platform_client().get(current_app.config["PLATFORM_OAUTH_PROFILE_URL"], token=token)
    response.raise_for_status()
    return response.json()
