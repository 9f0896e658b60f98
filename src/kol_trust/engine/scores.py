"""Criterion, pillar and overall scores, losses and coverage (STANDARD §4.2)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

from ..model import Measure
from .compiled import CompiledCriterion, CompiledRubric, Shares
from .selection import Used

__all__ = ["coverage", "criterion_score", "losses", "overall", "pillar_scores"]

_fsum: Final = math.fsum


_INCIDENTS: Final = Measure.INCIDENTS
_PROPORTION: Final = Measure.PROPORTION


def criterion_score(c: CompiledCriterion, used: Used | None) -> float:
    """The raw score c_i ∈ [0, 1] of one criterion (*used*: its used records, if any)."""
    # Lists, not generators, for the sums: the same numbers, fewer objects.
    # Loops over indexes of Used's parallel lists and comparisons for min()
    # and max() of two values (which return the first of equals, as these
    # do): compiled, each is a C loop or test instead of a call.
    measure = c.measure
    if measure is _INCIDENTS:
        if used is None:
            return 1.0
        penalty = c.penalty
        records, weights = used.records, used.weights
        score = 1.0 - _fsum([weights[k] * penalty[records[k].severity.rank] for k in range(len(records))])  # type: ignore[union-attr]
        return score if score > 0.0 else 0.0
    if used is None:
        return c.prior
    records, weights = used.records, used.weights
    if measure is _PROPORTION:
        # (Selection uses a proportion record only when it has a value.)
        numerators = [weights[k] * records[k].sample_size * records[k].value for k in range(len(records))]  # type: ignore[operator]
        denominators = [weights[k] * records[k].sample_size for k in range(len(records))]
        numerators.append(c.prior_weight * c.prior)
        denominators.append(c.prior_weight)
        return _clamped(_fsum(numerators) / _fsum(denominators))
    # Attestations: the records of the latest date count.
    if len(records) == 1:
        current_weights, current_values = weights, [records[0].value]
    else:
        latest = max([e.observed_at for e in records])
        current_weights, current_values = [], []
        for k in range(len(records)):
            e = records[k]
            if e.observed_at == latest:
                current_weights.append(weights[k])
                current_values.append(e.value)
    total = _fsum(current_weights)
    if total == 0:
        return c.prior
    mean = _fsum([current_weights[k] * current_values[k] for k in range(len(current_weights))]) / total  # type: ignore[operator]
    z = max(current_weights)
    return _clamped(z * mean + (1.0 - z) * c.prior)


def _clamped(x: float) -> float:
    """``min(1.0, max(0.0, x))``."""
    x = x if x > 0.0 else 0.0
    return x if x < 1.0 else 1.0


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
