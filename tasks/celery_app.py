"""Worker and beat entry point: `celery -A tasks.celery_app:celery_app worker` (or `beat`)."""

from celery.signals import setup_logging
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
