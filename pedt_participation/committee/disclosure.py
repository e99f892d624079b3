"""Statistical disclosure control for everything one summary publishes, taken together.

The summary's figures are first written with their exact counts; each count is registered here under a key that
names the real quantity it is (an action's online supports are one cell, wherever they are printed), and each
table under the additive relation that binds it (total = sum of the parts). `protect()` then decides which cells
are withheld, for all the tables at once, and writes the decision into the figures in place:

- primary: a count from 1 to k − 1 is withheld as "< k"; in a table whose total is from 1 to k − 1, every part
  is, zeros included (a zero there would tell what the few others chose);
- secondary, as τ-Argus's HITAS heuristic does it: the auditor (disclosure_audit) computes what a reader can
  work out about each withheld cell from all the published figures; while a "< k" cell has one of its values
  from 1 to k − 1 ruled out, or a "masqué" cell is pinned to an interval narrower than k (to 5 or 6 with k = 5,
  which tells nearly what the small groups beside it add up to), a published cell of a relation it belongs to
  is withheld too ("masqué"; a zero, "< k", only when nothing else is left), until the audit passes; then each
  of these complements that the others made needless is published again. Complements are chosen cheapest
  first, as τ-Argus and sdcTable weigh cells: parts before totals, the participants' total (the figure every
  reader looks for) last of all, then the fewest withheld cells in the relation, then the smallest count.
  Figures with no small group behind them stay exact;
- a withheld zero that the published figures pin to 0 (no online support from 11–14-year-olds when every
  support is a parent's) is published: "< k" would promise values it cannot take, and hiding it hides nothing;
- a "masqué" cell that one relation pins narrower than k whatever else is withheld (a table whose total the
  reader knows, two "masqué" parts beside a "< k" one, 14 in all with k = 5: each is 5 to 9) refuses the figures
  at once, naming it: withholding more around it would cascade through the linked tables and help nothing
  (the summary then leaves that action's breakdowns out).

Quantities that no output prints but that the reader can bound are registered too (`register`, `order`): the
opinions of the people outside the reference population (all opinions minus those weighted), the gap between two
actions that a ranking puts in order, the cells of the table that crosses two cuts of the same people (`cross`:
by audience and by age bracket, only the pairs the registration rules allow). They are never withheld or
published, only unknowns of the audit. Counts the reader knows from elsewhere (`known`: what an earlier summary
published, what the site shows of each action) are constants of the audit, printed exact.

When no further cell can be withheld and the audit still fails, DisclosureRefused says why: the summary is then
not published.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping
from typing import Any

from .disclosure_audit import (
    MASKED,
    POSITIVE,
    SMALL,
    UNPRINTED,
    AuditMemory,
    CellKey,
    Finding,
    Relation,
    audit,
    interval_in,
)

SECONDARY_HIDDEN = "masqué"
# Decisions kept by a process, newest last, keyed by everything they depend on (k, every count, every relation).
DECISIONS_KEPT = 16
# Releasing a needless complement is tried only in components of at most this many withheld cells: each trial
# audits the whole component again, a second or more for the few larger ones (the pedt demo has one of 200).
RELEASE_COMPONENT_LIMIT = 100
_decisions: dict[tuple, dict[CellKey, str] | DisclosureRefused] = {}


class DisclosureRefused(Exception):
    """The figures could not be protected: the findings name the cells a reader could still work out."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(f"{len(findings)} withheld figures narrower than their guarantee")
        self.findings = findings


