"""Signs that one person may hold several accounts in a consultation, for a moderator to look into: accounts
created in a burst from one network, e-mail addresses that differ only by a tag or dots, names that differ only by
a number, and new accounts that voted exactly alike. Each signal shows its evidence; nothing is acted on
automatically: a moderator may hold an account's votes pending review (`services.hold_votes`)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..authorization import contributing_to
from ..extensions import db
from ..languages.services import ngettext
from ..models import Action, Consultation, Orientation, Participant, Vote

# Accounts created from one network within this time of each other form a burst.
BURST_WINDOW = timedelta(minutes=10)
# The fewest accounts that make a signal: fewer is ordinary (a family, a class signing up together).
BURST_SIZE = 5
ALIKE_ADDRESSES = 3
ALIKE_NAMES = 3
ALIKE_VOTES = 5
# Votes count as a pattern from this many; accounts are new when created this long before their first vote.
PATTERN_LENGTH = 2
NEW_ACCOUNT = timedelta(days=7)
# Providers that ignore dots in the local part of an address.
DOTLESS_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def network_key(address: str | None, secret: str) -> str | None:
    """The network an address belongs to (IPv4 /24, IPv6 /48), keyed with the app's secret: two accounts from one
    network share a key, and the key does not give the address back."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    prefix = 24 if ip.version == 4 else 48
    network = ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
    return hmac.new(secret.encode(), str(network).encode(), hashlib.sha256).hexdigest()[:32]


def address_key(email: str) -> str:
    """What two addresses of one mailbox have in common: "jean+1@exemple.fr" and "jean+2@exemple.fr" share
    "jean@exemple.fr"; "j.ean@gmail.com" and "jean@gmail.com" share one key too."""
    local, _, domain = email.lower().partition("@")
    local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def name_key(display_name_key: str) -> str:
    """A name without the digits that tell copies apart: "jean1", "jean2" and "jean" share "jean"."""
    return re.sub(r"\d+", "", display_name_key)


@dataclass
class Signal:
    kind: str
    evidence: str
    accounts: list[Participant]


def _groups(people: Iterable[Participant], key: Callable[[Participant], Hashable | None], size: int) -> list[list[Participant]]:
    grouped: dict[Hashable, list[Participant]] = defaultdict(list)
    for person in people:
        value = key(person)
        if value:
            grouped[value].append(person)
    return [members for members in grouped.values() if len(members) >= size]


def _bursts(people: list[Participant]) -> list[Signal]:
    signals = []
    for members in _groups(people, lambda person: person.registration_network, BURST_SIZE):
        members.sort(key=lambda person: person.created_at)
        # The largest run within the window, found by sliding it over the accounts in order of creation.
        best: list[Participant] = []
        start = 0
        for end in range(len(members)):
            while members[end].created_at - members[start].created_at > BURST_WINDOW:
                start += 1
            if end - start + 1 > len(best):
                best = members[start:end + 1]
        if len(best) >= BURST_SIZE:
            minutes = max(1, round((best[-1].created_at - best[0].created_at).total_seconds() / 60))
            signals.append(Signal("burst", ngettext(
                "%(count)s comptes créés en %(num)s minute depuis le même réseau.",
                "%(count)s comptes créés en %(num)s minutes depuis le même réseau.",
                minutes, count=len(best),
            ), best))
    return signals


def _addresses(people: list[Participant]) -> list[Signal]:
    signals = []
    for members in _groups(people, lambda person: address_key(person.email), ALIKE_ADDRESSES):
        signals.append(Signal("addresses", _(
            "%(count)s adresses e-mail qui mènent à la même boîte (%(key)s), à une étiquette « + » ou des points près.",
            count=len(members), key=address_key(members[0].email),
        ), members))
    for members in _groups(people, lambda person: address_key(person.email).partition("@")[0], ALIKE_ADDRESSES):
        domains = {address_key(person.email).partition("@")[2] for person in members}
        if len(domains) > 1:
            signals.append(Signal("addresses", _(
                "%(count)s adresses e-mail avec le même début (%(local)s@) chez %(domains)s fournisseurs différents.",
                count=len(members), local=address_key(members[0].email).partition("@")[0], domains=len(domains),
            ), members))
    return signals


def _names(people: list[Participant]) -> list[Signal]:
    return [
        Signal("names", _(
            "%(count)s noms presque identiques (ils ne diffèrent que par des chiffres) : « %(name)s… ».",
            count=len(members), name=name_key(members[0].display_name_key),
        ), members)
        for members in _groups(people, lambda person: name_key(person.display_name_key), ALIKE_NAMES)
    ]


def _vote_patterns(consultation_id: int, people: list[Participant]) -> list[Signal]:
    rows = db.session.execute(
        select(Vote.participant_id, Vote.action_id, Vote.kind, Vote.value, Vote.created_at)
        .join(Action, Action.id == Vote.action_id)
        .join(Orientation, Orientation.id == Action.orientation_id)
        .where(Orientation.consultation_id == consultation_id, Vote.participant_id.in_([p.id for p in people]))
    )
    patterns: dict[int, set[tuple]] = defaultdict(set)
    first_vote: dict[int, datetime] = {}
    for participant_id, action_id, kind, value, created_at in rows:
        patterns[participant_id].add((action_id, kind.value, value))
        first_vote[participant_id] = min(created_at, first_vote.get(participant_id, created_at))
    new_accounts = [
        person for person in people
        if person.id in first_vote and first_vote[person.id] - person.created_at <= NEW_ACCOUNT
        and len(patterns[person.id]) >= PATTERN_LENGTH
    ]
    return [
        Signal("votes", ngettext(
            "%(count)s comptes récents ont voté exactement de la même façon (le même %(num)s vote).",
            "%(count)s comptes récents ont voté exactement de la même façon (les mêmes %(num)s votes).",
            len(patterns[members[0].id]), count=len(members),
        ), members)
        for members in _groups(new_accounts, lambda person: frozenset(patterns[person.id]), ALIKE_VOTES)
    ]


def duplicate_signals(consultation: Consultation) -> list[Signal]:
    """Every signal among the people who voted, commented or proposed in the consultation, largest first."""
    people = list(db.session.scalars(select(Participant).where(contributing_to(consultation))))
    signals = _bursts(people) + _addresses(people) + _names(people) + _vote_patterns(consultation.id, people)
    return sorted(signals, key=lambda signal: -len(signal.accounts))
