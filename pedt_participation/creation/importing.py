"""A consultation's structure read from a file instead of typed: a spreadsheet (.xlsx, .ods, .csv) with one row per
action, or a document (.docx, .odt) holding the PEDT's table (themes → general objectives → operational objectives →
expected effects). Files become `ImportRow`s; `plan_import` checks each row and groups them into orientations and
actions, so that a person sees every row to fix before anything is created. `seed-demo` turns the town's two
documents into rows and goes through `plan_import` too.

Uploads are read with care: a size limit, only the five formats (never a macro-enabled one, and no macro is ever
run: the libraries only read cells), zip containers whose declared sizes are checked before they are opened (Python's
zipfile never inflates more than an entry declares), and a bounded number of rows and columns."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _

from ..errors import ParticipationRefused

# The file libraries (python-docx, odfdo, openpyxl: half a second of CPU together) are imported by the functions that
# read or write a file: every process imports this module, and few ever open a file.
if TYPE_CHECKING:
    import odfdo
    from odfdo.element import Element as OdfElement

IMPORT_MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
MAX_COLUMNS = 30
# What the zip containers (.xlsx, .ods, .docx, .odt) may declare once inflated: far above any real plan.
MAX_UNZIPPED_BYTES = 60 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000

SPREADSHEET_FORMATS = ("xlsx", "ods", "csv")
DOCUMENT_FORMATS = ("docx", "odt")
FORMATS = SPREADSHEET_FORMATS + DOCUMENT_FORMATS

THEME_MAX_LENGTH = 300
TITLE_MAX_LENGTH = 400

# The spreadsheet's columns, in the template's order, with their headings: French in every interface language, like
# the consultation's own words, so that a file filled in any language reads back.
COLUMNS = {
    "theme": "Thème",
    "orientation": "Orientation",
    "orientation_description": "Description de l’orientation",
    "action": "Action",
    "action_description": "Description de l’action",
    "action_easy_read": "Version facile à lire de l’action",
}
REQUIRED_COLUMNS = ("orientation", "action")
# Other headings understood for a column (compared without accents, case or apostrophes).
_COLUMN_ALIASES = {
    "theme": ("theme", "themes", "axe"),
    "orientation": ("orientation", "orientations", "objectif general", "objectifs generaux"),
    "orientation_description": ("description de l orientation", "description orientation"),
    "action": ("action", "actions", "objectif operationnel", "objectifs operationnels"),
    "action_description": ("description de l action", "description action", "description"),
    "action_easy_read": ("version facile a lire de l action", "version facile a lire", "facile a lire", "falc"),
}
# The PEDT's table in a document: its columns, recognised by their headings.
_DOCUMENT_ALIASES = {
    "theme": ("theme", "themes", "axe"),
    "orientation": ("objectifs generaux", "objectif general", "orientation", "orientations"),
    "action": ("objectifs operationnels", "objectif operationnel", "action", "actions"),
    "effects": ("effets attendus", "effet attendu"),
}
EFFECTS_HEADING = "Effets attendus :"
_BULLET = re.compile(r"^[\s·•‣◦▪●\-–—*]+")


@dataclass(frozen=True)
class ImportRow:
    """One row of the file: an action with its orientation (and theme), or an orientation alone. `line` is the
    row's number as the file's program shows it; `table` the table's number in a document."""

    line: int
    theme: str = ""
    orientation: str = ""
    orientation_description: str = ""
    action: str = ""
    action_description: str = ""
    # The action's easy-to-read version (FALC), shown first to the people who need it.
    action_easy_read: str = ""
    table: int | None = None


@dataclass(frozen=True)
class RowError:
    line: int
    table: int | None
    message: str

    def __str__(self) -> str:
        if self.table is not None:
            return _("Tableau %(table)s, ligne %(line)s : %(message)s", table=self.table, line=self.line, message=self.message)
        return _("Ligne %(line)s : %(message)s", line=self.line, message=self.message)


@dataclass(frozen=True)
class ImportedAction:
    title: str
    body: str
    line: int
    easy_read: str = ""


@dataclass
class ImportedOrientation:
    theme: str | None
    title: str
    description: str
    line: int
    actions: list[ImportedAction] = field(default_factory=list)


