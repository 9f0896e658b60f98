"""The wire format: JSON documents in, JSON documents out (STANDARD §1).

One :class:`cattrs.Converter` is configured here, once, and everything that
reads or writes a document goes through it.  Reading is strict: unknown
keys, wrong types, booleans for numbers, non-finite numbers, dates that are
not ``YYYY-MM-DD`` and out-of-range values are all reported, every one with
its JSON path, in one :class:`~kol_trust.ValidationError`.

Canonical bytes (RFC 8785) and SHA-256 digests live here too, so that the
rubric digest and the assessment fingerprint are computed in one place.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import math
import re
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar, overload

import attrs
import cattrs
import cattrs.fns
import rfc8785
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_structure_fn, override

from . import _jcs
from . import assessment as _assessment
from . import model as _model
from . import rubric as _rubric
from ._checks import describe, is_unicode
from .errors import KolTrustError, Problem, RubricError, ValidationError

__all__ = [
    "canonical_bytes",
    "converter",
    "from_dict",
    "from_json",
    "parse_json",
    "rubric_digest",
    "sha256_digest",
    "to_dict",
    "to_json",
]

T = TypeVar("T")

#: Classes whose absent optional fields are left out of their documents.
#: Assessment documents keep their ``null`` s, as STANDARD §6 shows them.
_DROP_NONE: frozenset[type] = frozenset(
    cls
    for module in (_model, _rubric)
    for cls in vars(module).values()
    if isinstance(cls, type) and attrs.has(cls) and cls.__module__ == module.__name__
)

_ENUMS: tuple[type[enum.Enum], ...] = (
    _model.SubjectKind,
    _model.Measure,
    _model.Severity,
    _model.Status,
    _assessment.ExclusionReason,
    _assessment.Cause,
)

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class _Invalid(Exception):
    """A value-level problem found while structuring (message only)."""


# -- primitive hooks: no coercion, ever ------------------------------------------


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"expected a string, got {describe(value)}")
    if not value.isascii() and not is_unicode(value):
        raise _Invalid("contains a lone surrogate; strings must be valid Unicode")
    return value


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(f"expected an integer, got {describe(value)}")
    return value


def _structure_float(value: Any, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Invalid(f"expected a number, got {describe(value)}")
    try:
        result = float(value)
    except OverflowError:
        raise _Invalid(f"number {describe(value)} is too large") from None
    if not math.isfinite(result):
        raise _Invalid(f"expected a finite number, got {describe(value)}")
    return result


def _structure_bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"expected true or false, got {describe(value)}")
    return value


def _structure_date(value: Any, _: type) -> dt.date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise _Invalid(f"expected a date 'YYYY-MM-DD', got {describe(value)}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _Invalid(f"{describe(value)} is not a calendar date") from None


def _structure_enum(value: Any, cls: type[enum.Enum]) -> enum.Enum:
    if isinstance(value, str):
        try:
            return cls(value)
        except ValueError:
            pass
    choices = ", ".join(repr(m.value) for m in cls)
    raise _Invalid(f"expected one of {choices}, got {describe(value)}")


def _is_homogeneous_tuple(t: Any) -> bool:
    args = typing.get_args(t)
    return typing.get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis


def _tuple_hook_factory(t: Any) -> Callable[[Any, Any], tuple[Any, ...]]:
    item_type = typing.get_args(t)[0]
    item_hook = converter.get_structure_hook(item_type)

    def structure(value: Any, _: Any) -> tuple[Any, ...]:
        if not isinstance(value, list | tuple):
            raise _Invalid(f"expected a list, got {describe(value)}")
        out, errors = [], []
        for i, item in enumerate(value):
            try:
                out.append(item_hook(item, item_type))
            except Exception as e:
                e.__notes__ = [
                    *getattr(e, "__notes__", []),
                    cattrs.IterableValidationNote(f"@ index {i}", i, item_type),
                ]
                errors.append(e)
        if errors:
            raise IterableValidationError(f"While structuring {t!r}", errors, t)
        return tuple(out)

    return structure


class _FieldProblems(Exception):
    """A structured value failed its field's checks: ``(suffix, message)`` pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(problems)
        self.problems = problems


