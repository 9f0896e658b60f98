"""The certificate as a W3C Verifiable Credential (VC Data Model 2.0).

:func:`~kol_trust.credentials.issue_credential` turns a
:class:`~kol_trust.certification.Certificate` into a credential signed with
an ``eddsa-jcs-2022`` Data Integrity proof; any conforming verifier can check
it, in any language, offline.  :func:`~kol_trust.credentials.verify_credential`
checks one: its proof by its issuer's key, its status lists, its validity
period; it never raises on hostile input.

The credential's terms are defined in an inline JSON-LD context (the second
entry of ``@context``), so a JSON-LD processor expands them without fetching
anything but the W3C's own context.
"""

from __future__ import annotations

import copy
import datetime as dt
import enum
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ..assessment import RubricRef
from ..certification.certificate import Certificate
from ..checks import describe, json_string
from ..errors import CredentialError, SigningUnavailable, ValidationError
from ..model import Text
from .did_key import DID_KEY_PREFIX, did_key, verification_method_of
from .proof import add_proof, format_datetime, parse_datetime, read_document
from .status_list import (
    STATUS_PURPOSES,
    StatusList,
    StatusListCheck,
    check_issuer_proof,
    check_status_list_credential,
    instant,
    trusted_keys,
)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "CREDENTIAL_CONTEXT",
    "CREDENTIAL_TYPE",
    "VOCABULARY",
    "CredentialCheck",
    "CredentialStatus",
    "issue_credential",
    "verify_credential",
]

_V2 = "https://www.w3.org/ns/credentials/v2"
#: The namespace of the credential's terms (an IRI that names them; nothing is fetched from it).
VOCABULARY = "https://kol-trust.example/ns/1#"
#: The type of a KOL Trust certificate credential (with ``VerifiableCredential``).
CREDENTIAL_TYPE = "KolTrustCertificate"
_XSD = "http://www.w3.org/2001/XMLSchema#"
#: The credential's ``@context``: the VC 2.0 context, then the inline definitions of our terms.
CREDENTIAL_CONTEXT: tuple[Any, ...] = (
    _V2,
    {
        "@protected": True,
        CREDENTIAL_TYPE: VOCABULARY + CREDENTIAL_TYPE,
        "KolTrustSubject": VOCABULARY + "KolTrustSubject",
        "serial": VOCABULARY + "serial",
        "subjectId": VOCABULARY + "subjectId",
        "subjectName": VOCABULARY + "subjectName",
        "tier": VOCABULARY + "tier",
        "tierTitle": {"@id": VOCABULARY + "tierTitle", "@container": "@language"},
        "score": {"@id": VOCABULARY + "score", "@type": _XSD + "decimal"},
        "coverage": {"@id": VOCABULARY + "coverage", "@type": _XSD + "decimal"},
        "rubricId": VOCABULARY + "rubricId",
        "rubricVersion": VOCABULARY + "rubricVersion",
        "rubricDigest": VOCABULARY + "rubricDigest",
        "assessmentFingerprint": VOCABULARY + "assessmentFingerprint",
        "asOf": {"@id": VOCABULARY + "asOf", "@type": _XSD + "date"},
    },
)
_URL = re.compile(r"(did:[a-z0-9]+:[A-Za-z0-9._:%#/?=&~-]+|https://[A-Za-z0-9._:%#/?=&~@+!$,;*'()\[\]-]+)")
_STATUS_URL = re.compile(r"https://[A-Za-z0-9._:%/?=&~@+!$,;*'()\[\]-]+")


class CredentialStatus(enum.StrEnum):
    """The outcome of :func:`~kol_trust.credentials.verify_credential`; only ``valid`` is good."""

    VALID = "valid"
    """Signed by a trusted issuer's key, not revoked or suspended, and within its validity period."""
    EXPIRED = "expired"
    """Genuine, but the time is at or after ``validUntil``."""
    NOT_YET_VALID = "not-yet-valid"
    """Genuine, but the time is before ``validFrom``."""
    REVOKED = "revoked"
    """Genuine, but its bit is set in the issuer's revocation list."""
    SUSPENDED = "suspended"
    """Genuine, but its bit is set in the issuer's suspension list."""
    BAD_SIGNATURE = "bad-signature"
    """The proof does not verify, or is by a key that is not the issuer's."""
    UNKNOWN_KEY = "unknown-key"
    """The issuer is not trusted, or its key cannot be resolved offline."""
    MALFORMED = "malformed"
    """Not a KOL Trust credential, or a status list given does not verify (fail closed)."""


