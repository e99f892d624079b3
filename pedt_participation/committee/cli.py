"""`flask report build`: the committee's summary written to a folder, by the code the Celery task runs."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from ..cli import consultation_named
from .documents import summary_csv, summary_json, summary_pdf, summary_xlsx
from .services import summary_figures

report_cli = AppGroup("report", help="Summaries for the steering committee.")


@report_cli.command("build")
@click.option("--consultation", "slug", required=True, help="Slug of the consultation.")
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
    help="Folder receiving summary.pdf, summary.csv, summary.xlsx and summary.json.",
)
def report_build_command(slug: str, out_dir: Path) -> None:
    """Build the summary now, without the worker, with the same code as the Celery task."""
    consultation = consultation_named(slug)
    data = summary_figures(consultation)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, content in (
        ("summary.json", summary_json(data)),
        ("summary.csv", summary_csv(data)),
        ("summary.xlsx", summary_xlsx(data)),
        ("summary.pdf", summary_pdf(data)),
    ):
        (out_dir / name).write_bytes(content)
        click.echo(f"{out_dir / name} ({len(content) // 1024} Ko)")
