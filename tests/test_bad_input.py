"""Bad input: NUL characters, control characters, very long or strange texts, wrong types and ids from
another consultation, sent to every form and to the API. Never a 500; always a French answer. The NUL
character matters on Postgres, which refuses it in text (CI runs this file on both databases)."""

from __future__ import annotations

import base64
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from pedt_participation.api.services import issue_token
from pedt_participation.auth.services import reset_link
from pedt_participation.comments.services import add_comment
from pedt_participation.consultations.services import propose_action
from pedt_participation.extensions import db
from pedt_participation.models import Action, Comment, PaperVoteCount, Role, Workshop
from pedt_participation.workshops.services import counts_of
from tests.conftest import make_test_app
from tests.helpers import login, make_consultation, make_moderator, make_participant, page_text
from tests.test_opendata import DECIDIM_ROWS, decidim_csv

NUL_MESSAGE = "contient un caractère invisible interdit"


@pytest.fixture
def action():
    return make_consultation().orientations[0].actions[0]


def test_nul_character_in_a_form_is_refused_in_french(client, action):
    login(client, make_participant())
    response = client.post(f"/actions/{action.id}/comments", data={"body": "Bonne idée\x00", "alignment": "1"})
    assert response.status_code == 400
    assert NUL_MESSAGE in page_text(response) and "Caractère interdit" in page_text(response)


@pytest.mark.parametrize("address", ["/consultations/consultation-test?tri=\x00", "/consultations/pe%00dt"])
def test_nul_character_in_the_address_is_refused_in_french(client, action, address):
    response = client.get(address)
    assert response.status_code == 400 and NUL_MESSAGE in page_text(response)


def test_nul_character_in_api_json_keeps_the_error_shape(client, action):
    _token, secret = issue_token("Script de test", owner=make_participant())
    db.session.commit()
    response = client.post(
        f"/api/v1/actions/{action.id}/comments",
        json={"body": ["ok", {"texte\x00": "Bonne idée"}]},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "nul_character" and NUL_MESSAGE in error["message"]


# Numbers a person or a script may type where a count or an id is expected: `str.isdigit` accepts "²" and
# "٣", which `int` refuses or reads; negative, huge, decimal, hexadecimal, padded.
NUMBER_LIKE = st.sampled_from(["²", "٣", "-1", "1e9", "0x10", " 7 ", "3.5", "9" * 40, "2147483648", "1_000"])
# Any text (unicode, control characters, NUL, very long) or a wrong type written as text.
ANY_VALUE = st.one_of(st.text(max_size=5000), st.integers().map(str), st.just(""), NUMBER_LIKE)
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def signed_in(client):
    login(client, make_participant())


@FAST
@given(body=ANY_VALUE, alignment=ANY_VALUE, parent_id=ANY_VALUE)
@pytest.mark.usefixtures("signed_in")
def test_the_comment_form_never_fails_on_strange_input(client, action, body, alignment, parent_id):
    response = client.post(
        f"/actions/{action.id}/comments", data={"body": body, "alignment": alignment, "parent_id": parent_id}
    )
    assert response.status_code < 500
    assert 'lang="fr"' in response.get_data(as_text=True) or response.status_code in (302, 303)


@FAST
@given(body=st.one_of(ANY_VALUE, st.integers(), st.none(), st.lists(st.text(max_size=5))), alignment=ANY_VALUE)
def test_the_api_comment_endpoint_never_fails_on_strange_input(client, action, body, alignment):
    _token, secret = issue_token("Script de test", owner=make_participant())
    db.session.commit()
    response = client.post(
        f"/api/v1/actions/{action.id}/comments",
        json={"body": body, "alignment": alignment},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code < 500
    if response.status_code >= 400:
        assert response.get_json()["error"]["message"]


# --- every page form: strange values in every field, as each person who can send it ------------------------------

@pytest.fixture
def world():
    """Two consultations, so that ids of the other one can be sent; a pending proposal, an action and a
    comment in each. The keys are used in the cases' addresses and field names."""
    mine, other = make_consultation(slug="pedt"), make_consultation(slug="autre")
    author = make_participant(display_name="Auteur")
    pending = propose_action(author, mine.orientations[0], "Créer un club de lecture", "Le mercredi.")
    elsewhere = propose_action(author, other.orientations[0], "Ouvrir la ludothèque", "")
    action, other_action = mine.orientations[0].actions[0], other.orientations[0].actions[0]
    comment, other_comment = add_comment(author, action, "Très bien"), add_comment(author, other_action, "Ailleurs")
    db.session.commit()
    return {
        "consultation": mine,
        "slug": mine.slug, "action": action.id, "other_action": other_action.id, "pending": pending.id,
        "other_pending": elsewhere.id, "comment": comment.id, "other_comment": other_comment.id,
        "author": author.id, "orientation": mine.orientations[0].id, "other_orientation": other.orientations[0].id,
        "reset_token": reset_link(author).rsplit("/", 1)[1],
    }


def _person(world: dict, who: str):
    """Only the person a test needs is created: each account costs a password hash."""
    roles = {"participant": Role.PARTICIPANT, "committee": Role.COMMITTEE, "admin": Role.ADMIN}
    return make_moderator(world["consultation"]) if who == "moderator" else make_participant(role=roles[who])


def _row_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table)) for table in db.metadata.sorted_tables}


