"""Assessing many cases: in input order, in bounded memory, optionally in parallel.

:func:`assess_many` assesses an iterable of :class:`~kol_trust.Case` objects;
:func:`run_jsonl` runs the whole path (parse, assess, serialise) over JSON
Lines, one case per line, reporting bad lines instead of stopping.

Both read their input lazily in chunks.  With ``workers > 1`` chunks go to a
``concurrent.futures.ProcessPoolExecutor``, at most ``2 * workers`` of
them in flight, and results come back in input order: the output is the same
as with ``workers=1``.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import BinaryIO, NamedTuple, TypeVar

import attrs

from .assessment import Assessment
from .cases import rubric_for
from .engine import assess
from .errors import KolTrustError
from .model import Case
from .rubric import Rubric
from .wire import from_json, to_json

__all__ = [
    "DEFAULT_MAX_LINE_BYTES",
    "BatchSummary",
    "LineResult",
    "assess_many",
    "read_lines",
    "run_jsonl",
]

DEFAULT_MAX_LINE_BYTES = 16 * 2**20
"""The longest input line :func:`run_jsonl` parses, in bytes (16 MiB)."""

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


def _ordered_map(fn: Callable[[list[A]], list[B]], items: Iterable[A], *, workers: int, chunk_size: int) -> Iterator[B]:
    """``fn`` over chunks of *items*, results flattened in input order.

    *fn* must be picklable (a module-level function, or a partial of one) when
    ``workers > 1``.  An exception from a chunk is raised here, after every
    result before that chunk has been yielded.
    """
    if workers == 1:
        for chunk in _chunks(items, chunk_size):
            yield from fn(chunk)
        return
    pool = ProcessPoolExecutor(max_workers=workers)
    pending: deque[Future[list[B]]] = deque()
    try:
        for chunk in _chunks(items, chunk_size):
            pending.append(pool.submit(fn, chunk))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# -- cases ---------------------------------------------------------------------------


def _assess_one(case: Case, rubric: Rubric | None) -> Assessment:
    return assess(case.subject, case.evidence, rubric=rubric_for(case, rubric), as_of=case.as_of)


def _assess_chunk(rubric: Rubric | None, cases: list[Case]) -> list[Assessment]:
    return [_assess_one(case, rubric) for case in cases]


def assess_many(
    cases: Iterable[Case], *, rubric: Rubric | None = None, workers: int = 1, chunk_size: int = 64
) -> Iterator[Assessment]:
    """Assess each of *cases*, yielding the assessments in input order.

    *rubric* ``None`` assesses each case under its own rubric
    (:func:`~kol_trust.rubric_for`).  *cases* is read lazily, *chunk_size*
    cases at a time; with ``workers > 1`` the chunks are assessed in that many
    processes.  The first error of a case (for example
    :class:`~kol_trust.errors.EvidenceConflictError` or
    :class:`~kol_trust.errors.RubricNotFoundError`) is raised to the caller.
    """
    _check(workers, chunk_size)
    fn = functools.partial(_assess_chunk, rubric)
    return _ordered_map(fn, cases, workers=workers, chunk_size=chunk_size)


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


def read_lines(stream: BinaryIO, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Iterator[bytes]:
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
        return LineResult(n, None, str(e))


def run_chunk(
    rubric: Rubric | None, as_of: dt.date | None, limit: int, lines: list[tuple[int, bytes | None]]
) -> list[LineResult]:
    return [_run_line(n, text, rubric, as_of, limit) for n, text in lines]


def _numbered(lines: Iterable[bytes], limit: int) -> Iterator[tuple[int, bytes | None]]:
    for n, line in enumerate(lines, start=1):
        text = strip_eol(line)
        if len(text) > limit:
            yield n, None  # too long: not even sent to a worker
        elif text.strip():
            yield n, text


def run_jsonl(
    lines: Iterable[bytes],
    *,
    rubric: Rubric | None = None,
    as_of: dt.date | None = None,
    workers: int = 1,
    chunk_size: int = 64,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
) -> Iterator[LineResult]:
    """Assess a JSON Lines input, one case per line, in input order.

    Each non-empty line gives one :class:`LineResult`: the assessment's compact
    JSON, or why the line was rejected (not UTF-8 or JSON, not a valid case,
    conflicting evidence, an unknown rubric version, or longer than
    *max_line_bytes* bytes, not counting its line ending: such a line is not
    parsed).  A bad line never stops the run.  Lines that are empty or only
    whitespace are skipped: they are neither read, assessed nor rejected, but
    they count in the line numbers.  *as_of*, when given, replaces each case's
    ``as_of``; *rubric* ``None`` uses each case's own rubric.

    Parsing, assessing and serialising all happen in the workers.
    """
    _check(workers, chunk_size)
    if max_line_bytes < 1:
        raise ValueError(f"max_line_bytes must be at least 1, not {max_line_bytes}")
    fn = functools.partial(run_chunk, rubric, as_of, max_line_bytes)
    return _ordered_map(fn, _numbered(lines, max_line_bytes), workers=workers, chunk_size=chunk_size)
