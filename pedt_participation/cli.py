"""Command line: `flask --app pedt_participation seed-demo | simulate | report build | api-token | opendata`. Same services as
the web pages and the Celery tasks."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask

from .extensions import db


def register_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Load the town's two consultations and the demo accounts (running it twice changes nothing)."""
        from .demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo

        report = seed_demo()
        db.session.commit()
        click.echo(f"Données de démonstration : {len(report.created)} éléments créés, {len(report.updated)} mis à jour.")
        click.echo(f"Comptes de démonstration (mot de passe « {DEMO_PASSWORD} ») :")
        for account in DEMO_ACCOUNTS:
            click.echo(f"  {account.email:32} {account.role.value}")

    @app.cli.command("simulate")
    @click.option("--participants", type=click.IntRange(min=1), default=200, show_default=True)
    @click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same data.")
    def simulate_command(participants: int, seed: int) -> None:
        """Create synthetic participants, votes and comments on the published consultations."""
        from .demo.services import simulate

        try:
            report = simulate(participants, seed)
        except ValueError as error:
            raise click.ClickException(str(error)) from error
        db.session.commit()
        click.echo(
            f"Simulation (graine {seed}) : {report.participants} participants, {report.votes} votes, "
            f"{report.comments} commentaires."
        )

    @app.cli.group("report")
    def report_group() -> None:
        """Summaries for the steering committee."""

    @report_group.command("build")
    @click.option("--consultation", "slug", required=True, help="Slug of the consultation.")
    @click.option(
        "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
        help="Folder receiving summary.pdf, summary.csv and summary.json.",
    )
    def report_build_command(slug: str, out_dir: Path) -> None:
        """Build the summary now, without the worker, with the same code as the Celery task."""
        from .committee.aggregation import aggregate
        from .committee.documents import summary_csv, summary_json, summary_pdf

        data = aggregate(_consultation(slug))
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, content in (
            ("summary.json", summary_json(data)),
            ("summary.csv", summary_csv(data)),
            ("summary.pdf", summary_pdf(data)),
        ):
            (out_dir / name).write_bytes(content)
            click.echo(f"{out_dir / name} ({len(content) // 1024} Ko)")

    @app.cli.group("api-token")
    def api_token_group() -> None:
        """Tokens of the REST API (see /api/v1/docs/)."""

    @api_token_group.command("issue")
    @click.argument("name")
    @click.option(
        "--owner", "owner_email", default=None,
        help="E-mail of the account the token acts as. Without it, the token is the platform's: it acts "
        "for the platform user named in each request's X-Platform-User header.",
    )
    def api_token_issue_command(name: str, owner_email: str | None) -> None:
        """Issue a token; its secret is printed once and never stored."""
        from .api.services import issue_token
        from .auth.services import participant_with_email

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

    @api_token_group.command("list")
    def api_token_list_command() -> None:
        """Tokens in use (secrets are never shown again)."""
        from .api.services import active_tokens

        for token in active_tokens():
            acts_as = token.owner.email if token.owner else "plateforme"
            click.echo(f"{token.id}\t{token.prefix}…\t{token.name}\t{acts_as}\t{token.created_at:%Y-%m-%d}")

    @api_token_group.command("revoke")
    @click.argument("token_id", type=int)
    def api_token_revoke_command(token_id: int) -> None:
        """Revoke a token: requests carrying it are refused from now on."""
        from .api.services import revoke_token
        from .models import ApiToken

        token = db.session.get(ApiToken, token_id)
        if token is None:
            raise click.ClickException(f"Aucun jeton n° {token_id}.")
        revoke_token(token)
        db.session.commit()
        click.echo(f"Jeton n° {token.id} « {token.name} » révoqué.")

    @app.cli.group("opendata")
    def opendata_group() -> None:
        """Exchange with the host platform through its open-data CSV files (Decidim layout)."""

    @opendata_group.command("import")
    @click.argument("slug")
    @click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option(
        "--map", "choices", multiple=True, metavar='"TAXONOMY=POSITION"',
        help='Orientation (its position) receiving a taxonomy\'s proposals, "-" to leave them out; '
        '"Sans thème" for proposals without one. Unlisted taxonomies go to the orientation of the same title.',
    )
    def opendata_import_command(slug: str, csv_file: Path, choices: tuple[str, ...]) -> None:
        """Import the platform's proposals file into a consultation (importing it again adds nothing)."""
        from .errors import ParticipationRefused
        from .opendata.services import import_proposals, mapping_by_name

        consultation = _consultation(slug)
        chosen = {}
        for choice in choices:
            name, equals, position = choice.rpartition("=")
            if not equals or not name.strip():
                raise click.BadParameter(f"« {choice} » : écrivez \"Nom de la taxonomie=n° d’orientation\".", param_hint="--map")
            chosen[name] = position
        content = csv_file.read_bytes()
        try:
            report = import_proposals(consultation, content, mapping_by_name(consultation, content, chosen))
        except ParticipationRefused as refusal:
            raise click.ClickException(refusal.message) from refusal
        db.session.commit()
        click.echo(
            f"{report.created} actions créées, {report.already_imported} déjà importées, "
            f"{report.not_mapped} laissées de côté, {report.refused} refusées."
        )

    @opendata_group.command("export")
    @click.argument("slug")
    @click.argument("what", type=click.Choice(["proposals", "comments"]))
    @click.argument("out_file", type=click.Path(dir_okay=False, path_type=Path))
    def opendata_export_command(slug: str, what: str, out_file: Path) -> None:
        """Write the consultation's published actions (proposals) or visible comments in Decidim's layout."""
        from .opendata.services import comments_csv, proposals_csv

        consultation = _consultation(slug)
        chunks = proposals_csv if what == "proposals" else comments_csv
        with out_file.open("wb") as out:
            for chunk in chunks(consultation.id):
                out.write(chunk)
        click.echo(f"{out_file} ({out_file.stat().st_size // 1024} Ko)")

    @app.cli.group("privacy")
    def privacy_group() -> None:
        """Requests received by post: a copy of someone's data, or the erasure of their account."""

    @privacy_group.command("export")
    @click.argument("email")
    @click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="File receiving the JSON (printed otherwise).")
    def privacy_export_command(email: str, out_file: Path | None) -> None:
        """Everything stored about the account with this e-mail, as JSON (as on its "Mes données" page)."""
        from .privacy.services import export_data

        content = json.dumps(export_data(_participant(email)), ensure_ascii=False, indent=2)
        if out_file is None:
            click.echo(content)
        else:
            out_file.write_text(content, encoding="utf-8")
            click.echo(f"{out_file} ({len(content.encode()) // 1024} Ko)")

    @privacy_group.command("erase")
    @click.argument("email")
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def privacy_erase_command(email: str, yes: bool) -> None:
        """Erase the account with this e-mail: its votes stay, anonymous; the erasure is logged."""
        from .models import ErasureReason
        from .privacy.services import erase_account

        participant = _participant(email)
        if not yes:
            click.confirm(f"Effacer le compte n° {participant.id} ({participant.email}) ?", abort=True)
        erase_account(participant, ErasureReason.WRITTEN_REQUEST)
        db.session.commit()
        click.echo(f"Compte n° {participant.id} effacé : ses votes restent comptés, anonymes.")


def _participant(email: str):
    from .privacy.services import participant_by_email

    participant = participant_by_email(email)
    if participant is None:
        raise click.ClickException(f"Aucun compte actif avec l’e-mail « {email} ».")
    return participant


def _consultation(slug: str):
    from .models import Consultation

    consultation = db.session.scalar(db.select(Consultation).filter_by(slug=slug))
    if consultation is None:
        raise click.ClickException(f"Aucune consultation « {slug} ».")
    return consultation
