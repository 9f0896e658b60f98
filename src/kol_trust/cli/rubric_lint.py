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
from .common import print_table, resolve_rubric

__all__ = ["add_parsers", "print_findings"]


def print_findings(findings: tuple[Finding, ...], out: TextIO) -> None:
    """The readable list of *findings*."""
    if not findings:
        out.write("no findings\n")
        return
    print_table(
        [["code", "severity", "path", "message"], *([f.code, f.severity, f.path, f.message] for f in findings)], out
    )
    errors = sum(f.severity == "error" for f in findings)
    out.write(
        f"\n{len(findings)} finding{'s' if len(findings) != 1 else ''}: {errors} error(s), "
        f"{len(findings) - errors} warning(s)\n"
    )


def _cmd_lint(args: argparse.Namespace, out: TextIO) -> int:
    rubric = resolve_rubric(args.rubric)
    findings = lint_rubric(rubric)
    if args.format == "json":
        doc: dict[str, Any] = {"rubric": to_dict(compile_rubric(rubric).ref), "findings": to_dict(findings)}
        out.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(f"Rubric {rubric.id} {rubric.version}\n")
        print_findings(findings, out)
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
    p.set_defaults(run=_cmd_lint)
