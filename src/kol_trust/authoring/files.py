"""Rubric files: JSON (the published form) or TOML (for authors: comments allowed).

Both spellings of a rubric load into the same :class:`~kol_trust.Rubric` and so
have the same digest.  TOML has no ``null``: leave an optional field out.
TOML dates (``effective_from = 2026-01-01``) and quoted dates are both accepted.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

from ..errors import Problem, RubricError
from ..rubric import Rubric
from ..wire import from_dict, from_json

__all__ = ["load_rubric_file", "parse_rubric_text"]


def _plain(value: Any, path: str, problems: list[Problem]) -> Any:
    """TOML values as the JSON data model has them (dates become strings)."""
    if isinstance(value, dict):
        return {k: _plain(v, f"{path}.{k}", problems) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, f"{path}[{i}]", problems) for i, v in enumerate(value)]
    if isinstance(value, dt.datetime | dt.time):
        problems.append(Problem(path, f"expected a date YYYY-MM-DD, got the date-time or time {value.isoformat()}"))
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def parse_rubric_text(text: str | bytes, *, format: str = "json") -> Rubric:
    """A rubric from its text; *format* is ``"json"`` or ``"toml"``."""
    if format == "json":
        return from_json(text, Rubric)
    if format != "toml":
        raise ValueError(f"unknown rubric format {format!r}: use 'json' or 'toml'")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise RubricError(
                "Rubric document", [Problem("$", f"not UTF-8 text ({e.reason} at byte {e.start})")]
            ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise RubricError("Rubric document", [Problem("$", f"not valid TOML: {e}")]) from None
    problems: list[Problem] = []
    plain = _plain(data, "$", problems)
    if problems:
        raise RubricError("Rubric document", problems)
    return from_dict(plain, Rubric)


def load_rubric_file(path: str | Path) -> Rubric:
    """Load a rubric file: TOML when it ends in ``.toml``, JSON otherwise.

    Raises :class:`~kol_trust.RubricError` for an invalid rubric and
    :class:`OSError` when the file cannot be read.
    """
    path = Path(path)
    return parse_rubric_text(path.read_bytes(), format="toml" if path.suffix.lower() == ".toml" else "json")
