"""``kol-trust report``: write the report card (HTML) and the badge (SVG) of one case or credential.

With ``--credential CRED.json --issuer DID`` the credential is verified first
(``--status-list`` and ``--on`` as for ``verify``), and the badge says
*certified* only when it is valid; the case is then optional: with it, the
report card adds the assessment's detail (and must be the case the
credential was issued for).  Without a
credential the outputs say *assessment, not a certificate*.
``--verify-url TEMPLATE`` adds a QR code of the issuer's verification URL.

Both outputs are made before anything is written; each file is written to a
temporary file in its directory, then renamed over the target, so a target
is either left as it was or replaced whole.  ``-`` writes one of them to
standard output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any, TextIO

from ..credentials import CredentialCheck, verify_credential
from ..model import Case
from ..report import render_badge, render_report
from .certification import instant
from .common import (
    InputError,
    add_lang,
    assess_document,
    case_rubric,
    distinct_outputs,
    load_document,
    read_input,
    write_output,
)

__all__ = ["add_parsers"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _check(args: argparse.Namespace) -> CredentialCheck | None:
    if args.credential is None:
        if args.issuer or args.status_list or args.verify_url:
            raise InputError("--issuer, --status-list and --verify-url go with --credential")
        return None
    if not args.issuer:
        raise InputError("--credential needs the trusted issuer: --issuer DID")
    document = read_input(args.credential)
    lists = [read_input(path) for path in args.status_list]
    on = args.on if args.on is not None else _now()
    try:
        return verify_credential(document, trusted_issuers=args.issuer, on=on, status_lists=lists)
    except Exception as e:  # SigningUnavailable
        raise InputError(str(e)) from None


def _cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    if args.html is None and args.svg is None:
        raise InputError("nothing to write: give --html OUT.html, --svg BADGE.svg or both")
    if args.html == "-" and args.svg == "-":
        raise InputError("--html and --svg cannot both be standard output")
    distinct_outputs({"--html": args.html, "--svg": args.svg})
    check = _check(args)
    if args.case is None and check is None:
        raise InputError("give the case (CASE.json), or a credential (--credential CRED.json --issuer DID)")
    outputs: list[tuple[str, str]] = []
    try:
        if args.case is not None:
            case = load_document(args.case, Case)
            rubric = case_rubric(args.rubric, case, args.case)
            assessment = assess_document(args.case, case, rubric)
            if args.html is not None:
                html = render_report(
                    case, assessment, rubric, lang=args.lang, credential=check, verify_url=args.verify_url
                )
                outputs.append((args.html, html))
            if args.svg is not None and check is None:
                outputs.append((args.svg, render_badge(assessment, rubric, lang=args.lang, kind=case.subject.kind)))
        elif args.html is not None and check is not None:
            outputs.append((args.html, render_report(lang=args.lang, credential=check, verify_url=args.verify_url)))
        if args.svg is not None and check is not None:
            outputs.append((args.svg, render_badge(check, lang=args.lang, verify_url=args.verify_url)))
    except ValueError as e:
        raise InputError(str(e)) from None
    for path, text in outputs:
        write_output(path, text, out)
    if check is not None and not check.ok:
        sys.stderr.write(f"kol-trust: the credential is {check.status.value}: {check.detail}\n")
    return 0


def add_parsers(commands: Any) -> None:
    """Add the ``report`` command to the top-level sub-commands."""
    p = commands.add_parser(
        "report",
        help="write the report card (HTML) and badge (SVG) of one case or credential",
        description="Assess one case and write its report card, a self-contained HTML page with no script "
        "and no external resource, and/or its badge, a small SVG image. Give --html, --svg or both; "
        "- writes one of them to standard output. With --credential (verified first), the outputs show "
        "the certificate; a badge says certified only for a valid credential.",
    )
    p.add_argument("case", nargs="?", metavar="CASE.json", help="the case document; - reads standard input")
    p.add_argument("--html", metavar="OUT.html", help="write the report card here")
    p.add_argument("--svg", metavar="BADGE.svg", help="write the badge here")
    add_lang(p, "the outputs", default="vi")
    p.add_argument("--rubric", metavar="VERSION|FILE", help="a built-in version such as 1.0.0, or a rubric file")
    p.add_argument("--credential", metavar="CRED.json", help="the subject's credential, verified first")
    p.add_argument("--issuer", action="append", default=[], metavar="DID", help="a trusted issuer (repeatable)")
    p.add_argument(
        "--status-list", action="append", default=[], metavar="LIST.json", help="a status list credential (repeatable)"
    )
    p.add_argument("--on", type=instant, metavar="TIME", help="verify at this time (default: now, UTC)")
    p.add_argument(
        "--verify-url",
        metavar="TEMPLATE",
        help="the issuer's verification URL, such as https://nca.example/verify?serial={serial}: drawn as a QR code",
    )
    p.set_defaults(run=_cmd_report)
