"""Celery tasks. Thin: they take ids, call the same services as the web and CLI, and commit."""
