"""``kol-trust keygen | certify | verify | revoke``: certificates on the command line.

* ``keygen --out KEY.pem [--public-out PUB.pem]`` makes an Ed25519 key pair
  (the private key file is created with mode 0600; existing files are never
  overwritten) and prints the key id.
* ``certify CASE.json --key KEY.pem --issuer NAME -o CERT.json`` assesses the
  case, certifies it and signs the certificate; when certification is refused
  the reasons go to standard error and the exit code is 2.
* ``verify CERT.json --public-key PUB.pem [--revocations LIST.json] [--on DATE]``
  prints the status word on the first line and the detail on the second; the
  exit code is 0 only for ``valid``, 1 for any other status, 2 when an
  argument cannot be read (a missing or bad key file).
* ``revoke --key KEY.pem --issuer NAME --serial S -o LIST.json`` makes a signed
  revocation list, or extends ``--list EXISTING.json`` after checking that it
  verifies with the key.

"Today", the default of ``--on``, is the only use of the clock, and it is here.
Output files are written to a temporary file and renamed into place.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ..certification import (
    Revocation,
    RevocationList,
    RevocationReason,
    certify,
    generate_key,
    key_id,
    load_private_key,
    load_public_key,
    private_key_to_pem,
    public_key_to_pem,
    sign_certificate,
    sign_revocations,
    verify_certificate,
    verify_revocation_list,
)
from ..errors import CertificationRefused, SignatureError
from ..model import Case
from ..wire import to_json
from .common import (
    InputError,
    assess_document,
    case_rubric,
    input_name,
    iso_date,
    load_document,
    read_input,
    write_output,
)

if TYPE_CHECKING:
    # For annotations only: cryptography is the optional ``sign`` extra, which
    # kol_trust.certification imports only when a key is used.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

__all__ = ["add_parsers"]


def _today() -> dt.date:
    return dt.date.today()


# -- files -------------------------------------------------------------------------------


def _create_exclusive(path: Path, data: bytes, mode: int) -> None:
    """Write *data* to a new file *path* with *mode*; never overwrite."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise InputError(f"{path}: already exists; not overwritten") from None
    except OSError as e:
        raise InputError(f"{path}: cannot create ({e.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)  # whatever the umask
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise


def _private_key(path: str) -> Ed25519PrivateKey:
    data = read_input(path)
    try:
        return load_private_key(data)
    except Exception as e:  # KeyFormatError, SigningUnavailable
        raise InputError(f"{input_name(path)}: {e}") from None


# -- commands ----------------------------------------------------------------------------


def _cmd_keygen(args: argparse.Namespace, out: TextIO) -> int:
    private_path = Path(args.out)
    public_path = None if args.public_out is None else Path(args.public_out)
    if public_path is not None and public_path.resolve() == private_path.resolve():
        raise InputError("--out and --public-out must be different files")
    for path in (private_path, public_path):
        if path is not None and (path.exists() or path.is_symlink()):
            raise InputError(f"{path}: already exists; not overwritten")
    key = generate_key()
    _create_exclusive(private_path, private_key_to_pem(key), 0o600)
    if public_path is not None:
        _create_exclusive(public_path, public_key_to_pem(key.public_key()), 0o644)
    out.write(key_id(key) + "\n")
    return 0


def _cmd_certify(args: argparse.Namespace, out: TextIO) -> int:
    case = load_document(args.case, Case)
    key = _private_key(args.key)
    rubric = case_rubric(args.rubric, case, args.case)
    assessment = assess_document(args.case, case, rubric)
    issued_on = args.on if args.on is not None else _today()
    try:
        certificate = certify(
            assessment, issuer=args.issuer, issued_on=issued_on, serial=args.serial, subject=case.subject, rubric=rubric
        )
    except CertificationRefused as e:
        raise InputError(str(e)) from None
    signed = sign_certificate(certificate, key)
    write_output(args.output, to_json(signed, indent=2) + "\n", out)
    if args.output != "-":
        out.write(f"{certificate.serial}\n")
    return 0


def _cmd_verify(args: argparse.Namespace, out: TextIO) -> int:
    keys = []
    for path in args.public_key:
        try:
            keys.append(load_public_key(read_input(path)))
        except InputError:
            raise
        except Exception as e:  # KeyFormatError, SigningUnavailable
            raise InputError(f"{input_name(path)}: {e}") from None
    envelope = read_input(args.certificate)
    revocations = [read_input(path) for path in args.revocations]
    on = args.on if args.on is not None else _today()
    result = verify_certificate(envelope, keys, on=on, revocations=revocations)
    out.write(f"{result.status.value}\n{result.detail}\n")
    return 0 if result.ok else 1


def _cmd_revoke(args: argparse.Namespace, out: TextIO) -> int:
    key = _private_key(args.key)
    on = args.on if args.on is not None else _today()
    entry = Revocation(serial=args.serial, revoked_on=on, reason=RevocationReason(args.reason))
    if args.list is None:
        rlist = RevocationList(issuer=args.issuer, issued_on=on, entries=(entry,))
    else:
        try:
            existing = verify_revocation_list(read_input(args.list), key.public_key())
        except SignatureError as e:
            raise InputError(f"{input_name(args.list)}: {e}") from None
        if existing.issuer != args.issuer:
            raise InputError(f"{input_name(args.list)}: the list is of issuer {existing.issuer!r}, not {args.issuer!r}")
        already = existing.entry(args.serial)
        if already is not None:
            raise InputError(
                f"{args.serial} is already revoked in {input_name(args.list)} "
                f"(on {already.revoked_on.isoformat()}, {already.reason.value})"
            )
        rlist = existing.with_entry(entry, issued_on=max(existing.issued_on, on))
    write_output(args.output, to_json(sign_revocations(rlist, key), indent=2) + "\n", out)
    if args.output != "-":
        out.write(f"revoked {args.serial} on {on.isoformat()} ({entry.reason.value}): {args.output}\n")
    return 0


def _issuer(text: str) -> str:
    if not text.strip() or len(text) > 200:
        raise argparse.ArgumentTypeError("the issuer must be 1 to 200 characters, not blank")
    return text


def add_parsers(commands: Any) -> None:
    """Add the ``keygen``, ``certify``, ``verify`` and ``revoke`` commands."""
    p = commands.add_parser(
        "keygen",
        help="make an Ed25519 key pair for signing certificates",
        description="Make an Ed25519 key pair. The private key file is created with mode 0600; "
        "existing files are never overwritten. Prints the key id.",
    )
    p.add_argument("--out", required=True, metavar="KEY.pem", help="the private key file to create")
    p.add_argument("--public-out", metavar="PUB.pem", help="also write the public key here")
    p.set_defaults(run=_cmd_keygen)

    p = commands.add_parser(
        "certify",
        help="assess a case and issue a signed certificate",
        description="Assess a case, certify the result and sign the certificate. "
        "Exit code 2, with the reasons on standard error, when certification is refused.",
    )
    p.add_argument("case", metavar="CASE.json", help="the case document; - reads standard input")
    p.add_argument("--key", required=True, metavar="KEY.pem", help="the issuer's private key (PEM, not encrypted)")
    p.add_argument("--issuer", required=True, type=_issuer, metavar="NAME", help="who issues the certificate")
    p.add_argument("--on", type=iso_date, metavar="DATE", help="the issue date (default: today)")
    p.add_argument("--serial", metavar="SERIAL", help="the serial (default: 128 random bits in hex)")
    p.add_argument("--rubric", metavar="VERSION|FILE", help="a built-in version such as 1.0.0, or a rubric file")
    p.add_argument("-o", "--output", required=True, metavar="CERT.json", help="the signed certificate; - is stdout")
    p.set_defaults(run=_cmd_certify)

    p = commands.add_parser(
        "verify",
        help="check a signed certificate",
        description="Check a signed certificate. Prints the status (valid, expired, not-yet-valid, revoked, "
        "bad-signature, unknown-key, malformed) on the first line and why on the second. "
        "Exit code 0 only when valid, 1 otherwise, 2 when an argument cannot be read.",
    )
    p.add_argument("certificate", metavar="CERT.json", help="the signed certificate; - reads standard input")
    p.add_argument(
        "--public-key", required=True, action="append", metavar="PUB.pem", help="a trusted public key (repeatable)"
    )
    p.add_argument(
        "--revocations",
        action="append",
        default=[],
        metavar="LIST.json",
        help="a signed revocation list (repeatable); one that does not verify makes the result malformed",
    )
    p.add_argument("--on", type=iso_date, metavar="DATE", help="check validity on this day (default: today)")
    p.set_defaults(run=_cmd_verify)

    p = commands.add_parser(
        "revoke",
        help="revoke a certificate in a signed revocation list",
        description="Add a certificate's serial to a signed revocation list: a new list, or --list "
        "extended (it must verify with the key first).",
    )
    p.add_argument("--key", required=True, metavar="KEY.pem", help="the issuer's private key (PEM)")
    p.add_argument("--issuer", required=True, type=_issuer, metavar="NAME", help="the issuer of the certificates")
    p.add_argument("--serial", required=True, metavar="SERIAL", help="the serial of the certificate to revoke")
    p.add_argument(
        "--reason",
        choices=[r.value for r in RevocationReason],
        default=RevocationReason.WITHDRAWN.value,
        help="why (default: withdrawn)",
    )
    p.add_argument("--on", type=iso_date, metavar="DATE", help="the day the revocation takes effect (default: today)")
    p.add_argument("--list", metavar="EXISTING.json", help="an existing signed list to extend")
    p.add_argument("-o", "--output", required=True, metavar="LIST.json", help="the signed list; - is stdout")
    p.set_defaults(run=_cmd_revoke)
