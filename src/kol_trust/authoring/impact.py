"""Impact of a rubric change: assess the same cases under two rubrics and compare.

:func:`impact` assesses every case under the old and the new rubric (the
case's own ``rubric`` field is ignored: the two rubrics given are used) and
reports, in an :class:`ImpactReport`:

* the tier transition matrix: old tier × new tier → number of cases, over the
  tier ids of both rubrics (the old rubric's tiers in order, then the new
  rubric's tiers the old one does not have);
* the score deltas (new − old reported score, rounded to 0.1): count, min,
  median, max, mean (rounded to 0.001) and a histogram whose bins fit the
  data: the narrowest width of 0.1, 0.2, 0.5, 1, 2, 5, 10, 20 or 50 points
  that covers min to max in at most :data:`MAX_BINS` bins, edges at
  multiples of it (``[low, low + width)``), only non-empty bins listed;
* how many cases become certified and how many stop being certified;
* the gates that newly trigger (id → number of cases where the gate triggers
  under the new rubric and not under the old) and those that stop triggering;
* the biggest movers: the *top* cases by |delta| (ties by subject id, then
  by case index), each with its old and new score and tier, the criteria
  whose reported loss changed most, the gates that appeared or disappeared
  and the gates that trigger under both with a different effect (cap or
  disqualification);
* the cases that could not be assessed (:class:`~kol_trust.KolTrustError`,
  e.g. :class:`~kol_trust.errors.EvidenceConflictError`), by 0-based index in the
  input, instead of raising.

Maps are tuples of small records, so ``kt.to_dict(report)`` is a plain JSON
document.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable

import attrs

from ..assessment import Assessment, RubricRef
from ..engine import assess, compile_rubric, round1
from ..errors import KolTrustError
from ..model import Case
from ..rubric import Rubric

__all__ = [
    "CriterionChange",
    "DeltaBin",
    "DeltaStats",
    "Failure",
    "GateChange",
    "GateCount",
    "ImpactReport",
    "Mover",
    "bin_width",
    "impact",
]

MAX_BINS = 10
"""At most this many bins span the score deltas, from the lowest to the highest."""

#: The bin widths to choose from, in tenths of a point (deltas are multiples of 0.1).
_WIDTHS = (1, 2, 5, 10, 20, 50, 100, 200, 500)


@attrs.frozen
class DeltaBin:
    """Deltas in ``[low, high)``."""

    low: float
    high: float
    count: int


@attrs.frozen
class DeltaStats:
    """Statistics of the score deltas (new − old reported score)."""

    count: int
    min: float | None
    median: float | None
    max: float | None
    mean: float | None
    """Rounded to 0.001; ``None`` (like min, median, max) when no case was assessed."""
    histogram: tuple[DeltaBin, ...]
    """Non-empty bins only, from the lowest."""
    bin_width: float | None = None
    """The width of the histogram's bins, in points (``None`` with no delta)."""


@attrs.frozen
class GateCount:
    gate: str
    count: int


@attrs.frozen
class CriterionChange:
    """A criterion's reported loss under each rubric (``None`` when it does not apply or is absent)."""

    criterion: str
    old_loss: float | None
    new_loss: float | None


@attrs.frozen
class GateChange:
    """A gate that triggers under both rubrics but with a different effect."""

    gate: str
    old_cap: float | None
    new_cap: float | None
    old_disqualify: bool
    new_disqualify: bool


@attrs.frozen
class Mover:
    """One of the cases whose score moved most."""

    index: int
    """0-based position of the case in the input."""
    subject_id: str
    old_score: float
    new_score: float
    delta: float
    old_tier: str
    new_tier: str
    criteria: tuple[CriterionChange, ...]
    """The criteria whose loss changed most, most first (at most three)."""
    gates_added: tuple[str, ...]
    """Gates that trigger under the new rubric and not under the old."""
    gates_removed: tuple[str, ...]
    """Gates that trigger under the old rubric and not under the new."""
    gates_changed: tuple[GateChange, ...]
    """Gates that trigger under both rubrics, with a different cap or disqualification."""


