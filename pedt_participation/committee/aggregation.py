"""The committee's figures, computed in SQL (GROUP BY: no vote is ever loaded into Python), then passed
through the privacy threshold. One entry point, `aggregate`, used by the Celery task, the CLI and the
tests; its result is plain JSON data from which every output (page, PDF, CSV, JSON) is made, so no
output can show a figure the threshold withheld.

A *cell* is a count for a group of people (or of paper supports), as a dict:
`{"value": 12, "display": "12", "share": 0.4}` or, withheld, `{"value": None, "display": "< 5", "share": None}`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from flask_babel import gettext
from sqlalchemy import Row, func, select

from ..codes.services import participation_by_batch
from ..extensions import db
from ..languages.services import format_count
from ..models import (
    AGE_BRACKETS_OF_AUDIENCE,
    Action,
    ActionOrigin,
    ActionState,
    AgeBracket,
    Alignment,
    Audience,
    Consultation,
    Decision,
    Grade,
    Opinion,
    Orientation,
    PaperVoteCount,
    Participant,
    ProfileListKind,
    VoteKind,
    Workshop,
    utcnow,
)
from .comment_figures import count_themes, merged_themes, read_comments, themes_of, top_comments
from .counted_opinions import least_opinions_placed, people_by_opinions
from .counted_votes import CountedVotes, read_counted_votes
from .counting import detailable, sums
from .disclosure import SECONDARY_HIDDEN, Disclosure, DisclosureRefused
from .disclosure_audit import MASKED, CellKey
from .majority_judgment import majority_grade, rank_by_majority_value
from .neighbourhood_results import (
    NeighbourhoodColumns,
    online_supports_by_neighbourhood,
    opinions_by_neighbourhood,
)
from .participant_counts import participant_counts
from .profile_groups import NOT_GIVEN, answer_groups, regrouped
from .representativeness import PopulationCounts, population_counts, summary_section
from .themes import ThemeCounter

if TYPE_CHECKING:
    from .opinion_groups import OpinionGroups

SCHEMA_VERSION = 1
# The (audience, age bracket) pairs a participant can have (the database checks it): the crossed cells behind every
# pair of tables that cut the same people by audience and by age bracket.
AUDIENCE_AGE_PAIRS = [(a, b) for a in Audience for b in AgeBracket if b in AGE_BRACKETS_OF_AUDIENCE[a]]


THEMES_PER_ACTION = 5
THEMES_PER_ORIENTATION = 8
OPINION_KEYS = {Opinion.POUR: "pour", Opinion.MITIGE: "mitige", Opinion.CONTRE: "contre"}


# --- privacy threshold ---------------------------------------------------------------------------


def cell(count: int, k: int) -> dict[str, Any]:
    """A lone count outside the summary's tables: shown when zero (nobody to recognise) or at least k, else "< k"."""
    if count == 0 or count >= k:
        return {"value": count, "display": str(count), "share": None}
    return {"value": None, "display": f"< {k}", "share": None}


def figure_text(part: dict[str, Any] | int) -> str:
    """A count as the reader writes numbers (14 364, 14,364), or what stands in for a withheld one. A plain number
    is a count that summaries stored before it went through the disclosure audit printed as it was."""
    if isinstance(part, int):
        return format_count(part)
    if part["value"] is not None:
        return format_count(part["value"])
    return gettext("masqué") if part["display"] == SECONDARY_HIDDEN else part["display"]


def _competition_ranks(values: Mapping[int, int]) -> dict[int, int]:
    """1 = highest; equal values share a rank and the next rank is skipped ("1, 2, 2, 4")."""
    ordered = sorted(values.values(), reverse=True)
    return {key: ordered.index(value) + 1 for key, value in values.items()}


# --- SQL ------------------------------------------------------------------------------------------


def published_actions(consultation: Consultation) -> list[Any]:
    """The actions the site shows, read as the public pages read them: a blocked author's proposal is left out."""
    # Imported here: consultations.services reaches this module through the templates' helpers.
    from ..consultations.services import published_actions_statement

    return list(
        db.session.execute(
            published_actions_statement(consultation).with_only_columns(
                Action.id,
                Action.orientation_id,
                Action.position,
                Action.title,
                Action.origin,
                Action.answer_state,
            )
        )
    )