FORM_CASES = {
    "registration": ("anonymous", "/auth/register", [
        "email", "password", "password_confirmation", "display_name", "audience", "age_bracket", "neighbourhood",
        "school", "parent_email"]),
    "sign-in": ("anonymous", "/auth/login", ["email", "password", "remember"]),
    "forgotten password": ("anonymous", "/auth/mot-de-passe-oublie", ["email"]),
    "new password": ("opener of a reset link", "/auth/nouveau-mot-de-passe", ["password", "password_confirmation"]),
    "proposal": ("participant", "/consultations/{slug}/propose", ["orientation_id", "title", "body", "confirmed"]),
    "report of an action": ("participant", "/actions/{action}/report", ["about", "reason", "details"]),
    "report of a comment": ("participant", "/comments/{comment}/report", ["about", "reason", "details"]),
    "language switch": ("anonymous", "/langue", ["locale", "next"]),
    "approve with edits": ("moderator", "/moderation/proposals/{pending}/approve",
                           ["a{pending}-title", "a{pending}-body", "a{pending}-orientation_id"]),
    "reject reason": ("moderator", "/moderation/proposals/{pending}/reject", ["r{pending}-reason"]),
    "merge target": ("moderator", "/moderation/proposals/{pending}/merge", ["m{pending}-target_id"]),
    "hide a comment": ("moderator", "/moderation/{slug}/comment/{comment}/hide", ["reason"]),
    "unhide an action": ("moderator", "/moderation/{slug}/action/{action}/unhide", ["reason"]),
    "block": ("moderator", "/moderation/{slug}/participants/{author}/block", ["confirmed", "reason"]),
    "workshop paper votes": ("moderator", "/moderation/{slug}/workshops",
                             ["held_on", "place", "c-{action}-parent", "c-{action}-youth", "c-{other_action}-parent"]),
    "answer draft": ("moderator", "/moderation/{slug}/answers/{action}", ["r{action}-state", "r{action}-text"]),
    "answers publish": ("moderator", "/moderation/{slug}/answers/publish", ["action_ids"]),
    "content translations": ("moderator", "/moderation/{slug}/traductions/action/{action}",
                             ["en_title", "en_text", "ar_title", "ar_text"]),
    "webhook endpoint": ("admin", "/admin/webhooks/", ["url", "description", "events", "active"]),
    "API token": ("admin", "/admin/jetons-api/", ["name", "owner_email"]),
    "committee schedule": ("committee", "/comite/{slug}/calendrier", ["weekly_summaries", "summary_at_closing"]),
}


@pytest.fixture(params=FORM_CASES, ids=str)
def form_case(request, client, world):
    who, path, fields = FORM_CASES[request.param]
    if who == "opener of a reset link":
        assert client.get(f"/auth/nouveau-mot-de-passe/{world['reset_token']}").status_code == 303
    elif who != "anonymous":
        login(client, _person(world, who))
    return path.format(**world), [field.format(**world) for field in fields]


def _is_french(response) -> bool:
    return 'lang="fr"' in response.get_data(as_text=True) or response.status_code in (302, 303)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_form_never_fails_and_stores_nothing_it_refuses(client, form_case, data):
    path, fields = form_case
    sent = {field: data.draw(ANY_VALUE, label=field) for field in fields}
    before = _row_counts()
    response = client.post(path, data=sent)
    assert response.status_code < 500, (path, sent)
    assert _is_french(response)
    if response.status_code >= 400:
        assert _row_counts() == before, (path, sent)


