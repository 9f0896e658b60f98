"""Signed envelopes: a document, the id of the key that signed it, the signature.

The signature is Ed25519 over exactly the RFC 8785 (JCS) canonical bytes of
the inner document (:func:`~kol_trust.canonical_bytes`), written in unpadded
base64url (RFC 4648 §5): 86 characters.  Decoding is strict: padding, the
standard alphabet (``+``/``/``), white space and a last character with
non-zero unused bits are all rejected, so that one signature has one
spelling.

The inner documents cannot be mistaken for each other: a certificate and a
revocation list have different required fields and reject unknown ones, so
the signed bytes of one are never a valid document of the other.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING

import attrs

from .. import checks as c
from ..model import SelfChecking
from ..wire import canonical_bytes
from .certificate import Certificate
from .keys import KEY_ID_PATTERN, is_private_key, key_id

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = ["SIGNATURE_PATTERN", "SignedCertificate", "sign_certificate"]

#: An Ed25519 signature in unpadded base64url: 86 characters, the last one
#: with its 4 unused bits zero (``A``, ``Q``, ``g`` or ``w``).
SIGNATURE_PATTERN = re.compile(r"[A-Za-z0-9_-]{85}[AQgw]")

key_id_check = c.pattern(KEY_ID_PATTERN, "a key id ('ed25519:' and 32 lowercase hex digits)", 40)
signature_check = c.pattern(SIGNATURE_PATTERN, "an Ed25519 signature in unpadded base64url (86 characters)", 86)


def b64url_encode(data: bytes) -> str:
    """Unpadded base64url of *data*."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes | None:
    """The bytes of unpadded base64url *text*, or ``None`` when it is not the
    one canonical spelling of some bytes (decoded, then re-encoded and compared)."""
    if not isinstance(text, str) or not text.isascii() or "=" in text:
        return None
    try:
        data = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if b64url_encode(data) == text else None


def sign_bytes(message: bytes, private_key: Ed25519PrivateKey) -> tuple[str, str]:
    """``(key_id, signature)`` of *message* signed with *private_key*."""
    if not is_private_key(private_key):
        raise TypeError(f"expected an Ed25519 private key, got {type(private_key).__name__}")
    return key_id(private_key), b64url_encode(private_key.sign(message))


def signature_verifies(message: bytes, signature: str, public_key: Ed25519PublicKey) -> bool:
    """True when *signature* (base64url text) is *public_key*'s signature of *message*."""
    raw = b64url_decode(signature)
    if raw is None or len(raw) != 64:
        return False
    from cryptography.exceptions import InvalidSignature

    try:
        public_key.verify(raw, message)
    except InvalidSignature:
        return False
    return True


@attrs.frozen(kw_only=True)
class SignedCertificate(SelfChecking):
    """A :class:`~kol_trust.certification.Certificate` with its issuer's signature (the
    signed-certificate document): ``{"certificate", "key_id", "signature"}``.

    Made by :func:`~kol_trust.certification.sign_certificate`; checked by
    :func:`~kol_trust.certification.verify_certificate`, which accepts this object, its
    document or its JSON text.
    """

    _document = "signed certificate"

    certificate: Certificate = c.checked(c.instance(Certificate, "a certificate"))
    """The signed document."""
    key_id: str = c.checked(key_id_check)
    """The id of the signing key (:func:`~kol_trust.certification.key_id`)."""
    signature: str = c.checked(signature_check)
    """Ed25519 signature of the certificate's RFC 8785 canonical bytes, unpadded base64url."""


def sign_certificate(certificate: Certificate, private_key: Ed25519PrivateKey) -> SignedCertificate:
    """Sign *certificate* with *private_key* (Ed25519).

    The signature covers exactly ``kt.canonical_bytes(certificate)``, the
    RFC 8785 form of the certificate document.
    """
    if not isinstance(certificate, Certificate):
        raise TypeError(f"expected a Certificate, got {type(certificate).__name__}")
    kid, signature = sign_bytes(canonical_bytes(certificate), private_key)
    return SignedCertificate(certificate=certificate, key_id=kid, signature=signature)
