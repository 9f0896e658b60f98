"""``impact`` and ``kol-trust rubric impact``: every figure against direct assessment."""

from __future__ import annotations

import copy
import io
import json
import math
import re
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

import attrs
import pytest

import kol_trust as kt
from conftest import VECTORS
from kol_trust.authoring.impact import MAX_BINS, DeltaBin, ImpactReport, bin_width, impact
from kol_trust.cli import main
from kol_trust.cli.rubric_impact import print_impact
from kol_trust.engine import compile_rubric, round1

OLD = kt.load_rubric("1.0.0")
OLD_DOC: dict[str, Any] = kt.to_dict(OLD)


def builtin_cases() -> list[kt.Case]:
    """The cases of the vectors that use the built-in rubric."""
    cases = []
    for path in sorted(VECTORS.glob("[0-9]*.json")):
        vector = json.loads(path.read_text(encoding="utf-8"))
        if "rubric_file" not in vector:
            cases.append(kt.from_dict(vector["case"], kt.Case))
    return cases


CASES = builtin_cases()


def new_doc() -> dict[str, Any]:
    """1.0.0 with trust weighing more, a harsher fake-audience gate, no training
    gate, and 'developing' renamed 'emerging' (a tier only one rubric has)."""
    doc = copy.deepcopy(OLD_DOC)
    doc["version"] = "1.1.0"
    next(p for p in doc["pillars"] if p["id"] == "trust")["weight"] = 45
    fake = next(g for g in doc["gates"] if g["id"] == "G-FAKE-AUDIENCE")
    fake["when"]["below"] = 90
    fake["cap"] = 40
    doc["gates"] = [g for g in doc["gates"] if g["id"] != "G-TRAINING"]
    next(t for t in doc["tiers"] if t["id"] == "developing")["id"] = "emerging"
    return doc


NEW = kt.from_dict(new_doc(), kt.Rubric)


def direct(cases: list[kt.Case]) -> list[tuple[kt.Assessment, kt.Assessment]]:
    return [
        (
            kt.assess(c.subject, c.evidence, rubric=OLD, as_of=c.as_of),
            kt.assess(c.subject, c.evidence, rubric=NEW, as_of=c.as_of),
        )
        for c in cases
    ]


@pytest.fixture(scope="module")
def report() -> ImpactReport:
    return impact(OLD, NEW, CASES)


@pytest.fixture(scope="module")
def pairs() -> list[tuple[kt.Assessment, kt.Assessment]]:
    return direct(CASES)


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 15


def test_counts(report: ImpactReport) -> None:
    assert (report.cases, report.assessed, report.failures) == (len(CASES), len(CASES), ())
    assert report.old == compile_rubric(OLD).ref and report.new == compile_rubric(NEW).ref


def test_matrix(report: ImpactReport, pairs: list[tuple[kt.Assessment, kt.Assessment]]) -> None:
    assert report.tiers == ("high-trust", "trusted", "developing", "not-rated", "emerging")
    expected = Counter((a.tier, b.tier) for a, b in pairs)
    for old in report.tiers:
        for new in report.tiers:
            assert report.transitions(old, new) == expected[(old, new)], (old, new)
    assert sum(map(sum, report.matrix)) == len(CASES)
    assert report.transitions("developing", "developing") == 0  # 'developing' is gone from the new rubric
    assert report.transitions("nope", "trusted") == 0
    # The change moves somebody: the figures are not trivially the identity.
    assert any(a.tier != b.tier for a, b in pairs)


def test_deltas(report: ImpactReport, pairs: list[tuple[kt.Assessment, kt.Assessment]]) -> None:
    deltas = [round1(b.score - a.score) for a, b in pairs]
    d = report.deltas
    assert d.count == len(deltas)
    assert (d.min, d.max) == (min(deltas), max(deltas))
    assert d.median == pytest.approx(statistics.median(deltas), abs=1e-9)
    assert d.mean == pytest.approx(statistics.fmean(deltas), abs=5e-4)
    assert min(deltas) < -5  # some case moves by more than one bin
    w = d.bin_width
    assert w is not None and (max(deltas) - min(deltas)) / w < MAX_BINS + 1
    bins = Counter(math.floor(round(x / w, 6)) for x in deltas)
    assert [(b.low, b.high, b.count) for b in d.histogram] == [
        (pytest.approx(k * w), pytest.approx((k + 1) * w), bins[k]) for k in sorted(bins)
    ]
    assert all(b.count > 0 for b in d.histogram)


def test_certification(report: ImpactReport, pairs: list[tuple[kt.Assessment, kt.Assessment]]) -> None:
    assert report.newly_certified == sum(b.certified and not a.certified for a, b in pairs)
    assert report.no_longer_certified == sum(a.certified and not b.certified for a, b in pairs)
    assert report.newly_certified + report.no_longer_certified > 0


