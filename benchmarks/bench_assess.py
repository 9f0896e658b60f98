"""Benchmark of the kol_trust scoring engine on a seeded synthetic corpus.

Run it from a checkout after ``pip install .`` (or an editable install)::

    python benchmarks/bench_assess.py               # the full run: 10 000 cases
    python benchmarks/bench_assess.py --quick       # a smoke run, a few seconds
    python benchmarks/bench_assess.py --cases 2000 --seed 7 --json > result.json

It measures three things (see benchmarks/README.md for how to read them):

1. cases per second for :func:`kol_trust.assess` on already-parsed objects;
2. cases per second for the whole path: JSON text → ``from_json(text, Case)``
   → ``assess_case`` → ``to_json`` text;
3. the time per case for one case with 10, 100, 1 000 and 10 000 evidence
   records (best and median of several runs), and the time per record, so
   that linear growth shows.

This is a script, not a test: nothing here asserts a timing.  The corpus
builder (:func:`build_corpus`, :func:`build_case`) is importable and is
deterministic for a seed, on every machine and under any ``PYTHONHASHSEED``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import json
import platform
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import kol_trust as kt

AS_OF = dt.date(2026, 11, 29)
RUBRIC_VERSION = "1.0.0"
HISTORY_DAYS = 3 * 365  # evidence dates fall within about three years before AS_OF
DEFAULT_CASES = 10_000
DEFAULT_SEED = 20261129
SIZES = (10, 100, 1_000, 10_000)
QUICK_CASES = 200
QUICK_SIZES = (10, 100, 1_000)

# -- the synthetic corpus ------------------------------------------------------------

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
_SEVERITIES = (kt.Severity.MINOR, kt.Severity.MODERATE, kt.Severity.SERIOUS, kt.Severity.CRITICAL)
_SEVERITY_WEIGHTS = (45, 30, 18, 7)
_STATUSES = (kt.Status.ACTIVE, kt.Status.DISPUTED, kt.Status.OVERTURNED)
_STATUS_WEIGHTS = (80, 15, 5)
#: Deliberately broken records, about 7 % of them, spread over the reasons of
#: STANDARD §3 (``not-applicable`` also arises naturally from criterion R06).
_BROKEN = (
    "duplicate",
    "subject-mismatch",
    "unknown-criterion",
    "unknown-source",
    "source-not-accepted",
    "future",
    "expired",
    "too-old",
    "overturned",
    "measure-mismatch",
)
_BROKEN_RATE = 0.07
_INCIDENT_RATE = 0.06  # share of records that are incident findings


def _vietnamese_name(rng: random.Random) -> str:
    return f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"


def build_subject(rng: random.Random, subject_id: str) -> kt.Subject:
    """A plausible KOL or KOC with one to three channels."""
    kind = kt.SubjectKind.KOL if rng.random() < 0.65 else kt.SubjectKind.KOC
    categories = sorted(rng.sample(_CATEGORIES, rng.randint(1, 3)))
    channels = []
    for platform_id in rng.sample(_PLATFORMS, rng.randint(1, 3)):
        followers = int(rng.lognormvariate(11.0 if kind is kt.SubjectKind.KOL else 8.5, 1.2))
        handle = f"@{subject_id.replace('-', '')}{platform_id[:2]}"
        channels.append(
            kt.Channel(
                platform=platform_id,
                handle=handle,
                url=f"https://{platform_id}.example/{handle[1:]}" if rng.random() < 0.5 else None,
                followers=min(followers, 500_000_000),
                verified=rng.random() < (0.6 if kind is kt.SubjectKind.KOL else 0.15),
            )
        )
    return kt.Subject(
        id=subject_id,
        name=_vietnamese_name(rng),
        kind=kind,
        categories=categories,
        channels=channels,
        agency=rng.choice(_AGENCIES) if rng.random() < 0.4 else None,
    )


class _CaseBuilder:
    """Draws the evidence of one case; every choice comes from *rng*."""

    def __init__(self, rng: random.Random, rubric: kt.Rubric, as_of: dt.date) -> None:
        self.rng = rng
        self.rubric = rubric
        self.as_of = as_of
        self.source_ids = [s.id for s in rubric.sources]
        by_measure: dict[kt.Measure, list[kt.Criterion]] = {m: [] for m in kt.Measure}
        for criterion in rubric.criteria:
            by_measure[criterion.measure].append(criterion)
        self.proportion = by_measure[kt.Measure.PROPORTION]
        self.attestation = by_measure[kt.Measure.ATTESTATION]
        self.incidents = by_measure[kt.Measure.INCIDENTS]
        # Convictions (R02) are much rarer than the other findings.
        self.incident_weights = [0.15 if c.id == "R02" else 1.0 for c in self.incidents]
        self.max_age = {c.id: c.max_age_days or rubric.policy.max_age_days for c in rubric.criteria}
        # Well-documented subjects have evidence across the whole code, not
        # the same criterion over and over: most records work through this
        # shuffled list of the proportion and attestation criteria first.
        self.agenda = [*self.proportion, *self.attestation]
        rng.shuffle(self.agenda)

    # Fields of one record ---------------------------------------------------------

    def _source(self, criterion: kt.Criterion) -> str:
        accepted = criterion.accepted_sources
        return self.rng.choice(accepted if accepted is not None else self.source_ids)

    def _age(self, criterion: kt.Criterion) -> int:
        """Days before as_of: mostly within the criterion's max age, some stale."""
        limit = min(self.max_age[criterion.id], HISTORY_DAYS)
        if self.rng.random() < 0.8:
            return self.rng.randint(0, limit)
        return self.rng.randint(0, HISTORY_DAYS)

    def _value(self, criterion: kt.Criterion, quality: float) -> tuple[float, int]:
        rng = self.rng
        if criterion.measure is kt.Measure.PROPORTION:
            # Skewed high; better subjects skew higher.
            value = rng.betavariate(0.5 + 14 * quality, 0.5 + 14 * (1 - quality))
            return round(value, 3), rng.choice((1, 2, 3, 5, 8, 12, 20, 30, 60, 120))
        if criterion.id in ("N01", "N02"):  # a measured share of real audience or engagement
            return round(rng.betavariate(14, 1.3), 3), 1
        return (1.0 if rng.random() < 0.8 + 0.18 * quality else 0.0), 1

    def record(
        self, index: int, subject_id: str, quality: float, criterion: kt.Criterion | None = None
    ) -> dict[str, Any]:
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
        if criterion.measure is kt.Measure.INCIDENTS:
            fields["severity"] = rng.choices(_SEVERITIES, _SEVERITY_WEIGHTS)[0]
            fields["status"] = rng.choices(_STATUSES, _STATUS_WEIGHTS)[0]
            fields["reference"] = f"QD-{observed_at.year}-{rng.randint(1, 99999):05d}"
        else:
            fields["value"], fields["sample_size"] = self._value(criterion, quality)
            if rng.random() < 0.05:
                fields["status"] = kt.Status.DISPUTED
            if criterion.measure is kt.Measure.ATTESTATION and rng.random() < 0.3:
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
            fields["status"] = kt.Status.OVERTURNED
        elif reason == "measure-mismatch":
            fields.pop("value", None)
            fields.pop("severity", None)
        return fields


