"""The auditor against brute force on small systems, and the worker's refusal of a summary that fails it."""

from __future__ import annotations

import gc
import weakref
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pedt_participation.committee import services
from pedt_participation.committee.disclosure import Disclosure, DisclosureRefused
from pedt_participation.committee.disclosure_audit import MASKED, SMALL, UNPRINTED, AuditMemory, audit
from pedt_participation.extensions import db
from pedt_participation.models import AgeBracket, Audience, CommitteeSummary, Role, SummaryStatus
from tests.helpers import login, make_consultation, make_participant, page_text, wait_until
from tests.test_disclosure import _people, _votes

K = 3
# Masked cells are enumerated up to here; systems that leave one free beyond it are not judged.
SEARCH_LIMIT = K + 12

CELLS = st.lists(st.tuples(st.sampled_from([SMALL, SMALL, MASKED]), st.integers(0, 6)), min_size=1, max_size=4)


@pytest.mark.same_on_any_database
@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(cells=CELLS, data=st.data())
def test_the_auditor_finds_what_brute_force_finds(cells, data):
    labels = {(f"x{i}",): label for i, (label, _) in enumerate(cells)}
    values = {
        key: (offset % K if label == SMALL else K + offset) for (key, label), (_, offset) in zip(labels.items(), cells, strict=True)
    }
    keys = list(labels)
    published = {("p0",): data.draw(st.integers(0, 20), label="published")}
    relations = []
    for _ in range(data.draw(st.integers(1, 3), label="relations")):
        members = data.draw(st.lists(st.sampled_from([*keys, ("p0",)]), min_size=2, max_size=4, unique=True))
        total, *parts = members
        if total == ("p0",) or ("p0",) in parts:
            continue  # the published cell's value would have to match: keep it out of relations
        relations.append((total, tuple(parts)))
        # Make the relation hold for the true values by moving the total's value, when its label allows.
        wanted = sum(values[part] for part in parts)
        if (labels[total] == SMALL and wanted < K) or (labels[total] == MASKED and wanted >= K):
            values[total] = wanted
        else:
            relations.pop()
    if any(values[total] != sum(values[p] for p in parts) for total, parts in relations):
        return
    ranges = [range(K) if labels[key] == SMALL else range(K, SEARCH_LIMIT) for key in keys]
    solutions = [
        point for point in product(*ranges)
        if all(point[keys.index(total)] == sum(point[keys.index(p)] for p in parts) for total, parts in relations)
    ]
    expected = {
        key for i, key in enumerate(keys)
        if labels[key] == SMALL and any(value not in {point[i] for point in solutions} for value in range(1, K))
        or labels[key] == MASKED and max(point[i] for point in solutions) - min(point[i] for point in solutions) < K
    }
    found = {finding.key for finding in audit(published, labels, relations, K)}
    # A masked cell reaching the search limit may be free beyond it: brute force cannot judge such a system.
    if not any(labels[key] == MASKED and max(p[i] for p in solutions) >= SEARCH_LIMIT - 1 for i, key in enumerate(keys)):
        assert found == expected


def test_a_masked_cell_pinned_narrower_than_k_is_a_finding():
    """t = m + a + b published 9, with a and b « < 3 » (0 to 2), so m « masqué » is 5 or more; x = m + u published
    6, u printed nowhere (0 or more), so m is 6 or less: m is 5 or 6, although a and b can each still be 1 or 2."""
    relations = [(("t",), (("m",), ("a",), ("b",))), (("x",), (("m",), ("u",)))]
    withheld = {("m",): MASKED, ("a",): SMALL, ("b",): SMALL, ("u",): UNPRINTED}
    found = audit({("t",): 9, ("x",): 6}, withheld, relations, K)
    assert [(finding.key, finding.least, finding.greatest) for finding in found] == [(("m",), 5, 6)]
    # With x published 7, m is 5 to 7, still narrower than 3; with x published 8, m is 5 to 8.
    assert [finding.key for finding in audit({("t",): 9, ("x",): 7}, withheld, relations, K)] == [("m",)]
    assert audit({("t",): 9, ("x",): 8}, withheld, relations, K) == []


def test_a_solution_remembered_from_before_a_cell_was_published_proves_nothing_it_contradicts():
    """x = a + b + 1 and a = b: while x is withheld, a may be 0, 1 or 2 (x being 1, 3 or 5); once x is published as
    3, a and b are both 1, whatever the solutions an earlier audit found and remembered."""
    relations = [(("x",), (("a",), ("b",), ("q",))), (("a",), (("b",),))]
    memory = AuditMemory({("a",): 1, ("b",): 1, ("x",): 3, ("q",): 1})
    assert audit({("q",): 1}, {("a",): SMALL, ("b",): SMALL, ("x",): UNPRINTED}, relations, K, memory) == []
    found = audit({("q",): 1, ("x",): 3}, {("a",): SMALL, ("b",): SMALL}, relations, K, memory)
    assert {finding.key for finding in found} == {("a",), ("b",)}


@pytest.mark.same_on_any_database
def test_a_refused_protection_lets_go_of_the_figures_of_those_who_asked_for_it():
    """A worker keeps its latest decisions, refusals included, to answer the same figures at once. The refusal it
    kept was the exception it raised, whose traceback held the frames of every caller with their figures, for the
    worker's life: a summary of 10 000 votes refused four times before it passed peaked at 310 MB instead of 262."""

    class Figures:
        pass

    def summarise() -> weakref.ref:
        figures = Figures()
        disclosure = Disclosure(K)
        disclosure.table(("total",), {"a": (("a",), 1), "b": (("b",), 8)})  # a « < 3 » beside a published 8
        with pytest.raises(DisclosureRefused):
            disclosure.protect(max_rounds=0)
        return weakref.ref(figures)

    figures = summarise()
    gc.collect()
    assert figures() is None


def test_a_summary_failing_the_audit_is_not_stored_and_the_committee_reads_why(client, start_worker):
    consultation = make_consultation(orientations=1, actions_per_orientation=2)
    first, second = consultation.orientations[0].actions
    # 3 youths of 15 participants: hidden, and found again by subtraction without a complement.
    _votes(_people(3, Audience.YOUTH, AgeBracket.FROM_15_TO_17), first)
    _votes(_people(12), second)
    member = make_participant(role=Role.COMMITTEE)
    summary = services.queue_summary(consultation, requested_by=member)
    db.session.commit()
    start_worker(DISCLOSURE_MAX_ROUNDS="0")  # no complementary suppression allowed: the audit fails
    wait_until(lambda: db.session.get(CommitteeSummary, summary.id, populate_existing=True).status
               == SummaryStatus.FAILED)
    summary = db.session.get(CommitteeSummary, summary.id)
    assert summary.data is None
    assert "pourraient être retrouvés par calcul" in summary.error
    login(client, member)
    page = page_text(client.get(f"/comite/syntheses/{summary.id}"))
    assert "Échec" in page and "pourraient être retrouvés par calcul" in page
    assert client.get(f"/comite/syntheses/{summary.id}/synthese.pdf").status_code == 404
