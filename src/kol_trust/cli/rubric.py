"""``kol-trust rubric …``: the standards authors' commands."""

from __future__ import annotations

from typing import Any

__all__ = ["add_parser"]


def add_parser(commands: Any) -> None:
    """Add the ``rubric`` command group to the top-level sub-commands."""
    group = commands.add_parser(
        "rubric",
        help="validate, show, diff, lint a rubric, or measure a new version's impact",
        description="Tools for standards authors.",
    )
    sub = group.add_subparsers(dest="rubric_command", required=True, metavar="SUBCOMMAND")
    from . import rubric_files

    rubric_files.add_subcommands(sub)
    from . import rubric_diff

    rubric_diff.add_subcommand(sub)
    from . import rubric_impact, rubric_lint

    rubric_lint.add_subcommand(sub)
    rubric_impact.add_subcommand(sub)
