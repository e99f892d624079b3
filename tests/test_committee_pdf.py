"""The summary's PDF read by a person: charts whose legends leave the bars alone, whose axes count whole people in
the reader's way of writing numbers, and which give way to a sentence when every figure is withheld; headers over
their columns; no empty section; no comment rated down quoted among the most supported; two summaries of the same
minute told apart. Rendered-text checks with pypdf, charts inspected as SVG; the first page saved as a PNG."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdfium2
import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from pedt_participation.committee import charts, services
from pedt_participation.committee.aggregation import cell
from pedt_participation.committee.disclosure import Disclosure
from pedt_participation.extensions import db
from pedt_participation.models import (
    AgeBracket,
    Alignment,
    Audience,
    Comment,
    CommentRating,
    Grade,
    Role,
    SummaryFileKind,
    SummaryStatus,
    Vote,
    VoteKind,
    utcnow,
)
from tests.helpers import build_summary_now, login, make_consultation, make_participant, page_text

K = 5


def partition(counts: dict, k: int) -> dict:
    """One table with its total, protected as the summary protects its tables."""
    figures = Disclosure(k)
    table = figures.table(("table",), {name: (("table", name), count) for name, count in counts.items()})
    figures.protect(max_rounds=50)
    return table


def _orientation(*supports: tuple[int, int]) -> dict:
    return {"actions": [
        {"title": f"Action {index}", "supports": {"by_channel": partition({"online": online, "paper": paper}, K)}}
        for index, (online, paper) in enumerate(supports)
    ]}


def _plot_area(svg: str) -> tuple[float, float]:
    """Top and bottom of the axes (matplotlib clips the bars to this rectangle)."""
    x, y, width, height = (float(v) for v in re.search(
        r'<clipPath id="[^"]+">\s*<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', svg).groups())
    return y, y + height


def _texts(svg: str, group: str) -> list[tuple[float, str]]:
    """(y, text) of the texts inside the SVG group `group` (e.g. legend_1)."""
    start = svg.index(f'<g id="{group}">')
    return [(float(y), text) for y, text in re.findall(r'<text [^>]*y="([-\d.]+)"[^>]*>([^<]*)</text>', svg[start:])]


def _tick_labels(svg: str) -> list[str]:
    return [text for _y, text in re.findall(r'<g id="(?:xtick|ytick)_\d+">.*?<text [^>]*y="([-\d.]+)"[^>]*>([^<]*)</text>', svg, re.S)]


def test_the_legend_sits_outside_the_bars_of_an_orientation_of_two_actions(app):
    with app.test_request_context():
        svg = charts.supports_chart(_orientation((12, 3), (9, 6)))
    top, bottom = _plot_area(svg)
    legend = _texts(svg, "legend_1")
    assert {text for _y, text in legend} >= {"En ligne", "Sur papier (ateliers)"}
    assert all(y < top or y > bottom for y, _text in legend)


def test_a_chart_whose_every_figure_is_withheld_is_not_drawn(app):
    with app.test_request_context():
        assert charts.supports_chart(_orientation((2, 1), (3, 0))) is None
        weeks = {"new_participants_by_week": partition({"2026-11-02": 2, "2026-11-09": 3}, K)}
        assert charts.participation_chart(weeks) is None
        assert charts.audience_chart({"by_audience": partition({a.value: 1 for a in Audience}, K)}) is None


def test_axes_count_whole_people_in_the_readers_numbers(app):
    weeks = {"new_participants_by_week": {"parts": {"2026-11-02": cell(1, 1), "2026-11-09": cell(0, 1)}}}
    with app.test_request_context(), force_locale("fr"):
        few = charts.participation_chart(weeks)
        many = charts.supports_chart(_orientation((12_000, 400), (9_000, 800)))
    labels = _tick_labels(few)
    # No 0.2 participant, no English decimal point.
    assert "." not in "".join(labels) and "1" in labels
    # Thousands as French writes them: 1 500, not 1500 or 1,500.
    assert any(re.fullmatch(r"\d{1,3}[\u202f\u00a0]\d{3}", label) for label in _tick_labels(many))
    # The weekly chart's axis says what its dates are, without a sentence cut after "le".
    assert "commençant le" not in few and "Semaine (date du lundi)" in few


@pytest.mark.parametrize(
    ("language", "words", "thousands", "day"),
    [
        ("en", ("Supports", "Online", "On paper (workshops)", "New participants", "Week (Monday's date)",
                "Share of grades (%)"), "12,400", "11/2"),
        ("ar", ("أصوات الدعم", "عبر الإنترنت", "على الورق (الورشات)", "المشاركون الجدد", "الأسبوع (تاريخ يوم الاثنين)",
                "نسبة التقديرات (%)"), "12,400", "2/11"),
        ("fr", ("Soutiens", "En ligne", "Sur papier (ateliers)", "Nouveaux participants", "Semaine (date du lundi)",
                "Part des mentions (%)"), "12\u202f400", "02/11"),
    ],
)
def test_charts_are_written_in_the_language_of_the_summary_being_read(app, language, words, thousands, day):
    """Titles, axes, legends, numbers and dates: the page's charts in the reader's language, the PDF's in French."""
    weeks = {"new_participants_by_week": {"parts": {"2026-11-02": cell(7, 1), "2026-11-09": cell(3, 1)}}}
    with app.test_request_context(), force_locale(language):
        supports = charts.supports_chart(_orientation((12_000, 400), (9_000, 800)))
        participation = charts.participation_chart(weeks)
        judgment = charts.merit_profiles_chart({"actions": [_judged("Action", 5)]})
    drawn = html.unescape(supports + participation + judgment)
    assert [word for word in words if word not in drawn] == []
    assert thousands in html.unescape(supports)
    assert day in html.unescape(participation)
    if language != "fr":
        assert not any(french in drawn for french in ("Soutiens", "En ligne", "Semaine", "Part des mentions", "Masqué"))


