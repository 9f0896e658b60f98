"""``kol-trust assess`` and ``kol-trust demo``: assess one case, or the bundled examples.

``assess`` prints a readable report (:func:`print_assessment`) or, with
``--format json``, the assessment document; ``demo`` does the same for every
example case shipped with the package (:func:`example_cases`, in
:func:`examples_folder`).
"""

from __future__ import annotations

import argparse
import importlib.resources
import json
import shlex
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from ..assessment import Assessment, ExclusionReason
from ..cases import rubric_for
from ..engine import assess
from ..model import Case
from ..numbers import localized, shown
from ..rubric import Rubric
from ..wire import from_json, to_dict, to_json
from ..words import word
from .common import add_lang, assess_document, case_rubric, iso_date, load_document, print_table

__all__ = ["add_parsers", "example_cases", "examples_folder", "print_assessment"]


def print_assessment(a: Assessment, case: Case, rubric: Rubric, lang: str, out: TextIO) -> None:
    """The readable report of one assessment, every word in *lang* (from :mod:`kol_trust.words`)."""
    subject = case.subject
    tier = rubric.tier(a.tier)
    kind = subject.kind.value.upper()
    day = a.as_of.strftime("%d/%m/%Y") if lang == "vi" else a.as_of.isoformat()
    out.write(word("assess.heading", lang, name=subject.name, id=subject.id, kind=kind, date=day) + "\n")
    out.write(word("assess.rubric", lang, id=a.rubric.id, version=a.rubric.version, digest=a.rubric.digest) + "\n\n")
    print_table(
        [
            [word("report.score", lang), word("assess.score", lang, score=shown(a.score, ".1f", lang))],
            [word("report.tier", lang), f"{tier.title(lang)} ({a.tier})"],
            [word("report.certified", lang), word("report.yes" if a.certified else "report.no", lang)],
            [word("report.coverage", lang), f"{shown(a.coverage, '.1f', lang)} %"],
        ],
        out,
    )
    out.write(f"\n{word('report.pillars', lang)}\n")
    rows = [[p.id, shown(p.score, ".1f", lang), rubric.pillar(p.id).title(lang)] for p in a.pillars]
    print_table(rows, out, indent="  ")
    out.write(f"\n{word('report.gates', lang)}\n")
    if a.gates:
        gate_titles = {g.id: g.title(lang) for g in rubric.gates}
        rows = []
        for g in a.gates:
            effects = [word("report.cap", lang, cap=localized(f"{g.cap:g}", lang))] if g.cap is not None else []
            effects += [word("report.disqualify", lang)] if g.disqualify else []
            rows.append([g.id, "; ".join(effects), gate_titles[g.id]])
        print_table(rows, out, indent="  ")
    else:
        out.write(f"  {word('report.no_gates', lang)}\n")
    out.write(f"\n{word('report.reasons', lang)}\n")
    if a.reasons:
        for n, r in enumerate(a.reasons, start=1):
            out.write(f"  {n}. {r.text(rubric)(lang)}\n")
    else:
        out.write(f"  {word('report.no_reasons', lang)}\n")
    used = sum(len(c.evidence) for c in a.criteria)
    out.write("\n" + word("assess.evidence", lang, used=used, excluded=len(a.excluded)))
    if a.excluded:
        counts = Counter(x.reason for x in a.excluded)
        parts = [
            f"{word('exclusion.' + reason.value, lang)} {counts[reason]}"
            for reason in ExclusionReason
            if counts[reason]
        ]
        out.write(" (" + ", ".join(parts) + ")")
    out.write(f"\n{word('report.fingerprint', lang)} {a.fingerprint}\n")


def examples_folder() -> Path:
    """Where the bundled example cases are on this machine (a folder a user can open)."""
    return Path(str(importlib.resources.files("kol_trust") / "examples"))


def example_cases() -> list[tuple[str, Case]]:
    """The bundled example cases, by file stem."""
    folder = importlib.resources.files("kol_trust") / "examples"
    entries = sorted((e for e in folder.iterdir() if e.name.endswith(".json")), key=lambda e: e.name)
    return [(e.name.removesuffix(".json"), from_json(e.read_bytes(), Case)) for e in entries]


# -- commands ------------------------------------------------------------------------


def _cmd_assess(args: argparse.Namespace, out: TextIO) -> int:
    case = load_document(args.case, Case)
    if args.as_of is not None:
        case = Case(subject=case.subject, evidence=case.evidence, as_of=args.as_of, rubric=case.rubric)
    rubric = case_rubric(args.rubric, case, args.case)
    assessment = assess_document(args.case, case, rubric)
    if args.format == "json":
        out.write(to_json(assessment, indent=2) + "\n")
    else:
        print_assessment(assessment, case, rubric, args.lang, out)
    return 0


def _cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    results = []
    for _, case in example_cases():
        rubric = rubric_for(case)
        results.append((case, rubric, assess(case.subject, case.evidence, rubric=rubric, as_of=case.as_of)))
    if args.format == "json":
        out.write(json.dumps([to_dict(a) for _, _, a in results], ensure_ascii=False, indent=2) + "\n")
        return 0
    lang = args.lang
    first = results[0][2]
    out.write(word("demo.heading", lang, id=first.rubric.id, version=first.rubric.version) + "\n\n")
    head = ["demo.subject", "demo.kind", "report.score", "report.tier", "report.certified", "report.coverage"]
    rows = [[word(key, lang) for key in [*head, "demo.gates"]]]
    for case, rubric, a in results:
        rows.append(
            [
                f"{case.subject.name} ({case.subject.id})",
                case.subject.kind.value.upper(),
                shown(a.score, ".1f", lang),
                rubric.tier(a.tier).title(lang),
                word("report.yes" if a.certified else "report.no", lang),
                shown(a.coverage, ".1f", lang),
                ", ".join(g.id for g in a.gates) or "—",
            ]
        )
    print_table(rows, out)
    folder = examples_folder()
    first_file = folder / f"{example_cases()[0][0]}.json"
    out.write("\n" + word("demo.see_one", lang, path=shlex.quote(str(first_file))) + "\n")
    out.write(word("demo.folder", lang, folder=folder) + "\n")
    return 0


def add_parsers(commands: Any) -> None:
    """Add the ``assess`` and ``demo`` commands to the top-level sub-commands
    (*commands*: the result of ``add_subparsers()``)."""
    p = commands.add_parser("assess", help="assess one case", description="Assess one case document.")
    p.add_argument("case", metavar="CASE.json", help="the case document; - reads standard input")
    p.add_argument("--rubric", metavar="VERSION|FILE", help="a built-in version such as 1.0.0, or a rubric file")
    p.add_argument("--as-of", type=iso_date, metavar="DATE", help="assess on this day instead of the case's as_of")
    p.add_argument("--format", choices=("table", "json"), default="table")
    add_lang(p, "the report")
    p.set_defaults(run=_cmd_assess)

    p = commands.add_parser("demo", help="assess the bundled example cases", description="Assess bundled examples.")
    p.add_argument("--format", choices=("table", "json"), default="table")
    add_lang(p, "the table")
    p.set_defaults(run=_cmd_demo)
