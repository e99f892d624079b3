"""The counts of the pages, the API and the open-data export. Vote counts come from the tallies the database keeps
as votes are written (models.ActionTally): they must say what a fresh count says at once, whatever changed. Comment
counts, and the people who voted on the home page, are kept a few seconds (kept_counts) instead of counting them at
each view: they must say what a fresh count says once that time has passed, and an author must see their own
comment counted at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import func, select

from pedt_participation import kept_counts
from pedt_participation.auth.services import give_parental_consent
from pedt_participation.codes.services import bind_code, generate_batch, revoke_batch
from pedt_participation.comments.services import add_comment, count_comments, delete_comment
from pedt_participation.extensions import cache, db
from pedt_participation.models import (
    Action,
    ActionTally,
    AgeBracket,
    Audience,
    Consultation,
    ErasureReason,
    PaperVoteCount,
    Participant,
    Role,
    VoteKind,
    Workshop,
    utcnow,
)
from pedt_participation.moderation.services import (
    block,
    hide,
    hold_votes,
    merge_actions,
    release_votes,
    unblock,
    unhide,
)
from pedt_participation.opendata.services import proposals_rows
from pedt_participation.privacy.services import erase_account, erase_held_account
from pedt_participation.reports.services import Target
from pedt_participation.voting.services import cast_vote, count_votes, withdraw_vote
from tests.helpers import (
    count_queries,
    fresh_comment_counts,
    fresh_vote_counts,
    login,
    make_consultation,
    make_moderator,
    make_participant,
    page_text,
)

KEPT_SECONDS = 3


@pytest.fixture
def clock(app, monkeypatch):
    """Counts kept KEPT_SECONDS, on a clock the test moves on; an empty cache to start with."""
    monkeypatch.setitem(app.config, "LIVE_COUNTS_SECONDS", KEPT_SECONDS)
    cache.clear()
    now = [1_000_000.0]
    monkeypatch.setattr(kept_counts, "_now", lambda: now[0])
    yield now
    cache.clear()


def _api_counts(client, slug: str) -> dict[int, dict]:
    """Each published action's counts as the API lists them."""
    orientations = client.get(f"/api/v1/consultations/{slug}").get_json()["data"]["orientations"]
    return {action["id"]: action["counts"] for orientation in orientations for action in orientation["actions"]}


def _api_comments(client, slug: str) -> dict[int, int]:
    """Each published action's comment count as the API lists it."""
    orientations = client.get(f"/api/v1/consultations/{slug}").get_json()["data"]["orientations"]
    return {action["id"]: action["counts"]["comments"] for orientation in orientations for action in orientation["actions"]}


def _exported_supports(consultation_id: int) -> dict[int, int]:
    """Each published action's supports in the open-data proposals file."""
    header, *rows = proposals_rows(consultation_id)
    return {row[header.index("id")]: row[header.index("votes")] for row in rows}


def _enter_paper_supports(consultation: Consultation, action: Action, supports: int) -> None:
    workshop = Workshop(consultation_id=consultation.id, held_on=date(2026, 12, 1), place="Centre social")
    db.session.add(workshop)
    db.session.flush()
    db.session.add(PaperVoteCount(workshop_id=workshop.id, action_id=action.id, audience=Audience.PARENT, supports=supports))


def _after_each(changes: dict[str, Callable[[], object]], counts: Callable[[], object],
                matches_a_fresh_count: Callable[[], bool], unchanged: tuple[str, ...]) -> None:
    """Each change applied and committed in turn: the counts then equal a fresh count, and moved unless the change
    is one of `unchanged`."""
    for change, apply in changes.items():
        before = counts()
        apply()
        db.session.commit()
        assert matches_a_fresh_count(), change
        assert (counts() == before) == (change in unchanged), change


def _correct_age_to_under_15(youth: Participant) -> None:
    youth.age_bracket, youth.parent_email, youth.parental_consent_at = AgeBracket.FROM_11_TO_14, "parent@exemple.fr", None