def _checked_hook(field: attrs.Attribute[Any]) -> Callable[[Any, Any], Any]:
    """Structure a field, then run its check, so that a document reports range
    problems of one field beside type problems of another."""
    check = field.metadata["check"]
    base = converter.get_structure_hook(field.type)

    def structure(value: Any, t: Any) -> Any:
        result = base(value, t)
        problems = list(check(result))
        if problems:
            raise _FieldProblems(problems)
        return result

    return structure


def _attrs_hook_factory(cls: type) -> Callable[[Any, Any], Any]:
    attrs.resolve_types(cls)
    overrides = {
        a.name: override(struct_hook=_checked_hook(a)) for a in attrs.fields(cls) if a.init and "check" in a.metadata
    }
    base: Callable[[Any, Any], Any] = make_dict_structure_fn(
        cls,
        converter,
        _cattrs_forbid_extra_keys=True,
        _cattrs_detailed_validation=True,
        **overrides,  # type: ignore[arg-type]
    )
    # STANDARD §1: an optional field may be omitted or null; both mean absent
    # and take the default.  A null where no default exists is left for the
    # field's type to accept (``float | None``) or report.
    has_default = frozenset(a.name for a in attrs.fields(cls) if a.default is not attrs.NOTHING)

    def structure(value: Any, _: Any) -> Any:
        if not isinstance(value, dict):
            raise _Invalid(f"expected an object, got {describe(value)}")
        return base({k: v for k, v in value.items() if v is not None or k not in has_default}, cls)

    return structure


def _structure_condition(value: Any, _: Any) -> _rubric.Condition:
    if not isinstance(value, dict):
        raise _Invalid(f"expected an object, got {describe(value)}")
    tag = value.get("type")
    cls = _rubric.CONDITION_TYPES.get(tag) if isinstance(tag, str) else None
    if cls is None:
        choices = ", ".join(repr(k) for k in _rubric.CONDITION_TYPES)
        if tag is None:
            raise _Invalid(f"'type' is missing; expected one of {choices}")
        raise _Invalid(f"unknown condition type {describe(tag)}; expected one of {choices}")
    rest = {k: v for k, v in value.items() if k != "type"}
    result: _rubric.Condition = converter.structure(rest, cls)
    return result


def _generated(name: str, cls: type, lines: list[str], namespace: dict[str, Any]) -> Any:
    """The function *name* defined by *lines*, as attrs and cattrs write theirs.

    The source is built from the library's own classes only: their field
    names (Python identifiers) and the helpers in *namespace*.  Nothing from a
    document is ever part of it, so no input can become code.
    """
    exec(compile("\n".join(lines), f"<kol_trust {name} {cls.__qualname__}>", "exec"), namespace)
    return namespace[name]


def _unstructure_hook_factory(cls: type) -> Callable[[Any], dict[str, Any]]:
    names = [a.name for a in attrs.fields(cls) if a.init]
    drop_none = cls in _DROP_NONE
    tag = getattr(cls, "type", None) if cls in _rubric.CONDITION_TYPES.values() else None
    # The common cases first, without the converter's dispatch (they are what
    # it would do: see _PASSTHROUGH); everything else goes through it.  The
    # function is written out field by field, as attrs and cattrs write
    # theirs: a loop over the names costs twice as much, and every
    # assessment written goes through here some 300 times.
    lines = ["def to_doc(obj):", "    out = {'type': tag} if tag is not None else {}"]
    for name in names:
        key = repr(name)
        lines += [
            f"    value = obj.{name}",
            "    if value is None:",
            "        pass" if drop_none else f"        out[{key}] = None",
            "    elif value.__class__ in passthrough:",
            f"        out[{key}] = value",
            "    elif value.__class__ is date:",
            f"        out[{key}] = value.isoformat()",
            "    else:",
            f"        out[{key}] = unstructure(value)",
        ]
    lines.append("    return out")
    namespace: dict[str, Any] = {
        "tag": tag,
        "passthrough": _PASSTHROUGH,
        "date": dt.date,
        "unstructure": converter.unstructure,
    }
    to_doc: Callable[[Any], dict[str, Any]] = _generated("to_doc", cls, lines, namespace)
    _FACTORY_HOOKS.add(to_doc)
    return to_doc


