"""Who was heard: the participants against the population of the territory, and the results weighted to it.

**The reference population** is INSEE's IRIS table `base-ic-evol-struct-pop` (one row per IRIS, columns `IRIS`,
`COM`, `LIBCOM`, `LIBIRIS` when the vintage has it, then `P21_POP`, `P21_POP1117`… where `21` is the census year),
kept as a CSV with `;` or `,` between columns. Staff load it for a consultation and say which neighbourhood of the
consultation (as participants name it) each IRIS belongs to; an IRIS left unmapped is outside the territory.

**Age brackets.** INSEE counts people in bands that do not match the app's brackets; each band is spread evenly
over its years (an approximation: births vary little from one year to the next, but a band that straddles
adulthood, 15–29, holds students who come and go). With the detailed bands (`POP1117`, `POP1824`, `POP2539`,
`POP4054`, `POP5564`, `POP6579`, `POP80P`), used when the file has them:

    11-14 = 4/7 of 11–17      15-17 = 3/7 of 11–17      18-25 = 18–24 + 1/15 of 25–39
    26-39 = 14/15 of 25–39    40-59 = 40–54 + 5/10 of 55–64      60+ = 5/10 of 55–64 + 65–79 + 80+

and otherwise with the broad bands (`POP0014`, `POP1529`, `POP3044`, `POP4559`, `POP6074`, `POP75P`):

    11-14 = 4/15 of 0–14      15-17 = 3/15 of 15–29     18-25 = 8/15 of 15–29
    26-39 = 4/15 of 15–29 + 10/15 of 30–44    40-59 = 5/15 of 30–44 + 45–59      60+ = 60–74 + 75+

**Participation rates.** Participants (people who voted or commented) per age bracket and per neighbourhood,
per thousand inhabitants of the group, and the group's *representation*: its share among participants divided by
its share of the population. A group is over-represented from 1.25, under-represented up to 0.8. A group of fewer
than k participants (the consultation's `k_anonymity`) shows neither count nor rate; it is still named
under-represented when it would be even with k − 1 participants.

**Weighting.** Participants are weighted so that, by age bracket and by neighbourhood, they weigh what those groups
weigh in the population: raking (iterative proportional fitting) of the age × neighbourhood table of participants
to the population's two margins, by `ipfn` (the IPF that the `balance` package itself calls for raking, without
`balance`'s pins on old NumPy and scikit-learn and its plotting dependencies; `samplics` is archived). People
without a neighbourhood, or with one outside the reference, are left out of the weighted results (their number is
given), and so are groups of the population with no participant at all (named: no weight can speak for them). The
effective sample size (Kish: (Σw)² / Σw²) says how many unweighted people the weighted ones are worth; weights
are *extreme* when the largest is more than 10 times the smallest or the effective size falls under 30 % of the
people weighted. Weighted approval (the share of "pour" among opinions) is given beside the raw one, per action
with at least k opinions: the raw results stay the reference. None of these is given when a count of participants
or of opinions it is computed from is withheld: a reader who knows the population would compute it again for each
value the withheld count may take (`_weighting`).

`representativeness` and `rake` take plain counts; `representativeness_of` reads a consultation. The result is a
`Representativeness` dict, ready for JSON.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, TypedDict

import numpy as np
from flask_babel import gettext as _
from sqlalchemy import CompoundSelect, delete, select, union

from ..errors import ParticipationRefused
from ..extensions import db
from ..models import (
    Action,
    AgeBracket,
    Comment,
    Consultation,
    Opinion,
    Orientation,
    Participant,
    PopulationArea,
    ProfileListKind,
    Vote,
    VoteKind,
)
from .counted_votes import CountedVotes
from .counting import detailable, sums
from .disclosure import Disclosure
from .disclosure_audit import CellKey
from .profile_groups import answer_groups, group_of

MAX_FILE_BYTES = 10 * 1024 * 1024
OVER_REPRESENTED = 1.25
UNDER_REPRESENTED = 0.8
EXTREME_WEIGHT_RATIO = 10
SMALL_EFFECTIVE_SHARE = 0.3

# App age bracket → the INSEE bands it is made of, with the share of each band it takes (years spread evenly).
DETAILED_BANDS: dict[str, list[tuple[str, float]]] = {
    AgeBracket.FROM_11_TO_14: [("1117", 4 / 7)],
    AgeBracket.FROM_15_TO_17: [("1117", 3 / 7)],
    AgeBracket.FROM_18_TO_25: [("1824", 1.0), ("2539", 1 / 15)],
    AgeBracket.FROM_26_TO_39: [("2539", 14 / 15)],
    AgeBracket.FROM_40_TO_59: [("4054", 1.0), ("5564", 5 / 10)],
    AgeBracket.FROM_60: [("5564", 5 / 10), ("6579", 1.0), ("80P", 1.0)],
}
BROAD_BANDS: dict[str, list[tuple[str, float]]] = {
    AgeBracket.FROM_11_TO_14: [("0014", 4 / 15)],
    AgeBracket.FROM_15_TO_17: [("1529", 3 / 15)],
    AgeBracket.FROM_18_TO_25: [("1529", 8 / 15)],
    AgeBracket.FROM_26_TO_39: [("1529", 4 / 15), ("3044", 10 / 15)],
    AgeBracket.FROM_40_TO_59: [("3044", 5 / 15), ("4559", 1.0)],
    AgeBracket.FROM_60: [("6074", 1.0), ("75P", 1.0)],
}
_TOTAL_COLUMN = re.compile(r"^P(\d\d)_POP$")

Cell = tuple[str, str]  # (age bracket, neighbourhood)


# --- the INSEE file ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InseeArea:
    iris: str
    label: str
    commune: str
    census_year: int
    people_by_age_bracket: dict[str, float]


def read_population_file(content: bytes) -> list[InseeArea]:
    """The IRIS of an INSEE population table, with their people per age bracket of the app; a refusal saying what to
    fix when the file is not such a table."""
    if len(content) > MAX_FILE_BYTES:
        raise ParticipationRefused(
            _("Le fichier dépasse 10 Mo : gardez seulement les lignes des IRIS de votre commune."), field="file"
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    columns = [column.strip().upper() for column in reader.fieldnames or []]
    reader.fieldnames = columns
    years = [match.group(1) for column in columns if (match := _TOTAL_COLUMN.match(column))]
    if "IRIS" not in columns or not years:
        raise ParticipationRefused(
            _(
                "Ce fichier n’est pas un tableau de population de l’INSEE par IRIS : il lui faut les colonnes « IRIS » "
                "et « P21_POP » (ou d’une autre année). Téléchargez « base-ic-evol-struct-pop » sur le site de l’INSEE."
            ),
            field="file",
        )
    prefix = f"P{years[0]}_POP"
    bands = next(
        (table for table in (DETAILED_BANDS, BROAD_BANDS)
         if all(prefix + band in columns for parts in table.values() for band, _share in parts)),
        None,
    )
    if bands is None:
        raise ParticipationRefused(
            _(
                "Il manque au fichier les colonnes des âges (par exemple « %(example)s ») : gardez toutes les colonnes "
                "du fichier de l’INSEE.",
                example=prefix + "1529",
            ),
            field="file",
        )
    areas: list[InseeArea] = []
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        iris = (row.get("IRIS") or "").strip()
        if not iris:
            continue
        if iris in seen:
            raise ParticipationRefused(
                _("L’IRIS %(iris)s figure deux fois (ligne %(line)s) : gardez une seule ligne par IRIS.", iris=iris, line=line),
                field="file",
            )
        seen.add(iris)
        people = {}
        for bracket, parts in bands.items():
            people[str(bracket)] = round(sum(_number(row, prefix + band, line) * share for band, share in parts), 2)
        areas.append(
            InseeArea(
                iris=iris[:20],
                label=((row.get("LIBIRIS") or "").strip() or iris)[:200],
                commune=((row.get("LIBCOM") or row.get("COM") or "").strip())[:200],
                census_year=2000 + int(years[0]),
                people_by_age_bracket=people,
            )
        )
    if not areas:
        raise ParticipationRefused(_("Le fichier ne contient aucune ligne d’IRIS."), field="file")
    return areas


def _number(row: Mapping[str, str | None], column: str, line: int) -> float:
    value = (row.get(column) or "").strip().replace(",", ".")
    if not value:
        return 0.0
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not number >= 0:
        raise ParticipationRefused(
            _("Ligne %(line)s, colonne %(column)s : « %(value)s » n’est pas un nombre de personnes.",
              line=line, column=column, value=value[:20]),
            field="file",
        )
    return number


# --- loading and mapping (services: they flush, the page commits) ----------------------------------------


def population_areas(consultation: Consultation) -> list[PopulationArea]:
    return list(
        db.session.scalars(
            select(PopulationArea)
            .where(PopulationArea.consultation_id == consultation.id)
            .order_by(PopulationArea.commune, PopulationArea.label, PopulationArea.iris)
        )
    )


def import_population(consultation: Consultation, content: bytes) -> int:
    """Replaces the consultation's reference population by the file's. An IRIS keeps the neighbourhood it was
    mapped to; a new one is mapped to the neighbourhood of the same name, if any (accents and case aside)."""
    areas = read_population_file(content)
    previous = {area.iris: area.neighbourhood for area in population_areas(consultation)}
    by_name = {_folded(name): name for name in neighbourhoods_of(consultation)}
    db.session.execute(delete(PopulationArea).where(PopulationArea.consultation_id == consultation.id))
    for area in areas:
        db.session.add(
            PopulationArea(
                consultation_id=consultation.id,
                iris=area.iris,
                label=area.label,
                commune=area.commune,
                census_year=area.census_year,
                people_by_age_bracket=area.people_by_age_bracket,
                neighbourhood=previous.get(area.iris) or by_name.get(_folded(area.label)),
            )
        )
    db.session.flush()
    return len(areas)


def map_neighbourhoods(consultation: Consultation, mapping: Mapping[int, str | None]) -> None:
    """Sets the neighbourhood of each IRIS (by row id); None leaves it outside the territory."""
    areas = population_areas(consultation)
    if not areas:
        raise ParticipationRefused(_("Chargez d’abord le fichier de population de l’INSEE, puis rattachez ses IRIS."))
    for area in areas:
        if area.id in mapping:
            area.neighbourhood = (mapping[area.id] or "").strip()[:120] or None
    db.session.flush()


def neighbourhoods_of(consultation: Consultation) -> list[str]:
    """The neighbourhoods participants of the consultation gave, and those IRIS are already mapped to."""
    named = select(Participant.neighbourhood).where(
        Participant.id.in_(_participants(consultation)), Participant.neighbourhood.is_not(None)
    )
    mapped = select(PopulationArea.neighbourhood).where(
        PopulationArea.consultation_id == consultation.id, PopulationArea.neighbourhood.is_not(None)
    )
    return sorted({name for name in db.session.scalars(union(named, mapped)) if name}, key=_folded)


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().strip())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _participants(consultation: Consultation) -> CompoundSelect:
    """Ids of the people who voted or commented in the consultation."""
    actions = (
        select(Action.id)
        .join(Orientation, Orientation.id == Action.orientation_id)
        .where(Orientation.consultation_id == consultation.id)
    )
    return union(
        select(Vote.participant_id).where(Vote.action_id.in_(actions)),
        select(Comment.author_id).where(Comment.action_id.in_(actions), Comment.author_id.is_not(None)),
    )


# --- the analysis, on plain counts ---------------------------------------------------------------------


class GroupRate(TypedDict):
    group: str
    participants: dict  # a cell of the summary's: {"value", "display", "share"}, withheld as the summary decided
    population: int
    rate_per_thousand: float | None
    representation: float | None  # share among participants / share in the population
    verdict: Literal["over", "under", "in_line"] | None


class WeightedAction(TypedDict):
    action_id: int
    opinions: dict  # a cell: the opinions of the people weighted
    raw_approval: float | None  # None where the « pour » among them is withheld
    weighted_approval: float | None


class Weighting(TypedDict):
    # "weighted"; "too_few_people": fewer than k people to weigh; "no_population": no IRIS mapped; "withheld": a
    # count of participants the weights are computed from is withheld, which they would give back.
    status: Literal["weighted", "too_few_people", "no_population", "withheld"]
    people_weighted: dict  # a cell
    people_left_out: dict  # a cell: no neighbourhood given, or one outside the reference population
    groups_without_participants: list[str]  # age brackets or neighbourhoods of the population nobody answered from
    effective_sample_size: float | None
    weight_ratio: float | None  # largest weight / smallest
    extreme: bool
    actions: list[WeightedAction]


class Representativeness(TypedDict):
    k: int
    census_year: int | None
    by_age_bracket: list[GroupRate]
    by_neighbourhood: list[GroupRate]
    over_represented: list[str]
    under_represented: list[str]
    weighting: Weighting


PARTICIPANTS: CellKey = ("participants",)
WEIGHTED: CellKey = ("participants", "weighted")
NOT_WEIGHTED: CellKey = ("participants", "not_weighted")


def answer_key(answer: str) -> CellKey:
    """The people who gave this neighbourhood answer (as typed or picked), whatever group it counts under."""
    return ("participants", "neighbourhood_answer", answer)


def opinions_key(action_id: int, side: str) -> CellKey:
    """An action's opinions ("total", "pour"), the summary's own cells."""
    return ("action", action_id, "opinions", side)


def _rates(
    printed: Mapping[str, dict], population: Mapping[str, float], k: int, total: int | None
) -> list[GroupRate]:
    """Rates from the printed counts: a withheld count gives no rate, and a withheld `total` (the participants the
    shares are of) no representation."""
    total_population = sum(population.values())
    rates: list[GroupRate] = []
    for group, people in population.items():
        shown = printed[group]
        rate: GroupRate = {
            "group": group, "participants": shown, "population": round(people), "rate_per_thousand": None,
            "representation": None, "verdict": None,
        }
        if people > 0 and shown["value"] is not None:
            rate["rate_per_thousand"] = round(1000 * shown["value"] / people, 2)
        if people > 0 and total:
            population_share = people / total_population
            if shown["value"] is not None:
                representation = (shown["value"] / total) / population_share
                rate["representation"] = round(representation, 2)
                rate["verdict"] = _verdict(representation)
            elif ((k - 1) / total) / population_share <= UNDER_REPRESENTED:
                rate["verdict"] = "under"
        rates.append(rate)
    return rates


def _verdict(representation: float) -> Literal["over", "under", "in_line"]:
    if representation >= OVER_REPRESENTED:
        return "over"
    return "under" if representation <= UNDER_REPRESENTED else "in_line"


@dataclass(frozen=True)
class Raking:
    weights: dict[Cell, float]  # per person of each cell of participants
    people: int
    groups_without_participants: list[str]
    effective_sample_size: float
    weight_ratio: float


def rake(participants: Mapping[Cell, int], population: Mapping[Cell, float]) -> Raking:
    """Weights per (age bracket, neighbourhood) so that participants match the population's two margins. Only the
    participants of cells whose neighbourhood is in the population are weighted."""
    from ipfn import ipfn  # heavy import (pandas), only where weights are computed: every process imports this module

    ages = sorted({age for age, _nb in population})
    places = sorted({place for _age, place in population})
    table = np.array([[participants.get((age, place), 0) for place in places] for age in ages], dtype=float)
    age_margin = np.array([sum(population.get((age, place), 0) for place in places) for age in ages])
    place_margin = np.array([sum(population.get((age, place), 0) for age in ages) for place in places])
    answered_ages, answered_places = table.sum(1) > 0, table.sum(0) > 0
    missing = [age for age, seen in zip(ages, answered_ages, strict=True) if not seen and age_margin[ages.index(age)] > 0]
    missing += [place for place, seen in zip(places, answered_places, strict=True)
                if not seen and place_margin[places.index(place)] > 0]
    table = table[answered_ages][:, answered_places]
    people = int(table.sum())
    targets = [age_margin[answered_ages], place_margin[answered_places]]
    targets = [people * margin / margin.sum() for margin in targets]
    with contextlib.redirect_stdout(io.StringIO()):  # ipfn prints how it converged
        fitted = ipfn.ipfn(table.copy(), targets, [[0], [1]], convergence_rate=1e-10, max_iteration=2000).iteration()
    weights: dict[Cell, float] = {}
    kept_ages = [age for age, seen in zip(ages, answered_ages, strict=True) if seen]
    kept_places = [place for place, seen in zip(places, answered_places, strict=True) if seen]
    for i, age in enumerate(kept_ages):
        for j, place in enumerate(kept_places):
            if table[i, j] > 0:
                weights[(age, place)] = float(fitted[i, j] / table[i, j])
    counts = np.array([participants[cell_key] for cell_key in weights], dtype=float)
    values = np.array(list(weights.values()))
    effective = float((counts @ values) ** 2 / (counts @ values**2)) if len(values) else 0.0
    ratio = float(values.max() / values.min()) if len(values) else 1.0
    return Raking(weights, people, missing, effective, ratio)


def registered(
    figures: Disclosure,
    participants: Mapping[Cell, int],
    population: Mapping[Cell, float],
    opinions: Mapping[int, Mapping[Cell, tuple[int, int]]],
    *,
    census_year: int | None = None,
) -> Callable[[], Representativeness]:
    """Registers every count the section prints among the summary's `figures`, so that they are protected and
    audited with all the others, and returns what writes the section once `figures.protect()` has decided.

    `participants`: people per (age bracket, neighbourhood answer), the summary's participants, answers absent from
    the population standing for "not given or outside"; `population`: people per (age bracket, neighbourhood of the
    population); `opinions`: per action, ("pour", all) per (age bracket, neighbourhood answer). The counts per age
    bracket are the participation's own cells; per neighbourhood, the people who gave that answer, adding up to the
    people weighted, who with those left out make all participants; per action, the opinions of the people
    weighted and their « pour », each at most the action's own (an unprinted gap between them)."""
    k = figures.k
    places = {place for _age, place in population}
    by_age: dict[str, int] = defaultdict(int)
    by_answer: dict[str, int] = defaultdict(int)
    for (age, place), count in participants.items():
        by_age[age] += count
        by_answer[place] += count
    population_by_age: dict[str, float] = defaultdict(float)
    population_by_place: dict[str, float] = defaultdict(float)
    for (age, place), people in population.items():
        population_by_age[age] += people
        population_by_place[place] += people
    ages = {age: figures.cell(("participants", "age_bracket", age), by_age[age]) for age in population_by_age}
    neighbourhoods = figures.table(WEIGHTED, {place: (answer_key(place), by_answer[place]) for place in population_by_place})
    weighted_people = figures.values[WEIGHTED]
    split = figures.table(PARTICIPANTS, {
        "weighted": (WEIGHTED, weighted_people), "not_weighted": (NOT_WEIGHTED, sum(by_answer.values()) - weighted_people)
    })
    actions = {}
    for action_id, cells in sorted(opinions.items()):
        shown = (figures.values[opinions_key(action_id, "pour")], figures.values[opinions_key(action_id, "total")])
        if not detailable(k, *shown, shown[1] - shown[0]):
            continue  # the weighted people's opinions are a breakdown of the action's, too few to detail
        placed = [counts for (_age, place), counts in cells.items() if place in places]
        pour, total = sum(p for p, _n in placed), sum(n for _p, n in placed)
        own = ("representativeness", "action", action_id)
        actions[action_id] = figures.table((*own, "opinions"), {
            "pour": ((*own, "pour"), pour), "other": ((*own, "other"), total - pour)
        })
        figures.order(opinions_key(action_id, "total"), (*own, "opinions"), strict=False)
        figures.order(opinions_key(action_id, "pour"), (*own, "pour"), strict=False)
        # The others' gap is the difference of those two: at least 0 too.
        figures.order(("order", opinions_key(action_id, "total"), (*own, "opinions")),
                      ("order", opinions_key(action_id, "pour"), (*own, "pour")), strict=False)

    def written() -> Representativeness:
        by_age_bracket = _rates(ages, population_by_age, k, split["total"]["value"])
        by_neighbourhood = _rates(neighbourhoods["parts"], population_by_place, k, neighbourhoods["total"]["value"])
        return {
            "k": k,
            "census_year": census_year,
            "by_age_bracket": by_age_bracket,
            "by_neighbourhood": by_neighbourhood,
            "over_represented": [rate["group"] for rate in by_age_bracket + by_neighbourhood if rate["verdict"] == "over"],
            "under_represented": [rate["group"] for rate in by_age_bracket + by_neighbourhood if rate["verdict"] == "under"],
            "weighting": _weighting(
                participants, population, opinions, k, split["parts"], actions,
                weights_published=all(
                    figure["value"] is not None
                    for figure in (*ages.values(), *neighbourhoods["parts"].values(), *split["parts"].values())
                ),
                approvals_publishable=_approvals_publishable(figures),
            ),
        }

    return written


