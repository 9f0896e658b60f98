"""Tools for standards authors: rubric files, diffs, impact analysis, lint.

Everything here is also importable from :mod:`kol_trust` itself.
"""

from __future__ import annotations

from .diff import Change, RubricDiff, diff_rubrics
from .files import load_rubric_file, parse_rubric_text
from .impact import ImpactReport, impact
from .lint import Finding, lint_rubric
from .show import rubric_markdown, rubric_table

__all__ = [
    "Change",
    "Finding",
    "ImpactReport",
    "RubricDiff",
    "diff_rubrics",
    "impact",
    "lint_rubric",
    "load_rubric_file",
    "parse_rubric_text",
    "rubric_markdown",
    "rubric_table",
]
