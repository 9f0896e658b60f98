"""Multibase and multicodec, the few parts that credentials need.

* base58btc (the Bitcoin alphabet), multibase prefix ``z``: Ed25519 keys in
  ``did:key`` and Multikey, and ``proofValue`` of an ``eddsa-jcs-2022`` proof;
* base64url without padding, multibase prefix ``u``: the ``encodedList`` of a
  Bitstring Status List;
* the multicodec prefixes of Ed25519 keys: ``ed25519-pub`` (0xed, as the
  unsigned varint ``ed 01``) and ``ed25519-priv`` (0x1300, ``80 26``).

Decoding is strict: a text that is not the one canonical spelling of some
bytes (wrong prefix, a character outside the alphabet, padding, non-zero
unused bits) raises :class:`~kol_trust.errors.MultibaseError`.
"""

from __future__ import annotations

import base64
import binascii

from ..checks import json_string
from ..errors import MultibaseError

__all__ = [
    "BASE58_ALPHABET",
    "ED25519_PRIV",
    "ED25519_PUB",
    "b58decode",
    "b58encode",
    "decode_multibase",
    "multibase_base58btc",
    "multibase_base64url",
]

#: The base58btc alphabet: digits and letters without ``0``, ``O``, ``I``, ``l``.
BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {ch: i for i, ch in enumerate(BASE58_ALPHABET)}
#: Multicodec prefix of an Ed25519 public key (``ed25519-pub``, code 0xed).
ED25519_PUB = b"\xed\x01"
#: Multicodec prefix of an Ed25519 private key (``ed25519-priv``, code 0x1300).
ED25519_PRIV = b"\x80\x26"
#: Longer multibase texts are refused without being decoded (base58 is quadratic).
_MAX_TEXT = 4096


def b58encode(data: bytes) -> str:
    """*data* in base58btc: each leading zero byte is a ``1``, the rest a big number."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    n = int.from_bytes(data, "big")
    digits = []
    while n:
        n, r = divmod(n, 58)
        digits.append(BASE58_ALPHABET[r])
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    """The bytes of base58btc *text*; :class:`~kol_trust.errors.MultibaseError` when it is not base58btc."""
    if not isinstance(text, str):
        raise MultibaseError(f"expected base58btc text, got {type(text).__name__}")
    if len(text) > _MAX_TEXT:
        raise MultibaseError(f"base58btc text of {len(text)} characters is too long (at most {_MAX_TEXT})")
    n = 0
    for i, ch in enumerate(text):
        value = _B58_INDEX.get(ch)
        if value is None:
            raise MultibaseError(f"character {json_string(ch)} at position {i} is not in the base58btc alphabet")
        n = n * 58 + value
    zeros = len(text) - len(text.lstrip("1"))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * zeros + body


def multibase_base58btc(data: bytes) -> str:
    """*data* as multibase base58btc: ``z`` and the base58btc digits."""
    return "z" + b58encode(data)


def multibase_base64url(data: bytes) -> str:
    """*data* as multibase base64url without padding: ``u`` and the digits."""
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    if not text.isascii() or "=" in text:
        raise MultibaseError("base64url text must be ASCII without padding")
    try:
        data = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise MultibaseError("not base64url text (RFC 4648 §5)") from None
    if base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii") != text:
        raise MultibaseError("not the canonical base64url spelling (unused bits are not zero)")
    return data


def decode_multibase(text: str, *, max_length: int = _MAX_TEXT) -> bytes:
    """The bytes of a multibase text in base58btc (``z…``) or base64url (``u…``).

    Any other prefix, or a text longer than *max_length* characters, raises
    :class:`~kol_trust.errors.MultibaseError`.
    """
    if not isinstance(text, str):
        raise MultibaseError(f"expected multibase text, got {type(text).__name__}")
    if len(text) > max_length:
        raise MultibaseError(f"multibase text of {len(text)} characters is too long (at most {max_length})")
    if text.startswith("z"):
        body = text[1:]
        if len(body) > _MAX_TEXT:
            raise MultibaseError(f"base58btc text of {len(body)} characters is too long (at most {_MAX_TEXT})")
        return b58decode(body)
    if text.startswith("u"):
        return _b64url_decode(text[1:])
    expected = '(expected "z" base58btc or "u" base64url)'
    if not text:
        raise MultibaseError(f"an empty text has no multibase prefix {expected}")
    raise MultibaseError(f"multibase prefix {json_string(text[:1])} is not supported {expected}")
