"""``kol-trust rubric validate`` and ``kol-trust rubric show``."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from ..authoring.show import rubric_markdown, rubric_table
from ..errors import ValidationError
from ..registry import load_rubric
from ..wire import parse_rubric_text, rubric_digest, rubric_format, to_json
from .common import InputError, input_name, read_input, resolve_rubric

__all__ = ["add_parsers"]


def _cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    path: str = args.file
    try:
        rubric = parse_rubric_text(read_input(path), format=rubric_format(path))
    except ValidationError as e:
        # Every problem, each with its JSON path, one per line (exit code 2).
        raise InputError(f"{input_name(path)}: {e}") from None
    out.write(f"valid: {rubric.id} {rubric.version} {rubric_digest(rubric)}\n")
    return 0


def _cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    rubric = load_rubric() if args.rubric is None else resolve_rubric(args.rubric)
    if args.format == "json":
        out.write(to_json(rubric, indent=2) + "\n")
    elif args.format == "markdown":
        out.write(rubric_markdown(rubric, args.lang))
    else:
        out.write(rubric_table(rubric, args.lang))
    return 0


def add_parsers(sub: Any) -> None:
    """Add ``validate`` and ``show`` to the ``rubric`` command group's sub-commands."""
    p = sub.add_parser(
        "validate",
        help="check a rubric file against every rule of the standard",
        description=(
            "Check a rubric file (JSON, or TOML when it ends in .toml) against every rule of STANDARD §1.4. "
            "Prints 'valid: ID VERSION DIGEST' and exits 0, or lists every problem with its JSON path on "
            "standard error and exits 2."
        ),
    )
    p.add_argument("file", metavar="FILE", help="the rubric file; - reads JSON from standard input")
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
    p.add_argument("--lang", choices=("vi", "en"), default="en", help="language of titles (default: en)")
    p.add_argument(
        "--format",
        choices=("table", "markdown", "json"),
        default="table",
        help="table (default), markdown, or the rubric's JSON document with defaults filled in",
    )
    p.set_defaults(run=_cmd_show)