def build_case(
    rng: random.Random,
    subject_id: str,
    n_records: int,
    *,
    rubric: kt.Rubric | None = None,
    as_of: dt.date = AS_OF,
) -> kt.Case:
    """One synthetic case with exactly *n_records* evidence records.

    Most records are used; about 7 % are excluded on purpose (every reason of
    STANDARD §3), and others fall out naturally (stale audience measurements,
    credentials of subjects outside R06's categories).
    """
    rubric = rubric if rubric is not None else kt.load_rubric(RUBRIC_VERSION)
    builder = _CaseBuilder(rng, rubric, as_of)
    subject = build_subject(rng, subject_id)
    quality = rng.betavariate(6, 1.6)  # how good this subject is: mostly good
    records: list[dict[str, Any]] = []
    if rng.random() < 0.7:  # a programme member: pledge, training and identity on file
        for cid in _CORE[:n_records]:
            records.append(builder.record(len(records), subject_id, quality, rubric.criterion(cid)))
    while len(records) < n_records:
        if rng.random() < _BROKEN_RATE:
            records.append(builder.broken(len(records), subject_id, quality, records))
        else:
            records.append(builder.record(len(records), subject_id, quality))
    rng.shuffle(records)
    return kt.Case(
        subject=subject,
        evidence=[kt.Evidence(**fields) for fields in records],
        as_of=as_of,
        rubric=rubric.version,
    )


def build_corpus(
    n_cases: int = DEFAULT_CASES,
    seed: int = DEFAULT_SEED,
    *,
    min_records: int = 5,
    max_records: int = 40,
    rubric: kt.Rubric | None = None,
    as_of: dt.date = AS_OF,
) -> list[kt.Case]:
    """*n_cases* synthetic cases of *min_records*–*max_records* records each.

    Deterministic: the same arguments give the same cases (and the same JSON),
    on every machine.  Everything is drawn from one ``random.Random(seed)``.
    """
    rubric = rubric if rubric is not None else kt.load_rubric(RUBRIC_VERSION)
    rng = random.Random(seed)
    return [
        build_case(rng, f"kol-{i:06d}", rng.randint(min_records, max_records), rubric=rubric, as_of=as_of)
        for i in range(n_cases)
    ]


