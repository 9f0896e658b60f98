"""Built-in rubrics: by version, by date, and the case's rubric (STANDARD §1.3)."""

from __future__ import annotations

import datetime as dt

import pytest

import kol_trust as kt
from kol_trust.errors import RubricNotFoundError


def test_available_rubrics_lists_the_builtin() -> None:
    assert [(r.id, r.version) for r in kt.available_rubrics()] == [("kol-trust", "1.0.0")]


def test_load_by_version() -> None:
    rubric = kt.load_rubric("1.0.0")

    assert (rubric.id, rubric.version) == ("kol-trust", "1.0.0")
    assert rubric is kt.load_rubric("1.0.0")  # parsed once


def test_load_in_force_on_a_date() -> None:
    assert kt.load_rubric(as_of=dt.date(2026, 6, 1)).version == "1.0.0"
    assert kt.load_rubric(as_of=dt.date(2026, 1, 1)).version == "1.0.0"  # effective_from itself


def test_nothing_in_force_before_the_first_version() -> None:
    with pytest.raises(RubricNotFoundError, match="2025-12-31"):
        kt.load_rubric(as_of=dt.date(2025, 12, 31))


def test_unknown_version() -> None:
    with pytest.raises(RubricNotFoundError, match=r'"1\.2\.3".*1\.0\.0'):
        kt.load_rubric("1.2.3")
    assert issubclass(RubricNotFoundError, kt.KolTrustError)


def test_rubric_for_prefers_the_given_rubric_then_the_named_version() -> None:
    subject = kt.Subject(id="s", name="S", kind="kol")
    builtin = kt.load_rubric("1.0.0")
    other = kt.Rubric(
        **{
            **{
                a: getattr(builtin, a)
                for a in ("id", "algorithm", "title", "sources", "pillars", "criteria", "gates", "tiers", "policy")
            },
            "version": "1.0.1",
            "effective_from": dt.date(2026, 1, 1),
        }
    )

    assert kt.rubric_for(kt.Case(subject=subject, as_of=dt.date(2026, 6, 1), rubric="1.0.0"), other) is other
    assert kt.rubric_for(kt.Case(subject=subject, as_of=dt.date(2026, 6, 1), rubric="1.0.0")) is builtin
    with pytest.raises(RubricNotFoundError):
        kt.assess_case(kt.Case(subject=subject, as_of=dt.date(2026, 6, 1), rubric="1.0.1"))
    assert kt.assess_case(kt.Case(subject=subject, as_of=dt.date(2026, 6, 1))).rubric.version == "1.0.0"
