"""The fast path of ``from_dict`` accepts exactly what the detailed path accepts.

``kt.from_dict`` first tries a plain structuring path (``fast_structurer``)
that can only accept; anything it is not sure of goes to the detailed path
(``from_dict_detailed``, the cattrs path that names every problem with
its JSON path).  These tests hold the two together:

* whenever the fast path accepts a document, the detailed path accepts it
  too and builds the same object, down to the types of its values;
* ``kt.from_dict`` / ``kt.from_json`` accept and reject exactly as the
  detailed path does, with the same problems, on the malformed-document
  catalogue of tests/test_malformed.py and the fuzzers of
  tests/test_fuzz_loaders.py;
* on synthetic corpora, the objects, the assessments and the output bytes of
  the fast path are those of the detailed path.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import re
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import kol_trust as kt
from kol_trust import checks, wire
from kol_trust.batch import run_jsonl
from kol_trust.model import SelfChecking
from kol_trust.rubric import Criterion, Gate
from kol_trust.synth import synthetic_cases
from kol_trust.wire import convert
from kol_trust.wire.convert import from_dict_detailed
from kol_trust.wire.fast import fast_reader, fast_structurer
from test_fuzz_loaders import SEEDS, any_value, mutated_documents, mutated_texts
from test_malformed import CATALOGUE, TEXT_CATALOGUE, base_case

FAST_CLASSES = [kt.Case, kt.Subject, kt.Evidence, kt.Channel]


def deep_repr(obj: Any) -> str:
    """repr() shows value types (1 vs 1.0, an enum vs its string) that == hides."""
    return repr(obj)


def outcome(load: Any) -> tuple[str, Any]:
    """("ok", repr of the object) or ("error", type and problems)."""
    try:
        obj = load()
    except kt.ValidationError as e:
        return "error", (type(e), e.what, e.problems)
    except kt.KolTrustError as e:
        return "error", (type(e), str(e))
    return "ok", deep_repr(obj)


def assert_same(doc: Any, cls: Any) -> None:
    """The public loader and the detailed path agree; the fast path, when it
    accepts, builds the detailed path's object."""
    detailed = outcome(lambda: from_dict_detailed(doc, cls))
    public = outcome(lambda: kt.from_dict(doc, cls))
    assert public == detailed
    fast = fast_structurer(cls) if isinstance(cls, type) else None
    if fast is not None:
        try:
            obj = fast(doc)
        except Exception:
            return  # declined: the detailed path decided, checked above
        assert detailed == ("ok", deep_repr(obj)), "the fast path accepted what the detailed path does not"


# -- which classes have a fast path --------------------------------------------------------


def test_fast_path_exists_for_the_input_documents() -> None:
    for cls in FAST_CLASSES:
        assert fast_structurer(cls) is not None, cls


@pytest.mark.parametrize("cls", [kt.Text, kt.Rubric, kt.Assessment, Criterion, Gate])
def test_no_fast_path_where_the_constructor_does_not_check(cls: Any) -> None:
    """Text does not check itself when built; the rubric and assessment are
    read rarely: they always take the detailed path."""
    assert fast_structurer(cls) is None


# -- the catalogues of malformed documents ------------------------------------------------


