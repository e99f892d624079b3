"""Hidden figures stay hidden against arithmetic: the five attacks of issue 17 on crafted consultations, and random
consultations with many small groups (hypothesis). Every check reads the summary as an outsider does: from the
published JSON alone (`published_system`), never from the aggregation's own model."""

from __future__ import annotations

import copy
import csv
import io
import os
from datetime import date
from itertools import count

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp
from sqlalchemy import select

from pedt_participation.committee.aggregation import aggregate, printed_cells
from pedt_participation.committee.counting import detailable
from pedt_participation.committee.disclosure import Disclosure, DisclosureRefused
from pedt_participation.committee.disclosure_audit import MASKED, POSITIVE, SMALL, UNPRINTED, audit, bounds
from pedt_participation.committee.documents import CSV_HEADER, SUPPORTS_NOT_DETAILED, summary_csv, summary_pdf
from pedt_participation.committee.services import population_analysis, summary_figures
from pedt_participation.extensions import db
from pedt_participation.models import (
    AGE_BRACKETS_OF_AUDIENCE,
    AgeBracket,
    Audience,
    CommitteeSummary,
    Grade,
    PaperVoteCount,
    Participant,
    Role,
    SummaryStatus,
    SummaryTrigger,
    Vote,
    VoteKind,
    Workshop,
    utcnow,
)
from tests.helpers import add_even_population, login, make_consultation, make_participant, page_text, pdf_pages

K = 5
_people_made = count(1)
_consultations_made = count(1)


# --- the outsider's reading of a summary ---------------------------------------------------------------------