# The breakdowns of an action's opinions that its weighted approval is computed from.
_GROUPED_OPINIONS = (("opinions", "age_bracket"), ("opinions", "neighbourhood"))


def representativeness(
    participants: Mapping[Cell, int],
    population: Mapping[Cell, float],
    opinions: Mapping[int, Mapping[Cell, tuple[int, int]]],
    k: int,
    *,
    census_year: int | None = None,
) -> Representativeness:
    """The section on its own, for counts that are no summary's: protected among themselves, beside the totals
    they are part of (participants per age bracket, each action's opinions), registered as the summary does."""
    figures = Disclosure(k)
    by_age: dict[str, int] = defaultdict(int)
    for (age, _place), count in participants.items():
        by_age[age] += count
    figures.table(PARTICIPANTS, {age: (("participants", "age_bracket", age), count) for age, count in by_age.items()})
    for action_id, cells in opinions.items():
        pour, total = sum(p for p, _n in cells.values()), sum(n for _p, n in cells.values())
        figures.table(opinions_key(action_id, "total"), {
            "pour": (opinions_key(action_id, "pour"), pour), "other": (("action", action_id, "opinions", "other"), total - pour)
        })
        # Its opinions by age bracket and by neighbourhood, as a summary prints them.
        for position, (_opinions, group) in enumerate(_GROUPED_OPINIONS):
            by_group: dict[str, list[int]] = defaultdict(lambda: [0, 0])
            for cell, (cell_pour, cell_total) in cells.items():
                by_group[cell[position]][0] += cell_pour
                by_group[cell[position]][1] += cell_total
            for value, (group_pour, group_total) in by_group.items():
                own = ("action", action_id, "opinions", group, value)
                figures.table(own, {"pour": ((*own, "pour"), group_pour), "other": ((*own, "other"), group_total - group_pour)})
            figures.relate(opinions_key(action_id, "total"), [("action", action_id, "opinions", group, value) for value in by_group])
    section = registered(figures, participants, population, opinions, census_year=census_year)
    figures.protect(max_rounds=100)
    return section()