class Disclosure:
    """The cells of one summary, the relations between them, and, after `protect()`, which are withheld."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.values: dict[CellKey, int] = {}
        self.relations: list[Relation] = []
        self.tables: list[Relation] = []  # the relations printed as a table: the small-group rule applies to them
        self._printed: dict[CellKey, list[dict[str, Any]]] = defaultdict(list)
        self._shares: list[tuple[dict[str, Any], CellKey, CellKey]] = []
        self._positive: set[CellKey] = set()  # unprinted cells the reader knows to be 1 or more
        self._known: set[CellKey] = set()  # unprinted cells the reader knows the value of
        self.withheld: dict[CellKey, str] = {}
        # What the audits found, kept between protections of these figures (rankings protect again).
        self._audit_memory = AuditMemory(self.values)

    def register(self, key: CellKey, value: int) -> None:
        """A real quantity under its key; one that no output prints is known to the reader only through the
        relations it takes part in (the audit treats it as an unknown of 0 or more)."""
        known = self.values.setdefault(key, value)
        if known != value:
            raise ValueError(f"{key} registered as {known} and {value}")

    def cell(self, key: CellKey, value: int) -> dict[str, Any]:
        """The printed form of a count, exact until `protect()` decides; one real quantity, one key."""
        self.register(key, value)
        printed = {"value": value, "display": str(value), "share": None}
        self._printed[key].append(printed)
        return printed

    def table(self, total: CellKey, parts: Mapping[Any, tuple[CellKey, int]]) -> dict[str, Any]:
        """A total and its parts (total = sum of the parts), with each part's share of the total; the parts are
        named by their names as text (a grade 3 is "3"), as the JSON has them."""
        total_value = sum(value for _key, value in parts.values())
        self.relate(total, [key for key, _value in parts.values()])
        self.tables.append(self.relations[-1])
        printed_parts = {}
        for name, (key, value) in parts.items():
            printed_parts[str(name)] = self.cell(key, value)
            self._shares.append((printed_parts[str(name)], key, total))
        return {"total": self.cell(total, total_value), "parts": printed_parts}

    def relate(self, total: CellKey, parts: list[CellKey]) -> None:
        """A relation the reader knows without a table showing it (an orientation's supports are its actions')."""
        self.relations.append((total, tuple(parts)))

    def cross(
        self,
        key: CellKey,
        rows: Mapping[Hashable, CellKey],
        columns: Mapping[Hashable, CellKey],
        counts: Mapping[tuple[Hashable, Hashable], int],
    ) -> None:
        """Two printed cuts of the same people, as rows and columns of the table that crosses them (supports by
        audience and by age bracket): each row and each column is the sum of its crossed cells, which no output
        prints. `counts` holds the crossed cells the rules allow, zeros included; a pair it leaves out is one the
        rules forbid (nobody of 15 to 17 is a parent), whose zero the reader knows."""
        for (row, column), value in counts.items():
            self.register((*key, row, column), value)
        for row, row_key in rows.items():
            self.relate(row_key, [(*key, row, column) for row_name, column in counts if row_name == row])
        for column, column_key in columns.items():
            self.relate(column_key, [(*key, row, column) for row, column_name in counts if column_name == column])

    def known(self, key: CellKey, value: int) -> None:
        """A count the reader knows from elsewhere (an earlier summary published it, the site shows it to anyone):
        it is neither withheld nor chosen to protect another, and printed exact where the summary prints it."""
        self.register(key, value)
        self._known.add(key)

    def order(self, greater: CellKey, lesser: CellKey, *, strict: bool) -> None:
        """An order between two registered cells that something printed tells the reader (a ranking): the gap
        between them is registered, unprinted, as an unknown of 0 or more (1 or more when `strict`)."""
        gap = self.values[greater] - self.values[lesser]
        if gap < int(strict):
            raise ValueError(f"{greater} is not {'above' if strict else 'at least'} {lesser}")
        key = ("order", greater, lesser)
        self.register(key, gap)
        if strict:
            self._positive.add(key)
        self.relate(greater, [lesser, key])

    def is_known(self, key: CellKey) -> bool:
        """Whether the reader knows the count from elsewhere, or works it out from such counts (after `protect`)."""
        return key in self._known

    def published(self, key: CellKey) -> bool:
        return key not in self.withheld

    def printed_exact(self, key: CellKey) -> bool:
        """Printed somewhere with its count: neither withheld nor only an unknown of the audit."""
        return bool(self._printed.get(key)) and key not in self.withheld

    def protect(self, max_rounds: int) -> None:
        """Decides the withheld cells (see the module) and writes the decision into every printed figure; after
        `max_rounds` rounds of complementary suppression, refuses. The same figures get the same decision, which
        a process keeps for the next pages that show them (the population page is computed at each view)."""
        self._check_relations()
        self._derive_known()
        signature = (self.k, max_rounds, tuple(self.values.items()), tuple(self.relations), tuple(self.tables),
                     tuple(self._unprinted().items()), tuple(sorted(map(str, self._known))))
        decision = _decisions.get(signature)
        if decision is None:
            decision = self._decide(max_rounds)
            _decisions[signature] = decision
            while len(_decisions) > DECISIONS_KEPT:
                del _decisions[next(iter(_decisions))]
        if isinstance(decision, DisclosureRefused):
            # A new exception each time: one raised keeps its traceback, the frames of every caller with their
            # figures, which the kept decision would then hold for the process's life.
            raise DisclosureRefused(decision.findings)
        self.withheld = dict(decision)
        self._write()

    def _derive_known(self) -> None:
        """What the known counts tell through the relations is known too: the one unknown cell of a relation (an
        orientation's supports, the sum of its actions' that their pages show), and the parts of a known 0 (no
        « mitigé » on the action's page: none from any audience)."""
        changed = True
        while changed:
            changed = False
            for total, parts in self.relations:
                unknown = {cell for cell in (total, *parts) if cell not in self._known}
                if len(unknown) == 1 or unknown and total in self._known and self.values[total] == 0:
                    self._known.update(unknown)
                    changed = True

    def _unprinted(self) -> dict[CellKey, str]:
        return {
            key: POSITIVE if key in self._positive else UNPRINTED
            for key in self.values
            if not self._printed[key] and key not in self._known
        }

    def _decide(self, max_rounds: int) -> dict[CellKey, str] | DisclosureRefused:
        primary = self._unprinted() | self._primary()
        self.withheld = dict(primary)
        relations_of = self._relations_of()
        grand_totals = {total for total, _parts in self.relations} - {part for _total, parts in self.relations for part in parts}
        # Each kind of audit's latest findings, and the cells withheld since: a round changes only the components
        # its complements join, which alone are audited again (the others would give the same findings).
        found: dict[bool, list[Finding]] = {True: [], False: []}
        added_since: dict[bool, set[CellKey]] = {True: set(self.withheld), False: set(self.withheld)}

        def findings(quick: bool) -> list[Finding]:
            if added_since[quick]:
                changed = self._linked(added_since[quick], relations_of)
                kept = [finding for finding in found[quick] if finding.key not in changed]
                found[quick] = kept + self._audit(changed, relations_of, quick=quick)
                added_since[quick] = set()
            return found[quick]

        # Withheld zeros that the published figures show to be zero, published as 0 (see `_publish_zeros`).
        zeros: set[CellKey] = set()
        rounds = 0
        # Bound propagation finds most pinned cells at no cost; the integer programs run once it finds none.
        while pinned := findings(True) or findings(False):
            if rounds == max_rounds:
                return DisclosureRefused(pinned)
            rounds += 1
            published_zeros = self._publish_zeros(pinned)
            zeros |= published_zeros
            # Withholding more around these would cascade through the linked tables and help none of them.
            if hopeless := [finding for finding in pinned if self._pinned_whatever_withheld(finding, relations_of, zeros)]:
                return DisclosureRefused(hopeless)
            for changed in added_since.values():
                changed |= published_zeros
            added = bool(published_zeros)
            # One complement for each group of findings that share a relation (one can free several), chosen for
            # the first of them that has one.
            freed: set[CellKey] = set()
            for finding in sorted(pinned, key=lambda finding: str(finding.key)):
                if finding.key in published_zeros or finding.key in freed:
                    continue
                complement = self._complement(finding.key, relations_of, zeros, grand_totals)
                if complement is None:
                    continue
                self.withheld[complement] = MASKED if self.values[complement] else SMALL
                added_since[True].add(complement)
                added_since[False].add(complement)
                added = True
                freed.update(cell for relation in relations_of[finding.key] for cell in _cells(relation))
            if not added:
                return DisclosureRefused(pinned)
        self._release_needless(primary, relations_of)
        return self.withheld

    def _publish_zeros(self, findings: list[Finding]) -> set[CellKey]:
        """The « < k » cells these findings show to be 0, published as such: the figures published so far give
        them away (a zero under an age bracket where nobody of a published audience can be), whereas « < k »
        would promise values they cannot have. A zero is withheld only to hide what the few people of its table
        chose, which the figures that pin it publish already; the audits that follow take the 0 as published."""
        zeros = {finding.key for finding in findings if finding.greatest == 0}
        for key in zeros:
            del self.withheld[key]
        return zeros

    def _pinned_whatever_withheld(
        self, finding: Finding, relations_of: dict[CellKey, list[Relation]], zeros: set[CellKey]
    ) -> bool:
        """Whether one relation pins this « masqué » cell narrower than k even with each of its cells that could
        still be withheld free (0 or more): a table whose total the reader knows, two « masqué » parts beside a
        « < k » one, 14 in all with k = 5, leaves each « masqué » 5 to 9 whatever else is withheld. No complement
        can help it; the refusal names it (an action's breakdowns are then left out)."""
        if finding.label != MASKED:
            return False
        for relation in relations_of[finding.key]:
            labels = {
                cell: self.withheld.get(cell, UNPRINTED) for cell in _cells(relation)
                if cell not in self._known and cell not in zeros
            }
            least, greatest = interval_in(finding.key, relation, labels, self.values, self.k)
            if greatest - least < self.k:
                return True
        return False

    def _linked(self, cells: set[CellKey], relations_of: dict[CellKey, list[Relation]]) -> set[CellKey]:
        """The withheld cells linked to these by relations, through withheld cells: their components."""
        component, frontier = set(cells), list(cells)
        crossed: set[int] = set()  # relations gone through, by identity: hashing one hashes every cell's key again
        while frontier:
            reached = []
            for relation in (relation for cell in frontier for relation in relations_of[cell]):
                if id(relation) in crossed:
                    continue
                crossed.add(id(relation))
                for cell in _cells(relation):
                    if cell in self.withheld and cell not in component:
                        component.add(cell)
                        reached.append(cell)
            frontier = reached
        return component

    def _relations_of(self) -> dict[CellKey, list[Relation]]:
        """Each cell's relations, so that a search around a cell does not read every relation of the summary."""
        relations_of: dict[CellKey, list[Relation]] = defaultdict(list)
        for relation in self.relations:
            for cell in set(_cells(relation)):
                relations_of[cell].append(relation)
        return relations_of

    def _release_needless(self, primary: dict[CellKey, str], relations_of: dict[CellKey, list[Relation]]) -> None:
        """Publishes again each complement that the others made needless, largest first: complements are chosen
        for one finding at a time, and later ones often protect what earlier ones were chosen for. Each trial
        audits only the component the cell belongs to (cells linked by relations), the others being unchanged,
        and is made only in components of at most RELEASE_COMPONENT_LIMIT cells."""
        complements = [key for key in self.withheld if key not in primary]
        memory = self._audit_memory
        for key in sorted(complements, key=lambda key: (-self.values[key], str(key))):
            component = self._linked({key}, relations_of)
            if len(component) > RELEASE_COMPONENT_LIMIT:
                continue
            label = self.withheld.pop(key)
            relations = list({relation for cell in component for relation in relations_of[cell]})
            withheld = {cell: self.withheld[cell] for cell in component if cell != key}
            published = {
                cell: self.values[cell] for relation in relations for cell in _cells(relation) if cell not in withheld
            }
            if audit(published, withheld, relations, self.k, memory, quick=True) or audit(
                published, withheld, relations, self.k, memory
            ):
                self.withheld[key] = label

    def _audit(self, cells: set[CellKey], relations_of: dict[CellKey, list[Relation]], *, quick: bool) -> list[Finding]:
        """The audit of these withheld cells (whole components), given the relations they take part in."""
        withheld = {cell: label for cell, label in self.withheld.items() if cell in cells}
        theirs = {id(relation) for cell in cells for relation in relations_of[cell]}
        relations = [relation for relation in self.relations if id(relation) in theirs]
        return audit(self.values, withheld, relations, self.k, self._audit_memory, quick=quick)

    def _check_relations(self) -> None:
        for total, parts in self.relations:
            if self.values[total] != sum(self.values[part] for part in parts):
                raise ValueError(f"{total} is not the sum of its parts")

    def _primary(self) -> dict[CellKey, str]:
        """The printed counts from 1 to k − 1, and every part of a printed table whose total is, but those the
        reader knows already (`known`): printed exact."""
        withheld = {
            key: SMALL for key, value in self.values.items() if 0 < value < self.k and self._printed[key] and key not in self._known
        }
        for total, parts in self.tables:
            if 0 < self.values[total] < self.k:
                withheld.update(dict.fromkeys((part for part in parts if part not in self._known), SMALL))
        return withheld

    def _complement(
        self, key: CellKey, relations_of: dict[CellKey, list[Relation]], zeros: set[CellKey],
        grand_totals: set[CellKey],
    ) -> CellKey | None:
        """The published cell to withhold so that `key` is pinned down less, the cheapest in the relations around
        it: a cell of k or more before a zero (withheld, "< k", it becomes one more cell to protect), parts before
        totals, then in the relations with the fewest withheld cells, then the smallest. When its own relations
        offer nothing, those of the withheld cells linked to it; a grand total (a total that is nobody's part: the
        participants, an orientation's participants) only when no relation reached offers anything else, the
        figure a reader looks for first. A zero published because the figures pin it (`zeros`) is not withheld
        again."""
        reached, frontier = {key}, {key}
        last_resort = None
        masked = self.withheld[key] == MASKED
        while frontier:
            around = {relation for cell in frontier for relation in relations_of[cell]}
            candidates = [
                (cell in grand_totals, self.values[cell] == 0, cell == relation[0],
                 masked and self.values[cell] < 2 * self.k,
                 sum(c in self.withheld for c in _cells(relation)), self.values[cell], str(cell), cell)
                for relation in around
                for cell in _cells(relation)
                if cell not in self.withheld and cell not in self._known and cell not in zeros
            ]
            if candidates:
                cheapest = min(candidates)
                if not cheapest[0]:
                    return cheapest[-1]
                last_resort = last_resort or cheapest[-1]
            frontier = {
                cell for relation in around for cell in _cells(relation) if cell in self.withheld and cell not in reached
            }
            reached.update(frontier)
        return last_resort

    def _write(self) -> None:
        """Each printed figure as decided: exact, « < k » or « masqué » (a later decision may publish it again)."""
        for key, printed_forms in self._printed.items():
            label = self.withheld.get(key)
            display = str(self.values[key]) if label is None else f"< {self.k}" if label == SMALL else SECONDARY_HIDDEN
            for printed in printed_forms:
                printed.update(value=self.values[key] if label is None else None, display=display, share=None)
        for printed, key, total in self._shares:
            if self.published(key) and self.published(total) and self.values[total]:
                printed["share"] = round(self.values[key] / self.values[total], 4)


def _cells(relation: Relation) -> tuple[CellKey, ...]:
    return (relation[0], *relation[1])
