"""Command line: `flask --app pedt_participation seed-demo | simulate`. Same services as the web pages."""

from __future__ import annotations

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
