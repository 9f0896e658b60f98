"""``lint_rubric`` and ``kol-trust rubric lint``: defects validation cannot see.

Each code is triggered by editing the ``tiny`` rubric (sources ``a`` 1.0 and
``b`` 0.5; pillars ``p1`` weight 3 with C1 proportion and C2 incidents, ``p2``
weight 1 with C3 attestation prior 0.2 and C4 proportion for KOCs only; gates
GP pillar-below p2 40 cap 75 and GI incident disqualify; tiers top 80 with
coverage 100, mid 60 with pillars 50, low).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import kol_trust as kt
from conftest import SPEC
from kol_trust.authoring.lint import CODES, Finding, lint_rubric
from kol_trust.cli import main

TINY: dict[str, Any] = json.loads((SPEC / "rubrics" / "tiny-0.1.0.json").read_text(encoding="utf-8"))
TEXT = {"vi": "X", "en": "X"}


def tiny() -> dict[str, Any]:
    return copy.deepcopy(TINY)


def lint(doc: dict[str, Any]) -> tuple[Finding, ...]:
    return lint_rubric(kt.from_dict(doc, kt.Rubric))


def codes(findings: tuple[Finding, ...]) -> list[tuple[str, str]]:
    return [(f.code, f.path) for f in findings]


def criterion(doc: dict[str, Any], cid: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in doc["criteria"] if c["id"] == cid)
    return found


def gate(gid: str, when: dict[str, Any], **effects: Any) -> dict[str, Any]:
    return {"id": gid, "title": TEXT, "when": when, **effects}


# -- the real rubrics ------------------------------------------------------------------------


def test_kol_trust_1_0_0_has_no_finding() -> None:
    assert lint_rubric(kt.load_rubric("1.0.0")) == ()


def test_the_tiny_rubric_certifies_an_empty_koc() -> None:
    # A real defect of the (test) rubric: C4 applies to KOCs with prior 1 and C1
    # has prior 0.5, so a KOC with no evidence scores 65.0 with pillars 66.7 and
    # 60.0 and gets the certified tier 'mid'.  A KOL with no evidence does not.
    findings = lint(tiny())

    assert codes(findings) == [("empty-subject-certified", "$.tiers[1]")]
    assert findings[0].severity == "error"
    assert "KOC" in findings[0].message and "65.0" in findings[0].message


def test_the_edge_rubric_has_a_gate_with_no_effect() -> None:
    rubric = kt.from_json((SPEC / "rubrics" / "edge-0.1.0.json").read_bytes(), kt.Rubric)
    assert codes(lint_rubric(rubric)) == [("gate-no-effect", "$.gates[0]")]


def fixed_tiny() -> dict[str, Any]:
    """Tiny without its one finding: the KOC-only C4 starts at prior 0."""
    doc = tiny()
    criterion(doc, "C4")["prior"] = 0
    return doc


def test_fixed_tiny_is_clean() -> None:
    assert lint(fixed_tiny()) == ()


# -- each code --------------------------------------------------------------------------------


def _unreachable(doc: dict[str, Any]) -> None:
    # C3 only from b (0.5): at best 0.5 + 0.5 × 0.2 = 60, so p2 ≤ 80 for every subject.
    criterion(doc, "C3")["accepted_sources"] = ["b"]
    doc["tiers"][0]["min_pillar_score"] = 85


def _unreachable_by_gate(doc: dict[str, Any]) -> None:
    # A disqualifying gate that every subject triggers: only the last tier is left.
    criterion(doc, "C3")["accepted_sources"] = ["b"]
    doc["gates"].append(gate("GX", {"type": "criterion-below", "criterion": "C3", "below": 70}, disqualify=True))


def _shadowed(doc: dict[str, Any]) -> None:
    # 'mid' (60, pillars 50) is weaker than 'mid2' (60, pillars 60) and comes first.
    doc["tiers"].insert(2, {"id": "mid2", "title": TEXT, "min_score": 60, "min_pillar_score": 60, "certified": True})


def _shadowed_last(doc: dict[str, Any]) -> None:
    doc["gates"] = [g for g in doc["gates"] if not g.get("disqualify")]
    doc["tiers"][1] = {"id": "mid", "title": TEXT, "min_score": 0}


def _best_not_top(doc: dict[str, Any]) -> None:
    # KOCs only: C4 becomes an attestation only b can attest (at best 50) and
    # weighs 3 in p2, so a KOC's p2 is at most (100 + 3 × 50) / 4 = 62.5 < 70.
    c4 = criterion(doc, "C4")
    del c4["prior_weight"]
    c4.update(measure="attestation", prior=0, accepted_sources=["b"], weight=3)
    doc["tiers"][0]["min_pillar_score"] = 70


def _dead_weight(doc: dict[str, Any]) -> None:
    doc["criteria"].append(
        {
            "id": "C5",
            "pillar": "p2",
            "title": TEXT,
            "weight": 0.01,
            "measure": "proportion",
            "prior": 0.5,
            "prior_weight": 1,
        }
    )


def _never_below_zero(doc: dict[str, Any]) -> None:
    doc["gates"].append(gate("GZ", {"type": "criterion-below", "criterion": "C1", "below": 0}, cap=50))


def _never_no_penalties(doc: dict[str, Any]) -> None:
    criterion(doc, "C2")["penalties"] = {"minor": 0, "moderate": 0, "serious": 0, "critical": 0}
    doc["gates"].append(gate("GZ", {"type": "criterion-below", "criterion": "C2", "below": 100}, cap=50))


def _never_pillar(doc: dict[str, Any]) -> None:
    # C3 only from b: at least (1 − 0.5) × 0.2 = 10 for a KOL; a KOC's p2 can
    # still fall to (10 + 0) / 2 = 5, so 'below 5' can never trigger.
    criterion(doc, "C3")["accepted_sources"] = ["b"]
    doc["gates"].append(gate("GZ", {"type": "pillar-below", "pillar": "p2", "below": 5}, cap=50))


def _never_incident(doc: dict[str, Any]) -> None:
    # Without C2 the rubric has no incidents criterion: GI (criteria []) looks at none.
    doc["criteria"] = [c for c in doc["criteria"] if c["id"] != "C2"]


def _always(doc: dict[str, Any]) -> None:
    criterion(doc, "C3")["accepted_sources"] = ["b"]  # at most 60
    doc["gates"].append(gate("GZ", {"type": "criterion-below", "criterion": "C3", "below": 70}, cap=90))


def _no_effect(doc: dict[str, Any]) -> None:
    doc["gates"][0]["cap"] = 100


def _no_source(doc: dict[str, Any]) -> None:
    doc["sources"] = []


#: A string quoted the Python way ('top'); an apostrophe inside a word (tier's) is not one.
PYTHON_QUOTED = re.compile(r"(?<!\w)'[^'\n]*'(?!\w)")


def test_the_python_quote_pattern_finds_one() -> None:
    assert PYTHON_QUOTED.search("no subject can reach tier 'top'")
    assert not PYTHON_QUOTED.search('no subject can reach tier "top": the earlier tier\'s conditions')


CASES: list[tuple[str, Callable[[dict[str, Any]], None], list[tuple[str, str]]]] = [
    ("unreachable-tier", _unreachable, [("unreachable-tier", "$.tiers[0]")]),
    (
        "unreachable-by-gate",
        _unreachable_by_gate,
        [
            ("gate-always-triggers", "$.gates[2]"),
            ("unreachable-tier", "$.tiers[0]"),
            ("unreachable-tier", "$.tiers[1]"),
        ],
    ),
    ("shadowed-tier", _shadowed, [("shadowed-tier", "$.tiers[2]")]),
    (
        "shadowed-last-tier",
        _shadowed_last,
        [("shadowed-tier", "$.tiers[2]")],
    ),
    ("best-not-top", _best_not_top, [("best-not-top", "$.tiers[0]")]),
    ("dead-weight", _dead_weight, [("dead-weight", "$.criteria[4]")]),
    ("below-zero", _never_below_zero, [("gate-never-triggers", "$.gates[2]")]),
    ("no-penalties", _never_no_penalties, [("gate-never-triggers", "$.gates[2]")]),
    ("pillar-floor", _never_pillar, [("gate-never-triggers", "$.gates[2]")]),
    ("incident-gate-no-criteria", _never_incident, [("gate-never-triggers", "$.gates[1]")]),
    ("gate-always-triggers", _always, [("gate-always-triggers", "$.gates[2]")]),
    ("gate-no-effect", _no_effect, [("gate-no-effect", "$.gates[0]")]),
    (
        "no-usable-source",
        _no_source,
        [
            ("no-usable-source", "$.criteria[0]"),
            ("no-usable-source", "$.criteria[1]"),
            ("no-usable-source", "$.criteria[2]"),
            ("no-usable-source", "$.criteria[3]"),
            ("gate-always-triggers", "$.gates[0]"),  # p2 stays at 20 (KOL) or 10 (KOC), under 40
            ("gate-never-triggers", "$.gates[1]"),
            # With no evidence possible every subject is the empty subject:
            # 'top' needs coverage 100, and C3 stuck at 20 keeps p2 at 20 (KOL) or 10 (KOC).
            ("unreachable-tier", "$.tiers[0]"),
            ("unreachable-tier", "$.tiers[1]"),
        ],
    ),
]


@pytest.mark.parametrize(("name", "edit", "expected"), CASES, ids=[c[0] for c in CASES])
def test_code(name: str, edit: Callable[[dict[str, Any]], None], expected: list[tuple[str, str]]) -> None:
    doc = fixed_tiny()
    edit(doc)

    findings = lint(doc)

    assert codes(findings) == expected
    for f in findings:
        assert f.severity == CODES[f.code]
        assert f.message and "\n" not in f.message
        for text in (f.message, f.text("vi")):  # ids as JSON writes them ("top"), never as Python does ('top')
            assert not PYTHON_QUOTED.search(text), text


def test_every_code_is_tested() -> None:
    tested = {code for _, _, expected in CASES for code, _ in expected} | {"empty-subject-certified"}
    assert tested == set(CODES)


def test_pillar_threshold_just_above_the_floor_can_trigger() -> None:
    doc = fixed_tiny()
    _never_pillar(doc)
    doc["gates"][-1]["when"]["below"] = 5.1
    assert lint(doc) == ()


def test_incident_gate_within_zero_days_can_trigger() -> None:
    # A record observed on the day of the assessment has age 0 ≤ 0.
    doc = fixed_tiny()
    doc["gates"][1]["when"]["within_days"] = 0
    assert lint(doc) == ()

    rubric = kt.from_dict(doc, kt.Rubric)
    subject = kt.Subject(id="s", name="S", kind=kt.SubjectKind.KOL)
    day = rubric.effective_from
    record = kt.Evidence(
        id="e", subject_id="s", criterion="C2", source="a", observed_at=day, severity=kt.Severity.CRITICAL
    )
    assert kt.assess(subject, [record], rubric=rubric, as_of=day).disqualified


def test_messages_explain() -> None:
    doc = fixed_tiny()
    _unreachable(doc)
    (finding,) = lint(doc)
    assert '"top"' in finding.message and "min_pillar_score 85" in finding.message

    doc = fixed_tiny()
    _best_not_top(doc)
    (finding,) = lint(doc)
    assert "KOC" in finding.message and '"mid"' in finding.message


def test_category_combinations_are_tried() -> None:
    # C4 applies to 'health' subjects only (any kind) and needs an attestation
    # only b (0.5) can give: health subjects cannot reach 'top' (pillars ≥ 70).
    doc = fixed_tiny()
    _best_not_top(doc)
    criterion(doc, "C4")["applies_to"] = {"categories": ["health", "pharmacy"]}

    findings = lint(doc)

    assert codes(findings) == [("best-not-top", "$.tiers[0]")]
    assert "health" in findings[0].message


def test_to_dict() -> None:
    doc = fixed_tiny()
    _no_effect(doc)
    assert kt.to_dict(lint(doc)) == [
        {
            "code": "gate-no-effect",
            "path": "$.gates[0]",
            "message": 'gate "GP" caps the score at 100 and does not disqualify: '
            "no score is above 100, so it changes nothing",
            "severity": "warning",
        }
    ]


def test_a_finding_reads_in_both_languages_and_its_document_keeps_the_english_message() -> None:
    doc = fixed_tiny()
    _unreachable(doc)
    (finding,) = lint(doc)

    assert finding.text("en") == finding.message
    assert finding.text("vi").startswith('không đối tượng nào đạt được hạng "top"')
    assert "80,0" in finding.text("vi") and "80.0" in finding.message  # numbers as each language writes them
    assert "phrase" not in kt.to_dict(finding) and "phrase" not in kt.to_json(finding)


def test_rejects_a_non_rubric() -> None:
    with pytest.raises(TypeError):
        lint_rubric(TINY)  # type: ignore[arg-type]


# -- command line ------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_clean_rubric(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "rubric", "lint", "1.0.0")

    assert (code, err) == (0, "")
    assert "no findings" in out


def test_cli_findings_exit_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    doc = fixed_tiny()
    _shadowed(doc)
    _no_effect(doc)
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc), encoding="utf-8")

    code, out, err = run(capsys, "rubric", "lint", str(path))

    assert (code, err) == (1, "")
    assert "gate-no-effect" in out and "$.gates[0]" in out
    assert "shadowed-tier" in out and "$.tiers[2]" in out
    assert "2 findings: 1 error(s), 1 warning(s)" in out

    code, out, _ = run(capsys, "rubric", "lint", str(path), "--format", "json")

    assert code == 1
    doc_out = json.loads(out)
    assert doc_out["rubric"]["id"] == "tiny"
    assert [f["code"] for f in doc_out["findings"]] == ["gate-no-effect", "shadowed-tier"]


def test_cli_bad_rubric_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text("{}", encoding="utf-8")

    code, out, err = run(capsys, "rubric", "lint", str(path))

    assert code == 2 and out == ""
    assert "r.json" in err


def test_a_reliability_that_underflows_is_linted_without_dividing_by_zero() -> None:
    doc = tiny()
    for source in doc["sources"]:
        source["reliability"] = 5e-324  # the smallest double: r·N·1e-7 underflows to 0

    findings = lint(doc)

    assert all(isinstance(f, Finding) for f in findings)
