"""The direct writer of ``to_json`` (``kol_trust.wire.write``) writes what the general path writes.

The general path is the standard library's encoder of ``to_dict(obj)``; the
writer must give the same text for every object, or decline (and the
general path then decides the text or the error).
"""

from __future__ import annotations

import json
import math
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import kol_trust as kt
from kol_trust.improvement import improvement_plan
from kol_trust.synth import synthetic_cases
from kol_trust.wire import write


def general(obj: Any) -> str:
    return json.dumps(kt.to_dict(obj), ensure_ascii=False, allow_nan=False)


CASES = list(synthetic_cases(40, seed=13))


@pytest.mark.parametrize("n", range(0, 40, 4))
def test_cases_assessments_and_their_parts_are_written_as_the_general_path_writes(n: int) -> None:
    case = CASES[n]
    a = kt.assess_case(case)
    for obj in (case, case.subject, *case.evidence, a, *a.criteria, a.rubric, *a.reasons, *a.excluded):
        assert write.written_json(obj) == general(obj) == kt.to_json(obj)


def test_the_writer_takes_the_assessment_and_the_case() -> None:
    """Not by declining: the writer itself writes them."""
    a = kt.assess_case(CASES[0])
    assert write.written_json(a) == general(a)
    assert write.written_json(CASES[0]) == general(CASES[0])


def test_repeated_results_are_written_once_and_stay_right() -> None:
    a, b = kt.assess_case(CASES[1]), kt.assess_case(CASES[1])
    shared = [x for x in a.criteria if any(x is y for y in b.criteria)]
    assert shared  # the engine shares the results of criteria without evidence
    for x in shared:
        assert write.written_json(x) == write.written_json(x) == general(x)


texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=20) | st.sampled_from(
    ['"', "\\", "\x00\x1f\x7f", "\u2028\u2029", "é ü 中", "\U0001f600", "</script>"]
)


@given(texts, st.sampled_from([0.97, 1.0, 0.0, 1e-05, 0.1 + 0.2, 0.3333333333333333, 5e-324]))
def test_strings_and_numbers_are_escaped_and_written_as_the_encoder_writes_them(text: str, value: float) -> None:
    e = attrs.evolve(CASES[3].evidence[0], summary=text, reference=text or None, value=value, severity=None)
    assert kt.to_json(e) == general(e)
    assert write.written_json(e) == general(e)


@given(
    st.sampled_from([a.name for a in attrs.fields(kt.Evidence)]),
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.sampled_from([math.nan, math.inf, kt.Severity.MINOR, (1, 2.0), [3.0], {"k": 1.0}, 2**70, "x"]),
    ),
)
def test_odd_values_are_declined_or_written_right(name: str, value: Any) -> None:
    """Objects holding values not of their declared types (set past validation)."""
    e = CASES[4].evidence[0]
    e = attrs.evolve(e)
    object.__setattr__(e, name, value)
    try:
        expected = general(e)
    except Exception as exc:
        with pytest.raises(type(exc)):
            kt.to_json(e)
        return
    assert kt.to_json(e) == expected
    try:
        got = write.written_json(e)
    except write.Fallback:
        return
    assert got == expected


def test_other_documents_fall_back() -> None:
    rubric = kt.load_rubric("1.0.0")
    a = kt.assess_case(CASES[5])
    plan = improvement_plan(a, case=CASES[5])
    for obj in (rubric, plan, {"a": 1}, [1, 2]):
        assert kt.to_json(obj) == general(obj)
    with pytest.raises(write.Fallback):
        write.written_json(rubric)  # gate conditions carry a tag: the general path writes them