@attrs.frozen
class Failure:
    """A case that could not be assessed."""

    index: int
    subject_id: str
    error: str


@attrs.frozen
class ImpactReport:
    old: RubricRef
    new: RubricRef
    cases: int
    """Cases given."""
    assessed: int
    """Cases assessed under both rubrics (``cases - len(failures)``)."""
    tiers: tuple[str, ...]
    """Rows and columns of :attr:`matrix`: the old rubric's tier ids, then the new-only ones."""
    matrix: tuple[tuple[int, ...], ...]
    """``matrix[r][c]``: cases with old tier ``tiers[r]`` and new tier ``tiers[c]``."""
    newly_certified: int
    no_longer_certified: int
    deltas: DeltaStats
    gates_newly_triggered: tuple[GateCount, ...]
    """Gate id → cases where it triggers under the new rubric but not the old; rubric order."""
    gates_no_longer_triggered: tuple[GateCount, ...]
    """Gate id → cases where it triggers under the old rubric but not the new; rubric order."""
    movers: tuple[Mover, ...]
    failures: tuple[Failure, ...]

    def transitions(self, old_tier: str, new_tier: str) -> int:
        """How many cases moved from *old_tier* to *new_tier* (0 for an unknown tier)."""
        if old_tier not in self.tiers or new_tier not in self.tiers:
            return 0
        return self.matrix[self.tiers.index(old_tier)][self.tiers.index(new_tier)]


# -- helpers ---------------------------------------------------------------------------------


def _delta(old: Assessment, new: Assessment) -> float:
    return round1(new.score - old.score)


def bin_width(deltas: list[float]) -> int:
    """The histogram's bin width for *deltas*, in tenths of a point: the
    narrowest that spans min to max in at most :data:`MAX_BINS` bins."""
    tenths = [round(d * 10) for d in deltas]
    low, high = min(tenths), max(tenths)
    for width in _WIDTHS:
        if high // width - low // width + 1 <= MAX_BINS:
            return width
    return _WIDTHS[-1]  # pragma: no cover - deltas lie in [-100, 100]


