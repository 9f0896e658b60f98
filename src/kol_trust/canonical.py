"""The canonical form: RFC 8785 bytes, SHA-256 digests, the rubric digest and
the assessment fingerprint (STANDARD §6).  The only module that knows them.

It also writes the *document* of a model object (the plain JSON data that
:func:`kol_trust.to_dict` returns), since canonical bytes are those of the
document.  It reads no JSON text: that is :mod:`kol_trust.wire`'s job.

**RFC 8785 (JCS), fast.**  The C-accelerated :mod:`json` encoder does the
work, :mod:`rfc8785` stays the reference.

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

A finite float that ``repr`` writes otherwise than JCS (``5e-05``,
``1e+16``, ``2.0**60``) is written by :func:`rfc8785.dumps` *alone*, and
its text put in its place (see :func:`_dumps_marked`): one such number costs
the document a second walk, not the pure-Python encoder.  Anything else
unsure or wrong (integers beyond 2^53 − 1, NaN and infinities, non-string
keys, keys at or above U+E000, lone surrogates, types other than the plain
JSON ones, subclasses other than string enums) sends the *whole* document to
:func:`rfc8785.dumps`, so the output, and the error raised for a value JCS
cannot represent, are always those of the reference implementation.

**orjson** (the extra ``fast``, chosen by :mod:`kol_trust.accel`) writes the
prepared documents instead of the :mod:`json` encoder when installed: it
escapes strings exactly as the :mod:`json` encoder does (the tests check
every code point against :mod:`rfc8785` on both backends), writes every float
that :func:`number` lets through as ``repr`` does, and sorts keys by code
point.  Whatever it refuses (a lone surrogate, nesting beyond 254 levels)
goes to the :mod:`json` encoder, which decides as it does without orjson.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import json.encoder
import math
import operator
from collections.abc import Callable, Iterable
from typing import Any

import attrs
import rfc8785

from . import accel
from . import model as _model_module
from . import rubric as _rubric_module
from .assessment import Cause, ExclusionReason, RubricRef
from .checks import MAX_SAFE_INTEGER
from .codegen import generated
from .errors import KolTrustError
from .fieldtypes import is_homogeneous_tuple, item_type, optional_of
from .model import Evidence, Measure, Severity, Status, Subject, SubjectKind
from .rubric import ALGORITHM, CONDITION_TYPES, Rubric

__all__ = [
    "DOCUMENT_ENUMS",
    "Unsure",
    "canonical_bytes",
    "document",
    "drops_none",
    "dumps",
    "dumps_prepared",
    "fingerprint",
    "in_document",
    "not_in_document",
    "number",
    "prepared",
    "rubric_digest",
    "sha256_digest",
    "written",
]

_MAX_SAFE = MAX_SAFE_INTEGER
_SAFE_KEY_LIMIT = "\ue000"

# One encoder, built once: ``json.dumps`` with non-default arguments builds a
# new one on every call.  No circular check: the walk below has already
# visited the whole (acyclic, or it would have failed) document.
_encode = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False, check_circular=False
).encode
# The same without sorting, for documents whose keys are already in order
# (those :func:`prepared` builds): sorting is a quarter of the encoding.
_write = json.JSONEncoder(
    ensure_ascii=False, sort_keys=False, separators=(",", ":"), allow_nan=False, check_circular=False
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
        data = _prepare(value)
        fast = accel.active
        if fast is not None:
            try:
                return fast.dumps_sorted(data)
            except fast.encode_error:
                pass  # a lone surrogate, or nesting orjson refuses: the json encoder decides
        return _encode(data).encode("utf-8")
    except (_Unsure, UnicodeEncodeError, ValueError, TypeError, RecursionError):
        pass
    try:
        # Only finite numbers that repr writes otherwise than JCS (1e-05,
        # 1e+16, 2e+20…)?  The reference writes each of them alone.
        return _dumps_marked(value)
    except (_Unsure, UnicodeEncodeError, ValueError, TypeError, RecursionError):
        # ValueError/TypeError cannot come from a prepared document; they are
        # listed so that the reference has the last word on anything odd.
        return rfc8785.dumps(value)


# -- numbers the encoder writes otherwise, one at a time -----------------------------------
#
# A single 5e-05 in a document must not send the whole document to the
# pure-Python reference.  Each finite float that _float declines is replaced
# by a marker string "\x00<n>\x00"; the encoder writes it as the token
# "\u0000<n>\u0000" (quotes included), which is then replaced by
# rfc8785.dumps of that number alone.  A token found other than exactly once
# (a string of the document that happens to equal a marker) sends the whole
# document to the reference, so the bytes are always the reference's.


def _marked(value: Any, numbers: list[float]) -> Any:
    """*value* as _prepare makes it, declined floats replaced by markers; raises Unsure for the rest."""
    t = type(value)
    if t is dict:
        out = {}
        for k, v in value.items():
            if type(k) is not str or (not k.isascii() and max(k) >= _SAFE_KEY_LIMIT):
                raise _Unsure
            out[k] = _marked(v, numbers)
        return out
    if t is list or t is tuple:
        return [_marked(v, numbers) for v in value]
    if t is float:
        try:
            return _float(value)
        except _Unsure:
            if not math.isfinite(value):
                raise
        numbers.append(value)
        return f"\x00{len(numbers) - 1}\x00"
    return _prepare(value)


def _dumps_marked(value: Any) -> bytes:
    numbers: list[float] = []
    text = _encode(_marked(value, numbers))
    for n, x in enumerate(numbers):
        token = f'"\\u0000{n}\\u0000"'
        if text.count(token) != 1:
            raise _Unsure
        text = text.replace(token, rfc8785.dumps(x).decode("ascii"))
    return text.encode("utf-8")


def dumps_prepared(value: Any) -> bytes:
    """JCS bytes of a document already in the form :func:`prepared` gives.

    For callers that build such documents themselves: string keys below
    U+E000 *in sorted order* in every object, numbers passed through
    :func:`number`, integers within ±(2^53 − 1), plain JSON types and
    string enums only.  Raises ``UnicodeEncodeError`` for a lone surrogate;
    the caller then falls back to :func:`dumps` of the plain document.
    """
    fast = accel.active
    if fast is not None:
        try:
            return fast.dumps(value)
        except fast.encode_error:
            pass  # the json encoder decides, and raises what it always raised
    return _write(value).encode("utf-8")


# -- documents of objects ------------------------------------------------------------------

#: Modules whose classes are input documents: their absent optional fields are
#: left out.  Assessment documents keep their ``null`` s, as STANDARD §6 shows them.
_DROP_NONE_MODULES = frozenset({_model_module.__name__, _rubric_module.__name__})


def drops_none(cls: type) -> bool:
    """Whether documents of *cls* leave its absent (``None``) optional fields out (input documents do)."""
    return cls.__module__ in _DROP_NONE_MODULES


#: The string enums of the standard's documents: documents keep their members
#: (JSON writes their string values).
DOCUMENT_ENUMS: tuple[type[enum.Enum], ...] = (SubjectKind, Measure, Severity, Status, ExclusionReason, Cause)

#: Exact classes a document keeps as they are: JSON scalars, and string enums
#: (others join as they are first seen).
_KEPT: set[type] = {str, int, float, bool, type(None), *DOCUMENT_ENUMS}

_Writer = Callable[[Any], Any]
_WRITERS: dict[type, _Writer] = {}


def not_in_document(**kwargs: Any) -> Any:
    """An :func:`attrs.field` that is not part of its object's document (JSON,
    canonical bytes): words for a person kept beside the data, such as the
    phrase (:class:`kol_trust.words.Phrase`) of a lint finding.  Not compared, not in
    ``repr``."""
    return attrs.field(metadata={"document": False}, eq=False, repr=False, **kwargs)


def in_document(a: attrs.Attribute[Any]) -> bool:
    """Whether the field *a* is written in its object's document (an ``__init__`` field not :func:`not_in_document`)."""
    return a.init and a.metadata.get("document", True)


