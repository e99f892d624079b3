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
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat, takewhile
from operator import itemgetter

import numpy as np
import simplemma
from stop_words import get_stop_words

from .person_names import first_names, names_in

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
# A link word as written → as compared, and what comes between it and the next word ("d’accueil": nothing).
_LINKS = {word: (word, " ") for word in LINK_WORDS} | {
    f"{word}{apostrophe}": (word, "") for word in LINK_WORDS & ELISIONS for apostrophe in "'’"
}

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


def _words(lowered: str) -> list[str]:
    """The words of a lowercased comment, an elided article or pronoun ("l’", "qu'") as a word of its own, and ""
    for punctuation, so that no phrase spans two sentences or the items of a list. No word or punctuation spans a
    space: the text is cut at spaces, and each piece, most of them met before, is cut into words once."""
    return list(chain.from_iterable(map(_piece_words, lowered.split())))


@lru_cache(maxsize=65_536)
def _piece_words(piece: str) -> tuple[str, ...]:
    """The words of a piece of text without spaces (`_words`)."""
    return tuple(_PIECE.findall(piece))


def read_word_lists() -> None:
    """Reads the lemma dictionary and the first names into this process (half a second of CPU, 5 MB), which
    the first summary of a process would otherwise do: a worker does it when it starts (tasks/summaries.py)."""
    _lemma("ateliers")
    first_names()


def _as_written(text: str, lowered: str, words: list[str]) -> list[str]:
    """The same words as written (capitals kept), where lowercasing kept the text's length."""
    if len(lowered) != len(text):
        return words
    return [text[piece.start(1) : piece.end(1)] if piece.group(1) else "" for piece in _PIECE.finditer(lowered)]


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
    lemma = _lemma(word)
    if lemma in STOP_WORDS or _conjugated(word, lemma):
        return None
    return lemma


def _lemma(word: str) -> str:
    """simplemma's lemma, from its compact dictionary: the sorted words read a block at a time (3 MB in memory
    instead of 23 for its dict of every word, for ~40 µs a lookup instead of ~8, once per distinct word)."""
    return simplemma.lemmatize(word, lang="fr", low_memory=True)


def _conjugated(word: str, lemma: str) -> bool:
    """A verb as conjugated in a sentence ("faudrait", "travaillent", "propose"): its lemma is an infinitive it
    differs from, other than by a plural's s, which a noun whose lemma looks like one takes ("devoirs", "loisirs",
    "ateliers"). What people want is in the nouns around it; an infinitive as written ("jouer dehors") stays."""
    return lemma.endswith(("er", "ir", "re")) and word not in (lemma, lemma + "s")


def _candidates(words: list[str], keys: list[str | None]) -> list[tuple[Key, str]]:
    """(key, surface) of every candidate in a comment's words (`keys`: their `_content_key`): content words, two
    adjacent content words, and content–link–content phrases. A key's first and last items are always content
    words, and differ: a word next to itself ("cantine cantine", "de temps en temps") is emphasis or idiom, not a
    phrase. A link word is never a content word: the phrases are found between consecutive content words."""
    content = [(i, key) for i, key in enumerate(keys) if key is not None]
    candidates: list[tuple[Key, str]] = [((key,), words[i]) for i, key in content]
    for (i, first), (j, last) in zip(content, content[1:], strict=False):
        if first == last:
            continue
        if j == i + 1:
            candidates.append(((first, last), f"{words[i]} {words[j]}"))
        elif j == i + 2 and (link := _LINKS.get(words[i + 1])) is not None:
            candidates.append(((first, link[0], last), f"{words[i]} {words[i + 1]}{link[1]}{words[j]}"))
    return candidates


class _Numbering(dict[Key, int]):
    """Each key met, numbered from 0 in the order met: `numbering[key]` numbers a new key."""

    def __missing__(self, key: Key) -> int:
        number = self[key] = len(self)
        return number


# The author of a comment whose account was deleted: counted in its keys' comments, as no one in their authors.
_NO_AUTHOR = -1


