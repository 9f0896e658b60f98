"""Improvement plans and what-if assessments: what it takes to reach the next tier.

:func:`~kol_trust.improvement.improvement_plan` reads an :class:`~kol_trust.Assessment`
against its rubric and says what separates the subject from the next tier up
(:class:`~kol_trust.improvement.Shortfall`) and which criteria could add points, ranked by
the most the final score could gain (:class:`~kol_trust.improvement.Opportunity`).
:func:`~kol_trust.improvement.what_if` re-assesses a case with records added or removed
and says what changed.

Both are pure: no I/O (the built-in rubrics are package data), no clock.

**Precision of** :attr:`~kol_trust.improvement.Opportunity.max_gain`.  The gain is the reported
final score with the criterion at 100, everything else equal, minus the
reported score now.

* Given the ``case`` the assessment was made from, it is *exact*: the
  criterion scores are recomputed from the evidence and the new final score
  is computed the way the engine computes it (same sums, same gates, same
  caps), so re-assessing with the criterion at exactly 100 gives a reported
  score exactly ``max_gain`` higher.
* From the assessment alone, assessed criteria are known only through their
  reported scores (a reported value is within 0.0505 of the raw one: 0.05,
  plus 0.0005 from the first rounding step).  Unassessed criteria (their
  prior, or 100 for incidents) and the raw overall score when no cap holds
  it are exact; the estimate uses whichever of the two sums carries less
  error, so the new raw score is off by at most 0.0505 points and
  ``max_gain`` by at most 0.1, with one exception: gates are judged from
  estimates too.  A ``pillar-below`` gate on the criterion's pillar is
  re-checked with the estimated pillar score, and an ``incident`` gate that
  also looks at another criterion with records is assumed to keep
  triggering.  When the criterion has no used record and no cap holds the
  raw score, the estimate is exact (given the same gates).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable, Sequence

import attrs

from .assessment import Assessment, RubricRef
from .cases import assess_case, rubric_for, rubric_of
from .checks import json_string
from .engine import CompiledRubric, compile_rubric, evaluate, round1, scores
from .engine.compiled import Shares
from .engine.gates import GateInputs, capped, triggers
from .errors import Problem, ValidationError
from .model import Case, Evidence, Measure, Text
from .numbers import localized
from .rubric import Criterion, CriterionBelow, Gate, IncidentCondition, PillarBelow, Rubric, Tier
from .words import check_lang, word

__all__ = [
    "ImprovementPlan",
    "Opportunity",
    "ScoreChange",
    "Shortfall",
    "ShortfallKind",
    "WhatIf",
    "improvement_plan",
    "what_if",
]

_fsum = math.fsum


class ShortfallKind(enum.StrEnum):
    """Which condition of the target tier an assessment fails."""

    SCORE = "score"
    """The final score is below the tier's ``min_score``."""
    PILLAR = "pillar"
    """An applicable pillar is below the tier's ``min_pillar_score``."""
    COVERAGE = "coverage"
    """Coverage is below the tier's ``min_coverage``."""
    GATE = "gate"
    """A triggered gate disqualifies, or caps the score below the tier's ``min_score``."""


@attrs.frozen
class Shortfall:
    """One condition of the target tier that the assessment fails."""

    kind: ShortfallKind
    ref: str | None
    """The pillar id or gate id; ``None`` for score and coverage."""
    required: float | None
    """The tier's threshold; ``None`` for gates."""
    actual: float | None
    """The reported value; ``None`` for gates."""
    gap: float | None
    """``round1(required - actual)``; ``None`` for gates."""
    advice: Text
    """What to do about it, in one sentence, in Vietnamese and English."""


