"""Neighbourhoods and schools from lists kept by staff: the pick-lists of the forms, the merging of free-text
answers, and the groups the committee's summary counts people in."""

from __future__ import annotations

import re

from pedt_participation.committee.aggregation import aggregate
from pedt_participation.committee.profile_groups import NOT_GIVEN, OTHER_NEIGHBOURHOODS
from pedt_participation.extensions import db
from pedt_participation.labels import SUMMARY_GROUP_LABELS
from pedt_participation.management.profile_lists import map_answer, replace_entries
from pedt_participation.models import (
    AgeBracket,
    Audience,
    ProfileListEntry,
    ProfileListKind,
    Role,
    Vote,
    VoteKind,
)
from tests.helpers import build_summary_now, login, make_consultation, make_participant, page_text

NEIGHBOURHOOD, SCHOOL = ProfileListKind.NEIGHBOURHOOD, ProfileListKind.SCHOOL


def _entry(consultation, kind, label):
    return db.session.query(ProfileListEntry).filter_by(consultation_id=consultation.id, kind=kind, label=label).one()


def test_the_summary_groups_people_by_the_lists_and_counts_what_nobody_merged_as_other(app):
    consultation = make_consultation(slug="listes", orientations=1, actions_per_orientation=1, k_anonymity=2)
    action = consultation.orientations[0].actions[0]
    replace_entries(consultation, NEIGHBOURHOOD, "Quartier Sud\nCentre-ville")
    replace_entries(consultation, SCHOOL, "École Jean-Jaurès")
    db.session.commit()
    people = [
        make_participant(neighbourhood="Quartier Sud"),
        make_participant(neighbourhood="Quartiers sud"),  # typed before the list: merged below
        make_participant(neighbourhood="Centre-ville"),
        make_participant(neighbourhood="Centre ville", school="École Jean Jaurès"),  # merged below
        make_participant(neighbourhood="Je préfère ne pas répondre", school="École Jean-Jaurès"),
        make_participant(neighbourhood="Rue des Lilas"),  # nobody merges it
        make_participant(neighbourhood="Rue des Lilas"),
        make_participant(
            audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_11_TO_14, school="Collège Jean Moulin",
            neighbourhood="Quartier Sud",
        ),
        make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_15_TO_17, school="Collège Jean Moulin"),
    ]
    for person in people:
        db.session.add(Vote(participant_id=person.id, action_id=action.id, kind=VoteKind.SUPPORT, value=1))
    map_answer(consultation, NEIGHBOURHOOD, "Quartiers sud", _entry(consultation, NEIGHBOURHOOD, "Quartier Sud").id)
    map_answer(consultation, NEIGHBOURHOOD, "Centre ville", _entry(consultation, NEIGHBOURHOOD, "Centre-ville").id)
    map_answer(consultation, SCHOOL, "École Jean Jaurès", _entry(consultation, SCHOOL, "École Jean-Jaurès").id)
    db.session.commit()

    participation = aggregate(consultation)["participation"]
    neighbourhoods = {key: part["value"] for key, part in participation["by_neighbourhood"]["parts"].items()}
    assert neighbourhoods == {"Quartier Sud": 3, "Centre-ville": 2, "Autre": 2, "non renseigné": 2}
    schools = participation["by_school"]["parts"]
    assert set(schools) == {"École Jean-Jaurès", "Autre", "non renseigné"}
    assert schools["École Jean-Jaurès"]["value"] == 2 and schools["Autre"]["value"] == 2
    assert "Collège Jean Moulin" not in str(participation)


