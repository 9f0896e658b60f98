"""Assessing many cases: in input order, in bounded memory, optionally in parallel.

:func:`assess_many` assesses an iterable of :class:`~kol_trust.Case` objects;
:func:`run_jsonl` runs the whole path (parse, assess, serialise) over JSON
Lines, one case per line, reporting bad lines instead of stopping.

Both read their input lazily in chunks.  With ``workers > 1`` chunks go to
that many worker processes, at most two chunks per worker in flight, and
results come back in input order: the output is the same as with
``workers=1``.

The workers are watched: one that dies (killed, out of memory) ends the run
with :class:`~kol_trust.errors.WorkerError` naming it and the lines it held,
never a hang; workers ignore SIGINT and SIGTERM (the parent decides) and
exit by themselves when the parent dies.  *stop*, a function polled while
waiting, ends a run early and cleanly: no more input is read, the chunks in
flight are dropped and the workers are ended.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, NamedTuple, Protocol, TypeVar

import attrs

from . import interrupts
from .assessment import Assessment
from .cases import rubric_for
from .engine import assess
from .errors import KolTrustError, WorkerError
from .model import Case
from .rubric import Rubric
from .wire import from_json, to_json

__all__ = [
    "DEFAULT_MAX_LINE_BYTES",
    "MAX_ERROR_CHARS",
    "BatchSummary",
    "LineResult",
    "Readable",
    "assess_many",
    "read_lines",
    "run_jsonl",
]

DEFAULT_MAX_LINE_BYTES = 16 * 2**20
"""The longest input line :func:`run_jsonl` parses, in bytes (16 MiB)."""

MAX_ERROR_CHARS = 64 * 1024
"""The longest reason :func:`run_jsonl` gives for a rejected line, in characters."""

POLL_SECONDS = 0.2
"""How often a parallel run checks its workers and its *stop* function while it waits."""

A = TypeVar("A")
B = TypeVar("B")


# -- the pipeline --------------------------------------------------------------------


def _chunks(items: Iterable[A], size: int) -> Iterator[list[A]]:
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def _check(workers: int, chunk_size: int) -> None:
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, not {chunk_size}")


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    os._exit(1)  # the parent died: nobody wants the results


def _receive(conn: Connection, inbox: queue.SimpleQueue[Any]) -> None:
    # A thread of its own, so that the parent's send never waits on a worker busy sending.
    try:
        while (chunk := conn.recv()) is not None:
            inbox.put(chunk)
    except (EOFError, OSError):
        pass
    inbox.put(None)


def _worker(fn: Callable[[Any], Any], conn: Connection) -> None:
    """A worker process: chunks in, ``(ok, result or exception)`` out, until ``None`` or EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the parent stops the run, and then its workers
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
    threading.Thread(target=_receive, args=(conn, inbox), daemon=True).start()
    while (chunk := inbox.get()) is not None:
        try:
            reply: tuple[bool, Any] = (True, fn(chunk))
        except Exception as e:
            reply = (False, e)
        try:
            conn.send(reply)
        except OSError:
            return  # the parent is gone
        except Exception as e:  # the exception would not pickle: send what it said
            conn.send((False, RuntimeError(f"{type(e).__name__}: {e}")))


def _how_it_ended(process: BaseProcess) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


def _died(process: BaseProcess, chunk: int | None) -> WorkerError:
    process.join(timeout=1)
    lost = f"while assessing chunk {chunk + 1} of the input" if chunk is not None else "between chunks"
    return WorkerError(
        f"worker process {process.pid} ended unexpectedly ({_how_it_ended(process)}) {lost}; the run is stopped"
    )


class _Pool:
    """Worker processes, each with its own pipe, watched for death."""

    def __init__(self, fn: Callable[[Any], Any], workers: int) -> None:
        context = multiprocessing.get_context()
        self.processes: list[BaseProcess] = []
        self.conns: list[Connection] = []
        try:
            for _ in range(workers):
                parent_end, child_end = context.Pipe(duplex=True)
                process = context.Process(target=_worker, args=(fn, child_end), daemon=True)
                process.start()
                child_end.close()  # the worker holds the only copy: its death is EOF here
                self.processes.append(process)
                self.conns.append(parent_end)
        except BaseException:
            self.close(kill=True)
            raise

    def close(self, *, kill: bool) -> None:
        """End every worker: told to exit (after at most 5 s, killed), or with *kill* at once.

        SIGINT and SIGTERM are held back until it is done (a few system calls, or
        the 5 s of workers that were told): a handler raising half-way through
        would leave a worker running that ignores both signals, and the
        interpreter waiting for it at exit, for ever.
        """
        with interrupts.held_back():
            self._close(kill=kill)

    def _close(self, *, kill: bool) -> None:
        for conn in self.conns:
            if not kill:
                with contextlib.suppress(OSError):
                    conn.send(None)
        for process in self.processes:
            if kill and process.is_alive():
                process.kill()
        for process in self.processes:
            process.join(timeout=None if kill else 5)
            if process.is_alive():
                process.kill()
                process.join()
        for conn in self.conns:
            conn.close()


