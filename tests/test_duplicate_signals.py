"""Duplicate signals for moderators: accounts made in a burst from one network, addresses of one mailbox, names
that differ by a number, new accounts voting alike, each with its evidence; a moderator holds an account's votes
(they leave every count) and releases them (they come back). Nothing is acted on automatically."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from pedt_participation.committee.aggregation import aggregate
from pedt_participation.extensions import db
from pedt_participation.models import ModerationAction, ModerationLogEntry, Participant, VoteKind, utcnow
from pedt_participation.moderation.duplicates import address_key, network_key
from pedt_participation.voting.services import cast_vote, count_votes
from tests.helpers import login, make_consultation, make_moderator, make_participant, page_text

from .test_auth import PARENT


def test_the_network_an_account_is_created_from_is_kept_keyed_by_its_slash_24(client, app):
    client.post("/auth/register", data=PARENT, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    participant = db.session.scalar(select(Participant))
    assert participant.registration_network == network_key("203.0.113.250", app.config["SECRET_KEY"])
    assert participant.registration_network != network_key("203.0.114.7", app.config["SECRET_KEY"])
    assert "203.0.113" not in participant.registration_network
    assert network_key("2001:db8:1:2::5", "s") == network_key("2001:db8:1:ffff::9", "s")


def test_addresses_of_one_mailbox_share_a_key():
    assert address_key("jean+1@exemple.fr") == address_key("Jean+2@exemple.fr") == "jean@exemple.fr"
    assert address_key("j.e.an@gmail.com") == address_key("jean@googlemail.com") == "jean@gmail.com"
    assert address_key("j.ean@exemple.fr") != address_key("jean@exemple.fr")


def test_thirty_accounts_made_in_one_minute_that_vote_alike_are_shown_with_their_evidence(client, app):
    consultation = make_consultation(slug="demo", k_anonymity=1)
    first, second = consultation.orientations[0].actions[:2]
    start = utcnow() - timedelta(hours=1)
    network = network_key("198.51.100.20", app.config["SECRET_KEY"])
    planted = []
    for number in range(1, 31):
        person = make_participant(email=f"jean+{number}@exemple.fr", display_name=f"Jean {number}", registration_network=network)
        person.created_at = start + timedelta(seconds=2 * number)
        cast_vote(person, first, VoteKind.SUPPORT, 1)
        cast_vote(person, second, VoteKind.OPINION, 1)
        planted.append(person)
    honest = make_participant(email="amina@exemple.fr", display_name="Amina")
    cast_vote(honest, first, VoteKind.SUPPORT, 1)
    db.session.commit()
    moderator = make_moderator(consultation)
    login(client, moderator)

    text = page_text(client.get("/moderation/demo/doublons"))

    assert "30 comptes créés en 1 minute depuis le même réseau." in text
    assert "30 adresses e-mail qui mènent à la même boîte (jean@exemple.fr), à une étiquette « + » ou des points près." in text
    assert "30 noms presque identiques (ils ne diffèrent que par des chiffres) : « jean… »." in text
    assert "30 comptes récents ont voté exactement de la même façon (les mêmes 2 votes)." in text
    assert "jean+17@exemple.fr" in text and "amina@exemple.fr" not in text
    # Only signals: every vote still counts until a moderator decides.
    assert count_votes([first.id])[first.id].supports == 31
    assert db.session.scalar(select(ModerationLogEntry.id)) is None


def test_holding_an_accounts_votes_removes_them_from_every_count_and_releasing_restores_them(client):
    consultation = make_consultation(slug="demo", k_anonymity=1)
    action = consultation.orientations[0].actions[0]
    suspect, other = make_participant(display_name="Jean 1"), make_participant()
    cast_vote(suspect, action, VoteKind.SUPPORT, 1)
    cast_vote(other, action, VoteKind.SUPPORT, 1)
    db.session.commit()
    login(client, make_moderator(consultation))

    held = client.post(f"/moderation/demo/participants/{suspect.id}/hold", data={"reason": "Rafale de comptes", "next": "/moderation/demo/doublons"})

    assert held.headers["Location"].endswith("/moderation/demo/doublons")
    assert count_votes([action.id])[action.id].supports == 1
    assert aggregate(consultation)["participation"]["participants"]["value"] == 1
    suspect_client = client.application.test_client()
    login(suspect_client, suspect)
    assert suspect_client.get("/api/v1/me").get_json()["data"]["votes_count"] is False

    client.post(f"/moderation/demo/participants/{suspect.id}/release")

    assert count_votes([action.id])[action.id].supports == 2
    assert aggregate(consultation)["participation"]["participants"]["value"] == 2
    assert suspect_client.get("/api/v1/me").get_json()["data"]["votes_count"] is True
    logged = db.session.scalars(select(ModerationLogEntry).order_by(ModerationLogEntry.id)).all()
    assert [(entry.action, entry.reason) for entry in logged] == [
        (ModerationAction.HOLD_VOTES, "Rafale de comptes"),
        (ModerationAction.RELEASE_VOTES, ""),
    ]