class ThemeCounter:
    """The candidates of a set of comments, added one comment at a time, so that texts can be read as a
    stream and never all held in memory; counters of separate sets of comments merge (an orientation's
    themes from its actions').

    Each key a comment holds is noted as two numbers, the key's and the author's, in arrays counted only when
    themes are asked for (in how many comments, by how many distinct people): a set of authors per key, kept up
    to date one key at a time, took a quarter of the time and held 84 MB for 100 000 comments (`benchmarks/
    themes.py`); the arrays hold 24 MB."""

    def __init__(self) -> None:
        self.numbering = _Numbering()
        self.key_numbers = array("i")  # of each key of each comment
        self.authors = array("q")  # the comment's author beside each of them
        self.surfaces: Counter[tuple[Key, str]] = Counter()  # how often each key was written each way
        self.names: set[str] = set()  # the keys of words that named a person in any comment

    def add(self, text: str, author_id: int | None) -> None:
        """One comment. It counts once for a key however often it repeats it, so one insistent voice does not
        make a theme. A comment whose author is unknown (account deleted) adds no author."""
        lowered = text.lower()
        words = _words(lowered)
        candidates = _candidates(words, list(map(_content_key, words)))
        names = names_in(words, lambda: _as_written(text, lowered, words))
        if names:
            self.names.update(word for name in names if (word := _content_key(name)) is not None)
        self.surfaces.update(candidates)
        numbers = set(map(self.numbering.__getitem__, map(itemgetter(0), candidates)))
        self.key_numbers.extend(numbers)
        self.authors.extend(repeat(_NO_AUTHOR if author_id is None else author_id, len(numbers)))

    def merge(self, other: ThemeCounter) -> None:
        """Adds the comments counted by `other` (other comments than this counter's)."""
        renumbered = array("i", map(self.numbering.__getitem__, other.numbering))
        self.key_numbers.extend(map(renumbered.__getitem__, other.key_numbers))
        self.authors.extend(other.authors)
        self.surfaces.update(other.surfaces)
        self.names |= other.names

    def _counts(self) -> tuple[list[int], np.ndarray]:
        """For each key by number: in how many comments it appears, and by how many distinct people."""
        keys = np.frombuffer(self.key_numbers, dtype=np.int32).astype(np.int64)
        authors = np.frombuffer(self.authors, dtype=np.int64)
        comments = np.bincount(keys, minlength=len(self.numbering)).tolist()
        known = authors != _NO_AUTHOR
        if not known.any():
            return comments, np.zeros(len(self.numbering), dtype=np.int64)
        # One number per (key, author) pair, the key's above the author's; sorted, each pair's first is kept
        # (a sort takes a tenth of the time of numpy's hashed `unique` here).
        span = int(authors[known].max()) + 1
        pairs = np.sort(keys[known] * span + authors[known])
        distinct = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
        return comments, np.bincount(distinct // span, minlength=len(self.numbering))

    def themes(self, limit: int = 5, min_authors: int = 2) -> list[Theme]:
        """The words and phrases used by at least `min_authors` different people, most widespread first, none
        holding a word that named a person. A word found only inside a kept phrase, in as many comments, is left
        out: it would repeat the phrase."""
        comments, authors = self._counts()
        keys = list(self.numbering)
        kept = {
            keys[number]: comments[number]
            for number in np.flatnonzero(authors >= min_authors).tolist()
            if self.names.isdisjoint(keys[number])
        }
        hidden = {
            (word,)
            for key, count in kept.items()
            if len(key) > 1
            for word in (key[0], key[-1])
            if kept.get((word,)) == count
        }
        # Most widespread first, then the longest; the phrases, which order what remains tied, are chosen for
        # those that can be among the first `limit` only.
        shown = sorted((key for key in kept if key not in hidden), key=lambda key: (-kept[key], -len(key)))
        if len(shown) > limit > 0:
            last = (-kept[shown[limit - 1]], -len(shown[limit - 1]))
            shown = list(takewhile(lambda key: (-kept[key], -len(key)) <= last, shown))
        wanted = set(shown)
        surfaces: defaultdict[Key, Counter[str]] = defaultdict(Counter)
        for (key, surface), count in self.surfaces.items():
            if key in wanted:
                surfaces[key][surface] = count
        phrases = {key: _most_frequent(surfaces[key]) for key in shown}
        ordered = sorted(shown, key=lambda key: (-kept[key], -len(key), _alphabetical(phrases[key]), phrases[key]))
        return [Theme(phrases[key], kept[key]) for key in ordered[:limit]]


def _most_frequent(surfaces: Counter[str]) -> str:
    """The form people wrote most often ("ateliers" or "atelier"), alphabetical first on a tie."""
    return min(surfaces.items(), key=lambda item: (-item[1], item[0]))[0]


def _alphabetical(phrase: str) -> str:
    """Sort key ignoring accents, so that "école" comes before "enfants" as in a French dictionary."""
    return "".join(char for char in unicodedata.normalize("NFKD", phrase) if not unicodedata.combining(char))
