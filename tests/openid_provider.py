"""A small OpenID Connect provider for the sign-in tests that need a provider to misbehave, on loopback in a
thread: discovery, authorization (whoever is `signed_in` approves at once; nobody means "refused"), the token
endpoint (one client authentication method, PKCE S256 checked), JWKS, userinfo. The browser tests use a
certified provider instead (tests/oidc_provider/); this one can sign the ID token with another key, change its
claims (`id_token_changes`), send another `iss` with the code (`response_issuer`), and leave e-mails unverified."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

CLIENT_ID = "pedt-oidc-client"
CLIENT_SECRET = "pedt-oidc-secret"


def signing_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256", "use": "sig"})


@dataclass
class OpenIDUser:
    sub: str
    email: str | None
    email_verified: bool
    name: str | None


@dataclass
class _Code:
    user: OpenIDUser
    redirect_uri: str
    nonce: str | None
    code_challenge: str


class OpenIDProvider:
    def __init__(self, redirect_uri: str, token_auth_method: str = "client_secret_basic"):
        self.redirect_uri = redirect_uri
        self.token_auth_method = token_auth_method
        self.key = signing_key("provider-key")
        # The key the ID tokens are signed with: another one forges them.
        self.signing_key = self.key
        self.signed_in: OpenIDUser | None = None
        # Claims of the next ID tokens replaced (aud, exp, nonce, iss…), or left out when None.
        self.id_token_changes: dict[str, Any] = {}
        self.userinfo_changes: dict[str, Any] = {}
        self.authorize_requests: list[dict[str, str]] = []
        self.token_requests: list[dict[str, Any]] = []
        self._codes: dict[str, _Code] = {}
        self._tokens: dict[str, OpenIDUser] = {}
        self._server = make_server("127.0.0.1", 0, self._build_app(), threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        # The `iss` sent back with the code (RFC 9207); None sends none.
        self.response_issuer: str | None = self.url
        self.metadata: dict[str, Any] = {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/jwks",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "end_session_endpoint": f"{self.url}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": [token_auth_method],
            "authorization_response_iss_parameter_supported": True,
        }
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> OpenIDProvider:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        """The provider goes down: its port no longer answers."""
        self._server.shutdown()
        self._server.server_close()

    def _client_authenticated(self) -> bool:
        if self.token_auth_method == "client_secret_basic":
            auth = request.authorization
            return auth is not None and (auth.username, auth.password) == (CLIENT_ID, CLIENT_SECRET)
        return (request.form.get("client_id"), request.form.get("client_secret")) == (CLIENT_ID, CLIENT_SECRET)

    def _id_token(self, code: _Code) -> str:
        now = int(time.time())
        claims = {"iss": self.url, "sub": code.user.sub, "aud": CLIENT_ID, "iat": now, "exp": now + 300}
        if code.nonce:
            claims["nonce"] = code.nonce
        claims.update(self.id_token_changes)
        claims = {name: value for name, value in claims.items() if value is not None}
        return jwt.encode({"alg": "RS256", "kid": self.signing_key.kid}, claims, self.signing_key)

    def _build_app(self) -> Flask:
        app = Flask("openid_provider")
        provider = self

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify(provider.metadata)

        @app.get("/jwks")
        def jwks():
            return jsonify(keys=[provider.key.as_dict(private=False)])

        @app.get("/authorize")
        def authorize():
            args = request.args
            provider.authorize_requests.append(dict(args))
            assert args["client_id"] == CLIENT_ID and args["redirect_uri"] == provider.redirect_uri
            assert args["response_type"] == "code" and args["code_challenge_method"] == "S256"
            answer = {"state": args["state"]}
            if provider.response_issuer is not None:
                answer["iss"] = provider.response_issuer
            if provider.signed_in is None:
                answer["error"] = "access_denied"
            else:
                code = secrets.token_urlsafe(16)
                provider._codes[code] = _Code(provider.signed_in, args["redirect_uri"], args.get("nonce"), args["code_challenge"])
                answer["code"] = code
            return redirect(f"{args['redirect_uri']}?{urlencode(answer)}")

        @app.post("/token")
        def token():
            provider.token_requests.append({"form": dict(request.form), "authorization": request.headers.get("Authorization")})
            if not provider._client_authenticated():
                return jsonify(error="invalid_client"), 401
            code = provider._codes.pop(request.form.get("code", ""), None)
            verifier = request.form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if code is None or code.redirect_uri != request.form.get("redirect_uri") or challenge != code.code_challenge:
                return jsonify(error="invalid_grant"), 400
            access_token = secrets.token_urlsafe(16)
            provider._tokens[access_token] = code.user
            return jsonify(access_token=access_token, token_type="Bearer", expires_in=300, id_token=provider._id_token(code))

        @app.get("/userinfo")
        def userinfo():
            user = provider._tokens.get(request.headers.get("Authorization", "").removeprefix("Bearer "))
            if user is None:
                return jsonify(error="invalid_token"), 401
            claims = {"sub": user.sub, "email": user.email, "email_verified": user.email_verified, "name": user.name}
            return jsonify({key: value for key, value in claims.items() if value is not None} | provider.userinfo_changes)

        return app
