"""``kol-trust batch`` under real signals, in real processes (no mocks).

A batch subprocess (two workers) is sent SIGINT or SIGTERM, or killed with
SIGKILL (the parent, or one of its workers), at a random moment, several times
over.  After each: the process group is empty within seconds (no orphan
worker), no temporary file is left, the output and the errors file hold whole
lines that begin the clean run's output, and ``--resume`` gives the clean
run's bytes exactly.  The moments come from a seeded generator, so a failure
can be replayed.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kol_trust.synth import synthetic_cases
from kol_trust.wire import to_json

N_CASES = 3_200  # a run lasts about a second: longer than the widest random wait before a signal
WORKERS = "2"
REPEATS = 2
WORKER_KILLS = 10

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and process groups")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path | bytes]:
    """The input (with bad and blank lines mixed in) and the clean run's outputs."""
    root = tmp_path_factory.mktemp("corpus")
    lines = []
    for i, case in enumerate(synthetic_cases(N_CASES, seed=3)):
        lines.append(to_json(case))
        if i % 400 == 7:
            lines += ["{not json", ""]
    src = root / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = _start(src, root / "out.jsonl", root / "err.jsonl")
    assert proc.wait(timeout=120) == 3, proc.stderr.read() if proc.stderr else ""
    return {
        "input": src,
        "output": (root / "out.jsonl").read_bytes(),
        "errors": (root / "err.jsonl").read_bytes(),
    }


_STARTED: list[int] = []


@pytest.fixture(autouse=True)
def _no_strays() -> Iterator[None]:
    """A failing test must not leave its processes running: end the groups it started."""
    yield
    while _STARTED:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(_STARTED.pop(), signal.SIGKILL)


def _start(src: Path, out: Path, err: Path, *options: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "kol_trust", "batch", str(src), "-o", str(out), "--errors", str(err)]
    proc = subprocess.Popen(
        [*command, "--workers", WORKERS, "--quiet", *options],
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the test can see every process it left
    )
    _STARTED.append(proc.pid)
    return proc


def _processes() -> list[tuple[int, str, int, int]]:
    """(pid, state, parent pid, process group) of every process, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found.append((int(entry.name), fields[0], int(fields[1]), int(fields[2])))
    return found


def _children(pid: int) -> list[int]:
    return [p for p, state, parent, _ in _processes() if parent == pid and state != "Z"]


def _group_gone(pgid: int, timeout: float = 10.0) -> bool:
    """No live process left in the group (a zombie waiting for init to reap it is not alive)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(group == pgid and state != "Z" for _, state, _, group in _processes()):
            return True
        time.sleep(0.05)
    return False


def _check_partial(work: Path, corpus: dict[str, Path | bytes], *, killed: bool = False) -> None:
    """Whole lines only, each the clean run's line at that place, no temporary file.

    After a kill -9 of the parent (*killed*) the kill may land in the middle
    of a write: past the checkpoint the output is still the clean run's
    prefix, but only up to the checkpoint must it be whole lines."""
    names = sorted(p.name for p in work.iterdir())
    assert set(names) <= {"out.jsonl", "err.jsonl", "out.jsonl.checkpoint"}, names
    point = work / "out.jsonl.checkpoint"
    saved = json.loads(point.read_bytes()) if killed and point.exists() else None
    for name, clean, key in (("out.jsonl", corpus["output"], "output"), ("err.jsonl", corpus["errors"], "errors")):
        part = (work / name).read_bytes() if (work / name).exists() else b""
        assert isinstance(clean, bytes)
        assert clean.startswith(part), name
        if killed:
            part = part[: saved[key]["bytes"]] if saved is not None else b""
        assert part == b"" or part.endswith(b"\n"), name
        for line in part.splitlines():
            json.loads(line)  # every line a whole JSON document


def _resume(work: Path, corpus: dict[str, Path | bytes]) -> None:
    src = corpus["input"]
    assert isinstance(src, Path)
    proc = _start(src, work / "out.jsonl", work / "err.jsonl", "--resume")
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 3, stderr.decode()
    assert (work / "out.jsonl").read_bytes() == corpus["output"]
    assert (work / "err.jsonl").read_bytes() == corpus["errors"]
    assert sorted(p.name for p in work.iterdir()) == ["err.jsonl", "out.jsonl"]


