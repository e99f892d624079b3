"""An archived consultation's moderation is read-only: every step is refused, on the pages and in the API, and the
pages say so and offer no button."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from pedt_participation.api.services import issue_token
from pedt_participation.comments.services import add_comment
from pedt_participation.consultations.services import propose_action
from pedt_participation.extensions import db
from pedt_participation.models import (
    ActionState,
    AnswerState,
    ConsultationStatus,
    ModerationLogEntry,
    PaperVoteCount,
    Workshop,
    utcnow,
)
from tests.helpers import login, make_consultation, make_moderator, make_participant, page_text
from tests.test_opendata import decidim_csv

REFUSED = "Cette consultation est archivée : sa modération ne se modifie plus."
NOTICE = "Cette consultation est archivée : sa modération se consulte, mais ne se modifie plus."


@pytest.fixture
def archive():
    """A consultation archived with work left in its moderation: a pending proposal, a reported comment, a hidden
    one, a blocked account, a workshop and a drafted answer."""
    consultation = make_consultation(slug="archivee", orientations=1, actions_per_orientation=1)
    action = consultation.orientations[0].actions[0]
    moderator = make_moderator(consultation)
    author, blocked = make_participant(), make_participant()
    proposal = propose_action(author, consultation.orientations[0], "Un potager partagé", "")
    comment = add_comment(author, action, "Un commentaire à relire")
    hidden = add_comment(blocked, action, "Un commentaire masqué")
    hidden.hidden_at = blocked.blocked_at = utcnow()
    blocked.blocked_reason = "Messages insultants"
    action.answer_draft_state, action.answer_draft_text = AnswerState.ACCEPTED, "Nous le ferons."
    workshop = Workshop(consultation_id=consultation.id, held_on=date(2026, 1, 10), place="Centre social")
    db.session.add(workshop)
    consultation.status = ConsultationStatus.ARCHIVED
    db.session.commit()
    return {"consultation": consultation, "action": action, "moderator": moderator, "author": author,
            "blocked": blocked, "proposal": proposal, "comment": comment, "hidden": hidden, "workshop": workshop}


def _log_size() -> int:
    return db.session.scalar(select(func.count()).select_from(ModerationLogEntry))


def test_every_moderation_step_on_an_archived_consultation_is_refused_with_a_message(client, archive):
    proposal, action, comment = archive["proposal"], archive["action"], archive["comment"]
    author, blocked = archive["author"], archive["blocked"]
    steps = {
        "approve": (f"/moderation/proposals/{proposal.id}/approve",
                    {f"a{proposal.id}-title": "Un potager", f"a{proposal.id}-orientation_id": proposal.orientation_id}),
        "reject": (f"/moderation/proposals/{proposal.id}/reject",
                   {f"r{proposal.id}-category": "out_of_scope", f"r{proposal.id}-reason": "Hors sujet"}),
        "merge": (f"/moderation/proposals/{proposal.id}/merge", {f"m{proposal.id}-target_id": action.id}),
        "hide": (f"/moderation/archivee/comment/{comment.id}/hide", {}),
        "dismiss": (f"/moderation/archivee/comment/{comment.id}/dismiss", {}),
        "unhide": (f"/moderation/archivee/comment/{archive['hidden'].id}/unhide", {}),
        "block": (f"/moderation/archivee/participants/{author.id}/block", {"confirmed": "oui", "reason": "Insultes"}),
        "unblock": (f"/moderation/archivee/participants/{blocked.id}/unblock", {}),
        "hold": (f"/moderation/archivee/participants/{author.id}/hold", {}),
        "paper votes": ("/moderation/archivee/workshops",
                        {"held_on": "2026-01-12", "place": "Médiathèque", f"c-{action.id}-parent": "4"}),
        "answer": (f"/moderation/archivee/answers/{action.id}", {f"r{action.id}-state": "not_retained", f"r{action.id}-text": "Non."}),
        "publish answers": ("/moderation/archivee/answers/publish", {"action_ids": str(action.id)}),
        "translate": (f"/moderation/archivee/traductions/action/{action.id}", {"en_title": "A shared garden"}),
        "preview an import": ("/moderation/archivee/opendata/apercu", {"file": (io.BytesIO(decidim_csv()), "propositions.csv")}),
    }
    login(client, archive["moderator"])
    not_refused = [
        name for name, (path, data) in steps.items()
        if REFUSED not in page_text(client.post(path, data=data, follow_redirects=True))
    ]

    assert not not_refused, f"carried out on an archived consultation: {not_refused}"
    assert _log_size() == 0
    assert db.session.get(type(proposal), proposal.id).state == ActionState.PENDING
    assert db.session.get(type(comment), comment.id).hidden_at is None
    assert db.session.get(type(author), author.id).blocked_at is None and author.votes_held_at is None
    assert db.session.get(type(blocked), blocked.id).blocked_at is not None
    assert db.session.scalar(select(func.count()).select_from(PaperVoteCount)) == 0
    assert db.session.get(type(action), action.id).answer_published_at is None
    assert not db.session.get(type(action), action.id).translations


def test_the_api_refuses_to_moderate_an_archived_consultation(client, archive):
    proposal, comment = archive["proposal"], archive["comment"]
    _token, secret = issue_token("Script de modération", owner=archive["moderator"])
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    for path, body in (
        (f"/api/v1/proposals/{proposal.id}/approve", {}),
        (f"/api/v1/proposals/{proposal.id}/reject", {"reason": "Hors sujet"}),
        (f"/api/v1/comments/{comment.id}/hide", {}),
        (f"/api/v1/comments/{archive['hidden'].id}/unhide", {}),
    ):
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == 409, path
        assert response.get_json()["error"]["message"] == REFUSED
    assert _log_size() == 0


@pytest.mark.parametrize("page", ["proposals", "reports", "doublons", "workshops", "answers", "opendata", "traductions"])
def test_an_archived_consultations_moderation_pages_say_so_and_offer_no_button(client, archive, page):
    login(client, archive["moderator"])
    response = client.get(f"/moderation/archivee/{page}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and NOTICE in page_text(response)
    main = html[html.index("<main"):html.index("</main>")]
    assert 'method="post"' not in main


def test_an_archived_consultations_lists_offer_no_link_to_change_them(client, archive):
    login(client, archive["moderator"])
    action = archive["action"]

    translations = client.get("/moderation/archivee/traductions")
    assert "Traduire" not in page_text(translations)
    edit = client.get(f"/moderation/archivee/traductions/action/{action.id}")
    html = edit.get_data(as_text=True)
    assert NOTICE in page_text(edit) and 'method="post"' not in html[html.index("<main"):html.index("</main>")]
    workshops = client.get("/moderation/archivee/workshops")
    assert "Corriger" not in page_text(workshops), "no column of corrections, not even an empty one"


def test_a_refused_workshop_on_an_archived_consultation_promises_no_numbers_kept_below(client, archive):
    login(client, archive["moderator"])
    response = client.post(
        "/moderation/archivee/workshops",
        data={"held_on": "2026-01-12", "place": "Médiathèque", f"c-{archive['action'].id}-parent": "4"},
    )
    text = page_text(response)
    assert REFUSED in text
    assert "ci-dessous" not in text
