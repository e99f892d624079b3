"""The line of figures on each card of the consultation page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..languages.services import CountWords
from ..models import Consultation

if TYPE_CHECKING:
    from .services import ActionCounts


class CardFigures:
    """Which of an action's counts its card writes, and in words: only those above zero, the supports where the
    consultation counts them, the opinions where it asks for them, no vote before its figures are shown. Made once
    per page: the translations are looked up once for its 54 cards' up to five counts each."""

    def __init__(self, consultation: Consultation) -> None:
        self.visible = consultation.figures_visible()
        self._supports = self.visible and consultation.supports_enabled
        self._opinions = self.visible and consultation.opinion_enabled
        self.ngettext = CountWords()

    def supports_shown(self, tally: ActionCounts) -> bool:
        return bool(self._supports and tally.supports)

    def words(self, tally: ActionCounts, comment_count: int) -> list[str]:
        opinions = tally.opinions if self._opinions else {}
        figures = [
            self.ngettext("%(num)s soutien", "%(num)s soutiens", tally.supports) if self.supports_shown(tally) else "",
            self.ngettext("%(num)s pour", "%(num)s pour", opinions[1]) if opinions.get(1) else "",
            self.ngettext("%(num)s mitigé", "%(num)s mitigés", opinions[0]) if opinions.get(0) else "",
            self.ngettext("%(num)s contre", "%(num)s contre", opinions[-1]) if opinions.get(-1) else "",
            self.ngettext("%(num)s commentaire", "%(num)s commentaires", comment_count) if comment_count else "",
        ]
        return [figure for figure in figures if figure]