PROFILE_FIELDS = ["email", "display_name", "audience", "age_bracket", "neighbourhood", "school", "parent_email"]


@pytest.fixture
def platform_profile_client(database_url, celery_settings):
    """The first-visit questions after a platform sign-in, reached with the platform's identity in the session
    (how it got there is tested against a real OAuth server in test_platform_sign_in)."""
    app = make_test_app(
        database_url, celery_settings, PLATFORM_URL="https://decidim.ville.fr",
        PLATFORM_OAUTH_CLIENT_ID="pedt", PLATFORM_OAUTH_CLIENT_SECRET="secret",
    )
    with app.app_context():
        yield app.test_client()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), gave_email=st.booleans(), gave_name=st.booleans())
def test_the_profile_after_a_platform_sign_in_never_fails(platform_profile_client, data, gave_email, gave_name):
    uid = str(data.draw(st.integers(min_value=1, max_value=10**9), label="uid"))
    identity = {"uid": uid, "email": f"p{uid}@decidim.test" if gave_email else None, "name": "Sam" if gave_name else None}
    with platform_profile_client.session_transaction() as session:
        session["platform_identity"] = identity
    sent = {field: data.draw(ANY_VALUE, label=field) for field in PROFILE_FIELDS}
    before = _row_counts()
    response = platform_profile_client.post("/auth/plateforme/profil", data=sent)
    assert response.status_code < 500, sent
    assert _is_french(response)
    if response.status_code >= 400:
        assert _row_counts() == before, sent


# --- what the properties found, pinned ----------------------------------------------------------------------------

@pytest.fixture
def moderator_of(world, client):
    login(client, _person(world, "moderator"))
    return world


def test_a_superscript_count_on_paper_votes_is_refused_in_french(client, moderator_of):
    """`str.isdigit` accepted "²", which `int` refuses (a 500); digits of any script are read."""
    action = moderator_of["action"]
    response = client.post(
        "/moderation/pedt/workshops", data={"held_on": "2026-01-10", "place": "Centre social", f"c-{action}-parent": "²"}
    )
    assert response.status_code == 422 and "« ² » n’est pas un nombre" in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(Workshop)) == 0

    response = client.post(
        "/moderation/pedt/workshops", data={"held_on": "2026-01-10", "place": "Centre social", f"c-{action}-parent": "١٢"}
    )
    assert response.status_code == 303
    assert list(counts_of(db.session.scalar(select(Workshop))).values()) == [12]


def test_a_superscript_id_among_answers_to_publish_is_ignored(client, moderator_of):
    response = client.post("/moderation/pedt/answers/publish", data={"action_ids": ["²", str(moderator_of["action"])]})
    assert response.status_code == 303
    assert "Aucune réponse à publier" in page_text(client.get(response.headers["Location"]))


HUGE_IDS = ["9" * 40, str(2**63), str(2**31)]


@pytest.mark.parametrize("big", HUGE_IDS)
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/actions/{id}"), ("POST", "/moderation/proposals/{id}/approve"), ("GET", "/comite/syntheses/{id}"),
     ("POST", "/admin/webhooks/{id}/ping"), ("GET", "/moderation/pedt/workshops/{id}"),
     ("GET", "/comite/pedt/comparer?older={id}&newer={id}")],
)
def test_an_id_past_the_database_range_is_a_french_404(client, world, method, path, big):
    """SQLite cannot even compare such a number (OverflowError, a 500); Postgres' ids stop at 2³¹ − 1."""
    login(client, _person(world, "admin"))
    response = client.open(path.format(id=big), method=method)
    assert response.status_code == 404 and "Page introuvable" in page_text(response)


# --- ids of another consultation ----------------------------------------------------------------------------------

def _snapshot() -> tuple:
    """Row counts and what moderation or answers could change on an action or a comment."""
    actions = db.session.execute(
        select(Action.id, Action.state, Action.orientation_id, Action.title, Action.answer_draft_text).order_by(Action.id)
    ).all()
    comments = db.session.execute(select(Comment.id, Comment.action_id, Comment.hidden_at).order_by(Comment.id)).all()
    return _row_counts(), actions, comments


