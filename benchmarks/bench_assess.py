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
deterministic for a seed, on every machine and under any ``PYTHONHASHSEED``;
it is a thin wrapper over :func:`kol_trust.synth.synthetic_cases`, where the
generator itself lives (the corpus is the same as when it was defined here).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import itertools
import json
import platform
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import attrs

import kol_trust as kt
from kol_trust import accel, engine
from kol_trust.improvement import what_if
from kol_trust.synth import AS_OF, RUBRIC_VERSION, build_case, synthetic_cases

DEFAULT_CASES = 10_000
DEFAULT_SEED = 20261129
SIZES = (10, 100, 1_000, 10_000, 100_000)
QUICK_CASES = 200
QUICK_SIZES = (10, 100, 1_000)
#: The goals of issue 13, printed beside the figures (never asserted).
GOAL_ASSESS_CASES_PER_SECOND = 10_000
GOAL_JSON_PATH_OVER_FLOOR = 2.5
WHAT_IF_SIZES = (1_000, 2_000, 4_000)
QUICK_WHAT_IF_SIZES = (250, 500)

# -- the synthetic corpus ------------------------------------------------------------
# The generator lives in the library, kol_trust.synth; build_case comes from there.


def _json_backend() -> str:
    """The JSON backend (kol_trust.accel): "orjson 3.x" or "pure" (no orjson, or KOL_TRUST_PURE_PYTHON set)."""
    fast = accel.active
    return "pure" if fast is None else f"orjson {fast.version}"


def _engine_build() -> str:
    """How the engine runs: "mypyc" (a build with HATCH_BUILD_HOOK_ENABLE_MYPYC=true) or "source"."""
    return "mypyc" if engine.MYPYC else "source"


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
    return list(
        synthetic_cases(
            n_cases, seed=seed, rubric=rubric, as_of=as_of, min_records=min_records, max_records=max_records
        )
    )


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


def measure_floor(texts: Sequence[str], cases: Sequence[kt.Case], rubric: kt.Rubric) -> dict[str, Any]:
    """The floor: ``json.loads(case line)`` + ``json.dumps(assessment document)`` with the
    standard library, the least a Python service that reads a case and writes its
    assessment pays.  The documents are made beforehand; only the two calls are timed."""
    documents = [kt.to_dict(kt.assess(c.subject, c.evidence, rubric=rubric, as_of=c.as_of)) for c in cases]
    loads, dumps = json.loads, json.dumps
    pairs = list(zip(texts, documents, strict=True))
    for text, doc in pairs[:20]:
        loads(text)
        dumps(doc, ensure_ascii=False)

    def run() -> None:
        for text, doc in pairs:
            loads(text)
            dumps(doc, ensure_ascii=False)

    seconds = _timed(run)
    return {"cases": len(texts), "seconds": seconds, "seconds_per_case": seconds / len(texts)}


def measure_tiny_number(seed: int, *, repeat: int, min_run: float) -> dict[str, Any]:
    """Hazard: one tiny value (``5e-05``, valid evidence) in a case, against the same case without it."""
    rubric = kt.load_rubric(RUBRIC_VERSION)
    case = scaling_case(100, seed)
    i = next(i for i, e in enumerate(case.evidence) if e.value is not None)
    tiny = attrs.evolve(
        case, evidence=(*case.evidence[:i], attrs.evolve(case.evidence[i], value=5e-05), *case.evidence[i + 1 :])
    )
    plain = min(_per_call(lambda: kt.assess_case(case, rubric=rubric), repeat=repeat, min_run=min_run))
    odd = min(_per_call(lambda: kt.assess_case(tiny, rubric=rubric), repeat=repeat, min_run=min_run))
    return {"records": len(case.evidence), "plain_seconds": plain, "tiny_seconds": odd, "ratio": odd / plain}


def measure_what_if(sizes: Sequence[int], seed: int) -> list[dict[str, Any]]:
    """Hazard: ``what_if(remove=…)`` of half the records (as records), for growing cases."""
    rubric = kt.load_rubric(RUBRIC_VERSION)
    rows = []
    for n in sizes:
        case = scaling_case(n, seed)
        half = list(case.evidence[::2])
        seconds = min(_timed(lambda case=case, half=half: what_if(case, remove=half, rubric=rubric)) for _ in range(3))
        rows.append({"records": n, "removed": len(half), "seconds": seconds})
    return rows


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
        f"rubric kol-trust {result['rubric']}, as_of {result['as_of']}, seed {result['seed']}; "
        f"JSON backend {env['json_backend']}; engine {env['engine']}",
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
        "",
        goals(result),
    ]
    return "\n".join(out)


def goals(result: dict[str, Any]) -> str:
    """Each goal of issue 13 beside its figure and the floor (never asserted)."""
    a, j, floor = result["assess"], result["json_path"], result["floor"]
    tiny, scaling, wi = result["tiny_number"], result["scaling"], result["what_if"]
    per_record = [r["best_seconds_per_record"] for r in scaling if r["records"] >= 100]
    growth = [b["seconds"] / a_["seconds"] for a_, b in itertools.pairwise(wi)]
    rows = [
        (
            "1. kt.assess on parsed cases",
            f"{a['cases_per_second']:,.0f} cases/s",
            f">= {GOAL_ASSESS_CASES_PER_SECOND:,} cases/s",
        ),
        (
            "   the floor: json.loads(case) + json.dumps(assessment document)",
            f"{_duration(floor['seconds_per_case'])} a case",
            "",
        ),
        (
            "2. JSON -> assessment -> JSON over the floor",
            f"{j['seconds_per_case'] / floor['seconds_per_case']:.2f}x "
            f"({_duration(j['seconds_per_case'])} / {_duration(floor['seconds_per_case'])})",
            f"<= {GOAL_JSON_PATH_OVER_FLOOR}x",
        ),
        (
            "3. per record, largest / smallest from 100 records up",
            f"{max(per_record) / min(per_record):.2f}x" if per_record else "-",
            "flat (about 1x)",
        ),
        (
            f"   one 5e-05 in a case of {tiny['records']} records",
            f"{tiny['ratio']:.2f}x the case without it",
            "about 1x",
        ),
        (
            "   what_if(remove=half) per doubling of the case",
            ", ".join(f"{g:.2f}x" for g in growth) or "-",
            "about 2x (linear)",
        ),
    ]
    return "goals (issue 13; bench_batch.py reports the batch and memory goals)\n" + _table(
        ("goal", "measured", "target"), rows
    )


def run(
    n_cases: int,
    seed: int,
    *,
    sizes: Sequence[int],
    repeat: int,
    min_run: float,
    what_if_sizes: Sequence[int] = WHAT_IF_SIZES,
) -> dict[str, Any]:
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
            "json_backend": _json_backend(),
            "engine": _engine_build(),
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
        "floor": measure_floor(texts, cases, rubric),
        "scaling": measure_scaling(sizes, seed, repeat=repeat, min_run=min_run),
        "tiny_number": measure_tiny_number(seed, repeat=repeat, min_run=min_run),
        "what_if": measure_what_if(what_if_sizes, seed),
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
        result = run(n_cases, args.seed, sizes=QUICK_SIZES, repeat=3, min_run=0.02, what_if_sizes=QUICK_WHAT_IF_SIZES)
    else:
        result = run(n_cases, args.seed, sizes=SIZES, repeat=7, min_run=0.2)
    result["quick"] = args.quick
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
