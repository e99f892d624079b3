"""Comments: write, reply up to the depth limit, alignment, sort orders, rating, soft delete."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from pedt_participation.api.services import issue_token
from pedt_participation.comments.services import CommentOrder, add_comment, comment_page, rate_comment
from pedt_participation.errors import ParticipationRefused
from pedt_participation.extensions import db
from pedt_participation.models import Action, ActionState, Alignment, Comment, utcnow
from tests.helpers import TEST_PASSWORD, login, make_consultation, make_participant, page_text


@pytest.fixture
def action():
    return make_consultation().orientations[0].actions[0]


def test_comment_and_reply_through_the_page(client, action):
    login(client, make_participant(display_name="Nadia"))
    response = client.post(f"/actions/{action.id}/comments", data={"body": "Très bonne idée pour le quartier", "alignment": "1"})
    assert response.status_code == 303 and "#commentaire-" in response.headers["Location"]
    root = db.session.scalar(select(Comment))

    client.post(f"/actions/{action.id}/comments", data={"body": "Je suis d’accord", "alignment": "0", "parent_id": str(root.id)})

    text = page_text(client.get(f"/actions/{action.id}"))
    assert "2 commentaires" in text
    assert "Nadia" in text and "Très bonne idée pour le quartier" in text and "Je suis d’accord" in text
    assert text.index("Très bonne idée") < text.index("Je suis d’accord")
    reply = db.session.scalar(select(Comment).where(Comment.parent_id == root.id))
    assert reply.depth == 1 and root.alignment == Alignment.POUR


def test_threads_stop_at_depth_three(app, action):
    author = make_participant()
    comment = add_comment(author, action, "Racine")
    for depth in range(1, 4):
        comment = add_comment(author, action, f"Réponse {depth}", parent_id=comment.id)
        assert comment.depth == depth
    with pytest.raises(ParticipationRefused, match="On ne peut plus répondre à ce commentaire"):
        add_comment(author, action, "Trop profond", parent_id=comment.id)


def test_reply_must_belong_to_the_same_action(app):
    consultation = make_consultation()
    first, second = consultation.orientations[0].actions[:2]
    author = make_participant()
    elsewhere = add_comment(author, first, "Sur une autre action")
    with pytest.raises(ParticipationRefused):
        add_comment(author, second, "Réponse égarée", parent_id=elsewhere.id)


def test_refused_comment_keeps_the_text(client):
    action = make_consultation(voting="past", proposals="past").orientations[0].actions[0]
    login(client, make_participant())
    response = client.post(f"/actions/{action.id}/comments", data={"body": "Mon long message important", "alignment": "0"})
    assert response.status_code == 422
    assert "Les commentaires sont fermés" in page_text(response)


def test_empty_comment_is_explained_and_refused_reply_keeps_its_text(client, action):
    author = make_participant()
    root = add_comment(author, action, "Racine")
    db.session.commit()
    login(client, author)

    response = client.post(f"/actions/{action.id}/comments", data={"body": "   ", "alignment": "0"})
    assert response.status_code == 422
    assert "Votre commentaire est vide" in page_text(response)

    long_reply = "x" * 5001
    response = client.post(f"/actions/{action.id}/comments", data={"body": long_reply, "alignment": "0", "parent_id": str(root.id)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "5 000 caractères au maximum." in page_text(response)
    assert long_reply in html and "<details class=\"reply\" open" in html


def test_sort_orders(app, action):
    author, reader_one, reader_two = make_participant(), make_participant(), make_participant()
    old = add_comment(author, action, "Ancien")
    new = add_comment(author, action, "Récent")
    new.created_at = old.created_at + timedelta(minutes=5)
    rate_comment(reader_one, old, -1)
    rate_comment(reader_one, new, 1)
    rate_comment(reader_two, new, 1)
    db.session.commit()

    def bodies(order):
        return [node.comment.body for node in comment_page(action, order, viewer=None, page=1).threads]

    assert bodies(CommentOrder.OLDEST) == ["Ancien", "Récent"]
    assert bodies(CommentOrder.NEWEST) == ["Récent", "Ancien"]
    assert bodies(CommentOrder.BEST) == ["Récent", "Ancien"]
    best = comment_page(action, CommentOrder.BEST, viewer=reader_one, page=1).threads[0]
    assert (best.ups, best.downs, best.viewer_rating) == (2, 0, 1)


def test_sort_links_on_the_page(client, action):
    author = make_participant()
    add_comment(author, action, "Premier")
    second = add_comment(make_participant(), action, "Second")
    second.created_at += timedelta(minutes=1)
    db.session.commit()
    newest = page_text(client.get(f"/actions/{action.id}?order=newest"))
    assert newest.index("Second") < newest.index("Premier")
    assert client.get(f"/actions/{action.id}?order=n-importe-quoi").status_code == 200


def test_rating_toggles_and_own_comment_cannot_be_rated(client, action):
    author, reader = make_participant(), make_participant()
    comment = add_comment(author, action, "À évaluer")
    db.session.commit()
    login(client, reader)

    client.post(f"/comments/{comment.id}/rate", data={"value": "1"})
    assert 'aria-pressed="true"><span aria-hidden="true">✓ </span>Utile (1)' in client.get(f"/actions/{action.id}").get_data(as_text=True)
    client.post(f"/comments/{comment.id}/rate", data={"value": "1"})
    assert "Utile (0)" in client.get(f"/actions/{action.id}").get_data(as_text=True)

    with pytest.raises(ParticipationRefused, match="votre propre commentaire"):
        rate_comment(author, comment, 1)


def test_deleting_keeps_the_replies(client, action):
    author, other = make_participant(display_name="Auteur"), make_participant(display_name="Autre")
    root = add_comment(author, action, "Texte à retirer")
    add_comment(other, action, "Réponse qui reste", parent_id=root.id)
    db.session.commit()

    login(client, other)
    client.post(f"/comments/{root.id}/delete", data={"confirmed": "oui"})
    assert db.session.get(Comment, root.id).deleted_at is None  # only the author may delete
    client.post("/auth/logout")

    login(client, author)
    text = page_text(client.post(f"/comments/{root.id}/delete", data={"confirmed": "oui"}, follow_redirects=True))
    assert "Commentaire supprimé par son auteur." in text
    assert "Texte à retirer" not in text and "Réponse qui reste" in text
    assert "1 commentaire" in text
    assert db.session.get(Comment, root.id) is not None


def test_deleting_asks_first_and_the_first_press_deletes_nothing(client, action):
    author = make_participant(display_name="Auteur")
    comment = add_comment(author, action, "Texte à garder")
    db.session.commit()
    login(client, author)

    html = client.get(f"/actions/{action.id}").get_data(as_text=True)
    disclosure = re.search(r'<details class="confirm-deletion">(.*?)</details>', html, re.S).group(1)
    assert re.search(r"<summary>Supprimer mon commentaire</summary>", disclosure)
    assert "effacé pour de bon" in disclosure
    assert re.search(r'<input type="hidden" name="confirmed" value="oui">.*<button[^>]*>Oui, supprimer</button>', disclosure, re.S)

    text = page_text(client.post(f"/comments/{comment.id}/delete", follow_redirects=True))
    assert "Votre commentaire n’est pas supprimé : confirmez avec le bouton « Oui, supprimer »." in text
    assert "Texte à garder" in text
    assert db.session.get(Comment, comment.id).deleted_at is None


def test_commenting_requires_login(client, action):
    response = client.post(f"/actions/{action.id}/comments", data={"body": "Anonyme"})
    assert response.status_code == 302
    assert db.session.scalar(select(Comment)) is None


def test_a_comment_form_sent_twice_publishes_one_comment(client, action):
    login(client, make_participant())
    page = client.get(f"/actions/{action.id}").get_data(as_text=True)
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', page).group(1)
    form = {"body": "Un seul message, envoyé deux fois", "alignment": "0", "idempotency_key": key}

    first, second = (client.post(f"/actions/{action.id}/comments", data=form) for _ in range(2))

    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 1


def test_an_idempotency_key_reused_for_other_words_is_refused(client, action):
    author = make_participant()
    add_comment(author, action, "Premier message", idempotency_key="cle-du-formulaire")
    db.session.commit()
    login(client, author)

    response = client.post(
        f"/actions/{action.id}/comments",
        data={"body": "Un tout autre message", "alignment": "0", "idempotency_key": "cle-du-formulaire"},
    )

    assert response.status_code == 422
    assert "Rechargez la page, puis écrivez le nouveau" in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 1


def test_a_keyed_comment_the_database_refuses_for_another_reason_raises_that_refusal(app, action):
    """The unique (author, key) constraint is not the only one: a comment on an action deleted meanwhile fails
    with the database's own error, not as a copy of a comment that was never stored."""
    author = make_participant()
    assert action.state == ActionState.PUBLISHED
    db.session.execute(delete(Action).where(Action.id == action.id).execution_options(synchronize_session=False))

    with pytest.raises(IntegrityError):
        add_comment(author, action, "Envoyé pendant que l’action disparaît", idempotency_key="cle-du-formulaire")


