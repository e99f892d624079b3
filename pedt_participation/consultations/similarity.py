"""Which existing actions look like a new proposal, so that people support them instead of duplicating.
Offline and cheap: word overlap after removing French stop words, accents, case and plurals."""

from __future__ import annotations

import re
import unicodedata

# Short, common French words that carry no idea of their own.
STOP_WORDS = frozenset(
    """
    a afin ai au aux avec c ce ces cet cette chaque d dans de des du e elle elles en entre est et etre eux
    faire il ils j je l la le les leur leurs lui m ma mais me meme mes moi mon n ne ni nos notre nous on ou
    par pas plus pour qu que qui s sa sans se ses si son sont sur t ta te tes toi ton tous tout toute toutes
    tres tu un une vos votre vous y
    """.split()
)


def keywords(text: str) -> frozenset[str]:
    """Meaningful words, accent-free, lower case, without a final plural s/x."""
    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", plain)
    return frozenset(w.rstrip("sx") if len(w) > 3 else w for w in words if w not in STOP_WORDS and len(w) > 1)


def similarity(left: frozenset[str], right: frozenset[str]) -> float:
    """Share of the smaller text's words found in the other (a short title inside a longer one counts);
    a single shared word is a coincidence, not a duplicate."""
    shared = left & right
    if len(shared) < 2:
        return 0.0
    return len(shared) / min(len(left), len(right))
