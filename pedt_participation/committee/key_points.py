"""« Ce qu'il faut retenir »: the one page a committee member reads first, made from the summary's figures once they
passed the threshold (a count withheld in the tables is withheld here too) and from its analyses.

Per orientation: the leading actions (by majority judgment when the consultation uses it, then by supports), the
actions that bring the audiences together and those that divide them, the proposals received and what became of
them (published, merged, refused and for which kind of reason), the official answers given and still owed. For the whole summary: what moved since the previous one (new
leading actions, changes of rank). The result is plain JSON data; the sentences are written by the template
(committee/_key_points.html), in the reader's language.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Action, ActionOrigin, ActionState, Consultation, Orientation, Participant, RefusalCategory

LEADING_ACTIONS = 3
NAMED_ACTIONS = 3
RANK_CHANGES = 5


def key_points_of(consultation: Consultation, data: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """The page for the summary `data` (figures and analyses), `previous` being the figures of the consultation's
    summary before it (None for the first)."""
    proposals = _proposals(consultation)
    analyses = data.get("analyses") or {}
    division = analyses.get("division", {})
    by_audience = division.get("by_audience", {"most_divisive": [], "most_consensual": []})
    by_age = division.get("by_age_bracket", {"most_divisive": [], "most_consensual": []})
    orientations = []
    for orientation in data["orientations"]:
        ids = {action["id"] for action in orientation["actions"]}
        answered = [action for action in orientation["actions"] if action["answer_state"]]
        orientations.append({
            "id": orientation["id"],
            "position": orientation["position"],
            "title": orientation["title"],
            "leading": [_leading(action) for action in ranked_actions(data, orientation)],
            "consensual": [_consensual(action) for action in by_audience["most_consensual"] if action["action_id"] in ids][:NAMED_ACTIONS],
            "divisive": [
                _divisive(action, dimension)
                for dimension, result in (("audience", by_audience), ("age_bracket", by_age))
                for action in result["most_divisive"]
                if action["action_id"] in ids
            ][:NAMED_ACTIONS],
            "proposals": proposals.get(orientation["id"], _no_proposals()),
            "answers_given": [{"title": action["title"], "answer_state": action["answer_state"]} for action in answered],
            "answers_owed": len(orientation["actions"]) - len(answered),
        })
    return {"orientations": orientations, "changes": _changes(data, previous) if previous else None}


def _rank_key(data: dict[str, Any], action: dict[str, Any]) -> tuple[float, float]:
    by_judgment = data["parameters"]["majority_judgment_enabled"]
    judgment_rank = action["majority_judgment"]["rank"] if by_judgment else None
    support_rank = action["supports"]["rank"] if data["parameters"]["supports_enabled"] else None
    return (judgment_rank or float("inf"), support_rank or float("inf"))


def ranked_actions(data: dict[str, Any], orientation: dict[str, Any]) -> list[dict[str, Any]]:
    """The orientation's first actions, by majority judgment then by supports, among those graded or supported (a
    « < k » count or a profile of fewer than k judges names no action; a « masqué » one is ranked, k or more)."""
    shown = [
        action for action in orientation["actions"]
        if action["majority_judgment"]["majority_grade"] is not None
        or (action["supports"]["rank"] is not None and action["supports"]["by_channel"]["total"]["value"] != 0)
    ]
    ranked = sorted((action for action in shown if _rank_key(data, action) != (float("inf"),) * 2),
                    key=lambda action: _rank_key(data, action))
    return ranked[:LEADING_ACTIONS]


def leading_actions(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Per orientation, its title and the title of its first action by `ranked_actions` (of those that share the
    first place, joined), as the e-mail names them; nothing where no action is ranked."""
    leaders = []
    for orientation in data["orientations"]:
        ranked = ranked_actions(data, orientation)
        if ranked:
            first = _rank_key(data, ranked[0])
            titles = [action["title"] for action in ranked if _rank_key(data, action) == first]
            leaders.append((orientation["title"], " ; ".join(titles)))
    return leaders


def _leading(action: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": action["id"],
        "title": action["title"],
        "majority_grade": action["majority_judgment"]["majority_grade"],
        "supports": action["supports"]["by_channel"]["total"],
    }


def _consensual(action: dict[str, Any]) -> dict[str, Any]:
    return {"title": action["title"], "lowest_approval_bound": action["lowest_approval_bound"]}


