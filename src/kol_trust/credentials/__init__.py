"""W3C Verifiable Credentials for KOL Trust certificates: any verifier in the world can check them.

* :func:`~kol_trust.credentials.add_proof` and :func:`~kol_trust.credentials.verify_proof`:
  Data Integrity proofs with the cryptosuite ``eddsa-jcs-2022`` (Ed25519 over
  RFC 8785 canonical JSON), over any JSON object;
* :func:`~kol_trust.credentials.did_key` and :func:`~kol_trust.credentials.public_key_from_did`:
  Ed25519 ``did:key`` identifiers, which carry their own key, so that
  verification needs no network;
* :func:`~kol_trust.credentials.issue_credential` and
  :func:`~kol_trust.credentials.verify_credential`: a
  :class:`~kol_trust.certification.Certificate` as a VC 2.0 credential;
* :class:`~kol_trust.credentials.StatusList`: revocation and suspension as a
  Bitstring Status List credential.

Signing and verifying need ``cryptography`` (``pip install 'kol-trust[sign]'``),
imported only when used; without it they raise
:class:`~kol_trust.errors.SigningUnavailable`.
"""

from __future__ import annotations

from .credential import (
    CREDENTIAL_CONTEXT,
    CREDENTIAL_TYPE,
    VOCABULARY,
    CredentialCheck,
    CredentialStatus,
    issue_credential,
    verify_credential,
)
from .did_key import (
    did_key,
    private_key_from_multibase,
    private_key_to_multibase,
    public_key_from_did,
    public_key_multibase,
    verification_method_of,
)
from .multibase import b58decode, b58encode
from .proof import CRYPTOSUITE, ProofCheck, add_proof, verify_proof
from .status_list import (
    MIN_LENGTH,
    StatusList,
    StatusListCheck,
    allocate_index,
    check_status_list_credential,
    verify_status_list,
)

__all__ = [
    "CREDENTIAL_CONTEXT",
    "CREDENTIAL_TYPE",
    "CRYPTOSUITE",
    "MIN_LENGTH",
    "VOCABULARY",
    "CredentialCheck",
    "CredentialStatus",
    "ProofCheck",
    "StatusList",
    "StatusListCheck",
    "add_proof",
    "allocate_index",
    "b58decode",
    "b58encode",
    "check_status_list_credential",
    "did_key",
    "issue_credential",
    "private_key_from_multibase",
    "private_key_to_multibase",
    "public_key_from_did",
    "public_key_multibase",
    "verification_method_of",
    "verify_credential",
    "verify_proof",
    "verify_status_list",
]
