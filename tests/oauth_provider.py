"""A real OAuth2 authorization server for the sign-in tests, built with Authlib's server side and shaped
like Decidim's: authorization code with PKCE (required), /oauth/token, and /oauth/me returning
id, email, name, nickname, image. It runs on loopback in a thread; whoever is `signed_in` at the
platform approves at once (the consent screen is the platform's business, not ours)."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector, current_token
from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, TokenMixin, grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

# Plain HTTP on loopback, for this test server only.
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"

SCOPE = "public"


@dataclass
class PlatformUser:
    id: int
    email: str | None
    name: str
    nickname: str


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uri: str

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uri

    def get_allowed_scope(self, scope):
        return SCOPE if SCOPE in (scope or SCOPE).split() else ""

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret):
        return client_secret == self.client_secret

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class AuthorizationCode(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: PlatformUser
    code_challenge: str | None
    code_challenge_method: str | None

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope


@dataclass
class Token(TokenMixin):
    access_token: str
    client: Client
    scope: str
    user: PlatformUser
    expires_in: int
    issued_at: float = field(default_factory=time.time)

    def check_client(self, client):
        return client.client_id == self.client.client_id

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return self.expires_in

    def is_expired(self):
        return time.time() > self.issued_at + self.expires_in

    def is_revoked(self):
        return False

    def get_user(self):
        return self.user

    def get_client(self):
        return self.client


class Provider:
    def __init__(self, redirect_uri: str):
        self.client = Client("pedt-client", "pedt-secret", redirect_uri)
        self.signed_in: PlatformUser | None = None
        self.codes: dict[str, AuthorizationCode] = {}
        self.tokens: dict[str, Token] = {}
        self.authorize_requests: list[dict[str, str]] = []
        self.app = self._build_app()
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Provider:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()

    def _build_app(self) -> Flask:
        app = Flask("platform")
        provider = self

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, request):
                provider.codes[code] = AuthorizationCode(
                    code=code,
                    client_id=request.client.client_id,
                    redirect_uri=request.payload.redirect_uri,
                    scope=request.scope,
                    user=request.user,
                    code_challenge=request.payload.data.get("code_challenge"),
                    code_challenge_method=request.payload.data.get("code_challenge_method"),
                )

            def query_authorization_code(self, code, client):
                item = provider.codes.get(code)
                return item if item is not None and item.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.user

        def query_client(client_id):
            return provider.client if client_id == provider.client.client_id else None

        def save_token(token, request):
            provider.tokens[token["access_token"]] = Token(
                access_token=token["access_token"],
                client=request.client,
                scope=token.get("scope", ""),
                user=request.user,
                expires_in=token["expires_in"],
            )

        server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
        server.register_grant(CodeGrant, [CodeChallenge(required=True)])

        class Validator(BearerTokenValidator):
            def authenticate_token(self, token_string):
                return provider.tokens.get(token_string)

        protected = ResourceProtector()
        protected.register_token_validator(Validator())

        @app.get("/oauth/authorize")
        def authorize():
            provider.authorize_requests.append(dict(request.args))
            grant = server.get_consent_grant(end_user=provider.signed_in)
            # Nobody signed in at the platform stands for "refused": access_denied back to the client.
            return server.create_authorization_response(grant=grant, grant_user=provider.signed_in)

        @app.post("/oauth/token")
        def issue_token():
            return server.create_token_response()

        @app.get("/oauth/me")
        @protected(SCOPE)
        def me():
            user = current_token.user
            return jsonify(id=user.id, email=user.email, name=user.name, nickname=user.nickname, image=None)

        return app