def _approvals_publishable(figures: Disclosure) -> set[int]:
    """The actions whose opinions by age bracket are printed exact, and by neighbourhood too where the summary
    gives them. An action whose breakdowns are withheld in part, or left out whole, keeps no weighted approval:
    with the participants per age bracket published, it would give back how each bracket answered."""
    by_age_printed: set[int] = set()
    hidden: set[int] = set()
    for key in figures.values:
        if key[0] == "action" and isinstance(action_id := key[1], int) and key[2:4] in _GROUPED_OPINIONS:
            if not figures.printed_exact(key):
                hidden.add(action_id)
            elif key[3] == "age_bracket":
                by_age_printed.add(action_id)
    return by_age_printed - hidden


def _weighting(participants: Mapping[Cell, int], population: Mapping[Cell, float],
               opinions: Mapping[int, Mapping[Cell, tuple[int, int]]], k: int,
               people: Mapping[str, dict], actions: Mapping[int, dict], *,
               weights_published: bool, approvals_publishable: set[int]) -> Weighting:
    """The weighted results, from the exact counts; what they print of the counts is the cells `people` (weighted,
    not weighted) and, per action, `actions` (the opinions of the people weighted): an action whose opinions are
    withheld or none is not listed, one whose « pour » is withheld has no approval.

    The weights, the effective size and the weighted approvals are not linear in the counts, so the audit cannot
    follow them; but a reader who knows the population can compute them again for each value a withheld count may
    take, and keep the one that gives what is printed. So the weights are computed only when every count of
    participants they come from is published (`weights_published`: per age bracket, per neighbourhood, weighted and
    not), and an action's weighted approval only when its opinions by age bracket and by neighbourhood are printed
    exact too (`approvals_publishable`): what they tell is then about counts the summary never prints (per age
    bracket and neighbourhood at once), bound by no relation to a withheld one."""
    places = {place for _age, place in population}
    placed = {key: count for key, count in participants.items() if key[1] in places and count > 0}
    weighting: Weighting = {
        "status": "weighted",
        "people_weighted": people["weighted"],
        "people_left_out": people["not_weighted"],
        "groups_without_participants": [],
        "effective_sample_size": None,
        "weight_ratio": None,
        "extreme": False,
        "actions": [],
    }
    if not population:
        weighting["status"] = "no_population"
        return weighting
    if sum(placed.values()) < k:
        weighting["status"] = "too_few_people"
        return weighting
    if not weights_published:
        weighting["status"] = "withheld"
        return weighting
    raking = rake(placed, population)
    weighting.update({
        "groups_without_participants": raking.groups_without_participants,
        "effective_sample_size": round(raking.effective_sample_size, 1),
        "weight_ratio": round(raking.weight_ratio, 2),
        "extreme": raking.weight_ratio > EXTREME_WEIGHT_RATIO
        or raking.effective_sample_size < SMALL_EFFECTIVE_SHARE * raking.people,
    })
    for action_id, printed in actions.items():
        total, pour = printed["total"]["value"], printed["parts"]["pour"]["value"]
        if not total:
            continue
        cells = {key: counts for key, counts in opinions[action_id].items() if key in raking.weights}
        weighted_pour = sum(raking.weights[key] * counts[0] for key, counts in cells.items())
        weighted_total = sum(raking.weights[key] * counts[1] for key, counts in cells.items())
        weighting["actions"].append({
            "action_id": action_id,
            "opinions": printed["total"],
            "raw_approval": round(pour / total, 3) if pour is not None else None,
            "weighted_approval": (
                round(weighted_pour / weighted_total, 3) if pour is not None and action_id in approvals_publishable else None
            ),
        })
    return weighting


