"""The two JSON backends (``kol_trust.accel``): orjson, when installed, and the pure path.

orjson (the extra ``fast``) must give exactly what the pure path gives: the
same parsed values and the same errors from ``parse_json``, the same
canonical bytes and the same fingerprints.  These tests compare the two
directly, on the texts where orjson and the strict parser differ (duplicate
keys, integers beyond 64 bits, deep nesting, a BOM, bad UTF-8, NaN) and on
random documents and cases; tests/test_vectors.py, tests/test_jcs.py and
tests/test_properties.py run whole on each backend.  They also check that
orjson is *used* when it is installed, and that the library works without it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import attrs
import pytest
import rfc8785
from hypothesis import example, given
from hypothesis import strategies as st

import kol_trust as kt
from conftest import record_calls, require_orjson
from kol_trust import accel, canonical
from kol_trust import testing as kts
from kol_trust.synth import synthetic_cases
from kol_trust.wire import parse_json
from test_jcs import json_values, keys, reference_fingerprint, texts

# -- which backend ---------------------------------------------------------------------------


def _backend_in_a_fresh_process(env: dict[str, str], prelude: str = "") -> str:
    code = prelude + "from kol_trust import accel; print(accel.backend())"
    clean = {k: v for k, v in os.environ.items() if k != accel.PURE_ENV}
    done = subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip()


def test_orjson_is_used_when_it_is_installed() -> None:
    """Installed but not used would be a silent loss: the default backend is orjson."""
    require_orjson()
    assert _backend_in_a_fresh_process({}) == "orjson"
    if not os.environ.get(accel.PURE_ENV):
        assert accel.backend() == "orjson"
        assert accel.active is accel.installed()


@pytest.mark.parametrize(("value", "expected"), [("1", "pure"), ("yes", "pure"), ("0", "orjson"), ("", "orjson")])
def test_the_environment_variable_switches_orjson_off(value: str, expected: str) -> None:
    require_orjson()
    assert _backend_in_a_fresh_process({accel.PURE_ENV: value}) == expected


def test_without_orjson_the_pure_path_does_everything() -> None:
    """``pip install .`` without the extra: orjson cannot be imported, and nothing needs it."""
    code = """
import sys
sys.modules["orjson"] = None  # import orjson now raises ImportError
import kol_trust as kt
from kol_trust import accel, canonical
from kol_trust.synth import synthetic_cases
assert accel.installed() is None and accel.active is None, accel.active
case = next(iter(synthetic_cases(1, seed=3)))
again = kt.from_json(kt.to_json(case), kt.Case)
assert again == case
print(kt.assess_case(again).fingerprint)
print(canonical.dumps({"b": [0.5, 5e-05], "a": "\\u2028"}).decode())
try:
    with accel.forced("orjson"):
        pass
except LookupError as e:
    print(e)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    fingerprint, dumped, message = done.stdout.rstrip("\n").split("\n")  # not splitlines(): U+2028
    case = next(iter(synthetic_cases(1, seed=3)))
    with accel.forced("pure"):
        assert fingerprint == kt.assess_case(case).fingerprint
    assert dumped == '{"a":"\u2028","b":[0.5,0.00005]}'
    assert message == "orjson is not installed: pip install 'kol-trust[fast]' (from a checkout: pip install '.[fast]')"


def test_forced_switches_and_restores() -> None:
    before = accel.active
    with accel.forced("pure"):
        assert accel.backend() == "pure"
        assert accel.active is None
    assert accel.active is before
    with pytest.raises(ValueError, match="unknown JSON backend"), accel.forced("simdjson"):
        pass
    assert accel.active is before


def _recording(calls: list[str]) -> accel.Orjson:
    """orjson's functions, each noting its name in *calls* when called."""
    real = accel.installed()
    assert real is not None

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            calls.append(name)
            return fn(*args)

        return call

    return attrs.evolve(
        real,
        loads=wrap("loads", real.loads),
        dumps=wrap("dumps", real.dumps),
        dumps_sorted=wrap("dumps_sorted", real.dumps_sorted),
    )


