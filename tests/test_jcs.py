"""The fast canonicalizer (``kol_trust.canonical``) writes exactly what ``rfc8785`` writes.

``rfc8785.dumps`` is the reference: for any JSON value, the fast bytes must be
the reference bytes, and for any value JCS cannot represent the same error
must be raised.  The strategies aim at the places where Python's ``json``
and JCS differ: number formatting (integral floats, the exponent thresholds
1e-7 and 1e21, Python's own thresholds 1e-4 and 1e16, subnormals, ±2^53),
key order (UTF-16 code units against code points) and string escapes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
import sys
import tracemalloc
from typing import Any

import attrs
import pytest
import rfc8785
from hypothesis import example, given
from hypothesis import strategies as st

import kol_trust as kt
from conftest import record_calls
from kol_trust import canonical
from kol_trust.assessment import RubricRef
from kol_trust.engine import compile_rubric
from kol_trust.synth import build_case, synthetic_cases

MAX_SAFE = 2**53 - 1

#: Every test here runs on both JSON backends (kol_trust.accel): orjson and the pure path.
pytestmark = pytest.mark.usefixtures("json_backend")

# -- strategies -------------------------------------------------------------------------


def _around(x: float) -> list[float]:
    return [math.nextafter(x, -math.inf), x, math.nextafter(x, math.inf)]


# Decimal powers where either formatter switches notation, their neighbours,
# and the edges of the safe integers.
BOUNDARIES = sorted(
    {y for e in range(-10, 24) for x in (10.0**e, 1.5 * 10.0**e, 9.999999999999999 * 10.0**e) for y in _around(x)}
    | {float(v) for v in (MAX_SAFE - 1, MAX_SAFE, MAX_SAFE + 1, MAX_SAFE + 2, 2**53 + 2, 2**60)}
    | {0.0, -0.0, 5e-324, 2.2250738585072014e-308, sys.float_info.max, 0.1, 0.2, 0.3, 1 / 3}
)

floats = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(BOUNDARIES).flatmap(lambda x: st.sampled_from([x, -x])),
    st.floats(min_value=-1e-300, max_value=1e-300, allow_nan=False),  # subnormals and tiny values
    st.floats(min_value=1e-8, max_value=1e-3),
    st.floats(min_value=1e15, max_value=1e23),
    st.integers(-(2**60), 2**60).map(float),  # integral floats, inside and outside ±2^53
    st.floats(min_value=0, max_value=1),  # what evidence values look like
)
ints = st.one_of(st.integers(-MAX_SAFE, MAX_SAFE), st.sampled_from([0, 1, -1, MAX_SAFE, -MAX_SAFE]))

# Controls, DEL, the line separators, BMP characters on both sides of U+E000,
# and astral characters (surrogate pairs in UTF-16).
SPECIAL_CHARS = '\x00\x01\x07\x08\t\n\x0b\x0c\r\x1f "\\/\x7f\x80\xa0\u2028\u2029\ud7ff\ue000\uf8ff\ufeff\ufffd\uffff'
characters = st.one_of(
    st.characters(exclude_categories=("Cs",)),
    st.sampled_from(SPECIAL_CHARS),
    st.characters(min_codepoint=0xE000, max_codepoint=0xFFFF),
    st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF),
    st.characters(min_codepoint=0, max_codepoint=0x7F),
)
texts = st.text(characters, max_size=12)
keys = st.one_of(texts, st.sampled_from(["a", "b", "\ue000", "\U00010000", "\uffff", "\U0010ffff", "é", "z"]))

scalars = st.one_of(st.none(), st.booleans(), ints, floats, texts)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=6),
        st.lists(children, max_size=6).map(tuple),
        st.dictionaries(keys, children, max_size=6),
    ),
    max_leaves=40,
)


def reference(value: Any) -> bytes:
    return rfc8785.dumps(value)


# -- equality with the reference ------------------------------------------------------------


@given(json_values)
@example({"\ue000": 1, "\U00010000": 2})  # code-point and UTF-16 orders disagree
@example([1.0, -0.0, 1e16, 1e21, 1e-7, 0.00001, 1e-4, 9007199254740992.0, 5e-324])
@example({"a": '\x00\x1f\x7f\u2028\u2029"\\\b\f\n\r\t'})
def test_same_bytes_as_rfc8785(value: Any) -> None:
    assert canonical.dumps(value) == reference(value)


@given(floats)
def test_floats(x: float) -> None:
    assert canonical.dumps(x) == reference(x)
    assert canonical.dumps([x, {"v": x}]) == reference([x, {"v": x}])


@given(st.dictionaries(keys, ints, max_size=8))
def test_key_order(value: dict[str, int]) -> None:
    assert canonical.dumps(value) == reference(value)


@pytest.mark.parametrize("start", range(0, 0x110000, 0x8000))
def test_every_code_point_is_escaped_like_rfc8785(start: int) -> None:
    text = "".join(chr(c) for c in range(start, min(start + 0x8000, 0x110000)) if not 0xD800 <= c <= 0xDFFF)
    assert canonical.dumps(text) == reference(text)
    assert canonical.dumps({text[:50]: text}) == reference({text[:50]: text})


def test_synthetic_fingerprint_documents_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Documents such as the engine hashes never need the reference."""
    docs = [
        {
            "algorithm": 1,
            "as_of": case.as_of.isoformat(),
            "subject": kt.to_dict(case.subject),
            "evidence": [kt.to_dict(e) for e in case.evidence],
        }
        for case in synthetic_cases(60, seed=5)
    ]
    expected = [reference(d) for d in docs]

    def refuse(value: Any) -> bytes:
        raise AssertionError("fell back to rfc8785")

    monkeypatch.setattr(rfc8785, "dumps", refuse)
    assert [canonical.dumps(d) for d in docs] == expected


