"""``kol-trust assess`` and ``kol-trust demo``: assess one case, or the bundled examples.

``assess`` prints a readable report (:func:`print_assessment`) or, with
``--format json``, the assessment document; ``demo`` does the same for every
example case shipped in ``kol_trust/examples/`` (:func:`example_cases`).
"""

from __future__ import annotations

import argparse
import importlib.resources
import json
from collections import Counter
from typing import Any, TextIO

from ..assessment import Assessment
from ..cases import rubric_for
from ..engine import assess
from ..model import Case
from ..rubric import Rubric
from ..wire import from_json, to_dict, to_json
from .common import case_rubric, iso_date, load_document, print_table

__all__ = ["add_parsers", "example_cases", "print_assessment"]


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def print_assessment(a: Assessment, case: Case, rubric: Rubric, lang: str, out: TextIO) -> None:
    """The readable report of one assessment."""
    subject = case.subject
    tier = rubric.tier(a.tier)
    out.write(f"{subject.name} ({subject.id}, {subject.kind.value}) as of {a.as_of.isoformat()}\n")
    out.write(f"Rubric {a.rubric.id} {a.rubric.version}  {a.rubric.digest}\n\n")
    print_table(
        [
            ["Score", f"{a.score:.1f} / 100"],
            ["Tier", f"{a.tier}: {tier.title(lang)}"],
            ["Certified", "yes" if a.certified else "no"],
            ["Coverage", f"{a.coverage:.1f} %"],
        ],
        out,
    )
    out.write("\nPillars\n")
    print_table([[p.id, _num(p.score), rubric.pillar(p.id).title(lang)] for p in a.pillars], out, indent="  ")
    out.write("\nGates triggered\n")
    if a.gates:
        gate_titles = {g.id: g.title(lang) for g in rubric.gates}
        rows = []
        for g in a.gates:
            effects = ([f"cap {g.cap:g}"] if g.cap is not None else []) + (["disqualifies"] if g.disqualify else [])
            rows.append([g.id, ", ".join(effects), gate_titles[g.id]])
        print_table(rows, out, indent="  ")
    else:
        out.write("  none\n")
    out.write("\nTop reasons\n")
    reasons = [r for r in a.reasons if r.loss is not None]
    if reasons:
        print_table(
            [[r.code, f"-{r.loss:.1f}", r.cause.value, rubric.criterion(r.code).title(lang)] for r in reasons],
            out,
            indent="  ",
        )
    else:
        out.write("  none: nothing costs points\n")
    used = sum(len(c.evidence) for c in a.criteria)
    out.write(f"\nEvidence: {used} used, {len(a.excluded)} excluded")
    if a.excluded:
        counts = Counter(x.reason.value for x in a.excluded)
        out.write(" (" + ", ".join(f"{reason} {n}" for reason, n in sorted(counts.items())) + ")")
    out.write(f"\nFingerprint {a.fingerprint}\n")


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
    rubric = case_rubric(args.rubric, case)
    assessment = assess(case.subject, case.evidence, rubric=rubric, as_of=case.as_of)
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
    first = results[0][2]
    out.write(f"KOL Trust Standard: rubric {first.rubric.id} {first.rubric.version}, bundled example cases\n\n")
    rows = [["subject", "kind", "score", "tier", "certified", "coverage", "gates"]]
    for case, _, a in results:
        rows.append(
            [
                f"{case.subject.name} ({case.subject.id})",
                case.subject.kind.value,
                f"{a.score:.1f}",
                a.tier,
                "yes" if a.certified else "no",
                f"{a.coverage:.1f}",
                ", ".join(g.id for g in a.gates) or "—",
            ]
        )
    print_table(rows, out)
    out.write("\nSee one in detail: kol-trust assess CASE.json (the cases are in kol_trust/examples/)\n")
    return 0


def add_parsers(commands: Any) -> None:
    """Add the ``assess`` and ``demo`` commands to the top-level sub-commands
    (*commands*: the result of ``add_subparsers()``)."""
    p = commands.add_parser("assess", help="assess one case", description="Assess one case document.")
    p.add_argument("case", metavar="CASE.json", help="the case document; - reads standard input")
    p.add_argument("--rubric", metavar="VERSION|FILE", help="a built-in version such as 1.0.0, or a rubric file")
    p.add_argument("--as-of", type=iso_date, metavar="DATE", help="assess on this day instead of the case's as_of")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--lang", choices=("vi", "en"), default="en", help="language of titles (default: en)")
    p.set_defaults(run=_cmd_assess)

    p = commands.add_parser("demo", help="assess the bundled example cases", description="Assess bundled examples.")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(run=_cmd_demo)