@attrs.frozen(kw_only=True)
class CredentialCheck:
    """What :func:`~kol_trust.credentials.verify_credential` found."""

    status: CredentialStatus
    """The first check that failed, or ``valid``."""
    detail: str
    """Why, in English; for ``malformed``, with the JSON path of the problem."""
    certificate: Certificate | None = None
    """The certificate read back, once the proof verified (else ``None``: unverified content is never handed out)."""
    issuer: str | None = None
    """The issuer's identifier, when it could be read."""
    valid_from: dt.datetime | None = None
    """``validFrom``, once the proof verified."""
    valid_until: dt.datetime | None = None
    """``validUntil``, once the proof verified."""
    status_checked: tuple[str, ...] = ()
    """The status purposes checked against a status list (``revocation``, ``suspension``)."""
    status_unchecked: tuple[str, ...] = ()
    """The purposes the credential names a list for, but no list was given: not checked."""

    @property
    def ok(self) -> bool:
        """True only when the status is ``valid``."""
        return self.status is CredentialStatus.VALID


# -- issuing -------------------------------------------------------------------------------


def _identifier(value: str, what: str) -> str:
    if not isinstance(value, str) or not _URL.fullmatch(value) or len(value) > 500:
        raise CredentialError(f"{what}: {describe(value)} is not a DID or an https URL (ASCII, no spaces)")
    return value


def check_issuer_name(name: str) -> None:
    """Refuse an issuer name that two verifiers could read differently.

    A name must be in Unicode NFC, without leading, trailing or repeated
    spaces and without control characters: else one spelling of a name is
    not another's, and comparisons fail silently.
    """
    if not isinstance(name, str) or not name:
        raise CredentialError("$.issuer.name: the issuer's name must be a non-empty text")
    if unicodedata.normalize("NFC", name) != name:
        raise CredentialError(f"$.issuer.name: {json_string(name)} is not in Unicode NFC; normalise it first")
    if name != name.strip() or "  " in name:
        raise CredentialError(f"$.issuer.name: {json_string(name)} has leading, trailing or repeated spaces")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise CredentialError(f"$.issuer.name: {json_string(name)} has a control or format character")


def credential_dates(certificate: Certificate) -> tuple[str, str]:
    """``(validFrom, validUntil)`` of *certificate*: its first day at 00:00:00Z and the day after its last at 00:00:00Z."""
    return format_datetime(certificate.issued_on), format_datetime(certificate.valid_until + dt.timedelta(days=1))


def subject_of(certificate: Certificate) -> dict[str, Any]:
    """The ``credentialSubject`` of *certificate*."""
    subject: dict[str, Any] = {
        "type": "KolTrustSubject",
        "serial": certificate.serial,
        "subjectId": certificate.subject_id,
    }
    if certificate.subject_name is not None:
        subject["subjectName"] = certificate.subject_name
    subject.update(
        {
            "tier": certificate.tier,
            "tierTitle": {"vi": certificate.tier_title.vi, "en": certificate.tier_title.en},
            "score": certificate.score,
            "coverage": certificate.coverage,
            "rubricId": certificate.rubric.id,
            "rubricVersion": certificate.rubric.version,
            "rubricDigest": certificate.rubric.digest,
            "assessmentFingerprint": certificate.fingerprint,
            "asOf": certificate.as_of.isoformat(),
        }
    )
    return subject