#: The hooks made by _unstructure_hook_factory: a class whose unstructure hook
#: is another (registered by some module for its own class) has no one-pass
#: canonical path, which knows only what these hooks do.
_FACTORY_HOOKS: set[Callable[[Any], dict[str, Any]]] = set()


def _unstructure_tuple(items: tuple[Any, ...]) -> list[Any]:
    passthrough, unstructure = _PASSTHROUGH, converter.unstructure
    return [x if x.__class__ in passthrough else unstructure(x) for x in items]


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter()
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(dt.date, _structure_date)
    # Our enums are also ``str`` subclasses, and the ``str`` hook must not take
    # them: registering StrEnum puts it before ``str`` in every enum's MRO, so
    # enums of other modules (certification, improvement) are read strictly too.
    for enum_type in (enum.StrEnum, enum.Enum, *_ENUMS):
        conv.register_structure_hook(enum_type, _structure_enum)
    conv.register_structure_hook_factory(_is_homogeneous_tuple, _tuple_hook_factory)
    conv.register_structure_hook_func(lambda t: t == _rubric.Condition, _structure_condition)
    conv.register_structure_hook_factory(attrs.has, _attrs_hook_factory)

    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    conv.register_unstructure_hook_func(lambda t: isinstance(t, type) and issubclass(t, enum.Enum), lambda e: e.value)
    conv.register_unstructure_hook(tuple, _unstructure_tuple)
    conv.register_unstructure_hook_factory(attrs.has, _unstructure_hook_factory)
    return conv


#: The one converter of the library.  Use :func:`to_dict` / :func:`from_dict`.
converter = _make_converter()

#: Exact classes the converter unstructures to themselves (the string enums
#: included: the converter keeps their members, which JSON writes as strings).
#: Asked of the converter, not assumed, so that the shortcut in the hooks
#: above always does what the converter would.
_SCALARS: tuple[type, ...] = (str, int, float, bool, *_ENUMS)
_PASSTHROUGH: frozenset[type] = frozenset(
    t for t in _SCALARS if converter.get_unstructure_hook(t) is cattrs.fns.identity
)


# -- errors: cattrs exceptions → problems with JSON paths ------------------------------


def _problems(exc: BaseException, path: str) -> list[Problem]:
    if isinstance(exc, IterableValidationError):
        items, rest = exc.group_exceptions()
        out = [p for e, item in items for p in _problems(e, f"{path}[{item.index!r}]")]
        return out + [p for e in rest for p in _problems(e, path)]
    if isinstance(exc, ClassValidationError):
        fields, rest = exc.group_exceptions()
        out = [p for e, field in fields for p in _problems(e, f"{path}.{field.name}")]
        return out + [p for e in rest for p in _problems(e, path)]
    if isinstance(exc, ForbiddenExtraKeysError):
        return [Problem(_member(path, k), "unknown field") for k in sorted(exc.extra_fields, key=str)]
    if isinstance(exc, _FieldProblems):
        return [Problem(path + suffix, message) for suffix, message in exc.problems]
    if isinstance(exc, ValidationError):
        return [Problem(path + p.path[1:], p.message) for p in exc.problems]
    if isinstance(exc, KeyError):
        return [Problem(path, "required field is missing")]
    if isinstance(exc, _Invalid):
        return [Problem(path, str(exc))]
    return [Problem(path, f"invalid value ({type(exc).__name__}: {exc})")]


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _member(path: str, key: object) -> str:
    """*path* extended by an object key; odd keys are quoted, ASCII-escaped."""
    if isinstance(key, str) and _PLAIN_KEY.fullmatch(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key if isinstance(key, str) else str(key))}]"


