"""The rubric: the versioned, data-only part of the standard (STANDARD §1.4).

A :class:`Rubric` is validated as a whole when it is built: every rule of
STANDARD §1.4 is checked and every problem is reported with its JSON path in
one :class:`~kol_trust.RubricError`.  The parts (criteria, gates, …) are plain
frozen records; they are checked as part of the rubric that holds them.

A rubric is data.  Nothing in it is ever evaluated, imported or executed.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, TypeVar

import attrs

from . import checks as c
from .errors import Problem, RubricError
from .model import Measure, Severity, SubjectKind, Text

T = TypeVar("T")
_ABSENT: Any = object()

__all__ = [
    "ALGORITHM",
    "AppliesTo",
    "Condition",
    "Criterion",
    "CriterionBelow",
    "Gate",
    "IncidentCondition",
    "Missing",
    "Penalties",
    "Pillar",
    "PillarBelow",
    "Policy",
    "Rubric",
    "Source",
    "Tier",
    "rubric_problems",
]

#: The algorithm this library implements (STANDARD, "algorithm 1").
ALGORITHM = 1

_text = c.instance(Text, "a text {vi, en}")
_unit = c.number(0, 1)
_positive = c.number(0, low_open=True)
_positive_int = c.number(0, low_open=True, integer=True)
_threshold = c.number(0, 100)
_optional_threshold = c.optional(_threshold)


@attrs.frozen
class Penalties:
    """Share of a criterion's score that one incident of each severity takes."""

    minor: float = c.checked(_unit)
    moderate: float = c.checked(_unit)
    serious: float = c.checked(_unit)
    critical: float = c.checked(_unit)

    def __getitem__(self, severity: Severity | str) -> float:
        value: float = getattr(self, Severity(severity).value)
        return value


@attrs.frozen
class Policy:
    """Rubric-wide settings; every field has the default of STANDARD §1.4."""

    disputed_weight: float = c.checked(_unit, default=0.5)
    """Weight of a disputed record relative to an active one."""
    max_age_days: int = c.checked(_positive_int, default=1825)
    """Records older than this are excluded (``too-old``) unless the
    criterion sets its own limit."""
    max_reasons: int = c.checked(c.number(0, integer=True), default=4)
    """How many criterion reasons an assessment lists at most."""
    penalties: Penalties = c.checked(
        c.instance(Penalties, "a penalties map"),
        factory=lambda: Penalties(minor=0.1, moderate=0.25, serious=0.5, critical=1.0),
    )
    certificate_validity_days: int = c.checked(_positive_int, default=365)


@attrs.frozen
class Source:
    """Who can establish a fact, and how far it is believed (0 < r ≤ 1)."""

    id: str = c.checked(c.identifier)
    title: Text = c.checked(_text)
    reliability: float = c.checked(c.number(0, 1, low_open=True))


@attrs.frozen
class Pillar:
    """A group of criteria with a relative weight."""

    id: str = c.checked(c.identifier)
    title: Text = c.checked(_text)
    weight: float = c.checked(_positive)


@attrs.frozen
class AppliesTo:
    """Which subjects a criterion applies to (STANDARD §4.1)."""

    kinds: tuple[SubjectKind, ...] | None = c.checked(
        c.optional(c.each(c.member(SubjectKind), non_empty=True)), default=None, converter=c.as_tuple
    )
    categories: tuple[str, ...] | None = c.checked(
        c.optional(c.each(c.slug, non_empty=True)), default=None, converter=c.as_tuple
    )


