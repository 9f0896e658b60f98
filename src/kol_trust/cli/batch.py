"""``kol-trust batch``: assess a JSON Lines file of cases, one per line.

A progress bar (:mod:`kol_trust.cli.progress`) shows on standard error when
it is a terminal, unless ``--quiet``.

Exit codes: 0 every line assessed; 3 some lines rejected (listed in the
errors file); 2 the input cannot be read (or a bad option); 1 a worker
process died or an output cannot be written (a full disk); 130 / 143
interrupted by SIGINT / SIGTERM.

The run survives interruption.  Outputs that are files are written in place,
whole lines only, with a checkpoint beside the output (``OUT.jsonl.checkpoint``,
rewritten every second) that says how far the input has been assessed.  On
SIGINT or SIGTERM the run stops reading, drops the chunks in flight, ends its
workers, leaves the output and the errors file holding exactly the lines
before the checkpoint, prints one line and exits 130 or 143; after a kill -9
(or a crash, or a dead worker) the files may hold a few lines past the last
checkpoint.  ``--resume`` checks that the input, the rubric and the options
are the ones of the interrupted run, cuts the outputs back to the checkpoint
and continues after it: the result is the bytes of an uninterrupted run.  The
checkpoint is removed when the run completes.  Outputs that are not regular
files (standard output, a pipe, a device) are written as the lines come and
cannot be resumed.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shlex
import signal
import stat
import sys
import time
from collections import deque
from collections.abc import Iterator
from types import FrameType
from typing import Any, BinaryIO, TextIO

from ..batch import DEFAULT_MAX_LINE_BYTES, BatchSummary, read_lines, run_jsonl
from ..canonical import rubric_digest
from ..errors import WorkerError
from ..rubric import Rubric
from ..words import word
from .common import (
    InputError,
    add_lang,
    distinct_outputs,
    input_name,
    iso_date,
    open_input,
    output_error,
    resolve_rubric,
    whole_number,
)
from .progress import Progress, input_size

__all__ = ["CHECKPOINT_SECONDS", "add_parsers"]

CHECKPOINT_SECONDS = 1.0
"""How often the checkpoint is rewritten while a batch runs."""

_CHECKPOINT_FORMAT = "kol-trust batch checkpoint 1"
_BLOCK = 4096
_FLUSH_BYTES = 1 << 18


def add_parsers(commands: Any) -> None:
    """Add the ``batch`` command to the top-level sub-commands."""
    p = commands.add_parser(
        "batch",
        help="assess a JSON Lines file of cases",
        description="Assess one case per line of IN.jsonl; write one assessment per line to OUT.jsonl, "
        "in input order, and each rejected line to the errors file. "
        "An interrupted run (Ctrl-C, SIGTERM, kill -9) leaves whole lines and OUT.jsonl.checkpoint; "
        "--resume continues it. "
        "Exit 0 when every line was assessed, 3 when some were rejected, 2 when the input cannot be read, "
        "1 when an output cannot be written or a worker died, 130 or 143 when interrupted.",
    )
    p.add_argument("input", metavar="IN.jsonl", help="cases, one per line; - reads standard input")
    p.add_argument("-o", "--output", metavar="OUT.jsonl", required=True, help="assessments; - is standard output")
    p.add_argument("--errors", metavar="ERR.jsonl", required=True, help='rejected lines as {"line": N, "error": "..."}')
    p.add_argument("--workers", type=whole_number(1), default=1, metavar="N", help="processes to use (default: 1)")
    p.add_argument("--rubric", metavar="VERSION|FILE", help="a built-in version such as 1.0.0, or a rubric file")
    p.add_argument("--as-of", type=iso_date, metavar="DATE", help="assess on this day instead of each case's as_of")
    p.add_argument(
        "--max-line-bytes",
        type=whole_number(1),
        default=DEFAULT_MAX_LINE_BYTES,
        metavar="N",
        help=f"reject longer lines without parsing them (default: {DEFAULT_MAX_LINE_BYTES})",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted run from OUT.jsonl.checkpoint (same input, rubric and options)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary line")
    add_lang(p, "the summary, progress and interruption lines (rejected lines are reported in English)")
    p.set_defaults(run=_cmd_batch)


# -- input ---------------------------------------------------------------------------


class _Reader:
    """The input stream, counting and hashing every byte read."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.offset = 0
        self.digest = hashlib.sha256()

    def readline(self, size: int = -1, /) -> bytes:
        line = self.stream.readline(size)
        self.offset += len(line)
        self.digest.update(line)
        return line

    def skip(self, n: int) -> None:
        while self.offset < n and (block := self.stream.read(min(n - self.offset, 1 << 20))):
            self.offset += len(block)
            self.digest.update(block)


