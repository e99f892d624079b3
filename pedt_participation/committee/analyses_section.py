"""The summary's analyses section: opinion groups, division between audiences and representativeness, computed once
when the summary is built and stored with its figures, so that the committee page, the PDF, the JSON and the
spreadsheet all show the same thing.

The division between audiences compares the summary's own published counts, and the representativeness's counts
are the summary's own cells, protected with its figures; the opinion groups publish their sizes (k people or
more each) and no count of what they answered. This module only adds the action titles, so that the stored
section reads on its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _

from ..languages.services import format_count
from ..models import Consultation
from .aggregation import figure_text
from .division import division_of
from .representativeness import Weighting

if TYPE_CHECKING:
    from .opinion_groups import OpinionGroups


def analyses_of(
    consultation: Consultation, data: dict[str, Any], representativeness: dict[str, Any] | None,
    opinion_groups: OpinionGroups,
) -> dict[str, Any]:
    """The section for the summary `data` (the figures of `aggregate`) of `consultation`, with its
    `representativeness` and `opinion_groups` (computed with the figures: aggregate's)."""
    titles = action_titles(data)
    groups: dict[str, Any] = dict(opinion_groups)
    for group in groups["groups"]:
        for action in group["representative_actions"]:
            action["title"] = titles.get(action["action_id"], "")
    for action in groups["consensus_actions"]:
        action["title"] = titles.get(action["action_id"], "")
    division: dict[str, Any] = {}
    for dimension, result in division_of(data).items():
        by_id = {action["action_id"]: dict(action, title=titles.get(action["action_id"], ""))
                 for action in result["actions"]}
        division[dimension] = {
            **result,
            "actions": list(by_id.values()),
            "most_divisive": [by_id[action_id] for action_id in result["most_divisive"]],
            "most_consensual": [by_id[action_id] for action_id in result["most_consensual"]],
        }
    for action in representativeness["weighting"]["actions"] if representativeness else ():
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


def weighting_warning(weighting: Weighting) -> str | None:
    """The plain sentence shown beside weighted results whose weights are extreme."""
    if not weighting["extreme"]:
        return None
    return _(
        "Attention : les poids sont très inégaux (le plus grand vaut %(ratio)s fois le plus petit) et les %(people)s "
        "personnes pondérées ne valent que %(effective)s réponses non pondérées. Quelques personnes parlent pour "
        "beaucoup d’autres : lisez les résultats pondérés avec prudence, les résultats bruts restent la référence.",
        ratio=format_count(round(weighting["weight_ratio"] or 0)),
        people=figure_text(weighting["people_weighted"]),
        effective=format_count(round(weighting["effective_sample_size"] or 0)),
    )