def test_every_route_calls_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each place the brief of the extra names goes through orjson when it is the backend."""
    require_orjson()
    case = next(iter(synthetic_cases(1, seed=6, min_records=30, max_records=30)))
    text = kt.to_json(case)
    with accel.forced("pure"):
        expected = (parse_json(text), kt.assess_case(case).fingerprint, canonical.dumps(kt.to_dict(case)))
        prepared = canonical.dumps_prepared(canonical.prepared(case.subject))
    calls: list[str] = []
    monkeypatch.setattr(accel, "active", _recording(calls))

    assert parse_json(text) == expected[0]
    assert calls == ["loads", "dumps"]  # orjson's value, checked by orjson.dumps
    calls.clear()
    assert parse_json(text.encode()) == expected[0]
    assert calls == ["loads", "dumps"]
    calls.clear()
    assert kt.assess_case(case).fingerprint == expected[1]
    assert calls == ["dumps", "dumps"]  # the 30 records in one chunk, then the subject
    calls.clear()
    assert canonical.dumps(kt.to_dict(case)) == expected[2]
    assert calls == ["dumps_sorted"]
    calls.clear()
    assert canonical.dumps_prepared(canonical.prepared(case.subject)) == prepared
    assert calls == ["dumps"]


# -- parse_json: where orjson and the strict parser differ -------------------------------------


def parsed(text: str | bytes) -> tuple[Any, ...]:
    """What parse_json gives: the value's repr (which tells 1 from 1.0 and 0.0 from -0.0), or the error."""
    try:
        value = parse_json(text)
    except kt.ValidationError as e:
        return ("error", e.what, e.problems)
    return ("ok", repr(value))


def on_both(fn: Callable[[], Any]) -> tuple[Any, Any]:
    require_orjson()
    with accel.forced("pure"):
        pure = fn()
    with accel.forced("orjson"):
        fast = fn()
    return pure, fast


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


#: (text, what the strict path gives): each is a place where orjson.loads alone differs.
DIFFERENCES: list[tuple[str, str | bytes, str]] = [
    ("duplicate key", '{"a": 1, "a": 2}', 'duplicate key "a"'),
    ("duplicate key, nested", '{"x": [{"k": "v", "k": "w"}]}', 'duplicate key "k"'),
    ("duplicate key, same value", '{"k": {}, "k": {}}', 'duplicate key "k"'),
    ("duplicate key, bytes", b'{"id": "e1", "id": "e1"}', 'duplicate key "id"'),
    ("integer beyond 64 bits", '{"n": 18446744073709551616}', "{'n': 18446744073709551616}"),
    ("negative integer beyond 64 bits", "[-9223372036854775809]", "[-9223372036854775809]"),
    ("integer of 5000 digits", "1" * 5000, "more than 4300 digits"),
    ("NaN", '{"v": NaN}', "NaN is not a number"),
    ("Infinity", "[-Infinity]", "-Infinity is not a number"),
    ("out of a double", "[1e400]", "out of the range of a double"),
    ("BOM", '\ufeff{"a": 1}', "byte-order mark"),
    ("BOM, bytes", b'\xef\xbb\xbf{"a": 1}', "byte-order mark"),
    ("bad UTF-8", b'{"a": "\xff"}', "not UTF-8 text"),
    ("an encoded surrogate", b'["\xed\xa0\x80"]', "not UTF-8 text"),
    ("a lone surrogate in str", '["\ud800"]', "['\\ud800']"),
    ("an escaped lone surrogate", '["\\ud800"]', "['\\ud800']"),
    ("control character", '["a\x01"]', "Invalid control character"),
    ("nested 300 deep", _nested(300), "[[[[["),
    ("nested 1000 deep", _nested(1000), "nested too deeply"),
    ("nested 1100 deep", _nested(1100), "nested too deeply"),
    ("trailing comma", "[1,]", "not valid JSON"),
    ("empty", "", "not valid JSON"),
    ("not text", b"\x00", "not valid JSON"),
]


