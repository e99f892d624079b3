"""`flask seed-demo` and `flask simulate`: the demo's data, with the services `make run` and the tests use."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..extensions import db
from .services import DEMO_ACCOUNTS, DEMO_PASSWORD, already_simulated, seed_demo, simulate


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the town's two consultations and the demo accounts (running it twice changes nothing)."""
    report = seed_demo()
    db.session.commit()
    click.echo(f"Données de démonstration : {len(report.created)} éléments créés, {len(report.updated)} mis à jour.")
    click.echo(f"Comptes de démonstration (mot de passe « {DEMO_PASSWORD} ») :")
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.email:32} {account.role.value}")


@click.command("simulate")
@click.option("--participants", type=click.IntRange(min=1), default=200, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same data.")
@click.option("--unless-done", is_flag=True, help="Do nothing if this seed was simulated already (what `make run` asks).")
@with_appcontext
def simulate_command(participants: int, seed: int, unless_done: bool) -> None:
    """Create synthetic participants, votes and comments on the published consultations."""
    if unless_done and already_simulated(seed):
        click.echo(f"Simulation (graine {seed}) déjà chargée : rien à faire.")
        return
    try:
        report = simulate(participants, seed)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(
        f"Simulation (graine {seed}) : {report.participants} participants, {report.votes} votes, "
        f"{report.comments} commentaires."
    )
