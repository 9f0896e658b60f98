"""``kol_trust.batch`` and ``kol-trust batch``: order, counts, workers, atomic output."""

from __future__ import annotations

import copy
import io
import json
import multiprocessing
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import pytest

import kol_trust as kt
import kol_trust.batch as kb
from conftest import VECTORS
from kol_trust.cli import main
from kol_trust.cli.progress import Progress
from kol_trust.errors import EvidenceConflictError, RubricNotFoundError


def _cases() -> list[dict[str, Any]]:
    paths = sorted(VECTORS.glob("0*.json")) + sorted(VECTORS.glob("1*.json"))
    return [json.loads(p.read_text(encoding="utf-8"))["case"] for p in paths]


CASES = _cases()
LIMIT = max(len(json.dumps(doc, ensure_ascii=False).encode()) for doc in CASES) + 10
"""A --max-line-bytes every good case fits in."""


def _line(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False)


def _conflicting() -> dict[str, Any]:
    doc = copy.deepcopy(next(c for c in CASES if c.get("evidence")))
    twin = copy.deepcopy(doc["evidence"][0])
    twin["reference"] = "a different record with the same id"
    doc["evidence"].append(twin)
    return doc


def _unknown_rubric() -> dict[str, Any]:
    doc = copy.deepcopy(CASES[0])
    doc["rubric"] = "9.9.9"
    return doc


# Bad lines mixed in, by 1-based line number of the input built below.
def _mixed_input() -> tuple[bytes, list[int], set[int]]:
    """(input, line numbers of the good cases in CASES order, line numbers of bad lines)."""
    bad = [
        "{not json",
        _line({"subject": 3, "as_of": "2026-01-01"}),
        _line(_conflicting()),
        _line(_unknown_rubric()),
        _line({**CASES[1], "padding": "x" * LIMIT}),  # over-long with --max-line-bytes LIMIT
        "[1, 2",
    ]
    lines: list[str] = []
    good_numbers: list[int] = []
    bad_numbers: set[int] = set()
    for i, doc in enumerate(CASES):
        lines.append(_line(doc))
        good_numbers.append(len(lines))
        if i < len(bad):
            lines.append(bad[i])
            bad_numbers.add(len(lines))
        if i % 4 == 0:
            lines.append("   " if i % 8 else "")  # empty and whitespace lines: skipped
    return ("\n".join(lines) + "\n").encode("utf-8"), good_numbers, bad_numbers


def _expected_output() -> str:
    return "".join(kt.to_json(kt.assess_case(kt.from_dict(doc, kt.Case))) + "\n" for doc in CASES)


# -- library -------------------------------------------------------------------------


def test_assess_many_keeps_order_and_matches_assess_case() -> None:
    cases = [kt.from_dict(doc, kt.Case) for doc in CASES]
    expected = [kt.assess_case(c) for c in cases]
    assert list(kb.assess_many(iter(cases), chunk_size=3)) == expected
    assert list(kb.assess_many(iter(cases), workers=2, chunk_size=2)) == expected


def test_assess_many_is_lazy() -> None:
    case = kt.from_dict(CASES[1], kt.Case)
    pulled = 0

    def endless() -> Any:
        nonlocal pulled
        while True:
            pulled += 1
            yield case

    it = kb.assess_many(endless(), chunk_size=5)
    first = [next(it) for _ in range(3)]
    assert first == [kt.assess_case(case)] * 3
    assert pulled <= 6


@pytest.mark.parametrize("workers", [1, 2])
def test_assess_many_raises_case_errors(workers: int) -> None:
    docs = [CASES[0], _conflicting()]
    with pytest.raises(EvidenceConflictError):
        list(kb.assess_many((kt.from_dict(d, kt.Case) for d in docs), workers=workers, chunk_size=1))
    with pytest.raises(RubricNotFoundError):
        list(kb.assess_many([kt.from_dict(_unknown_rubric(), kt.Case)], workers=workers))


def test_assess_many_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="workers"):
        kb.assess_many([], workers=0)
    with pytest.raises(ValueError, match="chunk_size"):
        kb.assess_many([], chunk_size=0)


def test_run_jsonl_counts_and_order() -> None:
    data, good, bad = _mixed_input()
    results = list(kb.run_jsonl(io.BytesIO(data), max_line_bytes=LIMIT, chunk_size=4))
    assert [r.line for r in results] == sorted(good + list(bad))
    assert [r.line for r in results if r.error is None] == good
    assert {r.line for r in results if r.error is not None} == bad
    assert all((r.output is None) != (r.error is None) for r in results)
    summary = kb.BatchSummary.of(results)
    assert (summary.read, summary.assessed, summary.rejected) == (len(good) + len(bad), len(good), len(bad))
    assert "".join(r.output + "\n" for r in results if r.output is not None) == _expected_output()
    errors = {r.line: r.error for r in results if r.error is not None}
    too_long = max(bad, key=lambda n: len(data.split(b"\n")[n - 1]))
    assert errors[too_long] == f"line longer than {LIMIT} bytes: not parsed"