class PublishedSystem:
    """What a reader of the JSON knows: published counts, withheld cells with their label's range, and the sums
    the summary's tables obey (named here by JSON path, independently of the aggregation's keys)."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.published: dict[str, int] = {}
        self.withheld: dict[str, str] = {}
        self.relations: list[tuple[str, tuple[str, ...]]] = []

    def see(self, name: str, printed: dict) -> None:
        if printed["value"] is not None:
            assert self.published.setdefault(name, printed["value"]) == printed["value"], name
            assert name not in self.withheld, name
            return
        label = SMALL if printed["display"] == f"< {self.k}" else MASKED
        assert printed["display"] in (f"< {self.k}", "masqué"), printed
        assert self.withheld.setdefault(name, label) == label and name not in self.published, name

    def table(self, total: str, prefix: str, table: dict) -> None:
        self.see(total, table["total"])
        for part, printed in table["parts"].items():
            self.see(f"{prefix}/{part}", printed)
        self.relations.append((total, tuple(f"{prefix}/{part}" for part in table["parts"])))

    def sums(self, total: str, parts: list[str]) -> None:
        self.relations.append((total, tuple(parts)))

    def crossed(self, name: str, rows: dict, columns: dict, pairs: list[tuple]) -> None:
        """Two cuts of the same people (rows and columns) as margins of the table that crosses them, whose cells
        nobody prints: only `pairs` can have people (the method page says which ages each audience admits)."""
        for row, column in pairs:
            self.withheld[f"{name}/{row}/{column}"] = UNPRINTED
        for row, total in rows.items():
            self.sums(total, [f"{name}/{r}/{column}" for r, column in pairs if r == row])
        for column, total in columns.items():
            self.sums(total, [f"{name}/{row}/{c}" for row, c in pairs if c == column])


# What the method page tells the reader: the ages each audience admits.
PAIRS = [(a.value, b.value) for a in Audience for b in AgeBracket if b in AGE_BRACKETS_OF_AUDIENCE[a]]


def _read_audiences_by_age(reader: PublishedSystem, name: str, audiences: str, ages: str) -> None:
    reader.crossed(name, {a.value: f"{audiences}/{a.value}" for a in Audience},
                   {b.value: f"{ages}/{b.value}" for b in AgeBracket}, PAIRS)


def published_system(data: dict) -> PublishedSystem:
    reader = PublishedSystem(data["parameters"]["k_anonymity"])
    participation = data["participation"]
    reader.see("P", participation["participants"])
    for name in ("by_audience", "by_age_bracket", "by_neighbourhood", "by_school", "new_participants_by_week"):
        reader.table("P", f"P/{name}", participation[name])
    _read_audiences_by_age(reader, "P/X", "P/by_audience", "P/by_age_bracket")
    reader.table("S", "S", participation["supports"])
    shared_judges = data["parameters"]["majority_judgment_enabled"] and data["parameters"]["missing_grades_as_reject"]
    for orientation in data["orientations"]:
        o = f"o{orientation['id']}"
        reader.see(f"{o}/P", orientation["participants"])
        reader.table(f"{o}/P", f"{o}/P/audience", orientation["participants_by_audience"])
        reader.table(f"{o}/P", f"{o}/P/age", orientation["participants_by_age_bracket"])
        _read_audiences_by_age(reader, f"{o}/P/X", f"{o}/P/audience", f"{o}/P/age")
        reader.table(f"{o}/S", f"{o}/S", orientation["supports"])
        actions = [f"a{action['id']}" for action in orientation["actions"]]
        reader.sums(f"{o}/S", [f"{a}/S" for a in actions])
        for channel in ("online", "paper"):
            reader.sums(f"{o}/S/{channel}", [f"{a}/S/{channel}" for a in actions])
        for a, action in zip(actions, orientation["actions"], strict=True):
            supports, opinions = action["supports"], action["opinions"]
            reader.table(f"{a}/S", f"{a}/S", supports["by_channel"])
            if supports["detailed"]:
                reader.table(f"{a}/S", f"{a}/S/audience", supports["by_audience"])
                reader.table(f"{a}/S/online", f"{a}/S/online/age", supports["online_by_age_bracket"])
                # Each audience's supports: online ones at the ages it admits, and paper ones (of any audience).
                reader.crossed(f"{a}/S/X", {au.value: f"{a}/S/audience/{au.value}" for au in Audience},
                               {**{b.value: f"{a}/S/online/age/{b.value}" for b in AgeBracket}, "paper": f"{a}/S/paper"},
                               PAIRS + [(au.value, "paper") for au in Audience])
            reader.table(f"{a}/opinions", f"{a}/opinions", opinions)
            for audience, table in opinions["by_audience"].items():
                reader.table(f"{a}/opinions/{audience}", f"{a}/opinions/{audience}", table)
            if opinions["by_audience"]:
                for side in ("pour", "mitige", "contre"):
                    reader.sums(f"{a}/opinions/{side}", [f"{a}/opinions/{audience}/{side}" for audience in opinions["by_audience"]])
            for bracket, table in opinions["by_age_bracket"].items():
                reader.table(f"{a}/opinions/age/{bracket}", f"{a}/opinions/age/{bracket}", table)
            if opinions["by_age_bracket"]:
                reader.sums(f"{a}/opinions/pour", [f"{a}/opinions/age/{bracket}/pour" for bracket in opinions["by_age_bracket"]])
                reader.sums(f"{a}/opinions", [f"{a}/opinions/age/{bracket}" for bracket in opinions["by_age_bracket"]])
                sides = ("pour", "mitige", "contre")
                reader.crossed(
                    f"{a}/opinions/X",
                    {f"{au.value}/{side}": f"{a}/opinions/{au.value}/{side}" for au in Audience for side in sides},
                    {f"{b.value}/{part}": f"{a}/opinions/age/{b.value}/{part}" for b in AgeBracket for part in ("pour", "other")},
                    [(f"{au}/{side}", f"{b}/{'pour' if side == 'pour' else 'other'}") for au, b in PAIRS for side in sides],
                )
            judges = f"{o}/judges" if shared_judges else f"{a}/judges"
            reader.table(judges, f"{a}/grades", action["majority_judgment"])
        _read_ranking(reader, [(f"a{action['id']}/S", action["supports"]["rank"]) for action in orientation["actions"]])
    reader.sums("S", [f"o{o['id']}/S" for o in data["orientations"]])
    for channel in ("online", "paper"):
        reader.sums(f"S/{channel}", [f"o{o['id']}/S/{channel}" for o in data["orientations"]])
    representativeness = (data.get("analyses") or {}).get("representativeness")
    if representativeness:
        _read_representativeness(reader, representativeness)
    return reader


def _read_ranking(reader: PublishedSystem, ranks: list[tuple[str, int | None]]) -> None:
    """A ranking by supports: each ranked total is above the next one's (an unknown gap of 1 or more), or equal
    when they share a rank."""
    ranked = sorted((rank, name) for name, rank in ranks if rank is not None)
    for (rank, higher), (next_rank, lower) in zip(ranked, ranked[1:], strict=False):
        if rank == next_rank:
            reader.sums(higher, [lower])
        else:
            reader.withheld[f"gap/{higher}/{lower}"] = POSITIVE
            reader.sums(higher, [lower, f"gap/{higher}/{lower}"])


def _read_representativeness(reader: PublishedSystem, section: dict) -> None:
    """The participants against the population: per age bracket the participation's own groups (the same people),
    per neighbourhood of the population the people weighted, who with those left out are all participants. A
    rate or a representation is printed only beside a printed count."""
    for rate in section["by_age_bracket"]:
        reader.see(f"R/age/{rate['group']}", rate["participants"])
        reader.sums(f"P/by_age_bracket/{rate['group']}", [f"R/age/{rate['group']}"])
    for rate in section["by_neighbourhood"]:
        reader.see(f"R/place/{rate['group']}", rate["participants"])
    for rate in section["by_age_bracket"] + section["by_neighbourhood"]:
        if rate["participants"]["value"] is None:
            assert rate["rate_per_thousand"] is None and rate["representation"] is None, rate
    weighting = section["weighting"]
    reader.see("R/weighted", weighting["people_weighted"])
    reader.see("R/not_weighted", weighting["people_left_out"])
    reader.sums("R/weighted", [f"R/place/{rate['group']}" for rate in section["by_neighbourhood"]])
    reader.sums("P", ["R/weighted", "R/not_weighted"])


def _equations(system: PublishedSystem, index: dict[str, int]) -> tuple[list[np.ndarray], list[int]]:
    """Each relation as a row over the hidden cells (`index`: their columns) and its constant, the published cells
    moved to the right-hand side; relations between published cells only are left out."""
    rows, right = [], []
    for total, parts in system.relations:
        row, constant = np.zeros(len(index)), 0
        for cell, sign in ((total, 1), *((part, -1) for part in parts)):
            if cell in index:
                row[index[cell]] += sign
            else:
                constant -= sign * system.published[cell]
        if row.any():
            rows.append(row)
            right.append(constant)
    return rows, right


def possible_values(system: PublishedSystem, name: str, candidates: range) -> set[int]:
    """Which of `candidates` the hidden cell `name` can be, by integer programs over everything published
    (scipy's milp, apart from the project's auditor)."""
    names = sorted(system.withheld)
    index = {cell: i for i, cell in enumerate(names)}
    rows, right = _equations(system, index)
    lower = np.array([bounds(system.withheld[cell], system.k)[0] for cell in names], dtype=float)
    upper = np.array([min(bounds(system.withheld[cell], system.k)[1], 10**6) for cell in names], dtype=float)
    possible = set()
    for value in candidates:
        low, high = lower.copy(), upper.copy()
        low[index[name]] = high[index[name]] = value
        result = milp(np.zeros(len(names)), constraints=LinearConstraint(np.array(rows), right, right),
                      integrality=np.ones(len(names)), bounds=Bounds(low, high))
        if result.status == 0:
            possible.add(value)
    return possible


def extent(system: PublishedSystem, name: str) -> tuple[int, int]:
    """The least and the greatest value the hidden cell `name` can take, by scipy's integer programs over
    everything published (a « masqué » cell's greatest is capped at a million)."""
    names = sorted(system.withheld)
    index = {cell: i for i, cell in enumerate(names)}
    rows, right = _equations(system, index)
    lower = np.array([bounds(system.withheld[cell], system.k)[0] for cell in names], dtype=float)
    upper = np.array([min(bounds(system.withheld[cell], system.k)[1], 10**6) for cell in names], dtype=float)
    found = []
    for sign in (1, -1):
        result = milp(sign * np.eye(len(names))[index[name]], constraints=LinearConstraint(np.array(rows), right, right),
                      integrality=np.ones(len(names)), bounds=Bounds(lower, upper))
        found.append(round(result.x[index[name]]))
    return found[0], found[1]


def assert_nothing_narrower_than_promised(data: dict) -> PublishedSystem:
    system = published_system(data)
    assert audit(system.published, system.withheld, system.relations, system.k) == []
    return system


def assert_two_cells_keep_their_promise(system: PublishedSystem) -> None:
    """Checked by scipy's integer programs, apart from the project's auditor: two « < k » cells can each be any
    value from 1 to k − 1, and two « masqué » cells each keep an interval at least k wide."""
    for name in sorted(name for name, label in system.withheld.items() if label == SMALL)[:2]:
        assert possible_values(system, name, range(1, system.k)) == set(range(1, system.k)), name
    for name in sorted(name for name, label in system.withheld.items() if label == MASKED)[:2]:
        least, greatest = extent(system, name)
        assert greatest - least >= system.k, (name, least, greatest)


# --- crafted consultations ---------------------------------------------------------------------------------


def _people(number: int, audience: Audience = Audience.PARENT, bracket: AgeBracket = AgeBracket.FROM_26_TO_39):
    """Participants as rows whose votes count (no password: nobody signs in here)."""
    minor = bracket.needs_parental_consent
    people = [
        Participant(
            email=f"lecteur{next(_people_made)}@exemple.fr", display_name="Camille", role=Role.PARTICIPANT,
            audience=audience, age_bracket=bracket, parent_email="parent@exemple.fr" if minor else None,
            parental_consent_at=utcnow() if minor else None, email_confirmed_at=utcnow(),
        )
        for _ in range(number)
    ]
    db.session.add_all(people)
    db.session.flush()
    return people


def _votes(people, action, kind=VoteKind.SUPPORT, value=1):
    db.session.add_all(Vote(participant_id=p.id, action_id=action.id, kind=kind, value=value) for p in people)


def _paper(consultation, action, supports, audience=Audience.PARENT):
    workshop = Workshop(consultation_id=consultation.id, held_on=date(2026, 11, 10), place="Centre social")
    db.session.add(workshop)
    db.session.flush()
    db.session.add(PaperVoteCount(workshop_id=workshop.id, action_id=action.id, audience=audience, supports=supports))


def _summary(consultation) -> dict:
    db.session.commit()
    return aggregate(consultation)


def _cell(data, path: str) -> str:
    return published_system(data).withheld.get(path, "published")


def test_a_masked_figure_is_never_a_zero():
    """pour < 5 | mitigé masqué | contre 19 | total 22 gave pour = 3, "masqué" being the smallest other part: here
    the parents' opinions on an action whose own figures (public on its page) are large enough to detail. Six
    youths of 15 to 17 for it too: with professionals alone beside the parents' < 5, the « pour » of the action's
    page would pin the professionals' « pour » to an interval narrower than 5, and its opinions go undetailed."""
    consultation = make_consultation(orientations=1, actions_per_orientation=1)
    action = consultation.orientations[0].actions[0]
    youths = _people(4, Audience.YOUTH, AgeBracket.FROM_11_TO_14)
    older_youths = _people(6, Audience.YOUTH, AgeBracket.FROM_15_TO_17)
    parents = _people(18)
    pros = _people(30, Audience.PROFESSIONAL, AgeBracket.FROM_40_TO_59)
    _votes(parents[:3] + older_youths + pros[:10], action, VoteKind.OPINION, 1)
    _votes(pros[10:20], action, VoteKind.OPINION, 0)
    _votes(parents[3:] + youths + pros[20:], action, VoteKind.OPINION, -1)
    data = _summary(consultation)
    system = assert_nothing_narrower_than_promised(data)
    opinions = data["orientations"][0]["actions"][0]["opinions"]["by_audience"]["parent"]["parts"]
    assert opinions["pour"]["display"] == "< 5"
    assert opinions["mitige"]["display"] in ("0", "< 5")  # "masqué" means 5 or more: never a zero
    assert possible_values(system, f"a{action.id}/opinions/parent/pour", range(1, 5)) == {1, 2, 3, 4}
    # By age: 4 under-15s, nobody over 60, the others in between: the 4 cannot be worked out either.
    assert possible_values(system, "P/by_age_bracket/11-14", range(1, 5)) == {1, 2, 3, 4}


def test_a_second_hidden_part_of_exactly_k_gives_nothing_away():
    """Soutiens 7; Parent 5; Jeune masqué; Pro < 5 gave youths 0 and professionals 2: here with 10 youths, as an
    action's supports (public on its page) are detailed only from 2k − 1."""
    consultation = make_consultation(orientations=1, actions_per_orientation=2)
    first, second = consultation.orientations[0].actions
    parents, pros = _people(5), _people(2, Audience.PROFESSIONAL)
    _votes(parents + pros + _people(10, Audience.YOUTH, AgeBracket.FROM_15_TO_17), first)
    _votes(_people(12), second)
    data = _summary(consultation)
    system = assert_nothing_narrower_than_promised(data)
    assert possible_values(system, f"a{first.id}/S/audience/professional", range(1, 5)) == {1, 2, 3, 4}


def test_an_action_under_its_orientation_total_is_printed_as_its_page_shows_it():
    """The orientation's supports minus the other actions' gave a hidden 3, and so did the action's page: the
    summary prints it as the page does, and does not detail it."""
    consultation = make_consultation(orientations=1, actions_per_orientation=3)
    small, middle, large = consultation.orientations[0].actions
    _votes(_people(10), middle)
    _votes(_people(12), large)
    _paper(consultation, small, 3)
    _paper(consultation, middle, 6)
    data = _summary(consultation)
    system = assert_nothing_narrower_than_promised(data)
    assert system.published[f"a{small.id}/S/paper"] == system.published[f"a{small.id}/S"] == 3
    assert not data["orientations"][0]["actions"][0]["supports"]["detailed"]


def test_a_breakdown_inside_a_breakdown_hides_what_the_other_one_shows():
    """pour 17, parents 9, professionals 6 gave youths 2 through the opinions by audience. (With nobody else for
    it, parents and youths alone, the « pour » of the action's page would pin the parents' « masqué » to 7 to 11,
    narrower than 5: its opinions would go undetailed.)"""
    consultation = make_consultation(orientations=1, actions_per_orientation=1)
    action = consultation.orientations[0].actions[0]
    parents = _people(20)
    youths = _people(14, Audience.YOUTH, AgeBracket.FROM_15_TO_17)
    pros = _people(10, Audience.PROFESSIONAL, AgeBracket.FROM_40_TO_59)
    _votes(parents[:9] + youths[:2] + pros[:6], action, VoteKind.OPINION, 1)
    _votes(parents[9:] + youths[2:] + pros[6:], action, VoteKind.OPINION, -1)
    data = _summary(consultation)
    system = assert_nothing_narrower_than_promised(data)
    assert possible_values(system, f"a{action.id}/opinions/youth/pour", range(1, 5)) == {1, 2, 3, 4}


def test_two_small_cells_at_a_known_sum_stay_hidden():
    """11–14 < 5 and 15–17 < 5 adding up to 27 − 19 = 8 were both 4."""
    consultation = make_consultation(orientations=1, actions_per_orientation=1)
    action = consultation.orientations[0].actions[0]
    _votes(
        _people(4, Audience.YOUTH, AgeBracket.FROM_11_TO_14) + _people(4, Audience.YOUTH, AgeBracket.FROM_15_TO_17)
        + _people(19), action,
    )
    data = _summary(consultation)
    system = assert_nothing_narrower_than_promised(data)
    for bracket in ("11-14", "15-17"):
        assert possible_values(system, f"P/by_age_bracket/{bracket}", range(1, 5)) == {1, 2, 3, 4}


def test_the_audiences_and_the_age_brackets_together_give_no_under_15_away():
    """Youths 6, 11–14 « < 5 », 15–17 « masqué », 18–25 0: every young person being 11 to 25 and everyone under 18
    a young person, the 11–14 and the 15–17 add up to the youths' 6, so the « masqué » 5 or more left the
    under-15s at most 1. The same through the supports by audience and the online supports by age bracket."""
    consultation = make_consultation(orientations=1, actions_per_orientation=1)
    action = consultation.orientations[0].actions[0]
    _votes(_people(1, Audience.YOUTH, AgeBracket.FROM_11_TO_14) + _people(5, Audience.YOUTH, AgeBracket.FROM_15_TO_17)
           + _people(10), action)
    data = _summary(consultation)
    system = assert_nothing_narrower_than_promised(data)
    assert possible_values(system, "P/by_age_bracket/11-14", range(1, 5)) == {1, 2, 3, 4}
    assert possible_values(system, f"a{action.id}/S/online/age/11-14", range(1, 5)) == {1, 2, 3, 4}


def test_the_participants_against_the_population_hide_what_the_participation_hides():
    """The representativeness section printed its groups with a threshold of its own: 60+ « masqué » in the
    participation was 7 there, and 31 − 20 − 7 gave the four 11–14-year-olds."""
    consultation = make_consultation(orientations=1, actions_per_orientation=1)
    action = consultation.orientations[0].actions[0]
    people = (_people(4, Audience.YOUTH, AgeBracket.FROM_11_TO_14) + _people(7, bracket=AgeBracket.FROM_60)
              + _people(20))
    for number, person in enumerate(people):
        person.neighbourhood = "Centre" if number % 2 else "Les Hauts"
    _votes(people, action)
    add_even_population(consultation, ("Centre", "Les Hauts"))
    db.session.commit()
    data = summary_figures(consultation)
    assert data["analyses"]["representativeness"]["by_age_bracket"]
    system = assert_nothing_narrower_than_promised(data)
    assert possible_values(system, "P/by_age_bracket/11-14", range(1, 5)) == {1, 2, 3, 4}


def test_a_ranking_pins_no_hidden_figure():
    """Supports 11, 10 and 3 in one orientation of 24: with the 3 « < 5 » and the 10 « masqué » to protect it, the
    ranking put the 10 below the 11, so at most 10, and the small one at least 24 − 11 − 10 = 3. The supports
    being public on each action's page, the summary ranks them all, exact, and hides what they do not show."""
    consultation = make_consultation(orientations=1, actions_per_orientation=3)
    first, second, third = consultation.orientations[0].actions
    _votes(_people(11) + _people(2, Audience.YOUTH, AgeBracket.FROM_15_TO_17), first)
    _votes(_people(10), second)
    _votes(_people(3), third)
    data = _summary(consultation)
    system = assert_nothing_narrower_than_promised(data)
    assert possible_values(system, f"a{first.id}/S/audience/youth", range(1, 5)) == {1, 2, 3, 4}
    actions = data["orientations"][0]["actions"]
    assert [(a["supports"]["by_channel"]["total"]["value"], a["supports"]["rank"]) for a in actions] == [(13, 1), (10, 2), (3, 3)]


def _reading_both(later: dict, earlier: dict) -> PublishedSystem:
    """A reader of two summaries who takes every count to have only grown since the earlier one (people and votes
    are seldom taken away): each count of the later one is the earlier's plus an unknown of 0 or more."""
    system, before = published_system(later), published_system(earlier)
    for name, value in before.published.items():
        if value and (name in system.published or name in system.withheld):
            system.published[f"earlier/{name}"] = value
            system.withheld[f"grew/{name}"] = UNPRINTED
            system.relations.append((name, (f"earlier/{name}", f"grew/{name}")))
    return system


def test_two_summaries_subtracted_give_no_hidden_figure_away():
    """12 parents supported an action in one summary; three youths joined before the next, whose parents were
    « masqué » beside the youths' « < 5 » and a total of 15: the parents being at least 12, the youths were at
    most 3. The later summary knows what the earlier one published."""
    consultation = make_consultation(orientations=1, actions_per_orientation=2)
    first, second = consultation.orientations[0].actions
    _votes(_people(12), first)
    _votes(_people(10, Audience.PROFESSIONAL), second)
    db.session.commit()
    earlier = summary_figures(consultation)
    db.session.add(CommitteeSummary(consultation_id=consultation.id, trigger=SummaryTrigger.ON_DEMAND,
                                    status=SummaryStatus.DONE, data=earlier, finished_at=utcnow()))
    _votes(_people(3, Audience.YOUTH, AgeBracket.FROM_15_TO_17), first)
    db.session.commit()
    later = summary_figures(consultation)
    # The action's page shows its supports grew by 3, which bounds any group's growth: its supports by audience
    # are left out of the later summary.
    assert not later["orientations"][0]["actions"][0]["supports"]["detailed"]
    system = _reading_both(later, earlier)
    assert audit(system.published, system.withheld, system.relations, system.k) == []
    assert possible_values(system, "P/by_audience/youth", range(1, 5)) == {1, 2, 3, 4}
    # What moved since the earlier summary is told of the published figures only.
    assert later["key_points"]["changes"]["previous_generated_at"] == earlier["generated_at"]


def _reading_the_population_page(section: dict, k: int) -> PublishedSystem:
    """A reader of the population page alone: the participants per age bracket (every bracket of the population)
    and per neighbourhood of it, the people weighted and those left out, all adding up to the participants."""
    reader = PublishedSystem(k)
    reader.withheld["P"] = UNPRINTED
    for rate in section["by_age_bracket"]:
        reader.see(f"P/by_age_bracket/{rate['group']}", rate["participants"])
    for rate in section["by_neighbourhood"]:
        reader.see(f"R/place/{rate['group']}", rate["participants"])
    reader.sums("P", [f"P/by_age_bracket/{rate['group']}" for rate in section["by_age_bracket"]])
    weighting = section["weighting"]
    reader.see("R/weighted", weighting["people_weighted"])
    reader.see("R/not_weighted", weighting["people_left_out"])
    reader.sums("R/weighted", [f"R/place/{rate['group']}" for rate in section["by_neighbourhood"]])
    reader.sums("P", ["R/weighted", "R/not_weighted"])
    return reader


def test_the_population_page_and_an_earlier_summary_give_no_hidden_figure_away():
    """The population page was protected without the finished summaries: 18 people of 26 to 39 in one summary,
    three 15–17-year-olds since, and the page's 26–39 « masqué » beside its 15–17 « < 5 » and 21 people in all
    left the 15–17 at most 3. The page is audited knowing the finished summaries, as a new summary is."""
    consultation = make_consultation(orientations=1, actions_per_orientation=1)
    action = consultation.orientations[0].actions[0]
    add_even_population(consultation, ("Centre",))
    parents = _people(18)
    for person in parents[:12]:
        person.neighbourhood = "Centre"
    _votes(parents, action)
    db.session.commit()
    earlier = summary_figures(consultation)
    assert published_system(earlier).published["P/by_age_bracket/26-39"] == 18
    db.session.add(CommitteeSummary(consultation_id=consultation.id, trigger=SummaryTrigger.ON_DEMAND,
                                    status=SummaryStatus.DONE, data=earlier, finished_at=utcnow()))
    youths = _people(3, Audience.YOUTH, AgeBracket.FROM_15_TO_17)
    for person in youths:
        person.neighbourhood = "Centre"
    _votes(youths, action)
    db.session.commit()
    section = population_analysis(consultation)
    system = _reading_the_population_page(section, K)
    for name, value in published_system(earlier).published.items():
        if value and name.startswith("P/by_age_bracket/"):
            system.published[f"earlier/{name}"] = value
            system.withheld[f"grew/{name}"] = UNPRINTED
            system.relations.append((name, (f"earlier/{name}", f"grew/{name}")))
    assert system.withheld["P/by_age_bracket/15-17"] == SMALL
    assert possible_values(system, "P/by_age_bracket/15-17", range(1, 5)) == {1, 2, 3, 4}


def test_a_zero_the_participation_pins_is_printed_rather_than_the_summary_refused():
    """A refusal that names only participation cells goes to the fallbacks, which leave out results by action and
    change nothing there: 12 people of 26 to 39 in one summary, three 15–17-year-olds since, all in one
    neighbourhood. The people not weighted were 0, withheld « < 5 » to protect the others, while the participants,
    those of the neighbourhood and those weighted, all « masqué », are one same number: the 0 is pinned, and the
    summary was refused as a whole. The zero is printed, as every zero the published figures pin is."""
    consultation = make_consultation(orientations=1, actions_per_orientation=1)
    action = consultation.orientations[0].actions[0]
    add_even_population(consultation, ("Centre",))
    parents = _people(12)
    youths = _people(3, Audience.YOUTH, AgeBracket.FROM_15_TO_17)
    for person in parents + youths:
        person.neighbourhood = "Centre"
    _votes(parents, action)
    db.session.commit()
    earlier = summary_figures(consultation)
    db.session.add(CommitteeSummary(consultation_id=consultation.id, trigger=SummaryTrigger.ON_DEMAND,
                                    status=SummaryStatus.DONE, data=earlier, finished_at=utcnow()))
    _votes(youths, action)
    db.session.commit()
    later = summary_figures(consultation)
    assert later["analyses"]["representativeness"]["weighting"]["people_left_out"]["display"] == "0"
    system = _reading_both(later, earlier)
    assert audit(system.published, system.withheld, system.relations, system.k) == []
    assert possible_values(system, "P/by_age_bracket/15-17", range(1, 5)) == {1, 2, 3, 4}
    assert population_analysis(consultation) is not None


def _six_people_half_weighted():
    consultation = make_consultation(orientations=1, actions_per_orientation=1)
    action = consultation.orientations[0].actions[0]
    add_even_population(consultation, ("Centre", "Nord"))
    people = (_people(2, Audience.PARENT, AgeBracket.FROM_18_TO_25) + _people(1, Audience.PARENT, AgeBracket.FROM_40_TO_59)
              + _people(1, Audience.PROFESSIONAL, AgeBracket.FROM_26_TO_39)
              + _people(1, Audience.PROFESSIONAL, AgeBracket.FROM_60)
              + _people(1, Audience.YOUTH, AgeBracket.FROM_15_TO_17))
    for person, place in zip(people, ("Ailleurs", "Ailleurs", "Centre", "Nord", "Nord", None), strict=True):
        person.neighbourhood = place
    _votes(people, action)
    db.session.commit()
    return consultation


def test_a_refused_summary_is_not_built_again_without_what_it_does_not_print(app, monkeypatch):
    """The summary above is refused with its participation rates. Its action has too few supports to detail and
    the consultation no list of neighbourhoods: without the results by neighbourhood, then without the opinions
    by age bracket, it printed the same figures and was refused again, twice, before the fallback that helps. It
    is now built twice in all: with the rates, then without them."""
    from pedt_participation.committee import aggregation

    consultation = _six_people_half_weighted()
    built = []
    build = aggregation._aggregate

    def counted(*arguments, **options):
        built.append(options)
        return build(*arguments, **options)

    monkeypatch.setattr(aggregation, "_aggregate", counted)
    assert aggregation.aggregate(consultation, with_representativeness=True)["representativeness_withheld"]
    assert len(built) == 2


def test_a_summary_that_its_participation_rates_would_give_away_is_made_without_them(client):
    """Six participants (k = 5): three weighted and three not, both « < 5 », bound the participants to 8 at most,
    so the five or more « Autre » left those who gave no neighbourhood at most 3, whatever else was withheld. The
    refusal named a participation cell only; the fallbacks, which leave out results by action, changed nothing and
    the whole summary was refused. It is made without the participation rates, and says so."""
    consultation = _six_people_half_weighted()
    data = summary_figures(consultation)
    assert data["analyses"]["representativeness"] is None and data["representativeness_withheld"]
    assert_nothing_narrower_than_promised(data)
    committee = make_participant(role=Role.COMMITTEE)
    db.session.add(CommitteeSummary(consultation_id=consultation.id, trigger=SummaryTrigger.ON_DEMAND,
                                    status=SummaryStatus.DONE, data=data, finished_at=utcnow()))
    db.session.commit()
    summary_id = db.session.scalar(select(CommitteeSummary.id))
    login(client, committee)
    text = page_text(client.get(f"/comite/syntheses/{summary_id}"))
    assert "Les taux de participation ne sont pas publiés dans cette synthèse" in text


def test_figures_with_no_small_group_behind_them_stay_exact():
    consultation = make_consultation(orientations=1, actions_per_orientation=2)
    first, second = consultation.orientations[0].actions
    _votes(_people(6), first)
    _votes(_people(7, Audience.PROFESSIONAL), second)
    data = _summary(consultation)
    assert data["participation"]["by_audience"]["parts"]["parent"]["value"] == 6
    assert [a["supports"]["by_channel"]["total"]["value"] for a in data["orientations"][0]["actions"]] == [6, 7]
    assert [a["supports"]["rank"] for a in data["orientations"][0]["actions"]] == [2, 1]


# --- random consultations ------------------------------------------------------------------------------------


# An audience and an age bracket it admits, then a choice and a grade on each of up to 4 actions.
PERSON = st.builds(
    lambda profile, choices, grades: (*profile, choices, grades),
    st.sampled_from([(a, b) for a in Audience for b in AgeBracket if b in AGE_BRACKETS_OF_AUDIENCE[a]]),
    st.lists(st.sampled_from([None, "support", "pour", "mitige", "contre"]), min_size=4, max_size=4),
    st.lists(st.integers(min_value=-1, max_value=6), min_size=4, max_size=4),
)
CONSULTATIONS = st.fixed_dictionaries({
    "k": st.integers(min_value=2, max_value=5),
    "orientations": st.integers(min_value=1, max_value=2),
    "actions": st.integers(min_value=1, max_value=2),
    "people": st.lists(PERSON, max_size=12),
    "paper": st.lists(st.integers(min_value=0, max_value=8), min_size=4, max_size=4),
    "missing_as_reject": st.booleans(),
})
OPINION_VALUES = {"pour": 1, "mitige": 0, "contre": -1}
# `make test-privacy` draws new consultations (a random seed) and more of them; CI draws the same 200 every run,
# the fewest the issue allows: they are the heaviest test of the suite.
RANDOM_SEED = bool(os.environ.get("PEDT_PRIVACY_RANDOM"))
# About a quarter of them are refused as a whole (too few people to hide anything): 200 leave about 150 published.
EXAMPLES = int(os.environ.get("PEDT_PRIVACY_EXAMPLES", "200"))
# Each published one's CSV is checked, and its PDF for one in PDF_EVERY in CI, every one with `make test-privacy`:
# measured on a loaded 2-core machine, 300 examples cost 29 s of CPU with the CSVs, and each PDF about 1 s more
# (WeasyPrint), which every one of the ~225 published would make 4 minutes.
PDF_EVERY = 25


def _figures_of(plan: dict) -> Disclosure:
    """The random consultation's counts registered as the aggregation registers a summary's (the same tables
    and relations, keyed alike), without the database: protecting them costs milliseconds."""
    figures = Disclosure(plan["k"])
    actions = [(o, o * 10 + a) for o in range(plan["orientations"]) for a in range(plan["actions"])]
    people = plan["people"]

    def took_part(person, action_index: int) -> bool:
        _audience, _bracket, choices, grades = person
        return action_index < 4 and (choices[action_index] is not None or grades[action_index] >= 0)

    for name, of in (("audience", lambda p: p[0].value), ("age_bracket", lambda p: p[1].value)):
        values = [of(p) for p in people]
        figures.table(("participants",), {part: (("participants", name, part), values.count(part)) for part in sorted(set(values))})
    _cross_audiences_by_age(figures, ("participants",), people, present_only=True)
    figures.table(("participants",), {"week": (("participants", "week", "1"), len(people))})
    judges = {
        o: sum(any(p[3][i] >= 0 for i, (owner, _a) in enumerate(actions[:4]) if owner == o) for p in people)
        for o in range(plan["orientations"])
    }
    for i, (o, a) in enumerate(actions):
        action = ("action", a)
        chosen = [p for p in people if i < 4 and p[2][i] is not None]
        supporters = [p for p in chosen if p[2][i] == "support"]
        paper = plan["paper"][i] if i < 4 else 0
        figures.table((*action, "supports", "total"), {
            "online": ((*action, "supports", "online"), len(supporters)), "paper": ((*action, "supports", "paper"), paper)
        })
        if detailable(plan["k"], len(supporters) + paper, len(supporters)):
            figures.table((*action, "supports", "total"), {
                au.value: ((*action, "supports", "audience", au.value),
                           sum(p[0] == au for p in supporters) + (paper if au == Audience.PARENT else 0))
                for au in Audience
            })
            figures.table((*action, "supports", "online"), {
                b.value: ((*action, "supports", "online", "age_bracket", b.value), sum(p[1] == b for p in supporters))
                for b in AgeBracket
            })
            figures.cross(
                (*action, "supports", "audience_by_age"),
                {au.value: (*action, "supports", "audience", au.value) for au in Audience},
                {**{b.value: (*action, "supports", "online", "age_bracket", b.value) for b in AgeBracket},
                 "paper": (*action, "supports", "paper")},
                {**{(au, b): sum((p[0].value, p[1].value) == (au, b) for p in supporters) for au, b in PAIRS},
                 **{(au.value, "paper"): paper if au == Audience.PARENT else 0 for au in Audience}},
            )
        sides = ("pour", "mitige", "contre")
        opinions = {side: sum(p[2][i] == side for p in chosen) for side in sides}
        figures.table((*action, "opinions", "total"), {side: ((*action, "opinions", side), opinions[side]) for side in sides})
        if detailable(plan["k"], sum(opinions.values()), *opinions.values()):
            for au in Audience:
                figures.table((*action, "opinions", "audience", au.value, "total"), {
                    side: ((*action, "opinions", "audience", au.value, side),
                           sum(p[2][i] == side and p[0] == au for p in chosen)) for side in sides
                })
            for side in sides:
                figures.relate((*action, "opinions", side), [(*action, "opinions", "audience", au.value, side) for au in Audience])
        graded = [sum(i < 4 and p[3][i] == grade for p in people) for grade in Grade]
        given = list(graded)
        judges_key: tuple = (*action, "judges")
        if plan["missing_as_reject"]:
            graded[Grade.A_REJETER] += judges[o] - sum(graded)
            judges_key = ("orientation", o, "judges")
        figures.table(judges_key, {str(g.value): ((*action, "grade", g.value), graded[g]) for g in Grade})
        _known_from_the_site(figures, action, len(supporters), paper, opinions, given, graded, judges_key)
    for o in range(plan["orientations"]):
        own = [(i, a) for i, (owner, a) in enumerate(actions) if owner == o]
        orientation = ("orientation", o)
        for channel in ("online", "paper", "total"):
            figures.relate((*orientation, "supports", channel), [("action", a, "supports", channel) for _i, a in own])
        takers = [p for p in people if any(took_part(p, i) for i, _a in own)]
        participants = (*orientation, "participants")
        figures.cell(participants, len(takers))
        figures.table(participants, {au.value: ((*participants, "audience", au.value), sum(p[0] == au for p in takers))
                             for au in Audience})
        figures.table(participants, {b.value: ((*participants, "age_bracket", b.value), sum(p[1] == b for p in takers))
                             for b in AgeBracket})
        _cross_audiences_by_age(figures, participants, takers, present_only=False)
        online = sum(figures.values[("action", a, "supports", "online")] for _i, a in own)
        paper = sum(figures.values[("action", a, "supports", "paper")] for _i, a in own)
        figures.table((*orientation, "supports", "total"), {
            "online": ((*orientation, "supports", "online"), online), "paper": ((*orientation, "supports", "paper"), paper)
        })
    for channel in ("online", "paper", "total"):
        figures.relate(("supports", channel), [("orientation", o, "supports", channel) for o in range(plan["orientations"])])
    figures.table(("supports", "total"), {
        channel: (("supports", channel), sum(figures.values[("orientation", o, "supports", channel)]
                                             for o in range(plan["orientations"])))
        for channel in ("online", "paper")
    })
    return figures


def _known_from_the_site(figures, action, online, paper, opinions, given, graded, judges_key) -> None:
    """What the action's page shows anyone, known to the reader as the aggregation registers it."""
    for key, value in (("online", online), ("paper", paper), ("total", online + paper)):
        figures.known((*action, "supports", key), value)
    for side, value in opinions.items():
        figures.known((*action, "opinions", side), value)
    figures.known((*action, "opinions", "total"), sum(opinions.values()))
    for g in Grade:
        if given[g] == graded[g]:
            figures.known((*action, "grade", g.value), given[g])
        else:
            figures.known(("site", (*action, "grade", g.value)), given[g])
            figures.order((*action, "grade", g.value), ("site", (*action, "grade", g.value)), strict=False)
    if judges_key == (*action, "judges"):
        figures.known(judges_key, sum(given))


def _cross_audiences_by_age(figures: Disclosure, people_key: tuple, people: list, *, present_only: bool) -> None:
    """The people's tables by audience and by age bracket, bound as the aggregation binds them; `present_only`:
    those tables print only the audiences and brackets someone has (the consultation's own participation)."""
    audiences = {p[0].value for p in people} if present_only else {a.value for a in Audience}
    brackets = {p[1].value for p in people} if present_only else {b.value for b in AgeBracket}
    figures.cross(
        (*people_key, "audience_by_age"),
        {a: (*people_key, "audience", a) for a in audiences},
        {b: (*people_key, "age_bracket", b) for b in brackets},
        {(a, b): sum((p[0].value, p[1].value) == (a, b) for p in people) for a, b in PAIRS if a in audiences and b in brackets},
    )


@pytest.mark.same_on_any_database
@settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM_SEED, database=None)
@given(plan=CONSULTATIONS)
def test_random_consultations_hide_every_withheld_figure(plan):
    """Each withheld cell of a protected random summary keeps the range its label promises against everything
    published, checked afresh by the auditor and, for two cells of each label, by scipy's integer programs; the small
    groups are all withheld; a refused summary publishes nothing. Its figures, written into a summary's JSON,
    reach the CSV (and, one in PDF_EVERY in CI, the PDF) as the JSON has them."""
    figures = _figures_of(plan)
    try:
        figures.protect(max_rounds=500)
    except DisclosureRefused:
        return
    k = plan["k"]
    # Each action's own figures are on its page, printed exact, and so is what they add up to.
    small = [key for key, value in figures.values.items() if 0 < value < k and not figures.is_known(key)]
    assert [key for key in small if key not in figures.withheld] == []
    published = {key: value for key, value in figures.values.items() if key not in figures.withheld}
    assert audit(published, figures.withheld, figures.relations, k) == []
    system = _system_of(figures)
    assert_two_cells_keep_their_promise(system)
    assert_the_files_carry_the_figures(_written(plan, figures), pdf=RANDOM_SEED or next(_examples_run) % PDF_EVERY == 0)


