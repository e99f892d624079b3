"""Test fixtures. The suite runs on SQLite by default and on Postgres (+ Redis broker) when
TEST_DATABASE_URL / CELERY_BROKER_URL are set — always against a real database, never a mock."""

from __future__ import annotations

import contextvars
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from celery.contrib.migrate import move
from celery.exceptions import TimeoutError as CeleryTimeoutError
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_migrate import upgrade
from kombu import Exchange, Queue
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from sqlalchemy import Engine, event, inspect, make_url, text
from werkzeug.test import EnvironBuilder

from pedt_participation import create_app
from pedt_participation.api.openapi import OPENAPI_PATH
from pedt_participation.extensions import db
from tests.helpers import on_server, task_result
from tests.processes import free_port, start_celery_worker, stop
from tests.webhook_receiver import WEBHOOK_RECEIVER_HOST

# Scrypt costs a fifth of a second a hash and the suite makes hundreds: the tests hash with one round of PBKDF2
# (tests/test_config.py proves production keeps scrypt). Set in the environment too, for the processes the
# tests start (workers, gunicorn), which read their settings from it.
TEST_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"


def pytest_configure(config):
    os.environ["PASSWORD_HASH_METHOD"] = TEST_PASSWORD_HASH_METHOD


def pytest_terminal_summary(terminalreporter):
    """The figures tests measured (`record_property("figure", line)`), after the results, passed or not: pytest
    keeps a passing test's output to itself, and a figure such as issue 18's taps is read in CI's log. The
    properties travel with each test's report, from every xdist process."""
    figures = [
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "call"
        for name, value in getattr(report, "user_properties", ())
        if name == "figure"
    ]
    if figures:
        terminalreporter.section("figures measured")
        for figure in figures:
            terminalreporter.write_line(figure)


E2E_TESTS = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(items):
    """Markers from what a test uses, so that none is forgotten: `-m "not e2e and not worker"` runs the quick ones."""
    for item in items:
        if item.path.is_relative_to(E2E_TESTS):
            item.add_marker(pytest.mark.e2e)
        if "start_worker" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.worker)


@pytest.fixture(scope="session")
def process_name(request) -> str:
    """`gw0`, `gw1`… under pytest-xdist, `main` otherwise: what each test process names its own database and
    broker queues after, so that parallel processes never share rows or tasks."""
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, process_name) -> str:
    """A new database of this process's own: TEST_DATABASE_URL's name followed by the process's, or a SQLite
    file."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    own = make_url(url)
    own = own.set(database=f"{own.database}_{process_name}")
    on_server(own, f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)', f'CREATE DATABASE "{own.database}"')
    return own.render_as_string(hide_password=False)


class TaskRoute:
    """Where the tests' apps send tasks: a queue that no worker reads, except while a test runs with a worker
    (`start_worker`). Tests without a worker then find their tasks waiting, as on a site whose worker is down."""

    def __init__(self, idle_queue: str):
        self.idle_queue = self.queue = idle_queue

    def __call__(self, name, args, kwargs, options, task=None, **kw) -> dict:
        return {"queue": self.queue}


@pytest.fixture(scope="session")
def queue_name(process_name) -> str:
    """This process's broker queues start with it: runs sharing a broker (CI runs suites side by side) never
    read each other's tasks."""
    return f"pedt-test-{process_name}-{os.getpid()}"


@pytest.fixture(scope="session")
def celery_settings(tmp_path_factory, queue_name) -> dict:
    """The real broker of the run: Redis (or RabbitMQ) when CELERY_BROKER_URL is set, else the embedded
    SQLite broker, exactly as `make run` uses it. See `TaskRoute` for the queues."""
    folder = tmp_path_factory.mktemp("celery")
    return {
        "broker_url": os.environ.get("CELERY_BROKER_URL") or f"sqla+sqlite:///{folder / 'broker.sqlite3'}",
        "result_backend": os.environ.get("CELERY_RESULT_BACKEND") or f"db+sqlite:///{folder / 'results.sqlite3'}",
        "task_routes": (TaskRoute(f"{queue_name}-idle"),),
    }


API_PREFIX = "/api/v1/"
DOCS_PREFIX = "/api/v1/docs/"


