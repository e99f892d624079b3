"""Participation codes handed out on paper: a code works once, for one account, only in its consultation; a
consultation requiring codes refuses a vote without one and says where to get one; a revoked batch stops counting;
the summary reports participation per batch."""

from __future__ import annotations

import re

from sqlalchemy import select

from pedt_participation.api.services import issue_token
from pedt_participation.codes.services import (
    CODE_ALPHABET,
    CODE_LENGTH,
    bind_code,
    generate_batch,
    shown_code,
)
from pedt_participation.committee.aggregation import aggregate
from pedt_participation.extensions import db
from pedt_participation.models import ModerationAction, ModerationLogEntry, Role, VoteKind
from pedt_participation.voting.services import cast_vote, count_votes
from tests.helpers import login, make_consultation, make_participant, page_text, pdf_pages


def _manager():
    return make_participant(role=Role.ADMIN)


def _codes(batch) -> list[str]:
    return [code.code for code in batch.codes]


def _enter(client, consultation, code):
    return client.post(f"/consultations/{consultation.slug}/code", data={"code": code}, follow_redirects=True)


def test_a_code_works_once_for_one_account_only_in_its_consultation(client):
    consultation = make_consultation(codes_required=True)
    other = make_consultation(slug="autre-consultation", codes_required=True)
    batch = generate_batch(_manager(), consultation, "École Jean-Jaurès", 3)
    db.session.commit()
    code = _codes(batch)[0]
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    assert not set("01OI") & set(CODE_ALPHABET)

    first, second = make_participant(), make_participant()
    login(client, first)
    assert "Ce code n’existe pas pour cette consultation." in page_text(_enter(client, other, code))
    # Typed as printed, with its dash, in small letters: the same code.
    assert "Votre code est enregistré : vous pouvez voter." in page_text(_enter(client, consultation, shown_code(code).lower()))
    assert "un seul suffit" in page_text(_enter(client, consultation, _codes(batch)[1]))

    client.post("/auth/logout")
    login(client, second)
    assert "Ce code a déjà été utilisé par un autre compte." in page_text(_enter(client, consultation, code))
    action = consultation.orientations[0].actions[0]
    refused = page_text(client.post(f"/actions/{action.id}/votes/support", follow_redirects=True))
    assert "il faut un code de participation" in refused
    assert count_votes([action.id])[action.id].supports == 0


def test_a_consultation_requiring_codes_refuses_a_vote_without_one_and_says_where_to_get_one(client):
    consultation = make_consultation(codes_required=True)
    generate_batch(_manager(), consultation, "Centre social des Tilleuls", 2)
    db.session.commit()
    action = consultation.orientations[0].actions[0]
    login(client, make_participant())

    response = client.post(f"/actions/{action.id}/votes/support")
    html = client.get(response.headers["Location"]).get_data(as_text=True)

    message = (
        "Pour voter dans cette consultation, il faut un code de participation. Ils sont distribués sur papier à ces "
        "endroits : Centre social des Tilleuls. Saisissez votre code en haut de la page de la consultation."
    )
    # Beside the control that was pressed (the action page's vote panel), not at the top of the page.
    panel = html[html.index('id="vote"'):]
    assert f'class="flash flash-error flash-beside" role="alert">{message}' in panel.replace("&#39;", "’")
    assert "il faut un code" not in html[:html.index('id="vote"')]
    assert count_votes([action.id])[action.id].supports == 0


def test_the_api_answers_the_same_refusal(client):
    consultation = make_consultation(codes_required=True)
    action = consultation.orientations[0].actions[0]
    _token, secret = issue_token("Téléphone", owner=make_participant())
    db.session.commit()
    response = client.put(
        f"/api/v1/actions/{action.id}/votes/support", json={}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 409, response.get_json()
    message = response.get_json()["error"]["message"]
    assert "il faut un code de participation" in message
    assert "à l’école, au centre social et lors des ateliers" in message


def test_a_revoked_batch_stops_counting_and_leaves_the_summary(client):
    consultation = make_consultation(codes_required=True, k_anonymity=1)
    manager = _manager()
    school = generate_batch(manager, consultation, "École Jean-Jaurès", 2)
    centre = generate_batch(manager, consultation, "Centre social", 2)
    db.session.commit()
    action = consultation.orientations[0].actions[0]
    pupil_parent, neighbour = make_participant(), make_participant()
    bind_code(pupil_parent, consultation, _codes(school)[0])
    bind_code(neighbour, consultation, _codes(centre)[0])
    cast_vote(pupil_parent, action, VoteKind.SUPPORT, 1)
    cast_vote(neighbour, action, VoteKind.SUPPORT, 1)
    elsewhere = make_consultation(slug="sans-codes").orientations[0].actions[0]
    cast_vote(pupil_parent, elsewhere, VoteKind.SUPPORT, 1)
    db.session.commit()
    assert count_votes([action.id])[action.id].supports == 2
    by_batch = aggregate(consultation)["participation"]["by_code_batch"]["parts"]
    assert {label: part["value"] for label, part in by_batch.items()} == {"École Jean-Jaurès": 1, "Centre social": 1}

    login(client, manager)
    response = client.post(
        f"/gestion/{consultation.slug}/codes/{school.id}/revoquer", data={"confirmed": "oui", "reason": "Feuille perdue"}
    )
    assert response.status_code == 303

    assert count_votes([action.id])[action.id].supports == 1
    # Only in the batch's consultation: the same person's vote elsewhere still counts.
    assert count_votes([action.id, elsewhere.id])[elsewhere.id].supports == 1
    summary = aggregate(consultation)
    assert summary["orientations"][0]["actions"][0]["supports"]["by_channel"]["total"]["value"] == 1
    assert list(summary["participation"]["by_code_batch"]["parts"]) == ["Centre social"]
    # The code of a revoked batch can no longer be entered, and its votes are kept, not deleted.
    client.post("/auth/logout")
    login(client, make_participant())
    assert "Ce code n’est plus valable." in page_text(_enter(client, consultation, _codes(school)[1]))
    [entry] = db.session.scalars(select(ModerationLogEntry).where(ModerationLogEntry.action == ModerationAction.REVOKE_CODES))
    assert entry.reason == "Feuille perdue"


def test_a_manager_prints_a_sheet_of_slips_with_the_codes_in_french_and_arabic(client, tmp_path):
    consultation = make_consultation()
    manager = _manager()
    login(client, manager)
    response = client.post(f"/gestion/{consultation.slug}/codes", data={"label": "École Jean-Jaurès", "count": "10"})
    assert response.status_code == 303
    [entry] = db.session.scalars(select(ModerationLogEntry).where(ModerationLogEntry.action == ModerationAction.GENERATE_CODES))
    assert entry.details == {"label": "École Jean-Jaurès", "count": 10}

    listing = client.get(f"/gestion/{consultation.slug}/codes")
    assert "École Jean-Jaurès" in page_text(listing)
    sheet_link = re.search(r'href="([^"]+codes\.pdf)"', listing.get_data(as_text=True)).group(1)
    pdf = client.get(sheet_link)
    assert pdf.mimetype == "application/pdf"
    pages = pdf_pages(pdf.data)
    assert len(pages) == 2  # ten slips, eight per page
    text = "".join(pages)
    assert "Votre code de participation" in text
    assert "رمز" in text  # the Arabic half of each slip


def test_a_manager_of_another_consultation_cannot_see_its_codes(client):
    consultation = make_consultation()
    login(client, make_participant(role=Role.MODERATOR))
    assert client.get(f"/gestion/{consultation.slug}/codes").status_code == 403