def issue_credential(
    certificate: Certificate,
    private_key: Ed25519PrivateKey,
    *,
    issuer: str | None = None,
    verification_method: str | None = None,
    status_list: str | None = None,
    suspension_list: str | None = None,
    status_index: int | None = None,
    created: dt.datetime | None = None,
) -> dict[str, Any]:
    """*certificate* as a signed VC 2.0 credential (``eddsa-jcs-2022``).

    ``issuer`` is the did:key of *private_key* unless given; a did:web or
    https issuer must name its *verification_method* (``ISSUER#key-1``),
    whose key verifiers are given out of band.  The certificate's own
    ``issuer`` text becomes the issuer's ``name`` (refused unless it is NFC
    without stray spaces).  ``validFrom`` is the issue date at 00:00:00Z and
    ``validUntil`` the day after the last valid day at 00:00:00Z (exclusive).

    *status_list* (and *suspension_list*) are the https URLs of the issuer's
    revocation (and suspension) list credentials; *status_index* is the
    credential's index in them (see :func:`~kol_trust.credentials.allocate_index`).
    *created* is the proof's time (default: ``validFrom``).
    """
    if not isinstance(certificate, Certificate):
        raise TypeError(f"expected a Certificate, got {type(certificate).__name__}")
    own = did_key(private_key)
    issuer_ident = own if issuer is None else _identifier(issuer, "$.issuer")
    if verification_method is None:
        if issuer_ident != own:
            if issuer_ident.startswith(DID_KEY_PREFIX):
                raise CredentialError(f"$.issuer: {issuer_ident} is another key's did:key than the signing key's")
            raise CredentialError(
                f"$.issuer: {issuer_ident} is not a did:key: name the verification_method (such as {issuer_ident}#key-1)"
            )
        verification_method = verification_method_of(private_key)
    elif verification_method.partition("#")[0] != issuer_ident or "#" not in verification_method:
        raise CredentialError(
            f"$.proof.verificationMethod: {json_string(verification_method)} is not a verification method of the issuer "
            f"{issuer_ident} (expected {issuer_ident}#…)"
        )
    name = certificate.issuer
    issuer_value: Any = issuer_ident
    if name != issuer_ident:
        check_issuer_name(name)
        issuer_value = {"id": issuer_ident, "name": name}
    valid_from, valid_until = credential_dates(certificate)
    document: dict[str, Any] = {
        "@context": copy.deepcopy(list(CREDENTIAL_CONTEXT)),
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": issuer_value,
        "validFrom": valid_from,
        "validUntil": valid_until,
        "credentialSubject": subject_of(certificate),
    }
    lists = [(p, u) for p, u in (("revocation", status_list), ("suspension", suspension_list)) if u is not None]
    if lists:
        if not isinstance(status_index, int) or isinstance(status_index, bool) or status_index < 0:
            raise CredentialError(
                f"$.credentialStatus: a status list needs a status_index ≥ 0, got {describe(status_index)}"
            )
        entries = []
        for purpose, url in lists:
            if not isinstance(url, str) or not _STATUS_URL.fullmatch(url) or "#" in url:
                raise CredentialError(f"$.credentialStatus: the {purpose} list {describe(url)} is not an https URL")
            entries.append(
                {
                    "id": f"{url}#{status_index}",
                    "type": "BitstringStatusListEntry",
                    "statusPurpose": purpose,
                    "statusListIndex": str(status_index),
                    "statusListCredential": url,
                }
            )
        document["credentialStatus"] = entries[0] if len(entries) == 1 else entries
    elif status_index is not None:
        raise CredentialError("$.credentialStatus: status_index given without a status list")
    when = created if created is not None else dt.datetime.fromisoformat(valid_from.replace("Z", "+00:00"))
    return add_proof(document, private_key, verification_method=verification_method, created=when)


# -- reading -------------------------------------------------------------------------------


class _Malformed(Exception):
    pass


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise _Malformed(message)


