"""Rubric diff and version discipline: ``diff_rubrics`` and ``kol-trust rubric diff``."""

from __future__ import annotations

import argparse
import copy
import functools
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kol_trust as kt
from conftest import SPEC, VECTORS
from kol_trust import cli as kt_cli
from kol_trust.authoring.diff import Change, RubricDiff, diff_rubrics
from kol_trust.cli import main
from kol_trust.cli.common import InputError
from kol_trust.cli.rubric_diff import add_parsers

Doc = dict[str, Any]
Edit = Callable[[Doc], None]


# -- helpers ---------------------------------------------------------------------------


@functools.cache
def _base_text() -> str:
    return (SPEC / "rubrics" / "kol-trust-1.0.0.json").read_text(encoding="utf-8")


def base() -> Doc:
    """A fresh copy of the kol-trust 1.0.0 rubric document."""
    doc: Doc = json.loads(_base_text())
    return doc


def build(doc: Doc, version: str | None = None) -> kt.Rubric:
    doc = copy.deepcopy(doc)
    if version is not None:
        doc["version"] = version
    return kt.from_dict(doc, kt.Rubric)


def item(doc: Doc, name: str, ident: str) -> Doc:
    found: Doc = next(x for x in doc[name] if x["id"] == ident)
    return found


def crit(doc: Doc, ident: str) -> Doc:
    return item(doc, "criteria", ident)


def diff_of(edit: Edit, start: Edit | None = None, version: str = "1.0.1") -> RubricDiff:
    """Diff of 1.0.0 (after *start*) against a copy with *edit* applied too."""
    old = base()
    if start is not None:
        start(old)
    new = copy.deepcopy(old)
    edit(new)
    return diff_rubrics(build(old), build(new, version))


def paths(diff: RubricDiff) -> list[str]:
    return [c.path for c in diff.changes]


def one(diff: RubricDiff) -> Change:
    assert len(diff.changes) == 1, [(c.path, c.bump) for c in diff.changes]
    return diff.changes[0]


# -- edits --------------------------------------------------------------------------


def explicit_sources(doc: Doc) -> None:
    """Give the criteria that accept every source an explicit list (no accept-all left)."""
    everyone = [s["id"] for s in doc["sources"]]
    for cr in doc["criteria"]:
        cr.setdefault("accepted_sources", list(everyone))


def add_source(doc: Doc) -> None:
    doc["sources"].append(
        {
            "id": "ngo",
            "title": {"vi": "Tổ chức phi chính phủ", "en": "Non-governmental organisation"},
            "reliability": 0.4,
        }
    )


def swap_tiers_base(doc: Doc) -> None:
    """Make tiers high-trust and trusted swappable: same min_score."""
    item(doc, "tiers", "trusted")["min_score"] = 85


def swap_first_tiers(doc: Doc) -> None:
    doc["tiers"][0], doc["tiers"][1] = doc["tiers"][1], doc["tiers"][0]


def swap_tiers(doc: Doc) -> None:
    swap_tiers_base(doc)
    swap_first_tiers(doc)


def _set(*keys: str, value: Any) -> Edit:
    def edit(doc: Doc) -> None:
        target: Any = doc
        for k in keys[:-1]:
            target = target[k]
        target[keys[-1]] = value

    return edit


def set_field(name: str, ident: str, field: str, value: Any) -> Edit:
    def edit(doc: Doc) -> None:
        item(doc, name, ident)[field] = value

    return edit


def _reverse_sources(doc: Doc) -> None:
    doc["sources"].reverse()


def _reverse_accepted(doc: Doc) -> None:
    crit(doc, "N03")["accepted_sources"].reverse()


def _reverse_categories(doc: Doc) -> None:
    crit(doc, "R06")["applies_to"]["categories"].reverse()


def _reverse_gate_criteria(doc: Doc) -> None:
    item(doc, "gates", "G-FALSE-AD")["when"]["criteria"].reverse()


