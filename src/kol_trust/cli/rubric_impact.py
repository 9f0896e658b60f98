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
from ..checks import json_string
from ..errors import ValidationError
from ..model import Case
from ..numbers import localized, shown
from ..wire import from_json, to_dict
from ..words import plural, word
from .common import add_lang, add_width, input_name, open_input, print_table, resolve_rubric, table_width, write_text
from .progress import CountingReader, Progress, input_size

__all__ = ["add_parsers", "print_impact"]


def _one_line(text: str) -> str:
    return "; ".join(part.strip() for part in text.splitlines() if part.strip())


def _top(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{json_string(text)} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{json_string(text)}: must be 0 or more")
    return value


def _effect(cap: float | None, disqualify: bool, lang: str) -> str:
    parts = [word("impact.cap", lang, cap=localized(f"{cap:g}", lang))] if cap is not None else []
    parts += [word("impact.disqualifies", lang)] if disqualify else []
    return ", ".join(parts) or word("impact.no_effect", lang)


def _ref(report: ImpactReport, which: str) -> str:
    ref = report.old if which == "old" else report.new
    same_name = (report.old.id, report.old.version) == (report.new.id, report.new.version)
    return f"{ref.id} {ref.version}" + (f" ({ref.digest[:19]}…)" if same_name else "")


def print_impact(
    report: ImpactReport, out: TextIO, *, lines: list[int] | None = None, lang: str = "en", width: int | None = None
) -> None:
    """The readable report, every word in *lang*; *lines* maps case indexes to line numbers, when the
    cases came from a file; wide tables wrap to *width* columns."""

    def where(index: int) -> str:
        return word("impact.line", lang, n=lines[index]) if lines is not None else word("impact.case", lang, n=index)

    def say(text: str) -> None:
        write_text(out, text, width)

    def none() -> None:
        say(f"  {word('impact.none', lang)}")

    heading = word("impact.heading", lang, old=_ref(report, "old"), new=_ref(report, "new"))
    say(f"{heading} {plural('impact.assessed', report.assessed, lang)}")

    say(f"\n{word('impact.transitions', lang)}")
    print_table(
        [
            [word("impact.old_new", lang), *report.tiers],
            *([t, *map(str, row)] for t, row in zip(report.tiers, report.matrix, strict=True)),
        ],
        out,
        indent="  ",
        width=width,
    )

    newly, no_longer = report.newly_certified, report.no_longer_certified
    say("\n" + word("impact.certification", lang, newly=newly, no_longer=no_longer))

    d = report.deltas
    mean = shown(d.mean, "+.3f", lang)
    stats = word(
        "impact.deltas",
        lang,
        count=d.count,
        min=shown(d.min, "+.1f", lang),
        median=shown(d.median, "+.1f", lang),
        max=shown(d.max, "+.1f", lang),
        mean=mean,
    )
    if d.bin_width is not None:
        stats += word("impact.bins", lang, width=localized(f"{d.bin_width:g}", lang))
    say(f"\n{stats}")
    if d.histogram and d.bin_width is not None:
        peak = max(b.count for b in d.histogram)
        sep = ";" if lang == "vi" else ","  # a decimal comma inside: the interval's ends apart with a semicolon
        # The report lists the bins that hold a delta; the picture shows the
        # empty ones between them too, so that a gap looks like a gap.
        step = round(d.bin_width * 10)
        by_low = {round(b.low * 10): b.count for b in d.histogram}
        lows = range(min(by_low), max(by_low) + step, step)
        print_table(
            [
                [
                    f"[{shown(low / 10 + 0.0, '+.1f', lang)}{sep} {shown((low + step) / 10 + 0.0, '+.1f', lang)})",
                    str(by_low.get(low, 0)),
                    "#" * max(1, round(40 * by_low[low] / peak)) if low in by_low else "",
                ]
                for low in lows
            ],
            out,
            indent="  ",
            width=width,
        )

    for key, counts in (
        ("impact.gates_newly", report.gates_newly_triggered),
        ("impact.gates_no_longer", report.gates_no_longer_triggered),
    ):
        say(f"\n{word(key, lang)}")
        if counts:
            print_table([[g.gate, str(g.count)] for g in counts], out, indent="  ", width=width)
        else:
            none()

    say(f"\n{word('impact.movers', lang)}")
    if report.movers:
        head = ("subject", "where", "old", "new", "delta", "why")
        rows = [[word(f"impact.{key}", lang) for key in head]]
        for m in report.movers:
            why = [
                word(
                    "impact.loss",
                    lang,
                    criterion=c.criterion,
                    old=shown(c.old_loss, ".1f", lang),
                    new=shown(c.new_loss, ".1f", lang),
                )
                for c in m.criteria
            ]
            why += [f"+{g}" for g in m.gates_added] + [f"-{g}" for g in m.gates_removed]
            why += [
                f"~{g.gate} {_effect(g.old_cap, g.old_disqualify, lang)}→{_effect(g.new_cap, g.new_disqualify, lang)}"
                for g in m.gates_changed
            ]
            rows.append(
                [
                    m.subject_id,
                    where(m.index),
                    f"{shown(m.old_score, '.1f', lang)} {m.old_tier}",
                    f"{shown(m.new_score, '.1f', lang)} {m.new_tier}",
                    shown(m.delta, "+.1f", lang),
                    "; ".join(why) or "—",
                ]
            )
        print_table(rows, out, indent="  ", width=width)
    else:
        none()

    if report.failures:
        say(f"\n{word('impact.failures', lang)}")
        rows = [[where(f.index), f.subject_id, _one_line(f.error)] for f in report.failures]
        print_table(rows, out, indent="  ", width=width)


_TOO_LONG = f"line longer than {DEFAULT_MAX_LINE_BYTES} bytes: not parsed"


class _Cases:
    """The cases of a JSON Lines file, read lazily (once) as they are assessed:
    their line numbers, the rejected lines (number, message) and the
    non-empty lines read fill in as it goes."""

    def __init__(self, path: str, err: TextIO, bar: Progress, lang: str) -> None:
        self.path, self.err, self.bar = path, err, bar
        self.noun = word("progress.cases", lang)
        self.lines: list[int] = []
        self.rejected: list[tuple[int, str]] = []
        self.read = 0

    def __iter__(self) -> Iterator[Case]:
        with open_input(self.path) as stream:
            self.bar.total = input_size(stream)
            reader = CountingReader(stream)
            for number, raw in enumerate(read_lines(reader), start=1):
                self.bar.update(reader.offset, self.read, self.noun)
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
    enabled = Progress.wanted(sys.stderr, args.quiet)
    bar = Progress("rubric impact", sys.stderr, total=None, enabled=enabled, lang=args.lang)
    cases = _Cases(args.cases, sys.stderr, bar, args.lang)
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
        lang, width = args.lang, table_width(args.width, out)
        counts = {"assessed": report.assessed, "rejected": len(rejected), "failed": failed}
        write_text(out, plural("impact.cases_file", read, lang, cases=args.cases, **counts) + "\n", width)
        print_impact(report, out, lines=lines, lang=lang, width=width)
        if rejected:
            write_text(out, f"\n{word('impact.rejected', lang)}", width)
            rows = [[word("impact.line", lang, n=n), m] for n, m in rejected]
            print_table(rows, out, indent="  ", width=width)
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
    add_lang(p, "the report and the progress bar (rejected lines are reported in English)")
    add_width(p)
    p.set_defaults(run=_cmd_impact)
