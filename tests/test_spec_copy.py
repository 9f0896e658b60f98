"""The project's copy of the standard's vectors and rubrics must not drift.

A user's clone has no ../shared/spec, so the tests read tests/data/spec.
Where ../shared/spec exists (the project's own machines and CI), the copy
must be identical to it, file for file and byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import kol_trust as kt
from conftest import SPEC

SHARED = Path(__file__).resolve().parents[2] / "shared" / "spec"
FOLDERS = ("vectors", "rubrics")


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for folder in FOLDERS
        for p in sorted((root / folder).rglob("*"))
        if p.is_file()
    }


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/spec is only on the project's machines")
def test_copy_is_identical_to_shared_spec() -> None:
    shared, ours = files(SHARED), files(SPEC)

    assert sorted(ours) == sorted(shared), "files added or missing in tests/data/spec"
    changed = [name for name in shared if shared[name] != ours[name]]
    assert not changed, f"tests/data/spec differs from ../shared/spec in {changed}"


def test_builtin_rubric_is_the_published_document() -> None:
    published = (SPEC / "rubrics" / "kol-trust-1.0.0.json").read_bytes()

    assert kt.from_json(published, kt.Rubric) == kt.load_rubric("1.0.0")
    assert kt.rubric_digest(kt.from_json(published, kt.Rubric)) == kt.rubric_digest(kt.load_rubric("1.0.0"))
