"""Benchmark of kol_trust's JSON Lines batch path on a seeded synthetic corpus.

Run it from a checkout after ``pip install .`` (or an editable install)::

    python benchmarks/bench_batch.py                # the full run: 10 000 cases
    python benchmarks/bench_batch.py --quick        # a smoke run, a few seconds
    python benchmarks/bench_batch.py --cases 2000 --seed 7 --json > result.json
    python benchmarks/bench_batch.py --million      # adds a 1 000 000-case memory run (long)

It measures three things (see benchmarks/README.md for how to read them):

1. cases per second through :func:`kol_trust.batch.run_jsonl` (JSON line →
   parse → assess → JSON line), with ``workers=1`` and ``workers=2``, the
   speed-up, and a check that both give byte-identical output; beside them a
   control, two independent single-worker runs at once on the two halves of
   the lines, which shows what two busy processes get from this machine
   without the pool's pipes and ordering, and the CPU time each case costs;
2. the floor: the standard library's ``json.loads`` + ``json.dumps`` of the
   same lines, and how many times slower ``run_jsonl`` is than that;
3. peak memory while streaming N cases through ``run_jsonl``: lines are
   generated lazily from :func:`kol_trust.synth.synthetic_cases` and results
   are consumed without being kept, in a fresh process per run, so the peak
   RSS (``ru_maxrss``, of the process and of its largest worker) shows whether
   memory stays flat as N grows; ``tracemalloc``'s peak is a second measure
   for the single-process case, at smaller N (it slows Python down).

This is a script, not a test: nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import multiprocessing
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from typing import Any

# The two scripts lie side by side; run as a script, this one's folder is on sys.path.
from bench_assess import _engine_build, _json_backend, _table

import kol_trust as kt
from kol_trust.batch import run_jsonl
from kol_trust.synth import RUBRIC_VERSION, synthetic_cases

DEFAULT_CASES = 10_000
DEFAULT_SEED = 20261129
WORKERS = (1, 2)
MEMORY_SIZES = (10_000, 50_000)
MILLION = 1_000_000
TRACE_SIZES = (1_000, 10_000)
QUICK_CASES = 200
#: Rounds of measurement 1 (each: workers=1, workers=2, the control, in turn).
ROUNDS = 3
QUICK_ROUNDS = 1
QUICK_MEMORY_SIZES = (100, 300)
QUICK_TRACE_SIZES = (50, 150)

# -- the corpus as JSON lines ---------------------------------------------------------


def corpus_lines(n_cases: int, seed: int) -> Iterator[bytes]:
    """The synthetic corpus as JSON lines (UTF-8, ending in ``\\n``), generated lazily."""
    for case in synthetic_cases(n_cases, seed=seed):
        yield kt.to_json(case).encode("utf-8") + b"\n"


def _consume(lines: Iterator[bytes] | Sequence[bytes], workers: int) -> dict[str, Any]:
    """Run *lines* through ``run_jsonl``, keeping only counts and a digest of the output."""
    h = hashlib.sha256()
    assessed = rejected = out_bytes = 0
    for r in run_jsonl(lines, workers=workers):
        if r.output is None:
            rejected += 1
            h.update(f"!{r.line}:{r.error}\n".encode())
        else:
            assessed += 1
            data = r.output.encode("utf-8")
            out_bytes += len(data) + 1
            h.update(data)
            h.update(b"\n")
    return {
        "assessed": assessed,
        "rejected": rejected,
        "output_bytes": out_bytes,
        "output_digest": "sha256:" + h.hexdigest(),
    }


# -- measurements 1 and 2: throughput -----------------------------------------------


def _cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (user + system)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def measure_run_jsonl(lines: Sequence[bytes], workers: int) -> dict[str, Any]:
    """Measurement 1: one pass of ``run_jsonl`` over *lines* (pool start-up included)."""
    _consume(lines[:20], 1)  # warm up (and compile the rubric)
    gc.collect()
    cpu = _cpu_seconds()
    start = time.perf_counter()
    out = _consume(lines, workers)
    seconds = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu
    return {
        "workers": workers,
        "cases": len(lines),
        "seconds": seconds,
        "cases_per_second": len(lines) / seconds,
        "cpu_seconds": cpu,
        **out,
    }


def _consume_half(lines: Sequence[bytes]) -> None:
    _consume(lines, 1)


def measure_control(lines: Sequence[bytes]) -> dict[str, Any]:
    """The control of measurement 1: two processes at once, each ``run_jsonl`` with one worker
    on half of *lines*, from the start of the first to the end of the second.

    The same work as ``workers=2`` (and the same process start-up), without the
    pool's pipes, chunk hand-offs and ordering: the speed-up two busy
    processes get from this machine, which the pool's cannot exceed.
    """
    _consume(lines[:20], 1)
    gc.collect()
    half = len(lines) // 2
    context = multiprocessing.get_context()
    cpu = _cpu_seconds()
    start = time.perf_counter()
    processes = [context.Process(target=_consume_half, args=(part,)) for part in (lines[:half], lines[half:])]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    seconds = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu
    if any(process.exitcode != 0 for process in processes):
        raise RuntimeError("a control process failed")
    return {"cases": len(lines), "seconds": seconds, "cases_per_second": len(lines) / seconds, "cpu_seconds": cpu}


def _best(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The fastest of *runs* (the least disturbed by the rest of the machine), with the median's rate."""
    rates = sorted(r["cases_per_second"] for r in runs)
    fastest = max(runs, key=lambda r: r["cases_per_second"])
    return {**fastest, "rounds": len(runs), "median_cases_per_second": rates[len(rates) // 2]}


def measure_floor(lines: Sequence[bytes]) -> dict[str, Any]:
    """Measurement 2: ``json.dumps(json.loads(line))`` of every line, once."""
    loads, dumps = json.loads, json.dumps
    for line in lines[:20]:
        dumps(loads(line))
    gc.collect()
    start = time.perf_counter()
    for line in lines:
        dumps(loads(line))
    seconds = time.perf_counter() - start
    return {"lines": len(lines), "seconds": seconds, "lines_per_second": len(lines) / seconds}


# -- measurement 3: memory, in a fresh process per run ------------------------------


def _maxrss_bytes(who: int) -> int:
    """``ru_maxrss`` in bytes (Linux reports KiB, macOS bytes)."""
    rss = resource.getrusage(who).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024


def probe(n_cases: int, seed: int, workers: int, trace: bool) -> dict[str, Any]:
    """Stream *n_cases* lazily generated lines through ``run_jsonl``; run in a fresh process."""
    import tracemalloc

    kt.load_rubric(RUBRIC_VERSION)
    _consume(corpus_lines(5, seed + 1), 1)  # warm up: the first assessments, the compiled rubric
    baseline = _maxrss_bytes(resource.RUSAGE_SELF)
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    out = _consume(corpus_lines(n_cases, seed), workers)
    seconds = time.perf_counter() - start
    traced_peak = tracemalloc.get_traced_memory()[1] if trace else None
    if trace:
        tracemalloc.stop()
    return {
        "cases": n_cases,
        "workers": workers,
        "tracemalloc": trace,
        "seconds": seconds,
        "cases_per_second": n_cases / seconds,
        "baseline_rss_bytes": baseline,
        "peak_rss_bytes": _maxrss_bytes(resource.RUSAGE_SELF),
        # The largest single worker (ru_maxrss of the waited-for children is a maximum, not a sum).
        "children_peak_rss_bytes": _maxrss_bytes(resource.RUSAGE_CHILDREN) if workers > 1 else 0,
        "traced_peak_bytes": traced_peak,
        **out,
    }


def measure_memory(n_cases: int, seed: int, workers: int, *, trace: bool = False) -> dict[str, Any]:
    """Measurement 3: :func:`probe` in a new Python process, so that its peaks are its own."""
    cmd = [sys.executable, __file__, "--probe", f"{n_cases},{seed},{workers},{int(trace)}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"memory probe failed: {proc.stderr}")
    return json.loads(proc.stdout)


# -- reporting -----------------------------------------------------------------------


def _mib(n: int | None) -> str:
    return "-" if n is None else f"{n / 2**20:.1f}"


def _memory_table(result: dict[str, Any]) -> str:
    return _table(
        ("N", "workers", "cases/s", "baseline MiB", "peak RSS MiB", "growth MiB", "worker peak MiB"),
        [
            (
                f"{m['cases']:,}",
                str(m["workers"]),
                f"{m['cases_per_second']:,.0f}",
                _mib(m["baseline_rss_bytes"]),
                _mib(m["peak_rss_bytes"]),
                _mib(m["peak_rss_bytes"] - m["baseline_rss_bytes"]),
                _mib(m["children_peak_rss_bytes"]) if m["workers"] > 1 else "-",
            )
            for m in result["memory"]
        ],
    )


def render_memory_only(result: dict[str, Any]) -> str:
    env = result["environment"]
    return "\n".join(
        [
            f"kol_trust {env['kol_trust']} — {env['implementation']} {env['python']} on {env['platform']} "
            f"({env['cpus']} CPUs); JSON backend {env['json_backend']}; engine {env['engine']}",
            f"seed {result['seed']}; memory runs only (--memory-only)",
            "",
            "3. peak memory streaming N lazily generated cases through run_jsonl (fresh process each)",
            _memory_table(result),
            "",
            "Flat peaks as N grows mean run_jsonl streams: memory does not depend on the input's length.",
        ]
    )


def render(result: dict[str, Any]) -> str:
    if result.get("memory_only"):
        return render_memory_only(result)
    env, corpus, floor = result["environment"], result["corpus"], result["floor"]
    one, control = result["throughput"][0], result["control"]
    rounds = one["rounds"]
    out = [
        f"kol_trust {env['kol_trust']} — {env['implementation']} {env['python']} on {env['platform']} "
        f"({env['cpus']} CPUs); JSON backend {env['json_backend']}; engine {env['engine']}",
        f"seed {result['seed']}; corpus: {corpus['cases']:,} JSON lines, {corpus['input_bytes'] / 1e6:.1f} MB "
        f"({corpus['input_bytes'] / corpus['cases']:,.0f} bytes per line), built in {corpus['build_seconds']:.2f} s",
        "",
        f"1. JSON lines -> run_jsonl -> output lines (pool start-up included; fastest of {rounds} rounds)",
        _table(
            ("run", "cases", "total", "cases/s", "median", "speed-up", "CPU per case", "MB out", "rejected"),
            [
                *(
                    (
                        f"workers={r['workers']}",
                        f"{r['cases']:,}",
                        f"{r['seconds']:.2f} s",
                        f"{r['cases_per_second']:,.0f}",
                        f"{r['median_cases_per_second']:,.0f}",
                        f"{r['cases_per_second'] / one['cases_per_second']:.2f}x",
                        f"{r['cpu_seconds'] / r['cases'] * 1e6:,.0f} µs",
                        f"{r['output_bytes'] / 1e6:.1f}",
                        f"{r['rejected']:,}",
                    )
                    for r in result["throughput"]
                ),
                (
                    "control",
                    f"{control['cases']:,}",
                    f"{control['seconds']:.2f} s",
                    f"{control['cases_per_second']:,.0f}",
                    f"{control['median_cases_per_second']:,.0f}",
                    f"{result['control_speedup']:.2f}x",
                    f"{control['cpu_seconds'] / control['cases'] * 1e6:,.0f} µs",
                    "-",
                    "-",
                ),
            ],
        ),
        f"  outputs byte-identical across workers: {'yes' if result['identical'] else 'NO'}",
        "  control: two single-worker runs at once, each on half of the lines (no pool); the",
        "  speed-up two busy processes get from this machine, which workers=2 cannot exceed.",
        "  CPU per case: all processes' CPU time over the cases (a worker's exceeds one",
        "  process's when two busy cores slow each other down).",
        "",
        "2. the floor: json.dumps(json.loads(line)) of the same lines (standard library)",
        _table(
            ("lines", "total", "lines/s", "run_jsonl slowdown (workers=1)"),
            [
                (
                    f"{floor['lines']:,}",
                    f"{floor['seconds']:.2f} s",
                    f"{floor['lines_per_second']:,.0f}",
                    f"{result['slowdown']:.1f}x",
                )
            ],
        ),
        "",
        "3. peak memory streaming N lazily generated cases through run_jsonl (fresh process each)",
        _memory_table(result),
        "",
        "   tracemalloc peak (workers=1; Python allocations only, run slowed by tracing)",
        _table(
            ("N", "traced peak MiB", "peak RSS MiB"),
            [
                (f"{m['cases']:,}", _mib(m["traced_peak_bytes"]), _mib(m["peak_rss_bytes"]))
                for m in result["tracemalloc"]
            ],
        ),
        "",
        "Flat peaks as N grows mean run_jsonl streams: memory does not depend on the input's length.",
        "",
        goals(result),
    ]
    return "\n".join(out)


#: The goals of issue 13 for the batch path, printed beside the figures (never asserted).
GOAL_SPEEDUP = 1.85


def goals(result: dict[str, Any]) -> str:
    """The batch goals of issue 13 beside their figures."""
    one = [m for m in result["memory"] if m["workers"] == 1]
    peaks = [m["peak_rss_bytes"] for m in one]
    rows = [
        (
            "2. the batch path, 2 workers over 1",
            f"{result['speedup']:.2f}x, byte-identical: {'yes' if result['identical'] else 'NO'}",
            f">= {GOAL_SPEEDUP}x, byte-identical",
        ),
        (
            "   the control, two single-worker runs at once, over 1",
            f"{result['control_speedup']:.2f}x (workers=2 reach {result['speedup'] / result['control_speedup']:.0%} of it)",
            "-",
        ),
        ("   run_jsonl (1 worker) over the floor of this script", f"{result['slowdown']:.1f}x", "-"),
        (
            "4. peak RSS streaming, 1 worker, smallest to largest N",
            f"{_mib(min(peaks))} to {_mib(max(peaks))} MiB (N = {', '.join(format(m['cases'], ',') for m in one)})"
            if one
            else "-",
            "flat",
        ),
    ]
    return "goals (issue 13; bench_assess.py reports the others)\n" + _table(("goal", "measured", "target"), rows)


def _environment() -> dict[str, Any]:
    return {
        "kol_trust": kt.__version__,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(terse=True),
        "machine": platform.machine(),
        "json_backend": _json_backend(),
        "engine": _engine_build(),
        "cpus": os.cpu_count(),
    }


def run(
    n_cases: int,
    seed: int,
    *,
    memory_sizes: Sequence[int],
    trace_sizes: Sequence[int],
    rounds: int = ROUNDS,
    progress: bool = False,
    memory_only: bool = False,
) -> dict[str, Any]:
    def note(msg: str) -> None:
        if progress:
            print(msg, file=sys.stderr, flush=True)

    # Memory first, while this process is small: Linux carries a process's ru_maxrss
    # across fork + exec, so a large parent would raise every probe's figures.
    memory = []
    for n in memory_sizes:
        for w in WORKERS:
            note(f"memory, N={n:,}, workers={w} ...")
            memory.append(measure_memory(n, seed, w))
    if memory_only:
        return {
            "benchmark": "bench_batch",
            "memory_only": True,
            "environment": _environment(),
            "seed": seed,
            "memory": memory,
        }
    traced = []
    for n in trace_sizes:
        note(f"tracemalloc, N={n:,} ...")
        traced.append(measure_memory(n, seed, 1, trace=True))

    start = time.perf_counter()
    lines = list(corpus_lines(n_cases, seed))
    build_seconds = time.perf_counter() - start
    corpus_hash = hashlib.sha256(b"".join(lines)).hexdigest()

    # Rounds in turn (workers=1, workers=2, the control), so that a busy spell
    # of the machine spreads over all three; each one's fastest round is kept.
    runs: dict[int, list[dict[str, Any]]] = {w: [] for w in WORKERS}
    controls = []
    for i in range(rounds):
        for w in WORKERS:
            note(f"round {i + 1} of {rounds}: run_jsonl, workers={w}, {n_cases:,} cases ...")
            runs[w].append(measure_run_jsonl(lines, w))
        note(f"round {i + 1} of {rounds}: control, two single-worker runs at once ...")
        controls.append(measure_control(lines))
    throughput = [_best(runs[w]) for w in WORKERS]
    control = _best(controls)
    note("floor ...")
    floor = measure_floor(lines)
    digests = {(r["output_digest"], r["output_bytes"], r["assessed"], r["rejected"]) for w in WORKERS for r in runs[w]}
    return {
        "benchmark": "bench_batch",
        "environment": _environment(),
        "seed": seed,
        "corpus": {
            "cases": n_cases,
            "input_bytes": sum(len(line) for line in lines),
            "digest": "sha256:" + corpus_hash,
            "build_seconds": build_seconds,
        },
        "throughput": throughput,
        "identical": len(digests) == 1,
        "speedup": throughput[-1]["cases_per_second"] / throughput[0]["cases_per_second"],
        "control": control,
        "control_speedup": control["cases_per_second"] / throughput[0]["cases_per_second"],
        "floor": floor,
        "slowdown": floor["lines_per_second"] / throughput[0]["cases_per_second"],
        "memory": memory,
        "tracemalloc": traced,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark kol_trust's JSON Lines batch path (run_jsonl) on a seeded synthetic corpus "
        "(no timing is asserted anywhere)."
    )
    parser.add_argument(
        "--cases",
        type=int,
        default=None,
        help=f"throughput corpus size (default {DEFAULT_CASES:,}; --quick: {QUICK_CASES})",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"corpus seed (default {DEFAULT_SEED})")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON document")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run of a few seconds")
    parser.add_argument("--million", action="store_true", help=f"add a {MILLION:,}-case memory run (long)")
    parser.add_argument(
        "--memory-only",
        action="store_true",
        help="run only the memory runs (measurement 3, without tracemalloc): with --million, "
        "the long streaming run and nothing else heavy",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help=f"rounds of measurement 1, the fastest of each kept (default {ROUNDS}; --quick: {QUICK_ROUNDS})",
    )
    parser.add_argument("--progress", action="store_true", help="report each step on stderr")
    parser.add_argument("--probe", help=argparse.SUPPRESS)  # internal: one memory run, in a fresh process
    args = parser.parse_args(argv)

    if args.probe:
        n, seed, workers, trace = (int(x) for x in args.probe.split(","))
        print(json.dumps(probe(n, seed, workers, bool(trace))))
        return 0

    n_cases = args.cases if args.cases is not None else (QUICK_CASES if args.quick else DEFAULT_CASES)
    if n_cases < 1:
        parser.error("--cases must be at least 1")
    rounds = args.rounds if args.rounds is not None else (QUICK_ROUNDS if args.quick else ROUNDS)
    if rounds < 1:
        parser.error("--rounds must be at least 1")
    memory_sizes = list(QUICK_MEMORY_SIZES if args.quick else MEMORY_SIZES)
    if args.million:
        memory_sizes.append(MILLION)
    trace_sizes = QUICK_TRACE_SIZES if args.quick else TRACE_SIZES

    result = run(
        n_cases,
        args.seed,
        memory_sizes=memory_sizes,
        trace_sizes=trace_sizes,
        rounds=rounds,
        progress=args.progress,
        memory_only=args.memory_only,
    )
    result["quick"] = args.quick
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