@attrs.frozen
class Criterion:
    """One clause of the code of conduct and how it is measured."""

    id: str = c.checked(c.identifier)
    pillar: str = c.checked(c.identifier)
    title: Text = c.checked(_text)
    weight: float = c.checked(_positive)
    """Relative to the other criteria of the same pillar."""
    measure: Measure = c.checked(c.member(Measure), converter=c.to_enum(Measure))
    description: Text | None = c.checked(c.optional(_text), default=None)
    """Optional: the rubrics of the standard's vectors leave it out."""
    half_life_days: float | None = c.checked(c.optional(_positive), default=None)
    max_age_days: int | None = c.checked(c.optional(_positive_int), default=None)
    accepted_sources: tuple[str, ...] | None = c.checked(
        c.optional(c.each(c.string(), non_empty=True)), default=None, converter=c.as_tuple
    )
    """Source ids whose records count; ``None`` accepts every source."""
    applies_to: AppliesTo | None = c.checked(c.optional(c.instance(AppliesTo, "an applies_to object")), default=None)
    prior: float | None = c.checked(c.optional(_unit), default=None)
    """Proportion and attestation: the score with no evidence."""
    prior_weight: float | None = c.checked(c.optional(_positive), default=None)
    """Proportion: how many observations the prior is worth."""
    penalties: Penalties | None = c.checked(c.optional(c.instance(Penalties, "a penalties map")), default=None)
    """Incidents: overrides the policy's penalties."""


@attrs.frozen
class IncidentCondition:
    """Triggers on a recent, active incident of at least some severity."""

    type: ClassVar[str] = "incident"
    min_severity: Severity = c.checked(c.member(Severity), converter=c.to_enum(Severity))
    within_days: int = c.checked(c.number(0, integer=True))
    criteria: tuple[str, ...] = c.checked(c.each(c.string()), default=(), converter=c.as_tuple)
    """Incidents criteria to look at; empty means every one."""


@attrs.frozen
class CriterionBelow:
    """Triggers when a criterion's reported score is below a threshold."""

    type: ClassVar[str] = "criterion-below"
    criterion: str = c.checked(c.string())
    below: float = c.checked(_threshold)


@attrs.frozen
class PillarBelow:
    """Triggers when a pillar's reported score is below a threshold."""

    type: ClassVar[str] = "pillar-below"
    pillar: str = c.checked(c.string())
    below: float = c.checked(_threshold)


@attrs.frozen
class Missing:
    """Triggers when a criterion has no used evidence."""

    type: ClassVar[str] = "missing"
    criterion: str = c.checked(c.string())


#: A gate's ``when``: a tagged union on ``when.type`` (STANDARD §5).
Condition = IncidentCondition | CriterionBelow | PillarBelow | Missing
CONDITION_TYPES: dict[str, type[Condition]] = {
    cls.type: cls for cls in (IncidentCondition, CriterionBelow, PillarBelow, Missing)
}


@attrs.frozen
class Gate:
    """A condition that caps the score or disqualifies, whatever the sum says."""

    id: str = c.checked(c.identifier)
    title: Text = c.checked(_text)
    when: Condition = c.checked(
        c.instance((IncidentCondition, CriterionBelow, PillarBelow, Missing), "a condition")  # type: ignore[arg-type]
    )
    cap: float | None = c.checked(_optional_threshold, default=None)
    """The final score is at most this when the gate triggers."""
    disqualify: bool = c.checked(c.boolean, default=False)
    """When the gate triggers, the subject gets the last tier."""


@attrs.frozen
class Tier:
    """A rating level and what it takes; tiers are listed best first."""

    id: str = c.checked(c.identifier)
    title: Text = c.checked(_text)
    min_score: float = c.checked(_threshold)
    min_pillar_score: float | None = c.checked(_optional_threshold, default=None)
    """Every applicable pillar's reported score must reach this."""
    min_coverage: float | None = c.checked(_optional_threshold, default=None)
    certified: bool = c.checked(c.boolean, default=False)


