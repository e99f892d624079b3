"""The authorization matrix: every route of the site, requested by every kind of person (anonymous, participant,
blocked participant, moderator of another consultation, moderator, committee, manager of the consultation,
admin), pages with a session and
the API with the person's own token; and the staff rights around it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from pedt_participation.api.services import issue_token
from pedt_participation.comments.services import add_comment
from pedt_participation.committee.services import build_summary, claim_summary, queue_summary
from pedt_participation.consultations.services import propose_action
from pedt_participation.extensions import db
from pedt_participation.models import (
    ActionState,
    AgeBracket,
    Audience,
    CodeBatch,
    DeliveryStatus,
    ManagerAssignment,
    ModerationAction,
    ModerationLogEntry,
    ModeratorAssignment,
    Participant,
    ParticipationCode,
    Role,
    WebhookDelivery,
    WebhookEvent,
    Workshop,
)
from pedt_participation.moderation.services import block
from pedt_participation.webhooks.services import create_endpoint
from tests.conftest import rows_built_once
from tests.helpers import assert_every_route_listed, login, make_consultation, make_participant, page_text

ROLES = ("anonymous", "participant", "blocked", "moderator_elsewhere", "moderator", "committee", "manager", "admin")


@pytest.fixture
def world():
    return _world()


def _world():
    demo = make_consultation(slug="demo", majority_judgment_enabled=True)  # so that a grade can be given
    other = make_consultation(slug="autre")
    # Its vote is over: its "Résultats et décisions" page is public.
    make_consultation(slug="fermee", voting="past", proposals="past", orientations=1, actions_per_orientation=1)
    action = demo.orientations[0].actions[0]
    people = {
        "participant": make_participant(),
        "blocked": make_participant(),
        "committee": make_participant(role=Role.COMMITTEE),
        # A committee account that also manages the consultation: elsewhere, it has the committee's rights.
        "manager": make_participant(role=Role.COMMITTEE),
        "moderator_elsewhere": make_participant(role=Role.MODERATOR),
        "moderator": make_participant(role=Role.MODERATOR),
        "admin": make_participant(role=Role.ADMIN, audience=Audience.PROFESSIONAL, age_bracket=AgeBracket.FROM_40_TO_59),
    }
    author = people["participant"]
    proposal = propose_action(author, demo.orientations[0], "Une proposition à relire", "")
    api_proposals = [propose_action(author, demo.orientations[0], title, "") for title in ("À publier", "À refuser")]
    comment = add_comment(author, action, "Un commentaire à relire")
    api_comment = add_comment(author, action, "Un commentaire pour l’API")
    db.session.add(ModeratorAssignment(participant_id=people["moderator"].id, consultation_id=demo.id))
    db.session.add(ModeratorAssignment(participant_id=people["moderator_elsewhere"].id, consultation_id=other.id))
    db.session.add(ManagerAssignment(participant_id=people["manager"].id, consultation_id=demo.id))
    workshop = Workshop(consultation_id=demo.id, held_on=date(2026, 1, 10), place="Centre social")
    db.session.add(workshop)
    # Disabled, so that its empty ping is refused; a delivered delivery cannot be sent again.
    webhook = create_endpoint(people["admin"], url="https://decidim.ville.fr/hooks", description="",
                              events=["summary.ready"], active=False)
    delivery = WebhookDelivery(endpoint=webhook, event=WebhookEvent.PING, event_id="ping", payload={},
                               status=DeliveryStatus.DELIVERED)
    db.session.add(delivery)
    # Made without the service, so that the moderation log starts empty.
    batch = CodeBatch(consultation_id=demo.id, label="École Jean-Jaurès")
    batch.codes.append(ParticipationCode(consultation_id=demo.id, code="ABCDEFGH"))
    db.session.add(batch)
    api_token, _secret = issue_token("Plateforme", owner=None)
    secrets = {who: issue_token(who, owner=person)[1] for who, person in people.items()}
    db.session.commit()
    return {"proposal": proposal, "api_proposals": api_proposals, "people": people, "demo": demo, "action": action,
            "comment": comment, "api_comment": api_comment, "batch": batch,
            "workshop": workshop, "webhook": webhook, "delivery": delivery, "api_token": api_token,
            "secrets": secrets}


def _matrix_world():
    """The world and a built summary (its pages and files; building takes a second, so only here)."""
    world = _world()
    summary = claim_summary(queue_summary(world["demo"]).id)
    build_summary(summary, lambda progress: None)
    db.session.commit()
    return {**world, "summary": summary}


# Built again only after a test that wrote (a person whose request changed something).
matrix_world = rows_built_once(_matrix_world)


def _routes(world):
    """Every route of the site, once, with the kind of rights it has (see EXPECTED)."""
    demo, action, comment = world["demo"], world["action"], world["comment"]
    orientation_id, proposal_id = demo.orientations[0].id, world["proposal"].id
    participant_id, summary_id = world["people"]["participant"].id, world["summary"].id
    webhook_id, delivery_id = world["webhook"].id, world["delivery"].id
    to_approve, to_reject = (proposal.id for proposal in world["api_proposals"])
    api_comment_id = world["api_comment"].id
    return [
        # Public pages and files
        ("GET", "/", "public"),
        ("GET", "/consultations/demo", "public"),
        ("GET", f"/actions/{action.id}", "public"),
        ("GET", f"/comments/{comment.id}", "public_redirect"),
        ("GET", "/accessibilite", "public"),
        ("GET", "/comment-ca-marche", "public"),
        ("GET", "/confidentialite", "public"),
        ("GET", "/static/style.css", "public"),
        ("GET", "/favicon.ico", "public"),
        ("GET", "/healthz", "public"),
        ("GET", "/readyz", "public"),
        ("GET", "/embed/consultations/demo", "public"),
        ("GET", f"/embed/actions/{action.id}", "public"),
        ("GET", "/embed/connecte", "signed_in"),
        ("GET", "/oembed?url=http://pedt.test/consultations/demo", "public"),
        ("GET", "/consultations/fermee/resultats", "public"),
        ("POST", "/langue", "public"),
        # Accounts
        ("GET", "/auth/login", "guest"),
        ("POST", "/auth/login", "guest_form"),
        ("GET", "/auth/register", "guest"),
        ("POST", "/auth/register", "guest_form"),
        ("GET", "/auth/mot-de-passe-oublie", "public"),
        ("POST", "/auth/mot-de-passe-oublie", "public_form"),
        ("GET", "/auth/nouveau-mot-de-passe/pas-un-lien", "expired_link"),
        ("GET", "/auth/nouveau-mot-de-passe", "expired_link"),  # without a link opened in this browser
        ("POST", "/auth/nouveau-mot-de-passe", "expired_link"),
        ("GET", "/auth/confirmer/pas-un-lien", "expired_link"),
        ("GET", "/auth/accord-parental/pas-un-lien", "expired_link"),
        ("POST", "/auth/accord-parental/pas-un-lien", "expired_link"),
        ("POST", "/auth/renvoyer-le-lien", "signed_in"),
        ("GET", "/auth/plateforme", "platform"),
        ("GET", "/auth/plateforme/retour", "platform"),
        ("GET", "/auth/plateforme/lier", "platform"),
        ("POST", "/auth/plateforme/lier", "platform"),
        ("GET", "/auth/plateforme/profil", "platform"),
        ("POST", "/auth/plateforme/profil", "platform"),
        ("GET", "/auth/plateforme/deconnexion", "platform"),
        # Taking part
        ("POST", f"/actions/{action.id}/votes/support", "signed_in"),
        ("POST", f"/actions/{action.id}/votes/support/withdraw", "signed_in"),
        ("POST", "/votes/en-attente/annuler", "public"),
        ("POST", f"/actions/{action.id}/comments", "signed_in_form"),
        ("POST", f"/actions/{action.id}/report", "signed_in"),
        ("POST", "/consultations/demo/code", "signed_in"),
        ("POST", f"/comments/{comment.id}/rate", "signed_in", {"value": "1"}),
        ("POST", f"/comments/{comment.id}/report", "signed_in"),
        ("POST", f"/comments/{comment.id}/delete", "signed_in"),
        ("GET", "/consultations/demo/propose", "signed_in"),
        ("POST", "/consultations/demo/propose", "signed_in_form"),
        ("GET", "/notifications/", "signed_in"),
        ("POST", "/notifications/read", "signed_in"),
        ("POST", "/notifications/e-mails-decisions", "signed_in"),
        ("GET", "/mes-donnees", "signed_in"),
        ("GET", "/mes-donnees/export.json", "signed_in"),
        ("GET", "/mes-donnees/supprimer", "signed_in"),
        ("POST", "/mes-donnees/supprimer", "signed_in_form"),
        # Moderation
        ("GET", "/moderation/", "moderation_home"),
        ("GET", "/moderation/demo/proposals", "moderation"),
        ("POST", f"/moderation/proposals/{proposal_id}/approve", "moderation"),
        ("POST", f"/moderation/proposals/{proposal_id}/reject", "moderation"),
        ("POST", f"/moderation/proposals/{proposal_id}/merge", "moderation"),
        ("GET", "/moderation/demo/reports", "moderation"),
        ("POST", f"/moderation/demo/action/{action.id}/dismiss", "moderation"),
        ("POST", f"/moderation/demo/participants/{participant_id}/block", "moderation"),
        ("POST", f"/moderation/demo/participants/{participant_id}/hold", "moderation"),
        ("POST", f"/moderation/demo/participants/{participant_id}/release", "moderation"),
        ("GET", "/moderation/demo/doublons", "moderation"),
        ("GET", "/moderation/demo/answers", "moderation"),
        ("POST", f"/moderation/demo/answers/{action.id}", "moderation"),
        ("POST", "/moderation/demo/answers/publish", "moderation"),
        ("GET", "/moderation/demo/workshops", "moderation"),
        ("POST", "/moderation/demo/workshops", "moderation_form"),
        ("GET", f"/moderation/demo/workshops/{world['workshop'].id}", "moderation"),
        ("POST", f"/moderation/demo/workshops/{world['workshop'].id}", "moderation_form"),
        ("GET", "/moderation/demo/opendata", "moderation"),
        ("POST", "/moderation/demo/opendata/apercu", "moderation_form"),
        ("POST", "/moderation/demo/opendata/import", "moderation_form"),
        ("GET", "/moderation/demo/opendata/propositions.csv", "moderation"),
        ("GET", "/moderation/demo/opendata/commentaires.csv", "moderation"),
        ("GET", "/moderation/demo/traductions", "moderation"),
        ("GET", f"/moderation/demo/traductions/action/{action.id}", "moderation"),
        ("POST", f"/moderation/demo/traductions/orientation/{orientation_id}", "moderation"),
        # Committee
        ("GET", "/comite/", "committee"),
        ("GET", "/comite/demo", "committee"),
        ("GET", f"/comite/demo/comparer?older={summary_id}&newer={summary_id}", "committee"),
        ("POST", "/comite/demo/calendrier", "committee"),
        ("POST", "/comite/demo/syntheses", "committee"),
        ("GET", f"/comite/syntheses/{summary_id}", "committee"),
        ("GET", f"/comite/syntheses/{summary_id}/etat", "committee"),
        ("GET", f"/comite/syntheses/{summary_id}/synthese.csv", "committee"),
        ("POST", f"/comite/syntheses/{summary_id}/relancer", "committee"),
        # Decisions (the demo's vote is open: publishing is refused with a message)
        ("GET", "/decisions/demo/", "decisions"),
        ("POST", f"/decisions/demo/actions/{action.id}", "decisions_form"),
        ("GET", "/decisions/demo/publier", "decisions"),
        ("POST", "/decisions/demo/publier", "decisions"),
        # The reference population: the committee reads it, the people who manage the consultation load and map it.
        ("GET", "/comite/demo/population", "committee"),
        ("POST", "/comite/demo/population", "management_form"),
        ("POST", "/comite/demo/population/quartiers", "management_form"),
        # Management
        ("GET", "/gestion/", "management"),
        ("GET", "/gestion/demo/", "management"),
        ("POST", "/gestion/demo/", "management_form", {"title": ""}),
        ("GET", "/gestion/demo/etape/close_voting", "management"),
        ("POST", "/gestion/demo/etape/close_voting", "management_form"),  # not confirmed: nothing happens
        ("GET", "/gestion/demo/reglages", "management"),
        ("POST", "/gestion/demo/reglages", "management_form"),
        ("GET", "/gestion/demo/listes", "management"),
        ("POST", "/gestion/demo/listes", "management_form", {"neighbourhood": "Autre"}),
        ("GET", "/gestion/demo/listes/reponses", "management"),
        ("POST", "/gestion/demo/listes/reponses", "management_form"),
        ("GET", "/gestion/demo/structure", "management"),
        ("GET", "/gestion/demo/structure/orientation/nouvelle", "management"),
        ("POST", "/gestion/demo/structure/orientation/nouvelle", "management_form"),
        ("GET", f"/gestion/demo/structure/orientation/{orientation_id}/action/nouvelle", "management"),
        ("POST", f"/gestion/demo/structure/orientation/{orientation_id}/action/nouvelle", "management_form"),
        ("GET", f"/gestion/demo/structure/action/{action.id}", "management"),
        ("POST", f"/gestion/demo/structure/orientation/{orientation_id}", "management_form", {"title": ""}),
        ("GET", f"/gestion/demo/structure/action/{action.id}/supprimer", "management"),
        ("POST", f"/gestion/demo/structure/action/{action.id}/supprimer", "management_form"),
        ("POST", f"/gestion/demo/structure/action/{action.id}/deplacer", "management_form"),
        ("POST", "/gestion/demo/structure/theme", "management_form"),
        ("GET", "/gestion/demo/codes", "management"),
        ("POST", "/gestion/demo/codes", "management_form"),
        ("GET", f"/gestion/demo/codes/{world['batch'].id}/codes.pdf", "management"),
        ("GET", f"/gestion/demo/codes/{world['batch'].id}/revoquer", "management"),
        ("POST", f"/gestion/demo/codes/{world['batch'].id}/revoquer", "management_form"),
        # Creating consultations: admins only, not the manager of another one
        ("GET", "/gestion/nouvelle", "admin"),
        ("POST", "/gestion/nouvelle", "admin_form", {"title": ""}),
        ("GET", "/gestion/modele.xlsx", "management"),
        ("GET", "/gestion/demo/import", "management"),
        ("POST", "/gestion/demo/import", "management_form"),
        ("GET", "/gestion/demo/copie", "admin"),
        ("POST", "/gestion/demo/copie", "admin_form", {"title": ""}),
        # Administration
        ("GET", "/admin/participants", "admin"),
        ("POST", f"/admin/participants/{participant_id}/role", "admin"),
        ("GET", "/admin/moderation-log", "admin"),
        ("GET", "/admin/webhooks/", "admin"),
        ("POST", "/admin/webhooks/", "admin_form"),
        ("GET", f"/admin/webhooks/{webhook_id}", "admin"),
        ("POST", f"/admin/webhooks/{webhook_id}", "admin_form"),
        ("POST", f"/admin/webhooks/{webhook_id}/secret", "admin"),
        ("POST", f"/admin/webhooks/{webhook_id}/ping", "admin"),
        ("POST", f"/admin/webhooks/{webhook_id}/delete", "admin"),
        ("GET", "/admin/webhooks/deliveries", "admin"),
        ("POST", f"/admin/webhooks/deliveries/{delivery_id}/resend", "admin"),
        ("GET", "/admin/jetons-api/", "admin"),
        ("POST", "/admin/jetons-api/", "admin_form"),
        ("POST", f"/admin/jetons-api/{world['api_token'].id}/revoquer", "admin"),
        # REST API, with each person's own token
        ("GET", "/api/v1/openapi.json", "api_public"),
        ("GET", "/api/v1/docs/", "api_public"),
        ("GET", "/api/v1/docs/assets/swagger-ui.css", "api_public"),
        ("GET", "/api/v1/consultations", "api_read"),
        ("GET", "/api/v1/consultations/demo", "api_read"),
        ("GET", "/api/v1/consultations/demo/actions", "api_read"),
        ("GET", f"/api/v1/actions/{action.id}", "api_read"),
        ("GET", f"/api/v1/actions/{action.id}/comments", "api_read"),
        ("GET", "/api/v1/me", "api_signed_in"),
        ("GET", f"/api/v1/actions/{action.id}/votes/mine", "api_signed_in"),
        ("PUT", f"/api/v1/actions/{action.id}/votes/support", "api_signed_in"),
        ("PUT", f"/api/v1/actions/{action.id}/votes/opinion", "api_signed_in", {"value": 1}),
        ("PUT", f"/api/v1/actions/{action.id}/votes/grade", "api_signed_in", {"value": 4}),
        ("DELETE", f"/api/v1/actions/{action.id}/votes/support", "api_signed_in"),
        ("POST", f"/api/v1/actions/{action.id}/comments", "api_signed_in", {"body": "Mon avis"}),
        ("POST", "/api/v1/consultations/demo/proposals", "api_signed_in",
         {"orientation_id": orientation_id, "title": "Une idée de plus"}),
        ("DELETE", f"/api/v1/comments/{api_comment_id}", "api_author"),
        ("GET", "/api/v1/consultations/demo/proposals/pending", "api_moderation"),
        ("POST", f"/api/v1/proposals/{to_approve}/approve", "api_moderation"),
        ("POST", f"/api/v1/proposals/{to_reject}/reject", "api_moderation", {"reason": "Hors sujet"}),
        ("POST", f"/api/v1/comments/{api_comment_id}/hide", "api_moderation"),
        ("POST", f"/api/v1/comments/{api_comment_id}/unhide", "api_moderation"),
        ("GET", "/api/v1/consultations/demo/summaries", "api_committee"),
        ("POST", "/api/v1/consultations/demo/summaries", "api_committee"),
        ("GET", f"/api/v1/summaries/{summary_id}", "api_committee"),
        ("GET", f"/api/v1/summaries/{summary_id}/files/csv", "api_committee"),
        # Last: signing out (everywhere) ends the session the routes above were requested with.
        ("POST", "/auth/deconnexion-partout", "sign_out"),
        ("POST", "/auth/logout", "signed_out"),
    ]


def _request(client, world, who, method, path, body=None):
    """Pages with the person's session (signed in before), the API with the person's own token. Forms are sent
    empty unless a body is given, so that they only come back with a message."""
    if path.startswith("/api/v1/"):
        headers = {"Authorization": f"Bearer {world['secrets'][who]}"} if who in world["secrets"] else {}
        return client.open(path, method=method, json=body or {}, headers=headers)
    return client.open(path, method=method, data=body or {})


# What each person gets on each kind of route. OK is success: 200 for a page, 303 for a form post (back with a
# message), a 2xx for the API. A form page that shows its errors again answers 422. LOGIN is a redirection to
# the sign-in page. A blocked participant is signed out (pages) and their token refused (API, 403).
OK, LOGIN = "ok", "login"
EXPECTED = {
    #                  anonymous participant blocked moderator_elsewhere moderator committee manager admin
    "public":          (OK, OK, OK, OK, OK, OK, OK, OK),
    "public_form":     (422, 422, 422, 422, 422, 422, 422, 422),
    "expired_link":    (410, 410, 410, 410, 410, 410, 410, 410),
    "public_redirect": (302, 302, 302, 302, 302, 302, 302, 302),  # a lasting link, sent on to the page showing it
    "guest":           (OK, 302, OK, 302, 302, 302, 302, 302),
    "guest_form":      (422, 302, 422, 302, 302, 302, 302, 302),
    "platform":        (404, 404, 404, 404, 404, 404, 404, 404),  # no platform configured: see test_platform_sign_in
    "signed_in":       (LOGIN, OK, LOGIN, OK, OK, OK, OK, OK),
    "signed_in_form":  (LOGIN, 422, LOGIN, 422, 422, 422, 422, 422),
    "sign_out":        (LOGIN, OK, LOGIN, OK, OK, OK, OK, OK),
    "signed_out":      (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),  # by the route before
    "moderation_home": (LOGIN, 403, LOGIN, OK, OK, 403, 403, OK),
    "moderation":      (LOGIN, 403, LOGIN, 403, OK, 403, 403, OK),
    "moderation_form": (LOGIN, 403, LOGIN, 403, 422, 403, 403, 422),
    "committee":       (LOGIN, 403, LOGIN, 403, 403, OK, OK, OK),
    "decisions":       (LOGIN, 403, LOGIN, 403, 403, OK, OK, OK),  # the committee, managers and admins
    "decisions_form":  (LOGIN, 403, LOGIN, 403, 403, 422, 422, 422),
    "management":      (LOGIN, 403, LOGIN, 403, 403, 403, OK, OK),
    "management_form": (LOGIN, 403, LOGIN, 403, 403, 403, 422, 422),
    "admin":           (LOGIN, 403, LOGIN, 403, 403, 403, 403, OK),
    "admin_form":      (LOGIN, 403, LOGIN, 403, 403, 403, 403, 422),
    "api_public":      (OK, OK, OK, OK, OK, OK, OK, OK),  # the document and its docs: the token is not looked at
    "api_read":        (OK, OK, 403, OK, OK, OK, OK, OK),  # open to all, but a blocked account's token is refused
    "api_signed_in":   (401, OK, 403, OK, OK, OK, OK, OK),
    "api_author":      (401, OK, 403, 409, 409, 409, 409, 409),
    "api_moderation":  (401, 403, 403, 403, OK, 403, 403, OK),
    "api_committee":   (401, 403, 403, 403, 403, OK, OK, OK),
}


def test_every_route_is_in_this_matrix(app, matrix_world):
    """A new route must be added above, so that its rights are tested for every person."""
    routes = _routes(matrix_world)
    assert_every_route_listed(app, [(method, path) for method, path, *_rest in routes])
    assert {kind for _method, _path, kind, *_body in routes} == set(EXPECTED)


@pytest.mark.parametrize("who", ROLES)
def test_each_person_on_each_route(client, matrix_world, who):
    if who != "anonymous":
        login(client, matrix_world["people"][who])
    if who == "blocked":
        block(matrix_world["people"]["admin"], matrix_world["demo"], matrix_world["people"]["blocked"], "Messages insultants")
        db.session.commit()
    wrong = []
    for method, path, kind, *body in _routes(matrix_world):
        response = _request(client, matrix_world, who, method, path, *body)
        expected = EXPECTED[kind][ROLES.index(who)]
        if not _answers(response, method, path, expected):
            wrong.append((method, path, kind, f"expected {expected}, got {response.status_code}"))
    assert not wrong, "\n".join(map(str, wrong))
    assert db.session.get(type(matrix_world["proposal"]), matrix_world["proposal"].id).state == ActionState.PENDING


def _answers(response, method, path, expected) -> bool:
    """Whether the response is the expected one, with the words a person (or a program) is given."""
    status = response.status_code
    if expected == OK:
        if path.startswith("/api/v1/"):
            return status in (200, 201, 202, 204)
        return status == (200 if method == "GET" else 303)
    if expected == LOGIN:
        return status == 302 and "/auth/login" in response.headers["Location"]
    if status == 403 and not path.startswith("/api/v1/"):
        return expected == 403 and "Accès refusé" in page_text(response)
    if status in (401, 403) and path.startswith("/api/v1/"):
        return expected == status and response.get_json()["error"]["message"]
    return status == expected


def test_dashboard_lists_only_the_consultations_a_moderator_has(client, world):
    login(client, world["people"]["moderator_elsewhere"])
    text = page_text(client.get("/moderation/"))
    assert "Consultation autre" in text and "Consultation demo" not in text


def test_admin_assigns_a_moderator_and_it_is_logged(client, world):
    admin, person = world["people"]["admin"], world["people"]["committee"]
    login(client, admin)
    assert person.email in page_text(client.get("/admin/participants", query_string={"q": person.email}))
    client.post(
        f"/admin/participants/{person.id}/role",
        data={f"p{person.id}-role": "moderator", f"p{person.id}-consultations": [str(world["demo"].id)]},
    )
    assert db.session.get(Participant, person.id).role == Role.MODERATOR
    [entry] = db.session.scalars(select(ModerationLogEntry).where(ModerationLogEntry.action == ModerationAction.ROLE_CHANGE))
    assert entry.details["role"] == {"before": "committee", "after": "moderator"}
    assert entry.details["consultations"] == {"before": [], "after": [world["demo"].id]}
    client.post("/auth/logout")

    login(client, person)
    assert client.get("/moderation/demo/proposals").status_code == 200


def test_admin_cannot_remove_their_own_admin_role(client, world):
    admin = world["people"]["admin"]
    login(client, admin)
    text = page_text(client.post(f"/admin/participants/{admin.id}/role", data={f"p{admin.id}-role": "participant"}, follow_redirects=True))
    assert "Vous ne pouvez pas retirer votre propre rôle" in text
    assert db.session.get(Participant, admin.id).role == Role.ADMIN


def test_moderation_log_lists_and_filters(client, world):
    moderator = world["people"]["moderator"]
    login(client, moderator)
    proposal = world["proposal"]
    client.post(f"/moderation/proposals/{proposal.id}/reject", data={f"r{proposal.id}-category": "out_of_scope", f"r{proposal.id}-reason": "Hors sujet"})
    client.post("/auth/logout")

    login(client, world["people"]["admin"])
    everything = page_text(client.get("/admin/moderation-log"))
    assert "1 action enregistrée" in everything and "Proposition refusée" in everything and "Hors sujet" in everything
    assert "0 action" in page_text(client.get("/admin/moderation-log", query_string={"action": "approve"}))
    assert "1 action enregistrée" in page_text(client.get("/admin/moderation-log", query_string={"moderator": moderator.id, "consultation": world["demo"].id}))
    assert "0 action" in page_text(client.get("/admin/moderation-log", query_string={"since": "2999-01-01"}))
    assert client.get("/admin/moderation-log", query_string={"since": "pas-une-date", "moderator": "x"}).status_code == 200
