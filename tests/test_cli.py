"""The command line: output, exit codes and error messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import kol_trust as kt
from conftest import VECTORS
from kol_trust.cli import main
from kol_trust.cli.assess import example_cases


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def vector(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / f"{name}.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(vector("04-false-ad-gate")["case"], ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "name", ["02-good-profile", "04-false-ad-gate", "14-every-exclusion-reason", "17-koc-mixed", "18-rubric-in-force"]
)
def test_assess_json_matches_vector(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str) -> None:
    v = vector(name)
    path = tmp_path / "case.json"
    path.write_text(json.dumps(v["case"]), encoding="utf-8")

    code, out, err = run(capsys, "assess", str(path), "--format", "json")

    assert (code, err) == (0, "")
    got = json.loads(out)
    for key, want in v["expected"].items():
        if key == "raw_score":
            assert got[key] == pytest.approx(want, abs=1e-9, rel=0)
        else:
            assert got[key] == want, key


def test_assess_with_rubric_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    v = vector("22-tiny-full")
    path = tmp_path / "case.json"
    path.write_text(json.dumps(v["case"]), encoding="utf-8")
    rubric = VECTORS / v["rubric_file"]

    code, out, _ = run(capsys, "assess", str(path), "--rubric", str(rubric), "--format", "json")

    assert code == 0
    assert json.loads(out)["score"] == v["expected"]["score"]
    assert json.loads(out)["fingerprint"] == v["expected"]["fingerprint"]


def test_assess_table_shows_the_result(capsys: pytest.CaptureFixture[str], case_file: Path) -> None:
    expected = vector("04-false-ad-gate")["expected"]

    code, out, _ = run(capsys, "assess", str(case_file))

    assert code == 0
    assert f"{expected['score']:.1f} / 100" in out
    assert "not-rated" in out
    assert "G-FALSE-AD" in out and "score capped at 50" in out and "disqualifies" in out
    first_reason = next(r for r in expected["reasons"] if r["loss"] is not None)
    title = kt.load_rubric("1.0.0").criterion(first_reason["code"]).title("en")
    assert title in out
    assert expected["fingerprint"] in out


def test_assess_table_in_vietnamese(capsys: pytest.CaptureFixture[str], case_file: Path) -> None:
    code, out, _ = run(capsys, "assess", str(case_file), "--lang", "vi")

    assert code == 0
    assert "Minh bạch" in out  # the transparency pillar's Vietnamese title


def test_assess_reads_standard_input(case_file: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kol_trust", "assess", "-", "--format", "json"],
        input=case_file.read_bytes(),
        capture_output=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["score"] == vector("04-false-ad-gate")["expected"]["score"]


def test_as_of_overrides_the_case(capsys: pytest.CaptureFixture[str], case_file: Path) -> None:
    code, out, _ = run(capsys, "assess", str(case_file), "--as-of", "2027-06-30", "--format", "json")

    assert code == 0
    doc = json.loads(out)
    assert doc["as_of"] == "2027-06-30"
    # 2026-03-02 + 365 days is before 2027-06-30: the false-ad gate no longer triggers.
    assert "G-FALSE-AD" not in [g["id"] for g in doc["gates"]]


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "assess", str(tmp_path / "nope.json"))

    assert code == 2
    assert out == ""
    assert "nope.json: no such file" in err
    assert "Traceback" not in err


def test_invalid_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"subject": ', encoding="utf-8")

    code, _, err = run(capsys, "assess", str(path))

    assert code == 2
    assert "bad.json" in err and "not valid JSON" in err
    assert "Traceback" not in err


def test_invalid_case_names_every_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    case = vector("02-good-profile")["case"]
    case["evidence"][3]["observed_at"] = "2026/03/01"
    case["subject"]["kind"] = "celebrity"
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")

    code, _, err = run(capsys, "assess", str(path))

    assert code == 2
    assert "$.evidence[3].observed_at" in err
    assert "$.subject.kind" in err
    assert "Traceback" not in err


def test_unknown_rubric_version(capsys: pytest.CaptureFixture[str], case_file: Path) -> None:
    code, out, err = run(capsys, "assess", str(case_file), "--rubric", "9.9.9")

    assert code == 2
    assert out == ""
    assert "9.9.9" in err and "1.0.0" in err


def test_unknown_rubric_version_named_in_the_case(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    case = vector("02-good-profile")["case"]
    case["rubric"] = "2.0.0"
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")

    code, _, err = run(capsys, "assess", str(path))

    assert code == 2
    assert "2.0.0" in err


def test_no_rubric_in_force(capsys: pytest.CaptureFixture[str], case_file: Path) -> None:
    code, _, err = run(capsys, "assess", str(case_file), "--as-of", "2020-01-01")

    # The case names 1.0.0, so the date alone does not matter …
    assert code == 0
    case = vector("18-rubric-in-force")["case"]
    case["as_of"] = "2020-01-01"
    case_file.write_text(json.dumps(case), encoding="utf-8")
    # … but a case that names no version has no rubric in force in 2020.
    code, _, err = run(capsys, "assess", str(case_file))
    assert code == 2
    assert "in force on 2020-01-01" in err


def test_invalid_rubric_file(capsys: pytest.CaptureFixture[str], case_file: Path, tmp_path: Path) -> None:
    rubric = json.loads((VECTORS / "../rubrics/tiny-0.1.0.json").read_text(encoding="utf-8"))
    rubric["tiers"][-1]["certified"] = True
    path = tmp_path / "rubric.json"
    path.write_text(json.dumps(rubric), encoding="utf-8")

    code, _, err = run(capsys, "assess", str(case_file), "--rubric", str(path))

    assert code == 2
    assert "$.tiers[2].certified" in err


def test_conflicting_duplicates(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    case = vector("02-good-profile")["case"]
    twin = dict(case["evidence"][0], value=0.1)
    case["evidence"].append(twin)
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")

    code, _, err = run(capsys, "assess", str(path))

    assert code == 2
    assert "EvidenceConflictError" not in err and twin["id"] in err and "value" in err
    assert f"{path}: invalid Case document" in err and f"$.evidence[{len(case['evidence']) - 1}].id" in err


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str], case_file: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["assess", str(case_file), "--as-of", "2026-13-01"])

    assert exit_info.value.code == 2
    assert "not a calendar date" in capsys.readouterr().err


def test_demo_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo")

    assert code == 0
    rubric = kt.load_rubric("1.0.0")
    for tier in ("high-trust", "not-rated", "developing"):
        assert rubric.tier(tier).title("en") in out
    assert "G-FALSE-AD" in out
    first = example_cases()[0][0]
    assert f"kol-trust assess {Path(kt.__file__).parent / 'examples' / first}.json" in out  # a path that opens


def test_demo_table_in_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo", "--lang", "vi")

    assert code == 0
    assert "Tín nhiệm cao" in out and "Điểm" in out and "91,4" in out


def test_demo_cases_are_what_the_issue_asks_for(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo", "--format", "json")

    assert code == 0
    results = {doc["subject_id"]: doc for doc in json.loads(out)}
    cases = {case.subject.id: case for _, case in example_cases()}
    assert any(doc["tier"] == "high-trust" for doc in results.values())
    assert any(doc["gates"] and any(g["disqualify"] for g in doc["gates"]) for doc in results.values())
    kocs = [results[sid] for sid, case in cases.items() if case.subject.kind is kt.SubjectKind.KOC]
    assert kocs and all(doc["coverage"] < 50 and not doc["certified"] for doc in kocs)


def test_demo_through_the_installed_script() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kol_trust", "demo"], capture_output=True, check=False, encoding="utf-8"
    )

    assert done.returncode == 0, done.stderr
    assert "Trần Minh Châu" in done.stdout