def _finished(work: Path, corpus: dict[str, Path | bytes]) -> bool:
    """The run wrote everything and ended cleanly: the signal or kill came too late to stop it."""
    out, err = work / "out.jsonl", work / "err.jsonl"
    return (
        not (work / "out.jsonl.checkpoint").exists()
        and out.exists()
        and out.read_bytes() == corpus["output"]
        and err.exists()
        and err.read_bytes() == corpus["errors"]
    )


def _wait_for_workers(proc: subprocess.Popen[bytes]) -> list[int]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        workers = _children(proc.pid)
        if len(workers) >= int(WORKERS):
            return workers
        time.sleep(0.01)
    raise AssertionError("the workers did not start")


@pytest.mark.parametrize("repeat", range(REPEATS))
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_leaves_a_resumable_partial_output(
    tmp_path: Path, corpus: dict[str, Path | bytes], sig: signal.Signals, repeat: int
) -> None:
    rng = random.Random(f"{sig.name}-{repeat}")
    src = corpus["input"]
    assert isinstance(src, Path)
    proc = _start(src, tmp_path / "out.jsonl", tmp_path / "err.jsonl")
    _wait_for_workers(proc)
    time.sleep(rng.uniform(0.0, 0.4))
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    message = stderr.decode()
    # It finished before the signal came (exit 3), or the signal came as the
    # finished process was exiting, after the command had restored the default
    # handler (killed by it).
    if proc.returncode in (3, -sig) and _finished(tmp_path, corpus):
        pytest.skip("the run finished before the signal")
    assert proc.returncode == 128 + sig, message
    # One line, no traceback: how far it got, and how to go on.
    assert message.count("\n") == 1, message
    assert f"{sig.name}: interrupted after " in message and " lines " in message
    assert f"--workers {WORKERS} --resume" in message
    assert _group_gone(proc.pid)
    assert (tmp_path / "out.jsonl.checkpoint").is_file()
    _check_partial(tmp_path, corpus)
    # Exactly as far as the checkpoint says.
    checkpoint = json.loads((tmp_path / "out.jsonl.checkpoint").read_bytes())
    assert checkpoint["output"]["bytes"] == (tmp_path / "out.jsonl").stat().st_size
    assert checkpoint["errors"]["bytes"] == (tmp_path / "err.jsonl").stat().st_size
    _resume(tmp_path, corpus)


def test_sigint_then_sigterm_then_resume(tmp_path: Path, corpus: dict[str, Path | bytes]) -> None:
    src = corpus["input"]
    assert isinstance(src, Path)
    for sig, options in ((signal.SIGINT, ()), (signal.SIGTERM, ("--resume",))):
        proc = _start(src, tmp_path / "out.jsonl", tmp_path / "err.jsonl", *options)
        _wait_for_workers(proc)
        time.sleep(0.2)
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 128 + sig, stderr.decode()
        assert _group_gone(proc.pid)
        _check_partial(tmp_path, corpus)
    _resume(tmp_path, corpus)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_second_signal_stops_at_once_with_the_same_exit_code(
    tmp_path: Path, corpus: dict[str, Path | bytes], sig: signal.Signals
) -> None:
    """A second SIGTERM while the run winds down is still a SIGTERM: exit 143
    (it was 130, as if Ctrl-C had been pressed); a second SIGINT exits 130."""
    src = corpus["input"]
    assert isinstance(src, Path)
    proc = _start(src, tmp_path / "out.jsonl", tmp_path / "err.jsonl")
    _wait_for_workers(proc)
    time.sleep(0.1)
    proc.send_signal(sig)
    time.sleep(0.002)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    # 128 + sig from the command; -sig when the second came after the command
    # had given the signal back to its default handler, as it exited.
    assert proc.returncode in (128 + sig, -sig), stderr.decode()
    # Stopped by the command, not lost in a finaliser ("Exception ignored in …").
    assert b"Traceback" not in stderr and b"Exception ignored" not in stderr, stderr.decode()
    assert _group_gone(proc.pid)
    assert {p.name for p in tmp_path.iterdir()} <= {"out.jsonl", "err.jsonl", "out.jsonl.checkpoint"}


@pytest.mark.parametrize("repeat", range(REPEATS))
def test_kill_9_of_the_parent(tmp_path: Path, corpus: dict[str, Path | bytes], repeat: int) -> None:
    rng = random.Random(f"parent-{repeat}")
    src = corpus["input"]
    assert isinstance(src, Path)
    proc = _start(src, tmp_path / "out.jsonl", tmp_path / "err.jsonl")
    _wait_for_workers(proc)
    time.sleep(rng.uniform(0.0, 0.5))
    proc.kill()
    proc.wait(timeout=60)  # not communicate(): orphans would hold its stderr open
    if proc.returncode == 3:
        pytest.skip("the run finished before the kill")
    assert proc.returncode == -signal.SIGKILL
    # The workers notice that their parent is gone and exit by themselves.
    assert _group_gone(proc.pid), "orphan workers left behind"
    _check_partial(tmp_path, corpus, killed=True)
    if (tmp_path / "out.jsonl.checkpoint").exists():
        _resume(tmp_path, corpus)


