"""``kol-trust rubric impact OLD NEW --cases CASES.jsonl``: what a new rubric changes.

The cases file holds one case document (JSON) a line; empty lines are
skipped.  A line that is not valid JSON or not a valid case is reported on
standard error (``CASES.jsonl: line 7: …``) and the run goes on.  Every case is assessed
under OLD and NEW (the case's own ``rubric`` field is ignored); see
:mod:`kol_trust.authoring.impact` for what the report holds.  The report says
how many lines were read (non-empty ones), and of them how many were
assessed, rejected (bad line) or failed (a valid case that cannot be
assessed, e.g. two evidence records with one id and different content):
read = assessed + rejected + failed.  Line numbers count every line, from 1.

The cases are read as they are assessed, with a progress bar on a terminal
(:mod:`kol_trust.cli.progress`) unless ``--quiet``.

Exit codes: 0 when the report was produced, even if some lines were rejected
or failed; 2 when a rubric or the cases file cannot be read (as every command).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from ..authoring.impact import ImpactReport, impact
from ..batch import DEFAULT_MAX_LINE_BYTES, read_lines
from ..errors import ValidationError
from ..model import Case
from ..wire import from_json, to_dict
from .common import input_name, open_input, print_table, resolve_rubric
from .progress import CountingReader, Progress, input_size

__all__ = ["add_parsers", "print_impact"]


def _one_line(text: str) -> str:
    return "; ".join(part.strip() for part in text.splitlines() if part.strip())


def _top(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: must be 0 or more")
    return value


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f}"


def _effect(cap: float | None, disqualify: bool) -> str:
    parts = ([f"cap {cap:g}"] if cap is not None else []) + (["disqualifies"] if disqualify else [])
    return ", ".join(parts) or "no effect"


def _ref(report: ImpactReport, which: str) -> str:
    ref = report.old if which == "old" else report.new
    same_name = (report.old.id, report.old.version) == (report.new.id, report.new.version)
    return f"{ref.id} {ref.version}" + (f" ({ref.digest[:19]}…)" if same_name else "")


def print_impact(report: ImpactReport, out: TextIO, *, lines: list[int] | None = None) -> None:
    """The readable report; *lines* maps case indexes to line numbers, when the cases came from a file."""

    def where(index: int) -> str:
        return f"line {lines[index]}" if lines is not None else f"case {index}"

    out.write(f"Impact of {_ref(report, 'old')} → {_ref(report, 'new')}: ")
    out.write(f"{report.assessed} case{'s' if report.assessed != 1 else ''} assessed\n")

    out.write("\nTier transitions (rows: old tier, columns: new tier)\n")
    print_table(
        [
            ["old \\ new", *report.tiers],
            *([t, *map(str, row)] for t, row in zip(report.tiers, report.matrix, strict=True)),
        ],
        out,
        indent="  ",
    )

    out.write(
        f"\nCertification: {report.newly_certified} newly certified, {report.no_longer_certified} no longer certified\n"
    )

    d = report.deltas
    out.write(
        f"\nScore deltas (new − old): count {d.count}, min {_signed(d.min)}, median {_signed(d.median)}, "
        f"max {_signed(d.max)}, mean {'—' if d.mean is None else f'{d.mean:+.3f}'}"
        + (f", bins of {d.bin_width:g} points\n" if d.bin_width is not None else "\n")
    )
    if d.histogram:
        peak = max(b.count for b in d.histogram)
        print_table(
            [
                [
                    f"[{b.low:+.1f}, {b.high:+.1f})",
                    str(b.count),
                    "#" * max(1, round(40 * b.count / peak)),
                ]
                for b in d.histogram
            ],
            out,
            indent="  ",
        )

    for title, counts in (
        ("Gates newly triggered", report.gates_newly_triggered),
        ("Gates no longer triggered", report.gates_no_longer_triggered),
    ):
        out.write(f"\n{title}\n")
        if counts:
            print_table([[g.gate, str(g.count)] for g in counts], out, indent="  ")
        else:
            out.write("  none\n")

    out.write("\nBiggest movers\n")
    if report.movers:
        rows = [["subject", "where", "old", "new", "delta", "why"]]
        for m in report.movers:
            why = [f"{c.criterion} loss {_num(c.old_loss)}→{_num(c.new_loss)}" for c in m.criteria]
            why += [f"+{g}" for g in m.gates_added] + [f"-{g}" for g in m.gates_removed]
            why += [
                f"~{g.gate} {_effect(g.old_cap, g.old_disqualify)}→{_effect(g.new_cap, g.new_disqualify)}"
                for g in m.gates_changed
            ]
            rows.append(
                [
                    m.subject_id,
                    where(m.index),
                    f"{m.old_score:.1f} {m.old_tier}",
                    f"{m.new_score:.1f} {m.new_tier}",
                    f"{m.delta:+.1f}",
                    "; ".join(why) or "—",
                ]
            )
        print_table(rows, out, indent="  ")
    else:
        out.write("  none\n")

    if report.failures:
        out.write("\nCases that could not be assessed\n")
        print_table([[where(f.index), f.subject_id, _one_line(f.error)] for f in report.failures], out, indent="  ")


_TOO_LONG = f"line longer than {DEFAULT_MAX_LINE_BYTES} bytes: not parsed"


class _Cases:
    """The cases of a JSON Lines file, read lazily (once) as they are assessed:
    their line numbers, the rejected lines (number, message) and the
    non-empty lines read fill in as it goes."""

    def __init__(self, path: str, err: TextIO, bar: Progress) -> None:
        self.path, self.err, self.bar = path, err, bar
        self.lines: list[int] = []
        self.rejected: list[tuple[int, str]] = []
        self.read = 0

    def __iter__(self) -> Iterator[Case]:
        with open_input(self.path) as stream:
            self.bar.total = input_size(stream)
            reader = CountingReader(stream)
            for number, raw in enumerate(read_lines(reader), start=1):
                self.bar.update(reader.offset, self.read, "cases")
                if not raw.strip():
                    continue
                self.read += 1
                if len(raw.rstrip(b"\r\n")) > DEFAULT_MAX_LINE_BYTES:
                    self._reject(number, _TOO_LONG)
                    continue
                try:
                    case = from_json(raw, Case)
                except ValidationError as e:
                    self._reject(number, _one_line(str(e)))
                    continue
                self.lines.append(number)
                yield case

    def _reject(self, number: int, message: str) -> None:
        self.rejected.append((number, message))
        self.bar.close()
        self.err.write(f"{input_name(self.path)}: line {number}: {message}\n")


def _with_lines(items: Any, lines: list[int]) -> Any:
    for item in items:
        item["line"] = lines[item["index"]]
    return items


def _cmd_impact(args: argparse.Namespace, out: TextIO) -> int:
    old = resolve_rubric(args.old)
    new = resolve_rubric(args.new)
    bar = Progress("rubric impact", sys.stderr, total=None, enabled=Progress.wanted(sys.stderr, args.quiet))
    cases = _Cases(args.cases, sys.stderr, bar)
    try:
        report = impact(old, new, cases, top=args.top)
    finally:
        bar.close()
    lines, rejected, read = cases.lines, cases.rejected, cases.read
    failed = len(report.failures)
    if args.format == "json":
        doc = to_dict(report)
        _with_lines(doc["movers"], lines)
        _with_lines(doc["failures"], lines)
        out.write(
            json.dumps(
                {
                    "input": {
                        "cases": args.cases,
                        "lines_read": read,
                        "assessed": report.assessed,
                        "rejected": len(rejected),
                        "failed": failed,
                    },
                    "rejected": [{"line": n, "error": m} for n, m in rejected],
                    "report": doc,
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
    else:
        out.write(
            f"Cases file {args.cases}: {read} line{'s' if read != 1 else ''} read, {report.assessed} assessed, "
            f"{len(rejected)} rejected, {failed} failed\n\n"
        )
        print_impact(report, out, lines=lines)
        if rejected:
            out.write("\nRejected lines\n")
            print_table([[f"line {n}", m] for n, m in rejected], out, indent="  ")
    return 0


def add_parsers(sub: Any) -> None:
    """Add ``impact`` to the ``rubric`` sub-commands."""
    p = sub.add_parser(
        "impact",
        help="assess cases under two rubrics and report what changes",
        description="Assess every case of a JSON Lines file under OLD and NEW and report tier transitions, "
        "score deltas, certification and gate changes and the biggest movers. Bad lines are reported on "
        "stderr and skipped. Exit 0: report produced; 2: a rubric or the cases file cannot be read.",
    )
    p.add_argument("old", metavar="OLD", help="the current rubric: a built-in version or a rubric file")
    p.add_argument("new", metavar="NEW", help="the proposed rubric: a built-in version or a rubric file")
    p.add_argument("--cases", required=True, metavar="CASES.jsonl", help="one case document a line; - reads stdin")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--top", type=_top, default=10, metavar="N", help="how many biggest movers to list (default 10)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=_cmd_impact)
