"""The comments' recurring themes alone, as the summary computes them: `benchmarks/themes.py` counts generated
comments action by action (`ThemeCounter.add`), merges the actions of each orientation, takes each one's themes,
and prints the CPU time of this process for each step and the themes found, so that two versions of the code can
be compared on the same corpus (same themes, less time).

The corpus is made here, not read from the bench's database: that one repeats the few hundred texts of `simulate`,
while people's comments are mostly distinct. These are sentences assembled at random (fixed seed) from parts that
name the things a PEDT's comments speak of, with the long tail of rarer words that real text has, and a person
named now and then (first names, civilities), so that every rule of the themes is exercised."""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pedt_participation.committee.themes import ThemeCounter, read_word_lists  # noqa: E402
from pedt_participation.demo.services import _comment_text as simulated_comment  # noqa: E402

ACTIONS_PER_ORIENTATION = 5
THEMES_PER_ACTION, THEMES_PER_ORIENTATION = 5, 8  # as the summary shows them

OPENINGS = (
    "Je trouve que", "À mon avis,", "En tant que parent,", "Franchement,", "Pour les jeunes du quartier,", "Bonjour,",
    "Mon fils trouve que", "Ma fille dit que", "Nous pensons que", "Comme maman de trois enfants,", "Honnêtement,",
    "Au collège,", "Le mercredi,", "Depuis la rentrée,", "",
)
SUBJECTS = (
    "l’aide aux devoirs", "la cantine", "les ateliers du mercredi", "la sortie de classe", "l’accueil du soir",
    "le périscolaire", "la navette scolaire", "la bibliothèque", "le centre de loisirs", "les activités sportives",
    "la piscine municipale", "le conseil des jeunes", "les écrans", "le harcèlement", "la médiation avec l’école",
    "les transports", "le club de théâtre", "les vacances scolaires", "la garderie du matin", "le soutien scolaire",
    "les jeux de société", "la cour de récréation", "le collège", "les familles", "les animateurs", "les horaires",
    "les tarifs", "le quartier", "l'atelier musique", "le sport", "les associations", "l'accueil du matin",
    "les devoirs", "le temps d’accueil", "la ludothèque", "les stages de vacances", "le city stade",
    "l'espace jeunes", "les sorties culturelles", "la maison de quartier",
)
PREDICATES = (
    "manque de places", "est trop cher", "devrait ouvrir plus tôt", "fonctionne bien", "est trop bruyant",
    "mérite plus de moyens", "doit rester gratuit", "aide beaucoup les enfants", "commence trop tard",
    "n’est pas adapté aux petits", "répond à un vrai besoin des familles", "il faudrait des horaires adaptés",
    "on manque d’informations", "les jeunes doivent être associés", "c’est important pour tout le monde",
    "ferme trop tôt le soir", "n'existe pas dans notre quartier", "devrait accueillir les enfants en situation de handicap",
    "serait mieux avec des animateurs formés", "change tout pour les parents qui travaillent",
)
ENDINGS = (".", ", merci.", " !", ", c’est urgent.", ", à suivre.", "...", " ?", ". Merci d'avance.")
ADDITIONS = (
    "surtout le mercredi", "pour les familles monoparentales", "au centre-ville", "le samedi matin",
    "pendant les vacances", "avec les grands-parents", "près de la gare", "sans voiture", "après l'école",
    "le soir après 18 h", "en hiver", "pour les 11-15 ans",
)
PEOPLE = (
    "Kevin Durand", "Mme Martin", "M. Bernard", "Léa", "Inès Haddad", "Yanis", "Chloé Petit", "madame Lefèvre",
    "Monsieur Garcia", "Mohamed", "Camille Roux", "Nathan",
)
# The long tail: words a few comments use each, seldom the same next to each other.
RARE_WORDS = (
    "trottinette", "skatepark", "potager", "échecs", "origami", "robotique", "chorale", "escalade", "poney",
    "cirque", "slam", "graffiti", "codage", "jardinage", "astronomie", "photographie", "boxe", "danse", "cuisine",
    "couture", "menuiserie", "théâtre", "lecture", "calligraphie", "judo", "natation", "radio", "journal", "vélo",
    "randonnée", "podcast", "manga", "tricot", "poterie", "sculpture", "magie", "improvisation", "basket", "rugby",
    "handball", "ping-pong", "badminton", "yoga", "secourisme", "numérique", "cinéma", "philosophie", "débat",
)


