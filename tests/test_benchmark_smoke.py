"""Smoke test of benchmarks/bench_assess.py: its corpus is deterministic and
valid, and the script runs.  No timing is asserted."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import kol_trust as kt

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_assess.py"

pytestmark = pytest.mark.skipif(not SCRIPT.is_file(), reason="benchmarks/ is not in this tree")


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("bench_assess", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


@pytest.fixture(scope="module")
def corpus(bench: ModuleType) -> list[kt.Case]:
    return bench.build_corpus(60, 11)


def test_same_seed_same_corpus(bench: ModuleType, corpus: list[kt.Case]) -> None:
    again = bench.build_corpus(60, 11)
    assert [kt.to_json(c) for c in again] == [kt.to_json(c) for c in corpus]
    other = bench.build_corpus(60, 12)
    assert [kt.to_json(c) for c in other] != [kt.to_json(c) for c in corpus]


def test_corpus_cases_are_valid_and_assess(corpus: list[kt.Case]) -> None:
    for case in corpus:
        assert 5 <= len(case.evidence) <= 40
        # Valid under the strict loader, not only as Python objects.
        assert kt.from_json(kt.to_json(case), kt.Case) == case
        assessment = kt.assess_case(case)
        used = [e for cr in assessment.criteria for e in cr.evidence]
        excluded = [x.evidence_id for x in assessment.excluded]
        # Nothing is lost: every input record is used or excluded (STANDARD §3).
        assert sorted(used + excluded) == sorted(e.id for e in case.evidence)


def test_corpus_exercises_every_exclusion_reason(bench: ModuleType) -> None:
    reasons = set()
    for case in bench.build_corpus(300, 1):
        reasons.update(x.reason for x in kt.assess_case(case).excluded)
    assert reasons == set(kt.ExclusionReason)


def test_scaling_case_has_the_requested_size(bench: ModuleType) -> None:
    case = bench.scaling_case(100, 3)
    assert len(case.evidence) == 100
    kt.assess_case(case)


def test_quick_run(bench: ModuleType) -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--json", "--cases", "20", "--seed", "5"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["corpus"]["cases"] == 20
    assert {row["records"] for row in result["scaling"]} == set(bench.QUICK_SIZES)
    # The corpus is the same in another process (another PYTHONHASHSEED).
    assert result["corpus"]["digest"] == bench.corpus_digest(bench.build_corpus(20, 5))
    assert "cases/s" in bench.render(result)


BATCH_SCRIPT = SCRIPT.parent / "bench_batch.py"


@pytest.mark.skipif(not BATCH_SCRIPT.is_file(), reason="benchmarks/bench_batch.py is not in this tree")
def test_batch_quick_run() -> None:
    proc = subprocess.run(
        [sys.executable, str(BATCH_SCRIPT), "--quick", "--json", "--cases", "30", "--seed", "5"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["corpus"]["cases"] == 30
    # workers=1 and workers=2 give the same output, and every synthetic line is assessed.
    assert result["identical"] is True
    assert [r["workers"] for r in result["throughput"]] == [1, 2]
    assert all(r["assessed"] == 30 and r["rejected"] == 0 for r in result["throughput"])
    # The control (two single-worker runs at once) did the same cases.
    assert result["control"]["cases"] == 30 and result["control_speedup"] > 0
    # The memory runs streamed every case (no timing or memory figure is asserted).
    assert result["memory"]
    assert all(m["assessed"] == m["cases"] and m["rejected"] == 0 for m in result["memory"])
    assert all(m["traced_peak_bytes"] > 0 for m in result["tracemalloc"])
