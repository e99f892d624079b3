"""Committee summaries end to end: asked for on the committee page, built by a real Celery worker,
downloaded (PDF, CSV, JSON), compared, scheduled and e-mailed through a real SMTP server, and built by
the CLI from the seeded consultations."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from flask import current_app
from sqlalchemy import func, select

from pedt_participation.committee import charts, services
from pedt_participation.extensions import db
from pedt_participation.models import (
    AgeBracket,
    Audience,
    CommitteeSummary,
    CommitteeSummaryFile,
    Orientation,
    Role,
    SummaryStatus,
    SummaryTrigger,
    Vote,
    VoteKind,
    utcnow,
)
from tests.conftest import WORKER_PUBLIC_URL
from tests.helpers import (
    login,
    make_consultation,
    make_participant,
    page_text,
    pdf_pages,
    task_result,
    wait_for_messages,
    wait_until,
)


@pytest.fixture
def consultation():
    consultation = make_consultation(slug="comite", orientations=3, actions_per_orientation=2)
    consultation.orientations[0].title = "Soutenir les parents dans leur rôle"
    consultation.orientations[0].actions[0].title = "=HYPERLINK(\"http://exemple.fr\")"  # CSV injection attempt
    voters = [make_participant() for _ in range(6)] + [
        make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_18_TO_25) for _ in range(5)
    ]
    for voter in voters:
        db.session.add(Vote(participant_id=voter.id, action_id=consultation.orientations[0].actions[1].id,
                            kind=VoteKind.SUPPORT, value=1))
    db.session.commit()
    return consultation


@pytest.fixture
def committee_member():
    return make_participant(role=Role.COMMITTEE, email="comite@exemple.fr", display_name="Mme Durand")


def _status(summary_id):
    return db.session.get(CommitteeSummary, summary_id).status


def _build_here(summary: CommitteeSummary) -> CommitteeSummary:
    """The task's own steps, in this process, for tests about what comes after the build."""
    claimed = services.claim_summary(summary.id)
    services.build_summary(claimed, lambda progress: None)
    db.session.commit()
    return claimed


def test_a_summary_asked_for_on_the_page_is_built_by_the_worker(client, consultation, committee_member, start_worker):
    login(client, committee_member)
    response = client.post("/comite/comite/syntheses")
    assert response.status_code == 303
    summary = db.session.scalar(select(CommitteeSummary))
    assert response.headers["Location"].endswith(f"/comite/syntheses/{summary.id}")
    assert summary.status == SummaryStatus.QUEUED  # committed before the task was sent
    assert "Synthèse en préparation" in page_text(client.get(f"/comite/syntheses/{summary.id}"))

    start_worker()
    wait_until(lambda: _status(summary.id) == SummaryStatus.DONE, message="the summary was not built")
    summary = db.session.get(CommitteeSummary, summary.id)
    assert summary.progress == 100 and summary.attempts == 1 and summary.error == ""
    assert client.get(f"/comite/syntheses/{summary.id}/etat").json["status"] == "done"

    page = page_text(client.get(f"/comite/syntheses/{summary.id}"))
    assert "Soutenir les parents dans leur rôle" in page and "Participants en ligne 11" in page

    pdf = client.get(f"/comite/syntheses/{summary.id}/synthese.pdf")
    assert pdf.mimetype == "application/pdf" and "Content-Length" not in pdf.headers  # streamed
    assert "attachment" in pdf.headers["Content-Disposition"]
    text = " ".join(pdf_pages(pdf.get_data()))
    for orientation in consultation.orientations:
        assert orientation.title in text
    assert "Sommaire" in text and "Méthode" in text

    rows = list(csv.reader(io.StringIO(client.get(f"/comite/syntheses/{summary.id}/synthese.csv").get_data()
                                       .decode("utf-8-sig")), delimiter=";"))
    header, *actions = rows
    assert len(actions) == 6
    by_title = {row[header.index("Action")]: row for row in actions}
    supported = by_title[consultation.orientations[0].actions[1].title]
    assert supported[header.index("Soutiens")] == "11" and supported[header.index("Rang (soutiens)")] == "1"
    assert supported[header.index("Soutiens : Parent")] == "6"
    assert supported[header.index("Soutiens : Jeune (11 à 25 ans)")] == "5"
    assert supported[header.index("Soutiens sur papier")] == "0"
    assert by_title["'=HYPERLINK(\"http://exemple.fr\")"][header.index("Soutiens")] == "0"  # not run as a formula

    download = client.get(f"/comite/syntheses/{summary.id}/synthese.json")
    assert "Content-Length" not in download.headers  # streamed
    data = download.json
    assert data == json.loads(json.dumps(summary.data))
    assert data["participation"]["participants"]["value"] == 11