def test_the_vote_counts_equal_a_fresh_count_at_once_whatever_changed(client, clock):
    """The counts come from the tallies the database keeps as votes are written, less the votes that do not count:
    after each change, the counts, those the API lists and those the open-data file exports equal a fresh count of
    every vote at once (no seconds to wait)."""
    consultation = make_consultation(orientations=2, actions_per_orientation=3, vote_limit_per_orientation=None,
                                     opinion_enabled=True, majority_judgment_enabled=True, k_anonymity=1)
    first, second, deleted_later = consultation.orientations[0].actions
    third, never_voted, _unused = consultation.orientations[1].actions
    action_ids = [first.id, second.id, third.id, never_voted.id]
    moderator, manager = make_moderator(consultation), make_participant(role=Role.ADMIN)
    parents = [make_participant() for _ in range(6)]
    for parent in parents:
        cast_vote(parent, first, VoteKind.SUPPORT, 1)
        cast_vote(parent, second, VoteKind.OPINION, 1)
        cast_vote(parent, deleted_later, VoteKind.OPINION, -1)
    cast_vote(parents[0], third, VoteKind.GRADE, 2)
    unconfirmed = make_participant(confirmed=False)
    cast_vote(unconfirmed, first, VoteKind.SUPPORT, 1)
    awaiting_consent = make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_11_TO_14, parental_consent=False)
    cast_vote(awaiting_consent, third, VoteKind.GRADE, 6)
    youth = make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_15_TO_17)
    cast_vote(youth, third, VoteKind.GRADE, 5)
    batch = generate_batch(manager, consultation, "École Jean-Jaurès", 1)
    db.session.commit()
    bind_code(parents[5], consultation, batch.codes[0].code)
    db.session.commit()

    def matches_a_fresh_count() -> bool:
        listed, exported = _api_counts(client, consultation.slug), _exported_supports(consultation.id)
        counts, fresh = count_votes(action_ids), fresh_vote_counts(action_ids)
        return (
            {action_id: counts[action_id] for action_id in action_ids} == fresh
            and all(listed_counts["supports"] == fresh[action_id].supports
                    and listed_counts["opinions"]["pour"] == fresh[action_id].opinions[1]
                    and listed_counts["grades"] == {str(value): n for value, n in sorted(fresh[action_id].grades.items())}
                    for action_id, listed_counts in listed.items() if action_id in fresh)
            and exported == {action_id: count_votes([action_id])[action_id].supports for action_id in exported}
            and set(listed) == set(exported) and len(listed) >= 4
        )

    assert matches_a_fresh_count()
    assert count_votes([first.id])[first.id].supports == 6  # the unconfirmed address's support waits
    assert count_votes([third.id])[third.id].grades[6] == 0  # so does a child's vote until a parent consents
    changes = {
        "a vote": lambda: cast_vote(parents[1], third, VoteKind.GRADE, 4),
        "the same vote again": lambda: cast_vote(parents[1], third, VoteKind.GRADE, 4),
        "a changed opinion": lambda: cast_vote(parents[1], second, VoteKind.OPINION, -1),
        "a withdrawal": lambda: withdraw_vote(parents[2], second, VoteKind.OPINION),
        "blocking": lambda: block(moderator, consultation, parents[0], "Propos injurieux"),
        "unblocking": lambda: unblock(moderator, consultation, parents[0]),
        "votes held": lambda: hold_votes(moderator, consultation, parents[4], "Adresse inventée ?"),
        "votes released": lambda: release_votes(moderator, consultation, parents[4]),
        "an e-mail confirmed": lambda: setattr(unconfirmed, "email_confirmed_at", utcnow()),
        "a parent's consent": lambda: give_parental_consent(awaiting_consent),
        "an age corrected to under 15, awaiting consent": lambda: _correct_age_to_under_15(youth),
        "a vote by a person whose votes do not count": lambda: cast_vote(youth, first, VoteKind.SUPPORT, 1),
        "a batch of codes revoked": lambda: revoke_batch(manager, batch, "Feuille perdue"),
        "an erasure": lambda: erase_account(parents[3], ErasureReason.SELF_SERVICE),
        "an erasure deleting the votes": lambda: erase_held_account(parents[1], ErasureReason.SELF_SERVICE),
        "a merge": lambda: merge_actions(moderator, second, first),
        "paper votes": lambda: _enter_paper_supports(consultation, third, 7),
        "an action deleted": lambda: db.session.delete(db.session.get(Action, deleted_later.id)),
    }
    # An erased account's votes stay, anonymous (privacy.services.erase_account): its counts do not move.
    unchanged = ("an erasure", "the same vote again", "an action deleted", "a vote by a person whose votes do not count")
    _after_each(changes, lambda: count_votes(action_ids), matches_a_fresh_count, unchanged)
    tallies_left = select(func.count()).select_from(ActionTally).where(ActionTally.action_id == deleted_later.id)
    assert db.session.scalar(tallies_left) == 0