def corpus_digest(cases: Sequence[kt.Case]) -> str:
    """``"sha256:"`` of the corpus's JSON, one case per line: equal corpora, equal digests."""
    h = hashlib.sha256()
    for case in cases:
        h.update(kt.to_json(case).encode("utf-8"))
        h.update(b"\n")
    return "sha256:" + h.hexdigest()


def scaling_case(n_records: int, seed: int) -> kt.Case:
    """The one case of *n_records* records used by the scaling measurement."""
    return build_case(random.Random(seed * 100_003 + n_records), f"kol-big-{n_records}", n_records)


# -- timing --------------------------------------------------------------------------


def _timed(fn: Callable[[], object], number: int = 1) -> float:
    """Seconds for *number* calls of *fn*, after a garbage collection."""
    gc.collect()
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return time.perf_counter() - start


def _per_call(fn: Callable[[], object], *, repeat: int, min_run: float) -> list[float]:
    """Seconds per call of *fn*, for *repeat* runs of enough calls to last *min_run* s."""
    fn()  # warm up (and compile the rubric)
    number = 1
    while True:
        elapsed = _timed(fn, number)
        if elapsed >= min_run or number >= 1_000_000:
            break
        number *= 2 if elapsed * 4 >= min_run else 10
    runs = [elapsed / number]
    runs += [_timed(fn, number) / number for _ in range(repeat - 1)]
    return runs


def measure_assess(cases: Sequence[kt.Case], rubric: kt.Rubric) -> dict[str, Any]:
    """Measurement 1: ``kt.assess`` over every case of the corpus, once."""
    assess = kt.assess
    for case in cases[:20]:  # warm up
        assess(case.subject, case.evidence, rubric=rubric, as_of=case.as_of)

    def run() -> None:
        for case in cases:
            assess(case.subject, case.evidence, rubric=rubric, as_of=case.as_of)

    seconds = _timed(run)
    records = sum(len(c.evidence) for c in cases)
    return {
        "cases": len(cases),
        "records": records,
        "seconds": seconds,
        "cases_per_second": len(cases) / seconds,
        "records_per_second": records / seconds,
        "seconds_per_case": seconds / len(cases),
    }


def measure_json_path(texts: Sequence[str]) -> dict[str, Any]:
    """Measurement 2: JSON text → Case → assess_case → JSON text, over every case."""
    from_json, assess_case, to_json, case_type = kt.from_json, kt.assess_case, kt.to_json, kt.Case
    for text in texts[:20]:  # warm up
        to_json(assess_case(from_json(text, case_type)))
    out_bytes = 0

    def run() -> None:
        nonlocal out_bytes
        out_bytes = 0
        for text in texts:
            out_bytes += len(to_json(assess_case(from_json(text, case_type))))

    seconds = _timed(run)
    return {
        "cases": len(texts),
        "input_chars": sum(len(t) for t in texts),
        "output_chars": out_bytes,
        "seconds": seconds,
        "cases_per_second": len(texts) / seconds,
        "seconds_per_case": seconds / len(texts),
    }


def measure_scaling(sizes: Sequence[int], seed: int, *, repeat: int, min_run: float) -> list[dict[str, Any]]:
    """Measurement 3: one case of each size, assessed many times."""
    rubric = kt.load_rubric(RUBRIC_VERSION)
    rows = []
    for n in sizes:
        case = scaling_case(n, seed)
        text = kt.to_json(case)
        used = sum(
            len(cr.evidence) for cr in kt.assess(case.subject, case.evidence, rubric=rubric, as_of=case.as_of).criteria
        )
        runs = _per_call(
            lambda case=case: kt.assess(case.subject, case.evidence, rubric=rubric, as_of=case.as_of),
            repeat=repeat,
            min_run=min_run,
        )
        full = _per_call(
            lambda text=text: kt.to_json(kt.assess_case(kt.from_json(text, kt.Case))),
            repeat=repeat,
            min_run=min_run,
        )
        best, median = min(runs), statistics.median(runs)
        rows.append(
            {
                "records": n,
                "used": used,
                "runs": repeat,
                "best_seconds": best,
                "median_seconds": median,
                "best_seconds_per_record": best / n,
                "json_path_best_seconds": min(full),
                "json_path_median_seconds": statistics.median(full),
                "json_path_best_seconds_per_record": min(full) / n,
            }
        )
    return rows


# -- reporting -----------------------------------------------------------------------


def _duration(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.3g} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} µs"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join("  " + line for line in lines)