def _retitle(name: str, ident: str, lang: str, text: str) -> Edit:
    def edit(doc: Doc) -> None:
        item(doc, name, ident)["title"][lang] = text

    return edit


def _drop_description(doc: Doc) -> None:
    del crit(doc, "T02")["description"]


def _reword_description(doc: Doc) -> None:
    crit(doc, "N01")["description"]["en"] = "Share of the audience that is real people."


def _rubric_title(doc: Doc) -> None:
    doc["title"]["en"] = "KOL Trust Standard"


#: Edits the rules call patch or minor, each with its bump and a path it reports.
#: The "new source" edit starts from a rubric with no accept-all criterion.
SAFE_EDITS: dict[str, tuple[Edit, str, str]] = {
    "vi-title": (
        _retitle("criteria", "T01", "vi", "Gắn nhãn rõ ràng nội dung quảng cáo"),
        "patch",
        "$.criteria[T01].title.vi",
    ),
    "rubric-title": (_rubric_title, "patch", "$.title.en"),
    "source-title": (_retitle("sources", "court", "en", "Courts"), "patch", "$.sources[court].title.en"),
    "gate-title": (_retitle("gates", "G-PLEDGE", "vi", "Chưa ký cam kết"), "patch", "$.gates[G-PLEDGE].title.vi"),
    "tier-title": (_retitle("tiers", "trusted", "en", "Trustworthy"), "patch", "$.tiers[trusted].title.en"),
    "pillar-title": (_retitle("pillars", "trust", "en", "Trustworthiness"), "patch", "$.pillars[trust].title.en"),
    "drop-description": (_drop_description, "patch", "$.criteria[T02].description"),
    "reword-description": (_reword_description, "patch", "$.criteria[N01].description.en"),
    "max-reasons": (_set("policy", "max_reasons", value=2), "minor", "$.policy.max_reasons"),
    "effective-from": (_set("effective_from", value="2026-07-01"), "minor", "$.effective_from"),
    "certificate-days": (
        _set("policy", "certificate_validity_days", value=180),
        "minor",
        "$.policy.certificate_validity_days",
    ),
    "source-order": (_reverse_sources, "minor", "$.sources"),
    "accepted-order": (_reverse_accepted, "minor", "$.criteria[N03].accepted_sources"),
    "categories-order": (_reverse_categories, "minor", "$.criteria[R06].applies_to.categories"),
    "gate-criteria-order": (_reverse_gate_criteria, "minor", "$.gates[G-FALSE-AD].when.criteria"),
}


# -- the bump rules -------------------------------------------------------------------


def test_identical_rubrics_need_no_bump() -> None:
    d = diff_rubrics(kt.load_rubric("1.0.0"), build(base()))
    assert d.changes == ()
    assert (d.required_bump, d.declared_bump, d.ok) == ("none", "none", True)
    assert d.old == d.new == kt.RubricRef("kol-trust", "1.0.0", kt.rubric_digest(kt.load_rubric("1.0.0")))


@pytest.mark.parametrize("name", sorted(SAFE_EDITS))
def test_patch_and_minor_edits(name: str) -> None:
    edit, bump, path = SAFE_EDITS[name]
    d = diff_of(edit)
    change = one(d)
    assert (change.path, change.bump, d.required_bump) == (path, bump, bump)
    assert change.old_share is None and change.new_share is None
    assert change.note


def test_reworded_vietnamese_title_is_patch() -> None:
    change = one(diff_of(SAFE_EDITS["vi-title"][0]))
    assert (change.kind, change.old, change.new) == (
        "changed",
        "Gắn nhãn nội dung quảng cáo",
        "Gắn nhãn rõ ràng nội dung quảng cáo",
    )
    assert "Vietnamese" in change.note


def test_dropped_description_is_a_removed_text() -> None:
    change = one(diff_of(_drop_description))
    assert change.kind == "removed" and change.new is None
    assert set(change.old) == {"vi", "en"}


