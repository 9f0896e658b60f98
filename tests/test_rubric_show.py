"""Showing a rubric (kol_trust.authoring.show) and the ``rubric validate`` / ``rubric show`` commands."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import attrs
import pytest
from hypothesis import given

import kol_trust as kt
import kol_trust.testing as kts
from conftest import SPEC, TESTS
from kol_trust.authoring import parse_rubric_text, rubric_toml
from kol_trust.authoring.show import (
    condition_text,
    criterion_shares,
    markdown_escape,
    pillar_shares,
    rubric_markdown,
    rubric_table,
)
from kol_trust.cli import main
from kol_trust.cli.common import resolve_rubric
from kol_trust.errors import RubricNotFoundError
from kol_trust.rubric import IncidentCondition, Missing

TINY_JSON = SPEC / "rubrics" / "tiny-0.1.0.json"
EDGE_JSON = SPEC / "rubrics" / "edge-0.1.0.json"
TINY_TOML = TESTS / "data" / "rubrics" / "tiny-0.1.0.toml"  # TINY_JSON in TOML
PERCENT = re.compile(r"(\d+\.\d) %")


@pytest.fixture(scope="module")
def builtin() -> kt.Rubric:
    return kt.load_rubric("1.0.0")


@pytest.fixture(scope="module")
def tiny() -> kt.Rubric:
    return kt.from_json(TINY_JSON.read_bytes(), kt.Rubric)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- shares ---------------------------------------------------------------------------


def test_shares_are_the_engines(tiny: kt.Rubric) -> None:
    assert pillar_shares(tiny) == {"p1": 0.75, "p2": 0.25}
    shares = criterion_shares(tiny)
    # Every criterion counts (C4 is for KOCs only): in-pillar share x pillar share.
    assert shares["C1"] == pytest.approx((2 / 3, 0.5))
    assert shares["C2"] == pytest.approx((1 / 3, 0.25))
    assert shares["C3"] == pytest.approx((0.5, 0.125))
    assert shares["C4"] == pytest.approx((0.5, 0.125))


@pytest.mark.parametrize("path", [TINY_JSON, EDGE_JSON, None])
def test_overall_shares_sum_to_one(path: Path | None) -> None:
    rubric = kt.load_rubric("1.0.0") if path is None else kt.from_json(path.read_bytes(), kt.Rubric)
    shares = criterion_shares(rubric)
    assert list(shares) == [cr.id for cr in rubric.criteria]
    assert math.fsum(g for _, g in shares.values()) == pytest.approx(1.0, abs=1e-12)
    assert math.fsum(pillar_shares(rubric).values()) == pytest.approx(1.0, abs=1e-12)
    for p in rubric.pillars:
        in_pillar = [q for cr in rubric.criteria if cr.pillar == p.id for q in (shares[cr.id][0],)]
        assert math.fsum(in_pillar) == pytest.approx(1.0, abs=1e-12)


# -- the renderers ----------------------------------------------------------------------


@pytest.mark.parametrize("render", [rubric_table, rubric_markdown])
def test_titles_follow_the_language(builtin: kt.Rubric, render: object) -> None:
    assert callable(render)
    vi, en = render(builtin, "vi"), render(builtin, "en")
    for text in (builtin.title, builtin.pillars[0].title, builtin.criteria[0].title, builtin.gates[0].title):
        assert text.vi in vi and text.vi not in en
        assert text.en in en and text.en not in vi
    for tier in builtin.tiers:
        assert tier.title.vi in vi and tier.title.en in en
    with pytest.raises(ValueError, match='"fr"'):
        render(builtin, "fr")


def test_markdown_in_both_languages(builtin: kt.Rubric) -> None:
    text = rubric_markdown(builtin, "both")
    for cr in builtin.criteria:
        assert cr.title.vi in text and cr.title.en in text
        assert cr.description is not None
        assert markdown_escape(cr.description.vi) in text and markdown_escape(cr.description.en) in text
    for p in builtin.pillars:
        assert f"| `{p.id}` | {p.title.vi} | {p.title.en} | {p.weight:g} |" in text
    with pytest.raises(ValueError, match='"both"'):
        rubric_table(builtin, "both")


def test_table_shows_every_part(builtin: kt.Rubric) -> None:
    text = rubric_table(builtin, "en")
    assert text.startswith("Rubric kol-trust 1.0.0: Influencer Trust Standard\n")
    assert kt.rubric_digest(builtin) in text
    for heading in ("Pillars", "Evidence rules", "Gates", "Tiers (best first)", "Sources", "Policy"):
        assert f"\n{heading}\n" in text
    lines = text.splitlines()

    def row(first: str, nth: int = 0) -> list[str]:
        """The cells of the (*nth*) line that starts with *first*, split on blanks."""
        found = [line.split() for line in lines if line.split()[:1] == [first]]
        return found[nth]

    # Pillars: weight and share; criteria: weight, share in pillar, overall share, measure.
    assert row("transparency")[:4] == ["transparency", "Transparency", "30", "30.0"]
    assert row("Total")[:3] == ["Total", "100", "100.0"]
    t01 = [line for line in lines if line.split()[:1] == ["T01"]]
    assert "5       27.8 %     8.3 %    proportion" in t01[0]
    # Evidence rules: half-life, max age (own or the policy's), sources, applies_to, scoring.
    assert "365 days   1825 days (policy)  court, regulator, self_regulator, platform, auditor" in t01[1]
    assert " ".join(t01[1].split()).endswith("every subject prior 0.5, prior weight 5")
    assert "180 days" in [line for line in lines if line.split()[:1] == ["N01"]][1]
    assert row("T04", 1)[:6] == ["T04", "none", "1825", "days", "(policy)", "all"]  # accepts every source
    assert "categories: health, pharmacy, finance, law, education" in " ".join(row("R06", 1))
    assert "the policy's penalties" in " ".join(row("N03", 1))
    # Gates: when in words, cap, disqualify.
    assert " ".join(row("G-FALSE-AD")).endswith(
        "an active incident, serious or worse, in R01 or N03 in the last 365 days 50 yes"
    )
    assert " ".join(row("G-IDENTITY")).endswith("criterion T03 scores below 50 — yes")
    assert " ".join(row("G-FAKE-AUDIENCE")).endswith("criterion N01 scores below 70 60 no")
    assert " ".join(row("G-PLEDGE")).endswith("criterion S01 is not assessed — yes")
    # Tiers: min score, min pillar score, min coverage, certified.
    assert row("high-trust")[-4:] == ["85", "70", "80", "yes"]
    assert row("not-rated")[-4:] == ["0", "—", "—", "no"]
    # Sources and policy.
    assert row("self_regulator")[-1] == "0.9"
    assert "minor 0.1, moderate 0.25, serious 0.5, critical 1" in text
    assert "Certificate validity  365 days" in text


def test_shares_in_the_output_sum_to_about_100(builtin: kt.Rubric, tiny: kt.Rubric) -> None:
    for rubric in (builtin, tiny):
        # The Vietnamese page writes decimal commas: read them back as points.
        for text in (rubric_table(rubric, "en"), rubric_markdown(rubric, "vi").replace(",", ".")):
            lines = text.splitlines()
            crit_ids = {cr.id for cr in rubric.criteria}
            overall = []
            for line in lines:
                cells = [c.strip(" `") for c in line.strip().strip("|").split("|")] if "|" in line else line.split()
                if cells and cells[0] in crit_ids:
                    found = PERCENT.findall(line)
                    if len(found) == 2:  # the weights row: in pillar, overall
                        overall.append(float(found[1]))
            assert len(overall) == len(rubric.criteria)
            assert sum(overall) == pytest.approx(100, abs=0.05 * len(overall))


def test_tiny_rubric_details(tiny: kt.Rubric) -> None:
    text = rubric_markdown(tiny, "en")
    assert (
        "| `C2` | 100 days | 1825 days (policy) | all | every subject | penalties minor 0.2, moderate 0.4, serious 0.6, critical 1 |"
        in text
    )
    assert "| `C3` | none | 30 days | all | every subject | prior 0.2 |" in text
    assert "| `C4` | none | 1825 days (policy) | all | kinds: `koc` | prior 1, prior weight 1 |" in text
    assert "| `GP` | GP | pillar `p2` scores below 40 | 75 | no |" in text
    assert (
        "| `GI` | GI | an active incident, moderate or worse, in any incidents criterion in the last 50 days | — | yes |"
        in text
    )
    assert "| `top` | T | 80 | — | 100 | yes |" in text
    assert "| `mid` | M | 60 | 50 | — | yes |" in text
    assert "| Disputed weight | 0.25 |" in text and "| Max reasons | 2 |" in text
    assert text.startswith("# tiny 0.1.0: Tiny\n")
    assert rubric_markdown(tiny, "en", heading_level=2).startswith("## tiny 0.1.0: Tiny\n")
    with pytest.raises(ValueError, match="heading_level"):
        rubric_markdown(tiny, heading_level=0)


def test_markdown_escapes_titles(tiny: kt.Rubric) -> None:
    odd = kt.Text(vi="A | B *c* <d>", en="x_y [z](w) `q`")
    rubric = attrs.evolve(tiny, pillars=(attrs.evolve(tiny.pillars[0], title=odd), tiny.pillars[1]))
    text = rubric_markdown(rubric, "both")
    assert r"| A \| B \*c\* \<d\> | x\_y \[z\](w) \`q\` |" in text
    assert markdown_escape("a\nb  c") == "a b c"
    # The plain-text table prints titles as they are.
    assert "A | B *c* <d>" in rubric_table(rubric, "vi")


def test_rubric_without_gates_and_condition_words(tiny: kt.Rubric) -> None:
    bare = attrs.evolve(tiny, gates=())
    assert "This rubric has no gates." in rubric_markdown(bare)
    assert "\nGates\n  none\n" in rubric_table(bare)
    critical = IncidentCondition(min_severity=kt.Severity.CRITICAL, within_days=1, criteria=("C2",))
    assert condition_text(critical) == "an active incident, critical, in C2 in the last 1 day"
    assert condition_text(Missing(criterion="C1"), code=True) == "criterion `C1` is not assessed"


def test_renderers_are_pure(builtin: kt.Rubric) -> None:
    again = kt.from_json(kt.to_json(builtin), kt.Rubric)
    assert rubric_table(builtin, "vi") == rubric_table(again, "vi")
    assert rubric_markdown(builtin, "both") == rubric_markdown(again, "both")


# -- kol-trust rubric validate ---------------------------------------------------------


def test_validate_a_valid_file(capsys: pytest.CaptureFixture[str], tiny: kt.Rubric) -> None:
    code, out, err = run(capsys, "rubric", "validate", str(TINY_JSON))
    assert (code, err) == (0, "")
    assert out == f"valid: tiny 0.1.0 {kt.rubric_digest(tiny)}\n"


def test_validate_a_valid_toml_file(capsys: pytest.CaptureFixture[str], tiny: kt.Rubric) -> None:
    code, out, err = run(capsys, "rubric", "validate", str(TINY_TOML))
    assert (code, out, err) == (0, f"valid: tiny 0.1.0 {kt.rubric_digest(tiny)}\n", "")


def test_validate_lists_every_problem_with_its_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = json.loads(TINY_JSON.read_text(encoding="utf-8"))
    data["algorithm"] = 2
    data["pillars"][0]["weight"] = -1
    data["criteria"][1]["penalties"]["minor"] = 0.9
    data["tiers"][2]["certified"] = True
    data["gates"][0]["when"]["pillar"] = "p9"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    code, out, err = run(capsys, "rubric", "validate", str(path))

    assert (code, out) == (2, "")
    assert str(path) in err
    for where in (
        "$.algorithm",
        "$.pillars[0].weight",
        "$.criteria[1].penalties",
        "$.tiers[2].certified",
        "$.gates[0].when.pillar",
    ):
        assert f"  {where}: " in err, where
    assert "Traceback" not in err


def test_validate_bad_toml_and_bad_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    toml = tmp_path / "bad.toml"
    toml.write_text("id = \n", encoding="utf-8")
    code, out, err = run(capsys, "rubric", "validate", str(toml))
    assert (code, out) == (2, "") and "not valid TOML" in err

    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    code, out, err = run(capsys, "rubric", "validate", str(broken))
    assert (code, out) == (2, "") and str(broken) in err


def test_validate_a_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    code, out, err = run(capsys, "rubric", "validate", str(missing))
    assert (code, out) == (2, "")
    assert err == f"kol-trust: {missing}: no such file\n"
    code, _, err = run(capsys, "rubric", "validate", str(tmp_path))
    assert code == 2 and "is a directory" in err


# -- kol-trust rubric show --------------------------------------------------------------


def test_show_defaults_to_the_builtin_in_force_today(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        today = kt.load_rubric()
    except RubricNotFoundError:
        code, out, err = run(capsys, "rubric", "show")
        assert (code, out) == (2, "") and "in force" in err
        return
    code, out, err = run(capsys, "rubric", "show")
    assert (code, err) == (0, "")
    assert out == rubric_table(today, "en")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_show_table_and_markdown(capsys: pytest.CaptureFixture[str], builtin: kt.Rubric, lang: str) -> None:
    code, out, err = run(capsys, "rubric", "show", "1.0.0", "--lang", lang)
    assert (code, err, out) == (0, "", rubric_table(builtin, lang))
    code, out, err = run(capsys, "rubric", "show", "1.0.0", "--lang", lang, "--format", "markdown")
    assert (code, err, out) == (0, "", rubric_markdown(builtin, lang))


def test_show_a_file(capsys: pytest.CaptureFixture[str], tiny: kt.Rubric) -> None:
    code, out, err = run(capsys, "rubric", "show", str(TINY_JSON))
    assert (code, err, out) == (0, "", rubric_table(tiny, "en"))
    code, out, err = run(capsys, "rubric", "show", str(TINY_TOML), "--format", "markdown", "--lang", "vi")
    assert (code, err, out) == (0, "", rubric_markdown(tiny, "vi"))


@pytest.mark.parametrize("spec", ["1.0.0", str(TINY_JSON)])
def test_show_json_loads_back_to_an_equal_rubric(capsys: pytest.CaptureFixture[str], spec: str) -> None:
    code, out, err = run(capsys, "rubric", "show", spec, "--format", "json")
    assert (code, err) == (0, "")
    assert out == kt.to_json(resolve_rubric(spec), indent=2) + "\n"
    back = kt.from_json(out, kt.Rubric)
    assert back == resolve_rubric(spec)
    assert kt.rubric_digest(back) == kt.rubric_digest(resolve_rubric(spec))


def test_show_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "rubric", "show", "9.9.9")
    assert (code, out) == (2, "") and '"9.9.9"' in err
    code, out, err = run(capsys, "rubric", "show", str(tmp_path / "missing.json"))
    assert (code, out) == (2, "") and "no such file" in err
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "x"}', encoding="utf-8")
    code, out, err = run(capsys, "rubric", "show", str(bad))
    assert (code, out) == (2, "") and "$.version" in err
    with pytest.raises(SystemExit):
        main(["rubric", "show", "--lang", "fr"])
    capsys.readouterr()


# -- drafts: show --format toml|json loads back to the same digest --------------------------


@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_show_writes_a_draft_that_loads_back_to_the_same_digest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    builtin = kt.load_rubric("1.0.0")

    code, out, _ = run(capsys, "rubric", "show", "1.0.0", "--format", fmt)

    assert code == 0
    draft = tmp_path / f"draft.{fmt}"
    draft.write_text(out, encoding="utf-8")
    assert kt.rubric_digest(resolve_rubric(str(draft))) == kt.rubric_digest(builtin)
    code, out, _ = run(capsys, "rubric", "validate", str(draft))
    assert (code, out) == (0, f"valid: kol-trust 1.0.0 {kt.rubric_digest(builtin)}\n")


@given(kts.rubrics())
def test_any_rubric_written_as_toml_loads_back_to_the_same_digest(rubric: kt.Rubric) -> None:
    text = rubric_toml(rubric)

    assert kt.rubric_digest(parse_rubric_text(text, format="toml")) == kt.rubric_digest(rubric)


def test_toml_strings_are_escaped() -> None:
    doc = kt.to_dict(kt.load_rubric("1.0.0"))
    doc["title"] = {"vi": 'Dấu "ngoặc" \\ và\ttab\x7f', "en": "line\nbreak"}
    rubric = kt.from_dict(doc, kt.Rubric)

    again = parse_rubric_text(rubric_toml(rubric), format="toml")

    assert again.title == rubric.title


def test_validate_takes_a_built_in_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rubric", "validate", "1.0.0")

    assert code == 0 and out.startswith("valid: kol-trust 1.0.0 sha256:")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_wide_tables_wrap_to_the_width_and_keep_every_word(lang: str) -> None:
    rubric = kt.load_rubric("1.0.0")
    whole = rubric_table(rubric, lang)
    assert max(len(line) for line in whole.splitlines()) > 150  # the evidence rules are wide

    wrapped = rubric_table(rubric, lang, width=100)

    assert max(len(line) for line in wrapped.splitlines()) <= 100
    assert sorted(wrapped.split()) == sorted(whole.split())


def test_show_wraps_to_the_width_given(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    code, out, _ = run(capsys, "rubric", "show", "1.0.0", "--width", "100")
    assert code == 0 and max(len(line) for line in out.splitlines()) <= 100
    code, out, _ = run(capsys, "rubric", "show", "1.0.0")  # not a terminal: whole lines
    assert code == 0 and max(len(line) for line in out.splitlines()) > 150
    code, out, _ = run(capsys, "rubric", "show", "1.0.0", "--width", "0")  # never wrap
    assert code == 0 and max(len(line) for line in out.splitlines()) > 150
