"""The progress bar: drawn on a terminal (a real pseudo-terminal here), never in a pipe or with --quiet."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kol_trust.cli.progress import Progress
from kol_trust.synth import synthetic_cases
from kol_trust.wire import to_json


def test_the_line_has_share_rate_and_eta() -> None:
    bar = Progress("batch", io.StringIO(), total=1000, enabled=True)
    bar.began = 100.0
    assert bar.line(250, 50, "lines", now=110.0) == "batch  25% |█████               | 50 lines 5/s ETA 0:00:30"
    assert bar.line(1000, 200, "lines", now=110.0).startswith("batch 100% |████████████████████| 200 lines")
    # A resumed run: the rate and the time left count only this run's work.
    resumed = Progress("batch", io.StringIO(), total=1000, enabled=True, start=500)
    resumed.began = 100.0
    assert resumed.line(750, 10_000, "lines", now=110.0).endswith("10 000 lines 1 000/s ETA 0:00:10")
    # No total (a pipe): the count and the rate only.
    assert Progress("pack", io.StringIO(), total=None, enabled=True).line(5, 5, "cases", now=1e12) == (
        "pack 5 cases 0/s"
    )


def test_not_drawn_when_not_wanted() -> None:
    stream = io.StringIO()
    assert not Progress.wanted(stream, quiet=False)  # not a terminal
    bar = Progress("batch", stream, total=10, enabled=False)
    bar.update(5, 5, "lines")
    bar.close()
    assert stream.getvalue() == ""


def _under_a_pty(argv: list[str], columns: int = 100) -> tuple[int, str]:
    """Run *argv* with standard error on a real pseudo-terminal *columns* wide; what it wrote there."""
    import fcntl  # POSIX only, as the rest
    import pty
    import struct
    import termios

    main_fd, child_fd = pty.openpty()
    fcntl.ioctl(child_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=child_fd)
    os.close(child_fd)
    chunks = []
    while True:
        try:
            data = os.read(main_fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(main_fd)
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """cases.jsonl, with subjects.jsonl and evidence.jsonl (the same cases unpacked) beside it."""
    root = tmp_path_factory.mktemp("progress")
    corpus = list(synthetic_cases(1500, seed=2))
    (root / "cases.jsonl").write_text("".join(to_json(c) + "\n" for c in corpus), encoding="utf-8")
    (root / "subjects.jsonl").write_text("".join(to_json(c.subject) + "\n" for c in corpus), encoding="utf-8")
    evidence = "".join(to_json(e) + "\n" for c in corpus for e in c.evidence)
    (root / "evidence.jsonl").write_text(evidence, encoding="utf-8")
    return root / "cases.jsonl"


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize("command", ["batch", "synth", "pack", "rubric impact"])
def test_a_bar_with_eta_on_a_terminal(tmp_path: Path, cases: Path, command: str) -> None:
    kol = [sys.executable, "-m", "kol_trust"]
    argv = {
        "batch": [*kol, "batch", str(cases), "-o", str(tmp_path / "o"), "--errors", str(tmp_path / "e")],
        "synth": [*kol, "synth", "--n", "3000", "--seed", "1", "-o", str(tmp_path / "o")],
        "pack": [
            *kol,
            "pack",
            "--subjects",
            str(cases.parent / "subjects.jsonl"),
            "-o",
            str(tmp_path / "o"),
            "--evidence",
            str(cases.parent / "evidence.jsonl"),
            "--as-of",
            "2026-11-29",
        ],
        "rubric impact": [*kol, "rubric", "impact", "1.0.0", "1.0.0", "--cases", str(cases)],
    }[command]
    code, text = _under_a_pty(argv)
    assert code in (0, 3), text
    label = command.split()[0] if command != "rubric impact" else "rubric impact"
    assert f"\r{label} " in text
    assert "%" in text and "ETA 0:00:" in text and "/s" in text
    assert "\r\x1b[K" in text  # erased at the end
    bars = [line.split("\x1b[K")[0] for line in text.split("\r") if line.startswith(label)]
    assert bars and all(len(bar) < 100 for bar in bars)  # within the terminal's width


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_quiet_and_pipes_show_no_bar(tmp_path: Path, cases: Path) -> None:
    argv = [sys.executable, "-m", "kol_trust", "batch", str(cases), "-o", str(tmp_path / "o")]
    argv += ["--errors", str(tmp_path / "e")]
    code, text = _under_a_pty([*argv, "--quiet"])
    assert (code, text) == (0, "")
    piped = subprocess.run(argv, capture_output=True, text=True, check=True)
    assert piped.stderr == "kol-trust: read 1500, assessed 1500, rejected 0\n"
