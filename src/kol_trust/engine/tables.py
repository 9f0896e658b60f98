"""What an evaluation starts from, for one rubric and one applicability.

Most criteria of most cases have no used evidence, and such a criterion's
numbers depend on the rubric and on which criteria apply alone: its raw
score (the prior, or 1 for incidents), its reported score, its loss and its
:class:`~kol_trust.assessment.CriterionResult`.  They are computed once per
compiled rubric and applicability key (:meth:`CompiledRubric.applicability`)
by the very functions the engine uses for assessed criteria, so a table
holds exactly the numbers an evaluation would compute.
"""

from __future__ import annotations

import attrs

from ..assessment import CriterionResult
from .compiled import CompiledRubric, Shares
from .reasons import Candidate, candidate
from .rounding import round1
from .scores import criterion_score

__all__ = ["Table", "table"]


@attrs.frozen
class Table:
    """The numbers of every criterion without used evidence, by criterion index."""

    shares: Shares
    raw: tuple[float, ...]
    """c_i with no evidence; 0 when not applicable."""
    reported: tuple[float | None, ...]
    losses: tuple[float | None, ...]
    losses_reported: tuple[float | None, ...]
    results: tuple[CriterionResult, ...]
    """The criterion's result in an assessment where it has no used record."""
    reasons: tuple[Candidate | None, ...]
    """The criterion as a reason candidate when it has no used record (its Reason made)."""


def table(compiled: CompiledRubric, key: tuple[bool, ...]) -> Table:
    """The table for subjects to whom the conditional criteria apply as *key* says, built once."""
    return compiled.memo(("table", key), lambda: _build(compiled, compiled.shares(key)))


def _build(compiled: CompiledRubric, shares: Shares) -> Table:
    applicable, g = shares.applicable, shares.g
    pillars = compiled.rubric.pillars
    raw = tuple(criterion_score(c, None) if applicable[c.index] else 0.0 for c in compiled.criteria)
    reported = tuple(round1(100.0 * raw[i]) if ok else None for i, ok in enumerate(applicable))
    losses = tuple(100.0 * g[i] * (1.0 - raw[i]) if ok else None for i, ok in enumerate(applicable))
    losses_reported = tuple(round1(x) if x is not None else None for x in losses)
    results = tuple(
        CriterionResult(
            id=c.id,
            pillar=pillars[c.pillar].id,
            measure=c.measure,
            applicable=applicable[c.index],
            assessed=False,
            score=reported[c.index],
            loss=losses_reported[c.index],
            evidence=(),
        )
        for c in compiled.criteria
    )
    candidates = tuple(
        candidate(c, losses[c.index], losses_reported[c.index], False, made=True) for c in compiled.criteria
    )
    return Table(shares, raw, reported, losses, losses_reported, results, candidates)
