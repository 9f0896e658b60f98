"""Lint a rubric: find defects that validation (STANDARD §1.4) cannot see.

A valid rubric can still be broken as a standard: a tier nobody can reach, a
gate that never fires, a criterion too light to matter.  :func:`lint_rubric`
looks for such defects and returns them as :class:`Finding` records, each with
a stable ``code``, the JSON path of the part at fault and one sentence.

How it reasons
--------------
A subject's assessment depends on who it is only through which criteria apply
to it (STANDARD §4.1).  The linter enumerates every **applicability
combination** that a real subject can have: each kind (``kol``, ``koc``) with
each set of the categories that ``applies_to`` names (categories that switch
the very same criteria are interchangeable, so one of them stands for all).
Combinations that switch the same criteria on are tried once.

For each combination it builds two subjects and assesses them with the engine
(:func:`kol_trust.assess`), on the rubric's ``effective_from``:

* the **empty subject**: no evidence at all;
* the **best subject**: perfect evidence, all observed that very day (no decay,
  no age).  Every applicable proportion criterion gets records with value 1
  and the largest sample size from its most reliable accepted source, enough
  of them to outweigh the prior (at most 1000); every attestation criterion
  one record with value 1 from its most reliable accepted source (its best
  possible score is then ``r + (1 − r)·prior`` for that reliability r); every
  incidents criterion stays clean.  The best subject dominates every other
  subject of its combination at once: each criterion score, so each pillar
  score and the overall score, is as high as it can be, coverage is 100, and
  the only gates it triggers are those every subject of the combination
  triggers.  (A proportion criterion with an enormous ``prior_weight`` may
  stay a hair under its supremum of 100.)

Gates are judged from the range each criterion score can take: from its
lowest possible value (value-0 records, or the worst incidents, in any
number) to its highest (as above).  A criterion with no usable source keeps
the score it has with no evidence.

Codes
-----
``unreachable-tier`` (error)
    No subject can be given this tier: in no combination does the best
    subject meet its ``min_score``, ``min_pillar_score`` and ``min_coverage``
    without being disqualified.  The last tier is never reported (every
    disqualified subject gets it).
``shadowed-tier`` (error)
    An earlier tier's conditions are each as weak as or weaker than this
    tier's, so every subject that meets this tier gets the earlier one
    instead.  The last tier is reported only when no gate disqualifies
    (disqualified subjects get the last tier whatever the others say).
``best-not-top`` (warning)
    In some combination (e.g. KOCs, or subjects in a category that switches a
    hard criterion on) even the best subject does not get the top tier,
    though other subjects can.  When no combination reaches the top tier,
    ``unreachable-tier`` is reported for it instead.
``empty-subject-certified`` (error)
    A subject with no evidence at all is certified (one finding per
    combination).
``dead-weight`` (warning)
    A criterion's global share is under 0.5 % in every combination where it
    applies: whatever its evidence says, it moves the score by less than half
    a point.
``gate-never-triggers`` (warning)
    No subject can trigger the gate: a ``criterion-below``/``pillar-below``
    whose threshold is at or under the lowest reported score possible (``below``
    0 always is: scores are ≥ 0 and ``<`` is strict; so is any threshold on an
    incidents criterion whose penalties are all 0); an ``incident`` gate whose
    criteria have no usable source, or with an empty ``criteria`` list in a
    rubric without incidents criteria.  ``within_days`` 0 is *not* a defect: a
    record observed on the day of the assessment has age 0 and triggers it.
    A ``missing`` gate can always trigger (give no evidence).
``gate-always-triggers`` (warning)
    Every subject the gate applies to triggers it: a ``criterion-below`` or
    ``pillar-below`` whose threshold is above the best reported score
    possible, or a ``missing`` gate on a criterion with no usable source.
``gate-no-effect`` (warning)
    The gate caps at 100 and does not disqualify: the score is never above
    100, so triggering it changes nothing.
``no-usable-source`` (error)
    No source can produce evidence for the criterion, so it always keeps its
    no-evidence score.  In algorithm 1 any source can produce any measure, and
    validation already rejects ``accepted_sources`` that name unknown
    sources, so this decidable case is a rubric with no sources at all.
    (Whether a source is *reliable enough* is a policy question, not a
    decidable defect: a low reliability still moves an attestation score,
    and the gate and tier checks above account for it.)

Findings come in this order: criteria, gates, tiers, each in rubric order.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterator, Sequence
from typing import Literal

import attrs

from ..assessment import Assessment
from ..canonical import not_in_document
from ..checks import json_string
from ..engine import assess, compile_rubric, round1
from ..model import Evidence, Measure, Subject, SubjectKind
from ..rubric import Criterion, CriterionBelow, IncidentCondition, Missing, PillarBelow, Rubric, Source, Tier
from ..words import Items, Num, Phrase, Piece

__all__ = ["CODES", "Finding", "lint_rubric"]

Severity = Literal["warning", "error"]

#: Every finding code, with its severity.
CODES: dict[str, Severity] = {
    "unreachable-tier": "error",
    "shadowed-tier": "error",
    "best-not-top": "warning",
    "empty-subject-certified": "error",
    "dead-weight": "warning",
    "gate-never-triggers": "warning",
    "gate-always-triggers": "warning",
    "gate-no-effect": "warning",
    "no-usable-source": "error",
}

#: A criterion whose global share stays under this is ``dead-weight``.
DEAD_WEIGHT_SHARE = 0.005

_MAX_PROPORTION_RECORDS = 1000
_MAX_SAMPLE = 1_000_000
_SUBJECT_ID = "lint-subject"


@attrs.frozen
class Finding:
    """One defect of a rubric."""

    code: str
    """A stable code (see the module documentation)."""
    path: str
    """JSON path of the part of the rubric at fault, e.g. ``$.tiers[1]``."""
    message: str
    """What is wrong, in one sentence, in English (ids as JSON writes them: ``"top"``)."""
    severity: Severity = "warning"
    """``"error"``: the rubric cannot work as written; ``"warning"``: probably unintended."""
    phrase: Phrase | None = not_in_document(default=None, kw_only=True)
    """The sentence in the catalogue's words (:mod:`kol_trust.words`), for :meth:`text`; not in the
    finding's document."""

    def text(self, lang: str) -> str:
        """The sentence in *lang* (``"vi"`` or ``"en"``); in English it is :attr:`message`."""
        return self.message if self.phrase is None else self.phrase.text(lang)


