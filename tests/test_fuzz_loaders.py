"""Fuzzing the loaders: whatever goes in, only a KolTrustError comes out.

``kt.from_dict`` and ``kt.from_json`` are the library's edge: they get
documents from files, requests and other programs.  For any input at all they
either return a document or raise :class:`~kol_trust.KolTrustError` (a
:class:`~kol_trust.ValidationError` whose problems all have JSON paths) —
never a ``TypeError``, ``KeyError``, ``RecursionError``, ``OverflowError``…
"""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest
from hypothesis import event, given, note
from hypothesis import strategies as st

import kol_trust as kt
from conftest import SPEC, VECTORS
from kol_trust import assessment as _assessment
from kol_trust import authoring, certification, improvement
from kol_trust import rubric as _rubric
from kol_trust.authoring import (
    Change,
    CriterionChange,
    DeltaBin,
    DeltaStats,
    Failure,
    Finding,
    GateChange,
    GateCount,
    ImpactReport,
    Mover,
    RubricDiff,
)
from kol_trust.certification import Certificate, Review
from kol_trust.improvement import ImprovementPlan, Opportunity, ScoreChange, Shortfall, WhatIf
from kol_trust.rubric import (
    AppliesTo,
    Criterion,
    CriterionBelow,
    Gate,
    IncidentCondition,
    Missing,
    Penalties,
    Pillar,
    PillarBelow,
    Policy,
    Source,
    Tier,
)

# -- the classes and the valid documents ----------------------------------------------

DOCUMENT_CLASSES: list[Any] = [
    kt.Subject,
    kt.Channel,
    kt.Evidence,
    kt.Case,
    kt.Rubric,
    kt.Assessment,
    kt.Text,
    Policy,
    Penalties,
    Source,
    Pillar,
    Criterion,
    AppliesTo,
    Gate,
    Tier,
    IncidentCondition,
    CriterionBelow,
    PillarBelow,
    Missing,
    _rubric.Condition,  # the tagged union of a gate's "when"
    kt.RubricRef,
    kt.PillarResult,
    kt.CriterionResult,
    kt.GateResult,
    kt.Reason,
    kt.Exclusion,
    # Authoring reports are written rather than read, but reading one must be safe too.
    RubricDiff,
    Change,
    ImpactReport,
    DeltaStats,
    DeltaBin,
    GateCount,
    Mover,
    CriterionChange,
    GateChange,
    Failure,
    Finding,
    # Certification documents travel between issuers, holders and verifiers.
    Certificate,
    # Results of review and improvement are written, not read; reading must be safe.
    Review,
    ImprovementPlan,
    Shortfall,
    Opportunity,
    WhatIf,
    ScoreChange,
]
_NAMES = {cls: getattr(cls, "__name__", "Condition") for cls in DOCUMENT_CLASSES}


def _what(cls: Any) -> str:
    """How a loader's ValidationError names a document of *cls* (``error.what``)."""
    if cls is None:
        return "JSON document"
    return "gate condition" if cls is _rubric.Condition else f"{cls.__name__} document"


#: Every field name of every class, so random dicts often look like documents.
FIELD_NAMES = sorted(
    {a.name for cls in DOCUMENT_CLASSES if attrs.has(cls) for a in attrs.fields(cls) if a.init} | {"type"}
)

VECTOR_FILES = sorted(VECTORS.glob("[0-9]*.json"))
RUBRIC_FILES = sorted((SPEC / "rubrics").glob("*.json"))


def _read(path: Any) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _assessment_doc() -> dict[str, Any]:
    vector = _read(VECTORS / "14-every-exclusion-reason.json")
    return kt.to_dict(kt.assess_case(kt.from_dict(vector["case"], kt.Case)))


CASES: list[dict[str, Any]] = [_read(p)["case"] for p in VECTOR_FILES]
RUBRICS: list[dict[str, Any]] = [_read(p) for p in RUBRIC_FILES]
ASSESSMENT = _assessment_doc()

#: (class, valid document) pairs: the seeds of the near-valid inputs.
SEEDS: list[tuple[Any, Any]] = (
    [(kt.Case, c) for c in CASES]
    + [(kt.Rubric, r) for r in RUBRICS]
    + [(kt.Subject, CASES[2]["subject"]), (kt.Evidence, CASES[2]["evidence"][19])]
    + [(kt.Assessment, ASSESSMENT)]
    + [(Criterion, RUBRICS[-1]["criteria"][0]), (Gate, RUBRICS[-1]["gates"][0])]
)