def test_new_source_that_no_criterion_accepts_is_minor() -> None:
    d = diff_of(add_source, start=explicit_sources)
    change = one(d)
    assert (change.path, change.kind, change.bump) == ("$.sources[ngo]", "added", "minor")
    assert change.new == {
        "id": "ngo",
        "title": {"vi": "Tổ chức phi chính phủ", "en": "Non-governmental organisation"},
        "reliability": 0.4,
    }


def test_new_source_is_major_when_a_criterion_accepts_every_source() -> None:
    # T04, T05 and R05 of 1.0.0 have no accepted_sources: they take the new source.
    change = one(diff_of(add_source))
    assert (change.path, change.bump) == ("$.sources[ngo]", "major")
    assert "T04" in change.note and "R05" in change.note


def test_new_source_named_by_a_criterion_is_major() -> None:
    def edit(doc: Doc) -> None:
        add_source(doc)
        crit(doc, "T01")["accepted_sources"].append("ngo")

    d = diff_of(edit, start=explicit_sources)
    assert d.required_bump == "major"
    assert {c.path: c.bump for c in d.changes} == {
        "$.sources[ngo]": "major",
        "$.criteria[T01].accepted_sources": "major",
    }


def test_criterion_weight_is_major_with_shares() -> None:
    change = one(diff_of(set_field("criteria", "T01", "weight", 6)))
    assert (change.path, change.kind, change.old, change.new, change.bump) == (
        "$.criteria[T01].weight",
        "changed",
        5,
        6,
        "major",
    )
    # transparency: 30 of 100; its weights sum to 18, then 19.
    assert change.old_share == pytest.approx(30 * 5 / 18, abs=1e-4)
    assert change.new_share == pytest.approx(30 * 6 / 19, abs=1e-4)


def test_pillar_weight_is_major_with_shares() -> None:
    change = one(diff_of(set_field("pillars", "transparency", "weight", 40)))
    assert (change.path, change.bump) == ("$.pillars[transparency].weight", "major")
    assert change.old_share == 30.0
    assert change.new_share == pytest.approx(400 / 11, abs=1e-4)


def test_shares_count_every_criterion_even_conditional_ones() -> None:
    # R06 applies to some categories only; the share counts it all the same.
    change = one(diff_of(set_field("criteria", "R05", "weight", 2)))
    assert change.old_share == pytest.approx(20 * 1 / 14, abs=1e-4)
    assert change.new_share == pytest.approx(20 * 2 / 15, abs=1e-4)


def test_criterion_moved_to_another_pillar_reports_shares() -> None:
    change = one(diff_of(set_field("criteria", "T07", "pillar", "trust")))
    assert (change.path, change.old, change.new, change.bump) == (
        "$.criteria[T07].pillar",
        "transparency",
        "trust",
        "major",
    )
    assert change.old_share == pytest.approx(30 * 2 / 18, abs=1e-4)
    assert change.new_share == pytest.approx(30 * 2 / 24, abs=1e-4)


def test_huge_weights_give_finite_shares() -> None:
    def edit(doc: Doc) -> None:
        for p in doc["pillars"]:
            p["weight"] = 1e308

    change = diff_of(edit).changes[0]
    assert (change.old_share, change.new_share) == (30.0, 25.0)


def _remove_t06(doc: Doc) -> None:
    doc["criteria"] = [c for c in doc["criteria"] if c["id"] != "T06"]


def _add_criterion(doc: Doc) -> None:
    doc["criteria"].append(
        {
            "id": "T08",
            "pillar": "transparency",
            "weight": 1,
            "measure": "attestation",
            "title": {"vi": "Công khai đơn vị quản lý", "en": "Management agency disclosed"},
            "prior": 0.5,
        }
    )


