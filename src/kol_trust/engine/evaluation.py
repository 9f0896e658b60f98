"""Algorithm 1 end to end: the evaluation trace, and the assessment made from it.

:func:`evaluate` runs the standard's steps in order — selection (§3), scores
(§4), gates (§5), tier (§6) — and keeps every intermediate number in an
:class:`Evaluation`.  :func:`~kol_trust.assess` turns it into an
:class:`~kol_trust.Assessment`; the improvement plan reads the same trace,
so scoring is written once.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable
from typing import Final

import attrs

from ..assessment import Assessment, CriterionResult, Exclusion, GateResult, PillarResult
from ..canonical import fingerprint
from ..model import Evidence, Subject
from ..rubric import ALGORITHM, Gate, Rubric, Tier
from . import scores, tables
from .compiled import CompiledRubric, Shares, compile_rubric
from .gates import GateInputs, capped, incident_hits, triggers
from .reasons import reasons
from .rounding import round1
from .selection import Used, select
from .tables import Table
from .tiers import tier_for

__all__ = ["Evaluation", "assess", "evaluate"]


@attrs.frozen
class Evaluation:
    """Every number algorithm 1 computes for one subject, before it is reported.

    Lists are by criterion index (rubric order) or pillar index; raw values
    are exact floats, ``*_reported`` values are rounded with ``round1``.
    """

    compiled: CompiledRubric
    subject: Subject
    as_of: dt.date
    shares: Shares
    unique: list[Evidence]
    used: list[Used | None]
    """By criterion index; ``None`` for a criterion without used records."""
    excluded: list[Exclusion]
    raw: list[float]
    """c_i ∈ [0, 1]; 0 when not applicable."""
    reported: list[float | None]
    pillar_raw: list[float | None]
    pillar_reported: list[float | None]
    s: float
    """The raw overall score before caps."""
    losses: list[float | None]
    losses_reported: list[float | None]
    assessed: list[bool]
    """Whether each criterion has a used record."""
    coverage: float
    gate_inputs: GateInputs
    triggered: tuple[Gate, ...]
    raw_score: float
    score: float
    coverage_reported: float
    disqualified: bool
    tier: Tier

    table: Table
    """The numbers of criteria without evidence this evaluation started from."""

    def assessment(self) -> Assessment:
        """The assessment document of this evaluation (STANDARD §6)."""
        compiled = self.compiled
        pillars = compiled.rubric.pillars
        # The shared results of the table, and new ones for the criteria with
        # used records (id, pillar, measure and applicability as the table's).
        criteria = list(self.table.results)
        used, reported, losses_reported = self.used, self.reported, self.losses_reported
        for i, ok in enumerate(self.assessed):
            if ok:
                r = criteria[i]
                group = used[i]
                assert group is not None
                # Selection hands out the records in id order: the ids are sorted.
                ids = tuple([e.id for e in group.records])
                criteria[i] = CriterionResult(
                    r.id, r.pillar, r.measure, r.applicable, True, reported[i], losses_reported[i], ids
                )
        return Assessment(
            subject_id=self.subject.id,
            as_of=self.as_of,
            rubric=compiled.ref,
            algorithm=ALGORITHM,
            score=self.score,
            raw_score=self.raw_score,
            tier=self.tier.id,
            certified=self.tier.certified and not self.disqualified,
            coverage=self.coverage_reported,
            pillars=tuple(PillarResult(p.id, self.pillar_reported[j]) for j, p in enumerate(pillars)),
            criteria=tuple(criteria),
            gates=tuple(GateResult(gt.id, gt.cap, gt.disqualify) for gt in self.triggered),
            reasons=reasons(compiled, self.triggered, self.losses, losses_reported, self.assessed, self.table.reasons),
            excluded=tuple(sorted(self.excluded, key=_exclusion_order)),
            fingerprint=fingerprint(compiled.ref, self.as_of, self.subject, self.unique),
        )


#: Exclusions by record id, then reason (a string enum: it sorts as its value).
_exclusion_order: Final = operator.attrgetter("evidence_id", "reason")


def _check_arguments(subject: object, rubric: object, as_of: object) -> None:
    if not isinstance(subject, Subject):
        raise TypeError(f"subject must be a Subject, got {type(subject).__name__}")
    if not isinstance(rubric, Rubric):
        raise TypeError(f"rubric must be a Rubric, got {type(rubric).__name__}")
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise TypeError(f"as_of must be a datetime.date, got {type(as_of).__name__}")


def evaluate(subject: Subject, evidence: Iterable[Evidence], *, rubric: Rubric, as_of: dt.date) -> Evaluation:
    """Run algorithm 1 and keep every intermediate number (see :func:`assess`)."""
    _check_arguments(subject, rubric, as_of)
    compiled = compile_rubric(rubric)
    table = tables.table(compiled, compiled.applicability(subject))
    shares = table.shares
    selection = select(subject, evidence, compiled, shares, as_of)
    used = selection.used

    # Scores (§4.2).  A criterion without used records keeps the numbers of
    # the table; the others are computed here, by the same expressions.
    # (Only applicable criteria have used records: selection excludes the rest.)
    raw = list(table.raw)
    reported = list(table.reported)
    losses: list[float | None] = list(table.losses)
    losses_reported = list(table.losses_reported)
    assessed = [False] * len(used)
    applicable, g = shares.applicable, shares.g
    criteria = compiled.criteria
    for i, group in enumerate(used):
        if group is not None:
            assessed[i] = True
            r = raw[i] = scores.criterion_score(criteria[i], group)
            reported[i] = round1(100.0 * r)
            loss = losses[i] = 100.0 * g[i] * (1.0 - r)
            # Each loss is reported (rounded) in two places: round it once.
            losses_reported[i] = round1(loss)
    pillar_raw = scores.pillar_scores(compiled, shares, raw)
    pillar_reported = [round1(100.0 * p) if p is not None else None for p in pillar_raw]
    s = scores.overall(shares, raw)
    coverage = scores.coverage(compiled, shares, assessed)

    # Gates (§5).
    inputs = GateInputs(applicable, assessed, reported, pillar_reported, incident_hits(compiled, applicable, used))
    rubric_gates = compiled.rubric.gates
    triggered = tuple(rubric_gates[gate.index] for gate in compiled.gates if triggers(gate, inputs))
    raw_score = capped(s, [gt.cap for gt in triggered])
    disqualified = any(gt.disqualify for gt in triggered)

    # Tier (§6).
    score = round1(raw_score)
    coverage_reported = round1(coverage)
    tier = tier_for(compiled.rubric.tiers, score, pillar_reported, coverage_reported, disqualified)
    return Evaluation(
        compiled=compiled,
        subject=subject,
        as_of=as_of,
        shares=shares,
        unique=selection.unique,
        used=used,
        excluded=selection.excluded,
        raw=raw,
        reported=reported,
        pillar_raw=pillar_raw,
        pillar_reported=pillar_reported,
        s=s,
        losses=losses,
        losses_reported=losses_reported,
        assessed=assessed,
        coverage=coverage,
        gate_inputs=inputs,
        triggered=triggered,
        raw_score=raw_score,
        score=score,
        coverage_reported=coverage_reported,
        disqualified=disqualified,
        tier=tier,
        table=table,
    )


def assess(subject: Subject, evidence: Iterable[Evidence], *, rubric: Rubric, as_of: dt.date) -> Assessment:
    """Assess *subject* on *as_of* from *evidence* under *rubric* (STANDARD §2–§6).

    Every record of *evidence* ends up either used by a criterion or listed
    in ``excluded`` with its reason.  Raises
    :class:`~kol_trust.errors.EvidenceConflictError` when two records share
    an id but differ in content.  Pure: no I/O, no clock, no randomness, no
    global state.
    """
    return evaluate(subject, evidence, rubric=rubric, as_of=as_of).assessment()
