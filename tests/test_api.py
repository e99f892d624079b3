"""Read-only JSON API v1: shapes a platform can rely on, public counts only."""

from __future__ import annotations

from pedt_participation.comments.services import add_comment
from pedt_participation.extensions import db
from pedt_participation.models import ActionState, ConsultationStatus, VoteKind
from pedt_participation.voting.services import cast_vote
from tests.helpers import make_consultation, make_participant


def test_list_consultations_is_paginated_and_hides_drafts(client):
    for slug in ("a", "b", "c"):
        make_consultation(slug=slug)
    make_consultation(slug="brouillon", status=ConsultationStatus.DRAFT)

    first = client.get("/api/v1/consultations?per_page=2").get_json()
    assert first["meta"] == {"page": 1, "per_page": 2, "total": 3}
    assert len(first["data"]) == 2 and "next" in first["links"] and "prev" not in first["links"]
    second = client.get(first["links"]["next"]).get_json()
    assert len(second["data"]) == 1 and "next" not in second["links"]
    slugs = {c["slug"] for c in first["data"] + second["data"]}
    assert slugs == {"a", "b", "c"}
    item = first["data"][0]
    assert set(item) == {"slug", "title", "summary", "status", "phases", "voting", "url", "api_url"}
    assert item["phases"]["voting"]["opens_at"].endswith("+00:00")


def test_consultation_detail_has_orientations_actions_and_public_counts(client):
    consultation = make_consultation(slug="demo", orientations=2, actions_per_orientation=2)
    action = consultation.orientations[0].actions[0]
    hidden = consultation.orientations[0].actions[1]
    hidden.state = ActionState.HIDDEN
    for _ in range(2):
        voter = make_participant()
        cast_vote(voter, action, VoteKind.SUPPORT, 1)
        cast_vote(voter, action, VoteKind.OPINION, -1)
    add_comment(voter, action, "Un avis")
    db.session.commit()

    data = client.get("/api/v1/consultations/demo").get_json()["data"]

    assert [o["position"] for o in data["orientations"]] == [1, 2]
    first = data["orientations"][0]
    assert [a["title"] for a in first["actions"]] == ["Action 1.1"]  # the hidden one is not published
    counts = first["actions"][0]["counts"]
    assert counts["supports"] == 2
    assert counts["opinions"] == {"pour": 0, "mitige": 0, "contre": 2}
    assert counts["comments"] == 1
    # Counts only: nothing in the public document says who voted.
    assert set(first["actions"][0]) == {"id", "title", "body", "origin", "state", "orientation_id", "published_at", "counts", "answer", "refusal", "decision", "url", "api_url"}


def test_action_detail(client):
    consultation = make_consultation(slug="demo")
    action = consultation.orientations[1].actions[2]
    data = client.get(f"/api/v1/actions/{action.id}").get_json()["data"]
    assert data["title"] == "Action 2.3"
    assert data["orientation"] == {"id": action.orientation_id, "position": 2, "title": "Orientation numéro 2"}
    assert data["consultation"]["slug"] == "demo"
    assert data["url"].endswith(f"/actions/{action.id}")


def test_errors_are_json_with_a_french_message(client):
    response = client.get("/api/v1/consultations/inconnue")
    assert response.status_code == 404
    assert response.get_json() == {
        "error": {"code": "not_found", "message": "Cette page n’existe pas ou n’est plus publiée. Vous pouvez revenir à la liste des consultations."}
    }
    assert client.get("/api/v1/actions/999999").status_code == 404
