"""Checking a signed certificate: :func:`~kol_trust.certification.verify_certificate`.

The envelope comes from anyone, so nothing about it is trusted and nothing
about it raises: whatever it is (an object, a document, JSON text, or
something else entirely), the answer is a :class:`~kol_trust.certification.Verification`
whose ``status`` says what was found.  The order of the checks and the rules
for revocation lists are in the docstring of
:func:`~kol_trust.certification.verify_certificate`.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from ..checks import describe
from ..errors import SignatureError, ValidationError
from ..wire import canonical_bytes, from_dict, parse_json, to_dict
from .certificate import Certificate
from .keys import ed25519, is_public_key, key_id
from .revocation import Revocation, RevocationList, SignedRevocationList
from .signing import SignedCertificate, signature_verifies

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


__all__ = [
    "MAX_DOCUMENT_SIZE",
    "MAX_REVOCATION_LIST_SIZE",
    "Verification",
    "VerificationStatus",
    "verify_certificate",
    "verify_revocation_list",
]

#: A signed certificate as JSON text longer than this (characters or bytes)
#: is malformed without being parsed; a real one is well under 4 kB.
MAX_DOCUMENT_SIZE = 1_000_000
#: The same limit for a signed revocation list (about 80 bytes an entry).
MAX_REVOCATION_LIST_SIZE = 64_000_000

T = TypeVar("T")


class VerificationStatus(enum.StrEnum):
    """The outcome of :func:`~kol_trust.certification.verify_certificate`; only ``valid`` is good."""

    VALID = "valid"
    """Signed by a given key, not revoked, and *on* is within the validity period."""
    EXPIRED = "expired"
    """Genuine, but *on* is after ``valid_until``."""
    NOT_YET_VALID = "not-yet-valid"
    """Genuine, but *on* is before ``issued_on``."""
    REVOKED = "revoked"
    """Genuine, but its issuer revoked it on or before *on*."""
    BAD_SIGNATURE = "bad-signature"
    """The signature does not verify: the certificate was changed or the signature forged."""
    UNKNOWN_KEY = "unknown-key"
    """Signed with a key that is not among the given keys."""
    MALFORMED = "malformed"
    """The envelope, or a revocation list, is not a valid document (or does not verify)."""


@attrs.frozen(kw_only=True)
class Verification:
    """What :func:`~kol_trust.certification.verify_certificate` found."""

    status: VerificationStatus
    """The first check that failed, or ``valid``."""
    certificate: Certificate | None
    """The certificate, once its signature verified (``valid``, ``revoked``,
    ``not-yet-valid``, ``expired``); ``None`` otherwise, so that unverified
    content is never handed out as if it were genuine."""
    key_id: str | None
    """The envelope's key id, when the envelope could be read."""
    detail: str
    """Why, in one English sentence; for ``malformed``, with the JSON path of the problem."""
    revocation: Revocation | None = None
    """The revocation entry, when the status is ``revoked``."""

    @property
    def ok(self) -> bool:
        """True only when the status is ``valid``."""
        return self.status is VerificationStatus.VALID


# -- reading -----------------------------------------------------------------------------


def _first_problem(error: ValidationError) -> str:
    if not error.problems:
        return str(error)
    first = error.problems[0]
    more = len(error.problems) - 1
    return f"{first}" + (f" (and {more} more problem{'s' if more != 1 else ''})" if more else "")


def _read(envelope: Any, cls: type[T], what: str, limit: int = MAX_DOCUMENT_SIZE) -> tuple[T | None, str]:
    """*envelope* read as a *cls*, or ``None`` and why not (never raises)."""
    try:
        if isinstance(envelope, cls):
            data = to_dict(envelope)  # built in this process, but checked again all the same
        elif isinstance(envelope, str | bytes | bytearray | memoryview):
            if len(envelope) > limit:
                return None, f"{what} is too large ({len(envelope)} > {limit}) to be read"
            text = envelope if isinstance(envelope, str) else bytes(envelope)
            try:
                data = parse_json(text, what)
            except ValidationError as e:
                return None, f"{what} is not JSON text: {_first_problem(e)}"
        elif isinstance(envelope, dict):
            data = envelope
        else:
            return None, f"{what} is {describe(envelope)}, not a document"
        try:
            return from_dict(data, cls), ""
        except ValidationError as e:
            return None, f"{what} is malformed: {_first_problem(e)}"
    except RecursionError:
        return None, f"{what} is nested too deeply"
    except Exception as e:  # never raise on hostile input
        return None, f"{what} could not be read ({type(e).__name__})"


