"""The checks' plain predicates (``kol_trust.checks.predicate_of``) say exactly what the checks say.

The loader's fast path and the self-checking classes ask the predicate
first and run the check (a generator, for its messages) only when the
predicate says no: a predicate that accepted what its check rejects would
let a bad value in.  Every check of every document class is tried on values
of every kind, including the odd ones (booleans for numbers, subclasses,
NaN, lone surrogates, datetimes for dates, huge integers).
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import kol_trust as kt
from kol_trust import checks
from kol_trust.assessment import Assessment
from kol_trust.certification import Certificate
from kol_trust.rubric import AppliesTo, Criterion, Gate, Penalties, Pillar, Policy, Rubric, Source, Tier


class _Str(str):
    pass


class _Int(int):
    pass


class _Float(float):
    pass


class _Color(enum.Enum):
    RED = "red"


CLASSES = [
    kt.Subject,
    kt.Channel,
    kt.Evidence,
    kt.Case,
    kt.Text,
    Rubric,
    Policy,
    Penalties,
    Source,
    Pillar,
    AppliesTo,
    Criterion,
    Gate,
    Tier,
    Certificate,
    Assessment,
]
CHECKS = sorted(
    {
        (f"{cls.__name__}.{a.name}", a.metadata["check"])
        for cls in CLASSES
        for a in attrs.fields(cls)
        if "check" in a.metadata
    },
    key=lambda x: x[0],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**60), 2**60),
    st.sampled_from([0, 1, -1, 2**53 - 1, 2**53, -(2**53), 1_000_000, 1_000_001, 10**400]),
    st.floats(),
    st.sampled_from([0.0, -0.0, 1.0, 0.5, 100.0, 100.5, math.nan, math.inf, -math.inf, 1e-300]),
    st.text(max_size=8),
    st.sampled_from(
        ["", "a", "beauty", "VN", "vn", "1.0.0", "sha256:" + "0" * 64, "x" * 129, "x" * 2001, "\ud800", "é\ud800"]
    ),
    st.sampled_from([dt.date(2026, 1, 1), dt.datetime(2026, 1, 1, 12, 0), kt.Severity.MINOR, kt.Status.ACTIVE]),
    st.sampled_from([kt.SubjectKind.KOL, kt.Measure.INCIDENTS, _Color.RED, _Str("kol"), _Int(3), _Float(0.5), True]),
    st.sampled_from([kt.Text(vi="a", en="b"), Penalties(minor=0.1, moderate=0.2, serious=0.3, critical=0.4)]),
)
values = st.one_of(scalars, st.lists(scalars, max_size=4).map(tuple), st.lists(scalars, max_size=3))


@pytest.mark.parametrize(("name", "check"), CHECKS, ids=[n for n, _ in CHECKS])
@given(value=values)
def test_each_predicate_agrees_with_its_check(name: str, check: checks.Check, value: Any) -> None:
    assert checks.predicate_of(check)(value) == (not list(check(value))), name


@pytest.mark.parametrize(("name", "check"), CHECKS, ids=[n for n, _ in CHECKS])
@given(value=values.filter(lambda v: v is not None))
def test_each_present_predicate_agrees_with_its_check_on_values_not_null(
    name: str, check: checks.Check, value: Any
) -> None:
    """The fast loader asks it of the values its readers gave (never None)."""
    assert checks.present_predicate_of(check)(value) == (not list(check(value))), name


def test_the_present_predicate_of_an_optional_check_skips_the_test_for_null() -> None:
    inner = checks.number(0, 1)
    assert checks.present_predicate_of(checks.optional(inner)) is checks.predicate_of(inner)
    assert checks.present_predicate_of(checks.optional(checks.optional(inner))) is checks.predicate_of(inner)
    assert checks.present_predicate_of(inner) is checks.predicate_of(inner)


def test_every_check_of_the_input_documents_has_a_written_predicate() -> None:
    """Not one derived by running the generator, which would bring no speed
    (checks of other modules, such as the certificate's, may be derived)."""
    inputs = {cls.__name__ for cls in CLASSES if cls.__module__ in {kt.Evidence.__module__, Rubric.__module__}}
    derived = [
        name
        for name, check in CHECKS
        if name.split(".")[0] in inputs and checks.predicate_of(check).__qualname__.startswith("predicate_of")
    ]
    assert derived == []


def test_a_check_of_elsewhere_gets_a_derived_predicate() -> None:
    def positive(value: Any) -> Any:
        if not value > 0:
            yield "", "must be positive"

    valid = checks.predicate_of(positive)
    assert valid(1) and not valid(0)


TYPE_ONLY = [(name, check) for name, check in CHECKS if checks.passed_by_every(check) is not None]
_EXAMPLES: dict[type, st.SearchStrategy[Any]] = {
    str: st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
    bool: st.booleans(),
    dt.date: st.dates(),
}


@pytest.mark.parametrize(("name", "check"), TYPE_ONLY, ids=[n for n, _ in TYPE_ONLY])
@given(data=st.data())
def test_checks_passed_by_every_value_of_a_type_are(name: str, check: checks.Check, data: st.DataObject) -> None:
    """The fast loader skips these checks for values its readers gave: each must pass every such value."""
    t = checks.passed_by_every(check)
    assert t is not None
    value = data.draw(_EXAMPLES[t] if t in _EXAMPLES else st.sampled_from(list(t)))  # type: ignore[arg-type]
    assert list(check(value)) == [], name


def test_some_checks_are_passed_by_every_value_of_their_type() -> None:
    names = {name for name, _ in TYPE_ONLY}
    assert {"Evidence.criterion", "Evidence.observed_at", "Evidence.severity", "Channel.verified"} <= names
    assert "Evidence.summary" not in names and "Evidence.id" not in names  # a length, a pattern


# -- the expressions the fast loader writes in place -----------------------------------------

WITH_EXPRESSION = [(name, check) for name, check in CHECKS if checks.expression_of(check) is not None]


def _compiled(expression: checks.Expression, prefix: str) -> checks.Predicate:
    """The expression as the fast loader writes it: another variable, its helpers renamed."""
    text, helpers = expression.source("raw_value", prefix)
    compiled: checks.Predicate = eval(f"lambda raw_value: {text}", helpers)  # the library's own text
    return compiled


@pytest.mark.parametrize(("name", "check"), WITH_EXPRESSION, ids=[n for n, _ in WITH_EXPRESSION])
@given(value=values)
def test_each_expression_written_elsewhere_agrees_with_its_check(name: str, check: checks.Check, value: Any) -> None:
    expression = checks.expression_of(check)
    assert expression is not None
    assert _compiled(expression, "field_3_")(value) == (not list(check(value))), name
    present = checks.present_expression_of(check)  # None for an optional array: a call
    if value is not None and present is not None:
        assert _compiled(present, "p_")(value) == (not list(check(value))), name


def test_every_scalar_check_of_the_input_documents_has_an_expression() -> None:
    """The fast loader writes them in place; only the checks of arrays (``each``) are calls."""
    inputs = {kt.Evidence.__name__, kt.Subject.__name__, kt.Channel.__name__, kt.Case.__name__}
    arrays = {"Case.evidence", "Subject.categories", "Subject.channels"}
    missing = [
        name
        for name, check in CHECKS
        if name.split(".")[0] in inputs and name not in arrays and checks.present_expression_of(check) is None
    ]
    assert missing == []
