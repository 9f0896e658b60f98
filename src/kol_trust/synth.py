"""Seeded synthetic cases on the built-in rubric, for benchmarks, demos and load tests.

:func:`synthetic_cases` yields plausible :class:`~kol_trust.Case` objects
lazily, one at a time, so that a million of them take no more memory than
one::

    import itertools
    import kol_trust.synth as synth

    for case in itertools.islice(synth.synthetic_cases(10**6, seed=7), 3):
        print(case.subject.name, len(case.evidence))

The subjects are KOLs and KOCs with Vietnamese names, one to three channels
and content categories; their evidence covers the criteria of the rubric from
the sources each criterion accepts, with some incident findings, disputed and
overturned records, exact duplicates, stale and future records and other
records the engine excludes (about 7 %, spread over every reason of STANDARD
§3: each appears in a few hundred cases).

Everything is drawn from one ``random.Random(seed)``: the same arguments give
the same cases, and the same JSON, on every machine and under any
``PYTHONHASHSEED``.  The generator is designed for the built-in rubric
(``kol-trust 1.0.0``); it uses criterion ids such as ``S01`` and ``R02``
when the rubric has them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from typing import Any

from .assessment import ExclusionReason
from .model import Case, Channel, Evidence, Measure, Severity, Status, Subject, SubjectKind
from .registry import load_rubric
from .rubric import Criterion, Rubric

__all__ = ["AS_OF", "RUBRIC_VERSION", "build_case", "build_subject", "synthetic_cases"]

AS_OF = dt.date(2026, 11, 29)
"""The default ``as_of`` of synthetic cases."""
RUBRIC_VERSION = "1.0.0"
"""The built-in rubric used when none is given."""
HISTORY_DAYS = 3 * 365  # evidence dates fall within about three years before as_of

_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương")
_MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Thu", "Quang", "Hồng", "Đức", "Thanh", "Bảo", "Gia", "Khánh")
_GIVEN = ("Anh", "Trang", "Huy", "Linh", "Nam", "Hà", "Tú", "Vy", "Phúc", "Long", "Mai", "Khoa", "Thảo", "Sơn")
_CATEGORIES = (
    "beauty",
    "fashion",
    "food",
    "travel",
    "lifestyle",
    "tech",
    "gaming",
    "parenting",
    "fitness",
    "health",
    "pharmacy",
    "finance",
    "law",
    "education",
)
_PLATFORMS = ("tiktok", "facebook", "youtube", "instagram", "zalo")
_AGENCIES = ("Sao Việt Media", "Lumi Creators", "Hanoi Talent House", "Saigon Influence Lab", "Mekong Digital")
_UNKNOWN_SOURCES = ("blogger", "anonymous", "press")
_UNKNOWN_CRITERIA = ("T99", "N00", "X01", "legacy-score")
#: Criteria every programme member is expected to document: the pledge, the
#: training and the identity check (gates G-PLEDGE, G-TRAINING, G-IDENTITY).
_CORE = ("S01", "S02", "T03")
_SEVERITIES = (Severity.MINOR, Severity.MODERATE, Severity.SERIOUS, Severity.CRITICAL)
_SEVERITY_WEIGHTS = (45, 30, 18, 7)
_STATUSES = (Status.ACTIVE, Status.DISPUTED, Status.OVERTURNED)
_STATUS_WEIGHTS = (80, 15, 5)
#: Deliberately broken records, about 7 % of them, spread over the reasons of
#: STANDARD §3 (``not-applicable`` also arises naturally from criterion R06).
_BROKEN = tuple(r.value for r in ExclusionReason if r is not ExclusionReason.NOT_APPLICABLE)
_BROKEN_RATE = 0.07
_INCIDENT_RATE = 0.06  # share of records that are incident findings


def _vietnamese_name(rng: random.Random) -> str:
    return f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"


def build_subject(rng: random.Random, subject_id: str) -> Subject:
    """A plausible KOL or KOC with one to three channels."""
    kind = SubjectKind.KOL if rng.random() < 0.65 else SubjectKind.KOC
    categories = tuple(sorted(rng.sample(_CATEGORIES, rng.randint(1, 3))))
    channels: list[Channel] = []
    for platform_id in rng.sample(_PLATFORMS, rng.randint(1, 3)):
        followers = int(rng.lognormvariate(11.0 if kind is SubjectKind.KOL else 8.5, 1.2))
        handle = f"@{subject_id.replace('-', '')}{platform_id[:2]}"
        channels.append(
            Channel(
                platform=platform_id,
                handle=handle,
                url=f"https://{platform_id}.example/{handle[1:]}" if rng.random() < 0.5 else None,
                followers=min(followers, 500_000_000),
                verified=rng.random() < (0.6 if kind is SubjectKind.KOL else 0.15),
            )
        )
    return Subject(
        id=subject_id,
        name=_vietnamese_name(rng),
        kind=kind,
        categories=categories,
        channels=tuple(channels),
        agency=rng.choice(_AGENCIES) if rng.random() < 0.4 else None,
    )


class _CaseBuilder:
    """Draws the evidence of one case; every choice comes from *rng*."""

    def __init__(self, rng: random.Random, rubric: Rubric, as_of: dt.date) -> None:
        self.rng = rng
        self.rubric = rubric
        self.as_of = as_of
        self.source_ids = [s.id for s in rubric.sources]
        by_measure: dict[Measure, list[Criterion]] = {m: [] for m in Measure}
        for criterion in rubric.criteria:
            by_measure[criterion.measure].append(criterion)
        self.proportion = by_measure[Measure.PROPORTION]
        self.attestation = by_measure[Measure.ATTESTATION]
        self.incidents = by_measure[Measure.INCIDENTS]
        # Convictions (R02) are much rarer than the other findings.
        self.incident_weights = [0.15 if c.id == "R02" else 1.0 for c in self.incidents]
        self.max_age = {c.id: c.max_age_days or rubric.policy.max_age_days for c in rubric.criteria}
        # Well-documented subjects have evidence across the whole code, not
        # the same criterion over and over: most records work through this
        # shuffled list of the proportion and attestation criteria first.
        self.agenda = [*self.proportion, *self.attestation]
        rng.shuffle(self.agenda)

    # Fields of one record ---------------------------------------------------------

    def _source(self, criterion: Criterion) -> str:
        accepted = criterion.accepted_sources
        return self.rng.choice(accepted if accepted is not None else self.source_ids)

    def _age(self, criterion: Criterion) -> int:
        """Days before as_of: mostly within the criterion's max age, some stale."""
        limit = min(self.max_age[criterion.id], HISTORY_DAYS)
        if self.rng.random() < 0.8:
            return self.rng.randint(0, limit)
        return self.rng.randint(0, HISTORY_DAYS)

    def _value(self, criterion: Criterion, quality: float) -> tuple[float, int]:
        rng = self.rng
        if criterion.measure is Measure.PROPORTION:
            # Skewed high; better subjects skew higher.
            value = rng.betavariate(0.5 + 14 * quality, 0.5 + 14 * (1 - quality))
            return round(value, 3), rng.choice((1, 2, 3, 5, 8, 12, 20, 30, 60, 120))
        if criterion.id in ("N01", "N02"):  # a measured share of real audience or engagement
            return round(rng.betavariate(14, 1.3), 3), 1
        return (1.0 if rng.random() < 0.8 + 0.18 * quality else 0.0), 1

    def record(self, index: int, subject_id: str, quality: float, criterion: Criterion | None = None) -> dict[str, Any]:
        """The fields of one well-formed record that will normally be used."""
        rng = self.rng
        if criterion is None:
            if rng.random() < _INCIDENT_RATE:
                criterion = rng.choices(self.incidents, self.incident_weights)[0]
            elif self.agenda and rng.random() < 0.6:
                criterion = self.agenda.pop()
            else:
                criterion = rng.choice(self.proportion if rng.random() < 0.55 else self.attestation)
        observed_at = self.as_of - dt.timedelta(days=self._age(criterion))
        fields: dict[str, Any] = {
            "id": f"ev-{index:06d}",
            "subject_id": subject_id,
            "criterion": criterion.id,
            "source": self._source(criterion),
            "observed_at": observed_at,
        }
        if criterion.measure is Measure.INCIDENTS:
            fields["severity"] = rng.choices(_SEVERITIES, _SEVERITY_WEIGHTS)[0]
            fields["status"] = rng.choices(_STATUSES, _STATUS_WEIGHTS)[0]
            fields["reference"] = f"QD-{observed_at.year}-{rng.randint(1, 99999):05d}"
        else:
            fields["value"], fields["sample_size"] = self._value(criterion, quality)
            if rng.random() < 0.05:
                fields["status"] = Status.DISPUTED
            if criterion.measure is Measure.ATTESTATION and rng.random() < 0.3:
                fields["valid_until"] = observed_at + dt.timedelta(days=rng.choice((365, 730)))
            if rng.random() < 0.4:
                fields["reference"] = f"AUD-{observed_at.year}-{rng.randint(1, 9999):04d}"
        if rng.random() < 0.2:
            fields["digest"] = f"sha256:{rng.getrandbits(256):064x}"
        if rng.random() < 0.1:
            fields["summary"] = f"{criterion.title.en} ({criterion.title.vi})"
        return fields

    def broken(self, index: int, subject_id: str, quality: float, earlier: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """A record that the engine excludes, for one of the reasons of STANDARD §3."""
        rng = self.rng
        reason = rng.choice(_BROKEN)
        if reason == "duplicate" and earlier:
            return dict(rng.choice(earlier))  # same id, same content: counted once
        fields = self.record(index, subject_id, quality)
        criterion = self.rubric.criterion(fields["criterion"])
        if reason == "subject-mismatch":
            fields["subject_id"] = f"{subject_id}-alt"
        elif reason == "unknown-criterion":
            fields["criterion"] = rng.choice(_UNKNOWN_CRITERIA)
        elif reason == "unknown-source":
            fields["source"] = rng.choice(_UNKNOWN_SOURCES)
        elif reason == "source-not-accepted":
            others = [s for s in self.source_ids if s not in (criterion.accepted_sources or self.source_ids)]
            if others:  # a criterion that accepts every source has no such record
                fields["source"] = rng.choice(others)
        elif reason == "future":
            fields["observed_at"] = self.as_of + dt.timedelta(days=rng.randint(1, 90))
        elif reason == "expired":
            age = rng.randint(1, min(self.max_age[criterion.id], HISTORY_DAYS))
            fields["observed_at"] = self.as_of - dt.timedelta(days=age)
            fields["valid_until"] = fields["observed_at"] + dt.timedelta(days=rng.randint(0, age - 1))
        elif reason == "too-old":
            age = self.max_age[criterion.id] + rng.randint(1, 400)
            fields["observed_at"] = self.as_of - dt.timedelta(days=age)
            fields.pop("valid_until", None)
        elif reason == "overturned":
            fields["status"] = Status.OVERTURNED
        elif reason == "measure-mismatch":
            fields.pop("value", None)
            fields.pop("severity", None)
        return fields


def build_case(
    rng: random.Random,
    subject_id: str,
    n_records: int,
    *,
    rubric: Rubric | None = None,
    as_of: dt.date = AS_OF,
) -> Case:
    """One synthetic case with exactly *n_records* evidence records.

    Most records are used; about 7 % are excluded on purpose (every reason of
    STANDARD §3), and others fall out naturally (stale audience measurements,
    credentials of subjects outside R06's categories).
    """
    rubric = rubric if rubric is not None else load_rubric(RUBRIC_VERSION)
    builder = _CaseBuilder(rng, rubric, as_of)
    subject = build_subject(rng, subject_id)
    quality = rng.betavariate(6, 1.6)  # how good this subject is: mostly good
    records: list[dict[str, Any]] = []
    if rng.random() < 0.7:  # a programme member: pledge, training and identity on file
        known = {c.id for c in rubric.criteria}
        for cid in [cid for cid in _CORE if cid in known][:n_records]:
            records.append(builder.record(len(records), subject_id, quality, rubric.criterion(cid)))
    while len(records) < n_records:
        if rng.random() < _BROKEN_RATE:
            records.append(builder.broken(len(records), subject_id, quality, records))
        else:
            records.append(builder.record(len(records), subject_id, quality))
    rng.shuffle(records)
    return Case(
        subject=subject,
        evidence=tuple(Evidence(**fields) for fields in records),
        as_of=as_of,
        rubric=rubric.version,
    )


def synthetic_cases(
    n: int,
    *,
    seed: int,
    rubric: Rubric | None = None,
    as_of: dt.date = AS_OF,
    min_records: int = 5,
    max_records: int = 40,
) -> Iterator[Case]:
    """*n* synthetic cases of *min_records*–*max_records* evidence records each, lazily.

    Subject ids are ``kol-000000``, ``kol-000001``…; each case names
    *rubric*'s version (default: the built-in ``1.0.0``).  Memory use does not
    depend on *n*: the cases are built one at a time as they are consumed.
    Deterministic: the same arguments give the same cases on every machine.
    """
    if n < 0:
        raise ValueError(f"n must be at least 0, not {n}")
    if not 1 <= min_records <= max_records:
        raise ValueError(f"need 1 <= min_records <= max_records, not {min_records} and {max_records}")
    rubric = rubric if rubric is not None else load_rubric(RUBRIC_VERSION)
    return _generate(n, seed, rubric, as_of, min_records, max_records)


def _generate(n: int, seed: int, rubric: Rubric, as_of: dt.date, min_records: int, max_records: int) -> Iterator[Case]:
    rng = random.Random(seed)
    for i in range(n):
        yield build_case(rng, f"kol-{i:06d}", rng.randint(min_records, max_records), rubric=rubric, as_of=as_of)
