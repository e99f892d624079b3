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
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, takewhile
from typing import TypeVar

import numpy as np
import simplemma
from stop_words import get_stop_words

from .person_names import CIVILITIES, first_names, names_in

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
_Item = TypeVar("_Item")


@dataclass(frozen=True)
class Theme:
    """A word or phrase shared by several comments: a lead for the committee to read them, not a statistic."""

    phrase: str  # as people wrote it, e.g. "aide aux devoirs"
    comments: int  # in how many distinct comments it appears


@lru_cache(maxsize=65_536)
def _piece_words(piece: str) -> tuple[str, ...]:
    """The words of a piece of lowercased text between spaces, an elided article or pronoun ("l’", "qu'") as a
    word of its own, and "" for punctuation, so that no phrase spans two sentences or the items of a list. No
    word or punctuation spans a space: a comment is cut at spaces, and each piece, most of them met before, is
    cut into words once."""
    return tuple(_PIECE.findall(piece))


def read_word_lists() -> None:
    """Reads the lemma dictionary and the first names into this process (half a second of CPU, 5 MB), which
    the first summary of a process would otherwise do: a worker does it when it starts (tasks/summaries.py)."""
    _lemma("ateliers")
    first_names()


def _as_written(text: str, lowered: str, words: list[str]) -> list[str]:
    """The same words as written (capitals kept), where lowercasing kept the text's length, and so where each
    character is: cut at the same spaces, a piece written in lowercase has the words already cut (`_piece_words`)."""
    if len(lowered) != len(text):
        return words
    return list(chain.from_iterable(
        _piece_words(piece) if written == piece else _written_words(written, piece)
        for written, piece in zip(text.split(), lowered.split(), strict=True)
    ))


def _written_words(written: str, lowered: str) -> list[str]:
    """The words of a piece as `written`, cut where its lowercase cuts (`_as_written`)."""
    return [written[word.start(1) : word.end(1)] if word.group(1) else "" for word in _PIECE.finditer(lowered)]


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


class _Numbering(dict[_Item, int]):
    """Each item met, numbered from 0 in the order met: `numbering[item]` numbers a new item."""

    def __missing__(self, item: _Item) -> int:
        number = self[item] = len(self)
        return number


