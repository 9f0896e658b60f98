"""Compact JSON text of documents, written directly: :func:`~kol_trust.to_json` without the dicts.

``to_json(obj)`` is the standard library's compact encoding (``", "`` and
``": "``, keys in field order, UTF-8 as is) of ``to_dict(obj)``.  For the
classes whose fields have plain declared types (the assessment and its parts,
the input documents), a writer generated once per class writes that same
text from the object: strings escaped by the json module's own C function
(the one its encoder calls), numbers by ``repr`` as the encoder writes them,
``None`` fields left out or written ``null`` as :func:`~kol_trust.to_dict`
does.  A value of another class than its field declares (or a non-finite
float, which the encoder refuses) raises :class:`Fallback`, and
:func:`~kol_trust.to_json` takes the general path, which decides the text or
the error.  tests/test_write.py compares the two.

Results that repeat (the engine shares one result object per criterion
without evidence, for each rubric and applicability) are written once: the
text of such an object is kept, by identity, in a bounded cache that holds
the object (documents are frozen).
"""

from __future__ import annotations

import datetime as dt
import json.encoder
import math
from collections.abc import Callable
from typing import Any

import attrs

from ..assessment import CriterionResult
from ..canonical import DOCUMENT_ENUMS, drops_none, in_document
from ..codegen import generated
from ..fieldtypes import is_homogeneous_tuple, item_type, optional_of
from ..rubric import CONDITION_TYPES

__all__ = ["Fallback", "written_json"]


class Fallback(Exception):
    """The direct writer cannot vouch for this object; the general path decides."""


_Write = Callable[[Any], str]
_escape: Callable[[Any], str] = json.encoder.encode_basestring
_STR_ENUMS: frozenset[type] = frozenset(DOCUMENT_ENUMS)
_isfinite = math.isfinite


def _write_str(value: Any) -> str:
    if value.__class__ is str or value.__class__ in _STR_ENUMS:
        return _escape(value)
    raise Fallback


def _write_int(value: Any) -> str:
    if value.__class__ is int:
        return repr(value)
    raise Fallback


def _write_float(value: Any) -> str:
    if value.__class__ is float and _isfinite(value):
        return repr(value)
    return _write_int(value)


def _write_bool(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    raise Fallback


def _write_date(value: Any) -> str:
    if value.__class__ is dt.date:
        return '"' + value.isoformat() + '"'
    raise Fallback


def _writer(t: Any) -> _Write | None:
    if t is str or t in DOCUMENT_ENUMS:
        return _write_str
    if t is int:
        return _write_int
    if t is float:
        return _write_float
    if t is bool:
        return _write_bool
    if t is dt.date:
        return _write_date
    if is_homogeneous_tuple(t):
        item = _writer(item_type(t))
        if item is None:
            return None

        def write_tuple(value: Any) -> str:
            if value.__class__ is tuple:
                return "[" + ", ".join([item(x) for x in value]) + "]"
            raise Fallback

        return write_tuple
    inner = optional_of(t)
    if inner is not None:
        write = _writer(inner)
        if write is None:
            return None

        def write_optional(value: Any) -> str:
            return "null" if value is None else write(value)

        return write_optional
    if isinstance(t, type):
        return _class_writer(t)
    return None


_WRITERS: dict[type, _Write | None] = {}

_CACHE_LIMIT = 4096


def _class_writer(cls: type) -> _Write | None:
    if cls in _WRITERS:
        return _WRITERS[cls]
    _WRITERS[cls] = None  # until built (and for good when unsupported)
    if not attrs.has(cls) or cls in CONDITION_TYPES.values():
        return None
    attrs.resolve_types(cls)
    plan = []
    for a in attrs.fields(cls):
        if not in_document(a):
            continue
        # None is handled in the object's writer: an ``X | None`` field gets X's writer.
        inner = optional_of(a.type)
        write = _writer(a.type if inner is None else inner)
        if write is None:
            return None
        plan.append((a.name, write))
    drop_none = drops_none(cls)
    # Each part with its leading ", "; the first is cut at the end.
    lines = ["def write_object(obj):", "    if obj.__class__ is not cls:", "        raise Fallback", "    out = ''"]
    namespace: dict[str, Any] = {
        "cls": cls,
        "Fallback": Fallback,
        "escape": _escape,
        "date": dt.date,
        "str_enums": _STR_ENUMS,
        "isfinite": _isfinite,
    }
    for i, (name, write) in enumerate(plan):
        key = ", " + json.dumps(name, ensure_ascii=False) + ": "
        namespace[f"write_{i}"] = write
        lines += [
            f"    value = obj.{name}",
            "    if value is None:",
            "        pass" if drop_none else f"        out += {key + 'null'!r}",
        ]
        # The commonest cases inline, without the calls (the same tests as the writers').
        if write is _write_str:
            lines += [
                "    elif value.__class__ is str or value.__class__ in str_enums:",
                f"        out += {key!r} + escape(value)",
            ]
        elif write is _write_float:
            lines += [
                "    elif value.__class__ is float and isfinite(value):",
                f"        out += {key!r} + repr(value)",
            ]
        elif write is _write_bool:
            lines += ["    elif value is True:", f"        out += {key + 'true'!r}"]
            lines += ["    elif value is False:", f"        out += {key + 'false'!r}"]
        lines += ["    else:", f"        out += {key!r} + write_{i}(value)"]  # raises Fallback
    lines.append("    return '{' + out[2:] + '}'")
    write_object: _Write = generated("write_object", cls, lines, namespace)
    if cls is CriterionResult:
        write_object = _cached(write_object)
    _WRITERS[cls] = write_object
    return write_object


def _cached(write: _Write) -> _Write:
    """*write* for criterion results, remembering the text of those without
    evidence (the ones the engine shares) by identity, holding them, up to a bound."""
    cache: dict[int, tuple[Any, str]] = {}

    def write_cached(obj: Any) -> str:
        if obj.assessed:
            return write(obj)
        found = cache.get(id(obj))
        if found is not None and found[0] is obj:
            return found[1]
        text = write(obj)
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[id(obj)] = (obj, text)
        return text

    return write_cached


def written_json(obj: Any) -> str:
    """``to_json(obj)`` (compact), written directly; raises :class:`Fallback`."""
    write = _WRITERS[obj.__class__] if obj.__class__ in _WRITERS else _class_writer(obj.__class__)
    if write is None:
        raise Fallback
    return write(obj)
