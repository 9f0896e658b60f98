"""The fast path of :func:`~kol_trust.from_dict`: documents that pass every check, built directly.

The detailed path of :mod:`kol_trust.wire.convert` (cattrs with detailed validation, every field
structured, then checked, then checked again by the class) is what gives
every problem with its JSON path, and it is slow.  Most documents are fine,
so from_dict first tries a plain path that only knows how to accept: exact
JSON types, no unknown keys, no missing fields, then every field check the
class's constructor runs (the self-checking input documents of model.py
only: Text, which does not check itself, the rubric, the assessment and
the classes of other modules get no fast path).  Anything else, and any
exception at all, sends the document to the detailed path, which then
decides, alone, what is accepted and what is reported.  The fast path
accepts a document only when the detailed path would accept it and build
an equal object: tests/test_fast_path.py compares the two.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import attrs

from ..canonical import DOCUMENT_ENUMS
from ..checks import (
    DATE_PATTERN,
    Expression,
    Predicate,
    expression_of,
    is_unicode,
    passed_by_every,
    predicate_of,
    present_expression_of,
    present_predicate_of,
)
from ..codegen import generated
from ..fieldtypes import enum_of, is_homogeneous_tuple, item_type, non_optional, optional_of
from ..model import SelfChecking

__all__ = ["fast_reader", "fast_structurer"]


class _Fallback(Exception):
    """The fast path cannot take this document; the detailed path decides."""


_FieldReader = Callable[[Any], Any]


def _no_other(raw: Any) -> Any:
    raise _Fallback


def _other_str(raw: Any) -> str:
    if type(raw) is str and is_unicode(raw):  # not ASCII, but valid Unicode
        return raw
    raise _Fallback


def _other_float(raw: Any) -> float:
    if type(raw) is int:
        return float(raw)  # OverflowError: the detailed path reports it
    raise _Fallback


#: How the fast path reads a JSON scalar of each type: its commonest case,
#: ``(test, value, helpers)``, which the generated structurer writes in place
#: (``raw`` is the JSON value; ``{name}`` in the texts names a helper), and
#: the reader of every other value, which returns it or raises.  The field
#: reader (:func:`fast_reader`) is the same text, compiled.  A date's
#: ValueError and an enum's KeyError send the document to the detailed path.
_SCALARS: dict[Any, tuple[str, str, dict[str, Any], _FieldReader]] = {
    str: ("raw.__class__ is str and raw.isascii()", "raw", {}, _other_str),
    int: ("raw.__class__ is int", "raw", {}, _no_other),
    float: ("raw.__class__ is float and {isfinite}(raw)", "raw", {"isfinite": math.isfinite}, _other_float),
    bool: ("raw.__class__ is bool", "raw", {}, _no_other),
    dt.date: (
        "raw.__class__ is str and {date_match}(raw)",
        "{from_iso}(raw)",
        {"date_match": DATE_PATTERN.fullmatch, "from_iso": dt.date.fromisoformat},
        _no_other,
    ),
}


def _scalar(t: Any) -> tuple[str, str, dict[str, Any], _FieldReader] | None:
    """How the fast path reads a scalar of type *t* (see :data:`_SCALARS`); None for other types."""
    if t in DOCUMENT_ENUMS:
        return ("raw.__class__ is str", "{members}[raw]", {"members": t._value2member_map_}, _no_other)
    return _SCALARS.get(t)


_SCALAR_READERS: dict[Any, _FieldReader] = {}


def _scalar_reader(t: Any, scalar: tuple[str, str, dict[str, Any], _FieldReader]) -> _FieldReader:
    found = _SCALAR_READERS.get(t)
    if found is None:
        test, value, helpers, other = scalar
        names = {name: name for name in helpers}
        lines = ["def read(raw):", f"    if {test.format(**names)}:", f"        return {value.format(**names)}"]
        lines.append("    return other(raw)")
        found = _SCALAR_READERS[t] = generated("read", t.__qualname__, lines, {**helpers, "other": other})
    return found


def fast_reader(t: Any) -> _FieldReader | None:
    """The fast path's reader of JSON values of type *t*, None when it has none.

    It returns the value the detailed path would give, or raises (anything:
    the document then goes to the detailed path, which decides).
    """
    scalar = _scalar(t)
    if scalar is not None:
        return _scalar_reader(t, scalar)
    if is_homogeneous_tuple(t):
        item = fast_reader(item_type(t))
        if item is None:
            return None

        def read_tuple(value: Any) -> tuple[Any, ...]:
            if type(value) is list or type(value) is tuple:
                return tuple([item(x) for x in value])
            raise _Fallback

        return read_tuple
    optional = optional_of(t)
    if optional is not None:
        inner = fast_reader(optional)
        if inner is None:
            return None

        def read_optional(value: Any) -> Any:
            return None if value is None else inner(value)

        return read_optional
    if isinstance(t, type):
        return fast_structurer(t)
    return None


_FAST: dict[type, _FieldReader | None] = {}


def fast_structurer(cls: type) -> _FieldReader | None:
    """The fast path for documents of *cls*, built once; None when there is none.

    The object is built as its attrs-generated ``__init__`` builds it (each
    field's value or default, through the field's converter, set in field
    order) and then checked by the very checks its ``__attrs_post_init__``
    runs, as plain predicates (:func:`kol_trust.checks.predicate_of`), without
    that function's look-ups for each object.  Only plain attrs classes qualify: no validators, no converters
    or factories that take ``self``, no hooks other than the model's
    self-check; anything else gets no fast path.
    """
    if cls in _FAST:
        return _FAST[cls]
    _FAST[cls] = None  # until built: a class that contains itself gets no fast path
    if not (
        attrs.has(cls)
        # The input documents only: classes elsewhere (certification…) may
        # have structure hooks of their own that this path would not know.
        and cls.__module__ == SelfChecking.__module__
        and issubclass(cls, SelfChecking)
        and getattr(cls, "__attrs_post_init__", None) is SelfChecking.__attrs_post_init__
        and not hasattr(cls, "__attrs_pre_init__")
    ):
        return None
    attrs.resolve_types(cls)
    fields = attrs.fields(cls)
    plan = []
    for a in fields:
        # A null never reaches the reader (it means the default, or the
        # detailed path): read the X of an ``X | None`` directly.
        read_type = non_optional(a.type)
        reader = fast_reader(read_type)
        if (
            reader is None
            or not a.init
            or a.alias != a.name
            or a.validator is not None
            or (a.converter is not None and not _plain_function(a.converter))
        ):
            return None
        factory = None
        if isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
            if a.default.takes_self:
                return None
            factory = a.default.factory
        keeps = _kept_classes(a.converter, a.type) if a.converter is not None else frozenset()
        check = a.metadata.get("check")
        read_check: tuple[Predicate, Expression | None] | None = None
        default_check = None
        if check is not None:
            if a.converter is not None and read_type not in keeps:
                # The converter's result may be anything.
                read_check = (predicate_of(check), expression_of(check))
            elif passed_by_every(check) is not read_type:
                # The reader gives a value of exactly read_type, never None (a
                # check that every such value passes is not asked at all).
                read_check = (present_predicate_of(check), present_expression_of(check))
            if a.default is not attrs.NOTHING and not _default_passes(a, check):
                default_check = predicate_of(check)
        plan.append((a, read_type, reader, factory, keeps, read_check, default_check, _slot_setter(cls, a.name)))
    # Written out field by field (as attrs writes __init__); for each field:
    # absent or null → the default (STANDARD §1, as in the detailed path) or,
    # when required, the detailed path; else the reader (its commonest case
    # in place, see _SCALARS); the converter; the check (its expression in
    # place when it has one; for a default, only when the default may fail
    # it), whose first problem sends the document to the detailed path,
    # which reports it with its path.
    namespace: dict[str, Any] = {
        "cls": cls,
        "names": frozenset(a.name for a in fields),
        "new": object.__new__,
        "setattr_": object.__setattr__,
        "Fallback": _Fallback,
    }
    lines = [
        "def structure(data):",
        "    if data.__class__ is not dict or not data.keys() <= names:",
        "        raise Fallback",  # not an object, or an unknown field
        "    obj = new(cls)",
        "    get = data.get",
    ]
    for i, (a, read_type, reader, factory, conv, keeps, read_check, default_check, setter) in enumerate(
        (a, t, r, f, a.converter, k, rc, dc, st) for a, t, r, f, k, rc, dc, st in plan
    ):
        namespace.update({f"read_{i}": reader, f"default_{i}": a.default, f"factory_{i}": factory})
        namespace.update({f"convert_{i}": conv, f"keeps_{i}": keeps, f"set_{i}": setter})
        namespace[f"default_check_{i}"] = default_check
        key = repr(a.name)
        converted = (
            [f"        if value.__class__ not in keeps_{i}:", f"            value = convert_{i}(value)"]
            if conv is not None
            else []
        )
        checked: list[str] = []
        if read_check is not None:
            predicate, expression = read_check
            if expression is not None:
                test, helpers = expression.source("value", f"check_{i}_")
                namespace.update(helpers)
            else:
                test = f"read_check_{i}(value)"
                namespace[f"read_check_{i}"] = predicate
            checked = [f"        if not ({test}):", "            raise Fallback"]
        lines += [f"    raw = get({key})", "    if raw is None:"]
        if a.default is attrs.NOTHING:
            lines.append("        raise Fallback")
        else:
            lines.append(f"        value = factory_{i}()" if factory is not None else f"        value = default_{i}")
            lines += converted
            if default_check is not None:
                lines += [f"        if not default_check_{i}(value):", "            raise Fallback"]
        scalar = _scalar(read_type)
        if scalar is not None:
            test, value, helpers, _ = scalar
            names = {name: f"read_{i}_{name}" for name in helpers}
            namespace.update({names[name]: h for name, h in helpers.items()})
            lines += [f"    elif {test.format(**names)}:", f"        value = {value.format(**names)}"]
            # A value of a class the converter keeps as it is needs no call.
            lines += (converted if read_type not in keeps else []) + checked
        lines += ["    else:", f"        value = read_{i}(raw)", *converted, *checked]
        lines.append(f"    set_{i}(obj, value)" if setter is not None else f"    setattr_(obj, {key}, value)")
    lines.append("    return obj")
    structure: _FieldReader = generated("structure", cls, lines, namespace)
    _FAST[cls] = structure
    return structure


def _slot_setter(cls: type, name: str) -> Callable[[Any, Any], None] | None:
    """The ``__set__`` of the slot *name* that *cls* itself declares (faster than
    ``object.__setattr__``; frozen classes are built so); None when it has none."""
    slot: Any = cls.__dict__.get(name)
    if type(slot).__name__ == "member_descriptor" and name in getattr(cls, "__slots__", ()):
        setter: Callable[[Any, Any], None] = slot.__set__
        return setter
    return None


def _default_passes(a: attrs.Attribute[Any], check: Any) -> bool:
    """Whether the field's default, converted as attrs converts it, always passes *check*
    (a factory's value may differ from call to call: it is checked each time)."""
    if isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
        return False
    convert: Any = a.converter  # a plain function (fast_structurer gives up on the others)
    value = convert(a.default) if convert is not None else a.default
    return predicate_of(check)(value)


def _kept_classes(converter: Callable[[Any], Any], t: Any) -> frozenset[type]:
    """Classes of values the field's *converter* is known to return as they are.

    An enum field's converter (the model's to_enum) returns a member, and
    None, unchanged: when that holds for every member (and for None), found
    here once, the fast path skips the call for them, as it changes nothing.
    """
    kept: set[type] = set()
    try:
        enum_type = enum_of(t)
        if enum_type is not None and all(converter(m) is m for m in enum_type):
            kept.add(enum_type)
        if converter(None) is None:
            kept.add(type(None))
    except Exception:  # a converter that refuses one of them: never skip it for those
        pass
    return frozenset(kept)


def _plain_function(converter: Any) -> bool:
    """A converter attrs calls with the value alone (not an ``attrs.Converter``)."""
    return callable(converter) and not isinstance(converter, getattr(attrs, "Converter", ()))
