"""``kol-trust keygen | certify | verify | status-list``: credentials on the command line.

* ``keygen --out KEY.pem [--public-out PUB.pem]`` makes an Ed25519 key pair
  (the private key file is created with mode 0600; existing files are never
  overwritten) and prints the key's ``did:key``, the issuer identifier.
* ``certify CASE.json --key KEY.pem --issuer-name NAME -o CRED.json
  [--status-list LIST.json]…`` assesses the case, certifies it and writes the
  certificate as a signed W3C Verifiable Credential; with status lists, a
  fresh random index is allocated (and recorded in ``LIST.json.indexes``).
  When certification is refused the reasons go to standard error and the
  exit code is 2.
* ``verify CRED.json --issuer DID [--status-list LIST.json]… [--on TIME]``
  prints the status word on the first line and the detail on the second;
  the exit code is 0 only for ``valid``, 1 for any other status, 2 when an
  argument cannot be read.
* ``status-list new --key KEY.pem --id URL [--purpose revocation|suspension] -o LIST.json``
  creates a list (never over an existing file); ``status-list revoke |
  suspend | restore LIST.json --key KEY.pem (--index N | --credential CRED.json)``
  update an existing one, after checking that it verifies with the key, and
  sign it again with a later ``validFrom``.

"Now", the default of ``--on``, is the only use of the clock, and it is here:
the current time in UTC (never the local date).  Output files are written to
a temporary file and renamed into place.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ..certification import certify, generate_key, load_private_key, private_key_to_pem, public_key_to_pem
from ..checks import json_string
from ..credentials import (
    CredentialCheck,
    CredentialStatus,
    StatusList,
    allocate_index,
    check_status_list_credential,
    did_key,
    issue_credential,
    verify_credential,
)
from ..credentials.proof import format_datetime, parse_datetime, read_document
from ..errors import CertificationError, CertificationRefused, CredentialError
from ..model import Case
from ..numbers import localized
from ..words import word
from .common import (
    InputError,
    add_lang,
    assess_document,
    case_rubric,
    input_name,
    iso_date,
    load_document,
    read_input,
    whole_number,
    write_output,
)

if TYPE_CHECKING:
    # For annotations only: cryptography is the optional ``sign`` extra, which
    # kol_trust.certification imports only when a key is used.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

__all__ = ["add_parsers"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def instant(text: str) -> dt.datetime:
    """An argument type: ``YYYY-MM-DD`` (00:00:00 UTC) or a date-time with ``Z`` or an offset."""
    if len(text) == 10:
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            day = None
        if day is not None:
            return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    value = parse_datetime(text)
    if value is None:
        raise argparse.ArgumentTypeError(
            f"expected a date YYYY-MM-DD or a time such as 2026-12-01T09:30:00Z, got {json_string(text)}"
        )
    return value


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


def _json_text(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _own_list(path: str, key: Ed25519PrivateKey, issuer: str | None) -> dict[str, Any]:
    """The status list credential in *path*, once it verifies as signed by *key* (for *issuer*)."""
    data, why = read_document(read_input(path), "the status list credential")
    if data is None:
        raise InputError(f"{input_name(path)}: {why}")
    ident = issuer if issuer is not None else did_key(key)
    trusted: Any = {ident: key.public_key()}
    check = check_status_list_credential(data, trusted_issuers=trusted)
    if not check.ok:
        raise InputError(f"{input_name(path)}: {check.problem}")
    return data


def _indexes_path(path: str) -> Path:
    return Path(path + ".indexes")


def _used_indexes(path: str) -> set[int]:
    file = _indexes_path(path)
    if not file.exists():
        return set()
    used = set()
    for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            if not line.strip().isdigit():
                raise InputError(f"{file}:{n}: expected an index, got {json_string(line.strip())}")
            used.add(int(line))
    return used


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
    out.write(did_key(key) + "\n")
    return 0


def _cmd_certify(args: argparse.Namespace, out: TextIO) -> int:
    case = load_document(args.case, Case)
    key = _private_key(args.key)
    rubric = case_rubric(args.rubric, case, args.case)
    assessment = assess_document(args.case, case, rubric)
    issued_on = args.on if args.on is not None else _now().date()
    lists: dict[str, str] = {}
    urls: dict[str, str] = {}
    length = None
    for path in args.status_list:
        data = _own_list(path, key, args.issuer)
        purpose = data["credentialSubject"]["statusPurpose"]
        if purpose in lists:
            raise InputError(f"{input_name(path)}: a second {purpose} list; give at most one of each purpose")
        lists[purpose], urls[purpose] = path, data["id"]
        size = StatusList.from_encoded_list(data["credentialSubject"]["encodedList"], purpose).length
        length = size if length is None else min(length, size)
    index = None
    if length is not None:
        used: set[int] = set().union(*(_used_indexes(p) for p in lists.values()))
        index = allocate_index(used, length)
    try:
        certificate = certify(
            assessment,
            issuer=args.issuer_name,
            issued_on=issued_on,
            serial=args.serial,
            subject=case.subject,
            rubric=rubric,
        )
        credential = issue_credential(
            certificate,
            key,
            issuer=args.issuer,
            verification_method=args.verification_method,
            status_list=urls.get("revocation"),
            suspension_list=urls.get("suspension"),
            status_index=index,
        )
    except CertificationRefused as e:
        raise InputError(str(e)) from None
    except (CertificationError, CredentialError) as e:
        raise InputError(str(e)) from None
    for path in lists.values():  # the index is never given twice
        with _indexes_path(path).open("a", encoding="utf-8") as f:
            f.write(f"{index}\n")
    write_output(args.output, _json_text(credential), out)
    if args.output != "-":
        out.write(f"{certificate.serial}\n")
    return 0


def _cmd_verify(args: argparse.Namespace, out: TextIO) -> int:
    document = read_input(args.credential)
    lists = [read_input(path) for path in args.status_list]
    on = args.on if args.on is not None else _now()
    try:
        result = verify_credential(document, trusted_issuers=args.issuer, on=on, status_lists=lists)
    except Exception as e:  # SigningUnavailable
        raise InputError(str(e)) from None
    out.write(f"{result.status.value}\n{_detail(result, on, args.lang)}\n")
    if result.ok and result.certificate is not None:
        c = result.certificate
        score = localized(f"{c.score:g}", args.lang)
        subject, tier, at = json_string(c.subject_id), json_string(c.tier), format_datetime(on)
        line = word("verify.summary", args.lang, serial=c.serial, subject=subject, tier=tier, score=score, on=at)
        out.write(line + "\n")
    return 0 if result.ok else 1


def _detail(result: CredentialCheck, on: dt.datetime, lang: str) -> str:
    """The second line of ``verify``: the library's detail in English; in Vietnamese, a sentence of the
    catalogue when the certificate was read back, else the status word and the detail (a diagnostic, in
    English)."""
    if lang == "en":
        return result.detail
    status = word(f"credential.status.{result.status.value}", lang)
    c, start, until = result.certificate, result.valid_from, result.valid_until
    key = {
        CredentialStatus.VALID: "verify.valid",
        CredentialStatus.EXPIRED: "verify.expired",
        CredentialStatus.NOT_YET_VALID: "verify.not_yet_valid",
    }.get(result.status)
    if key is None or c is None or start is None or until is None:
        return word("verify.other", lang, status=status, detail=result.detail)
    text = word(
        key,
        lang,
        serial=c.serial,
        subject=json_string(c.subject_id),
        tier=json_string(c.tier),
        issuer=result.issuer or "",
        start=format_datetime(start),
        until=format_datetime(until),
        on=format_datetime(on),
    )
    if result.status_unchecked:
        purposes = ", ".join(word(f"verify.purpose.{p}", lang) for p in result.status_unchecked)
        text += word("verify.unchecked", lang, purposes=purposes)
    return text


def _cmd_list_new(args: argparse.Namespace, out: TextIO) -> int:
    key = _private_key(args.key)
    start = args.on if args.on is not None else _now()
    try:
        status_list = StatusList(args.purpose, args.length)
        document = status_list.to_credential(
            key,
            id=args.id,
            issuer=args.issuer,
            valid_from=start,
            valid_until=start + dt.timedelta(days=args.valid_days),
            verification_method=args.verification_method,
        )
    except CredentialError as e:
        raise InputError(str(e)) from None
    _create_exclusive(Path(args.output), _json_text(document).encode("utf-8"), 0o644)
    return 0


def _update_list(args: argparse.Namespace, out: TextIO, action: str) -> int:
    key = _private_key(args.key)
    data = _own_list(args.list, key, args.issuer)
    subject = data["credentialSubject"]
    purpose = subject["statusPurpose"]
    wanted = "revocation" if action == "revoke" else "suspension"
    if purpose != wanted:
        raise InputError(
            f"{input_name(args.list)}: a {purpose} list; {action} needs a {wanted} list"
            + (" (revocation is permanent: it cannot be restored)" if action == "restore" else "")
        )
    if args.index is not None:
        index = args.index
    else:
        credential, why = read_document(read_input(args.credential), "the credential")
        if credential is None:
            raise InputError(f"{input_name(args.credential)}: {why}")
        raw = credential.get("credentialStatus")
        entries = raw if isinstance(raw, list) else [raw]
        found = [
            e for e in entries
            if isinstance(e, dict) and e.get("statusListCredential") == data["id"] and e.get("statusPurpose") == purpose
        ]  # fmt: skip
        if not found or not str(found[0].get("statusListIndex", "")).isdigit():
            raise InputError(f"{input_name(args.credential)}: names no {purpose} entry in the list {data['id']}")
        index = int(found[0]["statusListIndex"])
    status_list = StatusList.from_encoded_list(subject["encodedList"], purpose)
    if not 0 <= index < status_list.length:
        raise InputError(f"index {index} is outside the list (0 to {status_list.length - 1})")
    if action == "restore":
        status_list.clear(index)
    else:
        status_list.set(index)
    old_start = parse_datetime(data["validFrom"])
    old_until = parse_datetime(data["validUntil"])
    assert old_start is not None
    assert old_until is not None
    start = args.on if args.on is not None else _now()
    if start <= old_start:
        raise InputError(
            f"{input_name(args.list)}: the list is dated {data['validFrom']}; the update must be later "
            f"(--on {format_datetime(start)})"
        )
    days = args.valid_days if args.valid_days is not None else None
    until = start + (dt.timedelta(days=days) if days is not None else old_until - old_start)
    proof = data.get("proof", {})
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    try:
        document = status_list.to_credential(
            key, id=data["id"], issuer=data["issuer"] if isinstance(data["issuer"], str) else data["issuer"]["id"],
            valid_from=start, valid_until=until, verification_method=method,
        )  # fmt: skip
    except CredentialError as e:
        raise InputError(str(e)) from None
    write_output(args.list, _json_text(document), out)
    verb = word(f"status_list.{action}", args.lang)
    out.write(word("status_list.done", args.lang, index=index, verb=verb, id=data["id"], on=format_datetime(start)))
    out.write("\n")
    return 0


def _issuer_name(text: str) -> str:
    if not text.strip() or len(text) > 200:
        raise argparse.ArgumentTypeError("the issuer's name must be 1 to 200 characters, not blank")
    return text


def add_parsers(commands: Any) -> None:
    """Add the ``keygen``, ``certify``, ``verify`` and ``status-list`` commands."""
    p = commands.add_parser(
        "keygen",
        help="make an Ed25519 key pair for signing credentials",
        description="Make an Ed25519 key pair. The private key file is created with mode 0600; "
        "existing files are never overwritten. Prints the key's did:key (the issuer identifier).",
    )
    p.add_argument("--out", required=True, metavar="KEY.pem", help="the private key file to create")
    p.add_argument("--public-out", metavar="PUB.pem", help="also write the public key here")
    add_lang(p, "the output (the did:key, a code, is the same in both)")
    p.set_defaults(run=_cmd_keygen)

    p = commands.add_parser(
        "certify",
        help="assess a case and issue the certificate as a signed credential",
        description="Assess a case, certify the result and write the certificate as a W3C Verifiable "
        "Credential (eddsa-jcs-2022). Exit code 2, with the reasons on standard error, when certification is refused.",
    )
    p.add_argument("case", metavar="CASE.json", help="the case document; - reads standard input")
    p.add_argument("--key", required=True, metavar="KEY.pem", help="the issuer's private key (PEM, not encrypted)")
    p.add_argument("--issuer-name", required=True, type=_issuer_name, metavar="NAME", help="the issuer's name")
    p.add_argument("--issuer", metavar="DID|URL", help="the issuer's identifier (default: the key's did:key)")
    p.add_argument("--verification-method", metavar="ID", help="the key's id under a did:web or URL issuer")
    p.add_argument("--on", type=iso_date, metavar="DATE", help="the issue date (default: today in UTC)")
    p.add_argument("--serial", metavar="SERIAL", help="the serial (default: 128 random bits in hex)")
    p.add_argument("--rubric", metavar="VERSION|FILE", help="a built-in version such as 1.0.0, or a rubric file")
    p.add_argument(
        "--status-list",
        action="append",
        default=[],
        metavar="LIST.json",
        help="the issuer's revocation or suspension list (repeatable, one of each); a random unused index is allocated",
    )
    p.add_argument("-o", "--output", required=True, metavar="CRED.json", help="the credential; - is stdout")
    add_lang(p, "the output (the serial, a code, is the same in both; refusals are reported in English)")
    p.set_defaults(run=_cmd_certify)

    p = commands.add_parser(
        "verify",
        help="check a credential",
        description="Check a KOL Trust credential. Prints the status (valid, expired, not-yet-valid, revoked, "
        "suspended, bad-signature, unknown-key, malformed) on the first line and why on the second. "
        "Exit code 0 only when valid, 1 otherwise, 2 when an argument cannot be read.",
    )
    p.add_argument("credential", metavar="CRED.json", help="the credential; - reads standard input")
    p.add_argument("--issuer", required=True, action="append", metavar="DID", help="a trusted issuer (repeatable)")
    p.add_argument(
        "--status-list",
        action="append",
        default=[],
        metavar="LIST.json",
        help="a status list credential (repeatable); one that does not verify makes the result malformed",
    )
    p.add_argument("--on", type=instant, metavar="TIME", help="check at this time (default: now, UTC)")
    add_lang(p, "the detail lines (the status on the first line is a code, the same in both)")
    p.set_defaults(run=_cmd_verify)

    p = commands.add_parser(
        "status-list",
        help="create and update Bitstring Status Lists (revocation, suspension)",
        description="Create a status list credential, or revoke, suspend or restore a credential in one.",
    )
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    q = sub.add_parser("new", help="create a new status list credential (never over an existing file)")
    q.add_argument("--key", required=True, metavar="KEY.pem", help="the issuer's private key (PEM)")
    q.add_argument("--id", required=True, metavar="URL", help="the https URL where the list will be published")
    q.add_argument("--purpose", choices=["revocation", "suspension"], default="revocation", help="default: revocation")
    q.add_argument("--issuer", metavar="DID|URL", help="the issuer's identifier (default: the key's did:key)")
    q.add_argument("--verification-method", metavar="ID", help="the key's id under a did:web or URL issuer")
    q.add_argument("--length", type=whole_number(131072), default=131072, metavar="N", help="entries (≥ 131072)")
    q.add_argument("--valid-days", type=whole_number(1), default=30, metavar="DAYS", help="how long it is valid")
    q.add_argument("--on", type=instant, metavar="TIME", help="validFrom (default: now, UTC)")
    q.add_argument("-o", "--output", required=True, metavar="LIST.json", help="the file to create")
    add_lang(q, "the output (it prints nothing on success)")
    q.set_defaults(run=_cmd_list_new)
    for action, text in (
        ("revoke", "revoke a credential in a revocation list (permanent)"),
        ("suspend", "suspend a credential in a suspension list"),
        ("restore", "lift a suspension in a suspension list"),
    ):
        q = sub.add_parser(action, help=text, description=text[0].upper() + text[1:] + "; the list is signed again.")
        q.add_argument("list", metavar="LIST.json", help="the existing list; it must verify with the key")
        q.add_argument("--key", required=True, metavar="KEY.pem", help="the issuer's private key (PEM)")
        q.add_argument("--issuer", metavar="DID|URL", help="the issuer's identifier (default: the key's did:key)")
        which = q.add_mutually_exclusive_group(required=True)
        which.add_argument("--index", type=whole_number(0), metavar="N", help="the credential's index")
        which.add_argument("--credential", metavar="CRED.json", help="the credential (its index is read)")
        q.add_argument("--valid-days", type=whole_number(1), metavar="DAYS", help="default: as the list before")
        q.add_argument("--on", type=instant, metavar="TIME", help="the new validFrom (default: now, UTC)")
        add_lang(q, "the line printed on success")
        q.set_defaults(run=lambda args, out, action=action: _update_list(args, out, action))
