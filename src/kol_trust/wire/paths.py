"""Problems with JSON paths (``$.evidence[3].observed_at``) from cattrs' exceptions.

The converter's hooks raise :class:`Invalid` (one value is wrong) and
:class:`FieldProblems` (a field's checks failed); cattrs groups them by field
and index; :func:`problems` turns the whole tree into one flat list.
"""

from __future__ import annotations

import json
import re
from typing import Any

from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError

from ..errors import MAX_PROBLEMS, Problem, ValidationError
from ..rubric import Condition

__all__ = ["FieldProblems", "Invalid", "document_name", "member", "problems"]


class Invalid(Exception):
    """A value-level problem found while structuring (message only)."""


class FieldProblems(Exception):
    """A structured value failed its field's checks: ``(suffix, message)`` pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(problems)
        self.problems = problems


def problems(exc: BaseException, path: str) -> list[Problem]:
    if isinstance(exc, IterableValidationError):
        items, rest = exc.group_exceptions()
        # Problems of the list itself (items not checked) first: they are not lost in "… and N more".
        out = [p for e in rest for p in problems(e, path)]
        return out + [p for e, item in items for p in problems(e, f"{path}[{item.index}]")]  # a list index: an int
    if isinstance(exc, ClassValidationError):
        fields, rest = exc.group_exceptions()
        out = [p for e, field in fields for p in problems(e, f"{path}.{field.name}")]
        return out + [p for e in rest for p in problems(e, path)]
    if isinstance(exc, ForbiddenExtraKeysError):
        keys = sorted(exc.extra_fields, key=str)
        listed = [Problem(member(path, k), "unknown field") for k in keys[:MAX_PROBLEMS]]
        more = len(keys) - MAX_PROBLEMS
        return listed + ([Problem(path, f"{more} more unknown fields not listed")] if more > 0 else [])
    if isinstance(exc, FieldProblems):
        return [Problem(path + suffix, message) for suffix, message in exc.problems]
    if isinstance(exc, ValidationError):
        return [Problem(path + p.path[1:], p.message) for p in exc.problems]
    if isinstance(exc, KeyError):
        return [Problem(path, "required field is missing")]
    if isinstance(exc, Invalid):
        return [Problem(path, str(exc))]
    return [Problem(path, f"invalid value ({type(exc).__name__}: {exc})")]


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_LONGEST_KEY = 64


def member(path: str, key: object) -> str:
    """*path* extended by an object key; odd keys are quoted, ASCII-escaped,
    and a key longer than 64 characters is cut to its first 64 and ``…``."""
    if isinstance(key, str) and _PLAIN_KEY.fullmatch(key):
        return f"{path}.{key}"
    text = key if isinstance(key, str) else str(key)
    if len(text) > _LONGEST_KEY:
        text = text[:_LONGEST_KEY] + "…"
    return f"{path}[{json.dumps(text)}]"


def document_name(cls: Any) -> str:
    """How messages name a document of *cls*: ``Case document``."""
    if cls == Condition:
        return "gate condition"
    return f"{getattr(cls, '__name__', 'unknown')} document"