def _decisions(action_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The decision recorded on each action, drafts too (the committee reads its own drafts), with whether it is
    published yet."""
    rows = db.session.scalars(select(Decision).where(Decision.action_id.in_(action_ids)))
    return {
        decision.action_id: {
            "verdict": decision.verdict.value,
            "explanation": decision.explanation,
            "progress": decision.progress.value if decision.progress else None,
            "progress_note": decision.progress_note,
            "published_at": decision.published_at.isoformat() if decision.published_at else None,
        }
        for decision in rows
    }


@dataclass(frozen=True)
class _VoteTallies:
    """The votes that count, as the summary's tables cut them by voter (see `_vote_tallies`)."""

    by_audience: dict  # action → kind → value → audience → number of votes
    supports_by_age_bracket: dict[int, dict[AgeBracket, int]]  # action → age bracket → online supports
    opinions_by_age_bracket: dict[int, dict[AgeBracket, dict[str, int]]]  # action → age bracket → « pour », others
    # action → (kind, value, audience, age bracket) → number of votes: how the audiences' figures and the age
    # brackets' relate
    by_profile: dict[int, dict[tuple, int]]
    # action → (kind, value) → neighbourhood as answered → number of supports and opinions
    by_neighbourhood: dict[int, dict[tuple[VoteKind, int], dict[str, int]]]


def _vote_tallies(votes: CountedVotes) -> _VoteTallies:
    """Every count of votes the summary's tables cut by voter, summed from the votes' groups by action, kind, value
    and the voter's audience, age bracket and neighbourhood (`CountedVotes.by_profile`)."""
    tallies: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(int))))
    by_profile: dict = defaultdict(lambda: defaultdict(int))
    supports_by_age_bracket: dict = defaultdict(lambda: dict.fromkeys(AgeBracket, 0))
    opinions_by_age_bracket: dict = defaultdict(lambda: {bracket: {"pour": 0, "other": 0} for bracket in AgeBracket})
    by_neighbourhood: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for (action_id, kind, value, audience, bracket, neighbourhood), number in votes.by_profile.items():
        tallies[action_id][kind][value][audience] += number
        by_profile[action_id][(kind, value, audience, bracket)] += number
        if kind == VoteKind.SUPPORT:
            supports_by_age_bracket[action_id][bracket] += number
        elif kind == VoteKind.OPINION:
            opinions_by_age_bracket[action_id][bracket]["pour" if value == Opinion.POUR else "other"] += number
        else:
            continue  # grades: no table cuts them by age bracket or by neighbourhood
        by_neighbourhood[action_id][(kind, value)][NOT_GIVEN if neighbourhood is None else neighbourhood] += number
    return _VoteTallies(tallies, supports_by_age_bracket, opinions_by_age_bracket, by_profile, by_neighbourhood)


def _paper_supports(action_ids: list[int]) -> dict[int, dict[Audience, int]]:
    counts: dict = defaultdict(lambda: dict.fromkeys(Audience, 0))
    rows = db.session.execute(
        select(PaperVoteCount.action_id, PaperVoteCount.audience, func.sum(PaperVoteCount.supports))
        .where(PaperVoteCount.action_id.in_(action_ids))
        .group_by(PaperVoteCount.action_id, PaperVoteCount.audience)
    )
    for action_id, audience, supports in rows:
        counts[action_id][audience] = int(supports)
    return counts


def _judges_by_orientation(votes: CountedVotes, actions: list[Any]) -> dict[int, int]:
    """Majority judgment: the judges of an orientation are the people who graded at least one of its actions."""
    graded = votes.of_kind(VoteKind.GRADE)
    orientation_of = {row.id: row.orientation_id for row in actions}
    judges: dict[int, set[int]] = defaultdict(set)
    for action_id, voter in set(zip(votes.actions[graded].tolist(), votes.voters[graded].tolist(), strict=True)):
        judges[orientation_of[action_id]].add(voter)
    return {orientation_id: len(voters) for orientation_id, voters in judges.items()}


def _proposals(consultation: Consultation) -> dict[int, dict[str, int]]:
    counts: dict = defaultdict(lambda: {state.value: 0 for state in ActionState})
    rows = db.session.execute(
        select(Action.orientation_id, Action.state, func.count())
        .join(Orientation, Orientation.id == Action.orientation_id)
        .outerjoin(Participant, Participant.id == Action.author_id)
        .where(
            Orientation.consultation_id == consultation.id,
            Action.origin == ActionOrigin.PARTICIPANT,
            # A blocked author's proposals are out of the summary, as out of the pages.
            Participant.writings_shown,
        )
        .group_by(Action.orientation_id, Action.state)
    )
    for orientation_id, state, number in rows:
        counts[orientation_id][state.value] = number
    return counts


def _new_participants_by_week(first_weeks: Mapping[tuple, int], k: int) -> dict[str, int]:
    """New participants per week, weeks without any included, from the first to the last; a newest week of fewer
    than k people, often the week under way, is counted with the one before. Withheld « < k » beside a single
    other week, it would pin that week, « masqué », to an interval narrower than k, and hiding it would take
    the participants' total."""
    counts = {str(monday): number for (monday,), number in first_weeks.items()}
    if not counts:
        return {}
    monday, last = date.fromisoformat(min(counts)), date.fromisoformat(max(counts))
    weeks = {}
    while monday <= last:
        weeks[monday.isoformat()] = counts.get(monday.isoformat(), 0)
        monday += timedelta(days=7)
    if len(weeks) > 1 and weeks[last.isoformat()] < k:
        newest = weeks.pop(last.isoformat())
        weeks[(last - timedelta(days=7)).isoformat()] += newest
    return weeks


# --- assembling the figures ---------------------------------------------------------------------


def aggregate(
    consultation: Consultation,
    now: datetime | None = None,
    *,
    with_comments: bool = True,
    with_representativeness: bool = False,
    earlier: Mapping[CellKey, int] | None = None,
    max_rounds: int = 500,
    with_opinion_groups: bool = False,
) -> dict[str, Any]:
    """Every figure of the summary, protected as a whole with the threshold `consultation.k_anonymity`
    (disclosure.py; DisclosureRefused when they cannot be). Without `with_comments`, no comment is read (counts at
    zero, no theme, no quote): what the population page needs, at the cost of the vote tallies only. With
    `with_representativeness`, "representativeness" is the participants against the reference population
    (representativeness.py; None when none is mapped), its figures protected with the others. `earlier`: the
    largest count each cell had in the summaries published before (`published_cells`); a reader may take each
    count to be at least that, and so does the audit (votes and people are rarely taken away), so that comparing
    two summaries works out no hidden figure. `max_rounds`: of complementary suppression, before giving up.

    The figures the site shows anyone for each action are printed exact, and an action's breakdowns of them are
    left out when they are too small to hide a small group in (`_action_figures`). When the summary's figures
    still leave some figure impossible to protect, the breakdowns of the actions the audit names are left out too,
    until it passes or names no other action; then the summary is made again without the results by neighbourhood,
    which cut every count by place (`neighbourhoods_withheld`), then also without the opinions by age bracket,
    which the division between age brackets compares (`opinions_by_age_withheld`), rather than refused as a
    whole. When even that is refused, the same again without the participants against the population, whose
    people weighted and not weighted split the participants once more (`representativeness_withheld`).
    With `with_opinion_groups`, "opinion_groups" is the opinion groups of the opinions counted (opinion_groups.py),
    which print no count the figures protect: the people they place and leave out are registered with them."""
    counts = _read_counts(consultation, with_comments=with_comments, with_representativeness=with_representativeness,
                          with_opinion_groups=with_opinion_groups)
    try:
        data = _aggregate_with_fallbacks((consultation, counts, now, with_representativeness, earlier, max_rounds))
    except DisclosureRefused:
        if counts.population is None:
            raise
        without_population = replace(counts, population=None)
        data = _aggregate_with_fallbacks((consultation, without_population, now, with_representativeness, earlier, max_rounds))
        data["representativeness_withheld"] = True
    if with_opinion_groups:
        data["opinion_groups"] = counts.opinion_groups
    return data