def read_certificate(data: Mapping[str, Any], issuer: str) -> tuple[Certificate, dt.datetime, dt.datetime]:
    """The certificate of a credential document, and its ``validFrom`` and ``validUntil``; raises ``_Malformed``."""
    allowed = {
        "@context",
        "id",
        "type",
        "issuer",
        "validFrom",
        "validUntil",
        "credentialSubject",
        "credentialStatus",
        "proof",
    }
    extra = sorted(set(data) - allowed)
    _require(not extra, f"$.{extra[0] if extra else ''}: not a field of a KOL Trust credential")
    context = data.get("@context")
    _require(context == list(CREDENTIAL_CONTEXT), "$.@context: not the KOL Trust credential context")
    _require(
        data.get("type") == ["VerifiableCredential", CREDENTIAL_TYPE],
        f'$.type: expected ["VerifiableCredential", {json_string(CREDENTIAL_TYPE)}]',
    )
    start = parse_datetime(data.get("validFrom"))
    until = parse_datetime(data.get("validUntil"))
    _require(start is not None, "$.validFrom: missing or not a date-time")
    _require(until is not None, "$.validUntil: missing or not a date-time")
    assert start is not None
    assert until is not None
    _require(until > start, "$.validUntil: is not after validFrom")
    _require(
        start.utcoffset() == dt.timedelta(0) and start.time() == dt.time(0) and until.time() == dt.time(0),
        "$.validFrom: a KOL Trust credential runs from midnight UTC to midnight UTC",
    )
    raw_issuer = data.get("issuer")
    name = issuer
    if isinstance(raw_issuer, dict):
        _require(set(raw_issuer) <= {"id", "name"}, "$.issuer: only id and name are allowed")
        name = raw_issuer.get("name", issuer)
        _require(isinstance(name, str) and bool(name), "$.issuer.name: expected a non-empty text")
    subject = data.get("credentialSubject")
    _require(isinstance(subject, dict), "$.credentialSubject: expected an object")
    assert isinstance(subject, dict)
    keys = {"type", "serial", "subjectId", "subjectName", "tier", "tierTitle", "score", "coverage", "rubricId",
            "rubricVersion", "rubricDigest", "assessmentFingerprint", "asOf"}  # fmt: skip
    extra = sorted(set(subject) - keys)
    _require(not extra, f"$.credentialSubject.{extra[0] if extra else ''}: not a field of a KOL Trust certificate")
    _require(subject.get("type") == "KolTrustSubject", '$.credentialSubject.type: expected "KolTrustSubject"')
    title = subject.get("tierTitle")
    _require(isinstance(title, dict) and set(title) == {"vi", "en"}, "$.credentialSubject.tierTitle: expected {vi, en}")
    assert isinstance(title, dict)
    as_of = subject.get("asOf")
    try:
        as_of_date = dt.date.fromisoformat(as_of) if isinstance(as_of, str) and len(as_of) == 10 else None
    except ValueError:
        as_of_date = None
    _require(as_of_date is not None, "$.credentialSubject.asOf: expected a date YYYY-MM-DD")
    try:
        certificate = Certificate(
            serial=subject.get("serial"),  # type: ignore[arg-type]
            subject_id=subject.get("subjectId"),  # type: ignore[arg-type]
            subject_name=subject.get("subjectName"),
            tier=subject.get("tier"),  # type: ignore[arg-type]
            tier_title=Text(vi=title.get("vi"), en=title.get("en")),  # type: ignore[arg-type]
            score=subject.get("score"),  # type: ignore[arg-type]
            coverage=subject.get("coverage"),  # type: ignore[arg-type]
            rubric=RubricRef(
                id=subject.get("rubricId"),  # type: ignore[arg-type]
                version=subject.get("rubricVersion"),  # type: ignore[arg-type]
                digest=subject.get("rubricDigest"),  # type: ignore[arg-type]
            ),
            fingerprint=subject.get("assessmentFingerprint"),  # type: ignore[arg-type]
            as_of=as_of_date,  # type: ignore[arg-type]
            issuer=name,
            issued_on=start.date(),
            valid_until=until.date() - dt.timedelta(days=1),
        )
    except ValidationError as e:
        first = e.problems[0] if e.problems else None
        raise _Malformed(f"$.credentialSubject: {first}" if first else str(e)) from None
    except (TypeError, ValueError) as e:
        raise _Malformed(f"$.credentialSubject: not a certificate ({e})") from None
    return certificate, start, until


