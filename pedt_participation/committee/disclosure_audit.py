"""The auditor: what a reader can work out about each withheld figure of a summary from everything it publishes.

The reader knows every published count, every additive relation between the figures (a total is the sum of its
parts, an orientation's supports the sum of its actions', …), that counts are integers ≥ 0, and the two label
rules: "< k" stands for 0 to k − 1, "masqué" for k or more. Quantities no output prints take part as unknowns of
0 or more (the summary's opinions from people outside the reference population: all opinions minus those
weighted), or of 1 or more (how many supports one action has beyond the next in a ranking): an inequality the
reader knows is an equation with such an unknown gap. For each "< k" cell the auditor finds which values
from 1 to k − 1 are consistent with all of that, and for each "masqué" cell the least and the greatest value that
is, by integer programming (HiGHS, through highspy).

Published figures are constants, so only withheld cells are variables and most relations vanish; the variables
fall apart into connected components (cells linked by a relation), each solved on its own and small. The matrix
of a component is not always totally unimodular (one action's supports are split three ways: by channel, by
audience, by age), so the linear relaxation could report a value an integer reader cannot reach: each question
goes to the relaxation first and is trusted only when it answers with an integral vertex or no solution at all,
else to the integer program. Each component's programs are built once and re-solved with another objective or
bound. Every solution found is kept as a witness of the values it gives to every cell, which spares most of the
solves; the protection audits the same figures many times over, and an `AuditMemory` carries the solutions (and
each component's findings) from one audit to the next. Values outside the bounds that propagation through the
relations leaves are impossible without a solve.

Guarantees checked: a "< k" cell keeps every value from 1 to k − 1 possible (each value is proven possible by a
witness, or else by a solve with the cell fixed to it); a "masqué" cell keeps an interval of possible values at
least k wide, greatest − least ≥ k (unbounded above is wide enough; witnesses that far apart prove it, or else
the solves for its least and greatest value). A "masqué" cell is withheld to hide the small groups beside it: one
pinned narrowly (to 5 or 6, with k = 5) would tell nearly what they add up to, though each of them keeps every
value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import highspy
import numpy as np

CellKey = tuple[Hashable, ...]
# total = sum of parts
Relation = tuple[CellKey, tuple[CellKey, ...]]
SMALL = "small"  # labelled "< k": 0 to k − 1
MASKED = "masked"  # labelled "masqué": k or more
UNPRINTED = "unprinted"  # a quantity no output prints, known to the reader only through relations: 0 or more
POSITIVE = "positive"  # the same, known to be 1 or more (the gap between two figures a ranking puts in order)
# A bound standing for "no limit" that keeps every integer program bounded.
UNBOUNDED = 10**9


@dataclass(frozen=True)
class Finding:
    """A "< k" cell of which the published figures rule out a value from 1 to k − 1, or a "masqué" cell they pin