def _add_tier(doc: Doc) -> None:
    doc["tiers"].insert(
        2, {"id": "promising", "title": {"vi": "Triển vọng", "en": "Promising"}, "min_score": 60, "certified": False}
    )


def _swap_criteria(doc: Doc) -> None:
    doc["criteria"][0], doc["criteria"][1] = doc["criteria"][1], doc["criteria"][0]


def _gate_when_type(doc: Doc) -> None:
    item(doc, "gates", "G-IDENTITY")["when"] = {"type": "missing", "criterion": "T03"}


def _remove_source(doc: Doc) -> None:
    doc["sources"] = [s for s in doc["sources"] if s["id"] != "self"]


def _criterion_penalties(doc: Doc) -> None:
    crit(doc, "S04")["penalties"] = {"minor": 0.2, "moderate": 0.4, "serious": 0.6, "critical": 1.0}


def _restrict_applies_to(doc: Doc) -> None:
    crit(doc, "R06")["applies_to"]["categories"].remove("law")


def _policy_penalty(doc: Doc) -> None:
    doc["policy"]["penalties"]["moderate"] = 0.3


MAJOR_EDITS: dict[str, tuple[Edit, list[tuple[str, str]]]] = {
    "prior": (set_field("criteria", "N04", "prior", 0.6), [("$.criteria[N04].prior", "changed")]),
    "prior-weight": (set_field("criteria", "T01", "prior_weight", 10), [("$.criteria[T01].prior_weight", "changed")]),
    "half-life": (set_field("criteria", "T01", "half_life_days", 180), [("$.criteria[T01].half_life_days", "changed")]),
    "max-age-added": (set_field("criteria", "N03", "max_age_days", 1000), [("$.criteria[N03].max_age_days", "added")]),
    "gate-cap": (set_field("gates", "G-FALSE-AD", "cap", 40), [("$.gates[G-FALSE-AD].cap", "changed")]),
    "gate-cap-added": (set_field("gates", "G-PLEDGE", "cap", 50), [("$.gates[G-PLEDGE].cap", "added")]),
    "gate-disqualify": (
        set_field("gates", "G-FAKE-AUDIENCE", "disqualify", True),
        [("$.gates[G-FAKE-AUDIENCE].disqualify", "changed")],
    ),
    "gate-below": (
        lambda d: item(d, "gates", "G-IDENTITY")["when"].update(below=60),
        [("$.gates[G-IDENTITY].when.below", "changed")],
    ),
    "gate-window": (
        lambda d: item(d, "gates", "G-FALSE-AD")["when"].update(within_days=730),
        [("$.gates[G-FALSE-AD].when.within_days", "changed")],
    ),
    "gate-criteria": (
        lambda d: item(d, "gates", "G-FALSE-AD")["when"]["criteria"].pop(),
        [("$.gates[G-FALSE-AD].when.criteria", "changed")],
    ),
    "gate-when-type": (_gate_when_type, [("$.gates[G-IDENTITY].when", "changed")]),
    "tier-threshold": (set_field("tiers", "trusted", "min_score", 72), [("$.tiers[trusted].min_score", "changed")]),
    "tier-coverage": (
        set_field("tiers", "trusted", "min_coverage", None),
        [("$.tiers[trusted].min_coverage", "removed")],
    ),
    "tier-certified": (
        set_field("tiers", "developing", "certified", True),
        [("$.tiers[developing].certified", "changed")],
    ),
    "removed-criterion": (_remove_t06, [("$.criteria[T06]", "removed")]),
    "added-criterion": (_add_criterion, [("$.criteria[T08]", "added")]),
    "added-tier": (_add_tier, [("$.tiers[promising]", "added")]),
    "criteria-order": (_swap_criteria, [("$.criteria", "changed")]),
    "removed-source": (_remove_source, [("$.sources[self]", "removed")]),
    "reliability": (set_field("sources", "brand", "reliability", 0.6), [("$.sources[brand].reliability", "changed")]),
    "accepted-sources": (
        lambda d: crit(d, "T03")["accepted_sources"].append("auditor"),
        [("$.criteria[T03].accepted_sources", "changed")],
    ),
    "applies-to": (_restrict_applies_to, [("$.criteria[R06].applies_to.categories", "changed")]),
    "criterion-penalties": (_criterion_penalties, [("$.criteria[S04].penalties", "added")]),
    "policy-penalty": (_policy_penalty, [("$.policy.penalties.moderate", "changed")]),
    "disputed-weight": (_set("policy", "disputed_weight", value=0.25), [("$.policy.disputed_weight", "changed")]),
    "policy-max-age": (_set("policy", "max_age_days", value=1000), [("$.policy.max_age_days", "changed")]),
    "measure": (
        lambda d: crit(d, "R05").update(measure="attestation", prior_weight=None),
        [("$.criteria[R05].measure", "changed"), ("$.criteria[R05].prior_weight", "removed")],
    ),
}


