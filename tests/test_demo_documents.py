"""The town's documents read into consultations: structure, OCR fixes, and nothing invented."""

from __future__ import annotations

import re

import pytest

from pedt_participation.demo.documents import DOCUMENTS, correct_ocr, load_demo_documents


@pytest.fixture(scope="module")
def seeds():
    cite, pedt = load_demo_documents()
    return cite, pedt


def _all_text(seed) -> str:
    parts = [seed.title, seed.summary, seed.context]
    for orientation in seed.orientations:
        parts += [orientation.title, orientation.description, orientation.theme or ""]
        parts += [text for action in orientation.actions for text in (action.title, action.body)]
    return "\n".join(parts)


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


def test_cite_educative_has_six_orientations_with_their_examples(seeds):
    cite, _ = seeds
    assert cite.slug == "cite-educative"
    assert [len(o.actions) for o in cite.orientations] == [4, 5, 2, 3, 2, 2]
    assert cite.orientations[0].title == (
        "Favoriser l'implication des parents et les conditions d'exercice de la parentalité par la "
        "co-éducation, la co-construction"
    )
    assert cite.orientations[1].title.startswith(
        "Mettre en œuvre une logique de parcours éducatifs et d’insertion de 0 à 25 ans (travailler"
    )
    assert cite.orientations[5].actions[-1].title.startswith("Promouvoir divers parcours \"de réussite\"")
    assert cite.orientations[2].actions[0].title.endswith("privilégiant les coopérations et l'aller vers")
    assert all(o.theme is None for o in cite.orientations)


def test_cite_educative_context_keeps_the_axes_and_attendance(seeds):
    cite, _ = seeds
    for fact in (
        "AXE 1 : Conforter le rôle de l’école : 10 juin 2021 — 29 personnes",
        "AXE 2 : Promouvoir la continuité éducative : 4 juin 2021 — 40 personnes",
        "AXE 3 : Ouvrir le champ des possibles : 7 juin 2021 — 42 personnes",
        "validées par le comité de pilotage du 25 juin 2021",
    ):
        assert fact in cite.context


def test_ocr_slips_are_fixed_everywhere(seeds):
    for seed in seeds:
        text = _all_text(seed)
        for slip in ("I'", "I’", "ceuvre", "rGle", "Obijectifs", "premiéres", "intérét", "bien-étre", "[bookmark", "·"):
            assert slip not in text, (seed.slug, slip)
        assert not re.search(r"^[»>]", text, flags=re.MULTILINE), seed.slug
    assert "Sensibiliser les parents au bien-être des enfants" in [a.title for a in seeds[0].orientations[0].actions]


def test_ocr_corrections_do_not_touch_the_towns_wording():
    assert correct_ocr("Il a pu contribuer ; I'occasion ; la ceuvre") == "Il a pu contribuer ; l'occasion ; la œuvre"
    assert correct_ocr("Interventions ; a été") == "Interventions ; a été"


def test_pedt_has_four_themes_and_eight_general_objectives(seeds):
    _, pedt = seeds
    themes = list(dict.fromkeys(o.theme for o in pedt.orientations))
    assert themes == [
        "La complémentarité pour un parcours éducatif diversifié et de qualité",
        "L’inclusion et l’accessibilité à tous les publics",
        "La communication aux familles et le soutien à la parentalité",
        "L’accompagnement du public en tant qu’acteur",
    ]
    assert len(pedt.orientations) == 8
    assert [sum(1 for o in pedt.orientations if o.theme == t) for t in themes] == [2, 2, 2, 2]


def test_pedt_operational_objectives_are_actions_with_their_row_effects(seeds):
    _, pedt = seeds
    by_title = {o.title: o for o in pedt.orientations}
    handicap = by_title["Améliorer la coordination des actions autour du handicap ou en faveur des publics aux besoins spécifiques."]
    titles = [a.title for a in handicap.actions]
    assert "Développer les liens avec le Référent social Personnes Handicapées du CCAS." in titles
    # An item without a bullet in the table is still its own action.
    assert "Former les professionnels, notamment grâce au réseau SAIS 92 et sensibiliser l’ensemble des acteurs éducatifs" in titles
    assert handicap.actions[0].body.splitlines()[:2] == [
        "Effets attendus :",
        "- Un meilleur accueil des enfants en situation de handicap.",
    ]

    parents = by_title["Soutenir les familles dans leur rôle de parents."]
    harassment = next(a for a in parents.actions if a.title.startswith("Informer sur la notion de harcèlement"))
    assert harassment.body == (
        "Effets attendus :\n"
        "- Meilleure prise en charge des situations de harcèlement\n"
        "- Emergence de nouvelles pratiques systématisées entre le périscolaire et le scolaire."
    )
    screens = next(a for a in parents.actions if a.title.startswith("Sensibiliser aux conséquences"))
    assert screens.body.startswith("Effets attendus :\n- Diminution du temps d’utilisation des écrans")

    access = by_title["Faciliter l’accès pour tous aux activités."]
    assert access.actions[0].body.endswith("- Augmentation de la culture générale du public")


def test_every_action_comes_from_the_document(seeds):
    sources = {
        "cite-educative": (DOCUMENTS / "cite_educative_orientations.txt").read_text(encoding="utf-8"),
        "pedt": (DOCUMENTS / "pedt_objectifs.txt").read_text(encoding="utf-8"),
    }
    for seed in seeds:
        source = _normalised(correct_ocr(sources[seed.slug])).replace("- ", "").replace("-", "")
        for orientation in seed.orientations:
            for action in orientation.actions:
                assert action.title
                assert _normalised(action.title).replace("- ", "").replace("-", "") in source, action.title