def test_staff_keep_the_lists_and_merge_free_text_answers_on_a_page_of_their_own(client):
    consultation = make_consultation(slug="demo")
    make_participant(neighbourhood="Quartiers sud")
    login(client, make_participant(role=Role.ADMIN))

    refused = client.post("/gestion/demo/listes", data={"neighbourhood": "Quartier Sud\nquartier  sud", "school": ""})
    assert refused.status_code == 422
    assert "« Quartier Sud » et « quartier sud » se lisent de la même façon : gardez-en un seul." in page_text(refused)
    saved = client.post(
        "/gestion/demo/listes", data={"neighbourhood": "Quartier Sud\nCentre-ville", "school": "École Jean-Jaurès"}
    )
    assert saved.status_code == 303
    assert "Quartier Sud\nCentre-ville" in client.get("/gestion/demo/listes").get_data(as_text=True)

    page = page_text(client.get("/gestion/demo/listes/reponses"))
    assert "« Quartiers sud » (1 personne) regrouper avec" in page
    merged = client.post(
        "/gestion/demo/listes/reponses",
        data={"kind": "neighbourhood", "answer": "Quartiers sud", "entry_id": _entry(consultation, NEIGHBOURHOOD, "Quartier Sud").id},
        follow_redirects=True,
    )
    assert "« Quartiers sud » compte désormais comme « Quartier Sud »." in page_text(merged)
    assert "Quartiers sud" not in page_text(client.get("/gestion/demo/listes/reponses"))


def test_the_summary_names_its_own_groups_in_the_readers_language(client):
    """The summary's data holds « non renseigné », « Autre » and « Autres » in French, summaries already built too:
    they are translated where the page shows them."""
    consultation = make_consultation(slug="listes", orientations=1, actions_per_orientation=1, k_anonymity=2)
    replace_entries(consultation, NEIGHBOURHOOD, "Quartier Sud")
    people = [make_participant(neighbourhood=answer) for answer in ("Quartier Sud",) * 3 + (None,) * 3 + ("Ailleurs",) * 2]
    db.session.add_all(
        Vote(participant_id=person.id, action_id=consultation.orientations[0].actions[0].id, kind=VoteKind.SUPPORT, value=1)
        for person in people
    )
    summary = build_summary_now(consultation)
    login(client, make_participant(role=Role.COMMITTEE))

    french = page_text(client.get(f"/comite/syntheses/{summary.id}"))
    arabic = page_text(client.get(f"/comite/syntheses/{summary.id}", headers={"Accept-Language": "ar"}))

    assert "non renseigné" in french and re.search(r"\bAutres?\b", french)
    assert "غير محدد" in arabic and "أخرى" in arabic
    assert "non renseigné" not in arabic and not re.search(r"\bAutres?\b", arabic)


def test_no_entry_of_a_list_takes_the_name_of_a_group_the_summary_makes_of_its_own(client):
    """« Autres » is the summary's column of small neighbourhoods and answers outside the list, « non renseigné » its
    group of people who did not answer: an entry of that name would be counted in with them."""
    assert {OTHER_NEIGHBOURHOODS, NOT_GIVEN} <= set(SUMMARY_GROUP_LABELS)
    make_consultation(slug="demo")
    login(client, make_participant(role=Role.ADMIN))
    for name in ("Autres", "Non renseigné"):
        refused = client.post("/gestion/demo/listes", data={"neighbourhood": f"Quartier Sud\n{name}", "school": ""})
        assert refused.status_code == 422
        assert f"« {name} » est déjà le nom d’un groupe de la synthèse du comité" in page_text(refused)
    assert db.session.query(ProfileListEntry).count() == 0


def test_the_sign_up_form_offers_the_lists_and_refuses_anything_else(client):
    consultation = make_consultation(slug="demo")
    replace_entries(consultation, NEIGHBOURHOOD, "Quartier Sud\nCentre-ville")
    db.session.commit()
    form = client.get("/auth/register").get_data(as_text=True)
    for choice in ("Quartier Sud", "Centre-ville", "Autre", "Je préfère ne pas répondre"):
        assert f">{choice}</option>" in form
    answer = {
        "email": "amina@exemple.fr", "password": "un-bon-mot-de-passe", "password_confirmation": "un-bon-mot-de-passe",
        "display_name": "Amina", "audience": "parent", "age_bracket": "26-39", "neighbourhood": "Quartiers sud",
    }
    refused = client.post("/auth/register", data=answer)
    assert refused.status_code == 422 and "Choisissez dans la liste, ou « Autre »." in page_text(refused)
    assert client.post("/auth/register", data={**answer, "neighbourhood": "Quartier Sud"}).status_code == 303
