"""The result of an assessment (STANDARD §6) and the parts it explains itself with.

Field names are those of the standard's assessment document, so
``kt.to_dict(assessment)`` is that document.  Reported numbers are already
rounded with ``round1`` (STANDARD §2); ``raw_score`` is not.
"""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from .model import Measure, Text
from .numbers import localized
from .rubric import Rubric
from .words import word

__all__ = [
    "Assessment",
    "Cause",
    "CriterionResult",
    "Exclusion",
    "ExclusionReason",
    "GateResult",
    "PillarResult",
    "Reason",
    "RubricRef",
]


class ExclusionReason(enum.StrEnum):
    """Why an evidence record was not used, in the order they are tried (STANDARD §3)."""

    DUPLICATE = "duplicate"
    SUBJECT_MISMATCH = "subject-mismatch"
    UNKNOWN_CRITERION = "unknown-criterion"
    NOT_APPLICABLE = "not-applicable"
    UNKNOWN_SOURCE = "unknown-source"
    SOURCE_NOT_ACCEPTED = "source-not-accepted"
    FUTURE = "future"
    EXPIRED = "expired"
    TOO_OLD = "too-old"
    OVERTURNED = "overturned"
    MEASURE_MISMATCH = "measure-mismatch"


class Cause(enum.StrEnum):
    """What a reason points at (STANDARD §6)."""

    GATE = "gate"
    """A gate triggered."""
    NO_EVIDENCE = "no-evidence"
    """A proportion or attestation criterion has no used evidence."""
    INCIDENTS = "incidents"
    """An incidents criterion has used records."""
    LOW_SCORE = "low-score"
    """A criterion's evidence gives it a low score."""


@attrs.frozen
class RubricRef:
    """Which rubric an assessment used: id, version and content digest."""

    id: str
    version: str
    digest: str
    """``"sha256:"`` + hex SHA-256 of the rubric's canonical JSON."""


@attrs.frozen
class PillarResult:
    id: str
    score: float | None
    """Reported score 0–100; ``None`` when no criterion of the pillar applies."""


@attrs.frozen
class CriterionResult:
    id: str
    pillar: str
    measure: Measure
    applicable: bool
    """False when ``applies_to`` leaves this subject out."""
    assessed: bool
    """True when at least one record was used."""
    score: float | None
    """Reported score 0–100; ``None`` when not applicable."""
    loss: float | None
    """Reported points of the overall score this criterion costs."""
    evidence: tuple[str, ...]
    """Ids of the used records, sorted."""


@attrs.frozen
class GateResult:
    """A gate that triggered."""

    id: str
    cap: float | None
    disqualify: bool


@attrs.frozen
class Reason:
    """One explanation of the result; the most important come first."""

    code: str
    """A gate id or a criterion id."""
    cause: Cause
    loss: float | None
    """Reported points lost; ``None`` for gates."""

    def text(self, rubric: Rubric) -> Text:
        """The reason as a sentence a person can read, in Vietnamese and English,
        with the titles of *rubric* (the rubric of the assessment)::

            Gate “Law and ethics training not passed” (G-TRAINING) triggered.
            “Identity verified” (T04) has no evidence: 3.3 points lost.

        A code the rubric does not have is shown as it is.  The sentence is
        for readers; the assessment document (STANDARD §6) holds only the
        code, the cause and the loss.
        """
        return Text(vi=self._sentence(rubric, "vi"), en=self._sentence(rubric, "en"))

    def _sentence(self, rubric: Rubric, lang: str) -> str:
        if self.cause is Cause.GATE:
            titles = {g.id: g.title for g in rubric.gates}
        else:
            titles = {c.id: c.title for c in rubric.criteria}
        title = titles[self.code](lang) if self.code in titles else self.code
        loss = "" if self.loss is None else localized(f"{self.loss:.1f}", lang)
        return word(f"reason.{self.cause.value}", lang, title=title, code=self.code, loss=loss)


@attrs.frozen
class Exclusion:
    """An input record that was not used, and why."""

    evidence_id: str
    reason: ExclusionReason


@attrs.frozen
class Assessment:
    """The outcome of scoring one subject under one rubric on one day."""

    subject_id: str
    as_of: dt.date
    rubric: RubricRef
    algorithm: int
    score: float
    """Final score 0–100, after caps, reported (rounded)."""
    raw_score: float
    """``min(s, caps)`` before rounding."""
    tier: str
    certified: bool
    coverage: float
    """Reported share (0–100) of proportion/attestation weight that has evidence."""
    pillars: tuple[PillarResult, ...]
    criteria: tuple[CriterionResult, ...]
    gates: tuple[GateResult, ...]
    """Triggered gates, in rubric order."""
    reasons: tuple[Reason, ...]
    excluded: tuple[Exclusion, ...]
    """Sorted by evidence id, then reason."""
    fingerprint: str
    """``"sha256:…"`` of the canonical inputs: equal inputs, equal fingerprint."""

    def criterion(self, criterion_id: str) -> CriterionResult:
        """The result of one criterion (``KeyError`` when there is none)."""
        for cr in self.criteria:
            if cr.id == criterion_id:
                return cr
        raise KeyError(criterion_id)

    def pillar(self, pillar_id: str) -> PillarResult:
        """The result of one pillar (``KeyError`` when there is none)."""
        for p in self.pillars:
            if p.id == pillar_id:
                return p
        raise KeyError(pillar_id)

    @property
    def disqualified(self) -> bool:
        """True when a disqualifying gate triggered."""
        return any(g.disqualify for g in self.gates)
