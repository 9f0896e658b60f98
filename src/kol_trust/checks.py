"""Field checks shared by the document classes, and the patterns and limits of
the standard that they apply: the one place where each is written.  The
loader, the JSON Schemas, the command line and the testing strategies all
use these.

A check takes a value and yields ``(suffix, message)`` pairs, one per problem;
*suffix* extends the field's JSON path (``""`` or ``"[2]"``).  Classes attach
checks to fields through :func:`checked`; :func:`problems_of` runs them all so
that a document reports every problem at once instead of failing on the first.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from .codegen import generated
from .errors import Problem
from .errors import json_string as json_string  # kol_trust.checks.json_string, as before

Check = Callable[[Any], Iterator[tuple[str, str]]]
#: True when a value passes a check: ``predicate_of(check)(v) == (not any(check(v)))``.
Predicate = Callable[[Any], bool]

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
VERSION_PATTERN = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
DIGEST_PATTERN = re.compile(r"sha256:[0-9a-f]{64}")
COUNTRY_PATTERN = re.compile(r"[A-Z]{2}")
#: A date as documents write it (STANDARD §1); the calendar is checked apart.
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: Integers beyond this lose precision in JavaScript and RFC 8785 rejects them.
MAX_SAFE_INTEGER = 2**53 - 1
#: The largest ``sample_size`` of an evidence record (STANDARD §1).
MAX_SAMPLE_SIZE = 1_000_000
#: The longest subject name, in characters (STANDARD §1).
MAX_NAME_LENGTH = 200


def anchored(regex: re.Pattern[str]) -> str:
    """*regex* as a JSON Schema ``pattern`` (anchored: the library uses ``fullmatch``)."""
    return f"^{regex.pattern}$"


def checked(check: Check, **kwargs: Any) -> Any:
    """An :func:`attrs.field` whose value :func:`problems_of` checks."""
    return attrs.field(metadata={"check": check}, **kwargs)


# -- predicates: the checks as plain functions ----------------------------------------
#
# A check yields its problems, with their messages, from a generator: right
# for reporting, slow for the common case of a value that passes (a
# generator object per field of every record).  Each check of this module
# has a predicate, a plain function that says only whether the value passes;
# the loader's fast path and the self-checking classes ask it first, and run
# the check only for the messages of a value that fails.

_PREDICATES: dict[Check, Predicate] = {}


def _with_predicate(check: Check, valid: Predicate) -> Check:
    _PREDICATES[check] = valid
    return check


@attrs.frozen
class Expression:
    """A check's predicate written as the text of a Python expression, so that
    generated code (the loader's fast path) can test a value in place instead
    of calling the predicate.  The predicate is this same text, compiled: the
    rule is written once.

    *template* names the value ``{value}`` and each helper ``{name}``, where
    *helpers* holds ``(name, helper)`` pairs (functions, patterns' match
    methods, limits): none of it comes from a document.
    """

    template: str
    helpers: tuple[tuple[str, Any], ...] = ()

    def source(self, value: str, prefix: str) -> tuple[str, dict[str, Any]]:
        """The expression testing the variable *value*, and its helpers by the
        names it gives them (each *prefix* + the helper's name)."""
        names = {name: prefix + name for name, _ in self.helpers}
        return self.template.format(value=value, **names), {names[name]: h for name, h in self.helpers}


#: The expression of each check whose predicate has one.
_EXPRESSIONS: dict[Check, Expression] = {}


def _with_expression(check: Check, template: str, **helpers: Any) -> Check:
    expression = _EXPRESSIONS[check] = Expression(template, tuple(helpers.items()))
    text, namespace = expression.source("value", "")
    return _with_predicate(check, generated("valid", "checks", ["def valid(value):", f"    return {text}"], namespace))


def expression_of(check: Check) -> Expression | None:
    """The :class:`Expression` of *check*'s predicate; None when it has none
    (then :func:`predicate_of` is a function to call)."""
    return _EXPRESSIONS.get(check)


def present_expression_of(check: Check) -> Expression | None:
    """:func:`expression_of` the check :func:`present_predicate_of` asks: for a value that is not None."""
    while check in _OPTIONAL_INNER:
        check = _OPTIONAL_INNER[check]
    return expression_of(check)


#: Checks that every value of a type passes (every valid string, every
#: boolean, every date, every member of an enum): a reader that already gave
#: a value of that type need not ask them.
_TYPE_ONLY: dict[Check, type] = {}


def passed_by_every(check: Check) -> type | None:
    """The type every value of which passes *check* (every string without a lone
    surrogate, for ``str``; dates that are not datetimes, for ``date``); ``None`` when there is none known."""
    return _TYPE_ONLY.get(check)


#: The check an ``optional(check)`` applies to a value that is not None.
_OPTIONAL_INNER: dict[Check, Check] = {}


def present_predicate_of(check: Check) -> Predicate:
    """The plain predicate of *check* for a value that is not None.

    For ``optional(inner)`` that is the predicate of *inner* (the test for
    None is then skipped); for any other check, :func:`predicate_of` itself.
    """
    while check in _OPTIONAL_INNER:
        check = _OPTIONAL_INNER[check]
    return predicate_of(check)


def predicate_of(check: Check) -> Predicate:
    """The plain predicate of *check*: True exactly when *check* yields no problem.

    Checks of this module have one written out; for any other check it is
    derived (the check is run and its first problem, if any, decides).
    """
    found = _PREDICATES.get(check)
    if found is None:

        def found(value: Any) -> bool:
            return next(iter(check(value)), None) is None

        _PREDICATES[check] = found
    return found


_FIELD_PREDICATES: dict[type, tuple[tuple[str, Predicate], ...]] = {}


def field_predicates(cls: type) -> tuple[tuple[str, Predicate], ...]:
    """``(name, predicate)`` of each checked field of *cls*, found once."""
    found = _FIELD_PREDICATES.get(cls)
    if found is None:
        found = _FIELD_PREDICATES[cls] = tuple(
            (a.name, predicate_of(a.metadata["check"])) for a in attrs.fields(cls) if "check" in a.metadata
        )
    return found


def passes(obj: Any) -> bool:
    """Whether every checked field of *obj* passes (not nested objects): ``not any(problems_of(obj))``, faster."""
    return all(valid(getattr(obj, name)) for name, valid in field_predicates(type(obj)))


def problems_of(obj: Any, path: str = "$") -> Iterator[Problem]:
    """Yield every problem of *obj*'s checked fields (not of nested objects)."""
    for a in attrs.fields(type(obj)):
        check = a.metadata.get("check")
        if check is not None:
            for suffix, message in check(getattr(obj, a.name)):
                yield Problem(f"{path}.{a.name}{suffix}", message)


#: JSON's names of the values Python spells otherwise.
_JSON_WORDS: dict[Any, str] = {True: "true", False: "false", None: "null"}


def describe(value: Any) -> str:
    """A short, safe rendering of a bad value for an error message, in JSON's
    words: ``true``, ``false``, ``null``, ``an object``, ``an array``."""
    if value is None or isinstance(value, bool):
        return _JSON_WORDS[value]
    if isinstance(value, str):
        return json_string(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, int) and value.bit_length() > 128:
        return f"an integer of {value.bit_length()} bits"  # repr() refuses past 4300 digits
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("-Infinity" if value < 0 else "Infinity")
    if isinstance(value, int | float):
        text = repr(value)
        return text if len(text) <= 40 else text[:37] + "..."
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return f"a {type(value).__name__}"


def is_number(value: Any) -> bool:
    """True for ints and floats that are not booleans."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# -- checks ----------------------------------------------------------------


def optional(check: Check) -> Check:
    def run(value: Any) -> Iterator[tuple[str, str]]:
        if value is not None:
            yield from check(value)

    if check in _TYPE_ONLY:
        _TYPE_ONLY[run] = _TYPE_ONLY[check]
    _OPTIONAL_INNER[run] = check
    inner = expression_of(check)
    if inner is None:
        inner = Expression("{inner}({value})", (("inner", predicate_of(check)),))
    # The inner template with its helpers renamed ("{x}" → "{inner_x}").
    text = inner.template.format(value="{value}", **{name: f"{{inner_{name}}}" for name, _ in inner.helpers})
    return _with_expression(run, f"{{value}} is None or ({text})", **{f"inner_{n}": h for n, h in inner.helpers})


def string(min_len: int = 0, max_len: int | None = None) -> Check:
    def run(value: Any) -> Iterator[tuple[str, str]]:
        if not isinstance(value, str):
            yield "", f"expected a string, got {describe(value)}"
        elif len(value) < min_len:
            yield "", "must not be empty" if min_len == 1 else f"must have at least {min_len} characters"
        elif max_len is not None and len(value) > max_len:
            yield "", f"must have at most {max_len} characters, has {len(value)}"
        elif not value.isascii() and not is_unicode(value):
            yield "", "contains a lone surrogate; strings must be valid Unicode"

    if min_len == 0 and max_len is None:
        _TYPE_ONLY[run] = str
    return _with_expression(
        run,
        "({value}.__class__ is str or isinstance({value}, str))"
        + (" and len({value}) >= {min_len}" if min_len else "")
        + (" and len({value}) <= {max_len}" if max_len is not None else "")
        + " and ({value}.isascii() or {is_unicode}({value}))",
        min_len=min_len,
        max_len=max_len,
        is_unicode=is_unicode,
    )


def is_unicode(text: str) -> bool:
    """False when *text* holds a lone surrogate, which UTF-8 cannot encode."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def pattern(regex: re.Pattern[str], what: str, max_len: int | None = None) -> Check:
    def run(value: Any) -> Iterator[tuple[str, str]]:
        if not isinstance(value, str):
            yield "", f"expected a string, got {describe(value)}"
        elif max_len is not None and len(value) > max_len:
            yield "", f"must have at most {max_len} characters, has {len(value)}"
        elif not regex.fullmatch(value):
            yield "", f"{describe(value)} is not {what}"

    return _with_expression(
        run,
        "({value}.__class__ is str or isinstance({value}, str))"
        + (" and len({value}) <= {max_len}" if max_len is not None else "")
        + " and {fullmatch}({value}) is not None",
        max_len=max_len,
        fullmatch=regex.fullmatch,
    )


identifier = pattern(ID_PATTERN, 'an identifier (letters, digits, ".", "_", ":", "-"; a letter or digit first)', 128)
slug = pattern(SLUG_PATTERN, 'a lowercase slug such as "beauty"')
version = pattern(VERSION_PATTERN, "a version MAJOR.MINOR.PATCH (digits only)")
sha256_digest = pattern(DIGEST_PATTERN, '"sha256:" followed by 64 lowercase hex digits')
country = pattern(COUNTRY_PATTERN, 'an ISO 3166-1 alpha-2 country code such as "VN"')


def number(
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    integer: bool = False,
) -> Check:
    """A finite number in [low, high] (or (low, high] when *low_open*)."""

    def show(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else repr(x)

    if low is not None and high is not None:
        rng = f"{'(' if low_open else '['}{show(low)}, {show(high)}]"
    elif low is not None:
        rng = f"{'>' if low_open else '≥'} {show(low)}"
    else:
        rng = ""

    def run(value: Any) -> Iterator[tuple[str, str]]:
        if integer and not is_integer(value):
            yield "", f"expected an integer, got {describe(value)}"
        elif not is_number(value):
            yield "", f"expected a number, got {describe(value)}"
        elif isinstance(value, float) and not math.isfinite(value):
            yield "", f"expected a finite number, got {describe(value)}"
        elif (low is not None and (value <= low if low_open else value < low)) or (high is not None and value > high):
            yield "", f"{describe(value)} is out of range: must be {rng}"
        elif integer and abs(value) > MAX_SAFE_INTEGER:
            yield "", f"{describe(value)} is too large: integers are exchanged up to 2^53 - 1 = {MAX_SAFE_INTEGER}"

    def by_the_check(value: Any) -> bool:
        return next(iter(run(value)), None) is None

    bounds = [f"{{value}} {'>' if low_open else '>='} {{low}}"] if low is not None else []
    bounds += ["{value} <= {high}"] if high is not None else []
    in_range = " and ".join(bounds) or "True"
    an_int = f"-{{max}} <= {{value}} <= {{max}} and {in_range}" if integer else in_range
    # A float, for an integer field, and subclasses and other types: the check decides.
    a_float = "{by_the_check}({value})" if integer else f"{{isfinite}}({{value}}) and {in_range}"
    return _with_expression(
        run,
        f"(({an_int}) if {{value}}.__class__ is int else ({a_float}) if {{value}}.__class__ is float"
        " else {by_the_check}({value}))",
        low=low,
        high=high,
        max=MAX_SAFE_INTEGER,
        isfinite=math.isfinite,
        by_the_check=by_the_check,
    )


def boolean(value: Any) -> Iterator[tuple[str, str]]:
    if not isinstance(value, bool):
        yield "", f"expected true or false, got {describe(value)}"


_with_expression(boolean, "isinstance({value}, bool)")
_TYPE_ONLY[boolean] = bool


def a_date(value: Any) -> Iterator[tuple[str, str]]:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        yield "", f"expected a date, got {describe(value)}"


_with_expression(
    a_date,
    "{value}.__class__ is {date} or (isinstance({value}, {date}) and not isinstance({value}, {datetime}))",
    date=dt.date,
    datetime=dt.datetime,
)
_TYPE_ONLY[a_date] = dt.date


def member(enum: type) -> Check:
    def run(value: Any) -> Iterator[tuple[str, str]]:
        if not isinstance(value, enum):
            yield "", f"expected one of {', '.join(json_string(m.value) for m in enum)}, got {describe(value)}"  # type: ignore[attr-defined]

    _TYPE_ONLY[run] = enum
    return _with_expression(run, "isinstance({value}, {enum})", enum=enum)


def instance(cls: type, what: str) -> Check:
    def run(value: Any) -> Iterator[tuple[str, str]]:
        if not isinstance(value, cls):
            yield "", f"expected {what}, got {describe(value)}"

    return _with_expression(run, "isinstance({value}, {cls})", cls=cls)


def each(check: Check, *, non_empty: bool = False) -> Check:
    """Every item of a tuple passes *check*."""

    def run(value: Any) -> Iterator[tuple[str, str]]:
        if not isinstance(value, tuple):
            yield "", f"expected an array, got {describe(value)}"
            return
        if non_empty and not value:
            yield "", "must not be empty"
        for i, item in enumerate(value):
            for suffix, message in check(item):
                yield f"[{i}]{suffix}", message

    item_valid = predicate_of(check)

    def valid(value: Any) -> bool:
        if not isinstance(value, tuple) or (non_empty and not value):
            return False
        return all(map(item_valid, value))

    return _with_predicate(run, valid)


def as_tuple(value: Any) -> Any:
    """attrs converter: accept any list-like but keep strings as they are."""
    if isinstance(value, list | tuple):
        return tuple(value)
    return value


def to_enum(enum_type: type) -> Callable[[Any], Any]:
    """attrs converter: a member of *enum_type* from its value.

    A value that is not a member is kept as it is, so that the field's check
    reports it with its path instead of a bare ``ValueError`` escaping.
    """

    def convert(value: Any) -> Any:
        try:
            return enum_type(value)
        except (ValueError, TypeError):
            return value

    return convert
