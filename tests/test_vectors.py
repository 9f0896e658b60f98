"""Every worked example of the standard (vectors/) through the Python API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import kol_trust as kt
from conftest import VECTORS

VECTOR_FILES = sorted(VECTORS.glob("[0-9]*.json"))

#: Every test here runs on both JSON backends (kol_trust.accel): orjson and the pure path.
pytestmark = pytest.mark.usefixtures("json_backend")


def load_vector(path: Path) -> tuple[dict[str, Any], kt.Case, kt.Rubric | None]:
    vector = json.loads(path.read_text(encoding="utf-8"))
    case = kt.from_dict(vector["case"], kt.Case)
    rubric = None
    if "rubric_file" in vector:
        rubric = kt.from_json((path.parent / vector["rubric_file"]).read_bytes(), kt.Rubric)
    return vector, case, rubric


def assert_matches(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    """The comparison rule of vectors/README.md."""
    for key, want in expected.items():
        if want is None:
            assert actual.get(key) is None, key
        elif key == "raw_score":
            assert actual[key] == pytest.approx(want, abs=1e-9, rel=0)
        else:
            assert actual[key] == want, key


def test_there_are_vectors() -> None:
    assert len(VECTOR_FILES) >= 27


@pytest.mark.parametrize("path", VECTOR_FILES, ids=lambda p: p.stem)
def test_vector(path: Path) -> None:
    vector, case, rubric = load_vector(path)

    assessment = kt.assess_case(case, rubric=rubric)

    assert_matches(kt.to_dict(assessment), vector["expected"])


@pytest.mark.parametrize("path", VECTOR_FILES, ids=lambda p: p.stem)
def test_vector_through_json_text(path: Path) -> None:
    """The whole path: JSON text in, assessment JSON text out, read back."""
    vector, _, rubric = load_vector(path)
    case = kt.from_json(json.dumps(vector["case"]), kt.Case)

    text = kt.to_json(kt.assess_case(case, rubric=rubric))

    assert_matches(json.loads(text), vector["expected"])
    assert kt.from_json(text, kt.Assessment) == kt.assess_case(case, rubric=rubric)


@pytest.mark.parametrize("path", VECTOR_FILES, ids=lambda p: p.stem)
def test_vector_evidence_order_does_not_matter(path: Path) -> None:
    vector, case, rubric = load_vector(path)
    reversed_case = kt.Case(subject=case.subject, evidence=case.evidence[::-1], as_of=case.as_of, rubric=case.rubric)

    assert_matches(kt.to_dict(kt.assess_case(reversed_case, rubric=rubric)), vector["expected"])


def test_builtin_rubric_digest_is_the_vectors() -> None:
    vector = json.loads((VECTORS / "02-good-profile.json").read_text(encoding="utf-8"))

    assert kt.rubric_digest(kt.load_rubric("1.0.0")) == vector["expected"]["rubric"]["digest"]
