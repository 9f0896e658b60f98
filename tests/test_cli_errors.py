"""The catalogue of command-line failures: each names the file and, for document
problems, every JSON path, in JSON's words, with exit code 2 and no Python names.

Each row is a failure a user can cause: the files it needs, the command, and
what standard error must say.  ``docs/cli.md`` promises this of every error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kol_trust.cli import main
from kol_trust.cli.assess import examples_folder

EXAMPLE = examples_folder() / "01-high-trust-beauty-kol.json"
PYTHON_WORDS = re.compile(
    r"\b(True|False|None|Traceback|utf-8-sig|ValueError|TypeError|KeyError|RecursionError|sys\.\w+"
    r"|EvidenceConflictError|RubricNotFoundError|KeyFormatError|internal error)\b"
)


def case() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return doc


def write_case(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        doc = case()
        change(doc)
        (folder / "case.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    return make


def duplicate_evidence(doc: dict[str, Any]) -> None:
    copy = dict(doc["evidence"][0])
    copy["observed_at"] = "2026-01-02"
    doc["evidence"].insert(2, copy)


def unknown_version(doc: dict[str, Any]) -> None:
    doc["rubric"] = "9.9.9"


def boolean_value(doc: dict[str, Any]) -> None:
    doc["evidence"][0]["value"] = True


def null_name(doc: dict[str, Any]) -> None:
    doc["subject"]["name"] = None


def with_bom(folder: Path) -> None:
    (folder / "case.json").write_bytes(b"\xef\xbb\xbf" + EXAMPLE.read_bytes())


def toml(text: str) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        (folder / "r.toml").write_text(text, encoding="utf-8")

    return make


def keys(folder: Path) -> None:
    pytest.importorskip("cryptography")
    assert main(["keygen", "--out", str(folder / "private.pem"), "--public-out", str(folder / "public.pem")]) == 0


def certified(folder: Path) -> None:
    keys(folder)
    (folder / "case.json").write_bytes(EXAMPLE.read_bytes())


DIGITS = "algorithm = " + "1" * 5000
DEEP = "x = " + "[" * 10_000 + "]" * 10_000

# (id, make the files, argv (FILES stands for the folder), words that must be in stderr)
CATALOGUE: list[tuple[str, Callable[[Path], None], list[str], list[str]]] = [
    ("missing-file", lambda f: None, ["assess", "FILES/nope.json"], ["FILES/nope.json", "no such file"]),
    (
        "duplicate-evidence-id",
        write_case(duplicate_evidence),
        ["assess", "FILES/case.json"],
        ["FILES/case.json", "$.evidence[2].id", "$.evidence[0]", "different content", "observed_at"],
    ),
    (
        "unknown-rubric-version-in-the-case",
        write_case(unknown_version),
        ["assess", "FILES/case.json"],
        ["FILES/case.json", "$.rubric", '"9.9.9"'],
    ),
    (
        "boolean-for-a-number",
        write_case(boolean_value),
        ["assess", "FILES/case.json"],
        ["FILES/case.json", "$.evidence[0].value", "got true"],
    ),
    ("null-name", write_case(null_name), ["report", "FILES/case.json", "--svg", "-"], ["$.subject.name", "got null"]),
    ("byte-order-mark", with_bom, ["assess", "FILES/case.json"], ["FILES/case.json", "$", "a byte-order mark"]),
    (
        "toml-5000-digits-validate",
        toml(DIGITS),
        ["rubric", "validate", "FILES/r.toml"],
        ["FILES/r.toml", "$", "digits"],
    ),
    ("toml-5000-digits-show", toml(DIGITS), ["rubric", "show", "FILES/r.toml"], ["FILES/r.toml", "$", "digits"]),
    ("toml-deep-lint", toml(DEEP), ["rubric", "lint", "FILES/r.toml"], ["FILES/r.toml", "$", "nested too deeply"]),
    (
        "toml-deep-as-rubric",
        toml(DEEP),
        ["assess", str(EXAMPLE), "--rubric", "FILES/r.toml"],
        ["FILES/r.toml", "$", "nested too deeply"],
    ),
    (
        "public-key-as-private-key",
        certified,
        ["certify", "FILES/case.json", "--key", "FILES/public.pem", "--issuer-name", "x", "-o", "FILES/out.json"],
        ["FILES/public.pem", "a public key where a private key was expected"],
    ),
]


@pytest.mark.parametrize(("make", "argv", "words"), [c[1:] for c in CATALOGUE], ids=[c[0] for c in CATALOGUE])
def test_every_error_names_file_and_path_in_jsons_words(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    make: Callable[[Path], None],
    argv: list[str],
    words: list[str],
) -> None:
    make(tmp_path)
    capsys.readouterr()

    code = main([a.replace("FILES", str(tmp_path)) for a in argv])

    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("kol-trust: "), err
    for w in words:
        assert w.replace("FILES", str(tmp_path)) in err, (w, err)
    assert PYTHON_WORDS.search(err) is None, err


def test_rubric_overriding_the_cases_own_is_said(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    doc = case()
    doc["rubric"] = "1.0.0"
    path = tmp_path / "case.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    rubric = tmp_path / "r.json"
    assert main(["rubric", "show", "1.0.0", "--format", "json"]) == 0
    draft = json.loads(capsys.readouterr().out)
    draft["version"] = "1.1.0"
    rubric.write_text(json.dumps(draft, ensure_ascii=False), encoding="utf-8")

    code = main(["assess", str(path), "--rubric", str(rubric)])

    err = capsys.readouterr().err
    assert code == 0
    assert f"{path}: $.rubric names version 1.0.0" in err and "kol-trust 1.1.0" in err