@attrs.frozen
class Opportunity:
    """A criterion that could add points or clear a gate."""

    criterion: str
    pillar: str
    measure: Measure
    title: Text
    """The criterion's title in the rubric."""
    score: float | None
    """The criterion's reported score now."""
    max_gain: float
    """The most the reported final score could rise if this criterion reached 100,
    everything else equal (a multiple of 0.1; see the module for its precision)."""
    lifts: tuple[str, ...]
    """Ids of triggered gates that would stop triggering, in rubric order."""
    sources: tuple[str, ...]
    """Ids of the sources whose records the criterion accepts, most reliable first."""
    advice: Text
    """What kind of evidence would show it, in Vietnamese and English."""


@attrs.frozen
class ImprovementPlan:
    """What separates an assessed subject from the next tier, and where points can come from."""

    subject_id: str
    rubric: RubricRef
    current_tier: str
    target_tier: str | None
    """The tier just above the current one; ``None`` at the top tier."""
    shortfalls: tuple[Shortfall, ...]
    """The target tier's conditions that fail: gates first (rubric order), then
    the score, the pillars (rubric order) and coverage.  Empty at the top."""
    opportunities: tuple[Opportunity, ...]
    """Ranked by ``max_gain``, highest first, then by criterion id."""
    score: float | None = None
    """The reported final score of the assessment."""
    current_title: Text | None = None
    """The current tier's title."""
    target_title: Text | None = None
    """The target tier's title, if there is a target."""
    exact: bool = False
    """True when the gains were computed from the case's evidence (exact), false
    when estimated from the assessment's reported values."""

    def lines(self, lang: str = "en") -> list[str]:
        """The plan as readable lines of text, in ``"vi"`` or ``"en"`` (words from :mod:`kol_trust.words`)."""
        check_lang(lang)
        ref = self.rubric
        out = [word("plan.heading", lang, subject=self.subject_id, id=ref.id, version=ref.version)]
        current = _tier_label(self.current_tier, self.current_title, lang)
        if self.score is None:
            out.append(word("plan.current", lang, tier=current))
        else:
            out.append(word("plan.current_score", lang, tier=current, score=_fixed(self.score, lang)))
        if self.target_tier is None:
            out.append(word("plan.top", lang))
        else:
            out.append(word("plan.next", lang, tier=_tier_label(self.target_tier, self.target_title, lang)))
            if self.shortfalls:
                out.append(word("plan.shortfalls", lang))
                out.extend(f"  - {s.advice(lang)}" for s in self.shortfalls)
        if self.opportunities:
            out.append(word("plan.opportunities", lang))
            for o in self.opportunities:
                now = "–" if o.score is None else _fixed(o.score, lang)
                line = word(
                    "plan.opportunity",
                    lang,
                    criterion=o.criterion,
                    title=o.title(lang),
                    score=now,
                    gain=_fixed(o.max_gain, lang),
                )
                if o.lifts:
                    line = word("plan.lifts", lang, opportunity=line, gates=", ".join(o.lifts))
                out.append(f"  - {line}. {o.advice(lang)}")
        else:
            out.append(word("plan.none", lang))
        return out


@attrs.frozen
class ScoreChange:
    """How one criterion's reported score or assessed flag changed in a :class:`~kol_trust.improvement.WhatIf`."""

    id: str
    before: float | None
    """Reported score before (``None`` when not applicable)."""
    after: float | None
    """Reported score after."""
    assessed_before: bool
    """Whether it had a used record before."""
    assessed_after: bool
    """Whether it has a used record after."""


@attrs.frozen
class WhatIf:
    """A case assessed as it is and with some records added or removed."""

    before: Assessment
    after: Assessment
    score_change: float
    """``round1(after.score - before.score)``."""
    tier_changed: bool
    criteria: tuple[ScoreChange, ...]
    """The criteria whose reported score or assessed flag changed, in rubric order."""
    gates_cleared: tuple[str, ...]
    """Gates that triggered before and not after, in rubric order."""
    gates_triggered: tuple[str, ...]
    """Gates that trigger after and did not before, in rubric order."""
    added: tuple[str, ...] = ()
    """Ids of the records added."""
    removed: tuple[str, ...] = ()
    """Ids of the records removed (each once, sorted)."""