def test_the_api_returns_the_same_comment_for_the_same_idempotency_key(client, action):
    _token, secret = issue_token("Application", owner=make_participant())
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "envoi-42"}

    answers = [
        client.post(f"/api/v1/actions/{action.id}/comments", json={"body": "Bonjour"}, headers=headers)
        for _ in range(2)
    ]

    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].get_json()["data"]["id"] == answers[1].get_json()["data"]["id"]
    too_long = client.post(
        f"/api/v1/actions/{action.id}/comments", json={"body": "Bonjour"}, headers={**headers, "Idempotency-Key": "x" * 65}
    )
    assert too_long.status_code == 422 and "Idempotency-Key est trop long" in too_long.get_json()["error"]["message"]


# --- pages of comments ----------------------------------------------------------------------------------------


@pytest.fixture
def busy_action(action):
    """45 root comments, one minute apart (« Avis 1 » the oldest), the 25th with a reply: three pages."""
    authors = [make_participant(display_name=f"Parent {n}") for n in range(3)]
    start = utcnow() - timedelta(days=1)
    for n in range(1, 46):
        comment = add_comment(authors[n % 3], action, f"Avis {n}")
        comment.created_at = start + timedelta(minutes=n)
    add_comment(authors[0], action, "Réponse à l’avis 25", parent_id=_comment(action, "Avis 25").id)
    db.session.commit()
    return action


