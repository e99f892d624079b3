"""Charts of a summary as SVG (matplotlib, no screen needed), drawn only from the figures that passed
the privacy threshold: a withheld count gets no bar, only its "< k" label, and a chart whose every figure is
withheld is not drawn (None: the page says so in a sentence). Counts run in whole numbers, legends sit outside the
bars. Titles, axis labels, legends, numbers and dates are written in the language in force when a chart is drawn
(the reader's on the page, French in the PDF): 14 364 and 02/11 in French, 14,364 and 11/2 in English."""

from __future__ import annotations

import io
import textwrap
from datetime import date
from typing import Any

import matplotlib
from babel.dates import format_skeleton
from flask_babel import get_locale
from flask_babel import gettext as _
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..labels import AUDIENCE_LABELS, GRADE_LABELS
from ..languages.services import format_count
from ..models import Audience, Grade
from .aggregation import figure_text

matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",  # real text: smaller files, selectable and read by screen readers
        "svg.hashsalt": "pedt",  # same figures, same file
        # Titles and labels are people's text, drawn as written: `$…$` is never read as mathematics (an unknown
        # command in it would stop the whole summary).
        "text.parse_math": False,
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)

ONLINE_COLOUR = "#1f5fa8"
PAPER_COLOUR = "#e07b00"
HIDDEN_COLOUR = "#c8c8c8"
# Worst to best, red to green, distinguishable in greyscale print too.
GRADE_COLOURS = ["#a50026", "#d73027", "#f46d43", "#fee08b", "#a6d96a", "#1a9850", "#006837"]
WIDTH_INCHES = 6.8


def _label(title: str, width: int = 42) -> str:
    return "\n".join(textwrap.wrap(title, width, max_lines=2, placeholder=" …"))


def _counts_axis(axis: Axis) -> None:
    """Ticks at whole numbers only (never 0.2 participant), written as the reader writes numbers."""
    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(FuncFormatter(lambda value, _position: format_count(round(value))))


# Arabic's pattern puts a right-to-left mark after the day, which turns a rotated label into « 211/ » on screen.
BIDI_MARKS = str.maketrans("", "", "\u200e\u200f\u061c")


def _day_and_month(day: str) -> str:
    """An ISO date as the reader writes a day of the month: 02/11 in French, 11/2 in English, 2/11 in Arabic."""
    return format_skeleton("dM", date.fromisoformat(day), locale=get_locale()).translate(BIDI_MARKS)


def _all_withheld(parts: list[dict[str, Any]]) -> bool:
    return all(part["value"] is None for part in parts)


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue()


def supports_chart(orientation: dict[str, Any]) -> str | None:
    """Supports per action, online and on paper stacked."""
    actions = orientation["actions"]
    if not actions or _all_withheld([action["supports"]["by_channel"]["total"] for action in actions]):
        return None
    figure = Figure(figsize=(WIDTH_INCHES, 0.5 + 0.45 * len(actions)))
    axes = figure.add_subplot()
    positions = range(len(actions))[::-1]
    largest = 1
    for y, action in zip(positions, actions, strict=True):
        channel = action["supports"]["by_channel"]
        online, paper = channel["parts"]["online"]["value"], channel["parts"]["paper"]["value"]
        total = channel["total"]
        if total["value"] is None:
            axes.text(0, y, f" {figure_text(total)}", va="center", color="#444444")
            continue
        if online is None or paper is None:
            # One channel is withheld: the bar shows the total only, in neutral grey.
            axes.barh(y, total["value"], color="#7a7a7a")
        else:
            axes.barh(y, online, color=ONLINE_COLOUR)
            axes.barh(y, paper, left=online, color=PAPER_COLOUR)
        axes.text(total["value"], y, f" {figure_text(total)}", va="center")
        largest = max(largest, total["value"])
    axes.set_yticks(list(positions), [_label(a["title"]) for a in actions])
    axes.set_xlim(0, largest * 1.15)
    _counts_axis(axes.xaxis)
    axes.set_xlabel(_("Soutiens"))
    # Above the plot, never over a bar (with two actions, the bars fill the plot).
    axes.legend(
        handles=[
            Patch(color=ONLINE_COLOUR, label=_("En ligne")),
            Patch(color=PAPER_COLOUR, label=_("Sur papier (ateliers)")),
        ],
        loc="lower left",
        bbox_to_anchor=(0, 1.02),
        ncol=2,
        borderaxespad=0,
        frameon=False,
    )
    return _svg(figure)