def render(result: dict[str, Any]) -> str:
    env, corpus, a, j = result["environment"], result["corpus"], result["assess"], result["json_path"]
    tiers = ", ".join(f"{k} {v / corpus['cases']:.0%}" for k, v in corpus["tiers"].items())
    out = [
        f"kol_trust {env['kol_trust']} — {env['implementation']} {env['python']} on {env['platform']}",
        f"rubric kol-trust {result['rubric']}, as_of {result['as_of']}, seed {result['seed']}",
        "",
        f"corpus: {corpus['cases']:,} cases, {corpus['records']:,} evidence records "
        f"({corpus['records_per_case']:.1f} per case), {corpus['excluded_share']:.1%} of records excluded; "
        f"built in {corpus['build_seconds']:.2f} s",
        f"        tiers: {tiers}",
        "",
        "1. kt.assess on parsed objects (one pass over the corpus)",
        _table(
            ("cases", "total", "cases/s", "records/s", "per case"),
            [
                (
                    f"{a['cases']:,}",
                    _duration(a["seconds"]),
                    f"{a['cases_per_second']:,.0f}",
                    f"{a['records_per_second']:,.0f}",
                    _duration(a["seconds_per_case"]),
                )
            ],
        ),
        "",
        "2. JSON text -> kt.from_json(text, kt.Case) -> kt.assess_case -> kt.to_json (one pass)",
        _table(
            ("cases", "total", "cases/s", "per case", "Mchar in", "Mchar out"),
            [
                (
                    f"{j['cases']:,}",
                    _duration(j["seconds"]),
                    f"{j['cases_per_second']:,.0f}",
                    _duration(j["seconds_per_case"]),
                    f"{j['input_chars'] / 1e6:.1f}",
                    f"{j['output_chars'] / 1e6:.1f}",
                )
            ],
        ),
        "",
        f"3. one case with n records (best and median of {result['scaling'][0]['runs']} runs)",
        _table(
            ("records", "used", "assess best", "median", "per record", "JSON path best", "per record"),
            [
                (
                    f"{r['records']:,}",
                    f"{r['used']:,}",
                    _duration(r["best_seconds"]),
                    _duration(r["median_seconds"]),
                    _duration(r["best_seconds_per_record"]),
                    _duration(r["json_path_best_seconds"]),
                    _duration(r["json_path_best_seconds_per_record"]),
                )
                for r in result["scaling"]
            ],
        ),
        "",
        "Linear growth shows as a flat 'per record' column; the small cases carry",
        "the fixed cost of an assessment (shares, gates, tiers, fingerprint).",
    ]
    return "\n".join(out)


def run(n_cases: int, seed: int, *, sizes: Sequence[int], repeat: int, min_run: float) -> dict[str, Any]:
    rubric = kt.load_rubric(RUBRIC_VERSION)
    start = time.perf_counter()
    cases = build_corpus(n_cases, seed, rubric=rubric)
    build_seconds = time.perf_counter() - start
    texts = [kt.to_json(case) for case in cases]

    tiers: Counter[str] = Counter()
    excluded = 0
    for case in cases:
        result = kt.assess(case.subject, case.evidence, rubric=rubric, as_of=case.as_of)
        tiers[result.tier] += 1
        excluded += len(result.excluded)
    records = sum(len(c.evidence) for c in cases)

    return {
        "benchmark": "bench_assess",
        "environment": {
            "kol_trust": kt.__version__,
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(terse=True),
            "machine": platform.machine(),
        },
        "rubric": rubric.version,
        "as_of": AS_OF.isoformat(),
        "seed": seed,
        "corpus": {
            "cases": n_cases,
            "records": records,
            "records_per_case": records / n_cases if n_cases else 0.0,
            "excluded_share": excluded / records if records else 0.0,
            "tiers": {t.id: tiers[t.id] for t in rubric.tiers},
            "digest": corpus_digest(cases),
            "build_seconds": build_seconds,
        },
        "assess": measure_assess(cases, rubric),
        "json_path": measure_json_path(texts),
        "scaling": measure_scaling(sizes, seed, repeat=repeat, min_run=min_run),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark kol_trust.assess on a seeded synthetic corpus (no timing is asserted anywhere)."
    )
    parser.add_argument(
        "--cases", type=int, default=None, help=f"corpus size (default {DEFAULT_CASES:,}; --quick: {QUICK_CASES})"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"corpus seed (default {DEFAULT_SEED})")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON document")
    parser.add_argument("--quick", action="store_true", help="small sizes and short runs, for a smoke run")
    args = parser.parse_args(argv)
    n_cases = args.cases if args.cases is not None else (QUICK_CASES if args.quick else DEFAULT_CASES)
    if n_cases < 1:
        parser.error("--cases must be at least 1")

    if args.quick:
        result = run(n_cases, args.seed, sizes=QUICK_SIZES, repeat=3, min_run=0.02)
    else:
        result = run(n_cases, args.seed, sizes=SIZES, repeat=7, min_run=0.2)
    result["quick"] = args.quick
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