def test_gates(report: ImpactReport, pairs: list[tuple[kt.Assessment, kt.Assessment]]) -> None:
    added: Counter[str] = Counter()
    removed: Counter[str] = Counter()
    for a, b in pairs:
        old, new = {g.id for g in a.gates}, {g.id for g in b.gates}
        added.update(new - old)
        removed.update(old - new)
    assert {g.gate: g.count for g in report.gates_newly_triggered} == dict(added)
    assert {g.gate: g.count for g in report.gates_no_longer_triggered} == dict(removed)
    assert added["G-FAKE-AUDIENCE"] > 0 and removed["G-TRAINING"] > 0


def test_movers(report: ImpactReport, pairs: list[tuple[kt.Assessment, kt.Assessment]]) -> None:
    ranked = sorted(
        range(len(pairs)),
        key=lambda i: (-abs(round1(pairs[i][1].score - pairs[i][0].score)), pairs[i][0].subject_id, i),
    )[:10]
    assert [m.index for m in report.movers] == ranked
    for m in report.movers:
        a, b = pairs[m.index]
        assert (m.subject_id, m.old_score, m.new_score, m.old_tier, m.new_tier) == (
            a.subject_id,
            a.score,
            b.score,
            a.tier,
            b.tier,
        )
        assert m.delta == round1(b.score - a.score)
        assert set(m.gates_added) == {g.id for g in b.gates} - {g.id for g in a.gates}
        assert set(m.gates_removed) == {g.id for g in a.gates} - {g.id for g in b.gates}
        changes = [round(abs((c.new_loss or 0) - (c.old_loss or 0)), 9) for c in m.criteria]
        assert changes == sorted(changes, reverse=True) and len(changes) <= 3
        for c in m.criteria:
            assert (c.old_loss, c.new_loss) == (a.criterion(c.criterion).loss, b.criterion(c.criterion).loss)
    top = report.movers[0]
    assert abs(top.delta) == max(abs(m.delta) for m in report.movers)


def test_gate_effect_changes_are_listed() -> None:
    # Same triggering, different cap: the mover says so.
    doc = copy.deepcopy(OLD_DOC)
    doc["version"] = "1.0.1"
    next(g for g in doc["gates"] if g["id"] == "G-FAKE-AUDIENCE")["cap"] = 30
    new = kt.from_dict(doc, kt.Rubric)
    (case,) = [c for c in CASES if any(e.criterion == "N01" and (e.value or 1) < 0.7 for e in c.evidence)][:1]

    (mover,) = impact(OLD, new, [case]).movers

    assert mover.delta < 0
    assert [(g.gate, g.old_cap, g.new_cap) for g in mover.gates_changed] == [("G-FAKE-AUDIENCE", 60, 30)]


def test_top_and_generators() -> None:
    report = impact(OLD, NEW, (c for c in CASES), top=3)
    assert report.cases == len(CASES)
    assert [m.index for m in report.movers] == [m.index for m in impact(OLD, NEW, CASES).movers[:3]]
    assert impact(OLD, NEW, CASES, top=0).movers == ()
    with pytest.raises(ValueError, match="top"):
        impact(OLD, NEW, CASES, top=-1)


def test_same_rubric_changes_nothing() -> None:
    report = impact(OLD, OLD, CASES)
    assert report.deltas.histogram[0].low == 0 and report.deltas.count == len(CASES)
    assert (report.deltas.min, report.deltas.max, report.deltas.mean) == (0.0, 0.0, 0.0)
    assert report.newly_certified == report.no_longer_certified == 0
    assert report.gates_newly_triggered == report.gates_no_longer_triggered == ()
    assert all(m.criteria == () and m.gates_added == m.gates_removed == () for m in report.movers)
    assert all(report.matrix[i][j] == 0 for i in range(4) for j in range(4) if i != j)


def test_no_cases() -> None:
    report = impact(OLD, NEW, [])
    assert (report.cases, report.assessed) == (0, 0)
    d = report.deltas
    assert (d.count, d.min, d.median, d.max, d.mean, d.histogram) == (0, None, None, None, None, ())


def conflicting_case() -> kt.Case:
    case = CASES[1]
    first = case.evidence[0]
    twin = kt.Evidence(
        id=first.id,
        subject_id=first.subject_id,
        criterion=first.criterion,
        source=first.source,
        observed_at=first.observed_at,
        value=0.123,
        severity=first.severity,
    )
    return kt.Case(subject=case.subject, evidence=(*case.evidence, twin), as_of=case.as_of)


def test_failures_are_listed_not_raised() -> None:
    report = impact(OLD, NEW, [CASES[0], conflicting_case(), CASES[2]])

    assert (report.cases, report.assessed, report.deltas.count) == (3, 2, 2)
    (failure,) = report.failures
    assert (failure.index, failure.subject_id) == (1, CASES[1].subject.id)
    assert "different content" in failure.error
    assert sum(map(sum, report.matrix)) == 2