@attrs.frozen
class Rubric:
    """A complete, valid rubric (STANDARD §1.4).

    Building one checks every rule and raises :class:`~kol_trust.RubricError`
    listing every problem.  Equal rubrics compare equal; the engine keeps its
    derived numbers (shares, look-ups, digest) in a private per-rubric cache.
    """

    id: str = c.checked(c.identifier)
    version: str = c.checked(c.version)
    algorithm: int = c.checked(c.number(integer=True))
    title: Text = c.checked(_text)
    effective_from: dt.date = c.checked(c.a_date)
    """The version is in force from this day on."""
    sources: tuple[Source, ...] = c.checked(c.each(c.instance(Source, "a Source")), converter=c.as_tuple)
    pillars: tuple[Pillar, ...] = c.checked(
        c.each(c.instance(Pillar, "a Pillar"), non_empty=True), converter=c.as_tuple
    )
    criteria: tuple[Criterion, ...] = c.checked(
        c.each(c.instance(Criterion, "a Criterion"), non_empty=True), converter=c.as_tuple
    )
    gates: tuple[Gate, ...] = c.checked(c.each(c.instance(Gate, "a Gate")), converter=c.as_tuple)
    tiers: tuple[Tier, ...] = c.checked(c.each(c.instance(Tier, "a Tier"), non_empty=True), converter=c.as_tuple)
    policy: Policy = c.checked(c.instance(Policy, "a policy object"), factory=Policy)
    _derived: dict[str, Any] = attrs.field(init=False, factory=dict, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        problems = list(rubric_problems(self))
        if problems:
            raise RubricError(f"rubric {_q(self.id)} {_q(self.version)}"[:120], problems)

    def derived(self, key: str, compute: Callable[[Rubric], T]) -> T:
        """``compute(self)``, computed once per rubric object and then reused.

        For values that depend on the rubric's content alone (its digest, the
        engine's compiled tables): the rubric is frozen, so reusing them
        cannot change a result.  Each *key* has one owner, which always
        passes the same *compute*.
        """
        found = self._derived.get(key, _ABSENT)
        if found is _ABSENT:
            found = self._derived[key] = compute(self)
        return found  # type: ignore[no-any-return]

    @property
    def key(self) -> tuple[str, str]:
        """``(id, version)``."""
        return (self.id, self.version)

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id (``KeyError`` when there is none)."""
        for cr in self.criteria:
            if cr.id == criterion_id:
                return cr
        raise KeyError(criterion_id)

    def pillar(self, pillar_id: str) -> Pillar:
        """The pillar with this id (``KeyError`` when there is none)."""
        for p in self.pillars:
            if p.id == pillar_id:
                return p
        raise KeyError(pillar_id)

    def tier(self, tier_id: str) -> Tier:
        """The tier with this id (``KeyError`` when there is none)."""
        for t in self.tiers:
            if t.id == tier_id:
                return t
        raise KeyError(tier_id)


# -- validation ---------------------------------------------------------------

_MEASURE_FIELDS: dict[Measure, frozenset[str]] = {
    Measure.PROPORTION: frozenset({"prior", "prior_weight"}),
    Measure.ATTESTATION: frozenset({"prior"}),
    Measure.INCIDENTS: frozenset({"penalties"}),
}
_REQUIRED_FIELDS: dict[Measure, tuple[str, ...]] = {
    Measure.PROPORTION: ("prior", "prior_weight"),
    Measure.ATTESTATION: ("prior",),
    Measure.INCIDENTS: (),
}


def _walk(obj: Any, path: str) -> Iterator[Problem]:
    """Field checks of *obj* and of every record nested in it."""
    yield from c.problems_of(obj, path)
    for a in attrs.fields(type(obj)):
        value = getattr(obj, a.name)
        if isinstance(value, tuple):
            for i, item in enumerate(value):
                if attrs.has(type(item)):
                    yield from _walk(item, f"{path}.{a.name}[{i}]")
        elif attrs.has(type(value)) and a.init:
            yield from _walk(value, f"{path}.{a.name}")


def _a(word: str) -> str:
    return f"{'an' if word[0] in 'aeiou' else 'a'} {word}"


def _items(items: Any) -> tuple[Any, ...]:
    return items if isinstance(items, tuple) else ()


def _records(items: Any, cls: type[Any]) -> list[Any]:
    """The records of *cls* in a list field (a partly read one may hold others)."""
    return [x for x in items if isinstance(x, cls)] if isinstance(items, tuple) else []


def _complete(items: Any, cls: type[Any]) -> bool:
    """Whether every entry of a list field was read as a *cls* with a string id."""
    return isinstance(items, tuple) and all(isinstance(x, cls) and isinstance(x.id, str) for x in items)


def _q(value: Any) -> str:
    """An id or value as JSON writes it (``"T01"``), for messages; a value of another type in JSON's words."""
    return c.json_string(value) if isinstance(value, str) else c.describe(value)


def _unique_ids(items: tuple[Any, ...], path: str) -> Iterator[Problem]:
    counts = Counter(getattr(x, "id", None) for x in items)
    seen: set[str] = set()
    for i, item in enumerate(items):
        ident = getattr(item, "id", None)
        if isinstance(ident, str) and counts[ident] > 1 and ident in seen:
            yield Problem(f"{path}[{i}].id", f"duplicate id {_q(ident)}")
        seen.add(ident)  # type: ignore[arg-type]


def _penalties_order(p: Any, path: str) -> Iterator[Problem]:
    if not isinstance(p, Penalties):
        return
    values = [p.minor, p.moderate, p.serious, p.critical]
    if all(c.is_number(v) for v in values) and any(a > b for a, b in itertools.pairwise(values)):
        yield Problem(path, "penalties must not decrease from minor to critical")


def rubric_problems(rubric: Rubric) -> Iterator[Problem]:
    """Every problem of *rubric* by STANDARD §1.4, each with its JSON path.

    Built rubrics have none: :class:`Rubric` raises when this yields.
    """
    yield from _walk(rubric, "$")
    yield from rule_problems(rubric)


def rule_problems(rubric: Rubric) -> Iterator[Problem]:
    """The rules of STANDARD §1.4 that relate fields and records to each other.

    Written to run on a partly read rubric too, where a value that could not
    be read is left as something of another type: such values are skipped,
    and rules that need every record are checked only when all are there.
    """
    if c.is_integer(rubric.algorithm) and rubric.algorithm != ALGORITHM:
        yield Problem(
            "$.algorithm",
            f"must be {ALGORITHM} (this library implements algorithm {ALGORITHM}), got {rubric.algorithm}",
        )

    for name in ("sources", "pillars", "criteria", "gates", "tiers"):
        items = getattr(rubric, name)
        if isinstance(items, tuple):
            yield from _unique_ids(items, f"$.{name}")

    if isinstance(rubric.policy, Policy):
        yield from _penalties_order(rubric.policy.penalties, "$.policy.penalties")

    sources = {s.id for s in _records(rubric.sources, Source)}
    pillars = {p.id for p in _records(rubric.pillars, Pillar)}
    criteria = _records(rubric.criteria, Criterion)
    # Rules that need every record of a list are checked only when all were read.
    complete = _complete(rubric.criteria, Criterion) and all(isinstance(cr.pillar, str) for cr in criteria)
    pillars_known = _complete(rubric.pillars, Pillar)
    sources_known = _complete(rubric.sources, Source)
    measures = {cr.id: cr.measure for cr in criteria}
    used_pillars = set()

    for i, cr in enumerate(_items(rubric.criteria)):
        if not isinstance(cr, Criterion):
            continue
        path = f"$.criteria[{i}]"
        used_pillars.add(cr.pillar)
        if pillars_known and isinstance(cr.pillar, str) and cr.pillar not in pillars:
            yield Problem(f"{path}.pillar", f"unknown pillar {_q(cr.pillar)}")
        if isinstance(cr.measure, Measure):
            allowed = _MEASURE_FIELDS[cr.measure]
            for fname in ("prior", "prior_weight", "penalties"):
                if getattr(cr, fname) is not None and fname not in allowed:
                    yield Problem(f"{path}.{fname}", f"does not belong to {_a(cr.measure.value)} criterion")
            for fname in _REQUIRED_FIELDS[cr.measure]:
                if getattr(cr, fname) is None:
                    yield Problem(f"{path}.{fname}", f"is required by {_a(cr.measure.value)} criterion")
        if cr.penalties is not None:
            yield from _penalties_order(cr.penalties, f"{path}.penalties")
        if isinstance(cr.accepted_sources, tuple):
            for j, sid in enumerate(cr.accepted_sources):
                if sources_known and isinstance(sid, str) and sid not in sources:
                    yield Problem(f"{path}.accepted_sources[{j}]", f"unknown source {_q(sid)}")
        if isinstance(cr.applies_to, AppliesTo) and cr.applies_to.kinds is None and cr.applies_to.categories is None:
            yield Problem(f"{path}.applies_to", "must name kinds, categories or both")

    for i, p in enumerate(_items(rubric.pillars)):
        if complete and isinstance(p, Pillar) and isinstance(p.id, str) and p.id not in used_pillars:
            yield Problem(f"$.pillars[{i}]", f"pillar {_q(p.id)} has no criterion")

    if complete and criteria and all(cr.applies_to is not None for cr in criteria):
        yield Problem("$.criteria", "at least one criterion must have no applies_to (apply to every subject)")

    for i, g in enumerate(_items(rubric.gates)):
        if not isinstance(g, Gate):
            continue
        yield from _gate_problems(
            g, f"$.gates[{i}]", measures if complete else None, pillars if pillars_known else None
        )

    tiers = _records(rubric.tiers, Tier)
    for i in range(1, len(tiers)):
        a, b = tiers[i - 1].min_score, tiers[i].min_score
        if c.is_number(a) and c.is_number(b) and b > a:
            yield Problem(
                f"$.tiers[{i}].min_score",
                f"must not be above the previous tier's ({b:g} > {a:g}); tiers are listed best first",
            )
    if tiers and _complete(rubric.tiers, Tier):
        last, path = tiers[-1], f"$.tiers[{len(tiers) - 1}]"
        if c.is_number(last.min_score) and last.min_score != 0:
            yield Problem(f"{path}.min_score", "the last tier must have min_score 0")
        for fname in ("min_pillar_score", "min_coverage"):
            if getattr(last, fname) is not None:
                yield Problem(f"{path}.{fname}", "the last tier must have no condition but min_score 0")
        if last.certified is True:
            yield Problem(f"{path}.certified", "the last tier must not be certified")


def _gate_problems(
    g: Gate, path: str, measures: dict[str, Measure] | None, pillars: set[str] | None
) -> Iterator[Problem]:
    """A gate's own rules; *measures* and *pillars* are None when not all could be read."""
    when = g.when
    if g.cap is None and g.disqualify is False:
        yield Problem(path, "a gate needs an effect: a cap, or disqualify = true")
    if isinstance(when, IncidentCondition):
        if isinstance(when.criteria, tuple):
            for j, cid in enumerate(when.criteria):
                if not isinstance(cid, str) or measures is None:
                    continue
                if cid not in measures:
                    yield Problem(f"{path}.when.criteria[{j}]", f"unknown criterion {_q(cid)}")
                elif measures[cid] is not Measure.INCIDENTS:
                    yield Problem(f"{path}.when.criteria[{j}]", f"criterion {_q(cid)} is not an incidents criterion")
    elif isinstance(when, CriterionBelow):
        if isinstance(when.criterion, str) and measures is not None and when.criterion not in measures:
            yield Problem(f"{path}.when.criterion", f"unknown criterion {_q(when.criterion)}")
    elif isinstance(when, PillarBelow):
        if isinstance(when.pillar, str) and pillars is not None and when.pillar not in pillars:
            yield Problem(f"{path}.when.pillar", f"unknown pillar {_q(when.pillar)}")
    elif isinstance(when, Missing) and isinstance(when.criterion, str) and measures is not None:
        if when.criterion not in measures:
            yield Problem(f"{path}.when.criterion", f"unknown criterion {_q(when.criterion)}")
        elif measures[when.criterion] is Measure.INCIDENTS:
            yield Problem(
                f"{path}.when.criterion",
                f"criterion {_q(when.criterion)} is an incidents criterion; a missing gate needs a proportion or attestation criterion",
            )