def test_input_is_not_modified() -> None:
    value = {"a": [1.0, {"b": 2.0}], "c": (3.0,)}
    canonical.dumps(value)
    assert value == {"a": [1.0, {"b": 2.0}], "c": (3.0,)}
    assert type(value["a"][0]) is float


# -- the same errors as the reference --------------------------------------------------------

BAD_VALUES: list[Any] = [
    math.nan,
    math.inf,
    -math.inf,
    [1, {"x": math.nan}],
    2**53,
    -(2**53),
    {"n": 10**400},
    "lone \ud800 surrogate",
    {"\udfff": 1},
    {1: "non-string key"},
    {None: 1},
    {"s": {1, 2}},
    b"bytes",
    {"d": kt.Severity.MINOR, "x": float("nan")},
]


@pytest.mark.parametrize("value", BAD_VALUES, ids=repr)
def test_same_errors_as_rfc8785(value: Any) -> None:
    with pytest.raises(Exception) as ref:  # noqa: PT011 - whatever the reference raises
        reference(value)
    with pytest.raises(type(ref.value)) as fast:
        canonical.dumps(value)
    assert str(fast.value) == str(ref.value)


# A lone surrogate in a *key* makes rfc8785's sort raise UnicodeEncodeError, not
# CanonicalizationError; test_same_errors_as_rfc8785 pins that the fast path
# raises the same, so canonical_bytes behaves as it did before.
@pytest.mark.parametrize("value", [v for v in BAD_VALUES if v != {"\udfff": 1}], ids=repr)
def test_canonical_bytes_reports_a_library_error(value: Any) -> None:
    with pytest.raises(kt.KolTrustError, match="cannot canonicalize"):
        kt.canonical_bytes(value)


def test_subclasses_are_written_as_rfc8785_writes_them() -> None:
    value = {"severity": kt.Severity.MINOR, "tuple": (1, 2.5), "nested": [kt.Status.ACTIVE]}
    assert canonical.dumps(value) == reference(value)


def test_deep_nesting_raises_what_rfc8785_raises() -> None:
    value: Any = []
    for _ in range(sys.getrecursionlimit() + 10):
        value = [value]
    with pytest.raises(RecursionError):
        reference(value)
    with pytest.raises(RecursionError):
        canonical.dumps(value)


@given(json_values)
def test_canonical_bytes_and_digest_use_it(value: Any) -> None:
    assert kt.canonical_bytes(value) == reference(value)


# -- model objects: the one-pass path (canonical.prepared) and the engine's fingerprint ----------


