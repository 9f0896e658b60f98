"""Data Integrity proofs with the cryptosuite ``eddsa-jcs-2022``, over any JSON object.

The algorithms are those of W3C *Data Integrity EdDSA Cryptosuites v1.0*
(§3.3, ``eddsa-jcs-2022``):

1. the **proof options** are ``type`` ``DataIntegrityProof``, ``cryptosuite``
   ``eddsa-jcs-2022``, ``created``, ``verificationMethod``, ``proofPurpose``
   and, when the document has one, the document's ``@context``;
2. the **hash data** is SHA-256 of the RFC 8785 (JCS) canonical proof options
   followed by SHA-256 of the canonical document without its ``proof``
   (64 bytes);
3. the **proof value** is the Ed25519 signature of the hash data, in
   multibase base58btc (``z…``).

:func:`~kol_trust.credentials.add_proof` makes a proof;
:func:`~kol_trust.credentials.verify_proof` checks one, resolving
``did:key`` verification methods offline, and never raises.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ..canonical import dumps as jcs
from ..certification.keys import ed25519, is_private_key, raw_public_bytes
from ..checks import describe, json_string
from ..errors import CredentialError, KeyFormatError, MultibaseError, SigningUnavailable, ValidationError
from ..wire import parse_json
from .did_key import DID_KEY_PREFIX, ed25519_public_bytes_from_did, public_key_from_did
from .multibase import decode_multibase, multibase_base58btc

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "CRYPTOSUITE",
    "DATETIME_PATTERN",
    "MAX_CREDENTIAL_SIZE",
    "PROOF_TYPE",
    "ProofCheck",
    "add_proof",
    "format_datetime",
    "parse_datetime",
    "read_document",
    "verify_proof",
]

#: The cryptosuite this module implements.
CRYPTOSUITE = "eddsa-jcs-2022"
#: The proof type of Data Integrity.
PROOF_TYPE = "DataIntegrityProof"
#: An XML Schema ``dateTimeStamp`` as credentials write it: seconds, optional
#: fraction, ``Z`` or an offset.
DATETIME_PATTERN = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})")
#: Text or bytes longer than this are not read (a certificate credential is
#: under 4 kB; a status list credential of 131 072 entries under 1 kB, of
#: 16 Mi entries about 3 MB).
MAX_CREDENTIAL_SIZE = 8_000_000


def format_datetime(value: dt.datetime | dt.date) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` of an aware datetime (in UTC), or of a date at 00:00:00Z.

    A naive datetime raises :class:`~kol_trust.errors.CredentialError`: credentials
    state instants, and a local time is not one.
    """
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise CredentialError(f"the time {value.isoformat()} has no time zone: give an aware datetime (UTC)")
        value = value.astimezone(dt.UTC).replace(microsecond=0)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00Z"
    raise TypeError(f"expected a datetime or a date, got {type(value).__name__}")


