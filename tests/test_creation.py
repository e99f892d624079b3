"""Admins create consultations: blank, from the spreadsheet template or the PEDT's table in a document (previewed row
by row, created only once confirmed, in one go), or copied from last year's without its participation."""

from __future__ import annotations

import base64
import io
import re
import zipfile

import docx
import odfdo
import pytest
from sqlalchemy import func, inspect, select

from pedt_participation.creation import services
from pedt_participation.creation.importing import (
    IMPORT_MAX_BYTES,
    TEMPLATE_ROWS,
    ImportRow,
    plan_import,
    read_upload,
    spreadsheet,
)
from pedt_participation.demo.documents import load_demo_documents, seed_rows
from pedt_participation.demo.services import seed_demo
from pedt_participation.errors import ParticipationRefused
from pedt_participation.extensions import db
from pedt_participation.models import (
    Action,
    ActionOrigin,
    ActionState,
    Comment,
    Consultation,
    ConsultationStatus,
    ManagerAssignment,
    ModerationAction,
    ModerationLogEntry,
    Orientation,
    Role,
    Vote,
    VoteKind,
)
from tests.helpers import login, make_consultation, make_participant, page_text


@pytest.fixture
def admin(client):
    person = make_participant(role=Role.ADMIN)
    login(client, person)
    return person


def _upload(client, name: str, content: bytes, **fields):
    data = {"title": "PEDT 2027", "slug": "", **fields, "file": (io.BytesIO(content), name)}
    return client.post("/gestion/nouvelle", data=data, content_type="multipart/form-data")


def _confirm(client, response, **fields):
    """Sends the preview's form back as shown (the previewed file in its hidden field)."""
    html = response.get_data(as_text=True)
    hidden = dict(re.findall(r'<input id="(content|file_name)" name="\1" type="hidden" value="([^"]*)"', html))
    assert hidden["content"], "the preview carries the file back"
    data = {"title": "PEDT 2027", "slug": "", "create": "1", **hidden, **fields}
    data = {name: value for name, value in data.items() if value is not None}
    return client.post("/gestion/nouvelle", data=data, content_type="multipart/form-data")


def _structure(consultation: Consultation) -> list[tuple]:
    return [
        (o.position, o.theme, o.title, o.description, [(a.position, a.title, a.body) for a in o.actions])
        for o in consultation.orientations
    ]


def _consultation(slug: str) -> Consultation:
    db.session.expire_all()
    return db.session.scalar(select(Consultation).where(Consultation.slug == slug))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_admin_creates_a_blank_draft_and_it_is_logged(client, admin):
    assert "Créer une consultation" in page_text(client.get("/gestion/"))
    response = client.post("/gestion/nouvelle", data={"title": "Les temps de l’enfant 2027", "slug": ""})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/gestion/les-temps-de-l-enfant-2027/")
    assert "créée, en brouillon" in page_text(client.get(response.headers["Location"]))
    consultation = _consultation("les-temps-de-l-enfant-2027")
    assert consultation.status == ConsultationStatus.DRAFT and consultation.orientations == []
    [entry] = db.session.scalars(select(ModerationLogEntry))
    assert (entry.action, entry.moderator_id, entry.consultation_id) == (
        ModerationAction.CREATE_CONSULTATION, admin.id, consultation.id)
    assert "Consultation créée" in page_text(client.get("/admin/moderation-log"))


def test_a_taken_or_malformed_address_is_refused_beside_its_field_and_the_title_kept(client, admin):
    make_consultation(slug="pedt-2027")
    response = client.post("/gestion/nouvelle", data={"title": "Mon titre", "slug": "pedt-2027"})
    assert response.status_code == 422
    assert "L’adresse « pedt-2027 » est déjà celle d’une autre consultation" in page_text(response)
    assert 'value="Mon titre"' in response.get_data(as_text=True)
    response = client.post("/gestion/nouvelle", data={"title": "Mon titre", "slug": "PEDT 2027!"})
    assert "lettres minuscules sans accent" in page_text(response)
    assert _count(Consultation) == 1