to an interval narrower than k (greatest − least < k)."""

    key: CellKey
    label: str
    # The values left possible lie between these: the bounds propagation leaves, or, when the integer programs judge
    # the cell, exactly its least and greatest value.
    least: int
    greatest: int
    # Values from 1 to k − 1 the reader can rule out from a "< k" cell: all of them when bounds alone judge the
    # cell; the first found when the integer programs do (one is enough to judge it, and each costs a solve). None
    # for a "masqué" cell, judged by its least and greatest value alone.
    impossible: tuple[int, ...]


def audit(
    published: Mapping[CellKey, int],
    withheld: Mapping[CellKey, str],
    relations: Sequence[Relation],
    k: int,
    memory: AuditMemory | None = None,
    *,
    quick: bool = False,
) -> list[Finding]:
    """Every withheld cell narrower than its guarantee (an empty list: the summary may be published).

    `memory` (kept by the caller between audits of the same figures) spares what an earlier audit did: a component
    is fully determined by its withheld cells and its equations (every other cell of its relations is published, a
    constant there), whatever relations the summary gained since, so its findings are kept; and the solutions
    found are tried again as witnesses in the next audits. `quick` only propagates bounds through the relations:
    what it finds is certain, but it may miss findings."""
    equations: list[tuple[dict[CellKey, int], int]] = []
    for total, parts in relations:
        coefficients: dict[CellKey, int] = defaultdict(int)
        constant = 0
        for key, sign in ((total, 1), *((part, -1) for part in parts)):
            if key in withheld:
                coefficients[key] += sign
            else:
                constant -= sign * published[key]
        coefficients = {key: c for key, c in coefficients.items() if c}
        if coefficients:
            equations.append((coefficients, constant))
    findings = []
    for component, component_equations in _components(withheld, equations):
        if memory is None:
            findings += _judged_component(component, component_equations, withheld, k, None, quick)
            continue
        signature = memory.signature(quick, component, component_equations, withheld)
        if signature not in memory.findings:
            memory.findings[signature] = _judged_component(component, component_equations, withheld, k, memory, quick)
        findings += memory.findings[signature]
    return findings


def _judged_component(keys: list[CellKey], equations: list[tuple[dict[CellKey, int], int]],
                      withheld: Mapping[CellKey, str], k: int, memory: AuditMemory | None, quick: bool) -> list[Finding]:
    if quick:
        return _propagated_findings(keys, equations, withheld, k)
    return _audit_component(keys, equations, withheld, k, memory)


class AuditMemory:
    """What the audits of one summary's figures keep between them while its protection withholds cells one round
    after another and then releases some: each component's findings, and for each value a "< k" cell was seen
    taking, a solution that gave it. A solution of one audit is often one of the next (withholding one more cell
    leaves every earlier solution possible), which spares the solve that would find it; it is checked against the
    new component's equations and labels before it witnesses anything."""

    def __init__(self, truth: Mapping[CellKey, int]) -> None:
        # Every cell's real value: a solution of every system of the summary, so the value of the cells a kept
        # solution did not have.
        self.truth = truth
        self.findings: dict[tuple, list[Finding]] = {}
        self.witness: dict[tuple[CellKey, int], dict[CellKey, int]] = {}
        # One object for each withheld cell's label and each equation met: the thousands of components remembered
        # share them rather than each holding copies (a summary's audits otherwise keep tens of megabytes of them).
        self._interned: dict[tuple, tuple] = {}

    def signature(self, quick: bool, keys: list[CellKey], equations: list[tuple[dict[CellKey, int], int]],
                  withheld: Mapping[CellKey, str]) -> tuple:
        """What a component's findings depend on: its withheld cells with their labels and its equations (every
        other cell of its relations is published, a constant there), and whether the audit was quick."""
        intern = self._interned.setdefault
        labels = ((key, withheld[key]) for key in keys)
        sums = ((frozenset(coefficients.items()), constant) for coefficients, constant in equations)
        return (quick, frozenset(intern(label, label) for label in labels),
                frozenset(intern(equation, equation) for equation in sums))

    def remembered(self, keys: list[CellKey], values: range) -> list[dict[CellKey, int]]:
        """The solutions kept for these cells' values, each once."""
        found = {id(solution): solution for key in keys for value in values
                 if (solution := self.witness.get((key, value))) is not None}
        return list(found.values())

    def keep(self, keys: list[CellKey], solution: list[int], small: list[bool], k: int) -> None:
        kept = dict(zip(keys, solution, strict=True))
        for key, value, is_small in zip(keys, solution, small, strict=True):
            if is_small and 0 < value < k:
                self.witness[(key, value)] = kept


def _components(
    withheld: Mapping[CellKey, str], equations: list[tuple[dict[CellKey, int], int]]
) -> list[tuple[list[CellKey], list[tuple[dict[CellKey, int], int]]]]:
    """Withheld cells grouped by the relations that link them (union–find), each with its relations."""
    parent = {key: key for key in withheld}

    def root(key: CellKey) -> CellKey:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for coefficients, _constant in equations:
        first, *others = coefficients
        top = root(first)
        for other in others:
            other_top = root(other)
            if other_top != top:
                parent[other_top] = top
    members: dict[CellKey, list[CellKey]] = defaultdict(list)
    for key in withheld:
        members[root(key)].append(key)
    linked: dict[CellKey, list[tuple[dict[CellKey, int], int]]] = defaultdict(list)
    for equation in equations:
        linked[root(next(iter(equation[0])))].append(equation)
    return [(keys, linked[top]) for top, keys in members.items()]


