"""JSON text in and out, strictly; rubric text in JSON or TOML.

Parsing refuses what JSON allows only loosely: ``NaN`` and ``Infinity``,
duplicate keys, numbers beyond a double, text that is not UTF-8.  A rubric
is data in either spelling, and both spellings of one rubric load into the
same :class:`~kol_trust.Rubric`, so they have the same digest.  TOML has no
``null``: leave an optional field out.  TOML dates
(``effective_from = 2026-01-01``) and quoted dates are both accepted.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
import tomllib
from pathlib import PurePath
from typing import Any, TypeVar, overload

from .. import accel
from ..checks import describe
from ..errors import Problem, RubricError, ValidationError
from ..rubric import Rubric
from .convert import from_dict, to_dict
from .paths import Invalid, document_name
from .write import Fallback, written_json

__all__ = ["from_json", "parse_json", "parse_rubric_text", "rubric_format", "to_json"]

T = TypeVar("T")


def _reject_constant(name: str) -> Any:
    raise Invalid(f"{name} is not a number in JSON documents")


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise Invalid(f"number {text[:40]} is out of the range of a double")
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
            raise Invalid(f"duplicate key {describe(key)} in an object")
        out[key] = value
    return out


# -- orjson (the extra ``fast``), where it is sure to parse as the strict path does ----------
#
# orjson.loads refuses NaN, Infinity, a byte-order mark, bad UTF-8, lone
# surrogates, control characters in strings and numbers beyond a double, as
# the strict path does; whatever it refuses, the strict path parses again and
# raises its own error.  It differs from the strict path in three places,
# each guarded here:
#
# * Duplicate keys: orjson keeps the last one silently.  In text without a
#   backslash every '"' delimits a string (a key or a value), so the text
#   holds twice as many '"' as it has strings.  orjson.dumps of the value
#   writes each of its keys and strings with two '"' and no other: equal
#   counts mean no key was lost.
# * Integers beyond 64 bits: orjson turns them into floats.  orjson.dumps
#   writes every float from 1e16 up (as repr does) with an exponent "e+";
#   the value's text holding "e+" (in a number, or in a string) sends it to
#   the strict path, which keeps the integer (or names its digits).
# * Nesting: orjson.loads takes 1024 levels, the strict path fewer (the
#   interpreter's recursion limit); orjson.dumps takes 254 and refuses
#   deeper values, which then go to the strict path.
#
# Escapes (any backslash) go to the strict path too: they are rare in the
# documents, and they would break the count of '"'.

_DECLINED = object()


def _orjson_parse(fast: accel.Orjson, text: object) -> Any:
    """orjson's value of *text* when it is sure to be the strict path's, else ``_DECLINED``."""
    if type(text) is str:
        if "\\" in text or text.startswith("\ufeff"):
            return _DECLINED
        quotes = text.count('"')
    elif type(text) is bytes or type(text) is bytearray:
        if b"\\" in text or text.startswith(b"\xef\xbb\xbf"):
            return _DECLINED
        quotes = text.count(b'"')
    else:
        return _DECLINED
    try:
        value = fast.loads(text)
        again = fast.dumps(value)
    except (fast.decode_error, fast.encode_error):
        return _DECLINED
    if again.count(b'"') != quotes or b"e+" in again:
        return _DECLINED
    return value


def parse_json(text: str | bytes, what: str = "JSON document") -> Any:
    """Parse JSON text strictly: no NaN/Infinity, no duplicate keys, no overflow.

    Raises :class:`~kol_trust.ValidationError` (path ``$``) on bad text.
    With ``orjson`` installed (the extra ``fast``) the text is parsed by it
    when it is sure to give the same value; the strict path decides
    everything else, and every error.
    """
    fast = accel.active
    if fast is not None:
        value = _orjson_parse(fast, text)
        if value is not _DECLINED:
            return value
    try:
        if isinstance(text, bytes | bytearray):
            text = bytes(text).decode("utf-8")
        if not isinstance(text, str):
            raise Invalid(f"expected JSON text, got {describe(text)}")
        return json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_parse_float,
            object_pairs_hook=_unique_keys,
        )
    except Invalid as e:
        raise ValidationError(what, [Problem("$", str(e))]) from None
    except UnicodeDecodeError as e:
        raise ValidationError(what, [Problem("$", f"not UTF-8 text ({e.reason} at byte {e.start})")]) from None
    except json.JSONDecodeError as e:
        if e.msg.startswith("Unexpected UTF-8 BOM"):
            raise ValidationError(
                what, [Problem("$", "not valid JSON: the text starts with a byte-order mark")]
            ) from None
        raise ValidationError(
            what, [Problem("$", f"not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})")]
        ) from None
    except RecursionError:
        raise ValidationError(what, [Problem("$", "nested too deeply")]) from None
    except ValueError as e:  # e.g. an integer with more digits than Python converts
        raise ValidationError(what, [Problem("$", f"not valid JSON: {_int_digits(e)}")]) from None


@overload
def from_json(text: str | bytes, cls: type[T]) -> T: ...
@overload
def from_json(text: str | bytes, cls: None = None) -> Any: ...
def from_json(text: str | bytes, cls: type[T] | None = None) -> Any:
    """Parse JSON text into a *cls* (or into plain data when *cls* is None)."""
    error_type = RubricError if cls is Rubric else ValidationError
    try:
        data = parse_json(text, document_name(cls) if cls else "JSON document")
    except ValidationError as e:
        raise error_type(e.what, e.problems) from None
    return data if cls is None else from_dict(data, cls)


def to_json(obj: Any, *, indent: int | None = None) -> str:
    """The JSON text of *obj*'s document, keys in a stable order, UTF-8 as is."""
    if indent is None:
        try:
            return written_json(obj)
        except Fallback:  # whatever the writer cannot vouch for: the general path decides
            return _compact_encode(to_dict(obj))
    return json.dumps(to_dict(obj), ensure_ascii=False, indent=indent, allow_nan=False)