def _document_name(cls: Any) -> str:
    if cls == _rubric.Condition:
        return "gate condition"
    return f"{getattr(cls, '__name__', 'unknown')} document"


# -- public API -------------------------------------------------------------------------


def to_dict(obj: Any) -> Any:
    """The JSON-ready document of *obj* (dicts, lists, strings, numbers).

    Keys follow the field order of the standard's tables; absent optional
    fields of input documents are left out, defaults are filled in.
    """
    return converter.unstructure(obj)


# -- the fast path of from_dict ---------------------------------------------------------
#
# The detailed path above (cattrs with detailed validation, every field
# structured, then checked, then checked again by the class) is what gives
# every problem with its JSON path, and it is slow.  Most documents are fine,
# so from_dict first tries a plain path that only knows how to accept: exact
# JSON types, no unknown keys, no missing fields, then every field check the
# class's constructor runs (the self-checking input documents of model.py
# only: Text, which does not check itself, the rubric, the assessment and
# the classes of other modules get no fast path).  Anything else, and any
# exception at all, sends the document to the detailed path, which then
# decides, alone, what is accepted and what is reported.  The fast path
# accepts a document only when the detailed path would accept it and build
# an equal object: tests/test_fast_path.py compares the two.


class _Fallback(Exception):
    """The fast path cannot take this document; the detailed path decides."""


_FieldReader = Callable[[Any], Any]


def _fast_str(value: Any) -> str:
    if type(value) is str and (value.isascii() or is_unicode(value)):
        return value
    raise _Fallback


def _fast_int(value: Any) -> int:
    if type(value) is int:
        return value
    raise _Fallback


def _fast_float(value: Any) -> float:
    t = type(value)
    if t is float:
        if math.isfinite(value):
            return value  # type: ignore[no-any-return]
    elif t is int:
        return float(value)  # OverflowError: the detailed path reports it
    raise _Fallback


def _fast_bool(value: Any) -> bool:
    if type(value) is bool:
        return value
    raise _Fallback


def _fast_date(value: Any) -> dt.date:
    if type(value) is str and _DATE.fullmatch(value):
        return dt.date.fromisoformat(value)  # ValueError: the detailed path reports it
    raise _Fallback


def _fast_reader(t: Any) -> _FieldReader | None:
    """A reader of JSON values of type *t* for the fast path; None when unsupported."""
    if t is str:
        return _fast_str
    if t is int:
        return _fast_int
    if t is float:
        return _fast_float
    if t is bool:
        return _fast_bool
    if t is dt.date:
        return _fast_date
    if t in _ENUMS:
        members = t._value2member_map_

        def read_enum(value: Any) -> Any:
            if type(value) is str:
                return members[value]  # KeyError: the detailed path reports it
            raise _Fallback

        return read_enum
    if _is_homogeneous_tuple(t):
        item = _fast_reader(typing.get_args(t)[0])
        if item is None:
            return None

        def read_tuple(value: Any) -> tuple[Any, ...]:
            if type(value) is list or type(value) is tuple:
                return tuple([item(x) for x in value])
            raise _Fallback

        return read_tuple
    args = typing.get_args(t)
    if len(args) == 2 and type(None) in args and typing.get_origin(t) in (typing.Union, types.UnionType):
        inner = _fast_reader(args[0] if args[1] is type(None) else args[1])
        if inner is None:
            return None

        def read_optional(value: Any) -> Any:
            return None if value is None else inner(value)

        return read_optional
    if isinstance(t, type):
        return _fast_structurer(t)
    return None


_FAST: dict[type, _FieldReader | None] = {}


