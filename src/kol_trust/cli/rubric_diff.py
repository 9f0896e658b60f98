"""``kol-trust rubric diff OLD NEW``: what changed, and is the version bump right?

Exit codes: 0 when the declared version bump covers the changes, 1 when it
does not, 2 on bad input (an unreadable rubric, or rubrics with different ids).
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from ..authoring.diff import diff_rubrics
from ..errors import KolTrustError
from ..wire import to_json
from .common import InputError, add_lang, resolve_rubric

__all__ = ["add_parsers"]


def add_parsers(sub: Any) -> None:
    """Add ``diff`` to the ``kol-trust rubric`` sub-commands (*sub*: ``add_subparsers()``)."""
    p = sub.add_parser(
        "diff",
        help="compare two versions of a rubric and check the version bump",
        description=(
            "List what changed from OLD to NEW (records by id) with the version bump each change needs "
            "(patch: texts; minor: no score, tier, certification or gate changes; major: anything else), "
            "and check the bump the versions declare. Exit 0 when it is enough, 1 when not, 2 on bad input."
        ),
    )
    p.add_argument("old", metavar="OLD", help="the earlier rubric: a built-in version such as 1.0.0, or a file")
    p.add_argument("new", metavar="NEW", help="the later rubric: a built-in version, or a rubric file (JSON or TOML)")
    p.add_argument("--format", choices=("table", "markdown", "json"), default="table")
    add_lang(p, "the table or the Markdown report")
    p.set_defaults(run=_cmd)


def _cmd(args: argparse.Namespace, out: TextIO) -> int:
    old = resolve_rubric(args.old)
    new = resolve_rubric(args.new)
    try:
        diff = diff_rubrics(old, new)
    except KolTrustError as e:
        raise InputError(f"cannot compare {args.old} and {args.new}: {e}") from None
    if args.format == "json":
        out.write(to_json(diff, indent=2) + "\n")
    elif args.format == "markdown":
        out.write(diff.format_markdown(args.lang))
    else:
        out.write(diff.format_table(args.lang))
    return 0 if diff.ok else 1
