"""Reasons (STANDARD §6): what explains the result, most important first."""

from __future__ import annotations

from collections.abc import Sequence

from ..assessment import Cause, Reason
from ..model import Measure
from ..rubric import Gate
from .compiled import CompiledRubric

__all__ = ["reasons"]


def reasons(
    compiled: CompiledRubric,
    triggered: Sequence[Gate],
    losses: Sequence[float | None],
    losses_reported: Sequence[float | None],
    assessed: Sequence[bool],
) -> tuple[Reason, ...]:
    """Every triggered gate, then the criteria that cost the most, at most ``max_reasons`` of them."""
    found = [Reason(gt.id, Cause.GATE, None) for gt in triggered]
    candidates = []
    for c in compiled.criteria:
        loss = losses[c.index]
        loss_reported = losses_reported[c.index]
        if loss is None or loss_reported is None or loss_reported <= 0:
            continue
        if c.measure is Measure.INCIDENTS:
            cause = Cause.INCIDENTS if assessed[c.index] else Cause.LOW_SCORE
        else:
            cause = Cause.LOW_SCORE if assessed[c.index] else Cause.NO_EVIDENCE
        candidates.append((-round(loss, 9), c.id, cause, loss_reported))
    candidates.sort(key=lambda x: (x[0], x[1]))
    found.extend(Reason(cid, cause, rl) for _, cid, cause, rl in candidates[: compiled.rubric.policy.max_reasons])
    return tuple(found)