class IsolatedRequestsClient(FlaskClient):
    """Each request runs in its own application context — its own `g`, current user and database
    session, as in production — even though the test itself holds one open. Afterwards the test's
    session is expired, so assertions read what the request stored."""

    def open(self, *args, **kwargs):
        # A streamed body is read inside the request's context too, as a WSGI server would.
        kwargs.setdefault("buffered", True)
        response = contextvars.copy_context().run(self._open_in_fresh_context, *args, **kwargs)
        db.session.expire_all()
        if response.request.path.startswith(API_PREFIX) and response.request.path != OPENAPI_PATH:
            self._assert_follows_openapi(response)
        return response

    def _assert_follows_openapi(self, response) -> None:
        """Every API answer in every test is checked against the OpenAPI document the API serves."""
        openapi = self.application.extensions.get("test_openapi")
        if openapi is None:
            document = contextvars.copy_context().run(self._open_in_fresh_context, OPENAPI_PATH).get_json()
            openapi = self.application.extensions["test_openapi"] = OpenAPI.from_dict(document)
        if response.request.path.startswith(DOCS_PREFIX):
            return
        sent = response.request  # its body was read by the app: validate against a copy without one
        request = EnvironBuilder(
            path=sent.path, base_url=sent.host_url, method=sent.method, query_string=sent.query_string.decode(),
            headers={"Content-Type": "application/json"} if sent.content_type else None,
        ).get_request()
        openapi.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response))

    def _open_in_fresh_context(self, *args, **kwargs):
        _cv_app.set(None)
        return super().open(*args, **kwargs)


def make_test_app(database_url: str, celery_settings: dict, **settings):
    """An app on the test database and broker; `settings` add to (or override) the test configuration."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            # Many tests post the same form fast from one address; the rate-limit tests turn the limits on.
            "RATELIMIT_ENABLED": False,
            # Pages count comments at each view, so that a test reads what it just changed; tests/test_live_counts.py
            # checks the counts kept a few seconds.
            "LIVE_COUNTS_SECONDS": 0,
            "SERVER_NAME": "pedt.test",
            # A demo machine, whatever DATABASE_URL says: `seed-demo` creates the demo accounts (see test_demo).
            "DEMO_MODE": True,
            "TRUSTED_HOSTS": ["pedt.test", "localhost", "127.0.0.1"],
            "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH_METHOD,
            "CELERY": celery_settings,
            # The webhook receiver of the tests listens on loopback: allowed as a town allows its own platform.
            "WEBHOOK_ALLOWED_INTERNAL_HOSTS": (WEBHOOK_RECEIVER_HOST,),
            **settings,
        }
    )
    app.test_client_class = IsolatedRequestsClient
    return app


@pytest.fixture(scope="session")
def app(database_url, celery_settings):
    app = make_test_app(database_url, celery_settings)
    with app.app_context():
        upgrade()
    _DatabaseWrites.database = make_url(database_url).database
    yield app
    _purge(app.extensions["celery"], app.extensions["celery"].conf.task_routes[0].idle_queue)


def _purge(celery, queue: str) -> None:
    with celery.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)


# Statements that leave the tables as they were; anything else run by this process counts as a write.
_READS = ("SELECT", "SHOW", "PRAGMA", "EXPLAIN", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET")
# Tests whose processes (worker, gunicorn) write where this process cannot see it.
_WRITING_ELSEWHERE = ("worker", "faults")


class _DatabaseWrites:
    """Whether this process wrote to the test database (not the broker's or a copy's) since its tables were emptied."""

    database: str | None = None
    seen = False


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(connection, cursor, statement, parameters, context, executemany) -> None:
    if connection.engine.url.database != _DatabaseWrites.database:
        return
    words = statement.lstrip().upper()
    if not words or words.startswith(_READS):
        return
    if words.startswith("WITH") and not re.search(r"\b(INSERT|UPDATE|DELETE)\b", words):
        return  # a query with common table expressions
    _DatabaseWrites.seen = True


@pytest.fixture(autouse=True)
def _clean_tables(app, request):
    """Each test starts with empty tables; the schema (from the migrations) is kept. Emptying them costs time
    on every test, so it is done only after a test that wrote."""
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        if _DatabaseWrites.seen or any(request.node.get_closest_marker(name) for name in _WRITING_ELSEWHERE):
            empty_tables()


class _TablesEmptied:
    count = 0


def rows_built_once(build):
    """A fixture for rows that the tests of a module read: `build()` runs once, and its rows stay for the next
    test; after a test that wrote (the tables were then emptied), the rows `build()` made are copied back, which
    is much quicker than building them again. Each test gets the value with its rows loaded again in its own
    session."""
    built = {}

    @pytest.fixture
    def fixture(_tables_emptied_after_module):
        if "rows" not in built:
            built["value"] = build()
            db.session.commit()
            built["rows"] = _table_rows()
        elif built["at"] != _TablesEmptied.count:
            _put_back(built["rows"])
        _DatabaseWrites.seen = False  # the rows are the module's, not this test's
        built["at"] = _TablesEmptied.count
        return _loaded_again(built["value"])

    return fixture


def _table_rows() -> dict[str, list[dict]]:
    with db.engine.connect() as connection:
        return {
            table.name: [dict(row) for row in connection.execute(table.select()).mappings()]
            for table in db.metadata.sorted_tables
            # Made again by the database's triggers as the other rows are put back (models.ActionTally).
            if not table.info.get("written_by_triggers")
        }


def _put_back(rows: dict[str, list[dict]]) -> None:
    """Into the emptied tables, with their ids; Postgres's id sequences then continue after them."""
    with db.engine.begin() as connection:
        for table in db.metadata.sorted_tables:
            if rows.get(table.name):
                connection.execute(table.insert(), rows[table.name])
            if connection.dialect.name == "postgresql" and table.autoincrement_column is not None:
                column = table.autoincrement_column.name
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column}'), "
                    f"(SELECT coalesce(max({column}), 0) + 1 FROM {table.name}), false)"
                ))