def _comment(action, body):
    return db.session.scalar(select(Comment).where(Comment.action_id == action.id, Comment.body == body))


def _shown(response) -> list[str]:
    return re.findall(r"Avis \d+", page_text(response))


def test_the_action_page_shows_comments_by_pages(client, busy_action):
    first = client.get(f"/actions/{busy_action.id}")
    text = page_text(first)
    assert "46 commentaires" in text  # the heading counts them all
    assert "Commentaires 1 à 20 sur 45, avec leurs réponses" in text
    assert _shown(first) == [f"Avis {n}" for n in range(1, 21)]
    assert "Voir les commentaires précédents" not in text

    second = client.get(f"/actions/{busy_action.id}?page=2")
    assert "Commentaires 21 à 40 sur 45" in page_text(second)
    assert _shown(second) == [f"Avis {n}" for n in range(21, 41)]
    assert "Réponse à l’avis 25" in page_text(second)

    last = client.get(f"/actions/{busy_action.id}?page=3")
    assert _shown(last) == [f"Avis {n}" for n in range(41, 46)]
    assert "Voir les commentaires suivants" not in page_text(last)
    assert _shown(client.get(f"/actions/{busy_action.id}?page=999999999999999999999")) == _shown(last)
    assert _shown(client.get(f"/actions/{busy_action.id}?page=-4")) == _shown(first)