def reference_fingerprint_of(ref: RubricRef, as_of: dt.date, subject: kt.Subject, records: list[kt.Evidence]) -> str:
    """The fingerprint of STANDARD §6 of these parts (*records* in id order), from the documents and rfc8785."""
    doc = {
        "algorithm": kt.ALGORITHM,
        "rubric": {"id": ref.id, "version": ref.version, "digest": ref.digest},
        "as_of": as_of.isoformat(),
        "subject": kt.to_dict(subject),
        "evidence": [kt.to_dict(e) for e in records],
    }
    return "sha256:" + hashlib.sha256(reference(doc)).hexdigest()


def reference_fingerprint(case: kt.Case) -> str:
    """The fingerprint of STANDARD §6 of *case*, built from the documents and rfc8785 (no one-pass path)."""
    ref = compile_rubric(kt.rubric_for(case)).ref
    unique = {e.id: e for e in case.evidence}
    return reference_fingerprint_of(ref, case.as_of, case.subject, sorted(unique.values(), key=lambda e: e.id))


@pytest.mark.parametrize("seed", [2, 20261129])
def test_model_objects_and_fingerprints_match_the_reference(seed: int) -> None:
    for case in synthetic_cases(120, seed=seed):
        assert kt.canonical_bytes(case) == reference(kt.to_dict(case))
        assert kt.canonical_bytes(case.subject) == reference(kt.to_dict(case.subject))
        for e in case.evidence[:5]:
            assert kt.canonical_bytes(e) == reference(kt.to_dict(e))
        assert kt.assess_case(case).fingerprint == reference_fingerprint(case)


def test_assessments_and_rubrics_match_the_reference() -> None:
    rubric = kt.load_rubric("1.0.0")
    assert kt.canonical_bytes(rubric) == reference(kt.to_dict(rubric))
    for case in synthetic_cases(20, seed=9):
        a = kt.assess_case(case)
        assert kt.canonical_bytes(a) == reference(kt.to_dict(a))


@st.composite
def odd_evidence(draw: st.DrawFn) -> kt.Evidence:
    """A valid record with one field forced (past validation) to an odd value."""
    base = next(iter(synthetic_cases(1, seed=draw(st.integers(0, 50))))).evidence[0]
    name = draw(st.sampled_from([a.name for a in attrs.fields(kt.Evidence)]))
    odd = [kt.Severity.MINOR, (1, 2.0), [3.0], {"k": 1.0}, 2**60, 2.0**53, -(2.0**60), -0.0, 1e-05, -1e16, 1e16]
    value = draw(st.one_of(scalars, st.sampled_from(odd)))
    object.__setattr__(base, name, value)
    return base


@given(odd_evidence())
def test_odd_model_objects_give_the_reference_bytes_or_error(e: kt.Evidence) -> None:
    """Objects whose values are not of their declared types (built past
    validation) leave the one-pass path: the reference decides."""
    try:
        expected = reference(kt.to_dict(e))
    except Exception as exc:  # whatever the reference raises
        # canonical_bytes reports rfc8785's own errors as a KolTrustError.
        wrapped = kt.KolTrustError if isinstance(exc, rfc8785.CanonicalizationError) else type(exc)
        with pytest.raises(wrapped):
            kt.canonical_bytes(e)
    else:
        assert kt.canonical_bytes(e) == expected


@given(odd_evidence())
def test_odd_records_give_the_reference_fingerprint_or_error(e: kt.Evidence) -> None:
    """The fingerprint prepares its records itself (with orjson, dates kept as
    dates): what it cannot vouch for goes to the reference, on both backends."""
    case = next(iter(synthetic_cases(1, seed=4)))
    ref = compile_rubric(kt.rubric_for(case)).ref
    try:
        expected = reference_fingerprint_of(ref, case.as_of, case.subject, [e])
    except Exception:  # whatever the reference raises, the fingerprint raises too
        with pytest.raises(Exception):  # noqa: B017, PT011
            canonical.fingerprint(ref, case.as_of, case.subject, [e])
    else:
        assert canonical.fingerprint(ref, case.as_of, case.subject, [e]) == expected