def test_running_the_task_again_changes_nothing(consultation, committee_member, start_worker):
    summary = services.queue_summary(consultation, requested_by=committee_member)
    db.session.commit()
    start_worker()
    wait_until(lambda: _status(summary.id) == SummaryStatus.DONE)
    finished_at = db.session.get(CommitteeSummary, summary.id).finished_at

    result = current_app.extensions["celery"].send_task(services.BUILD_TASK, args=[summary.id])
    assert task_result(result) == "nothing to do"
    db.session.expire_all()
    again = db.session.get(CommitteeSummary, summary.id)
    assert (again.status, again.attempts, again.finished_at) == (SummaryStatus.DONE, 1, finished_at)
    assert db.session.scalar(select(func.count()).select_from(CommitteeSummaryFile)) == 3  # PDF, CSV and XLSX
    assert db.session.scalar(select(func.count()).select_from(CommitteeSummary)) == 1


def test_a_running_summary_is_taken_over_only_once_its_worker_is_surely_dead(consultation, committee_member):
    """A worker killed mid-build leaves the row `running`: a re-delivered task waits while the first build may
    still be alive (within the time limit), then takes it over and builds it."""
    summary = services.queue_summary(consultation, requested_by=committee_member)
    started = utcnow()
    services.claim_summary(summary.id, now=started)
    db.session.commit()
    time_limit = timedelta(seconds=current_app.config["SUMMARY_BUILD_TIME_LIMIT_SECONDS"])

    with pytest.raises(services.SummaryBeingBuilt) as busy:
        services.claim_summary(summary.id, now=started + time_limit - timedelta(seconds=30))
    assert 30 <= busy.value.seconds_left <= 32

    claimed = services.claim_summary(summary.id, now=started + time_limit + timedelta(seconds=1))
    services.build_summary(claimed, lambda progress: None)
    db.session.commit()
    assert (claimed.status, claimed.attempts) == (SummaryStatus.DONE, 2)
    assert services.claim_summary(summary.id) is None


def test_a_failed_build_says_why_and_can_be_sent_again(client, consultation, committee_member, start_worker):
    summary = services.queue_summary(consultation, requested_by=committee_member)
    db.session.commit()
    db.session.delete(consultation)  # deleted while the summary waited for the worker
    db.session.commit()
    start_worker()
    wait_until(lambda: _status(summary.id) == SummaryStatus.FAILED)
    summary = db.session.get(CommitteeSummary, summary.id)
    assert "La consultation de cette synthèse a été supprimée" in summary.error
    assert summary.consultation_id is None and summary.data is None

    login(client, committee_member)
    page = page_text(client.get(f"/comite/syntheses/{summary.id}"))
    assert "Échec" in page and "a été supprimée" in page and "Relancer la construction" in page
    assert client.get(f"/comite/syntheses/{summary.id}/synthese.pdf").status_code == 404

    # Sent again from its page: the worker takes it up a second time (and, the cause remaining, fails again).
    assert client.post(f"/comite/syntheses/{summary.id}/relancer").status_code == 303
    wait_until(lambda: db.session.get(CommitteeSummary, summary.id).attempts == 2
               and _status(summary.id) == SummaryStatus.FAILED)


def test_a_summary_just_queued_is_not_sent_twice(client, consultation, committee_member):
    summary = services.queue_summary(consultation, requested_by=committee_member)
    db.session.commit()
    login(client, committee_member)
    page = page_text(client.get(f"/comite/syntheses/{summary.id}"))
    assert "Relancer la construction" not in page
    response = client.post(f"/comite/syntheses/{summary.id}/relancer", follow_redirects=True)
    assert "déjà prête ou en cours de construction" in page_text(response)

    summary.created_at = utcnow() - timedelta(minutes=5)  # the worker never came
    db.session.commit()
    page = page_text(client.get(f"/comite/syntheses/{summary.id}"))
    assert "attend depuis plus de deux minutes" in page and "Relancer la construction" in page


