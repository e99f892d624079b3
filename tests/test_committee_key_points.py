"""The committee decides from one page: the analyses (opinion groups, division between audiences, who was heard)
and « Ce qu'il faut retenir » in the summary, identical in the committee page, the PDF, the JSON and the spreadsheet,
on a crafted consultation whose structure is known."""

from __future__ import annotations

import copy
import csv
import io
import json
from collections import Counter

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select

from pedt_participation.committee import services
from pedt_participation.committee.documents import SUPPORTS_NOT_DETAILED
from pedt_participation.committee.key_points import _refusals_told
from pedt_participation.committee.representativeness import import_population
from pedt_participation.extensions import db
from pedt_participation.models import (
    Action,
    ActionOrigin,
    ActionState,
    AgeBracket,
    AnswerState,
    Audience,
    Grade,
    Participant,
    RefusalCategory,
    Role,
    SummaryFileKind,
    Vote,
    VoteKind,
)
from pedt_participation.templating import format_share
from tests.helpers import build_summary_now, login, make_consultation, make_participant, page_text, pdf_pages

PEOPLE_PER_AUDIENCE = 24
# One IRIS, "Centre": 300 people aged 18–24 and 900 aged 40–54, so that parents (40–59) weigh three times what
# young people (18–25) weigh, whereas as many of each answered.
POPULATION_CSV = (
    "IRIS;COM;LIBCOM;LIBIRIS;P21_POP;P21_POP1117;P21_POP1824;P21_POP2539;P21_POP4054;P21_POP5564;P21_POP6579;P21_POP80P\n"
    "1;99;Ville;Centre;1200;0;300;0;900;0;0;0\n"
)


@pytest.fixture
def crafted():
    """Two orientations of four actions. Parents and young people form two opinion groups: the first action of each
    orientation, everybody approves (consensus); the others, parents approve in the first orientation and reject in
    the second, young people the opposite (divisive between audiences)."""
    consultation = make_consultation(slug="crafted", orientations=2, actions_per_orientation=4, k_anonymity=5)
    first, second = (orientation.actions for orientation in consultation.orientations)
    first[0].title, second[0].title = "Ouvrir la ludothèque le samedi", "Un goûter partagé à la rentrée"
    first[1].title = "Des ateliers parents le soir"
    people = [
        make_participant(audience=Audience.PARENT, age_bracket=AgeBracket.FROM_40_TO_59, neighbourhood="Centre")
        for _ in range(PEOPLE_PER_AUDIENCE)
    ] + [
        make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_18_TO_25, neighbourhood="Centre")
        for _ in range(PEOPLE_PER_AUDIENCE)
    ]
    for person in people:
        parent = person.audience == Audience.PARENT
        for actions, parents_approve in ((first, True), (second, False)):
            for index, action in enumerate(actions):
                value = 1 if index == 0 or parent == parents_approve else -1
                db.session.add(Vote(participant_id=person.id, action_id=action.id, kind=VoteKind.OPINION, value=value))
    db.session.commit()
    return consultation


def _support(people, action, count):
    for person in people[:count]:
        db.session.add(Vote(participant_id=person.id, action_id=action.id, kind=VoteKind.SUPPORT, value=1))


def _grade(people, action, grade):
    for person in people:
        db.session.add(Vote(participant_id=person.id, action_id=action.id, kind=VoteKind.GRADE, value=int(grade)))


