"""Certification (issue 4): certificates, Ed25519 signatures, revocation and review.

The scoring core (``kol_trust.engine``) is pure; this package adds what an
issuer needs around it:

* :func:`certify` turns a certified assessment into a :class:`Certificate`
  (and refuses, with reasons, otherwise);
* :func:`generate_key` and the PEM functions manage Ed25519 keys;
  :func:`sign_certificate` signs a certificate;
* :func:`verify_certificate` checks a signed certificate from anyone and never
  raises on a bad one;
* :class:`RevocationList` and :func:`sign_revocations` withdraw certificates;
* :func:`review` says whether a new assessment keeps, downgrades or suspends a
  certificate.

Signing and verifying need the ``cryptography`` package
(``pip install 'kol-trust[sign]'``); it is imported only when used.
"""

from __future__ import annotations

from .certificate import Certificate, certify, new_serial
from .keys import generate_key, key_id, load_private_key, load_public_key, private_key_to_pem, public_key_to_pem
from .review import Review, ReviewOutcome, review
from .revocation import Revocation, RevocationList, RevocationReason, SignedRevocationList, sign_revocations
from .signing import SignedCertificate, sign_certificate
from .verify import Verification, VerificationStatus, verify_certificate, verify_revocation_list

__all__ = [
    "Certificate",
    "Review",
    "ReviewOutcome",
    "Revocation",
    "RevocationList",
    "RevocationReason",
    "SignedCertificate",
    "SignedRevocationList",
    "Verification",
    "VerificationStatus",
    "certify",
    "generate_key",
    "key_id",
    "load_private_key",
    "load_public_key",
    "new_serial",
    "private_key_to_pem",
    "public_key_to_pem",
    "review",
    "sign_certificate",
    "sign_revocations",
    "verify_certificate",
    "verify_revocation_list",
]