@st.composite
def odd_subject(draw: st.DrawFn) -> kt.Subject:
    """A valid subject with one field, or one field of a channel, forced (past validation) to an odd value."""
    base = next(iter(synthetic_cases(1, seed=draw(st.integers(0, 50))))).subject
    odd = [(), ("a", 1), (kt.Severity.MINOR,), 2**60, -0.0, 1e-05, 1e16, "\ud800", kt.SubjectKind.KOC]
    value = draw(st.one_of(scalars, st.sampled_from(odd)))
    in_a_channel = draw(st.booleans())
    if base.channels and in_a_channel:
        channel = attrs.evolve(base.channels[0])
        object.__setattr__(channel, draw(st.sampled_from([a.name for a in attrs.fields(kt.Channel)])), value)
        value = (channel, *base.channels[1:])
        name = "channels"
    else:
        name = draw(st.sampled_from([a.name for a in attrs.fields(kt.Subject)]))
    subject = attrs.evolve(base)
    object.__setattr__(subject, name, value)
    return subject


@given(odd_subject())
def test_odd_subjects_give_the_reference_fingerprint_or_error(subject: kt.Subject) -> None:
    """The fingerprint prepares the subject itself (with orjson): what it
    cannot vouch for goes to the reference, on both backends."""
    case = next(iter(synthetic_cases(1, seed=4)))
    ref = compile_rubric(kt.rubric_for(case)).ref
    records = sorted({e.id: e for e in case.evidence}.values(), key=lambda e: e.id)
    try:
        expected = reference_fingerprint_of(ref, case.as_of, subject, records)
    except Exception:  # whatever the reference raises, the fingerprint raises too
        with pytest.raises(Exception):  # noqa: B017, PT011
            canonical.fingerprint(ref, case.as_of, subject, records)
    else:
        assert canonical.fingerprint(ref, case.as_of, subject, records) == expected


@pytest.mark.parametrize(
    ("cls", "name"), [(cls, a.name) for cls in (kt.Evidence, kt.Subject) for a in attrs.fields(cls)]
)
def test_a_field_forced_to_none_is_written_as_the_reference_writes_it(cls: type, name: str) -> None:
    """The direct writer joins required fields without a None test of their
    own: a None there (past validation) must leave it for the general path."""
    case = next(iter(synthetic_cases(1, seed=3)))
    obj: Any = case.evidence[0] if cls is kt.Evidence else case.subject
    obj = attrs.evolve(obj)
    object.__setattr__(obj, name, None)
    assert kt.canonical_bytes(obj) == reference(kt.to_dict(obj))


@pytest.mark.parametrize("value", [1e-05, 1e-07, 5e-324, 0.0001, 0.5, 1.0, 0.0, 1, 0])
def test_fingerprint_of_values_that_leave_the_fast_path(value: float) -> None:
    """Values such as 1e-05 are valid evidence values that the one-pass path
    declines: the fingerprint is still the reference's."""
    case = next(iter(synthetic_cases(1, seed=4)))
    first = attrs.evolve(case.evidence[0], value=value, severity=None)
    case = attrs.evolve(case, evidence=(first, *case.evidence[1:]))
    assert kt.assess_case(case).fingerprint == reference_fingerprint(case)