def _system_of(figures: Disclosure) -> PublishedSystem:
    """What a reader knows of protected figures: the published ones, the withheld ones' labels, every relation."""
    system = PublishedSystem(figures.k)
    system.published = {str(key): value for key, value in figures.values.items() if key not in figures.withheld}
    system.withheld = {str(key): label for key, label in figures.withheld.items()}
    system.relations = [(str(total), tuple(map(str, parts))) for total, parts in figures.relations]
    return system


# Three parents and a professional, k = 3: the participants, withheld « masqué » beside the professional « < 3 »,
# were pinned to 3 to 5 by the parents' figures.
PINNED_TOTAL = {"k": 3, "orientations": 1, "actions": 1, "missing_as_reject": True, "paper": [0, 3, 3, 3], "people": [
    (Audience.PARENT, AgeBracket.FROM_26_TO_39, [None, "support", "pour", "mitige"], [5, 4, -1, 4]),
    (Audience.PROFESSIONAL, AgeBracket.FROM_18_TO_25, ["support", "mitige", "support", "support"], [-1, 5, 2, 5]),
    (Audience.PARENT, AgeBracket.FROM_40_TO_59, [None, "pour", "contre", "contre"], [1, 1, 3, 1]),
    (Audience.PARENT, AgeBracket.FROM_18_TO_25, ["contre", "pour", "pour", "pour"], [1, -1, 0, 4]),
]}