def _aggregate_with_fallbacks(arguments: tuple) -> dict[str, Any]:
    """`_aggregate_leaving_out`, then without the results by neighbourhood, then also without the opinions by age
    bracket, until one passes. A step is taken only when the first figures print what it leaves out: otherwise it
    would build the same figures, refused again (a consultation without a list of neighbourhoods, actions with too
    few opinions to detail)."""
    printed: set[str] = set()
    try:
        return _aggregate_leaving_out(arguments, with_neighbourhoods=True, with_opinions_by_age=True, printed=printed)
    except DisclosureRefused:
        if not printed:
            raise
    if "by_neighbourhood" in printed:
        try:
            return _aggregate_leaving_out(arguments, with_neighbourhoods=False, with_opinions_by_age=True, printed=printed)
        except DisclosureRefused:
            if "by_age_bracket" not in printed:
                raise
    return _aggregate_leaving_out(arguments, with_neighbourhoods=False, with_opinions_by_age=False, printed=printed)


def _aggregate_leaving_out(
    arguments: tuple, *, with_neighbourhoods: bool, with_opinions_by_age: bool, printed: set[str]
) -> dict[str, Any]:
    """`_aggregate`, made again without the breakdowns of the actions each refusal names, until it passes; refused
    when a refusal names no other action. `printed` gathers which breakdowns the figures print."""
    undetailed: frozenset[int] = frozenset()
    while True:
        try:
            return _aggregate(
                *arguments, with_neighbourhoods=with_neighbourhoods, with_opinions_by_age=with_opinions_by_age,
                undetailed=undetailed, printed=printed,
            )
        except DisclosureRefused as refused:
            named = {
                action_id for finding in refused.findings if finding.key[0] == "action"
                for action_id in finding.key[1:2] if isinstance(action_id, int)
            } - undetailed
            if not named:
                raise
            undetailed |= named


@dataclass(frozen=True)
class _Counts:
    """Everything a summary counts, read from the database once: a summary refused with its results by
    neighbourhood is built again from the same counts, without them."""

    actions: list[Any]
    tallies: dict
    supports_by_age_bracket: dict[int, dict[AgeBracket, int]]
    opinions_by_age_bracket: dict[int, dict[AgeBracket, dict[str, int]]]
    votes_by_profile: dict[int, dict[tuple, int]]
    paper: dict[int, dict[Audience, int]]
    by_neighbourhood: dict[int, dict[tuple[VoteKind, int], dict[str, int]]]
    judges: dict[int, int]
    comment_counts: dict[int, dict[int, int]]
    themes: dict[int, ThemeCounter]
    top_comments: dict[int, dict[str, list[dict[str, Any]]]]
    proposals: dict[int, dict[str, int]]
    decisions: dict[int, dict[str, Any]]
    by_profile: dict[tuple, int]
    by_orientation: dict[tuple, int]
    workshops: int
    by_code_batch: Mapping[str, int]
    # None without `with_representativeness`, or when no IRIS is mapped.
    population: PopulationCounts | None
    # The people the opinion groups print as placed and left out, both exact; None when they print neither.
    people_grouped: int | None
    opinion_groups: OpinionGroups | None  # None without `with_opinion_groups`


def _read_counts(
    consultation: Consultation, *, with_comments: bool, with_representativeness: bool, with_opinion_groups: bool
) -> _Counts:
    """The comments are read first; their themes are counted in a thread of this process while the votes and the
    people are read on the session's connection (the thread waiting for the database leaves Python to the
    counting), and the opinion groups in another once the votes are read: on two cores the work takes the time of
    the longest rather than of all. One connection, one transaction, as when read one after the other: the figures
    see what the session sees."""
    actions = published_actions(consultation)
    action_ids = [row.id for row in actions]
    commented = action_ids if with_comments else []
    comments = read_comments(commented)
    with ThreadPoolExecutor(max_workers=2) as background:
        themes = background.submit(count_themes, comments.texts)
        votes = read_counted_votes(consultation, action_ids)
        groups = (background.submit(_opinion_groups, votes.opinions, consultation.k_anonymity)
                  if with_opinion_groups else None)
        tallies = _vote_tallies(votes)
        by_profile, by_orientation = participant_counts(consultation, [orientation.id for orientation in consultation.orientations])
        return _Counts(
            actions=actions,
            tallies=tallies.by_audience,
            supports_by_age_bracket=tallies.supports_by_age_bracket,
            opinions_by_age_bracket=tallies.opinions_by_age_bracket,
            votes_by_profile=tallies.by_profile,
            paper=_paper_supports(action_ids),
            by_neighbourhood=tallies.by_neighbourhood,
            judges=_judges_by_orientation(votes, actions),
            comment_counts=comments.counts,
            top_comments=top_comments(commented),
            proposals=_proposals(consultation),
            decisions=_decisions(action_ids),
            by_profile=by_profile,
            by_orientation=by_orientation,
            workshops=db.session.scalar(
                select(func.count()).select_from(Workshop).where(Workshop.consultation_id == consultation.id)
            ) or 0,
            by_code_batch=participation_by_batch(consultation),
            population=population_counts(consultation, votes) if with_representativeness else None,
            people_grouped=_people_grouped(votes.opinions, consultation.k_anonymity),
            # Last (arguments are evaluated in order): wait for the threads once every read above is done.
            opinion_groups=groups.result() if groups else None,
            themes=themes.result(),
        )


