"""gunicorn's settings, read from the working directory by `make run` (Procfile), `make bench` and production.

Two sync workers (`--workers` or WEB_CONCURRENCY changes the number). Threaded workers were measured on the
vote path (64 clients, two cores; the figures are in benchmarks/RESULTS.md) and served fewer votes a second,
with a longer p99, than sync workers: a vote is mostly Python (CPU under the GIL) and waits little on Postgres
or Redis on the same host, so more threads only add switching."""

import os

worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