@pytest.mark.parametrize(("name", "mutate", "path"), CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_catalogue_same_outcome(name: str, mutate: Any, path: str) -> None:
    doc = mutate(base_case())
    assert_same(doc, kt.Case)
    assert outcome(lambda: kt.from_dict(copy.deepcopy(doc), kt.Case))[0] == "error"


@pytest.mark.parametrize(("name", "mutate", "path"), CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_catalogue_parts_same_outcome(name: str, mutate: Any, path: str) -> None:
    """The subject, channels and evidence records of each broken case, alone."""
    doc = mutate(base_case())
    if not isinstance(doc, dict):
        return
    subject = doc.get("subject")
    assert_same(subject, kt.Subject)
    if isinstance(subject, dict) and isinstance(subject.get("channels"), list):
        for ch in subject["channels"]:
            assert_same(ch, kt.Channel)
    if isinstance(doc.get("evidence"), list):
        for ev in doc["evidence"]:
            assert_same(ev, kt.Evidence)


@pytest.mark.parametrize(("name", "transform", "path", "word"), TEXT_CATALOGUE, ids=[c[0] for c in TEXT_CATALOGUE])
def test_text_catalogue_same_outcome(name: str, transform: Any, path: str, word: str) -> None:
    text = transform(json.dumps(base_case(), indent=1, ensure_ascii=False))
    public = outcome(lambda: kt.from_json(text, kt.Case))
    assert public[0] == "error"
    try:
        data = wire.parse_json(text, "Case document")
    except kt.ValidationError:
        return  # rejected by the parser: neither structuring path saw it
    assert public == outcome(lambda: from_dict_detailed(data, kt.Case))


def test_valid_base_and_boundaries_take_the_fast_path() -> None:
    case = base_case()
    fast = fast_structurer(kt.Case)
    assert fast is not None
    assert deep_repr(fast(copy.deepcopy(case))) == deep_repr(from_dict_detailed(case, kt.Case))


# Values the fast path must decline (or accept exactly as the detailed path does).
EDGE_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    -1,
    1.0,
    0.5,
    2**53,
    10**400,
    float("nan"),
    float("inf"),
    "",
    "x",
    "\ud800",
    "2026-02-30",
    "2026-1-01",
    "minor",
    "MINOR",
    [],
    {},
    ["a"],
    kt.Severity.MINOR,
    kt.Status.ACTIVE,
    (1, 2),
]


@pytest.mark.parametrize("cls", FAST_CLASSES, ids=lambda c: c.__name__)
def test_every_field_with_edge_values(cls: Any) -> None:
    seed = {
        kt.Case: base_case(),
        kt.Subject: base_case()["subject"],
        kt.Channel: base_case()["subject"]["channels"][0],
        kt.Evidence: base_case()["evidence"][0],
    }[cls]
    names = [a.name for a in attrs.fields(cls)]
    for name in names:
        for value in EDGE_VALUES:
            doc = copy.deepcopy(seed)
            doc[name] = value
            assert_same(doc, cls)
        doc = copy.deepcopy(seed)
        doc.pop(name, None)
        assert_same(doc, cls)
    assert_same({**seed, "unknown": 1}, cls)
    assert_same({**seed, 1: 1}, cls)


# -- the fuzzers -----------------------------------------------------------------------------


@given(mutated_documents())
def test_mutated_documents_same_outcome(mutated: tuple[Any, Any]) -> None:
    cls, doc = mutated
    assert_same(doc, cls)


@given(st.sampled_from(FAST_CLASSES), any_value)
def test_arbitrary_values_same_outcome(cls: Any, value: Any) -> None:
    assert_same(value, cls)


@given(mutated_texts())
def test_mutated_texts_same_outcome(mutated: tuple[Any, str]) -> None:
    cls, text = mutated
    public = outcome(lambda: kt.from_json(text, cls))
    try:
        data = wire.parse_json(text)
    except kt.ValidationError:
        assert public[0] == "error"
        return
    if cls is not None:
        assert public == outcome(lambda: from_dict_detailed(data, cls))


def test_seeds_same_outcome() -> None:
    for cls, doc in SEEDS:
        assert_same(doc, cls)


# -- synthetic corpora: same objects, same assessments, same bytes -----------------------------


@pytest.mark.parametrize("seed", [1, 20261129])
def test_synthetic_corpus_same_objects_and_bytes(seed: int) -> None:
    for case in synthetic_cases(150, seed=seed):
        text = kt.to_json(case)
        fast = kt.from_json(text, kt.Case)
        detailed = from_dict_detailed(json.loads(text), kt.Case)
        assert fast == detailed == case
        assert deep_repr(fast) == deep_repr(detailed)
        assert kt.to_json(kt.assess_case(fast)) == kt.to_json(kt.assess_case(detailed))


# -- the readers of scalars, on their own ---------------------------------------------------
#
# The structurer writes each reader's commonest case in place; a field's
# check often repeats the reader's type test, so that a reader that took too
# much would not show in whole documents.  Here each reader is held to what
# the detailed path reads for its type, written independently.

SCALAR_TYPES = [str, int, float, bool, dt.date, kt.Severity, kt.Status, kt.SubjectKind]
_DIGITS_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class _StrLike(str):
    pass


raw_scalars = st.one_of(
    any_value,
    st.text(max_size=12),
    st.dates().map(dt.date.isoformat),
    st.sampled_from(
        ["20261031", "2026-W44-6", "2026-02-30", "2026-1\u0663-01", "+026-10-31", "2026-10-31T00:00", "\ud800", "é"]
    ),
    st.sampled_from([m.value for e in (kt.Severity, kt.Status, kt.SubjectKind) for m in e] + ["ACTIVE", "Active"]),
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 1e308, 2**53, 2**64, 10**400, True, False, None]),
    st.sampled_from([_StrLike("active"), dt.date(2026, 1, 1), [1], {"a": 1}]),
)


