"""Real processes started by the tests and by `make bench`: a free loopback port, a command run with its output in
a log, waiting until it answers or says it is ready, stopping it; gunicorn and a Celery worker started as
production starts them. One module, so that the tests and the bench start and stop servers the same way."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import requests

PROJECT = Path(__file__).resolve().parents[1]
APP = "pedt_participation:create_app()"
WORKER_APP = "tasks.celery_app:celery_app"
# How long a server or worker may take to become ready: importing the app costs seconds of CPU, and CI runs four
# suites side by side on two cores, where a start has taken over a minute. Slow is not broken; never ready is.
STARTING_SECONDS = 150


def free_port() -> int:
    """A loopback port no process listens on now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_process(command: Sequence[str], log: Path, env: Mapping[str, str] | None = None) -> subprocess.Popen:
    """`command` run from the project's folder with `env` (this process's environment without it), its output
    and errors written to `log`."""
    with open(log, "w") as output:
        return subprocess.Popen(
            list(command), cwd=PROJECT, env=None if env is None else dict(env), stdout=output, stderr=subprocess.STDOUT
        )


def wait_until_answering(url: str, process: subprocess.Popen, log: Path, seconds: float = STARTING_SECONDS) -> None:
    """Returns once `url` gives any HTTP answer; fails with the process's log if it exits or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while True:
        assert process.poll() is None, log.read_text()
        try:
            requests.get(url, timeout=10)
            return
        except (requests.ConnectionError, requests.Timeout):
            assert time.monotonic() < deadline, f"{url} never answered:\n{log.read_text()}"
            time.sleep(0.2)


def wait_until_logged(text: str, process: subprocess.Popen, log: Path, seconds: float = STARTING_SECONDS) -> None:
    """Returns once the process has written `text` to its log; fails with the log if it exits or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while text not in log.read_text():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"{text!r} never logged:\n{log.read_text()}"
        time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if the process has not ended within 20 s; nothing if it has already ended."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_gunicorn(
    log: Path, env: Mapping[str, str] | None = None, app: str = APP, options: Sequence[str] = ()
) -> tuple[subprocess.Popen, str]:
    """gunicorn serving `app` on a free loopback port with gunicorn.conf.py's settings (`options` add to them),
    and its base URL once it answers."""
    port = free_port()
    # No control socket: its default path, in the home folder, would be shared by every gunicorn of the machine.
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--no-control-socket", *options, app]
    process = start_process(command, log, env)
    base_url = f"http://127.0.0.1:{port}"
    _stopped_unless(lambda: wait_until_answering(base_url + "/", process, log), process)
    return process, base_url


def start_celery_worker(
    log: Path, env: Mapping[str, str] | None = None, options: Sequence[str] = ()
) -> subprocess.Popen:
    """`celery worker` as the Procfile starts it, one task at a time in its own process (`options` add to it),
    once it says it is ready."""
    command = [sys.executable, "-m", "celery", "-A", WORKER_APP, "worker", "--pool=solo", "--loglevel=INFO",
               "--without-gossip", "--without-mingle", *options]
    process = start_process(command, log, env)
    _stopped_unless(lambda: wait_until_logged("ready.", process, log), process)
    return process


def _stopped_unless(ready: Callable[[], None], process: subprocess.Popen) -> None:
    """A server that never became ready is stopped before the failure is reported: no caller holds it yet."""
    try:
        ready()
    except BaseException:
        stop(process)
        raise