def document(value: Any) -> Any:
    """The JSON-ready document of *value*: dicts, lists, strings, numbers, ``None``.

    Keys follow the field order of the standard's tables; absent optional
    fields of input documents are left out, defaults are filled in; dates
    become ``YYYY-MM-DD``, tuples lists.  String enums stay members (they are
    strings); other enums become their values.
    """
    cls = value.__class__
    if cls in _KEPT:
        return value
    writer = _WRITERS.get(cls)
    if writer is None:
        writer = _WRITERS[cls] = _writer(cls)
    return writer(value)


def _keep(value: Any) -> Any:
    return value


def _enum_value(value: enum.Enum) -> Any:
    return value.value


def _items(value: Any) -> list[Any]:
    return [document(x) for x in value]


def _mapping(value: Any) -> dict[Any, Any]:
    return {document(k): document(v) for k, v in value.items()}


def _writer(cls: type) -> _Writer:
    if attrs.has(cls):
        return _object_writer(cls)
    if issubclass(cls, enum.Enum):
        if issubclass(cls, str):
            _KEPT.add(cls)
            return _keep
        return _enum_value
    if issubclass(cls, dt.date):
        return dt.date.isoformat
    if issubclass(cls, list | tuple):
        return _items
    if issubclass(cls, dict):
        return _mapping
    if issubclass(cls, set | frozenset):
        return lambda value: cls(document(x) for x in value)
    return _keep