def _opinion_groups(opinions: np.ndarray, k: int) -> OpinionGroups:
    # Imported here: opinion_groups reads this module's `cell`.
    from .opinion_groups import opinion_groups

    return opinion_groups(opinions, k)


def _people_grouped(opinions: np.ndarray, k: int) -> int | None:
    """Everyone who gave one of the `opinions` (`CountedVotes.opinions`), when the opinion groups print how many of them
    they place and leave out (2·k placed or more, opinion_groups.describe_groups); None when they print neither.
    Counted by how many opinions each person gave, as the groups place them."""
    given, actions = people_by_opinions(opinions)
    least = least_opinions_placed(given, actions, k)
    placed = sum(people for opinions_given, people in given.items() if opinions_given >= least)
    return sum(given.values()) if placed >= 2 * k else None


def register_people_grouped(figures: Disclosure, people: int | None) -> None:
    """The people the opinion groups place and leave out, both printed exact, add up to everyone who gave an
    opinion: a number the reader knows, at most the participants (the others voted otherwise, commented or
    proposed), which bounds a withheld total of participants from below."""
    if people is not None:
        figures.known(("opinion_groups", "people"), people)
        figures.order(("participants",), ("opinion_groups", "people"), strict=False)


def _aggregate(
    consultation: Consultation,
    counts: _Counts,
    now: datetime | None,
    with_representativeness: bool,
    earlier: Mapping[CellKey, int] | None,
    max_rounds: int,
    *,
    with_neighbourhoods: bool,
    with_opinions_by_age: bool,
    undetailed: frozenset[int],
    printed: set[str],
) -> dict[str, Any]:
    """The summary's figures, protected; `undetailed`: the actions whose breakdowns are left out whatever their
    counts. `printed` receives the breakdowns of actions printed ("by_neighbourhood", "by_age_bracket"), refused
    or not."""
    k = consultation.k_anonymity
    figures = Disclosure(k)
    actions, tallies, by_profile = counts.actions, counts.tallies, counts.by_profile
    neighbourhoods = NeighbourhoodColumns(consultation, by_profile)
    neighbourhoods_withheld = bool(neighbourhoods.names) and not with_neighbourhoods
    if neighbourhoods_withheld:
        neighbourhoods.names = []
    participants_by_orientation = sums(counts.by_orientation, 0)
    audience_by_orientation = sums(counts.by_orientation, 0, 1)
    age_by_orientation = sums(counts.by_orientation, 0, 2)

    # Supports per action and channel, summed once here for the action, its orientation and the whole.
    channels = {
        row.id: {"online": sum(tallies[row.id][VoteKind.SUPPORT][1].values()), "paper": sum(counts.paper[row.id].values())}
        for row in actions
    }
    grade_profiles = {}
    # With missing grades counted as "À rejeter", every action of an orientation has the orientation's judges.
    judges_key: dict[int, tuple] = {}
    for row in actions:
        graded = [sum(tallies[row.id][VoteKind.GRADE][grade].values()) for grade in Grade]
        judges_key[row.id] = ("action", row.id, "judges")
        if consultation.majority_judgment_enabled and consultation.missing_grades_as_reject:
            graded[Grade.A_REJETER] += counts.judges.get(row.orientation_id, 0) - sum(graded)
            judges_key[row.id] = ("orientation", row.orientation_id, "judges")
        grade_profiles[row.id] = graded

    orientations: list[dict[str, Any]] = []
    for orientation in consultation.orientations:
        rows = [row for row in actions if row.orientation_id == orientation.id]
        orientation_key = ("orientation", orientation.id)
        orientation_actions = [
            _action_figures(
                figures, row, tallies[row.id], channels[row.id], counts.paper[row.id], counts.supports_by_age_bracket[row.id],
                counts.opinions_by_age_bracket[row.id] if with_opinions_by_age else None, counts.votes_by_profile[row.id],
                grade_profiles[row.id], judges_key[row.id], counts.comment_counts[row.id], counts.top_comments[row.id],
                counts.themes[row.id], counts.by_neighbourhood[row.id], neighbourhoods, decision=counts.decisions.get(row.id),
                breakdowns=row.id not in undetailed,
            )
            for row in rows
        ]
        for channel in ("online", "paper", "total"):
            figures.relate((*orientation_key, "supports", channel), [("action", row.id, "supports", channel) for row in rows])
        participants_key = (*orientation_key, "participants")
        _audiences_by_age(figures, participants_key, {
            (a, b): number for (o, a, b), number in counts.by_orientation.items() if o == orientation.id
        })
        orientations.append(
            {
                "id": orientation.id,
                "position": orientation.position,
                "theme": orientation.theme,
                "title": orientation.title,
                "participants": figures.cell(participants_key, participants_by_orientation.get((orientation.id,), 0)),
                "participants_by_audience": figures.table(participants_key, {
                    a.value: ((*participants_key, "audience", a.value), audience_by_orientation.get((orientation.id, a), 0))
                    for a in Audience
                }),
                "participants_by_age_bracket": figures.table(participants_key, {
                    b.value: ((*participants_key, "age_bracket", b.value), age_by_orientation.get((orientation.id, b), 0))
                    for b in AgeBracket
                }),
                "supports": _channel_table(figures, orientation_key, _summed(channels[row.id] for row in rows)),
                "proposals": {"received": sum(counts.proposals[orientation.id].values()), "by_state": counts.proposals[orientation.id]},
                "themes": themes_of(merged_themes(counts.themes[row.id] for row in rows), THEMES_PER_ORIENTATION, k),
                "actions": orientation_actions,
            }
        )
    for channel in ("online", "paper", "total"):
        figures.relate(("supports", channel), [("orientation", o.id, "supports", channel) for o in consultation.orientations])

    data = {
        "schema": SCHEMA_VERSION,
        "generated_at": (now or utcnow()).isoformat(),
        "consultation": {"id": consultation.id, "slug": consultation.slug, "title": consultation.title},
        "parameters": {
            "k_anonymity": k,
            "supports_enabled": consultation.supports_enabled,
            "opinion_enabled": consultation.opinion_enabled,
            "majority_judgment_enabled": consultation.majority_judgment_enabled,
            "missing_grades_as_reject": consultation.missing_grades_as_reject,
            "vote_limit_per_orientation": consultation.vote_limit_per_orientation,
        },
        "participation": _participation(figures, consultation, counts, _summed(channels.values())),
        # The columns of each action's results by neighbourhood (`online_by_neighbourhood`, `by_neighbourhood`).
        "neighbourhoods": neighbourhoods.names,
        # True when the results by neighbourhood were left out because they could not be protected.
        "neighbourhoods_withheld": neighbourhoods_withheld,
        # True when the opinions by age bracket were left out because they could not be protected: the division
        # between age brackets then compares nobody.
        "opinions_by_age_withheld": not with_opinions_by_age,
        # True (set by `aggregate`) when the participants against the population were left out because they could
        # not be protected.
        "representativeness_withheld": False,
        "orientations": orientations,
    }
    # Tables of zeros do not count: the site shows their totals, so the reader knows every part of them already.
    for action in (action for orientation_data in orientations for action in orientation_data["actions"]):
        opinions, online = action["opinions"], action["supports"]["online_by_neighbourhood"]
        if any(table["total"]["value"] for table in opinions["by_neighbourhood"].values()) or online and online["total"]["value"]:
            printed.add("by_neighbourhood")
        if any(table["total"]["value"] for table in opinions["by_age_bracket"].values()):
            printed.add("by_age_bracket")
    representativeness = summary_section(figures, consultation, by_profile, counts.population)
    register_people_grouped(figures, counts.people_grouped)
    for key, value in (earlier or {}).items():
        if value and figures.values.get(key, -1) >= value:
            figures.known(("earlier", key), value)
            figures.order(key, ("earlier", key), strict=False)
    figures.protect(max_rounds)
    if consultation.supports_enabled:
        _protect_with_rankings(figures, orientations, max_rounds)
    if with_representativeness:
        data["representativeness"] = representativeness() if representativeness else None
    for orientation_data in orientations:
        _ranks_and_grades(figures, consultation, orientation_data["actions"], grade_profiles, judges_key)
    return data