def test_a_manager_who_is_not_admin_may_not_create_nor_copy(client):
    consultation = make_consultation(slug="ecoles")
    manager = make_participant(role=Role.COMMITTEE)
    db.session.add(ManagerAssignment(participant_id=manager.id, consultation_id=consultation.id))
    db.session.commit()
    login(client, manager)
    assert "Créer une consultation" not in page_text(client.get("/gestion/"))
    assert client.get("/gestion/nouvelle").status_code == 403
    assert client.post("/gestion/ecoles/copie", data={"title": "Copie", "slug": "copie"}).status_code == 403
    assert _count(Consultation) == 1


@pytest.mark.parametrize("extension", ["xlsx", "ods", "csv"])
def test_the_downloaded_template_imports_its_example(client, admin, extension):
    response = client.get(f"/gestion/modele.{extension}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_upload(f"modele.{extension}", response.data)
    assert rows == list(TEMPLATE_ROWS)
    plan = plan_import(rows)
    assert not plan.errors
    assert [(o.theme, len(o.actions)) for o in plan.orientations] == [
        ("La complémentarité pour un parcours éducatif diversifié et de qualité", 2),
        ("L’inclusion et l’accessibilité à tous les publics", 1),
    ]


def test_a_file_is_previewed_and_created_only_once_confirmed(client, admin):
    response = _upload(client, "plan.xlsx", spreadsheet(TEMPLATE_ROWS, "xlsx"))
    assert response.status_code == 200
    text = page_text(response)
    assert "Ce que contient « plan.xlsx »" in text and "2 orientations, 3 actions." in text
    assert "Moderniser les pratiques en développant des projets numériques" in text
    assert _count(Consultation) == 0 and _count(Orientation) == 0

    response = _confirm(client, response)
    assert response.status_code == 303
    consultation = _consultation("pedt-2027")
    assert consultation.status == ConsultationStatus.DRAFT
    assert [(o.title, [a.title for a in o.actions]) for o in consultation.orientations] == [
        ("Contribuer à la réussite du public en proposant une offre éducative globale et cohérente",
         ["Favoriser la pratique des activités sportives, culturelles, artistiques et de loisirs",
          "Moderniser les pratiques en développant des projets numériques"]),
        ("Faciliter l’accès de tous aux activités éducatives",
         ["Adapter l’accueil des enfants en situation de handicap"]),
    ]
    assert all(a.origin == ActionOrigin.OFFICIAL and a.state == ActionState.PUBLISHED
               for o in consultation.orientations for a in o.actions)
    # The template's easy-to-read column fills the action's easy-to-read version.
    assert consultation.orientations[0].actions[0].easy_read == "Plus de sport, de culture et de loisirs pour tous les jeunes."
    [entry] = db.session.scalars(select(ModerationLogEntry))
    assert entry.details == {"imported_from": "plan.xlsx", "structure": {"orientations": 2, "actions": 3}}
    log = page_text(client.get("/admin/moderation-log"))
    assert "Importée du fichier « plan.xlsx »" in log and "3 actions" in log


def test_each_row_to_fix_is_named_with_its_number_and_nothing_is_created(client, admin):
    rows = [
        ImportRow(2, "Thème A", "Orientation 1", "", "Action 1", ""),
        ImportRow(3, "", "", "", "Action 1", ""),
        ImportRow(4, "", "", "", "", "Une description sans action"),
        ImportRow(5, "", "O" * 401, "", "Action 2", ""),
    ]
    csv_file = spreadsheet(rows, "csv")
    response = _upload(client, "plan.csv", csv_file)
    assert response.status_code == 422
    text = page_text(response)
    assert "3 lignes sont à corriger dans le fichier. Rien n’a été créé" in text
    assert "Ligne 3 : l’action « Action 1 » est déjà dans cette orientation (ligne 2). Supprimez l’une des deux." in text
    assert "Ligne 4 : cette description n’a pas de titre d’action. Écrivez le titre dans la colonne « Action »." in text
    assert "Ligne 5 : le titre de l’orientation est trop long : 400 caractères au plus." in text
    assert "Créer la consultation" not in text
    # Confirming the same file anyway is refused too.
    response = _confirm(client, response)
    assert response.status_code == 422 and "Le fichier a des lignes à corriger" in page_text(response)
    assert _count(Consultation) == 0 and _count(Orientation) == 0


def test_a_row_without_orientation_and_a_theme_alone_are_named():
    plan = plan_import([
        ImportRow(2, "", "", "", "Action orpheline", ""),
        ImportRow(3, "Thème", "Orientation", "", "Action", ""),
        ImportRow(4, "Autre thème", "", "", "Action B", ""),
        ImportRow(5, "Thème", "Orientation", "Une description", "Action C", ""),
        ImportRow(6, "Thème", "Orientation", "Une autre description", "Action D", ""),
    ])
    assert [str(error) for error in plan.errors] == [
        "Ligne 2 : cette ligne n’a pas d’orientation. Écrivez-la dans la colonne « Orientation ».",
        "Ligne 4 : un nouveau thème commence ici sans orientation. Écrivez l’orientation dans la colonne « Orientation ».",
        "Ligne 6 : la description de l’orientation n’est pas la même que ligne 3. Gardez-en une seule, ou laissez la "
        "case vide.",
    ]


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _macro_workbook() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(spreadsheet(TEMPLATE_ROWS, "xlsx")))
    return _zip({**{name: source.read(name) for name in source.namelist()}, "xl/vbaProject.bin": b"macro"})