# --- reading a consultation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PopulationCounts:
    """What the section reads of a consultation, once for a summary however many times it is built."""

    population: dict[Cell, float]  # people per (age bracket, neighbourhood of the population)
    opinions: dict[int, dict[Cell, tuple[int, int]]]  # per action, ("pour", all) per (age bracket, answer)
    census_year: int


def population_counts(consultation: Consultation, votes: CountedVotes) -> PopulationCounts | None:
    """The population mapped to the consultation's neighbourhoods and the opinions among its counted `votes`;
    None when no IRIS is mapped to a neighbourhood."""
    areas = [area for area in population_areas(consultation) if area.neighbourhood]
    if not areas:
        return None
    population: dict[Cell, float] = defaultdict(float)
    for area in areas:
        for bracket, people in area.people_by_age_bracket.items():
            population[(bracket, area.neighbourhood or "")] += people
    return PopulationCounts(dict(population), _opinions(votes), max(area.census_year for area in areas))


def summary_section(
    figures: Disclosure, consultation: Consultation, by_profile: Mapping[tuple, int], counts: PopulationCounts | None
) -> Callable[[], Representativeness] | None:
    """The section of the summary whose `figures` are being registered (see `registered`), from its participants
    `by_profile` and the `counts` of `population_counts`; None without them. It counts people by the neighbourhood
    answer they gave, and each answer is a part of the group the participation table counts it under."""
    if counts is None:
        return None
    participants = {(bracket.value, answer): number for (bracket, answer), number in sums(by_profile, 1, 2).items()}
    section = registered(figures, participants, counts.population, counts.opinions, census_year=counts.census_year)
    groups = answer_groups(consultation, ProfileListKind.NEIGHBOURHOOD)
    answers_of: dict[str, list[tuple]] = defaultdict(list)
    for (answer,), number in sums(by_profile, 2).items():
        figures.register(answer_key(answer), number)
        answers_of[group_of(answer, groups)].append(answer_key(answer))
    for group, answers in answers_of.items():
        figures.relate(("participants", "neighbourhood", group), answers)
    return section


def _opinions(votes: CountedVotes) -> dict[int, dict[Cell, tuple[int, int]]]:
    """Each action's opinions by the voters' age bracket and neighbourhood ("" when not given): « pour » and all."""
    opinions: dict[int, dict[Cell, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for (action_id, kind, value, _audience, bracket, neighbourhood), number in votes.by_profile.items():
        if kind == VoteKind.OPINION:
            counts = opinions[action_id][(bracket.value, neighbourhood or "")]
            counts[0] += number if value == Opinion.POUR else 0
            counts[1] += number
    return {action_id: {cell: (pour, total) for cell, (pour, total) in cells.items()} for action_id, cells in opinions.items()}

