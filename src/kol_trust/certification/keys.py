"""Ed25519 keys: make them, store them as PEM, read them back, name them.

Keys are objects of the ``cryptography`` package (``Ed25519PrivateKey`` and
``Ed25519PublicKey``), which is an optional dependency: install it with
``pip install 'kol-trust[sign]'``.  It is imported only when a key is used,
so ``import kol_trust`` works without it; a function that needs it and does
not find it raises :class:`~kol_trust.errors.SigningUnavailable`.

A key is named by its :func:`~kol_trust.certification.key_id`, which signed documents carry so that a
verifier holding several keys knows which one to use.
"""

from __future__ import annotations

import hashlib
import re
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..errors import KeyFormatError, SigningUnavailable

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "KEY_ID_PATTERN",
    "generate_key",
    "key_id",
    "load_private_key",
    "load_public_key",
    "private_key_to_pem",
    "public_key_to_pem",
    "raw_public_bytes",
]

#: A key id: ``"ed25519:"`` and 32 lowercase hex digits.
KEY_ID_PATTERN = re.compile(r"ed25519:[0-9a-f]{32}")
#: PEM files larger than this are not keys (an Ed25519 key file is under 300 bytes).
_MAX_PEM = 64 * 1024


def ed25519() -> ModuleType:
    """The ``cryptography`` Ed25519 module, or :class:`~kol_trust.errors.SigningUnavailable`."""
    try:
        from cryptography.hazmat.primitives.asymmetric import ed25519 as module
    except ImportError:
        raise SigningUnavailable() from None
    return module


def _serialization() -> ModuleType:
    ed25519()  # the same error when cryptography is missing
    from cryptography.hazmat.primitives import serialization

    return serialization


def is_public_key(value: Any) -> bool:
    """True when *value* is an Ed25519 public key object (False without ``cryptography``)."""
    try:
        module = ed25519()
    except SigningUnavailable:
        return False
    return isinstance(value, module.Ed25519PublicKey)


def is_private_key(value: Any) -> bool:
    """True when *value* is an Ed25519 private key object (False without ``cryptography``)."""
    try:
        module = ed25519()
    except SigningUnavailable:
        return False
    return isinstance(value, module.Ed25519PrivateKey)


def generate_key() -> Ed25519PrivateKey:
    """A new random Ed25519 private key (``key.public_key()`` is its public half)."""
    key: Ed25519PrivateKey = ed25519().Ed25519PrivateKey.generate()
    return key


def _as_bytes(value: str | bytes, what: str) -> bytes:
    if isinstance(value, str):
        try:
            return value.encode("utf-8")
        except UnicodeEncodeError:
            raise KeyFormatError(f"{what} is not valid text") from None
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise TypeError(f"{what} must be str or bytes, got {type(value).__name__}")


def private_key_to_pem(key: Ed25519PrivateKey, password: str | bytes | None = None) -> bytes:
    """*key* as a PKCS #8 PEM file, encrypted with *password* when one is given."""
    if not is_private_key(key):
        raise TypeError(f"expected an Ed25519 private key, got {type(key).__name__}")
    s = _serialization()
    if password is None:
        encryption: Any = s.NoEncryption()
    else:
        secret = _as_bytes(password, "the password")
        if not secret:
            raise KeyFormatError("the password must not be empty")
        encryption = s.BestAvailableEncryption(secret)
    pem: bytes = key.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, encryption)
    return pem


def public_key_to_pem(key: Ed25519PublicKey) -> bytes:
    """*key* as a SubjectPublicKeyInfo PEM file."""
    if not is_public_key(key):
        raise TypeError(f"expected an Ed25519 public key, got {type(key).__name__}")
    s = _serialization()
    pem: bytes = key.public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo)
    return pem