def parse_datetime(text: Any) -> dt.datetime | None:
    """The aware datetime of a ``dateTimeStamp`` text, or ``None`` when it is not one."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    m = DATETIME_PATTERN.fullmatch(text)
    if m is None:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def read_document(document: Any, what: str = "the document") -> tuple[dict[str, Any] | None, str]:
    """*document* (a dict, or JSON text or bytes) as a dict, or ``None`` and why not; never raises."""
    try:
        if isinstance(document, str | bytes | bytearray | memoryview):
            if len(document) > MAX_CREDENTIAL_SIZE:
                return None, f"{what} is too large ({len(document)} > {MAX_CREDENTIAL_SIZE}) to be read"
            text = document if isinstance(document, str) else bytes(document)
            try:
                data = parse_json(text, what)
            except ValidationError as e:
                problem = e.problems[0].message if e.problems else str(e)
                return None, f"{what} is not JSON text: {problem}"
        else:
            data = document
        if not isinstance(data, dict):
            return None, f"{what} is {describe(data)}, not a JSON object"
        return data, ""
    except RecursionError:
        return None, f"{what} is nested too deeply"
    except Exception as e:  # never raise on hostile input
        return None, f"{what} could not be read ({type(e).__name__})"


def _hash_data(proof_options: Mapping[str, Any], unsecured: Mapping[str, Any]) -> bytes:
    return hashlib.sha256(jcs(proof_options)).digest() + hashlib.sha256(jcs(unsecured)).digest()


def add_proof(
    document: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    *,
    verification_method: str,
    created: dt.datetime | str,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """A copy of *document* with an ``eddsa-jcs-2022`` ``DataIntegrityProof``.

    *document* is any JSON object (a dict of JSON values); it is not
    modified, and must not have a ``proof`` yet.  *verification_method* names
    the key (for a did:key: ``did:key:z6Mk…#z6Mk…``, which must be
    *private_key*'s); *created* is an aware datetime (written in UTC to the
    second) or a ``dateTimeStamp`` text.  Raises
    :class:`~kol_trust.errors.CredentialError` saying what is wrong.
    """
    if not is_private_key(private_key):
        ed25519()  # SigningUnavailable without cryptography
        raise TypeError(f"expected an Ed25519 private key, got {type(private_key).__name__}")
    if not isinstance(document, Mapping):
        raise CredentialError(f"$: the document must be a JSON object, got {describe(document)}")
    if "proof" in document:
        raise CredentialError("$.proof: the document already has a proof; proof sets are not supported")
    if not isinstance(verification_method, str) or not verification_method or len(verification_method) > 2000:
        raise CredentialError("$.proof.verificationMethod: must be a non-empty identifier (a DID URL or a URL)")
    if not verification_method.isascii() or any(ch.isspace() for ch in verification_method):
        raise CredentialError(
            f"$.proof.verificationMethod: {json_string(verification_method)} is not an ASCII identifier"
        )
    if verification_method.startswith(DID_KEY_PREFIX):
        try:
            named = ed25519_public_bytes_from_did(verification_method)
        except KeyFormatError as e:
            raise CredentialError(f"$.proof.verificationMethod: {e}") from None
        if named != raw_public_bytes(private_key):
            raise CredentialError(
                f"$.proof.verificationMethod: {verification_method} names another key than the signing key"
            )
    if isinstance(created, str):
        if parse_datetime(created) is None:
            raise CredentialError(
                f"$.proof.created: {json_string(created)} is not a date-time such as 2026-01-31T09:00:00Z"
            )
        created_text = created
    elif isinstance(created, dt.datetime):
        created_text = format_datetime(created)
    else:
        raise TypeError(f"created must be an aware datetime or a text, got {type(created).__name__}")
    if not isinstance(proof_purpose, str) or not proof_purpose:
        raise CredentialError('$.proof.proofPurpose: must be a non-empty text such as "assertionMethod"')

    unsecured = copy.deepcopy(dict(document))
    options: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created_text,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    if "@context" in unsecured:
        options["@context"] = copy.deepcopy(unsecured["@context"])
    try:
        data = _hash_data(options, unsecured)
    except Exception as e:  # rfc8785 refuses NaN, huge integers, non-JSON types
        raise CredentialError(f"$: the document is not JSON that RFC 8785 can canonicalize ({e})") from None
    signature = private_key.sign(data)
    proof = dict(options, proofValue=multibase_base58btc(signature))
    return {**unsecured, "proof": proof}


@attrs.frozen(kw_only=True)
class ProofCheck:
    """What :func:`~kol_trust.credentials.verify_proof` found."""

    ok: bool
    """True when the proof verifies with a trusted key."""
    problem: str | None
    """Why not, in one English sentence; ``None`` when ``ok``."""
    kind: str = "verified"
    """``verified``, ``malformed`` (not a document with one well-formed
    ``eddsa-jcs-2022`` proof), ``unknown-key`` (the verification method
    cannot be resolved offline or is not trusted) or ``bad-signature``."""
    verification_method: str | None = None
    """The proof's verification method, when it could be read."""
    created: dt.datetime | None = None
    """The proof's ``created``, when it has one."""


def _fail(kind: str, problem: str, vm: str | None = None) -> ProofCheck:
    return ProofCheck(ok=False, problem=problem, kind=kind, verification_method=vm)


def _trusted_set(trusted: Any) -> set[str] | None:
    if trusted is None:
        return None
    if isinstance(trusted, str):
        return {trusted}
    if isinstance(trusted, Iterable):
        out = set()
        for item in trusted:
            if not isinstance(item, str):
                raise TypeError(f"trusted must list DIDs or verification method ids, got {describe(item)}")
            out.add(item)
        return out
    raise TypeError(f"trusted must be DIDs or verification method ids, got {describe(trusted)}")


def _resolve(vm: str, keys: Mapping[str, Ed25519PublicKey] | None) -> tuple[Ed25519PublicKey | None, str]:
    if keys is not None and vm in keys:
        return keys[vm], ""
    if vm.startswith(DID_KEY_PREFIX):
        if "#" not in vm:
            return None, f'the verification method {vm} is a DID, not a verification method (no "#" fragment)'
        try:
            return public_key_from_did(vm), ""
        except SigningUnavailable:
            raise
        except KeyFormatError as e:
            return None, f"the verification method cannot be resolved: {e}"
    return (
        None,
        f"the verification method {vm} is not a did:key and no key was given for it: it cannot be resolved offline",
    )


