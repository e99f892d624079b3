"""A backup is only as good as its restore: the seeded data are dumped with the tools the README names
(`pg_dump -Fc` / `pg_restore` on Postgres, SQLite's backup API for the demo), restored into a fresh database,
and every table's row count and the committee's figures must come back identical."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime

from sqlalchemy import create_engine, func, inspect, select, table, text
from sqlalchemy.engine import URL, make_url

from pedt_participation.committee.aggregation import aggregate
from pedt_participation.extensions import db
from pedt_participation.models import Consultation
from tests.conftest import make_test_app

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


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _restore_postgres(source: URL, tmp_path) -> URL:
    """`pg_dump -Fc`, then `pg_restore` into `<name>_restore`, (re)created here; the caller drops it."""
    for tool in ("pg_dump", "pg_restore"):
        assert shutil.which(tool), f"{tool} is missing: install the postgresql-client package"
    dump = tmp_path / "pedt.dump"
    subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), _libpq(source)], check=True)
    target = source.set(database=f"{source.database}_restore")
    _on_server(source, f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)', f'CREATE DATABASE "{target.database}"')
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "-d", _libpq(target), str(dump)], check=True)
    return target


def _on_server(server: URL, *statements: str) -> None:
    """Database creation and removal, which Postgres runs only outside a transaction."""
    engine = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


def _restore_sqlite(source: URL, tmp_path) -> URL:
    """What `sqlite3 instance/pedt.sqlite3 ".backup …"` does, consistent even while the app writes."""
    target = tmp_path / "restored.sqlite3"
    with sqlite3.connect(source.database) as live, sqlite3.connect(target) as copy:
        live.backup(copy)
    return source.set(database=str(target))


def test_a_backup_of_the_seeded_data_restores_every_row_and_the_committee_figures(
    app, runner, database_url, celery_settings, tmp_path
):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["simulate", "--participants", "60", "--seed", "11"]).exit_code == 0
    before = _contents()
    assert before["rows"]["votes"] > 0 and before["rows"]["comments"] > 0 and len(before["committee"]) == 2
    db.session.remove()

    source = make_url(database_url)
    postgres = source.get_backend_name() == "postgresql"
    restored = _restore_postgres(source, tmp_path) if postgres else _restore_sqlite(source, tmp_path)
    restored_app = make_test_app(restored.render_as_string(hide_password=False), celery_settings)
    try:
        with restored_app.app_context():
            after = _contents()
            db.session.remove()
            db.engine.dispose()
    finally:
        if postgres:
            _on_server(source, f'DROP DATABASE "{restored.database}" WITH (FORCE)')

    assert after["rows"] == before["rows"]
    assert after["committee"] == before["committee"]
