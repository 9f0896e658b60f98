"""``kol-trust rubric …``: the standards authors' commands.

The group's sub-commands live in their own modules, each adding its
sub-parsers with ``add_parsers(sub)``: :mod:`~kol_trust.cli.rubric_files`
(``validate``, ``show``), :mod:`~kol_trust.cli.rubric_diff`,
:mod:`~kol_trust.cli.rubric_lint` and :mod:`~kol_trust.cli.rubric_impact`.
"""

from __future__ import annotations

from typing import Any

from . import rubric_diff, rubric_files, rubric_impact, rubric_lint

__all__ = ["add_parsers"]


def add_parsers(commands: Any) -> None:
    """Add the ``rubric`` command group to the top-level sub-commands
    (*commands*: the result of ``add_subparsers()``)."""
    group = commands.add_parser(
        "rubric",
        help="validate, show, diff, lint a rubric, or measure a new version's impact",
        description="Tools for standards authors.",
    )
    sub = group.add_subparsers(dest="rubric_command", required=True, metavar="SUBCOMMAND")
    # In this order in --help and in the CLI reference.
    rubric_files.add_parsers(sub)  # validate, show
    rubric_diff.add_parsers(sub)
    rubric_lint.add_parsers(sub)
    rubric_impact.add_parsers(sub)
