"""Worker and beat entry point: `celery -A tasks.celery_app:celery_app worker` (or `beat`)."""

import gc

from celery.signals import setup_logging, worker_ready
from kombu.transport import sqlalchemy as embedded_broker

from pedt_participation import create_app
from pedt_participation.operations.logs import configure_logging

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
# kombu takes the interval only from its transport options, which this transport hands on to create_engine.
embedded_broker.Transport.polling_interval = flask_app.config["EMBEDDED_BROKER_POLLING_SECONDS"]


@setup_logging.connect
def _log_like_the_web_processes(loglevel=None, **_kwargs) -> None:
    """Instead of Celery's own handlers: the same JSON (or text) lines as the web, with the request id."""
    configure_logging(flask_app.config["LOG_FORMAT"], loglevel or flask_app.config["LOG_LEVEL"])


@worker_ready.connect
def _freeze_what_the_start_made(**_kwargs) -> None:
    """The app and the summaries' libraries (tasks/summaries.py) leave some 300,000 objects that live as long as
    the worker: frozen, the garbage collector no longer goes through them at each full collection (0.2 s of CPU)
    nor when the worker exits (1.1 s of CPU at each stop, 0.1 s frozen)."""
    gc.freeze()