@pytest.mark.parametrize(("name", "content", "message"), [
    ("plan.xls", b"\xd0\xcf\x11\xe0", "Ce type de fichier n’est pas accepté"),
    ("plan.xlsm", b"PK", "Ce type de fichier n’est pas accepté"),
    ("plan.xlsx", b"not a zip at all", "Ce fichier n’est pas un fichier .xlsx valide"),
    ("plan.xlsx", "macro", "Ce fichier contient des macros, qui ne sont pas acceptées"),
    ("plan.docx", "bomb", "Ce fichier est trop volumineux une fois ouvert"),
    ("plan.csv", b"x" * (IMPORT_MAX_BYTES + 1), "Le fichier est trop lourd : 5 Mo au plus"),
    ("plan.csv", "Thème;Orientation;Action;Remarques\nA;B;C;D\n".encode(), "La colonne « Remarques » n’est pas reconnue"),
    ("plan.csv", "Thème;Action\nA;C\n".encode(), "Il manque la colonne « Orientation »"),
    ("plan.docx", "table", "Aucun tableau du document n’a les colonnes « Objectifs généraux »"),
])
def test_files_that_cannot_be_imported_are_refused_beside_the_field(client, admin, name, content, message):
    if content == "macro":
        content = _macro_workbook()
    elif content == "bomb":
        # 100 MB of zeros compress to about 100 kB: refused from the sizes the archive declares, never inflated.
        content = _zip({"word/document.xml": b"\0" * (100 * 1024 * 1024)})
    elif content == "table":
        document = docx.Document()
        document.add_table(rows=2, cols=2).rows[0].cells[0].text = "Nom"
        buffer = io.BytesIO()
        document.save(buffer)
        content = buffer.getvalue()
    response = _upload(client, name, content, title="Titre gardé")
    assert response.status_code == 422
    text = page_text(response)
    assert message in text
    assert 'value="Titre gardé"' in response.get_data(as_text=True)
    assert _count(Consultation) == 0


