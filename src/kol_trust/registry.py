"""The built-in rubrics, shipped inside the package as data, and registries.

``load_rubric("1.0.0")`` gives a version by name; ``load_rubric(as_of=day)``
gives the version in force on that day (the greatest ``effective_from`` not
after it).  Loaded rubrics are parsed once and then shared: they are immutable.

An application that also uses rubrics of its own creates a
:class:`RubricRegistry`: an object that holds the built-in rubrics (unless told
otherwise) and the ones the application adds, and answers the same questions
for any rubric id.  There is no global registry: the module-level functions
always see the built-in rubrics only.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import re
from collections.abc import Iterator
from pathlib import Path

from .canonical import rubric_digest
from .checks import VERSION_PATTERN, json_string
from .errors import RubricConflictError, RubricNotFoundError
from .rubric import Rubric
from .wire import from_json, parse_rubric_text, rubric_format

__all__ = ["BUILTIN_ID", "RubricRegistry", "_builtin_registry", "available_rubrics", "load_rubric", "load_rubric_file"]

#: The id of the standard's own rubric.
BUILTIN_ID = "kol-trust"
_FILE = re.compile(rf"(?P<id>[a-z0-9-]+?)-(?P<version>{VERSION_PATTERN.pattern})\.json")


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


def load_rubric_file(path: str | Path) -> Rubric:
    """Load a rubric file: TOML when it ends in ``.toml``, JSON otherwise.

    Raises :class:`~kol_trust.errors.RubricError` for an invalid rubric and
    :class:`OSError` when the file cannot be read.
    """
    path = Path(path)
    return parse_rubric_text(path.read_bytes(), format=rubric_format(path))


def available_rubrics() -> tuple[Rubric, ...]:
    """Every built-in rubric, by id and then version (oldest first)."""
    return _builtin()


def load_rubric(version: str | None = None, *, as_of: dt.date | None = None) -> Rubric:
    """A built-in ``kol-trust`` rubric.

    With *version*, that version; otherwise the version in force on *as_of*
    (today when *as_of* is not given).  Raises
    :class:`~kol_trust.errors.RubricNotFoundError` when there is no such version or
    none is in force yet.
    """
    builtin = _builtin_registry()
    if version is not None:
        return builtin.get(BUILTIN_ID, version)
    return builtin.in_force(BUILTIN_ID, as_of if as_of is not None else dt.date.today())


def builtin_rubric(rubric_id: str, version: str) -> Rubric:
    """The built-in rubric with this id and version (:class:`~kol_trust.errors.RubricNotFoundError` when none)."""
    return _builtin_registry().get(rubric_id, version)


@functools.cache
def _builtin_registry() -> RubricRegistry:
    # Read-only once built: nothing outside this module can reach it to add to it.
    return RubricRegistry()


class RubricRegistry:
    """The rubrics an application knows: by id and version, and by date.

    ``RubricRegistry()`` starts with the built-in rubrics;
    ``RubricRegistry(include_builtin=False)`` starts empty.  A registry holds
    one rubric per ``(id, version)``: adding a different rubric (another
    digest) under a name already taken raises
    :class:`~kol_trust.errors.RubricConflictError`, adding the same one again does
    nothing.  Iteration gives the rubrics by id, then version (oldest first).

    A registry is a plain object, not shared state: two registries are
    independent, and the module-level :func:`load_rubric` is not affected.
    """

    def __init__(self, include_builtin: bool = True) -> None:
        self._rubrics: dict[tuple[str, str], Rubric] = {}
        if include_builtin:
            for rubric in available_rubrics():
                self.add(rubric)

    def add(self, rubric: Rubric) -> Rubric:
        """Register *rubric*; returns the registered rubric of that id and version.

        When an equal rubric (same digest) is already registered, that one is
        kept and returned.
        """
        if not isinstance(rubric, Rubric):
            raise TypeError(f"expected a Rubric, got {type(rubric).__name__}")
        known = self._rubrics.get(rubric.key)
        if known is None:
            self._rubrics[rubric.key] = rubric
            return rubric
        if known is not rubric:
            old, new = rubric_digest(known), rubric_digest(rubric)
            if old != new:
                raise RubricConflictError(rubric.id, rubric.version, old, new)
        return known

    def add_file(self, path: str | Path) -> Rubric:
        """Load a rubric file (JSON, or TOML when it ends in ``.toml``) and register it.

        Raises :class:`~kol_trust.errors.RubricError` when the rubric is invalid and
        :class:`OSError` when the file cannot be read.
        """
        return self.add(load_rubric_file(path))

    def get(self, rubric_id: str, version: str) -> Rubric:
        """The rubric with this id and version (:class:`~kol_trust.errors.RubricNotFoundError` when none)."""
        found = self._rubrics.get((rubric_id, version))
        if found is None:
            known = ", ".join(self.versions(rubric_id))
            if known:
                raise RubricNotFoundError(
                    f"no {rubric_id} rubric has version {json_string(version)} (registered: {known})"
                )
            raise RubricNotFoundError(f"no rubric with id {json_string(rubric_id)} is registered")
        return found

    def in_force(self, rubric_id: str, on: dt.date) -> Rubric:
        """The version of *rubric_id* in force on the day *on*.

        That is the version with the greatest ``effective_from`` not after
        *on*; of two with the same date, the greater version.  Raises
        :class:`~kol_trust.errors.RubricNotFoundError` when the id is unknown or no
        version is in force yet.
        """
        candidates = [r for r in self._rubrics.values() if r.id == rubric_id]
        if not candidates:
            raise RubricNotFoundError(f"no rubric with id {json_string(rubric_id)} is registered")
        in_force = [r for r in candidates if r.effective_from <= on]
        if not in_force:
            first = min(r.effective_from for r in candidates)
            raise RubricNotFoundError(
                f"no {rubric_id} rubric is in force on {on.isoformat()} (the first is in force from {first.isoformat()})"
            )
        if len(in_force) == 1:  # the common case, without parsing the version
            return in_force[0]
        return max(in_force, key=lambda r: (r.effective_from, _version_key(r.version)))

    def versions(self, rubric_id: str) -> tuple[str, ...]:
        """The registered versions of *rubric_id*, oldest first (empty when the id is unknown)."""
        return tuple(sorted((v for i, v in self._rubrics if i == rubric_id), key=_version_key))

    def ids(self) -> tuple[str, ...]:
        """The registered rubric ids, sorted."""
        return tuple(sorted({i for i, _ in self._rubrics}))

    def __iter__(self) -> Iterator[Rubric]:
        return iter(sorted(self._rubrics.values(), key=lambda r: (r.id, _version_key(r.version))))

    def __len__(self) -> int:
        return len(self._rubrics)

    def __contains__(self, item: object) -> bool:
        """``(id, version)`` in the registry, or a :class:`Rubric` registered as it is (same digest)."""
        if isinstance(item, Rubric):
            known = self._rubrics.get(item.key)
            return known is not None and (known is item or rubric_digest(known) == rubric_digest(item))
        if isinstance(item, tuple) and len(item) == 2:
            return item in self._rubrics
        return False

    def __repr__(self) -> str:
        return f"<RubricRegistry: {len(self)} rubric{'s' if len(self) != 1 else ''}>"