# What json.dumps(ensure_ascii=False, allow_nan=False) builds on every call, built once.
_compact_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode


# -- rubric text ------------------------------------------------------------------------


def _plain(value: Any, path: str, problems: list[Problem]) -> Any:
    """TOML values as the JSON data model has them (dates become strings)."""
    if isinstance(value, dict):
        return {k: _plain(v, f"{path}.{k}", problems) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, f"{path}[{i}]", problems) for i, v in enumerate(value)]
    if isinstance(value, dt.datetime | dt.time):
        problems.append(Problem(path, f"expected a date YYYY-MM-DD, got the date-time or time {value.isoformat()}"))
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _int_digits(e: ValueError) -> str:
    """The integer-digits error of Python in the reader's words."""
    limit = sys.get_int_max_str_digits()
    if "integer string conversion" in str(e):
        return f"a number with more than {limit} digits"
    return str(e)


def parse_rubric_text(text: str | bytes, *, format: str = "json") -> Rubric:
    """A rubric from its text; *format* is ``"json"`` or ``"toml"``."""
    if format == "json":
        return from_json(text, Rubric)
    if format != "toml":
        raise ValueError(f'unknown rubric format {describe(format)}: use "json" or "toml"')
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise RubricError(
                "Rubric document", [Problem("$", f"not UTF-8 text ({e.reason} at byte {e.start})")]
            ) from None
    problems: list[Problem] = []
    try:
        plain = _plain(tomllib.loads(text), "$", problems)
    except tomllib.TOMLDecodeError as e:
        raise RubricError("Rubric document", [Problem("$", f"not valid TOML: {e}")]) from None
    except RecursionError:
        raise RubricError(
            "Rubric document", [Problem("$", "not a rubric: arrays or tables nested too deeply")]
        ) from None
    except ValueError as e:  # an integer with more digits than Python converts (sys.get_int_max_str_digits())
        raise RubricError("Rubric document", [Problem("$", f"not valid TOML: {_int_digits(e)}")]) from None
    if problems:
        raise RubricError("Rubric document", problems)
    return from_dict(plain, Rubric)


def rubric_format(name: str | PurePath) -> str:
    """The format of a rubric file by its name: ``"toml"`` when it ends in ``.toml``, else ``"json"``."""
    return "toml" if PurePath(name).suffix.lower() == ".toml" else "json"
