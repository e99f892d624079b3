"""gunicorn's settings, read from the working directory by `make run` (Procfile), `make bench` and production.

Two sync workers (`--workers` or WEB_CONCURRENCY changes the number). Threaded workers were measured on the
vote path (64 clients, two cores; the figures are in benchmarks/RESULTS.md) and served fewer votes a second,
with a longer p99, than sync workers: a vote is mostly Python (CPU under the GIL) and waits little on Postgres
or Redis on the same host, so more threads only add switching."""

import gc
import os

worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))

# A request line up to gunicorn's largest (8190 bytes), so that the app itself refuses an address longer than its
# MAX_URL_LENGTH, with a 414 in French (JSON under /api/); a longer line still gets gunicorn's plain 400.
limit_request_line = 8190
# The app's request log is the access log: it redacts the secrets some addresses carry (a password-reset link's
# token), which gunicorn's access log would write as sent. So gunicorn's stays off.
accesslog = None


def post_worker_init(worker):
    """The app's own objects (modules, routes, mappers, translations: about 200,000) live as long as the worker:
    moved out of the collector's reach once the app is loaded, so that a full collection, which came every hundred
    pages or so, scans only what requests created instead of pausing one page for up to 300 ms."""
    gc.freeze()