# -- strategies -------------------------------------------------------------------------

# Integers longer than 4300 digits are left to test_from_dict_huge_integer:
# they break ``repr`` (and hypothesis's own reporting), and one known defect
# there would otherwise mask every other finding of the fuzzers.
_SPECIAL_INTS = [0, 1, -1, 2**31, 2**53 - 1, 2**53, 2**63, 2**64 + 1, 10**400, -(10**400), 10**4299]
_SPECIAL_STRINGS = [
    "",
    "kol",
    "koc",
    "proportion",
    "attestation",
    "incidents",
    "incident",
    "missing",
    "criterion-below",
    "pillar-below",
    "minor",
    "critical",
    "active",
    "overturned",
    "2026-01-01",
    "2026-02-30",
    "0000-01-01",
    "9999-12-31",
    "1.0.0",
    "sha256:" + "0" * 64,
    "T01",
    "p1",
    "C1",
    "$",
    "\ud800",
    "a\udfffb",
    "\x00",
    "\u202e",
    "NaN",
    "Infinity",
    "x" * 300,
]

surrogates = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
odd_text = st.text(st.one_of(st.characters(), surrogates), max_size=12)

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(_SPECIAL_INTS),
    st.floats(),  # includes nan, inf, -inf, -0.0, subnormals
    st.text(max_size=12),
    odd_text,
    st.sampled_from(_SPECIAL_STRINGS),
)
keys = st.one_of(st.sampled_from(FIELD_NAMES), odd_text)


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(keys, children, max_size=6),
    )


json_like = st.recursive(leaves, _containers, max_leaves=25)


def _nest(depth: int, kind: str) -> Any:
    value: Any = None
    for i in range(depth):
        if kind == "list":
            value = [value]
        else:  # each level holds the one below once: linear, not a blow-up
            value = {"subject": value} if i % 2 else {"evidence": [value], "as_of": "2026-01-01"}
    return value


deeply_nested = st.builds(_nest, st.integers(1, 3000), st.sampled_from(["list", "dict"]))
any_value = st.one_of(json_like, deeply_nested)


# -- the property --------------------------------------------------------------------------


def _only_kol_trust_errors(load: Callable[[], Any], cls: Any) -> None:
    """Run *load*: success, or a KolTrustError; a ValidationError's message
    names the document and every problem, each with its JSON path.  Any other
    exception propagates and fails the test."""
    try:
        load()
    except kt.KolTrustError as e:
        error: kt.KolTrustError = e
    else:
        return
    message = str(error)
    assert message.strip(), f"{type(error).__name__} with an empty message"
    if isinstance(error, kt.ValidationError):
        assert error.problems, "a ValidationError lists at least one problem"
        assert error.what == _what(cls), (error.what, message)
        n = len(error.problems)
        assert message.startswith(f"invalid {_what(cls)}: {n} problem{'s' if n != 1 else ''}\n"), message
        for p in error.problems:
            assert isinstance(p, kt.Problem)
            assert p.path.startswith("$"), p
            assert isinstance(p.message, str) and p.message, p
            assert f"\n  {p.path}: {p.message}" in message, (p, message)
        if cls is kt.Rubric:
            assert isinstance(error, kt.RubricError)


@pytest.mark.parametrize("cls", DOCUMENT_CLASSES, ids=lambda c: _NAMES[c])
@given(value=any_value)
def test_from_dict_raises_only_kol_trust_errors(cls: Any, value: Any) -> None:
    _only_kol_trust_errors(lambda: kt.from_dict(value, cls), cls)


def test_from_dict_huge_integer() -> None:
    """An int too long for ``repr`` (> 4300 digits) is just a wrong value, for
    every class, at the top level or inside a document."""
    escaped = []
    for cls in DOCUMENT_CLASSES:
        for value in (10**5000, {"id": 10**5000, "x": -(10**5000)}, [10**5000]):
            try:
                _only_kol_trust_errors(lambda cls=cls, value=value: kt.from_dict(value, cls), cls)
            except Exception as e:
                escaped.append(f"{_NAMES[cls]} <- {type(value).__name__}: {type(e).__name__}")
    assert not escaped, "non-KolTrustError escaped:\n" + "\n".join(escaped)


