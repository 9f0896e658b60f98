"""Reviewing a certificate against a new assessment: keep, downgrade or suspend.

The standard's certificates are valid for a fixed period, but the subject is
watched in between (BACKGROUND: "suspension is triggered by any gate event
during the validity period").  :func:`~kol_trust.certification.review` compares a certificate with a
newer assessment of the same subject and says what should happen to it; doing
it (revoking, issuing a new certificate) is left to the issuer.
"""

from __future__ import annotations

import enum

import attrs

from ..assessment import Assessment
from ..cases import rubric_of
from ..checks import json_string
from ..errors import CertificationError
from ..rubric import Rubric
from .certificate import Certificate

__all__ = ["Review", "ReviewOutcome", "review"]


class ReviewOutcome(enum.StrEnum):
    """What to do with a certificate after a new assessment."""

    KEEP = "keep"
    """The subject still reaches the certificate's tier, or a higher one."""
    DOWNGRADE = "downgrade"
    """The subject is still certified, at a lower tier: replace the certificate."""
    SUSPEND = "suspend"
    """The subject is no longer certified (a lower tier, or a disqualifying gate)."""


@attrs.frozen(kw_only=True)
class Review:
    """The result of :func:`~kol_trust.certification.review`."""

    outcome: ReviewOutcome
    """Keep, downgrade or suspend."""
    tier: str
    """The tier of the new assessment."""
    reasons: tuple[str, ...]
    """Why, in English sentences, the most important first; notes (an
    assessment after the certificate's last valid day, a different rubric)
    come last."""


def review(certificate: Certificate, new_assessment: Assessment, *, rubric: Rubric | None = None) -> Review:
    """What should happen to *certificate* given *new_assessment* of its subject.

    ``suspend`` when the new assessment is not certified (the reasons name the
    disqualifying gates that triggered, or the tier that is not a certified
    one); ``downgrade`` when it is certified at a tier that comes later in the
    rubric's order than the certificate's; ``keep`` otherwise (at a higher
    tier, the reasons say that a new certificate would show it).

    *rubric* is the rubric of the new assessment; when not given, the
    built-in rubric it names.  Raises :class:`~kol_trust.errors.CertificationError`
    when the subjects differ and :class:`~kol_trust.errors.RubricMismatchError`
    when the rubric is not the assessment's.
    """
    if not isinstance(certificate, Certificate):
        raise TypeError(f"expected a Certificate, got {type(certificate).__name__}")
    if not isinstance(new_assessment, Assessment):
        raise TypeError(f"expected an Assessment, got {type(new_assessment).__name__}")
    if certificate.subject_id != new_assessment.subject_id:
        raise CertificationError(
            f"the assessment is of {json_string(new_assessment.subject_id)}, the certificate of {json_string(certificate.subject_id)}"
        )
    rubric = rubric_of(new_assessment, rubric)
    new = rubric.tier(new_assessment.tier)
    new_name = f"{json_string(new.id)} ({new.title('en')})"
    old_name = f"{json_string(certificate.tier)} ({certificate.tier_title.en})"
    order = [t.id for t in rubric.tiers]
    reasons: list[str] = []

    if not new_assessment.certified:
        outcome = ReviewOutcome.SUSPEND
        titles = {g.id: g.title("en") for g in rubric.gates}
        for gate in new_assessment.gates:
            if gate.disqualify:
                reasons.append(
                    f"disqualifying gate {json_string(gate.id)} triggered ({titles.get(gate.id, 'unknown gate')})"
                )
        if not new.certified:
            reasons.append(
                f"the subject now reaches tier {new_name} with score {new_assessment.score:g}, "
                f"which is not a certified tier; the certificate shows {old_name}"
            )
    elif certificate.tier not in order:
        outcome = ReviewOutcome.KEEP
        reasons.append(
            f"the subject reaches the certified tier {new_name}; the certificate's tier {old_name} is not a "
            f"tier of rubric {json_string(rubric.id)} {rubric.version}, so a new certificate would show {json_string(new.id)}"
        )
    else:
        old_rank, new_rank = order.index(certificate.tier), order.index(new.id)
        if new_rank > old_rank:
            outcome = ReviewOutcome.DOWNGRADE
            reasons.append(
                f"the subject now reaches tier {new_name} with score {new_assessment.score:g}, below the "
                f"certificate's {old_name}: a new certificate would show {json_string(new.id)}"
            )
        elif new_rank < old_rank:
            outcome = ReviewOutcome.KEEP
            reasons.append(
                f"the subject now reaches tier {new_name} with score {new_assessment.score:g}, above the "
                f"certificate's {old_name}: a new certificate would show the higher tier"
            )
        else:
            outcome = ReviewOutcome.KEEP
            reasons.append(f"the subject still reaches tier {old_name}, with score {new_assessment.score:g}")

    if new_assessment.as_of > certificate.valid_until:
        reasons.append(
            f"note: the assessment (as of {new_assessment.as_of.isoformat()}) is after the certificate's last "
            f"valid day {certificate.valid_until.isoformat()}: the certificate has expired in any case"
        )
    elif new_assessment.as_of < certificate.issued_on:
        reasons.append(
            f"note: the assessment (as of {new_assessment.as_of.isoformat()}) is older than the certificate "
            f"(issued on {certificate.issued_on.isoformat()})"
        )
    old_ref, new_ref = certificate.rubric, new_assessment.rubric
    if (old_ref.id, old_ref.version, old_ref.digest) != (new_ref.id, new_ref.version, new_ref.digest):
        reasons.append(
            f"note: the assessment used rubric {json_string(new_ref.id)} {new_ref.version}, the certificate names "
            f"{json_string(old_ref.id)} {old_ref.version}: tiers were compared by id in the new rubric's order"
        )
    return Review(outcome=outcome, tier=new.id, reasons=tuple(reasons))
