"""Assessing a whole case: pick its rubric (STANDARD §1.3), then run the engine."""

from __future__ import annotations

from .assessment import Assessment
from .engine import assess
from .model import Case
from .registry import load_rubric
from .rubric import Rubric

__all__ = ["assess_case", "rubric_for"]


def rubric_for(case: Case, rubric: Rubric | None = None) -> Rubric:
    """The rubric a case is assessed under (STANDARD §1.3).

    In this order: *rubric* when given; else the built-in rubric whose version
    the case names; else the built-in rubric in force on the case's ``as_of``.
    """
    if rubric is not None:
        return rubric
    if case.rubric is not None:
        return load_rubric(case.rubric)
    return load_rubric(as_of=case.as_of)


def assess_case(case: Case, *, rubric: Rubric | None = None) -> Assessment:
    """Assess *case* under :func:`rubric_for` its rubric."""
    return assess(case.subject, case.evidence, rubric=rubric_for(case, rubric), as_of=case.as_of)
