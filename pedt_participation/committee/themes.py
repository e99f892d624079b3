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
from itertools import chain, takewhile

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


class _Numbering(dict[str, int]):
    """Each word met, numbered from 0 in the order met: `numbering[word]` numbers a new word."""

    def __missing__(self, word: str) -> int:
        number = self[word] = len(self)
        return number


# The author of a comment whose account was deleted: counted in its keys' comments, as no one in their authors.
_NO_AUTHOR = -1
# Before each comment's words in a counter: a space, which no word holds, so that no phrase spans two comments.
_COMMENT_START = " "
# The link words as compared, numbered in the keys' codes (`_Occurrences`).
_LINK_ORDER = tuple(sorted(LINK_WORDS))
_LINK_NUMBERS = {written: _LINK_ORDER.index(compared) for written, (compared, _between) in _LINKS.items()}


@dataclass(frozen=True)
class _Occurrences:
    """Every candidate in a counter's comments, found in one pass of numpy over all their words rather than one
    comment at a time in Python (two thirds of the counting's time): content words, two adjacent content words,
    and content–link–content phrases. A key's first and last items are always content words, and differ: a word
    next to itself ("cantine cantine", "de temps en temps") is emphasis or idiom, not a phrase. A link word is
    never a content word, so these are the phrases between consecutive content words.

    A key is coded as one number from its lemmas' numbers (`lemmas`) and its link word's (`_LINK_ORDER`):
    a word's lemma below `len(lemmas)`, then the pairs, then the linked phrases (`key`)."""

    lemmas: list[str]  # by number
    codes: np.ndarray  # the key of each occurrence
    starts: np.ndarray  # where it starts in the counter's words

    @classmethod
    def of(cls, vocabulary: list[str], words: np.ndarray) -> _Occurrences:
        numbering = _Numbering()
        lemma_of_word = np.array(
            [-1 if key is None else numbering[key] for key in map(_content_key, vocabulary)], dtype=np.int32
        )
        link_of_word = np.array([_LINK_NUMBERS.get(word, -1) for word in vocabulary], dtype=np.int64)
        word_lemmas = lemma_of_word[words]
        content = np.flatnonzero(word_lemmas >= 0)  # where the content words are
        lemmas = word_lemmas[content].astype(np.int64)
        # Consecutive content words, next to each other or with one word between them, that a link word may be.
        gaps = np.diff(content)
        differ = lemmas[:-1] != lemmas[1:]
        pairs = np.flatnonzero(differ & (gaps == 1))
        apart = np.flatnonzero(differ & (gaps == 2))
        links = link_of_word[words[content[apart] + 1]]
        linked, links = apart[links >= 0], links[links >= 0]
        count = len(numbering)
        codes = np.concatenate((
            lemmas,
            count + lemmas[pairs] * count + lemmas[pairs + 1],
            count + count * count + (lemmas[linked] * len(_LINK_ORDER) + links) * count + lemmas[linked + 1],
        ))
        return cls(list(numbering), codes, np.concatenate((content, content[pairs], content[linked])))

    def key(self, code: int) -> Key:
        count = len(self.lemmas)
        if code < count:
            return (self.lemmas[code],)
        if code < count + count * count:
            first, last = divmod(code - count, count)
            return (self.lemmas[first], self.lemmas[last])
        first_and_link, last = divmod(code - count - count * count, count)
        first, link = divmod(first_and_link, len(_LINK_ORDER))
        return (self.lemmas[first], _LINK_ORDER[link], self.lemmas[last])

    def length(self, code: int) -> int:
        """How many words the key's occurrences take."""
        count = len(self.lemmas)
        return 1 if code < count else 2 if code < count + count * count else 3