@pytest.mark.parametrize("name", sorted(MAJOR_EDITS))
def test_major_edits(name: str) -> None:
    edit, expected = MAJOR_EDITS[name]
    d = diff_of(edit)
    assert [(c.path, c.kind) for c in d.changes] == expected
    assert all(c.bump == "major" for c in d.changes)
    assert d.required_bump == "major"


def test_removed_criterion_reports_its_document_and_share() -> None:
    change = one(diff_of(_remove_t06))
    assert change.old == kt.to_dict(kt.load_rubric("1.0.0").criterion("T06"))
    assert change.new is None
    assert change.old_share == pytest.approx(30 / 18, abs=1e-4) and change.new_share is None


def test_tier_order_is_major() -> None:
    d = diff_of(swap_first_tiers, start=swap_tiers_base)
    change = one(d)
    assert (change.path, change.kind, change.bump) == ("$.tiers", "changed", "major")
    assert change.old == ["high-trust", "trusted", "developing", "not-rated"]
    assert change.new == ["trusted", "high-trust", "developing", "not-rated"]


def test_moved_record_is_an_order_change_plus_field_changes() -> None:
    def edit(doc: Doc) -> None:
        _swap_criteria(doc)
        crit(doc, "T01")["weight"] = 4

    d = diff_of(edit)
    assert paths(d) == ["$.criteria", "$.criteria[T01].weight"]


def test_changes_follow_the_document_order() -> None:
    def edit(doc: Doc) -> None:
        item(doc, "tiers", "trusted")["min_score"] = 72
        doc["effective_from"] = "2026-03-01"
        crit(doc, "T01")["weight"] = 4
        doc["policy"]["max_reasons"] = 5

    d = diff_of(edit)
    assert paths(d) == [
        "$.effective_from",
        "$.policy.max_reasons",
        "$.criteria[T01].weight",
        "$.tiers[trusted].min_score",
    ]
    assert d.required_bump == "major"


def test_several_kinds_required_is_the_largest() -> None:
    def edit(doc: Doc) -> None:
        _rubric_title(doc)
        doc["policy"]["max_reasons"] = 3

    d = diff_of(edit)
    assert [c.bump for c in d.changes] == ["patch", "minor"]
    assert d.required_bump == "minor"
    assert d.by_bump("patch") == (d.changes[0],)


def test_different_ids_are_an_error() -> None:
    tiny = kt.from_json((SPEC / "rubrics" / "tiny-0.1.0.json").read_bytes(), kt.Rubric)
    with pytest.raises(kt.KolTrustError, match="different ids"):
        diff_rubrics(kt.load_rubric("1.0.0"), tiny)


