"""Criterion, pillar and overall scores, losses and coverage (STANDARD §4.2)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..model import Measure
from .compiled import CompiledCriterion, CompiledRubric, Shares
from .selection import Used

__all__ = ["coverage", "criterion_score", "losses", "overall", "pillar_scores"]

_fsum = math.fsum


def criterion_score(c: CompiledCriterion, used: Used | None) -> float:
    """The raw score c_i ∈ [0, 1] of one criterion (*used*: its used records, if any)."""
    # (Lists, not generators, for the sums: the same numbers, fewer objects.)
    if c.measure is Measure.INCIDENTS:
        if used is None:
            return 1.0
        penalty = c.penalty
        return max(
            0.0,
            1.0 - _fsum([w * penalty[e.severity.rank] for e, w in zip(used.records, used.weights, strict=True)]),  # type: ignore[union-attr]
        )
    if used is None:
        return c.prior
    records, weights = used.records, used.weights
    if c.measure is Measure.PROPORTION:
        # (Selection uses a proportion record only when it has a value.)
        num = _fsum(
            [*[w * e.sample_size * e.value for e, w in zip(records, weights, strict=True)], c.prior_weight * c.prior]  # type: ignore[operator]
        )
        den = _fsum([*[w * e.sample_size for e, w in zip(records, weights, strict=True)], c.prior_weight])
        return min(1.0, max(0.0, num / den))
    if len(records) == 1:
        current = [(records[0], weights[0])]
    else:
        latest = max([e.observed_at for e in records])
        current = [(e, w) for e, w in zip(records, weights, strict=True) if e.observed_at == latest]
    total = _fsum([w for _, w in current])
    if total == 0:
        return c.prior
    mean = _fsum([w * e.value for e, w in current]) / total  # type: ignore[operator]
    z = max([w for _, w in current])
    return min(1.0, max(0.0, z * mean + (1.0 - z) * c.prior))


def pillar_scores(compiled: CompiledRubric, shares: Shares, raw: Sequence[float]) -> list[float | None]:
    """p_j = Σ q_i c_i of each pillar; ``None`` for a pillar with no applicable criterion.

    (``math.fsum`` is correctly rounded, so the order of the terms does not matter.)
    """
    q = shares.q
    return [
        _fsum([q[i] * raw[i] for i in members]) if ok else None
        for members, ok in zip(shares.members, shares.pillar_applicable, strict=True)
    ]


def overall(shares: Shares, raw: Sequence[float]) -> float:
    """The raw overall score s = 100 × Σ g_i c_i, before caps."""
    g = shares.g
    # The shares sum to 1 only up to rounding, so s could pass 100 by a few ulps.
    return min(100.0, 100.0 * _fsum([g[i] * raw[i] for i in shares.indexes]))


def losses(shares: Shares, raw: Sequence[float]) -> list[float | None]:
    """loss_i = 100 × g_i × (1 − c_i), the points each criterion costs; ``None`` when not applicable."""
    applicable, g = shares.applicable, shares.g
    return [100.0 * g[i] * (1.0 - raw[i]) if applicable[i] else None for i in range(len(raw))]


def coverage(compiled: CompiledRubric, shares: Shares, assessed: Sequence[bool]) -> float:
    """The share of proportion/attestation weight that has evidence, in % (100 when there is none)."""
    if shares.coverage_total <= 0:
        return 100.0
    g = shares.g
    assessed_share = _fsum([g[i] for i in shares.coverage_indexes if assessed[i]])
    return 100.0 * assessed_share / shares.coverage_total