def _finding(code: str, path: str, phrase: Phrase) -> Finding:
    return Finding(code, path, phrase.text("en"), CODES[code], phrase=phrase)


# -- applicability combinations ------------------------------------------------------------


@attrs.frozen
class _Combo:
    """One applicability combination and a subject that has it."""

    subject: Subject
    applicable: tuple[bool, ...]  # by criterion index
    pillar_applicable: tuple[bool, ...]
    q: tuple[float, ...]
    g: tuple[float, ...]

    def describe(self, detail: tuple[bool, bool]) -> Phrase:
        """Who the combination's subject is; *detail*: whether kinds, categories matter."""
        s = self.subject
        who: Piece = s.kind.value.upper() if detail[0] else Phrase.of("lint.subject")
        if not detail[1]:
            return Phrase.of("lint.who", who=who)
        if not s.categories:
            return Phrase.of("lint.who_in_no_category", who=who)
        return Phrase.of("lint.who_in_categories", who=who, categories=", ".join(s.categories))


def _combinations(rubric: Rubric) -> list[_Combo]:
    compiled = compile_rubric(rubric)
    # Categories named by applies_to, grouped by the criteria they switch on.
    groups: dict[frozenset[int], str] = {}
    for category in sorted({x for c in compiled.conditional if c.categories for x in c.categories}):
        signature = frozenset(c.index for c in compiled.conditional if c.categories and category in c.categories)
        groups.setdefault(signature, category)
    representatives = sorted(groups.values())
    combos: list[_Combo] = []
    seen: set[tuple[bool, ...]] = set()
    for kind in SubjectKind:
        for size in range(len(representatives) + 1):
            for cats in itertools.combinations(representatives, size):
                subject = Subject(id=_SUBJECT_ID, name="Lint subject", kind=kind, categories=cats)
                key = compiled.applicability(subject)
                if key in seen:
                    continue
                seen.add(key)
                shares = compiled.shares(key)
                combos.append(_Combo(subject, shares.applicable, shares.pillar_applicable, shares.q, shares.g))
    return combos


