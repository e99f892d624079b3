"""The name under which a person's texts are shown outside moderation.

A child under 15 chose a display name ("Lina 12 ans") that may say who they are: pages, the API and embeds show
a neutral pseudonym instead, and only moderation sees the chosen name. The pseudonym's number comes from a keyed
hash of the account: stable, and no one without the site's secret key can go from it back to the account.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from flask_babel import gettext as _

from .models import Participant


def keyed_digest(purpose: str, participant_id: int) -> str:
    """A hex digest of the account for one purpose, keyed with the site's secret: two purposes give unrelated
    values, so one cannot be matched with another."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{participant_id}".encode(), hashlib.sha256).hexdigest()


def shown_under_pseudonym(author: Participant) -> bool:
    return author.age_bracket.needs_parental_consent


def public_name(author: Participant | None) -> str:
    """The name shown with a text on pages, in the API and embeds."""
    if author is None:
        return _("Compte supprimé")
    if shown_under_pseudonym(author):
        number = int(keyed_digest("public-pseudonym", author.id), 16) % 9000 + 1000
        return _("Jeune participant·e n° %(number)s", number=number)
    return author.display_name