def test_the_next_page_link_keeps_the_order(client, busy_action):
    html = client.get(f"/actions/{busy_action.id}?order=newest").get_data(as_text=True)
    next_link = re.search(r'<a href="([^"]+)">Voir les commentaires suivants</a>', html).group(1)
    assert "order=newest" in next_link and "page=2" in next_link

    second = client.get(unescape(next_link))
    assert _shown(second) == [f"Avis {n}" for n in range(25, 5, -1)]
    assert "Commentaires 21 à 40 sur 45" in page_text(second)


def test_signing_in_to_comment_comes_back_to_the_same_page_of_comments(client, busy_action):
    html = client.get(f"/actions/{busy_action.id}?order=newest&page=2").get_data(as_text=True)
    sign_in = unescape(re.search(r'<a href="([^"]+)">Connectez-vous pour commenter</a>', html).group(1))
    person = make_participant()
    back = client.post(sign_in, data={"email": person.email, "password": TEST_PASSWORD})
    assert back.status_code == 303
    assert _shown(client.get(back.headers["Location"])) == [f"Avis {n}" for n in range(25, 5, -1)]


def test_a_new_comment_lands_on_its_page_in_the_chosen_order(client, busy_action):
    login(client, make_participant())

    oldest = client.post(f"/actions/{busy_action.id}/comments", data={"body": "Le plus récent", "alignment": "0"})
    newest = client.post(
        f"/actions/{busy_action.id}/comments?order=newest&page=2", data={"body": "Encore un", "alignment": "0"}
    )

    assert "page=3" in oldest.headers["Location"]
    assert "Le plus récent" in page_text(client.get(oldest.headers["Location"]))
    assert "order=newest" in newest.headers["Location"] and "page=1" in newest.headers["Location"]
    comment = _comment(busy_action, "Encore un")
    assert newest.headers["Location"].endswith(f"#commentaire-{comment.id}")


def test_a_reply_rating_or_report_brings_the_reader_back_to_the_comments_page(client, busy_action):
    login(client, make_participant())
    parent = _comment(busy_action, "Avis 30")

    reply = client.post(
        f"/actions/{busy_action.id}/comments",
        data={"body": "Je réponds à l’avis 30", "alignment": "0", "parent_id": str(parent.id)},
    )
    assert "page=2" in reply.headers["Location"]
    assert "Je réponds à l’avis 30" in page_text(client.get(reply.headers["Location"]))

    rated = client.post(f"/comments/{parent.id}/rate?order=best", data={"value": "1"})
    assert "order=best" in rated.headers["Location"] and "page=1" in rated.headers["Location"]
    assert rated.headers["Location"].endswith(f"#commentaire-{parent.id}")

    reported = client.post(f"/comments/{parent.id}/report", data={"reason": "spam", "about": "comment"})
    assert "page=2" in reported.headers["Location"]


def test_a_refused_reply_comes_back_on_the_page_of_its_comment(client, busy_action):
    login(client, make_participant())
    parent = _comment(busy_action, "Avis 44")

    response = client.post(
        f"/actions/{busy_action.id}/comments",
        data={"body": "x" * 5001, "alignment": "0", "parent_id": str(parent.id)},
    )

    assert response.status_code == 422
    assert "Avis 44" in _shown(response) and "x" * 5001 in response.get_data(as_text=True)


def test_a_link_to_a_comment_finds_its_page(client, busy_action):
    reply = _comment(busy_action, "Réponse à l’avis 25")

    response = client.get(f"/comments/{reply.id}")

    assert response.status_code == 302
    assert "page=2" in response.headers["Location"]
    assert response.headers["Location"].endswith(f"#commentaire-{reply.id}")
    assert client.get("/comments/999999").status_code == 404
