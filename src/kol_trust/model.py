"""The input documents: subjects, their channels, evidence records and cases.

Instances are frozen and check themselves when built, reporting every
problem with its JSON path (:class:`~kol_trust.ValidationError`).  Sequences
are stored as tuples; lists given to the constructors are converted.
"""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from . import checks as c
from .errors import ValidationError

__all__ = [
    "Case",
    "Channel",
    "Evidence",
    "Measure",
    "SelfChecking",
    "Severity",
    "Status",
    "Subject",
    "SubjectKind",
    "Text",
]


class SubjectKind(enum.StrEnum):
    """Who a subject is: a key opinion leader or a key opinion consumer."""

    KOL = "kol"
    KOC = "koc"


class Measure(enum.StrEnum):
    """How a criterion turns its evidence into a score (STANDARD §4.2)."""

    PROPORTION = "proportion"
    """A credibility-weighted share of good observations, with a prior."""
    ATTESTATION = "attestation"
    """The current state, as credible as the best source that attests it."""
    INCIDENTS = "incidents"
    """Penalties for findings; a clean record scores 100."""


class Severity(enum.StrEnum):
    """How grave an incident is, from least to most."""

    MINOR = "minor"
    MODERATE = "moderate"
    SERIOUS = "serious"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for minor up to 3 for critical, for comparisons."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


class Status(enum.StrEnum):
    """Where a finding stands: in force, contested, or set aside."""

    ACTIVE = "active"
    DISPUTED = "disputed"
    OVERTURNED = "overturned"


class SelfChecking:
    """Mixin: check every field on construction and report all problems."""

    __slots__ = ()
    _document = "document"

    def __attrs_post_init__(self) -> None:
        if c.passes(self):  # the plain predicates first; the checks for the messages
            return
        problems = list(c.problems_of(self))
        if problems:
            raise ValidationError(self._document, problems)


@attrs.frozen
class Text:
    """A human text in Vietnamese and English (``{"vi": …, "en": …}``)."""

    vi: str = c.checked(c.string(1))
    en: str = c.checked(c.string(1))

    def __call__(self, lang: str = "vi") -> str:
        """The text in *lang* (``"vi"`` or ``"en"``)."""
        return self.en if lang == "en" else self.vi


@attrs.frozen
class Channel(SelfChecking):
    """One account of a subject on a platform."""

    _document = "channel"

    platform: str = c.checked(c.slug)
    """Platform slug: ``"tiktok"``, ``"facebook"``, ``"youtube"``, ``"zalo"``…"""
    handle: str = c.checked(c.string(1))
    url: str | None = c.checked(c.optional(c.string(1)), default=None)
    followers: int | None = c.checked(c.optional(c.number(0, integer=True)), default=None)
    verified: bool = c.checked(c.boolean, default=False)
    """Whether the platform marks the account as verified."""


@attrs.frozen
class Subject(SelfChecking):
    """The KOL or KOC being assessed (STANDARD §1.1)."""

    _document = "subject"

    id: str = c.checked(c.identifier)
    name: str = c.checked(c.string(1, c.MAX_NAME_LENGTH))
    kind: SubjectKind = c.checked(c.member(SubjectKind), converter=c.to_enum(SubjectKind))
    categories: tuple[str, ...] = c.checked(c.each(c.slug), default=(), converter=c.as_tuple)
    """Content categories (lowercase slugs such as ``"health"``); criteria
    with ``applies_to.categories`` apply only when one of them is here."""
    channels: tuple[Channel, ...] = c.checked(
        c.each(c.instance(Channel, "a Channel")), default=(), converter=c.as_tuple
    )
    agency: str | None = c.checked(c.optional(c.string(1)), default=None)
    """The management company, if any."""
    jurisdiction: str = c.checked(c.country, default="VN")


@attrs.frozen
class Evidence(SelfChecking):
    """One dated, sourced observation about a subject against a criterion
    (STANDARD §1.2).

    Whether the record counts, and how much, is decided by the engine
    (STANDARD §3); a record that does not count is reported as excluded.
    """

    _document = "evidence"

    id: str = c.checked(c.identifier)
    subject_id: str = c.checked(c.identifier)
    criterion: str = c.checked(c.string())
    """A criterion id of the rubric; an unknown one is excluded, not an error."""
    source: str = c.checked(c.string())
    """A source id of the rubric: who established the fact."""
    observed_at: dt.date = c.checked(c.a_date)
    value: float | None = c.checked(c.optional(c.number(0, 1)), default=None)
    """In [0, 1]; required by proportion and attestation criteria."""
    sample_size: int = c.checked(c.number(1, c.MAX_SAMPLE_SIZE, integer=True), default=1)
    severity: Severity | None = c.checked(c.optional(c.member(Severity)), default=None, converter=c.to_enum(Severity))
    """Required by incidents criteria."""
    status: Status = c.checked(c.member(Status), default=Status.ACTIVE, converter=c.to_enum(Status))
    valid_until: dt.date | None = c.checked(c.optional(c.a_date), default=None)
    """The record no longer counts after this day."""
    reference: str | None = c.checked(c.optional(c.string()), default=None)
    """Case number, URL or audit id of the finding."""
    summary: str | None = c.checked(c.optional(c.string(0, 2000)), default=None)
    digest: str | None = c.checked(c.optional(c.sha256_digest), default=None)
    """``"sha256:"`` + hex SHA-256 of the supporting document."""


@attrs.frozen(kw_only=True)
class Case(SelfChecking):
    """The input of one assessment (STANDARD §1.3)."""

    _document = "case"

    subject: Subject = c.checked(c.instance(Subject, "a Subject"))
    evidence: tuple[Evidence, ...] = c.checked(
        c.each(c.instance(Evidence, "an Evidence")), default=(), converter=c.as_tuple
    )
    as_of: dt.date = c.checked(c.a_date)
    rubric: str | None = c.checked(c.optional(c.version), default=None)
    """The version of the built-in ``kol-trust`` rubric to use, if named."""
