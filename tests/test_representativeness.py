"""Who was heard (committee/representativeness.py): the INSEE file, participation rates, weighting by raking."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from pedt_participation.committee.analyses_section import weighting_warning
from pedt_participation.committee.representativeness import (
    import_population,
    map_neighbourhoods,
    population_areas,
    rake,
    read_population_file,
    representativeness,
)
from pedt_participation.committee.services import population_analysis, summary_figures
from pedt_participation.errors import ParticipationRefused
from pedt_participation.extensions import db
from pedt_participation.models import AgeBracket, Audience, Vote, VoteKind
from tests.helpers import add_even_population, make_consultation, make_participant

SAMPLE = Path(__file__).parents[1] / "pedt_participation" / "demo" / "population-iris-exemple-fictif.csv"

# A planted territory: two age brackets, two neighbourhoods, 500 people in each of the four cells. Approval depends
# on age (young people approve far more) and on the neighbourhood.
POPULATION = {("18-25", "Centre"): 500, ("18-25", "Les Hauts"): 500, ("60+", "Centre"): 500, ("60+", "Les Hauts"): 500}
APPROVAL = {("18-25", "Centre"): 0.9, ("18-25", "Les Hauts"): 0.7, ("60+", "Centre"): 0.3, ("60+", "Les Hauts"): 0.1}
# Who answered: young people four times as often as their elders, the centre twice as often as Les Hauts.
SAMPLE_SIZES = {("18-25", "Centre"): 80, ("18-25", "Les Hauts"): 40, ("60+", "Centre"): 20, ("60+", "Les Hauts"): 10}


def _planted_opinions():
    return {7: {cell: (round(APPROVAL[cell] * n), n) for cell, n in SAMPLE_SIZES.items()}}


def test_weighting_recovers_the_planted_population_result():
    population_result = sum(APPROVAL[cell] * people for cell, people in POPULATION.items()) / sum(POPULATION.values())
    result = representativeness(SAMPLE_SIZES, POPULATION, _planted_opinions(), k=5)
    [action] = result["weighting"]["actions"]
    assert abs(action["raw_approval"] - population_result) >= 0.10
    assert abs(action["weighted_approval"] - population_result) <= 0.02
    weighting = result["weighting"]
    assert weighting["status"] == "weighted" and weighting["people_weighted"]["value"] == 150
    # Kish: 150 people weighted this unevenly are worth fewer unweighted ones.
    assert 50 < weighting["effective_sample_size"] < 150
    assert weighting["weight_ratio"] == pytest.approx(8, rel=0.01) and not weighting["extreme"]
    assert weighting_warning(weighting) is None


def test_over_and_under_represented_groups_are_named():
    result = representativeness(SAMPLE_SIZES, POPULATION, {}, k=5)
    assert result["over_represented"] == ["18-25", "Centre"]
    assert result["under_represented"] == ["60+", "Les Hauts"]
    young = next(rate for rate in result["by_age_bracket"] if rate["group"] == "18-25")
    assert young["participants"]["value"] == 120 and young["population"] == 1000
    assert young["rate_per_thousand"] == 120.0 and young["representation"] == 1.6


def test_no_rate_under_k_people_and_extreme_weights_are_said():
    """With a third age bracket of 10 or more beside the two: the 18–25 alone beside the elders' « < 10 » would
    be pinned to 10 values (257 to 266) and the participants' total withheld for them, which every rate needs."""
    sizes = {("18-25", "Centre"): 200, ("18-25", "Les Hauts"): 60, ("60+", "Centre"): 3, ("60+", "Les Hauts"): 3,
             ("26-39", "Centre"): 40}
    population = {**POPULATION, ("26-39", "Centre"): 1000}
    opinions = {7: {("18-25", "Centre"): (150, 200)}, 8: {("60+", "Centre"): (3, 3)}}
    result = representativeness(sizes, population, opinions, k=10)
    elders = next(rate for rate in result["by_age_bracket"] if rate["group"] == "60+")
    assert elders["participants"] == {"value": None, "display": "< 10", "share": None}
    assert elders["rate_per_thousand"] is None and elders["representation"] is None
    # Named all the same: even nine of them would be far too few.
    assert elders["verdict"] == "under" and "60+" in result["under_represented"]
    # The weights would give the withheld count back (see the next test): none is computed.
    assert result["weighting"]["status"] == "withheld" and result["weighting"]["actions"] == []
    assert weighting_warning(result["weighting"]) is None
    weighting = representativeness(sizes, POPULATION, opinions, k=5)["weighting"]
    assert weighting["extreme"] and weighting["weight_ratio"] > 10
    assert "les résultats bruts restent la référence" in weighting_warning(weighting)
    # An action with fewer than k opinions among the people weighted gets no weighted result.
    assert [action["action_id"] for action in weighting["actions"]] == [7]


