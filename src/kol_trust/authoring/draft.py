"""A rubric written out as TOML, to start a new version from (``kol-trust rubric show --format toml``).

The standard library reads TOML but does not write it, and a rubric has a
small, fixed shape, so this module writes it: the rubric's top-level values,
then ``[title]`` and ``[policy]`` tables, then one ``[[sources]]``,
``[[pillars]]``, ``[[criteria]]``, ``[[gates]]`` and ``[[tiers]]`` table per
record, their nested values (titles, ``when``, ``applies_to``, penalties) as
inline tables.  Every default is written out, as in the JSON document.  The
text loads back (:func:`~kol_trust.authoring.parse_rubric_text` with
``format="toml"``) to the same rubric, so to the same digest.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ..checks import describe
from ..rubric import Rubric
from ..wire import to_dict

__all__ = ["rubric_toml"]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else _string(name)


def _string(text: str) -> str:
    # A JSON string is a TOML basic string, except that TOML also wants DEL escaped.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007F")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):  # pragma: no cover - a valid rubric has none
            raise ValueError(f"a rubric holds no {describe(value)}")
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items() if v is not None) + " }"
    raise TypeError(f"not a rubric value: {type(value).__name__}")  # pragma: no cover


def _pairs(table: dict[str, Any]) -> list[str]:
    return [f"{_key(k)} = {_value(v)}" for k, v in table.items() if v is not None]


def rubric_toml(rubric: Rubric) -> str:
    """The TOML text of *rubric*, every field written out; it loads back to the same digest."""
    doc = to_dict(rubric)
    lines = [f"# {rubric.id} {rubric.version}: a draft written by kol-trust rubric show --format toml", ""]
    tables = {k: v for k, v in doc.items() if isinstance(v, dict)}
    arrays = {k: v for k, v in doc.items() if isinstance(v, list) and all(isinstance(x, dict) for x in v) and v}
    lines += _pairs({k: v for k, v in doc.items() if k not in tables and k not in arrays})
    for name, table in tables.items():
        lines += ["", f"[{_key(name)}]", *_pairs(table)]
    for name, items in arrays.items():
        for item in items:
            lines += ["", f"[[{_key(name)}]]", *_pairs(item)]
    return "\n".join(lines) + "\n"