def _ordered_map(
    fn: Callable[[list[A]], list[B]],
    items: Iterable[A],
    *,
    workers: int,
    chunk_size: int,
    stop: Callable[[], bool] | None = None,
) -> Generator[B, None, None]:
    """``fn`` over chunks of *items*, results flattened in input order.

    *fn* must be picklable (a module-level function, or a partial of one) when
    ``workers > 1``.  An exception from a chunk is raised here, after every
    result before that chunk has been yielded.  When *stop* returns true
    (polled between chunks, and every :data:`POLL_SECONDS` while waiting),
    the iteration ends early; a worker that dies raises :class:`WorkerError`.
    """
    stopped = stop or (lambda: False)
    if workers == 1:
        for chunk in _chunks(items, chunk_size):
            if stopped():
                return
            yield from fn(chunk)
        return
    pool = _Pool(fn, workers)
    finished = False
    try:
        finished = yield from _drive(pool, _chunks(items, chunk_size), stopped)
    finally:
        # Workers with nothing left to do exit when told; any other (stopped, an error, the
        # caller gone) may be busy with a chunk nobody will read: ended at once.
        pool.close(kill=not finished)


def _drive(pool: _Pool, chunks: Iterator[list[A]], stopped: Callable[[], bool]) -> Generator[Any, None, bool]:
    """Send chunks to the least busy worker (at most two each), yield results in order;
    return whether every chunk was done (``False``: stopped)."""
    n = len(pool.conns)
    held: list[deque[tuple[int, int]]] = [deque() for _ in range(n)]  # per worker: (chunk number, size)
    done: dict[int, tuple[bool, Any]] = {}
    sent = given = 0
    exhausted = False
    while True:
        while not exhausted and not stopped():
            w = min(range(n), key=lambda i: len(held[i]))
            if len(held[w]) >= 2:
                break
            chunk = next(chunks, None)
            if chunk is None:
                exhausted = True
                break
            try:
                pool.conns[w].send(chunk)
            except OSError:  # it died while idle
                raise _died(pool.processes[w], None) from None
            held[w].append((sent, len(chunk)))
            sent += 1
        while given in done:
            ok, result = done.pop(given)
            given += 1
            if not ok:
                raise result
            yield from result
        if stopped():
            return False
        if exhausted and given == sent:
            return True
        busy = [i for i in range(n) if held[i]]
        ready = wait([pool.conns[i] for i in busy] + [p.sentinel for p in pool.processes], POLL_SECONDS)
        for i in range(n):
            conn, process = pool.conns[i], pool.processes[i]
            try:
                while held[i] and conn.poll():
                    number, _ = held[i].popleft()
                    done[number] = conn.recv()
            except (EOFError, OSError):
                pass  # it died while writing: reported below
            if process.sentinel in ready:
                # Give the caller every result before the lost ones, then stop.
                while given in done and done[given][0]:
                    yield from done.pop(given)[1]
                    given += 1
                raise _died(process, held[i][0][0] if held[i] else None)


# -- cases ---------------------------------------------------------------------------


def _assess_one(case: Case, rubric: Rubric | None) -> Assessment:
    return assess(case.subject, case.evidence, rubric=rubric_for(case, rubric), as_of=case.as_of)


def _assess_chunk(rubric: Rubric | None, cases: list[Case]) -> list[Assessment]:
    return [_assess_one(case, rubric) for case in cases]


def assess_many(
    cases: Iterable[Case],
    *,
    rubric: Rubric | None = None,
    workers: int = 1,
    chunk_size: int = 64,
    stop: Callable[[], bool] | None = None,
) -> Generator[Assessment, None, None]:
    """Assess each of *cases*, yielding the assessments in input order.

    *rubric* ``None`` assesses each case under its own rubric
    (:func:`~kol_trust.rubric_for`).  *cases* is read lazily, *chunk_size*
    cases at a time; with ``workers > 1`` the chunks are assessed in that many
    processes.  The first error of a case (for example
    :class:`~kol_trust.errors.EvidenceConflictError` or
    :class:`~kol_trust.errors.RubricNotFoundError`) is raised to the caller;
    a worker that dies raises :class:`~kol_trust.errors.WorkerError`.  When
    *stop* returns true the iteration ends early (see the module
    documentation).
    """
    _check(workers, chunk_size)
    fn = functools.partial(_assess_chunk, rubric)
    return _ordered_map(fn, cases, workers=workers, chunk_size=chunk_size, stop=stop)


# -- JSON Lines ----------------------------------------------------------------------


class LineResult(NamedTuple):
    """The outcome of one input line: exactly one of *output* and *error* is set."""

    line: int
    """The line number in the input, from 1 (empty lines are counted)."""
    output: str | None
    """The compact JSON of the assessment (no newline)."""
    error: str | None
    """Why the line was rejected."""


