"""Flask extensions, created once and bound to the app in `create_app`."""

from __future__ import annotations

import select
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, cast

import psycopg
from celery import Celery, Task
from flask import Flask
from flask_babel import Babel, lazy_gettext
from flask_caching import Cache
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import CursorResult, Executable, MetaData, Select, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import ConnectionPoolEntry, Pool, PoolProxiedConnection
from sqlalchemy.sql.dml import UpdateBase

from .config import REPLICA_BIND

# Stable constraint names, so Alembic can alter them on SQLite and Postgres alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


_reading_replica: ContextVar[bool] = ContextVar("reading_replica", default=False)


class ReplicaRoutingSession(FlaskSQLAlchemySession):
    """SQLAlchemy's documented read/write split (a Session whose `get_bind` picks the engine): inside
    `reads_from_replica()`, SELECTs go to the read replica when one is configured; writes, and every read
    elsewhere, go to the primary, so a vote is never checked against a lagging copy. The engines are those of
    the current app, from the extension's public `db.engines`."""

    def get_bind(
        self, mapper: Any | None = None, clause: Any | None = None, bind: Engine | Connection | None = None, **kwargs: Any
    ) -> Engine | Connection:
        if bind is None and _reading_replica.get() and isinstance(clause, Select):
            replica = db.engines.get(REPLICA_BIND)
            if replica is not None:
                return replica
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


@contextmanager
def reads_from_replica() -> Iterator[None]:
    """Heavy reads that may lag a few seconds behind the primary (a summary's figures) go to the replica."""
    token = _reading_replica.set(True)
    try:
        yield
    finally:
        _reading_replica.reset(token)


db = SQLAlchemy(model_class=Base, session_options={"class_": ReplicaRoutingSession})
migrate = Migrate()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
# Flask-Login declares a str; this lazy string becomes text in the reader's language when flashed (localize_callback),
# as a lazy string cannot be stored in the session.
login_manager.login_message = lazy_gettext("Connectez-vous ou créez un compte pour participer.")  # type: ignore[assignment]
login_manager.login_message_category = "info"
login_manager.localize_callback = str
csrf = CSRFProtect()
babel = Babel()
cache = Cache()


def execute_without_orm(statement: Executable, parameters: Mapping[str, Any] | None = None) -> CursorResult[Any]:
    """Runs a statement that loads no ORM object on the session's connection, in its transaction, without the
    ORM's execution layer (events, bind lookup, loading context): a vote's statements, where that layer cost more
    CPU than the rest of each statement. Always on the primary database. Pending changes are flushed first, as the
    ORM's autoflush would (a no-op when there are none), so the statement sees what the session holds."""
    db.session.flush()
    return db.session.connection().execute(statement, parameters)


def driver_rows(statement: Select[Any], *, chunk: int, binary: bool = False) -> Iterator[tuple[Any, ...]]:
    """The rows of `statement` as the database driver gives them, streamed `chunk` rows at a time, on the
    connection the session reads it from (the replica inside `reads_from_replica`): for the summary's reads of
    many rows, where SQLAlchemy's rows would only wrap plain values, at many times the CPU, and a streamed
    SQLAlchemy result is a server-side cursor, which Postgres plans to return its first rows fast rather than all
    of them (and fetches in as many round trips). On Postgres, psycopg's `stream` runs the query as any other and
    receives it in chunks, where a plain cursor holds the whole result in libpq's memory before the first row (a
    peak of 76 MB instead of 38 for the 1 M-vote bench's 700 000 opinions); its values are written into the query
    (ids and the models' enum values, no text from anyone), as psycopg alone would not write the enums as
    SQLAlchemy stores them. `binary`: Postgres sends the values in binary (a bytea as its bytes, not as hex text).
    SQLite's cursor already reads its rows as they are fetched."""
    connection = db.session.connection(bind_arguments={"clause": statement})
    if connection.dialect.name != "postgresql":
        cursor = connection.execute(statement).cursor
        while rows := cursor.fetchmany(chunk):
            yield from rows
        return
    query = statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    psycopg_connection: Any = connection.connection.driver_connection
    with psycopg_connection.cursor() as psycopg_cursor:
        yield from psycopg_cursor.stream(str(query), size=chunk, binary=binary)


def execute_counting_rows(statement: UpdateBase) -> int:
    """Runs an UPDATE or DELETE and returns the rows it matched: whether a claim was won, how many rows moved."""
    return cast("CursorResult[Any]", db.session.execute(statement)).rowcount


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    """The web server and the Celery worker share one SQLite file: WAL and a busy timeout let them
    write in turn instead of failing with "database is locked"; foreign keys are off by default."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


@event.listens_for(Pool, "checkout")
def _replace_connection_closed_by_server(
    dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
) -> None:
    """Takes the place of `pool_pre_ping` without its round trip to Postgres at each checkout: an idle
    connection has nothing to read unless the server has closed it (a restart sends its notice, then closes the
    socket), which a poll that does not wait sees. The pool then opens a new connection instead (SQLAlchemy's
    pessimistic disconnect handling), so the first request after a restart is answered."""
    if not isinstance(dbapi_connection, psycopg.Connection):
        return
    if dbapi_connection.closed:
        raise DisconnectionError
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN)
    if poller.poll(0):
        raise DisconnectionError


def celery_init_app(app: Flask) -> Celery:
    """The Flask documentation's pattern: every task runs inside an application context."""

    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app: Celery = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.conf.imports = (
        "tasks.accounts", "tasks.consultations", "tasks.notifications", "tasks.privacy", "tasks.summaries",
        "tasks.webhooks",
    )
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