def test_the_schedule_queues_each_snapshot_once(consultation):
    consultation.weekly_summaries = True
    other = make_consultation(slug="sans-calendrier", summary_at_closing=False)
    db.session.commit()
    now = utcnow()

    queued = services.queue_scheduled_summaries(now)
    db.session.commit()
    assert [(s.consultation_id, s.trigger) for s in queued] == [(consultation.id, SummaryTrigger.WEEKLY)]
    # An hour later, or earlier when later is already next week (the test may run late on a Sunday).
    same_week = now + timedelta(hours=1)
    if same_week.isocalendar()[:2] != now.isocalendar()[:2]:
        same_week = now - timedelta(hours=1)
    assert services.queue_scheduled_summaries(same_week) == []  # same week: nothing new
    assert len(services.queue_scheduled_summaries(now + timedelta(days=7))) == 1  # next week

    after_closing = consultation.voting_close_at + timedelta(minutes=5)
    closing = services.queue_scheduled_summaries(after_closing)
    assert [(s.trigger, s.period) for s in closing] == [(SummaryTrigger.CLOSING, "closing")]
    assert services.queue_scheduled_summaries(after_closing + timedelta(days=8)) == []
    db.session.commit()
    assert not services.summaries_of(other)


def test_a_scheduled_summary_reaches_the_committee_by_email(
    app, consultation, committee_member, smtp_server, start_worker, monkeypatch
):
    _port, inbox = smtp_server
    second_member = make_participant(role=Role.COMMITTEE, email="elu@exemple.fr")
    make_participant(email="parent@exemple.fr")  # not on the committee
    consultation.weekly_summaries = True
    db.session.commit()
    start_worker()

    # What beat sends; the worker queues the snapshot, builds it, then e-mails it.
    current_app.extensions["celery"].send_task("pedt.committee.queue_scheduled_summaries")

    [(recipients, message)] = wait_for_messages(inbox, 1, seconds=90)
    assert sorted(recipients) == sorted([committee_member.email, second_member.email])
    assert "elu@exemple.fr" not in message["To"]  # members do not see each other's address
    assert "Synthèse de la consultation « Consultation comite »" in str(make_header(decode_header(message["Subject"])))
    text_part, pdf_part = message.get_payload()
    body = text_part.get_payload(decode=True).decode("utf-8")
    assert "Chiffres clés" in body and "- Participants en ligne : 11" in body
    assert "Soutenir les parents dans leur rôle" in body  # leading action per orientation
    summary = wait_until(lambda: db.session.scalar(select(CommitteeSummary).where(CommitteeSummary.emailed_at.isnot(None))))
    assert f"{WORKER_PUBLIC_URL}/comite/syntheses/{summary.id}" in body
    assert pdf_part.get_content_type() == "application/pdf"
    assert pdf_part.get_filename().startswith("synthese-comite-")
    assert "Soutenir les parents dans leur rôle" in " ".join(pdf_pages(pdf_part.get_payload(decode=True)))

    # Beat runs again the same week: no second snapshot, no second e-mail.
    task_result(current_app.extensions["celery"].send_task("pedt.committee.queue_scheduled_summaries"))
    assert db.session.scalar(select(func.count()).select_from(CommitteeSummary)) == 1
    assert len(inbox.messages) == 1


