"""A bad document costs little: problems, messages and errors entries are bounded.

The hostile line of issue 14 (a case whose ``evidence`` holds 300 000 ``{}``)
used to take 21 s, 2.7 GB and an 84 MB message; it is now rejected at once,
and under a memory limit (``resource.setrlimit`` in the child) a batch run
still assesses the other lines.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import kol_trust as kt
from kol_trust.batch import MAX_ERROR_CHARS, run_jsonl
from kol_trust.errors import MAX_PROBLEM_CHARS, MAX_PROBLEMS, KolTrustError, Problem
from kol_trust.synth import synthetic_cases

SUBJECT = {"id": "s", "name": "S", "kind": "kol"}


def _hostile(n: int = 300_000) -> bytes:
    return json.dumps({"subject": SUBJECT, "as_of": "2026-11-29", "evidence": [{}] * n}).encode()


def test_a_list_of_300000_bad_items_stops_after_100() -> None:
    with pytest.raises(kt.ValidationError) as info:
        kt.from_json(_hostile(), kt.Case)
    e = info.value
    # Five missing fields in each of the first 100 items, and one problem saying where it stopped.
    assert len(e.problems) == MAX_PROBLEMS * 5 + 1
    assert e.problems[0] == Problem("$.evidence", "299900 more items not checked after 100 items with problems")
    assert e.problems[1] == Problem("$.evidence[0].id", "required field is missing")
    text = str(e)
    assert text.splitlines()[0] == f"invalid Case document: {MAX_PROBLEMS * 5 + 1} problems"
    assert text.splitlines()[1] == "  $.evidence: 299900 more items not checked after 100 items with problems"
    assert text.splitlines()[-1] == f"  … and {MAX_PROBLEMS * 5 + 1 - MAX_PROBLEMS} more"
    assert len(text.splitlines()) == MAX_PROBLEMS + 2
    assert len(text) < 10_000


def test_a_short_list_is_reported_in_full() -> None:
    with pytest.raises(kt.ValidationError) as info:
        kt.from_json(_hostile(MAX_PROBLEMS), kt.Case)
    assert len(info.value.problems) == MAX_PROBLEMS * 5
    assert "not checked" not in str(info.value)


def test_many_unknown_fields_are_listed_up_to_100() -> None:
    doc = {"subject": {**SUBJECT, **{f"x{i:05d}": 1 for i in range(10_000)}}, "as_of": "2026-11-29"}
    with pytest.raises(kt.ValidationError) as info:
        kt.from_dict(doc, kt.Case)
    problems = info.value.problems
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[0] == Problem("$.subject.x00000", "unknown field")
    assert problems[-1] == Problem("$.subject", "9900 more unknown fields not listed")


def test_a_long_key_is_cut_in_the_path() -> None:
    key = "k" * 10_000
    with pytest.raises(kt.ValidationError) as info:
        kt.from_dict({"subject": {**SUBJECT, key: 1}, "as_of": "2026-11-29"}, kt.Case)
    (problem,) = info.value.problems
    assert problem.path == "$.subject[" + json.dumps("k" * 64 + "…") + "]"


def test_the_message_lists_100_problems_of_500_characters() -> None:
    problems = [Problem(f"$.x[{i}]", "y" * (1000 if i == 0 else 5)) for i in range(250)]
    text = str(kt.ValidationError("Case document", problems))
    lines = text.splitlines()
    assert lines[0] == "invalid Case document: 250 problems"
    assert len(lines) == 1 + MAX_PROBLEMS + 1
    assert len(lines[1]) == MAX_PROBLEM_CHARS and lines[1].endswith("…")
    assert lines[-1] == "  … and 150 more"
    # Every problem is kept on the error for programs; only the message is cut.
    assert len(kt.ValidationError("Case document", problems).problems) == 250


def test_a_hopeless_rubric_skips_the_rule_pass() -> None:
    doc = json.loads(kt.to_json(kt.load_rubric("1.0.0")))
    doc["pillars"] = [{}] * 50_000
    with pytest.raises(kt.ValidationError) as info:
        kt.from_dict(doc, kt.Rubric)
    assert len(info.value.problems) < 2_000
    assert "49900 more items not checked" in str(info.value)


def test_an_errors_entry_is_cut_to_its_maximum(monkeypatch: pytest.MonkeyPatch) -> None:
    def huge(text: object, cls: object) -> None:
        raise KolTrustError("x" * (3 * MAX_ERROR_CHARS))

    monkeypatch.setattr("kol_trust.batch.from_json", huge)
    (result,) = run_jsonl([b"{}\n"])
    assert result.error is not None
    assert len(result.error) == MAX_ERROR_CHARS and result.error.endswith("…")


def _limited(limit: int) -> Any:
    def set_limit() -> None:
        import resource  # only in the child, before exec

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return set_limit


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS as Linux counts it")
@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_hostile_line_under_a_memory_limit_leaves_the_others_assessed(tmp_path: Path, workers: str) -> None:
    good = [kt.to_json(c) for c in synthetic_cases(6, seed=5)]
    src = tmp_path / "in.jsonl"
    src.write_bytes(("\n".join(good[:3]) + "\n").encode() + _hostile() + b"\n" + ("\n".join(good[3:]) + "\n").encode())
    out, err = tmp_path / "out.jsonl", tmp_path / "err.jsonl"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "kol_trust",
            "batch",
            str(src),
            "-o",
            str(out),
            "--errors",
            str(err),
            "--workers",
            workers,
        ],
        preexec_fn=_limited(400 * 2**20),  # the unbounded reading needed 2.7 GB
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr == "kol-trust: read 7, assessed 6, rejected 1\n"
    assert len(out.read_text().splitlines()) == 6
    (entry,) = [json.loads(line) for line in err.read_text().splitlines()]
    assert entry["line"] == 4
    assert "299900 more items not checked" in entry["error"]
    assert len(err.read_bytes()) < 20_000


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss in KiB")
def test_the_hostile_line_costs_under_100_mb(tmp_path: Path) -> None:
    src = tmp_path / "hostile.json"
    src.write_bytes(_hostile())
    script = (
        "import resource, sys, kol_trust as kt\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    kt.from_json(open(sys.argv[1], 'rb').read(), kt.Case)\n"
        "except kt.ValidationError as e:\n"
        "    text = str(e)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before, len(text))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(src)], capture_output=True, text=True, check=True)
    grown_kib, message = map(int, proc.stdout.split())
    assert grown_kib < 100 * 1024
    assert message < 10_000