def published_cells(data: dict[str, Any]) -> dict[CellKey, int]:
    """The counts a summary's JSON publishes, under the keys `aggregate` registered them by: what its reader knows
    when reading a later summary."""
    return {key: figure["value"] for key, figure in printed_cells(data) if figure["value"] is not None}


def printed_cells(data: dict[str, Any]) -> list[tuple[CellKey, dict[str, Any]]]:
    """Each count of a summary's JSON tables (published or not) with the key `aggregate` registered it by."""
    cells: list[tuple[CellKey, dict[str, Any]]] = []

    def table(total: CellKey, prefix: CellKey, printed: dict[str, Any], name: Callable[[str], Any] = str) -> None:
        cells.append((total, printed["total"]))
        cells.extend(((*prefix, name(part)), figure) for part, figure in printed["parts"].items())

    participation = data["participation"]
    for field, name in (("by_audience", "audience"), ("by_age_bracket", "age_bracket"), ("by_neighbourhood", "neighbourhood"),
                        ("by_school", "school"), ("new_participants_by_week", "week")):
        table(("participants",), ("participants", name), participation[field])
    table(("supports", "total"), ("supports",), participation["supports"])
    table(("participants", "with_code"), ("participants", "code_batch"), participation["by_code_batch"])
    parameters = data["parameters"]
    shared_judges = parameters["majority_judgment_enabled"] and parameters["missing_grades_as_reject"]
    for orientation in data["orientations"]:
        owner = ("orientation", orientation["id"])
        table((*owner, "participants"), (*owner, "participants", "audience"), orientation["participants_by_audience"])
        table((*owner, "participants"), (*owner, "participants", "age_bracket"), orientation["participants_by_age_bracket"])
        table((*owner, "supports", "total"), (*owner, "supports"), orientation["supports"])
        for action in orientation["actions"]:
            own = ("action", action["id"])
            supports, opinions = action["supports"], action["opinions"]
            table((*own, "supports", "total"), (*own, "supports"), supports["by_channel"])
            # None where the action's supports are too few to detail.
            if supports["by_audience"] is not None:
                table((*own, "supports", "total"), (*own, "supports", "audience"), supports["by_audience"])
                table((*own, "supports", "online"), (*own, "supports", "online", "age_bracket"), supports["online_by_age_bracket"])
            table((*own, "opinions", "total"), (*own, "opinions"), opinions)
            for audience, by_audience in opinions["by_audience"].items():
                table((*own, "opinions", "audience", audience, "total"), (*own, "opinions", "audience", audience), by_audience)
            # Summaries made before the opinions by age bracket have none.
            for bracket, by_age in opinions.get("by_age_bracket", {}).items():
                table((*own, "opinions", "age_bracket", bracket, "total"), (*own, "opinions", "age_bracket", bracket), by_age)
            judges = (*owner, "judges") if shared_judges else (*own, "judges")
            table(judges, (*own, "grade"), action["majority_judgment"], int)
    return cells


