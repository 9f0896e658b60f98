"""Rubric validity (STANDARD §1.4): one test per rule.

Every entry starts from the valid ``tiny`` rubric, breaks one rule, and
checks that loading it raises :class:`~kol_trust.RubricError` with the JSON
path of the problem among ``error.problems`` and in ``str(error)``.

The tiny rubric: sources ``a`` (1.0), ``b`` (0.5); pillars ``p1``, ``p2``;
criteria ``C1`` (proportion, p1), ``C2`` (incidents, p1, own penalties),
``C3`` (attestation, p2), ``C4`` (proportion, p2, ``applies_to`` koc);
gates ``GP`` (pillar-below p2, cap 75), ``GI`` (incident, disqualify);
tiers ``top`` (80, coverage 100, certified), ``mid`` (60, pillar 50,
certified), ``low`` (0).
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Callable
from typing import Any

import attrs
import pytest

import kol_trust as kt
from conftest import SPEC
from kol_trust.rubric import Criterion, Pillar, Policy, Source, Tier

RUBRICS = SPEC / "rubrics"
_TINY: dict[str, Any] = json.loads((RUBRICS / "tiny-0.1.0.json").read_text(encoding="utf-8"))

Mutation = Callable[[dict[str, Any]], None]


def tiny() -> dict[str, Any]:
    return copy.deepcopy(_TINY)


def _parent(doc: Any, path: tuple[str | int, ...]) -> Any:
    for step in path[:-1]:
        doc = doc[step]
    return doc


def set_at(path: tuple[str | int, ...], value: Any) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        _parent(doc, path)[path[-1]] = copy.deepcopy(value)

    return mutate


def delete_at(path: tuple[str | int, ...]) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        del _parent(doc, path)[path[-1]]

    return mutate


def append_copy(name: str, index: int, at: int | None = None) -> Mutation:
    """Add a copy of ``doc[name][index]`` to the list (at the end, or at *at*)."""

    def mutate(doc: dict[str, Any]) -> None:
        items = doc[name]
        items.insert(len(items) if at is None else at, copy.deepcopy(items[index]))

    return mutate


def append(name: str, value: Any) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        doc[name].append(copy.deepcopy(value))

    return mutate


def apply(*mutations: Mutation) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        for m in mutations:
            m(doc)

    return mutate


def rename_pillar(old: str, new: str) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        for p in doc["pillars"]:
            if p["id"] == old:
                p["id"] = new
        for cr in doc["criteria"]:
            if cr["pillar"] == old:
                cr["pillar"] = new
        for g in doc["gates"]:
            if g["when"].get("pillar") == old:
                g["when"]["pillar"] = new

    return mutate


def rubric_problems(doc: Any) -> tuple[kt.RubricError, list[str]]:
    with pytest.raises(kt.RubricError) as info:
        kt.from_dict(doc, kt.Rubric)
    return info.value, [p.path for p in info.value.problems]


TEXT = {"vi": "X", "en": "X"}
PENALTIES = {"minor": 0.1, "moderate": 0.25, "serious": 0.5, "critical": 1.0}

# (name, mutation, expected path)
RULES: list[tuple[str, Mutation, str]] = [
    # -- ids unique within their list --------------------------------------------
    ("duplicate-source-id", append_copy("sources", 0), "$.sources[2].id"),
    ("duplicate-pillar-id", append_copy("pillars", 0), "$.pillars[2].id"),
    ("duplicate-criterion-id", append_copy("criteria", 0), "$.criteria[4].id"),
    ("duplicate-gate-id", append_copy("gates", 0), "$.gates[2].id"),
    ("duplicate-tier-id", append_copy("tiers", 1, at=2), "$.tiers[2].id"),
    ("duplicate-id-after-others", apply(append_copy("sources", 1), append_copy("sources", 0)), "$.sources[3].id"),
    # -- ids match the pattern ----------------------------------------------------
    ("rubric-id-leading-dash", set_at(("id",), "-tiny"), "$.id"),
    ("rubric-id-empty", set_at(("id",), ""), "$.id"),
    ("source-id-with-space", set_at(("sources", 1, "id"), "source b"), "$.sources[1].id"),
    ("pillar-id-bad", rename_pillar("p1", "p 1"), "$.pillars[0].id"),
    ("criterion-id-leading-underscore", set_at(("criteria", 0, "id"), "_C1"), "$.criteria[0].id"),
    ("gate-id-slash", set_at(("gates", 0, "id"), "G/P"), "$.gates[0].id"),
    ("tier-id-129-chars", set_at(("tiers", 0, "id"), "t" * 129), "$.tiers[0].id"),
    ("id-integer", set_at(("sources", 0, "id"), 1), "$.sources[0].id"),
    # -- pillars and criteria -----------------------------------------------------
    ("criterion-unknown-pillar", set_at(("criteria", 0, "pillar"), "p9"), "$.criteria[0].pillar"),
    ("pillar-without-criterion-added", append("pillars", {"id": "p3", "title": TEXT, "weight": 1}), "$.pillars[2]"),
    (
        "pillar-without-criterion-emptied",
        apply(set_at(("criteria", 2, "pillar"), "p1"), set_at(("criteria", 3, "pillar"), "p1")),
        "$.pillars[1]",
    ),
    ("no-pillars", set_at(("pillars",), []), "$.pillars"),
    ("no-criteria", set_at(("criteria",), []), "$.criteria"),
    # -- weights and reliabilities finite and in range ---------------------------
    ("pillar-weight-zero", set_at(("pillars", 0, "weight"), 0), "$.pillars[0].weight"),
    ("pillar-weight-negative", set_at(("pillars", 1, "weight"), -1), "$.pillars[1].weight"),
    ("pillar-weight-nan", set_at(("pillars", 0, "weight"), math.nan), "$.pillars[0].weight"),
    ("pillar-weight-inf", set_at(("pillars", 0, "weight"), math.inf), "$.pillars[0].weight"),
    ("pillar-weight-bool", set_at(("pillars", 0, "weight"), True), "$.pillars[0].weight"),
    ("pillar-weight-string", set_at(("pillars", 0, "weight"), "3"), "$.pillars[0].weight"),
    ("criterion-weight-zero", set_at(("criteria", 1, "weight"), 0), "$.criteria[1].weight"),
    ("criterion-weight-negative", set_at(("criteria", 1, "weight"), -0.5), "$.criteria[1].weight"),
    ("criterion-weight-minus-inf", set_at(("criteria", 1, "weight"), -math.inf), "$.criteria[1].weight"),
    ("criterion-weight-nan", set_at(("criteria", 1, "weight"), math.nan), "$.criteria[1].weight"),
    ("criterion-weight-bool", set_at(("criteria", 1, "weight"), False), "$.criteria[1].weight"),
    ("reliability-zero", set_at(("sources", 1, "reliability"), 0), "$.sources[1].reliability"),
    ("reliability-above-one", set_at(("sources", 1, "reliability"), 1.0001), "$.sources[1].reliability"),
    ("reliability-negative", set_at(("sources", 1, "reliability"), -0.5), "$.sources[1].reliability"),
    ("reliability-nan", set_at(("sources", 1, "reliability"), math.nan), "$.sources[1].reliability"),
    ("reliability-bool", set_at(("sources", 0, "reliability"), True), "$.sources[0].reliability"),
    # -- policy ---------------------------------------------------------------------
    ("disputed-weight-negative", set_at(("policy", "disputed_weight"), -0.1), "$.policy.disputed_weight"),
    ("disputed-weight-above-one", set_at(("policy", "disputed_weight"), 1.5), "$.policy.disputed_weight"),
    ("policy-max-age-zero", set_at(("policy", "max_age_days"), 0), "$.policy.max_age_days"),
    ("policy-max-age-fractional", set_at(("policy", "max_age_days"), 365.5), "$.policy.max_age_days"),
    ("policy-max-age-integral-float", set_at(("policy", "max_age_days"), 365.0), "$.policy.max_age_days"),
    ("criterion-max-age-zero", set_at(("criteria", 2, "max_age_days"), 0), "$.criteria[2].max_age_days"),
    ("criterion-max-age-fractional", set_at(("criteria", 2, "max_age_days"), 30.5), "$.criteria[2].max_age_days"),
    ("max-reasons-negative", set_at(("policy", "max_reasons"), -1), "$.policy.max_reasons"),
    ("max-reasons-fractional", set_at(("policy", "max_reasons"), 2.5), "$.policy.max_reasons"),
    (
        "certificate-validity-zero",
        set_at(("policy", "certificate_validity_days"), 0),
        "$.policy.certificate_validity_days",
    ),
    (
        "certificate-validity-fractional",
        set_at(("policy", "certificate_validity_days"), 365.25),
        "$.policy.certificate_validity_days",
    ),
    ("policy-unknown-field", set_at(("policy", "max_score"), 100), "$.policy.max_score"),
    # -- penalties: all four severities, in [0, 1], non-decreasing ------------------
    (
        "policy-penalties-missing-critical",
        set_at(("policy", "penalties"), {"minor": 0.1, "moderate": 0.2, "serious": 0.3}),
        "$.policy.penalties.critical",
    ),
    (
        "criterion-penalties-missing-minor",
        delete_at(("criteria", 1, "penalties", "minor")),
        "$.criteria[1].penalties.minor",
    ),
    (
        "penalties-unknown-severity",
        set_at(("policy", "penalties"), {**PENALTIES, "fatal": 1}),
        "$.policy.penalties.fatal",
    ),
    ("penalty-above-one", set_at(("criteria", 1, "penalties", "critical"), 1.5), "$.criteria[1].penalties.critical"),
    ("penalty-negative", set_at(("criteria", 1, "penalties", "minor"), -0.1), "$.criteria[1].penalties.minor"),
    (
        "policy-penalties-decreasing",
        set_at(("policy", "penalties"), {**PENALTIES, "moderate": 0.05}),
        "$.policy.penalties",
    ),
    (
        "criterion-penalties-decreasing",
        set_at(("criteria", 1, "penalties", "critical"), 0.5),
        "$.criteria[1].penalties",
    ),
    # -- accepted sources ------------------------------------------------------------
    (
        "accepted-source-unknown",
        set_at(("criteria", 0, "accepted_sources"), ["a", "nobody"]),
        "$.criteria[0].accepted_sources[1]",
    ),
    ("accepted-sources-empty", set_at(("criteria", 0, "accepted_sources"), []), "$.criteria[0].accepted_sources"),
    # -- applies_to -------------------------------------------------------------------
    ("applies-to-kinds-empty", set_at(("criteria", 3, "applies_to", "kinds"), []), "$.criteria[3].applies_to.kinds"),
    (
        "applies-to-categories-empty",
        set_at(("criteria", 3, "applies_to"), {"categories": []}),
        "$.criteria[3].applies_to.categories",
    ),
    (
        "applies-to-kind-unknown",
        set_at(("criteria", 3, "applies_to", "kinds"), ["koc", "celebrity"]),
        "$.criteria[3].applies_to.kinds[1]",
    ),
    (
        "applies-to-category-not-slug",
        set_at(("criteria", 3, "applies_to"), {"categories": ["Health"]}),
        "$.criteria[3].applies_to.categories[0]",
    ),
    ("applies-to-names-nothing", set_at(("criteria", 3, "applies_to"), {}), "$.criteria[3].applies_to"),
    (
        "every-criterion-has-applies-to",
        apply(*(set_at(("criteria", i, "applies_to"), {"kinds": ["kol", "koc"]}) for i in range(3))),
        "$.criteria",
    ),
    # -- gates name what exists, of the right measure --------------------------------
    ("pillar-gate-unknown-pillar", set_at(("gates", 0, "when", "pillar"), "p9"), "$.gates[0].when.pillar"),
    (
        "criterion-gate-unknown-criterion",
        set_at(("gates", 0, "when"), {"type": "criterion-below", "criterion": "C9", "below": 40}),
        "$.gates[0].when.criterion",
    ),
    (
        "incident-gate-unknown-criterion",
        set_at(("gates", 1, "when", "criteria"), ["C9"]),
        "$.gates[1].when.criteria[0]",
    ),
    (
        "incident-gate-proportion-criterion",
        set_at(("gates", 1, "when", "criteria"), ["C2", "C1"]),
        "$.gates[1].when.criteria[1]",
    ),
    (
        "incident-gate-attestation-criterion",
        set_at(("gates", 1, "when", "criteria"), ["C3"]),
        "$.gates[1].when.criteria[0]",
    ),
    (
        "missing-gate-incidents-criterion",
        set_at(("gates", 0, "when"), {"type": "missing", "criterion": "C2"}),
        "$.gates[0].when.criterion",
    ),
    (
        "missing-gate-unknown-criterion",
        set_at(("gates", 0, "when"), {"type": "missing", "criterion": "C9"}),
        "$.gates[0].when.criterion",
    ),
    ("gate-without-effect-no-cap", delete_at(("gates", 0, "cap")), "$.gates[0]"),
    ("gate-without-effect-disqualify-false", set_at(("gates", 1, "disqualify"), False), "$.gates[1]"),
    (
        "gate-without-effect-explicit-nulls",
        apply(set_at(("gates", 0, "cap"), None), set_at(("gates", 0, "disqualify"), False)),
        "$.gates[0]",
    ),
    ("gate-disqualify-not-bool", set_at(("gates", 1, "disqualify"), 1), "$.gates[1].disqualify"),
    ("when-type-unknown", set_at(("gates", 0, "when", "type"), "score-below"), "$.gates[0].when"),
    ("when-type-wrong-case", set_at(("gates", 1, "when", "type"), "Incident"), "$.gates[1].when"),
    ("when-type-missing", delete_at(("gates", 0, "when", "type")), "$.gates[0].when"),
    ("when-field-of-other-type", set_at(("gates", 0, "when", "criterion"), "C1"), "$.gates[0].when.criterion"),
    ("within-days-fractional", set_at(("gates", 1, "when", "within_days"), 1.5), "$.gates[1].when.within_days"),
    ("within-days-negative", set_at(("gates", 1, "when", "within_days"), -1), "$.gates[1].when.within_days"),
    ("min-severity-unknown", set_at(("gates", 1, "when", "min_severity"), "grave"), "$.gates[1].when.min_severity"),
    # -- thresholds in [0, 100] --------------------------------------------------------
    ("below-above-100", set_at(("gates", 0, "when", "below"), 100.5), "$.gates[0].when.below"),
    ("below-negative", set_at(("gates", 0, "when", "below"), -1), "$.gates[0].when.below"),
    ("below-nan", set_at(("gates", 0, "when", "below"), math.nan), "$.gates[0].when.below"),
    ("cap-above-100", set_at(("gates", 0, "cap"), 101), "$.gates[0].cap"),
    ("cap-negative", set_at(("gates", 0, "cap"), -0.1), "$.gates[0].cap"),
    ("min-score-above-100", set_at(("tiers", 0, "min_score"), 100.5), "$.tiers[0].min_score"),
    ("min-score-negative", set_at(("tiers", 1, "min_score"), -1), "$.tiers[1].min_score"),
    ("min-pillar-score-above-100", set_at(("tiers", 1, "min_pillar_score"), 150), "$.tiers[1].min_pillar_score"),
    ("min-pillar-score-negative", set_at(("tiers", 1, "min_pillar_score"), -5), "$.tiers[1].min_pillar_score"),
    ("min-coverage-above-100", set_at(("tiers", 0, "min_coverage"), 100.01), "$.tiers[0].min_coverage"),
    ("min-coverage-negative", set_at(("tiers", 0, "min_coverage"), -1), "$.tiers[0].min_coverage"),
    # -- tiers ---------------------------------------------------------------------------
    ("tiers-min-score-increasing", set_at(("tiers", 1, "min_score"), 85), "$.tiers[1].min_score"),
    ("last-tier-min-score-not-zero", set_at(("tiers", 2, "min_score"), 10), "$.tiers[2].min_score"),
    ("last-tier-min-coverage", set_at(("tiers", 2, "min_coverage"), 0), "$.tiers[2].min_coverage"),
    ("last-tier-min-pillar-score", set_at(("tiers", 2, "min_pillar_score"), 0), "$.tiers[2].min_pillar_score"),
    ("last-tier-certified", set_at(("tiers", 2, "certified"), True), "$.tiers[2].certified"),
    ("certified-not-bool", set_at(("tiers", 0, "certified"), "yes"), "$.tiers[0].certified"),
    ("no-tiers", set_at(("tiers",), []), "$.tiers"),
    # -- algorithm and version ----------------------------------------------------------
    ("algorithm-2", set_at(("algorithm",), 2), "$.algorithm"),
    ("algorithm-0", set_at(("algorithm",), 0), "$.algorithm"),
    ("algorithm-float", set_at(("algorithm",), 1.0), "$.algorithm"),
    ("algorithm-string", set_at(("algorithm",), "1"), "$.algorithm"),
    ("algorithm-bool", set_at(("algorithm",), True), "$.algorithm"),
    ("algorithm-missing", delete_at(("algorithm",)), "$.algorithm"),
    ("version-two-parts", set_at(("version",), "1.0"), "$.version"),
    ("version-v-prefix", set_at(("version",), "v1.0.0"), "$.version"),
    ("version-pre-release", set_at(("version",), "1.0.0-beta"), "$.version"),
    ("version-build-metadata", set_at(("version",), "1.0.0+build"), "$.version"),
    ("version-four-parts", set_at(("version",), "1.0.0.0"), "$.version"),
    ("version-leading-zero", set_at(("version",), "1.01.0"), "$.version"),
    ("version-empty", set_at(("version",), ""), "$.version"),
    ("version-number", set_at(("version",), 1.0), "$.version"),
    # -- fields that belong to the measure ----------------------------------------------
    ("prior-weight-on-attestation", set_at(("criteria", 2, "prior_weight"), 1), "$.criteria[2].prior_weight"),
    ("penalties-on-proportion", set_at(("criteria", 0, "penalties"), PENALTIES), "$.criteria[0].penalties"),
    ("penalties-on-attestation", set_at(("criteria", 2, "penalties"), PENALTIES), "$.criteria[2].penalties"),
    ("prior-on-incidents", set_at(("criteria", 1, "prior"), 0.5), "$.criteria[1].prior"),
    ("prior-weight-on-incidents", set_at(("criteria", 1, "prior_weight"), 2), "$.criteria[1].prior_weight"),
    ("prior-missing-on-proportion", delete_at(("criteria", 0, "prior")), "$.criteria[0].prior"),
    ("prior-null-on-proportion", set_at(("criteria", 0, "prior"), None), "$.criteria[0].prior"),
    ("prior-missing-on-attestation", delete_at(("criteria", 2, "prior")), "$.criteria[2].prior"),
    ("prior-weight-missing-on-proportion", delete_at(("criteria", 0, "prior_weight")), "$.criteria[0].prior_weight"),
    ("prior-above-one", set_at(("criteria", 0, "prior"), 1.5), "$.criteria[0].prior"),
    ("prior-weight-zero", set_at(("criteria", 0, "prior_weight"), 0), "$.criteria[0].prior_weight"),
    ("measure-unknown", set_at(("criteria", 0, "measure"), "average"), "$.criteria[0].measure"),
    ("half-life-zero", set_at(("criteria", 1, "half_life_days"), 0), "$.criteria[1].half_life_days"),
    ("half-life-negative", set_at(("criteria", 1, "half_life_days"), -30), "$.criteria[1].half_life_days"),
    ("half-life-infinite", set_at(("criteria", 1, "half_life_days"), math.inf), "$.criteria[1].half_life_days"),
    # -- the document itself --------------------------------------------------------------
    ("title-missing-en", delete_at(("title", "en")), "$.title.en"),
    ("criterion-title-missing-vi", delete_at(("criteria", 0, "title", "vi")), "$.criteria[0].title.vi"),
    ("title-a-string", set_at(("title",), "Tiny"), "$.title"),
    ("effective-from-not-a-date", set_at(("effective_from",), "2026-01"), "$.effective_from"),
    ("unknown-top-level-field", set_at(("formula",), "1+1"), "$.formula"),
    ("unknown-criterion-field", set_at(("criteria", 0, "expression"), "x"), "$.criteria[0].expression"),
    ("unknown-source-field", set_at(("sources", 0, "url"), "x"), "$.sources[0].url"),
    ("sources-not-a-list", set_at(("sources",), {"a": 1}), "$.sources"),
]


def test_the_tiny_rubric_is_valid() -> None:
    rubric = kt.from_dict(tiny(), kt.Rubric)
    assert [c.id for c in rubric.criteria] == ["C1", "C2", "C3", "C4"]
    assert [c.measure for c in rubric.criteria] == ["proportion", "incidents", "attestation", "proportion"]
    assert [t.id for t in rubric.tiers] == ["top", "mid", "low"]


def test_rules_have_unique_names() -> None:
    assert len({r[0] for r in RULES}) == len(RULES)


@pytest.mark.parametrize(("name", "mutate", "path"), RULES, ids=[r[0] for r in RULES])
def test_rule(name: str, mutate: Mutation, path: str) -> None:
    doc = tiny()
    mutate(doc)

    err, paths = rubric_problems(doc)

    assert path in paths, f"{name}: expected {path} among {paths}"
    assert path in str(err)
    assert len(paths) == len(set(paths)) or name.startswith("duplicate"), f"a problem is reported twice: {paths}"


#: A string quoted the Python way ('T01'); an apostrophe inside a word (tier's) is not one.
PYTHON_QUOTED = re.compile(r"(?<!\w)'[^'\n]*'(?!\w)")


def test_no_rule_quotes_an_id_the_python_way() -> None:
    """Every message of the catalogue of rules writes ids and values as JSON does ("T01", not 'T01')."""
    quoted = {}
    for name, mutate, _ in RULES:
        doc = tiny()
        mutate(doc)
        err, _ = rubric_problems(doc)
        for text in (str(err), *(p.message for p in err.problems)):
            if PYTHON_QUOTED.search(text):
                quoted[name] = text
    assert quoted == {}
    assert PYTHON_QUOTED.search("unknown pillar 'trusst'") and not PYTHON_QUOTED.search("the previous tier's")


def _spellable(mutate: Mutation) -> bool:
    doc = tiny()
    mutate(doc)
    try:
        json.dumps(doc, allow_nan=False)
    except ValueError:
        return False
    return True


# NaN and Infinity cannot be written as JSON: test_non_finite_json_text covers them.
JSON_RULES = [r for r in RULES if _spellable(r[1])]


@pytest.mark.parametrize(("name", "mutate", "path"), JSON_RULES, ids=[r[0] for r in JSON_RULES])
def test_rule_through_json_text(name: str, mutate: Mutation, path: str) -> None:
    doc = tiny()
    mutate(doc)
    text = json.dumps(doc, allow_nan=False)

    with pytest.raises(kt.RubricError) as info:
        kt.from_json(text, kt.Rubric)

    assert path in [p.path for p in info.value.problems]


@pytest.mark.parametrize(
    ("old", "new"),
    [("3", "NaN"), ("3", "Infinity"), ("3", "-Infinity"), ("3", "1e999"), ("3", '3, "weight": 3')],
    ids=["nan", "infinity", "minus-infinity", "overflow", "duplicate-key"],
)
def test_non_finite_json_text(old: str, new: str) -> None:
    text = json.dumps(tiny(), indent=1)
    marker = f'"weight": {old}'
    assert marker in text

    with pytest.raises(kt.RubricError) as info:
        kt.from_json(text.replace(marker, f'"weight": {new}', 1), kt.Rubric)

    assert [p.path for p in info.value.problems] == ["$"]


# -- boundaries that are valid --------------------------------------------------------


@pytest.mark.parametrize(
    "mutate",
    [
        set_at(("sources", 1, "reliability"), 1),
        set_at(("sources", 1, "reliability"), 5e-324),
        set_at(("policy", "disputed_weight"), 0),
        set_at(("policy", "disputed_weight"), 1),
        set_at(("policy", "max_reasons"), 0),
        set_at(("policy", "max_age_days"), 1),
        set_at(("policy", "certificate_validity_days"), 1),
        set_at(("policy", "penalties"), {"minor": 0, "moderate": 0, "serious": 0, "critical": 0}),
        set_at(("policy", "penalties"), {"minor": 1, "moderate": 1, "serious": 1, "critical": 1}),
        set_at(("criteria", 1, "half_life_days"), 0.5),
        set_at(("criteria", 0, "prior"), 0),
        set_at(("criteria", 0, "accepted_sources"), ["b"]),
        set_at(("criteria", 3, "applies_to"), {"kinds": ["koc"], "categories": ["health", "finance"]}),
        set_at(("gates", 0, "cap"), 0),
        set_at(("gates", 0, "when", "below"), 100),
        set_at(("gates", 1, "when", "within_days"), 0),
        set_at(("gates", 1, "cap"), 100),
        set_at(("tiers", 1, "min_score"), 80),
        set_at(("tiers", 0, "min_score"), 100),
        set_at(("tiers", 2, "certified"), False),
        set_at(("tiers", 2, "min_coverage"), None),
        set_at(("gates",), []),
        delete_at(("policy",)),
        set_at(("policy",), None),
        set_at(("version",), "10.20.30"),
    ],
)
def test_valid_boundaries_load(mutate: Mutation) -> None:
    doc = tiny()
    mutate(doc)
    assert isinstance(kt.from_dict(doc, kt.Rubric), kt.Rubric)


def test_policy_defaults() -> None:
    doc = tiny()
    del doc["policy"]
    policy = kt.from_dict(doc, kt.Rubric).policy
    assert policy.disputed_weight == 0.5
    assert policy.max_age_days == 1825
    assert policy.max_reasons == 4
    assert policy.certificate_validity_days == 365
    assert [policy.penalties[s] for s in ("minor", "moderate", "serious", "critical")] == [0.1, 0.25, 0.5, 1.0]


# -- every problem at once --------------------------------------------------------------


def test_every_problem_is_listed() -> None:
    doc = tiny()
    doc["version"] = "0.1"
    doc["algorithm"] = 2
    doc["policy"]["penalties"] = {**PENALTIES, "serious": 0.2}
    doc["sources"][1]["reliability"] = 0
    doc["criteria"][0]["pillar"] = "p9"
    doc["criteria"][2]["prior_weight"] = 1
    doc["gates"][1]["when"]["criteria"] = ["C1"]
    doc["tiers"][1]["min_score"] = 90
    doc["tiers"][2]["certified"] = True
    expected = {
        "$.version",
        "$.algorithm",
        "$.policy.penalties",
        "$.sources[1].reliability",
        "$.criteria[0].pillar",
        "$.criteria[2].prior_weight",
        "$.gates[1].when.criteria[0]",
        "$.tiers[1].min_score",
        "$.tiers[2].certified",
    }

    err, paths = rubric_problems(doc)

    assert set(paths) == expected
    assert len(paths) == len(expected)
    for path in expected:
        assert path in str(err)
    assert f"{len(expected)} problems" in str(err)


def test_every_problem_is_listed_even_with_a_wrong_type() -> None:
    """A wrong type somewhere (here a pillar weight given as a string) must not
    hide the rubric's other problems: "every problem listed, not just the
    first" (STANDARD §1.4)."""
    doc = tiny()
    doc["pillars"][0]["weight"] = "heavy"
    doc["version"] = "0.1"
    doc["algorithm"] = 2
    doc["criteria"][0]["pillar"] = "p9"
    doc["gates"][0]["cap"] = None
    doc["tiers"][2]["certified"] = True
    expected = {
        "$.pillars[0].weight",
        "$.version",
        "$.algorithm",
        "$.criteria[0].pillar",
        "$.gates[0]",
        "$.tiers[2].certified",
    }

    _, paths = rubric_problems(doc)

    assert set(paths) == expected


