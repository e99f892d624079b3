"""`flask opendata import | export`: the host platform's open-data CSV files, read and written by the services
of the open-data pages."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from ..cli import consultation_named
from ..errors import ParticipationRefused
from ..extensions import db
from .services import comments_csv, import_proposals, mapping_by_name, proposals_csv

opendata_cli = AppGroup(
    "opendata", help="Exchange with the host platform through its open-data CSV files (Decidim layout)."
)


@opendata_cli.command("import")
@click.argument("slug")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--map", "choices", multiple=True, metavar='"TAXONOMY=POSITION"',
    help='Orientation (its position) receiving a taxonomy\'s proposals, "-" to leave them out; '
    '"Sans thème" for proposals without one. Unlisted taxonomies go to the orientation of the same title.',
)
def opendata_import_command(slug: str, csv_file: Path, choices: tuple[str, ...]) -> None:
    """Import the platform's proposals file into a consultation (importing it again adds nothing)."""
    consultation = consultation_named(slug)
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


@opendata_cli.command("export")
@click.argument("slug")
@click.argument("what", type=click.Choice(["proposals", "comments"]))
@click.argument("out_file", type=click.Path(dir_okay=False, path_type=Path))
def opendata_export_command(slug: str, what: str, out_file: Path) -> None:
    """Write the consultation's published actions (proposals) or visible comments in Decidim's layout."""
    consultation = consultation_named(slug)
    chunks = proposals_csv if what == "proposals" else comments_csv
    with out_file.open("wb") as out:
        for chunk in chunks(consultation.id):
            out.write(chunk)
    click.echo(f"{out_file} ({out_file.stat().st_size // 1024} Ko)")