def _pem_kind(data: bytes) -> str | None:
    """``"private"`` or ``"public"`` by the PEM header of *data* (``None`` for neither)."""
    if re.search(rb"-----BEGIN (?:ENCRYPTED |OPENSSH |EC |RSA )?PRIVATE KEY-----", data):
        return "private"
    if re.search(rb"-----BEGIN (?:RSA )?PUBLIC KEY-----", data):
        return "public"
    return None


def load_private_key(pem: str | bytes, password: str | bytes | None = None) -> Ed25519PrivateKey:
    """The Ed25519 private key of a PEM file (*password* for an encrypted one).

    Raises :class:`~kol_trust.errors.KeyFormatError` when the text is not a PEM
    private key, is not Ed25519, is encrypted and no (or a wrong) password is
    given, or is not encrypted and a password is given.
    """
    data = _as_bytes(pem, "the private key")
    if len(data) > _MAX_PEM:
        raise KeyFormatError(f"the private key file is too large ({len(data)} bytes) to be a key")
    _one_pem_block(data, "the private key")
    secret = None if password is None else _as_bytes(password, "the password")
    s = _serialization()
    try:
        key = s.load_pem_private_key(data, password=secret)
    except TypeError as e:
        if secret is None:
            raise KeyFormatError("the private key is encrypted: a password is needed") from None
        raise KeyFormatError(f"the private key is not encrypted: give no password ({e})") from None
    except Exception:  # ValueError, UnsupportedAlgorithm, …: a bad file or a wrong password
        if _pem_kind(data) == "public":
            raise KeyFormatError("a public key where a private key was expected") from None
        hint = ", or the password is wrong" if secret is not None else ""
        raise KeyFormatError(f"not a PEM private key{hint}") from None
    if not is_private_key(key):
        raise KeyFormatError(f"the private key is not an Ed25519 key but a {type(key).__name__}")
    result: Ed25519PrivateKey = key
    return result


def load_public_key(pem: str | bytes) -> Ed25519PublicKey:
    """The Ed25519 public key of a PEM file.

    Raises :class:`~kol_trust.errors.KeyFormatError` when the text is not a PEM
    public key or the key is not Ed25519.
    """
    data = _as_bytes(pem, "the public key")
    if len(data) > _MAX_PEM:
        raise KeyFormatError(f"the public key file is too large ({len(data)} bytes) to be a key")
    _one_pem_block(data, "the public key")
    s = _serialization()
    try:
        key = s.load_pem_public_key(data)
    except Exception:  # ValueError, UnsupportedAlgorithm, …: not a public key file
        if _pem_kind(data) == "private":
            raise KeyFormatError("a private key where a public key was expected") from None
        raise KeyFormatError("not a PEM public key") from None
    if not is_public_key(key):
        raise KeyFormatError(f"the public key is not an Ed25519 key but a {type(key).__name__}")
    result: Ed25519PublicKey = key
    return result


def raw_public_bytes(key: Ed25519PublicKey | Ed25519PrivateKey) -> bytes:
    """The raw 32 bytes of an Ed25519 public key (of a private key: of its public half)."""
    public: Any = key.public_key() if is_private_key(key) else key  # type: ignore[union-attr]
    if not is_public_key(public):
        raise TypeError(f"expected an Ed25519 key, got {type(key).__name__}")
    s = _serialization()
    raw: bytes = public.public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)
    return raw


def _one_pem_block(data: bytes, what: str) -> None:
    """Refuse a file with more than one PEM block: which key was meant is not clear."""
    blocks = data.count(b"-----BEGIN ")
    if blocks > 1:
        raise KeyFormatError(f"{what} file holds {blocks} PEM blocks; give a file with exactly one key")


def key_id(public_key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """The key's name: ``"ed25519:"`` + the first 32 hex digits of the SHA-256
    of the raw 32-byte public key.  A private key is named by its public half.
    """
    raw = raw_public_bytes(public_key)
    return "ed25519:" + hashlib.sha256(raw).hexdigest()[:32]