def status_entries(data: Mapping[str, Any]) -> list[tuple[str, str, int]]:
    """``(purpose, list url, index)`` of each ``BitstringStatusListEntry``; raises ``_Malformed``."""
    raw = data.get("credentialStatus")
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    _require(0 < len(items) <= 2, "$.credentialStatus: expected one or two status entries")
    out, seen = [], set()
    for i, item in enumerate(items):
        where = "$.credentialStatus" + (f"[{i}]" if isinstance(raw, list) else "")
        _require(isinstance(item, dict), f"{where}: expected a status entry object")
        _require(item.get("type") == "BitstringStatusListEntry", f'{where}.type: expected "BitstringStatusListEntry"')
        purpose = item.get("statusPurpose")
        _require(
            purpose in STATUS_PURPOSES and purpose not in seen,
            f"{where}.statusPurpose: expected revocation or suspension, once each",
        )
        seen.add(purpose)
        url = item.get("statusListCredential")
        _require(
            isinstance(url, str) and bool(_STATUS_URL.fullmatch(url)),
            f"{where}.statusListCredential: expected an https URL",
        )
        index = item.get("statusListIndex")
        _require(
            isinstance(index, str)
            and index.isdigit()
            and index.isascii()
            and len(index) <= 9
            and (index == "0" or not index.startswith("0")),
            f"{where}.statusListIndex: expected a non-negative integer as text",
        )
        out.append((purpose, url, int(index)))
    return out


# -- verifying -----------------------------------------------------------------------------


def verify_credential(
    document: Any,
    *,
    trusted_issuers: Iterable[str] | Mapping[str, Ed25519PublicKey] | str,
    on: dt.datetime | dt.date,
    status_lists: Iterable[Any] = (),
) -> CredentialCheck:
    """Check a KOL Trust credential at the instant *on*; never raises on hostile input.

    *document* is a dict or JSON text.  *trusted_issuers* are the issuers
    whose credentials are accepted: DIDs and URLs; for an issuer that is not
    a did:key, a mapping gives its public key.  *on* is an aware datetime (a
    date means 00:00:00 UTC of that day).  *status_lists* are status list
    credentials (dicts or JSON text) in any order.

    The checks run in this order and the first that fails gives the status:

    1. ``malformed``: not a JSON object with an issuer;
    2. ``unknown-key``: the issuer is not trusted, or its key cannot be resolved;
    3. ``bad-signature``: the proof is not by a verification method of the
       issuer, or does not verify (anything changed after signing);
    4. ``malformed``: not a KOL Trust credential (checked once genuine), or
       **a status list given does not verify** under a trusted issuer, is
       not the credential issuer's, or — for a list the credential names —
       the newest one in force at *on* has expired (status lists fail closed);
    5. ``revoked`` / ``suspended``: the credential's bit is set in the list;
    6. ``not-yet-valid``: *on* is before ``validFrom``;
    7. ``expired``: *on* is at or after ``validUntil``;
    8. ``valid``.

    Several lists with the same id resolve to the newest valid one (by
    ``validFrom``), so an old list replayed beside a newer one changes
    nothing.  A list the credential names but that is not given leaves that
    purpose unchecked (:attr:`~kol_trust.credentials.CredentialCheck.status_unchecked`).
    """
    ids, keys = trusted_keys(trusted_issuers)
    when = instant(on)
    lists_in = list(status_lists) if not isinstance(status_lists, str | bytes | dict) else [status_lists]
    data, why = read_document(document, "the credential")
    if data is None:
        return CredentialCheck(status=CredentialStatus.MALFORMED, detail=why)
    try:
        return _verify(data, ids, keys, when, lists_in)
    except SigningUnavailable:
        raise
    except Exception as e:  # never raise on hostile input
        return CredentialCheck(
            status=CredentialStatus.MALFORMED, detail=f"the credential could not be checked ({type(e).__name__})"
        )