# -- the improvement plan ----------------------------------------------------------------------


def improvement_plan(
    assessment: Assessment, rubric: Rubric | None = None, *, case: Case | None = None
) -> ImprovementPlan:
    """What *assessment* lacks for the next tier up, and which criteria could add points.

    *rubric* is the rubric the assessment was made under; by default the
    built-in rubric of the assessment's rubric id and version.  Its digest
    must be the assessment's, else :class:`~kol_trust.ValidationError` is
    raised naming both digests.

    The target tier is the tier just above the current one (tiers are listed
    best first); a disqualified subject, in the last tier, targets the tier
    above the last.  Shortfalls are the target's failed conditions: every
    triggered disqualifying gate, and every triggered cap below the target's
    ``min_score`` (kind ``gate``), the score below ``min_score``, each
    applicable pillar below ``min_pillar_score`` and coverage below
    ``min_coverage``.

    Opportunities are the applicable criteria that would add points at 100,
    or clear a triggered gate.  Reaching 100 means: evidence, and a perfect
    score, for proportion and attestation criteria; no counted record for
    incidents criteria.  Gates on the criterion stop (criterion-below,
    missing, and incident gates unless another criterion's record still
    triggers them), a pillar-below gate on its pillar is re-checked; the
    remaining caps apply.

    With *case*, the case the assessment was made from (checked by its
    fingerprint), the gains are exact; without it, they are estimated from
    reported values (see the module documentation for the precision).
    """
    if not isinstance(assessment, Assessment):
        raise TypeError(f"assessment must be an Assessment, got {type(assessment).__name__}")
    rubric = rubric_of(assessment, rubric)
    compiled = compile_rubric(rubric)
    _check_shape(assessment, rubric)
    model = _Model.from_case(assessment, compiled, case) if case is not None else _Model.estimate(assessment, compiled)
    tiers = rubric.tiers
    current_index = next(k for k, t in enumerate(tiers) if t.id == assessment.tier)
    target = tiers[current_index - 1] if current_index > 0 else None
    opportunities = sorted(
        (o for c in rubric.criteria if (o := _opportunity(assessment, rubric, model, c)) is not None),
        key=lambda o: (-o.max_gain, o.criterion),
    )
    return ImprovementPlan(
        subject_id=assessment.subject_id,
        rubric=assessment.rubric,
        current_tier=assessment.tier,
        target_tier=target.id if target is not None else None,
        shortfalls=_shortfalls(assessment, rubric, target) if target is not None else (),
        opportunities=tuple(opportunities),
        score=assessment.score,
        current_title=tiers[current_index].title,
        target_title=target.title if target is not None else None,
        exact=model.exact,
    )


def _check_shape(a: Assessment, rubric: Rubric) -> None:
    """The assessment lists the rubric's criteria and pillars in order, and one of its tiers."""
    problems = []
    if tuple(cr.id for cr in a.criteria) != tuple(c.id for c in rubric.criteria):
        problems.append(Problem("$.criteria", "the criteria are not those of the rubric, in rubric order"))
    if tuple(p.id for p in a.pillars) != tuple(p.id for p in rubric.pillars):
        problems.append(Problem("$.pillars", "the pillars are not those of the rubric, in rubric order"))
    if a.tier not in {t.id for t in rubric.tiers}:
        problems.append(Problem("$.tier", f"the rubric has no tier {json_string(a.tier)}"))
    known = {g.id for g in rubric.gates}
    problems.extend(
        Problem(f"$.gates[{k}].id", f"the rubric has no gate {json_string(g.id)}")
        for k, g in enumerate(a.gates)
        if g.id not in known
    )
    if problems:
        raise ValidationError("assessment", problems)