def _object_writer(cls: type) -> _Writer:
    attrs.resolve_types(cls)
    names = [a.name for a in attrs.fields(cls) if in_document(a)]
    drop_none = cls.__module__ in _DROP_NONE_MODULES
    tag = getattr(cls, "type", None) if cls in CONDITION_TYPES.values() else None
    # The common cases first, without the dispatch of document(); everything
    # else goes through it.  Written out field by field: every assessment
    # written goes through here some 300 times.
    lines = ["def to_doc(obj):", "    out = {'type': tag} if tag is not None else {}"]
    for name in names:
        key = repr(name)
        lines += [
            f"    value = obj.{name}",
            "    if value is None:",
            "        pass" if drop_none else f"        out[{key}] = None",
            "    elif value.__class__ in kept:",
            f"        out[{key}] = value",
            "    elif value.__class__ is date:",
            f"        out[{key}] = value.isoformat()",
            "    else:",
            f"        out[{key}] = document(value)",
        ]
    lines.append("    return out")
    namespace: dict[str, Any] = {"tag": tag, "kept": _KEPT, "date": dt.date, "document": document}
    to_doc: _Writer = generated("to_doc", cls, lines, namespace)
    return to_doc


# -- canonical documents of model objects, in one pass -----------------------------------
#
# canonical_bytes(obj) of a model object is dumps(document(obj)): one pass to
# build the document, one to check and normalise it for the encoder.  The
# engine hashes a subject and every evidence record of every assessment, so
# for classes whose fields have plain declared types both passes are done at
# once: each value is checked against its declared type (its exact class) and
# written as document() would write it, numbers as number() makes them.  A
# value of any other class raises Unsure and the caller takes the two passes,
# which decide the bytes or the error.  tests/test_jcs.py checks the result
# against rfc8785 of the document.

_Prepare = Callable[[Any], Any]
#: The string enums that documents keep as members (JSON writes their values).
_PASSTHROUGH_ENUMS: frozenset[type] = frozenset(DOCUMENT_ENUMS)


# number() written inline in the generated preparers and writers (``value``
# a field's value, ``MAX`` the largest safe integer): an integral float within
# MAX becomes an int, a non-integral one in ±[1e-4, 1e16) stays as it is, and
# any other float fails the test and goes to the field's own function, which
# raises Unsure (an integral float beyond MAX is the reference's, as in _float).
_NUMBER_TEST = (
    "value.__class__ is float and (-MAX <= value <= MAX if value.is_integer() else"
    " 1e-4 <= value < 1e16 or -1e16 < value <= -1e-4)"
)
_NUMBER_VALUE = "(int(value) if value.is_integer() else value)"


def _prepare_str(value: Any) -> Any:
    if value.__class__ is str or value.__class__ in _PASSTHROUGH_ENUMS:
        return value
    raise Unsure


def _prepare_int(value: Any) -> Any:
    if value.__class__ is int and -_MAX_SAFE <= value <= _MAX_SAFE:
        return value
    raise Unsure


