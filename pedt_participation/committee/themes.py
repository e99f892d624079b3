"""Recurring themes in French comments ("what people said"), computed offline.

Plain counting of words and short phrases rather than a language model: the committee can check every theme
against the comments, and the result does not change from one run to the next. A theme is what several people
said, not one person many times, and it never names a person. Words are compared by their lemma (simplemma's
French dictionary: "ateliers" and "atelier", "travaux" and "travail" are one word), and a conjugated verb
("faudrait", "travaillent") names no theme; a theme is shown as people wrote it most often.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

import simplemma
from stop_words import get_stop_words

from .person_names import names_in

# Frequent in comments yet naming no theme, and missing from the stop-word list.
# Compared as lemmas: "penser" stands for "pense" and "pensons"; conjugated forms are left out anyway (`_conjugated`).
EXTRA_STOP_WORDS = frozenset({
    "aujourd’hui", "avis", "beaucoup", "croire", "déjà", "également", "etc", "falloir", "franchement", "jamais",
    "merci", "mieux", "non", "oui", "parfois", "penser", "pouvoir", "souvent", "suivre", "tant", "toujours",
    "toute", "trouver", "vouloir", "vraiment",
})
# In the stop-word list, yet themes here: "devoirs" (homework, lemma "devoir"), "donner la parole aux jeunes".
THEME_WORDS = frozenset({"devoir", "parole"})
STOP_WORDS = (frozenset(get_stop_words("french")) | EXTRA_STOP_WORDS) - THEME_WORDS
# Words that may join two content words into a phrase: "aide aux devoirs", "sortie de classe", "temps d’accueil".
LINK_WORDS = frozenset({"de", "du", "des", "d", "aux", "au", "à", "la", "le", "les", "en", "pour", "sur"})
ELISIONS = frozenset({"c", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu", "lorsqu", "puisqu"})

# A word: an elided article or pronoun with its apostrophe ("l’", "qu'"; one per word: "d'l’aide" is "d'" and
# "l’aide"), or letters and digits with internal hyphens ("demi-journée") and apostrophes ("aujourd’hui");
# or, captured as "", a run of punctuation. One-letter elisions make a character class: a third less time
# than one alternative each.
_ELISION = "|".join(
    [f"[{''.join(sorted(word for word in ELISIONS if len(word) == 1))}]"]
    + sorted((word for word in ELISIONS if len(word) > 1), key=lambda word: (-len(word), word))
)
_PIECE = re.compile(
    rf"((?<![^\W_]['’])(?:{_ELISION})['’](?=[^\W_])|[^\W_]+(?:[-'’][^\W_]+)*)"
    r"|(?:[^\w\s]|_)+"
)

Key = tuple[str, ...]


@dataclass(frozen=True)
class Theme:
    """A word or phrase shared by several comments: a lead for the committee to read them, not a statistic."""

    phrase: str  # as people wrote it, e.g. "aide aux devoirs"
    comments: int  # in how many distinct comments it appears


def _tokens(text: str) -> tuple[list[str], list[str]]:
    """The words lowercased, an elided article or pronoun ("l’", "qu'") as a word of its own, and "" for
    punctuation, so that no phrase spans two sentences or the items of a list; then the same words as written
    (capitals kept, where lowercasing keeps the text's length)."""
    lowered = text.lower()
    pieces = list(_PIECE.finditer(lowered))
    tokens = [piece.group(1) or "" for piece in pieces]
    if len(lowered) != len(text):
        return tokens, tokens
    return tokens, [text[piece.start(1) : piece.end(1)] if piece.group(1) else "" for piece in pieces]


# Words repeat from one comment to the next: each distinct word is examined once (bounded: a few MB at most).
@lru_cache(maxsize=100_000)
def _content_key(token: str) -> str | None:
    """The word compared across comments: its lemma ("ateliers" → "atelier", "jeux" → "jeu"); None for words
    carrying no theme: stop-words, as written or as lemma ("sont" is "être"; a hyphenated word when all its parts
    are, like "peut-être"), conjugated verbs, elided words, numbers and words of fewer than 3 letters."""
    word = token.replace("'", "’")
    if (
        word.endswith("’")
        or any(char.isdigit() for char in word)
        or sum(char.isalpha() for char in word) < 3
        or all(part in STOP_WORDS for part in word.split("-"))
    ):
        return None
    lemma = simplemma.lemmatize(word, lang="fr")
    if lemma in STOP_WORDS or _conjugated(word, lemma):
        return None
    return lemma


def _conjugated(word: str, lemma: str) -> bool:
    """A verb as conjugated in a sentence ("faudrait", "travaillent", "propose"): its lemma is an infinitive it
    differs from, other than by a plural's s, which a noun whose lemma looks like one takes ("devoirs", "loisirs",
    "ateliers"). What people want is in the nouns around it; an infinitive as written ("jouer dehors") stays."""
    return lemma.endswith(("er", "ir", "re")) and word not in (lemma, lemma + "s")


def _candidates(tokens: list[str]) -> list[tuple[Key, str]]:
    """(key, surface) of every candidate in a comment's words: content words, two adjacent content words, and
    content–link–content phrases. A key's first and last items are always content words, and differ: a word
    next to itself ("cantine cantine", "de temps en temps") is emphasis or idiom, not a phrase."""
    keys = list(map(_content_key, tokens))
    candidates: list[tuple[Key, str]] = []
    for i, (token, key) in enumerate(zip(tokens, keys, strict=True)):
        if key is None:
            continue
        candidates.append(((key,), token))
        next_key = keys[i + 1] if i + 1 < len(tokens) else None
        if next_key is not None and next_key != key:
            candidates.append(((key, next_key), f"{token} {tokens[i + 1]}"))
        key_after_link = keys[i + 2] if i + 2 < len(tokens) else None
        if key_after_link is not None and key_after_link != key:
            link = tokens[i + 1]
            if link.rstrip("'’") in LINK_WORDS:
                space = "" if link.endswith(("'", "’")) else " "
                candidates.append(((key, link.rstrip("'’"), key_after_link), f"{token} {link}{space}{tokens[i + 2]}"))
    return candidates


class ThemeCounter:
    """The candidates of a set of comments, added one comment at a time, so that texts can be read as a
    stream and never all held in memory; counters of separate sets of comments merge (an orientation's
    themes from its actions')."""

    def __init__(self) -> None:
        self.comments: Counter[Key] = Counter()  # in how many comments each key appears
        # Who wrote them: one author id, or the set of them once a second author uses the key (most keys have one).
        self.authors: dict[Key, int | set[int]] = {}
        self.surfaces: Counter[tuple[Key, str]] = Counter()  # how often each key was written each way
        self.names: set[str] = set()  # the keys of words that named a person in any comment

    def add(self, text: str, author_id: int | None) -> None:
        """One comment. It counts once for a key however often it repeats it, so one insistent voice does not
        make a theme. A comment whose author is unknown (account deleted) adds no author."""
        tokens, written = _tokens(text)
        candidates = _candidates(tokens)
        self.names.update(word for name in names_in(tokens, written) if (word := _content_key(name)) is not None)
        self.surfaces.update(candidates)
        keys = {key for key, _surface in candidates}
        self.comments.update(keys)
        if author_id is not None:
            for key in keys:
                self._add_author(key, author_id)

    def _add_author(self, key: Key, author_id: int) -> None:
        known = self.authors.get(key)
        if known is None:
            self.authors[key] = author_id
        elif isinstance(known, set):
            known.add(author_id)
        elif known != author_id:
            self.authors[key] = {known, author_id}

    def merge(self, other: ThemeCounter) -> None:
        """Adds the comments counted by `other` (other comments than this counter's)."""
        self.comments.update(other.comments)
        self.surfaces.update(other.surfaces)
        self.names |= other.names
        for key, authors in other.authors.items():
            for author_id in authors if isinstance(authors, set) else (authors,):
                self._add_author(key, author_id)

    def _author_count(self, key: Key) -> int:
        authors = self.authors.get(key)
        return len(authors) if isinstance(authors, set) else int(authors is not None)

    def themes(self, limit: int = 5, min_authors: int = 2) -> list[Theme]:
        """The words and phrases used by at least `min_authors` different people, most widespread first, none
        holding a word that named a person. A word found only inside a kept phrase, in as many comments, is left
        out: it would repeat the phrase."""
        kept = {
            key: count
            for key, count in self.comments.items()
            if self._author_count(key) >= min_authors and not self.names.intersection(key)
        }
        hidden = {
            (word,)
            for key, count in kept.items()
            if len(key) > 1
            for word in (key[0], key[-1])
            if kept.get((word,)) == count
        }
        surfaces: defaultdict[Key, Counter[str]] = defaultdict(Counter)
        for (key, surface), count in self.surfaces.items():
            if key in kept and key not in hidden:
                surfaces[key][surface] = count
        phrases = {key: _most_frequent(written) for key, written in surfaces.items()}
        ordered = sorted(phrases, key=lambda key: (-kept[key], -len(key), _alphabetical(phrases[key]), phrases[key]))
        return [Theme(phrases[key], kept[key]) for key in ordered[:limit]]


def _most_frequent(surfaces: Counter[str]) -> str:
    """The form people wrote most often ("ateliers" or "atelier"), alphabetical first on a tie."""
    return min(surfaces.items(), key=lambda item: (-item[1], item[0]))[0]


def _alphabetical(phrase: str) -> str:
    """Sort key ignoring accents, so that "école" comes before "enfants" as in a French dictionary."""
    return "".join(char for char in unicodedata.normalize("NFKD", phrase) if not unicodedata.combining(char))