# -- declared bump and ok -------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "declared"),
    [
        ("1.0.0", "none"),
        ("1.0.1", "patch"),
        ("1.0.10", "patch"),
        ("1.1.0", "minor"),
        ("1.1.3", "minor"),
        ("2.0.0", "major"),
        ("10.0.0", "major"),
        ("0.9.0", "downgrade"),
        ("0.9.9", "downgrade"),
    ],
)
@pytest.mark.parametrize("required", ["none", "patch", "minor", "major"])
def test_declared_bump_and_ok(version: str, declared: str, required: str) -> None:
    edits: dict[str, Edit] = {
        "none": lambda d: None,
        "patch": _rubric_title,
        "minor": _set("policy", "max_reasons", value=3),
        "major": set_field("criteria", "T01", "weight", 4),
    }
    d = diff_of(edits[required], version=version)
    rank = ["none", "patch", "minor", "major"]
    assert (d.required_bump, d.declared_bump) == (required, declared)
    expected_ok = declared != "downgrade" and rank.index(declared) >= rank.index(required)
    assert d.ok is expected_ok
    assert ("NOT OK" not in d.verdict) is expected_ok


def test_declared_bump_compares_numbers_not_strings() -> None:
    old = build(base(), "1.9.0")
    assert diff_rubrics(old, build(base(), "1.10.0")).declared_bump == "minor"
    assert diff_rubrics(build(base(), "1.10.0"), old).declared_bump == "downgrade"


# -- documents ------------------------------------------------------------------------


def test_to_dict_is_json_ready() -> None:
    def edit(doc: Doc) -> None:
        crit(doc, "T01")["weight"] = 6
        _remove_t06(doc)
        doc["effective_from"] = "2026-02-01"
        _gate_when_type(doc)

    d = diff_of(edit, version="2.0.0")
    doc = kt.to_dict(d)
    assert json.loads(json.dumps(doc, allow_nan=False)) == doc
    assert doc["old"] == {"id": "kol-trust", "version": "1.0.0", "digest": kt.rubric_digest(kt.load_rubric("1.0.0"))}
    assert (doc["required_bump"], doc["declared_bump"], doc["ok"]) == ("major", "major", True)
    by_path = {c["path"]: c for c in doc["changes"]}
    assert set(by_path) == {
        "$.effective_from",
        "$.criteria[T06]",
        "$.criteria[T01].weight",
        "$.gates[G-IDENTITY].when",
    }
    assert set(by_path["$.effective_from"]) == {"path", "kind", "old", "new", "bump", "note", "old_share", "new_share"}
    assert by_path["$.effective_from"]["old"] == "2026-01-01"
    assert by_path["$.gates[G-IDENTITY].when"]["new"] == {"type": "missing", "criterion": "T03"}
    assert by_path["$.criteria[T01].weight"]["new_share"] == pytest.approx(30 * 6 / 18, abs=1e-4)
    assert kt.to_json(d)


def test_change_rejects_unknown_kind_and_bump() -> None:
    with pytest.raises(ValueError, match="kind"):
        Change(path="$.x", kind="moved", old=None, new=None, bump="major", note="")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="bump"):
        Change(path="$.x", kind="added", old=None, new=1, bump="huge", note="")  # type: ignore[arg-type]


def test_reports_name_every_path() -> None:
    def edit(doc: Doc) -> None:
        crit(doc, "T01")["weight"] = 6
        _rubric_title(doc)

    d = diff_of(edit)
    table, markdown = d.format_table(), d.format_markdown()
    for c in d.changes:
        assert c.path in table and f"`{c.path}`" in markdown
    assert "8.33 % → 9.47 %" in table
    assert "NOT OK" in table and "**NOT OK**" in markdown
    assert "No changes." in diff_of(lambda doc: None).format_table()


# -- soundness of the minor rules -----------------------------------------------------


