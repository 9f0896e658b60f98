"""The built-in rubrics, shipped inside the package as data.

``load_rubric("1.0.0")`` gives a version by name; ``load_rubric(as_of=day)``
gives the version in force on that day (the greatest ``effective_from`` not
after it).  Loaded rubrics are parsed once and then shared: they are immutable.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import re

from .errors import RubricNotFoundError
from .rubric import Rubric
from .wire import from_json

__all__ = ["BUILTIN_ID", "available_rubrics", "load_rubric"]

#: The id of the standard's own rubric.
BUILTIN_ID = "kol-trust"
_FILE = re.compile(r"(?P<id>[a-z0-9-]+?)-(?P<version>\d+\.\d+\.\d+)\.json")


@functools.cache
def _builtin() -> tuple[Rubric, ...]:
    folder = importlib.resources.files("kol_trust") / "rubrics"
    found = []
    for entry in folder.iterdir():
        if _FILE.fullmatch(entry.name):
            found.append(from_json(entry.read_bytes(), Rubric))
    return tuple(sorted(found, key=lambda r: (r.id, _version_key(r.version))))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in version.split("."))


def available_rubrics() -> tuple[Rubric, ...]:
    """Every built-in rubric, by id and then version (oldest first)."""
    return _builtin()


def load_rubric(version: str | None = None, *, as_of: dt.date | None = None) -> Rubric:
    """A built-in ``kol-trust`` rubric.

    With *version*, that version; otherwise the version in force on *as_of*
    (today when *as_of* is not given).  Raises
    :class:`~kol_trust.RubricNotFoundError` when there is no such version or
    none is in force yet.
    """
    candidates = [r for r in _builtin() if r.id == BUILTIN_ID]
    if version is not None:
        for r in candidates:
            if r.version == version:
                return r
        known = ", ".join(r.version for r in candidates) or "none"
        raise RubricNotFoundError(f"no built-in {BUILTIN_ID} rubric has version {version!r} (built in: {known})")
    day = as_of if as_of is not None else dt.date.today()
    in_force = [r for r in candidates if r.effective_from <= day]
    if not in_force:
        raise RubricNotFoundError(f"no built-in {BUILTIN_ID} rubric is in force on {day.isoformat()}")
    return max(in_force, key=lambda r: (r.effective_from, _version_key(r.version)))