def test_people_outside_the_reference_are_left_out_of_the_weighting():
    sizes = {**SAMPLE_SIZES, ("18-25", ""): 7, ("60+", "Ailleurs"): 2}
    result = representativeness(sizes, POPULATION, _planted_opinions(), k=5)
    assert result["weighting"]["people_left_out"]["value"] == 9
    assert result["weighting"]["people_weighted"]["value"] == 150
    # A group of the population with no participant at all is named: no weight can speak for it.
    raking = rake({("18-25", "Centre"): 30, ("18-25", "Les Hauts"): 20}, POPULATION)
    assert raking.groups_without_participants == ["60+"]


def test_the_insee_file_is_read_with_its_age_bands():
    areas = read_population_file(SAMPLE.read_bytes())
    assert len(areas) >= 5 and areas[0].census_year == 2021
    first = areas[0]
    assert set(first.people_by_age_bracket) == {bracket.value for bracket in AgeBracket}
    # The detailed bands: 11–14 is four sevenths of 11–17.
    text = SAMPLE.read_text(encoding="utf-8").splitlines()
    header, row = text[0].split(";"), text[1].split(";")
    p1117 = float(row[header.index("P21_POP1117")])
    assert first.people_by_age_bracket["11-14"] == pytest.approx(p1117 * 4 / 7, abs=0.01)


def test_the_broad_bands_are_used_when_the_detailed_ones_are_missing():
    content = (
        b"IRIS;COM;LIBIRIS;P20_POP;P20_POP0014;P20_POP1529;P20_POP3044;P20_POP4559;P20_POP6074;P20_POP75P\n"
        b"999990101;99999;Centre;1500;150;300;300,5;300;300;150\n"
    )
    [area] = read_population_file(content)
    assert area.census_year == 2020 and area.label == "Centre"
    assert area.people_by_age_bracket["11-14"] == 40.0  # 4/15 of 0–14
    assert area.people_by_age_bracket["60+"] == 450.0
    assert area.people_by_age_bracket["40-59"] == pytest.approx(300.5 / 3 + 300, abs=0.01)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"nom;age\nA;3\n", "tableau de population de l’INSEE"),
        (b"IRIS;P21_POP;P21_POP0014\n1;3;1\n", "colonnes des âges"),
        (b"IRIS;P20_POP;P20_POP0014;P20_POP1529;P20_POP3044;P20_POP4559;P20_POP6074;P20_POP75P\n"
         b"1;1;1;beaucoup;1;1;1;1\n", "« beaucoup » n’est pas un nombre"),
    ],
)
def test_a_file_that_is_not_the_insee_table_is_refused_with_what_to_do(content, message):
    with pytest.raises(ParticipationRefused, match=message):
        read_population_file(content)


def _twelve_parents_for(neighbourhoods: tuple[str, str]):
    """A consultation whose first action has twelve parents aged 40 to 59 « pour », half in each neighbourhood."""
    consultation = make_consultation(slug="pedt", k_anonymity=5)
    action = consultation.orientations[0].actions[0]
    for index in range(12):
        person = make_participant(audience=Audience.PARENT, age_bracket=AgeBracket.FROM_40_TO_59,
                                  neighbourhood=neighbourhoods[index % 2])
        db.session.add(Vote(participant_id=person.id, action_id=action.id, kind=VoteKind.OPINION, value=1))
    return consultation