@attrs.frozen
class _Model:
    """The raw numbers behind an assessment: exact (from the case's evaluation) or estimated."""

    compiled: CompiledRubric
    shares: Shares
    raw: tuple[float, ...]
    """c_i in [0, 1]; 0 when not applicable."""
    known: tuple[bool, ...]
    """Whether raw[i] is exact."""
    s: float | None
    """The raw overall score before caps, when known exactly."""
    floor: float
    """A lower bound of the raw overall score (the assessment's raw score)."""
    gates: GateInputs
    """What the gates saw."""
    exact: bool

    @classmethod
    def from_case(cls, a: Assessment, compiled: CompiledRubric, case: Case) -> _Model:
        if not isinstance(case, Case):
            raise TypeError(f"case must be a Case, got {type(case).__name__}")
        run = evaluate(case.subject, case.evidence, rubric=compiled.rubric, as_of=case.as_of)
        again = run.assessment()
        if again.fingerprint != a.fingerprint:
            raise ValidationError(
                "improvement plan",
                [
                    Problem(
                        "$.fingerprint",
                        f"the case (fingerprint {again.fingerprint}) is not the one assessed "
                        f"(fingerprint {a.fingerprint})",
                    )
                ],
            )
        raw = tuple(run.raw)
        return cls(compiled, run.shares, raw, (True,) * len(raw), run.s, a.raw_score, run.gate_inputs, True)

    @classmethod
    def estimate(cls, a: Assessment, compiled: CompiledRubric) -> _Model:
        applicable = tuple(cr.applicable for cr in a.criteria)
        shares = compiled.shares(tuple(applicable[c.index] for c in compiled.conditional))
        if shares.applicable != applicable:
            raise ValidationError(
                "assessment", [Problem("$.criteria", "the applicable criteria do not follow the rubric's applies_to")]
            )
        raw: list[float] = []
        known: list[bool] = []
        for c, cr in zip(compiled.criteria, a.criteria, strict=True):
            if not cr.applicable:
                raw.append(0.0)
                known.append(True)
            elif not cr.assessed:  # no record: the prior, or a clean record
                raw.append(1.0 if c.measure is Measure.INCIDENTS else c.prior)
                known.append(True)
            else:
                raw.append((cr.score or 0.0) / 100.0)
                known.append(False)
        caps = [g.cap for g in a.gates if g.cap is not None]
        s = a.raw_score if not caps or a.raw_score < min(caps) else None
        # A triggered incident gate: assume every assessed criterion it looks at triggers it.
        triggered = {g.id for g in a.gates}
        hits = {
            gate.index: frozenset(i for i in gate.criteria if applicable[i] and a.criteria[i].assessed)
            for gate in compiled.gates
            if isinstance(gate.when, IncidentCondition) and compiled.rubric.gates[gate.index].id in triggered
        }
        inputs = GateInputs(
            applicable=applicable,
            assessed=tuple(cr.assessed for cr in a.criteria),
            criterion_scores=tuple(cr.score for cr in a.criteria),
            pillar_scores=tuple(p.score for p in a.pillars),
            incident_hits=hits,
        )
        return cls(compiled, shares, tuple(raw), tuple(known), s, a.raw_score, inputs, False)

    def raised(self, i: int) -> tuple[float, list[float]]:
        """The raw overall score before caps, and the raw scores, with criterion *i* at 1."""
        raw = list(self.raw)
        raw[i] = 1.0
        applicable, g = self.shares.applicable, self.shares.g
        whole_error = _fsum(g[k] for k in range(len(raw)) if applicable[k] and k != i and not self.known[k])
        step_error = 0.0 if self.known[i] else g[i]
        if self.s is not None and not self.exact and step_error < whole_error:
            s = min(100.0, self.s + 100.0 * g[i] * (1.0 - self.raw[i]))
        else:  # the engine's own sum
            s = scores.overall(self.shares, raw)
        return (s if self.exact else max(s, self.floor)), raw

    def gates_with(self, i: int, raw: list[float]) -> GateInputs:
        """What the gates would see with criterion *i* at 100: assessed, no triggering
        record, its pillar's score recomputed (the others as they are)."""
        pillar = self.compiled.criteria[i].pillar
        pillar_scores = list(self.gates.pillar_scores)
        pillar_raw = scores.pillar_scores(self.compiled, self.shares, raw)[pillar]
        pillar_scores[pillar] = round1(100.0 * pillar_raw) if pillar_raw is not None else None
        return GateInputs(
            applicable=self.gates.applicable,
            assessed=[*self.gates.assessed[:i], True, *self.gates.assessed[i + 1 :]],
            criterion_scores=[*self.gates.criterion_scores[:i], 100.0, *self.gates.criterion_scores[i + 1 :]],
            pillar_scores=pillar_scores,
            incident_hits={k: hits - {i} for k, hits in self.gates.incident_hits.items()},
        )


