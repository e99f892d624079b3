"""Messages after a form, shown where the person is looking. A vote is pressed deep in a long page: its answer
("Votre soutien est enregistré", or why it is refused) belongs beside that action's controls, where the browser
lands, not at the top of the page. A message whose place the page does not show falls back to the top."""

from __future__ import annotations

from flask import flash, g, get_flashed_messages

# A flashed message's category is "<kind>" (success, error) or "<kind> <place>", the place being an element id.


def flash_beside(place: str, message: str, kind: str) -> None:
    flash(message, f"{kind} {place}")


def _messages() -> list[tuple[str, str, str]]:
    """(kind, place, message) of this request's messages, read from the session once."""
    parsed = []
    for category, message in get_flashed_messages(with_categories=True):
        kind, _, place = category.partition(" ")
        parsed.append((kind, place, message))
    return parsed


def messages_beside(place: str) -> list[tuple[str, str]]:
    """(kind, message) to show at `place`; the page's top will not repeat them."""
    shown = g.setdefault("message_places_shown", set())
    found = [(kind, message) for kind, where, message in _messages() if where == place]
    if found:
        shown.add(place)
    return found


def messages_on_top() -> list[tuple[str, str]]:
    """Messages for the top of the page: those with no place, and those whose place the page did not show.
    Called once the page's content is rendered."""
    shown = g.get("message_places_shown", set())
    return [(kind, message) for kind, where, message in _messages() if not where or where not in shown]
