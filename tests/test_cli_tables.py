"""Tables of ``rubric lint`` and ``rubric impact`` wrap to the terminal (kol_trust.tables, cli.common.print_table).

On a terminal the width is the terminal's (``COLUMNS`` when set, as
``shutil.get_terminal_size`` reads it); ``--width`` chooses one; a file or a
pipe gets whole lines.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

import kol_trust as kt
from kol_trust.cli import main
from kol_trust.tables import display_width, text_table


class Terminal(io.StringIO):
    """Standard output as a terminal."""

    def isatty(self) -> bool:
        return True


def draft(tmp_path: Path) -> Path:
    """1.0.0 with a new version, a heavier criterion and a gate that can never trigger (lint findings)."""
    doc = kt.to_dict(kt.load_rubric("1.0.0"))
    doc["version"] = "1.1.0"
    doc["criteria"][0]["weight"] += 2
    gate = {"type": "criterion-below", "criterion": doc["criteria"][0]["id"], "below": 0}
    doc["gates"].append({"id": "G-NEVER", "title": {"vi": "Không", "en": "Never"}, "when": gate, "cap": 100})
    path = tmp_path / "draft.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def cases(tmp_path: Path) -> Path:
    path = tmp_path / "cases.jsonl"
    assert main(["synth", "--n", "40", "--seed", "3", "-o", str(path), "--quiet"]) == 0
    return path


def on_terminal(monkeypatch: pytest.MonkeyPatch, argv: list[str], code: int) -> str:
    out = Terminal()
    monkeypatch.setattr(sys, "stdout", out)
    assert main(argv) == code
    return out.getvalue()


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_lint_and_impact_fit_a_60_column_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    rubric, data = draft(tmp_path), cases(tmp_path)
    captured = sys.stdout
    monkeypatch.setenv("COLUMNS", "60")
    lint = on_terminal(monkeypatch, ["rubric", "lint", str(rubric), "--lang", lang], 1)
    impact = ["rubric", "impact", "1.0.0", str(rubric), "--cases", str(data), "--lang", lang, "--quiet"]
    report = on_terminal(monkeypatch, impact, 0)

    for text in (lint, report):
        assert max(display_width(line) for line in text.splitlines()) <= 60, text
    assert "gate-never-triggers" in lint and '"G-NEVER"' in lint.replace("\n", " ")

    # In a pipe the same commands write whole lines, wider than 60; --width 60 wraps them there too.
    monkeypatch.setattr(sys, "stdout", captured)
    capsys.readouterr()
    assert main(["rubric", "lint", str(rubric), "--lang", lang]) == 1
    whole = capsys.readouterr().out
    assert max(display_width(line) for line in whole.splitlines()) > 60
    assert main(["rubric", "lint", str(rubric), "--lang", lang, "--width", "60"]) == 1
    assert capsys.readouterr().out == lint
    assert main([*impact, "--width", "60"]) == 0
    assert capsys.readouterr().out == report
    # Every word is still there, wrapped or whole (words longer than a column may be cut).
    assert sorted(whole.split()) == sorted(lint.split())


def test_the_widest_text_column_is_wrapped_first() -> None:
    rows = [["code", "path", "message"], ["gate-no-effect", "$.gates[0]", "a long sentence " * 6]]

    lines = text_table(rows, width=50)

    assert max(map(display_width, lines)) <= 50
    assert lines[1].startswith("gate-no-effect  $.gates[0]  a long sentence")  # the short columns stay whole
    assert text_table(rows) == [line.rstrip() for line in text_table(rows, width=None)]
    assert len(text_table(rows)) == 2  # no width: one line a row