def _csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_the_analyses_are_in_the_page_the_pdf_the_json_and_the_spreadsheet(client, crafted):
    import_population(crafted, POPULATION_CSV.encode())
    db.session.commit()
    summary = build_summary_now(crafted)
    analyses = summary.data["analyses"]

    groups = analyses["opinion_groups"]
    assert groups["status"] == "found" and [group["size"] for group in groups["groups"]] == [24, 24]
    consensus_titles = {action["title"] for action in groups["consensus_actions"]}
    assert consensus_titles == {"Ouvrir la ludothèque le samedi", "Un goûter partagé à la rentrée"}
    by_audience = analyses["division"]["by_audience"]
    assert "Des ateliers parents le soir" in {action["title"] for action in by_audience["most_divisive"]}
    assert {action["title"] for action in by_audience["most_consensual"]} == consensus_titles
    weighted = {action["title"]: action for action in analyses["representativeness"]["weighting"]["actions"]}
    # As many parents as young people answered; weighted to the population, parents count three times as much.
    assert weighted["Des ateliers parents le soir"]["raw_approval"] == 0.5
    assert weighted["Des ateliers parents le soir"]["weighted_approval"] == pytest.approx(0.75, abs=0.01)

    login(client, make_participant(role=Role.COMMITTEE))
    page = page_text(client.get(f"/comite/syntheses/{summary.id}"))
    downloaded = json.loads(b"".join(services.data_chunks(summary.id)))
    assert downloaded["analyses"] == analyses
    pdf = " ".join(pdf_pages(services.summary_file(summary, SummaryFileKind.PDF)))
    for text in (page, " ".join(pdf.split())):
        assert "Groupe A (24 personnes)" in text
        assert "Approuvées par tous les groupes" in text
        assert "Les actions qui divisent le plus" in text
        assert "Des ateliers parents le soir" in text
        assert "sur-représenté" in text or "sous-représenté" in text or "à sa place" in text
    rows = {row["Action"]: row for row in _csv_rows(services.summary_file(summary, SummaryFileKind.CSV))}
    assert rows["Des ateliers parents le soir"]["Entre publics"] == "divise"
    assert rows["Ouvrir la ludothèque le samedi"]["Entre publics"] == "rassemble"
    assert rows["Ouvrir la ludothèque le samedi"]["Approuvée par tous les groupes d’opinion"] == "oui"
    assert rows["Des ateliers parents le soir"]["Pour, part pondérée"] == "0.75"