@pytest.mark.parametrize(("name", "text", "strict"), DIFFERENCES, ids=[d[0] for d in DIFFERENCES])
def test_where_orjson_differs_the_strict_path_decides(name: str, text: str | bytes, strict: str) -> None:
    pure, fast = on_both(lambda: parsed(text))
    assert strict in (pure[1] if pure[0] == "ok" else str(pure[2]))  # the strict path's own answer …
    assert fast == pure  # … is the answer with orjson too


@pytest.mark.parametrize("n", [2**64, 2**64 + 1, 10**19 * 9, -(2**63) - 1, 10**30, -(10**40)])
def test_orjson_writes_integers_beyond_64_bits_with_an_exponent(n: int) -> None:
    """The guard of huge integers: orjson reads them as floats, and writes those with "e+"."""
    fast = accel.installed()
    if fast is None:
        require_orjson()
        return
    value = fast.loads(str(n))
    assert type(value) is float
    assert b"e+" in fast.dumps(value)


def test_case_texts_take_orjson() -> None:
    """The guard lets the documents the library writes through (else it would cost and not help)."""
    require_orjson()
    fast = accel.installed()
    assert fast is not None
    for case in synthetic_cases(50, seed=12):
        text = kt.to_json(case)
        with accel.forced("orjson"):
            value = parse_json(text)
        assert value == fast.loads(text)
        assert fast.dumps(value).count(b'"') == text.count('"')


# Texts written by hand, token by token, so that they hold what json.dumps never
# writes: duplicate keys, raw control characters and lone surrogates, every
# spelling of a number, whitespace and errors.
number_literals = st.one_of(
    st.integers().map(str),
    st.integers(-(2**70), 2**70).map(str),
    st.floats().map(lambda x: json.dumps(x)),  # NaN and Infinity too
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.floats(min_value=1e-8, max_value=1e-3).map(lambda x: f"{x:.3g}"),  # 5e-05
    # Long mantissas and every exponent: both parsers must round them alike.
    st.from_regex(r"-?(0|[1-9][0-9]{0,24})(\.[0-9]{1,24})?([eE][-+]?[0-9]{1,3})?", fullmatch=True),
    st.sampled_from(["5e-05", "1e16", "1E16", "1e+16", "-0", "-0.0", "0.0", "1e400", "-1e-400", "1.0", "01", "1."]),
    st.sampled_from([".5", "+1", "18446744073709551615", "18446744073709551616", "-9223372036854775809"]),
)
raw_strings = st.text(max_size=8).map(lambda s: '"' + s.replace('"', "").replace("\\", "") + '"')
string_literals = st.one_of(
    texts.map(lambda s: json.dumps(s, ensure_ascii=False)),
    texts.map(json.dumps),  # escapes: the strict path
    raw_strings,  # control characters, lone surrogates
    st.sampled_from(['"a"', '"é"', '"\\ud800"', '"\ud800"', '"\u2028"', '"\x7f"', '"e+"']),
)
key_literals = st.one_of(st.sampled_from(['"a"', '"b"', '"é"', '"\ue000"', '"id"']), string_literals)
spaces = st.sampled_from(["", " ", "\n", "\t", "\r\n", "\x0c", "\u00a0"])
json_texts = st.recursive(
    st.one_of(number_literals, string_literals, st.sampled_from(["true", "false", "null", "nul", "NaN"])),
    lambda children: st.one_of(
        st.lists(children, max_size=5).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(key_literals, children, spaces), max_size=5).map(
            lambda pairs: "{" + ",".join(f"{k}:{sp}{v}" for k, v, sp in pairs) + "}"
        ),
    ),
    max_leaves=20,
)


@given(json_texts, spaces, st.booleans())
@example('{"a": 1, "a": 1}', "", False)
@example('{"a": [1, {"b": "x", "b": "y"}]}', "", True)
@example("[18446744073709551616, 5e-05, 1e16, -0.0, -0]", " ", False)
@example('{"é": "\u2028", "k": "\ud800"}', "", False)
def test_parse_json_gives_the_same_on_both_backends(text: str, space: str, as_bytes: bool) -> None:
    text = space + text + space
    data: str | bytes = text.encode("utf-8", "surrogatepass") if as_bytes else text
    pure, fast = on_both(lambda: parsed(data))
    assert fast == pure


