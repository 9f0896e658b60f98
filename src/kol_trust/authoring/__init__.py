"""Tools for standards authors: rubric files, diffs, impact analysis, lint."""

from __future__ import annotations

from .files import load_rubric_file, parse_rubric_text

__all__ = ["load_rubric_file", "parse_rubric_text"]