def test_without_a_population_the_summary_says_so_and_the_spreadsheets_hold_numbers(client, crafted):
    first = crafted.orientations[0].actions
    people = list(db.session.scalars(select(Participant).where(Participant.role == Role.PARTICIPANT)))
    _support(people, first[0], 30)
    _support(people, first[1], 3)  # under 2k − 1 = 9: too few to detail
    db.session.commit()
    summary = build_summary_now(crafted)
    assert summary.data["analyses"]["representativeness"] is None
    login(client, make_participant(role=Role.COMMITTEE))
    assert "Aucune population de référence n’est chargée" in page_text(client.get(f"/comite/syntheses/{summary.id}"))

    # The CSV: numbers only; the 3 supports as the action's page shows them, and the breakdown left out, its
    # cells empty and said in the status column.
    rows = {row["Action"]: row for row in _csv_rows(services.summary_file(summary, SummaryFileKind.CSV))}
    assert rows[first[0].title]["Soutiens"] == "30"
    assert (rows[first[1].title]["Soutiens"], rows[first[1].title]["Soutiens : Parent"]) == ("3", "")
    assert SUPPORTS_NOT_DETAILED in rows[first[1].title]["Nombres masqués"]
    # The spreadsheet, downloadable beside it: one sheet per table, numbers as numbers.
    response = client.get(f"/comite/syntheses/{summary.id}/synthese.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    assert workbook.sheetnames == ["Ce qu’il faut retenir", "Actions", "Participation", "Propositions", "Groupes d’opinion", "Entre publics"]
    actions = list(workbook["Actions"].iter_rows(values_only=True))
    header = list(actions[0])
    by_title = {row[header.index("Action")]: row for row in actions[1:]}
    assert by_title[first[0].title][header.index("Soutiens")] == 30
    assert by_title[first[1].title][header.index("Soutiens")] == 3
    groups = list(workbook["Groupes d’opinion"].iter_rows(values_only=True))
    assert {row[1] for row in groups[1:] if row[0] in ("A", "B")} == {24}


def test_what_to_remember_comes_first_and_says_what_moved(client, crafted):
    first, second = (orientation.actions for orientation in crafted.orientations)
    people = list(db.session.scalars(select(Participant).where(Participant.role == Role.PARTICIPANT)))
    _support(people, first[0], 30)
    _support(people, first[1], 12)
    _support(people, second[1], 3)  # under k = 5, as its page shows it
    author = people[0]
    published = Action(orientation_id=crafted.orientations[0].id, position=9, title="Un banc devant l’école",
                       origin=ActionOrigin.PARTICIPANT, state=ActionState.PUBLISHED, author_id=author.id)
    db.session.add(published)
    db.session.flush()
    db.session.add_all([
        Action(orientation_id=crafted.orientations[0].id, position=10, title="Des bancs près de l’école",
               origin=ActionOrigin.PARTICIPANT, state=ActionState.MERGED, merged_into_id=published.id, author_id=author.id),
        Action(orientation_id=crafted.orientations[0].id, position=11, title="Texte refusé qu’on ne cite pas",
               origin=ActionOrigin.PARTICIPANT, state=ActionState.REJECTED, refusal_category=RefusalCategory.OUT_OF_SCOPE,
               rejection_reason="hors sujet", author_id=author.id),
    ])
    first[0].answer_state = AnswerState.ACCEPTED
    db.session.commit()
    earlier = build_summary_now(crafted)
    points = earlier.data["key_points"]
    assert next(iter(earlier.data)) == "key_points"
    [one, two] = points["orientations"]
    assert [action["title"] for action in one["leading"]][:2] == ["Ouvrir la ludothèque le samedi", "Des ateliers parents le soir"]
    assert one["leading"][0]["supports"]["value"] == 30
    assert (two["leading"][0]["title"], two["leading"][0]["supports"]["value"]) == (second[1].title, 3)
    assert "Ouvrir la ludothèque le samedi" in [action["title"] for action in one["consensual"]]
    assert "Des ateliers parents le soir" in [action["title"] for action in one["divisive"]]
    assert one["proposals"]["published"] == ["Un banc devant l’école"]
    assert one["proposals"]["merged"] == [{"title": "Des bancs près de l’école", "into": "Un banc devant l’école"}]
    assert one["proposals"]["refused"] == 1
    assert one["answers_given"] == [{"title": "Ouvrir la ludothèque le samedi", "answer_state": "accepted"}]
    assert points["changes"] is None

    # Young people now support an action of the first orientation more than the leading one.
    _support(people[PEOPLE_PER_AUDIENCE:], first[2], 24)
    _support(people[:PEOPLE_PER_AUDIENCE], first[2], 20)
    db.session.commit()
    later = build_summary_now(crafted)
    changes = later.data["key_points"]["changes"]
    assert changes["new_leaders"] == [first[2].title]
    assert {"title": first[2].title, "before": None, "after": 1} in changes["rank_changes"]
    # The e-mail to the committee names the same leading actions.
    email = services.summary_email_text(later)
    assert f"- {crafted.orientations[0].title} : {first[2].title}\n" in email

    login(client, make_participant(role=Role.COMMITTEE))
    page = page_text(client.get(f"/comite/syntheses/{later.id}"))
    first_page = " ".join(pdf_pages(services.summary_file(later, SummaryFileKind.PDF))[0].split())
    for text in (" ".join(page.split()), first_page):
        assert "Ce qu’il faut retenir" in text
        assert f"En tête : « {first[2].title} » (44 soutiens), puis « Ouvrir la ludothèque le samedi » (30 soutiens)" in text
        assert "Rassemble tous les publics : « Ouvrir la ludothèque le samedi »" in text
        assert "Divise : « Des ateliers parents le soir »" in text
        assert "« Des bancs près de l’école » fusionnée dans « Un banc devant l’école »" in text
        assert "1 refusée (motifs donnés moins de 5 fois chacun, non détaillés)" in text and "Texte refusé" not in text
        assert "Nouvelles en tête : « " + first[2].title in text
    assert page.index("Ce qu’il faut retenir") < page.index("Participants en ligne")


def test_what_to_remember_the_groups_and_the_weighted_results_read_the_same_everywhere(client, crafted):
    """The committee page, the PDF, the JSON and the spreadsheet say the same thing: every sentence of « Ce qu'il faut
    retenir » (leading actions by majority grade then supports, what unites, what divides, proposals, answers, what
    moved), every opinion group and every weighted result."""
    crafted.majority_judgment_enabled = True
    first, second = (orientation.actions for orientation in crafted.orientations)
    people = list(db.session.scalars(select(Participant).where(Participant.role == Role.PARTICIPANT)))
    _support(people, first[0], 30)
    _grade(people, second[3], Grade.TRES_BIEN)
    _grade(people, second[1], Grade.PASSABLE)
    first[0].answer_state = AnswerState.ACCEPTED
    import_population(crafted, POPULATION_CSV.encode())
    db.session.commit()
    build_summary_now(crafted)
    _support(people, first[2], 44)
    db.session.commit()
    summary = build_summary_now(crafted)

    data = json.loads(b"".join(services.data_chunks(summary.id)))
    assert data == summary.data
    workbook = load_workbook(io.BytesIO(services.summary_file(summary, SummaryFileKind.XLSX)), read_only=True)
    assert workbook.sheetnames[0] == "Ce qu’il faut retenir"
    sheet = list(workbook["Ce qu’il faut retenir"].iter_rows(values_only=True))[1:]
    login(client, make_participant(role=Role.COMMITTEE))
    page = " ".join(page_text(client.get(f"/comite/syntheses/{summary.id}")).split())
    pdf = " ".join(" ".join(pdf_pages(services.summary_file(summary, SummaryFileKind.PDF))).split())

    # « Ce qu'il faut retenir »: the spreadsheet's sentences are the page's and the PDF's, and they say what the
    # JSON holds.
    said = {}
    for heading, sentence in sheet:
        said.setdefault(heading, []).append(sentence)
        assert sentence in page and sentence in pdf
    one, two = (f"Orientation {o['position']} — {o['title']}" for o in data["key_points"]["orientations"])
    assert said[one][0] == f"En tête : « {first[2].title} » (44 soutiens), puis « Ouvrir la ludothèque le samedi » (30 soutiens)."
    assert said[two][0].startswith(f"En tête : « {second[3].title} » (mention majoritaire « Très bien », ")
    assert f"puis « {second[1].title} » (mention majoritaire « Passable », " in said[two][0]
    assert any(sentence.startswith("Rassemble tous les publics : « Ouvrir la ludothèque le samedi »") for sentence in said[one])
    assert any(sentence.startswith("Divise : « Des ateliers parents le soir » — Parent : 100 %") for sentence in said[one])
    assert said[one][-1] == "1 réponse officielle donnée (« Ouvrir la ludothèque le samedi » : retenue) ; 3 encore attendues."
    [moved] = [heading for heading in said if heading.startswith("Depuis la synthèse du ")]
    assert said[moved][0] == f"Nouvelles en tête : « {first[2].title} »."
    leaders = [action["title"] for o in data["key_points"]["orientations"] for action in o["leading"]]
    assert all(f"« {title} »" in " ".join(sheet_sentence for _h, sheet_sentence in sheet) for title in leaders)

    # The opinion groups.
    groups = data["analyses"]["opinion_groups"]
    assert [group["size"] for group in groups["groups"]] == [24, 24]
    rows = set(list(workbook["Groupes d’opinion"].iter_rows(values_only=True))[1:])
    assert rows == {
        (group["name"], group["size"], action["title"], action["direction"])
        for group in groups["groups"] for action in group["representative_actions"]
    } | {("tous", None, action["title"], "approuvée par tous") for action in groups["consensus_actions"]}
    for group in groups["groups"]:
        assert f"Groupe {group['name']} ({group['size']} personnes)" in page
        assert f"Groupe {group['name']} ({group['size']} personnes)" in pdf
        for action in group["representative_actions"]:
            leaning = "plus favorable" if action["direction"] == "pour" else "plus opposé"
            assert f"{leaning} que les autres à « {action['title']} »" in page
            assert f"{leaning} que les autres à « {action['title']} »" in pdf

    # The weighted results: the same numbers in the spreadsheet, the same percentages on the page and in the PDF.
    weighted = data["analyses"]["representativeness"]["weighting"]["actions"]
    assert len(weighted) == 8
    assert list(workbook["Pondération"].iter_rows(values_only=True))[1:] == [
        (action["title"], action["opinions"]["value"], action["raw_approval"], action["weighted_approval"])
        for action in weighted
    ]
    with client.application.test_request_context(), force_locale("fr"):
        lines = [" ".join(f"{action['title']} {action['opinions']['value']} {format_share(action['raw_approval'])} "
                          f"{format_share(action['weighted_approval'])}".split()) for action in weighted]
    assert "Des ateliers parents le soir 48 50 % 75 %" in lines
    assert [line for line in lines if line not in page or line not in pdf] == []


def _proposal(orientation, title, state, author, **fields) -> Action:
    action = Action(orientation_id=orientation.id, position=len(orientation.actions) + 1, title=title,
                    origin=ActionOrigin.PARTICIPANT, state=state, author_id=author.id, **fields)
    db.session.add(action)
    db.session.flush()
    return action


def test_the_key_points_say_what_became_of_each_proposal(client):
    """Published and merged proposals by title, refused ones by kind of reason where k of them or more share it,
    the rest in one number; a blocked author's or an unconsented child's titles nowhere."""
    consultation = make_consultation(slug="propositions", orientations=1, actions_per_orientation=2, k_anonymity=5)
    [orientation] = consultation.orientations
    author, blocked = make_participant(), make_participant()
    child = make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_11_TO_14, parental_consent=False)
    bench = _proposal(orientation, "Un banc devant l’école", ActionState.PUBLISHED, author)
    _proposal(orientation, "Des bancs près de l’école", ActionState.MERGED, author, merged_into_id=bench.id)
    hidden_target = _proposal(orientation, "Un titre d’un compte bloqué", ActionState.PUBLISHED, blocked)
    _proposal(orientation, "Des jeux au parc", ActionState.MERGED, author, merged_into_id=hidden_target.id)
    _proposal(orientation, "Un titre d’enfant sans accord parental", ActionState.PUBLISHED, child)
    for number in range(5):
        _proposal(orientation, f"Hors champ {number}", ActionState.REJECTED, author, refusal_category=RefusalCategory.OUT_OF_SCOPE)
    for category in (RefusalCategory.AGAINST_CHARTER, RefusalCategory.NOT_FEASIBLE):
        _proposal(orientation, f"Refusée {category}", ActionState.REJECTED, author, refusal_category=category)
    _proposal(orientation, "Refusée d’un compte bloqué", ActionState.REJECTED, blocked, refusal_category=RefusalCategory.OTHER)
    blocked.blocked_at = blocked.created_at
    db.session.commit()

    summary = build_summary_now(consultation)
    proposals = summary.data["key_points"]["orientations"][0]["proposals"]
    assert proposals["published"] == ["Un banc devant l’école"]
    assert proposals["merged"] == [{"title": "Des bancs près de l’école", "into": "Un banc devant l’école"},
                                   {"title": "Des jeux au parc", "into": None}]
    assert (proposals["received"], proposals["refused"]) == (10, 7)
    assert proposals["received"] == summary.data["orientations"][0]["proposals"]["received"]
    assert proposals["refused_by_category"] == [{"category": "out_of_scope", "count": 5}]
    assert proposals["refused_for_rarer_categories"] == 2

    login(client, make_participant(role=Role.COMMITTEE))
    page = " ".join(page_text(client.get(f"/comite/syntheses/{summary.id}")).split())
    pdf = " ".join(pdf_pages(services.summary_file(summary, SummaryFileKind.PDF))[0].split())
    for text in (page, pdf):
        assert ("10 propositions reçues ; publiées : « Un banc devant l’école » ; « Des bancs près de l’école » fusionnée "
                "dans « Un banc devant l’école » ; « Des jeux au parc » fusionnée dans une autre action ; 7 refusées : "
                "5 pour le motif « hors du champ du projet éducatif », 2 pour des motifs donnés moins de 5 fois chacun") in text
        for hidden in ("compte bloqué", "enfant sans accord", "Hors champ", "Refusée "):
            assert hidden not in text
    workbook = load_workbook(io.BytesIO(services.summary_file(summary, SummaryFileKind.XLSX)), read_only=True)
    rows = list(workbook["Propositions"].iter_rows(values_only=True))
    assert rows == [
        ("Orientation", "Proposition", "Devenue", "Regroupée dans", "Motif du refus", "Nombre"),
        (1, "Un banc devant l’école", "publiée", None, None, 1),
        (1, "Des bancs près de l’école", "regroupée", "Un banc devant l’école", None, 1),
        (1, "Des jeux au parc", "regroupée", "une autre action", None, 1),
        (1, None, "refusée", None, "Hors du champ du projet éducatif", 5),
        (1, None, "refusée", None, "motifs donnés moins de 5 fois chacun", 2),
    ]

    # A summary built before refusals had kinds of reason says how many were refused, and nothing of their kinds.
    data = copy.deepcopy(summary.data)
    for key in ("refused_by_category", "refused_for_rarer_categories"):
        del data["key_points"]["orientations"][0]["proposals"][key]
    summary.data = data
    db.session.commit()
    older = " ".join(page_text(client.get(f"/comite/syntheses/{summary.id}")).split())
    assert "fusionnée dans une autre action ; 7 refusées." in older and "motif" not in older


def test_a_kind_of_reason_is_never_the_only_one_left_unnamed():
    """Otherwise the number refused for the others would be its exact count."""
    counts = Counter({category: 5 for category in RefusalCategory} | {RefusalCategory.OTHER: 1})
    told, rarer = _refusals_told(counts, k=5)
    assert len(told) == 4 and rarer == 6
    assert _refusals_told(Counter({RefusalCategory.DUPLICATE: 9, RefusalCategory.OTHER: 5}), k=5) == (
        [{"category": "duplicate", "count": 9}, {"category": "other", "count": 5}], 0
    )