def _prepare_float(value: Any) -> Any:
    if value.__class__ is float:
        return number(value)
    return _prepare_int(value)


def _prepare_bool(value: Any) -> Any:
    if value.__class__ is bool:
        return value
    raise Unsure


def _prepare_date(value: Any) -> Any:
    if value.__class__ is dt.date:
        return value.isoformat()
    raise Unsure


def _keep_date(value: Any) -> Any:
    if value.__class__ is dt.date:
        return value
    raise Unsure


def _preparer(t: Any, dates: _Prepare = _prepare_date) -> _Prepare | None:
    """The preparer of values of type *t*; dates by *dates* (their text, or
    kept as they are for orjson, which writes a date as its ``isoformat()``)."""
    if t is str or t in DOCUMENT_ENUMS:
        return _prepare_str
    if t is int:
        return _prepare_int
    if t is float:
        return _prepare_float
    if t is bool:
        return _prepare_bool
    if t is dt.date:
        return dates
    if is_homogeneous_tuple(t):
        item = _preparer(item_type(t), dates)
        if item is None:
            return None

        def prepare_tuple(value: Any) -> list[Any]:
            if value.__class__ is tuple:
                return [item(x) for x in value]
            raise Unsure

        return prepare_tuple
    inner = optional_of(t)
    if inner is not None:
        # None itself is handled by the class's preparer, as document() does.
        return _preparer(inner, dates)
    if isinstance(t, type):
        return _class_preparer(t, dates)
    return None


_PREPARERS: dict[tuple[type, _Prepare], _Prepare | None] = {}


def _first(pair: tuple[str, Any]) -> str:
    return pair[0]


def _field_plan(cls: type, writer_of: Callable[[Any], Any]) -> list[tuple[str, Any]] | None:
    """``(name, writer)`` of each field of *cls*, in JCS key order (ASCII names:
    code points and UTF-16 agree); ``None`` when *cls* is not a plain attrs
    class or a field has no writer."""
    if not attrs.has(cls) or cls in CONDITION_TYPES.values():
        return None
    attrs.resolve_types(cls)
    plan = []
    for a in attrs.fields(cls):
        if not in_document(a):
            continue
        write = writer_of(a.type)
        if write is None or not a.name.isascii():
            return None
        plan.append((a.name, write))
    plan.sort(key=_first)
    return plan


def _class_preparer(cls: type, dates: _Prepare = _prepare_date) -> _Prepare | None:
    memo = (cls, dates)
    if memo in _PREPARERS:
        return _PREPARERS[memo]
    _PREPARERS[memo] = None  # until built (and for good when unsupported)
    plan = _field_plan(cls, lambda t: _preparer(t, dates))
    if plan is None:
        return None
    drop_none = cls.__module__ in _DROP_NONE_MODULES
    optional = {a.name for a in attrs.fields(cls) if optional_of(a.type) is not None}
    # Written out field by field, as _object_writer does.
    lines = ["def prepare_object(obj):", "    if obj.__class__ is not cls:", "        raise Unsure", "    out = {}"]
    namespace: dict[str, Any] = {
        "cls": cls,
        "Unsure": Unsure,
        "date": dt.date,
        "str_enums": _PASSTHROUGH_ENUMS,
        "MAX": _MAX_SAFE,
    }
    # The scalar preparers, inline (the same tests, without the calls).
    inline = {
        _prepare_str: ("value.__class__ is str or value.__class__ in str_enums", "value"),
        _prepare_int: ("value.__class__ is int and -MAX <= value <= MAX", "value"),
        _prepare_bool: ("value.__class__ is bool", "value"),
        _prepare_date: ("value.__class__ is date", "value.isoformat()"),
        _keep_date: ("value.__class__ is date", "value"),
        _prepare_float: (_NUMBER_TEST, _NUMBER_VALUE),
    }
    for i, (name, prepare) in enumerate(plan):
        key = repr(name)
        namespace[f"prepare_{i}"] = prepare
        # (test, what to write) in turn, then the preparer, which raises
        # Unsure or returns the value (an int for an integral float).  A field
        # that is not optional needs no test for None: a None there (an
        # object forced past its checks) fails the class test and goes to the
        # preparer, which declines it.
        branches: list[tuple[str, str | None]] = []
        if name in optional:
            branches.append(("value is None", None if drop_none else "None"))
        if prepare in inline:
            branches.append(inline[prepare])
        lines.append(f"    value = obj.{name}")
        for j, (test, result) in enumerate(branches):
            lines += [
                f"    {'elif' if j else 'if'} {test}:",
                "        pass" if result is None else f"        out[{key}] = {result}",
            ]
        if branches:
            lines += ["    else:", f"        out[{key}] = prepare_{i}(value)"]
        else:
            lines.append(f"    out[{key}] = prepare_{i}(value)")
    lines.append("    return out")
    prepare_object: _Prepare = generated("prepare_object", cls, lines, namespace)
    _PREPARERS[memo] = prepare_object
    return prepare_object


