"""Files people download and open in a spreadsheet: cells that stay text, and responses streamed a
piece at a time with a file name."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask import Response, current_app

# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Text a spreadsheet shows as text: a leading apostrophe keeps "=…" from becoming a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def streamed_attachment(
    generator_function: Callable[..., Iterable[bytes]], *args: Any, media_type: str, filename: str
) -> Response:
    """A download saved under `filename`, its body made by the generator in an application context of
    its own: the response is sent after the request's context is gone, and the chunks are read from the
    database as they go out."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # typed as the app, not as its proxy

    def generate() -> Iterator[bytes]:
        with app.app_context():
            yield from generator_function(*args)

    response = Response(generate(), content_type=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