def verify_proof(
    document: Any,
    *,
    trusted: Iterable[str] | str | None = None,
    proof_purpose: str = "assertionMethod",
    keys: Mapping[str, Ed25519PublicKey] | None = None,
) -> ProofCheck:
    """Check the ``eddsa-jcs-2022`` proof of *document*; never raises on any *document*.

    *document* is a dict or JSON text (``str`` or ``bytes``) from anyone.  It
    must carry exactly one proof (a proof set, a list, is not supported and
    fails) of type ``DataIntegrityProof`` with cryptosuite
    ``eddsa-jcs-2022`` and the expected *proof_purpose*.  A ``did:key``
    verification method is resolved offline; any other is looked up in
    *keys* (verification method id → public key), else the answer is
    ``unknown-key``.  *trusted*, when given, lists the DIDs or verification
    method ids allowed to sign: a proof by any other is ``unknown-key``.

    Raises only :class:`~kol_trust.errors.SigningUnavailable` (no
    ``cryptography``) and ``TypeError`` for a wrong *trusted* or *keys*.
    """
    allowed = _trusted_set(trusted)
    if keys is not None and not isinstance(keys, Mapping):
        raise TypeError(f"keys must map verification method ids to public keys, got {describe(keys)}")
    data, why = read_document(document)
    if data is None:
        return _fail("malformed", why)
    try:
        return _verify(data, allowed, proof_purpose, keys)
    except SigningUnavailable:
        raise
    except RecursionError:
        return _fail("malformed", "the document is nested too deeply")
    except Exception as e:  # never raise on hostile input
        return _fail("malformed", f"the document could not be checked ({type(e).__name__})")


def _verify(
    data: dict[str, Any], allowed: set[str] | None, proof_purpose: str, keys: Mapping[str, Ed25519PublicKey] | None
) -> ProofCheck:
    proof = data.get("proof")
    if proof is None:
        return _fail("malformed", "$.proof: the document has no proof")
    if isinstance(proof, list):
        return _fail(
            "malformed", f"$.proof: a proof set of {len(proof)} proofs is not supported; exactly one is expected"
        )
    if not isinstance(proof, dict):
        return _fail("malformed", f"$.proof: expected a proof object, got {describe(proof)}")
    if proof.get("type") != PROOF_TYPE:
        return _fail(
            "malformed", f"$.proof.type: expected {json_string(PROOF_TYPE)}, got {describe(proof.get('type'))}"
        )
    if proof.get("cryptosuite") != CRYPTOSUITE:
        return _fail(
            "malformed",
            f"$.proof.cryptosuite: expected {json_string(CRYPTOSUITE)}, got {describe(proof.get('cryptosuite'))}",
        )
    if proof.get("proofPurpose") != proof_purpose:
        return _fail(
            "malformed",
            f"$.proof.proofPurpose: expected {json_string(proof_purpose)}, got {describe(proof.get('proofPurpose'))}",
        )
    vm = proof.get("verificationMethod")
    if not isinstance(vm, str) or not vm or len(vm) > 2000:
        return _fail("malformed", f"$.proof.verificationMethod: expected an identifier, got {describe(vm)}")
    created = None
    if "created" in proof:
        created = parse_datetime(proof["created"])
        if created is None:
            return _fail("malformed", f"$.proof.created: not a date-time: {describe(proof['created'])}", vm)
    value = proof.get("proofValue")
    if not isinstance(value, str):
        return _fail("malformed", f"$.proof.proofValue: expected a multibase text, got {describe(value)}", vm)
    if not value.startswith("z"):
        return _fail(
            "malformed", '$.proof.proofValue: an eddsa-jcs-2022 proof value is base58btc (starts with "z")', vm
        )
    try:
        signature = decode_multibase(value, max_length=200)
    except MultibaseError as e:
        return _fail("malformed", f"$.proof.proofValue: {e}", vm)
    if len(signature) != 64:
        return _fail(
            "malformed", f"$.proof.proofValue: an Ed25519 signature has 64 bytes, this one {len(signature)}", vm
        )
    if "@context" in proof:
        context = data.get("@context")
        wanted = proof["@context"]
        wanted_list = wanted if isinstance(wanted, list) else [wanted]
        have = context if isinstance(context, list) else [context]
        if context is None or have[: len(wanted_list)] != wanted_list:
            return _fail(
                "bad-signature", "$.proof.@context: the document's @context does not start with the proof's", vm
            )
    if allowed is not None and vm not in allowed and vm.partition("#")[0] not in allowed:
        return _fail("unknown-key", f"the proof is by {vm}, which is not trusted", vm)
    key, why = _resolve(vm, keys)
    if key is None:
        return _fail("unknown-key", why, vm)
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    unsecured = {k: v for k, v in data.items() if k != "proof"}
    try:
        message = _hash_data(options, unsecured)
    except Exception as e:
        return _fail(
            "malformed", f"$: the document is not JSON that RFC 8785 can canonicalize ({type(e).__name__})", vm
        )
    from cryptography.exceptions import InvalidSignature

    try:
        key.verify(signature, message)
    except InvalidSignature:
        return _fail(
            "bad-signature",
            f"the proof does not verify with {vm}: the document was changed after signing, or the proof is forged",
            vm,
        )
    return ProofCheck(ok=True, problem=None, kind="verified", verification_method=vm, created=created)
