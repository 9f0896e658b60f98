"""kol_trust: the KOL Trust Standard, scoring algorithm 1.

Rate influencers (KOLs and KOCs) for reputation, transparency, trust and
responsibility from dated, sourced evidence, under a versioned rubric::

    import datetime as dt
    import kol_trust as kt

    case = kt.from_json(text, kt.Case)
    assessment = kt.assess_case(case)
    print(assessment.score, assessment.tier, kt.to_json(assessment))
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
from .authoring import (
    Change,
    Finding,
    ImpactReport,
    RubricDiff,
    diff_rubrics,
    impact,
    lint_rubric,
    load_rubric_file,
)
from .batch import assess_many
from .cases import assess_case, rubric_for
from .engine import assess, compile_rubric, round1
from .errors import (
    EvidenceConflictError,
    KolTrustError,
    Problem,
    RubricConflictError,
    RubricError,
    RubricNotFoundError,
    ValidationError,
)
from .model import Case, Channel, Evidence, Measure, Severity, Status, Subject, SubjectKind, Text
from .registry import RubricRegistry, available_rubrics, load_rubric
from .rubric import (
    ALGORITHM,
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
    Rubric,
    Source,
    Tier,
)
from .wire import (
    canonical_bytes,
    from_dict,
    from_json,
    rubric_digest,
    sha256_digest,
    to_dict,
    to_json,
)

__version__ = "0.1.0"

__all__ = [
    "ALGORITHM",
    "AppliesTo",
    "Assessment",
    "Case",
    "Cause",
    "Change",
    "Channel",
    "Criterion",
    "CriterionBelow",
    "CriterionResult",
    "Evidence",
    "EvidenceConflictError",
    "Exclusion",
    "ExclusionReason",
    "Finding",
    "Gate",
    "GateResult",
    "ImpactReport",
    "IncidentCondition",
    "KolTrustError",
    "Measure",
    "Missing",
    "Penalties",
    "Pillar",
    "PillarBelow",
    "PillarResult",
    "Policy",
    "Problem",
    "Reason",
    "Rubric",
    "RubricConflictError",
    "RubricDiff",
    "RubricError",
    "RubricNotFoundError",
    "RubricRef",
    "RubricRegistry",
    "Severity",
    "Source",
    "Status",
    "Subject",
    "SubjectKind",
    "Text",
    "Tier",
    "ValidationError",
    "assess",
    "assess_case",
    "assess_many",
    "available_rubrics",
    "canonical_bytes",
    "compile_rubric",
    "diff_rubrics",
    "from_dict",
    "from_json",
    "impact",
    "lint_rubric",
    "load_rubric",
    "load_rubric_file",
    "round1",
    "rubric_digest",
    "rubric_for",
    "sha256_digest",
    "to_dict",
    "to_json",
]