def _divisive(action: dict[str, Any], dimension: str) -> dict[str, Any]:
    gap = action["widest_gap"]
    first, second = gap["groups"]
    return {
        "title": action["title"],
        "dimension": dimension,
        "groups": [first, second],
        "approval": [action["approval"][first], action["approval"][second]],
        "difference": gap["difference"],
        "low": gap["low"],
        "high": gap["high"],
    }


def _no_proposals() -> dict[str, Any]:
    return {
        "received": 0, "published": [], "merged": [], "refused": 0, "refused_by_category": [],
        "refused_for_rarer_categories": 0, "pending": 0, "other": 0,
    }


def _proposals(consultation: Consultation) -> dict[int, dict[str, Any]]:
    """Participants' proposals per orientation: the titles of those published, and of those merged with the action
    they joined; refused ones are counted, never quoted (a proposal is refused for what it says), with their kinds
    of reason as `_refusals_told` gives them. What a blocked author or an under-15 without a parent's consent
    wrote is left out, as in the pages and the summary's counts (`Participant.writings_shown`)."""
    target = aliased(Action, name="merged_into")
    author = aliased(Participant, name="author")
    target_author = aliased(Participant, name="target_author")
    rows = db.session.execute(
        select(Action.orientation_id, Action.title, Action.state, Action.refusal_category, target.title,
               target_author.writings_shown)
        .join(Orientation, Orientation.id == Action.orientation_id)
        .outerjoin(author, author.id == Action.author_id)
        .outerjoin(target, target.id == Action.merged_into_id)
        .outerjoin(target_author, target_author.id == target.author_id)
        .where(Orientation.consultation_id == consultation.id, Action.origin == ActionOrigin.PARTICIPANT,
               author.writings_shown)
        .order_by(Action.created_at, Action.id)
    )
    proposals: dict[int, dict[str, Any]] = defaultdict(_no_proposals)
    refusals: dict[int, Counter[RefusalCategory]] = defaultdict(Counter)
    for orientation_id, title, state, refusal_category, merged_into, merged_into_shown in rows:
        entry = proposals[orientation_id]
        entry["received"] += 1
        if state == ActionState.PUBLISHED:
            entry["published"].append(title)
        elif state == ActionState.MERGED:
            entry["merged"].append({"title": title, "into": merged_into if merged_into_shown else None})
        elif state == ActionState.REJECTED:
            entry["refused"] += 1
            refusals[orientation_id][refusal_category] += 1
        elif state == ActionState.PENDING:
            entry["pending"] += 1
        else:
            entry["other"] += 1
    for orientation_id, counts in refusals.items():
        told, rarer = _refusals_told(counts, consultation.k_anonymity)
        proposals[orientation_id]["refused_by_category"] = told
        proposals[orientation_id]["refused_for_rarer_categories"] = rarer
    return proposals


def _refusals_told(counts: Counter[RefusalCategory], k: int) -> tuple[list[dict[str, Any]], int]:
    """The kinds of reason given for k refusals or more, most given first, and how many refusals the other kinds
    account for together. A kind named with its count stands for k proposals or more, so nobody's refusal is told
    apart; when only one kind would be left unnamed, the least given named kind joins it, or the lump would be that
    one kind's exact count. The number refused stays whole, as the summary's counts of proposals give it."""
    named = sorted((category for category in RefusalCategory if counts[category] >= k), key=lambda c: -counts[c])
    if len(named) == len(RefusalCategory) - 1:
        named.pop()
    told = [{"category": category.value, "count": counts[category]} for category in named]
    return told, counts.total() - sum(entry["count"] for entry in told)


def _ranks(data: dict[str, Any]) -> dict[int, tuple[int, str]]:
    """Action id → (place in its orientation, 1 first; title), for the actions that lead or follow."""
    places = {}
    for orientation in data["orientations"]:
        for place, action in enumerate(ranked_actions(data, orientation), start=1):
            places[action["id"]] = (place, action["title"])
    return places


def _changes(data: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    now, before = _ranks(data), _ranks(previous)
    return {
        "previous_generated_at": previous["generated_at"],
        "new_leaders": [title for action_id, (place, title) in now.items()
                        if place == 1 and before.get(action_id, (0, ""))[0] != 1],
        "rank_changes": [
            {"title": title, "before": before[action_id][0] if action_id in before else None, "after": place}
            for action_id, (place, title) in now.items()
            if action_id not in before or before[action_id][0] != place
        ][:RANK_CHANGES],
    }
