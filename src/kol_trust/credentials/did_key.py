"""``did:key`` for Ed25519: an identifier that carries its own public key.

``did:key:z6Mk…`` is the multibase base58btc spelling (``z``) of the
multicodec ``ed25519-pub`` prefix (``ed 01``) and the 32-byte public key; the
same text after ``z`` is the key's Multikey ``publicKeyMultibase``.  The
verification method of such a DID is ``did:key:z6Mk…#z6Mk…`` (W3C CCG, *The
did:key Method*).  Everything here works offline: the DID *is* the key.

Reading a DID needs nothing but the standard library
(:func:`~kol_trust.credentials.ed25519_public_bytes_from_did`); turning it into a key object
needs ``cryptography`` (the ``sign`` extra).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..certification.keys import ed25519, is_private_key, is_public_key, raw_public_bytes
from ..checks import json_string
from ..errors import KeyFormatError, MultibaseError
from .multibase import ED25519_PRIV, ED25519_PUB, decode_multibase, multibase_base58btc

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "DID_KEY_PREFIX",
    "did_key",
    "ed25519_public_bytes_from_did",
    "private_key_from_multibase",
    "private_key_to_multibase",
    "public_key_from_did",
    "public_key_multibase",
    "verification_method_of",
]

#: Every did:key starts so.
DID_KEY_PREFIX = "did:key:"
_MAX_DID = 200


def public_key_multibase(public_key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """The Multikey ``publicKeyMultibase`` of *public_key* (``z6Mk…``); a private key gives its public half's."""
    return multibase_base58btc(ED25519_PUB + raw_public_bytes(public_key))


def did_key(public_key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """The ``did:key`` of an Ed25519 key (a private key is named by its public half)."""
    return DID_KEY_PREFIX + public_key_multibase(public_key)


def verification_method_of(public_key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """The verification method id of *public_key*'s did:key: ``did:key:z6Mk…#z6Mk…``."""
    multikey = public_key_multibase(public_key)
    return f"{DID_KEY_PREFIX}{multikey}#{multikey}"


def ed25519_public_bytes_from_did(text: Any) -> bytes:
    """The raw 32-byte Ed25519 public key named by *text*, without ``cryptography``.

    *text* is a did:key (``did:key:z6Mk…``), one of its verification methods
    (``did:key:z6Mk…#z6Mk…``, the fragment the same key) or a bare Multikey
    ``publicKeyMultibase`` (``z6Mk…``).  Anything else raises
    :class:`~kol_trust.errors.KeyFormatError` saying why.
    """
    if not isinstance(text, str):
        raise KeyFormatError(f"expected a did:key or a Multikey text, got {type(text).__name__}")
    if len(text) > _MAX_DID:
        raise KeyFormatError(f"a did:key of {len(text)} characters is too long to be an Ed25519 did:key")
    shown = json_string(text if len(text) <= 80 else text[:77] + "...")
    if text.startswith(DID_KEY_PREFIX):
        did, sep, fragment = text[len(DID_KEY_PREFIX) :].partition("#")
        if sep and fragment != did:
            raise KeyFormatError(f"{shown}: the fragment of a did:key verification method must repeat its key")
        multikey = did
    elif text.startswith("did:"):
        method = text.split(":")[1] if text.count(":") >= 2 else ""
        raise KeyFormatError(f"{shown} is a did:{method} identifier, not a did:key: its key cannot be read offline")
    else:
        multikey = text
    if not multikey.startswith("z"):
        raise KeyFormatError(f'{shown}: an Ed25519 did:key is base58btc multibase (starts with "z")')
    try:
        data = decode_multibase(multikey)
    except MultibaseError as e:
        raise KeyFormatError(f"{shown}: {e}") from None
    if data[:2] != ED25519_PUB:
        raise KeyFormatError(
            f"{shown}: not an Ed25519 public key (multicodec prefix {data[:2].hex() or 'missing'}, expected ed01)"
        )
    if len(data) != 34:
        raise KeyFormatError(f"{shown}: an Ed25519 public key has 32 bytes, this one {len(data) - 2}")
    return data[2:]


def public_key_from_did(text: Any) -> Ed25519PublicKey:
    """The Ed25519 public key of a did:key, a did:key verification method or a Multikey text.

    Raises :class:`~kol_trust.errors.KeyFormatError` for anything that is not
    an Ed25519 did:key or Multikey (another DID method, another key type, a
    bad encoding), and :class:`~kol_trust.errors.SigningUnavailable` without
    ``cryptography``.
    """
    raw = ed25519_public_bytes_from_did(text)
    try:
        key: Ed25519PublicKey = ed25519().Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as e:
        raise KeyFormatError(f"not an Ed25519 public key ({e})") from None
    return key


def private_key_to_multibase(private_key: Ed25519PrivateKey) -> str:
    """*private_key* as Multikey ``secretKeyMultibase``: ``z`` + base58btc of ``80 26`` and the 32-byte seed.

    This text is the secret key: keep it as secret as the PEM file.
    """
    if not is_private_key(private_key):
        raise TypeError(f"expected an Ed25519 private key, got {type(private_key).__name__}")
    from cryptography.hazmat.primitives import serialization as s

    seed = private_key.private_bytes(s.Encoding.Raw, s.PrivateFormat.Raw, s.NoEncryption())
    return multibase_base58btc(ED25519_PRIV + seed)


def private_key_from_multibase(text: str) -> Ed25519PrivateKey:
    """The Ed25519 private key of a Multikey ``secretKeyMultibase`` text (``z3u2…``).

    Raises :class:`~kol_trust.errors.KeyFormatError` when it is not one.
    """
    try:
        data = decode_multibase(text)
    except MultibaseError as e:
        raise KeyFormatError(f"not a multibase secret key: {e}") from None
    if data[:2] != ED25519_PRIV or len(data) != 34:
        raise KeyFormatError("not an Ed25519 secret key (expected the multicodec prefix 8026 and 32 bytes)")
    key: Ed25519PrivateKey = ed25519().Ed25519PrivateKey.from_private_bytes(data[2:])
    return key


def is_key(value: Any) -> bool:
    """True for an Ed25519 public or private key object."""
    return is_public_key(value) or is_private_key(value)