def _supports_ranking(figures: Disclosure, actions: list[dict[str, Any]]) -> list[CellKey]:
    """The actions' supports totals that the ranking orders, most supported first: those published or « masqué »
    (k or more); a « < k » one is unranked."""
    totals = [("action", action["id"], "supports", "total") for action in actions]
    return sorted((key for key in totals if figures.withheld.get(key) in (None, MASKED)), key=lambda key: -figures.values[key])


def _protect_with_rankings(figures: Disclosure, orientations: list[dict[str, Any]], max_rounds: int) -> None:
    """Protects the figures again with the orders the supports rankings print, until they settle: in each
    orientation, each ranked action has more supports than the next (or as many, sharing its rank). A ranking
    that would pin a hidden figure (a « masqué » total ranked above a published 10 is 11 or more) makes the
    audit withhold more, which may change the ranking, whose new orders are then audited too."""
    ordered: set[tuple[CellKey, CellKey]] = set()
    while True:
        pairs = {
            pair
            for orientation in orientations
            for ranking in [_supports_ranking(figures, orientation["actions"])]
            for pair in zip(ranking, ranking[1:], strict=False)
        }
        if pairs <= ordered:
            return
        for higher, lower in sorted(pairs - ordered, key=str):
            if figures.values[higher] == figures.values[lower]:
                figures.relate(higher, [lower])
            else:
                figures.order(higher, lower, strict=True)
        ordered |= pairs
        figures.protect(max_rounds)


def _channel_table(figures: Disclosure, owner: tuple, counts: dict[str, int]) -> dict[str, Any]:
    return figures.table(
        (*owner, "supports", "total"), {channel: ((*owner, "supports", channel), counts[channel]) for channel in counts}
    )


def _ranks_and_grades(
    figures: Disclosure,
    consultation: Consultation,
    actions: list[dict[str, Any]],
    grade_profiles: Mapping[int, list[int]],
    judges_key: Mapping[int, tuple],
) -> None:
    """What is worked out from the protected figures: ranks by supports among the actions whose total is
    published or « masqué » (`_protect_with_rankings` audited the order they print; a « < k » one is unranked), the
    majority grade of a profile published whole, the balance of two published opinions."""
    if consultation.supports_enabled:
        ranked = set(_supports_ranking(figures, actions))
        ranks = _competition_ranks({
            action["id"]: figures.values[key]
            for action in actions
            if (key := ("action", action["id"], "supports", "total")) in ranked
        })
        for action in actions:
            action["supports"]["rank"] = ranks.get(action["id"])
    published_profiles = {
        action["id"]: grade_profiles[action["id"]]
        for action in actions
        if sum(grade_profiles[action["id"]]) >= figures.k
        and figures.published(judges_key[action["id"]])
        and all(part["value"] is not None for part in action["majority_judgment"]["parts"].values())
    }
    mj_ranks = rank_by_majority_value(published_profiles) if consultation.majority_judgment_enabled else {}
    for action in actions:
        profile = published_profiles.get(action["id"])
        action["majority_judgment"]["majority_grade"] = majority_grade(profile) if profile else None
        action["majority_judgment"]["rank"] = mj_ranks.get(action["id"])
        pour, contre = (action["opinions"]["parts"][side]["value"] for side in ("pour", "contre"))
        # Pour minus contre, only when both show: otherwise it would give the hidden one away.
        action["opinions"]["balance"] = pour - contre if pour is not None and contre is not None else None


def _summed(channel_counts: Iterable[dict[str, int]]) -> dict[str, int]:
    total = {"online": 0, "paper": 0}
    for counts in channel_counts:
        total["online"] += counts["online"]
        total["paper"] += counts["paper"]
    return total