def bounds(label: str, k: int) -> tuple[int, int]:
    """The values a withheld cell's label leaves possible, as the reader knows them."""
    return {SMALL: (0, k - 1), MASKED: (k, UNBOUNDED), UNPRINTED: (0, UNBOUNDED), POSITIVE: (1, UNBOUNDED)}[label]


def _bounds_of(keys: Iterable[CellKey], labels: Mapping[CellKey, str], k: int) -> tuple[dict[CellKey, int], dict[CellKey, int]]:
    """Each cell's least and greatest value as its label gives them."""
    of_label = {label: bounds(label, k) for label in (SMALL, MASKED, UNPRINTED, POSITIVE)}
    lower, upper = {}, {}
    for key in keys:
        lower[key], upper[key] = of_label[labels[key]]
    return lower, upper


def _audit_component(
    keys: list[CellKey],
    equations: list[tuple[dict[CellKey, int], int]],
    withheld: Mapping[CellKey, str],
    k: int,
    memory: AuditMemory | None,
) -> list[Finding]:
    lower, upper = _bounds_of(keys, withheld, k)
    if not equations or all(withheld[key] not in (SMALL, MASKED) for key in keys):
        return []  # bounds only, a "< k" cell may be anything from 0 to k − 1; or no labelled cell to judge
    if len(equations) == 1:
        intervals = _one_equation(*equations[0], lower, upper)
        return [finding for key in keys if (finding := _judged(key, withheld[key], *intervals[key], set(), k))]
    if all(abs(c) == 1 for coefficients, _constant in equations for c in coefficients.values()):
        lower, upper = _propagated_bounds(keys, equations, withheld, k)
    return _integer_programs(keys, equations, withheld, lower, upper, k, memory)


def _propagated_findings(
    keys: list[CellKey], equations: list[tuple[dict[CellKey, int], int]], withheld: Mapping[CellKey, str], k: int
) -> list[Finding]:
    """The cells that bound propagation pins: a finding is certain (values inside may be impossible too)."""
    lower, upper = _propagated_bounds(keys, equations, withheld, k)
    return [finding for key in keys if (finding := _judged(key, withheld[key], lower[key], upper[key], set(), k))]


def _propagated_bounds(
    keys: list[CellKey], equations: list[tuple[dict[CellKey, int], int]], withheld: Mapping[CellKey, str], k: int
) -> tuple[dict[CellKey, int], dict[CellKey, int]]:
    """Bounds each relation forces on its cells given the others' bounds, repeated until they settle: every value
    outside them is impossible."""
    lower, upper = _bounds_of(keys, withheld, k)
    equations_of: dict[CellKey, list[int]] = defaultdict(list)
    for index, (coefficients, _constant) in enumerate(equations):
        for key in coefficients:
            equations_of[key].append(index)
    # An equation none of whose cells moved since it last changed nothing would change nothing again: skipped.
    moved = set(range(len(equations)))
    for _sweep in range(20):
        changed = False
        for index, (coefficients, constant) in enumerate(equations):
            if index not in moved:
                continue
            moved.discard(index)
            for key, (least, greatest) in _one_equation(coefficients, constant, lower, upper).items():
                if least != lower[key] or greatest != upper[key]:
                    lower[key], upper[key], changed = least, greatest, True
                    moved.update(equations_of[key])
        if not changed:
            break
    return lower, upper


def interval_in(key: CellKey, relation: Relation, labels: Mapping[CellKey, str], values: Mapping[CellKey, int],
                k: int) -> tuple[int, int]:
    """The values `key` (labelled) can take in this relation alone: the cells in `labels` within their label's
    bounds, the others at their value."""
    coefficients: dict[CellKey, int] = defaultdict(int)
    constant = 0
    for cell, sign in ((relation[0], 1), *((part, -1) for part in relation[1])):
        if cell in labels:
            coefficients[cell] += sign
        else:
            constant -= sign * values[cell]
    coefficients = {cell: c for cell, c in coefficients.items() if c}
    lower, upper = _bounds_of(labels, labels, k)
    if key not in coefficients:
        return lower[key], upper[key]
    return _one_equation(coefficients, constant, lower, upper)[key]