def test_a_masked_figure_keeps_an_interval_k_wide():
    """A « masqué » cell that the published figures pin narrowly tells a reader nearly what the small groups beside
    it add up to: each keeps an interval at least k wide (greatest − least ≥ k), and the « < k » cells their values."""
    figures = _figures_of(PINNED_TOTAL)
    figures.protect(max_rounds=500)
    system = _system_of(figures)
    masked = [name for name, label in system.withheld.items() if label == MASKED]
    assert masked
    widths = {name: extent(system, name) for name in masked}
    assert {name: (least, greatest) for name, (least, greatest) in widths.items() if greatest - least < 3} == {}
    for name in (name for name, label in system.withheld.items() if label == SMALL):
        assert possible_values(system, name, range(1, 3)) == {1, 2}, name


# JSON summaries of consultations of each shape (orientations, actions, missing grades as « À rejeter ») with
# nobody in them, made once through the database.
_frames: dict[tuple, dict] = {}
_examples_run = count(1)


def _written(plan: dict, figures: Disclosure) -> dict:
    """The random consultation's protected figures written into a summary's JSON of its shape, as `aggregate`
    would write them (its other tables, which the random consultation does not register, empty)."""
    shape = (plan["orientations"], plan["actions"], plan["missing_as_reject"])
    if shape not in _frames:
        consultation = _random_consultation({**plan, "people": [], "paper": [0, 0, 0, 0]})
        db.session.flush()
        _frames[shape] = aggregate(consultation)
    data = copy.deepcopy(_frames[shape])
    data["parameters"]["k_anonymity"] = figures.k
    ids = {}
    for o, orientation in enumerate(data["orientations"]):
        ids[("orientation", orientation["id"])] = ("orientation", o)
        for a, action in enumerate(orientation["actions"]):
            ids[("action", action["id"])] = ("action", o * 10 + a)
    for key, printed in printed_cells(data):
        key = (*ids.get(key[:2], key[:2]), *key[2:])
        if key in figures.values:
            label = figures.withheld.get(key)
            display = {None: str(figures.values[key]), SMALL: f"< {figures.k}", MASKED: "masqué"}[label]
            printed.update(value=None if label else figures.values[key], display=display, share=None)
    for orientation in data["orientations"]:
        for action in orientation["actions"]:
            own = ids[("action", action["id"])]
            if (*own, "supports", "audience", Audience.PARENT.value) not in figures.values:
                action["supports"].update(by_audience=None, online_by_age_bracket=None, online_by_neighbourhood=None, detailed=False)
            if (*own, "opinions", "audience", Audience.PARENT.value, "pour") not in figures.values:
                action["opinions"].update(by_audience={}, by_age_bracket={}, by_neighbourhood={}, detailed=False)
            action["supports"]["rank"] = action["majority_judgment"]["rank"] = None
            action["majority_judgment"]["majority_grade"] = action["opinions"]["balance"] = None
    return data


