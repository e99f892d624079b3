"""What the commands of every feature share (each feature's `cli.py` holds its own commands, registered by
`create_app`): finding the consultation a command names, or stopping with a message saying it does not exist."""

from __future__ import annotations

import click
from sqlalchemy import select

from .extensions import db
from .models import Consultation


def consultation_named(slug: str) -> Consultation:
    """Any consultation, drafts included: commands are run by the staff."""
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        raise click.ClickException(f"Aucune consultation « {slug} ».")
    return consultation
