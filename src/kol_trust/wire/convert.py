"""The one :class:`cattrs.Converter` of the library, configured once (STANDARD §1).

Reading is strict: unknown keys, wrong types, booleans for numbers,
non-finite numbers, dates that are not ``YYYY-MM-DD`` and out-of-range values
are all reported, every one with its JSON path, in one
:class:`~kol_trust.ValidationError`.  Documents that pass every check take
the fast path (:mod:`kol_trust.wire.fast`); the rest come here.  Writing is
the canonical layer's :func:`~kol_trust.canonical.document`.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Callable
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_structure_fn, override

from ..canonical import DOCUMENT_ENUMS, document
from ..checks import DATE_PATTERN, describe, is_unicode, json_string
from ..errors import MAX_PROBLEMS, Problem, RubricError, ValidationError
from ..fieldtypes import default_of, is_homogeneous_tuple, item_type
from ..rubric import CONDITION_TYPES, Condition, Rubric, rule_problems
from . import paths
from .fast import fast_structurer
from .paths import FieldProblems, Invalid, document_name

__all__ = ["converter", "from_dict", "from_dict_detailed", "to_dict"]

T = TypeVar("T")


# -- primitive hooks: no coercion, ever ------------------------------------------


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise Invalid(f"expected a string, got {describe(value)}")
    if not value.isascii() and not is_unicode(value):
        raise Invalid("contains a lone surrogate; strings must be valid Unicode")
    return value


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"expected an integer, got {describe(value)}")
    return value


def _structure_float(value: Any, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(f"expected a number, got {describe(value)}")
    try:
        result = float(value)
    except OverflowError:
        raise Invalid(f"number {describe(value)} is too large") from None
    if not math.isfinite(result):
        raise Invalid(f"expected a finite number, got {describe(value)}")
    return result


def _structure_bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"expected true or false, got {describe(value)}")
    return value


def _structure_date(value: Any, _: type) -> dt.date:
    if not isinstance(value, str) or not DATE_PATTERN.fullmatch(value):
        raise Invalid(f'expected a date "YYYY-MM-DD", got {describe(value)}')
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{describe(value)} is not a calendar date") from None


def _structure_enum(value: Any, cls: type[enum.Enum]) -> enum.Enum:
    if isinstance(value, str):
        try:
            return cls(value)
        except ValueError:
            pass
    choices = ", ".join(json_string(m.value) for m in cls)
    raise Invalid(f"expected one of {choices}, got {describe(value)}")


def _tuple_hook_factory(t: Any) -> Callable[[Any, Any], tuple[Any, ...]]:
    items = item_type(t)
    item_hook = converter.get_structure_hook(items)

    def structure(value: Any, _: Any) -> tuple[Any, ...]:
        if not isinstance(value, list | tuple):
            raise Invalid(f"expected an array, got {describe(value)}")
        out: list[Any] = []
        errors: list[Exception] = []
        for i, item in enumerate(value):
            if len(errors) == MAX_PROBLEMS:
                # The document is invalid already: looking further costs time and memory in
                # proportion to a hostile input, and tells the sender nothing it needs first.
                errors.append(
                    Invalid(f"{len(value) - i} more items not checked after {MAX_PROBLEMS} items with problems")
                )
                break
            try:
                out.append(item_hook(item, items))
            except Exception as e:
                e.__notes__ = [
                    *getattr(e, "__notes__", []),
                    cattrs.IterableValidationNote(f"@ index {i}", i, items),
                ]
                errors.append(e)
        if errors:
            raise IterableValidationError(f"While structuring {t!r}", errors, t)
        return tuple(out)

    return structure


def _checked_hook(field: attrs.Attribute[Any]) -> Callable[[Any, Any], Any]:
    """Structure a field, then run its check, so that a document reports range
    problems of one field beside type problems of another."""
    check = field.metadata["check"]
    base = converter.get_structure_hook(field.type)

    def structure(value: Any, t: Any) -> Any:
        result = base(value, t)
        problems = list(check(result))
        if problems:
            raise FieldProblems(problems)
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
            raise Invalid(f"expected an object, got {describe(value)}")
        return base({k: v for k, v in value.items() if v is not None or k not in has_default}, cls)

    return structure


def _structure_condition(value: Any, _: Any) -> Condition:
    if not isinstance(value, dict):
        raise Invalid(f"expected an object, got {describe(value)}")
    tag = value.get("type")
    cls = CONDITION_TYPES.get(tag) if isinstance(tag, str) else None
    if cls is None:
        choices = ", ".join(json_string(k) for k in CONDITION_TYPES)
        if tag is None:
            raise Invalid(f'"type" is missing; expected one of {choices}')
        raise Invalid(f"unknown condition type {describe(tag)}; expected one of {choices}")
    rest = {k: v for k, v in value.items() if k != "type"}
    result: Condition = converter.structure(rest, cls)
    return result


def _any_type(_: Any) -> bool:
    return True


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
    for enum_type in (enum.StrEnum, enum.Enum, *DOCUMENT_ENUMS):
        conv.register_structure_hook(enum_type, _structure_enum)
    conv.register_structure_hook_factory(is_homogeneous_tuple, _tuple_hook_factory)
    conv.register_structure_hook_func(lambda t: t == Condition, _structure_condition)
    conv.register_structure_hook_factory(attrs.has, _attrs_hook_factory)

    # Documents are written by the canonical layer, for every type: the
    # converter unstructures exactly as to_dict() does.
    conv.register_unstructure_hook_func(_any_type, document)
    return conv


#: The one converter of the library.  Use :func:`to_dict` / :func:`from_dict`.
converter = _make_converter()


def to_dict(obj: Any) -> Any:
    """The JSON-ready document of *obj* (dicts, lists, strings, numbers).

    Keys follow the field order of the standard's tables; absent optional
    fields of input documents are left out, defaults are filled in.
    """
    return document(obj)


def from_dict(data: Any, cls: type[T]) -> T:
    """Build a *cls* from its document, strictly (STANDARD §1).

    Raises :class:`~kol_trust.ValidationError` naming every problem with its
    JSON path; for a rubric, :class:`~kol_trust.RubricError` (a subclass).
    """
    try:
        fast = fast_structurer(cls)
    except Exception:  # an odd cls (unhashable, unresolvable): the detailed path says what is wrong
        fast = None
    if fast is not None:
        try:
            done: T = fast(data)
            return done
        except Exception:  # whatever it is, the detailed path reports it
            pass
    return from_dict_detailed(data, cls)


def from_dict_detailed(data: Any, cls: type[T]) -> T:
    """:func:`from_dict` without the fast path: every problem, with its path."""
    error_type = RubricError if cls is Rubric else ValidationError
    try:
        result: T = converter.structure(data, cls)
        return result
    except ValidationError as e:  # raised by the class itself, at the top level
        raise error_type(document_name(cls), e.problems) from None
    except (ClassValidationError, IterableValidationError, Invalid, ForbiddenExtraKeysError, FieldProblems) as e:
        problems = paths.problems(e, "$")
    except RecursionError:
        problems = [Problem("$", "nested too deeply")]
    if cls is Rubric and isinstance(data, dict) and len(problems) < MAX_PROBLEMS:
        # Report the rules of §1.4 too, as far as the rubric could be read (not when it is
        # hopeless already: the lenient reading costs as much as the document is large).
        seen = set(problems)
        problems += [p for p in rule_problems(_partial(Rubric, data)) if p not in seen]
    raise error_type(document_name(cls), problems)


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


def _partial(cls: Any, data: dict[str, Any]) -> Any:
    """A *cls* holding what of *data* could be read, for checking rules only.

    Built without ``__init__`` (so without validation); never returned to users.
    """
    obj = object.__new__(cls)
    for a in attrs.fields(cls):
        raw = data.get(a.name) if a.init else None
        if raw is None:
            value = _Unread(None) if a.default is attrs.NOTHING else default_of(a)
        elif is_homogeneous_tuple(a.type) and isinstance(raw, list):
            value = tuple(_read_leniently(item_type(a.type), x) for x in raw)
        else:
            value = _read_leniently(a.type, raw)
        object.__setattr__(obj, a.name, value)
    return obj