def comment(rng: random.Random) -> str:
    """One to three sentences, now and then naming someone or a rarer activity."""
    sentences = []
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        words = [rng.choice(OPENINGS), rng.choice(SUBJECTS), rng.choice(PREDICATES)]
        if rng.random() < 0.4:
            words.append(rng.choice(ADDITIONS))
        if rng.random() < 0.5:
            words.insert(2, f"et le {rng.choice(RARE_WORDS)} avec un peu de {rng.choice(RARE_WORDS)}")
        if rng.random() < 0.05:
            words.append(f"comme le dit {rng.choice(PEOPLE)}")
        sentence = " ".join(word for word in words if word) + rng.choice(ENDINGS)
        sentences.append(sentence[0].upper() + sentence[1:])
    return " ".join(sentences)


def corpus(comments: int, actions: int, seed: int, *, like_simulate: bool) -> list[tuple[int, str, int | None]]:
    """(action, text, author) of each comment; a tenth of the authors unknown (accounts deleted). With
    `like_simulate`, the texts of `simulate`, which the bench's database holds."""
    rng = random.Random(seed)
    authors = max(comments // 3, 1)
    write = simulated_comment if like_simulate else comment
    return [
        (rng.randrange(actions), write(rng), None if rng.random() < 0.1 else rng.randrange(authors))
        for _ in range(comments)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="benchmarks/themes.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--actions", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--min-authors", type=int, default=5, help="the consultation's k (5 by default)")
    parser.add_argument("--like-simulate", action="store_true", help="the few texts of `simulate` instead")
    parser.add_argument("--dump", type=Path, help="write every theme of each action and orientation there (JSON)")
    arguments = parser.parse_args()
    comments = corpus(arguments.comments, arguments.actions, arguments.seed, like_simulate=arguments.like_simulate)
    print(f"{len(comments):,} comments, {len({text for _action, text, _author in comments}):,} distinct texts,"
          f" {arguments.actions} actions")

    began = time.process_time()
    read_word_lists()
    print(f"word lists loaded (as a worker does when it starts): {time.process_time() - began:.2f} s CPU")

    began = time.process_time()
    counters = [ThemeCounter() for _ in range(arguments.actions)]
    for action, text, author in comments:
        counters[action].add(text, author)
    for counter in counters:
        counter.count_added()  # as the summary's thread does (`comment_figures.count_themes`)
    counted = time.process_time() - began

    began = time.process_time()
    places = {f"action {action}": (counter, THEMES_PER_ACTION) for action, counter in enumerate(counters)}
    for first in range(0, arguments.actions, ACTIONS_PER_ORIENTATION):
        orientation = ThemeCounter()
        for counter in counters[first : first + ACTIONS_PER_ORIENTATION]:
            orientation.merge(counter)
        places[f"orientation {first // ACTIONS_PER_ORIENTATION}"] = (orientation, THEMES_PER_ORIENTATION)
    themes = {place: counter.themes(limit, arguments.min_authors) for place, (counter, limit) in places.items()}
    chosen = time.process_time() - began

    print(f"counted: {counted:.2f} s CPU ({counted / len(comments) * 1e6:.1f} µs a comment);"
          f" merged and chosen: {chosen:.2f} s CPU")
    found = {place: [(theme.phrase, theme.comments) for theme in chosen_themes] for place, chosen_themes in themes.items()}
    print("themes digest:", hashlib.sha256(json.dumps(found, ensure_ascii=False).encode()).hexdigest()[:16])
    for place in ("action 0", "orientation 0"):
        print(f"  {place}: " + "; ".join(f"{phrase} ({count})" for phrase, count in found[place]))
    if arguments.dump:
        every = {
            f"{place}, at least {authors} authors": [(theme.phrase, theme.comments) for theme in counter.themes(10**9, authors)]
            for place, (counter, _limit) in places.items()
            for authors in (1, arguments.min_authors)
        }
        arguments.dump.write_text(json.dumps(every, ensure_ascii=False, indent=0))


if __name__ == "__main__":
    main()