@given(cls=st.sampled_from([kt.Case, kt.Rubric, kt.Subject, kt.Evidence, kt.Assessment, None]), text=st.text())
def test_from_json_arbitrary_text(cls: Any, text: str) -> None:
    _only_kol_trust_errors(lambda: kt.from_json(text, cls), cls)


@given(cls=st.sampled_from([kt.Case, kt.Rubric, kt.Subject, kt.Evidence, kt.Assessment, None]), data=st.binary())
def test_from_json_arbitrary_bytes(cls: Any, data: bytes) -> None:
    _only_kol_trust_errors(lambda: kt.from_json(data, cls), cls)


@given(cls=st.sampled_from([kt.Case, kt.Rubric, None]), value=any_value)
def test_from_json_arbitrary_json_value(cls: Any, value: Any) -> None:
    """Random values written as JSON text (Python's encoder writes NaN, huge
    ints and lone surrogates, which the strict parser must turn away)."""
    try:
        text = json.dumps(value)
    except (ValueError, RecursionError):  # too long an int, or too deep
        return
    _only_kol_trust_errors(lambda: kt.from_json(text, cls), cls)


@pytest.mark.parametrize("cls", [kt.Case, kt.Rubric, kt.Assessment, None], ids=str)
@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,
        "[" * 100_000 + "]" * 100_000,
        '{"subject":' * 50_000 + "null" + "}" * 50_000,
        '{"a":' * 100_000,
        "1" * 5000,
        "-" + "9" * 4301,
        "1e" + "9" * 400,
        "0." + "0" * 100_000 + "1",
        '"' + "\\ud800" * 1000 + '"',
        "\ufeff{}",
        "",
        " ",
        "\x00",
    ],
    ids=lambda t: repr(t[:12]) + f"..len{len(t)}",
)
def test_from_json_pathological_text(cls: Any, text: str) -> None:
    _only_kol_trust_errors(lambda: kt.from_json(text, cls), cls)
    _only_kol_trust_errors(lambda: kt.from_json(text.encode("utf-8", "surrogatepass"), cls), cls)


# -- near-valid documents --------------------------------------------------------------


