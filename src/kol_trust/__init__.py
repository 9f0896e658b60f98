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
from .certification import (
    Certificate,
    Review,
    ReviewOutcome,
    certify,
    generate_key,
    key_id,
    load_private_key,
    load_public_key,
    private_key_to_pem,
    public_key_to_pem,
    review,
)
from .engine import assess, compile_rubric, round1
from .errors import (
    CertificationError,
    CertificationRefused,
    EvidenceConflictError,
    KeyFormatError,
    KolTrustError,
    Problem,
    RubricConflictError,
    RubricError,
    RubricNotFoundError,
    SigningUnavailable,
    ValidationError,
)
from .improvement import (
    ImprovementPlan,
    Opportunity,
    ScoreChange,
    Shortfall,
    ShortfallKind,
    WhatIf,
    improvement_plan,
    what_if,
)
from .model import Case, Channel, Evidence, Measure, Severity, Status, Subject, SubjectKind, Text
from .registry import RubricRegistry, available_rubrics, load_rubric
from .report import render_badge, render_report
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
    "Certificate",
    "CertificationError",
    "CertificationRefused",
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
    "ImprovementPlan",
    "IncidentCondition",
    "KeyFormatError",
    "KolTrustError",
    "Measure",
    "Missing",
    "Opportunity",
    "Penalties",
    "Pillar",
    "PillarBelow",
    "PillarResult",
    "Policy",
    "Problem",
    "Reason",
    "Review",
    "ReviewOutcome",
    "Rubric",
    "RubricConflictError",
    "RubricDiff",
    "RubricError",
    "RubricNotFoundError",
    "RubricRef",
    "RubricRegistry",
    "ScoreChange",
    "Severity",
    "Shortfall",
    "ShortfallKind",
    "SigningUnavailable",
    "Source",
    "Status",
    "Subject",
    "SubjectKind",
    "Text",
    "Tier",
    "ValidationError",
    "WhatIf",
    "assess",
    "assess_case",
    "assess_many",
    "available_rubrics",
    "canonical_bytes",
    "certify",
    "compile_rubric",
    "diff_rubrics",
    "from_dict",
    "from_json",
    "generate_key",
    "impact",
    "improvement_plan",
    "key_id",
    "lint_rubric",
    "load_private_key",
    "load_public_key",
    "load_rubric",
    "load_rubric_file",
    "private_key_to_pem",
    "public_key_to_pem",
    "render_badge",
    "render_report",
    "review",
    "round1",
    "rubric_digest",
    "rubric_for",
    "sha256_digest",
    "to_dict",
    "to_json",
    "what_if",
]
