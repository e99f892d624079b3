"""The servers a bench run starts (gunicorn, the Celery worker), with the tests' process helpers, all stopped at
the end whatever happens; their logs go to build/bench/."""

from __future__ import annotations

import subprocess
from pathlib import Path

from benchmarks.settings import ROOT
from tests.processes import APP, start_celery_worker, start_gunicorn, stop

LOG_DIR = ROOT / "build" / "bench"


class Servers:
    def __init__(self, log_dir: Path = LOG_DIR) -> None:
        self.log_dir = log_dir
        self.started: list[subprocess.Popen] = []

    def gunicorn(self, app: str = APP) -> tuple[subprocess.Popen, str]:
        """gunicorn serving `app` (the app, or a floor of benchmarks/floors.py) with gunicorn.conf.py's workers, as
        in production, and its address once it answers."""
        process, base_url = start_gunicorn(self.log_dir / f"gunicorn-{app.partition(':')[0].rpartition('.')[2]}.log",
                                           app=app)
        self.started.append(process)
        return process, base_url

    def worker(self) -> subprocess.Popen:
        process = start_celery_worker(self.log_dir / "worker.log", options=["--without-heartbeat"])
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.started:
            stop(process)
