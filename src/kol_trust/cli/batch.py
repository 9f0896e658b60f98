"""``kol-trust batch``: assess a JSON Lines file of cases, one per line.

A progress bar shows on standard error when it is a terminal and the
``progress`` extra (tqdm) is installed.

Exit codes: 0 every line assessed; 3 some lines rejected (listed in the
errors file); 2 the input cannot be read (or a bad option).  Output files
appear only when the run completes: each is written to a temporary file in
its directory, then renamed over the target.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from ..batch import DEFAULT_MAX_LINE_BYTES, BatchSummary, LineResult, read_lines, run_jsonl
from .common import InputError, atomic_output, iso_date, open_input, resolve_rubric, whole_number

__all__ = ["add_parsers", "progress"]


def add_parsers(commands: Any) -> None:
    """Add the ``batch`` command to the top-level sub-commands."""
    p = commands.add_parser(
        "batch",
        help="assess a JSON Lines file of cases",
        description="Assess one case per line of IN.jsonl; write one assessment per line to OUT.jsonl, "
        "in input order, and each rejected line to the errors file. "
        "Exit 0 when every line was assessed, 3 when some were rejected, 2 when the input cannot be read.",
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
    p.set_defaults(run=_cmd_batch)


def progress(results: Iterable[LineResult]) -> Iterable[LineResult]:
    """A progress bar on standard error when it is a terminal and tqdm (the
    ``progress`` extra) is installed; otherwise the results as they are."""
    if not sys.stderr.isatty():
        return results
    try:
        # Imported here, not at the top: tqdm is an optional extra, and only a
        # run on a terminal needs it.
        from tqdm import tqdm
    except ImportError:
        return results
    bar: Iterable[LineResult] = tqdm(results, unit=" lines", file=sys.stderr, leave=False)
    return bar


def _cmd_batch(args: argparse.Namespace, out: TextIO) -> int:
    if args.output == "-" and args.errors == "-":
        raise InputError("-o and --errors cannot both be standard output")
    rubric = None if args.rubric is None else resolve_rubric(args.rubric)
    assessed = rejected = 0
    with (
        open_input(args.input) as stream,
        atomic_output(args.output, out) as good,
        atomic_output(args.errors, out) as bad,
    ):
        results = run_jsonl(
            read_lines(stream, args.max_line_bytes),
            rubric=rubric,
            as_of=args.as_of,
            workers=args.workers,
            max_line_bytes=args.max_line_bytes,
        )
        for r in progress(results):
            if r.output is not None:
                good.write(r.output + "\n")
                assessed += 1
            else:
                bad.write(json.dumps({"line": r.line, "error": r.error}, ensure_ascii=False) + "\n")
                rejected += 1
    sys.stderr.write(f"kol-trust: {BatchSummary(assessed + rejected, assessed, rejected)}\n")
    return 0 if rejected == 0 else 3