def _one_equation(
    coefficients: dict[CellKey, int], constant: int, lower: dict[CellKey, int], upper: dict[CellKey, int]
) -> dict[CellKey, tuple[int, int]]:
    """Σ ±x = constant: each cell ranges over what the others leave, every integer in between being reachable
    (unit coefficients move one cell by one while another moves by one the other way)."""
    # The sum ranges over [low, high]: a cell of coefficient 1 adds its bounds, one of −1 its bounds negated.
    low = high = 0
    for key, c in coefficients.items():
        if c == 1:
            low += lower[key]
            high += upper[key]
        elif c == -1:
            low -= upper[key]
            high -= lower[key]
        else:
            raise ValueError("a cell counted twice in one relation")
    if not low <= constant <= high:
        raise ValueError("the published figures contradict each other")
    intervals = {}
    for key, c in coefficients.items():
        # The others' sum ranges over the sum's range less this cell's own; the cell is c × (constant − others).
        own_lower, own_upper = lower[key], upper[key]
        if c == 1:
            least, greatest = constant - high + own_upper, constant - low + own_lower
        else:
            least, greatest = low + own_upper - constant, high + own_lower - constant
        intervals[key] = (max(least, own_lower), min(greatest, own_upper))
    return intervals


def _judged(key: CellKey, label: str, least: int, greatest: int, impossible: set[int], k: int) -> Finding | None:
    """A "< k" cell with a value from 1 to k − 1 ruled out; a "masqué" cell whose values lie within an interval
    narrower than k. Cells no output prints promise nothing."""
    if label == MASKED:
        return Finding(key, MASKED, least, greatest, ()) if greatest - least < k else None
    if label != SMALL:
        return None
    ruled_out = tuple(v for v in range(1, k) if v < least or v > greatest or v in impossible)
    return Finding(key, SMALL, least, greatest, ruled_out) if ruled_out else None


def _solver() -> highspy.Highs:
    """A silent HiGHS for small programs whose relaxation is nearly always integral already: presolve, a thread
    pool, symmetry detection and primal heuristics cost more there than they save."""
    highs = highspy.Highs()
    for option, value in (("output_flag", False), ("presolve", "off"), ("threads", 1),
                          ("mip_detect_symmetry", False), ("mip_heuristic_effort", 0.0)):
        highs.setOptionValue(option, value)
    return highs


