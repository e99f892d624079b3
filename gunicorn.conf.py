"""gunicorn's settings, read from the working directory by `make run` (Procfile), `make bench` and production.

Two sync workers (`--workers` or WEB_CONCURRENCY changes the number). Threaded workers were measured on the
vote path (64 clients, two cores, benchmarks/RESULTS.md) and lost: 2 workers × 8 threads served 164–184
votes/s with a p99 of 0.5 s, 2 sync workers 229–246 votes/s with a p99 of 0.3 s. A vote is mostly Python
(about 6 ms of CPU, under the GIL) and waits little on Postgres or Redis on the same host, so more threads
only add switching."""

import os

worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
