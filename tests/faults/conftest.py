"""Real processes for the fault tests: the app under gunicorn, a throwaway Redis and a throwaway Postgres
cluster that the tests may stop (never the machine's shared services). Postgres only: SQLite has no
concurrent writers to race and no server to restart."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from glob import glob
from pathlib import Path

import pytest
import requests

from tests.helpers import TEST_PASSWORD
from tests.processes import free_port, start_gunicorn, start_process, stop


@pytest.fixture(autouse=True)
def _postgres_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("fault tests need Postgres and gunicorn: run `make test-faults` with TEST_DATABASE_URL set")


@pytest.fixture(scope="module")
def gunicorn(database_url, celery_settings, tmp_path_factory):
    """Starts the app as production does (`gunicorn "pedt_participation:create_app()"`, several workers and
    threads) on a free loopback port; returns its base URL. `env` overrides the settings. One server per
    module and settings: starting gunicorn is the slow part."""
    started = []
    servers = {}
    tmp_path = tmp_path_factory.mktemp("gunicorn")

    def start(**env: str) -> str:
        key = tuple(sorted(env.items()))
        if key not in servers:
            servers[key] = _start(**env)
        return servers[key]

    def _start(**env: str) -> str:
        log = tmp_path / f"gunicorn-{len(started)}.log"
        settings = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": celery_settings["broker_url"],
            "CELERY_RESULT_BACKEND": celery_settings["result_backend"],
            "SECRET_KEY": "test-secret-key",
            # Every request must reach the database: these tests prove what it allows, not the rate limits.
            "RATELIMIT_ENABLED": "0",
            **env,
        }
        process, base_url = start_gunicorn(
            log, settings, options=["--workers", "3", "--threads", "8", "--worker-class", "gthread", "--timeout", "60",
                                    "--graceful-timeout", "3"],
        )
        started.append((process, log))
        return base_url

    yield start
    for process, log in started:
        stop(process)
        print(log.read_text())


def signed_in(base_url: str, participant) -> requests.Session:
    """A browser-like session signed in through the login form (CSRF token included)."""
    session = requests.Session()
    page = session.get(f"{base_url}/auth/login").text
    response = session.post(
        f"{base_url}/auth/login",
        data={"csrf_token": form_value(page, "csrf_token"), "email": participant.email, "password": TEST_PASSWORD},
        allow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return session


def form_value(page: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"', page).group(1)


@pytest.fixture
def throwaway_redis(tmp_path):
    """A Redis of our own on a free port, which a test may stop and start again: (url, stop, start)."""
    port = free_port()
    processes = []

    def start_redis() -> None:
        processes.append(start_process(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(tmp_path)],
            tmp_path / f"redis-{len(processes)}.log",
        ))
        deadline = time.monotonic() + 20
        while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout.strip() != b"PONG":
            assert time.monotonic() < deadline, "the throwaway Redis did not start"
            time.sleep(0.1)

    def stop_redis() -> None:
        stop(processes[-1])

    start_redis()
    yield f"redis://127.0.0.1:{port}", stop_redis, start_redis
    stop(processes[-1])


def _postgres_binary(name: str) -> str | None:
    found = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    return found[-1]


@pytest.fixture
def throwaway_postgres():
    """A Postgres cluster of our own (initdb + pg_ctl in a temporary folder), which a test may restart:
    (url, restart). Postgres refuses to run as root: as root, the cluster belongs to the postgres user."""
    initdb, pg_ctl = _postgres_binary("initdb"), _postgres_binary("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("initdb and pg_ctl are not installed: cannot start a Postgres cluster to restart")
    folder = Path(tempfile.mkdtemp(prefix="pedt-faults-postgres-"))
    as_owner = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", free_port()
    subprocess.run([*as_owner, initdb, "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync"], check=True,
                   capture_output=True)
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"

    def pg_ctl_run(*args: str) -> None:
        subprocess.run([*as_owner, pg_ctl, "-D", str(data), "-l", str(folder / "postgres.log"), "-w", *args],
                       check=True, capture_output=True)

    pg_ctl_run("-o", options, "start")
    subprocess.run(["createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "pedt"], check=True)

    def restart() -> None:
        pg_ctl_run("-m", "fast", "-o", options, "restart")

    yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/pedt", restart
    pg_ctl_run("-m", "immediate", "stop")
    shutil.rmtree(folder, ignore_errors=True)