def _random_consultation(plan: dict):
    consultation = make_consultation(
        slug=f"hasard-{next(_consultations_made)}", orientations=plan["orientations"],
        actions_per_orientation=plan["actions"], k_anonymity=plan["k"], majority_judgment_enabled=True,
        missing_grades_as_reject=plan["missing_as_reject"],
    )
    actions = [action for orientation in consultation.orientations for action in orientation.actions]
    for audience, bracket, choices, grades in plan["people"]:
        (person,) = _people(1, audience, bracket)
        for action, choice, grade in zip(actions, choices, grades, strict=False):
            if choice == "support":
                _votes([person], action)
            elif choice is not None:
                _votes([person], action, VoteKind.OPINION, OPINION_VALUES[choice])
            if grade >= 0:
                _votes([person], action, VoteKind.GRADE, grade)
    for action, supports in zip(actions, plan["paper"], strict=False):
        if supports:
            _paper(consultation, action, supports)
    return consultation


def _csv_figures(data: dict) -> list[list[str]]:
    """The CSV's supports, opinions and grade columns, as the JSON says they should read: a number, or an empty
    cell where the figure is withheld (its « < k » or « masqué » is in the row's status column)."""
    def text(printed):
        return str(printed["value"]) if printed["value"] is not None else ""

    rows = []
    for orientation in data["orientations"]:
        for action in orientation["actions"]:
            supports, opinions = action["supports"], action["opinions"]
            rows.append([
                text(supports["by_channel"]["total"]), *(text(p) for p in supports["by_channel"]["parts"].values()),
                *(text(supports["by_audience"]["parts"][a.value]) if supports["detailed"] else "" for a in Audience),
                *(text(opinions["parts"][side]) for side in ("pour", "mitige", "contre")), text(opinions["total"]),
                *(text(action["majority_judgment"]["parts"][str(g.value)]) for g in reversed(Grade)),
            ])
    return rows


