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
import typing
from collections.abc import Callable
from typing import Any, TypeVar, overload

import attrs
import cattrs
import rfc8785
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_structure_fn, override

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


def _unstructure_hook_factory(cls: type) -> Callable[[Any], dict[str, Any]]:
    names = [a.name for a in attrs.fields(cls) if a.init]
    drop_none = cls in _DROP_NONE
    tag = getattr(cls, "type", None) if cls in _rubric.CONDITION_TYPES.values() else None
    unstructure = converter.unstructure

    def to_doc(obj: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"type": tag} if tag is not None else {}
        for name in names:
            value = getattr(obj, name)
            if value is None and drop_none:
                continue
            out[name] = unstructure(value)
        return out

    return to_doc


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter()
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(dt.date, _structure_date)
    # Registered one by one: our enums are also ``str`` subclasses, and the
    # ``str`` hook must not take them.
    for enum_type in _ENUMS:
        conv.register_structure_hook(enum_type, _structure_enum)
    conv.register_structure_hook_factory(_is_homogeneous_tuple, _tuple_hook_factory)
    conv.register_structure_hook_func(lambda t: t == _rubric.Condition, _structure_condition)
    conv.register_structure_hook_factory(attrs.has, _attrs_hook_factory)

    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    conv.register_unstructure_hook_func(lambda t: isinstance(t, type) and issubclass(t, enum.Enum), lambda e: e.value)
    conv.register_unstructure_hook(tuple, lambda t: [converter.unstructure(x) for x in t])
    conv.register_unstructure_hook_factory(attrs.has, _unstructure_hook_factory)
    return conv


#: The one converter of the library.  Use :func:`to_dict` / :func:`from_dict`.
converter = _make_converter()


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


def from_dict(data: Any, cls: type[T]) -> T:
    """Build a *cls* from its document, strictly (STANDARD §1).

    Raises :class:`~kol_trust.ValidationError` naming every problem with its
    JSON path; for a rubric, :class:`~kol_trust.RubricError` (a subclass).
    """
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
    out: dict[str, Any] = {}
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
    return json.dumps(to_dict(obj), ensure_ascii=False, indent=indent, allow_nan=False)


def canonical_bytes(obj: Any) -> bytes:
    """RFC 8785 (JCS) canonical JSON of *obj* (a model object or plain data)."""
    data = to_dict(obj) if attrs.has(type(obj)) else obj
    try:
        return rfc8785.dumps(data)
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