@attrs.frozen
class BatchSummary:
    """Counts of a run: every line read was either assessed or rejected."""

    read: int
    assessed: int
    rejected: int

    def __attrs_post_init__(self) -> None:
        if self.read != self.assessed + self.rejected:
            raise ValueError(f"read {self.read} != assessed {self.assessed} + rejected {self.rejected}")

    @classmethod
    def of(cls, results: Iterable[LineResult]) -> BatchSummary:
        assessed = rejected = 0
        for r in results:
            if r.error is None:
                assessed += 1
            else:
                rejected += 1
        return cls(assessed + rejected, assessed, rejected)

    def __str__(self) -> str:
        return f"read {self.read}, assessed {self.assessed}, rejected {self.rejected}"


def strip_eol(line: bytes) -> bytes:
    return line.removesuffix(b"\n").removesuffix(b"\r")


class Readable(Protocol):
    """What :func:`read_lines` needs of a stream: ``readline(limit)``, as binary files have."""

    def readline(self, size: int = -1, /) -> bytes:
        """At most *size* bytes, up to and including the next ``\\n``."""
        ...


def read_lines(stream: Readable, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Iterator[bytes]:
    """The lines of a binary *stream*, reading at most ``max_line_bytes + 2``
    bytes of any one line into memory.

    A longer line is yielded as its first ``max_line_bytes + 1`` bytes (the rest
    is read and dropped): enough for :func:`run_jsonl` to reject it as too long.
    """
    limit = max_line_bytes + 2  # the longest allowed line and its "\r\n"
    while line := stream.readline(limit):
        if len(line) == limit and not line.endswith(b"\n"):
            while (rest := stream.readline(1 << 16)) and not rest.endswith(b"\n"):
                pass
            yield line[: max_line_bytes + 1]
        else:
            yield line


def _run_line(n: int, text: bytes | None, rubric: Rubric | None, as_of: dt.date | None, limit: int) -> LineResult:
    if text is None:
        return LineResult(n, None, f"line longer than {limit} bytes: not parsed")
    try:
        case = from_json(text, Case)
        if as_of is not None:
            case = Case(subject=case.subject, evidence=case.evidence, as_of=as_of, rubric=case.rubric)
        return LineResult(n, to_json(_assess_one(case, rubric)), None)
    except KolTrustError as e:
        return LineResult(n, None, _bounded(str(e)))
    except MemoryError:
        return LineResult(n, None, "not enough memory to read this line: not assessed")
    except RecursionError:
        return LineResult(n, None, "nested too deeply: not assessed")


def _bounded(error: str) -> str:
    if len(error) <= MAX_ERROR_CHARS:
        return error
    return error[: MAX_ERROR_CHARS - 1] + "…"


def run_chunk(
    rubric: Rubric | None, as_of: dt.date | None, limit: int, lines: list[tuple[int, bytes | None]]
) -> list[LineResult]:
    return [_run_line(n, text, rubric, as_of, limit) for n, text in lines]


def _numbered(lines: Iterable[bytes], limit: int, first: int) -> Iterator[tuple[int, bytes | None]]:
    for n, line in enumerate(lines, start=first):
        text = strip_eol(line)
        if len(text) > limit:
            yield n, None  # too long: not even sent to a worker
        elif text and not text.isspace():  # (strip() would copy every line)
            yield n, text


def run_jsonl(
    lines: Iterable[bytes],
    *,
    rubric: Rubric | None = None,
    as_of: dt.date | None = None,
    workers: int = 1,
    chunk_size: int = 64,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    first_line: int = 1,
    stop: Callable[[], bool] | None = None,
) -> Generator[LineResult, None, None]:
    """Assess a JSON Lines input, one case per line, in input order.

    Each non-empty line gives one :class:`LineResult`: the assessment's compact
    JSON, or why the line was rejected (not UTF-8 or JSON, not a valid case,
    conflicting evidence, an unknown rubric version, or longer than
    *max_line_bytes* bytes, not counting its line ending: such a line is not
    parsed).  A bad line never stops the run.  Lines that are empty or only
    whitespace are skipped: they are neither read, assessed nor rejected, but
    they count in the line numbers.  *as_of*, when given, replaces each case's
    ``as_of``; *rubric* ``None`` uses each case's own rubric.  The reason for
    a rejected line is at most :data:`MAX_ERROR_CHARS` characters (a
    document's problems are listed up to
    :data:`~kol_trust.errors.MAX_PROBLEMS`).  *first_line* is the number of
    the first line of *lines* (when resuming a run).

    Parsing, assessing and serialising all happen in the workers.  A worker
    that dies raises :class:`~kol_trust.errors.WorkerError`; when *stop*
    returns true the iteration ends early (see the module documentation).
    """
    _check(workers, chunk_size)
    if max_line_bytes < 1:
        raise ValueError(f"max_line_bytes must be at least 1, not {max_line_bytes}")
    fn = functools.partial(run_chunk, rubric, as_of, max_line_bytes)
    numbered = _numbered(lines, max_line_bytes, first_line)
    return _ordered_map(fn, numbered, workers=workers, chunk_size=chunk_size, stop=stop)