def _paths(doc: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every location in *doc*: the root, every subtree and every leaf."""
    yield here
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, (*here, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, (*here, i))


def _replace(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    doc = copy.deepcopy(doc)
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return doc


def _delete(doc: Any, path: tuple[Any, ...]) -> Any:
    if not path:
        return doc
    doc = copy.deepcopy(doc)
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    del parent[path[-1]]
    return doc


@st.composite
def mutated_documents(draw: st.DrawFn, seeds: list[tuple[Any, Any]] = SEEDS) -> tuple[Any, Any]:
    """A valid document with one location replaced, deleted or extended."""
    cls, doc = draw(st.sampled_from(seeds))
    paths = list(_paths(doc))
    path = draw(st.sampled_from(paths))
    action = draw(st.sampled_from(["replace", "replace", "delete", "add-key"]))
    note(f"{_NAMES[cls]}: {action} at {path!r}")
    if action == "replace":
        return cls, _replace(doc, path, draw(any_value))
    if action == "delete":
        return cls, _delete(doc, path)
    target = doc
    for step in path:
        target = target[step]
    if isinstance(target, dict):
        extended = {**target, draw(keys): draw(json_like)}
        return cls, _replace(doc, path, extended)
    return cls, _replace(doc, path, draw(any_value))


@given(mutated_documents())
def test_mutated_document_loads_or_reports(mutated: tuple[Any, Any]) -> None:
    cls, doc = mutated
    _only_kol_trust_errors(lambda: kt.from_dict(doc, cls), cls)


@st.composite
def mutated_texts(draw: st.DrawFn) -> tuple[Any, str]:
    """A valid document's JSON text, structurally or textually damaged."""
    cls, doc = draw(mutated_documents()) if draw(st.booleans()) else draw(st.sampled_from(SEEDS))
    try:
        text = json.dumps(doc, ensure_ascii=draw(st.booleans()))
    except (ValueError, RecursionError):
        text = json.dumps(draw(st.sampled_from(SEEDS))[1])
    action = draw(st.sampled_from(["keep", "truncate", "insert", "delete", "nest"]))
    i = draw(st.integers(0, len(text)))
    if action == "truncate":
        text = text[:i]
    elif action == "insert":
        junk = draw(
            st.one_of(
                st.text(max_size=8),
                st.sampled_from(["NaN", "-Infinity", "1e999", ",", "{", "]", '"', "\\", "\\ud800", "\ud800"]),
            )
        )
        text = text[:i] + junk + text[i:]
    elif action == "delete":
        text = text[:i] + text[i + draw(st.integers(1, 20)) :]
    elif action == "nest":
        depth = draw(st.integers(1, 100_000))
        text = text[:i] + "[" * depth + text[i:]
    note(f"{action} at {i}: {text[:200]!r}")
    return cls, text


@given(mutated_texts())
def test_mutated_text_loads_or_reports(mutated: tuple[Any, str]) -> None:
    cls, text = mutated
    _only_kol_trust_errors(lambda: kt.from_json(text, cls), cls)


def test_seeds_are_valid() -> None:
    for cls, doc in SEEDS:
        kt.from_dict(doc, cls)
        kt.from_json(json.dumps(doc), cls)


def test_fuzz_targets_cover_every_document_class() -> None:
    """The fuzz targets are the library's own document classes, those of every namespace that has some."""
    exported = {
        v
        for namespace in (kt, _rubric, authoring, certification, improvement)
        for v in (getattr(namespace, name) for name in namespace.__all__)
        if isinstance(v, type) and attrs.has(v) and v is not kt.Problem
    }
    assert exported <= set(DOCUMENT_CLASSES), exported - set(DOCUMENT_CLASSES)
    assert set(DOCUMENT_CLASSES) >= {
        v for v in vars(_assessment).values() if isinstance(v, type) and attrs.has(v) and v is not kt.Assessment
    }


# -- a rubric that loads is one the engine can use ------------------------------------

_TINY = _read(SPEC / "rubrics" / "tiny-0.1.0.json")
_TINY_CASE = kt.from_dict(_read(VECTORS / "22-tiny-full.json")["case"], kt.Case)

_numbers = st.one_of(
    st.floats(min_value=0, allow_nan=False, allow_infinity=False),
    st.sampled_from([5e-324, 1e-300, 1.7e308, 1e308, 2**53 - 1, 1, 0.5]),
    st.integers(0, 2**53),
)


@st.composite
def rubrics_with_one_number_changed(draw: st.DrawFn) -> Any:
    numeric = [p for p in _paths(_TINY) if p and isinstance(_get(_TINY, p), int | float)]
    path = draw(st.sampled_from(numeric))
    note(f"{path!r}")
    return _replace(_TINY, path, draw(_numbers))


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        doc = doc[step]
    return doc


def _assess_with(rubric: kt.Rubric) -> None:
    """Assess the tiny case: an assessment, or a KolTrustError; anything else fails."""
    with contextlib.suppress(kt.KolTrustError):
        kt.assess_case(_TINY_CASE, rubric=rubric)


def _valid_rubric(rubric_doc: Any) -> kt.Rubric:
    """The rubric of *rubric_doc*, which must load: a RubricError fails the test."""
    try:
        return kt.from_dict(rubric_doc, kt.Rubric)
    except kt.RubricError as e:
        pytest.fail(f"this rubric should be valid, but does not load:\n{e}")


@given(rubrics_with_one_number_changed())
def test_loaded_rubric_assesses_or_raises_kol_trust_error(rubric_doc: Any) -> None:
    try:
        rubric = kt.from_dict(rubric_doc, kt.Rubric)
    except kt.RubricError:
        event("rejected when loaded")  # the number broke a rule: reported, nothing to assess
        return
    event("loaded and assessed")
    _assess_with(rubric)


def test_huge_finite_pillar_weights() -> None:
    """Weights 1.7e308 are finite and > 0, so the rubric is valid (§1.4);
    assessing with it must not raise a bare OverflowError."""
    doc = copy.deepcopy(_TINY)
    for pillar in doc["pillars"]:
        pillar["weight"] = 1.7e308
    _assess_with(_valid_rubric(doc))