def test_the_pages_show_a_person_blocked_at_once(client, clock):
    action = make_consultation(vote_limit_per_orientation=None).orientations[0].actions[0]
    blocked_later, voter = make_participant(), make_participant()
    cast_vote(blocked_later, action, VoteKind.SUPPORT, 1)
    db.session.commit()
    assert "1 soutien" in page_text(client.get(f"/actions/{action.id}"))

    block(make_moderator(action.orientation.consultation), action.orientation.consultation, blocked_later, "Spam")
    db.session.commit()
    assert "0 soutien" in page_text(client.get(f"/actions/{action.id}"))
    assert _api_counts(client, action.orientation.consultation.slug)[action.id]["supports"] == 0
    assert _exported_supports(action.orientation.consultation_id)[action.id] == 0

    login(client, voter)
    page = page_text(client.post(f"/actions/{action.id}/votes/support", follow_redirects=True))
    assert "1 soutien" in page


def test_the_comment_counts_equal_a_fresh_count_at_once_whatever_changed(client, clock):
    """Comment counts come from the tallies the database keeps as comments are written: after each change, the
    shown comments and threads, and what the API and the consultation page list, equal a fresh count at once."""
    consultation = make_consultation(vote_limit_per_orientation=None, k_anonymity=1)
    action, other, deleted_later = consultation.orientations[0].actions
    action_ids = [action.id, other.id]
    moderator = make_moderator(consultation)
    author, reader, erased_later = make_participant(), make_participant(), make_participant()
    child = make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_11_TO_14, parental_consent=False)
    youth = make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_15_TO_17)
    first = add_comment(reader, action, "Très bonne idée pour le quartier.")
    add_comment(author, other, "Et le samedi ?")
    add_comment(erased_later, action, "Il faudrait plus de places.")
    add_comment(child, other, "Oui pour le foot le mercredi.")
    add_comment(youth, other, "Un local pour les jeunes.")
    add_comment(author, deleted_later, "À revoir.")
    db.session.commit()
    hidden_later = add_comment(author, action, "Hors sujet, à mon avis.")
    db.session.commit()

    def matches_a_fresh_count() -> bool:
        listed, fresh = _api_comments(client, consultation.slug), fresh_comment_counts(action_ids)
        return (
            count_comments(action_ids) == fresh
            and all(listed[action_id] == fresh[action_id].shown for action_id in action_ids if action_id in listed)
            and action.id in listed
        )

    assert matches_a_fresh_count()
    assert count_comments([other.id])[other.id].shown == 2  # the child's waits for a parent's consent
    changes = {
        "a comment": lambda: add_comment(author, action, "Je suis d’accord."),
        "a reply": lambda: add_comment(reader, action, "Moi aussi.", parent_id=first.id),
        "a comment removed by its author": lambda: delete_comment(author, hidden_later),
        "a comment hidden": lambda: hide(moderator, consultation, Target(comment=first), "Hors sujet"),
        "a comment shown again": lambda: unhide(moderator, consultation, Target(comment=first)),
        "an author blocked": lambda: block(moderator, consultation, reader, "Propos injurieux"),
        "an author unblocked": lambda: unblock(moderator, consultation, reader),
        "a parent's consent": lambda: give_parental_consent(child),
        "an age corrected to under 15, awaiting consent": lambda: _correct_age_to_under_15(youth),
        "an erasure": lambda: erase_account(erased_later, ErasureReason.SELF_SERVICE),
        "a merge": lambda: merge_actions(moderator, other, action),
        "an action deleted": lambda: db.session.delete(db.session.get(Action, deleted_later.id)),
    }
    _after_each(changes, lambda: count_comments(action_ids), matches_a_fresh_count, unchanged=("an action deleted",))