def prepared(obj: Any) -> Any:
    """The form :func:`dumps_prepared` takes of ``document(obj)``, in one pass; raises :class:`Unsure`.

    Its keys are in JCS order, so it needs no sorting (unlike ``document(obj)``).
    """
    prepare = _class_preparer(obj.__class__)
    if prepare is None:
        raise Unsure
    return prepare(obj)


def _declined(obj: Any) -> Any:
    raise Unsure


# -- canonical text of model objects, written directly ------------------------------------
#
# The fingerprint needs the JCS text of every record, and building dicts only
# for the encoder to walk them again is most of its cost.  For the classes
# prepared() supports, written() writes the text itself: keys in order (field
# names are ASCII), strings escaped by the json module's own C function (the
# one its encoder calls, so the escapes are those the tests check against
# rfc8785), numbers as number() makes them and repr writes them.  The same
# exact-class checks raise Unsure for anything else.

_Write = Callable[[Any], str]
_escape: Callable[[Any], str] = json.encoder.encode_basestring


def _number_text(x: Any) -> str:
    if x.__class__ is float:
        n = _float(x)
        return repr(n)
    if x.__class__ is int and -_MAX_SAFE <= x <= _MAX_SAFE:
        return repr(x)
    raise Unsure


def _write_str(value: Any) -> str:
    if value.__class__ is str or value.__class__ in _PASSTHROUGH_ENUMS:
        return _escape(value)
    raise Unsure


def _write_int(value: Any) -> str:
    if value.__class__ is int and -_MAX_SAFE <= value <= _MAX_SAFE:
        return repr(value)
    raise Unsure