def test_run_jsonl_as_of_overrides_each_case() -> None:
    day = kt.from_dict(CASES[1], kt.Case).as_of.replace(year=2027)
    [result] = kb.run_jsonl([_line(CASES[1]).encode()], as_of=day)
    assert result.output is not None
    assert json.loads(result.output)["as_of"] == day.isoformat()


def test_read_lines_bounds_long_lines() -> None:
    stream = io.BytesIO(b"short\n" + b"x" * 100 + b"\nlast")
    assert list(kb.read_lines(stream, 10)) == [b"short\n", b"x" * 11, b"last"]
    assert list(kb.read_lines(io.BytesIO(b"0123456789\r\n"), 10)) == [b"0123456789\r\n"]


def test_summary_invariant() -> None:
    assert str(kb.BatchSummary(3, 2, 1)) == "read 3, assessed 2, rejected 1"
    with pytest.raises(ValueError, match="read"):
        kb.BatchSummary(3, 1, 1)


# -- command line --------------------------------------------------------------------


def _batch(tmp_path: Path, data: bytes, *options: str) -> tuple[int, Path, Path]:
    src, out, err = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "err.jsonl"
    src.write_bytes(data)
    code = main(["batch", str(src), "-o", str(out), "--errors", str(err), *options])
    return code, out, err


def test_cli_mixed_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, good, bad = _mixed_input()
    code, out, err = _batch(tmp_path, data, "--max-line-bytes", str(LIMIT))
    assert code == 3
    assert out.read_text(encoding="utf-8") == _expected_output()
    errors = [json.loads(line) for line in err.read_text(encoding="utf-8").splitlines()]
    assert [e["line"] for e in errors] == sorted(bad)
    assert all(isinstance(e["error"], str) and e["error"] for e in errors)
    read, assessed, rejected = len(good) + len(bad), len(good), len(bad)
    assert capsys.readouterr().err == f"kol-trust: read {read}, assessed {assessed}, rejected {rejected}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["err.jsonl", "in.jsonl", "out.jsonl"]


def test_cli_workers_give_identical_bytes(tmp_path: Path) -> None:
    data, _, _ = _mixed_input()
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    code1, out1, err1 = _batch(one, data, "--max-line-bytes", str(LIMIT))
    code2, out2, err2 = _batch(two, data, "--max-line-bytes", str(LIMIT), "--workers", "2")
    assert code1 == code2 == 3
    assert out1.read_bytes() == out2.read_bytes()
    assert err1.read_bytes() == err2.read_bytes()


def test_cli_all_good_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _batch(tmp_path, "".join(_line(d) + "\n" for d in CASES).encode())
    assert code == 0
    assert out.read_text(encoding="utf-8") == _expected_output()
    assert err.read_text(encoding="utf-8") == ""
    assert "rejected 0" in capsys.readouterr().err


@pytest.mark.parametrize(("exc", "code"), [(KeyboardInterrupt, 130), (RuntimeError, 1)])
def test_cli_failed_run_leaves_whole_lines_and_a_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exc: type[BaseException], code: int
) -> None:
    calls = 0
    real = kt.assess  # what kol_trust.batch calls

    def flaky(*args: Any, **kwargs: Any) -> kt.Assessment:
        nonlocal calls
        calls += 1
        if calls == 5:
            raise exc("stop")
        return real(*args, **kwargs)

    monkeypatch.setattr("kol_trust.batch.assess", flaky)
    data = "".join(_line(d) + "\n" for d in CASES).encode()
    assert _batch(tmp_path, data, "--workers", "1")[0] == code
    assert calls == 5
    # No temporary file; the output holds whole lines (none here: the first chunk failed), the
    # checkpoint says where to resume, and --resume gives what an uninterrupted run gives.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["err.jsonl", "in.jsonl", "out.jsonl", "out.jsonl.checkpoint"]
    assert (tmp_path / "out.jsonl").read_bytes() == b""
    monkeypatch.setattr("kol_trust.batch.assess", real)
    assert _batch(tmp_path, data, "--workers", "1", "--resume")[0] == 0
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == "".join(
        kt.to_json(kt.assess_case(kt.from_dict(d, kt.Case))) + "\n" for d in CASES
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["err.jsonl", "in.jsonl", "out.jsonl"]


def test_cli_unreadable_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, err = tmp_path / "out.jsonl", tmp_path / "err.jsonl"
    assert main(["batch", str(tmp_path / "missing.jsonl"), "-o", str(out), "--errors", str(err)]) == 2
    assert main(["batch", str(tmp_path), "-o", str(out), "--errors", str(err)]) == 2
    assert "no such file" in capsys.readouterr().err
    assert not out.exists() and not err.exists()


def test_cli_stdin_stdout(tmp_path: Path) -> None:
    data, good, bad = _mixed_input()
    err = tmp_path / "err.jsonl"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "kol_trust",
            "batch",
            "-",
            "-o",
            "-",
            "--errors",
            str(err),
            "--max-line-bytes",
            str(LIMIT),
        ],
        input=data,
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout.decode("utf-8") == _expected_output()
    assert [json.loads(line)["line"] for line in err.read_text(encoding="utf-8").splitlines()] == sorted(bad)
    assert (
        proc.stderr.decode() == f"kol-trust: read {len(good) + len(bad)}, assessed {len(good)}, rejected {len(bad)}\n"
    )


