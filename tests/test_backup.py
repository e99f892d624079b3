"""A backup is only as good as its restore: the seeded data are dumped with the tools the README names
(`pg_dump -Fc` / `pg_restore` on Postgres, SQLite's backup API for the demo), restored into a fresh database,
and every table's row count and the committee's figures must come back identical."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, inspect, select, table

from pedt_participation.committee.aggregation import aggregate
from pedt_participation.extensions import db
from pedt_participation.models import Consultation
from tests.conftest import make_test_app
from tests.helpers import database_copy

AGGREGATED_AT = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _contents() -> dict:
    """Row counts of every table (Alembic's included) and each consultation's committee figures."""
    names = inspect(db.engine).get_table_names()
    counts = {name: db.session.scalar(select(func.count()).select_from(table(name))) for name in sorted(names)}
    figures = {
        consultation.slug: aggregate(consultation, now=AGGREGATED_AT)
        for consultation in db.session.scalars(select(Consultation).order_by(Consultation.slug))
    }
    return {"rows": counts, "committee": figures}


def test_a_backup_of_the_seeded_data_restores_every_row_and_the_committee_figures(
    app, runner, database_url, celery_settings, tmp_path
):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    # A hundred people: fewer figures to hide in small groups than with sixty, so protecting the figures, twice
    # here, costs a third as much.
    assert runner.invoke(args=["simulate", "--participants", "100", "--seed", "11"]).exit_code == 0
    before = _contents()
    assert before["rows"]["votes"] > 0 and before["rows"]["comments"] > 0 and len(before["committee"]) == 2
    db.session.remove()

    with database_copy(database_url, tmp_path) as restored:
        with make_test_app(restored, celery_settings).app_context():
            after = _contents()
            db.session.remove()
            db.engine.dispose()

    assert after["rows"] == before["rows"]
    assert after["committee"] == before["committee"]
