"""``kol-trust rubric lint FILE|VERSION``: the defects validation cannot see.

Prints one finding a line (code, severity, JSON path, sentence), or a JSON
document with ``--format json``.  The codes are those of
:mod:`kol_trust.authoring.lint`.

Exit codes: 0 when there is no finding; 1 when there is at least one (of any
severity), so that authors can gate a CI job on it; 2 when the rubric cannot
be read or is invalid (as every command).
"""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from ..authoring.lint import Finding, lint_rubric
from ..engine import compile_rubric
from ..wire import to_dict
from ..words import plural, word
from .common import add_lang, add_width, print_table, resolve_rubric, table_width, write_text

__all__ = ["add_parsers", "print_findings"]


def print_findings(findings: tuple[Finding, ...], out: TextIO, lang: str = "en", width: int | None = None) -> None:
    """The readable list of *findings*, every word in *lang*; the message column wraps to the terminal
    (:func:`~kol_trust.cli.common.print_table`)."""
    if not findings:
        write_text(out, word("lint.none", lang), width)
        return
    head = [word(f"lint.{key}", lang) for key in ("code", "severity", "path", "message")]
    rows = [head, *([f.code, word(f"lint.{f.severity}", lang), f.path, f.text(lang)] for f in findings)]
    print_table(rows, out, width=width)
    errors = sum(f.severity == "error" for f in findings)
    summary = plural("lint.summary", len(findings), lang, errors=errors, warnings=len(findings) - errors)
    write_text(out, "\n" + summary, width)


def _cmd_lint(args: argparse.Namespace, out: TextIO) -> int:
    rubric = resolve_rubric(args.rubric)
    findings = lint_rubric(rubric)
    if args.format == "json":
        doc: dict[str, Any] = {"rubric": to_dict(compile_rubric(rubric).ref), "findings": to_dict(findings)}
        out.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    else:
        width = table_width(args.width, out)
        write_text(out, word("lint.heading", args.lang, id=rubric.id, version=rubric.version), width)
        print_findings(findings, out, args.lang, width)
    return 1 if findings else 0


def add_parsers(sub: Any) -> None:
    """Add ``lint`` to the ``rubric`` sub-commands."""
    p = sub.add_parser(
        "lint",
        help="find defects validation cannot see (unreachable tiers, dead gates, …)",
        description="Lint a rubric: unreachable or shadowed tiers, gates that never trigger, criteria too light "
        "to matter, an empty subject that gets certified. Exit 0: no finding; 1: findings; 2: bad input.",
    )
    p.add_argument("rubric", metavar="FILE|VERSION", help="a rubric file (JSON, or TOML) or a built-in version")
    p.add_argument("--format", choices=("table", "json"), default="table")
    add_lang(p, "the table")
    add_width(p)
    p.set_defaults(run=_cmd_lint)
