"""Hypothesis strategies and invariant checks for code built on :mod:`kol_trust`.

This module is public: use it in your own test suite to generate valid
subjects, evidence, cases and rubrics, and to check that a rubric you wrote
behaves as the standard promises.  It needs `hypothesis`_, which is only
installed with the ``test`` extra::

    pip install kol-trust[test]

Check a rubric in one line (the invariants are listed in
:func:`check_invariants`)::

    from pathlib import Path

    import kol_trust as kt
    from kol_trust.testing import check_invariants

    def test_my_rubric_keeps_the_promises_of_the_standard() -> None:
        check_invariants(kt.from_json(Path("my-rubric.json").read_bytes(), kt.Rubric))

Or write your own properties with the strategies::

    from hypothesis import given
    from kol_trust.report import render_report
    from kol_trust.testing import cases

    @given(cases())  # cases for the built-in rubric 1.0.0
    def test_my_report_never_crashes(case: kt.Case) -> None:
        render_report(case, kt.assess_case(case), kt.rubric_for(case))

Every strategy generates *valid* documents: constructing them never raises.
The evidence strategies still produce records that the engine excludes
(STANDARD §3) a good part of the time, for every exclusion reason, because
real inputs do.

.. _hypothesis: https://hypothesis.readthedocs.io/
"""

from __future__ import annotations

try:
    import hypothesis
    from hypothesis import strategies as st
    from hypothesis.strategies import SearchStrategy
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        "kol_trust.testing needs the 'hypothesis' package, which comes with the test extra: "
        "pip install kol-trust[test]",
        name=exc.name,
    ) from exc

import datetime as dt
import string
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, TypeVar

import attrs

from .assessment import Assessment, ExclusionReason
from .checks import MAX_NAME_LENGTH, MAX_SAFE_INTEGER, MAX_SAMPLE_SIZE, describe, json_string
from .engine import assess
from .model import Case, Channel, Evidence, Measure, Severity, Status, Subject, SubjectKind, Text
from .registry import load_rubric
from .rubric import (
    AppliesTo,
    Criterion,
    CriterionBelow,
    Gate,
    IncidentCondition,
    Missing,
    Penalties,
    Pillar,
    PillarBelow,
    Policy,
    Rubric,
    Source,
    Tier,
)
from .wire import from_dict, from_json, to_dict, to_json

__all__ = [
    "cases",
    "check_invariants",
    "evidence",
    "evidence_lists",
    "rubrics",
    "subjects",
]

#: The categories that the criteria of the built-in rubric look at, and a few more.
_RELEVANT_CATEGORIES: tuple[str, ...] = (
    "beauty",
    "education",
    "finance",
    "food",
    "health",
    "law",
    "pharmacy",
    "travel",
)
_OTHER_CATEGORIES: tuple[str, ...] = ("gaming", "music", "sports", "tech", "fashion", "parenting")
_SOURCE_NAMES: tuple[str, ...] = ("court", "regulator", "platform", "auditor", "brand", "consumer")
_PLATFORMS: tuple[str, ...] = ("tiktok", "facebook", "youtube", "instagram", "zalo")
_T = TypeVar("_T")


class _Draw(Protocol):
    """Hypothesis' ``draw``: of a composite strategy, or ``st.data()``'s ``data.draw``."""

    def __call__(self, strategy: SearchStrategy[_T], label: Any = None) -> _T: ...


# -- small building blocks --------------------------------------------------------
#
# Strategies are built once, here, and reused: building and validating
# strategies on every draw would cost more than the drawing itself.  The
# helpers ``_draw_*`` take hypothesis' ``draw`` function instead of being
# composite strategies, and optional parts are switched on by the bits of one
# drawn integer (shrinking to 0: all absent), for the same reason: each
# choice hypothesis makes has a cost, and a case is made of hundreds.

_ID_HEAD = string.ascii_letters + string.digits
_ID_TAIL = _ID_HEAD + "._:-"

_VI_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
_VI_MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Bảo", "Gia")
_VI_GIVEN = ("Anh", "Hương", "Linh", "Tuấn", "Trang", "Hùng", "Thảo", "Dũng", "Phương", "Quỳnh", "Khánh", "Yến")
_VI_LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    "áàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
    "AĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXYÁÀẢÃẠẮẰẲẴẶẤẦẨẪẬÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ"
)


def _identifiers(max_len: int) -> SearchStrategy[str]:
    """Identifiers ``[A-Za-z0-9][A-Za-z0-9._:-]*`` of at most *max_len* characters."""
    return st.one_of(
        st.builds("kol-{}".format, st.integers(0, 10_000)),
        st.builds(str.__add__, st.sampled_from(_ID_HEAD), st.text(alphabet=_ID_TAIL, max_size=max_len - 1)),
        st.text(alphabet=_ID_TAIL, min_size=max_len - 1, max_size=max_len - 1).map(lambda tail: "0" + tail),
    )


