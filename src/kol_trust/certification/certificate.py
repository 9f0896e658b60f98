"""Certificates: what a certified assessment is turned into, and :func:`~kol_trust.certification.certify`.

A :class:`~kol_trust.certification.Certificate` is a small document that states, on the
authority of its issuer, that a subject earned a certified tier under a given
rubric.  It carries the assessment's fingerprint, so that anyone holding the
case can check that the certificate belongs to it, and the rubric's digest,
so that the rubric is named exactly.  It is issued as a W3C Verifiable
Credential with :func:`~kol_trust.credentials.issue_credential` and checked
with :func:`~kol_trust.credentials.verify_credential`.
"""

from __future__ import annotations

import datetime as dt
import secrets
import unicodedata
from collections.abc import Iterator
from typing import Any

import attrs

from .. import checks as c
from ..assessment import Assessment, RubricRef
from ..cases import rubric_of
from ..errors import CertificationError, CertificationRefused, Problem, ValidationError
from ..model import SelfChecking, Subject, Text
from ..rubric import Rubric

__all__ = ["MAX_ISSUER_LENGTH", "Certificate", "certify", "new_serial", "validity_end"]

#: The longest issuer name a certificate may carry.
MAX_ISSUER_LENGTH = 200


def rubric_ref_check(value: Any) -> Iterator[tuple[str, str]]:
    """Field check of a :class:`~kol_trust.RubricRef` inside a certificate.

    The assessment document does not check its rubric reference (the engine
    wrote it); a certificate comes from anyone, so each part is checked.
    """
    if not isinstance(value, RubricRef):
        yield "", f"expected a rubric reference, got {c.describe(value)}"
        return
    for name, check in (("id", c.identifier), ("version", c.version), ("digest", c.sha256_digest)):
        for suffix, message in check(getattr(value, name)):
            yield f".{name}{suffix}", message


def text_check(value: Any) -> Iterator[tuple[str, str]]:
    """Field check of a :class:`~kol_trust.Text`: both languages, non-empty."""
    if not isinstance(value, Text):
        yield "", f"expected a text {{vi, en}}, got {c.describe(value)}"
        return
    for name in ("vi", "en"):
        for suffix, message in c.string(1, 200)(getattr(value, name)):
            yield f".{name}{suffix}", message


issuer_check = c.string(1, MAX_ISSUER_LENGTH)


@attrs.frozen(kw_only=True)
class Certificate(SelfChecking):
    """A statement that a subject earned a certified tier (the certificate document).

    Build one with :func:`~kol_trust.certification.certify`; read one with
    ``kt.from_dict(doc, Certificate)``, which checks every field and names
    the JSON path of each problem.  A certificate is only worth its
    issuer's proof: see :func:`~kol_trust.credentials.issue_credential`.

    The validity period is ``issued_on`` to ``valid_until``, both days
    included.
    """

    _document = "certificate"

    serial: str = c.checked(c.identifier)
    """The certificate's unique number, an identifier (1–128 characters).

    :func:`~kol_trust.certification.certify` draws 128 random bits unless given one;
    status lists name credentials by index, not by serial."""
    subject_id: str = c.checked(c.identifier)
    """The subject's id, as in the assessment."""
    subject_name: str | None = c.checked(c.optional(c.string(1, 200)), default=None)
    """The subject's name when a :class:`~kol_trust.Subject` was given to
    :func:`~kol_trust.certification.certify`, else ``None`` (``null`` in the document)."""
    tier: str = c.checked(c.identifier)
    """The id of the certified tier the subject reached."""
    tier_title: Text = c.checked(text_check)
    """The tier's title in Vietnamese and English, from the rubric."""
    score: float = c.checked(c.number(0, 100))
    """The reported score (0–100) of the assessment."""
    coverage: float = c.checked(c.number(0, 100))
    """The assessment's evidence coverage (0–100)."""
    rubric: RubricRef = c.checked(rubric_ref_check)
    """The rubric of the assessment: id, version and digest."""
    fingerprint: str = c.checked(c.sha256_digest)
    """The assessment's fingerprint: it identifies the inputs that were scored."""
    as_of: dt.date = c.checked(c.a_date)
    """The assessment's ``as_of`` day: the evidence was judged as of then."""
    issuer: str = c.checked(issuer_check)
    """Who issues the certificate, by name (1–200 characters); the credential's
    ``issuer.name``."""
    issued_on: dt.date = c.checked(c.a_date)
    """The first day the certificate is valid."""
    valid_until: dt.date = c.checked(c.a_date)
    """The last day the certificate is valid, included: the day before
    :func:`~kol_trust.certification.validity_end` of ``issued_on`` and the
    rubric's ``policy.certificate_validity_days`` (365 days: the same date a
    year later, so a certificate runs 12 months, never 366 days)."""

    def __attrs_post_init__(self) -> None:
        problems = list(c.problems_of(self))
        if (
            not problems
            and isinstance(self.issued_on, dt.date)
            and isinstance(self.valid_until, dt.date)
            and self.valid_until < self.issued_on
        ):
            problems.append(Problem("$.valid_until", "is before issued_on"))
        if problems:
            raise ValidationError(self._document, problems)

    def valid_on(self, day: dt.date) -> bool:
        """True when *day* is within the validity period (signature not checked)."""
        return self.issued_on <= day <= self.valid_until