def _action_figures(
    figures: Disclosure,
    row: Row[Any],
    tally: Mapping[VoteKind, Any],
    channel_counts: dict[str, int],
    paper_counts: Mapping[Audience, int],
    age_brackets: Mapping[AgeBracket, int],
    opinions_by_age: Mapping[AgeBracket, Mapping[str, int]] | None,
    votes_by_profile: Mapping[tuple, int],
    grade_profile: list[int],
    judges_key: tuple,
    comment_counts: Mapping[int, int],
    top_comments: dict[str, list[dict[str, Any]]],
    themes: ThemeCounter,
    neighbourhood_tally: Mapping[tuple[VoteKind, int], Mapping[str, int]],
    neighbourhoods: NeighbourhoodColumns,
    *,
    decision: dict[str, Any] | None,
    breakdowns: bool,
) -> dict[str, Any]:
    """One action's figures, exact until the summary's protection; ranks, grade and balance come after it. The
    figures the site shows are printed exact (`_site_figures`); their breakdowns are given, unless `breakdowns` is
    False, when `detailable`."""
    online = tally[VoteKind.SUPPORT][1]
    opinions = tally[VoteKind.OPINION]
    action = ("action", row.id)
    sides = {OPINION_KEYS[o]: o for o in (Opinion.POUR, Opinion.MITIGE, Opinion.CONTRE)}
    opinion_counts = {side: sum(opinions[o.value].values()) for side, o in sides.items()}
    opinion_figures = figures.table(
        (*action, "opinions", "total"), {side: ((*action, "opinions", side), opinion_counts[side]) for side in sides}
    )
    opinions_detailed = breakdowns and detailable(figures.k, sum(opinion_counts.values()), *opinion_counts.values())
    supports_detailed = breakdowns and detailable(figures.k, sum(channel_counts.values()), channel_counts["online"])
    by_audience: dict[str, Any] = {}
    by_age_bracket: dict[str, Any] = {}
    by_neighbourhood: dict[str, Any] = {}
    if opinions_detailed:
        by_audience = {
            a.value: figures.table(
                (*action, "opinions", "audience", a.value, "total"),
                {side: ((*action, "opinions", "audience", a.value, side), opinions[o.value].get(a, 0)) for side, o in sides.items()},
            )
            for a in Audience
        }
        # Each opinion is the sum of the audiences' (the tables above give the other margin).
        for side in sides:
            figures.relate((*action, "opinions", side), [(*action, "opinions", "audience", a.value, side) for a in Audience])
        if opinions_by_age is not None:
            by_age_bracket = _opinions_by_age_bracket(figures, action, opinions_by_age)
            # The same opinions by audience and by age bracket, bound by the ages each audience admits.
            figures.cross(
                (*action, "opinions", "audience_by_age"),
                {(a.value, side): (*action, "opinions", "audience", a.value, side) for a in Audience for side in sides},
                {(b.value, part): (*action, "opinions", "age_bracket", b.value, part) for b in AgeBracket for part in ("pour", "other")},
                {
                    ((a.value, side), (b.value, "pour" if side == "pour" else "other")):
                        votes_by_profile.get((VoteKind.OPINION, opinion.value, a, b), 0)
                    for a, b in AUDIENCE_AGE_PAIRS
                    for side, opinion in sides.items()
                },
            )
        by_neighbourhood = opinions_by_neighbourhood(figures, action, sides, neighbourhood_tally, neighbourhoods)
    supports_total = (*action, "supports", "total")
    by_channel = _channel_table(figures, action, channel_counts)
    supports_by_audience = online_by_age_bracket = None
    if supports_detailed:
        supports_by_audience = figures.table(supports_total, {
            a.value: ((*action, "supports", "audience", a.value), online.get(a, 0) + paper_counts[a]) for a in Audience
        })
        online_by_age_bracket = figures.table((*action, "supports", "online"), {
            b.value: ((*action, "supports", "online", "age_bracket", b.value), age_brackets[b]) for b in AgeBracket
        })
        # Each audience's supports are its online ones, by age bracket as its ages allow, and its paper ones.
        figures.cross(
            (*action, "supports", "audience_by_age"),
            {a.value: (*action, "supports", "audience", a.value) for a in Audience},
            {**{b.value: (*action, "supports", "online", "age_bracket", b.value) for b in AgeBracket},
             "paper": (*action, "supports", "paper")},
            {
                **{
                    (a.value, b.value): votes_by_profile.get((VoteKind.SUPPORT, 1, a, b), 0)
                    for a, b in AUDIENCE_AGE_PAIRS
                },
                **{(a.value, "paper"): paper_counts[a] for a in Audience},
            },
        )
    data = {
        "id": row.id,
        "position": row.position,
        "title": row.title,
        "origin": row.origin.value,
        "answer_state": row.answer_state.value if row.answer_state else None,
        # None until a decision is recorded; snapshots made before decisions existed have no such key.
        "decision": decision,
        "supports": {
            "rank": None,
            "by_channel": by_channel,
            # Left out (None) with the breakdowns of opinions when the action is not `detailed`.
            "by_audience": supports_by_audience,
            "online_by_age_bracket": online_by_age_bracket,
            "online_by_neighbourhood": (
                online_supports_by_neighbourhood(figures, action, neighbourhood_tally, neighbourhoods) if supports_detailed else None
            ),
            # False when the breakdowns above are left out: too few supports to detail without showing a small
            # group (summaries made before have no such key, and every breakdown).
            "detailed": supports_detailed,
        },
        "opinions": {
            **opinion_figures, "balance": None, "by_audience": by_audience, "by_age_bracket": by_age_bracket,
            "by_neighbourhood": by_neighbourhood, "detailed": opinions_detailed,
        },
        "majority_judgment": {
            **figures.table(judges_key, {
                grade.value: ((*action, "grade", grade.value), grade_profile[grade]) for grade in Grade
            }),
            "majority_grade": None,
            "rank": None,
        },
        "comments": {
            "pour": comment_counts[Alignment.POUR],
            "neutre": comment_counts[Alignment.NEUTRE],
            "contre": comment_counts[Alignment.CONTRE],
        },
        "top_comments": top_comments,
        "themes": themes_of(themes, THEMES_PER_ACTION, figures.k),
    }
    _site_figures(figures, action, channel_counts, opinion_counts, tally[VoteKind.GRADE], grade_profile, judges_key)
    return data