def _fast_structurer(cls: type) -> _FieldReader | None:
    """The fast path for documents of *cls*, built once; None when there is none.

    The object is built as its attrs-generated ``__init__`` builds it (each
    field's value or default, through the field's converter, set in field
    order) and then checked by the very checks its ``__attrs_post_init__``
    runs (``_checks.problems_of``), without that function's look-ups for each
    object.  Only plain attrs classes qualify: no validators, no converters
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
        and cls.__module__ == _model.__name__
        and issubclass(cls, _model._SelfChecking)
        and getattr(cls, "__attrs_post_init__", None) is _model._SelfChecking.__attrs_post_init__
        and not hasattr(cls, "__attrs_pre_init__")
    ):
        return None
    attrs.resolve_types(cls)
    fields = attrs.fields(cls)
    plan = []
    for a in fields:
        # A null never reaches the reader (it means the default, or the
        # detailed path): read the X of an ``X | None`` directly.
        reader = _fast_reader(_non_optional(a.type))
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
        plan.append(
            (
                a.name,
                reader,
                a.default is attrs.NOTHING,
                a.default,
                factory,
                a.converter,
                keeps,
                a.metadata.get("check"),
            )
        )
    # Written out field by field (as attrs writes __init__); for each field:
    # absent or null → the default (STANDARD §1, as in the detailed path) or,
    # when required, the detailed path; the reader; the converter; the check,
    # whose first problem sends the document to the detailed path, which
    # reports it with its path.
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
    for i, (name, reader, required, default, factory, conv, keeps, check) in enumerate(plan):
        namespace.update({f"read_{i}": reader, f"default_{i}": default, f"factory_{i}": factory})
        namespace.update({f"convert_{i}": conv, f"keeps_{i}": keeps, f"check_{i}": check})
        key = repr(name)
        lines += [f"    raw = get({key})", "    if raw is None:"]
        if required:
            lines.append("        raise Fallback")
        elif factory is not None:
            lines.append(f"        value = factory_{i}()")
        else:
            lines.append(f"        value = default_{i}")
        if reader is _fast_str:  # its commonest case, without the call
            lines += ["    elif raw.__class__ is str and raw.isascii():", "        value = raw"]
        lines += ["    else:", f"        value = read_{i}(raw)"]
        if conv is not None:
            lines += [f"    if value.__class__ not in keeps_{i}:", f"        value = convert_{i}(value)"]
        lines.append(f"    setattr_(obj, {key}, value)")
        if check is not None:
            lines += [f"    for _ in check_{i}(value):", "        raise Fallback"]
    lines.append("    return obj")
    structure: _FieldReader = _generated("structure", cls, lines, namespace)
    _FAST[cls] = structure
    return structure


def _non_optional(t: Any) -> Any:
    """X for ``X | None``; *t* itself otherwise."""
    args = typing.get_args(t)
    if len(args) == 2 and type(None) in args and typing.get_origin(t) in (typing.Union, types.UnionType):
        return args[0] if args[1] is type(None) else args[1]
    return t


def _enum_of(t: Any) -> type[enum.Enum] | None:
    """The enum of a field typed ``E`` or ``E | None``."""
    args = typing.get_args(t) if typing.get_origin(t) in (typing.Union, types.UnionType) else (t,)
    found = [x for x in args if isinstance(x, type) and issubclass(x, enum.Enum)]
    return found[0] if len(found) == 1 else None


def _kept_classes(converter: Callable[[Any], Any], t: Any) -> frozenset[type]:
    """Classes of values the field's *converter* is known to return as they are.

    An enum field's converter (the model's to_enum) returns a member, and
    None, unchanged: when that holds for every member (and for None), found
    here once, the fast path skips the call for them, as it changes nothing.
    """
    kept: set[type] = set()
    try:
        enum_type = _enum_of(t)
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


def from_dict(data: Any, cls: type[T]) -> T:
    """Build a *cls* from its document, strictly (STANDARD §1).

    Raises :class:`~kol_trust.ValidationError` naming every problem with its
    JSON path; for a rubric, :class:`~kol_trust.RubricError` (a subclass).
    """
    try:
        fast = _FAST[cls] if cls in _FAST else _fast_structurer(cls)
    except Exception:  # an odd cls (unhashable, unresolvable): the detailed path says what is wrong
        fast = None
    if fast is not None:
        try:
            done: T = fast(data)
            return done
        except Exception:  # whatever it is, the detailed path reports it
            pass
    return _from_dict_detailed(data, cls)


def _from_dict_detailed(data: Any, cls: type[T]) -> T:
    """:func:`from_dict` without the fast path: every problem, with its path."""
    error_type = RubricError if cls is _rubric.Rubric else ValidationError
    try:
        result: T = converter.structure(data, cls)
        return result
    except ValidationError as e:  # raised by the class itself, at the top level
        raise error_type(_document_name(cls), e.problems) from None
    except (ClassValidationError, IterableValidationError, _Invalid, ForbiddenExtraKeysError, _FieldProblems) as e:
        problems = _problems(e, "$")
    except RecursionError:
        problems = [Problem("$", "nested too deeply")]
    if cls is _rubric.Rubric and isinstance(data, dict):
        # Report the rules of §1.4 too, as far as the rubric could be read.
        seen = set(problems)
        problems += [p for p in _rubric.rule_problems(_partial(_rubric.Rubric, data)) if p not in seen]
    raise error_type(_document_name(cls), problems)


class _Unread:
    """Stands for a value that could not be read, in a partly read rubric."""

    __slots__ = ("raw",)

    def __init__(self, raw: Any) -> None:
        self.raw = raw


def _read_leniently(t: Any, raw: Any) -> Any:
    try:
        return converter.structure(raw, t)
    except Exception:  # already reported by the strict pass
        if isinstance(t, type) and attrs.has(t) and isinstance(raw, dict):
            return _partial(t, raw)
        return _Unread(raw)


def _default_of(a: attrs.Attribute[Any]) -> Any:
    factory = getattr(a.default, "factory", None)  # an attrs.Factory
    return factory() if callable(factory) else a.default


def _partial(cls: Any, data: dict[str, Any]) -> Any:
    """A *cls* holding what of *data* could be read, for checking rules only.

    Built without ``__init__`` (so without validation); never returned to users.
    """
    obj = object.__new__(cls)
    for a in attrs.fields(cls):
        raw = data.get(a.name) if a.init else None
        if raw is None:
            value = _Unread(None) if a.default is attrs.NOTHING else _default_of(a)
        elif _is_homogeneous_tuple(a.type) and isinstance(raw, list):
            item_type = typing.get_args(a.type)[0]
            value = tuple(_read_leniently(item_type, x) for x in raw)
        else:
            value = _read_leniently(a.type, raw)
        object.__setattr__(obj, a.name, value)
    return obj


def _reject_constant(name: str) -> Any:
    raise _Invalid(f"{name} is not a number in JSON documents")


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Invalid(f"number {text[:40]} is out of the range of a double")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Built in C; only an object that lost a key to a duplicate is walked
    # again, in Python, to name the first duplicate.
    out = dict(pairs)
    if len(out) == len(pairs):
        return out
    out = {}
    for key, value in pairs:
        if key in out:
            raise _Invalid(f"duplicate key {describe(key)} in an object")
        out[key] = value
    return out


def parse_json(text: str | bytes, what: str = "JSON document") -> Any:
    """Parse JSON text strictly: no NaN/Infinity, no duplicate keys, no overflow.

    Raises :class:`~kol_trust.ValidationError` (path ``$``) on bad text.
    """
    try:
        if isinstance(text, bytes | bytearray):
            text = bytes(text).decode("utf-8")
        if not isinstance(text, str):
            raise _Invalid(f"expected JSON text, got {describe(text)}")
        return json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_parse_float,
            object_pairs_hook=_unique_keys,
        )
    except _Invalid as e:
        raise ValidationError(what, [Problem("$", str(e))]) from None
    except UnicodeDecodeError as e:
        raise ValidationError(what, [Problem("$", f"not UTF-8 text ({e.reason} at byte {e.start})")]) from None
    except json.JSONDecodeError as e:
        raise ValidationError(
            what, [Problem("$", f"not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})")]
        ) from None
    except RecursionError:
        raise ValidationError(what, [Problem("$", "nested too deeply")]) from None
    except ValueError as e:  # e.g. an integer with more digits than Python converts
        raise ValidationError(what, [Problem("$", f"not valid JSON: {e}")]) from None


@overload
def from_json(text: str | bytes, cls: type[T]) -> T: ...
@overload
def from_json(text: str | bytes, cls: None = None) -> Any: ...
def from_json(text: str | bytes, cls: type[T] | None = None) -> Any:
    """Parse JSON text into a *cls* (or into plain data when *cls* is None)."""
    error_type = RubricError if cls is _rubric.Rubric else ValidationError
    try:
        data = parse_json(text, _document_name(cls) if cls else "JSON document")
    except ValidationError as e:
        raise error_type(e.what, e.problems) from None
    return data if cls is None else from_dict(data, cls)


def to_json(obj: Any, *, indent: int | None = None) -> str:
    """The JSON text of *obj*'s document, keys in a stable order, UTF-8 as is."""
    if indent is None:
        return _compact_encode(to_dict(obj))
    return json.dumps(to_dict(obj), ensure_ascii=False, indent=indent, allow_nan=False)


