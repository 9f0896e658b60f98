"""RFC 8785 (JCS) canonical JSON, fast: the C-accelerated :mod:`json` encoder
does the work, :mod:`rfc8785` stays the reference.

``json`` with sorted keys, compact separators and no ASCII escaping already
writes JCS for most documents.  It differs in three places, and this module
deals with each before the encoder runs:

* **Numbers.**  JCS writes a double as ECMAScript's Number-to-String does;
  Python's ``repr`` differs for integral values (``1.0`` vs ``1``), between
  1e16 and 1e21 and below 1e-4 (exponent forms), and for ``-0.0``.  A float
  with an integral value within ±(2^53 − 1) becomes an ``int`` (same text as
  ECMAScript's); a non-integral float in [1e-4, 1e16) is written by ``repr``
  in plain decimal notation with the same shortest round-trip digits, which
  is exactly what :mod:`rfc8785` writes (it derives its output from
  ``str(f)``).  Any other float is *unsure*.
* **Key order.**  JCS sorts keys by UTF-16 code units, Python by code points.
  The two orders agree unless a key holds a character in U+E000–U+FFFF and
  another a character beyond U+FFFF (a surrogate pair sorts below U+E000 in
  UTF-16).  A key with a character at or above U+E000 is *unsure*.
* **Escapes.**  Python's encoder escapes exactly what JCS escapes (``"``,
  ``\\``, ``\\b \\f \\n \\r \\t`` and the other C0 controls as lowercase
  ``\\u00xx``; DEL, U+2028 and U+2029 are written as they are); the tests check
  this for every code point.  A lone surrogate fails the UTF-8 encoding.

Anything unsure or wrong (other floats, integers beyond 2^53 − 1, NaN and
infinities, non-string keys, lone surrogates, types other than the plain JSON
ones, subclasses other than string enums) sends the *whole* document to
:func:`rfc8785.dumps`, so the output, and the error raised for a value JCS
cannot represent, are always those of the reference implementation.
"""

from __future__ import annotations

import enum
import json
from typing import Any

import rfc8785

__all__ = ["Unsure", "dumps", "dumps_prepared", "number"]

_MAX_SAFE = 2**53 - 1
_SAFE_KEY_LIMIT = "\ue000"

# One encoder, built once: ``json.dumps`` with non-default arguments builds a
# new one on every call.  No circular check: the walk below has already
# visited the whole (acyclic, or it would have failed) document.
_encode = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False, check_circular=False
).encode


class Unsure(Exception):
    """The fast path cannot vouch for this document."""


_Unsure = Unsure


def number(x: float) -> float | int:
    """*x* as the encoder must see it to write JCS; raises :class:`Unsure`."""
    return _float(x)


def _float(x: float) -> float | int:
    if x.is_integer():
        # -0.0 lands here too: int(-0.0) == 0, written "0" as JCS wants.
        if -_MAX_SAFE <= x <= _MAX_SAFE:
            return int(x)
        raise _Unsure  # huge integral values (and ±inf, whose is_integer() is False: see below)
    a = x if x > 0 else -x
    if 1e-4 <= a < 1e16:  # repr writes plain decimals here; NaN fails both comparisons
        return x
    raise _Unsure


def _is_str_enum(t: type) -> bool:
    # String enums (to_dict leaves them as members): both encoders write the
    # member's string value.  Other str subclasses could override what
    # rfc8785 calls, so they go to the reference.
    ok = _STR_ENUMS.get(t)
    if ok is None:
        ok = _STR_ENUMS[t] = issubclass(t, str) and issubclass(t, enum.Enum)
    return ok


_STR_ENUMS: dict[type, bool] = {}


def _prepare(value: Any) -> Any:
    """*value* ready for the encoder: floats normalised, everything checked.

    Containers are copied only when something inside them changes.  The
    scalar cases are repeated inside the loops: they are most of a document,
    and a call per scalar would cost more than the encoder itself.
    """
    t = type(value)
    if t is dict:
        out: dict[str, Any] | None = None
        for k, v in value.items():
            if type(k) is not str or (not k.isascii() and max(k) >= _SAFE_KEY_LIMIT):
                raise _Unsure
            tv = type(v)
            if tv is str or v is None or tv is bool:
                continue
            if tv is int:
                if -_MAX_SAFE <= v <= _MAX_SAFE:
                    continue
                raise _Unsure
            p = _float(v) if tv is float else _prepare(v)
            if p is not v:
                if out is None:
                    out = dict(value)
                out[k] = p
        return value if out is None else out
    if t is list or t is tuple:
        items: list[Any] | None = None
        for i, v in enumerate(value):
            tv = type(v)
            if tv is str or v is None or tv is bool:
                continue
            if tv is int:
                if -_MAX_SAFE <= v <= _MAX_SAFE:
                    continue
                raise _Unsure
            p = _float(v) if tv is float else _prepare(v)
            if p is not v:
                if items is None:
                    items = list(value)
                items[i] = p
        return value if items is None else items
    if t is str or t is bool or value is None:
        return value
    if t is int:
        if -_MAX_SAFE <= value <= _MAX_SAFE:
            return value
        raise _Unsure
    if t is float:
        return _float(value)
    if _is_str_enum(t):
        return value
    raise _Unsure


def dumps(value: Any) -> bytes:
    """The RFC 8785 canonical JSON of *value*, byte for byte :func:`rfc8785.dumps`.

    Raises what :func:`rfc8785.dumps` raises for values JCS cannot represent.
    """
    try:
        return _encode(_prepare(value)).encode("utf-8")
    except (_Unsure, UnicodeEncodeError, ValueError, TypeError, RecursionError):
        # ValueError/TypeError cannot come from a prepared document; they are
        # listed so that the reference has the last word on anything odd.
        return rfc8785.dumps(value)


def dumps_prepared(value: Any) -> bytes:
    """JCS bytes of a document already in the form :func:`_prepare` gives.

    For callers that build such documents themselves (see
    ``wire._prepared``): string keys below U+E000, numbers passed through
    :func:`number`, integers within ±(2^53 − 1), plain JSON types and
    string enums only.  Raises ``UnicodeEncodeError`` for a lone surrogate;
    the caller then falls back to :func:`dumps` of the plain document.
    """
    return _encode(value).encode("utf-8")