def _site_figures(
    figures: Disclosure,
    action: CellKey,
    channel_counts: Mapping[str, int],
    opinion_counts: Mapping[str, int],
    grade_tally: Mapping[int, Mapping[Audience, int]],
    grade_profile: list[int],
    judges_key: tuple,
) -> None:
    """Registers as known to the reader what the action's page, the consultation's page, the API and the open-data
    export show anyone, exact, once figures are shown (voting.services.ActionCounts, counted by the same votes):
    supports online and on paper, opinions, grades given. The summary prints them exact and protects the rest
    knowing them. With missing grades counted as « À rejeter », the site's « À rejeter » (the grades given) is at
    most the summary's; and since every other grade is the site's, each action's « À rejeter » is the orientation's
    judges less grades the site shows: two of them differ by a known number, so withholding them protects nothing
    once one is known. The judges are then printed exact when they are k or more (no small group), which makes
    every « À rejeter » exact too; fewer, they are withheld with the rest of the orientation's grades."""
    for channel, number in channel_counts.items():
        figures.known((*action, "supports", channel), number)
    figures.known((*action, "supports", "total"), sum(channel_counts.values()))
    for side, number in opinion_counts.items():
        figures.known((*action, "opinions", side), number)
    figures.known((*action, "opinions", "total"), sum(opinion_counts.values()))
    figures.known((*action, "opinions", "other"), opinion_counts["mitige"] + opinion_counts["contre"])
    given = [sum(grade_tally[grade].values()) for grade in Grade]
    for grade in Grade:
        key = (*action, "grade", grade.value)
        if given[grade] == grade_profile[grade]:
            figures.known(key, given[grade])
        else:
            figures.known(("site", key), given[grade])
            figures.order(key, ("site", key), strict=False)
    if judges_key == (*action, "judges"):
        figures.known(judges_key, sum(given))
    elif sum(grade_profile) >= figures.k:
        figures.known(judges_key, sum(grade_profile))


def _opinions_by_age_bracket(
    figures: Disclosure, action: CellKey, opinions_by_age: Mapping[AgeBracket, Mapping[str, int]]
) -> dict[str, dict[str, Any]]:
    """Each age bracket's opinions on the action, « pour » and the others (mitigé or contre) together: what the
    division between age brackets compares, without the small counts that mitigé and contre apart would add to
    protect. The brackets add up to the action's « pour », others and total."""
    tables = {
        bracket.value: figures.table((*action, "opinions", "age_bracket", bracket.value, "total"), {
            part: ((*action, "opinions", "age_bracket", bracket.value, part), opinions_by_age[bracket][part])
            for part in ("pour", "other")
        })
        for bracket in AgeBracket
    }
    for part in ("pour", "other", "total"):
        figures.relate((*action, "opinions", part), [(*action, "opinions", "age_bracket", b.value, part) for b in AgeBracket])
    return tables


def _participation(
    figures: Disclosure, consultation: Consultation, counts: _Counts, supports: dict[str, int]
) -> dict[str, Any]:
    """`counts.by_profile`: participants per (audience, age bracket, neighbourhood, school, week of first activity)."""
    by_profile = counts.by_profile
    total = sum(by_profile.values())
    # Grouped by the consultation's lists: a free-text answer nobody merged counts as "Autre".
    by_neighbourhood = regrouped(
        {key[0]: number for key, number in sums(by_profile, 2).items()},
        answer_groups(consultation, ProfileListKind.NEIGHBOURHOOD),
    )
    by_school = regrouped(
        {key[0]: number for key, number in sums(by_profile, 3).items()}, answer_groups(consultation, ProfileListKind.SCHOOL)
    )

    def by(name: str, counted: Mapping[str, int]) -> dict[str, Any]:
        return figures.table(("participants",), {part: (("participants", name, part), n) for part, n in counted.items()})

    _audiences_by_age(figures, ("participants",), sums(by_profile, 0, 1))

    return {
        "participants": figures.cell(("participants",), total),
        "by_audience": by("audience", {a.value: sums(by_profile, 0).get((a,), 0) for a in Audience}),
        "by_age_bracket": by("age_bracket", {b.value: sums(by_profile, 1).get((b,), 0) for b in AgeBracket}),
        "by_neighbourhood": by("neighbourhood", dict(sorted(by_neighbourhood.items()))),
        "by_school": by("school", dict(sorted(by_school.items()))),
        "new_participants_by_week": by("week", _new_participants_by_week(sums(by_profile, 4), figures.k)),
        "supports": _channel_table(figures, (), supports),
        "workshops": counts.workshops,
        # Empty where the consultation printed no participation codes.
        "by_code_batch": _code_batch_table(figures, counts.by_code_batch),
    }


def _audiences_by_age(figures: Disclosure, people: CellKey, counts: Mapping[tuple, int]) -> None:
    """The participants' table by audience and the one by age bracket, bound by the ages each audience admits
    (`counts`: participants per audience and age bracket)."""
    figures.cross(
        (*people, "audience_by_age"),
        {a.value: (*people, "audience", a.value) for a in Audience},
        {b.value: (*people, "age_bracket", b.value) for b in AgeBracket},
        {(a.value, b.value): counts.get((a, b), 0) for a, b in AUDIENCE_AGE_PAIRS},
    )


def _code_batch_table(figures: Disclosure, by_batch: Mapping[str, int]) -> dict[str, Any]:
    """Participants per batch of participation codes; their total is the participants who entered a code (a part
    of all participants, not a sum the reader knows of any other table)."""
    if not by_batch:
        return {"total": figures.cell(("participants", "with_code"), 0), "parts": {}}
    return figures.table(
        ("participants", "with_code"), {batch: (("participants", "code_batch", batch), n) for batch, n in by_batch.items()}
    )