# What json.dumps(ensure_ascii=False, allow_nan=False) builds on every call, built once.
_compact_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode


# -- canonical documents of model objects, in one pass -----------------------------------
#
# canonical_bytes(obj) of a model object is _jcs.dumps(to_dict(obj)): one pass
# to build the document, one to check and normalise it for the encoder.  The
# engine hashes a subject and every evidence record of every assessment, so
# for classes whose fields have plain declared types both passes are done at
# once: each value is checked against its declared type (its exact class) and
# written as to_dict would write it, numbers as _jcs.number makes them.  A
# value of any other class raises _jcs.Unsure and the caller takes the two
# passes, which decide the bytes or the error.  tests/test_jcs.py checks the
# result against rfc8785 of to_dict.

_Prepare = Callable[[Any], Any]
_MAX_SAFE = 2**53 - 1
#: The string enums that to_dict keeps as members (JSON writes their values).
_PASSTHROUGH_ENUMS: frozenset[type] = frozenset(t for t in _ENUMS if t in _PASSTHROUGH)


def _prepare_str(value: Any) -> Any:
    if value.__class__ is str or value.__class__ in _PASSTHROUGH_ENUMS:
        return value
    raise _jcs.Unsure


def _prepare_int(value: Any) -> Any:
    if value.__class__ is int and -_MAX_SAFE <= value <= _MAX_SAFE:
        return value
    raise _jcs.Unsure


