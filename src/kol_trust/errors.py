"""The library's exceptions.

Every error the library raises on purpose is a :class:`KolTrustError`, so an
application can catch one type at its edge.  Errors about documents carry
:attr:`ValidationError.problems`: every problem found, each with the JSON path
where it is (``$.evidence[3].observed_at``), not just the first.

The cost of a bad document is bounded: reading stops looking into a list after
:data:`~kol_trust.errors.MAX_PROBLEMS` of its items have problems (one more
problem says how many items were not checked), and the message of a
:class:`ValidationError` lists at most that many problems ("… and N more"),
each cut to :data:`~kol_trust.errors.MAX_PROBLEM_CHARS` characters.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import attrs

__all__ = [
    "MAX_PROBLEMS",
    "MAX_PROBLEM_CHARS",
    "CertificationError",
    "CertificationRefused",
    "CredentialError",
    "EvidenceConflictError",
    "KeyFormatError",
    "KolTrustError",
    "MultibaseError",
    "Problem",
    "RubricConflictError",
    "RubricError",
    "RubricMismatchError",
    "RubricNotFoundError",
    "SigningUnavailable",
    "ValidationError",
    "WorkerError",
]


MAX_PROBLEMS = 100
"""The most problems a :class:`ValidationError`'s message lists, and the most
items of one list that reading reports problems in, before it stops looking."""

MAX_PROBLEM_CHARS = 500
"""The longest line of a :class:`ValidationError`'s message, in characters."""


def json_string(text: str) -> str:
    """*text* as JSON writes a string (``"celebrity"``), readable: non-ASCII
    letters as they are, a lone surrogate escaped (``"\\ud800"``).

    The way every message shows a text value (also ``kol_trust.checks.json_string``);
    it lives here, at the bottom, so that the exceptions' own messages can use it.
    """
    written = json.dumps(text, ensure_ascii=False)
    try:
        written.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which UTF-8 cannot encode
        return json.dumps(text)
    return written


class KolTrustError(Exception):
    """Base class of every error raised by :mod:`kol_trust`."""


@attrs.frozen
class Problem:
    """One thing wrong with a document: where (a JSON path) and what."""

    path: str
    """JSON path of the offending value, rooted at ``$``."""
    message: str
    """What is wrong, in one sentence without a trailing full stop."""

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ValidationError(KolTrustError, ValueError):
    """A document (subject, evidence, case, rubric, assessment) is invalid.

    *problems* lists every problem found; ``str(error)`` names the first
    :data:`~kol_trust.errors.MAX_PROBLEMS` of them, one a line (each cut to
    :data:`~kol_trust.errors.MAX_PROBLEM_CHARS` characters), then how many
    more there are.
    """

    problems: tuple[Problem, ...]
    """Every problem found, each with its JSON path."""

    def __init__(self, what: str, problems: Iterable[Problem]) -> None:
        self.what = what
        self.problems = tuple(problems)
        n = len(self.problems)
        head = f"invalid {what}: {n} problem{'s' if n != 1 else ''}"
        lines = [head, *(_cut(f"  {p}") for p in self.problems[:MAX_PROBLEMS])]
        if n > MAX_PROBLEMS:
            lines.append(f"  … and {n - MAX_PROBLEMS} more")
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.what, self.problems))


def _cut(line: str) -> str:
    return line if len(line) <= MAX_PROBLEM_CHARS else line[: MAX_PROBLEM_CHARS - 1] + "…"


class RubricError(ValidationError):
    """A rubric breaks a rule of STANDARD §1.4 (or is malformed).

    A subclass of :class:`ValidationError`: code that catches invalid
    documents in general catches invalid rubrics too.
    """


class RubricMismatchError(ValidationError):
    """A rubric given for an assessment is not the one it was made under.

    Raised wherever an assessment is read against a rubric (certification,
    improvement plans, review, the report card): the rubric's id, version or
    digest differs from the assessment's ``rubric``.  The problem's path is
    ``$.rubric``.
    """


class RubricNotFoundError(KolTrustError, LookupError):
    """No rubric has the requested version, or none is in force on a date."""


class RubricConflictError(KolTrustError, ValueError):
    """Two different rubrics have the same ``id`` and ``version``.

    A registry holds one rubric per id and version: registering another one
    under the same name (a different digest) is rejected.
    """

    def __init__(self, rubric_id: str, version: str, registered: str, given: str) -> None:
        self.rubric_id = rubric_id
        self.version = version
        self.registered = registered
        self.given = given
        super().__init__(
            f"rubric {json_string(rubric_id)} version {json_string(version)} is already registered with digest {registered}; "
            f"this one has digest {given}: a changed rubric needs a new version"
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.rubric_id, self.version, self.registered, self.given))


class EvidenceConflictError(KolTrustError, ValueError):
    """Two evidence records share an ``id`` but differ in content.

    The case is ambiguous and is rejected (STANDARD §3).
    """

    def __init__(self, evidence_id: str, fields: Iterable[str]) -> None:
        self.evidence_id = evidence_id
        self.fields = tuple(fields)
        super().__init__(
            f"two evidence records have id {json_string(evidence_id)} but different content "
            f"(they differ in: {', '.join(self.fields)}); give each record its own id"
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.evidence_id, self.fields))


class CertificationError(KolTrustError, ValueError):
    """A certificate and an assessment (or a rubric) do not belong together.

    Raised when a subject or a rubric given to
    :func:`~kol_trust.certification.certify` or :func:`~kol_trust.certification.review` is not the one the
    assessment or the certificate names: a mistake of the caller, not a
    decision about the subject.
    """


class CertificationRefused(KolTrustError):
    """The assessment does not earn a certificate.

    *reasons* lists every reason, one English sentence each (the tier is not
    a certified one, which disqualifying gates triggered, the issue date is
    before the assessment's ``as_of``); ``str(error)`` names them all.
    """

    reasons: tuple[str, ...]

    def __init__(self, subject_id: str, reasons: Iterable[str]) -> None:
        self.subject_id = subject_id
        self.reasons = tuple(reasons)
        head = f"certification of {json_string(subject_id)} refused"
        super().__init__("\n".join([head + ":", *(f"  - {r}" for r in self.reasons)]))

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.subject_id, self.reasons))


class SigningUnavailable(KolTrustError, ImportError):
    """Signing and verifying need the ``cryptography`` package, which is missing.

    Install the extra: ``pip install 'kol-trust[sign]'`` (from a checkout of
    the source: ``pip install '.[sign]'``).
    """

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "signing and verifying certificates need the 'cryptography' package: pip install 'kol-trust[sign]' "
            "(from a checkout of the source: pip install '.[sign]')"
        )


class KeyFormatError(KolTrustError, ValueError):
    """A key could not be read: not PEM, not Ed25519, or a wrong password."""


class CredentialError(KolTrustError, ValueError):
    """A credential, a proof or a status list cannot be made from what was given.

    Raised by :func:`~kol_trust.credentials.add_proof`,
    :func:`~kol_trust.credentials.issue_credential` and
    :class:`~kol_trust.credentials.StatusList` for the caller's mistakes (a
    document that is not a JSON object, a verification method that is not the
    signing key's, an index outside the list); the message names what is
    wrong and where (``$.proof``).  Verifiers never raise it: they answer.
    """


class MultibaseError(KolTrustError, ValueError):
    """A text is not multibase base58btc (``z…``) or base64url (``u…``), or not its canonical spelling."""


class WorkerError(KolTrustError, RuntimeError):
    """A worker process of a parallel run died (killed, out of memory) or
    could not be started: the run stops rather than wait or lose lines."""
