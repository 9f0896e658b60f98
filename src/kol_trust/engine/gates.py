"""Gates (STANDARD §5): which trigger, and what they do to the score."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from ..model import Evidence, Status
from ..rubric import CriterionBelow, IncidentCondition, PillarBelow
from .compiled import CompiledGate, CompiledRubric
from .selection import Used

__all__ = ["GateInputs", "capped", "incident_hits", "record_triggers", "triggers"]


def record_triggers(gate: CompiledGate, record: Evidence, age: int) -> bool:
    """Whether a used record of one of its criteria, *age* days old, makes this
    incident gate trigger: active (disputed records never do), severe enough
    and recent enough."""
    return (
        record.status is Status.ACTIVE
        and record.severity is not None
        and record.severity.rank >= gate.min_rank
        and age <= gate.within_days
    )


def incident_hits(
    compiled: CompiledRubric, applicable: Sequence[bool], used: Sequence[Used | None]
) -> dict[int, frozenset[int]]:
    """For each incident gate (by rubric index), the applicable criteria with a record that triggers it."""
    return {
        gate.index: frozenset(i for i in gate.criteria if applicable[i] and _any_triggers(gate, used[i]))
        for gate in compiled.gates
        if isinstance(gate.when, IncidentCondition)
    }


def _any_triggers(gate: CompiledGate, used: Used | None) -> bool:
    return used is not None and any(
        record_triggers(gate, e, age) for e, age in zip(used.records, used.ages, strict=True)
    )


@attrs.frozen
class GateInputs:
    """What gates look at: reported scores, and which criteria are assessed.

    The engine fills it from an evaluation; the improvement plan fills it
    with one criterion raised to 100, to see which gates would still trigger.
    """

    applicable: Sequence[bool]
    assessed: Sequence[bool]
    criterion_scores: Sequence[float | None]
    """Reported (0–100), by criterion index."""
    pillar_scores: Sequence[float | None]
    """Reported (0–100), by pillar index."""
    incident_hits: Mapping[int, frozenset[int]]
    """See :func:`incident_hits`."""


def triggers(gate: CompiledGate, inputs: GateInputs) -> bool:
    """Whether *gate* triggers on *inputs*."""
    when = gate.when
    if isinstance(when, IncidentCondition):
        return bool(inputs.incident_hits.get(gate.index))
    if isinstance(when, CriterionBelow):
        score = inputs.criterion_scores[gate.target]
        return score is not None and score < when.below
    if isinstance(when, PillarBelow):
        pscore = inputs.pillar_scores[gate.target]
        return pscore is not None and pscore < when.below
    return inputs.applicable[gate.target] and not inputs.assessed[gate.target]  # missing


def capped(s: float, caps: Sequence[float | None]) -> float:
    """The raw score s held by every triggered cap: min(s, caps)."""
    return min([s, *(cap for cap in caps if cap is not None)])