@given(json_values, st.booleans())
def test_parse_json_of_written_json_gives_the_same_on_both_backends(value: Any, ascii: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii)
    pure, fast = on_both(lambda: parsed(text))
    assert fast == pure


# -- canonical bytes: orjson writes what it is given as the json encoder does ------------------


@given(st.floats(min_value=1e-4, max_value=1e16, exclude_max=True))
def test_orjson_writes_the_floats_number_lets_through_as_repr_does(x: float) -> None:
    fast = accel.installed()
    if fast is None:
        require_orjson()
        return
    for y in (x, -x):
        try:
            n = canonical.number(y)
        except canonical.Unsure:
            continue
        assert fast.dumps(n) == repr(n).encode()


@pytest.mark.parametrize("start", range(0, 0x110000, 0x10000))
def test_orjson_escapes_every_code_point_as_rfc8785(start: int) -> None:
    """orjson itself (not only canonical.dumps, which could fall back): every code point, keys too."""
    fast = accel.installed()
    if fast is None:
        require_orjson()
        return
    text = "".join(chr(c) for c in range(start, start + 0x10000) if not 0xD800 <= c <= 0xDFFF)
    assert fast.dumps(text) == rfc8785.dumps(text)
    for i in range(0, len(text), 64):
        part = text[i : i + 64]
        key = part if max(part) < "\ue000" else part[:1]
        assert fast.dumps_sorted({key: part, "": 0}) == rfc8785.dumps({key: part, "": 0})


@given(st.dictionaries(keys, json_values, max_size=6))
def test_canonical_dumps_gives_the_same_on_both_backends(value: dict[str, Any]) -> None:
    def dumped() -> Any:
        try:
            return canonical.dumps(value)
        except Exception as e:  # whatever the reference raises, on both
            return (type(e), str(e))

    pure, fast = on_both(dumped)
    assert fast == pure


def _odd(case: kt.Case, value: float, name: str) -> kt.Case:
    """*case* with its first record's value (or the subject's name) set past validation."""
    if not case.evidence:
        return case
    first = case.evidence[0]
    if name:
        object.__setattr__(case.subject, "name", name)
    object.__setattr__(first, "value", value)
    object.__setattr__(first, "severity", None)
    return case


ODD_VALUES = st.sampled_from([5e-05, 1e-05, 1e16, 2.0**60, -0.0, 0.0, 0.97, 1e-7, 0.1])
ODD_NAMES = st.sampled_from(["", "Nguyễn Thị Minh Anh", "名前 \u2028 \x7f", "\U0001f600 lone \ud800", "\x00\x1f"])


def _everything(text: str) -> Any:
    """From text to every output: the case, its canonical bytes, the assessment, its JSON and fingerprint."""
    try:
        case = kt.from_json(text, kt.Case)
    except kt.ValidationError as e:
        return ("error", e.what, e.problems)
    try:
        a = kt.assess_case(case)
    except kt.KolTrustError as e:  # two records of one id made to differ by _odd
        return repr(case), kt.to_json(case), _bytes(case), str(e)
    return repr(case), kt.to_json(case), _bytes(case), kt.to_json(a), a.fingerprint, _bytes(a)


def _bytes(obj: Any) -> Any:
    try:
        return kt.canonical_bytes(obj)
    except kt.KolTrustError as e:
        return str(e)


#: Years whose every day is checked: the ends of the calendar, years below 1000
#: (written with leading zeros), leap rules (1900, 2000), and today's.
_DATE_YEARS = (1, 2, 4, 99, 100, 999, 1000, 1900, 1970, 2000, 2024, 2026, 9998, 9999)


def test_orjson_writes_every_date_as_isoformat_does() -> None:
    """The fingerprint hands dates to orjson as they are: orjson must write each as
    ``isoformat()`` text (every day of the years above, and 1 January and 31 December of every year)."""
    fast = accel.installed()
    if fast is None:
        require_orjson()
        return
    days = [
        dt.date.fromordinal(n)
        for y in _DATE_YEARS
        for n in range(dt.date(y, 1, 1).toordinal(), dt.date(y, 12, 31).toordinal() + 1)
    ]
    days += [dt.date(y, m, d) for y in range(1, 10_000) for m, d in ((1, 1), (12, 31))]
    assert fast.dumps(days) == json.dumps([d.isoformat() for d in days], separators=(",", ":")).encode()