def test_a_semicolon_csv_saved_by_an_older_excel_is_read():
    content = "Thème;Orientation;Action;Description de l’action\r\nÉcole;Réussite;Goûter partagé;« Oui »\r\n"
    rows = read_upload("plan.csv", content.encode("cp1252"))
    assert rows == [ImportRow(2, "École", "Réussite", "", "Goûter partagé", "« Oui »")]


def _import_through_the_page(client, content: bytes, name: str, slug: str) -> Consultation:
    response = _upload(client, name, content, slug=slug)
    assert response.status_code == 200, page_text(response)
    assert _confirm(client, response, slug=slug).status_code == 303
    return _consultation(slug)


@pytest.mark.parametrize("extension", ["xlsx", "ods"])
def test_a_spreadsheet_of_each_town_document_imports_as_seed_demo_builds_it(client, admin, extension):
    seed_demo(with_accounts=False)
    db.session.commit()
    for seed in load_demo_documents():
        imported = _import_through_the_page(
            client, spreadsheet(seed_rows(seed), extension), f"{seed.slug}.{extension}", f"import-{seed.slug}"
        )
        assert _structure(imported) == _structure(_consultation(seed.slug))
        assert len(imported.orientations) >= 6


def _pedt_document(seed, extension: str) -> bytes:
    """The PEDT as the town types it: each theme a heading, then its table of general objectives, operational
    objectives and expected effects (one row per operational objective, the general objective in its first row)."""
    themes: dict[str, list] = {}
    for orientation in seed.orientations:
        themes.setdefault(orientation.theme, []).append(orientation)
    headings = ["OBJECTIFS GENERAUX", "OBJECTIFS OPERATIONNELS", "EFFETS ATTENDUS"]
    tables = []
    for theme, orientations in themes.items():
        rows = [[[heading] for heading in headings]]
        for orientation in orientations:
            for index, action in enumerate(orientation.actions):
                effects = [line.removeprefix("- ") for line in action.body.splitlines()[1:]]
                rows.append([[orientation.title] if index == 0 else [""], ["· " + action.title], effects])
        tables.append((theme, rows))
    buffer = io.BytesIO()
    if extension == "docx":
        document = docx.Document()
        document.add_paragraph("Projet éducatif de territoire")
        for theme, rows in tables:
            document.add_heading(theme, level=2)
            table = document.add_table(rows=len(rows), cols=3)
            for row, cells in zip(table.rows, rows, strict=True):
                for cell, paragraphs in zip(row.cells, cells, strict=True):
                    cell.text = paragraphs[0] if paragraphs else ""
                    for paragraph in paragraphs[1:]:
                        cell.add_paragraph(paragraph)
        document.save(buffer)
    else:
        document = odfdo.Document("text")
        document.body.clear()
        for theme, rows in tables:
            document.body.append(odfdo.Header(2, theme))
            table = odfdo.Table("Objectifs")
            for cells in rows:
                row = odfdo.Row()
                for paragraphs in cells:
                    cell = odfdo.Cell()
                    for paragraph in paragraphs or [""]:
                        cell.append(odfdo.Paragraph(paragraph))
                    row.append(cell)
                table.append(row)
            document.body.append(table)
        document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("extension", ["docx", "odt"])
def test_a_document_with_the_pedt_table_imports_as_seed_demo_builds_it(client, admin, extension):
    seed_demo(with_accounts=False)
    db.session.commit()
    [pedt] = [seed for seed in load_demo_documents() if seed.slug == "pedt"]
    imported = _import_through_the_page(client, _pedt_document(pedt, extension), f"pedt.{extension}", "import-pedt")
    assert _structure(imported) == _structure(_consultation("pedt"))


