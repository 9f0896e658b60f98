"""Revocation lists: the certificates an issuer withdrew, signed like certificates.

An issuer publishes a :class:`~kol_trust.certification.RevocationList` signed with
:func:`~kol_trust.certification.sign_revocations`.  Each entry names a certificate by serial
and says from which day it no longer counts and why.  A list replaces the
previous one of the same issuer: extend it with
:meth:`~kol_trust.certification.RevocationList.with_entry` and sign it again.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import attrs

from .. import checks as c
from ..errors import Problem, ValidationError
from ..model import SelfChecking
from ..wire import canonical_bytes
from .certificate import issuer_check
from .signing import key_id_check, sign_bytes, signature_check

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

__all__ = [
    "Revocation",
    "RevocationList",
    "RevocationReason",
    "SignedRevocationList",
    "sign_revocations",
]


class RevocationReason(enum.StrEnum):
    """Why a certificate was revoked."""

    SUSPENDED = "suspended"
    """A review suspended it: the subject no longer reaches a certified tier
    or a disqualifying gate triggered (:attr:`~kol_trust.certification.ReviewOutcome.SUSPEND`)."""
    DOWNGRADED = "downgraded"
    """A review found a lower certified tier; a new certificate shows it."""
    SUPERSEDED = "superseded"
    """A newer certificate of the same subject replaces it (e.g. a higher tier)."""
    ISSUED_IN_ERROR = "issued-in-error"
    """It should never have been issued (wrong data, wrong subject, mistake)."""
    WITHDRAWN = "withdrawn"
    """The subject withdrew from the programme or asked for it to be withdrawn."""
    KEY_COMPROMISE = "key-compromise"
    """The key that signed it is no longer trusted."""


@attrs.frozen(kw_only=True)
class Revocation:
    """One revoked certificate: its serial, from which day, and why."""

    serial: str = c.checked(c.identifier)
    """The revoked certificate's serial."""
    revoked_on: dt.date = c.checked(c.a_date)
    """The first day the certificate no longer counts (verifications on this
    day or later report ``revoked``; earlier ones do not)."""
    reason: RevocationReason = c.checked(c.member(RevocationReason), converter=c.to_enum(RevocationReason))
    """Why: every revocation says it."""

    def __attrs_post_init__(self) -> None:
        problems = list(c.problems_of(self))
        if problems:
            raise ValidationError("revocation", problems)


@attrs.frozen(kw_only=True)
class RevocationList(SelfChecking):
    """The certificates an issuer revoked, as of a day (the revocation-list document).

    Serials are unique within a list.
    """

    _document = "revocation list"

    issuer: str = c.checked(issuer_check)
    """The issuer; the list applies to certificates with the same ``issuer``."""
    issued_on: dt.date = c.checked(c.a_date)
    """The day the list was made."""
    entries: tuple[Revocation, ...] = c.checked(
        c.each(c.instance(Revocation, "a revocation")), default=(), converter=c.as_tuple
    )
    """The revocations, one per serial."""

    def __attrs_post_init__(self) -> None:
        problems = list(c.problems_of(self))
        if not problems:
            seen: dict[str, int] = {}
            for i, entry in enumerate(self.entries):
                if entry.serial in seen:
                    problems.append(
                        Problem(
                            f"$.entries[{i}].serial",
                            f"serial {entry.serial!r} is already in entries[{seen[entry.serial]}]",
                        )
                    )
                seen.setdefault(entry.serial, i)
        if problems:
            raise ValidationError(self._document, problems)

    def entry(self, serial: str) -> Revocation | None:
        """The entry of *serial*, or ``None`` when it is not revoked by this list."""
        for entry in self.entries:
            if entry.serial == serial:
                return entry
        return None

    def with_entry(self, revocation: Revocation, *, issued_on: dt.date | None = None) -> RevocationList:
        """This list with *revocation* added (replacing an entry of the same
        serial), dated *issued_on* (default: this list's date, or the
        revocation's day when later)."""
        entries = (*(e for e in self.entries if e.serial != revocation.serial), revocation)
        day = issued_on if issued_on is not None else max(self.issued_on, revocation.revoked_on)
        return RevocationList(issuer=self.issuer, issued_on=day, entries=entries)


@attrs.frozen(kw_only=True)
class SignedRevocationList(SelfChecking):
    """A :class:`~kol_trust.certification.RevocationList` with its issuer's signature
    (the signed-revocation-list document), signed like a certificate."""

    _document = "signed revocation list"

    revocation_list: RevocationList = c.checked(c.instance(RevocationList, "a revocation list"))
    """The signed list."""
    key_id: str = c.checked(key_id_check)
    """The id of the signing key (:func:`~kol_trust.certification.key_id`)."""
    signature: str = c.checked(signature_check)
    """Ed25519 signature of the list's RFC 8785 canonical bytes, unpadded base64url."""


def sign_revocations(revocation_list: RevocationList, private_key: Ed25519PrivateKey) -> SignedRevocationList:
    """Sign *revocation_list* with *private_key* (Ed25519 over its RFC 8785 bytes)."""
    if not isinstance(revocation_list, RevocationList):
        raise TypeError(f"expected a RevocationList, got {type(revocation_list).__name__}")
    kid, signature = sign_bytes(canonical_bytes(revocation_list), private_key)
    return SignedRevocationList(revocation_list=revocation_list, key_id=kid, signature=signature)