def test_the_cli_writes_the_three_files_for_the_seeded_consultation(runner, tmp_path):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["simulate", "--participants", "40"]).exit_code == 0
    # The demo's smaller consultation: its figures are protected in a fifth of the PEDT's time.
    result = runner.invoke(args=["report", "build", "--consultation", "cite-educative", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert data["participation"]["participants"]["value"] > 0
    orientations = db.session.scalars(
        select(Orientation.title).where(Orientation.consultation_id == data["consultation"]["id"])
    ).all()
    assert len(orientations) == len(data["orientations"]) > 0
    text = " ".join(" ".join(pdf_pages((tmp_path / "summary.pdf").read_bytes())).split())
    for title in orientations:
        assert " ".join(title.split())[:40] in text
    # Forty people leave many actions too few votes to detail without showing a small group: the summary gives
    # their figures as their pages do, leaves their breakdowns out, and says so, rather than refused.
    actions = [action for orientation in data["orientations"] for action in orientation["actions"]]
    assert any(not action["opinions"]["detailed"] for action in actions)
    assert "Pas de détail : trop peu" in text
    raw = (tmp_path / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the accents right
    # Read back, every row gives the figures of its action as the JSON has them.
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    actions = [(o, a) for o in data["orientations"] for a in o["actions"]]
    assert len(rows) == len(actions)
    for row, (orientation, action) in zip(rows, actions, strict=True):
        assert (row["Orientation"], row["Action"]) == (orientation["title"], action["title"])
        # Numbers only: a withheld count is an empty cell, named in the row's status column.
        for column, part in (("Soutiens", action["supports"]["by_channel"]["total"]),
                             ("Pour", action["opinions"]["parts"]["pour"])):
            assert row[column] == ("" if part["value"] is None else str(part["value"]))
            assert (f"{column} : {part['display']}" in row["Nombres masqués"]) == (part["value"] is None)
        assert row["Commentaires contre"] == str(action["comments"]["contre"])

    unknown = runner.invoke(args=["report", "build", "--consultation", "inconnue", "--out", str(tmp_path)])
    assert unknown.exit_code != 0 and "Aucune consultation « inconnue »" in unknown.output


def test_comparing_two_snapshots_shows_what_changed(client, consultation, committee_member):
    before = _build_here(services.queue_summary(consultation))
    action = consultation.orientations[0].actions[1]
    for voter in [make_participant() for _ in range(3)]:
        db.session.add(Vote(participant_id=voter.id, action_id=action.id, kind=VoteKind.SUPPORT, value=1))
    db.session.commit()
    after = _build_here(services.queue_summary(consultation))

    login(client, committee_member)
    history = page_text(client.get("/comite/comite"))
    assert "Ce qui a changé entre deux synthèses" in history
    page = page_text(client.get(f"/comite/comite/comparer?older={before.id}&newer={after.id}"))
    assert f"{action.title} 11 14 +3 1 → 1" in page
    assert "Participants en ligne : 11, puis 14 (+3)" in page

    # A snapshot of another consultation cannot be slipped into this comparison.
    other = _build_here(services.queue_summary(make_consultation(slug="autre")))
    assert client.get(f"/comite/comite/comparer?older={other.id}&newer={after.id}").status_code == 404


def test_committee_schedule_form(client, consultation, committee_member):
    login(client, committee_member)
    response = client.post("/comite/comite/calendrier", data={"weekly_summaries": "y"})
    assert response.status_code == 303
    db.session.refresh(consultation)
    assert consultation.weekly_summaries is True and consultation.summary_at_closing is False
    assert "Le calendrier des synthèses est enregistré" in page_text(client.get("/comite/comite"))


def test_titles_with_dollar_signs_are_drawn_as_written(client, consultation, committee_member):
    """Matplotlib reads text between two `$` as mathematics: a title must never be, or one action's title
    (`$\\nope$` is an unknown command) would break every summary of its consultation."""
    first, second = consultation.orientations[0].actions
    first.title = r"Atelier $\nope$ du mercredi"
    second.title = "Sortie à 5 $ ou 10 $ par enfant"
    db.session.commit()
    summary = _build_here(services.queue_summary(consultation, requested_by=committee_member))
    assert (summary.status, summary.error) == (SummaryStatus.DONE, "")

    orientation = summary.data["orientations"][0]
    for chart in (charts.supports_chart(orientation), charts.merit_profiles_chart(orientation)):
        assert r"Atelier $\nope$ du mercredi" in chart and "Sortie à 5 $ ou 10 $ par enfant" in chart
    login(client, committee_member)
    text = " ".join(pdf_pages(client.get(f"/comite/syntheses/{summary.id}/synthese.pdf").get_data()))
    assert text.count(r"Atelier $\nope$ du mercredi") == 3  # in the table and in its two charts


def test_the_summary_page_draws_its_charts_once(client, committee_member, monkeypatch):
    """Drawing the charts takes seconds; a finished summary never changes, so its page draws them once."""
    drawn = []
    real = services.chart_images
    monkeypatch.setattr(services, "chart_images", lambda data: drawn.append(1) or real(data))
    summary = services.queue_summary(make_consultation(slug="dessins"), requested_by=committee_member)
    db.session.commit()
    _build_here(summary)
    login(client, committee_member)

    first = client.get(f"/comite/syntheses/{summary.id}").get_data(as_text=True)
    second = client.get(f"/comite/syntheses/{summary.id}").get_data(as_text=True)
    assert drawn == [1]
    assert first.count("data:image/svg+xml;base64,") == second.count("data:image/svg+xml;base64,") > 0
