"""The JSON backend: ``orjson`` (the extra ``fast``) or the standard library alone.

The one place that decides it.  With ``orjson`` importable, the strict parser
behind :func:`kol_trust.from_json` and the canonical encoder behind
:func:`kol_trust.canonical_bytes` and the fingerprint use it where it is sure
to give what the standard library gives; everywhere else, and always without
``orjson``, the pure path (the standard library's ``json`` and ``rfc8785``)
decides.  Both backends give the same values, the same bytes and the same
errors: the test suite runs its vectors, its RFC 8785 tests and its property
tests on each.

The choice is made once, at import: ``orjson`` when it can be imported,
unless the environment variable ``KOL_TRUST_PURE_PYTHON`` is set (to anything
but ``""`` or ``"0"``).  :func:`forced` switches for a block of code (tests
use it to run the same checks on both backends)::

    with accel.forced("pure"):
        ...
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from .errors import json_string

__all__ = ["BACKENDS", "PURE_ENV", "Orjson", "active", "backend", "forced", "installed"]

#: The environment variable that switches ``orjson`` off for a whole process.
PURE_ENV = "KOL_TRUST_PURE_PYTHON"
#: The names :func:`backend` returns and :func:`forced` takes.
BACKENDS = ("orjson", "pure")


@attrs.frozen
class Orjson:
    """The functions of ``orjson`` the library calls, and the errors they raise."""

    version: str
    #: ``orjson.loads``: JSON text (``str``, ``bytes`` or ``bytearray``) to a value.
    loads: Callable[[str | bytes | bytearray], Any]
    #: Compact UTF-8 JSON, keys in the order given; a ``datetime.date`` as its ``isoformat()`` text.
    dumps: Callable[[Any], bytes]
    #: Compact UTF-8 JSON, the keys of every object sorted by code point.
    dumps_sorted: Callable[[Any], bytes]
    decode_error: type[Exception]
    encode_error: type[Exception]


_INSTALLED: Orjson | None
try:
    import orjson
except ImportError:  # installed without the extra ``fast``: the pure path alone
    _INSTALLED = None
else:
    _INSTALLED = Orjson(
        version=orjson.__version__,
        loads=orjson.loads,
        dumps=orjson.dumps,
        dumps_sorted=functools.partial(orjson.dumps, option=orjson.OPT_SORT_KEYS),
        decode_error=orjson.JSONDecodeError,
        encode_error=orjson.JSONEncodeError,
    )


def _pure_requested() -> bool:
    return os.environ.get(PURE_ENV, "") not in ("", "0")


#: The backend in use: ``orjson``'s functions, or ``None`` for the pure path.
#: Read at every call (``accel.active``), so that :func:`forced` reaches every caller.
active: Orjson | None = None if _pure_requested() else _INSTALLED


def installed() -> Orjson | None:
    """``orjson``'s functions when it can be imported (whether in use or not), else ``None``."""
    return _INSTALLED


def backend() -> str:
    """The backend in use: ``"orjson"`` or ``"pure"``."""
    return "pure" if active is None else "orjson"


@contextlib.contextmanager
def forced(name: str) -> Iterator[None]:
    """Use the backend *name* (``"orjson"`` or ``"pure"``) inside the ``with`` block.

    Raises :class:`LookupError` for ``"orjson"`` when it is not installed.
    Not thread-safe: it switches the backend of the whole process.
    """
    global active
    if name not in BACKENDS:
        raise ValueError(
            f"unknown JSON backend {json_string(name)}: use one of {', '.join(json_string(b) for b in BACKENDS)}"
        )
    if name == "orjson" and _INSTALLED is None:
        raise LookupError(
            "orjson is not installed: pip install 'kol-trust[fast]' (from a checkout: pip install '.[fast]')"
        )
    before = active
    active = _INSTALLED if name == "orjson" else None
    try:
        yield
    finally:
        active = before