# -- what a criterion can score ----------------------------------------------------------------


def _usable_sources(rubric: Rubric, criterion: Criterion) -> list[Source]:
    accepted = criterion.accepted_sources
    return [s for s in rubric.sources if accepted is None or s.id in accepted]


def _best_source(rubric: Rubric, criterion: Criterion) -> Source | None:
    sources = _usable_sources(rubric, criterion)
    return max(sources, key=lambda s: s.reliability) if sources else None  # first of the most reliable


def _no_evidence_score(criterion: Criterion) -> float:
    if criterion.measure is Measure.INCIDENTS:
        return 1.0
    return criterion.prior if criterion.prior is not None else 0.0


def _score_range(rubric: Rubric, criterion: Criterion) -> tuple[float, float]:
    """The lowest and highest raw score (0–1) the criterion can take (infimum and supremum)."""
    best = _best_source(rubric, criterion)
    if best is None:
        x = _no_evidence_score(criterion)
        return x, x
    if criterion.measure is Measure.PROPORTION:
        return 0.0, 1.0
    if criterion.measure is Measure.ATTESTATION:
        prior = criterion.prior if criterion.prior is not None else 0.0
        r = best.reliability
        return (1.0 - r) * prior, min(1.0, r + (1.0 - r) * prior)
    penalties = criterion.penalties or rubric.policy.penalties
    return (0.0 if penalties.critical > 0 else 1.0), 1.0


def _best_evidence(rubric: Rubric, combo: _Combo, day: dt.date) -> list[Evidence]:
    evidence: list[Evidence] = []
    for i, criterion in enumerate(rubric.criteria):
        if not combo.applicable[i] or criterion.measure is Measure.INCIDENTS:
            continue
        source = _best_source(rubric, criterion)
        if source is None:
            continue
        count = 1
        if criterion.measure is Measure.PROPORTION:
            k = criterion.prior_weight or 0.0
            p = criterion.prior if criterion.prior is not None else 0.0
            # 1 − c = k(1 − p) / (r·N·n + k): make it at most 1e-7.
            # A tiny reliability makes the divisor underflow to 0: then as many records as allowed.
            divisor = source.reliability * _MAX_SAMPLE * 1e-7
            needed = k * (1.0 - p) / divisor if divisor > 0 else math.inf
            count = max(1, min(_MAX_PROPORTION_RECORDS, math.ceil(needed) if math.isfinite(needed) else 10**9))
        size = _MAX_SAMPLE if criterion.measure is Measure.PROPORTION else 1
        evidence.extend(
            Evidence(
                id=f"lint-{i}-{n}",
                subject_id=_SUBJECT_ID,
                criterion=criterion.id,
                source=source.id,
                observed_at=day,
                value=1.0,
                sample_size=size,
            )
            for n in range(count)
        )
    return evidence


# -- tiers ---------------------------------------------------------------------------------


def _unmet(tier: Tier, a: Assessment) -> list[Phrase]:
    """The conditions of *tier* that assessment *a* does not meet."""
    if a.disqualified:
        gates = ", ".join(json_string(g.id) for g in a.gates if g.disqualify)
        return [Phrase.of("lint.unmet_disqualified", gates=gates)]
    unmet = []
    if a.score < tier.min_score:
        unmet.append(Phrase.of("lint.unmet_score", score=Num(a.score), min=Num(tier.min_score, "g")))
    if tier.min_pillar_score is not None:
        for p in a.pillars:
            if p.score is not None and p.score < tier.min_pillar_score:
                unmet.append(
                    Phrase.of(
                        "lint.unmet_pillar",
                        pillar=json_string(p.id),
                        score=Num(p.score),
                        min=Num(tier.min_pillar_score, "g"),
                    )
                )
    if tier.min_coverage is not None and a.coverage < tier.min_coverage:
        unmet.append(Phrase.of("lint.unmet_coverage", coverage=Num(a.coverage), min=Num(tier.min_coverage, "g")))
    return unmet


def _caps(a: Assessment) -> Piece:
    capped = tuple(
        Phrase.of("lint.cap", gate=json_string(g.id), cap=Num(g.cap, "g")) for g in a.gates if g.cap is not None
    )
    return Phrase.of("lint.capped", gates=Items(capped, ", ")) if capped else ""