_IDS = _identifiers(128)
_SHORT_IDS = _identifiers(16)
#: Ids of the parts of a rubric and of the records of a list: a prefix and a counter.
_PART_PREFIXES = st.one_of(st.sampled_from(("", "C", "x.", "0-", "id:")), _SHORT_IDS)
_RECORD_PREFIXES = st.one_of(st.sampled_from(("ev-", "E", "x.", "0", "e:", "bang-chung-")), _identifiers(100))
_SLUG_CHARS = string.ascii_lowercase + string.digits
_SLUGS = st.one_of(
    st.text(alphabet=_SLUG_CHARS, min_size=1, max_size=10),
    st.builds("{}-{}".format, st.text(alphabet=_SLUG_CHARS, min_size=1), st.text(alphabet=_SLUG_CHARS, min_size=1)),
)
_VI_TEXT = st.text(alphabet=_VI_LETTERS + " .,", max_size=30)
_NAMES = st.one_of(
    st.builds("{} {} {}".format, st.sampled_from(_VI_FAMILY), st.sampled_from(_VI_MIDDLE), st.sampled_from(_VI_GIVEN)),
    st.text(alphabet=_VI_LETTERS + " ", min_size=1, max_size=MAX_NAME_LENGTH),
    st.text(min_size=1, max_size=MAX_NAME_LENGTH),
)
_RUBRIC_TITLES = st.one_of(
    st.just(Text(vi="Tiêu chuẩn Tín nhiệm người có ảnh hưởng", en="Influencer Trust Standard")),
    st.builds(
        Text, vi=st.text(alphabet=_VI_LETTERS + " .,", min_size=1, max_size=30), en=st.text(min_size=1, max_size=30)
    ),
)
_DESCRIPTIONS = (
    Text(vi="Công khai quảng cáo và tài trợ", en="Disclose ads and sponsorships"),
    Text(vi="Không đưa thông tin sai sự thật", en="No false information"),
    Text(vi="Trách nhiệm với cộng đồng", en="Responsibility to the public"),
)
_UNIT = st.floats(0.0, 1.0)
_THRESHOLDS = st.one_of(
    st.integers(0, 1000).map(lambda x: x / 10),  # whole numbers and tenths: the edges of round1
    st.floats(0.0, 100.0),
)
_WEIGHTS = st.one_of(st.integers(1, 10).map(float), st.floats(0.001, 1000.0))
_SEVERITIES = st.sampled_from(Severity)
_KINDS = st.sampled_from(SubjectKind)
_MEASURES = st.sampled_from(Measure)
_SAMPLE_SIZES = st.one_of(st.integers(1, 50), st.integers(1, MAX_SAMPLE_SIZE))
_SUMMARIES = st.one_of(_VI_TEXT, st.text(max_size=60), st.integers(1990, 2000).map(lambda n: "x" * n))
_DIGESTS = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64).map(lambda h: "sha256:" + h)
_CHANNEL_HANDLES = st.one_of(st.sampled_from(("@nguyen.huong", "Hương Review", "x")), st.text(min_size=1, max_size=30))
_JURISDICTIONS = ("VN", "VN", "VN", "US", "SG", "TH", "KR")
_AGENCIES = (None, None, "Công ty TNHH Truyền thông Ánh Dương", "MCN Việt", "X")
_URLS = (None, "https://www.tiktok.com/@nguyen.huong", "https://youtube.com/c/x")
_ODD_NAMES = st.one_of(_SHORT_IDS, st.text(max_size=12))
# not-applicable comes from the subject, duplicate from the list strategy.
_FAULTS = tuple(
    r.value for r in ExclusionReason if r not in (ExclusionReason.DUPLICATE, ExclusionReason.NOT_APPLICABLE)
)


def _title(kind_vi: str, kind_en: str, ident: str) -> Text:
    """A title for a part of a generated rubric (cheap: nothing to draw)."""
    return Text(vi=f"{kind_vi} {ident}", en=f"{kind_en} {ident}")