PARENT, YOUTH, PRO = Audience.PARENT, Audience.YOUTH, Audience.PROFESSIONAL
FILE_PLANS = [
    {"k": 3, "orientations": 2, "actions": 2, "missing_as_reject": True, "paper": [0, 6, 4, 0], "people": [
        (PARENT, AgeBracket.FROM_26_TO_39, ["support", "pour", None, "contre"], [6, 5, -1, 0]),
        (YOUTH, AgeBracket.FROM_15_TO_17, ["support", "support", "mitige", None], [3, -1, 2, 2]),
        (PRO, AgeBracket.FROM_40_TO_59, [None, "contre", "support", "support"], [-1, 1, 4, 6]),
        (PARENT, AgeBracket.FROM_40_TO_59, ["pour", "support", "support", "pour"], [5, 5, 0, -1]),
    ] * 2},
    {"k": 5, "orientations": 1, "actions": 2, "missing_as_reject": False, "paper": [7, 0, 0, 0], "people": [
        (PARENT, AgeBracket.FROM_26_TO_39, ["support", "pour", None, None], [4, 2, -1, -1]) for _ in range(6)
    ] + [(YOUTH, AgeBracket.FROM_11_TO_14, ["contre", "support", None, None], [0, 6, -1, -1])]},
    {"k": 2, "orientations": 1, "actions": 1, "missing_as_reject": True, "paper": [1, 0, 0, 0], "people": [
        (PRO, AgeBracket.FROM_40_TO_59, ["mitige", None, None, None], [3, -1, -1, -1]),
        (PARENT, AgeBracket.FROM_26_TO_39, ["support", None, None, None], [-1, -1, -1, -1]),
    ]},
]


