"""Results by neighbourhood per orientation (issue 20): supports and opinions per column of the staff's list, with
the small neighbourhoods and the answers outside the list under « Autres », every cell protected with the rest of
the summary; the same figures in the JSON, the CSV, the spreadsheet, the committee page and the PDF."""

from __future__ import annotations

import csv
import io
from collections import Counter
from itertools import count

import pytest
from openpyxl import load_workbook

from pedt_participation.committee import services
from pedt_participation.committee.disclosure_audit import audit
from pedt_participation.committee.profile_groups import OTHER_NEIGHBOURHOODS
from pedt_participation.extensions import db
from pedt_participation.models import (
    AgeBracket,
    Audience,
    Opinion,
    Participant,
    ProfileAnswerMapping,
    ProfileListEntry,
    ProfileListKind,
    Role,
    SummaryFileKind,
    Vote,
    VoteKind,
    utcnow,
)
from tests.helpers import (
    build_summary_now,
    count_queries,
    login,
    make_consultation,
    make_participant,
    page_text,
    pdf_pages,
)
from tests.test_disclosure import published_system

K = 5
SIDES = {"pour": Opinion.POUR, "mitige": Opinion.MITIGE, "contre": Opinion.CONTRE}
_people_made = count(1)


def _people(number: int, neighbourhood: str | None) -> list[Participant]:
    people = [
        Participant(email=f"voisin{next(_people_made)}@exemple.fr", display_name="Camille", role=Role.PARTICIPANT,
                    audience=Audience.PARENT, age_bracket=AgeBracket.FROM_26_TO_39, neighbourhood=neighbourhood,
                    email_confirmed_at=utcnow())
        for _ in range(number)
    ]
    db.session.add_all(people)
    db.session.flush()
    return people


@pytest.fixture
def neighbourhoods():
    """Bellevue (12 people) and Centre (8, three of them answering « Centre-ville », merged into it by staff) are
    large enough; Les Tilleuls (2) is not, nor are the 3 who typed a place outside the list; 9 did not say (so that the first action's « contre » on its page,
    9, is 2k − 1: its results are detailed)."""
    consultation = make_consultation(slug="quartiers", orientations=2, actions_per_orientation=2, k_anonymity=K)
    for position, label in enumerate(("Bellevue", "Centre", "Les Tilleuls")):
        db.session.add(ProfileListEntry(consultation_id=consultation.id, kind=ProfileListKind.NEIGHBOURHOOD,
                                        label=label, position=position))
    db.session.flush()
    centre = db.session.query(ProfileListEntry).filter_by(consultation_id=consultation.id, label="Centre").one()
    db.session.add(ProfileAnswerMapping(consultation_id=consultation.id, kind=ProfileListKind.NEIGHBOURHOOD,
                                        answer="Centre-ville", entry_id=centre.id))
    groups = {
        "Bellevue": _people(12, "Bellevue"), "Centre": _people(5, "Centre") + _people(3, "Centre-ville"),
        "Les Tilleuls": _people(2, "Les Tilleuls"), "outside": _people(3, "Près du stade"), "unsaid": _people(9, None),
    }
    first, second = consultation.orientations[0].actions
    # « Autres » gathers Les Tilleuls and the answers outside the list: 5 people, as many as k.
    others = groups["Les Tilleuls"] + groups["outside"]
    votes = [
        *((person, first, VoteKind.SUPPORT, 1) for person in groups["Bellevue"] + groups["Centre"][:6]),
        *((person, first, VoteKind.SUPPORT, 1) for person in others + groups["unsaid"]),
        *((person, second, VoteKind.SUPPORT, 1) for person in groups["Centre"] + others),
        *((person, first, VoteKind.OPINION, Opinion.POUR.value) for person in groups["Bellevue"] + groups["Centre"]),
        *((person, first, VoteKind.OPINION, Opinion.POUR.value) for person in others),
        *((person, first, VoteKind.OPINION, Opinion.CONTRE.value) for person in groups["unsaid"]),
        *((person, second, VoteKind.OPINION, Opinion.MITIGE.value) for person in groups["unsaid"] + others),
    ]
    db.session.add_all(Vote(participant_id=person.id, action_id=action.id, kind=kind, value=value)
                       for person, action, kind, value in votes)
    db.session.commit()
    return consultation


