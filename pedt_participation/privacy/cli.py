"""`flask privacy export | erase`: requests received by post, answered by the services of the "Mes données" page."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from ..extensions import db
from ..models import ErasureReason, Participant
from .services import erase_account, export_data, participant_by_email

privacy_cli = AppGroup(
    "privacy", help="Requests received by post: a copy of someone's data, or the erasure of their account."
)


def _participant(email: str) -> Participant:
    participant = participant_by_email(email)
    if participant is None:
        raise click.ClickException(f"Aucun compte actif avec l’e-mail « {email} ».")
    return participant


@privacy_cli.command("export")
@click.argument("email")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File receiving the JSON (printed otherwise).")
def privacy_export_command(email: str, out_file: Path | None) -> None:
    """Everything stored about the account with this e-mail, as JSON (as on its "Mes données" page)."""
    content = json.dumps(export_data(_participant(email)), ensure_ascii=False, indent=2)
    if out_file is None:
        click.echo(content)
    else:
        out_file.write_text(content, encoding="utf-8")
        click.echo(f"{out_file} ({len(content.encode()) // 1024} Ko)")


@privacy_cli.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def privacy_erase_command(email: str, yes: bool) -> None:
    """Erase the account with this e-mail: its votes stay, anonymous; the erasure is logged."""
    participant = _participant(email)
    if not yes:
        click.confirm(f"Effacer le compte n° {participant.id} ({participant.email}) ?", abort=True)
    erase_account(participant, ErasureReason.WRITTEN_REQUEST)
    db.session.commit()
    click.echo(f"Compte n° {participant.id} effacé : ses votes restent comptés, anonymes.")
