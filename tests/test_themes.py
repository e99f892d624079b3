"""Recurring themes in French comments: what the committee reads under "ce que les gens ont dit"."""

from __future__ import annotations

from pedt_participation.committee import themes
from pedt_participation.committee.themes import Theme, ThemeCounter

# Parents and teenagers, with both apostrophes (’ and ') and elisions.
COMMENTS = [
    "L’aide aux devoirs est indispensable pour nous, parents qui rentrons tard après l’accueil du soir.",
    "Il faudrait plus d'aide aux devoirs après l'école, et des ateliers plus longs.",
    "Les sorties de classe au musée, c’est ce que mes enfants préfèrent. Les devoirs du soir les fatiguent.",
    "Mon fils adore l'atelier théâtre ; une sortie de classe par trimestre serait bien.",
    "La cantine est trop bruyante. Cantine, cantine, cantine, cantine : on mange vite.",
    "Nous, les ados, on voudrait des ateliers jeux vidéo, l’aide aux devoirs au CDI et une cantine plus calme.",
    "Mes enfants aiment les ateliers du mercredi et l’accueil du soir à l’école.",
    "Pour nous, l’aide aux devoirs et les sorties de classe comptent plus que tout.",
]

# By hand, in how many comments (numbered 1 to 8 above):
#   devoirs 1 2 3 6 8 (5): stays beside "aide aux devoirs" (4), which is in fewer comments;
#   aide aux devoirs 1 2 6 8 (4): hides "aide" (same 4 comments);
#   ateliers/atelier 2 4 6 7 (4): "ateliers" written 3 times, "atelier" once;
#   sorties/sortie de classe 3 4 8 (3): hides "sortie" and "classe" (same 3 comments);
#   soir 1 3 7 (3); accueil du soir 1 7 (2): hides "accueil" (2);
#   cantine 5 6 (2): five times in comment 5, counted once; école 2 7 (2), after l' and l’; enfants 3 7 (2).
EXPECTED = [
    Theme("devoirs", 5),
    Theme("aide aux devoirs", 4),
    Theme("ateliers", 4),
    Theme("sorties de classe", 3),
    Theme("soir", 3),
    Theme("accueil du soir", 2),
    Theme("cantine", 2),
    Theme("école", 2),
    Theme("enfants", 2),
]


def counted(texts: list[str], authors: list[int] | None = None) -> ThemeCounter:
    """The comments added one at a time, as the aggregation reads them; each by another person unless `authors`
    says who wrote each."""
    counter = ThemeCounter()
    for text, author_id in zip(texts, authors or range(len(texts)), strict=True):
        counter.add(text, author_id)
    return counter


def phrases(themes: list[Theme]) -> list[str]:
    return [theme.phrase for theme in themes]


def test_top_themes_and_their_comment_counts():
    assert counted(COMMENTS).themes(limit=20) == EXPECTED


def test_an_orientation_merging_its_actions_counts_has_the_themes_of_all_their_comments():
    # "aide aux devoirs" is in comments 1 and 2 of the first action and 6 and 8 of the second.
    first_action, second_action = ThemeCounter(), ThemeCounter()
    for author_id, text in enumerate(COMMENTS[:4]):
        first_action.add(text, author_id)
    for author_id, text in enumerate(COMMENTS[4:], start=4):
        second_action.add(text, author_id)
    orientation = ThemeCounter()
    orientation.merge(first_action)
    orientation.merge(second_action)
    assert orientation.themes(limit=20) == EXPECTED
    assert Theme("aide aux devoirs", 2) in first_action.themes(limit=20)


def test_the_default_limit_keeps_the_five_most_widespread():
    assert counted(COMMENTS).themes() == EXPECTED[:5]


def test_stop_words_never_make_a_theme():
    # "les" is in 5 comments, "nous" and "est" in 3, "pour" in 2: frequent enough, were they not stop-words.
    words = {word for phrase in phrases(counted(COMMENTS).themes(limit=100)) for word in phrase.split()}
    assert words.isdisjoint({"les", "pour", "est", "nous"})