def validity_end(issued_on: dt.date, validity_days: int) -> dt.date:
    """The first day a certificate issued on *issued_on* is no longer valid.

    A validity of a whole number of years of 365 days (365, 730, …) is read
    as that many calendar years, as the programme's "12 months" means: the
    same date one year later (29 February gives 1 March).  Any other number
    of days is that many days.  Raises ``OverflowError`` past year 9999.
    """
    if validity_days > 0 and validity_days % 365 == 0:
        year = issued_on.year + validity_days // 365
        if year > dt.MAXYEAR:
            raise OverflowError("date value out of range")
        try:
            return issued_on.replace(year=year)
        except ValueError:  # 29 February in a common year
            return dt.date(year, 3, 1)
    return issued_on + dt.timedelta(days=validity_days)


def new_serial() -> str:
    """A fresh, unguessable serial: 32 lowercase hex digits (128 random bits)."""
    return secrets.token_hex(16)


def _check_issuer(issuer: Any) -> None:
    if not isinstance(issuer, str):
        raise TypeError(f"issuer must be a text, got {type(issuer).__name__}")
    if not issuer or len(issuer) > MAX_ISSUER_LENGTH:
        return  # the certificate's own field check names the length
    if unicodedata.normalize("NFC", issuer) != issuer:
        raise CertificationError(f"the issuer {c.json_string(issuer)} is not in Unicode NFC: normalise it first")
    if issuer != issuer.strip() or "  " in issuer:
        raise CertificationError(f"the issuer {c.json_string(issuer)} has leading, trailing or repeated spaces")
    if any(unicodedata.category(ch).startswith("C") for ch in issuer):
        raise CertificationError(f"the issuer {c.json_string(issuer)} has a control or format character")


def _refusals(assessment: Assessment, rubric: Rubric, issued_on: dt.date) -> list[str]:
    reasons = []
    if not assessment.certified:
        tier = rubric.tier(assessment.tier)
        if not tier.certified:
            pillars = [p.score for p in assessment.pillars if p.score is not None]
            lowest = f", lowest pillar {min(pillars):g}" if pillars else ""
            reasons.append(
                f"tier {c.json_string(tier.id)} ({tier.title('en')}) is not a certified tier "
                f"(score {assessment.score:g}{lowest}, coverage {assessment.coverage:g}); "
                f"the certified tiers require {_requirements(rubric)}"
            )
        titles = {g.id: g.title("en") for g in rubric.gates}
        for gate in assessment.gates:
            if gate.disqualify:
                reasons.append(
                    f"disqualifying gate {c.json_string(gate.id)} triggered ({titles.get(gate.id, 'unknown gate')})"
                )
        if not reasons:  # cannot happen with a consistent assessment; never certify silently
            reasons.append("the assessment is not certified")
    if issued_on < assessment.as_of:
        reasons.append(
            f"the issue date {issued_on.isoformat()} is before the assessment's as_of {assessment.as_of.isoformat()}"
        )
    return reasons