def _write_bool(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    raise Unsure


def _write_date(value: Any) -> str:
    if value.__class__ is dt.date:
        return '"' + value.isoformat() + '"'
    raise Unsure


def _text_writer(t: Any) -> _Write | None:
    if t is str or t in DOCUMENT_ENUMS:
        return _write_str
    if t is int:
        return _write_int
    if t is float:
        return _number_text
    if t is bool:
        return _write_bool
    if t is dt.date:
        return _write_date
    if is_homogeneous_tuple(t):
        item = _text_writer(item_type(t))
        if item is None:
            return None

        def write_tuple(value: Any) -> str:
            if value.__class__ is tuple:
                return "[" + ",".join([item(x) for x in value]) + "]"
            raise Unsure

        return write_tuple
    inner = optional_of(t)
    if inner is not None:
        return _text_writer(inner)
    if isinstance(t, type):
        return _class_writer(t)
    return None


_TEXT_WRITERS: dict[type, _Write | None] = {}


def _class_writer(cls: type) -> _Write | None:
    if cls in _TEXT_WRITERS:
        return _TEXT_WRITERS[cls]
    _TEXT_WRITERS[cls] = None  # until built (and for good when unsupported)
    plan = _field_plan(cls, _text_writer)
    if plan is None:
        return None
    drop_none = cls.__module__ in _DROP_NONE_MODULES
    optional = {a.name for a in attrs.fields(cls) if optional_of(a.type) is not None}
    # Each field's text goes to a local, and one f-string joins them.  A field
    # that may be None (and so absent) carries its own leading comma; the
    # others' keys are in the f-string, which needs the first field present.
    # A required field holding None, or anything odd, raises Unsure: the
    # general path decides.
    joined = plan[0][0] not in optional
    lines = ["def write_object(obj):", "    if obj.__class__ is not cls:", "        raise Unsure"]
    namespace: dict[str, Any] = {
        "cls": cls,
        "Unsure": Unsure,
        "escape": _escape,
        "date": dt.date,
        "str_enums": _PASSTHROUGH_ENUMS,
        "MAX": _MAX_SAFE,
    }
    template = ""
    for i, (name, write) in enumerate(plan):
        key = "," + json.dumps(name) + ":"
        namespace[f"write_{i}"] = write
        if name in optional or not joined:
            lead = key
            template += f"{{part_{i}}}"
            lines += [
                f"    value = obj.{name}",
                "    if value is None:",
                f"        part_{i} = ''" if drop_none else f"        part_{i} = {key + 'null'!r}",
            ]
        else:
            lead = ""
            template += (key if i else key[1:]).replace("{", "{{").replace("}", "}}") + f"{{part_{i}}}"
            lines += [f"    value = obj.{name}", "    if value is None:", "        raise Unsure"]
        prefix = f"{lead!r} + " if lead else ""
        # The commonest cases inline, without the calls (the same tests as the writers').
        if write is _write_str:
            lines += [
                "    elif value.__class__ is str or value.__class__ in str_enums:",
                f"        part_{i} = {prefix}escape(value)",
            ]
        elif write is _write_date:
            lines += [
                "    elif value.__class__ is date:",
                f"        part_{i} = {(lead + chr(34))!r} + value.isoformat() + '\"'",
            ]
        elif write is _write_int:
            lines += [
                "    elif value.__class__ is int and -MAX <= value <= MAX:",
                f"        part_{i} = {prefix}repr(value)",
            ]
        elif write is _number_text:
            lines += [f"    elif {_NUMBER_TEST}:", f"        part_{i} = {prefix}repr({_NUMBER_VALUE})"]
        lines += ["    else:", f"        part_{i} = {prefix}write_{i}(value)"]  # raises Unsure
    if joined:
        lines.append(f"    return f{'{{' + template + '}}'!r}")
    else:  # every part has its leading comma: the first is cut
        lines.append(f"    text = f{template!r}")
        lines.append("    return '{' + text[1:] + '}'")
    write_object: _Write = generated("write_object", cls, lines, namespace)
    _TEXT_WRITERS[cls] = write_object
    return write_object


def written(obj: Any) -> str:
    """The JCS text of ``document(obj)`` for model objects of plain declared types; raises :class:`Unsure`.

    The text may hold a lone surrogate: encoding it to UTF-8 then fails.
    """
    write = _TEXT_WRITERS[obj.__class__] if obj.__class__ in _TEXT_WRITERS else _class_writer(obj.__class__)
    if write is None:
        raise Unsure
    return write(obj)


# -- bytes and digests ----------------------------------------------------------------------


def canonical_bytes(obj: Any) -> bytes:
    """RFC 8785 (JCS) canonical JSON of *obj* (a model object or plain data)."""
    if attrs.has(type(obj)):
        try:
            return written(obj).encode("utf-8")
        except (Unsure, UnicodeEncodeError, ValueError, TypeError, RecursionError):
            pass  # the two passes below decide
        data = document(obj)
    else:
        data = obj
    try:
        # The C json encoder when it is sure to write the same bytes as
        # rfc8785, rfc8785 itself otherwise.
        return dumps(data)
    except rfc8785.CanonicalizationError as e:
        raise KolTrustError(f"cannot canonicalize: {e}") from None


def sha256_digest(obj: Any) -> str:
    """``"sha256:"`` + hex SHA-256 of :func:`canonical_bytes` of *obj*."""
    return "sha256:" + hashlib.sha256(canonical_bytes(obj)).hexdigest()


def rubric_digest(rubric: Rubric) -> str:
    """The rubric's digest (STANDARD §6): its canonical document with defaults filled.

    Computed once per rubric object.
    """
    return rubric.derived("digest", sha256_digest)


_by_id = operator.attrgetter("id")


#: Records hashed per piece of the fingerprint: its text is never held whole,
#: so its cost per record stays flat however large the case.
_CHUNK = 128


def _record_text(e: Evidence) -> str:
    """The JCS text of one record: written(), or for a record it declines (a
    value such as 5e-05) that record alone by the general path; JCS text is
    the same whether a value stands alone or inside a document."""
    try:
        return written(e)
    except Unsure:
        return dumps(document(e)).decode("utf-8")


def _chunk_bytes(records: list[Evidence]) -> bytes:
    """The JCS text of *records*, comma-separated (the inside of a JSON array)."""
    return ",".join([_record_text(e) for e in records]).encode("utf-8")


def _chunk_bytes_orjson(fast: accel.Orjson, records: list[Evidence]) -> bytes:
    """:func:`_chunk_bytes` by orjson: one ``orjson.dumps`` of the prepared records.

    A record that :func:`prepared` declines (a value such as 5e-05) is written
    alone by :func:`_record_text`, the records around it still by orjson.
    orjson's own errors (a lone surrogate) propagate.
    """
    parts: list[bytes] = []
    run: list[Any] = []
    # prepared() but for dates, kept as date objects: orjson writes each as
    # its isoformat() text (as prepared() does) without a call per date.
    # A record of another class than Evidence raises Unsure in it.
    prepare = _class_preparer(Evidence, _keep_date) or _declined
    for e in records:
        try:
            run.append(prepare(e))
        except Unsure:
            if run:
                parts.append(fast.dumps(run)[1:-1])  # without the array's brackets
                run = []
            parts.append(_record_text(e).encode("utf-8"))
    if run:
        parts.append(fast.dumps(run)[1:-1])
    return b",".join(parts)


def _subject_bytes(subject: Subject) -> bytes:
    return written(subject).encode("utf-8")


def _subject_bytes_orjson(fast: accel.Orjson, subject: Subject) -> bytes:
    """:func:`_subject_bytes` by orjson, of the prepared subject (Unsure when prepared() declines it;
    a subject rarely does, unlike a record's tiny value, so the general path then decides)."""
    prepare = _class_preparer(Subject) or _declined
    return fast.dumps(prepare(subject))


def fingerprint(ref: RubricRef, as_of: dt.date, subject: Subject, evidence: Iterable[Evidence]) -> str:
    """The assessment fingerprint (STANDARD §6): the SHA-256 of the canonical
    inputs — algorithm, rubric reference, ``as_of``, the subject and the
    (deduplicated) evidence records in id order."""
    records = sorted(evidence, key=_by_id)
    try:
        if not (ref.id.__class__ is ref.version.__class__ is ref.digest.__class__ is str):
            raise Unsure
        # The text of each record written directly (written()) instead of
        # document() and then dumps()'s check, hashed piece by piece: the
        # bytes of {"algorithm", "as_of", "evidence", "rubric", "subject"}.
        h = hashlib.sha256()
        h.update(f'{{"algorithm":{ALGORITHM},"as_of":"{as_of.isoformat()}","evidence":['.encode())
        fast = accel.active
        for start in range(0, len(records), _CHUNK):
            if start:
                h.update(b",")
            chunk = records[start : start + _CHUNK]
            h.update(_chunk_bytes(chunk) if fast is None else _chunk_bytes_orjson(fast, chunk))
        rubric_ref = f'{{"digest":{_escape(ref.digest)},"id":{_escape(ref.id)},"version":{_escape(ref.version)}}}'
        h.update(f'],"rubric":{rubric_ref},"subject":'.encode())
        h.update(_subject_bytes(subject) if fast is None else _subject_bytes_orjson(fast, subject))
        h.update(b"}")
    except (Unsure, UnicodeEncodeError, ValueError, TypeError, RecursionError):
        # Something the one pass cannot vouch for: the general path decides
        # the bytes, or raises what it always raised.
        head = {
            "algorithm": ALGORITHM,
            "rubric": {"id": ref.id, "version": ref.version, "digest": ref.digest},
            "as_of": as_of.isoformat(),
        }
        return sha256_digest({**head, "subject": document(subject), "evidence": [document(e) for e in records]})
    return "sha256:" + h.hexdigest()