@dataclass(frozen=True)
class ImportPlan:
    """What an import would create, and what keeps it from being created."""

    rows: tuple[ImportRow, ...]
    orientations: tuple[ImportedOrientation, ...]
    errors: tuple[RowError, ...]

    @property
    def lines_to_fix(self) -> int:
        return len({(error.table, error.line) for error in self.errors})

    @property
    def action_count(self) -> int:
        return sum(len(orientation.actions) for orientation in self.orientations)


def plan_import(rows: Iterable[ImportRow]) -> ImportPlan:
    """Groups the rows into orientations, in the file's order. An empty theme or orientation cell continues the row
    above (as merged cells read); an orientation named again further down gathers its actions in one place."""
    rows = tuple(rows)
    errors: list[RowError] = []
    orientations: dict[str, ImportedOrientation] = {}
    actions_seen: dict[tuple[str, str], int] = {}
    theme, current = "", None
    if not rows:
        errors.append(RowError(1, None, _("le fichier n’a aucune ligne sous les en-têtes. Ajoutez une ligne par action.")))
    for row in rows:
        def refuse(message: str, row: ImportRow = row) -> None:
            errors.append(RowError(row.line, row.table, message))

        if row.orientation and row.theme:
            theme = row.theme
        elif row.theme and row.theme != theme:
            refuse(_("un nouveau thème commence ici sans orientation. Écrivez l’orientation dans la colonne « Orientation »."))
            continue
        if row.orientation:
            current = orientations.get(row.orientation)
            if current is None:
                current = orientations[row.orientation] = ImportedOrientation(
                    theme or None, row.orientation, row.orientation_description, row.line
                )
            elif (current.theme or "") != theme:
                refuse(_("l’orientation « %(title)s » est déjà rangée sous un autre thème (ligne %(line)s). Donnez-lui "
                         "le même thème, ou un autre titre.", title=row.orientation, line=current.line))
                continue
        if current is None:
            refuse(_("cette ligne n’a pas d’orientation. Écrivez-la dans la colonne « Orientation »."))
            continue
        if row.orientation_description and row.orientation_description != current.description:
            if current.description:
                refuse(_("la description de l’orientation n’est pas la même que ligne %(line)s. Gardez-en une seule, "
                         "ou laissez la case vide.", line=current.line))
                continue
            current.description = row.orientation_description
        if len(row.theme) > THEME_MAX_LENGTH:
            refuse(_("le thème est trop long : %(max)s caractères au plus.", max=THEME_MAX_LENGTH))
        if len(row.orientation) > TITLE_MAX_LENGTH:
            refuse(_("le titre de l’orientation est trop long : %(max)s caractères au plus.", max=TITLE_MAX_LENGTH))
        if not row.action:
            if row.action_description or row.action_easy_read:
                refuse(_("cette description n’a pas de titre d’action. Écrivez le titre dans la colonne « Action »."))
            continue
        if len(row.action) > TITLE_MAX_LENGTH:
            refuse(_("le titre de l’action est trop long : %(max)s caractères au plus.", max=TITLE_MAX_LENGTH))
            continue
        first = actions_seen.setdefault((current.title, row.action), row.line)
        if first != row.line:
            refuse(_("l’action « %(title)s » est déjà dans cette orientation (ligne %(line)s). Supprimez l’une des deux.",
                     title=row.action, line=first))
            continue
        current.actions.append(ImportedAction(row.action, row.action_description, row.line, row.action_easy_read))
    if rows and not errors and not any(orientation.actions for orientation in orientations.values()):
        errors.append(RowError(rows[0].line, rows[0].table,
                               _("aucune ligne n’a d’action. Écrivez les actions dans la colonne « Action ».")))
    return ImportPlan(rows, tuple(orientations.values()), tuple(errors))


