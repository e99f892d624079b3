"""The town's two documents, read into consultations. Pure parsing: no Flask, no database.

The documents are kept as the town sent them (`documents/`); the only changes are OCR slips, fixed through
one explicit table so that a reviewer can check each one. The town's own wording is never rewritten."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..creation.importing import ImportRow

DOCUMENTS = Path(__file__).parent / "documents"


@dataclass(frozen=True)
class ActionSeed:
    title: str
    body: str


@dataclass(frozen=True)
class OrientationSeed:
    title: str
    description: str
    theme: str | None
    actions: tuple[ActionSeed, ...]


@dataclass(frozen=True)
class ConsultationSeed:
    slug: str
    title: str
    summary: str
    context: str
    orientations: tuple[OrientationSeed, ...]


# (pattern, replacement) — regular expressions applied in order. Each fixes a slip of the OCR, not the town.
OCR_CORRECTIONS: tuple[tuple[str, str], ...] = (
    (r"\bI(['’])(?=\w)", r"l\1"),  # capital I read for l before an apostrophe: I'occasion, I’école
    (r"d’'", "d’"),
    (r"\bdés le\b", "dès le"),
    (r"\bpremiéres\b", "premières"),
    (r"\bparalléle\b", "parallèle"),
    (r"\bcollége\b", "collège"),
    (r"\b(?:rGle|role)\b", "rôle"),
    (r"\bceuvre\b", "œuvre"),
    (r"\bObijectifs\b", "Objectifs"),
    (r"\bbien-étre\b", "bien-être"),
    (r"\bintérét\b", "intérêt"),
    (r"\bgarcons\b", "garçons"),
    (r"sur 'aménagement", "sur l'aménagement"),
    (r"\bde 0 a 25 ans\b", "de 0 à 25 ans"),
    (r"\bfavorables a des\b", "favorables à des"),
    (r"\bet a divers\b", "et à divers"),
    (r"\bdonné lieu a la\b", "donné lieu à la"),
    (r"\ba soumettre\b", "à soumettre"),
    (r"^[»>] +", "- "),  # list markers read as » or >
)

# The PEDT's theme headings are in capitals without accents; this is how they read in sentence case.
PEDT_THEMES = {
    "LA COMPLEMENTARITE POUR UN PARCOURS EDUCATIF DIVERSIFIE ET DE QUALITE":
        "La complémentarité pour un parcours éducatif diversifié et de qualité",
    "L’INCLUSION ET L’ACCESSIBILITE A TOUS LES PUBLICS": "L’inclusion et l’accessibilité à tous les publics",
    "LA COMMUNICATION AUX FAMILLES ET LE SOUTIEN A LA PARENTALITE":
        "La communication aux familles et le soutien à la parentalité",
    "L’ACCOMPAGNEMENT DU PUBLIC EN TANT QU’ACTEUR": "L’accompagnement du public en tant qu’acteur",
}
PEDT_TABLE_HEADERS = {"OBJECTIFS GENERAUX", "OBJECTIFS OPERATIONNELS", "EFFETS ATTENDUS"}


def correct_ocr(text: str) -> str:
    for pattern, replacement in OCR_CORRECTIONS:
        text = re.sub(pattern, replacement, text, flags=re.MULTILINE)
    return text


def _clean(text: str) -> str:
    """One line: non-breaking spaces become spaces, runs of spaces one, no trailing ' ;'."""
    text = re.sub(r"[\u00a0\u202f\s]+", " ", text).strip()
    return re.sub(r"\s*;$", "", text)


def _join_lines(lines: list[str]) -> str:
    """Undo the document's hard wrapping; a line ending with a hyphen continues without a space (co-éducation)."""
    joined = ""
    for line in (line.strip() for line in lines):
        if not joined:
            joined = line
        elif joined.endswith("-"):
            joined += line
        else:
            joined += " " + line
    return _clean(joined)


def parse_cite_educative(text: str) -> ConsultationSeed:
    text = correct_ocr(text)
    approach, _, orientations_part = text.partition("2/ Formulation des orientations stratégiques")
    body, _, validation = orientations_part.partition("Ces orientations stratégiques ont été validées")
    orientations = []
    for block in re.split(r"^(?=\d\. )", body, flags=re.MULTILINE)[1:]:
        title_part, _, examples = block.partition("Exemples d’actions")
        title = _join_lines(re.sub(r"^\d\. ", "", title_part).splitlines())
        items: list[list[str]] = []
        for line in examples.splitlines():
            if line.startswith("- "):
                items.append([line[2:]])
            elif line.strip() and items:
                items[-1].append(line)
        actions = tuple(ActionSeed(_join_lines(item), "") for item in items)
        orientations.append(OrientationSeed(title=title, description="", theme=None, actions=actions))
    context = _paragraphs(approach.replace("1/ La démarche partenariale engagée depuis fin 2020", ""))
    context += "\n\nCes orientations stratégiques ont été validées " + _clean(validation) + "."
    return ConsultationSeed(
        slug="cite-educative",
        title="Cité éducative : les orientations stratégiques",
        summary=(
            "Le comité de pilotage a validé six orientations pour les enfants et les jeunes de 0 à 25 ans. "
            "Dites quelles actions comptent le plus pour vous, donnez votre avis et proposez vos idées."
        ),
        context="La démarche partenariale engagée depuis fin 2020\n\n" + context,
        orientations=tuple(orientations),
    )