OTHER_CONSULTATION_CASES = {
    "merge into another consultation's action": (
        "/moderation/proposals/{pending}/merge", {"m{pending}-target_id": "{other_action}"}),
    "approve into another consultation's orientation": (
        "/moderation/proposals/{pending}/approve",
        {"a{pending}-title": "Un titre correct", "a{pending}-orientation_id": "{other_orientation}"}),
    "approve another consultation's proposal": (
        "/moderation/proposals/{other_pending}/approve", {"a{other_pending}-title": "Un titre correct"}),
    "reject another consultation's proposal": ("/moderation/proposals/{other_pending}/reject",
                                               {"r{other_pending}-reason": "Hors sujet"}),
    "answer another consultation's action": (
        "/moderation/{slug}/answers/{other_action}", {"r{other_action}-state": "accepted", "r{other_action}-text": "Oui"}),
    "publish another consultation's answer": ("/moderation/{slug}/answers/publish", {"action_ids": "{other_action}"}),
    "hide another consultation's comment": ("/moderation/{slug}/comment/{other_comment}/hide", {"reason": "Insulte"}),
    "hide another consultation's action": ("/moderation/{slug}/action/{other_action}/hide", {"reason": "Doublon"}),
    "translate another consultation's action": (
        "/moderation/{slug}/traductions/action/{other_action}", {"en_title": "Title"}),
    "translate another consultation's orientation": (
        "/moderation/{slug}/traductions/orientation/{other_orientation}", {"en_title": "Title"}),
}


@pytest.mark.parametrize("case", OTHER_CONSULTATION_CASES)
def test_a_moderator_cannot_reach_another_consultation_through_an_id(client, moderator_of, case):
    path, fields = OTHER_CONSULTATION_CASES[case]
    before = _snapshot()
    response = client.post(
        path.format(**moderator_of), data={key.format(**moderator_of): value.format(**moderator_of) for key, value in fields.items()}
    )
    assert response.status_code in (303, 403, 404, 422), response.status_code
    assert _is_french(response) and _snapshot() == before


def test_paper_votes_for_another_consultations_action_are_not_stored(client, moderator_of):
    other_action = moderator_of["other_action"]
    response = client.post(
        "/moderation/pedt/workshops",
        data={"held_on": "2026-01-10", "place": "Centre social", f"c-{other_action}-parent": "40"},
    )
    assert response.status_code in (303, 422)
    assert db.session.scalar(select(func.count()).select_from(PaperVoteCount)) == 0


# --- the REST API's write endpoints -------------------------------------------------------------------------------

ANY_JSON_VALUE = st.one_of(ANY_VALUE, st.integers(), st.floats(), st.booleans(), st.none(), st.lists(st.integers(), max_size=3))

API_WRITES = {
    "propose": ("participant", "POST", "/api/v1/consultations/{slug}/proposals", ["orientation_id", "title", "body"]),
    "vote": ("participant", "PUT", "/api/v1/actions/{action}/votes/opinion", ["value"]),
    "approve": ("moderator", "POST", "/api/v1/proposals/{pending}/approve", ["title", "body", "orientation_id"]),
    "reject": ("moderator", "POST", "/api/v1/proposals/{pending}/reject", ["reason"]),
    "hide": ("moderator", "POST", "/api/v1/comments/{comment}/hide", ["reason"]),
}


def _bearer(person) -> dict:
    _token, secret = issue_token("Script de test", owner=person)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture(params=API_WRITES, ids=str)
def api_write(request, world):
    who, method, path, fields = API_WRITES[request.param]
    return method, path.format(**world), fields, _bearer(_person(world, who))


def _assert_french_refusal(response) -> None:
    assert response.status_code < 500
    if response.status_code >= 400:
        assert response.get_json()["error"]["message"]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_api_write_never_fails_and_stores_nothing_it_refuses(client, api_write, data):
    method, path, fields, headers = api_write
    sent = {field: data.draw(ANY_JSON_VALUE, label=field) for field in fields}
    before = _snapshot()
    response = client.open(path, method=method, json=sent, headers=headers)
    _assert_french_refusal(response)
    if response.status_code >= 400:
        assert _snapshot() == before, sent