class _Component:
    """One component's program, built in HiGHS at its first question; each question changes its objective or one
    bound.

    Each question is first put to the linear relaxation, a fraction of the cost of an integer program: when the
    relaxation has no solution neither has the integer program, and when its optimal vertex is integral it is the
    integer program's optimum too. Most components' matrices are totally unimodular (one-way tables and two-way
    ones), so their vertices are integral and the integer program is built only for the others."""

    def __init__(self, keys: list[CellKey], equations: list[tuple[dict[CellKey, int], int]],
                 lower: dict[CellKey, int], upper: dict[CellKey, int]) -> None:
        self.keys = keys
        self.size = len(keys)
        self.index = {key: i for i, key in enumerate(keys)}
        self.equations = equations
        self.lower = [float(lower[key]) for key in keys]
        self.upper = [float(upper[key]) for key in keys]
        self._relaxation: highspy.Highs | None = None
        self._integer: highspy.Highs | None = None
        self.seen: list[set[int]] = [set() for _ in keys]
        self.solutions: list[list[int]] = []  # every solution found, in order

    @property
    def relaxation(self) -> highspy.Highs:
        if self._relaxation is None:
            self._relaxation = _solver()
            self._relaxation.addVars(self.size, np.array(self.lower), np.array(self.upper))
            for coefficients, constant in self.equations:
                columns = np.array([self.index[key] for key in coefficients], dtype=np.int32)
                self._relaxation.addRow(
                    constant, constant, len(columns), columns, np.array(list(coefficients.values()), float)
                )
        return self._relaxation

    def _integer_program(self) -> highspy.Highs:
        if self._integer is None:
            self._integer = _solver()
            model = self.relaxation.getLp()
            model.integrality_ = [highspy.HighsVarType.kInteger] * self.size
            self._integer.passModel(model)
        return self._integer

    def recall(self, memory: AuditMemory, small: list[CellKey], k: int) -> None:
        """The values of each remembered solution of these cells that is a solution here too (every equation and
        bound of this component holds, its other cells at their real values)."""
        remembered = memory.remembered(small, range(1, k))
        if not remembered:
            return
        candidates = np.array(
            [[solution.get(key, memory.truth[key]) for key in self.keys] for solution in remembered], dtype=np.int64
        )
        matrix = np.zeros((len(self.equations), self.size), dtype=np.int64)
        constants = np.array([constant for _coefficients, constant in self.equations], dtype=np.int64)
        for row, (coefficients, _constant) in enumerate(self.equations):
            for key, coefficient in coefficients.items():
                matrix[row, self.index[key]] = coefficient
        holds = (
            np.all(candidates @ matrix.T == constants, axis=1)
            & np.all(candidates >= np.array(self.lower), axis=1)
            & np.all(candidates <= np.array(self.upper), axis=1)
        )
        for i, column in enumerate(candidates[holds].T):
            self.seen[i].update(column.tolist())

    def solve(self, costs: list[float] | None = None, fixed: tuple[int, int] | None = None) -> list[int] | None:
        """A solution minimising Σ cost × cell (none: any solution), with one cell fixed to a value if asked;
        None when there is none. Every solution is kept as a witness of the values it gives."""
        values = _run(self.relaxation, self.size, costs, fixed, self.lower, self.upper)
        solution = None if values is None else _integral(values)
        if values is not None and solution is None:
            values = _run(self._integer_program(), self.size, costs, fixed, self.lower, self.upper)
            solution = None if values is None else np.round(values).astype(int).tolist()
        if solution is not None:
            self._witnessed(solution)
        return solution

    def extent(self, cell: int) -> tuple[int, int]:
        """The least and the greatest value the cell can take: a « < k » zero whose greatest is 0 is one the
        published figures pin, which the protection then publishes (bounds alone miss it when the relations that
        pin it run through unbounded cells: participants = those weighted, with the ones not weighted beside)."""
        return self.extreme(cell, 1.0), self.extreme(cell, -1.0)

    def extreme(self, cell: int, sign: float) -> int:
        """The least (sign 1) or the greatest (sign −1) value the cell can take."""
        solution = self.solve([sign if i == cell else 0.0 for i in range(self.size)])
        if solution is None:
            raise ValueError("the published figures contradict each other")
        return solution[cell]

    def _witnessed(self, solution: list[int]) -> None:
        self.solutions.append(solution)
        for i, value in enumerate(solution):
            self.seen[i].add(value)

    def seek_each_value(self, cells: list[int], k: int) -> None:
        """For each value v from 1 to k − 1 that some cell of `cells` was not seen taking, a solution of the
        relaxation as close as may be to each of those cells being v (least Σ |x − v|, with one deviation column and
        two rows per cell), kept as witnesses when it is integral."""
        if not cells:
            return
        seeker = _solver()
        seeker.passModel(self.relaxation.getLp())
        seeker.changeColsCost(self.size, np.arange(self.size, dtype=np.int32), np.zeros(self.size))
        deviations = np.arange(self.size, self.size + len(cells), dtype=np.int32)
        seeker.addVars(len(cells), np.zeros(len(cells)), np.full(len(cells), float(k)))
        first_row = seeker.getNumRow()
        for cell, deviation in zip(cells, deviations, strict=True):
            columns = np.array([deviation, cell], dtype=np.int32)
            seeker.addRow(0.0, highspy.kHighsInf, 2, columns, np.array([1.0, -1.0]))  # d ≥ x − v
            seeker.addRow(0.0, highspy.kHighsInf, 2, columns, np.array([1.0, 1.0]))  # d ≥ v − x
        for value in range(1, k):
            lacking = np.array([float(value not in self.seen[cell]) for cell in cells])
            if not lacking.any():
                continue
            seeker.changeColsCost(len(cells), deviations, lacking)
            for n in range(len(cells)):
                seeker.changeRowBounds(first_row + 2 * n, -float(value), highspy.kHighsInf)
                seeker.changeRowBounds(first_row + 2 * n + 1, float(value), highspy.kHighsInf)
            seeker.run()
            if seeker.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                found = _integral(np.array(seeker.getSolution().col_value[: self.size]))
                if found is not None:  # a fractional vertex witnesses nothing
                    self._witnessed(found)


