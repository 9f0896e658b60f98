"""Where the commands write: devices and pipes in place, modes, same-file outputs, full disks, exit codes."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kol_trust.cli import common, main
from kol_trust.synth import synthetic_cases
from kol_trust.wire import to_json

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX devices, pipes and modes")


def _cases(path: Path, n: int = 5) -> Path:
    path.write_text("".join(to_json(c) + "\n" for c in synthetic_cases(n, seed=1)), encoding="utf-8")
    return path


@contextlib.contextmanager
def _umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


# -- devices and pipes ------------------------------------------------------------------


@pytest.mark.parametrize("command", ["synth", "batch"])
def test_dev_null_stays_a_device(tmp_path: Path, command: str) -> None:
    before = os.stat("/dev/null")
    if command == "synth":
        code = main(["synth", "--n", "3", "--seed", "1", "-o", "/dev/null", "--quiet"])
    else:
        src = _cases(tmp_path / "in.jsonl")
        code = main(["batch", str(src), "-o", "/dev/null", "--errors", str(tmp_path / "err.jsonl"), "--quiet"])
    assert code == 0
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_rdev, stat.S_IMODE(after.st_mode)) == (before.st_rdev, stat.S_IMODE(before.st_mode))
    assert not any(p.name.startswith(".null") for p in Path("/dev").iterdir())


def _drain(fifo: Path, into: list[bytes]) -> threading.Thread:
    def read() -> None:
        with open(fifo, "rb") as f:
            into.append(f.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("command", ["synth", "batch"])
def test_a_named_pipe_is_written_not_replaced(tmp_path: Path, command: str) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = _drain(fifo, got)
    if command == "synth":
        assert main(["synth", "--n", "3", "--seed", "1", "-o", str(fifo), "--quiet"]) == 0
        expected = "".join(to_json(c) + "\n" for c in synthetic_cases(3, seed=1)).encode()
    else:
        src = _cases(tmp_path / "in.jsonl", 3)
        out = tmp_path / "file.jsonl"
        assert main(["batch", str(src), "-o", str(out), "--errors", str(tmp_path / "e.jsonl"), "--quiet"]) == 0
        expected = out.read_bytes()
        assert main(["batch", str(src), "-o", str(fifo), "--errors", str(tmp_path / "e.jsonl"), "--quiet"]) == 0
    reader.join(timeout=30)
    assert got == [expected]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_dev_stdout_is_written_in_place(tmp_path: Path) -> None:
    # A user who may not create files in /dev can still name /dev/stdout.
    proc = subprocess.run(
        [sys.executable, "-m", "kol_trust", "synth", "--n", "2", "--seed", "1", "-o", "/dev/stdout"],
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == "".join(to_json(c) + "\n" for c in synthetic_cases(2, seed=1))


# -- modes -------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["synth", "batch"])
def test_new_files_follow_the_umask(tmp_path: Path, command: str) -> None:
    out = tmp_path / "out.jsonl"
    with _umask(0o077):
        if command == "synth":
            assert main(["synth", "--n", "2", "--seed", "1", "-o", str(out), "--quiet"]) == 0
        else:
            src = _cases(tmp_path / "in.jsonl")
            assert main(["batch", str(src), "-o", str(out), "--errors", str(tmp_path / "err.jsonl"), "--quiet"]) == 0
            assert stat.S_IMODE((tmp_path / "err.jsonl").stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with _umask(0o022):
        other = tmp_path / "other.jsonl"
        assert main(["synth", "--n", "2", "--seed", "1", "-o", str(other), "--quiet"]) == 0
    assert stat.S_IMODE(other.stat().st_mode) == 0o644


@pytest.mark.parametrize("command", ["synth", "batch"])
@pytest.mark.parametrize("mode", [0o600, 0o640])
def test_an_existing_file_keeps_its_mode(tmp_path: Path, command: str, mode: int) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("old results\n")
    out.chmod(mode)
    with _umask(0o022):
        if command == "synth":
            assert main(["synth", "--n", "2", "--seed", "1", "-o", str(out), "--quiet"]) == 0
        else:
            src = _cases(tmp_path / "in.jsonl")
            assert main(["batch", str(src), "-o", str(out), "--errors", str(tmp_path / "err.jsonl"), "--quiet"]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == mode
    assert "old results" not in out.read_text()


def test_a_symbolic_link_is_followed_not_replaced(tmp_path: Path) -> None:
    real = tmp_path / "real.jsonl"
    real.write_text("")
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    assert main(["synth", "--n", "2", "--seed", "1", "-o", str(link), "--quiet"]) == 0
    assert link.is_symlink()
    assert real.read_text().count("\n") == 2


# -- two outputs, one file ---------------------------------------------------------------


def _same(tmp_path: Path, spelling: str) -> tuple[str, str]:
    out = tmp_path / "out.jsonl"
    if spelling == "same":
        return str(out), str(out)
    if spelling == "dotdot":
        (tmp_path / "sub").mkdir()
        return str(out), str(tmp_path / "sub" / ".." / "out.jsonl")
    if spelling == "symlink":
        (tmp_path / "alias.jsonl").symlink_to(out)
        return str(out), str(tmp_path / "alias.jsonl")
    out.write_text("")
    os.link(out, tmp_path / "hard.jsonl")
    return str(out), str(tmp_path / "hard.jsonl")


@pytest.mark.parametrize("spelling", ["same", "dotdot", "symlink", "hardlink"])
def test_batch_refuses_one_file_for_both_outputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spelling: str
) -> None:
    src = _cases(tmp_path / "in.jsonl")
    a, b = _same(tmp_path, spelling)
    assert main(["batch", str(src), "-o", a, "--errors", b]) == 2
    assert "-o and --errors name the same file" in capsys.readouterr().err


def test_batch_refuses_to_write_over_its_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _cases(tmp_path / "in.jsonl")
    data = src.read_bytes()
    assert main(["batch", str(src), "-o", str(src), "--errors", str(tmp_path / "err.jsonl")]) == 2
    assert "is the input file" in capsys.readouterr().err
    assert src.read_bytes() == data


def test_pack_and_report_refuse_one_file_for_two_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "s.jsonl").write_text("")
    (tmp_path / "e.jsonl").write_text("")
    out = str(tmp_path / "x")
    argv = ["pack", "--subjects", str(tmp_path / "s.jsonl"), "--evidence", str(tmp_path / "e.jsonl")]
    assert main([*argv, "--as-of", "2026-11-29", "-o", out, "--orphans", out]) == 2
    assert "-o and --orphans name the same file" in capsys.readouterr().err
    case = tmp_path / "case.json"
    case.write_text(to_json(next(iter(synthetic_cases(1, seed=1)))))
    assert main(["report", str(case), "--html", out, "--svg", str(tmp_path / "." / "x")]) == 2
    assert "--html and --svg name the same file" in capsys.readouterr().err


# -- a full disk ---------------------------------------------------------------------------


def test_dev_full_is_an_environment_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    assert main(["synth", "--n", "2", "--seed", "1", "-o", "/dev/full", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err == "kol-trust: /dev/full: cannot write (No space left on device)\n"
    src = _cases(tmp_path / "in.jsonl")
    assert main(["batch", str(src), "-o", "/dev/full", "--errors", str(tmp_path / "e.jsonl"), "--quiet"]) == 1
    assert "/dev/full: cannot write (No space left on device)" in capsys.readouterr().err


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs, where this test may mount one (root, no container rule against it)."""
    mount = tmp_path / "small"
    mount.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip() or proc.returncode}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_full_filesystem(full_disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # synth: the temporary file is removed, the exit code is 1, the message one sentence.
    assert main(["synth", "--n", "200", "--seed", "1", "-o", str(full_disk / "cases.jsonl"), "--quiet"]) == 1
    assert capsys.readouterr().err.endswith("cases.jsonl: cannot write (No space left on device)\n")
    assert list(full_disk.iterdir()) == []
    # batch: whole lines only up to the last that fitted, and a checkpoint to resume from.
    src = _cases(tmp_path / "in.jsonl", 200)
    out = full_disk / "out.jsonl"
    code = main(["batch", str(src), "-o", str(out), "--errors", str(full_disk / "err.jsonl"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "out.jsonl: cannot write (No space left on device)" in err
    assert "internal error" not in err
    data = out.read_bytes()
    assert data == b"" or data.endswith(b"\n")
    assert sorted(p.name for p in full_disk.iterdir()) <= ["err.jsonl", "out.jsonl", "out.jsonl.checkpoint"]


def test_keygen_on_a_full_disk_says_so(full_disk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("cryptography")
    (full_disk / "filler").write_bytes(b"\0" * (64 * 1024 - 4096 * 2))
    with contextlib.suppress(OSError), open(full_disk / "filler2", "wb") as f:
        f.write(b"\0" * 65536)
    code = main(["keygen", "--out", str(full_disk / "issuer.pem")])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "internal error" not in err and "No space left on device" in err


def test_a_missing_directory_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["synth", "--n", "1", "--seed", "1", "-o", str(tmp_path / "no" / "such.jsonl")]) == 2
    assert "cannot write (No such file or directory)" in capsys.readouterr().err


# -- signals in the other commands -----------------------------------------------------------


@pytest.mark.parametrize(("sig", "code", "said"), [("SIGINT", 130, "interrupted"), ("SIGTERM", 143, "terminated")])
def test_synth_interrupted_leaves_no_temporary_file(tmp_path: Path, sig: str, code: int, said: str) -> None:
    import signal
    import time

    out = tmp_path / "cases.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kol_trust", "synth", "--n", "1000000", "--seed", "1", "-o", str(out)],
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while not any(tmp_path.iterdir()) and time.monotonic() < deadline:  # the temporary file is being written
        time.sleep(0.01)
    proc.send_signal(getattr(signal, sig))
    _, stderr = proc.communicate(timeout=60)
    assert (proc.returncode, stderr.decode()) == (code, f"kol-trust: {said}\n")
    assert list(tmp_path.iterdir()) == []


class _Interrupted(Exception):
    pass


def test_an_interrupt_just_after_the_temporary_file_appears_removes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window between creating the temporary file and the block that
    removes it on failure is closed: a SIGINT sent at that very moment is held
    back and delivered inside the block."""
    import signal

    real_open = os.open

    def open_then_interrupt(*args: Any, **kwargs: Any) -> int:
        fd = real_open(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)  # as a Ctrl-C would, the instant the file exists
        return fd

    def raise_interrupted(signum: int, frame: Any) -> None:
        raise _Interrupted

    previous = signal.signal(signal.SIGINT, raise_interrupted)
    try:
        monkeypatch.setattr(common.os, "open", open_then_interrupt)
        with pytest.raises(_Interrupted), common.atomic_output(str(tmp_path / "out.txt"), sys.stdout) as f:
            f.write("never finished\n")
    finally:
        signal.signal(signal.SIGINT, previous)
    assert list(tmp_path.iterdir()) == []
