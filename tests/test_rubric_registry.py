"""RubricRegistry: an application's rubrics, by id and version and by date."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import attrs
import pytest

import kol_trust as kt
from conftest import SPEC, TESTS
from kol_trust.errors import RubricConflictError, RubricNotFoundError
from kol_trust.registry import RubricRegistry

TINY_JSON = SPEC / "rubrics" / "tiny-0.1.0.json"

# tests/data/spec/rubrics/tiny-0.1.0.json, as an author would write it in TOML.
TINY_TOML = (TESTS / "data" / "rubrics" / "tiny-0.1.0.toml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tiny() -> kt.Rubric:
    return kt.from_json(TINY_JSON.read_bytes(), kt.Rubric)


def version(rubric: kt.Rubric, v: str, effective_from: dt.date) -> kt.Rubric:
    return attrs.evolve(rubric, version=v, effective_from=effective_from)


def test_starts_with_the_builtin_rubrics_unless_told_not_to() -> None:
    registry = RubricRegistry()
    assert list(registry) == list(kt.available_rubrics())
    assert len(registry) == len(kt.available_rubrics())
    assert ("kol-trust", "1.0.0") in registry
    assert kt.load_rubric("1.0.0") in registry
    assert registry.get("kol-trust", "1.0.0") is kt.load_rubric("1.0.0")

    empty = RubricRegistry(include_builtin=False)
    assert len(empty) == 0
    assert list(empty) == []
    assert ("kol-trust", "1.0.0") not in empty


def test_add_and_get(tiny: kt.Rubric) -> None:
    registry = RubricRegistry(include_builtin=False)

    assert registry.add(tiny) is tiny
    assert registry.get("tiny", "0.1.0") is tiny
    assert len(registry) == 1
    assert tiny in registry
    assert ("tiny", "0.1.0") in registry
    assert "tiny" not in registry  # membership is by (id, version) or by rubric
    assert registry.ids() == ("tiny",)


def test_same_digest_again_is_a_no_op(tiny: kt.Rubric) -> None:
    registry = RubricRegistry(include_builtin=False)
    registry.add(tiny)
    again = kt.from_json(TINY_JSON.read_bytes(), kt.Rubric)
    assert again is not tiny

    assert registry.add(again) is tiny  # the registered one is kept
    assert registry.add(tiny) is tiny
    assert len(registry) == 1


def test_same_id_and_version_with_another_digest_is_a_conflict(tiny: kt.Rubric) -> None:
    registry = RubricRegistry(include_builtin=False)
    registry.add(tiny)
    changed = attrs.evolve(tiny, title=kt.Text(vi="Khác", en="Other"))
    old, new = kt.rubric_digest(tiny), kt.rubric_digest(changed)

    with pytest.raises(RubricConflictError) as info:
        registry.add(changed)

    message = str(info.value)
    assert old in message and new in message
    assert '"tiny"' in message and '"0.1.0"' in message
    assert (info.value.rubric_id, info.value.version, info.value.registered, info.value.given) == (
        "tiny",
        "0.1.0",
        old,
        new,
    )
    assert isinstance(info.value, kt.KolTrustError)
    assert registry.get("tiny", "0.1.0") is tiny  # unchanged
    assert changed not in registry
    copy = pickle.loads(pickle.dumps(info.value))
    assert (type(copy), str(copy)) == (RubricConflictError, message)


def test_conflict_with_a_builtin_rubric() -> None:
    builtin = kt.load_rubric("1.0.0")
    impostor = attrs.evolve(builtin, title=kt.Text(vi="Giả", en="Fake"))
    with pytest.raises(RubricConflictError):
        RubricRegistry().add(impostor)
    assert RubricRegistry(include_builtin=False).add(impostor) is impostor  # no built-in to clash with


def test_versions_and_iteration_order(tiny: kt.Rubric) -> None:
    registry = RubricRegistry()
    for v in ("0.10.0", "0.2.0", "1.0.0"):
        registry.add(version(tiny, v, dt.date(2026, 1, 1)))
    registry.add(tiny)

    assert registry.versions("tiny") == ("0.1.0", "0.2.0", "0.10.0", "1.0.0")  # by number, not text
    assert registry.versions("kol-trust") == ("1.0.0",)
    assert registry.versions("nope") == ()
    assert [r.key for r in registry] == [
        ("kol-trust", "1.0.0"),
        ("tiny", "0.1.0"),
        ("tiny", "0.2.0"),
        ("tiny", "0.10.0"),
        ("tiny", "1.0.0"),
    ]
    assert registry.ids() == ("kol-trust", "tiny")
    assert len(registry) == 5


def test_in_force_by_date_with_ties_broken_by_version(tiny: kt.Rubric) -> None:
    registry = RubricRegistry(include_builtin=False)
    registry.add(tiny)  # in force from 2026-01-01
    registry.add(version(tiny, "0.2.0", dt.date(2026, 6, 1)))
    registry.add(version(tiny, "0.10.0", dt.date(2026, 6, 1)))  # same day: the greater version wins
    registry.add(version(tiny, "0.3.0", dt.date(2026, 6, 1)))
    registry.add(version(tiny, "0.9.0", dt.date(2026, 3, 1)))  # a greater version in force earlier
    registry.add(version(tiny, "0.11.0", dt.date(2027, 1, 1)))

    def on(day: dt.date) -> str:
        return registry.in_force("tiny", day).version

    assert on(dt.date(2026, 1, 1)) == "0.1.0"  # effective_from itself
    assert on(dt.date(2026, 2, 28)) == "0.1.0"
    assert on(dt.date(2026, 3, 1)) == "0.9.0"
    assert on(dt.date(2026, 5, 31)) == "0.9.0"
    assert on(dt.date(2026, 6, 1)) == "0.10.0"  # greatest effective_from, then greatest version
    assert on(dt.date(2026, 12, 31)) == "0.10.0"
    assert on(dt.date(2030, 1, 1)) == "0.11.0"


def test_failed_lookups_raise_rubric_not_found(tiny: kt.Rubric) -> None:
    registry = RubricRegistry()
    registry.add(tiny)

    with pytest.raises(RubricNotFoundError, match=r"2025-12-31.*2026-01-01"):
        registry.in_force("tiny", dt.date(2025, 12, 31))
    with pytest.raises(RubricNotFoundError, match='"nope"'):
        registry.in_force("nope", dt.date(2026, 6, 1))
    with pytest.raises(RubricNotFoundError, match=r'"9\.9\.9".*0\.1\.0'):
        registry.get("tiny", "9.9.9")
    with pytest.raises(RubricNotFoundError, match='"nope"'):
        registry.get("nope", "0.1.0")
    assert issubclass(RubricNotFoundError, LookupError)


def test_add_file_json(tiny: kt.Rubric) -> None:
    registry = RubricRegistry(include_builtin=False)
    added = registry.add_file(TINY_JSON)
    assert added == tiny
    assert registry.add_file(str(TINY_JSON)) is added  # str paths too; the same digest again


def test_add_file_toml_has_the_json_digest(tmp_path: Path, tiny: kt.Rubric) -> None:
    path = tmp_path / "tiny-0.1.0.toml"
    path.write_text(TINY_TOML, encoding="utf-8")
    registry = RubricRegistry(include_builtin=False)

    from_toml = registry.add_file(path)

    assert from_toml == tiny
    assert kt.rubric_digest(from_toml) == kt.rubric_digest(tiny)
    assert registry.add_file(TINY_JSON) is from_toml  # the same rubric: a no-op
    assert len(registry) == 1


def test_add_file_errors(tmp_path: Path) -> None:
    registry = RubricRegistry(include_builtin=False)
    bad = tmp_path / "bad.toml"
    bad.write_text(TINY_TOML.replace("weight = 3", "weight = -3"), encoding="utf-8")
    with pytest.raises(kt.RubricError, match=r"\$\.pillars\[0\]\.weight"):
        registry.add_file(bad)
    with pytest.raises(FileNotFoundError):
        registry.add_file(tmp_path / "missing.json")
    with pytest.raises(TypeError):
        registry.add({"id": "tiny"})  # type: ignore[arg-type]
    assert len(registry) == 0


def test_registries_are_independent_of_each_other_and_of_the_builtins(tiny: kt.Rubric) -> None:
    builtin = kt.load_rubric("1.0.0")
    newer = version(builtin, "1.1.0", dt.date(2026, 1, 1))
    one, two = RubricRegistry(), RubricRegistry()

    one.add(newer)

    assert one.in_force("kol-trust", dt.date(2026, 6, 1)) is newer
    assert ("kol-trust", "1.1.0") not in two
    assert two.in_force("kol-trust", dt.date(2026, 6, 1)) is builtin
    # The module-level functions see the built-in rubrics only.
    assert kt.load_rubric(as_of=dt.date(2026, 6, 1)) is builtin
    with pytest.raises(RubricNotFoundError):
        kt.load_rubric("1.1.0")
    assert kt.available_rubrics() == (builtin,)
    assert "RubricRegistry" in repr(one) and "2 rubrics" in repr(one)
