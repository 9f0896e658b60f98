"""``kol-trust report``: write the report card (HTML) and the badge (SVG) of one case.

Both outputs are made before anything is written; each file is written to a
temporary file in its directory, then renamed over the target, so a target
is either left as it was or replaced whole.  ``-`` writes one of them to
standard output.
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from ..model import Case
from ..report import render_badge, render_report
from .common import InputError, assess_document, case_rubric, distinct_outputs, load_document, write_output

__all__ = ["add_parsers"]


def _cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    if args.html is None and args.svg is None:
        raise InputError("nothing to write: give --html OUT.html, --svg BADGE.svg or both")
    if args.html == "-" and args.svg == "-":
        raise InputError("--html and --svg cannot both be standard output")
    distinct_outputs({"--html": args.html, "--svg": args.svg})
    case = load_document(args.case, Case)
    rubric = case_rubric(args.rubric, case, args.case)
    assessment = assess_document(args.case, case, rubric)
    outputs: list[tuple[str, str]] = []
    if args.html is not None:
        outputs.append((args.html, render_report(case, assessment, rubric, lang=args.lang)))
    if args.svg is not None:
        outputs.append((args.svg, render_badge(assessment, rubric, lang=args.lang, kind=case.subject.kind)))
    for path, text in outputs:
        write_output(path, text, out)
    return 0


def add_parsers(commands: Any) -> None:
    """Add the ``report`` command to the top-level sub-commands."""
    p = commands.add_parser(
        "report",
        help="write the report card (HTML) and badge (SVG) of one case",
        description="Assess one case and write its report card, a self-contained HTML page with no script "
        "and no external resource, and/or its badge, a small SVG image. Give --html, --svg or both; "
        "- writes one of them to standard output.",
    )
    p.add_argument("case", metavar="CASE.json", help="the case document; - reads standard input")
    p.add_argument("--html", metavar="OUT.html", help="write the report card here")
    p.add_argument("--svg", metavar="BADGE.svg", help="write the badge here")
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of the outputs (default: vi)")
    p.add_argument("--rubric", metavar="VERSION|FILE", help="a built-in version such as 1.0.0, or a rubric file")
    p.set_defaults(run=_cmd_report)
