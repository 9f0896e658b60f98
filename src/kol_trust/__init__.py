"""kol_trust: the KOL Trust Standard, scoring algorithm 1.

Rate influencers (KOLs and KOCs) for reputation, transparency, trust and
responsibility from dated, sourced evidence, under a versioned rubric::

    import datetime as dt
    import kol_trust as kt

    case = kt.from_json(text, kt.Case)
    assessment = kt.assess_case(case)
    print(assessment.score, assessment.tier, kt.to_json(assessment))

This namespace holds the core: the documents, the rubric, the assessment,
:func:`assess` and :func:`assess_case`, the rubric registry, the wire format
and the base exceptions.  The tools have their own namespaces:
:mod:`kol_trust.rubric` (a rubric's parts), :mod:`kol_trust.errors` (every
exception), :mod:`kol_trust.authoring`, :mod:`kol_trust.certification`,
:mod:`kol_trust.improvement`, :mod:`kol_trust.report`, :mod:`kol_trust.batch`
and :mod:`kol_trust.testing`.
"""

from __future__ import annotations

from .assessment import (
    Assessment,
    Cause,
    CriterionResult,
    Exclusion,
    ExclusionReason,
    GateResult,
    PillarResult,
    Reason,
    RubricRef,
)
from .cases import assess, assess_case, rubric_for
from .errors import KolTrustError, Problem, RubricError, ValidationError
from .model import Case, Channel, Evidence, Measure, Severity, Status, Subject, SubjectKind, Text
from .registry import RubricRegistry, available_rubrics, load_rubric
from .rubric import ALGORITHM, Rubric
from .version import __version__ as __version__
from .wire import (
    canonical_bytes,
    from_dict,
    from_json,
    rubric_digest,
    sha256_digest,
    to_dict,
    to_json,
)

__all__ = [
    "ALGORITHM",
    "Assessment",
    "Case",
    "Cause",
    "Channel",
    "CriterionResult",
    "Evidence",
    "Exclusion",
    "ExclusionReason",
    "GateResult",
    "KolTrustError",
    "Measure",
    "PillarResult",
    "Problem",
    "Reason",
    "Rubric",
    "RubricError",
    "RubricRef",
    "RubricRegistry",
    "Severity",
    "Status",
    "Subject",
    "SubjectKind",
    "Text",
    "ValidationError",
    "assess",
    "assess_case",
    "available_rubrics",
    "canonical_bytes",
    "from_dict",
    "from_json",
    "load_rubric",
    "rubric_digest",
    "rubric_for",
    "sha256_digest",
    "to_dict",
    "to_json",
]