def _keyring(public_keys: Any) -> dict[str, Ed25519PublicKey]:
    """The given keys by key id (a mapping's own ids are kept, to be checked)."""
    ed25519()  # SigningUnavailable when cryptography is missing
    items: list[tuple[str | None, Any]]
    if is_public_key(public_keys):
        items = [(None, public_keys)]
    elif isinstance(public_keys, Mapping):
        items = list(public_keys.items())
    elif isinstance(public_keys, Iterable) and not isinstance(public_keys, str | bytes | bytearray):
        items = [(None, k) for k in public_keys]
    else:
        raise TypeError(f"public_keys must be an Ed25519 public key, keys or a mapping, got {describe(public_keys)}")
    ring: dict[str, Ed25519PublicKey] = {}
    for label, key in items:
        if not is_public_key(key):
            raise TypeError(f"expected Ed25519 public keys, got {describe(key)}")
        if label is not None and not isinstance(label, str):
            raise TypeError(f"public key ids must be strings, got {describe(label)}")
        ring[key_id(key) if label is None else label] = key
    return ring


def _check_signature(
    message: bytes, kid: str, signature: str, ring: Mapping[str, Ed25519PublicKey]
) -> tuple[VerificationStatus | None, str]:
    """``(None, "")`` when the signature verifies, else the status and why."""
    key = ring.get(kid)
    if key is None:
        n = len(ring)
        return (
            VerificationStatus.UNKNOWN_KEY,
            f"signed with key {kid}, which is not among the {n} given key{'s' * (n != 1)}",
        )
    actual = key_id(key)
    if actual != kid:
        return (
            VerificationStatus.BAD_SIGNATURE,
            f"the key given under the id {kid} is the key {actual}: the key id does not name it",
        )
    if not signature_verifies(message, signature, key):
        return (
            VerificationStatus.BAD_SIGNATURE,
            f"the signature does not verify with key {kid}: the document was changed after signing, "
            "or the signature is forged",
        )
    return None, ""


def _revocation_inputs(revocations: Any) -> list[Any]:
    if revocations is None:
        return []
    if isinstance(revocations, SignedRevocationList | dict | str | bytes | bytearray | memoryview):
        return [revocations]
    if isinstance(revocations, Iterable):
        return list(revocations)
    return [revocations]  # reported as malformed


def _read_revocations(
    revocations: Any, ring: Mapping[str, Ed25519PublicKey]
) -> tuple[list[RevocationList] | None, str]:
    """The verified lists, or ``None`` and why one of them fails (fail closed)."""
    try:
        inputs = _revocation_inputs(revocations)
    except Exception as e:
        return None, f"the revocation lists could not be read ({type(e).__name__})"
    out = []
    for i, raw in enumerate(inputs):
        what = "the revocation list" if len(inputs) == 1 else f"revocation list #{i + 1}"
        signed, why = _read(raw, SignedRevocationList, what, MAX_REVOCATION_LIST_SIZE)
        if signed is None:
            return None, why
        try:
            status, why = _check_signature(
                canonical_bytes(signed.revocation_list), signed.key_id, signed.signature, ring
            )
        except Exception as e:
            return None, f"{what} could not be checked ({type(e).__name__})"
        if status is not None:
            return None, f"{what} does not verify: {why}"
        out.append(signed.revocation_list)
    return out, ""


# -- verifying ---------------------------------------------------------------------------