class _Vocabulary(dict[str, int]):
    """Each word met, numbered from 0 in the order met, `_COMMENT_START` first; `words` lists them by number, and
    `could_be_names` holds the numbers of the first names and civilities, the words `names_in` starts from."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.could_be_names: set[int] = set()
        self[_COMMENT_START]

    def __missing__(self, word: str) -> int:
        number = self[word] = len(self.words)
        self.words.append(word)
        if word in CIVILITIES or word in first_names():
            self.could_be_names.add(number)
        return number


class _PieceNumbers(dict[str, tuple[int, ...]]):
    """The words of each piece of text met (`_piece_words`) by their numbers in `vocabulary`: a comment's are
    found piece by piece, as its words are, with no string for each."""

    def __init__(self, vocabulary: _Vocabulary) -> None:
        super().__init__()
        self.vocabulary = vocabulary

    def __missing__(self, piece: str) -> tuple[int, ...]:
        numbers = self[piece] = tuple(map(self.vocabulary.__getitem__, _piece_words(piece)))
        return numbers


# The author of a comment whose account was deleted: counted in its keys' comments, as no one in their authors.
_NO_AUTHOR = -1
# Before each comment's words among those added: a space, which no word holds, so that no phrase spans two comments.
_COMMENT_START = " "
# The link words as written ("d’", "de") and as compared ("d", "de"), numbered in the candidates' codes.
_LINK_SPELLINGS = tuple(_LINKS)
_LINK_ORDER = tuple(sorted(LINK_WORDS))
_COMPARED_LINK = np.array([_LINK_ORDER.index(_LINKS[written][0]) for written in _LINK_SPELLINGS], dtype=np.int64)
# Candidates of one kind (words, pairs or linked phrases): where each starts among the words added, its key
# and how it was written, each coded as a number, and what decodes them.
_Candidates = tuple[np.ndarray, np.ndarray, np.ndarray, Callable[[int], Key], Callable[[int], tuple[str, ...]]]
# Comments are counted by batches of about this many words (`ThemeCounter.add`): a few MB of numpy arrays.
_WORDS_COUNTED_AT_ONCE = 1 << 18


class ThemeCounter:
    """The candidates of a set of comments, added one comment at a time, so that texts can be read as a
    stream and never all held in memory; counters of separate sets of comments merge (an orientation's
    themes from its actions').

    A comment is added as the numbers of its words; their candidates are found and counted a batch of comments
    at a time with numpy (`count_added`): found one comment at a time in Python, counting 100 000 comments took
    twice the CPU (`benchmarks/themes.py`). Each key a comment holds is then noted as two numbers, the key's and
    the author's, in arrays counted only when themes are asked for (in how many comments, by how many distinct
    people): a set of authors per key, kept up to date one key at a time, took a quarter of the time and held
    84 MB for 100 000 comments; the arrays hold 24 MB."""

    def __init__(self) -> None:
        self.numbering: _Numbering[Key] = _Numbering()
        self.key_numbers = array("i")  # of each key of each comment
        self.authors = array("q")  # the comment's author beside each of them
        self.surfaces: Counter[tuple[Key, str]] = Counter()  # how often each key was written each way
        self.names: set[str] = set()  # the keys of words that named a person in any comment
        # The comments added and not counted yet: their words by number, each comment's after `_COMMENT_START`,
        # and their authors.
        self.vocabulary = _Vocabulary()
        self.piece_numbers = _PieceNumbers(self.vocabulary)  # of the comments added, emptied when counted
        self.added_words = array("i", [0])
        self.added_authors = array("q")
        # Of each word by number: its lemma's number (`lemma_numbers`), -1 for a word carrying no theme
        # (`_content_key`), and its place in `_LINK_SPELLINGS`, -1 for a word linking no phrase.
        self.lemma_numbers: _Numbering[str] = _Numbering()
        self.word_lemmas = array("i")
        self.word_links = array("i")

    def add(self, text: str, author_id: int | None) -> None:
        """One comment. It counts once for a key however often it repeats it, so one insistent voice does not
        make a theme. A comment whose author is unknown (account deleted) adds no author."""
        lowered = text.lower()
        numbers = list(chain.from_iterable(map(self.piece_numbers.__getitem__, lowered.split())))
        if not self.vocabulary.could_be_names.isdisjoint(numbers):
            words = list(map(self.vocabulary.words.__getitem__, numbers))
            names = names_in(words, lambda: _as_written(text, lowered, words))
            self.names.update(word for name in names if (word := _content_key(name)) is not None)
        self.added_words.extend(numbers)
        self.added_words.append(0)
        self.added_authors.append(_NO_AUTHOR if author_id is None else author_id)
        if len(self.added_words) >= _WORDS_COUNTED_AT_ONCE:
            self.count_added()

    def count_added(self) -> None:
        """Counts the candidates of the comments added since the last count: content words, two adjacent content
        words, and content–link–content phrases. A key's first and last items are always content words, and
        differ: a word next to itself ("cantine cantine", "de temps en temps") is emphasis or idiom, not a
        phrase. A link word is never a content word, so these are the phrases between consecutive content words.
        `themes` and `merge` count what is left; a thread that adds comments calls it so that they need not."""
        if not self.added_authors:
            return
        for word in self.vocabulary.words[len(self.word_lemmas) :]:
            key = _content_key(word)
            self.word_lemmas.append(-1 if key is None else self.lemma_numbers[key])
            self.word_links.append(_LINK_SPELLINGS.index(word) if word in _LINKS else -1)
        words = np.frombuffer(self.added_words, dtype=np.int32)
        comment_of_word = np.cumsum(words == 0, dtype=np.int32) - 1
        authors = np.frombuffer(self.added_authors, dtype=np.int64)
        for at, codes, ways, key_of, written_of in self._candidates(words):
            keys, key_of_candidate = np.unique(codes, return_inverse=True)
            numbers = np.array([self.numbering[key_of(code)] for code in keys.tolist()], dtype=np.int32)
            # Each key once per comment: one number per (comment, key), the comment's above the key's.
            in_comments = _distinct(comment_of_word[at].astype(np.int64) * len(keys) + key_of_candidate)
            self.key_numbers.frombytes(numbers[in_comments % len(keys)].tobytes())
            self.authors.frombytes(authors[in_comments // len(keys)].tobytes())
            written, first, times = np.unique(ways, return_index=True, return_counts=True)
            for way, key, times_written in zip(
                written.tolist(), keys[key_of_candidate[first]].tolist(), times.tolist(), strict=True
            ):
                self.surfaces[(key_of(key), _surface(written_of(way)))] += times_written
        self.added_words, self.added_authors = array("i", [0]), array("q")
        self.piece_numbers.clear()

    def _candidates(self, words: np.ndarray) -> list[_Candidates]:
        """The words, pairs and linked phrases among `words` (the comments added, by number)."""
        word_lemmas = np.frombuffer(self.word_lemmas, dtype=np.int32)[words]
        content = np.flatnonzero(word_lemmas >= 0)  # where the content words are
        lemmas = word_lemmas[content].astype(np.int64)
        # Consecutive content words, next to each other or with one word between them, which may be a link word.
        gaps = np.diff(content)
        differ = lemmas[:-1] != lemmas[1:]
        pairs = np.flatnonzero(differ & (gaps == 1))
        apart = np.flatnonzero(differ & (gaps == 2))
        links = np.frombuffer(self.word_links, dtype=np.int32)[words[content[apart] + 1]].astype(np.int64)
        linked, links = apart[links >= 0], links[links >= 0]
        # Each candidate coded as one number from its lemmas' and its link's numbers (its key), and each way it was
        # written as one number from its words' (a link word by its place in `_LINK_SPELLINGS`).
        lemma_list, word_list = list(self.lemma_numbers), self.vocabulary.words
        lemma_count, word_count = len(lemma_list), len(word_list)
        links_compared, links_written = len(_LINK_ORDER), len(_LINK_SPELLINGS)

        def word_key(code: int) -> Key:
            return (lemma_list[code],)

        def word_written(way: int) -> tuple[str, ...]:
            return (word_list[way],)

        def pair_key(code: int) -> Key:
            return (lemma_list[code // lemma_count], lemma_list[code % lemma_count])

        def pair_written(way: int) -> tuple[str, ...]:
            return (word_list[way // word_count], word_list[way % word_count])

        def phrase_key(code: int) -> Key:
            first_and_link, last = divmod(code, lemma_count)
            first, link = divmod(first_and_link, links_compared)
            return (lemma_list[first], _LINK_ORDER[link], lemma_list[last])

        def phrase_written(way: int) -> tuple[str, ...]:
            first_and_link, last = divmod(way, word_count)
            first, link = divmod(first_and_link, links_written)
            return (word_list[first], _LINK_SPELLINGS[link], word_list[last])

        at_pairs, at_phrases = content[pairs], content[linked]
        return [
            (content, lemmas, words[content].astype(np.int64), word_key, word_written),
            (
                at_pairs,
                lemmas[pairs] * lemma_count + lemmas[pairs + 1],
                words[at_pairs].astype(np.int64) * word_count + words[content[pairs + 1]],
                pair_key,
                pair_written,
            ),
            (
                at_phrases,
                (lemmas[linked] * links_compared + _COMPARED_LINK[links]) * lemma_count + lemmas[linked + 1],
                (words[at_phrases].astype(np.int64) * links_written + links) * word_count
                + words[content[linked + 1]],
                phrase_key,
                phrase_written,
            ),
        ]

    def merge(self, other: ThemeCounter) -> None:
        """Adds the comments counted by `other` (other comments than this counter's)."""
        self.count_added()
        other.count_added()
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
        self.count_added()
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


def _distinct(numbers: np.ndarray) -> np.ndarray:
    """The distinct numbers, sorted (a sort takes a tenth of the time of numpy's hashed `unique` here)."""
    numbers = np.sort(numbers)
    first = np.ones(len(numbers), dtype=bool)
    first[1:] = numbers[1:] != numbers[:-1]
    return numbers[first]


def _surface(words: tuple[str, ...]) -> str:
    """A candidate as written: "aide aux devoirs", "temps d’accueil" (no space after an elided link word)."""
    if len(words) == 3:
        return f"{words[0]} {words[1]}{_LINKS[words[1]][1]}{words[2]}"
    return " ".join(words)


def _most_frequent(surfaces: Counter[str]) -> str:
    """The form people wrote most often ("ateliers" or "atelier"), alphabetical first on a tie."""
    return min(surfaces.items(), key=lambda item: (-item[1], item[0]))[0]


def _alphabetical(phrase: str) -> str:
    """Sort key ignoring accents, so that "école" comes before "enfants" as in a French dictionary."""
    return "".join(char for char in unicodedata.normalize("NFKD", phrase) if not unicodedata.combining(char))
