"""Sign-in through any OpenID Connect provider (Keycloak, a town's own service, Decidim set up for it…),
configured from the issuer's discovery document: authorization code with PKCE and a nonce, the ID token checked
(signature against the provider's keys, iss, aud, exp, nonce), then the claims of the ID token and of the
userinfo endpoint. Used by platform.py, which turns any error raised here into a failed sign-in."""

from __future__ import annotations

from typing import Any

from authlib.integrations.flask_client import FlaskOAuth2App, OAuth
from flask import request

from .services import PlatformIdentity, normalise_email

DISCOVERY_PATH = "/.well-known/openid-configuration"
# The endpoints this sign-in cannot go without.
REQUIRED_METADATA = ("authorization_endpoint", "token_endpoint", "jwks_uri")


class OpenIDConnectRefused(ValueError):
    """The provider's answer breaks a rule of OpenID Connect; the message says which, for the log."""


class OpenIDConnectClient(FlaskOAuth2App):
    """Authlib's Flask client, which checks the discovery document when it loads it (OpenID Connect Discovery
    4.3: its issuer is exactly the one configured; the endpoints used are there) and then chooses how to
    authenticate at the token endpoint. Authlib keeps the document for the life of the process; one refused
    is loaded again at the next sign-in."""

    issuer: str
    token_auth_method: str

    def load_server_metadata(self) -> dict[str, Any]:
        if "_loaded_at" in self.server_metadata:
            return self.server_metadata
        metadata = super().load_server_metadata()
        try:
            if metadata.get("issuer") != self.issuer:
                raise OpenIDConnectRefused(
                    f"the discovery document's issuer {metadata.get('issuer')!r} is not PLATFORM_OIDC_ISSUER {self.issuer!r}"
                )
            missing = [key for key in REQUIRED_METADATA if not metadata.get(key)]
            if missing:
                raise OpenIDConnectRefused(f"the discovery document has no {', '.join(missing)}")
            self.client_kwargs["token_endpoint_auth_method"] = self.token_auth_method or _offered_auth_method(metadata)
        except OpenIDConnectRefused:
            del self.server_metadata["_loaded_at"]
            raise
        return metadata


def _offered_auth_method(metadata: dict[str, Any]) -> str:
    """client_secret_basic unless the provider offers only client_secret_post (the default list is basic's,
    OpenID Connect Discovery 3)."""
    offered = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    for method in ("client_secret_basic", "client_secret_post"):
        if method in offered:
            return method
    raise OpenIDConnectRefused(
        f"the token endpoint accepts neither client_secret_basic nor client_secret_post, only {offered}"
    )


def register_client(oauth: OAuth, config: dict[str, Any]) -> OpenIDConnectClient:
    issuer = config["PLATFORM_OIDC_ISSUER"]
    client = oauth.register(
        "platform",
        client_cls=OpenIDConnectClient,
        client_id=config["PLATFORM_OAUTH_CLIENT_ID"],
        client_secret=config["PLATFORM_OAUTH_CLIENT_SECRET"],
        server_metadata_url=issuer.rstrip("/") + DISCOVERY_PATH,
        client_kwargs={"scope": config["PLATFORM_OAUTH_SCOPES"], "code_challenge_method": "S256", "timeout": 15},
    )
    client.issuer = issuer
    client.token_auth_method = config["PLATFORM_OAUTH_TOKEN_AUTH_METHOD"]
    return client


def _check_response_issuer(client: OpenIDConnectClient, metadata: dict[str, Any]) -> None:
    """RFC 9207: the authorization response names its issuer, against a mix-up with another provider. Checked
    whenever sent; required when the provider says it always sends it."""
    sent = request.args.get("iss")
    if sent is None:
        if metadata.get("authorization_response_iss_parameter_supported"):
            raise OpenIDConnectRefused("the authorization response has no iss, which the provider says it sends")
    elif sent != client.issuer:
        raise OpenIDConnectRefused(f"the authorization response's iss {sent!r} is not the issuer {client.issuer!r}")


def finish_sign_in(client: OpenIDConnectClient) -> tuple[PlatformIdentity, str]:
    """Back from the provider: who signed in, and the ID token (to sign out of the provider later)."""
    metadata = client.load_server_metadata()
    _check_response_issuer(client, metadata)
    # Authlib checks the ID token's signature against the provider's keys, its exp, iat and nonce; aud and iss
    # are required to be ours and the issuer's here.
    token = client.authorize_access_token(
        claims_options={
            "iss": {"essential": True, "value": client.issuer},
            "aud": {"essential": True, "value": client.client_id},
        }
    )
    if "userinfo" not in token:
        raise OpenIDConnectRefused("the token response has no ID token")
    claims = dict(token["userinfo"])
    if metadata.get("userinfo_endpoint"):
        userinfo = client.userinfo(token=token)
        # OpenID Connect Core 5.3.2: another person's claims must not be used.
        if userinfo.get("sub") != claims.get("sub"):
            raise OpenIDConnectRefused("the userinfo's sub is not the ID token's")
        claims.update(userinfo)
    return identity_from_claims(claims), token["id_token"]


def identity_from_claims(claims: dict[str, Any]) -> PlatformIdentity:
    """`sub` identifies the person. Only an e-mail the provider verified is taken as theirs: one it did not
    verify is offered in the form, to be confirmed, and never finds an account of this site."""
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub or len(sub) > 255:
        raise OpenIDConnectRefused(f"the claims' sub {sub!r} is not an identifier")
    email = claims.get("email")
    if not (isinstance(email, str) and "@" in email and len(email) <= 254):
        email = None
    verified = claims.get("email_verified") in (True, "true")
    names = (claims.get(key) for key in ("name", "preferred_username", "nickname"))
    name = next((value.strip() for value in names if isinstance(value, str) and value.strip()), "")
    return PlatformIdentity(
        uid=sub,
        email=normalise_email(email) if email and verified else None,
        name=name[:80] or None,
        unverified_email=normalise_email(email) if email and not verified else None,
    )


def sign_out_url(client: OpenIDConnectClient, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """RP-initiated logout, when the provider has an end_session_endpoint."""
    if not client.load_server_metadata().get("end_session_endpoint"):
        return None
    return client.create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri, id_token_hint=id_token, client_id=client.client_id
    )["url"]
