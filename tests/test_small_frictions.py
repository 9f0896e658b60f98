"""The smaller frictions of issue 15, each pinned: a rubric version where a Rubric
goes, revoke saying what it did, install hints from a checkout, and a tutorial
example whose names are all imported."""

from __future__ import annotations

import ast
import builtins
import datetime as dt
import re
from pathlib import Path

import pytest

import kol_trust as kt
from kol_trust.cli import main
from kol_trust.errors import RubricNotFoundError, SigningUnavailable

DOCS = Path(__file__).resolve().parent.parent / "docs"
SUBJECT = kt.Subject(id="kol-a", name="A", kind="kol")
DAY = dt.date(2026, 6, 30)


def test_assess_takes_a_built_in_version() -> None:
    by_version = kt.assess(SUBJECT, [], rubric="1.0.0", as_of=DAY)

    assert by_version == kt.assess(SUBJECT, [], rubric=kt.load_rubric("1.0.0"), as_of=DAY)
    with pytest.raises(RubricNotFoundError, match=r"9\.9\.9"):
        kt.assess(SUBJECT, [], rubric="9.9.9", as_of=DAY)


def test_revoke_says_what_it_wrote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("cryptography")
    key, status = tmp_path / "k.pem", tmp_path / "revocations.json"
    assert main(["keygen", "--out", str(key)]) == 0
    new = ["status-list", "new", "--key", str(key), "--id", "https://nca.example/status/1"]
    assert main([*new, "--on", "2026-12-10T00:00:00Z", "-o", str(status)]) == 0
    capsys.readouterr()

    code = main(
        ["status-list", "revoke", "--key", str(key), "--index", "7", "--on", "2026-12-10T01:00:00Z", str(status)]
    )

    assert code == 0
    assert capsys.readouterr().out == "index 7 revoked in https://nca.example/status/1 (list of 2026-12-10T01:00:00Z)\n"


def test_install_hint_names_the_checkout_too() -> None:
    message = str(SigningUnavailable())

    assert "pip install 'kol-trust[sign]'" in message and "pip install '.[sign]'" in message


def undefined_names(source: str) -> set[str]:
    """Names a module reads but never binds (imports, assignments, defs, parameters), builtins aside."""
    tree = ast.parse(source)
    bound = set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return used - bound


def test_every_python_file_shown_in_the_rubric_tutorial_imports_what_it_uses() -> None:
    text = (DOCS / "tutorial-rubrics.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, flags=re.S) if not b.lstrip().startswith(">>>")]
    assert blocks, "the tutorial shows a test file"

    assert {i: undefined_names(b) for i, b in enumerate(blocks)} == {i: set() for i in range(len(blocks))}


def test_the_undefined_name_check_can_fail() -> None:
    assert undefined_names("from x import y\ndef f():\n    check_invariants(y)\n") == {"check_invariants"}