@pytest.mark.parametrize("repeat", range(WORKER_KILLS))
def test_kill_9_of_a_worker_stops_the_run_clearly(tmp_path: Path, corpus: dict[str, Path | bytes], repeat: int) -> None:
    rng = random.Random(f"worker-{repeat}")
    src = corpus["input"]
    assert isinstance(src, Path)
    proc = _start(src, tmp_path / "out.jsonl", tmp_path / "err.jsonl")
    workers = _wait_for_workers(proc)
    time.sleep(rng.uniform(0.0, 0.4))
    try:
        os.kill(rng.choice(workers), signal.SIGKILL)
    except ProcessLookupError:  # that worker had already ended: the run is over or ending
        proc.communicate(timeout=60)
        assert _finished(tmp_path, corpus)
        pytest.skip("the run finished before the kill")
    _, stderr = proc.communicate(timeout=60)  # never a hang
    message = stderr.decode()
    if proc.returncode == 3 and _finished(tmp_path, corpus):
        pytest.skip("the run finished before the kill")
    assert proc.returncode == 1, message
    assert "ended unexpectedly (killed by SIGKILL)" in message
    assert "stopped after " in message and "--resume" in message
    assert "Traceback" not in message
    assert _group_gone(proc.pid)
    _check_partial(tmp_path, corpus)
    _resume(tmp_path, corpus)


def test_resume_refuses_another_input_or_options(tmp_path: Path, corpus: dict[str, Path | bytes]) -> None:
    src = corpus["input"]
    assert isinstance(src, Path)
    proc = _start(src, tmp_path / "out.jsonl", tmp_path / "err.jsonl")
    _wait_for_workers(proc)
    while proc.poll() is None and not (tmp_path / "out.jsonl").stat().st_size:
        time.sleep(0.01)  # some lines written: the checkpoint covers the changed byte
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    assert proc.returncode == 130
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    other = tmp_path.parent / f"{tmp_path.name}-other.jsonl"
    data = src.read_bytes()
    other.write_bytes(data[:100] + b" " + data[101:])  # one byte changed near the start
    for source, options, expected in [
        (other, (), "is not the input of the interrupted run (its first"),
        (src, ("--as-of", "2026-01-01"), "the interrupted run had --as-of (not given) (this one 2026-01-01)"),
        (src, ("--rubric", "1.0.0"), "the interrupted run had --rubric (not given)"),
        (src, ("--max-line-bytes", "99999999"), "--max-line-bytes 16777216"),
    ]:
        proc = _start(source, tmp_path / "out.jsonl", tmp_path / "err.jsonl", "--resume", *options)
        _, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 2, stderr.decode()
        assert "cannot resume: " in stderr.decode() and expected in stderr.decode(), stderr.decode()
        assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # nothing touched

    # An output changed since the checkpoint is refused too.
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"x" + out.read_bytes()[1:])
    proc = _start(src, out, tmp_path / "err.jsonl", "--resume")
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 2, stderr.decode()
    assert "is not as the interrupted run left it" in stderr.decode()


def test_resume_without_a_checkpoint_is_refused(tmp_path: Path, corpus: dict[str, Path | bytes]) -> None:
    src = corpus["input"]
    assert isinstance(src, Path)
    proc = _start(src, tmp_path / "out.jsonl", tmp_path / "err.jsonl", "--resume")
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "out.jsonl.checkpoint: no checkpoint to resume from" in stderr.decode()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("text", ["", "{}", '{"format": "kol-trust batch checkpoint 1"}', "not json"])
def test_resume_refuses_a_file_that_is_not_a_checkpoint(
    tmp_path: Path, corpus: dict[str, Path | bytes], text: str
) -> None:
    src = corpus["input"]
    assert isinstance(src, Path)
    (tmp_path / "out.jsonl.checkpoint").write_text(text)
    proc = _start(src, tmp_path / "out.jsonl", tmp_path / "err.jsonl", "--resume")
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert stderr.decode().endswith("out.jsonl.checkpoint: not a checkpoint of kol-trust batch; run without --resume\n")
