"""Bitstring Status List v1.0: revocation and suspension as one signed bitstring.

A :class:`~kol_trust.credentials.StatusList` is a bitstring of at least
131 072 entries, one per issued credential; bit *i* set means the credential
whose ``credentialStatus`` names index *i* is revoked (or suspended, for a
``suspension`` list).  Index 0 is the most significant bit of the first byte.
:meth:`~kol_trust.credentials.StatusList.to_credential` publishes it as a
signed ``BitstringStatusListCredential`` whose ``encodedList`` is multibase
base64url (``u…``, no padding) of the GZIP of the bitstring; a verifier
downloads the whole list once, which tells the issuer nothing about whom it
checks.

:func:`~kol_trust.credentials.verify_status_list` reads a list credential
back, checking its proof, its issuer and its validity period, and never
raises.  :func:`~kol_trust.credentials.allocate_index` draws a fresh random
index for a new credential (random, so that neighbouring indexes say nothing
about when or to whom credentials were issued; never one already used).
"""

from __future__ import annotations

import datetime as dt
import gzip
import secrets
import zlib
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ..checks import describe, json_string
from ..errors import CredentialError, MultibaseError, SigningUnavailable
from .did_key import did_key, verification_method_of
from .multibase import decode_multibase, multibase_base64url
from .proof import add_proof, format_datetime, parse_datetime, read_document, verify_proof

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "MAX_LENGTH",
    "MIN_LENGTH",
    "STATUS_PURPOSES",
    "StatusList",
    "StatusListCheck",
    "allocate_index",
    "check_status_list_credential",
    "instant",
    "verify_status_list",
]

#: The smallest list the specification allows (16 KiB of bits: herd privacy).
MIN_LENGTH = 131_072
#: The largest list read back (2 MiB of bits); a larger one is malformed.
MAX_LENGTH = 16 * 1024 * 1024
#: The purposes this library writes and reads.
STATUS_PURPOSES = ("revocation", "suspension")
_V2 = "https://www.w3.org/ns/credentials/v2"
#: Default lifetime of a published list: a verifier needs a fresh one after that.
DEFAULT_LIST_VALIDITY = dt.timedelta(days=30)


def _check_index(index: Any, length: int) -> int:
    if not isinstance(index, int) or isinstance(index, bool):
        raise CredentialError(f"a status list index must be an integer, got {describe(index)}")
    if not 0 <= index < length:
        raise CredentialError(f"status list index {index} is outside the list (0 to {length - 1})")
    return index