def merit_profiles_chart(orientation: dict[str, Any]) -> str | None:
    """Majority judgment: each action's merit profile as a 100 % bar, best grades on the right; the
    50 % line crosses each bar at its majority grade. Withheld grades share one grey segment."""
    actions = orientation["actions"]
    if not actions or _all_withheld([action["majority_judgment"]["total"] for action in actions]):
        return None
    figure = Figure(figsize=(WIDTH_INCHES, 0.8 + 0.45 * len(actions)))
    axes = figure.add_subplot()
    positions = range(len(actions))[::-1]
    for y, action in zip(positions, actions, strict=True):
        profile = action["majority_judgment"]
        if profile["total"]["value"] is None:
            axes.text(0, y, " " + _("%(count)s réponses", count=figure_text(profile["total"])), va="center",
                      color="#444444")
            continue
        left = 0.0
        for grade in Grade:
            share = profile["parts"][str(grade.value)]["share"]
            if share:
                axes.barh(y, share * 100, left=left, color=GRADE_COLOURS[grade])
                left += share * 100
        if left < 99.9:
            axes.barh(y, 100 - left, left=left, color=HIDDEN_COLOUR, hatch="//", edgecolor="white")
    axes.axvline(50, color="black", linewidth=1)
    axes.set_yticks(list(positions), [_label(a["title"]) for a in actions])
    axes.set_xlim(0, 100)
    _counts_axis(axes.xaxis)
    axes.set_xlabel(_("Part des mentions (%)"))
    axes.legend(
        handles=[Patch(color=GRADE_COLOURS[g], label=str(GRADE_LABELS[g])) for g in Grade]
        + [Patch(facecolor=HIDDEN_COLOUR, hatch="//", label=_("Masqué (petits nombres)"))],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.22),
        ncol=4,
        frameon=False,
    )
    return _svg(figure)


def participation_chart(participation: dict[str, Any]) -> str | None:
    """New participants per week."""
    weeks = participation["new_participants_by_week"]["parts"]
    if not weeks or _all_withheld(list(weeks.values())):
        return None
    figure = Figure(figsize=(WIDTH_INCHES, 2.6))
    axes = figure.add_subplot()
    for x, week in enumerate(weeks.values()):
        if week["value"] is None:
            axes.text(x, 0, figure_text(week), ha="center", va="bottom", fontsize=7, color="#444444")
        else:
            axes.bar(x, week["value"], color=ONLINE_COLOUR)
    axes.set_xticks(range(len(weeks)), [_day_and_month(monday) for monday in weeks], rotation=45, ha="right")
    _counts_axis(axes.yaxis)
    axes.set_ylabel(_("Nouveaux participants"))
    axes.set_xlabel(_("Semaine (date du lundi)"))
    return _svg(figure)


def audience_chart(participation: dict[str, Any]) -> str | None:
    """Online participants by audience."""
    parts = participation["by_audience"]["parts"]
    if _all_withheld(list(parts.values())):
        return None
    figure = Figure(figsize=(WIDTH_INCHES, 1.6))
    axes = figure.add_subplot()
    audiences = list(Audience)[::-1]
    for y, audience in enumerate(audiences):
        part = parts[audience.value]
        if part["value"] is not None:
            axes.barh(y, part["value"], color=ONLINE_COLOUR)
            axes.text(part["value"], y, f" {figure_text(part)}", va="center")
        else:
            axes.text(0, y, f" {figure_text(part)}", va="center", color="#444444")
    axes.set_yticks(range(len(audiences)), [_label(str(AUDIENCE_LABELS[a]), 30) for a in audiences])
    _counts_axis(axes.xaxis)
    axes.set_xlabel(_("Participants en ligne"))
    return _svg(figure)
