"""The compiled form of a rubric: the look-ups, penalties and shares the
engine derives from it, computed once per rubric (STANDARD §4.1, §4.2)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final, TypeVar

import attrs

from ..assessment import RubricRef
from ..canonical import rubric_digest
from ..model import Measure, Subject
from ..rubric import CriterionBelow, IncidentCondition, Missing, PillarBelow, Rubric

__all__ = ["CompiledCriterion", "CompiledGate", "CompiledRubric", "Shares", "compile_rubric"]

_fsum: Final = math.fsum
T = TypeVar("T")
_ABSENT: Final = object()


@attrs.frozen
class CompiledCriterion:
    """A criterion with its defaults resolved and its look-ups prepared."""

    index: int
    id: str
    pillar: int
    measure: Measure
    max_age: int
    half_life: float | None
    accepted: frozenset[str] | None
    kinds: frozenset[str] | None
    categories: frozenset[str] | None
    prior: float
    prior_weight: float
    penalty: tuple[float, float, float, float]  # by Severity.rank


@attrs.frozen
class CompiledGate:
    """A gate with what it looks at resolved to indexes."""

    index: int
    when: IncidentCondition | CriterionBelow | PillarBelow | Missing
    criteria: frozenset[int]  # incident gates: the criteria they look at
    min_rank: int
    target: int  # criterion-below / missing: criterion index; pillar-below: pillar index
    within_days: int  # incident gates: how recent a record must be


@attrs.frozen
class Shares:
    """Shares for one set of applicable criteria (STANDARD §4.2)."""

    applicable: tuple[bool, ...]
    pillar_applicable: tuple[bool, ...]
    p: tuple[float, ...]  # pillar share (0 when not applicable)
    q: tuple[float, ...]  # share inside the pillar (0 when not applicable)
    g: tuple[float, ...]  # global share (0 when not applicable)
    coverage_total: float  # Σ g over applicable proportion/attestation criteria
    members: tuple[tuple[int, ...], ...] = ()
    """By pillar index: the indexes of its applicable criteria."""
    indexes: tuple[int, ...] = ()
    """The indexes of the applicable criteria."""
    coverage_indexes: tuple[int, ...] = ()
    """The indexes of the applicable proportion/attestation criteria (those coverage counts)."""


@attrs.define
class CompiledRubric:
    """Everything the engine derives from a rubric, computed once."""

    rubric: Rubric
    ref: RubricRef
    criteria: tuple[CompiledCriterion, ...]
    by_id: dict[str, CompiledCriterion]
    reliability: dict[str, float]
    gates: tuple[CompiledGate, ...]
    conditional: tuple[CompiledCriterion, ...]  # criteria with applies_to
    # attrs.Factory, not attrs.field(factory=...): mypyc compiles this class
    # (the opt-in compiled engine) and takes only the first spelling.
    _shares: dict[tuple[bool, ...], Shares] = attrs.Factory(dict)
    _memo: dict[object, object] = attrs.Factory(dict)

    def memo(self, key: object, compute: Callable[[], T]) -> T:
        """``compute()``, once per compiled rubric and *key* (tables that depend on the rubric alone)."""
        found = self._memo.get(key, _ABSENT)
        if found is _ABSENT:
            found = self._memo[key] = compute()
        return found  # type: ignore[return-value]

    def applicability(self, subject: Subject) -> tuple[bool, ...]:
        """Which of the conditional criteria apply to *subject* (STANDARD §4.1)."""
        cats = subject.categories
        return tuple(
            (c.kinds is None or subject.kind in c.kinds)
            and (c.categories is None or any(x in c.categories for x in cats))
            for c in self.conditional
        )

    def nominal_shares(self) -> Shares:
        """The shares for a subject to whom every criterion applies."""
        return self.shares((True,) * len(self.conditional))

    def shares(self, key: tuple[bool, ...]) -> Shares:
        """The shares when the conditional criteria apply as *key* says."""
        found = self._shares.get(key)
        if found is None:
            found = self._shares[key] = self._compute_shares(key)
        return found

    def _compute_shares(self, key: tuple[bool, ...]) -> Shares:
        rubric = self.rubric
        applicable = [True] * len(self.criteria)
        for c, ok in zip(self.conditional, key, strict=True):
            applicable[c.index] = ok
        n_pillars = len(rubric.pillars)
        pillar_applicable = [False] * n_pillars
        for c in self.criteria:
            if applicable[c.index]:
                pillar_applicable[c.pillar] = True
        pillar_share = dict(
            zip(
                (j for j in range(n_pillars) if pillar_applicable[j]),
                _proportions([p.weight for p, ok in zip(rubric.pillars, pillar_applicable, strict=True) if ok]),
                strict=True,
            )
        )
        q = [0.0] * len(self.criteria)
        g = [0.0] * len(self.criteria)
        for j in pillar_share:
            members = [c for c in self.criteria if c.pillar == j and applicable[c.index]]
            for c, share in zip(members, _proportions([rubric.criteria[c.index].weight for c in members]), strict=True):
                q[c.index] = share
                g[c.index] = pillar_share[j] * share
        coverage_total = _fsum(
            g[c.index] for c in self.criteria if applicable[c.index] and c.measure is not Measure.INCIDENTS
        )
        p = tuple(pillar_share.get(j, 0.0) for j in range(n_pillars))
        pillar_members = tuple(
            tuple(c.index for c in self.criteria if c.pillar == j and applicable[c.index]) for j in range(n_pillars)
        )
        indexes = tuple(c.index for c in self.criteria if applicable[c.index])
        coverage_indexes = tuple(i for i in indexes if self.criteria[i].measure is not Measure.INCIDENTS)
        return Shares(
            tuple(applicable),
            tuple(pillar_applicable),
            p,
            tuple(q),
            tuple(g),
            coverage_total,
            pillar_members,
            indexes,
            coverage_indexes,
        )


def _proportions(weights: list[float]) -> list[float]:
    """Each weight divided by their (correctly rounded) sum."""
    try:
        total = _fsum(weights)
    except OverflowError:
        # Valid but huge weights: scale by a power of two, which is exact and
        # leaves every ratio as it was.
        exponent = math.frexp(max(weights))[1]
        weights = [math.ldexp(w, -exponent) for w in weights]
        total = _fsum(weights)
    return [w / total for w in weights]


def compile_rubric(rubric: Rubric) -> CompiledRubric:
    """The compiled form of *rubric*, computed on first use and then reused."""
    return rubric.derived("compiled", _compile)


def _compile(rubric: Rubric) -> CompiledRubric:
    policy = rubric.policy
    pillar_index = {p.id: j for j, p in enumerate(rubric.pillars)}
    criteria = []
    for i, rc in enumerate(rubric.criteria):
        pen = rc.penalties or policy.penalties
        applies = rc.applies_to
        criteria.append(
            CompiledCriterion(
                index=i,
                id=rc.id,
                pillar=pillar_index[rc.pillar],
                measure=rc.measure,
                max_age=rc.max_age_days if rc.max_age_days is not None else policy.max_age_days,
                half_life=rc.half_life_days,
                accepted=frozenset(rc.accepted_sources) if rc.accepted_sources is not None else None,
                kinds=frozenset(applies.kinds) if applies is not None and applies.kinds is not None else None,
                categories=frozenset(applies.categories)
                if applies is not None and applies.categories is not None
                else None,
                prior=rc.prior if rc.prior is not None else 0.0,
                prior_weight=rc.prior_weight if rc.prior_weight is not None else 0.0,
                penalty=(pen.minor, pen.moderate, pen.serious, pen.critical),
            )
        )
    by_id = {c.id: c for c in criteria}
    incidents = frozenset(c.index for c in criteria if c.measure is Measure.INCIDENTS)
    gates = []
    for k, gate in enumerate(rubric.gates):
        when = gate.when
        if isinstance(when, IncidentCondition):
            crit = frozenset(by_id[x].index for x in when.criteria) if when.criteria else incidents
            gates.append(CompiledGate(k, when, crit, when.min_severity.rank, -1, when.within_days))
        elif isinstance(when, PillarBelow):
            gates.append(CompiledGate(k, when, frozenset(), 0, pillar_index[when.pillar], 0))
        else:
            gates.append(CompiledGate(k, when, frozenset(), 0, by_id[when.criterion].index, 0))
    return CompiledRubric(
        rubric=rubric,
        ref=RubricRef(rubric.id, rubric.version, rubric_digest(rubric)),
        criteria=tuple(criteria),
        by_id=by_id,
        reliability={s.id: s.reliability for s in rubric.sources},
        gates=tuple(gates),
        conditional=tuple(c for c in criteria if c.kinds is not None or c.categories is not None),
    )