@pytest.mark.parametrize(
    ("deltas", "width"),
    [
        ([0.0], 1),  # one value: the narrowest bin
        ([-1.2, -0.3, 0.4, 1.0], 5),  # −1.2…+1.0: bins of 0.5 points, not two bars of 5
        ([-0.5, 0.4], 1),  # ten bins of 0.1 from −0.5 to 0.4
        ([-0.5, 0.5], 2),  # eleven bins of 0.1 would be one too many
        ([-100.0, 100.0], 500),  # the whole scale: bins of 50 points
        ([-30.0, 12.5], 50),
    ],
)
def test_bins_fit_the_data(deltas: list[float], width: int) -> None:
    assert bin_width(deltas) == width
    report_bins = {round(d * 10) // width for d in deltas}
    assert max(report_bins) - min(report_bins) + 1 <= MAX_BINS


def test_to_dict(report: ImpactReport) -> None:
    doc = kt.to_dict(report)
    assert json.loads(json.dumps(doc)) == doc
    assert doc["old"]["version"] == "1.0.0" and doc["new"]["version"] == "1.1.0"
    assert doc["tiers"] == list(report.tiers)
    assert doc["matrix"] == [list(row) for row in report.matrix]
    assert doc["deltas"]["histogram"][0].keys() == {"low", "high", "count"}
    assert doc["movers"][0].keys() >= {"index", "subject_id", "old_score", "new_score", "criteria", "gates_added"}
    assert doc["gates_newly_triggered"] == [{"gate": g.gate, "count": g.count} for g in report.gates_newly_triggered]


# -- command line --------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    new = tmp_path / "new.json"
    new.write_text(json.dumps(new_doc()), encoding="utf-8")
    lines = [kt.to_json(c) for c in CASES[:6]]
    lines[1:1] = ["{not json"]  # line 2
    lines[4:4] = ["", '{"subject": {"id": "x"}}']  # line 5 empty, line 6 an invalid case
    lines.append(kt.to_json(conflicting_case()))  # the last line: valid, but cannot be assessed
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return new, cases


def test_cli_json(capsys: pytest.CaptureFixture[str], files: tuple[Path, Path]) -> None:
    new, cases = files

    code, out, err = run(capsys, "rubric", "impact", "1.0.0", str(new), "--cases", str(cases), "--format", "json")

    assert code == 0
    assert err.startswith(f"{cases}: line 2: ") and "not valid JSON" in err
    assert f"\n{cases}: line 6: " in err and "$.subject" in err
    assert len(err.splitlines()) == 2
    doc = json.loads(out)
    assert doc["input"] == {"cases": str(cases), "lines_read": 9, "assessed": 6, "rejected": 2, "failed": 1}
    assert [r["line"] for r in doc["rejected"]] == [2, 6]
    assert doc["report"]["failures"][0]["line"] == 10
    assert doc["report"]["failures"][0]["index"] == 6
    expected = impact(OLD, NEW, CASES[:6])
    assert doc["report"]["matrix"] == [list(r) for r in expected.matrix]
    case_lines = [1, 3, 4, 7, 8, 9]
    assert [m["line"] for m in doc["report"]["movers"]] == [case_lines[m.index] for m in expected.movers]


def test_cli_table(capsys: pytest.CaptureFixture[str], files: tuple[Path, Path]) -> None:
    new, cases = files

    code, out, _ = run(capsys, "rubric", "impact", "1.0.0", str(new), "--cases", str(cases), "--top", "2")

    assert code == 0
    assert "9 lines read, 6 assessed, 2 rejected, 1 failed" in out
    assert "old \\ new" in out and "emerging" in out
    assert "Biggest movers" in out and "line 10" in out and "line 2 " in out


def test_cli_unreadable_cases(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "rubric", "impact", "1.0.0", "1.0.0", "--cases", str(tmp_path / "none.jsonl"))

    assert (code, out) == (2, "")
    assert "none.jsonl: no such file" in err


def test_cli_bad_top(capsys: pytest.CaptureFixture[str], files: tuple[Path, Path]) -> None:
    new, cases = files
    with pytest.raises(SystemExit) as exit_info:
        main(["rubric", "impact", "1.0.0", str(new), "--cases", str(cases), "--top", "-1"])
    assert exit_info.value.code == 2


def test_the_histogram_shows_the_empty_bins_between_full_ones(report: ImpactReport) -> None:
    """The report lists only bins that hold a delta; the text shows every bin
    from the first to the last, an empty one with 0 and no bar, so that a gap
    in the data is a gap in the picture."""
    a, b = DeltaBin(-1.0, -0.8, 3), DeltaBin(-0.4, -0.2, 6)
    gapped = attrs.evolve(report, deltas=attrs.evolve(report.deltas, histogram=(a, b), bin_width=0.2))
    out = io.StringIO()
    print_impact(gapped, out, width=100)
    rows = re.findall(r"^  \[([-+]\d\.\d), ([-+]\d\.\d)\)\s+(\d+)\s*(#*)$", out.getvalue(), flags=re.M)
    assert rows == [
        ("-1.0", "-0.8", "3", "#" * 20),
        ("-0.8", "-0.6", "0", ""),
        ("-0.6", "-0.4", "0", ""),
        ("-0.4", "-0.2", "6", "#" * 40),
    ]