def test_elisions_are_removed_whatever_the_apostrophe():
    themes = phrases(counted(COMMENTS).themes(limit=100, min_authors=1))
    assert "école" in themes
    assert not any("'" in phrase or "’" in phrase for phrase in themes)


def test_an_elided_de_links_a_phrase_and_keeps_its_most_written_apostrophe():
    texts = ["Le temps d’accueil est court.", "Plus de temps d'accueil le matin.", "Temps d’accueil trop long."]
    assert counted(texts).themes(limit=1) == [Theme("temps d’accueil", 3)]


def test_plurals_are_folded_and_shown_in_the_most_written_form():
    texts = ["Plus de jeux de société.", "Un jeu de société le soir.", "Des jeux dehors."]
    # "jeux" written twice, "jeu" once; "jeux de société" and "jeu de société" once each: alphabetical first.
    assert counted(texts).themes() == [Theme("jeux", 3), Theme("jeu de société", 2)]


def test_conjugated_verbs_are_never_themes():
    texts = [
        "Il faudrait un accueil le matin : nos parents travaillent tôt.",
        "Les parents travaillent, il faudrait ouvrir plus tôt.",
        "Mes parents travaillent loin ; il faudrait une garderie.",
        "Ils doivent partir tôt, les parents veulent une garderie.",
    ]
    # Counted by hand: "faudrait" in 3 comments and "travaillent" in 3 would lead without the lemmas.
    assert phrases(counted(texts).themes(limit=20)) == ["parents", "tôt", "garderie"]


def test_words_are_compared_by_lemma_and_shown_as_written_most():
    texts = ["Des travaux dans la cour.", "Les travaux de la cour durent.", "Le travail de la cour est fini."]
    # "travaux" twice and "travail" once are one word (lemma "travail"), shown as people wrote it most.
    assert Theme("travaux", 3) in counted(texts).themes(limit=20)


def test_singular_devoir_is_homework_not_a_stop_word():
    texts = ["Un devoir par soir suffit.", "Trop de devoirs le week-end."]
    assert counted(texts).themes() == [Theme("devoir", 2)]


def test_a_phrase_from_a_single_comment_is_not_a_theme():
    themes = phrases(counted(COMMENTS).themes(limit=100))
    assert "jeux vidéo" not in themes
    assert "atelier théâtre" not in themes
    assert "jeux vidéo" in phrases(counted(COMMENTS).themes(limit=100, min_authors=1))


def test_a_word_repeated_in_one_comment_counts_once():
    assert counted(["Cantine cantine cantine cantine cantine !"]).themes(min_authors=1) == [Theme("cantine", 1)]
    assert counted(["Cantine cantine cantine cantine cantine !", "Rien à dire."]).themes() == []


def test_no_comment_no_theme():
    assert counted([]).themes() == []
    assert counted(["", "   "]).themes() == []


def test_a_theme_needs_as_many_different_authors_as_asked():
    # "aide aux devoirs": comments 1, 2, 6 and 8, written by three people (1 and 2 by the same person).
    authors = [1, 1, 3, 4, 5, 6, 7, 8]
    assert Theme("aide aux devoirs", 4) in counted(COMMENTS, authors).themes(limit=20, min_authors=3)
    assert "aide aux devoirs" not in phrases(counted(COMMENTS, authors).themes(limit=20, min_authors=4))


def test_one_person_repeating_a_phrase_in_many_comments_makes_no_theme():
    texts = ["Il faut une navette scolaire.", "Encore : une navette scolaire !", "Navette scolaire, vite."]
    assert counted(texts, [7, 7, 7]).themes(min_authors=2) == []
    assert phrases(counted(texts, [7, 7, 8]).themes(min_authors=2)) == ["navette scolaire"]


