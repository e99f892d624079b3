"""API v1 writes: tokens (personal and the platform's), votes, comments, proposals, moderation and the
committee's summaries, through the same rules as the pages. Every response here is also checked against
the OpenAPI document (see conftest)."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, func, select

from pedt_participation.api.services import issue_token
from pedt_participation.extensions import db
from pedt_participation.models import (
    Action,
    ActionState,
    AgeBracket,
    Audience,
    Comment,
    CommitteeSummaryFile,
    ConsultationStatus,
    ModerationAction,
    ModerationLogEntry,
    RefusalCategory,
    Role,
    SummaryFileKind,
    SummaryStatus,
    Vote,
    VoteKind,
    utcnow,
)
from tests.helpers import build_summary_now, make_consultation, make_moderator, make_participant, wait_until


def _bearer(secret: str, platform_user: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {secret}"}
    if platform_user is not None:
        headers["X-Platform-User"] = platform_user
    return headers


def _personal_token(participant) -> dict:
    _token, secret = issue_token("Script de test", owner=participant)
    db.session.commit()
    return _bearer(secret)


@pytest.fixture
def consultation():
    return make_consultation(slug="ecole", vote_limit_per_orientation=1)


@pytest.fixture
def parent():
    return make_participant(display_name="Aïcha")


@pytest.fixture
def as_parent(parent):
    return _personal_token(parent)


def _votes(participant, kind=None) -> list[Vote]:
    query = select(Vote).where(Vote.participant_id == participant.id)
    if kind is not None:
        query = query.where(Vote.kind == kind)
    return list(db.session.scalars(query))


# --- tokens ---------------------------------------------------------------------------------------


def test_the_cli_issues_a_token_shown_once_that_acts_as_its_owner_until_revoked(client, runner, parent):
    issued = runner.invoke(args=["api-token", "issue", "Script du comité", "--owner", parent.email])
    assert issued.exit_code == 0, issued.output
    secret = re.search(r"Secret \(affiché une seule fois\) : (\S+)", issued.output).group(1)
    token_id = re.search(r"Jeton n° (\d+)", issued.output).group(1)

    me = client.get("/api/v1/me", headers=_bearer(secret))
    assert me.status_code == 200
    assert me.get_json()["data"]["display_name"] == "Aïcha"
    listed = runner.invoke(args=["api-token", "list"]).output
    assert "Script du comité" in listed and secret not in listed

    assert runner.invoke(args=["api-token", "revoke", token_id]).exit_code == 0
    refused = client.get("/api/v1/me", headers=_bearer(secret))
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "invalid_token"
    assert "Demandez-en un nouveau" in refused.get_json()["error"]["message"]


def test_writing_without_anyone_signed_in_says_how_to_sign_in(client, consultation):
    action = consultation.orientations[0].actions[0]
    response = client.put(f"/api/v1/actions/{action.id}/votes/support", json={})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "authentication_required"
    assert "Authorization: Bearer" in response.get_json()["error"]["message"]


def test_the_platform_token_votes_for_a_platform_user_who_signed_in_once(client, consultation):
    _token, secret = issue_token("Plateforme de la ville", owner=None)
    linked = make_participant(platform_uid="decidim-42")
    db.session.commit()
    action = consultation.orientations[0].actions[0]

    voted = client.put(f"/api/v1/actions/{action.id}/votes/support", json={}, headers=_bearer(secret, "decidim-42"))

    assert voted.status_code == 200
    assert voted.get_json()["data"] == {
        "action_id": action.id, "support": True, "opinion": None, "grade": None, "supports_remaining_in_orientation": 0,
    }
    assert [v.action_id for v in _votes(linked, VoteKind.SUPPORT)] == [action.id]

    stranger = client.put(f"/api/v1/actions/{action.id}/votes/support", json={}, headers=_bearer(secret, "inconnu-7"))
    assert stranger.status_code == 403
    assert stranger.get_json()["error"]["code"] == "platform_user_unknown"
    assert "connecter une première fois" in stranger.get_json()["error"]["message"]
    nobody = client.put(f"/api/v1/actions/{action.id}/votes/support", json={}, headers=_bearer(secret))
    assert nobody.status_code == 401


def test_the_platform_token_never_acts_for_staff_unless_a_setting_names_their_role(app, client, monkeypatch):
    _token, secret = issue_token("Plateforme de la ville", owner=None)
    make_participant(role=Role.ADMIN, platform_uid="decidim-1")
    make_participant(role=Role.MODERATOR, platform_uid="decidim-2")
    db.session.commit()

    for platform_user in ("decidim-1", "decidim-2"):
        refused = client.get("/api/v1/me", headers=_bearer(secret, platform_user))
        assert refused.status_code == 403
        assert refused.get_json()["error"]["code"] == "platform_cannot_act_for_staff"
        assert "jeton d’API personnel" in refused.get_json()["error"]["message"]

    monkeypatch.setitem(app.config, "PLATFORM_TOKEN_STAFF_ROLES", frozenset({"moderator"}))
    assert client.get("/api/v1/me", headers=_bearer(secret, "decidim-2")).get_json()["data"]["role"] == "moderator"
    assert client.get("/api/v1/me", headers=_bearer(secret, "decidim-1")).status_code == 403


def test_a_session_writes_only_with_the_csrf_token_of_a_page(app, client, consultation, parent, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login_page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/auth/login", data={"email": parent.email, "password": "mot-de-passe-de-test", "csrf_token": token})
    action = consultation.orientations[0].actions[0]

    forged = client.put(f"/api/v1/actions/{action.id}/votes/opinion", json={"value": 1})
    assert forged.status_code == 400
    assert forged.get_json()["error"]["code"] == "csrf_failed"
    assert _votes(parent) == []

    page = client.get(f"/actions/{action.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    voted = client.put(f"/api/v1/actions/{action.id}/votes/opinion", json={"value": 1}, headers={"X-CSRFToken": token})
    assert voted.status_code == 200
    assert [(v.kind, v.value) for v in _votes(parent)] == [(VoteKind.OPINION, 1)]


# --- votes ----------------------------------------------------------------------------------------


def test_votes_are_cast_changed_and_withdrawn_with_the_pages_rules(client, consultation, parent, as_parent):
    first, second = consultation.orientations[0].actions[:2]
    url = f"/api/v1/actions/{first.id}/votes"

    assert client.put(f"{url}/opinion", json={"value": -1}, headers=as_parent).get_json()["data"]["opinion"] == -1
    assert client.put(f"{url}/opinion", json={"value": 1}, headers=as_parent).get_json()["data"]["opinion"] == 1
    assert [v.value for v in _votes(parent, VoteKind.OPINION)] == [1]
    assert client.put(f"{url}/support", json={}, headers=as_parent).status_code == 200

    over_limit = client.put(f"/api/v1/actions/{second.id}/votes/support", json={}, headers=as_parent)
    assert over_limit.status_code == 409
    assert "retirez d’abord" in over_limit.get_json()["error"]["message"]

    # Each kind's document says which values it takes, and that an opinion's is required (a support's is not).
    invalid = client.put(f"{url}/opinion", json={"value": 6}, headers=as_parent)
    assert invalid.status_code == 422 and "value" in invalid.get_json()["error"]["fields"]["json"]
    missing = client.put(f"{url}/opinion", json={}, headers=as_parent)
    assert missing.status_code == 422 and "value" in missing.get_json()["error"]["fields"]["json"]
    assert client.put(f"{url}/support", headers=as_parent).status_code == 200
    wrong_type = client.put(f"{url}/opinion", json={"value": "pour"}, headers=as_parent)
    assert wrong_type.status_code == 422 and "value" in wrong_type.get_json()["error"]["fields"]["json"]

    withdrawn = client.delete(f"{url}/support", headers=as_parent)
    assert withdrawn.get_json()["data"]["support"] is False
    assert _votes(parent, VoteKind.SUPPORT) == []
    assert client.get(f"{url}/mine", headers=as_parent).get_json()["data"]["supports_remaining_in_orientation"] == 1


def test_a_closed_vote_is_refused_in_plain_french(client, parent, as_parent):
    action = make_consultation(slug="finie", voting="past").orientations[0].actions[0]
    refused = client.put(f"/api/v1/actions/{action.id}/votes/support", json={}, headers=as_parent)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "refused"
    assert _votes(parent) == []


def test_an_api_vote_reaches_only_what_the_pages_show_and_follows_the_consultations_rules(client, parent, as_parent):
    def vote(action, kind="opinion", value=1):
        return client.put(f"/api/v1/actions/{action.id}/votes/{kind}", json={"value": value}, headers=as_parent)

    draft = make_consultation(slug="brouillon", status=ConsultationStatus.DRAFT).orientations[0].actions[0]
    open_ = make_consultation(slug="ouverte", allowed_audiences=["parent"], minimum_age=18)
    by_blocked_author, own_proposal, others_proposal = open_.orientations[0].actions
    by_blocked_author.author = make_participant()
    by_blocked_author.author.blocked_at = utcnow()
    own_proposal.author, own_proposal.state = parent, ActionState.PENDING
    others_proposal.author, others_proposal.state = make_participant(), ActionState.PENDING
    db.session.commit()

    for unseen in (draft, by_blocked_author, others_proposal):
        assert vote(unseen).status_code == 404
    # Its author sees a proposal awaiting review, which is not put to the vote yet.
    refused = vote(own_proposal)
    assert refused.status_code == 409 and "n’est pas ouverte au vote" in refused.get_json()["error"]["message"]
    published = open_.orientations[1].actions[0]
    not_used = vote(published, "grade", 4)
    assert not_used.status_code == 409 and "pas utilisé" in not_used.get_json()["error"]["message"]
    youth = make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_15_TO_17)
    as_youth = _personal_token(youth)
    refused = client.put(f"/api/v1/actions/{published.id}/votes/opinion", json={"value": 1}, headers=as_youth)
    assert refused.status_code == 409 and "publics suivants : parent" in refused.get_json()["error"]["message"]
    assert _votes(parent) == [] and _votes(youth) == []
    assert vote(published).status_code == 200


def test_a_blocked_persons_token_is_refused(client, consultation, parent, as_parent):
    action = consultation.orientations[0].actions[0]
    parent.blocked_at = utcnow()
    db.session.commit()
    refused = client.put(f"/api/v1/actions/{action.id}/votes/opinion", json={"value": 1}, headers=as_parent)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "account_blocked"
    assert _votes(parent) == []


# --- comments and proposals -----------------------------------------------------------------------


def test_comments_are_written_replied_to_deleted_and_listed_page_by_page(client, consultation, parent, as_parent):
    action = consultation.orientations[0].actions[0]
    url = f"/api/v1/actions/{action.id}/comments"
    first = client.post(url, json={"body": "Très bonne idée", "alignment": "pour"}, headers=as_parent)
    assert first.status_code == 201
    first_id = first.get_json()["data"]["id"]
    reply = client.post(url, json={"body": "Je précise", "parent_id": first_id}, headers=as_parent).get_json()["data"]
    assert (reply["parent_id"], reply["depth"], reply["alignment"]) == (first_id, 1, "neutre")
    client.post(url, json={"body": "Un troisième avis"}, headers=as_parent)

    assert client.delete(f"/api/v1/comments/{first_id}", headers=as_parent).status_code == 204
    someone_else = _personal_token(make_participant())
    assert client.delete(f"/api/v1/comments/{reply['id']}", headers=someone_else).status_code == 409

    page_one = client.get(f"{url}?per_page=2").get_json()
    assert page_one["meta"] == {"page": 1, "per_page": 2, "total": 3}
    deleted, kept = page_one["data"]
    assert (deleted["state"], deleted["body"], deleted["author"]) == ("deleted", None, None)
    assert (kept["body"], kept["author"]) == ("Je précise", {"display_name": "Aïcha", "team": None})
    page_two = client.get(page_one["links"]["next"]).get_json()
    assert [c["body"] for c in page_two["data"]] == ["Un troisième avis"] and "next" not in page_two["links"]

    empty = client.post(url, json={"body": "   "}, headers=as_parent)
    assert empty.status_code == 409 and "Votre commentaire est vide" in empty.get_json()["error"]["message"]


def test_a_proposal_waits_for_moderation_and_is_shown_to_its_author_only(client, consultation, as_parent):
    orientation = consultation.orientations[1]
    proposed = client.post(
        "/api/v1/consultations/ecole/proposals",
        json={"orientation_id": orientation.id, "title": "Un jardin partagé", "body": "Dans la cour."},
        headers=as_parent,
    )
    assert proposed.status_code == 201
    data = proposed.get_json()["data"]
    assert (data["state"], data["orientation_id"]) == ("pending", orientation.id)
    assert proposed.headers["Location"].endswith(f"/api/v1/actions/{data['id']}")
    assert client.get(f"/api/v1/actions/{data['id']}", headers=as_parent).status_code == 200
    assert client.get(f"/api/v1/actions/{data['id']}").status_code == 404

    elsewhere = make_consultation(slug="ailleurs").orientations[0]
    wrong = client.post(
        "/api/v1/consultations/ecole/proposals",
        json={"orientation_id": elsewhere.id, "title": "Hors sujet"},
        headers=as_parent,
    )
    assert wrong.status_code == 422 and wrong.get_json()["error"]["code"] == "unknown_orientation"


# --- moderation -----------------------------------------------------------------------------------


def _pending_proposal(consultation, author) -> Action:
    from pedt_participation.consultations.services import propose_action

    action = propose_action(author, consultation.orientations[0], "Une ludothèque", "Ouverte le samedi")
    db.session.commit()
    return action


def test_moderators_of_the_consultation_publish_and_refuse_proposals(client, consultation, parent, as_parent):
    publishable, refusable = _pending_proposal(consultation, parent), _pending_proposal(consultation, parent)
    moderator = _personal_token(make_moderator(consultation))
    other_moderator = _personal_token(make_moderator(make_consultation(slug="autre")))

    assert client.get("/api/v1/consultations/ecole/proposals/pending", headers=as_parent).status_code == 403
    forbidden = client.get("/api/v1/consultations/ecole/proposals/pending", headers=other_moderator)
    assert forbidden.status_code == 403 and forbidden.get_json()["error"]["code"] == "not_a_moderator"
    queue = client.get("/api/v1/consultations/ecole/proposals/pending?per_page=1", headers=moderator).get_json()
    assert queue["meta"]["total"] == 2 and [a["id"] for a in queue["data"]] == [publishable.id]

    target = consultation.orientations[1]
    approved = client.post(
        f"/api/v1/proposals/{publishable.id}/approve",
        json={"title": "Une ludothèque de quartier", "orientation_id": target.id},
        headers=moderator,
    ).get_json()["data"]
    assert (approved["state"], approved["title"], approved["orientation_id"]) == ("published", "Une ludothèque de quartier", target.id)
    again = client.post(f"/api/v1/proposals/{publishable.id}/approve", json={}, headers=moderator)
    assert again.status_code == 409 and "déjà été traitée" in again.get_json()["error"]["message"]

    no_reason = client.post(f"/api/v1/proposals/{refusable.id}/reject", json={}, headers=moderator)
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["error"]["fields"]["json"]
    unknown = client.post(f"/api/v1/proposals/{refusable.id}/reject", json={"category": "boring", "reason": "Non"}, headers=moderator)
    assert unknown.status_code == 422 and "category" in unknown.get_json()["error"]["fields"]["json"]
    refused = client.post(
        f"/api/v1/proposals/{refusable.id}/reject",
        json={"category": "already_planned", "reason": "Déjà prévu au centre social"},
        headers=moderator,
    ).get_json()["data"]
    assert refused["state"] == "rejected"
    assert refused["refusal"] == {"category": "already_planned", "reason": "Déjà prévu au centre social"}
    logged = db.session.scalars(select(ModerationLogEntry.action).order_by(ModerationLogEntry.id)).all()
    assert logged == [ModerationAction.APPROVE, ModerationAction.REJECT]
    # Its author sees why; the approved one was never refused.
    seen = client.get(f"/api/v1/actions/{refusable.id}", headers=as_parent).get_json()["data"]
    assert seen["refusal"] == {"category": "already_planned", "reason": "Déjà prévu au centre social"}
    assert client.get(f"/api/v1/actions/{publishable.id}").get_json()["data"]["refusal"] is None
    # A client that gives no kind of reason refuses for « autre », as before the kinds existed.
    client.post(f"/api/v1/proposals/{_pending_proposal(consultation, parent).id}/reject", json={"reason": "Non"}, headers=moderator)
    assert db.session.scalar(select(Action.refusal_category).order_by(Action.id.desc()).limit(1)) == RefusalCategory.OTHER


def test_a_hidden_comment_keeps_its_place_without_its_words(client, consultation, parent, as_parent):
    action = consultation.orientations[0].actions[0]
    comment_id = client.post(
        f"/api/v1/actions/{action.id}/comments", json={"body": "Propos insultants"}, headers=as_parent
    ).get_json()["data"]["id"]
    moderator = _personal_token(make_moderator(consultation))

    assert client.post(f"/api/v1/comments/{comment_id}/hide", json={}, headers=as_parent).status_code == 403
    hidden = client.post(f"/api/v1/comments/{comment_id}/hide", json={"reason": "Insulte"}, headers=moderator)
    assert hidden.get_json()["data"]["state"] == "hidden"
    listed = client.get(f"/api/v1/actions/{action.id}/comments").get_json()["data"]
    assert listed[0]["state"] == "hidden" and "insultants" not in str(listed)
    assert client.get(f"/api/v1/actions/{action.id}").get_json()["data"]["counts"]["comments"] == 0

    client.post(f"/api/v1/comments/{comment_id}/unhide", json={}, headers=moderator)
    assert db.session.get(Comment, comment_id).hidden_at is None
    assert client.post("/api/v1/comments/999999/hide", json={}, headers=moderator).status_code == 404


# --- committee ------------------------------------------------------------------------------------


def test_the_committee_asks_for_a_summary_follows_it_and_downloads_it(client, consultation, as_parent, start_worker):
    committee = _personal_token(make_participant(role=Role.COMMITTEE))
    assert client.post("/api/v1/consultations/ecole/summaries", headers=as_parent).status_code == 403

    requested = client.post("/api/v1/consultations/ecole/summaries", headers=committee)
    assert requested.status_code == 202
    summary = requested.get_json()["data"]
    assert summary["status"] == "queued" and summary["files"] is None
    status_url = requested.headers["Location"]
    not_ready = client.get(f"/api/v1/summaries/{summary['id']}/files/pdf", headers=committee)
    assert not_ready.status_code == 409 and not_ready.get_json()["error"]["code"] == "summary_not_ready"

    start_worker()
    done = wait_until(
        lambda: (s := client.get(status_url, headers=committee).get_json()["data"])["status"] == SummaryStatus.DONE and s,
        message="the summary was not built",
    )
    assert done["progress"] == 100
    pdf = client.get(done["files"]["pdf"], headers=committee)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]
    data = client.get(done["files"]["json"], headers=committee).get_json()
    assert data["consultation"]["slug"] == "ecole"
    listed = client.get("/api/v1/consultations/ecole/summaries", headers=committee).get_json()
    assert [s["id"] for s in listed["data"]] == [summary["id"]]
    assert client.get(f"/api/v1/summaries/{summary['id']}", headers=as_parent).status_code == 403


def test_the_api_lists_and_serves_the_spreadsheet_of_a_summary(client, consultation):
    committee = _personal_token(make_participant(role=Role.COMMITTEE))
    summary = build_summary_now(consultation)
    done = client.get(f"/api/v1/summaries/{summary.id}", headers=committee).get_json()["data"]
    assert done["files"]["xlsx"].endswith(f"/api/v1/summaries/{summary.id}/files/xlsx")
    spreadsheet = client.get(done["files"]["xlsx"], headers=committee)
    assert spreadsheet.status_code == 200 and spreadsheet.mimetype.endswith("spreadsheetml.sheet")
    assert "synthese-ecole-" in spreadsheet.headers["Content-Disposition"]
    assert load_workbook(io.BytesIO(spreadsheet.data), read_only=True).sheetnames[:2] == ["Ce qu’il faut retenir", "Actions"]
    listed = client.get("/api/v1/consultations/ecole/summaries", headers=committee).get_json()["data"]
    assert listed[0]["files"] == done["files"]

    # A summary made before spreadsheets were has none: null in its links, 404 at its address.
    db.session.execute(
        delete(CommitteeSummaryFile).where(
            CommitteeSummaryFile.summary_id == summary.id, CommitteeSummaryFile.kind == SummaryFileKind.XLSX
        )
    )
    db.session.commit()
    older = client.get(f"/api/v1/summaries/{summary.id}", headers=committee).get_json()["data"]
    assert older["files"]["xlsx"] is None and older["files"]["pdf"] == done["files"]["pdf"]
    assert client.get(done["files"]["xlsx"], headers=committee).status_code == 404


# --- lists and the document -----------------------------------------------------------------------


def test_actions_are_listed_page_by_page_and_by_orientation(client, consultation):
    second = consultation.orientations[1]
    page = client.get(f"/api/v1/consultations/ecole/actions?per_page=4&orientation_id={second.id}").get_json()
    assert page["meta"]["total"] == 3
    assert {a["orientation_id"] for a in page["data"]} == {second.id}
    everything = client.get("/api/v1/consultations/ecole/actions?per_page=4").get_json()
    assert everything["meta"]["total"] == 6 and "orientation_id" not in everything["links"]["next"]
    too_big = client.get("/api/v1/consultations/ecole/actions?per_page=1000")
    assert too_big.status_code == 422 and "per_page" in too_big.get_json()["error"]["fields"]["query"]


def test_the_openapi_document_is_valid_and_browsable(client):
    from openapi_spec_validator import validate

    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert "/api/v1/actions/{action_id}/votes/{kind}" in document["paths"]
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200 and 'lang="fr"' in docs.get_data(as_text=True)
    assert client.get("/api/v1/docs/assets/swagger-ui-bundle.js").status_code == 200


def test_an_unknown_id_too_large_for_the_database_is_a_404(client):
    assert client.get(f"/api/v1/actions/{2**63}").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Action)) == 0


def test_an_admin_issues_a_token_on_a_page_sees_its_secret_once_and_revokes_it(client, parent):
    from tests.helpers import login, page_text

    admin = make_participant(role=Role.ADMIN)
    login(client, admin)
    unknown = client.post("/admin/jetons-api/", data={"name": "Scripts", "owner_email": "personne@nulle-part.fr"})
    assert unknown.status_code == 422 and "Aucun compte n’a cette adresse" in page_text(unknown)

    issued = client.post("/admin/jetons-api/", data={"name": "Decidim de la ville"})
    assert issued.status_code == 200 and issued.headers["Cache-Control"] == "no-store"
    secret = re.search(r'id="secret-value" value="([^"]+)"', issued.get_data(as_text=True)).group(1)
    listing = client.get("/admin/jetons-api/")
    assert "Decidim de la ville" in page_text(listing) and secret not in listing.get_data(as_text=True)

    _token_for_owner = client.post("/admin/jetons-api/", data={"name": "Comité", "owner_email": parent.email})
    assert "Aïcha" in page_text(client.get("/admin/jetons-api/"))

    platform_user = make_participant(platform_uid="77")
    assert client.get("/api/v1/me", headers=_bearer(secret, "77")).get_json()["data"]["id"] == platform_user.id
    token_id = re.search(r'/admin/jetons-api/(\d+)/revoquer', listing.get_data(as_text=True)).group(1)
    revoked = client.post(f"/admin/jetons-api/{token_id}/revoquer", follow_redirects=True)
    assert "est révoqué" in page_text(revoked)
    assert client.get("/api/v1/me", headers=_bearer(secret, "77")).status_code == 401


def test_a_write_without_anyone_is_refused_before_its_body_is_read(client, consultation):
    action = consultation.orientations[0].actions[0]
    response = client.put(f"/api/v1/actions/{action.id}/votes/opinion", json={"value": "pas un nombre"})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "authentication_required"
    revoked = client.get("/api/v1/consultations", headers=_bearer("pedt_inconnu"))
    assert revoked.status_code == 401 and revoked.get_json()["error"]["code"] == "invalid_token"