def _expected(t: Any, raw: Any) -> Any:
    """What the detailed path reads for *raw* as a *t*; raises ValueError when it refuses."""
    if t is str and type(raw) is str:
        raw.encode("utf-8")  # a lone surrogate raises UnicodeEncodeError, a ValueError
        return raw
    if t is int and type(raw) is int:
        return raw
    if t is float and type(raw) in (int, float) and math.isfinite(raw):
        return float(raw)
    if t is bool and type(raw) is bool:
        return raw
    if t is dt.date and type(raw) is str and _DIGITS_DATE.fullmatch(raw):
        return dt.date.fromisoformat(raw)
    if isinstance(t, type) and issubclass(t, kt.Status | kt.Severity | kt.SubjectKind) and type(raw) is str:
        return t(raw)
    raise ValueError(f"not a {t}")


@pytest.mark.parametrize("t", SCALAR_TYPES, ids=lambda t: t.__name__)
@given(raw=raw_scalars)
def test_each_scalar_reader_reads_what_the_detailed_path_reads(t: Any, raw: Any) -> None:
    reader = fast_reader(t)
    assert reader is not None
    try:
        expected = _expected(t, raw)
    except (ValueError, OverflowError):
        expected = None
    try:
        value = reader(raw)
    except Exception:
        return  # declined: the detailed path decides (it may accept: it is not asked to be fast)
    assert expected is not None, f"the fast reader of {t.__name__} took {raw!r}"
    assert type(value) is type(expected) and value == expected


def test_the_scalar_readers_take_their_commonest_values() -> None:
    """Not a reader that declines everything (which the test above would let pass)."""
    for t, raw in [(str, "kol-1"), (str, "Tương tác"), (int, 3), (float, 0.5), (float, 1), (bool, False)]:
        assert fast_reader(t)(raw) == raw  # type: ignore[misc]
    assert fast_reader(dt.date)("2026-10-31") == dt.date(2026, 10, 31)  # type: ignore[misc]
    assert fast_reader(kt.Status)("disputed") is kt.Status.DISPUTED  # type: ignore[misc]


def test_synthetic_corpus_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [kt.to_json(c) for c in synthetic_cases(60, seed=3)]
    expected = [kt.to_json(kt.assess_case(from_dict_detailed(json.loads(t), kt.Case))) for t in texts]

    def refuse(data: Any, cls: Any) -> Any:
        raise AssertionError("took the detailed path")

    monkeypatch.setattr(convert, "from_dict_detailed", refuse)
    assert [kt.to_json(kt.assess_case(kt.from_json(t, kt.Case))) for t in texts] == expected


def test_run_jsonl_output_is_the_detailed_paths() -> None:
    cases = list(synthetic_cases(80, seed=11))
    lines = [kt.to_json(c).encode() for c in cases]
    lines[5] = lines[5].replace(b'"as_of"', b'"as_of_"', 1)  # one rejected line
    out = list(run_jsonl(lines))
    for n, (line, result) in enumerate(zip(lines, out, strict=True), start=1):
        assert result.line == n
        expected = outcome(lambda line=line: from_dict_detailed(json.loads(line), kt.Case))
        if expected[0] == "error":
            assert result.output is None
            with pytest.raises(kt.KolTrustError) as info:
                from_dict_detailed(json.loads(line), kt.Case)
            assert result.error == str(info.value)
        else:
            case = from_dict_detailed(json.loads(line), kt.Case)
            assert result.error is None and result.output == kt.to_json(kt.assess_case(case))


# -- defaults: checked only when they may fail ------------------------------------------------


def _class_with_odd_defaults() -> Any:
    """A model class (by its module) whose defaults the fast path must check: one that fails
    its own check, and a factory's (whose value is not known when the path is built)."""
    fields = {
        "count": checks.checked(checks.number(1, 5, integer=True), default=0, type=int),
        "tags": checks.checked(checks.each(checks.slug), factory=lambda: ("Not A Slug",), type=tuple[str, ...]),
        "note": checks.checked(checks.optional(checks.string(1)), default=None, type=str | None),
    }
    cls = attrs.make_class("Odd", fields, bases=(SelfChecking,), frozen=True)
    cls.__module__ = SelfChecking.__module__
    return cls


def _declines(fast: Any, doc: Any) -> bool:
    try:
        fast(doc)
    except Exception:  # the path's own Fallback, or any other: the detailed path decides
        return True
    return False


def test_a_default_that_may_fail_its_check_is_checked() -> None:
    odd = _class_with_odd_defaults()
    fast = fast_structurer(odd)
    assert fast is not None
    for doc in ({}, {"tags": ["beauty"]}, {"count": 2}, {"count": 2, "tags": ["beauty"], "note": ""}):
        assert _declines(fast, doc), doc
        with pytest.raises(kt.ValidationError):
            odd(**doc)
    done = fast({"count": 2, "tags": ["beauty"], "note": "n"})
    assert done == odd(count=2, tags=("beauty",), note="n")
    assert fast({"count": 2, "tags": ["beauty"]}) == odd(count=2, tags=("beauty",))