def _prepare_float(value: Any) -> Any:
    if value.__class__ is float:
        return _jcs.number(value)
    return _prepare_int(value)


def _prepare_bool(value: Any) -> Any:
    if value.__class__ is bool:
        return value
    raise _jcs.Unsure


def _prepare_date(value: Any) -> Any:
    if value.__class__ is dt.date:
        return value.isoformat()
    raise _jcs.Unsure


def _preparer(t: Any) -> _Prepare | None:
    if t is str or t in _ENUMS:
        return _prepare_str
    if t is int:
        return _prepare_int
    if t is float:
        return _prepare_float
    if t is bool:
        return _prepare_bool
    if t is dt.date:
        return _prepare_date
    if _is_homogeneous_tuple(t):
        item = _preparer(typing.get_args(t)[0])
        if item is None:
            return None

        def prepare_tuple(value: Any) -> list[Any]:
            if value.__class__ is tuple:
                return [item(x) for x in value]
            raise _jcs.Unsure

        return prepare_tuple
    args = typing.get_args(t)
    if len(args) == 2 and type(None) in args and typing.get_origin(t) in (typing.Union, types.UnionType):
        # None itself is handled by the class's preparer, as to_dict does.
        return _preparer(args[0] if args[1] is type(None) else args[1])
    if isinstance(t, type):
        return _class_preparer(t)
    return None


_PREPARERS: dict[type, _Prepare | None] = {}


