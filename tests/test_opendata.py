"""Open-data exchange with the host platform: Decidim-format CSV in (preview, mapping, import) and out."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from pedt_participation.comments.services import add_comment, delete_comment
from pedt_participation.consultations.services import propose_action
from pedt_participation.extensions import db
from pedt_participation.models import (
    Action,
    ActionState,
    AgeBracket,
    Alignment,
    AnswerState,
    Audience,
    Orientation,
    Role,
    VoteKind,
)
from pedt_participation.moderation.services import approve_proposal, hide
from pedt_participation.opendata.services import pseudonym
from pedt_participation.reports.services import Target
from pedt_participation.voting.services import cast_vote, count_votes
from tests.helpers import login, make_consultation, make_moderator, make_participant, page_text

DECIDIM_HEADER = (
    "id;author/id;author/name;taxonomies/ids;taxonomies/7/en;taxonomies/7/fr;taxonomies/9/fr;category/id;"
    "category/name/fr;title/en;title/fr;title/machine_translation/es;body/en;body/fr;state;answer/en;answer/fr;"
    "answered_at;votes;comments;published_at;url;withdrawn;is_amend"
)
DECIDIM_ROWS = [
    # French title and body chosen over English; two taxonomies, the first one mapped wins.
    '101;12;Jeanne;7, 9;School life;Vie scolaire;Sport;;;Homework help;Aide aux devoirs;Ayuda;Help after class;'
    'Une aide aux devoirs après la classe;accepted;Accepted;Retenue par le conseil;2024-03-05 10:12:33 UTC;'
    '42;7;2024-02-01 09:00:00 UTC;https://decidim.ville.fr/processes/pedt/f/3/proposals/101;false;false',
    # English only: the first language given. Evaluating: the answer comes with it.
    '102;13;Sam;9;;;Sport;;;More football pitches;;;Open the pitches on Sundays;;evaluating;;À l’étude;;'
    '3;0;2024-02-02T10:00:00+01:00;https://decidim.ville.fr/processes/pedt/f/3/proposals/102;false;false',
    # An older export: a category instead of taxonomies. Rejected there = not retained here.
    '103;;;;;;;4;Vie scolaire;;Cantine bio;;;Des repas bio à la cantine;rejected;;Trop cher cette année;;'
    '0;1;2024-02-03 08:00:00 +0100;https://decidim.ville.fr/processes/pedt/f/3/proposals/103;false;false',
    # No taxonomy; a state of the platform's own (custom proposal states) is imported without answer.
    '104;;;;;;;;;;Un conseil des jeunes;;;Des jeunes élus au conseil municipal;en_debat;;;;'
    '5;2;2024-02-04 08:00:00 UTC;https://decidim.ville.fr/processes/pedt/f/3/proposals/104;false;false',
    # Refused: withdrawn, an amendment, no title, the same proposal twice.
    '105;;;7;;Vie scolaire;;;;;Retirée;;;Texte;withdrawn;;;;0;0;;https://decidim.ville.fr/p/105;true;false',
    '106;;;7;;Vie scolaire;;;;;Amendement;;;Texte;;;;;0;0;;https://decidim.ville.fr/p/106;false;true',
    '107;;;7;;Vie scolaire;;;;;;;;Sans titre;;;;;0;0;;https://decidim.ville.fr/p/107;false;false',
    '101;12;Jeanne;7;;Vie scolaire;;;;;Aide aux devoirs;;;Encore;accepted;;;;0;0;;'
    'https://decidim.ville.fr/processes/pedt/f/3/proposals/101;false;false',
]


def decidim_csv(rows=DECIDIM_ROWS, header=DECIDIM_HEADER, delimiter=";") -> bytes:
    text = "\n".join([header, *rows]) + "\n"
    if delimiter != ";":
        table = list(csv.reader(io.StringIO(text), delimiter=";"))
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter).writerows(table)
        text = buffer.getvalue()
    return text.encode("utf-8")


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith("\ufeff".encode()), "UTF-8 BOM for spreadsheets"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
def target():
    """A consultation with orientations named like the platform's taxonomies, and no action yet."""
    consultation = make_consultation(slug="cible", orientations=3, actions_per_orientation=0)
    for orientation, title in zip(consultation.orientations, ["Vie scolaire", "Sport et loisirs", "Citoyenneté"], strict=True):
        orientation.title = title
    db.session.commit()
    return consultation