@functools.cache
def vector_cases() -> tuple[kt.Case, ...]:
    """The vectors' cases on the built-in rubric, each with extra records from the
    source ``ngo`` (unknown to 1.0.0)."""
    cases = []
    for path in sorted([*VECTORS.glob("0*.json"), *VECTORS.glob("1*.json")]):
        v = json.loads(path.read_text(encoding="utf-8"))
        assert "rubric_file" not in v
        case = copy.deepcopy(v["case"])
        sid, day = case["subject"]["id"], case["as_of"]
        extra: list[Doc] = [
            {"criterion": "T04", "value": 0.0},
            {"criterion": "R05", "value": 0.0, "sample_size": 50},
            {"criterion": "N03", "severity": "critical"},
            {"criterion": "S03", "severity": "serious"},
        ]
        for i, e in enumerate(extra):
            case["evidence"].append({"id": f"x-ngo-{i}", "subject_id": sid, "source": "ngo", "observed_at": day, **e})
        cases.append(kt.from_dict(case, kt.Case))
    assert len(cases) == 19
    return tuple(cases)


@functools.cache
def explicit_sources_rubric() -> kt.Rubric:
    doc = base()
    explicit_sources(doc)
    return build(doc)


_OUTCOMES: dict[str, list[tuple[Any, ...]]] = {}


def outcomes(rubric: kt.Rubric) -> list[tuple[Any, ...]]:
    """The vectors' outcomes under *rubric* (kept per rubric digest)."""
    key = kt.rubric_digest(rubric)
    if key not in _OUTCOMES:
        _OUTCOMES[key] = _outcomes(rubric)
    return _OUTCOMES[key]


def _outcomes(rubric: kt.Rubric) -> list[tuple[Any, ...]]:
    results = []
    for case in vector_cases():
        a = kt.assess_case(case, rubric=rubric)
        results.append((a.score, a.raw_score, a.tier, a.certified, kt.to_dict(a.gates)))
    return results


def assert_same_outcomes(old: kt.Rubric, new: kt.Rubric) -> None:
    before, after = outcomes(old), outcomes(new)
    assert before == after
    # The vectors do exercise the rubric: gates, tiers and certificates vary.
    assert len({o[2] for o in before}) > 1 and any(o[4] for o in before) and any(o[3] for o in before)


def test_safe_edits_keep_vector_outcomes() -> None:
    old_doc = base()
    for name, (edit, bump, _) in SAFE_EDITS.items():
        new_doc = copy.deepcopy(old_doc)
        edit(new_doc)
        new = build(new_doc, "1.1.0")
        assert diff_rubrics(build(old_doc), new).required_bump == bump, name
        assert_same_outcomes(build(old_doc), new)


def test_new_unaccepted_source_keeps_vector_outcomes() -> None:
    old_doc = base()
    explicit_sources(old_doc)
    new_doc = copy.deepcopy(old_doc)
    add_source(new_doc)
    old, new = build(old_doc), build(new_doc, "1.1.0")
    assert diff_rubrics(old, new).required_bump == "minor"
    assert_same_outcomes(old, new)
    # The extra records moved from unknown-source to source-not-accepted.
    reasons = {x.evidence_id: x.reason.value for x in kt.assess_case(vector_cases()[1], rubric=new).excluded}
    assert reasons["x-ngo-0"] == "source-not-accepted"


def test_a_major_edit_does_change_vector_outcomes() -> None:
    """The check above can fail: a gate cap moves the vectors' raw scores."""
    new_doc = base()
    item(new_doc, "gates", "G-FALSE-AD")["cap"] = 45
    assert outcomes(build(base())) != outcomes(build(new_doc, "2.0.0"))


@settings(max_examples=40)  # a small space (15 edits × a new source or not)
@given(
    names=st.lists(st.sampled_from(sorted(SAFE_EDITS)), min_size=1, max_size=5, unique=True),
    with_source=st.booleans(),
)
def test_combined_safe_edits_are_minor_and_keep_outcomes(names: list[str], with_source: bool) -> None:
    old_doc = base()
    explicit_sources(old_doc)
    old = explicit_sources_rubric()
    assert old == build(old_doc)
    new_doc = copy.deepcopy(old_doc)
    for name in names:
        SAFE_EDITS[name][0](new_doc)
    if with_source:
        add_source(new_doc)
    new = build(new_doc, "1.1.0")
    d = diff_rubrics(old, new)
    expected = "minor" if with_source or any(SAFE_EDITS[n][1] == "minor" for n in names) else "patch"
    assert d.required_bump == expected
    assert d.ok
    assert_same_outcomes(old, new)


