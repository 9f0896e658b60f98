"""How ``kol-trust batch`` survives interruption, crashed workers and a hostile line.

A script run by hand (no timing is asserted anywhere); it prints one JSON
document with three measurements:

* ``interrupted``: a batch of ``--cases`` synthetic cases (default 100 000) is
  run clean, then run again and sent SIGINT at about a third, resumed and sent
  SIGTERM at about two thirds, and resumed to the end; the resumed output must
  be the clean run's bytes.  Wall times of both.
* ``worker_kills``: ``--kills`` runs (default 50) of a small batch, each with
  one worker killed (SIGKILL) at a random moment; every run must end, with a
  non-zero exit and a message naming the dead worker, within the timeout.
* ``hostile_line``: the peak memory of reading a case whose ``evidence`` holds
  300 000 ``{}``, in a fresh process.

    python benchmarks/bench_interrupt.py                  # the figures of issue 14 (a few minutes)
    python benchmarks/bench_interrupt.py --cases 5000 --kills 5
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KOL = [sys.executable, "-m", "kol_trust"]


def _batch(src: Path, out: Path, err: Path, *options: str) -> subprocess.Popen[bytes]:
    argv = [*KOL, "batch", str(src), "-o", str(out), "--errors", str(err), "--workers", "2", "--quiet", *options]
    return subprocess.Popen(argv, stderr=subprocess.PIPE, start_new_session=True)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def _lines_done(out: Path) -> int:
    """How far the run is, from its checkpoint (a few hundred bytes, rewritten every second)."""
    try:
        doc = json.loads(Path(f"{out}.checkpoint").read_bytes())
    except (OSError, ValueError):
        return 0
    line: int = doc["input"]["line"]
    return line


def _interrupt_at(proc: subprocess.Popen[bytes], out: Path, lines: int, sig: signal.Signals) -> tuple[int, str]:
    while proc.poll() is None and _lines_done(out) < lines:
        time.sleep(0.2)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=600)
    return proc.returncode, stderr.decode().strip()


def interrupted(root: Path, cases: int) -> dict[str, object]:
    src = root / "cases.jsonl"
    subprocess.run([*KOL, "synth", "--n", str(cases), "--seed", "14", "-o", str(src), "--quiet"], check=True)
    start = time.monotonic()
    clean = _batch(src, root / "clean.jsonl", root / "clean-err.jsonl")
    clean.communicate(timeout=3600)
    clean_seconds = time.monotonic() - start

    out, err = root / "out.jsonl", root / "err.jsonl"
    start = time.monotonic()
    first = _interrupt_at(_batch(src, out, err), out, cases // 3, signal.SIGINT)
    second = _interrupt_at(_batch(src, out, err, "--resume"), out, 2 * cases // 3, signal.SIGTERM)
    last = _batch(src, out, err, "--resume")
    last.communicate(timeout=3600)
    resumed_seconds = time.monotonic() - start
    return {
        "cases": cases,
        "input_bytes": src.stat().st_size,
        "clean_seconds": round(clean_seconds, 1),
        "interrupted_and_resumed_seconds": round(resumed_seconds, 1),
        "sigint": {"exit": first[0], "message": first[1]},
        "sigterm": {"exit": second[0], "message": second[1]},
        "final_exit": last.returncode,
        "identical": out.read_bytes() == (root / "clean.jsonl").read_bytes()
        and err.read_bytes() == (root / "clean-err.jsonl").read_bytes(),
        "checkpoint_left": (root / "out.jsonl.checkpoint").exists(),
    }


def worker_kills(root: Path, kills: int, timeout: float) -> dict[str, object]:
    src = root / "small.jsonl"
    subprocess.run([*KOL, "synth", "--n", "3000", "--seed", "15", "-o", str(src), "--quiet"], check=True)
    rng = random.Random(50)
    exits: dict[str, int] = {}
    clear = hangs = finished = 0
    longest = 0.0
    start = time.monotonic()
    for i in range(kills):
        out, err = root / f"k{i}.jsonl", root / f"k{i}-err.jsonl"
        proc = _batch(src, out, err)
        deadline = time.monotonic() + 30
        while len(workers := _children(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.5))
        killed_at = time.monotonic()
        os.kill(rng.choice(workers), signal.SIGKILL)
        try:
            _, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            hangs += 1
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            continue
        longest = max(longest, time.monotonic() - killed_at)
        exits[str(proc.returncode)] = exits.get(str(proc.returncode), 0) + 1
        if proc.returncode == 3:
            finished += 1
        elif proc.returncode != 0 and "ended unexpectedly (killed by SIGKILL)" in stderr.decode():
            clear += 1
        out.unlink(missing_ok=True)
        err.unlink(missing_ok=True)
        Path(f"{out}.checkpoint").unlink(missing_ok=True)
    return {
        "kills": kills,
        "clear_nonzero_exits": clear,
        "finished_before_the_kill": finished,
        "hangs": hangs,
        "exit_codes": exits,
        "longest_seconds_from_kill_to_exit": round(longest, 2),
        "total_seconds": round(time.monotonic() - start, 1),
    }


def hostile_line() -> dict[str, object]:
    script = (
        "import json, resource, time, kol_trust as kt\n"
        "doc = {'subject': {'id': 's', 'name': 'S', 'kind': 'kol'}, 'as_of': '2026-11-29', 'evidence': [{}] * 300000}\n"
        "text = json.dumps(doc).encode()\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "start = time.perf_counter()\n"
        "try:\n"
        "    kt.from_json(text, kt.Case)\n"
        "except kt.ValidationError as e:\n"
        "    message = str(e)\n"
        "print(json.dumps({'line_bytes': len(text), 'seconds': round(time.perf_counter() - start, 3),\n"
        "    'peak_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,\n"
        "    'grown_mib': (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024,\n"
        "    'message_chars': len(message)}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds after which a run counts as hung")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        report = {
            "hostile_line": hostile_line(),
            "worker_kills": worker_kills(root, args.kills, args.timeout),
            "interrupted": interrupted(root, args.cases),
        }
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
