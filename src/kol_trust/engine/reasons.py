"""Reasons (STANDARD §6): what explains the result, most important first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from ..assessment import Cause, Reason
from ..model import Measure
from ..rubric import Gate
from .compiled import CompiledCriterion, CompiledRubric
from .rounding import round9

__all__ = ["Candidate", "candidate", "reasons"]


#: A criterion as a reason candidate: its sort key (−loss to 9 decimals, id),
#: cause, reported loss, and its Reason when already made (a table's, shared
#: by every evaluation that starts from the table; else made when chosen).
Candidate = tuple[float, str, Cause, float, Reason | None]

_INCIDENTS: Final = Measure.INCIDENTS
_CAUSE_INCIDENTS: Final = Cause.INCIDENTS
_LOW_SCORE: Final = Cause.LOW_SCORE
_NO_EVIDENCE: Final = Cause.NO_EVIDENCE


def candidate(
    c: CompiledCriterion, loss: float | None, loss_reported: float | None, assessed: bool, *, made: bool = False
) -> Candidate | None:
    """Criterion *c* as a reason, or None when it costs no (reported) points;
    with its :class:`~kol_trust.assessment.Reason` already made if *made*."""
    if loss is None or loss_reported is None or loss_reported <= 0:
        return None
    if c.measure is _INCIDENTS:
        cause = _CAUSE_INCIDENTS if assessed else _LOW_SCORE
    else:
        cause = _LOW_SCORE if assessed else _NO_EVIDENCE
    return (-round9(loss), c.id, cause, loss_reported, Reason(c.id, cause, loss_reported) if made else None)


def reasons(
    compiled: CompiledRubric,
    triggered: Sequence[Gate],
    losses: Sequence[float | None],
    losses_reported: Sequence[float | None],
    assessed: Sequence[bool],
    unassessed: Sequence[Candidate | None] | None = None,
) -> tuple[Reason, ...]:
    """Every triggered gate, then the criteria that cost the most, at most ``max_reasons`` of them.

    *unassessed*, when given, holds each criterion's candidate for when it is
    not assessed (an evaluation's table: :mod:`~kol_trust.engine.tables`).
    """
    found = [Reason(gt.id, Cause.GATE, None) for gt in triggered]
    criteria = compiled.criteria
    if unassessed is None:
        every = [candidate(c, losses[c.index], losses_reported[c.index], assessed[c.index]) for c in criteria]
    else:
        every = [
            candidate(criteria[i], losses[i], losses_reported[i], True) if ok else unassessed[i]
            for i, ok in enumerate(assessed)
        ]
    candidates = [x for x in every if x is not None]
    # Criterion ids are unique, so the tuples' own order is (−loss, id): no
    # key function, and no comparison ever reaches the Reason.
    candidates.sort()
    for _, cid, cause, loss_reported, made in candidates[: compiled.rubric.policy.max_reasons]:
        found.append(made if made is not None else Reason(cid, cause, loss_reported))
    return tuple(found)