def _verify(
    data: dict[str, Any], ids: set[str], keys: Mapping[str, Any], on: dt.datetime, lists_in: list[Any]
) -> CredentialCheck:
    malformed = CredentialStatus.MALFORMED
    kind, problem, issuer, _ = check_issuer_proof(data, ids, keys, "the credential")
    if problem is not None:
        kinds = {"unknown-key": CredentialStatus.UNKNOWN_KEY, "bad-signature": CredentialStatus.BAD_SIGNATURE}
        return CredentialCheck(status=kinds.get(kind, malformed), detail=problem, issuer=issuer)
    assert issuer is not None
    try:
        certificate, start, until = read_certificate(data, issuer)
        entries = status_entries(data)
    except _Malformed as e:
        return CredentialCheck(status=malformed, detail=str(e), issuer=issuer)

    def result(
        status: CredentialStatus, detail: str, checked: tuple[str, ...] = (), unchecked: tuple[str, ...] = ()
    ) -> CredentialCheck:
        return CredentialCheck(
            status=status, detail=detail, certificate=certificate, issuer=issuer, valid_from=start,
            valid_until=until, status_checked=checked, status_unchecked=unchecked,
        )  # fmt: skip

    # Every list given must verify (proof, trusted issuer); time is judged per id below.
    by_id: dict[str, list[StatusListCheck]] = {}
    for i, raw in enumerate(lists_in):
        what = f"status list #{i + 1}"
        check = check_status_list_credential(raw, trusted_issuers={**dict.fromkeys(ids), **keys})
        if check.status_list is None:
            return result(malformed, f"{what} does not verify: {check.problem}")
        if check.id is None:
            return result(malformed, f"{what} has no id")
        by_id.setdefault(check.id, []).append(check)
    checked, unchecked = [], []
    for purpose, url, index in entries:
        found = by_id.get(url)
        if not found:
            unchecked.append(purpose)
            continue
        for check in found:
            if check.issuer != issuer:
                return result(
                    malformed,
                    f"the status list {url} is issued by {check.issuer}, not by the credential's issuer {issuer}",
                )
        in_force = [c for c in found if c.valid_from is not None and c.valid_from <= on]
        if not in_force:
            return result(
                malformed, f"no status list {url} is in force at {format_datetime(on)} (every one given is later)"
            )
        newest = max(in_force, key=lambda c: c.valid_from or on)
        if newest.valid_until is None or on >= newest.valid_until:
            return result(
                malformed,
                f"the newest status list {url} expired at {format_datetime(newest.valid_until or on)}: get a fresh one from its issuer",
            )
        bits = _list_of(newest)
        if bits.purpose != purpose:
            return result(
                malformed, f"the status list {url} is a {bits.purpose} list, the credential names it for {purpose}"
            )
        if index >= bits.length:
            return result(
                malformed, f"$.credentialStatus: index {index} is outside the status list {url} ({bits.length} entries)"
            )
        checked.append(purpose)
        if bits.is_set(index):
            status = CredentialStatus.REVOKED if purpose == "revocation" else CredentialStatus.SUSPENDED
            verb = "revoked" if purpose == "revocation" else "suspended"
            return result(
                status,
                f"credential {certificate.serial} is {verb}: bit {index} of {url} (list of {format_datetime(newest.valid_from or on)}) is set",
                tuple(checked),
            )
    done, missing = tuple(checked), tuple(unchecked)
    note = f"; not checked (no list given): {', '.join(missing)}" if missing else ""
    if on < start:
        return result(
            CredentialStatus.NOT_YET_VALID,
            f"credential {certificate.serial} is valid from {format_datetime(start)}, after {format_datetime(on)}{note}",
            done,
            missing,
        )
    if on >= until:
        return result(
            CredentialStatus.EXPIRED,
            f"credential {certificate.serial} expired at {format_datetime(until)} (checked at {format_datetime(on)}){note}",
            done,
            missing,
        )
    return result(
        CredentialStatus.VALID,
        f"credential {certificate.serial} of {json_string(certificate.subject_id)}, tier {json_string(certificate.tier)}, issued by {issuer}, "
        f"is valid from {format_datetime(start)} until {format_datetime(until)}{note}",
        done,
        missing,
    )


def _list_of(check: StatusListCheck) -> StatusList:
    assert check.status_list is not None
    return check.status_list