def _class_preparer(cls: type) -> _Prepare | None:
    if cls in _PREPARERS:
        return _PREPARERS[cls]
    _PREPARERS[cls] = None  # until built (and for good when unsupported)
    if (
        not attrs.has(cls)
        or cls in _rubric.CONDITION_TYPES.values()
        or converter.get_unstructure_hook(cls) not in _FACTORY_HOOKS
        or converter.get_unstructure_hook(tuple) is not _unstructure_tuple
    ):
        return None
    attrs.resolve_types(cls)
    plan = []
    for a in attrs.fields(cls):
        if not a.init:
            continue
        prepare = _preparer(a.type)
        if prepare is None or not a.name.isascii():
            return None
        plan.append((a.name, prepare))
    drop_none = cls in _DROP_NONE
    # Written out field by field, as _unstructure_hook_factory does.
    lines = ["def prepare_object(obj):", "    if obj.__class__ is not cls:", "        raise Unsure", "    out = {}"]
    namespace: dict[str, Any] = {
        "cls": cls,
        "Unsure": _jcs.Unsure,
        "number": _jcs.number,
        "date": dt.date,
        "str_enums": _PASSTHROUGH_ENUMS,
        "MAX": _MAX_SAFE,
    }
    # The scalar preparers, inline (the same tests, without the calls).
    inline = {
        _prepare_str: ["value.__class__ is str or value.__class__ in str_enums", "value"],
        _prepare_int: ["value.__class__ is int and -MAX <= value <= MAX", "value"],
        _prepare_bool: ["value.__class__ is bool", "value"],
        _prepare_date: ["value.__class__ is date", "value.isoformat()"],
        _prepare_float: ["value.__class__ is float", "number(value)"],
    }
    for i, (name, prepare) in enumerate(plan):
        key = repr(name)
        namespace[f"prepare_{i}"] = prepare
        lines += [
            f"    value = obj.{name}",
            "    if value is None:",
            "        pass" if drop_none else f"        out[{key}] = None",
        ]
        if prepare in inline:
            test, result = inline[prepare]
            lines += [f"    elif {test}:", f"        out[{key}] = {result}"]
        lines += ["    else:", f"        out[{key}] = prepare_{i}(value)"]  # raises Unsure, or an int for a float
    lines.append("    return out")
    prepare_object: _Prepare = _generated("prepare_object", cls, lines, namespace)
    _PREPARERS[cls] = prepare_object
    return prepare_object


def _prepared(obj: Any) -> Any:
    """``_jcs`` 's prepared form of ``to_dict(obj)``; raises ``_jcs.Unsure``."""
    prepare = _PREPARERS[obj.__class__] if obj.__class__ in _PREPARERS else _class_preparer(obj.__class__)
    if prepare is None:
        raise _jcs.Unsure
    return prepare(obj)


def canonical_bytes(obj: Any) -> bytes:
    """RFC 8785 (JCS) canonical JSON of *obj* (a model object or plain data)."""
    if attrs.has(type(obj)):
        try:
            return _jcs.dumps_prepared(_prepared(obj))
        except (_jcs.Unsure, UnicodeEncodeError, ValueError, TypeError, RecursionError):
            pass  # the two passes below decide
        data = to_dict(obj)
    else:
        data = obj
    try:
        # The C json encoder when it is sure to write the same bytes as
        # rfc8785, rfc8785 itself otherwise (see _jcs).
        return _jcs.dumps(data)
    except rfc8785.CanonicalizationError as e:
        raise KolTrustError(f"cannot canonicalize: {e}") from None


def sha256_digest(obj: Any) -> str:
    """``"sha256:"`` + hex SHA-256 of :func:`canonical_bytes` of *obj*."""
    return "sha256:" + hashlib.sha256(canonical_bytes(obj)).hexdigest()


def rubric_digest(rubric: _rubric.Rubric) -> str:
    """The rubric's digest (STANDARD §6): its canonical document with defaults filled."""
    cache = rubric._cache
    digest: str | None = cache.get("digest")
    if digest is None:
        digest = cache["digest"] = sha256_digest(rubric)
    return digest
