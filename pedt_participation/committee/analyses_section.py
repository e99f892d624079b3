"""The summary's analyses section: opinion groups, division between audiences and representativeness, computed once
when the summary is built and stored with its figures, so that the committee page, the PDF, the JSON and the
spreadsheet all show the same thing.

Each analysis passes its own threshold k (groups of fewer than k people merged, groups of fewer than k opinions
not compared, counts under k withheld); this module only adds the action titles, so that the stored section reads
on its own, and leaves out the representativeness when no reference population is loaded.
"""

from __future__ import annotations

from typing import Any

from ..models import Consultation
from .division import division_of
from .opinion_groups import opinion_groups_of
from .representativeness import population_areas, representativeness_of, weighting_warning


def analyses_of(consultation: Consultation, data: dict[str, Any]) -> dict[str, Any]:
    """The section for the summary `data` (the figures of `aggregate`) of `consultation`."""
    titles = action_titles(data)
    groups: dict[str, Any] = dict(opinion_groups_of(consultation))
    for group in groups["groups"]:
        for action in group["representative_actions"]:
            action["title"] = titles.get(action["action_id"], "")
    for action in groups["consensus_actions"]:
        action["title"] = titles.get(action["action_id"], "")
    division: dict[str, Any] = {}
    for dimension, result in division_of(consultation).items():
        by_id = {action["action_id"]: dict(action, title=titles.get(action["action_id"], ""))
                 for action in result["actions"]}
        division[dimension] = {
            **result,
            "actions": list(by_id.values()),
            "most_divisive": [by_id[action_id] for action_id in result["most_divisive"]],
            "most_consensual": [by_id[action_id] for action_id in result["most_consensual"]],
        }
    representativeness: dict[str, Any] | None = None
    if any(area.neighbourhood for area in population_areas(consultation)):
        representativeness = dict(representativeness_of(consultation))
        for action in representativeness["weighting"]["actions"]:
            action["title"] = titles.get(action["action_id"], "")
    return {"opinion_groups": groups, "division": division, "representativeness": representativeness}


def action_titles(data: dict[str, Any]) -> dict[int, str]:
    return {action["id"]: action["title"] for orientation in data["orientations"] for action in orientation["actions"]}


def analyses_context(data: dict[str, Any]) -> dict[str, Any]:
    """What the analyses' templates need beside the data: the titles by action, and the warning sentence (in the
    reader's language) when the weights are extreme. Summaries made before the section existed have none."""
    analyses = data.get("analyses")
    representativeness = analyses["representativeness"] if analyses else None
    return {
        "analyses": analyses,
        "action_titles": action_titles(data),
        "weighting_warning": weighting_warning(representativeness["weighting"]) if representativeness else None,
    }