def actions_of(consultation) -> list[Action]:
    return list(
        db.session.scalars(
            select(Action).join(Orientation).where(Orientation.consultation_id == consultation.id).order_by(Action.id)
        )
    )


def preview(client, slug: str, content: bytes, filename: str = "propositions.csv"):
    return client.post(
        f"/moderation/{slug}/opendata/apercu",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def hidden_content(response) -> str:
    return re.search(r'name="content" type="hidden" value="([^"]*)"', response.get_data(as_text=True)).group(1)


def test_a_decidim_file_is_previewed_then_imported_with_the_chosen_orientations(client, target):
    moderator = make_moderator(target)
    login(client, moderator)
    content = decidim_csv()

    response = preview(client, "cible", content)
    text = page_text(response)
    assert response.status_code == 200
    assert "Propositions à importer 4" in text and "Impossibles à importer 4" in text
    assert "Ligne 6 (« Retirée ») : son auteur l’a retirée sur la plateforme." in text
    assert "Ligne 7 (« Amendement ») : c’est un amendement d’une autre proposition." in text
    assert "Ligne 8 : elle n’a pas de titre." in text
    assert "Ligne 9 (« Aide aux devoirs ») : elle figure déjà ligne 2 du fichier." in text
    assert "Les 50 soutiens et 10 commentaires comptés sur la plateforme pour ces propositions ne sont pas importés" in text
    assert "3 propositions ont une réponse officielle" in text
    assert "Ligne 5 (« Un conseil des jeunes ») : état « en_debat » inconnu ici : importée sans réponse officielle." in text
    html = response.get_data(as_text=True)
    # The closest titles are proposed: "Sport" → "Sport et loisirs"; nothing close to "Sans thème".
    vie, sport, citoyennete = (str(o.id) for o in target.orientations)
    assert f'<option selected value="{vie}">1. Vie scolaire</option>' in html
    assert f'<option selected value="{sport}">2. Sport et loisirs</option>' in html
    assert '<option selected value="-">Ne pas importer</option>' in html
    assert actions_of(target) == [], "a preview changes nothing"

    # Taxonomies in the order of the preview: Vie scolaire, Sport, Sans thème.
    response = client.post(
        "/moderation/cible/opendata/import",
        data={"content": hidden_content(response), "orientations-0": vie, "orientations-1": sport, "orientations-2": citoyennete},
    )
    assert response.status_code == 303
    assert "4 actions créées, 0 déjà importées" in page_text(client.get("/moderation/cible/opendata"))

    imported = {a.title: a for a in actions_of(target)}
    assert set(imported) == {"Aide aux devoirs", "More football pitches", "Cantine bio", "Un conseil des jeunes"}
    homework = imported["Aide aux devoirs"]
    assert homework.body == "Une aide aux devoirs après la classe"
    assert homework.orientation.title == "Vie scolaire" and homework.state == ActionState.PUBLISHED
    assert homework.answer_state == AnswerState.ACCEPTED and homework.answer_text == "Retenue par le conseil"
    assert homework.platform_reference == "https://decidim.ville.fr/processes/pedt/f/3/proposals/101"
    assert homework.published_at.isoformat() == "2024-02-01T09:00:00+00:00"
    assert imported["More football pitches"].orientation.title == "Sport et loisirs"
    assert imported["More football pitches"].answer_state == AnswerState.EVALUATING
    assert imported["Cantine bio"].orientation.title == "Vie scolaire"  # from the older "category" column
    assert imported["Cantine bio"].answer_state == AnswerState.NOT_RETAINED
    assert imported["Cantine bio"].published_at.isoformat() == "2024-02-03T07:00:00+00:00"
    assert imported["Un conseil des jeunes"].orientation.title == "Citoyenneté"
    assert imported["Un conseil des jeunes"].answer_state is None
    assert all(a.author_id is None for a in imported.values())
    assert client.get(f"/actions/{homework.id}").status_code == 200
    counts = count_votes([a.id for a in imported.values()])
    assert all(counts[a.id].supports == counts[a.id].opinion_total == 0 for a in imported.values()), "totals make no vote"


def test_importing_the_same_file_again_creates_nothing(runner, target, tmp_path):
    path = str(tmp_path / "propositions.csv")
    (tmp_path / "propositions.csv").write_bytes(decidim_csv(delimiter=","))  # platforms set to "," are read too
    first = runner.invoke(args=["opendata", "import", "cible", path, "--map", "Sans thème=3", "--map", "Sport=2"])
    assert first.exit_code == 0, first.output
    assert "4 actions créées, 0 déjà importées, 0 laissées de côté, 4 refusées." in first.output
    again = runner.invoke(args=["opendata", "import", "cible", path, "--map", "Sans thème=3", "--map", "Sport=2"])
    assert again.exit_code == 0, again.output
    assert "0 actions créées, 4 déjà importées" in again.output
    assert len(actions_of(target)) == 4


def test_the_command_line_refuses_taxonomies_it_cannot_place(runner, target, tmp_path):
    path = tmp_path / "propositions.csv"
    path.write_bytes(decidim_csv())
    result = runner.invoke(args=["opendata", "import", "cible", str(path)])
    assert result.exit_code != 0
    assert "Aucune orientation ne porte exactement le nom de ces taxonomies : « Sport », « Sans thème »." in result.output
    assert '--map "Nom=n° d’orientation"' in result.output
    assert actions_of(target) == []

    left_out = runner.invoke(args=["opendata", "import", "cible", str(path), "--map", "Sport=-", "--map", "sans thème=-"])
    assert left_out.exit_code == 0, left_out.output
    assert "2 actions créées, 0 déjà importées, 2 laissées de côté" in left_out.output

    unknown = runner.invoke(args=["opendata", "import", "cible", str(path), "--map", "Musique=1"])
    assert "Taxonomie absente du fichier : musique." in unknown.output
    assert "Pas d’orientation n° 9" in runner.invoke(args=["opendata", "import", "cible", str(path), "--map", "Sport=9"]).output
    assert "Aucune consultation « inconnue »" in runner.invoke(args=["opendata", "import", "inconnue", str(path)]).output


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (None, None, "Choisissez le fichier CSV des propositions"),
        (b"", "vide.csv", "Ce fichier est vide."),
        (decidim_csv(), "propositions.xlsx", "Ce fichier n’est pas un CSV"),
        ("id;title/fr\n1;Sécurité à l'école\n".encode("cp1252"), "latin1.csv", "n’est pas encodé en UTF-8"),
        (b"nom;prenom\nDupont;Ana\n", "autre.csv", "ne ressemble pas à un export des propositions"),
        (b"id;title\n" + b"1;" + b"x" * (2 * 1024 * 1024) + b"\n", "gros.csv", "Le fichier dépasse 2 Mo"),
    ],
)
def test_a_file_that_cannot_be_read_is_explained(client, target, content, filename, message):
    login(client, make_moderator(target))
    if content is None:
        response = client.post("/moderation/cible/opendata/apercu", data={})
    else:
        response = preview(client, "cible", content, filename)
    assert response.status_code == 422
    assert message in page_text(response)