def _judged(title: str, judges: int) -> dict:
    """An action graded by `judges` people, one grade each from the lowest up."""
    grades = {grade.value: 1 if grade.value < judges else 0 for grade in Grade}
    return {"title": title, "majority_judgment": partition(grades, 1)}


@pytest.fixture
def quiet_consultation():
    """Two actions per orientation; four supports only (under k = 5), one commented action whose best comment "pour"
    is rated down, and another on which five people wrote of a nursery in conjugated verbs."""
    consultation = make_consultation(slug="calme", orientations=2, actions_per_orientation=2, k_anonymity=K)
    action = consultation.orientations[0].actions[0]
    people = [make_participant() for _ in range(4)]
    for person in people:
        db.session.add(Vote(participant_id=person.id, action_id=action.id, kind=VoteKind.SUPPORT, value=1))
    comment = Comment(action_id=action.id, author_id=people[0].id, body="Un avis que les autres ont désapprouvé",
                      alignment=Alignment.POUR)
    db.session.add(comment)
    db.session.flush()
    db.session.add(CommentRating(comment_id=comment.id, participant_id=people[1].id, value=-1))
    # The five authors: four of a kind and a fifth apart, of another audience, age and week (two weeks before:
    # the newest week, under k, is counted with the one before it), so that no group of participants reaches k and
    # the participation charts stay withheld.
    authors = [*people, make_participant(audience=Audience.PROFESSIONAL, age_bracket=AgeBracket.FROM_40_TO_59)]
    for author, body in zip(authors, (
        "Il faudrait une garderie : nos parents travaillent tôt.", "Les parents travaillent, il faudrait une garderie.",
        "Mes parents travaillent loin ; il faudrait une garderie.", "Il faudrait une garderie, ils travaillent.",
        "Une garderie, il faudrait : mes parents travaillent.",
    ), strict=True):
        db.session.add(Comment(action_id=consultation.orientations[0].actions[1].id, author_id=author.id, body=body,
                               alignment=Alignment.POUR,
                               created_at=utcnow() - timedelta(days=14 if author is authors[-1] else 0)))
    db.session.commit()
    return consultation


def _first_page_png(pdf: bytes) -> Path:
    """The first page as a PNG for a person to look at, under build/ (not in git), drawn by PDFium."""
    folder = Path(__file__).parents[1] / "build" / "test-pdf"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "summary.pdf").write_bytes(pdf)
    document = pypdfium2.PdfDocument(pdf)
    try:
        document[0].render(scale=100 / 72).to_pil().save(folder / "first-page.png")
    finally:
        document.close()
    return folder / "first-page.png"