def _weaker_or_equal(earlier: float | None, later: float | None) -> bool:
    """Whether the earlier tier's condition is implied by the later tier's."""
    return earlier is None or (later is not None and earlier <= later)


def _tier_findings(
    rubric: Rubric,
    combos: Sequence[_Combo],
    best: Sequence[Assessment],
    empty: Sequence[Assessment],
    detail: tuple[bool, bool],
) -> Iterator[Finding]:
    tiers = rubric.tiers
    unreachable: set[int] = set()
    for k, tier in enumerate(tiers[:-1]):
        if any(not _unmet(tier, a) for a in best):
            continue
        unreachable.add(k)
        # Explain with the combination whose best subject comes closest (highest score).
        j = max(range(len(best)), key=lambda n: (not best[n].disqualified, best[n].score))
        yield _finding(
            "unreachable-tier",
            f"$.tiers[{k}]",
            Phrase.of(
                "lint.unreachable_tier",
                tier=json_string(tier.id),
                who=combos[j].describe(detail),
                why=Items(tuple(_unmet(tier, best[j]))),
                caps=_caps(best[j]),
            ),
        )

    disqualifies = any(g.disqualify for g in rubric.gates)
    for k, tier in enumerate(tiers):
        if k == 0 or k in unreachable or (k == len(tiers) - 1 and disqualifies):
            continue
        for earlier in tiers[:k]:
            if (
                earlier.min_score <= tier.min_score
                and _weaker_or_equal(earlier.min_pillar_score, tier.min_pillar_score)
                and _weaker_or_equal(earlier.min_coverage, tier.min_coverage)
            ):
                yield _finding(
                    "shadowed-tier",
                    f"$.tiers[{k}]",
                    Phrase.of("lint.shadowed_tier", tier=json_string(tier.id), earlier=json_string(earlier.id)),
                )
                break

    if 0 not in unreachable:
        for combo, a in zip(combos, best, strict=True):
            if a.tier != tiers[0].id:
                yield _finding(
                    "best-not-top",
                    "$.tiers[0]",
                    Phrase.of(
                        "lint.best_not_top",
                        who=combo.describe(detail),
                        top=json_string(tiers[0].id),
                        tier=json_string(a.tier),
                        why=Items(tuple(_unmet(tiers[0], a))),
                        caps=_caps(a),
                    ),
                )

    index = {t.id: k for k, t in enumerate(tiers)}
    for combo, a in zip(combos, empty, strict=True):
        if a.certified:
            yield _finding(
                "empty-subject-certified",
                f"$.tiers[{index[a.tier]}]",
                Phrase.of(
                    "lint.empty_subject_certified",
                    who=combo.describe(detail),
                    tier=json_string(a.tier),
                    score=Num(a.score),
                    coverage=Num(a.coverage),
                ),
            )


# -- criteria and gates --------------------------------------------------------------------


def _criterion_findings(rubric: Rubric, combos: Sequence[_Combo]) -> Iterator[Finding]:
    for i, criterion in enumerate(rubric.criteria):
        if _best_source(rubric, criterion) is None:
            yield _finding(
                "no-usable-source",
                f"$.criteria[{i}]",
                Phrase.of(
                    "lint.no_usable_source",
                    criterion=json_string(criterion.id),
                    score=Num(round1(100 * _no_evidence_score(criterion))),
                ),
            )
        shares = [combo.g[i] for combo in combos if combo.applicable[i]]
        if shares and max(shares) < DEAD_WEIGHT_SHARE:
            yield _finding(
                "dead-weight",
                f"$.criteria[{i}]",
                Phrase.of(
                    "lint.dead_weight",
                    criterion=json_string(criterion.id),
                    share=Num(100 * max(shares), ".3g"),
                    limit=Num(100 * DEAD_WEIGHT_SHARE, "g"),
                ),
            )


def _pillar_range(
    rubric: Rubric, combo: _Combo, pillar: int, ranges: Sequence[tuple[float, float]]
) -> tuple[float, float]:
    members = [
        i for i, c in enumerate(rubric.criteria) if combo.applicable[i] and c.pillar == rubric.pillars[pillar].id
    ]
    low = math.fsum(combo.q[i] * ranges[i][0] for i in members)
    high = math.fsum(combo.q[i] * ranges[i][1] for i in members)
    return round1(100 * low), round1(100 * high)


