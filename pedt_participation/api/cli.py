"""`flask api-token issue | list | revoke`: the REST API's tokens, given out by whoever runs the server."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..auth.services import participant_with_email
from ..extensions import db
from ..models import ApiToken
from .services import active_tokens, issue_token, revoke_token

api_token_cli = AppGroup("api-token", help="Tokens of the REST API (see /api/v1/docs/).")


@api_token_cli.command("issue")
@click.argument("name")
@click.option(
    "--owner", "owner_email", default=None,
    help="E-mail of the account the token acts as. Without it, the token is the platform's: it acts "
    "for the platform user named in each request's X-Platform-User header.",
)
def api_token_issue_command(name: str, owner_email: str | None) -> None:
    """Issue a token; its secret is printed once and never stored."""
    owner = None
    if owner_email:
        owner = participant_with_email(owner_email)
        if owner is None:
            raise click.ClickException(f"Aucun compte avec l’adresse « {owner_email} ».")
    token, secret = issue_token(name, owner=owner)
    db.session.commit()
    acts_as = owner.email if owner else "les personnes de la plateforme (en-tête X-Platform-User)"
    click.echo(f"Jeton n° {token.id} « {token.name} », agit pour : {acts_as}")
    click.echo(f"Secret (affiché une seule fois) : {secret}")


@api_token_cli.command("list")
def api_token_list_command() -> None:
    """Tokens in use (secrets are never shown again)."""
    for token in active_tokens():
        acts_as = token.owner.email if token.owner else "plateforme"
        click.echo(f"{token.id}\t{token.prefix}…\t{token.name}\t{acts_as}\t{token.created_at:%Y-%m-%d}")


@api_token_cli.command("revoke")
@click.argument("token_id", type=int)
def api_token_revoke_command(token_id: int) -> None:
    """Revoke a token: requests carrying it are refused from now on."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"Aucun jeton n° {token_id}.")
    revoke_token(token)
    db.session.commit()
    click.echo(f"Jeton n° {token.id} « {token.name} » révoqué.")