def read_upload(filename: str, content: bytes) -> list[ImportRow]:
    """The rows of an uploaded file, or a refusal naming what to do (about the `file` field)."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in FORMATS:
        raise _refused(_("Ce type de fichier n’est pas accepté. Envoyez un tableur (.xlsx, .ods ou .csv) ou un "
                         "document (.docx ou .odt). Un fichier .xls, .xlsm ou .doc s’enregistre dans l’un de ces "
                         "formats avec « Enregistrer sous »."))
    if len(content) > IMPORT_MAX_BYTES:
        raise _refused(_("Le fichier est trop lourd : %(max)s Mo au plus. Retirez les images ou les feuilles qui ne "
                         "servent pas à l’import.", max=IMPORT_MAX_BYTES // (1024 * 1024)))
    if not content.strip():
        raise _refused(_("Le fichier est vide. Choisissez le fichier rempli à partir du modèle."))
    if extension == "csv":
        return _rows_from_table(_csv_cells(content))
    _check_container(content, extension)
    try:
        if extension == "xlsx":
            return _rows_from_table(_xlsx_cells(content))
        if extension == "ods":
            return _rows_from_table(_ods_cells(content))
        tables = _docx_tables(content) if extension == "docx" else _odt_tables(content)
    except ParticipationRefused:
        raise
    except Exception as error:  # a damaged file fails anywhere in the readers, with their own exceptions
        raise _refused(_("Le fichier n’a pas pu être lu : il est peut-être abîmé. Ouvrez-le, enregistrez-le à nouveau "
                         "au format .%(format)s, puis envoyez-le.", format=extension)) from error
    return _rows_from_documents(tables)


def _refused(message: str) -> ParticipationRefused:
    return ParticipationRefused(message, field="file")


def _check_container(content: bytes, extension: str) -> None:
    """A zip of the expected kind, whose entries' declared sizes are within bounds, and without macros."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise _refused(_("Ce fichier n’est pas un fichier .%(format)s valide. Ouvrez-le dans votre tableur ou votre "
                         "traitement de texte, enregistrez-le au format .%(format)s, puis envoyez-le.",
                         format=extension)) from error
    if len(entries) > MAX_ZIP_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNZIPPED_BYTES:
        raise _refused(_("Ce fichier est trop volumineux une fois ouvert. Enregistrez le tableau seul dans un nouveau "
                         "fichier, puis envoyez-le."))
    names = {entry.filename for entry in entries}
    if any(name.lower().endswith("vbaproject.bin") or name.lower().startswith("basic/") for name in names):
        raise _refused(_("Ce fichier contient des macros, qui ne sont pas acceptées. Enregistrez-le sans macros "
                         "(au format .%(format)s), puis envoyez-le.", format=extension))
    expected_part = {"xlsx": "xl/workbook.xml", "docx": "word/document.xml"}.get(extension, "content.xml")
    if expected_part not in names:
        raise _refused(_("Ce fichier n’est pas un fichier .%(format)s valide. Ouvrez-le dans votre tableur ou votre "
                         "traitement de texte, enregistrez-le au format .%(format)s, puis envoyez-le.", format=extension))


def _text(value: Any) -> str:
    """A cell as text on one line or several: spaces collapsed within each line, integers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    lines = (re.sub(r"[ \t\u00a0\u202f]+", " ", line).strip() for line in str(value).replace("\r\n", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def _csv_cells(content: bytes) -> Iterator[list[str]]:
    """CSV as spreadsheets save it: UTF-8 (with or without its mark) or, from an older Excel, Windows-1252;
    separated by semicolons (French Excel), commas or tabs."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_cells(content: bytes) -> Iterator[list[Any]]:
    """The first sheet, streamed (read-only mode) and cut at the row and column limits whatever it declares."""
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS, values_only=True):
            yield list(row)
    finally:
        workbook.close()


def _ods_cells(content: bytes) -> list[list[Any]]:
    import odfdo

    table = odfdo.Document(io.BytesIO(content)).body.get_table(0)
    if table is None:
        return []
    _within_limits(table)
    return table.get_values()


def _within_limits(table: odfdo.Table) -> None:
    """Spreadsheets write their empty remainder as one repeated row: it is dropped, and the table's size checked,
    before its repeated cells are expanded."""
    table.rstrip(aggressive=True)
    if table.height > MAX_ROWS + 2 or table.width > MAX_COLUMNS:
        raise _refused(_("Le tableau est trop grand : %(max)s lignes au plus. Gardez une ligne par action, sans "
                         "lignes ni colonnes remplies en dehors du tableau.", max=MAX_ROWS))


