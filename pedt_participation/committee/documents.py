"""The files of a summary, all made from its aggregated data: CSV (one row per action), spreadsheet (.xlsx, one
sheet per table), JSON and PDF."""

from __future__ import annotations

import base64
import csv
import io
import json
import logging
from collections.abc import Iterator, Mapping
from html.parser import HTMLParser
from typing import Any

from flask import render_template
from flask_babel import force_locale

from ..downloads import safe_text
from ..labels import (
    AGE_BRACKET_LABELS,
    ANSWER_STATE_LABELS,
    AUDIENCE_LABELS,
    DECISION_PROGRESS_LABELS,
    DECISION_VERDICT_LABELS,
    GRADE_LABELS,
    REFUSAL_CATEGORY_LABELS,
)
from ..models import AnswerState, Audience, DecisionProgress, DecisionVerdict, Grade, RefusalCategory, SummaryFileKind
from .analyses_section import analyses_context

# fontTools logs every font it subsets at INFO: pages of noise in the worker's log for each PDF.
logging.getLogger("fontTools").setLevel(logging.WARNING)

MEDIA_TYPES = {
    SummaryFileKind.PDF: "application/pdf",
    SummaryFileKind.CSV: "text/csv; charset=utf-8",
    SummaryFileKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
ORIGIN_LABELS = {"official": "Comité de pilotage", "participant": "Proposition d’un participant"}


def _or_empty(value: float | None) -> float | str:
    return value if value is not None else ""


def _figure(part: dict[str, Any] | None) -> int | str:
    """A number where it shows, else an empty cell: spreadsheets read the column as numbers. What stands for a
    withheld one ("< 5", "masqué") or a breakdown left out (None) is in the row's status column (`_status`)."""
    return part["value"] if part and part["value"] is not None else ""


CSV_HEADER = [
    "N° orientation", "Orientation", "N° action", "Action", "Origine", "Réponse officielle",
    "Soutiens", "Soutiens en ligne", "Soutiens sur papier",
    *(f"Soutiens : {AUDIENCE_LABELS[a]}" for a in Audience),
    "Rang (soutiens)", "Pour", "Mitigé", "Contre", "Avis exprimés", "Solde (pour − contre)",
    "Mention majoritaire", "Rang (jugement majoritaire)",
    *(f"Mentions : {GRADE_LABELS[g]}" for g in reversed(Grade)),
    "Commentaires pour", "Commentaires neutres", "Commentaires contre", "Thèmes récurrents",
    "Décision", "Explication de la décision", "Décision publiée", "Avancement", "Note sur l’avancement",
    "Entre publics", "Écart entre publics (points)", "Entre tranches d’âge", "Groupes d’opinion qui s’en distinguent",
    "Approuvée par tous les groupes d’opinion", "Pour, part brute (pondération)", "Pour, part pondérée",
]
WITHHELD_COLUMN = "Nombres masqués"
SUPPORTS_NOT_DETAILED = "soutiens non détaillés (par public, âge, quartier) : trop peu pour ne révéler aucun petit groupe"
OPINIONS_NOT_DETAILED = "avis non détaillés (par public, âge, quartier) : trop peu pour ne révéler aucun petit groupe"
# Per column of the results by neighbourhood (the summary's `neighbourhoods`), after the columns above.
NEIGHBOURHOOD_COLUMNS = ("Soutiens en ligne", "Pour", "Mitigé", "Contre")
DIVISION_LABELS = {"divisive": "divise", "consensual": "rassemble"}


def _analyses_by_action(data: dict[str, Any]) -> dict[int, list[Any]]:
    """Per action, the analyses' columns (empty for summaries made before the analyses were in them)."""
    analyses = data.get("analyses")
    if not analyses:
        return {}
    columns: dict[int, list[Any]] = {}
    groups = analyses["opinion_groups"]
    consensus = {action["action_id"] for action in groups["consensus_actions"]}
    weighted = {
        action["action_id"]: action
        for action in (analyses["representativeness"] or {"weighting": {"actions": []}})["weighting"]["actions"]
    }
    by_audience = {action["action_id"]: action for action in analyses["division"]["by_audience"]["actions"]}
    by_age = {action["action_id"]: action for action in analyses["division"]["by_age_bracket"]["actions"]}
    for action_id in _action_ids(data):
        audience, age = by_audience.get(action_id), by_age.get(action_id)
        gap = audience["widest_gap"] if audience and audience["divisive"] else None
        leanings = [
            f"{group['name']} {representative['direction']}"
            for group in groups["groups"]
            for representative in group["representative_actions"]
            if representative["action_id"] == action_id
        ]
        weighting = weighted.get(action_id)
        columns[action_id] = [
            _division_label(audience),
            round(gap["difference"] * 100) if gap else "",
            _division_label(age),
            " ; ".join(leanings),
            "oui" if action_id in consensus else "",
            _or_empty(weighting["raw_approval"]) if weighting else "",
            _or_empty(weighting["weighted_approval"]) if weighting else "",
        ]
    return columns


def _action_ids(data: dict[str, Any]) -> list[int]:
    return [action["id"] for orientation in data["orientations"] for action in orientation["actions"]]


def _division_label(action: dict[str, Any] | None) -> str:
    if action is None:
        return ""
    return DIVISION_LABELS["divisive"] if action["divisive"] else DIVISION_LABELS["consensual"] if action["consensual"] else ""


def _decision_cells(decision: dict[str, Any] | None) -> list[str]:
    """The decision's columns; empty while none is recorded (and in snapshots made before decisions existed)."""
    if decision is None:
        return ["", "", "", "", ""]
    progress = decision["progress"]
    return [
        str(DECISION_VERDICT_LABELS[DecisionVerdict(decision["verdict"])]),
        safe_text(decision["explanation"]),
        "oui" if decision["published_at"] else "non (brouillon)",
        str(DECISION_PROGRESS_LABELS[DecisionProgress(progress)]) if progress else "",
        safe_text(decision["progress_note"]),
    ]


def _neighbourhood_parts(action: dict[str, Any], name: str) -> list[dict[str, Any] | None]:
    """An action's cells in one column of the results by neighbourhood, in the order of NEIGHBOURHOOD_COLUMNS, then
    its opinions there; None where the action's supports or opinions are not detailed."""
    supports = action["supports"]["online_by_neighbourhood"]
    opinions = action["opinions"]["by_neighbourhood"].get(name)
    return [
        supports["parts"][name] if supports else None,
        *((opinions["parts"][side] if opinions else None) for side in ("pour", "mitige", "contre")),
        opinions["total"] if opinions else None,
    ]


def _left_out(action: dict[str, Any]) -> list[str]:
    """What the status column says of an action's breakdowns left out (summaries made before have them all)."""
    return [
        text for kind, text in (("supports", SUPPORTS_NOT_DETAILED), ("opinions", OPINIONS_NOT_DETAILED))
        if not action[kind].get("detailed", True)
    ]


def _status(counts: dict[str, dict[str, Any] | None], left_out: list[str]) -> str:
    return " ; ".join([*left_out, *filter(None, [_withheld_status(counts)])])


def csv_rows(data: dict[str, Any]) -> Iterator[list[Any]]:
    # Summaries made before the results by neighbourhood have no `neighbourhoods`.
    neighbourhoods = data.get("neighbourhoods") or []
    yield [
        *(str(column) for column in CSV_HEADER),
        *(f"{column} : {name}" for name in neighbourhoods for column in NEIGHBOURHOOD_COLUMNS),
        WITHHELD_COLUMN,
    ]
    analyses = _analyses_by_action(data)
    for orientation in data["orientations"]:
        for action in orientation["actions"]:
            supports, opinions, judgment = action["supports"], action["opinions"], action["majority_judgment"]
            grade = judgment["majority_grade"]
            counts = {
                "Soutiens": supports["by_channel"]["total"],
                "Soutiens en ligne": supports["by_channel"]["parts"]["online"],
                "Soutiens sur papier": supports["by_channel"]["parts"]["paper"],
                **{f"Soutiens : {AUDIENCE_LABELS[a]}": part for a, part in _supports_by_audience(supports).items()},
                "Pour": opinions["parts"]["pour"], "Mitigé": opinions["parts"]["mitige"],
                "Contre": opinions["parts"]["contre"], "Avis exprimés": opinions["total"],
                **{f"Mentions : {GRADE_LABELS[g]}": judgment["parts"][str(g.value)] for g in reversed(Grade)},
            }
            by_neighbourhood = {
                f"{column} : {name}": part
                for name in neighbourhoods
                for column, part in zip(NEIGHBOURHOOD_COLUMNS, _neighbourhood_parts(action, name), strict=False)
            }
            yield [
                orientation["position"],
                safe_text(orientation["title"]),
                action["position"],
                safe_text(action["title"]),
                ORIGIN_LABELS[action["origin"]],
                str(ANSWER_STATE_LABELS[AnswerState(action["answer_state"])]) if action["answer_state"] else "",
                _figure(supports["by_channel"]["total"]),
                _figure(supports["by_channel"]["parts"]["online"]),
                _figure(supports["by_channel"]["parts"]["paper"]),
                *(_figure(part) for part in _supports_by_audience(supports).values()),
                supports["rank"] or "",
                *(_figure(opinions["parts"][key]) for key in ("pour", "mitige", "contre")),
                _figure(opinions["total"]),
                opinions["balance"] if opinions["balance"] is not None else "",
                str(GRADE_LABELS[Grade(grade)]) if grade is not None else "",
                judgment["rank"] or "",
                *(_figure(judgment["parts"][str(g.value)]) for g in reversed(Grade)),
                action["comments"]["pour"],
                action["comments"]["neutre"],
                action["comments"]["contre"],
                safe_text(" ; ".join(f"{t['phrase']} ({t['comments']})" for t in action["themes"])),
                *_decision_cells(action.get("decision")),
                *analyses.get(action["id"], [""] * 7),
                *(_figure(part) for part in by_neighbourhood.values()),
                _status({**counts, **by_neighbourhood}, _left_out(action)),
            ]


def _supports_by_audience(supports: dict[str, Any]) -> dict[Audience, dict[str, Any] | None]:
    """The action's supports per audience; None each where they are not detailed."""
    table = supports["by_audience"]
    return {a: table["parts"][a.value] if table else None for a in Audience}


def _withheld_status(counts: Mapping[str, dict[str, Any] | None]) -> str:
    """The row's withheld counts and what stands for each: "Soutiens : < 5 ; Pour : masqué"; a breakdown left out
    (None) is said once, by `_left_out`."""
    return " ; ".join(f"{column} : {part['display']}" for column, part in counts.items() if part and part["value"] is None)


def summary_csv(data: dict[str, Any]) -> bytes:
    """UTF-8 with BOM and semicolons: what Excel opens correctly in a French locale."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerows(csv_rows(data))
    return buffer.getvalue().encode("utf-8-sig")


def summary_xlsx(data: dict[str, Any]) -> bytes:
    """The spreadsheet committees work in: one sheet per table (the actions as in the CSV, participation, opinion
    groups, division between audiences, weighted results), « Ce qu'il faut retenir » first, numbers as numbers,
    withheld counts empty."""
    from openpyxl import Workbook  # imported by the processes that build a summary, not by every one

    workbook = Workbook(write_only=True)
    for title, rows in _sheets(data):
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append([safe_text(cell) if isinstance(cell, str) else cell for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheets(data: dict[str, Any]) -> Iterator[tuple[str, Iterator[list[Any]] | list[list[Any]]]]:
    if "key_points" in data:
        yield "Ce qu’il faut retenir", key_point_rows(data)
    yield "Actions", csv_rows(data)
    participation = data["participation"]
    breakdowns: list[tuple[str, dict[str, Any], Mapping[Any, Any] | None]] = [
        ("Public", participation["by_audience"], AUDIENCE_LABELS),
        ("Tranche d’âge", participation["by_age_bracket"], AGE_BRACKET_LABELS),
        ("Quartier", participation["by_neighbourhood"], None),
        ("Établissement scolaire", participation["by_school"], None),
        ("Semaine (lundi)", participation["new_participants_by_week"], None),
    ]
    header: list[Any] = ["Répartition", "Groupe", "Participants", "Part", "Nombre masqué"]
    yield "Participation", [header] + [
        [kind, str(names[key]) if names else key, _figure(part), part["share"] if part["share"] is not None else "",
         part["display"] if part["value"] is None else ""]
        for kind, breakdown, names in breakdowns
        for key, part in breakdown["parts"].items()
    ]
    if "key_points" in data:
        yield "Propositions", _proposal_rows(data["key_points"], data["parameters"]["k_anonymity"])
    neighbourhoods = data.get("neighbourhoods") or []
    if neighbourhoods:
        yield "Par quartier", [
            ["Orientation", "Action", "Quartier", *NEIGHBOURHOOD_COLUMNS, "Avis exprimés", WITHHELD_COLUMN]
        ] + [
            [orientation["title"], action["title"], name, *(_figure(part) for part in parts),
             _status(dict(zip([*NEIGHBOURHOOD_COLUMNS, "Avis exprimés"], parts, strict=True)), _left_out(action))]
            for orientation in data["orientations"]
            for action in orientation["actions"]
            for name in neighbourhoods
            for parts in [_neighbourhood_parts(action, name)]
        ]
    analyses = data.get("analyses")
    if not analyses:
        return
    groups = analyses["opinion_groups"]
    yield "Groupes d’opinion", [["Groupe", "Personnes", "Action", "Sens"]] + [
        [group["name"], group["size"], action["title"], action["direction"]]
        for group in groups["groups"]
        for action in group["representative_actions"]
    ] + [["tous", "", action["title"], "approuvée par tous"] for action in groups["consensus_actions"]]
    yield "Entre publics", [["Comparaison", "Action", "Divise", "Rassemble", "Groupes", "Écart", "Écart bas", "Écart haut"]] + [
        [dimension, action["title"], "oui" if action["divisive"] else "", "oui" if action["consensual"] else "",
         " / ".join(gap["groups"]) if (gap := action["widest_gap"]) else "", gap["difference"] if gap else "",
         gap["low"] if gap else "", gap["high"] if gap else ""]
        for dimension, division in analyses["division"].items()
        for action in division["actions"]
    ]
    representativeness = analyses["representativeness"]
    if representativeness:
        yield "Pondération", [["Action", "Avis", "Pour (brut)", "Pour (pondéré)"]] + [
            [action["title"], _figure(action["opinions"]), _or_empty(action["raw_approval"]),
             _or_empty(action["weighted_approval"])]
            for action in representativeness["weighting"]["actions"]
        ]


class _KeyPointSentences(HTMLParser):
    """The headings (h3) and sentences (li) of the rendered « Ce qu'il faut retenir », as plain text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._heading = ""
        self._open: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h3", "li"):
            self._open, self._text = tag, []

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag != self._open:
            return
        text = " ".join("".join(self._text).split())
        if tag == "h3":
            self._heading = text
        else:
            self.rows.append([self._heading, text])
        self._open = None


def key_point_rows(data: dict[str, Any]) -> list[list[str]]:
    """« Ce qu'il faut retenir » as the page and the PDF write it, from the same template and in French like the PDF:
    a row per sentence, beside the heading it comes under (its orientation, or what moved since the last summary)."""
    with force_locale("fr"):
        html = render_template("committee/_key_points.html", data=data, key_points=data["key_points"])
    sentences = _KeyPointSentences()
    sentences.feed(html)
    sentences.close()
    return [["Partie", "Ce qu’il faut retenir"], *sentences.rows]


def _proposal_rows(key_points: dict[str, Any], k: int) -> list[list[Any]]:
    """What became of the participants' proposals, as « Ce qu'il faut retenir » tells it: a row per title it quotes
    (published, merged), a row per count it gives (refused for a kind of reason, awaiting moderation)."""
    rows: list[list[Any]] = [["Orientation", "Proposition", "Devenue", "Regroupée dans", "Motif du refus", "Nombre"]]
    for orientation in key_points["orientations"]:
        position, proposals = orientation["position"], orientation["proposals"]
        rows += [[position, title, "publiée", "", "", 1] for title in proposals["published"]]
        rows += [[position, merged["title"], "regroupée", merged["into"] or "une autre action", "", 1]
                 for merged in proposals["merged"]]
        rows += [[position, "", "refusée", "", str(REFUSAL_CATEGORY_LABELS[RefusalCategory(refusal["category"])]), refusal["count"]]
                 for refusal in proposals["refused_by_category"]]
        if proposals["refused_for_rarer_categories"]:
            rows.append([position, "", "refusée", "", f"motifs donnés moins de {k} fois chacun",
                         proposals["refused_for_rarer_categories"]])
        if proposals["pending"]:
            rows.append([position, "", "en attente de modération", "", "", proposals["pending"]])
    return rows


def json_chunks(data: dict[str, Any], chunk_size: int = 64 * 1024) -> Iterator[bytes]:
    """The JSON text in pieces, for a streamed download."""
    pieces, size = [], 0
    for piece in json.JSONEncoder(ensure_ascii=False, indent=2).iterencode(data):
        pieces.append(piece)
        size += len(piece)
        if size >= chunk_size:
            yield "".join(pieces).encode("utf-8")
            pieces, size = [], 0
    if pieces:
        yield "".join(pieces).encode("utf-8")


def summary_json(data: dict[str, Any]) -> bytes:
    return b"".join(json_chunks(data))


def chart_images(data: dict[str, Any]) -> dict[str, Any]:
    """Every chart of the summary as a data: URL, for <img> in the page and in the PDF."""
    from . import charts  # matplotlib: imported by the processes that draw charts, not by every one

    def url(svg: str | None) -> str | None:
        return None if svg is None else "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()

    judgment = data["parameters"]["majority_judgment_enabled"]
    return {
        "participation": url(charts.participation_chart(data["participation"])),
        "audience": url(charts.audience_chart(data["participation"])),
        "orientations": {
            orientation["id"]: {
                "supports": url(charts.supports_chart(orientation)) if data["parameters"]["supports_enabled"] else None,
                "merit_profiles": url(charts.merit_profiles_chart(orientation)) if judgment else None,
            }
            for orientation in data["orientations"]
        },
    }


def summary_pdf(data: dict[str, Any]) -> bytes:
    """« Ce qu'il faut retenir », cover, table of contents, one section per orientation, the analyses, charts and the
    method (WeasyPrint), tagged for screen readers."""
    from weasyprint import HTML  # heavy import, only where a PDF is made

    with force_locale("fr"):  # the committee's document is French, whoever asked for it
        html = render_template(
            "committee/summary_document.html", data=data, charts=chart_images(data), **analyses_context(data)
        )
    # Tagged PDF/UA-1: French public bodies must publish accessible documents (RGAA), read by screen readers.
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
