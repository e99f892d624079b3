"""Forms are protected against cross-site requests, and an expired form tells the person what to do."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from pedt_participation.extensions import db
from pedt_participation.models import Vote
from tests.helpers import TEST_PASSWORD, make_consultation, make_participant, page_text


def test_vote_without_token_is_refused_with_a_french_explanation(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    action = make_consultation().orientations[0].actions[0]
    participant = make_participant()
    login_page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    assert client.post(
        "/auth/login", data={"email": participant.email, "password": TEST_PASSWORD, "csrf_token": token}
    ).status_code == 303

    forged = client.post(f"/actions/{action.id}/votes/support")

    assert forged.status_code == 400
    assert "Le formulaire a expiré" in page_text(forged)
    assert "ce que vous aviez écrit y est encore" in page_text(forged)
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0

    page = client.get(f"/actions/{action.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(f"/actions/{action.id}/votes/support", data={"csrf_token": token}).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 1
