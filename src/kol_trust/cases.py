"""Assessing a whole case: pick its rubric (STANDARD §1.3), then run the engine."""

from __future__ import annotations

from .assessment import Assessment, RubricRef
from .engine import assess, compile_rubric
from .model import Case
from .registry import _builtin_registry, load_rubric
from .rubric import Rubric

__all__ = ["assess_case", "builtin_rubric", "rubric_for", "rubric_mismatch"]


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


def builtin_rubric(ref: RubricRef) -> Rubric:
    """The built-in rubric with *ref*'s id and version (:class:`~kol_trust.RubricNotFoundError` when none).

    The digest is not compared here: see :func:`rubric_mismatch`.
    """
    return _builtin_registry().get(ref.id, ref.version)


def rubric_mismatch(assessment: Assessment, rubric: Rubric) -> str | None:
    """Why *rubric* is not the one *assessment* was made under, or ``None`` when it is.

    Id, version and digest must all be the assessment's.  The callers
    (certification, improvement plans, the report card) raise their own
    error types with this text.
    """
    ref = compile_rubric(rubric).ref  # the digest is computed once per rubric
    used = assessment.rubric
    if ref == used:
        return None
    return (
        f"the assessment was made under rubric {used.id} {used.version} ({used.digest}), "
        f"not {ref.id} {ref.version} ({ref.digest})"
    )
