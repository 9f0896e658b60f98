"""kol_trust.pack and ``kol-trust pack``: evidence grouped into cases, nothing dropped."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import kol_trust as kt
from kol_trust.cli import main
from kol_trust.pack import pack
from kol_trust.synth import synthetic_cases

DAY = dt.date(2026, 11, 29)


def _subject(sid: str) -> kt.Subject:
    return kt.Subject(id=sid, name=f"Nguyễn Văn {sid}", kind=kt.SubjectKind.KOC)


def _evidence(eid: str, sid: str) -> kt.Evidence:
    return kt.Evidence(id=eid, subject_id=sid, criterion="S01", source="self", observed_at=DAY, value=1.0)


def test_groups_by_subject_in_input_order() -> None:
    a, b, c = _subject("a"), _subject("b"), _subject("c")
    e1, e2, e3, e4 = _evidence("e1", "b"), _evidence("e2", "a"), _evidence("e3", "b"), _evidence("e4", "zz")
    cases, orphans = pack([a, b, c], [e1, e2, e3, e4], as_of=DAY, rubric_version="1.0.0")
    assert cases == [
        kt.Case(subject=a, evidence=(e2,), as_of=DAY, rubric="1.0.0"),
        kt.Case(subject=b, evidence=(e1, e3), as_of=DAY, rubric="1.0.0"),
        kt.Case(subject=c, evidence=(), as_of=DAY, rubric="1.0.0"),
    ]
    assert orphans == [e4]


def test_duplicate_subject_ids_raise() -> None:
    with pytest.raises(ValueError, match='duplicate subject id "a"'):
        pack([_subject("a"), _subject("a")], [], as_of=DAY)


def test_round_trip_of_synthetic_cases() -> None:
    originals = list(synthetic_cases(30, seed=2))
    evidence = [e for case in originals for e in case.evidence]
    cases, orphans = pack([c.subject for c in originals], evidence, as_of=DAY, rubric_version="1.0.0")
    # Records naming another subject (the subject-mismatch ones) are orphans.
    assert orphans == [e for case in originals for e in case.evidence if e.subject_id != case.subject.id]
    assert orphans  # the corpus has some
    for original, packed in zip(originals, cases, strict=True):
        assert packed.evidence == tuple(e for e in original.evidence if e.subject_id == original.subject.id)


# -- the command ---------------------------------------------------------------------


def _write(path: Path, lines: list[str]) -> str:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


def _synthetic_files(tmp_path: Path, n: int = 20) -> tuple[list[kt.Case], str, str]:
    originals = list(synthetic_cases(n, seed=8))
    subjects = _write(tmp_path / "s.jsonl", [kt.to_json(c.subject) for c in originals])
    evidence = _write(tmp_path / "e.jsonl", [kt.to_json(e) for c in originals for e in c.evidence])
    return originals, subjects, evidence


def test_cli_clean_input_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = _subject("a"), _subject("b")
    subjects = _write(tmp_path / "s.jsonl", [kt.to_json(a), "", kt.to_json(b)])
    evidence = _write(tmp_path / "e.jsonl", [kt.to_json(_evidence("e1", "b")), kt.to_json(_evidence("e2", "a"))])
    out = tmp_path / "cases.jsonl"
    code = main(["pack", "--subjects", subjects, "--evidence", evidence, "--as-of", "2026-11-29", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    got = [kt.from_json(line, kt.Case) for line in out.read_text(encoding="utf-8").splitlines()]
    assert got == [
        kt.Case(subject=a, evidence=(_evidence("e2", "a"),), as_of=DAY),
        kt.Case(subject=b, evidence=(_evidence("e1", "b"),), as_of=DAY),
    ]


def test_cli_bad_lines_duplicates_and_orphans(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, a2 = _subject("a"), kt.Subject(id="a", name="Trần Thị Mai", kind=kt.SubjectKind.KOL)
    subjects = _write(tmp_path / "s.jsonl", [kt.to_json(a), "{not json", kt.to_json(a2), '{"id": "b"}'])
    evidence = _write(
        tmp_path / "e.jsonl",
        [kt.to_json(_evidence("e1", "a")), "[]", kt.to_json(_evidence("e2", "ghost")), "\xff"],
    )
    out, orphans = tmp_path / "cases.jsonl", tmp_path / "orphans.jsonl"
    argv = ["pack", "--subjects", subjects, "--evidence", evidence, "--as-of", "2026-11-29", "-o", str(out)]
    assert main([*argv, "--orphans", str(orphans), "--rubric", "1.0.0"]) == 3
    err = capsys.readouterr().err
    assert f"{subjects}:2:" in err
    assert f'{subjects}:3: duplicate subject id "a" (first on line 1)' in err
    assert f"{subjects}:4:" in err
    assert f"{evidence}:2:" in err
    assert f"{evidence}:4:" in err
    assert "5 bad lines skipped" in err
    assert "1 orphaned" in err
    (case,) = [kt.from_json(line, kt.Case) for line in out.read_text(encoding="utf-8").splitlines()]
    assert case == kt.Case(subject=a, evidence=(_evidence("e1", "a"),), as_of=DAY, rubric="1.0.0")  # first kept
    assert [kt.from_json(line, kt.Evidence) for line in orphans.read_text(encoding="utf-8").splitlines()] == [
        _evidence("e2", "ghost")
    ]


def test_cli_orphans_without_file_are_counted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    subjects = _write(tmp_path / "s.jsonl", [kt.to_json(_subject("a"))])
    evidence = _write(tmp_path / "e.jsonl", [kt.to_json(_evidence("e1", "x")), kt.to_json(_evidence("e2", "y"))])
    out = tmp_path / "cases.jsonl"
    code = main(["pack", "--subjects", subjects, "--evidence", evidence, "--as-of", "2026-11-29", "-o", str(out)])
    assert code == 3
    err = capsys.readouterr().err
    assert "2 evidence records name no subject (2 unknown ids: x, y); not written" in err
    assert "0 bad lines" in err


def test_cli_unreadable_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    subjects = _write(tmp_path / "s.jsonl", [kt.to_json(_subject("a"))])
    out = tmp_path / "cases.jsonl"
    argv = ["pack", "--subjects", subjects, "--evidence", str(tmp_path / "none.jsonl"), "--as-of", "2026-11-29"]
    assert main([*argv, "-o", str(out)]) == 2
    assert "none.jsonl: no such file" in capsys.readouterr().err
    assert not out.exists()
    argv = ["pack", "--subjects", "-", "--evidence", "-", "--as-of", "2026-11-29", "-o", str(out)]
    assert main(argv) == 2
    assert not out.exists()


def test_cli_pack_then_batch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    originals, subjects, evidence = _synthetic_files(tmp_path)
    cases, orphans = tmp_path / "cases.jsonl", tmp_path / "orphans.jsonl"
    argv = ["pack", "--subjects", subjects, "--evidence", evidence, "--as-of", "2026-11-29", "--rubric", "1.0.0"]
    # The synthetic corpus has subject-mismatch records: they come out as orphans.
    assert main([*argv, "-o", str(cases), "--orphans", str(orphans)]) == 3
    orphan_lines = orphans.read_text(encoding="utf-8").splitlines()
    assert len(orphan_lines) == sum(e.subject_id != c.subject.id for c in originals for e in c.evidence) > 0

    assessments, errors = tmp_path / "a.jsonl", tmp_path / "err.jsonl"
    assert main(["batch", str(cases), "-o", str(assessments), "--errors", str(errors)]) == 0
    assert errors.read_text(encoding="utf-8") == ""
    got = [json.loads(line) for line in assessments.read_text(encoding="utf-8").splitlines()]
    assert len(got) == len(originals)
    for original, assessment in zip(originals, got, strict=True):
        kept = tuple(e for e in original.evidence if e.subject_id == original.subject.id)
        expected = kt.assess_case(kt.Case(subject=original.subject, evidence=kept, as_of=DAY, rubric="1.0.0"))
        assert assessment == kt.to_dict(expected)
    capsys.readouterr()