def test_the_pdf_reads_well_for_a_person_and_is_tagged_for_a_screen_reader(quiet_consultation):
    summary = build_summary_now(quiet_consultation)
    content = services.summary_file(summary, SummaryFileKind.PDF)
    reader = PdfReader(io.BytesIO(content))
    # PDF/UA-1: a structure tree, marked content, the document's language and its title shown.
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert catalog["/StructTreeRoot"]["/Type"] == "/StructTreeRoot"
    assert catalog["/Lang"] == "fr" and bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert "pdfuaid:part" in catalog["/Metadata"].get_object().get_data().decode()
    assert reader.metadata.title.startswith("Synthèse pour le comité de pilotage")
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Pas de graphique : tous ses nombres sont cachés (« < 5 » ou « masqué », voir la méthode)." in text
    # An orientation without a comment says so under its heading, rather than nothing.
    assert "Aucun commentaire n’a été publié sur les actions de cette orientation." in text
    # A comment rated −1 is not among "the most supported".
    assert "Un avis que les autres ont désapprouvé" not in text
    # Themes are words compared by their lemma: « faudrait » and « travaillent », in every comment, are not themes.
    themes = re.findall(r"Thèmes(?: qui reviennent dans les commentaires)? : ([^.]*)\.", text)
    assert len(themes) == 2 and all(listed.startswith("garderie (5") for listed in themes)
    assert not any("faudrait" in listed or "travaill" in listed for listed in themes)

    # The "Action" header of the opinions table starts on the left, where its caption and the titles start.
    lines: list[tuple[str, float]] = []
    for page in reader.pages:
        page.extract_text(
            visitor_text=lambda text, _cm, matrix, _font, _size: lines.append((text, matrix[4])) if text.strip() else None
        )
    # Its header row: "Action" then "Pour" (one piece of text, or two in the tagged PDF).
    header_x = [
        x for (text, x), (following, _x) in zip(lines, lines[1:], strict=False)
        if text.startswith("Action Pour") or (text.strip() == "Action" and following.startswith("Pour"))
    ]
    caption_x = [x for text, x in lines if text.startswith("Avis par action")]
    assert header_x and caption_x
    assert all(abs(header - caption_x[0]) < 8 for header in header_x)

    assert _first_page_png(content).stat().st_size > 1_000


def test_what_to_remember_holds_on_the_first_page_of_a_large_consultation():
    """Eight orientations whose three leading actions have long titles, as the demo's PEDT has them: « Ce qu'il faut
    retenir » is still one page, the cover on the next."""
    consultation = make_consultation(slug="longue", orientations=8, actions_per_orientation=3, k_anonymity=K)
    people = [make_participant() for _ in range(12)]
    for orientation in consultation.orientations:
        for supporters, action in zip((12, 9, 6), orientation.actions, strict=True):
            action.title = f"{action.title} : développer avec les partenaires du territoire un accueil " + "et " * 20 + "fin"
            for person in people[:supporters]:
                db.session.add(Vote(participant_id=person.id, action_id=action.id, kind=VoteKind.SUPPORT, value=1))
    db.session.commit()
    reader = PdfReader(io.BytesIO(services.summary_file(build_summary_now(consultation), SummaryFileKind.PDF)))
    first, second = (" ".join(page.extract_text().split()) for page in reader.pages[:2])
    assert first.count("En tête : ") == 8 and first.count("Aucune réponse officielle donnée ; 3 encore attendues.") == 8
    assert second.startswith("Synthèse pour le comité de pilotage")


def test_two_summaries_of_the_same_minute_are_told_apart(client, quiet_consultation):
    first, second = services.queue_summary(quiet_consultation), services.queue_summary(quiet_consultation)
    first.created_at = datetime(2026, 12, 6, 10, 15, 3, tzinfo=UTC)
    second.created_at = datetime(2026, 12, 6, 10, 15, 41, tzinfo=UTC)
    for summary, second_finished in ((first, 20), (second, 55)):
        summary.status, summary.finished_at = SummaryStatus.DONE, datetime(2026, 12, 6, 10, 16, second_finished, tzinfo=UTC)
    db.session.commit()
    login(client, make_participant(role=Role.COMMITTEE))
    page = client.get("/comite/calme").get_data(as_text=True)
    history = page_text(client.get("/comite/calme"))
    # In the town's time (Paris, an hour ahead in December), to the second.
    assert "11:15:03" in history and "11:15:41" in history
    # The lists to compare two of them name them by the moment each was finished, to the second too.
    for name in ("older", "newer"):
        select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
        options = [html.unescape(text) for text in re.findall(r"<option[^>]*>([^<]*)</option>", select)]
        assert len(options) == 2 and "11:16:55" in options[0] and "11:16:20" in options[1]