def _gate_findings(rubric: Rubric, combos: Sequence[_Combo]) -> Iterator[Finding]:
    ranges = [_score_range(rubric, c) for c in rubric.criteria]
    reported = [(round1(100 * lo), round1(100 * hi)) for lo, hi in ranges]
    index = {c.id: i for i, c in enumerate(rubric.criteria)}
    pillar_index = {p.id: j for j, p in enumerate(rubric.pillars)}
    for k, gate in enumerate(rubric.gates):
        path = f"$.gates[{k}]"
        when = gate.when
        if gate.cap is not None and gate.cap >= 100 and not gate.disqualify:
            yield _finding(
                "gate-no-effect",
                path,
                Phrase.of("lint.gate_no_effect", gate=json_string(gate.id), cap=Num(gate.cap, "g")),
            )
        never: Phrase | None = None
        always: Phrase | None = None
        if isinstance(when, CriterionBelow):
            low, high = reported[index[when.criterion]]
            what, below = Phrase.of("lint.criterion", criterion=json_string(when.criterion)), Num(when.below, "g")
            if low >= when.below:
                never = Phrase.of("lint.never_under", what=what, low=Num(low), below=below)
            elif high < when.below:
                always = Phrase.of("lint.never_over", what=what, high=Num(high), below=below)
        elif isinstance(when, PillarBelow):
            j = pillar_index[when.pillar]
            spans = [_pillar_range(rubric, combo, j, ranges) for combo in combos if combo.pillar_applicable[j]]
            low, high = min(s[0] for s in spans), max(s[1] for s in spans)
            what, below = Phrase.of("lint.pillar", pillar=json_string(when.pillar)), Num(when.below, "g")
            if low >= when.below:
                never = Phrase.of("lint.never_under", what=what, low=Num(low), below=below)
            elif all(s[1] < when.below for s in spans):
                always = Phrase.of("lint.never_over", what=what, high=Num(high), below=below)
        elif isinstance(when, IncidentCondition):
            targets = (
                [rubric.criteria[index[x]] for x in when.criteria]
                if when.criteria
                else [c for c in rubric.criteria if c.measure is Measure.INCIDENTS]
            )
            if not targets:
                never = Phrase.of("lint.no_incidents_criterion")
            elif all(_best_source(rubric, c) is None for c in targets):
                never = Phrase.of("lint.no_source_for_criteria")
        elif isinstance(when, Missing) and _best_source(rubric, rubric.criteria[index[when.criterion]]) is None:
            always = Phrase.of("lint.never_assessed", criterion=json_string(when.criterion))
        if never is not None:
            yield _finding(
                "gate-never-triggers", path, Phrase.of("lint.gate_never", gate=json_string(gate.id), why=never)
            )
        if always is not None:
            yield _finding(
                "gate-always-triggers", path, Phrase.of("lint.gate_always", gate=json_string(gate.id), why=always)
            )


# -- entry point ---------------------------------------------------------------------------


def lint_rubric(rubric: Rubric) -> tuple[Finding, ...]:
    """The defects of *rubric* that validation cannot see (see the module documentation).

    An empty tuple means no finding.  Deterministic: the same rubric gives
    the same findings, in the same order.
    """
    if not isinstance(rubric, Rubric):
        raise TypeError(f"rubric must be a Rubric, got {type(rubric).__name__}")
    combos = _combinations(rubric)
    day = rubric.effective_from
    best = [assess(c.subject, _best_evidence(rubric, c, day), rubric=rubric, as_of=day) for c in combos]
    empty = [assess(c.subject, (), rubric=rubric, as_of=day) for c in combos]
    detail = (
        any(c.applies_to is not None and c.applies_to.kinds is not None for c in rubric.criteria),
        any(c.applies_to is not None and c.applies_to.categories is not None for c in rubric.criteria),
    )
    return (
        *_criterion_findings(rubric, combos),
        *_gate_findings(rubric, combos),
        *_tier_findings(rubric, combos, best, empty, detail),
    )