def _opportunity(a: Assessment, rubric: Rubric, model: _Model, criterion: Criterion) -> Opportunity | None:
    compiled = model.compiled
    c = compiled.by_id[criterion.id]
    i = c.index
    result = a.criteria[i]
    if not result.applicable:
        return None
    s, raw = model.raised(i)
    after = model.gates_with(i, raw)
    by_id = {g.id: k for k, g in enumerate(rubric.gates)}
    caps: list[float | None] = []
    lifts: list[str] = []
    for g in a.gates:  # a gate that did not trigger cannot start to when a criterion rises to 100
        if triggers(compiled.gates[by_id[g.id]], after):
            caps.append(g.cap)
        else:
            lifts.append(g.id)
    gain = round1(round1(capped(s, caps)) - a.score)
    if gain <= 0 and not lifts:
        return None
    sources = _sources(rubric, criterion)
    return Opportunity(
        criterion=criterion.id,
        pillar=criterion.pillar,
        measure=criterion.measure,
        title=criterion.title,
        score=result.score,
        max_gain=max(gain, 0.0),
        lifts=tuple(lifts),
        sources=tuple(s.id for s in sources),
        advice=_evidence_advice(rubric, criterion, sources),
    )


def _shortfalls(a: Assessment, rubric: Rubric, target: Tier) -> tuple[Shortfall, ...]:
    found = []
    gates = {g.id: g for g in rubric.gates}
    for result in a.gates:
        gate = gates[result.id]
        if gate.disqualify or (gate.cap is not None and gate.cap < target.min_score):
            found.append(Shortfall(ShortfallKind.GATE, gate.id, None, None, None, _gate_advice(rubric, gate)))
    if a.score < target.min_score:
        gap = round1(target.min_score - a.score)
        found.append(
            Shortfall(
                ShortfallKind.SCORE,
                None,
                target.min_score,
                a.score,
                gap,
                _text(
                    "advice.score",
                    a=a.score,
                    r=target.min_score,
                    g=gap,
                ),
            )
        )
    if target.min_pillar_score is not None:
        for p in a.pillars:
            if p.score is not None and p.score < target.min_pillar_score:
                title = rubric.pillar(p.id).title
                found.append(
                    Shortfall(
                        ShortfallKind.PILLAR,
                        p.id,
                        target.min_pillar_score,
                        p.score,
                        round1(target.min_pillar_score - p.score),
                        _text(
                            "advice.pillar",
                            title=title,
                            a=p.score,
                            r=target.min_pillar_score,
                        ),
                    )
                )
    if target.min_coverage is not None and a.coverage < target.min_coverage:
        found.append(
            Shortfall(
                ShortfallKind.COVERAGE,
                None,
                target.min_coverage,
                a.coverage,
                round1(target.min_coverage - a.coverage),
                _text(
                    "advice.coverage",
                    a=a.coverage,
                    r=target.min_coverage,
                ),
            )
        )
    return tuple(found)


# -- texts -----------------------------------------------------------------------------------


def _num(x: float, lang: str) -> str:
    """A number as short as it goes (``85``, ``72.5``; thresholds may have more
    decimals), with a decimal comma in Vietnamese."""
    return localized(f"{x:.3f}".rstrip("0").rstrip("."), lang)