def _count_lines(path: str) -> int | None:
    """The number of lines of a regular file (read only when a run is interrupted)."""
    try:
        with open(path, "rb") as f:
            n, last = 0, b"\n"
            while block := f.read(1 << 20):
                n += block.count(b"\n")
                last = block[-1:]
            return n + (last != b"\n")
    except OSError:
        return None


# -- output --------------------------------------------------------------------------


class _Sink:
    """One output: standard output, a file written in place (resumable), or a
    device or pipe written as it is.  Text is buffered and written whole
    lines at a time; :attr:`size` and :attr:`digest` cover what was written."""

    def __init__(self, path: str, stdout: TextIO) -> None:
        self.path = path
        self.stdout = stdout
        self.fd: int | None = None
        self.resumable = False
        self.size = 0
        self.digest = hashlib.sha256()
        self.buffer: list[bytes] = []
        self.buffered = 0
        if path == "-":
            return
        try:
            st: os.stat_result | None = os.stat(path)
        except OSError:
            st = None
        self.resumable = st is None or stat.S_ISREG(st.st_mode)

    def open(self, resume: dict[str, Any] | None) -> None:
        if self.path == "-":
            return
        try:
            # A new file gets the mode the umask allows; an existing one keeps its own.
            self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o666)
            if not self.resumable:
                return
            if resume is None:
                os.ftruncate(self.fd, 0)
                return
            self._verify(resume)
            os.ftruncate(self.fd, self.size)
            os.lseek(self.fd, self.size, os.SEEK_SET)
        except OSError as e:
            raise output_error(self.path, e) from None

    def _verify(self, resume: dict[str, Any]) -> None:
        want, digest = resume["bytes"], resume["sha256"]
        with open(self.path, "rb") as f:
            while self.size < want and (block := f.read(min(want - self.size, 1 << 20))):
                self.size += len(block)
                self.digest.update(block)
        if self.size != want or self.digest.hexdigest() != digest:
            raise InputError(
                f"cannot resume: {self.path} is not as the interrupted run left it "
                f"(its first {want} bytes have changed); run without --resume to start over"
            )

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self.buffer.append(data)
        self.buffered += len(data)

    def flush(self) -> None:
        if not self.buffer:
            return
        data = b"".join(self.buffer)
        self.buffer.clear()
        self.buffered = 0
        if self.path == "-":
            self.stdout.write(data.decode("utf-8"))
            self.stdout.flush()
            return
        assert self.fd is not None
        view = memoryview(data)
        try:
            while view:
                written = os.write(self.fd, view)
                view = view[written:]
        except OSError as e:
            if self.resumable:  # leave whole lines only
                os.ftruncate(self.fd, self.size)
            raise output_error(self.path, e) from None
        self.size += len(data)
        self.digest.update(data)

    def close(self) -> None:
        if self.fd is not None:
            fd, self.fd = self.fd, None
            os.close(fd)

    def state(self) -> dict[str, Any]:
        return {"path": self.path, "bytes": self.size, "sha256": self.digest.hexdigest()}