class ThemeCounter:
    """The candidates of a set of comments, added one comment at a time, so that texts can be read as a
    stream and never all held in memory; counters of separate sets of comments merge (an orientation's
    themes from its actions').

    A comment is kept as the numbers of its words and its author's, in arrays whose candidates are found and
    counted only when themes are asked for (`_Occurrences`): 14 MB for 100 000 comments (`benchmarks/themes.py`),
    where the candidates found one comment at a time in Python held 24 MB and took three times the CPU."""

    def __init__(self) -> None:
        self.word_numbers = _Numbering({_COMMENT_START: 0})  # each word met (lowercased)
        self.words = array("i")  # of each comment, by number, each comment's after its `_COMMENT_START`
        self.authors = array("q")  # of each comment
        self.names: set[str] = set()  # the keys of words that named a person in any comment

    def add(self, text: str, author_id: int | None) -> None:
        """One comment. It counts once for a key however often it repeats it, so one insistent voice does not
        make a theme. A comment whose author is unknown (account deleted) adds no author."""
        lowered = text.lower()
        words = _words(lowered)
        names = names_in(words, lambda: _as_written(text, lowered, words))
        if names:
            self.names.update(word for name in names if (word := _content_key(name)) is not None)
        self.words.append(0)
        self.words.extend(map(self.word_numbers.__getitem__, words))
        self.authors.append(_NO_AUTHOR if author_id is None else author_id)

    def merge(self, other: ThemeCounter) -> None:
        """Adds the comments counted by `other` (other comments than this counter's)."""
        renumbered = np.fromiter(
            map(self.word_numbers.__getitem__, other.word_numbers), dtype=np.int32, count=len(other.word_numbers)
        )
        self.words.frombytes(renumbered[np.frombuffer(other.words, dtype=np.int32)].tobytes())
        self.authors.extend(other.authors)
        self.names |= other.names

    def _counts(self, occurrences: _Occurrences) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The keys found (codes, sorted), each occurrence's key among them, and for each key in how many
        comments it appears and by how many distinct people."""
        words = np.frombuffer(self.words, dtype=np.int32)
        keys, key_of_occurrence = np.unique(occurrences.codes, return_inverse=True)
        count = len(keys)
        # One number per (comment, key) pair, the comment's above the key's; sorted, each pair's first is kept
        # (a sort takes a tenth of the time of numpy's hashed `unique` here).
        comment_of_word = np.cumsum(words == 0, dtype=np.int32)
        in_comments = _distinct((comment_of_word[occurrences.starts] - 1).astype(np.int64) * count + key_of_occurrence)
        key_in_comment = in_comments % count
        comments = np.bincount(key_in_comment, minlength=count)
        authors = np.frombuffer(self.authors, dtype=np.int64)[in_comments // count]
        known = authors != _NO_AUTHOR
        if not known.any():
            return keys, key_of_occurrence, comments, np.zeros(count, dtype=np.int64)
        # The same for (key, author) pairs.
        span = int(authors[known].max()) + 1
        by_authors = _distinct(key_in_comment[known] * span + authors[known])
        return keys, key_of_occurrence, comments, np.bincount(by_authors // span, minlength=count)

    def themes(self, limit: int = 5, min_authors: int = 2) -> list[Theme]:
        """The words and phrases used by at least `min_authors` different people, most widespread first, none
        holding a word that named a person. A word found only inside a kept phrase, in as many comments, is left
        out: it would repeat the phrase."""
        occurrences = _Occurrences.of(list(self.word_numbers), np.frombuffer(self.words, dtype=np.int32))
        codes, key_of_occurrence, comments, authors = self._counts(occurrences)
        numbers: dict[Key, int] = {}  # of the keys kept, among `codes`
        for number in np.flatnonzero(authors >= min_authors).tolist():
            key = occurrences.key(int(codes[number]))
            if self.names.isdisjoint(key):
                numbers[key] = number
        kept = {key: int(comments[number]) for key, number in numbers.items()}
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
        phrases = self._phrases(occurrences, codes, key_of_occurrence, {numbers[key]: key for key in shown})
        ordered = sorted(shown, key=lambda key: (-kept[key], -len(key), _alphabetical(phrases[key]), phrases[key]))
        return [Theme(phrases[key], kept[key]) for key in ordered[:limit]]

    def _phrases(
        self, occurrences: _Occurrences, codes: np.ndarray, key_of_occurrence: np.ndarray, wanted: dict[int, Key]
    ) -> dict[Key, str]:
        """Each wanted key (by its number among `codes`) as people wrote it most often."""
        vocabulary = list(self.word_numbers)
        words = np.frombuffer(self.words, dtype=np.int32)
        chosen = np.isin(key_of_occurrence, list(wanted))
        starts = occurrences.starts[chosen]
        # The three words from each start (fewer at the end of all), cut to the length of its key.
        following = [words[np.minimum(starts + offset, len(words) - 1)].tolist() for offset in range(3)]
        lengths = {number: occurrences.length(int(codes[number])) for number in wanted}
        written = Counter(zip(key_of_occurrence[chosen].tolist(), *following, strict=True))
        surfaces: defaultdict[Key, Counter[str]] = defaultdict(Counter)
        for (number, *ways), count in written.items():
            surfaces[wanted[number]][_surface([vocabulary[word] for word in ways[: lengths[number]]])] += count
        return {key: _most_frequent(surfaces[key]) for key in wanted.values()}


def _distinct(numbers: np.ndarray) -> np.ndarray:
    """The distinct numbers, sorted."""
    numbers = np.sort(numbers)
    first = np.ones(len(numbers), dtype=bool)
    first[1:] = numbers[1:] != numbers[:-1]
    return numbers[first]


def _surface(words: list[str]) -> str:
    """A key's occurrence as written: "aide aux devoirs", "temps d’accueil" (no space after an elided link)."""
    if len(words) == 3:
        return f"{words[0]} {words[1]}{_LINKS[words[1]][1]}{words[2]}"
    return " ".join(words)


def _most_frequent(surfaces: Counter[str]) -> str:
    """The form people wrote most often ("ateliers" or "atelier"), alphabetical first on a tie."""
    return min(surfaces.items(), key=lambda item: (-item[1], item[0]))[0]


def _alphabetical(phrase: str) -> str:
    """Sort key ignoring accents, so that "école" comes before "enfants" as in a French dictionary."""
    return "".join(char for char in unicodedata.normalize("NFKD", phrase) if not unicodedata.combining(char))