def test_a_large_file_goes_through_preview_and_import(client, target):
    """The previewed file travels back in the form: more than Flask's 500 kB per field must pass."""
    login(client, make_moderator(target))
    rows = [f"{n};Vie scolaire;Proposition {n};{'Un texte assez long. ' * 40};https://decidim.ville.fr/p/{n}" for n in range(800)]
    content = decidim_csv(rows, header="id;category/name/fr;title/fr;body/fr;url")
    assert len(content) > 600_000
    response = preview(client, "cible", content)
    assert "Propositions à importer 800" in page_text(response)
    vie = str(target.orientations[0].id)
    response = client.post("/moderation/cible/opendata/import", data={"content": hidden_content(response), "orientations-0": vie})
    assert response.status_code == 303
    assert len(actions_of(target)) == 800


@pytest.fixture
def source():
    """A consultation with what may leave (published actions, visible comments) and what may not."""
    consultation = make_consultation(slug="source", orientations=2, actions_per_orientation=2)
    first, second = consultation.orientations[0].actions
    first.title = "=HYPERLINK(\"http://exemple.fr\";\"Cliquez\")"
    first.answer_state = first.answer_draft_state = AnswerState.ACCEPTED
    first.answer_text = first.answer_draft_text = "Retenue : elle commence en septembre."
    second.answer_draft_state, second.answer_draft_text = AnswerState.NOT_RETAINED, "Brouillon jamais publié"
    db.session.commit()
    moderator = make_moderator(consultation)
    youth = make_participant(display_name="Kenza Jeune", audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_15_TO_17)
    parent = make_participant(display_name="Paul Parent")
    proposal = propose_action(parent, consultation.orientations[1], "Un jardin partagé", "Au collège, avec les parents.")
    approve_proposal(moderator, proposal, title=proposal.title, body=proposal.body, orientation=proposal.orientation)
    propose_action(parent, consultation.orientations[1], "Proposition en attente", "Pas encore relue.")
    hidden_action = consultation.orientations[1].actions[0]
    add_comment(parent, hidden_action, "Sur une action masquée", Alignment.CONTRE)
    hide(moderator, consultation, Target(action=hidden_action))

    root = add_comment(youth, first, "+ de sorties scolaires", Alignment.POUR)
    reply = add_comment(parent, first, "D’accord avec toi", Alignment.NEUTRE, parent_id=root.id)
    hidden = add_comment(parent, first, "Commentaire masqué", Alignment.CONTRE)
    hide(moderator, consultation, Target(comment=hidden))
    deleted = add_comment(parent, second, "Commentaire supprimé", Alignment.CONTRE)
    delete_comment(parent, deleted)

    voters = [make_participant(email=f"votant{n}@exemple.fr", display_name=f"Votant Secret {n}") for n in range(3)]
    for voter in voters:
        cast_vote(voter, first, VoteKind.SUPPORT, 1)
        cast_vote(voter, second, VoteKind.OPINION, -1)
    db.session.commit()
    return {
        "consultation": consultation, "moderator": moderator, "voters": voters, "youth": youth, "parent": parent,
        "root": root, "reply": reply, "hidden_action": hidden_action, "proposal": proposal,
    }