def test_a_consultation_weighted_from_its_loaded_population(app):
    consultation = make_consultation(orientations=1, actions_per_orientation=1, k_anonymity=5)
    action = consultation.orientations[0].actions[0]
    for (age, place), count in SAMPLE_SIZES.items():
        audience = Audience.YOUTH if age == "18-25" else Audience.PARENT
        for index in range(count):
            person = make_participant(audience=audience, age_bracket=AgeBracket(age), neighbourhood=place)
            value = 1 if index < round(APPROVAL[(age, place)] * count) else -1
            db.session.add(Vote(participant_id=person.id, action_id=action.id, kind=VoteKind.OPINION, value=value))
    db.session.commit()
    # Detailed bands chosen so that each neighbourhood has 500 people aged 18–25 and 500 aged 60 or more.
    header = "IRIS;COM;LIBCOM;LIBIRIS;P21_POP;P21_POP1117;P21_POP1824;P21_POP2539;P21_POP4054;P21_POP5564;P21_POP6579;P21_POP80P"
    content = "\n".join([header, "1;99;Ville;Centre;1;0;500;0;0;0;400;100", "2;99;Ville;Iris 2;1;0;500;0;0;0;450;50"])
    assert import_population(consultation, content.encode()) == 2
    [centre, second] = population_areas(consultation)
    # Mapped by name when the label is a neighbourhood participants gave; the other waits for staff.
    assert centre.neighbourhood == "Centre" and second.neighbourhood is None
    map_neighbourhoods(consultation, {second.id: "Les Hauts"})
    db.session.commit()
    result = population_analysis(consultation)
    [weighted] = result["weighting"]["actions"]
    assert weighted["weighted_approval"] == pytest.approx(0.5, abs=0.02)
    assert result["census_year"] == 2021