@pytest.mark.parametrize("blank", [b"", b" ", b"\t", b" \t\x0b\x0c ", b"\r"])
def test_lines_of_ascii_whitespace_are_skipped_and_others_are_read(blank: bytes) -> None:
    good = _line(CASES[0]).encode("utf-8")
    results = list(kb.run_jsonl([blank + b"\n", good + b"\n", b"\xc2\xa0\n"]))
    # The blank line counts in the numbers but gives no result; a no-break
    # space is not JSON whitespace: that line is read, and rejected.
    assert [(r.line, r.error is None) for r in results] == [(2, True), (3, False)]


# -- an interrupt while the workers are being ended ----------------------------------


@pytest.fixture
def no_stray_workers() -> Iterator[None]:
    """The test leaves no worker process alive (and ends any it finds, so that a
    failure does not hang the session at exit: workers ignore SIGTERM)."""
    assert not multiprocessing.active_children()
    yield
    strays = multiprocessing.active_children()
    for p in strays:
        os.kill(p.pid, signal.SIGKILL)  # type: ignore[arg-type]
        p.join()
    assert not strays, f"{len(strays)} worker(s) left running"


def _interrupt_at_the_first_kill(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Ending the first worker sends this process a SIGINT: the moment a second
    Ctrl-C lands in the middle of the clean-up."""
    real = BaseProcess.kill
    killed: list[int] = []

    def kill(self: BaseProcess) -> None:
        real(self)
        killed.append(self.pid or 0)
        if len(killed) == 1:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(BaseProcess, "kill", kill)
    return killed


@pytest.mark.usefixtures("no_stray_workers")
def test_an_interrupt_while_the_pool_ends_its_workers_still_ends_every_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """The interrupt is held back until every worker is ended, then raised."""
    killed = _interrupt_at_the_first_kill(monkeypatch)
    lines = [(_line(d) + "\n").encode() for d in CASES] * 40
    seen: list[kb.LineResult] = []
    results = kb.run_jsonl(lines, workers=2, chunk_size=2, stop=lambda: bool(seen))
    with pytest.raises(KeyboardInterrupt):
        seen.extend(results)  # what came before the interrupt stays in the list
    assert len(killed) == 2
    assert 0 < len(seen) < len(lines)


@pytest.mark.usefixtures("no_stray_workers")
def test_cli_a_second_interrupt_during_the_clean_up_stops_it_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A first Ctrl-C after the first line is written, a second one while the
    workers are being ended: every worker is ended, the command exits 130 with
    one line (no "Exception ignored" traceback), and the checkpoint resumes."""
    real_update = Progress.update
    updates = 0

    def update(self: Progress, *args: Any, **kwargs: Any) -> None:
        nonlocal updates
        updates += 1
        if updates == 1:
            os.kill(os.getpid(), signal.SIGINT)
        real_update(self, *args, **kwargs)

    monkeypatch.setattr(Progress, "update", update)
    killed = _interrupt_at_the_first_kill(monkeypatch)
    data = "".join(_line(d) + "\n" for d in CASES * 40).encode()
    code, out, _ = _batch(tmp_path, data, "--workers", "2", "--quiet")
    assert code == 130
    assert len(killed) == 2
    assert capsys.readouterr().err == "kol-trust: interrupted\n"
    assert (tmp_path / "out.jsonl.checkpoint").is_file()
    monkeypatch.undo()
    assert _batch(tmp_path, data, "--workers", "2", "--quiet", "--resume")[0] == 0
    assert out.read_text(encoding="utf-8") == _expected_output() * 40
