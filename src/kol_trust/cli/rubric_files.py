"""``kol-trust rubric validate`` and ``kol-trust rubric show``."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from ..authoring.draft import rubric_toml
from ..authoring.show import rubric_markdown, rubric_table
from ..registry import load_rubric
from ..wire import rubric_digest, to_json
from ..words import word
from .common import add_lang, add_width, resolve_rubric, table_width

__all__ = ["add_parsers"]


def _cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    # A built-in version or a file; every problem, each with its JSON path, one per line (exit code 2).
    rubric = resolve_rubric(args.file)
    out.write(word("rubric.valid", args.lang, id=rubric.id, version=rubric.version, digest=rubric_digest(rubric)))
    out.write("\n")
    return 0


def _cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    rubric = load_rubric() if args.rubric is None else resolve_rubric(args.rubric)
    if args.format == "json":
        out.write(to_json(rubric, indent=2) + "\n")
    elif args.format == "toml":
        out.write(rubric_toml(rubric))
    elif args.format == "markdown":
        out.write(rubric_markdown(rubric, args.lang))
    else:
        out.write(rubric_table(rubric, args.lang, width=table_width(args.width, out)))
    return 0


def add_parsers(sub: Any) -> None:
    """Add ``validate`` and ``show`` to the ``rubric`` command group's sub-commands."""
    p = sub.add_parser(
        "validate",
        help="check a rubric file against every rule of the standard",
        description=(
            "Check a rubric file (JSON, or TOML when it ends in .toml) or a built-in version such as 1.0.0 "
            "against every rule of STANDARD §1.4. "
            'Prints "valid: ID VERSION DIGEST" and exits 0, or lists every problem with its JSON path on '
            "standard error and exits 2."
        ),
    )
    p.add_argument(
        "file", metavar="FILE|VERSION", help="the rubric file, or a built-in version; - reads JSON from standard input"
    )
    add_lang(p, "the line printed for a valid rubric (problems are reported in English)")
    p.set_defaults(run=_cmd_validate)

    p = sub.add_parser(
        "show",
        help="show a rubric: pillars, criteria, shares, gates, tiers",
        description="Show a rubric in readable form. Without VERSION|FILE: the built-in rubric in force today.",
    )
    p.add_argument(
        "rubric",
        nargs="?",
        metavar="VERSION|FILE",
        help="a built-in version such as 1.0.0, or a rubric file (JSON, or TOML when it ends in .toml)",
    )
    add_lang(p, "the table or the Markdown page: titles, labels and notes")
    p.add_argument(
        "--format",
        choices=("table", "markdown", "json", "toml"),
        default="table",
        help="table (default), markdown, or the rubric's document with defaults filled in, as JSON or TOML "
        "(a draft of a new version: it loads back to the same digest)",
    )
    add_width(p)
    p.set_defaults(run=_cmd_show)