def _normalized(heading: str) -> str:
    """A heading compared without accents, case, apostrophes or punctuation: « Description de l’Action » reads
    "description de l action"."""
    without_accents = "".join(c for c in unicodedata.normalize("NFKD", heading) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", without_accents.lower()).split())


def _rows_from_table(cells: Iterable[list[Any]]) -> list[ImportRow]:
    """The rows under the heading row (the first one not empty), each cell by its column's heading."""
    columns: dict[int, str] | None = None
    rows: list[ImportRow] = []
    for line, raw in enumerate(cells, start=1):
        values = [_text(value) for value in raw[:MAX_COLUMNS]]
        if not any(values):
            continue
        if columns is None:
            columns = _columns(values)
            continue
        if len(rows) == MAX_ROWS:
            raise _refused(_("Le tableau a trop de lignes : %(max)s au plus. Importez-le en plusieurs consultations, "
                             "ou regroupez des actions.", max=MAX_ROWS))
        cell = {key: values[index] if index < len(values) else "" for index, key in columns.items()}.get
        rows.append(ImportRow(line, cell("theme", ""), cell("orientation", ""), cell("orientation_description", ""),
                              cell("action", ""), cell("action_description", ""), cell("action_easy_read", "")))
    if columns is None:
        raise _refused(_("Le fichier est vide. Choisissez le fichier rempli à partir du modèle."))
    return rows


def _columns(headings: list[str]) -> dict[int, str]:
    """Which column holds what, from the heading row; an unknown heading is refused rather than its column dropped."""
    columns: dict[int, str] = {}
    for index, heading in enumerate(headings):
        if not heading:
            continue
        key = next((key for key, aliases in _COLUMN_ALIASES.items() if _normalized(heading) in aliases), None)
        if key is None:
            raise _refused(_("La colonne « %(heading)s » n’est pas reconnue. Les colonnes possibles sont : %(columns)s. "
                             "Renommez-la ou supprimez-la.", heading=heading, columns=_column_list()))
        if key in columns.values():
            raise _refused(_("La colonne « %(heading)s » figure deux fois. Supprimez l’une des deux.", heading=heading))
        columns[index] = key
    missing = [str(COLUMNS[key]) for key in REQUIRED_COLUMNS if key not in columns.values()]
    if missing:
        raise _refused(_("Il manque la colonne « %(heading)s ». La première ligne du tableau doit reprendre les "
                         "en-têtes du modèle : %(columns)s.", heading=missing[0], columns=_column_list()))
    return columns


def _column_list() -> str:
    return ", ".join(f"« {heading} »" for heading in COLUMNS.values())


# A document's table: the text before it (its theme, when it has no theme column), then its rows, each cell as the
# list of its paragraphs.
DocumentTable = tuple[str, list[list[list[str]]]]


def _docx_tables(content: bytes) -> list[DocumentTable]:
    import docx
    from docx.table import Table as DocxTable

    document = docx.Document(io.BytesIO(content))
    tables: list[DocumentTable] = []
    heading = ""
    for block in document.iter_inner_content():
        if isinstance(block, DocxTable):
            rows = [[[paragraph.text for paragraph in cell.paragraphs] for cell in row.cells] for row in block.rows]
            tables.append((heading, rows))
            heading = ""
        elif block.text.strip():
            heading = block.text
    return tables


def _odt_tables(content: bytes) -> list[DocumentTable]:
    import odfdo

    document = odfdo.Document(io.BytesIO(content))
    tables: list[DocumentTable] = []
    heading = ""
    for block in document.body.children:
        if isinstance(block, odfdo.Table):
            _within_limits(block)
            rows = [[_odt_paragraphs(cell) for cell in row.traverse()] for row in block.traverse()]
            tables.append((heading, rows))
            heading = ""
        elif block.tag in ("text:h", "text:p") and block.text_recursive.strip():
            heading = block.text_recursive
    return tables


def _odt_paragraphs(cell: OdfElement) -> list[str]:
    return [paragraph.text_recursive for paragraph in cell.get_paragraphs()]


def _rows_from_documents(tables: list[DocumentTable]) -> list[ImportRow]:
    """Rows from the tables shaped like the PEDT's; other tables of the document are left aside. Each operational
    objective becomes an action whose description lists its row's expected effects."""
    rows: list[ImportRow] = []
    found = False
    for number, (heading, table_rows) in enumerate(tables, start=1):
        if not table_rows:
            continue
        headings = [_normalized(" ".join(cell)) for cell in table_rows[0]]
        columns = {key: headings.index(alias) for key, aliases in _DOCUMENT_ALIASES.items()
                   for alias in aliases if alias in headings}
        if "orientation" not in columns or "action" not in columns:
            continue
        found = True
        theme = "" if "theme" in columns else _text(heading)
        for line, cells in enumerate(table_rows[1:], start=2):
            if len(rows) > MAX_ROWS:
                raise _refused(_("Le tableau a trop de lignes : %(max)s au plus. Importez-le en plusieurs "
                                 "consultations, ou regroupez des actions.", max=MAX_ROWS))
            rows += _document_row(cells, columns, theme, line, number)
    if not found:
        raise _refused(_("Aucun tableau du document n’a les colonnes « Objectifs généraux » et « Objectifs "
                         "opérationnels ». Mettez ces titres en première ligne du tableau, ou utilisez le modèle de "
                         "tableur."))
    return rows


def _document_row(cells: list[list[str]], columns: dict[str, int], theme: str, line: int, table: int) -> list[ImportRow]:
    def items(key: str) -> list[str]:
        if key not in columns or columns[key] >= len(cells):
            return []
        return [text for text in (_text(_BULLET.sub("", paragraph)) for paragraph in cells[columns[key]]) if text]

    orientation = " ".join(items("orientation"))
    if "theme" in columns:
        theme = " ".join(items("theme"))
    effects = items("effects")
    body = "\n".join([EFFECTS_HEADING] + [f"- {effect}" for effect in effects]) if effects else ""
    actions = items("action")
    if not actions:
        return [ImportRow(line, theme, orientation, table=table)] if orientation or theme else []
    return [ImportRow(line, theme, orientation, action=action, action_description=body, table=table)
            for action in actions]


# The template's example: an orientation with two actions (the second row continues the first's orientation), and
# an orientation under a second theme.
TEMPLATE_ROWS = (
    ImportRow(2, "La complémentarité pour un parcours éducatif diversifié et de qualité",
              "Contribuer à la réussite du public en proposant une offre éducative globale et cohérente",
              "Une offre éducative cohérente, de l’école aux loisirs.",
              "Favoriser la pratique des activités sportives, culturelles, artistiques et de loisirs",
              f"{EFFECTS_HEADING}\n- Toucher plus de jeunes sur l’ensemble des activités",
              "Plus de sport, de culture et de loisirs pour tous les jeunes."),
    ImportRow(3, action="Moderniser les pratiques en développant des projets numériques",
              action_description=f"{EFFECTS_HEADING}\n- Des méthodes d’apprentissage plus attractives pour les enfants"),
    ImportRow(4, "L’inclusion et l’accessibilité à tous les publics",
              "Faciliter l’accès de tous aux activités éducatives", "",
              "Adapter l’accueil des enfants en situation de handicap", ""),
)


def spreadsheet(rows: Iterable[ImportRow], extension: str) -> bytes:
    """A spreadsheet the importer reads back into `rows`: the template, or the town's documents in tests."""
    table = [list(COLUMNS.values())] + [[getattr(row, key) for key in COLUMNS] for row in rows]
    buffer = io.BytesIO()
    if extension == "csv":
        text = io.StringIO(newline="")
        csv.writer(text, delimiter=";").writerows(table)
        # With its byte-order mark, Excel opens the file as UTF-8 (accents intact).
        buffer.write(text.getvalue().encode("utf-8-sig"))
    elif extension == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook()
        sheet = workbook.worksheets[0]
        sheet.title = "Actions"
        for values in table:
            sheet.append(values)
        for letter, width in zip("ABCDEF", (40, 50, 50, 50, 60, 50), strict=True):
            sheet.column_dimensions[letter].width = width
        sheet.freeze_panes = "A2"
        workbook.save(buffer)
    elif extension == "ods":
        import odfdo

        document = odfdo.Document("spreadsheet")
        document.body.clear()
        ods_table = odfdo.Table("Actions")
        ods_table.set_values(table)
        document.body.append(ods_table)
        document.save(buffer)
    else:
        raise ValueError(f"not a spreadsheet format: {extension}")
    return buffer.getvalue()