def _last_year() -> Consultation:
    source = make_consultation(slug="pedt-2026", majority_judgment_enabled=True, vote_limit_per_orientation=2,
                               minimum_age=13, allowed_audiences=["parent"])
    source.title = "PEDT 2026"
    orientation = source.orientations[0]
    orientation.theme = "Thème"
    orientation.translations = {"en": {"title": "Orientation one"}}
    official = orientation.actions[0]
    official.translations = {"ar": {"title": "الإجراء"}}
    official.answer_state = official.answer_draft_state = None
    participant = make_participant()
    orientation.actions.append(Action(position=9, title="Une proposition", origin=ActionOrigin.PARTICIPANT,
                                      state=ActionState.PUBLISHED, author_id=participant.id))
    orientation.actions[1].state = ActionState.HIDDEN
    db.session.flush()
    db.session.add(Vote(participant_id=participant.id, action_id=official.id, kind=VoteKind.SUPPORT, value=1))
    db.session.add(Comment(action_id=official.id, author_id=participant.id, body="Bravo", depth=0))
    db.session.commit()
    return source


def test_a_copy_for_next_year_keeps_structure_and_settings_not_participation(client, admin):
    source = _last_year()
    page = client.get("/gestion/pedt-2026/copie")
    assert page.status_code == 200
    assert 'value="PEDT 2027"' in page.get_data(as_text=True) and 'value="pedt-2027"' in page.get_data(as_text=True)
    response = client.post("/gestion/pedt-2026/copie", data={"title": "PEDT 2027", "slug": "pedt-2027"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/gestion/pedt-2027/")

    copy, source = _consultation("pedt-2027"), _consultation("pedt-2026")
    assert copy.status == ConsultationStatus.DRAFT and copy.title == "PEDT 2027"
    assert copy.voting_open_at is None and copy.proposals_open_at is None
    for name in services.COPIED_CONSULTATION_COLUMNS:
        assert getattr(copy, name) == getattr(source, name), name
    assert (copy.majority_judgment_enabled, copy.vote_limit_per_orientation, copy.minimum_age) == (True, 2, 13)
    first = copy.orientations[0]
    assert (first.theme, first.translations) == ("Thème", {"en": {"title": "Orientation one"}})
    # The hidden official action and the participant's proposal are left behind; the rest is numbered anew.
    assert [(a.position, a.title, a.translations) for a in first.actions] == [
        (1, "Action 1.1", {"ar": {"title": "الإجراء"}}), (2, "Action 1.3", {})]
    assert [[a.title for a in o.actions] for o in copy.orientations[1:]] == [["Action 2.1", "Action 2.2", "Action 2.3"]]
    copied_actions = [a.id for o in copy.orientations for a in o.actions]
    assert db.session.scalar(select(func.count()).select_from(Vote).where(Vote.action_id.in_(copied_actions))) == 0
    assert db.session.scalar(select(func.count()).select_from(Comment).where(Comment.action_id.in_(copied_actions))) == 0
    [entry] = db.session.scalars(select(ModerationLogEntry).where(ModerationLogEntry.consultation_id == copy.id))
    assert entry.details == {"copied_from": source.id, "structure": {"orientations": 2, "actions": 5}}
    # Editing the copy's JSON leaves the source's as it was.
    first.translations["en"]["title"] = "Changed"
    assert source.orientations[0].translations == {"en": {"title": "Orientation one"}}


def test_a_copy_needs_an_address_of_its_own(client, admin):
    _last_year()
    response = client.post("/gestion/pedt-2026/copie", data={"title": "PEDT 2027", "slug": "pedt-2026"})
    assert response.status_code == 422 and "déjà celle d’une autre consultation" in page_text(response)
    assert _count(Consultation) == 1


def test_every_column_is_either_copied_or_left_behind_by_name():
    """A new column of a consultation, an orientation or an action must be named in creation/services.py: copied for
    next year, or not."""
    for model, copied, not_copied in (
        (Consultation, services.COPIED_CONSULTATION_COLUMNS, services.NOT_COPIED_CONSULTATION_COLUMNS),
        (Orientation, services.COPIED_ORIENTATION_COLUMNS, services.NOT_COPIED_ORIENTATION_COLUMNS),
        (Action, services.COPIED_ACTION_COLUMNS, services.NOT_COPIED_ACTION_COLUMNS),
    ):
        assert {column.key for column in inspect(model).columns} == set(copied) | set(not_copied), model.__name__
        assert not set(copied) & set(not_copied)


def test_checking_again_without_choosing_a_file_creates_nothing(client, admin):
    response = _upload(client, "plan.csv", spreadsheet(TEMPLATE_ROWS, "csv"))
    response = _confirm(client, response, create=None)
    assert response.status_code == 422 and "Choisissez le fichier à vérifier." in page_text(response)
    assert "Ce que contient « plan.csv »" in page_text(response)
    assert _count(Consultation) == 0


def test_a_manager_imports_a_file_into_a_draft_after_its_orientations(client):
    draft = make_consultation(slug="brouillon", status=ConsultationStatus.DRAFT, orientations=1)
    manager = make_participant(role=Role.MODERATOR)
    db.session.add(ManagerAssignment(participant_id=manager.id, consultation_id=draft.id))
    db.session.commit()
    login(client, manager)
    assert "Importer des orientations et des actions" in page_text(client.get("/gestion/brouillon/"))
    assert client.get("/gestion/modele.ods").status_code == 200
    response = client.post("/gestion/brouillon/import", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(spreadsheet(TEMPLATE_ROWS, "ods")), "plan.ods")})
    assert response.status_code == 200 and "2 orientations, 3 actions." in page_text(response)
    assert _count(Orientation) == 1
    html = response.get_data(as_text=True)
    hidden = dict(re.findall(r'<input id="(content|file_name)" name="\1" type="hidden" value="([^"]*)"', html))
    response = client.post("/gestion/brouillon/import", data={**hidden, "create": "1"})
    assert response.status_code == 303
    assert "Import terminé : 2 orientations et 3 actions ajoutées." in page_text(client.get(response.headers["Location"]))
    draft = _consultation("brouillon")
    assert [(o.position, o.title) for o in draft.orientations] == [
        (1, "Orientation numéro 1"),
        (2, "Contribuer à la réussite du public en proposant une offre éducative globale et cohérente"),
        (3, "Faciliter l’accès de tous aux activités éducatives"),
    ]
    [entry] = db.session.scalars(select(ModerationLogEntry))
    assert (entry.action, entry.moderator_id) == (ModerationAction.EDIT_CONSULTATION, manager.id)
    assert entry.details == {"imported_from": "plan.ods", "structure": {"orientations": 2, "actions": 3}}


