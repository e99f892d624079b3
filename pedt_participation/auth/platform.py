"""Sign-in through the host platform, of one of two kinds said by PLATFORM_PROVIDER:

- `decidim`: OAuth2 (Authlib's Flask client), authorization code with PKCE, then the profile endpoint. Decidim's
  paths are the defaults; each URL can be set on its own.
- `oidc`: any OpenID Connect provider, configured from its discovery document (openid_connect.py).

Either gives the person's PlatformIdentity, or raises PlatformSignInFailed naming the cause for the log."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask, Response, current_app
from joserfc.errors import JoseError
from requests import RequestException

from . import openid_connect
from .services import PlatformIdentity

log = logging.getLogger(__name__)
CLIENT_EXTENSION = "pedt_platform_oauth"
DECIDIM = "decidim"
OPENID_CONNECT = "oidc"
DEFAULT_SCOPES = {DECIDIM: "public", OPENID_CONNECT: "openid email profile"}
TOKEN_AUTH_METHODS = ("client_secret_basic", "client_secret_post")

# What an exchange with another server can raise: its refusals and Authlib's (OAuthError, a bad state), a
# token that fails its checks (joserfc), the network, an answer that is not the JSON expected, metadata Authlib
# cannot use (RuntimeError), and what openid_connect refuses (ValueError).
EXCHANGE_ERRORS = (
    AuthlibBaseError,
    JoseError,
    RequestException,
    ValueError,
    KeyError,
    TypeError,
    RuntimeError,
)


class PlatformSignInFailed(Exception):
    """The sign-in through the platform did not go through; the message names the cause, for the log."""


@dataclass(frozen=True)
class PlatformSignIn:
    identity: PlatformIdentity
    # The OpenID Connect ID token, kept to sign out of the provider too (id_token_hint); None for Decidim.
    id_token: str | None = None


def _endpoint(config: dict, key: str, default_path: str) -> str:
    return config[key] or (f"{config['PLATFORM_URL']}{default_path}" if config["PLATFORM_URL"] else "")


def init_platform_sign_in(app: Flask) -> None:
    """Registers the client when the platform is configured; otherwise only local accounts exist. A setting
    that cannot work stops the start, saying which."""
    config = app.config
    kind = config["PLATFORM_PROVIDER"]
    if kind not in DEFAULT_SCOPES:
        raise RuntimeError(f"PLATFORM_PROVIDER is {kind!r}: set it to {DECIDIM} or {OPENID_CONNECT}.")
    token_auth_method = config["PLATFORM_OAUTH_TOKEN_AUTH_METHOD"]
    if token_auth_method and token_auth_method not in TOKEN_AUTH_METHODS:
        raise RuntimeError(
            f"PLATFORM_OAUTH_TOKEN_AUTH_METHOD is {token_auth_method!r}: set it to one of {', '.join(TOKEN_AUTH_METHODS)}, "
            "or leave it empty."
        )
    config["PLATFORM_OAUTH_SCOPES"] = config["PLATFORM_OAUTH_SCOPES"] or DEFAULT_SCOPES[kind]
    if kind == OPENID_CONNECT:
        if config["PLATFORM_OAUTH_CLIENT_ID"] and config["PLATFORM_OIDC_ISSUER"]:
            app.extensions[CLIENT_EXTENSION] = openid_connect.register_client(OAuth(app), config)
        return
    authorize_url = _endpoint(config, "PLATFORM_OAUTH_AUTHORIZE_URL", "/oauth/authorize")
    token_url = _endpoint(config, "PLATFORM_OAUTH_TOKEN_URL", "/oauth/token")
    config["PLATFORM_OAUTH_PROFILE_URL"] = _endpoint(config, "PLATFORM_OAUTH_PROFILE_URL", "/oauth/me")
    if not (config["PLATFORM_OAUTH_CLIENT_ID"] and authorize_url and token_url and config["PLATFORM_OAUTH_PROFILE_URL"]):
        return
    client_kwargs = {"scope": config["PLATFORM_OAUTH_SCOPES"], "code_challenge_method": "S256", "timeout": 15}
    if token_auth_method:
        client_kwargs["token_endpoint_auth_method"] = token_auth_method
    app.extensions[CLIENT_EXTENSION] = OAuth(app).register(
        "platform",
        client_id=config["PLATFORM_OAUTH_CLIENT_ID"],
        client_secret=config["PLATFORM_OAUTH_CLIENT_SECRET"],
        authorize_url=authorize_url,
        access_token_url=token_url,
        client_kwargs=client_kwargs,
    )


def platform_sign_in_enabled() -> bool:
    return CLIENT_EXTENSION in current_app.extensions


def _client():
    return current_app.extensions[CLIENT_EXTENSION]


def _openid_connect() -> bool:
    return current_app.config["PLATFORM_PROVIDER"] == OPENID_CONNECT


def _cause(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def start_sign_in(redirect_uri: str) -> Response:
    """The redirection to the platform, which sends the person back to `redirect_uri`."""
    try:
        return _client().authorize_redirect(redirect_uri)
    except EXCHANGE_ERRORS as error:
        raise PlatformSignInFailed(f"authorization request not made: {_cause(error)}") from error


def finish_sign_in() -> PlatformSignIn:
    """Back from the platform (the current request): the code exchanged for tokens, then who signed in."""
    try:
        if _openid_connect():
            identity, id_token = openid_connect.finish_sign_in(_client())
            return PlatformSignIn(identity, id_token)
        return PlatformSignIn(PlatformIdentity.from_profile(_fetch_decidim_profile(_client().authorize_access_token())))
    except EXCHANGE_ERRORS as error:
        raise PlatformSignInFailed(_cause(error)) from error


def _fetch_decidim_profile(token: dict[str, Any]) -> dict[str, Any]:
    """Decidim's /oauth/me: id, email, name, nickname, image."""
    response = _client().get(current_app.config["PLATFORM_OAUTH_PROFILE_URL"], token=token)
    response.raise_for_status()
    return response.json()


def provider_sign_out_url(id_token: str | None, post_logout_redirect_uri: str) -> str | None:
    """Where the person signs out of the provider too, when it offers it (OpenID Connect RP-initiated logout),
    then comes back to `post_logout_redirect_uri`; None otherwise, or when the provider cannot be reached."""
    if not (id_token and platform_sign_in_enabled() and _openid_connect()):
        return None
    try:
        return openid_connect.sign_out_url(_client(), id_token, post_logout_redirect_uri)
    except EXCHANGE_ERRORS as error:
        log.warning("Signing out of the platform is not offered: %s", _cause(error))
        return None