def test_the_pages_read_no_comment_to_count_them(client, clock):
    """Counting an action's comments took a time that grows with them (48 ms for 100,000): the consultation page
    reads none, the action page only those of the page it shows, and an author sees their own counted at once."""
    consultation = make_consultation(vote_limit_per_orientation=None)
    action = consultation.orientations[0].actions[0]
    add_comment(make_participant(), action, "Oui, vraiment utile.")
    db.session.commit()
    with count_queries(db.engine) as statements:
        assert "1 commentaire" in page_text(client.get(f"/consultations/{consultation.slug}"))
    assert not [statement for statement in statements if "FROM comments" in str(statement)]
    with count_queries(db.engine) as statements:
        assert "1 commentaire" in page_text(client.get(f"/actions/{action.id}"))
    assert not [statement for statement in statements if "count(" in str(statement) and "FROM comments" in str(statement)]

    login(client, make_participant())
    page = page_text(client.post(f"/actions/{action.id}/comments", data={"body": "Et le samedi aussi.", "alignment": "0"},
                                 follow_redirects=True))
    assert "2 commentaires" in page
    assert "Et le samedi aussi." in page


@pytest.fixture
def redis_cache(app, clock):
    """The cache shared by the web processes in production, Redis (on the tests' Redis database), in place of
    the tests' memory cache."""
    url = app.config["CELERY"]["broker_url"]
    if not url.startswith("redis://"):
        pytest.skip("the tests' broker is not Redis (CELERY_BROKER_URL)")
    in_memory = app.extensions["cache"][cache]
    cache.init_app(app, config={"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url, "CACHE_KEY_PREFIX": "test-counts:"})
    cache.clear()
    yield
    cache.clear()
    app.extensions["cache"][cache] = in_memory


def _voted(consultation: Consultation, people: int) -> list[Participant]:
    voters = [make_participant() for _ in range(people)]
    for voter in voters:
        cast_vote(voter, consultation.orientations[0].actions[0], VoteKind.SUPPORT, 1)
    db.session.commit()
    return voters


def _people_counted(statements) -> bool:
    """Whether the home page's count of the people who voted (consultations.services.participant_counts) was made."""
    return any("FROM participants" in str(statement) and "EXISTS" in str(statement) for statement in statements)


def test_with_the_redis_cache_the_home_page_keeps_its_count_in_redis(client, redis_cache, clock):
    consultation = make_consultation(vote_limit_per_orientation=None)
    _voted(consultation, 2)
    assert "2 personnes ont déjà voté" in page_text(client.get("/"))
    _voted(consultation, 1)
    assert "2 personnes ont déjà voté" in page_text(client.get("/"))
    cache.clear()
    assert "3 personnes ont déjà voté" in page_text(client.get("/"))


def test_counts_past_half_their_time_are_counted_again_once_a_page_is_answered(client, clock):
    """At a million votes, counting the people who voted takes seconds: the reader of a page that finds its count
    ageing does not wait for it, made once the page is sent, nor do the readers who come while it is made, and the
    next reader sees its result."""
    consultation = make_consultation(vote_limit_per_orientation=None)
    _voted(consultation, 2)
    assert "2 personnes ont déjà voté" in page_text(client.get("/"))
    _voted(consultation, 1)

    clock[0] += KEPT_SECONDS / 2
    with count_queries(db.engine) as statements:
        page = client.get("/", buffered=False)
        assert "2 personnes ont déjà voté" in page_text(page)
    assert not _people_counted(statements)
    # While that count is under way, even past their time, the counts are not counted again by other pages.
    clock[0] += KEPT_SECONDS
    with count_queries(db.engine) as statements:
        assert "2 personnes ont déjà voté" in page_text(client.get("/"))
    assert not _people_counted(statements)
    with count_queries(db.engine) as statements:
        page.close()  # as a WSGI server does once the answer is sent
    assert _people_counted(statements)
    assert "3 personnes ont déjà voté" in page_text(client.get("/"))


def test_the_home_page_counts_the_people_who_voted_as_the_vote_counts_count_them(client, clock):
    """Votes that do not count (an address not confirmed, votes held by a moderator, a child awaiting a parent's
    consent, a code of a revoked batch) do not make their author one of the people who voted, as they add nothing
    to the counts beside it; released, they do."""
    consultation = make_consultation(vote_limit_per_orientation=None)
    action = consultation.orientations[0].actions[0]
    moderator, manager = make_moderator(consultation), make_participant(role=Role.ADMIN)
    counted, held, bound = make_participant(), make_participant(), make_participant()
    unconfirmed = make_participant(confirmed=False)
    awaiting_consent = make_participant(audience=Audience.YOUTH, age_bracket=AgeBracket.FROM_11_TO_14, parental_consent=False)
    for voter in (counted, held, bound, unconfirmed, awaiting_consent):
        cast_vote(voter, action, VoteKind.SUPPORT, 1)
    batch = generate_batch(manager, consultation, "École Jean-Jaurès", 1)
    db.session.commit()
    bind_code(bound, consultation, batch.codes[0].code)
    hold_votes(moderator, consultation, held, "Adresse inventée ?")
    revoke_batch(manager, batch, "Feuille perdue")
    db.session.commit()
    assert count_votes([action.id])[action.id].supports == 1
    assert "1 personne a déjà voté" in page_text(client.get("/"))
    release_votes(moderator, consultation, held)
    db.session.commit()
    clock[0] += KEPT_SECONDS
    assert count_votes([action.id])[action.id].supports == 2
    assert "2 personnes ont déjà voté" in page_text(client.get("/"))


def test_the_home_page_keeps_how_many_people_voted_and_shows_a_fresh_count_once_its_time_has_passed(client, clock):
    """Counting the people who voted reads every vote of each consultation listed (seconds at a million votes): the
    home page keeps that count KEPT_SECONDS, and shows a fresh one after, blocked people left out."""
    consultation = make_consultation(vote_limit_per_orientation=None)
    action = consultation.orientations[0].actions[0]
    voters = [make_participant() for _ in range(3)]
    for voter in voters[:2]:
        cast_vote(voter, action, VoteKind.SUPPORT, 1)
    db.session.commit()
    assert "2 personnes ont déjà voté" in page_text(client.get("/"))
    cast_vote(voters[2], action, VoteKind.SUPPORT, 1)
    db.session.commit()
    with count_queries(db.engine) as statements:
        assert "2 personnes ont déjà voté" in page_text(client.get("/"))
    assert not _people_counted(statements)
    clock[0] += KEPT_SECONDS
    assert "3 personnes ont déjà voté" in page_text(client.get("/"))
    block(make_moderator(consultation), consultation, voters[0], "Propos injurieux")
    db.session.commit()
    clock[0] += KEPT_SECONDS
    assert "2 personnes ont déjà voté" in page_text(client.get("/"))
