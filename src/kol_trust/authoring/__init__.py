"""Tools for standards authors: rubric files, diffs, impact analysis, lint, tables.

* :func:`load_rubric_file` and :func:`parse_rubric_text` read a rubric from JSON
  or TOML;
* :func:`diff_rubrics` says what a new version changes, and the version bump it
  needs (:class:`RubricDiff`, :class:`Change`);
* :func:`impact` says what it does to real subjects (:class:`ImpactReport` and
  its parts);
* :func:`lint_rubric` finds what validation cannot see (:class:`Finding`);
* :func:`rubric_markdown` and :func:`rubric_table` show a rubric;
  :func:`rubric_toml` writes it as TOML, a draft of a new version.
"""

from __future__ import annotations

from ..registry import load_rubric_file
from ..wire import parse_rubric_text
from .diff import Change, RubricDiff, diff_rubrics
from .draft import rubric_toml
from .impact import (
    CriterionChange,
    DeltaBin,
    DeltaStats,
    Failure,
    GateChange,
    GateCount,
    ImpactReport,
    Mover,
    impact,
)
from .lint import Finding, lint_rubric
from .show import rubric_markdown, rubric_table

__all__ = [
    "Change",
    "CriterionChange",
    "DeltaBin",
    "DeltaStats",
    "Failure",
    "Finding",
    "GateChange",
    "GateCount",
    "ImpactReport",
    "Mover",
    "RubricDiff",
    "diff_rubrics",
    "impact",
    "lint_rubric",
    "load_rubric_file",
    "parse_rubric_text",
    "rubric_markdown",
    "rubric_table",
    "rubric_toml",
]