def _requirements(rubric: Rubric) -> str:
    parts = []
    for tier in rubric.tiers:
        if not tier.certified:
            continue
        need = [f"score ≥ {tier.min_score:g}"]
        if tier.min_pillar_score is not None:
            need.append(f"every pillar ≥ {tier.min_pillar_score:g}")
        if tier.min_coverage is not None:
            need.append(f"coverage ≥ {tier.min_coverage:g}")
        parts.append(f"{c.json_string(tier.id)}: {', '.join(need)}")
    return "; ".join(parts) if parts else "nothing: this rubric has no certified tier"


def certify(
    assessment: Assessment,
    *,
    issuer: str,
    issued_on: dt.date,
    serial: str | None = None,
    subject: Subject | None = None,
    rubric: Rubric | None = None,
) -> Certificate:
    """The certificate of a certified *assessment*, issued by *issuer* on *issued_on*.

    *rubric* is the rubric the assessment used; when not given, the built-in
    rubric the assessment names (``assessment.rubric.id``/``version``).  Its
    digest must be the assessment's, else :class:`~kol_trust.errors.RubricMismatchError`.
    *subject*, when given, must be the assessed subject (same id); its name
    goes into the certificate.

    ``valid_until``, the last valid day, is the day before
    :func:`~kol_trust.certification.validity_end` of *issued_on* and the rubric's
    ``policy.certificate_validity_days``: a year for the default 365 days.
    *issuer* is the issuer's name as people read it (in Unicode NFC, without
    leading, trailing or repeated spaces, else :class:`~kol_trust.errors.CertificationError`);
    the credential names the issuer by its identifier (a DID).
    *serial* is drawn at random (``secrets.token_hex(16)``: 32 hex digits, 128 bits, so that
    serials cannot be guessed or collide) unless given; a given serial must be
    an identifier.  With *serial* given the result depends on the arguments
    only.

    Raises :class:`~kol_trust.errors.CertificationRefused`, listing every reason,
    when the assessment is not certified (the tier is not a certified one, or
    a disqualifying gate triggered) or when *issued_on* is before the
    assessment's ``as_of``.
    """
    if not isinstance(assessment, Assessment):
        raise TypeError(f"expected an Assessment, got {type(assessment).__name__}")
    if not isinstance(issued_on, dt.date) or isinstance(issued_on, dt.datetime):
        raise TypeError(f"issued_on must be a date, got {type(issued_on).__name__}")
    if subject is not None and subject.id != assessment.subject_id:
        raise CertificationError(
            f"the subject {c.json_string(subject.id)} is not the assessed subject {c.json_string(assessment.subject_id)}"
        )
    _check_issuer(issuer)
    ref = assessment.rubric
    rubric = rubric_of(assessment, rubric)
    reasons = _refusals(assessment, rubric, issued_on)
    if reasons:
        raise CertificationRefused(assessment.subject_id, reasons)
    tier = rubric.tier(assessment.tier)
    try:
        valid_until = validity_end(issued_on, rubric.policy.certificate_validity_days) - dt.timedelta(days=1)
    except OverflowError:
        raise CertificationError(
            f"the issue date {issued_on.isoformat()} leaves no room for a validity period"
        ) from None
    return Certificate(
        serial=new_serial() if serial is None else serial,
        subject_id=assessment.subject_id,
        subject_name=None if subject is None else subject.name,
        tier=tier.id,
        tier_title=tier.title,
        score=assessment.score,
        coverage=assessment.coverage,
        rubric=ref,
        fingerprint=assessment.fingerprint,
        as_of=assessment.as_of,
        issuer=issuer,
        issued_on=issued_on,
        valid_until=valid_until,
    )
