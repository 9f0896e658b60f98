"""The scoring engine: algorithm 1 of the KOL Trust Standard (STANDARD §2–§6).

Pure: no I/O, no clock, no randomness, no global state.  The same inputs give
the same :class:`~kol_trust.Assessment`, down to the last bit of ``raw_score``
and the fingerprint, on every machine.

A rubric's derived numbers (look-ups, penalties, shares for each set of
applicable criteria, digest) are computed once per rubric by
:func:`compile_rubric` and kept with the rubric.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import attrs

from ._jcs import Unsure, dumps_prepared
from .assessment import (
    Assessment,
    Cause,
    CriterionResult,
    Exclusion,
    ExclusionReason,
    GateResult,
    PillarResult,
    Reason,
    RubricRef,
)
from .errors import EvidenceConflictError
from .model import Evidence, Measure, Status, Subject
from .rubric import ALGORITHM, CriterionBelow, IncidentCondition, Missing, PillarBelow, Rubric
from .wire import _prepared, rubric_digest, sha256_digest, to_dict

__all__ = ["CompiledRubric", "assess", "compile_rubric", "round1"]

_THOUSANDTH = Decimal("0.001")
_TENTH = Decimal("0.1")
_fsum = math.fsum


def round1(x: float) -> float:
    """Round a value for reporting (STANDARD §2).

    The exact binary value of *x* is rounded half-even to 3 decimals, which
    removes binary noise, and that decimal half-up to 1 decimal.
    """
    # round() rounds the exact binary value, half-even.  Its result is the
    # double nearest some n/1000, so x3 * 1000 is within an ulp of the integer
    # n and round() recovers n exactly.  The half-up step is then integer work.
    thousandths = round(round(x, 3) * 1000)
    tenths = (abs(thousandths) + 50) // 100
    return (tenths if thousandths >= 0 else -tenths) / 10 + 0.0  # + 0.0: never -0.0


def round1_reference(x: float) -> float:
    """:func:`round1` written with :mod:`decimal`, step by step as the standard says.

    Slower; kept as the reference the fast version is tested against.
    """
    d = Decimal(x).quantize(_THOUSANDTH, ROUND_HALF_EVEN).quantize(_TENTH, ROUND_HALF_UP)
    return float(d) + 0.0


# -- the compiled form of a rubric -------------------------------------------------


@attrs.frozen
class _Criterion:
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
class _Gate:
    index: int
    when: IncidentCondition | CriterionBelow | PillarBelow | Missing
    criteria: frozenset[int]  # incident gates: the criteria they look at
    min_rank: int
    target: int  # criterion-below / missing: criterion index; pillar-below: pillar index
    within_days: int  # incident gates: how recent a record must be

    def triggered_by(self, u: _Used) -> bool:
        """Whether a used record of one of its criteria makes this incident gate
        trigger (STANDARD §5): active (disputed records never do), severe
        enough and recent enough."""
        return (
            u.record.status is Status.ACTIVE
            and u.record.severity is not None
            and u.record.severity.rank >= self.min_rank
            and u.age <= self.within_days
        )


@attrs.frozen
class _Shares:
    """Shares for one set of applicable criteria (STANDARD §4.2)."""

    applicable: tuple[bool, ...]
    pillar_applicable: tuple[bool, ...]
    p: tuple[float, ...]  # pillar share (0 when not applicable)
    q: tuple[float, ...]  # share inside the pillar (0 when not applicable)
    g: tuple[float, ...]  # global share (0 when not applicable)
    coverage_total: float  # Σ g over applicable proportion/attestation criteria


@attrs.define
class CompiledRubric:
    """Everything the engine derives from a rubric, computed once."""

    rubric: Rubric
    ref: RubricRef
    criteria: tuple[_Criterion, ...]
    by_id: dict[str, _Criterion]
    reliability: dict[str, float]
    gates: tuple[_Gate, ...]
    conditional: tuple[_Criterion, ...]  # criteria with applies_to
    _shares: dict[tuple[bool, ...], _Shares] = attrs.field(factory=dict)

    def applicability(self, subject: Subject) -> tuple[bool, ...]:
        """Which of the conditional criteria apply to *subject* (STANDARD §4.1)."""
        cats = subject.categories
        return tuple(
            (c.kinds is None or subject.kind in c.kinds)
            and (c.categories is None or any(x in c.categories for x in cats))
            for c in self.conditional
        )

    def nominal_shares(self) -> _Shares:
        """The shares for a subject to whom every criterion applies."""
        return self.shares((True,) * len(self.conditional))

    def shares(self, key: tuple[bool, ...]) -> _Shares:
        found = self._shares.get(key)
        if found is None:
            found = self._shares[key] = self._compute_shares(key)
        return found

    def _compute_shares(self, key: tuple[bool, ...]) -> _Shares:
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
        return _Shares(tuple(applicable), tuple(pillar_applicable), p, tuple(q), tuple(g), coverage_total)


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
    cache = rubric._cache
    compiled: CompiledRubric | None = cache.get("compiled")
    if compiled is None:
        compiled = cache["compiled"] = _compile(rubric)
    return compiled


def _compile(rubric: Rubric) -> CompiledRubric:
    policy = rubric.policy
    pillar_index = {p.id: j for j, p in enumerate(rubric.pillars)}
    criteria = []
    for i, rc in enumerate(rubric.criteria):
        pen = rc.penalties or policy.penalties
        applies = rc.applies_to
        criteria.append(
            _Criterion(
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
            gates.append(_Gate(k, when, crit, when.min_severity.rank, -1, when.within_days))
        elif isinstance(when, PillarBelow):
            gates.append(_Gate(k, when, frozenset(), 0, pillar_index[when.pillar], 0))
        else:
            gates.append(_Gate(k, when, frozenset(), 0, by_id[when.criterion].index, 0))
    return CompiledRubric(
        rubric=rubric,
        ref=RubricRef(rubric.id, rubric.version, rubric_digest(rubric)),
        criteria=tuple(criteria),
        by_id=by_id,
        reliability={s.id: s.reliability for s in rubric.sources},
        gates=tuple(gates),
        conditional=tuple(c for c in criteria if c.kinds is not None or c.categories is not None),
    )


# -- assessment ------------------------------------------------------------------------


@attrs.frozen
class _Used:
    record: Evidence
    weight: float
    age: int


def _differing_fields(a: Evidence, b: Evidence) -> list[str]:
    return [f.name for f in attrs.fields(Evidence) if getattr(a, f.name) != getattr(b, f.name)]


def _select(
    subject: Subject,
    evidence: Iterable[Evidence],
    compiled: CompiledRubric,
    shares: _Shares,
    as_of: dt.date,
) -> tuple[list[Evidence], list[list[_Used]], list[Exclusion]]:
    """STANDARD §3: duplicates, then the first exclusion reason of each record."""
    unique: dict[str, Evidence] = {}
    excluded: list[Exclusion] = []
    for e in evidence:
        if not isinstance(e, Evidence):
            raise TypeError(f"evidence must be Evidence records, got {type(e).__name__}")
        kept = unique.get(e.id)
        if kept is None:
            unique[e.id] = e
        elif kept == e:  # the same record again (possibly the very same object)
            excluded.append(Exclusion(e.id, ExclusionReason.DUPLICATE))
        else:
            raise EvidenceConflictError(e.id, _differing_fields(kept, e))

    policy = compiled.rubric.policy
    disputed_weight = policy.disputed_weight
    used: list[list[_Used]] = [[] for _ in compiled.criteria]
    by_id, reliability, applicable = compiled.by_id, compiled.reliability, shares.applicable
    for e in unique.values():
        c = by_id.get(e.criterion)
        reason: ExclusionReason | None = None
        if e.subject_id != subject.id:
            reason = ExclusionReason.SUBJECT_MISMATCH
        elif c is None:
            reason = ExclusionReason.UNKNOWN_CRITERION
        elif not applicable[c.index]:
            reason = ExclusionReason.NOT_APPLICABLE
        elif e.source not in reliability:
            reason = ExclusionReason.UNKNOWN_SOURCE
        elif c.accepted is not None and e.source not in c.accepted:
            reason = ExclusionReason.SOURCE_NOT_ACCEPTED
        else:
            age = (as_of - e.observed_at).days
            if age < 0:
                reason = ExclusionReason.FUTURE
            elif e.valid_until is not None and e.valid_until < as_of:
                reason = ExclusionReason.EXPIRED
            elif age > c.max_age:
                reason = ExclusionReason.TOO_OLD
            elif e.status is Status.OVERTURNED:
                reason = ExclusionReason.OVERTURNED
            elif (e.severity is None) if c.measure is Measure.INCIDENTS else (e.value is None):
                reason = ExclusionReason.MEASURE_MISMATCH
            else:
                w = reliability[e.source]
                if c.half_life is not None:
                    w *= 0.5 ** (age / c.half_life)
                if e.status is Status.DISPUTED:
                    w *= disputed_weight
                used[c.index].append(_Used(e, w, age))
        if reason is not None:
            excluded.append(Exclusion(e.id, reason))
    return list(unique.values()), used, excluded


def _criterion_score(c: _Criterion, used: Sequence[_Used]) -> float:
    """The raw score c_i ∈ [0, 1] of one criterion (STANDARD §4.2)."""
    if c.measure is Measure.INCIDENTS:
        if not used:
            return 1.0
        return max(0.0, 1.0 - _fsum(u.weight * c.penalty[u.record.severity.rank] for u in used))  # type: ignore[union-attr]
    if not used:
        return c.prior
    if c.measure is Measure.PROPORTION:
        num = _fsum([*(u.weight * u.record.sample_size * u.record.value for u in used), c.prior_weight * c.prior])  # type: ignore[operator]
        den = _fsum([*(u.weight * u.record.sample_size for u in used), c.prior_weight])
        return min(1.0, max(0.0, num / den))
    latest = max(u.record.observed_at for u in used)
    current = [u for u in used if u.record.observed_at == latest]
    total = _fsum(u.weight for u in current)
    if total == 0:
        return c.prior
    mean = _fsum(u.weight * u.record.value for u in current) / total  # type: ignore[operator]
    z = max(u.weight for u in current)
    return min(1.0, max(0.0, z * mean + (1.0 - z) * c.prior))


def _by_id(e: Evidence) -> str:
    return e.id


def _fingerprint(ref: RubricRef, as_of: dt.date, subject: Subject, unique: list[Evidence]) -> str:
    records = sorted(unique, key=_by_id)
    head = {
        "algorithm": ALGORITHM,
        "rubric": {"id": ref.id, "version": ref.version, "digest": ref.digest},
        "as_of": as_of.isoformat(),
    }
    try:
        if not (ref.id.__class__ is ref.version.__class__ is ref.digest.__class__ is str):
            raise Unsure
        # One pass over the records (wire._prepared) instead of to_dict and
        # then _jcs's check: the same bytes (see wire), about twice as fast.
        data = dumps_prepared({**head, "subject": _prepared(subject), "evidence": [_prepared(e) for e in records]})
    except (Unsure, UnicodeEncodeError, ValueError, TypeError, RecursionError):
        # Something the one pass cannot vouch for: the general path decides
        # the bytes, or raises what it always raised.
        return sha256_digest({**head, "subject": to_dict(subject), "evidence": [to_dict(e) for e in records]})
    return "sha256:" + hashlib.sha256(data).hexdigest()


def assess(
    subject: Subject,
    evidence: Iterable[Evidence],
    *,
    rubric: Rubric,
    as_of: dt.date,
) -> Assessment:
    """Assess *subject* on *as_of* from *evidence* under *rubric* (STANDARD §2–§6).

    Every record of *evidence* ends up either used by a criterion or listed
    in ``excluded`` with its reason.  Raises
    :class:`~kol_trust.EvidenceConflictError` when two records share an id
    but differ in content.
    """
    if not isinstance(subject, Subject):
        raise TypeError(f"subject must be a Subject, got {type(subject).__name__}")
    if not isinstance(rubric, Rubric):
        raise TypeError(f"rubric must be a Rubric, got {type(rubric).__name__}")
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise TypeError(f"as_of must be a datetime.date, got {type(as_of).__name__}")
    compiled = compile_rubric(rubric)
    shares = compiled.shares(compiled.applicability(subject))
    unique, used, excluded = _select(subject, evidence, compiled, shares, as_of)

    applicable, q, g = shares.applicable, shares.q, shares.g
    criteria = compiled.criteria
    raw = [_criterion_score(c, used[c.index]) if applicable[c.index] else 0.0 for c in criteria]
    reported = [round1(100.0 * raw[c.index]) if applicable[c.index] else None for c in criteria]

    pillar_raw: list[float | None] = []
    for j, ok in enumerate(shares.pillar_applicable):
        pillar_raw.append(
            _fsum(q[c.index] * raw[c.index] for c in criteria if c.pillar == j and applicable[c.index]) if ok else None
        )
    pillar_reported = [round1(100.0 * p) if p is not None else None for p in pillar_raw]

    # The shares sum to 1 only up to rounding, so s could pass 100 by a few ulps.
    s = min(100.0, 100.0 * _fsum(g[i] * raw[i] for i in range(len(criteria)) if applicable[i]))
    losses = [100.0 * g[i] * (1.0 - raw[i]) if applicable[i] else None for i in range(len(criteria))]
    # Each loss is reported (rounded) in two places: round it once.
    losses_reported = [round1(x) if x is not None else None for x in losses]

    if shares.coverage_total > 0:
        assessed_share = _fsum(
            g[c.index] for c in criteria if applicable[c.index] and c.measure is not Measure.INCIDENTS and used[c.index]
        )
        coverage = 100.0 * assessed_share / shares.coverage_total
    else:
        coverage = 100.0

    # Gates (STANDARD §5).
    triggered = []
    for gate in compiled.gates:
        when = gate.when
        if isinstance(when, IncidentCondition):
            hit = any(gate.triggered_by(u) for i in gate.criteria if applicable[i] for u in used[i])
        elif isinstance(when, CriterionBelow):
            score = reported[gate.target]
            hit = score is not None and score < when.below
        elif isinstance(when, PillarBelow):
            pscore = pillar_reported[gate.target]
            hit = pscore is not None and pscore < when.below
        else:
            hit = applicable[gate.target] and not used[gate.target]
        if hit:
            triggered.append(compiled.rubric.gates[gate.index])

    raw_score = min([s, *(gt.cap for gt in triggered if gt.cap is not None)])
    score = round1(raw_score)
    coverage_reported = round1(coverage)
    disqualified = any(gt.disqualify for gt in triggered)

    # Tier (STANDARD §6).
    tiers = compiled.rubric.tiers
    tier = tiers[-1]
    if not disqualified:
        applicable_pillars = [p for p in pillar_reported if p is not None]
        for t in tiers:
            if (
                score >= t.min_score
                and (t.min_pillar_score is None or all(p >= t.min_pillar_score for p in applicable_pillars))
                and (t.min_coverage is None or coverage_reported >= t.min_coverage)
            ):
                tier = t
                break

    # Reasons: gates first, then the criteria that cost the most.
    reasons = [Reason(gt.id, Cause.GATE, None) for gt in triggered]
    candidates = []
    for c in criteria:
        loss = losses[c.index]
        loss_reported = losses_reported[c.index]
        if loss is None or loss_reported <= 0:  # type: ignore[operator]
            continue
        if c.measure is Measure.INCIDENTS:
            cause = Cause.INCIDENTS if used[c.index] else Cause.LOW_SCORE
        else:
            cause = Cause.LOW_SCORE if used[c.index] else Cause.NO_EVIDENCE
        candidates.append((-round(loss, 9), c.id, cause, loss_reported))
    candidates.sort(key=lambda x: (x[0], x[1]))
    reasons.extend(Reason(cid, cause, rl) for _, cid, cause, rl in candidates[: compiled.rubric.policy.max_reasons])

    pillars = tuple(PillarResult(p.id, pillar_reported[j]) for j, p in enumerate(compiled.rubric.pillars))
    criterion_results = tuple(
        CriterionResult(
            id=c.id,
            pillar=compiled.rubric.pillars[c.pillar].id,
            measure=c.measure,
            applicable=applicable[c.index],
            assessed=bool(used[c.index]),
            score=reported[c.index],
            loss=losses_reported[c.index],
            evidence=tuple(sorted(u.record.id for u in used[c.index])),
        )
        for c in criteria
    )
    excluded.sort(key=lambda x: (x.evidence_id, x.reason.value))
    return Assessment(
        subject_id=subject.id,
        as_of=as_of,
        rubric=compiled.ref,
        algorithm=ALGORITHM,
        score=score,
        raw_score=raw_score,
        tier=tier.id,
        certified=tier.certified and not disqualified,
        coverage=coverage_reported,
        pillars=pillars,
        criteria=criterion_results,
        gates=tuple(GateResult(gt.id, gt.cap, gt.disqualify) for gt in triggered),
        reasons=tuple(reasons),
        excluded=tuple(excluded),
        fingerprint=_fingerprint(compiled.ref, as_of, subject, unique),
    )