def verify_certificate(
    envelope: Any,
    public_keys: Ed25519PublicKey | Iterable[Ed25519PublicKey] | Mapping[str, Ed25519PublicKey],
    *,
    on: dt.date,
    revocations: Any = None,
) -> Verification:
    """Check a signed certificate on the day *on*; never raises on a bad envelope.

    *envelope* is a :class:`~kol_trust.certification.SignedCertificate`, its document (a
    dict) or its JSON text (``str`` or ``bytes``), from anyone.
    *public_keys* are the trusted keys: one Ed25519 public key, an iterable of
    them, or a mapping from key id to key (each id is checked against its
    key).  *revocations* is a signed revocation list (object, document or JSON
    text) or an iterable of them; each must verify with *public_keys*, else
    the result is ``malformed`` (fail closed).

    The checks run in this order, and the first that fails gives the status:

    1. ``malformed``: the envelope is not a valid signed-certificate document
       (the detail names the JSON path), or a revocation list given is not
       readable or does not verify (see below);
    2. ``unknown-key``: the envelope's ``key_id`` is not one of the given keys;
    3. ``bad-signature``: the signature does not verify with that key (or the
       key given under that id is not the key the id names);
    4. ``revoked``: a revocation list of the certificate's issuer has an entry
       for its serial with ``revoked_on`` on or before *on*;
    5. ``not-yet-valid``: *on* is before ``issued_on``;
    6. ``expired``: *on* is after ``valid_until`` (the last valid day);
    7. ``valid``.

    **Revocation lists fail closed.**  Every list given must itself be a valid
    signed-revocation-list document signed by one of the given keys; when one
    is not, the result is ``malformed`` (the detail names the list and its
    problem), never ``valid``.  A forged or damaged list can therefore only
    make a good certificate fail, never make a revoked one pass.  A list that
    verifies but names another issuer than the certificate is ignored: it is
    about other certificates, so the lists of several issuers can be passed
    together.

    Envelope text longer than 1 000 000 characters (or bytes), or revocation
    list text longer than 64 000 000, is malformed without being parsed.

    Wrong *public_keys* or *on* (not keys, not a date) are the caller's
    mistake and raise ``TypeError``.
    """
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        raise TypeError(f"on must be a date, got {describe(on)}")
    ring = _keyring(public_keys)
    malformed = VerificationStatus.MALFORMED

    signed, why = _read(envelope, SignedCertificate, "the signed certificate")
    if signed is None:
        return Verification(status=malformed, certificate=None, key_id=None, detail=why)
    lists, why = _read_revocations(revocations, ring)
    if lists is None:
        return Verification(status=malformed, certificate=None, key_id=signed.key_id, detail=why)
    cert = signed.certificate
    try:
        status, why = _check_signature(canonical_bytes(cert), signed.key_id, signed.signature, ring)
    except Exception as e:  # never raise on hostile input
        status, why = malformed, f"the signed certificate could not be checked ({type(e).__name__})"
    if status is not None:
        return Verification(status=status, certificate=None, key_id=signed.key_id, detail=why)

    def result(status: VerificationStatus, detail: str, revocation: Revocation | None = None) -> Verification:
        return Verification(status=status, certificate=cert, key_id=signed.key_id, detail=detail, revocation=revocation)

    found = [
        (rl, e)
        for rl in lists
        if rl.issuer == cert.issuer
        for e in rl.entries
        if e.serial == cert.serial and e.revoked_on <= on
    ]
    if found:
        rl, entry = min(found, key=lambda pair: pair[1].revoked_on)
        return result(
            VerificationStatus.REVOKED,
            f"certificate {cert.serial} was revoked on {entry.revoked_on.isoformat()} ({entry.reason.value}) "
            f"by the revocation list of {cert.issuer!r} of {rl.issued_on.isoformat()}",
            entry,
        )
    period = f"{cert.issued_on.isoformat()} to {cert.valid_until.isoformat()}"
    if on < cert.issued_on:
        return result(
            VerificationStatus.NOT_YET_VALID,
            f"certificate {cert.serial} is valid from {cert.issued_on.isoformat()}, after {on.isoformat()}",
        )
    if on > cert.valid_until:
        return result(
            VerificationStatus.EXPIRED,
            f"certificate {cert.serial} expired: its last valid day was {cert.valid_until.isoformat()}, "
            f"before {on.isoformat()}",
        )
    return result(
        VerificationStatus.VALID,
        f"certificate {cert.serial} of {cert.subject_id!r}, tier {cert.tier!r}, issued by {cert.issuer!r}, "
        f"is valid from {period} inclusive; signed with key {signed.key_id}",
    )


def verify_revocation_list(
    envelope: Any, public_keys: Ed25519PublicKey | Iterable[Ed25519PublicKey] | Mapping[str, Ed25519PublicKey]
) -> RevocationList:
    """The revocation list of a signed one, once it verifies with *public_keys*.

    *envelope* is a :class:`~kol_trust.certification.SignedRevocationList`, its document or
    its JSON text.  Raises :class:`~kol_trust.errors.SignatureError` saying why when
    it is malformed, signed with an unknown key or its signature does not
    verify.
    """
    lists, why = _read_revocations([envelope], _keyring(public_keys))
    if lists is None:
        raise SignatureError(why)
    return lists[0]