COLUMN_OF_ANSWER = {"Bellevue": "Bellevue", "Centre": "Centre", "Centre-ville": "Centre", None: "non renseigné"}


def _fresh_counts(action_id: int, kind: VoteKind, value: int) -> Counter[str]:
    """Votes counted again from the rows, per column, without the aggregation's SQL."""
    votes = db.session.query(Vote, Participant).join(Participant, Participant.id == Vote.participant_id).filter(
        Vote.action_id == action_id, Vote.kind == kind, Vote.value == value)
    return Counter(COLUMN_OF_ANSWER.get(person.neighbourhood, OTHER_NEIGHBOURHOODS) for _vote, person in votes)


def _with_neighbourhood_relations(data: dict):
    """The outsider's system of test_disclosure, plus the sums the tables by neighbourhood obey."""
    reader = published_system(data)
    for orientation in data["orientations"]:
        for action in orientation["actions"]:
            a = f"a{action['id']}"
            if action["supports"]["online_by_neighbourhood"]:
                reader.table(f"{a}/S/online", f"{a}/S/online/neighbourhood", action["supports"]["online_by_neighbourhood"])
            for name, table in action["opinions"]["by_neighbourhood"].items():
                reader.table(f"{a}/opinions/neighbourhood/{name}", f"{a}/opinions/neighbourhood/{name}", table)
            for side in SIDES if action["opinions"]["by_neighbourhood"] else ():
                reader.sums(f"{a}/opinions/{side}",
                            [f"{a}/opinions/neighbourhood/{name}/{side}" for name in action["opinions"]["by_neighbourhood"]])
    return reader


def test_results_by_neighbourhood_equal_a_fresh_count_and_hide_small_neighbourhoods(client, neighbourhoods):
    summary = build_summary_now(neighbourhoods)
    data = summary.data
    assert data["neighbourhoods"] == ["Bellevue", "Centre", "non renseigné", OTHER_NEIGHBOURHOODS]

    first, second = (action for action in data["orientations"][0]["actions"])
    for action in (first, second):
        supports = _fresh_counts(action["id"], VoteKind.SUPPORT, 1)
        for name, part in action["supports"]["online_by_neighbourhood"]["parts"].items():
            assert part["value"] in (supports[name], None)
        for side, opinion in SIDES.items():
            opinions = _fresh_counts(action["id"], VoteKind.OPINION, opinion.value)
            for name, table in action["opinions"]["by_neighbourhood"].items():
                assert table["parts"][side]["value"] in (opinions[name], None)
    # With no small group behind them, the figures are published exact; Les Tilleuls' 2 are in « Autres ».
    supports = first["supports"]["online_by_neighbourhood"]["parts"]
    assert {name: part["value"] for name, part in supports.items()} == {
        "Bellevue": 12, "Centre": 6, "non renseigné": 9, OTHER_NEIGHBOURHOODS: 5}
    opinions = first["opinions"]["by_neighbourhood"]
    assert {name: table["parts"]["pour"]["value"] for name, table in opinions.items()} == {
        "Bellevue": 12, "Centre": 8, "non renseigné": 0, OTHER_NEIGHBOURHOODS: 5}
    assert opinions["non renseigné"]["parts"]["contre"]["value"] == 9

    # Every published cell is one the outsider's audit cannot narrow: the relations by neighbourhood included.
    system = _with_neighbourhood_relations(data)
    assert any("/neighbourhood/" in name for name in system.published)
    assert audit(system.published, system.withheld, system.relations, system.k) == []

    # The same figures in the CSV, the spreadsheet, the page and the PDF; « Les Tilleuls » never names a column.
    rows = {row["Action"]: row for row in csv.DictReader(
        io.StringIO(services.summary_file(summary, SummaryFileKind.CSV).decode("utf-8-sig")), delimiter=";")}
    assert rows[first["title"]]["Soutiens en ligne : Bellevue"] == "12"
    assert rows[first["title"]]["Pour : Centre"] == "8"
    assert rows[first["title"]][f"Soutiens en ligne : {OTHER_NEIGHBOURHOODS}"] == "5"
    assert not any("Tilleuls" in column for column in rows[first["title"]])
    workbook = load_workbook(io.BytesIO(services.summary_file(summary, SummaryFileKind.XLSX)), read_only=True)
    sheet = list(workbook["Par quartier"].iter_rows(values_only=True))
    by_place = {(row[1], row[2]): row for row in sheet[1:]}
    assert by_place[(first["title"], "Bellevue")][3:5] == (12, 12)
    assert {place for _title, place in by_place} == set(data["neighbourhoods"])

    login(client, make_participant(role=Role.COMMITTEE))
    page = page_text(client.get(f"/comite/syntheses/{summary.id}"))
    pdf = " ".join(" ".join(pdf_pages(services.summary_file(summary, SummaryFileKind.PDF))).split())
    for text in (page, pdf):
        assert "Soutiens en ligne par quartier" in text and "Avis « pour » par quartier" in text
        assert "Autres" in text