def keep_rows_written_by_this_test() -> None:
    """For rows built once for a module's tests (emptied after the module, by `_tables_emptied_after_module`):
    what was written so far is the module's, so the tables are not emptied after this test."""
    _DatabaseWrites.seen = False


def _loaded_again(value):
    if isinstance(value, dict):
        return {key: _loaded_again(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_loaded_again(item) for item in value)
    if isinstance(value, db.Model):
        return db.session.get(type(value), inspect(value).identity)
    return value


@pytest.fixture(scope="module")
def _tables_emptied_after_module(app):
    yield
    with app.app_context():
        empty_tables()


def empty_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
    _DatabaseWrites.seen = False
    _TablesEmptied.count += 1


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# The session's worker sends its e-mails to the session's SMTP server, builds links on this address, retries
# webhooks after 0.3 s, then 0.6 s (the tests wait for every try), and may send them to the receiver on loopback.
WORKER_PUBLIC_URL = "https://consultation.exemple.fr"
WORKER_SETTINGS = {
    "PUBLIC_URL": WORKER_PUBLIC_URL,
    "WEBHOOK_RETRY_BASE_SECONDS": "0.3",
    "WEBHOOK_MAX_ATTEMPTS": "3",
    "WEBHOOK_ALLOWED_INTERNAL_HOSTS": WEBHOOK_RECEIVER_HOST,
}


class WorkerProcess:
    """A `celery worker` started as `make run` does, pointed at the test database and broker, reading `queue`."""

    def __init__(self, env: dict[str, str], queue: str, log: Path):
        self.queue, self.log = queue, log
        self.process = start_celery_worker(log, {**os.environ, **env, "CELERY_QUEUE": queue})

    def stop(self) -> None:
        stop(self.process)


# How long a test's own worker may take to run what the test sent it before being stopped: past it, the test is
# failing anyway, and the worker is stopped as it stands.
OWN_WORKER_DRAIN_SECONDS = 30


class SessionWorker:
    """One worker for the whole session (per test process), started by the first test that needs it: starting
    one costs seconds. Its queue is read only while a test runs with it, so tests never see each other's tasks."""

    def __init__(self, env: dict[str, str], queue: str, log: Path):
        self.env, self.queue, self.log = env, queue, log
        self.worker: WorkerProcess | None = None

    def running(self) -> WorkerProcess:
        if self.worker is None or self.worker.process.poll() is not None:
            self.worker = WorkerProcess(self.env, self.queue, self.log)
        return self.worker

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()


# How often a worker on the embedded broker looks for a task: a test waits for its tasks, which would otherwise wait
# up to a second (kombu's interval) to be seen. Each look costs CPU, and the session's worker looks between the tests
# too: idle, it used 1.2 s of CPU each half-minute looking every 0.05 s (in a 13-minute suite, 30 s a worker, most of
# its CPU), 0.34 s looking every 0.2 s, which adds 0.075 s on average before a task is seen.
WORKER_POLLING_SECONDS = 0.2


def _worker_env(database_url: str, celery_settings: dict, **extra_env: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": celery_settings["broker_url"],
        "CELERY_RESULT_BACKEND": celery_settings["result_backend"],
        "SECRET_KEY": "test-secret-key",
        "EMBEDDED_BROKER_POLLING_SECONDS": str(WORKER_POLLING_SECONDS),
        **extra_env,
    }


@pytest.fixture(scope="session")
def session_worker(database_url, celery_settings, queue_name, session_smtp, tmp_path_factory):
    env = _worker_env(database_url, celery_settings, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(session_smtp.port),
                      **WORKER_SETTINGS)
    worker = SessionWorker(env, queue_name, tmp_path_factory.mktemp("worker") / "worker.log")
    yield worker
    worker.stop()


class WorkerStarter:
    """What `start_worker` gives a test: call it to have the tasks it sent, and those it sends next, run."""

    def __init__(self, app, session_worker: SessionWorker, start_own):
        self.celery = app.extensions["celery"]
        self.route: TaskRoute = self.celery.conf.task_routes[0]
        self.session_worker = session_worker
        self.start_own = start_own
        self.log_start: int | None = None

    def __call__(self, **settings: str) -> subprocess.Popen:
        """The session's worker; a worker of the test's own when it needs other `settings` (environment)."""
        if settings:
            return self.start_own(settings)
        worker = self.session_worker.running()
        self.log_start = worker.log.stat().st_size
        self._send_waiting_tasks_to(worker.queue)
        return worker.process

    def _send_waiting_tasks_to(self, queue: str) -> None:
        """Tasks sent before the worker was there move to its queue, in order, through the broker."""
        self.route.queue = queue
        destination = Queue(queue, Exchange(queue), queue)  # as Celery declares a queue named by a route
        move(lambda body, message: destination, app=self.celery, source=[self.route.idle_queue], timeout=0.2)

    def log_text(self) -> str:
        """What the session's worker logged since this test called it."""
        with open(self.session_worker.log, encoding="utf-8") as log:
            log.seek(self.log_start)
            return log.read()

    def wait_for_sent_tasks(self, queue: str | None = None, seconds: float = 120) -> None:
        """Returns once the worker reading `queue` (the session's by default) has run every task sent to it so
        far: it runs them in order."""
        task_result(self.celery.send_task("celery.accumulate", args=["drained"], queue=queue), seconds=seconds)

    def finish(self) -> None:
        """No task of this test may write to the tables being emptied for the next one."""
        self.wait_for_sent_tasks()
        print(self.log_text())


@pytest.fixture(scope="session")
def stopping_workers() -> Iterator[list[subprocess.Popen]]:
    """Tests' own workers, told to stop once idle and waited for at the end of the session, not by their test:
    on the embedded broker a worker notices the signal only between its two-second waits for a task, then its
    interpreter takes a second of CPU to exit, seconds the next tests can use."""
    stopping: list[subprocess.Popen] = []
    yield stopping
    for process in stopping:
        stop(process)


@pytest.fixture
def start_worker(app, database_url, celery_settings, session_worker, stopping_workers, tmp_path):
    """Tasks wait in the broker until the test calls `start_worker()`, then a real `celery worker` runs them.
    `start_worker(**settings)` starts a worker of the test's own with those settings instead, stopped at the
    end (its queue is the test's own)."""
    celery = app.extensions["celery"]
    # `task.delay()` uses the last Celery app made, which another test's app may be.
    celery.set_current()
    celery.set_default()
    route: TaskRoute = celery.conf.task_routes[0]
    _purge(celery, route.idle_queue)  # tasks of earlier tests, which ran without a worker
    own_workers: list[WorkerProcess] = []
    own_queue = f"{route.idle_queue}-{tmp_path.name}"

    def start_own(settings: dict[str, str]) -> subprocess.Popen:
        env = _worker_env(database_url, celery_settings, **settings)
        own_workers.append(WorkerProcess(env, own_queue, tmp_path / f"worker-{len(own_workers)}.log"))
        starter._send_waiting_tasks_to(own_queue)
        return own_workers[-1].process

    starter = WorkerStarter(app, session_worker, start_own)
    try:
        yield starter
        if starter.log_start is not None:
            starter.finish()
    finally:
        route.queue = route.idle_queue
        for worker in own_workers:
            _stop_once_idle(starter, worker, stopping_workers)
            print(worker.log.read_text())


def _stop_once_idle(starter: WorkerStarter, worker: WorkerProcess, stopping: list[subprocess.Popen]) -> None:
    """Once the worker has run every task the test sent it (none may write to the tables emptied for the next
    test), its warm shutdown, which then has nothing left to do, goes on while the next tests run. A worker still
    busy past OWN_WORKER_DRAIN_SECONDS is stopped before the next test starts."""
    if worker.process.poll() is None:
        try:
            starter.wait_for_sent_tasks(worker.queue, seconds=OWN_WORKER_DRAIN_SECONDS)
        except CeleryTimeoutError:
            worker.stop()
        worker.process.terminate()
    stopping.append(worker.process)


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@dataclass
class SmtpServer:
    port: int
    inbox: Inbox


@pytest.fixture(scope="session")
def session_smtp():
    """A real SMTP server on loopback for the whole session; the session's worker sends to it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield SmtpServer(controller.port, inbox)
    controller.stop()


@pytest.fixture
def smtp_server(session_smtp):
    """The session's SMTP server, its inbox emptied for this test: (port, inbox)."""
    session_smtp.inbox.messages.clear()
    return session_smtp.port, session_smtp.inbox


@pytest.fixture
def mail(app, smtp_server, start_worker, monkeypatch):
    """The inbox of what the site e-mails during the test: the app has a mail server, and the worker sends."""
    _port, inbox = smtp_server
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    start_worker()
    return inbox