class _Checkpoint:
    """``OUT.jsonl.checkpoint``: rewritten in place with one write of whole
    blocks, so that a process killed at any moment leaves either the old
    checkpoint or the new one, and never a temporary file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd: int | None = None
        self.blocks = 1

    @staticmethod
    def load(path: str) -> dict[str, Any]:
        try:
            with open(path, "rb") as f:
                text = f.read(1 << 20)
        except FileNotFoundError:
            raise InputError(
                f"{path}: no checkpoint to resume from (an interrupted run leaves one); run without --resume"
            ) from None
        except OSError as e:
            raise InputError(f"{path}: cannot read ({e.strerror})") from None
        try:
            doc = json.loads(text.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            doc = None
        parts = ("input", "options", "counts", "output", "errors")
        if (
            not isinstance(doc, dict)
            or doc.get("format") != _CHECKPOINT_FORMAT
            or not all(isinstance(doc.get(part), dict) for part in parts)
        ):
            raise InputError(f"{path}: not a checkpoint of kol-trust batch; run without --resume")
        return doc

    def write(self, doc: dict[str, Any]) -> None:
        data = json.dumps(doc, ensure_ascii=False).encode("utf-8") + b"\n"
        self.blocks = max(self.blocks, -(-len(data) // _BLOCK))
        data = data.ljust(self.blocks * _BLOCK, b" ")
        try:
            if self.fd is None:
                self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o666)
            os.pwrite(self.fd, data, 0)
        except OSError as e:
            raise output_error(self.path, e) from None

    def remove(self) -> None:
        self.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        except OSError as e:
            raise output_error(self.path, e) from None

    def close(self) -> None:
        if self.fd is not None:
            fd, self.fd = self.fd, None
            os.close(fd)


# -- signals -------------------------------------------------------------------------


class _Signals:
    """SIGINT and SIGTERM set :attr:`received` (the run stops between lines);
    a second one stops at once, as the handler it replaced would (a SIGINT
    with ``KeyboardInterrupt``, exit 130; a SIGTERM with the command's own
    handler, exit 143)."""

    def __init__(self) -> None:
        self.received: int | None = None
        self.previous: dict[int, Any] = {}

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.received is not None:
            previous = self.previous.get(signum)
            if callable(previous):
                previous(signum, frame)
            raise KeyboardInterrupt
        self.received = signum

    def __enter__(self) -> _Signals:
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(ValueError):  # not the main thread
                self.previous[signum] = signal.signal(signum, self)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)


# -- the command ---------------------------------------------------------------------


def _options(args: argparse.Namespace, rubric: Rubric | None) -> dict[str, Any]:
    return {
        "rubric": None if rubric is None else rubric_digest(rubric),
        "as_of": None if args.as_of is None else args.as_of.isoformat(),
        "max_line_bytes": args.max_line_bytes,
    }


def _resume_command(args: argparse.Namespace) -> str:
    words = ["kol-trust", "batch", args.input, "-o", args.output, "--errors", args.errors]
    if args.workers != 1:
        words += ["--workers", str(args.workers)]
    if args.rubric is not None:
        words += ["--rubric", args.rubric]
    if args.as_of is not None:
        words += ["--as-of", args.as_of.isoformat()]
    if args.max_line_bytes != DEFAULT_MAX_LINE_BYTES:
        words += ["--max-line-bytes", str(args.max_line_bytes)]
    if args.lang != "en":
        words += ["--lang", args.lang]
    return shlex.join([*words, "--resume"])


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _check_resume(doc: dict[str, Any], options: dict[str, Any], size: int | None, path: str) -> None:
    names = {"rubric": "--rubric", "as_of": "--as-of", "max_line_bytes": "--max-line-bytes"}
    for key, flag in names.items():
        then, now = doc["options"].get(key), options[key]
        if then != now:
            raise InputError(
                f"cannot resume: the interrupted run had {flag} {then if then is not None else '(not given)'}"
                f" (this one {now if now is not None else '(not given)'}); give the same options, "
                "or run without --resume to start over"
            )
    if size is not None and doc["input"]["size"] is not None and size != doc["input"]["size"]:
        raise InputError(
            f"cannot resume: {input_name(path)} is not the input of the interrupted run "
            f"({size} bytes, not {doc['input']['size']}); run without --resume to start over"
        )


def _cmd_batch(args: argparse.Namespace, out: TextIO) -> int:
    if args.output == "-" and args.errors == "-":
        raise InputError("-o and --errors cannot both be standard output")
    distinct_outputs({"-o": args.output, "--errors": args.errors})
    for flag, path in (("-o", args.output), ("--errors", args.errors)):
        if args.input != "-" and path != "-" and _same_file(args.input, path):
            raise InputError(f"{flag} {path} is the input file: give the output its own file")
    rubric = None if args.rubric is None else resolve_rubric(args.rubric)
    options = _options(args, rubric)
    good, bad = _Sink(args.output, out), _Sink(args.errors, out)
    resumable = good.resumable and bad.resumable
    checkpoint = _Checkpoint(args.output + ".checkpoint") if resumable else None
    resume: dict[str, Any] | None = None
    if args.resume:
        if checkpoint is None:
            raise InputError("--resume needs -o and --errors to be files (not standard output, a pipe or a device)")
        resume = _Checkpoint.load(checkpoint.path)
    with open_input(args.input) as stream:
        size = input_size(stream)
        reader = _Reader(stream)
        if resume is not None:
            _check_resume(resume, options, size, args.input)
            reader.skip(resume["input"]["offset"])
            if reader.offset != resume["input"]["offset"] or reader.digest.hexdigest() != resume["input"]["sha256"]:
                raise InputError(
                    f"cannot resume: {input_name(args.input)} is not the input of the interrupted run "
                    f"(its first {resume['input']['offset']} bytes differ); run without --resume to start over"
                )
        try:
            good.open(None if resume is None else resume["output"])
            bad.open(None if resume is None else resume["errors"])
            return _run(args, rubric, reader, size, good, bad, checkpoint, resume, options)
        finally:
            good.close()
            bad.close()
            if checkpoint is not None:
                checkpoint.close()


def _run(
    args: argparse.Namespace,
    rubric: Rubric | None,
    reader: _Reader,
    size: int | None,
    good: _Sink,
    bad: _Sink,
    checkpoint: _Checkpoint | None,
    resume: dict[str, Any] | None,
    options: dict[str, Any],
) -> int:
    counts = dict(resume["counts"]) if resume is not None else {"assessed": 0, "rejected": 0}
    line = resume["input"]["line"] if resume is not None else 0
    # (line number, offset after it, digest of the input up to it) of each line read, until written.
    positions: deque[tuple[int, int, Any]] = deque()
    committed = (line, reader.offset, reader.digest.copy())

    def numbered() -> Iterator[bytes]:
        n = line
        for raw in read_lines(reader, args.max_line_bytes):
            n += 1
            positions.append((n, reader.offset, reader.digest.copy()))
            yield raw

    def commit(upto: int) -> None:
        nonlocal committed
        good.flush()
        bad.flush()
        while positions and positions[0][0] <= upto:
            committed = positions.popleft()

    def save() -> None:
        if checkpoint is not None:
            n, offset, digest = committed
            checkpoint.write(
                {
                    "format": _CHECKPOINT_FORMAT,
                    "input": {
                        "name": args.input,
                        "size": size,
                        "line": n,
                        "offset": offset,
                        "sha256": digest.hexdigest(),
                    },
                    "options": options,
                    "counts": counts,
                    "output": good.state(),
                    "errors": bad.state(),
                }
            )

    enabled = Progress.wanted(sys.stderr, args.quiet)
    bar = Progress("batch", sys.stderr, total=size, enabled=enabled, start=reader.offset, lang=args.lang)
    noun = word("progress.lines", args.lang)
    last = line
    saved = time.monotonic()
    with _Signals() as signals:
        try:
            save()
            results = run_jsonl(
                numbered(),
                rubric=rubric,
                as_of=args.as_of,
                workers=args.workers,
                max_line_bytes=args.max_line_bytes,
                first_line=line + 1,
                stop=lambda: signals.received is not None,
            )
            # Closing the run ends its workers at once, however the loop is left; in a
            # with statement, not a generator's finally, so that an interrupt raised
            # while they are ended reaches the caller (a finaliser would drop it).
            with contextlib.closing(results):
                for r in results:
                    if r.output is not None:
                        good.write(r.output + "\n")
                        counts["assessed"] += 1
                    else:
                        bad.write(json.dumps({"line": r.line, "error": r.error}, ensure_ascii=False) + "\n")
                        counts["rejected"] += 1
                    last = r.line
                    now = time.monotonic()
                    if now - saved >= CHECKPOINT_SECONDS or good.buffered + bad.buffered >= _FLUSH_BYTES:
                        commit(last)
                        if now - saved >= CHECKPOINT_SECONDS:
                            save()
                            saved = now
                    bar.update(reader.offset, counts["assessed"] + counts["rejected"], noun)
                    if signals.received is not None:
                        break
            if signals.received is None:
                commit(sys.maxsize)  # the blank lines after the last case too
        except WorkerError as e:
            bar.close()
            commit(last)
            save()
            sys.stderr.write(f"kol-trust: {e}\n")
            where = _where(args, word("batch.stopped", args.lang), committed[0], counts)
            sys.stderr.write(f"kol-trust: {where}; {_resume_hint(args, checkpoint)}\n")
            return 1
        except BaseException:
            bar.close()
            if checkpoint is not None:
                try:
                    commit(last)
                    save()
                except Exception:  # the first error is the one to report
                    pass
            raise
        bar.close()
        if signals.received is not None:
            commit(last)
            save()
            name = signal.Signals(signals.received).name
            where = _where(args, word("batch.interrupted", args.lang, signal=name), committed[0], counts)
            sys.stderr.write(f"kol-trust: {where}; {_resume_hint(args, checkpoint)}\n")
            return 128 + signals.received
    if checkpoint is not None:
        checkpoint.remove()
    summary = BatchSummary(counts["assessed"] + counts["rejected"], counts["assessed"], counts["rejected"])
    if not args.quiet:
        line = word("batch.summary", args.lang, read=summary.read, assessed=summary.assessed, rejected=summary.rejected)
        sys.stderr.write(f"kol-trust: {line}\n")
    return 0 if counts["rejected"] == 0 else 3


def _where(args: argparse.Namespace, what: str, line: int, counts: dict[str, int]) -> str:
    total = None if args.input == "-" else _count_lines(args.input)
    values = {"what": what, "line": line, "assessed": counts["assessed"], "rejected": counts["rejected"]}
    if total is None:
        return word("batch.where", args.lang, **values)
    return word("batch.where_of", args.lang, total=total, **values)


def _resume_hint(args: argparse.Namespace, checkpoint: _Checkpoint | None) -> str:
    if checkpoint is None:
        return word("batch.not_resumable", args.lang)
    return word("batch.resume", args.lang, command=_resume_command(args))