def test_a_published_consultation_takes_no_import(client, admin):
    make_consultation(slug="ouverte", orientations=1)
    page = page_text(client.get("/gestion/ouverte/import"))
    assert "L’import n’ajoute des orientations qu’à une consultation en brouillon." in page
    content = base64.b64encode(spreadsheet(TEMPLATE_ROWS, "csv")).decode()
    response = client.post("/gestion/ouverte/import", data={"content": content, "file_name": "plan.csv", "create": "1"})
    assert response.status_code == 422
    assert _count(Orientation) == 1


def test_a_tampered_previewed_file_is_refused(client, admin):
    response = client.post("/gestion/nouvelle", data={"title": "T", "content": "%%%", "file_name": "plan.csv"})
    assert response.status_code == 422 and "n’a pas pu être relu" in page_text(response)
    content = base64.b64encode(b"Orientation;Action\n;\n").decode()
    response = client.post("/gestion/nouvelle", data={"title": "T", "content": content, "file_name": "plan.exe"})
    assert "Ce type de fichier n’est pas accepté" in page_text(response)
    assert _count(Consultation) == 0


def test_read_upload_refuses_without_reading_far(app):
    with pytest.raises(ParticipationRefused) as refusal:
        read_upload("plan.ods", b"PK\x03\x04 broken")
    assert refusal.value.field == "file"