# -- the command ----------------------------------------------------------------------


def write(tmp_path: Path, name: str, doc: Doc) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return str(path)


def edited_file(tmp_path: Path, version: str, edit: Edit) -> str:
    doc = base()
    edit(doc)
    doc["version"] = version
    return write(tmp_path, f"kol-trust-{version}.json", doc)


def run_own_parser(*argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="c", required=True)
    add_parsers(sub)
    args = parser.parse_args(list(argv))
    out = io.StringIO()
    code: int = args.run(args, out)
    return code, out.getvalue()


def test_subcommand_exit_codes(tmp_path: Path) -> None:
    assert run_own_parser("diff", "1.0.0", "1.0.0")[0] == 0
    minor = edited_file(tmp_path, "1.1.0", _set("policy", "max_reasons", value=3))
    assert run_own_parser("diff", "1.0.0", minor)[0] == 0
    wrong = edited_file(tmp_path, "1.0.1", set_field("criteria", "T01", "weight", 4))
    code, out = run_own_parser("diff", "1.0.0", wrong)
    assert code == 1
    assert "$.criteria[T01].weight" in out and "NOT OK" in out
    with pytest.raises(InputError, match="different ids"):
        run_own_parser("diff", "1.0.0", str(SPEC / "rubrics" / "tiny-0.1.0.json"))


def _diff_registered() -> bool:
    parser = kt_cli.build_parser()
    try:
        args = parser.parse_args(["rubric", "diff", "a", "b"])
    except SystemExit:
        return False
    return getattr(args, "run", None) is not None and getattr(args, "old", None) == "a"


needs_registration = pytest.mark.skipif(not _diff_registered(), reason="`rubric diff` is not registered yet")


@needs_registration
def test_main_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = edited_file(tmp_path, "2.0.0", set_field("criteria", "T01", "weight", 6))
    assert main(["rubric", "diff", "1.0.0", new]) == 0
    out = capsys.readouterr().out
    assert "$.criteria[T01].weight" in out
    assert "8.33 % → 9.47 %" in out
    assert "Required bump: major" in out and "Declared bump: major" in out and "OK" in out


@needs_registration
def test_main_markdown_not_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = edited_file(tmp_path, "1.0.1", swap_tiers)
    assert main(["rubric", "diff", "1.0.0", new, "--format", "markdown"]) == 1
    out = capsys.readouterr().out
    assert "| major | changed | `$.tiers` |" in out
    assert "`$.tiers[trusted].min_score`" in out
    assert "**NOT OK**" in out


@needs_registration
def test_main_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = edited_file(tmp_path, "1.0.0", lambda d: None)
    new = edited_file(tmp_path, "1.0.1", _rubric_title)
    assert main(["rubric", "diff", old, new, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [c["path"] for c in doc["changes"]] == ["$.title.en"]
    assert (doc["required_bump"], doc["declared_bump"], doc["ok"]) == ("patch", "patch", True)


@needs_registration
def test_main_downgrade_and_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    older = edited_file(tmp_path, "0.9.0", lambda d: None)
    assert main(["rubric", "diff", "1.0.0", older]) == 1
    assert "downgrade" in capsys.readouterr().out
    assert main(["rubric", "diff", "1.0.0", str(SPEC / "rubrics" / "tiny-0.1.0.json")]) == 2
    assert "different ids" in capsys.readouterr().err
    assert main(["rubric", "diff", "1.0.0", str(tmp_path / "missing.json")]) == 2
    assert "no such file" in capsys.readouterr().err