def _fixed(x: float, lang: str) -> str:
    """A reported number with its one decimal, a decimal comma in Vietnamese."""
    return localized(f"{x:.1f}", lang)


def _days(x: float, lang: str) -> str:
    return localized(f"{x:g}", lang)


def _text(key: str, *, title: Text | None = None, **numbers: float) -> Text:
    """The catalogue's text *key* in both languages; its ``{name}`` fields are
    numbers, formatted for each language, and ``{title}`` a title."""

    def one(lang: str) -> str:
        values = {k: _num(v, lang) for k, v in numbers.items()}
        return word(key, lang, **values, **({"title": title(lang)} if title is not None else {}))

    return Text(vi=one("vi"), en=one("en"))


def _both(make: Callable[[str], str]) -> Text:
    """A text made for each language by *make*."""
    return Text(vi=make("vi"), en=make("en"))


def _tier_label(tier_id: str, title: Text | None, lang: str) -> str:
    return f"{title(lang)} ({tier_id})" if title is not None else tier_id


def _sources(rubric: Rubric, criterion: Criterion) -> list[_SourceInfo]:
    """The sources the criterion accepts, most reliable first (ties: listed order)."""
    by_id = {s.id: s for s in rubric.sources}
    ids = criterion.accepted_sources if criterion.accepted_sources is not None else tuple(by_id)
    return sorted(
        (_SourceInfo(s, by_id[s].title, by_id[s].reliability) for s in ids if s in by_id),
        key=lambda s: -s.reliability,
    )


@attrs.frozen
class _SourceInfo:
    id: str
    title: Text
    reliability: float


def _either(titles: Sequence[str], lang: str) -> str:
    """``a, b or c`` (``a, b hoặc c``)."""
    if len(titles) <= 1:
        return "".join(titles)
    return word("list.or", lang, items=", ".join(titles[:-1]), last=titles[-1])


def _evidence_advice(rubric: Rubric, criterion: Criterion, sources: Sequence[_SourceInfo]) -> Text:
    """What kind of evidence would bring *criterion* up, in both languages."""
    if criterion.measure is Measure.INCIDENTS:
        max_age = criterion.max_age_days if criterion.max_age_days is not None else rubric.policy.max_age_days
        h = criterion.half_life_days

        def incidents(lang: str) -> str:
            advice = word("advice.incidents", lang)
            if h is not None:
                return word("advice.incidents_half_life", lang, advice=advice, days=_days(h, lang), max_age=max_age)
            return word("advice.incidents_max_age", lang, advice=advice, max_age=max_age)

        return _both(incidents)
    if criterion.measure is Measure.PROPORTION:
        named = list(sources)
        key = "advice.proportion"
    else:
        named = [s for s in sources if s.reliability == sources[0].reliability] if sources else []
        key = "advice.attestation"

    def evidence(lang: str) -> str:
        if not named:
            return word(key, lang)
        return word(f"{key}_from", lang, sources=_either([s.title(lang) for s in named], lang))

    return _both(evidence)


def _gate_advice(rubric: Rubric, gate: Gate) -> Text:
    """What a triggered gate does and what lifts it, in one sentence per language."""
    when = gate.when

    def advice(lang: str) -> str:
        cap = _num(gate.cap, lang) if gate.cap is not None else ""
        if gate.disqualify and gate.cap is not None:
            effect = word("advice.effect_disqualify_cap", lang, cap=cap)
        elif gate.disqualify:
            effect = word("advice.effect_disqualify", lang)
        else:
            effect = word("advice.effect_cap", lang, cap=cap)
        if isinstance(when, IncidentCondition):
            severity = word(f"severity.{when.min_severity.value}", lang)
            remedy = word("advice.remedy_incident", lang, severity=severity, days=when.within_days)
        elif isinstance(when, CriterionBelow):
            title = rubric.criterion(when.criterion).title(lang)
            remedy = word("advice.remedy_criterion_below", lang, title=title, below=_num(when.below, lang))
        elif isinstance(when, PillarBelow):
            title = rubric.pillar(when.pillar).title(lang)
            remedy = word("advice.remedy_pillar_below", lang, title=title, below=_num(when.below, lang))
        else:
            remedy = word("advice.remedy_missing", lang, title=rubric.criterion(when.criterion).title(lang))
        return word("advice.gate", lang, gate=gate.title(lang), effect=effect, remedy=remedy)

    return _both(advice)