@pytest.mark.parametrize("plan", FILE_PLANS, ids=["two-orientations", "one-youth", "k2"])
def test_the_files_of_a_random_consultation_carry_the_protected_figures(plan):
    """Through the database and the aggregation: JSON, CSV and PDF show the same protected figures."""
    consultation = _random_consultation(plan)
    db.session.commit()
    data = aggregate(consultation)
    assert_nothing_narrower_than_promised(data)
    assert_the_files_carry_the_figures(data, pdf=True)


def assert_the_files_carry_the_figures(data: dict, *, pdf: bool) -> None:
    """The CSV's figures are the JSON's, each withheld one named in its row's status column; the PDF's text has
    every published action total, and « < k » and « masqué » where the JSON has them."""
    rows = list(csv.reader(io.StringIO(summary_csv(data).decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    columns = [header.index(str(name)) for name in CSV_HEADER if str(name).startswith(("Soutiens", "Pour", "Mitigé",
               "Contre", "Avis exprimés", "Mentions")) and "pondér" not in str(name)]
    assert [[row[i] for i in columns] for row in rows[1:]] == _csv_figures(data)
    status = header.index("Nombres masqués")
    actions = [action for orientation in data["orientations"] for action in orientation["actions"]]
    for row, action in zip(rows[1:], actions, strict=True):
        for i in columns:
            if row[i] == "" and header[i].startswith("Soutiens : ") and not action["supports"]["detailed"]:
                assert SUPPORTS_NOT_DETAILED in row[status], row[status]
            elif row[i] == "":
                assert f"{header[i]} : " in row[status], (header[i], row[status])
    if not pdf:
        return
    text = " ".join(pdf_pages(summary_pdf(data)))
    text = text.replace("\u202f", " ").replace("\xa0", " ")
    for orientation in data["orientations"]:
        for action in orientation["actions"]:
            total = action["supports"]["by_channel"]["total"]
            if total["value"] is not None:
                assert str(total["value"]) in text
    k = data["parameters"]["k_anonymity"]
    printed = [figure["display"] for _key, figure in printed_cells(data)]
    if f"< {k}" in printed:
        assert f"< {k}" in text
    if "masqué" in printed:
        assert "masqué" in text


# Random consultations through the database and `aggregate` itself, read as an outsider reads the JSON: the test
# above protects a model of the aggregation's tables, which may drift from what `aggregate` registers and prints.
AGGREGATED_EXAMPLES = int(os.environ.get("PEDT_PRIVACY_AGGREGATED_EXAMPLES", "30"))


@settings(max_examples=AGGREGATED_EXAMPLES, deadline=None, derandomize=not RANDOM_SEED, database=None)
@given(plan=CONSULTATIONS)
def test_random_summaries_read_from_their_json_hide_every_withheld_figure(plan):
    """Each withheld figure of the summary `aggregate` makes of a random consultation keeps the range its label
    promises against everything its JSON publishes, read apart from the aggregation's own model (`published_system`),
    and for two cells of each label by scipy's integer programs; a refused summary publishes nothing."""
    consultation = _random_consultation(plan)
    db.session.flush()
    try:
        data = aggregate(consultation)
    except DisclosureRefused:
        return
    assert_two_cells_keep_their_promise(assert_nothing_narrower_than_promised(data))