def test_staff_load_the_population_and_map_it_then_the_committee_reads_it(client):
    from pedt_participation.models import ManagerAssignment, Role
    from tests.helpers import login, page_text

    consultation = _twelve_parents_for(neighbourhoods=("Les Hauts", "Centre-ville"))
    manager = make_participant(role=Role.COMMITTEE)
    db.session.add(ManagerAssignment(participant_id=manager.id, consultation_id=consultation.id))
    db.session.commit()

    login(client, manager)
    refused = client.post("/comite/pedt/population", data={"file": (io.BytesIO(b"nom;age\n"), "population.csv")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "pas un tableau de population de l’INSEE" in page_text(refused)
    loaded = client.post("/comite/pedt/population", data={"file": (SAMPLE.open("rb"), "population.csv")},
                         content_type="multipart/form-data", follow_redirects=True)
    assert "Population de référence chargée : 8 IRIS" in page_text(loaded)
    areas = population_areas(consultation)
    # Labels equal to a neighbourhood participants gave are mapped at once; the others are chosen by staff.
    assert {area.label: area.neighbourhood for area in areas}["Les Hauts"] == "Les Hauts"
    choices = {f"neighbourhoods-{index}": ("Centre-ville" if area.label.startswith("Centre") else area.neighbourhood or "")
               for index, area in enumerate(areas)}
    mapped = client.post("/comite/pedt/population/quartiers", data=choices, follow_redirects=True)
    assert "Les quartiers des IRIS sont enregistrés" in page_text(mapped)
    assert {area.neighbourhood for area in population_areas(consultation)} == {"Centre-ville", "Les Hauts", None}
    client.post("/auth/logout")

    login(client, make_participant(role=Role.COMMITTEE))
    text = page_text(client.get("/comite/pedt/population"))
    assert "Sur-représentés : 40 à 59 ans" in text
    assert "Sous-représentés :" in text and "11 à 14 ans" in text
    assert "Résultats pondérés" in text and "12 personnes pondérées" in text
    # The committee reads; loading and mapping are for the people who manage the consultation.
    assert "Charger le fichier" not in text and "Enregistrer les quartiers" not in text


def test_a_summary_stored_before_its_weighting_counts_were_protected_still_reads(client):
    """Summaries stored before every figure of the section went through the disclosure audit hold plain numbers
    for the people weighted and each action's opinions: their page still shows them."""
    from pedt_participation.committee.services import summary_figures
    from pedt_participation.models import CommitteeSummary, Role, SummaryStatus, SummaryTrigger, utcnow
    from tests.helpers import login, page_text

    consultation = _twelve_parents_for(neighbourhoods=("Les Hauts", "Centre"))
    import_population(consultation, SAMPLE.read_bytes())
    map_neighbourhoods(consultation, {area.id: area.label for area in population_areas(consultation)
                                      if area.label in ("Centre", "Les Hauts")})
    data = summary_figures(consultation)
    weighting = data["analyses"]["representativeness"]["weighting"]
    assert weighting["status"] == "weighted", weighting
    weighting["people_weighted"] = 12
    for weighted in weighting["actions"]:
        weighted["opinions"] = 12
    db.session.add(CommitteeSummary(consultation_id=consultation.id, trigger=SummaryTrigger.ON_DEMAND,
                                    status=SummaryStatus.DONE, data=data, finished_at=utcnow()))
    db.session.commit()
    summary_id = db.session.scalar(db.select(CommitteeSummary.id))

    login(client, make_participant(role=Role.COMMITTEE))
    page = client.get(f"/comite/syntheses/{summary_id}")
    assert page.status_code == 200
    assert "12 personnes pondérées" in page_text(page)


def test_no_weighted_result_is_given_for_opinions_the_summary_withholds(app):
    """The weighted approval is a ratio of counts per age bracket and neighbourhood at once, which the audit cannot
    follow: it is given only beside a published « pour » and total, for an action whose figures (on its page) are
    large enough to detail: 3 « pour » of 18 are not."""
    consultation = make_consultation(orientations=1, actions_per_orientation=3, k_anonymity=5)
    hidden_pour, few_opinions, shown = consultation.orientations[0].actions
    people = [make_participant(audience=Audience.PARENT, age_bracket=AgeBracket.FROM_40_TO_59,
                               neighbourhood=("Centre", "Les Hauts")[index % 2]) for index in range(18)]
    for index, person in enumerate(people):
        db.session.add(Vote(participant_id=person.id, action_id=hidden_pour.id, kind=VoteKind.OPINION,
                            value=1 if index < 3 else -1))
        db.session.add(Vote(participant_id=person.id, action_id=shown.id, kind=VoteKind.OPINION,
                            value=1 if index < 9 else -1))
    for person in people[:2]:
        db.session.add(Vote(participant_id=person.id, action_id=few_opinions.id, kind=VoteKind.OPINION, value=1))
    add_even_population(consultation, ("Centre", "Les Hauts"))
    db.session.commit()
    data = summary_figures(consultation)
    weighted = {action["action_id"]: action for action in data["analyses"]["representativeness"]["weighting"]["actions"]}
    assert few_opinions.id not in weighted
    assert hidden_pour.id not in weighted
    assert weighted[shown.id]["raw_approval"] == 0.5 and weighted[shown.id]["weighted_approval"] == 0.5


def _consistent(published: dict, candidate: dict) -> bool:
    """Whether a candidate count matches what the summary printed of it: the number, or its « < k » / « masqué »."""
    return all(figure["value"] == candidate[key] if figure["value"] is not None
               else candidate[key] < 10 if figure["display"] == "< 10" else candidate[key] >= 10
               for key, figure in published.items())


def test_the_weights_give_back_no_withheld_count_of_participants():
    """The attack: the reader knows the population (INSEE's), the published participants and how the weights are
    computed (raking, named on the method page). For each table of participants the published counts allow, they
    compute the weights again and keep the tables whose effective size and weight ratio are the ones printed:
    the six people of 60 and over, withheld as « < 10 », came back exactly."""
    sizes = {("18-25", "Centre"): 200, ("18-25", "Les Hauts"): 60, ("60+", "Centre"): 3, ("60+", "Les Hauts"): 3}
    result = representativeness(sizes, POPULATION, {}, k=10)
    elders = next(rate for rate in result["by_age_bracket"] if rate["group"] == "60+")
    assert elders["participants"]["display"] == "< 10"
    weighting = result["weighting"]
    printed = {
        **{("age", rate["group"]): rate["participants"] for rate in result["by_age_bracket"]},
        **{("place", rate["group"]): rate["participants"] for rate in result["by_neighbourhood"]},
    }
    possible = set()
    for centre in range(10):
        for hauts in range(10 - centre):
            table = {("18-25", "Centre"): 203 - centre, ("18-25", "Les Hauts"): 63 - hauts,
                     ("60+", "Centre"): centre, ("60+", "Les Hauts"): hauts}
            counts = {("age", "18-25"): 263 - centre - hauts, ("age", "60+"): centre + hauts,
                      ("place", "Centre"): 203, ("place", "Les Hauts"): 63}
            if not _consistent(printed, counts):
                continue
            raking = rake({cell: n for cell, n in table.items() if n}, POPULATION)
            if weighting["effective_sample_size"] is not None and (
                round(raking.effective_sample_size, 1) != weighting["effective_sample_size"]
                or round(raking.weight_ratio, 2) != weighting["weight_ratio"]
            ):
                continue
            possible.add(centre + hauts)
    assert set(range(1, 10)) <= possible


def test_a_weighted_approval_gives_back_no_withheld_opinion_by_age_bracket(app):
    """The attack: everyone lives in one neighbourhood, so each age bracket's weight follows from its published
    participants and the population; and the 30 opinions are the 30 participants', so the 10 youths all answered.
    For each number of « pour » among them that the published figures allow, the reader computes the weighted
    approval again: the 3 « pour » of 11–14-year-olds, which the summary never prints (the action's breakdowns are
    left out: withheld as « < 5 », they would pin the parents' « pour » to 11–14), were the only value giving the
    printed one."""
    consultation = make_consultation(orientations=1, actions_per_orientation=1, k_anonymity=5)
    action = consultation.orientations[0].actions[0]
    youths = [make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_11_TO_14, neighbourhood="Centre")
              for _ in range(10)]
    parents = [make_participant(audience=Audience.PARENT, age_bracket=AgeBracket.FROM_40_TO_59, neighbourhood="Centre")
               for _ in range(20)]
    for group, pour in ((youths, 3), (parents, 12)):
        for index, person in enumerate(group):
            db.session.add(Vote(participant_id=person.id, action_id=action.id, kind=VoteKind.OPINION,
                                value=1 if index < pour else -1))
    add_even_population(consultation, ("Centre",))
    db.session.commit()
    data = summary_figures(consultation)
    [printed] = data["orientations"][0]["actions"]
    assert printed["opinions"]["total"]["value"] == 30 and printed["opinions"]["parts"]["pour"]["value"] == 15
    ages = data["participation"]["by_age_bracket"]["parts"]
    assert ages["11-14"]["value"] == 10 and ages["40-59"]["value"] == 20
    by_age = printed["opinions"]["by_age_bracket"]
    assert not by_age.get("11-14") or by_age["11-14"]["parts"]["pour"]["value"] is None
    weighting = data["analyses"]["representativeness"]["weighting"]
    approval = {weighted["action_id"]: weighted["weighted_approval"] for weighted in weighting["actions"]}.get(action.id)
    weights = rake({("11-14", "Centre"): 10, ("40-59", "Centre"): 20},
                   {(bracket.value, "Centre"): 300.0 for bracket in AgeBracket}).weights
    young, old = weights[("11-14", "Centre")], weights[("40-59", "Centre")]
    possible = set()
    for young_pour in range(11):
        counts = {"11-14": {"pour": young_pour, "other": 10 - young_pour},
                  "40-59": {"pour": 15 - young_pour, "other": 5 + young_pour}}
        if not all(
            figure["value"] == (counts[bracket][part] if part != "total" else sum(counts[bracket].values()))
            if figure["value"] is not None else
            (counts[bracket][part] if part != "total" else sum(counts[bracket].values())) < 5
            if figure["display"] == "< 5" else True
            for bracket in counts if bracket in by_age
            for part, figure in (*by_age[bracket]["parts"].items(), ("total", by_age[bracket]["total"]))
        ):
            continue
        weighted = (young * young_pour + old * (15 - young_pour)) / (young * 10 + old * 20)
        if approval is None or round(weighted, 3) == approval:
            possible.add(young_pour)
    assert set(range(1, 5)) <= possible