API_OTHER_CONSULTATION = {
    "approve another consultation's proposal": ("POST", "/api/v1/proposals/{other_pending}/approve", {}),
    "reject another consultation's proposal": ("POST", "/api/v1/proposals/{other_pending}/reject", {"reason": "Non"}),
    "approve into another consultation's orientation": (
        "POST", "/api/v1/proposals/{pending}/approve", {"orientation_id": "{other_orientation}"}),
    "hide another consultation's comment": ("POST", "/api/v1/comments/{other_comment}/hide", {}),
    "propose under another consultation's orientation": (
        "POST", "/api/v1/consultations/{slug}/proposals", {"orientation_id": "{other_orientation}", "title": "Un titre"}),
    "reply to another consultation's comment": (
        "POST", "/api/v1/actions/{action}/comments", {"body": "Réponse", "parent_id": "{other_comment}"}),
}


@pytest.mark.parametrize("case", API_OTHER_CONSULTATION)
def test_the_api_refuses_ids_of_another_consultation_in_french(client, world, case):
    method, path, fields = API_OTHER_CONSULTATION[case]
    sent = {key: int(value.format(**world)) if value.startswith("{") else value for key, value in fields.items()}
    headers = _bearer(_person(world, "moderator"))
    before = _snapshot()
    response = client.open(path.format(**world), method=method, json=sent, headers=headers)
    assert 400 <= response.status_code < 500, response.status_code
    _assert_french_refusal(response)
    assert _snapshot() == before


# --- the platform's open-data file --------------------------------------------------------------------------------

_CSV_HEADER = "id;title/fr;body/fr;state;url;category/name/fr\n"
_CSV_LINE = st.lists(st.text(max_size=300), min_size=1, max_size=6).map(";".join)
CSV_CONTENT = st.one_of(
    st.binary(max_size=3000),  # random bytes
    st.lists(_CSV_LINE, max_size=5).map(lambda lines: (_CSV_HEADER + "\n".join(lines)).encode()),
    _CSV_LINE.map(lambda line: (_CSV_HEADER + "1;Titre\x00;x;;;\n" + line).encode()),  # NUL inside the content
    st.just((_CSV_HEADER + "2;" + "a" * 200_000 + ";b;;;\n").encode()),  # a huge line
    _CSV_LINE.map(lambda line: (_CSV_HEADER + line).encode("utf-16")),  # another encoding
    _CSV_LINE.map(lambda line: (_CSV_HEADER + "3;Élève à l’école;;;;\n" + line).encode("latin-1", "replace")),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=CSV_CONTENT, filename=st.sampled_from(["propositions.csv", "propositions.CSV", "données.csv"]))
def test_an_uploaded_proposals_file_never_fails(client, moderator_of, content, filename):
    before = _snapshot()
    response = client.post("/moderation/pedt/opendata/apercu", data={"file": (io.BytesIO(content), filename)})
    assert response.status_code in (200, 422) and _is_french(response)
    assert _snapshot() == before  # a preview stores nothing

    sent = {"content": base64.b64encode(content).decode(), "orientations-0": str(moderator_of["orientation"])}
    response = client.post("/moderation/pedt/opendata/import", data=sent)
    assert response.status_code < 500 and _is_french(response)
    if response.status_code >= 400:
        assert _snapshot() == before


def test_a_nul_character_inside_the_proposals_file_is_refused_in_french(client, moderator_of):
    """The address-and-fields hook cannot see inside a file: Postgres would refuse the title at import (a 500)."""
    content = decidim_csv(rows=[DECIDIM_ROWS[0].replace("Aide aux devoirs", "Aide aux\x00 devoirs")])
    response = client.post("/moderation/pedt/opendata/apercu", data={"file": (io.BytesIO(content), "propositions.csv")})
    assert response.status_code == 422 and "caractère invisible interdit" in page_text(response)

    sent = {"content": base64.b64encode(content).decode(), "orientations-0": str(moderator_of["orientation"])}
    response = client.post("/moderation/pedt/opendata/import", data=sent)
    assert response.status_code == 422 and "caractère invisible interdit" in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(Action).where(Action.title.contains("devoirs"))) == 0


@pytest.fixture
def committee_member(world, client):
    login(client, _person(world, "committee"))


@FAST
@given(older=ANY_VALUE, newer=ANY_VALUE)
@pytest.mark.usefixtures("committee_member")
def test_the_committee_comparison_never_fails_on_strange_ids(client, older, newer):
    """Ids of another consultation's summaries: `test_committee_summaries.py` (a 404 as well)."""
    response = client.get("/comite/pedt/comparer", query_string={"older": older, "newer": newer})
    assert response.status_code in (400, 404) and _is_french(response)
