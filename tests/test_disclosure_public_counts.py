"""The summary's protection knows what the site shows anyone: every action's supports (online, on paper), opinions
and grades, exact on its page, the consultation page, the API and the open-data export. A reader holding both the
summary and an action page must not work out a hidden small group."""

from __future__ import annotations

from pedt_participation.committee.aggregation import aggregate
from pedt_participation.committee.disclosure_audit import audit
from pedt_participation.extensions import db
from pedt_participation.models import AgeBracket, Audience, Opinion, VoteKind
from pedt_participation.voting.services import ActionCounts, cast_vote, count_votes
from tests.helpers import make_consultation, make_participant
from tests.test_disclosure import PublishedSystem, published_system


def _public_figures(action_id: int, counts: ActionCounts) -> dict[str, int]:
    """An action's figures as its page shows them, named as `published_system` names the summary's."""
    a = f"a{action_id}"
    return {
        f"{a}/S": counts.supports, f"{a}/S/online": counts.online_supports, f"{a}/S/paper": counts.paper_supports,
        f"{a}/opinions": counts.opinion_total,
        **{f"{a}/opinions/{side}": counts.opinions[opinion.value]
           for side, opinion in (("pour", Opinion.POUR), ("mitige", Opinion.MITIGE), ("contre", Opinion.CONTRE))},
    }


def _knowing_the_site(system: PublishedSystem, public: dict[str, int]) -> PublishedSystem:
    """The summary's reader who also read the action pages: each figure they show is a constant."""
    for name, value in public.items():
        system.withheld.pop(name, None)
        system.published[name] = value
    return system


def _seven_for_and_a_crowd_against():
    """k = 5: an action with 5 parents and 2 youths of 15–17 all « pour »; the others 12 « contre » each."""
    consultation = make_consultation(opinion_enabled=True, supports_enabled=False)
    action, *others = consultation.orientations[0].actions
    for person in [make_participant() for _ in range(5)] + [
        make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_15_TO_17) for _ in range(2)
    ]:
        cast_vote(person, action, VoteKind.OPINION, Opinion.POUR.value)
    for other in others:
        for _ in range(12):
            cast_vote(make_participant(), other, VoteKind.OPINION, Opinion.CONTRE.value)
    db.session.commit()
    return consultation, action


def test_the_summary_and_an_action_page_together_leave_every_small_group_hidden(app):
    """« 7 pour, 0 mitigé, 0 contre » on the action page beside the summary's « parents, pour : 5 » gave the
    youths' « < 5 » away as 2 at most; the summary now prints the page's figures exact and leaves out the
    breakdowns a total of 7 cannot hide a small group in."""
    consultation, action = _seven_for_and_a_crowd_against()
    data = aggregate(consultation, with_comments=False)
    actions = [a.id for orientation in consultation.orientations for a in orientation.actions]
    counts = count_votes(actions)
    public = {name: value for action_id in actions for name, value in _public_figures(action_id, counts[action_id]).items()}
    system = _knowing_the_site(published_system(data), public)
    assert audit(system.published, system.withheld, system.relations, system.k) == []
    printed = published_system(data)
    assert {name: printed.published.get(name) for name in public} == public
    opinions = next(a for a in data["orientations"][0]["actions"] if a["id"] == action.id)["opinions"]
    assert opinions["detailed"] is False
    assert opinions["by_audience"] == opinions["by_age_bracket"] == opinions["by_neighbourhood"] == {}