class StatusList:
    """A Bitstring Status List: *length* bits (at least 131 072, a multiple of 8), all clear.

    Mutable on purpose (an issuer sets bits, then publishes); the published
    form is the signed credential of :meth:`to_credential`.
    """

    __slots__ = ("_bits", "length", "purpose")

    purpose: str
    """``revocation`` (permanent) or ``suspension`` (reversible)."""
    length: int
    """The number of entries."""

    def __init__(self, purpose: str = "revocation", length: int = MIN_LENGTH) -> None:
        if purpose not in STATUS_PURPOSES:
            raise CredentialError(
                f"statusPurpose: expected one of {', '.join(map(json_string, STATUS_PURPOSES))}, got {describe(purpose)}"
            )
        if not isinstance(length, int) or isinstance(length, bool) or length < MIN_LENGTH or length > MAX_LENGTH:
            raise CredentialError(f"a status list has {MIN_LENGTH} to {MAX_LENGTH} entries, not {describe(length)}")
        if length % 8:
            raise CredentialError(f"a status list's length is a whole number of bytes (a multiple of 8), not {length}")
        self.purpose = purpose
        self.length = length
        self._bits = bytearray(length // 8)

    def __repr__(self) -> str:
        return f"StatusList(purpose={self.purpose!r}, length={self.length}, set={self.count()})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StatusList):
            return NotImplemented
        return (self.purpose, self.length, self._bits) == (other.purpose, other.length, other._bits)

    __hash__ = None  # type: ignore[assignment]

    def set(self, index: int) -> None:
        """Set entry *index* (revoke, or suspend)."""
        i = _check_index(index, self.length)
        self._bits[i // 8] |= 0x80 >> (i % 8)

    def clear(self, index: int) -> None:
        """Clear entry *index* (for a suspension list: restore)."""
        i = _check_index(index, self.length)
        self._bits[i // 8] &= ~(0x80 >> (i % 8)) & 0xFF

    def is_set(self, index: int) -> bool:
        """True when entry *index* is set."""
        i = _check_index(index, self.length)
        return bool(self._bits[i // 8] & (0x80 >> (i % 8)))

    def count(self) -> int:
        """How many entries are set."""
        return sum(bin(b).count("1") for b in self._bits)

    def to_bytes(self) -> bytes:
        """The bitstring: index 0 is the most significant bit of the first byte."""
        return bytes(self._bits)

    def encoded_list(self) -> str:
        """The ``encodedList``: multibase base64url of the GZIP of :meth:`to_bytes` (mtime 0, so deterministic)."""
        return multibase_base64url(gzip.compress(self.to_bytes(), compresslevel=9, mtime=0))

    @classmethod
    def from_encoded_list(cls, encoded: str, purpose: str = "revocation") -> StatusList:
        """The list of an ``encodedList`` text; :class:`~kol_trust.errors.CredentialError` when it is not one."""
        if not isinstance(encoded, str):
            raise CredentialError(f"encodedList: expected a text, got {describe(encoded)}")
        try:
            compressed = decode_multibase(encoded, max_length=MAX_LENGTH)
        except MultibaseError as e:
            raise CredentialError(f"encodedList: {e}") from None
        if not encoded.startswith("u"):
            raise CredentialError('encodedList: must be multibase base64url (starts with "u")')
        try:
            d = zlib.decompressobj(wbits=31)  # GZIP only
            raw = d.decompress(compressed, MAX_LENGTH // 8 + 1)
            if len(raw) > MAX_LENGTH // 8 or d.unconsumed_tail:
                raise CredentialError(f"encodedList: more than {MAX_LENGTH} entries")
            if not d.eof or d.unused_data:
                raise CredentialError("encodedList: the GZIP data is truncated or followed by other bytes")
        except zlib.error as e:
            raise CredentialError(f"encodedList: not GZIP data ({e})") from None
        if len(raw) * 8 < MIN_LENGTH:
            raise CredentialError(f"encodedList: {len(raw) * 8} entries, fewer than the minimum {MIN_LENGTH}")
        out = cls(purpose, len(raw) * 8)
        out._bits[:] = raw
        return out

    def to_credential(
        self,
        private_key: Ed25519PrivateKey,
        *,
        id: str,
        issuer: str | None = None,
        valid_from: dt.datetime,
        valid_until: dt.datetime | None = None,
        verification_method: str | None = None,
    ) -> dict[str, Any]:
        """This list as a signed ``BitstringStatusListCredential``.

        *id* is the URL where it is published (credentials name it in
        ``statusListCredential``); *issuer* is the issuer's identifier, the
        did:key of *private_key* unless given (another issuer names its
        *verification_method*).  The list is valid from *valid_from* until
        *valid_until* (default 30 days later): a verifier refuses it after
        that, so publish a fresh one before.
        """
        if not isinstance(id, str) or not id or not id.isascii() or any(ch.isspace() for ch in id):
            raise CredentialError(f"$.id: the list's id must be an ASCII URL without spaces, got {describe(id)}")
        if issuer is None:
            issuer = did_key(private_key)
        method = verification_method
        if method is None:
            if issuer != did_key(private_key):
                raise CredentialError(
                    f"$.issuer: {describe(issuer)} is not the signing key's did:key: name its verification_method"
                )
            method = verification_method_of(private_key)
        until = valid_from + DEFAULT_LIST_VALIDITY if valid_until is None else valid_until
        start_text, until_text = format_datetime(valid_from), format_datetime(until)
        if until <= valid_from:
            raise CredentialError(f"$.validUntil: {until_text} is not after validFrom {start_text}")
        document = {
            "@context": [_V2],
            "id": id,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer,
            "validFrom": start_text,
            "validUntil": until_text,
            "credentialSubject": {
                "id": f"{id}#list",
                "type": "BitstringStatusList",
                "statusPurpose": self.purpose,
                "encodedList": self.encoded_list(),
            },
        }
        return add_proof(document, private_key, verification_method=method, created=valid_from)


@attrs.frozen(kw_only=True)
class StatusListCheck:
    """What :func:`~kol_trust.credentials.verify_status_list` found."""

    ok: bool
    """True when the list credential verifies under a trusted issuer and is valid at the time asked."""
    problem: str | None
    """Why not; ``None`` when ``ok``."""
    id: str | None = None
    """The list credential's ``id`` (its URL), when it could be read."""
    issuer: str | None = None
    """Its issuer's identifier, when it could be read."""
    valid_from: dt.datetime | None = None
    """Its ``validFrom``."""
    valid_until: dt.datetime | None = None
    """Its ``validUntil``."""
    status_list: StatusList | None = None
    """The list, only when the proof verified (else ``None``)."""


def issuer_id(value: Any) -> str | None:
    """The identifier of a credential's ``issuer`` (a text, or an object's ``id``), or ``None``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        issuer: str = value["id"]
        return issuer
    return None


def trusted_keys(trusted_issuers: Any) -> tuple[set[str], dict[str, Ed25519PublicKey]]:
    """The trusted issuer ids and, for those given as a mapping, their keys (checked types)."""
    if isinstance(trusted_issuers, str):
        return {trusted_issuers}, {}
    if isinstance(trusted_issuers, Mapping):
        ids, keys = set(), {}
        for name, key in trusted_issuers.items():
            if not isinstance(name, str):
                raise TypeError(f"trusted_issuers must map issuer ids to public keys, got the key {describe(name)}")
            ids.add(name)
            if key is not None:
                keys[name] = key
        return ids, keys
    if isinstance(trusted_issuers, Iterable):
        ids = set()
        for name in trusted_issuers:
            if not isinstance(name, str):
                raise TypeError(f"trusted_issuers must list issuer ids (DIDs or URLs), got {describe(name)}")
            ids.add(name)
        return ids, {}
    raise TypeError(f"trusted_issuers must be issuer ids or a mapping to keys, got {describe(trusted_issuers)}")


def check_issuer_proof(
    data: dict[str, Any], ids: set[str], keys: Mapping[str, Ed25519PublicKey], what: str
) -> tuple[str, str | None, str | None, dt.datetime | None]:
    """``(kind, problem, issuer, created)`` of *data*'s proof, bound to its issuer.

    The proof's verification method must belong to the issuer: the issuer's
    did:key itself, or, for an issuer given with a key in *keys*, a method
    ``ISSUER#…`` verified with that key.  *kind* is ``verified``,
    ``malformed``, ``unknown-key`` or ``bad-signature``.
    """
    issuer = issuer_id(data.get("issuer"))
    if issuer is None:
        return "malformed", f"$.issuer: {what} names no issuer identifier", None, None
    if issuer not in ids:
        return "unknown-key", f"{what} is issued by {issuer}, which is not a trusted issuer", issuer, None
    proof = data.get("proof")
    vm = proof.get("verificationMethod") if isinstance(proof, dict) else None
    if isinstance(vm, str) and vm.partition("#")[0] != issuer:
        return (
            "bad-signature",
            f"{what} is signed by {vm}, which is not a verification method of its issuer {issuer}",
            issuer,
            None,
        )
    method_keys = {vm: keys[issuer]} if issuer in keys and isinstance(vm, str) else None
    result = verify_proof(data, keys=method_keys)
    if not result.ok:
        return result.kind, f"{what}: {result.problem}", issuer, None
    return "verified", None, issuer, result.created


def check_status_list_credential(
    document: Any, *, trusted_issuers: Iterable[str] | Mapping[str, Ed25519PublicKey] | str
) -> StatusListCheck:
    """Check a ``BitstringStatusListCredential`` at no particular time; never raises on any *document*.

    ``ok`` when it is such a credential, issued by one of *trusted_issuers*
    (DIDs and URLs; a mapping gives the key of an issuer that is not a
    did:key) and signed by a verification method of that issuer, with a
    ``validFrom`` and a ``validUntil``.  Whether it is in force is for the
    caller to judge (:func:`~kol_trust.credentials.verify_status_list` does).
    """
    ids, keys = trusted_keys(trusted_issuers)
    data, why = read_document(document, "the status list credential")
    if data is None:
        return StatusListCheck(ok=False, problem=why)
    try:
        return _verify_list(data, ids, keys)
    except SigningUnavailable:
        raise
    except Exception as e:  # never raise on hostile input
        return StatusListCheck(
            ok=False, problem=f"the status list credential could not be checked ({type(e).__name__})"
        )


def verify_status_list(
    document: Any,
    *,
    trusted_issuers: Iterable[str] | Mapping[str, Ed25519PublicKey] | str,
    on: dt.datetime | dt.date,
) -> StatusListCheck:
    """Check a ``BitstringStatusListCredential`` at the instant *on*; never raises on any *document*.

    Not ``ok`` when :func:`~kol_trust.credentials.check_status_list_credential`
    is not, or *on* is outside ``validFrom`` … ``validUntil`` (an expired
    list fails: a verifier needs a fresh one).  A date *on* means 00:00:00 UTC.
    """
    when = instant(on)
    check = check_status_list_credential(document, trusted_issuers=trusted_issuers)
    if not check.ok:
        return check
    assert check.valid_from is not None
    assert check.valid_until is not None
    if when < check.valid_from:
        problem = f"the status list {check.id} is valid from {format_datetime(check.valid_from)}, after {format_datetime(when)}"
        return attrs.evolve(check, ok=False, problem=problem, status_list=None)
    if when >= check.valid_until:
        problem = (
            f"the status list {check.id} expired at {format_datetime(check.valid_until)} "
            f"(checked at {format_datetime(when)}): get a fresh one from its issuer"
        )
        return attrs.evolve(check, ok=False, problem=problem, status_list=None)
    return check


def instant(on: Any) -> dt.datetime:
    """*on* as an aware datetime: a date is 00:00:00 UTC of that day; a naive datetime is refused (``TypeError``)."""
    if isinstance(on, dt.datetime):
        if on.tzinfo is None or on.utcoffset() is None:
            raise TypeError("on must be an aware datetime (UTC), not a naive one")
        return on
    if isinstance(on, dt.date):
        return dt.datetime(on.year, on.month, on.day, tzinfo=dt.UTC)
    raise TypeError(f"on must be an aware datetime or a date, got {describe(on)}")


def _verify_list(data: dict[str, Any], ids: set[str], keys: Mapping[str, Any]) -> StatusListCheck:
    what = "the status list credential"
    list_id = data.get("id") if isinstance(data.get("id"), str) else None

    def bad(problem: str, **more: Any) -> StatusListCheck:
        return StatusListCheck(ok=False, problem=problem, id=list_id, **more)

    types = data.get("type")
    if not isinstance(types, list) or "BitstringStatusListCredential" not in types:
        return bad(f"$.type: {what} must have the type BitstringStatusListCredential")
    context = data.get("@context")
    if not isinstance(context, list) or not context or context[0] != _V2:
        return bad(f"$.@context: the first context must be {_V2}")
    if list_id is None:
        return bad(f"$.id: {what} has no id")
    _, problem, issuer, _ = check_issuer_proof(data, ids, keys, what)
    if problem is not None:
        return bad(problem, issuer=issuer)
    start, until = parse_datetime(data.get("validFrom")), parse_datetime(data.get("validUntil"))
    if start is None:
        return bad("$.validFrom: missing or not a date-time", issuer=issuer)
    if until is None:
        return bad("$.validUntil: a status list must say until when it is valid", issuer=issuer)
    if until <= start:
        return bad("$.validUntil: is not after validFrom", issuer=issuer)
    period: dict[str, Any] = {"issuer": issuer, "valid_from": start, "valid_until": until}
    subject = data.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != "BitstringStatusList":
        return bad('$.credentialSubject.type: expected "BitstringStatusList"', **period)
    purpose = subject.get("statusPurpose")
    if purpose not in STATUS_PURPOSES:
        return bad(
            f"$.credentialSubject.statusPurpose: expected revocation or suspension, got {describe(purpose)}", **period
        )
    try:
        status_list = StatusList.from_encoded_list(subject.get("encodedList"), purpose)  # type: ignore[arg-type]
    except CredentialError as e:
        return bad(f"$.credentialSubject.{e}", **period)
    return StatusListCheck(ok=True, problem=None, id=list_id, status_list=status_list, **period)


def allocate_index(used: Collection[int], length: int = MIN_LENGTH) -> int:
    """A random index in ``[0, length)`` that is not in *used* (cryptographic randomness).

    The caller records the index with the credential and adds it to *used*
    so that it is never given twice.  Raises
    :class:`~kol_trust.errors.CredentialError` when every index is used.
    """
    taken = set(used)
    if len(taken) >= length:
        raise CredentialError(f"every one of the {length} indexes of the status list is used: start a new list")
    while True:
        index = secrets.randbelow(length)
        if index not in taken:
            return index