def _stats(deltas: list[float]) -> DeltaStats:
    if not deltas:
        return DeltaStats(0, None, None, None, None, ())
    width = bin_width(deltas)
    bins = Counter(round(d * 10) // width * width for d in deltas)
    return DeltaStats(
        count=len(deltas),
        min=min(deltas),
        median=round(statistics.median(deltas), 3) + 0.0,
        max=max(deltas),
        mean=round(math.fsum(deltas) / len(deltas), 3) + 0.0,
        histogram=tuple(DeltaBin(low / 10 + 0.0, (low + width) / 10 + 0.0, bins[low]) for low in sorted(bins)),
        bin_width=width / 10,
    )


def _losses(a: Assessment) -> dict[str, float | None]:
    return {c.id: c.loss for c in a.criteria}


def _criterion_changes(old: Assessment, new: Assessment, limit: int = 3) -> tuple[CriterionChange, ...]:
    before, after = _losses(old), _losses(new)
    changes = []
    for cid in sorted(before.keys() | after.keys()):
        a, b = before.get(cid), after.get(cid)
        change = abs((b or 0.0) - (a or 0.0))
        if change > 0 or (a is None) != (b is None):
            changes.append((-round(change, 9), cid, CriterionChange(cid, a, b)))
    changes.sort(key=lambda x: (x[0], x[1]))
    return tuple(c for _, _, c in changes[:limit])


def _mover(index: int, old: Assessment, new: Assessment) -> Mover:
    old_gates = {g.id: g for g in old.gates}
    new_gates = {g.id: g for g in new.gates}
    changed = tuple(
        GateChange(g.id, g.cap, new_gates[g.id].cap, g.disqualify, new_gates[g.id].disqualify)
        for g in old.gates
        if g.id in new_gates and (g.cap, g.disqualify) != (new_gates[g.id].cap, new_gates[g.id].disqualify)
    )
    return Mover(
        index=index,
        subject_id=old.subject_id,
        old_score=old.score,
        new_score=new.score,
        delta=_delta(old, new),
        old_tier=old.tier,
        new_tier=new.tier,
        criteria=_criterion_changes(old, new),
        gates_added=tuple(g for g in new_gates if g not in old_gates),
        gates_removed=tuple(g for g in old_gates if g not in new_gates),
        gates_changed=changed,
    )


def _gate_counts(rubrics: tuple[Rubric, Rubric], counts: Counter[str]) -> tuple[GateCount, ...]:
    order: list[str] = []
    for rubric in rubrics:
        order.extend(g.id for g in rubric.gates if g.id not in order)
    return tuple(GateCount(g, counts[g]) for g in order if counts[g])


# -- entry point -----------------------------------------------------------------------------


def impact(old: Rubric, new: Rubric, cases: Iterable[Case], *, top: int = 10) -> ImpactReport:
    """Assess every case under *old* and *new* and report the differences (see the module documentation).

    *cases* may be any iterable (a generator is read once).  *top* is the
    number of biggest movers listed.
    """
    if not isinstance(old, Rubric) or not isinstance(new, Rubric):
        raise TypeError("old and new must be Rubric objects")
    if top < 0:
        raise ValueError(f"top must be 0 or more, got {top}")
    tiers = [t.id for t in old.tiers]
    tiers.extend(t.id for t in new.tiers if t.id not in tiers)
    position = {t: k for k, t in enumerate(tiers)}
    matrix = [[0] * len(tiers) for _ in tiers]
    deltas: list[float] = []
    newly_certified = no_longer_certified = 0
    gates_added: Counter[str] = Counter()
    gates_removed: Counter[str] = Counter()
    movers: list[tuple[float, str, int, Assessment, Assessment]] = []
    failures: list[Failure] = []
    count = 0
    for index, case in enumerate(cases):
        count += 1
        if not isinstance(case, Case):
            raise TypeError(f"cases must be Case objects, got {type(case).__name__} at index {index}")
        try:
            a = assess(case.subject, case.evidence, rubric=old, as_of=case.as_of)
            b = assess(case.subject, case.evidence, rubric=new, as_of=case.as_of)
        except KolTrustError as e:
            failures.append(Failure(index, case.subject.id, str(e)))
            continue
        matrix[position[a.tier]][position[b.tier]] += 1
        delta = _delta(a, b)
        deltas.append(delta)
        newly_certified += b.certified and not a.certified
        no_longer_certified += a.certified and not b.certified
        old_gates = {g.id for g in a.gates}
        new_gates = {g.id for g in b.gates}
        gates_added.update(new_gates - old_gates)
        gates_removed.update(old_gates - new_gates)
        if top:
            movers.append((-abs(delta), case.subject.id, index, a, b))
            if len(movers) > 2 * top + 64:
                movers.sort(key=lambda m: m[:3])
                del movers[top:]
    movers.sort(key=lambda m: m[:3])
    return ImpactReport(
        old=compile_rubric(old).ref,
        new=compile_rubric(new).ref,
        cases=count,
        assessed=len(deltas),
        tiers=tuple(tiers),
        matrix=tuple(tuple(row) for row in matrix),
        newly_certified=newly_certified,
        no_longer_certified=no_longer_certified,
        deltas=_stats(deltas),
        gates_newly_triggered=_gate_counts((new, old), gates_added),
        gates_no_longer_triggered=_gate_counts((old, new), gates_removed),
        movers=tuple(_mover(index, a, b) for _, _, index, a, b in movers[:top]),
        failures=tuple(failures),
    )
