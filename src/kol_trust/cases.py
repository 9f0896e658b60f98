"""Assessing a whole case: pick its rubric (STANDARD §1.3), then run the engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from . import engine
from .assessment import Assessment
from .checks import json_string
from .engine import compile_rubric
from .errors import Problem, RubricMismatchError, RubricNotFoundError
from .model import Case, Evidence, Subject
from .registry import builtin_rubric, load_rubric
from .rubric import Rubric

__all__ = ["assess", "assess_case", "rubric_for", "rubric_of"]


def assess(subject: Subject, evidence: Iterable[Evidence], *, rubric: Rubric | str, as_of: dt.date) -> Assessment:
    """Assess *subject* on *as_of* from *evidence* under *rubric* (STANDARD §2–§6).

    *rubric* is a :class:`~kol_trust.Rubric` or the version of a built-in one
    (``"1.0.0"``; :class:`~kol_trust.errors.RubricNotFoundError` when there is
    none).  Every record of *evidence* ends up either used by a criterion or
    listed in ``excluded`` with its reason.  Raises
    :class:`~kol_trust.errors.EvidenceConflictError` when two records share
    an id but differ in content.  The engine's
    ``kol_trust.engine.assess`` does the work: pure, no I/O, no clock.
    """
    if isinstance(rubric, str):
        rubric = load_rubric(rubric)
    return engine.assess(subject, evidence, rubric=rubric, as_of=as_of)


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
    return engine.assess(case.subject, case.evidence, rubric=rubric_for(case, rubric), as_of=case.as_of)


def rubric_of(assessment: Assessment, rubric: Rubric | None = None) -> Rubric:
    """The rubric *assessment* was made under: *rubric*, checked, or else the built-in one it names.

    Raises :class:`~kol_trust.errors.RubricMismatchError` when *rubric*'s id,
    version or digest is not the assessment's, and
    :class:`~kol_trust.errors.RubricNotFoundError` when no rubric is given and
    the assessment's is not built in.
    """
    ref = assessment.rubric
    if rubric is None:
        try:
            rubric = builtin_rubric(ref.id, ref.version)
        except RubricNotFoundError as e:
            raise RubricNotFoundError(
                f"the assessment used rubric {json_string(ref.id)} {ref.version}, which is not built in: give it as rubric= ({e})"
            ) from None
    elif not isinstance(rubric, Rubric):
        raise TypeError(f"rubric must be a Rubric, got {type(rubric).__name__}")
    used = compile_rubric(rubric).ref  # the digest is computed once per rubric
    if used != ref:
        raise RubricMismatchError(
            "assessment",
            [
                Problem(
                    "$.rubric",
                    f"the assessment was made under rubric {ref.id} {ref.version} ({ref.digest}), "
                    f"not {used.id} {used.version} ({used.digest})",
                )
            ],
        )
    return rubric