def test_fingerprints_take_the_one_pass_path(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = list(synthetic_cases(40, seed=8))
    expected = [reference_fingerprint(c) for c in cases]

    def refuse(obj: Any) -> Any:
        raise AssertionError("took the two-pass path")

    monkeypatch.setattr(canonical, "document", refuse)
    assert [kt.assess_case(c).fingerprint for c in cases] == expected


# -- no cliffs: one odd number is written alone -------------------------------------------


def _recording_reference(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record what is given to rfc8785.dumps (still returning its bytes)."""
    seen: list[Any] = []
    real = rfc8785.dumps

    def record(value: Any) -> bytes:
        seen.append(value)
        return real(value)

    monkeypatch.setattr(rfc8785, "dumps", record)
    return seen


@pytest.mark.parametrize("value", [5e-05, 1e-05, 1e-07, 5e-324, 1.5e-300])
def test_a_tiny_value_does_not_send_the_fingerprint_to_the_reference(
    monkeypatch: pytest.MonkeyPatch, value: float
) -> None:
    """A single tiny value (valid evidence) reaches rfc8785.dumps alone, not the whole fingerprint document."""
    case = next(iter(synthetic_cases(1, seed=4)))
    first = attrs.evolve(case.evidence[0], value=value, severity=None)
    case = attrs.evolve(case, evidence=(first, *case.evidence[1:]))
    expected = reference_fingerprint(case)
    seen = _recording_reference(monkeypatch)
    documents = record_calls(monkeypatch, canonical, "document")
    assert kt.assess_case(case).fingerprint == expected
    assert seen == [value]
    assert documents == [first]  # the general path writes that record alone, the rest are written directly


@given(json_values)
def test_odd_numbers_go_to_the_reference_alone(value: Any) -> None:
    """Whatever the document, the reference gets either the whole of it (for
    what only it can decide) or single floats, and the bytes are its own."""
    seen: list[Any] = []
    real = rfc8785.dumps

    def record(v: Any) -> bytes:
        seen.append(v)
        return real(v)

    rfc8785.dumps = record
    try:
        got = canonical.dumps(value)
    except Exception as exc:
        with pytest.raises(type(exc)):
            real(value)
        return
    finally:
        rfc8785.dumps = real
    assert got == real(value)
    assert all(type(x) is float for x in seen) or seen == [value]


@pytest.mark.parametrize("marker", ["\x000\x00", "\x001\x00"])
def test_a_string_equal_to_a_marker_is_still_written_by_the_reference(marker: str) -> None:
    value = {"a": 5e-05, "b": marker, "c": [1e-07, marker]}
    assert canonical.dumps(value) == reference(value)


def test_the_fingerprint_of_a_large_case_is_hashed_piece_by_piece() -> None:
    """No cliff for large cases: the fingerprint's text is never held whole.

    Memory is the deterministic stand-in for time here: a fingerprint that
    builds the whole document (about 1.3 KB a record) touches memory in
    proportion to the case and got slower per record as cases grew; hashed
    piece by piece it needs only the sorted list of records (8 bytes each).
    """
    ref = compile_rubric(kt.load_rubric("1.0.0")).ref
    peaks = []
    for n in (2_000, 20_000):
        case = build_case(random.Random(n), f"kol-big-{n}", n)
        records = list({e.id: e for e in case.evidence}.values())
        doc = {
            "algorithm": 1,
            "rubric": {"id": ref.id, "version": ref.version, "digest": ref.digest},
            "as_of": case.as_of.isoformat(),
            "subject": kt.to_dict(case.subject),
            "evidence": [kt.to_dict(e) for e in sorted(records, key=lambda e: e.id)],
        }
        expected = "sha256:" + hashlib.sha256(canonical.dumps(doc)).hexdigest()  # bytes checked above
        canonical.fingerprint(ref, case.as_of, case.subject, records[:10])  # writers built
        tracemalloc.start()
        try:
            got = canonical.fingerprint(ref, case.as_of, case.subject, records)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        assert got == expected
    assert (peaks[1] - peaks[0]) / 18_000 < 40, peaks


@given(texts, st.sampled_from([0.97, 1.0, 0.0, 0.5, 1e-05, 0.0001, 0.123456789]))
def test_written_text_of_a_record_is_the_reference(text: str, value: float) -> None:
    """canonical.written() escapes and formats as rfc8785 does (or declines)."""
    base = next(iter(synthetic_cases(1, seed=3))).evidence[0]
    e = attrs.evolve(base, summary=text, reference=text or None, value=value, severity=None)
    expected = reference(kt.to_dict(e))
    try:
        got = canonical.written(e).encode("utf-8")
    except (canonical.Unsure, UnicodeEncodeError):
        assert kt.canonical_bytes(e) == expected  # declined: the general path decides
    else:
        assert got == expected


@pytest.mark.parametrize("value", [9007199254740992.0, -9007199254740992.0, 9.999999999999998e15, 2.0**60])
def test_an_integral_float_beyond_the_safe_range_is_written_as_the_reference_writes_it(value: float) -> None:
    """Found by hypothesis: the direct writer wrote 2^53 as ``9007199254740992.0``;
    JCS writes ``9007199254740992``.  Forced past validation, as odd_evidence does."""
    record = next(iter(synthetic_cases(1, seed=4))).evidence[0]
    object.__setattr__(record, "value", value)
    assert kt.canonical_bytes(record) == reference(kt.to_dict(record))