def test_messages_name_the_rule() -> None:
    doc = tiny()
    doc["criteria"][1]["penalties"]["critical"] = 0.5
    doc["gates"][0]["when"] = {"type": "missing", "criterion": "C2"}
    doc["tiers"][2]["min_score"] = 5

    err, _ = rubric_problems(doc)
    messages = {p.path: p.message for p in err.problems}

    assert "decrease" in messages["$.criteria[1].penalties"]
    assert "C2" in messages["$.gates[0].when.criterion"]
    assert "incidents" in messages["$.gates[0].when.criterion"]
    assert "0" in messages["$.tiers[2].min_score"] and "last" in messages["$.tiers[2].min_score"]


# -- the published rubrics, the error types, direct construction ------------------------


@pytest.mark.parametrize("path", sorted(RUBRICS.glob("*.json")), ids=lambda p: p.stem)
def test_published_rubric_loads(path: Any) -> None:
    rubric = kt.from_json(path.read_bytes(), kt.Rubric)
    assert f"{rubric.id}-{rubric.version}" == path.stem
    assert rubric.algorithm == kt.ALGORITHM == 1
    assert kt.from_dict(kt.to_dict(rubric), kt.Rubric) == rubric


def test_builtin_rubrics_load() -> None:
    rubrics = kt.available_rubrics()
    assert rubrics
    assert kt.load_rubric("1.0.0") == kt.from_json((RUBRICS / "kol-trust-1.0.0.json").read_bytes(), kt.Rubric)