def test_without_a_list_of_neighbourhoods_there_are_no_results_by_neighbourhood(neighbourhoods):
    db.session.query(ProfileAnswerMapping).delete()
    db.session.query(ProfileListEntry).delete()
    summary = build_summary_now(neighbourhoods)
    assert summary.data["neighbourhoods"] == []
    action = summary.data["orientations"][0]["actions"][0]
    assert action["supports"]["online_by_neighbourhood"] is None and action["opinions"]["by_neighbourhood"] == {}


def test_results_by_neighbourhood_that_cannot_be_protected_are_left_out_and_the_summary_says_so(client):
    """Five parents « pour » an action, four without a neighbourhood and one outside the list: every part of its
    split by neighbourhood is a small group that the action's figures, on its page, pin down. The summary is made
    without that action's results by neighbourhood, and says why, instead of being refused as a whole."""
    from pedt_participation.committee.aggregation import aggregate
    from pedt_participation.management.profile_lists import replace_entries

    consultation = make_consultation(orientations=1, actions_per_orientation=2, k_anonymity=5)
    first, second = consultation.orientations[0].actions
    replace_entries(consultation, ProfileListKind.NEIGHBOURHOOD, "Centre-ville\nLes Hauts")
    for index in range(5):
        person = make_participant(audience=Audience.PARENT, neighbourhood="centre ville" if index == 0 else None)
        db.session.add(Vote(participant_id=person.id, action_id=first.id, kind=VoteKind.OPINION, value=1))
    db.session.add(Vote(participant_id=make_participant(audience=Audience.PARENT).id, action_id=second.id,
                        kind=VoteKind.SUPPORT, value=1))
    db.session.commit()

    with count_queries(db.engine) as statements:
        data = aggregate(consultation)

    opinions = data["orientations"][0]["actions"][0]["opinions"]
    assert (opinions["detailed"], opinions["by_neighbourhood"], opinions["total"]["value"]) == (False, {}, 5)
    # The votes are read once, however many times the summary is built.
    reads = Counter(statement for statement in statements if "votes" in statement)
    assert reads and set(reads.values()) == {1}
    summary = build_summary_now(consultation)
    login(client, make_participant(role=Role.COMMITTEE))
    assert "Pas de détail : trop peu d’avis pour le donner sans révéler un petit groupe." in page_text(
        client.get(f"/comite/syntheses/{summary.id}"))
