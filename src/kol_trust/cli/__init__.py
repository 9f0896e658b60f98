"""The ``kol-trust`` command: a thin shell over the library.

Exit codes: 0 success; 2 bad input (a message on stderr, no traceback);
1 anything else.  ``batch`` and ``pack`` add 3: some lines were rejected
(or, for ``pack``, some evidence named no known subject).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.resources
import json
import os
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, TextIO, TypeVar

from .. import __version__
from ..assessment import Assessment
from ..authoring.files import parse_rubric_text
from ..cases import rubric_for
from ..engine import assess
from ..errors import KolTrustError, RubricNotFoundError, ValidationError
from ..model import Case
from ..registry import load_rubric
from ..rubric import Rubric
from ..wire import from_json, to_dict, to_json

__all__ = [
    "InputError",
    "atomic_output",
    "main",
    "open_input",
    "print_table",
    "read_input",
    "resolve_rubric",
    "write_output",
]

_VERSION = re.compile(r"\d+\.\d+\.\d+")
T = TypeVar("T")


class InputError(Exception):
    """Bad input from the user: reported in one paragraph, exit code 2."""


# -- input ---------------------------------------------------------------------------


@contextlib.contextmanager
def open_input(path: str) -> Iterator[BinaryIO]:
    """The file at *path* opened for reading bytes (``-`` is standard input);
    a file that cannot be opened is an :class:`InputError` naming it."""
    if path == "-":
        yield sys.stdin.buffer
        return
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from None
    with f:
        yield f


def read_input(path: str) -> bytes:
    """All the bytes of *path* (``-`` is standard input)."""
    with open_input(path) as f:
        try:
            return f.read()
        except OSError as e:
            raise InputError(f"{path}: cannot read ({e.strerror})") from None


# -- output ----------------------------------------------------------------------------


@contextlib.contextmanager
def atomic_output(path: str, stdout: TextIO) -> Iterator[TextIO]:
    """*stdout* for ``-``; else a temporary file in *path*'s directory, renamed
    to *path* on success and removed on any exception, so that an interrupted
    command never leaves a truncated file that looks complete."""
    if path == "-":
        yield stdout
        return
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as e:
        raise InputError(f"{path}: cannot write ({e.strerror})") from None
    try:
        with open(fd, "w", encoding="utf-8", newline="\n") as f:
            yield f
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; outputs are ordinary files
        os.replace(tmp, target)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise InputError(f"{path}: cannot write ({e.strerror})") from None
        raise


def write_output(path: str, text: str, stdout: TextIO) -> None:
    """Write *text* to *path* through :func:`atomic_output` (``-`` is *stdout*)."""
    with atomic_output(path, stdout) as f:
        f.write(text)


def _date(text: str) -> dt.date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a calendar date") from None


def whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse type: an integer of at least *minimum*."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{text!r} is not at least {minimum}")
        return value

    return parse


def _load(path: str, cls: type[T]) -> T:
    """Read and parse a document, naming the file in any error."""
    try:
        return from_json(read_input(path), cls)
    except ValidationError as e:
        raise InputError(f"{'standard input' if path == '-' else path}: {e}") from None


def resolve_rubric(spec: str) -> Rubric:
    """A rubric named on the command line: a built-in version, or a file
    (JSON, or TOML when it ends in ``.toml``)."""
    if _VERSION.fullmatch(spec) and not Path(spec).is_file():
        return load_rubric(spec)
    if spec.lower().endswith(".toml"):
        try:
            return parse_rubric_text(read_input(spec), format="toml")
        except ValidationError as e:
            raise InputError(f"{spec}: {e}") from None
    return _load(spec, Rubric)


def _rubric(spec: str | None, case: Case) -> Rubric:
    """``--rubric`` when given; else the case's own rubric (STANDARD §1.3)."""
    return rubric_for(case) if spec is None else resolve_rubric(spec)


# -- output --------------------------------------------------------------------------


def print_table(rows: Sequence[Sequence[str]], out: TextIO, *, indent: str = "") -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [cell.ljust(w) for cell, w in zip(row, widths, strict=True)]
        out.write(indent + "  ".join(cells).rstrip() + "\n")


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


# -- commands ------------------------------------------------------------------------


def _cmd_assess(args: argparse.Namespace, out: TextIO) -> int:
    case = _load(args.case, Case)
    if args.as_of is not None:
        case = Case(subject=case.subject, evidence=case.evidence, as_of=args.as_of, rubric=case.rubric)
    rubric = _rubric(args.rubric, case)
    assessment = assess(case.subject, case.evidence, rubric=rubric, as_of=case.as_of)
    if args.format == "json":
        out.write(to_json(assessment, indent=2) + "\n")
    else:
        print_assessment(assessment, case, rubric, args.lang, out)
    return 0


def example_cases() -> list[tuple[str, Case]]:
    """The bundled example cases, by file stem."""
    folder = importlib.resources.files("kol_trust") / "examples"
    entries = sorted((e for e in folder.iterdir() if e.name.endswith(".json")), key=lambda e: e.name)
    return [(e.name.removesuffix(".json"), from_json(e.read_bytes(), Case)) for e in entries]


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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kol-trust",
        description="Score influencers (KOLs and KOCs) by the KOL Trust Standard, algorithm 1.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("assess", help="assess one case", description="Assess one case document.")
    p.add_argument("case", metavar="CASE.json", help="the case document; - reads standard input")
    p.add_argument("--rubric", metavar="VERSION|FILE", help="a built-in version such as 1.0.0, or a rubric file")
    p.add_argument("--as-of", type=_date, metavar="DATE", help="assess on this day instead of the case's as_of")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--lang", choices=("vi", "en"), default="en", help="language of titles (default: en)")
    p.set_defaults(run=_cmd_assess)

    p = commands.add_parser("demo", help="assess the bundled example cases", description="Assess bundled examples.")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(run=_cmd_demo)

    from . import rubric  # the standards authors' commands

    rubric.add_parser(commands)
    from . import batch

    batch.add_parser(commands)
    from . import data

    data.add_parser(commands)
    from . import schema

    schema.add_parser(commands)
    from . import report

    report.add_parser(commands)
    from . import certification

    certification.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    out = sys.stdout
    try:
        code: int = args.run(args, out)
        return code
    except (InputError, KolTrustError) as e:
        prefix = "" if isinstance(e, InputError | RubricNotFoundError) else f"{type(e).__name__}: "
        sys.stderr.write(f"kol-trust: {prefix}{e}\n")
        return 2
    except BrokenPipeError:
        return 1
    except Exception as e:
        sys.stderr.write(f"kol-trust: internal error: {type(e).__name__}: {e}\n")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