def test_rubric_error_hierarchy() -> None:
    assert issubclass(kt.RubricError, kt.ValidationError)
    assert issubclass(kt.RubricError, kt.KolTrustError)
    assert issubclass(kt.RubricError, ValueError)
    err, _ = rubric_problems(_with(algorithm=2))
    assert isinstance(err, kt.ValidationError)
    assert isinstance(err, kt.KolTrustError)


def _with(**changes: Any) -> dict[str, Any]:
    doc = tiny()
    doc.update(changes)
    return doc


@pytest.mark.parametrize(
    "text",
    ["", "[]", "null", '{"id": "tiny"}', "{", "NaN"],
    ids=["empty", "list", "null", "incomplete", "truncated", "nan"],
)
def test_from_json_bad_rubric_text_raises_rubric_error(text: str) -> None:
    with pytest.raises(kt.RubricError):
        kt.from_json(text, kt.Rubric)


def test_from_dict_not_an_object_raises_rubric_error() -> None:
    for value in (None, [], "tiny", 1, True):
        with pytest.raises(kt.RubricError) as info:
            kt.from_dict(value, kt.Rubric)
        assert [p.path for p in info.value.problems] == ["$"]


VALID = kt.from_dict(_TINY, kt.Rubric)


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"algorithm": 2}, "$.algorithm"),
        ({"version": "1.0"}, "$.version"),
        ({"tiers": tuple(reversed(VALID.tiers))}, "$.tiers[1].min_score"),
        ({"pillars": (*VALID.pillars, VALID.pillars[0])}, "$.pillars[2].id"),
        ({"pillars": [*VALID.pillars, Pillar(id="p3", title=kt.Text(vi="x", en="x"), weight=1)]}, "$.pillars[2]"),
        ({"policy": Policy(max_age_days=0)}, "$.policy.max_age_days"),
        ({"policy": Policy(disputed_weight=math.nan)}, "$.policy.disputed_weight"),
        ({"sources": (Source(id="a", title=kt.Text(vi="A", en="A"), reliability=0),)}, "$.sources[0].reliability"),
        ({"criteria": (attrs.evolve(VALID.criteria[0], weight=-1), *VALID.criteria[1:])}, "$.criteria[0].weight"),
        ({"criteria": (attrs.evolve(VALID.criteria[0], prior=None), *VALID.criteria[1:])}, "$.criteria[0].prior"),
        ({"gates": (attrs.evolve(VALID.gates[0], cap=None),)}, "$.gates[0]"),
        ({"pillars": ({"id": "p1"}, VALID.pillars[1])}, "$.pillars[0]"),
        ({"effective_from": "2026-01-01"}, "$.effective_from"),
        ({"title": {"vi": "x", "en": "x"}}, "$.title"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_direct_construction_is_checked(changes: dict[str, Any], path: str) -> None:
    with pytest.raises(kt.RubricError) as info:
        attrs.evolve(VALID, **changes)
    assert path in [p.path for p in info.value.problems]


def test_direct_construction_from_scratch() -> None:
    text = kt.Text(vi="x", en="x")
    parts: dict[str, Any] = {
        "id": "mini",
        "version": "1.0.0",
        "algorithm": 1,
        "title": text,
        "effective_from": VALID.effective_from,
        "sources": [Source(id="s", title=text, reliability=1)],
        "pillars": [Pillar(id="p", title=text, weight=1)],
        "criteria": [Criterion(id="c", pillar="p", title=text, weight=1, measure=kt.Measure.ATTESTATION, prior=0.5)],
        "gates": [],
        "tiers": [Tier(id="t", title=text, min_score=0)],
    }
    assert isinstance(kt.Rubric(**parts), kt.Rubric)

    with pytest.raises(kt.RubricError) as info:
        kt.Rubric(**{**parts, "tiers": [Tier(id="t", title=text, min_score=0, certified=True)], "algorithm": 3})

    assert {p.path for p in info.value.problems} == {"$.tiers[0].certified", "$.algorithm"}