def _paragraphs(text: str) -> str:
    """Blank-line separated paragraphs, wrapped lines joined; list lines ('- ', 'AXE', 'Temps') kept apart."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        lines: list[list[str]] = []
        for line in block.splitlines():
            if not line.strip():
                continue
            after_heading = bool(lines) and lines[-1][0].lstrip().startswith("Temps ")
            if not lines or after_heading or re.match(r"\s*(- |AXE \d|Temps \d|Objectifs)", line):
                lines.append([line])
            else:
                lines[-1].append(line)
        if lines:
            paragraphs.append("\n".join(_join_lines(group) for group in lines))
    return "\n\n".join(paragraphs)


def parse_pedt(text: str) -> ConsultationSeed:
    themes: list[tuple[str, list[list[str]]]] = []
    for raw in correct_ocr(text).splitlines():
        line = _clean(raw)
        if line.startswith("[bookmark:"):
            continue
        if line in PEDT_THEMES or (line.isupper() and len(line) > 20 and line not in PEDT_TABLE_HEADERS):
            themes.append((PEDT_THEMES.get(line, line.capitalize()), []))
        elif raw.startswith("\t"):
            themes[-1][1].append([line] if line else [])
        elif line and themes and themes[-1][1]:
            themes[-1][1][-1].append(line)
    orientations: list[OrientationSeed] = []
    for theme, cells in themes:
        cells = [cell for cell in cells if not (len(cell) == 1 and cell[0] in PEDT_TABLE_HEADERS)]
        while cells and len(cells) % 3 and not cells[-1]:
            cells.pop()
        rows = [cells[i : i + 3] for i in range(0, len(cells), 3)]
        general: str | None = None
        actions: list[ActionSeed] = []
        for general_cell, operational, effects in rows:
            if general_cell:
                if general is not None:
                    orientations.append(OrientationSeed(general, "", theme, tuple(actions)))
                general, actions = _clean(" ".join(general_cell)), []
            body = "\n".join(["Effets attendus :"] + [f"- {_bullet(effect)}" for effect in effects])
            actions.extend(ActionSeed(_bullet(item), body) for item in operational)
        if general is not None:
            orientations.append(OrientationSeed(general, "", theme, tuple(actions)))
    theme_list = "\n".join(f"- {theme}" for theme, _ in themes)
    return ConsultationSeed(
        slug="pedt",
        title="Projet éducatif de territoire (PEDT) : nos objectifs",
        summary=(
            "La ville et ses partenaires se sont fixé des objectifs pour les enfants et les jeunes, à l’école et "
            "autour de l’école. Soutenez les actions qui vous semblent prioritaires, commentez et proposez."
        ),
        context=(
            "Ces objectifs viennent du projet éducatif de territoire (PEDT) de la ville. Chaque objectif général "
            "devient ici une orientation ; ses objectifs opérationnels sont les actions soumises à votre avis, "
            "avec les effets attendus. Ils sont regroupés en quatre thèmes :\n" + theme_list
        ),
        orientations=tuple(orientations),
    )


def _bullet(item: str) -> str:
    return _clean(re.sub(r"^·\s*", "", item))


def seed_rows(seed: ConsultationSeed) -> list[ImportRow]:
    """The document as the rows of the import spreadsheet: one per action, each naming its orientation and theme."""
    rows: list[ImportRow] = []
    for orientation in seed.orientations:
        for action in orientation.actions or (ActionSeed("", ""),):
            line = len(rows) + 2  # under the heading row
            rows.append(ImportRow(line, orientation.theme or "", orientation.title, orientation.description,
                                  action.title, action.body))
    return rows


def load_demo_documents() -> list[ConsultationSeed]:
    read = lambda name: (DOCUMENTS / name).read_text(encoding="utf-8")  # noqa: E731
    return [
        parse_cite_educative(read("cite_educative_orientations.txt")),
        parse_pedt(read("pedt_objectifs.txt")),
    ]