def _shift(day: dt.date, days: int) -> dt.date:
    """*day* plus *days*, clamped to the dates Python can represent."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


def _around(day: dt.date, years: int = 8) -> SearchStrategy[dt.date]:
    """Days from *day* to about *years* later."""
    return st.dates(min_value=day, max_value=_shift(day, 366 * years))


def _pick(draw: _Draw, items: Sequence[_T]) -> _T:
    """One of *items* (a cheap ``sampled_from`` for sequences built per draw)."""
    return items[draw(st.integers(0, len(items) - 1))]


def _bits(draw: _Draw, n: int, min_value: int = 0) -> int:
    """An *n*-bit mask: bit *i* set switches option *i* on."""
    return draw(st.integers(min_value, (1 << n) - 1))


def _subset(draw: _Draw, items: Sequence[_T]) -> tuple[_T, ...]:
    """A non-empty subset of *items*, in their order (one choice)."""
    mask = _bits(draw, len(items), min_value=1)
    return tuple(x for i, x in enumerate(items) if mask >> i & 1)


def _draw_ids(draw: _Draw, n: int, names: Sequence[str]) -> list[str]:
    """*n* distinct identifiers: the first of *names*, or a drawn prefix and a counter."""
    if n <= len(names) and draw(st.booleans()):
        return list(names[:n])
    prefix = draw(_PART_PREFIXES)
    return [f"{prefix}{i}" for i in range(n)]


def _fresh(taken: Iterable[str], base: str) -> str:
    """*base*, changed until it is not in *taken* (any string is fine)."""
    taken = set(taken)
    name = base
    while name in taken:
        name += "~"
    return name


# -- subjects ------------------------------------------------------------------------------


def _draw_channel(draw: _Draw) -> Channel:
    options = _bits(draw, 3)
    return Channel(
        platform=_pick(draw, _PLATFORMS) if options & 1 else draw(_SLUGS),
        handle=draw(_CHANNEL_HANDLES),
        url=_pick(draw, _URLS),
        followers=draw(st.integers(0, MAX_SAFE_INTEGER)) if options & 2 else None,
        verified=bool(options & 4),
    )


@st.composite
def _subjects(draw: st.DrawFn, kinds: tuple[SubjectKind, ...] | None, categories: tuple[str, ...] | None) -> Subject:
    if categories is None:  # the relevant categories, often; others, sometimes
        pool = _RELEVANT_CATEGORIES + _OTHER_CATEGORIES
        mask = _bits(draw, len(pool))
        drawn = [pool[i] for i in range(len(pool)) if mask >> i & 1][:4]
        if draw(st.integers(0, 7)) == 0:
            drawn.append(draw(_SLUGS))
    elif categories:
        drawn = list(_subset(draw, categories)) if draw(st.integers(0, 3)) else []
    else:
        drawn = []
    return Subject(
        id=draw(_IDS),
        name=draw(_NAMES),
        kind=draw(_KINDS) if kinds is None else _pick(draw, kinds),
        categories=tuple(drawn),
        channels=tuple(_draw_channel(draw) for _ in range(draw(st.integers(0, 3)))),
        agency=_pick(draw, _AGENCIES),
        jurisdiction=_pick(draw, _JURISDICTIONS),
    )


def subjects(
    *, kinds: Sequence[SubjectKind | str] | None = None, categories: Sequence[str] | None = None
) -> SearchStrategy[Subject]:
    """Valid subjects (STANDARD §1.1).

    Ids are 1–128 characters of ``[A-Za-z0-9][A-Za-z0-9._:-]*``, names 1–200
    characters (Vietnamese names and text often), a few channels.  *kinds*
    limits the kinds drawn (default: KOL and KOC).  *categories* is the pool
    categories are drawn from; by default they come mostly from the
    categories the built-in rubric looks at (``health``, ``finance``, …),
    sometimes from other slugs.  An empty pool gives subjects without
    categories.
    """
    kind_pool = None
    if kinds is not None:
        kind_pool = tuple(SubjectKind(k) for k in kinds)
        if not kind_pool:
            raise ValueError("kinds must not be empty")
    return _subjects(kind_pool, tuple(categories) if categories is not None else None)


# -- evidence ------------------------------------------------------------------------------


def _max_age(rubric: Rubric, criterion: Criterion) -> int:
    return criterion.max_age_days if criterion.max_age_days is not None else rubric.policy.max_age_days


def _sources_for(rubric: Rubric, criterion: Criterion) -> tuple[str, ...]:
    """The ids of the sources whose records *criterion* uses."""
    if criterion.accepted_sources is not None:
        return criterion.accepted_sources
    return tuple(s.id for s in rubric.sources)


def _draw_used_record(
    draw: _Draw,
    rubric: Rubric,
    criterion: Criterion,
    subject_id: str,
    as_of: dt.date,
    record_id: str,
    status: Status | None = None,
    extras: bool = False,
) -> Evidence:
    """A record the engine uses for *criterion* (when it applies to the subject).

    The criterion must accept at least one source of the rubric.  With
    *extras*, the optional fields are drawn too.
    """
    incidents = criterion.measure is Measure.INCIDENTS
    age = draw(st.integers(0, min(_max_age(rubric, criterion), 5000)))
    options = _bits(draw, 7) if extras else 0
    return Evidence(
        id=record_id,
        subject_id=subject_id,
        criterion=criterion.id,
        source=_pick(draw, _sources_for(rubric, criterion)),
        observed_at=_shift(as_of, -age),
        # The field the measure does not need is sometimes there too: harmless.
        value=draw(_UNIT) if not incidents or options & 1 else None,
        severity=draw(_SEVERITIES) if incidents or options & 1 else None,
        status=status if status is not None else (Status.DISPUTED if draw(st.integers(0, 3)) == 0 else Status.ACTIVE),
        sample_size=draw(_SAMPLE_SIZES) if options & 2 else 1,
        valid_until=_shift(as_of, draw(st.integers(0, 3000))) if options & 4 else None,
        reference=draw(_ODD_NAMES) if options & 8 else None,
        summary=draw(_SUMMARIES) if options & 16 else None,
        digest=draw(_DIGESTS) if options & 32 else None,
    )


def _draw_evidence(draw: _Draw, rubric: Rubric, subject: Subject, day: dt.date, record_id: str) -> Evidence:
    criterion = _pick(draw, rubric.criteria)
    # 0-5: a plain record; 6-8: with the optional fields; 9-11: with a fault.
    kind = draw(st.integers(0, 11))
    if _sources_for(rubric, criterion):
        e = _draw_used_record(draw, rubric, criterion, subject.id, day, record_id, extras=6 <= kind <= 8)
    else:  # a rubric without sources: every record has an unknown source
        e = Evidence(record_id, subject.id, criterion.id, "unknown", day, value=0.5, severity=Severity.MINOR)
    if kind < 9:
        return e

    fault = _pick(draw, _FAULTS)
    source_ids = [s.id for s in rubric.sources]
    if fault == "source-not-accepted":
        accepted = criterion.accepted_sources or source_ids
        others = [s for s in source_ids if s not in accepted]
        if others:
            return attrs.evolve(e, source=_pick(draw, others))
        fault = "unknown-source"
    if fault == "subject-mismatch":
        other = draw(_IDS)
        if other == subject.id:
            other = ("x" if other[0] != "x" else "y") + other[1:]
        return attrs.evolve(e, subject_id=other)
    if fault == "unknown-criterion":
        return attrs.evolve(e, criterion=_fresh((c.id for c in rubric.criteria), draw(_ODD_NAMES)))
    if fault == "unknown-source":
        return attrs.evolve(e, source=_fresh(source_ids, draw(_ODD_NAMES)))
    if fault == "future":
        return attrs.evolve(e, observed_at=_shift(day, draw(st.integers(1, 400))), valid_until=None)
    if fault == "expired":
        return attrs.evolve(e, valid_until=_shift(day, -draw(st.integers(1, 400))))
    if fault == "too-old":
        age = _max_age(rubric, criterion) + draw(st.integers(1, 400))
        return attrs.evolve(e, observed_at=_shift(day, -age))
    if fault == "overturned":
        return attrs.evolve(e, status=Status.OVERTURNED)
    # measure-mismatch
    if criterion.measure is Measure.INCIDENTS:
        return attrs.evolve(e, severity=None)
    return attrs.evolve(e, value=None)


@st.composite
def _evidence(draw: st.DrawFn, rubric: Rubric, subject: Subject, as_of: dt.date | None) -> Evidence:
    day = as_of if as_of is not None else draw(_around(rubric.effective_from))
    return _draw_evidence(draw, rubric, subject, day, draw(_IDS))


def evidence(*, rubric: Rubric, subject: Subject, as_of: dt.date | None = None) -> SearchStrategy[Evidence]:
    """Valid evidence records (STANDARD §1.2) for *subject* under *rubric*.

    Most records are about the subject, name a criterion and an accepted
    source of the rubric, are dated within the criterion's maximum age
    before *as_of* and carry the ``value`` or ``severity`` the criterion's
    measure needs, so the engine uses them (unless the criterion does not
    apply to the subject).  About one in four has one fault that makes the
    engine exclude it, covering every reason of STANDARD §3: another
    subject's id, an unknown criterion or source, a source the criterion
    does not accept, a date after *as_of*, an expired ``valid_until``, an
    age beyond the maximum, ``overturned`` status, or a missing value or
    severity.  Without *as_of*, each record is dated around a day drawn from
    the eight years after the rubric's ``effective_from``.
    """
    return _evidence(rubric, subject, as_of)


def _same_content_copy(e: Evidence) -> Evidence:
    """An exact duplicate of *e*: another object with equal content.

    A whole-number ``value`` is written as an ``int`` in the copy, since
    duplicates are compared by number value (STANDARD §3).
    """
    if e.value is not None and float(e.value).is_integer():
        return attrs.evolve(e, value=int(e.value))
    return attrs.evolve(e)


@st.composite
def _evidence_lists(draw: st.DrawFn, rubric: Rubric, subject: Subject, as_of: dt.date, max_size: int) -> list[Evidence]:
    # Short lists mostly, long ones sometimes: ids are a prefix and a counter.
    n = draw(st.integers(0, max_size if draw(st.integers(0, 3)) == 0 else min(max_size, 10)))
    prefix, width = draw(_RECORD_PREFIXES), draw(st.integers(1, 3))
    records = [_draw_evidence(draw, rubric, subject, as_of, f"{prefix}{i:0{width}d}") for i in range(n)]
    room = min(max_size - n, 4)
    if not records or room <= 0 or draw(st.integers(0, 2)):
        return records
    for _ in range(draw(st.integers(1, room))):  # exact copies, anywhere in the list
        copy = _same_content_copy(_pick(draw, records))
        records.insert(draw(st.integers(0, len(records))), copy)
    return records


def evidence_lists(
    *, rubric: Rubric, subject: Subject, as_of: dt.date, max_size: int = 30
) -> SearchStrategy[list[Evidence]]:
    """Lists of at most *max_size* records like those of :func:`evidence`, as a case holds them.

    Ids are unique, except for exact duplicates (another record with the
    same id and the same content), which some lists contain and which the
    engine counts once; two records with one id never differ in content.
    """
    if max_size < 0:
        raise ValueError("max_size must be ≥ 0")
    return _evidence_lists(rubric, subject, as_of, max_size)


# -- cases ---------------------------------------------------------------------------------


def _rubric_categories(rubric: Rubric) -> set[str]:
    return {
        cat
        for cr in rubric.criteria
        if cr.applies_to is not None and cr.applies_to.categories is not None
        for cat in cr.applies_to.categories
    }


@st.composite
def _cases(draw: st.DrawFn, rubric: Rubric | None) -> Case:
    r = rubric if rubric is not None else load_rubric("1.0.0")
    pool = sorted(set(_RELEVANT_CATEGORIES) | _rubric_categories(r) | {"gaming", "music"})
    subject = draw(subjects(categories=pool))
    as_of = draw(_around(r.effective_from))
    records = draw(evidence_lists(rubric=r, subject=subject, as_of=as_of))
    return Case(subject=subject, evidence=tuple(records), as_of=as_of, rubric=r.version if rubric is None else None)


def cases(*, rubric: Rubric | None = None) -> SearchStrategy[Case]:
    """Valid cases (STANDARD §1.3): a subject, evidence lists and an ``as_of``.

    ``as_of`` falls in the eight years after the rubric's ``effective_from``.
    Without *rubric*, the cases are for the built-in rubric ``1.0.0`` and
    name it (``case.rubric == "1.0.0"``), so ``kt.assess_case(case)`` works;
    with a *rubric*, ``case.rubric`` is ``None``: assess them with
    ``kt.assess_case(case, rubric=rubric)``.
    """
    return _cases(rubric)


# -- rubrics -------------------------------------------------------------------------------


def _draw_penalties(draw: _Draw) -> Penalties:
    return Penalties(*sorted(draw(_UNIT) for _ in range(4)))


def _draw_applies_to(draw: _Draw) -> AppliesTo:
    which = draw(st.integers(0, 2))  # categories, kinds, or both
    kinds = _subset(draw, tuple(SubjectKind)) if which else None
    if which == 1:
        return AppliesTo(kinds=kinds)
    categories = _subset(draw, _RELEVANT_CATEGORIES)
    if draw(st.integers(0, 3)) == 0:
        categories = (*categories, draw(_SLUGS))
    return AppliesTo(kinds=kinds, categories=tuple(dict.fromkeys(categories)))


def _draw_criterion(
    draw: _Draw, criterion_id: str, pillar: str, source_ids: tuple[str, ...], conditional: bool
) -> Criterion:
    measure = draw(_MEASURES)
    options = _bits(draw, 5)
    return Criterion(
        id=criterion_id,
        pillar=pillar,
        title=_title("Tiêu chí", "Criterion", criterion_id),
        weight=draw(_WEIGHTS),
        measure=measure,
        description=_pick(draw, _DESCRIPTIONS) if options & 1 else None,
        half_life_days=draw(st.floats(0.01, 3650.0)) if options & 2 else None,
        max_age_days=draw(st.integers(1, 3650)) if options & 4 else None,
        accepted_sources=_subset(draw, source_ids) if options & 8 else None,
        applies_to=_draw_applies_to(draw) if conditional else None,
        prior=draw(_UNIT) if measure is not Measure.INCIDENTS else None,
        prior_weight=draw(st.floats(1e-6, 1e4)) if measure is Measure.PROPORTION else None,
        penalties=_draw_penalties(draw) if measure is Measure.INCIDENTS and options & 16 else None,
    )


_GATE_TYPES = ("pillar-below", "incident", "criterion-below", "missing")


def _draw_gate(draw: _Draw, gate_id: str, criteria: Sequence[Criterion], pillars: Sequence[str]) -> Gate:
    incidents = tuple(c.id for c in criteria if c.measure is Measure.INCIDENTS)
    others = tuple(c.id for c in criteria if c.measure is not Measure.INCIDENTS)
    kind = _pick(draw, _GATE_TYPES)
    when: IncidentCondition | CriterionBelow | PillarBelow | Missing
    if kind == "missing" and others:
        when = Missing(criterion=_pick(draw, others))
    elif kind == "criterion-below":
        when = CriterionBelow(criterion=_pick(draw, criteria).id, below=draw(_THRESHOLDS))
    elif kind == "pillar-below":
        when = PillarBelow(pillar=_pick(draw, pillars), below=draw(_THRESHOLDS))
    else:  # an empty list of criteria means every incidents criterion
        listed: bool = bool(incidents) and draw(st.booleans())
        when = IncidentCondition(
            min_severity=draw(_SEVERITIES),
            within_days=draw(st.integers(0, 3650)),
            criteria=_subset(draw, incidents) if listed else (),
        )
    effect = draw(st.integers(0, 2))  # a cap, disqualify, or both
    cap = draw(_THRESHOLDS) if effect != 1 else None
    return Gate(id=gate_id, title=_title("Ngưỡng", "Gate", gate_id), when=when, cap=cap, disqualify=effect != 0)


def _draw_tiers(draw: _Draw) -> tuple[Tier, ...]:
    n = draw(st.integers(2, 4))
    ids = _draw_ids(draw, n, ("high-trust", "trusted", "developing", "not-rated"))
    mins = sorted((draw(_THRESHOLDS) for _ in range(n - 1)), reverse=True)
    tiers = []
    for tier_id, min_score in zip(ids[:-1], mins, strict=True):
        options = _bits(draw, 3)
        tiers.append(
            Tier(
                id=tier_id,
                title=_title("Hạng", "Tier", tier_id),
                min_score=min_score,
                min_pillar_score=draw(_THRESHOLDS) if options & 1 else None,
                min_coverage=draw(_THRESHOLDS) if options & 2 else None,
                certified=bool(options & 4),
            )
        )
    tiers.append(Tier(id=ids[-1], title=_title("Chưa xếp hạng", "Not rated", ids[-1]), min_score=0, certified=False))
    return tuple(tiers)


def _draw_policy(draw: _Draw) -> Policy:
    if draw(st.booleans()):
        return Policy()
    return Policy(
        disputed_weight=draw(_UNIT),
        max_age_days=draw(st.integers(1, 3650)),
        max_reasons=draw(st.integers(0, 6)),
        penalties=_draw_penalties(draw),
        certificate_validity_days=draw(st.integers(1, 730)),
    )


@st.composite
def _rubrics(draw: st.DrawFn) -> Rubric:
    source_ids = tuple(_draw_ids(draw, draw(st.integers(1, 6)), _SOURCE_NAMES))
    sources = tuple(
        Source(id=s, title=_title("Nguồn", "Source", s), reliability=draw(st.floats(0.0, 1.0, exclude_min=True)))
        for s in source_ids
    )
    pillar_ids = _draw_ids(draw, draw(st.integers(1, 4)), ("transparency", "trust", "reputation", "responsibility"))
    pillars = tuple(Pillar(id=p, title=_title("Trụ cột", "Pillar", p), weight=draw(_WEIGHTS)) for p in pillar_ids)
    homes = [p for p in pillar_ids for _ in range(draw(st.integers(1, 6)))]
    criterion_ids = _draw_ids(draw, len(homes), ())
    unconditional = draw(st.integers(0, len(homes) - 1))  # at least one criterion applies to everyone
    conditional = _bits(draw, len(homes)) & _bits(draw, len(homes))  # about one in four
    criteria = [
        _draw_criterion(draw, cid, home, source_ids, i != unconditional and bool(conditional >> i & 1))
        for i, (cid, home) in enumerate(zip(criterion_ids, homes, strict=True))
    ]
    # Criteria need not be grouped by pillar in the rubric.
    shift = draw(st.integers(0, len(criteria) - 1))
    criteria = criteria[shift:] + criteria[:shift]
    n_gates = draw(st.integers(1, 5)) if draw(st.integers(0, 5)) else 0
    gate_ids = _draw_ids(draw, n_gates, ("G-A", "G-B", "G-C", "G-D", "G-E"))
    return Rubric(
        id=draw(st.sampled_from(("kol-trust-test", "acme")) | _SHORT_IDS),
        version="{}.{}.{}".format(*(draw(st.integers(0, 20)) for _ in range(3))),
        algorithm=1,
        title=draw(_RUBRIC_TITLES),
        effective_from=draw(st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31))),
        sources=sources,
        pillars=pillars,
        criteria=tuple(criteria),
        gates=tuple(_draw_gate(draw, g, criteria, pillar_ids) for g in gate_ids),
        tiers=_draw_tiers(draw),
        policy=_draw_policy(draw),
    )


def rubrics() -> SearchStrategy[Rubric]:
    """Random valid rubrics (every rule of STANDARD §1.4 holds).

    1–6 sources with reliabilities in (0, 1]; 1–4 pillars of 1–6 criteria
    each, of all three measures, with or without half-lives, maximum ages,
    accepted sources and ``applies_to`` (never on every criterion); 0–5
    gates of all four ``when`` types, each with a cap, ``disqualify`` or
    both; 2–4 tiers, best first, the last one with ``min_score`` 0, no other
    condition and not certified; the default policy or a custom one.
    Penalty maps never decrease from minor to critical.
    """
    return _rubrics()


# -- invariants ----------------------------------------------------------------------------


def _require(condition: bool, message: str) -> None:
    # Not ``assert``: the checks must also run under ``python -O``.
    if not condition:
        raise AssertionError(message)


def _in_range(value: float | None, what: str, *, nullable: bool) -> None:
    if value is None:
        _require(nullable, f"{what} is null")
    else:
        _require(0.0 <= value <= 100.0, f"{what} = {describe(value)} is outside [0, 100]")


def _without_duplicates(records: Iterable[Evidence]) -> list[Evidence]:
    return list({e.id: e for e in records}.values())


def _fresh_id(records: Iterable[Evidence], base: str) -> str:
    return _fresh((e.id for e in records), base)


def _check_ranges(a: Assessment) -> None:
    _in_range(a.score, "score", nullable=False)
    _in_range(a.coverage, "coverage", nullable=False)
    applicable = {cr.pillar for cr in a.criteria if cr.applicable}
    for p in a.pillars:
        _in_range(p.score, f"pillar {p.id} score", nullable=p.id not in applicable)
        _require(p.id in applicable or p.score is None, f"pillar {p.id} does not apply but has a score")
    for cr in a.criteria:
        _in_range(cr.score, f"criterion {cr.id} score", nullable=not cr.applicable)
        _in_range(cr.loss, f"criterion {cr.id} loss", nullable=not cr.applicable)
        _require(cr.applicable or cr.score is None, f"criterion {cr.id} does not apply but has a score")
    for reason in a.reasons:
        _in_range(reason.loss, f"reason {reason.code} loss", nullable=True)


def _check_nothing_lost(records: Sequence[Evidence], a: Assessment) -> None:
    seen = Counter(i for cr in a.criteria for i in cr.evidence) + Counter(x.evidence_id for x in a.excluded)
    _require(seen == Counter(e.id for e in records), "the used and excluded records are not the input records")
    used = [i for cr in a.criteria for i in cr.evidence]
    _require(len(used) == len(set(used)), "a record is used by two criteria")
    kept = Counter(x.evidence_id for x in a.excluded if x.reason is not ExclusionReason.DUPLICATE) + Counter(used)
    _require(all(n == 1 for n in kept.values()), "a record is both used and excluded, or excluded twice")


def _check_gates(rubric: Rubric, a: Assessment) -> None:
    for g in a.gates:
        if g.cap is not None:
            _require(
                a.raw_score <= g.cap,
                f"raw score {describe(a.raw_score)} exceeds the cap {describe(g.cap)} of gate {json_string(g.id)}",
            )
    if a.disqualified:
        _require(a.tier == rubric.tiers[-1].id, f"disqualified, yet tier {json_string(a.tier)} is not the last tier")
        _require(not a.certified, "disqualified, yet certified")


def _scores_not_lower(before: Assessment, after: Assessment, criterion: str, what: str) -> None:
    b, c = before.criterion(criterion), after.criterion(criterion)
    if b.score is None or c.score is None or b.loss is None or c.loss is None:
        raise AssertionError(f"criterion {criterion} has a used record but no score")
    _require(c.score >= b.score, f"{what} lowered criterion {criterion}'s score {b.score} to {c.score}")
    _require(c.loss <= b.loss, f"{what} raised criterion {criterion}'s loss {b.loss} to {c.loss}")
    _require(after.raw_score >= before.raw_score, f"{what} lowered the raw score")
    _require(after.score >= before.score, f"{what} lowered the score")


def _check_case(rubric: Rubric, case: Case, data: st.DataObject) -> None:
    subject, records, as_of = case.subject, list(case.evidence), case.as_of

    def run(evidence: Iterable[Evidence], day: dt.date = as_of) -> Assessment:
        return assess(subject, evidence, rubric=rubric, as_of=day)

    a = run(records)
    _check_ranges(a)
    _check_nothing_lost(records, a)
    _check_gates(rubric, a)

    # The documents survive JSON.
    copy = from_json(to_json(case), Case)
    _require(copy == case, "the case does not survive JSON")
    _require(from_json(to_json(a), Assessment) == a, "the assessment does not survive JSON")
    _require(from_dict(to_dict(a), Assessment) == a, "the assessment does not survive to_dict/from_dict")

    # Determinism: equal inputs (other objects, and a rubric rebuilt from its
    # document, so nothing cached carries over) give an equal assessment,
    # fingerprint included, and the same JSON text.
    again = assess(copy.subject, copy.evidence, rubric=from_dict(to_dict(rubric), Rubric), as_of=copy.as_of)
    _require(again == a and to_json(again) == to_json(a), "assessing equal inputs gave different results")

    # Order does not matter.
    shuffled = data.draw(st.permutations(records), label="shuffled evidence")
    _require(run(shuffled) == a, "the order of the evidence changed the assessment")

    # Exact duplicates only add `duplicate` exclusions.
    if records:
        extra = data.draw(st.lists(st.sampled_from(records), min_size=1, max_size=3), label="duplicated")
        b = run([*records, *map(_same_content_copy, extra)])
        added = Counter((x.evidence_id, x.reason) for x in b.excluded) - Counter(
            (x.evidence_id, x.reason) for x in a.excluded
        )
        _require(
            added == Counter((e.id, ExclusionReason.DUPLICATE) for e in extra)
            and attrs.evolve(b, excluded=()) == attrs.evolve(a, excluded=()),
            "exact duplicates changed more than the excluded list",
        )

    # Fingerprints: a different day or a different record, a different fingerprint.
    later = _shift(as_of, data.draw(st.integers(1, 30), label="days later"))
    if later != as_of:
        _require(run(records, later).fingerprint != a.fingerprint, "a changed as_of kept the fingerprint")
    unique = _without_duplicates(records)
    criteria = {c.id: c for c in rubric.criteria}
    applicable = {cr.id for cr in a.criteria if cr.applicable}
    if unique:
        e = data.draw(st.sampled_from(unique), label="changed record")
        changed = attrs.evolve(e, summary="changed" if e.summary != "changed" else "edited")
        changed_records = [changed if x.id == e.id else x for x in records]
        _require(run(changed_records).fingerprint != a.fingerprint, "a changed record kept the fingerprint")

    # Monotonicity: a higher value of a used proportion record never lowers the score.
    used = {i for cr in a.criteria for i in cr.evidence}
    raisable = [
        e
        for e in unique
        if e.id in used and criteria[e.criterion].measure is Measure.PROPORTION and e.value is not None and e.value < 1
    ]
    if raisable:
        e = data.draw(st.sampled_from(raisable), label="raised record")
        value = data.draw(st.floats(e.value or 0.0, 1.0), label="raised value")
        b = run([attrs.evolve(e, value=value) if x.id == e.id else x for x in unique])
        _scores_not_lower(a, b, e.criterion, "raising a proportion value")

    # A new active incident never raises the score.
    targets = [
        c for c in rubric.criteria if c.measure is Measure.INCIDENTS and c.id in applicable and _sources_for(rubric, c)
    ]
    if targets:
        c = data.draw(st.sampled_from(targets), label="incident criterion")
        new = _draw_used_record(
            data.draw, rubric, c, subject.id, as_of, _fresh_id(records, "new-incident"), Status.ACTIVE, extras=True
        )
        b = run([*records, new])
        _require(new.id in b.criterion(c.id).evidence, "the new incident was not used")
        _require(b.raw_score <= a.raw_score, "adding an incident raised the raw score")
        _require(b.score <= a.score, "adding an incident raised the score")
        before, after = a.criterion(c.id).score, b.criterion(c.id).score
        _require(
            before is not None and after is not None and after <= before,
            "adding an incident raised its criterion's score",
        )


def check_invariants(rubric: Rubric, *, max_examples: int = 100) -> None:
    """Check that *rubric* keeps the promises of the standard, on generated cases.

    Runs hypothesis over :func:`cases` for *rubric* (``max_examples`` of
    them, derandomized: every run checks the same ones) and raises
    :class:`AssertionError`, with the falsifying case, when one of these
    fails:

    * every reported score, loss and coverage is in [0, 100], or null where
      the standard allows it (criteria and pillars that do not apply);
    * assessing equal inputs again (read back from JSON, with the rubric
      rebuilt from its document) gives an equal assessment, fingerprint
      included, and the same JSON text;
    * the order of the evidence changes nothing, fingerprint included;
    * exact duplicates only add ``duplicate`` entries to ``excluded``;
    * nothing is lost: each input record is used by one criterion or excluded;
    * raising the ``value`` of a used proportion record never lowers its
      criterion's score or the overall score, nor raises the criterion's loss;
    * adding an active incident never raises the score;
    * no triggered cap is exceeded by ``raw_score``; a disqualifying gate
      gives the last tier and no certificate;
    * the case and the assessment survive JSON and ``to_dict``/``from_dict``;
    * another ``as_of`` or a changed record gives another fingerprint.
    """
    if not isinstance(rubric, Rubric):
        raise TypeError(f"rubric must be a Rubric, got {type(rubric).__name__}")

    @hypothesis.settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[hypothesis.HealthCheck.too_slow, hypothesis.HealthCheck.data_too_large],
    )
    @hypothesis.given(case=cases(rubric=rubric), data=st.data())
    def run(case: Case, data: st.DataObject) -> None:
        _check_case(rubric, case, data)

    run()
