"""Worker and beat entry point: `celery -A tasks.celery_app:celery_app worker` (or `beat`)."""

from pedt_participation import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
