"""Rubric files in TOML: same rubric, same digest, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import kol_trust as kt
from conftest import SPEC
from kol_trust.authoring import load_rubric_file, parse_rubric_text

EDGE_TOML = """
# The edge rubric of the standard's vectors, written by hand in TOML.
id = "edge"
version = "0.1.0"
algorithm = 1
title = { vi = "Biên", en = "Edge" }
effective_from = 2026-01-01   # a TOML date

[[sources]]
id = "a"
title = { vi = "A", en = "A" }
reliability = 1

[[pillars]]
id = "p"
title = { vi = "P", en = "P" }
weight = 1

[[criteria]]
id = "E1"
pillar = "p"
title = { vi = "E1", en = "E1" }
weight = 1
measure = "proportion"
prior = 0.6
prior_weight = 1

[[criteria]]
id = "E2"
pillar = "p"
title = { vi = "E2", en = "E2" }
weight = 1
measure = "proportion"
prior = 0.0045
prior_weight = 1
applies_to = { kinds = ["koc"] }

[[criteria]]
id = "E3"
pillar = "p"
title = { vi = "E3", en = "E3" }
weight = 1
measure = "attestation"
prior = 0
max_age_days = 30

[[criteria]]
id = "E4"
pillar = "p"
title = { vi = "E4", en = "E4" }
weight = 1
measure = "incidents"
penalties = { minor = 0.4, moderate = 0.5, serious = 0.7, critical = 1 }

[[criteria]]
id = "E5"
pillar = "p"
title = { vi = "E5", en = "E5" }
weight = 1
measure = "proportion"
prior = 0.6
prior_weight = 1

[[gates]]
id = "GB"
title = { vi = "GB", en = "GB" }
when = { type = "incident", min_severity = "minor", within_days = 50 }
cap = 100

[[tiers]]
id = "pass"
title = { vi = "Đạt", en = "Pass" }
min_score = 60
certified = true

[[tiers]]
id = "fail"
title = { vi = "Trượt", en = "Fail" }
min_score = 0
"""


def test_toml_and_json_spellings_have_the_same_digest(tmp_path: Path) -> None:
    published = kt.from_json((SPEC / "rubrics" / "edge-0.1.0.json").read_bytes(), kt.Rubric)
    path = tmp_path / "edge.toml"
    path.write_text(EDGE_TOML, encoding="utf-8")

    from_toml = load_rubric_file(path)

    assert from_toml == published
    assert kt.rubric_digest(from_toml) == kt.rubric_digest(published)
    vector = json.loads((SPEC / "vectors" / "26-edge-boundaries.json").read_text(encoding="utf-8"))
    assert vector["expected"]["rubric"]["digest"] == kt.rubric_digest(from_toml)


def test_a_quoted_date_works_too() -> None:
    text = EDGE_TOML.replace("effective_from = 2026-01-01", 'effective_from = "2026-01-01"')

    assert parse_rubric_text(text, format="toml").effective_from.isoformat() == "2026-01-01"


def test_a_date_time_is_not_a_date() -> None:
    text = EDGE_TOML.replace("effective_from = 2026-01-01", "effective_from = 2026-01-01T08:00:00")

    with pytest.raises(kt.RubricError) as info:
        parse_rubric_text(text, format="toml")

    assert [p.path for p in info.value.problems] == ["$.effective_from"]


def test_invalid_toml_text() -> None:
    with pytest.raises(kt.RubricError, match="not valid TOML"):
        parse_rubric_text('id = "edge"\nversion = ', format="toml")


def test_rule_problems_are_reported_with_paths() -> None:
    text = EDGE_TOML.replace('pillar = "p"\ntitle = { vi = "E3"', 'pillar = "q"\ntitle = { vi = "E3"')

    with pytest.raises(kt.RubricError) as info:
        parse_rubric_text(text, format="toml")

    assert [p.path for p in info.value.problems] == ["$.criteria[2].pillar"]


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="yaml"):
        parse_rubric_text("", format="yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("algorithm = " + "1" * 5000, "not valid TOML: a number with more than 4300 digits"),
        ("x = " + "[" * 10_000 + "]" * 10_000, "nested too deeply"),
        ("x = " + "{a = " * 10_000 + "1" + "}" * 10_000, "nested too deeply"),
        ("x" + ".a" * 10_000 + " = 1", "nested too deeply"),
    ],
    ids=["5000-digits", "deep-arrays", "deep-inline-tables", "deep-dotted-keys"],
)
def test_toml_beyond_pythons_limits_is_a_rubric_error(text: str, message: str) -> None:
    with pytest.raises(kt.RubricError) as info:
        parse_rubric_text(text, format="toml")

    assert [p.path for p in info.value.problems] == ["$"]
    assert message in info.value.problems[0].message
    assert "sys." not in str(info.value)  # no Python advice for the reader
