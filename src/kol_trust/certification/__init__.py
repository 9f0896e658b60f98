"""Certification (issue 4): certificates, Ed25519 keys and review.

The scoring core (``kol_trust.engine``) is pure; this package adds what an
issuer needs around it:

* :func:`~kol_trust.certification.certify` turns a certified assessment into a
  :class:`~kol_trust.certification.Certificate` (and refuses, with reasons, otherwise);
* :func:`~kol_trust.certification.generate_key` and the PEM functions manage Ed25519 keys;
* :func:`~kol_trust.certification.review` says whether a new assessment keeps, downgrades or
  suspends a certificate.

A certificate travels as a W3C Verifiable Credential: see
:mod:`kol_trust.credentials` (:func:`~kol_trust.credentials.issue_credential`,
:func:`~kol_trust.credentials.verify_credential`, status lists).

Keys need the ``cryptography`` package (``pip install 'kol-trust[sign]'``);
it is imported only when used.
"""

from __future__ import annotations

from .certificate import Certificate, certify, new_serial, validity_end
from .keys import generate_key, key_id, load_private_key, load_public_key, private_key_to_pem, public_key_to_pem
from .review import Review, ReviewOutcome, review

__all__ = [
    "Certificate",
    "Review",
    "ReviewOutcome",
    "certify",
    "generate_key",
    "key_id",
    "load_private_key",
    "load_public_key",
    "new_serial",
    "private_key_to_pem",
    "public_key_to_pem",
    "review",
    "validity_end",
]