# -- what if ------------------------------------------------------------------------------------


def what_if(
    case: Case,
    *,
    add: Iterable[Evidence] = (),
    remove: Iterable[str | Evidence] = (),
    rubric: Rubric | None = None,
) -> WhatIf:
    """Assess *case* as it is and with records removed and added, and compare.

    *remove* names records by evidence id (every record with that id goes) or
    gives records (every equal record goes); each must be in the case, else
    :class:`~kol_trust.ValidationError` names the ones that are not.  Removal
    comes first, so removing an id and adding a record with it replaces the
    record.  Adding a record whose id a remaining record has, with other
    content, raises :class:`~kol_trust.errors.EvidenceConflictError` (the engine's
    rule); an equal one is an exact duplicate.  The rubric is resolved as for
    the case (:func:`~kol_trust.rubric_for`).  Pure: no I/O.
    """
    if not isinstance(case, Case):
        raise TypeError(f"case must be a Case, got {type(case).__name__}")
    added = tuple(add)
    # The case's records by id: each removal looks at the records of its id
    # only, so removing k of n records costs O(n + k), not O(n × k).
    by_id: dict[str, list[Evidence]] = {}
    for e in case.evidence:
        by_id.setdefault(e.id, []).append(e)
    drop_ids: set[str] = set()
    drop_records: dict[str, list[Evidence]] = {}
    problems = []
    for n, item in enumerate(remove):
        if isinstance(item, str):
            if item in by_id:
                drop_ids.add(item)
            else:
                problems.append(
                    Problem(f"$.remove[{n}]", f"the case has no evidence record with id {json_string(item)}")
                )
        elif isinstance(item, Evidence):
            if item in by_id.get(item.id, ()):
                dropped = drop_records.setdefault(item.id, [])
                if item not in dropped:
                    dropped.append(item)
            else:
                other = " (a record with that id has other content)" if item.id in by_id else ""
                problems.append(
                    Problem(
                        f"$.remove[{n}]",
                        f"the case has no evidence record equal to record {json_string(item.id)}{other}",
                    )
                )
        else:
            raise TypeError(f"remove takes evidence ids or Evidence records, got {type(item).__name__}")
    if problems:
        raise ValidationError("what-if change", problems)
    kept = tuple(
        e for e in case.evidence if e.id not in drop_ids and not (e.id in drop_records and e in drop_records[e.id])
    )
    removed = sorted(drop_ids | drop_records.keys())
    changed = attrs.evolve(case, evidence=(*kept, *added))
    resolved = rubric_for(case, rubric)
    before = assess_case(case, rubric=resolved)
    after = assess_case(changed, rubric=resolved)
    criteria = tuple(
        ScoreChange(b.id, b.score, c.score, b.assessed, c.assessed)
        for b, c in zip(before.criteria, after.criteria, strict=True)
        if b.score != c.score or b.assessed != c.assessed
    )
    gates_before = {g.id for g in before.gates}
    gates_after = {g.id for g in after.gates}
    return WhatIf(
        before=before,
        after=after,
        score_change=round1(after.score - before.score),
        tier_changed=before.tier != after.tier,
        criteria=criteria,
        gates_cleared=tuple(g.id for g in before.gates if g.id not in gates_after),
        gates_triggered=tuple(g.id for g in after.gates if g.id not in gates_before),
        added=tuple(e.id for e in added if isinstance(e, Evidence)),
        removed=tuple(removed),
    )
