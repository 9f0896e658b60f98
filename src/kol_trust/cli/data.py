"""``kol-trust synth`` and ``kol-trust pack``: make JSON Lines files of cases.

``synth`` writes seeded synthetic cases (:mod:`kol_trust.synth`); ``pack``
groups a file of subjects and a file of evidence records into cases
(:mod:`kol_trust.pack`).  Output files appear only when the run completes:
each is written to a temporary file in its directory, then renamed over the
target.  Both show a progress bar on a terminal (:mod:`kol_trust.cli.progress`),
unless ``--quiet``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, TextIO, TypeVar

from ..batch import DEFAULT_MAX_LINE_BYTES, read_lines
from ..checks import VERSION_PATTERN, json_string
from ..errors import KolTrustError
from ..model import Evidence, Subject
from ..pack import pack
from ..synth import AS_OF, synthetic_cases
from ..wire import from_json, to_json
from ..words import word
from .common import (
    InputError,
    add_lang,
    atomic_output,
    distinct_outputs,
    input_name,
    iso_date,
    open_input,
    whole_number,
)
from .progress import CountingReader, Progress, input_size

__all__ = ["add_parsers"]

T = TypeVar("T")


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{json_string(text)} is not a whole number") from None


def _version(text: str) -> str:
    if not VERSION_PATTERN.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{json_string(text)} is not a rubric version such as 1.0.0")
    return text


def add_parsers(commands: Any) -> None:
    """Add the ``synth`` and ``pack`` commands to the top-level sub-commands."""
    p = commands.add_parser(
        "synth",
        help="write seeded synthetic cases as JSON Lines",
        description="Write N synthetic cases on the built-in rubric, one compact case per line. "
        "The same seed gives the same bytes on every machine.",
    )
    p.add_argument("--n", type=whole_number(0), required=True, metavar="N", help="how many cases")
    p.add_argument("--seed", type=_seed, required=True, metavar="S", help="the random seed (a whole number)")
    p.add_argument(
        "--as-of", type=iso_date, default=AS_OF, metavar="DATE", help=f"the cases' as_of (default: {AS_OF.isoformat()})"
    )
    p.add_argument("-o", "--output", metavar="OUT.jsonl", required=True, help="cases; - is standard output")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary line")
    add_lang(p, "the summary and progress lines")
    p.set_defaults(run=_cmd_synth)

    p = commands.add_parser(
        "pack",
        help="group subjects and evidence files into cases",
        description="Group the evidence records of E.jsonl by subject_id into one case per subject of S.jsonl. "
        "Bad lines are reported on stderr and skipped; a subject id seen again is reported and the first kept; "
        "evidence naming no subject goes to the orphans file (or is counted on stderr). "
        "Exit 0 when no line was bad and no evidence orphaned, 3 otherwise, 2 when an input cannot be read. "
        "Everything is held in memory: for larger data group by subject_id with Dask or Spark.",
    )
    p.add_argument("--subjects", metavar="S.jsonl", required=True, help="subjects, one per line; - is standard input")
    p.add_argument("--evidence", metavar="E.jsonl", required=True, help="evidence, one per line; - is standard input")
    p.add_argument("--as-of", type=iso_date, required=True, metavar="DATE", help="the as_of of every case")
    p.add_argument("--rubric", type=_version, metavar="VERSION", help="the built-in rubric version the cases name")
    p.add_argument("-o", "--output", metavar="CASES.jsonl", required=True, help="cases; - is standard output")
    p.add_argument("--orphans", metavar="ORPHANS.jsonl", help="evidence naming no subject, one per line")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary lines (bad lines are reported)")
    add_lang(p, "the summary and progress lines (bad lines are reported in English)")
    p.set_defaults(run=_cmd_pack)


# -- synth ---------------------------------------------------------------------------


def _cmd_synth(args: argparse.Namespace, out: TextIO) -> int:
    n = 0
    bar = Progress("synth", sys.stderr, total=args.n, enabled=Progress.wanted(sys.stderr, args.quiet), lang=args.lang)
    noun = word("progress.cases", args.lang)
    try:
        with atomic_output(args.output, out) as f:
            for case in synthetic_cases(args.n, seed=args.seed, as_of=args.as_of):
                f.write(to_json(case) + "\n")
                n += 1
                bar.update(n, n, noun)
    finally:
        bar.close()
    if not args.quiet:
        sys.stderr.write(f"kol-trust: {word('synth.wrote', args.lang, n=n, seed=args.seed)}\n")
    return 0


# -- pack ----------------------------------------------------------------------------


def _read(
    path: str, cls: type[T], bad: Callable[[str, int, str], None], bar: Progress, done: int, noun: str
) -> list[tuple[int, T]]:
    """The parsed lines of a JSON Lines file with their line numbers; a bad
    line is passed to *bad* and skipped; blank lines are skipped.  *bar*
    counts the bytes read after the *done* of the files before."""
    items: list[tuple[int, T]] = []
    with open_input(path) as stream:
        reader = CountingReader(stream, done)
        for n, raw in enumerate(read_lines(reader), start=1):
            bar.update(reader.offset, n, noun)
            text = raw.removesuffix(b"\n").removesuffix(b"\r")
            if len(text) > DEFAULT_MAX_LINE_BYTES:
                bad(path, n, f"line longer than {DEFAULT_MAX_LINE_BYTES} bytes: not parsed")
            elif text.strip():
                try:
                    items.append((n, from_json(text, cls)))
                except KolTrustError as e:
                    bad(path, n, str(e))
    return items


def _cmd_pack(args: argparse.Namespace, out: TextIO) -> int:
    if args.subjects == "-" and args.evidence == "-":
        raise InputError("--subjects and --evidence cannot both be standard input")
    if args.output == "-" and args.orphans == "-":
        raise InputError("-o and --orphans cannot both be standard output")
    distinct_outputs({"-o": args.output, "--orphans": args.orphans})
    enabled = Progress.wanted(sys.stderr, args.quiet)
    sizes = [_size_of(args.subjects), _size_of(args.evidence)]
    total = None if None in sizes else sum(s for s in sizes if s is not None)
    bar = Progress("pack", sys.stderr, total=total, enabled=enabled, lang=args.lang)

    def bad(path: str, line: int, error: str) -> None:
        bar.close()  # the message on a line of its own
        sys.stderr.write(f"kol-trust: {input_name(path)}:{line}: {error}\n")

    try:
        return _pack(args, out, bad, bar, sizes[0] or 0, enabled)
    finally:
        bar.close()


def _size_of(path: str) -> int | None:
    if path == "-":
        return None
    with open_input(path) as stream:
        return input_size(stream)


def _pack(
    args: argparse.Namespace,
    out: TextIO,
    bad: Callable[[str, int, str], None],
    bar: Progress,
    first: int,
    enabled: bool,
) -> int:
    bad_lines = 0

    def counted(path: str, line: int, error: str) -> None:
        nonlocal bad_lines
        bad_lines += 1
        bad(path, line, error)

    subjects: dict[str, Subject] = {}
    first_line: dict[str, int] = {}
    lines_read = word("progress.lines_read", args.lang)
    for n, subject in _read(args.subjects, Subject, counted, bar, 0, lines_read):
        if subject.id in subjects:
            counted(
                args.subjects,
                n,
                f"duplicate subject id {json_string(subject.id)} (first on line {first_line[subject.id]}): skipped",
            )
        else:
            subjects[subject.id] = subject
            first_line[subject.id] = n
    evidence = [record for _, record in _read(args.evidence, Evidence, counted, bar, first, lines_read)]
    cases, orphans = pack(subjects.values(), evidence, as_of=args.as_of, rubric_version=args.rubric)

    bar.close()
    writing = Progress("pack", sys.stderr, total=len(cases), enabled=enabled, lang=args.lang)
    written = word("progress.cases_written", args.lang)
    try:
        with atomic_output(args.output, out) as f:
            for n, case in enumerate(cases, start=1):
                f.write(to_json(case) + "\n")
                writing.update(n, n, written)
    finally:
        writing.close()
    if args.orphans is not None:
        with atomic_output(args.orphans, out) as f:
            for record in orphans:
                f.write(to_json(record) + "\n")
    if orphans and not args.quiet:
        unknown = sorted({r.subject_id for r in orphans})
        shown = ", ".join(unknown[:5]) + (", …" if len(unknown) > 5 else "")
        lang = args.lang
        where = (
            word("pack.orphans_written", lang, path=args.orphans)
            if args.orphans is not None
            else word("pack.orphans_not_written", lang)
        )
        line = word("pack.orphans", lang, n=len(orphans), unknown=len(unknown), ids=shown, where=where)
        sys.stderr.write(f"kol-trust: {line}\n")
    if not args.quiet:
        line = word(
            "pack.summary",
            args.lang,
            cases=len(cases),
            subjects=len(subjects),
            evidence=len(evidence),
            packed=len(evidence) - len(orphans),
            orphaned=len(orphans),
            bad=bad_lines,
        )
        sys.stderr.write(f"kol-trust: {line}\n")
    return 0 if bad_lines == 0 and not orphans else 3
