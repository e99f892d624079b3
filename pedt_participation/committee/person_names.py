"""Words that name a person, so that no recurring theme repeats someone's name ("kevin durand").

First names come from the name dictionary of gender-guesser (Jörg Michael's `nam_dict`, about 48 000 names with
how common each is per country), kept for the countries whose names are common in French towns. Its data is
stable and read offline. A surname is recognised by where it stands and how it is written: right after a
civility ("Mme Durand"), or capitalised right after a first name ("Kevin Durand").
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import simplemma

# No type hints in the package; one class used here.
from gender_guesser.detector import Detector  # type: ignore[import-untyped]

# Countries of the dictionary whose first names are given in French towns.
COUNTRIES = ("france", "belgium", "swiss", "luxembourg", "italy", "spain", "portugal", "arabia", "turkey")
CIVILITIES = frozenset({"m", "mme", "mlle", "mr", "monsieur", "madame", "mademoiselle"})


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Lowercased first names given in those countries; read once per process (about half a second). They pass
    through one string, so that the dictionary's parse (20 MB of small objects) is freed whole before the set is
    built: the process gives that memory back instead of keeping it among the names it holds (2 MB instead of 21)."""
    return frozenset("\n".join(_names_given_in_those_countries()).split("\n"))


def _names_given_in_those_countries() -> list[str]:
    columns = [Detector.COUNTRIES.index(country) for country in COUNTRIES]
    detector = Detector(case_sensitive=False)
    return [
        name.lower()
        for name, by_gender in detector.names.items()
        if any(column < len(values) and values[column] != " " for values in by_gender.values() for column in columns)
    ]


@lru_cache(maxsize=4096)
def _also_a_word(name: str) -> bool:
    """Whether a first name is also a French word ("cher", "ans", "rose", "pierre"): such a name names a person only
    when written with a capital, or "trop cher" could never be a theme."""
    return simplemma.is_known(name, lang="fr", low_memory=True)


def names_in(tokens: list[str], as_written: Callable[[], list[str]]) -> set[str]:
    """The words of a comment that name a person: first names (those that are also French words only when written
    with a capital: "Rose", not "rose"); the word after a civility; the word after a first name when written with
    a capital ("Kevin Durand", not "Léa adore"). `tokens` are the comment's words lowercased; `as_written` gives
    the same words as written, asked only where a capital decides."""
    given = first_names().intersection(tokens)
    written: list[str] = []
    if any(map(_also_a_word, given)):
        written = as_written()
        capitalised = {token for token, word in zip(tokens, written, strict=True) if word[:1].isupper()}
        given = {name for name in given if name in capitalised or not _also_a_word(name)}
    # Where a name may follow: first names and civilities, which most comments hold none of.
    before_names = given.union(CIVILITIES.intersection(tokens))
    names = set(given)
    if not before_names:
        return names
    for i, token in enumerate(tokens):
        if token not in before_names:
            continue
        # "M. Durand": the civility's full stop stands between them.
        following = i + 2 if token in CIVILITIES and tokens[i + 1 : i + 2] == [""] else i + 1
        if following < len(tokens) and tokens[following].isalpha():
            if token in CIVILITIES:
                names.add(tokens[following])
            elif token in given:
                written = written or as_written()
                if written[following][:1].isupper():
                    names.add(tokens[following])
    return names
