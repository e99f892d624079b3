"""Decidim's open-data CSV layout, read and written. Decidim flattens nested values into columns
joined by "/" (`author/id`, `title/fr`, `taxonomies/12/fr`), writes lists as "a, b", and separates
columns with ";" by default (`Decidim.default_csv_col_sep`; some platforms set ","). Proposals come
from `ProposalSerializer`, comments from `CommentSerializer`."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from flask_babel import gettext as _

from ..downloads import FORMULA_STARTS
from ..errors import ParticipationRefused
from ..models import AnswerState

DELIMITERS = (";", ",", "\t")
PREFERRED_LOCALE = "fr"
MACHINE_TRANSLATION = "machine_translation"

# Decidim's proposal states (tokens since 0.28, "published" or empty before) and ours.
UNANSWERED_STATES = frozenset({"", "published", "not_answered"})
WITHDRAWN_STATE = "withdrawn"
ANSWER_STATES = {
    "evaluating": AnswerState.EVALUATING,
    "accepted": AnswerState.ACCEPTED,
    "rejected": AnswerState.NOT_RETAINED,
}
EXPORTED_STATES = {answer: state for state, answer in ANSWER_STATES.items()} | {None: "not_answered"}

PROPOSAL_TYPE = "Decidim::Proposals::Proposal"
COMMENT_TYPE = "Decidim::Comments::Comment"
COMMENT_COLUMNS = [
    "id", "created_at", "body", "locale", "author/id", "alignment", "depth",
    "commentable_id", "commentable_type", "root_commentable_url",
]


def read_rows(content: bytes) -> list[dict[str, str]]:
    """The rows of a Decidim CSV as {column: text}, whichever separator the platform used (the one
    splitting the header line the most: column names never contain one)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ParticipationRefused(
            _(
                "Ce fichier n’est pas encodé en UTF-8 (caractère illisible à l’octet %(position)s). "
                "Téléchargez à nouveau l’export de la plateforme, ou, s’il a été ouvert dans un tableur, "
                "enregistrez-le au format « CSV UTF-8 ».",
                position=error.start + 1,
            )
        ) from error
    if "\x00" in text:
        # The request's NUL check cannot see inside a file; Postgres would refuse the text at import.
        raise ParticipationRefused(
            _(
                "Ce fichier contient un caractère invisible interdit (le caractère nul, ligne %(line)s). "
                "Téléchargez à nouveau l’export de la plateforme, ou, s’il a été ouvert dans un autre logiciel, "
                "enregistrez-le au format « CSV UTF-8 ».",
                line=text.count("\n", 0, text.index("\x00")) + 1,
            )
        )
    if not text.strip():
        raise ParticipationRefused(_("Ce fichier est vide. Téléchargez à nouveau l’export des propositions de la plateforme."))
    header = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=header.count)
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, restval="")
        rows = [
            {name.strip(): value for name, value in row.items() if isinstance(name, str) and isinstance(value, str)}
            for row in reader
        ]
    except csv.Error as error:
        raise ParticipationRefused(
            _("Ce fichier n’est pas un CSV lisible (%(detail)s). Téléchargez à nouveau l’export de la plateforme.", detail=error)
        ) from error
    columns = {name.strip() for name in reader.fieldnames or ()}
    if not any(name == "title" or name.startswith("title/") for name in columns) or not columns & {"id", "url"}:
        raise ParticipationRefused(
            _(
                "Ce fichier ne ressemble pas à un export des propositions de la plateforme : il lui manque "
                "les colonnes « id » ou « url » et « title » (ou « title/fr »). Sur la plateforme, "
                "téléchargez les données ouvertes, fichier des propositions."
            )
        )
    return rows


def localized(row: dict[str, str], name: str) -> str:
    """A translatable value: the plain column, else `name/fr`, else the first language given, else a
    machine translation (French first)."""
    return _unescaped(_localized(row, name))


def _unescaped(value: str) -> str:
    """The text before an export put an apostrophe in front of it so that no spreadsheet would run it."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def _localized(row: dict[str, str], name: str) -> str:
    if row.get(name, "").strip():
        return row[name].strip()
    prefix, machine_prefix = f"{name}/", f"{name}/{MACHINE_TRANSLATION}/"
    human, machine = [], []
    for column, value in row.items():
        if not column.startswith(prefix) or not value.strip():
            continue
        if column.startswith(machine_prefix):
            machine.append((column.removeprefix(machine_prefix), value.strip()))
        elif "/" not in column.removeprefix(prefix):
            human.append((column.removeprefix(prefix), value.strip()))
    for candidates in (human, machine):
        for locale, value in candidates:
            if locale == PREFERRED_LOCALE:
                return value
        if candidates:
            return candidates[0][1]
    return ""


def taxonomy_names(row: dict[str, str]) -> list[str]:
    """The proposal's taxonomies (`taxonomies/ids` and `taxonomies/<id>/<locale>`), or its category in
    exports made before taxonomies (`category/name/<locale>`)."""
    ids = [part.strip() for part in row.get("taxonomies/ids", "").split(",") if part.strip()]
    if not ids:
        pattern = re.compile(r"taxonomies/(\d+)/")
        ids = list(dict.fromkeys(m.group(1) for column, value in row.items() if value.strip() and (m := pattern.match(column))))
    names = [localized(row, f"taxonomies/{taxonomy_id}") for taxonomy_id in ids]
    names = list(dict.fromkeys(name for name in names if name))
    if not names and (category := localized(row, "category/name")):
        names = [category]
    return names


def is_true(value: str) -> bool:
    return value.strip().lower() in {"true", "1", "yes", "oui"}


def whole_number(value: str) -> int:
    """A count from the file; an empty or hidden count (Decidim writes nothing when votes are hidden) is 0."""
    try:
        return max(int(value.strip() or 0), 0)
    except ValueError:
        return 0


def parse_datetime(value: str) -> datetime | None:
    """ISO 8601 or Rails' "2024-03-05 10:12:33 UTC" / "… +0100"; None when empty or unreadable."""
    value = re.sub(r"\s*UTC$", "+00:00", value.strip())
    value = re.sub(r"\s+([+-]\d{2}:?\d{2})$", r"\1", value)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def format_datetime(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds") if value else ""


def csv_chunks(rows: Iterable[list], rows_per_chunk: int = 200) -> Iterator[bytes]:
    """UTF-8 with a BOM and ";" between columns (Decidim's default, and what Excel opens in French),
    a few hundred rows at a time for a streamed download."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    yield "\ufeff".encode()
    for number, row in enumerate(rows, start=1):
        writer.writerow(row)
        if number % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue().encode("utf-8")