def _wide(values: set[int], k: int) -> bool:
    """Whether values a cell was seen taking lie k or more apart: its interval is at least that wide."""
    return bool(values) and max(values) - min(values) >= k


def _integral(values: np.ndarray) -> list[int] | None:
    """The values as integers when every one of them is (up to rounding errors); None when one is fractional."""
    nearest = np.round(values)
    return nearest.astype(int).tolist() if np.all(np.abs(values - nearest) < 1e-6) else None


def _run(highs: highspy.Highs, size: int, costs: list[float] | None, fixed: tuple[int, int] | None,
         lower: list[float], upper: list[float]) -> np.ndarray | None:
    """The optimal solution of `highs` (None: no solution) for these costs, with one cell's bounds set to a value
    for this run only."""
    highs.changeColsCost(size, np.arange(size, dtype=np.int32), np.array(costs or [0.0] * size))
    if fixed is not None:
        highs.changeColBounds(fixed[0], float(fixed[1]), float(fixed[1]))
    highs.run()
    # Read before the bound is restored: changing the model forgets the solution.
    solved = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    values = np.array(highs.getSolution().col_value) if solved else None
    if fixed is not None:
        highs.changeColBounds(fixed[0], lower[fixed[0]], upper[fixed[0]])
    return values


def _integer_programs(
    keys: list[CellKey],
    equations: list[tuple[dict[CellKey, int], int]],
    withheld: Mapping[CellKey, str],
    lower: dict[CellKey, int],
    upper: dict[CellKey, int],
    k: int,
    memory: AuditMemory | None,
) -> list[Finding]:
    """For each "< k" cell, each value from 1 to k − 1 that no solution met so far, outside its bounds or else by a
    solve with the cell fixed to it, until one is impossible; for each "masqué" cell whose values met so far lie
    less than k apart, its least and greatest value."""
    component = _Component(keys, equations, lower, upper)
    small = [withheld[key] == SMALL for key in keys]
    if memory is not None:
        component.recall(memory, [key for key, is_small in zip(keys, small, strict=True) if is_small], k)
    if not component.seen[0]:
        # Nothing remembered holds here. Solutions that push every cell down, then up, witness many of the values
        # asked about below.
        if component.solve() is None:
            raise ValueError("the published figures contradict each other")
        component.solve([1.0] * len(keys))
        component.solve([-1.0 if is_small else 0.0 for is_small in small])
        if any(withheld[key] == MASKED for key in keys):
            component.solve([-1.0 if withheld[key] == MASKED else 0.0 for key in keys])
    # Then solutions that push the "< k" cells still to judge (their bounds rule out no value) towards each value
    # from 1 to k − 1 they were not seen taking witness most of the others, a few solves for the whole component.
    asked = set(range(1, k))
    component.seek_each_value([
        i for i, key in enumerate(keys)
        if small[i] and lower[key] <= 1 and upper[key] >= k - 1 and not asked <= component.seen[i]
    ], k)
    findings = []
    for key, i in component.index.items():
        if not small[i]:
            continue
        unseen = [value for value in range(1, k) if value not in component.seen[i]]
        outside = [value for value in unseen if not lower[key] <= value <= upper[key]]
        impossible = outside[0] if outside else next(
            (value for value in unseen if component.solve(fixed=(i, value)) is None), None
        )
        if impossible is not None:
            findings.append(Finding(key, SMALL, *component.extent(i), (impossible,)))
    for key, i in component.index.items():
        if withheld[key] != MASKED or _wide(component.seen[i], k):
            continue
        least = component.extreme(i, 1.0)
        if _wide(component.seen[i], k):
            continue
        greatest = component.extreme(i, -1.0)
        if greatest - least < k:
            findings.append(Finding(key, MASKED, least, greatest, ()))
    if memory is not None:
        for solution in component.solutions:
            memory.keep(keys, solution, small, k)
    return findings