def test_export_then_import_into_another_consultation_keeps_titles_bodies_and_orientations(client, source):
    login(client, source["moderator"])
    response = client.get("/moderation/source/opendata/propositions.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="decidim-propositions-source-')
    assert response.mimetype == "text/csv"
    exported = response.get_data()
    rows = read_csv(exported)
    first = source["consultation"].orientations[0].actions[0]

    by_id = {row["id"]: row for row in rows}
    assert str(source["hidden_action"].id) not in by_id, "hidden actions never leave"
    assert "Proposition en attente" not in {row["title/fr"] for row in rows}
    assert by_id[str(first.id)]["title/fr"].startswith("'="), "formulas are neutralised"
    assert by_id[str(first.id)]["state"] == "accepted"
    assert by_id[str(first.id)]["answer/fr"] == "Retenue : elle commence en septembre."
    assert by_id[str(first.id)]["votes"] == "3" and by_id[str(first.id)]["comments"] == "2"
    assert by_id[str(first.id)]["url"] == f"http://127.0.0.1:5000/actions/{first.id}"
    assert by_id[str(first.id)][f"taxonomies/{first.orientation_id}/fr"] == "Orientation numéro 1"
    second = source["consultation"].orientations[0].actions[1]
    assert by_id[str(second.id)]["state"] == "not_answered" and by_id[str(second.id)]["answer/fr"] == ""
    assert by_id[str(source["proposal"].id)]["author/id"] == pseudonym(source["parent"])

    copy = make_consultation(slug="copie", orientations=2, actions_per_orientation=0)
    client.post("/auth/logout")
    login(client, make_participant(role=Role.ADMIN))
    page = preview(client, "copie", exported)
    assert f"Propositions à importer {len(rows)}" in page_text(page)
    ids = [str(o.id) for o in copy.orientations]
    response = client.post(
        "/moderation/copie/opendata/import",
        data={"content": hidden_content(page), "orientations-0": ids[0], "orientations-1": ids[1]},
    )
    assert response.status_code == 303

    def shape(consultation):
        return sorted(
            (a.orientation.position, a.title, a.body, a.answer_state, a.answer_text)
            for a in actions_of(consultation)
            if a.state == ActionState.PUBLISHED
        )

    assert shape(copy) == shape(source["consultation"])

    # Our own file imported back into its consultation adds nothing: the addresses are ours.
    page = preview(client, "source", exported)
    assert f"Déjà importées (ignorées) {len(rows)}" in page_text(page)


def test_comments_export_has_visible_comments_of_published_actions_without_names(client, source):
    login(client, source["moderator"])
    response = client.get("/moderation/source/opendata/commentaires.csv")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="decidim-commentaires-source-')
    rows = read_csv(response.get_data())
    root, reply = source["root"], source["reply"]
    assert [row["id"] for row in rows] == [str(root.id), str(reply.id)], "hidden and deleted comments never leave"
    assert list(rows[0]) == [
        "id", "created_at", "body", "locale", "author/id", "alignment", "depth",
        "commentable_id", "commentable_type", "root_commentable_url",
    ]
    assert rows[0]["body"] == "'+ de sorties scolaires"
    assert rows[0]["alignment"] == "1" and rows[0]["depth"] == "0" and rows[0]["locale"] == "fr"
    assert rows[0]["commentable_id"] == str(root.action_id)
    assert rows[0]["commentable_type"] == "Decidim::Proposals::Proposal"
    assert rows[1]["commentable_id"] == str(root.id) and rows[1]["commentable_type"] == "Decidim::Comments::Comment"
    assert rows[1]["depth"] == "1" and rows[1]["alignment"] == "0"
    assert rows[1]["root_commentable_url"] == f"http://127.0.0.1:5000/actions/{root.action_id}"
    assert rows[0]["author/id"] == pseudonym(source["youth"]) != str(source["youth"].id)
    assert "Kenza" not in response.get_data(as_text=True)


def test_no_vote_of_a_person_is_ever_exported(runner, source, tmp_path):
    files = []
    for what in ("proposals", "comments"):
        path = tmp_path / f"{what}.csv"
        result = runner.invoke(args=["opendata", "export", "source", what, str(path)])
        assert result.exit_code == 0, result.output
        files.append(path.read_text(encoding="utf-8-sig"))
    everything = "\n".join(files)
    for voter in source["voters"]:
        for trace in (voter.email, voter.display_name, pseudonym(voter), f"participant {voter.id}"):
            assert trace not in everything
    header = files[0].splitlines()[0]
    assert "vote" in header and not any(word in header for word in ("opinion", "grade", "participant"))


def test_every_role_sees_only_what_it_may(client, source):
    """The pages follow the moderation rights (also in the rights matrix): not for a moderator elsewhere."""
    elsewhere = make_moderator(make_consultation(slug="ailleurs"))
    login(client, elsewhere)
    assert client.get("/moderation/source/opendata").status_code == 403
    assert client.get("/moderation/source/opendata/propositions.csv").status_code == 403
    client.post("/auth/logout")
    login(client, source["moderator"])
    assert "Données ouvertes de la plateforme" in page_text(client.get("/moderation/"))
    page = page_text(client.get("/moderation/source/opendata"))
    assert "Importer les propositions de la plateforme" in page and "aucun vote d’une personne" in page


def test_an_import_missing_a_theme_s_orientation_shows_the_preview_again(client, target):
    login(client, make_moderator(target))
    content = hidden_content(preview(client, "cible", decidim_csv()))
    elsewhere = make_consultation(slug="ailleurs").orientations[0]
    vie = str(target.orientations[0].id)

    response = client.post("/moderation/cible/opendata/import", data={"content": content, "orientations-0": vie})
    assert response.status_code == 422
    assert "Choisissez une orientation (ou « ne pas importer ») pour : Sport, Sans thème." in page_text(response)
    response = client.post(
        "/moderation/cible/opendata/import",
        data={"content": content, "orientations-0": str(elsewhere.id), "orientations-1": "-", "orientations-2": "-"},
    )
    assert response.status_code == 422
    assert "Choisissez, pour chaque thème, une orientation de la liste." in page_text(response)
    assert "Propositions à importer 4" in page_text(response), "the preview is shown again"
    response = client.post("/moderation/cible/opendata/import", data={"content": "pas du base64 !"})
    assert "Le fichier à importer manque : envoyez-le à nouveau." in page_text(response)
    assert actions_of(target) == []