def test_dates_of_every_width_give_the_same_fingerprint_on_both_backends() -> None:
    """Records dated at the ends of the calendar and before year 1000: the same fingerprint on both."""
    case = next(iter(synthetic_cases(1, seed=5, min_records=300, max_records=300)))
    ends = [dt.date.min, dt.date(999, 5, 7), dt.date(1000, 1, 1), dt.date.max]
    unique = sorted({e.id: e for e in case.evidence}.values(), key=lambda e: e.id)
    records = [
        attrs.evolve(e, observed_at=ends[i % 4], valid_until=ends[(i + 1) % 4] if i % 3 else None)
        for i, e in enumerate(unique)
    ]
    case = attrs.evolve(case, evidence=tuple(records))
    pure, fast = on_both(lambda: kt.assess_case(case).fingerprint)
    assert fast == pure
    assert pure == reference_fingerprint(case)


@given(kts.cases(), ODD_VALUES, ODD_NAMES, st.booleans())
def test_cases_give_the_same_bytes_on_both_backends(case: kt.Case, value: float, name: str, dup: bool) -> None:
    """Random cases, some with odd values and names (past validation) and a duplicate key:
    parse, structure, assessment, JSON text, fingerprint and canonical bytes agree."""
    case = _odd(case, value, name)
    text = json.dumps(kt.to_dict(case), ensure_ascii=False, allow_nan=True)
    if dup:
        text = text.replace('{"id": ', '{"id": "x", "id": ', 1)
    pure, fast = on_both(lambda: _everything(text))
    assert fast == pure


@given(kts.cases(), ODD_VALUES, ODD_NAMES)
def test_fingerprints_of_objects_are_the_same_on_both_backends(case: kt.Case, value: float, name: str) -> None:
    """Objects built directly (not read from text), odd values included: the same fingerprint or error."""
    case = _odd(case, value, name)

    def fingerprint() -> Any:
        try:
            return kt.assess_case(case).fingerprint
        except Exception as e:
            return (type(e), str(e))

    pure, fast = on_both(fingerprint)
    assert fast == pure


@given(kts.rubrics())
def test_rubric_digests_are_the_same_on_both_backends(rubric: kt.Rubric) -> None:
    pure, fast = on_both(lambda: canonical.sha256_digest(rubric))
    assert fast == pure


def test_a_large_case_gives_the_same_fingerprint_on_both_backends() -> None:
    """Several chunks of records, one of them with a tiny value (written alone by the general path)."""
    case = next(iter(synthetic_cases(1, seed=2, min_records=700, max_records=700)))
    object.__setattr__(case.evidence[300], "value", 5e-05)
    object.__setattr__(case.evidence[300], "severity", None)
    pure, fast = on_both(lambda: kt.assess_case(case).fingerprint)
    assert fast == pure
    assert pure.startswith("sha256:")


def test_a_tiny_value_leaves_orjson_for_its_own_record_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """No cliff on the orjson backend either: one 5e-05 among 100 records sends that
    record to the general path, and the records before and after it still to orjson."""
    require_orjson()
    case = next(iter(synthetic_cases(1, seed=4, min_records=100, max_records=100)))
    records = sorted({e.id: e for e in case.evidence}.values(), key=lambda e: e.id)
    tiny = attrs.evolve(records[40], value=5e-05, severity=None)
    case = attrs.evolve(case, evidence=(*records[:40], tiny, *records[41:]))
    with accel.forced("pure"):
        expected = kt.assess_case(case).fingerprint
    calls: list[str] = []
    monkeypatch.setattr(accel, "active", _recording(calls))
    written = record_calls(monkeypatch, canonical, "written")
    assert kt.assess_case(case).fingerprint == expected
    # The 40 records before the tiny value, those after it, and the subject.
    assert calls == ["dumps", "dumps", "dumps"]
    assert written == [tiny]  # the tiny value's record alone