def test_distinct_authors_add_up_when_actions_merge():
    # The same person on two actions counts once for the orientation.
    first_action, second_action, orientation = ThemeCounter(), ThemeCounter(), ThemeCounter()
    first_action.add("Une navette scolaire.", 7)
    second_action.add("La navette scolaire encore.", 7)
    orientation.merge(first_action)
    orientation.merge(second_action)
    assert orientation.themes(min_authors=2) == []
    second_action.add("Oui à la navette scolaire.", 9)
    orientation.merge(second_action)
    assert phrases(orientation.themes(min_authors=2)) == ["navette scolaire"]


def test_a_childs_name_never_becomes_a_theme():
    # The "kevin durand (2)": two adults named a child.
    texts = [
        "Kevin Durand se fait embêter à la cantine.",
        "Il faut protéger kevin durand, la cantine ne fait rien.",
        "La cantine doit surveiller la cour.",
    ]
    themes = phrases(counted(texts).themes(limit=20, min_authors=2))
    assert "cantine" in themes
    assert not any(name in phrase for phrase in themes for name in ("kevin", "durand"))


def test_a_surname_after_a_civility_or_a_capitalised_one_after_a_first_name_is_a_name():
    texts = ["Mme Martineau surveille la cour.", "M. Martineau surveille la cour.", "Léa Bertrand aime la cour."]
    themes = phrases(counted(texts).themes(limit=20, min_authors=2))
    assert "cour" in themes
    assert not any(name in phrase for phrase in themes for name in ("martineau", "bertrand", "léa"))
    # "Léa atelier": a word after a first name, written in lowercase, stays a word.
    assert phrases(counted(["Léa atelier théâtre !", "Tom atelier théâtre !"]).themes()) == ["atelier théâtre"]


def test_a_first_name_that_is_also_a_word_is_a_name_only_when_written_with_a_capital():
    """gender-guesser's first names hold French words ("cher", "ans", "rose"): parents who find the holiday camp
    « trop cher » make a theme, a child called Rose does not."""
    texts = [
        "Le centre de loisirs est trop cher pour nous.",
        "Les stages sportifs sont trop cher, même à 8 ans.",
        "Rose adore la cour, mais c'est cher.",
        "Il faudrait que Rose puisse aller à la cour.",
    ]
    themes = phrases(counted(texts).themes(limit=20, min_authors=2))
    assert "cher" in themes
    assert "cour" in themes
    assert not any("rose" in phrase for phrase in themes)


def test_no_phrase_joins_the_end_of_a_comment_to_the_start_of_the_next():
    # Each comment ends on "navette" and the next starts with "scolaire": no one wrote "navette scolaire".
    texts = ["Il manque une navette", "Scolaire ou pas, il manque une navette", "Scolaire, le bus ? Une navette"]
    themes = phrases(counted(texts).themes(limit=100, min_authors=1))
    assert "navette" in themes
    assert not any(phrase.startswith("navette ") for phrase in themes)


def test_comments_counted_in_several_batches_have_the_themes_of_one(monkeypatch):
    # A large set of comments is counted a few thousand at a time; here one to four at a time, some people
    # writing several comments, so that each comment's author must stay beside it from one batch to the next.
    authors = [1, 1, 3, 1, 5, 3, 7, 1]
    at_once = [counted(COMMENTS, authors).themes(limit=100, min_authors=k) for k in (1, 2, 3)]
    for words in (16, 40, 50, 70):
        monkeypatch.setattr(themes, "_WORDS_COUNTED_AT_ONCE", words)
        assert [counted(COMMENTS, authors).themes(limit=100, min_authors=k) for k in (1, 2, 3)] == at_once
        orientation = ThemeCounter()
        orientation.merge(counted(COMMENTS[:4]))
        orientation.merge(counted(COMMENTS[4:], authors=list(range(4, 8))))
        assert orientation.themes(limit=20) == EXPECTED
