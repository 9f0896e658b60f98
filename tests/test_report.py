"""The report card (HTML) and the badge (SVG), and ``kol-trust report``; no browser here."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import attrs
import pytest

import kol_trust as kt
from conftest import SPEC, VECTORS
from kol_trust.cli import main
from kol_trust.cli.assess import example_cases
from kol_trust.improvement import improvement_plan
from kol_trust.report import CSP, render_badge, render_report
from kol_trust.report.badge import CERTIFIED_GREENS, GREY, ORANGE, RED, text_width
from kol_trust.report.html import MAX_OPPORTUNITIES

EXAMPLES = [name for name, _ in example_cases()]
LANGS = ("vi", "en")
HOSTILE = "<script>alert(1)</script> \"Bảo\" & 'Ngọc' </title><img src=x onerror=alert(2)>"
SVG_NS = "{http://www.w3.org/2000/svg}"
URL_ATTRS = {"src", "href", "xlink:href", "action", "formaction", "poster", "data", "srcset", "background", "cite"}


# -- helpers ------------------------------------------------------------------------------


class Page(HTMLParser):
    """What the tests look at in a page: tags, attributes, text, tables, the CSS."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self.css: list[str] = []
        self.tables: list[list[list[str]]] = []
        self.svg_titles: list[str] = []
        self.declarations: list[str] = []
        self._stack: list[str] = []
        self._cell: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_decl(self, decl: str) -> None:
        self.declarations.append(decl)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in {"meta", "br", "img", "line", "rect", "stop", "link", "input"}:
            self._stack.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in {"td", "th"}:
            self._cell = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        current = self._stack[-1] if self._stack else ""
        if current == "style":
            self.css.append(data)
            return
        if current == "title" and "svg" in self._stack:
            self.svg_titles.append(data)
        self.texts.append(data)
        if self._cell is not None:
            self._cell.append(data)

    @property
    def text(self) -> str:
        """All text, whitespace collapsed."""
        return " ".join(" ".join(self.texts).split())

    def find(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]

    def table(self, *header: str) -> list[list[str]]:
        """The rows (header first) of the table whose header row starts with *header*."""
        for table in self.tables:
            if table and table[0][: len(header)] == list(header):
                return table
        raise AssertionError(f"no table with header {header}")


@cache
def example(name: str) -> tuple[kt.Case, kt.Assessment, kt.Rubric]:
    case = dict(example_cases())[name]
    rubric = kt.rubric_for(case)
    return case, kt.assess_case(case, rubric=rubric), rubric


@cache
def page_text(name: str, lang: str) -> str:
    case, a, rubric = example(name)
    return render_report(case, a, rubric, lang=lang)


def section(text: str, heading_id: str) -> Page:
    """The section of a page whose heading has id *heading_id*."""
    start = text.index(f'<section aria-labelledby="{heading_id}">')
    return Page(text[start : text.index("</section>", start)])


def num(value: float, lang: str) -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if lang == "vi" else text


def vector_case(name: str) -> kt.Case:
    data = json.loads((VECTORS / f"{name}.json").read_text(encoding="utf-8"))
    return kt.from_json(json.dumps(data["case"]), kt.Case)


def external(value: str) -> bool:
    """Whether an attribute value points anywhere but inside the page."""
    v = value.strip().lower()
    return not (v.startswith(("data:", "#")) or v == "")


# -- the page is self-contained -----------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", EXAMPLES)
def test_page_is_self_contained(name: str, lang: str) -> None:
    text = page_text(name, lang)
    page = Page(text)

    assert [d.lower() for d in page.declarations] == ["doctype html"]
    assert text.startswith("<!DOCTYPE html>\n")
    html_tags = page.find("html")
    assert len(html_tags) == 1 and html_tags[0].get("lang") == lang
    metas = page.find("meta")
    assert {"charset": "utf-8"} in metas
    csp = [m.get("content") for m in metas if (m.get("http-equiv") or "").lower() == "content-security-policy"]
    assert csp == [CSP] == ["default-src 'none'; style-src 'unsafe-inline'; img-src data:"]
    assert page.find("script") == [] and "<script" not in text.lower()
    for tag in ("iframe", "object", "embed", "link", "base", "form", "audio", "video", "source"):
        assert page.find(tag) == [], tag
    for tag, attributes in page.tags:
        for key, value in attributes.items():
            assert not key.startswith("on"), f"event handler {key} on <{tag}>"
            if key in URL_ATTRS:
                assert value is not None and not external(value), f"<{tag} {key}={value!r}>"
            elif key != "xmlns":  # the SVG namespace is a name, never fetched
                assert not re.search(r"(?i)(https?:|//[a-z0-9])", value or ""), f"<{tag} {key}={value!r}>"
    assert not re.search(r"(?i)https?://", " ".join(page.texts))
    css = "".join(page.css)
    assert css, "the page has its CSS inline"
    for forbidden in ("@import", "url(", "@font-face", "expression("):
        assert forbidden not in css.lower(), forbidden
    # The badge is embedded as a data: image, with a text alternative.
    images = page.find("img")
    assert len(images) == 1 and (images[0]["src"] or "").startswith("data:image/svg+xml;base64,")
    assert images[0].get("alt")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", EXAMPLES)
def test_page_shows_the_result(name: str, lang: str) -> None:
    case, a, rubric = example(name)
    page = Page(page_text(name, lang))
    text = page.text

    assert case.subject.name in text and case.subject.id in text
    assert num(a.score, lang) in text
    assert num(a.coverage, lang) in text
    tier = rubric.tier(a.tier)
    assert tier.title(lang) in text and a.tier in text
    other = "en" if lang == "vi" else "vi"
    if tier.title(other) != tier.title(lang):
        assert tier.title(other) not in text
    assert (("Có" if lang == "vi" else "Yes") if a.certified else ("Không" if lang == "vi" else "No")) in text
    for p in rubric.pillars:
        assert p.title(lang) in text
    gates = section(page_text(name, lang), "h-gates").text
    for g in a.gates:
        gate = next(x for x in rubric.gates if x.id == g.id)
        assert gate.title(lang) in gates and g.id in gates
        if g.cap is not None:
            assert (f"điểm tối đa {g.cap:g}" if lang == "vi" else f"score capped at {g.cap:g}") in gates
        if g.disqualify:
            assert ("loại khỏi chứng nhận" if lang == "vi" else "disqualifies") in gates
    if not a.gates:
        assert ("Không có" if lang == "vi" else "None") in gates
    summary = section(page_text(name, lang), "h-summary").text
    assert num(a.score, lang) in summary and rubric.tier(a.tier).title(lang) in summary
    for r in a.reasons:
        if r.cause is kt.Cause.GATE:
            assert next(x for x in rubric.gates if x.id == r.code).title(lang) in text
        else:
            assert rubric.criterion(r.code).title(lang) in text, r.code
            assert r.loss is not None and num(r.loss, lang) in text
    assert a.rubric.digest in text and a.fingerprint in text
    assert a.rubric.id in text and a.rubric.version in text
    assert a.as_of.isoformat() in text
    assert unicodedata.is_normalized("NFC", text)


@pytest.mark.parametrize("name", EXAMPLES)
def test_criteria_table(name: str) -> None:
    _, a, rubric = example(name)
    for lang in LANGS:
        page = Page(page_text(name, lang))
        head = ("Mã", "Tiêu chí", "Trụ cột") if lang == "vi" else ("Id", "Criterion", "Pillar")
        rows = page.table(*head)[1:]
        assert [row[0] for row in rows] == [cr.id for cr in a.criteria]
        for row, cr in zip(rows, a.criteria, strict=True):
            assert row[1] == rubric.criterion(cr.id).title(lang)
            assert row[2] == rubric.pillar(cr.pillar).title(lang)
            if cr.score is None:
                assert row[3] == ("không áp dụng" if lang == "vi" else "not applicable")
            else:
                assert row[3].startswith(num(cr.score, lang))
                assert ("no evidence" in row[3] or "chưa có bằng chứng" in row[3]) == (not cr.assessed)
            if cr.loss is not None and cr.loss > 0:
                assert row[4] == "−" + num(cr.loss, lang)
            assert row[5] == str(len(cr.evidence))


@pytest.mark.parametrize("lang", LANGS)
def test_labels_are_translated(lang: str) -> None:
    text = Page(page_text(EXAMPLES[0], lang)).text
    vi = ["Điểm theo trụ cột", "Được chứng nhận", "Độ phủ bằng chứng", "Chi tiết tiêu chí", "Kế hoạch cải thiện"]
    en = ["Pillar scores", "Certified", "Evidence coverage", "Criteria", "Improvement plan"]
    for label in vi if lang == "vi" else en:
        assert label in text
    for label in en[:1] + en[2:] if lang == "vi" else vi:
        assert label not in text


def test_vietnamese_numbers_use_a_decimal_comma() -> None:
    _, a, _ = example(EXAMPLES[0])
    assert a.score != int(a.score)  # the example has decimals
    assert f"{a.score:.1f}".replace(".", ",") in Page(page_text(EXAMPLES[0], "vi")).text
    assert f"{a.score:.1f}" in Page(page_text(EXAMPLES[0], "en")).text


def test_chart_is_accessible_and_drawn() -> None:
    """Two drawings of the chart: wide (labels beside the bars) and narrow (labels above, for phones)."""
    _, a, rubric = example(EXAMPLES[1])
    page = Page(page_text(EXAMPLES[1], "en"))
    svgs = page.find("svg")
    assert [svg.get("class") for svg in svgs] == ["chart-wide", "chart-narrow"]
    for svg in svgs:
        assert svg.get("role") == "img"
        label = svg.get("aria-label") or ""
        for p in a.pillars:
            assert p.score is not None
            assert f"{rubric.pillar(p.id).title('en')} {p.score:.1f}" in label
    assert page.svg_titles == ["Pillar scores", "Pillar scores"]
    all_bars = [r for r in page.find("rect") if r.get("height") == "22"]
    all_dashed = [float(line["x1"] or 0) for line in page.find("line") if line.get("stroke-dasharray")]
    levels = sorted({t.min_pillar_score for t in rubric.tiers if t.min_pillar_score is not None})
    assert levels == [55, 70]
    half, dashes = len(all_bars) // 2, len(all_dashed) // 2
    for bars, dashed in ((all_bars[:half], all_dashed[:dashes]), (all_bars[half:], all_dashed[dashes:])):
        widths = [float(r["width"] or 0) for r in bars]
        track = max(widths)
        scored = [w for w in widths if w != track]
        assert scored == pytest.approx([track * p.score / 100 for p in a.pillars if p.score is not None], abs=0.06)
        # The tiers' minimum pillar scores (70 and 55) as dashed lines.
        x0 = float(next(r for r in bars if float(r["width"] or 0) == track)["x"] or 0)
        assert sorted(dashed) == pytest.approx([x0 + track * v / 100 for v in levels])
    ticks = [t for t in page.texts if t.strip() in {"0", "25", "50", "75", "100"}]
    assert {"0", "100"} <= set(ticks)
    assert "High trust (70)" in page.text and "Trusted (55)" in page.text


def rubric_with_empty_pillar() -> kt.Rubric:
    data = json.loads((SPEC / "rubrics" / "tiny-0.1.0.json").read_text(encoding="utf-8"))
    data["pillars"].append({"id": "p3", "title": {"vi": "Chuyên môn", "en": "Expertise"}, "weight": 1})
    data["criteria"].append(
        {
            "id": "C5",
            "pillar": "p3",
            "title": {"vi": "Chứng chỉ", "en": "Credentials"},
            "weight": 1,
            "measure": "attestation",
            "prior": 0,
            "applies_to": {"kinds": ["koc"]},
        }
    )
    return kt.from_json(json.dumps(data), kt.Rubric)


@pytest.mark.parametrize("lang", LANGS)
def test_pillar_without_score_is_not_applicable(lang: str) -> None:
    rubric = rubric_with_empty_pillar()
    case = vector_case("22-tiny-full")
    assert case.subject.kind is kt.SubjectKind.KOL
    a = kt.assess_case(case, rubric=rubric)
    assert a.pillar("p3").score is None
    page = Page(render_report(case, a, rubric, lang=lang))
    na = "không áp dụng" if lang == "vi" else "not applicable"
    svg_label = page.find("svg")[0].get("aria-label") or ""
    assert f"{'Chuyên môn' if lang == 'vi' else 'Expertise'} {na}" in svg_label
    rows = page.table("Trụ cột" if lang == "vi" else "Pillar", "Điểm" if lang == "vi" else "Score")
    assert [("Chuyên môn" if lang == "vi" else "Expertise"), na] in rows
    # No bar is drawn for it: one coloured bar per scored pillar only, in each of the two charts.
    tracks = [r for r in page.find("rect") if r.get("height") == "22" and r.get("fill") == "#f0f2f4"]
    bars = [r for r in page.find("rect") if r.get("height") == "22" and r.get("fill") != "#f0f2f4"]
    assert (len(tracks), len(bars)) == (2 * 3, 2 * 2)


def test_excluded_records_counted_by_reason() -> None:
    case = vector_case("14-every-exclusion-reason")
    rubric = kt.rubric_for(case)
    a = kt.assess_case(case, rubric=rubric)
    counts = Counter(x.reason.value for x in a.excluded)
    assert len(counts) >= 5
    for lang in LANGS:
        page = Page(render_report(case, a, rubric, lang=lang))
        head = ("Lý do", "Mã", "Số lượng") if lang == "vi" else ("Reason", "Id", "Count")
        rows = page.table(*head)[1:]
        assert {row[1]: int(row[2]) for row in rows} == dict(counts)
        assert [row[1] for row in rows] == [r.value for r in kt.ExclusionReason if r.value in counts]
        assert all(row[0] and row[0] != row[1] for row in rows)  # a readable label, not the code


def test_no_excluded_records_says_so() -> None:
    _, a, _ = example(EXAMPLES[0])
    assert a.excluded == ()
    assert "No evidence record was excluded." in Page(page_text(EXAMPLES[0], "en")).text


# -- the improvement plan ------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", EXAMPLES)
def test_plan_is_shown(name: str, lang: str) -> None:
    case, a, rubric = example(name)
    plan = improvement_plan(a, rubric, case=case)
    text = Page(page_text(name, lang)).text
    assert ("Kế hoạch cải thiện" if lang == "vi" else "Improvement plan") in text
    if plan.target_tier is None:
        assert ("Đã ở hạng cao nhất" if lang == "vi" else "Already in the rubric's top tier") in text
    else:
        assert rubric.tier(plan.target_tier).title(lang) in text
    for s in plan.shortfalls:
        assert " ".join(s.advice(lang).split()) in text
    for k, o in enumerate(plan.opportunities):
        assert f"{o.title(lang)} {o.criterion}" in text
        assert "+" + num(o.max_gain, lang) in text
        if k < MAX_OPPORTUNITIES:  # in full; the others by title and gain
            assert " ".join(o.advice(lang).split()) in text
            for g in o.lifts:
                assert next(x for x in rubric.gates if x.id == g).title(lang) in text


def test_default_plan_is_the_exact_plan_of_the_case() -> None:
    case, a, rubric = example(EXAMPLES[2])
    plan = improvement_plan(a, rubric, case=case)
    assert render_report(case, a, rubric, lang="en") == render_report(case, a, rubric, lang="en", plan=plan)


def test_given_plan_is_used() -> None:
    case, a, rubric = example(EXAMPLES[1])
    plan = improvement_plan(a, rubric, case=case)
    advice = kt.Text(vi="Hãy <làm> điều này", en="Do <this> & that")
    shortfall = attrs.evolve(plan.shortfalls[0], advice=advice)
    custom = attrs.evolve(plan, shortfalls=(shortfall,), opportunities=())
    text = render_report(case, a, rubric, lang="en", plan=custom)
    assert "Do &lt;this&gt; &amp; that" in text
    assert "No opportunity was found." in Page(text).text


# -- escaping -----------------------------------------------------------------------------


def hostile_case() -> kt.Case:
    case = dict(example_cases())[EXAMPLES[1]]
    channel = kt.Channel(platform="zalo", handle=HOSTILE, followers=12)
    subject = attrs.evolve(case.subject, name=HOSTILE, agency=HOSTILE, channels=(*case.subject.channels, channel))
    return attrs.evolve(case, subject=subject)


@pytest.mark.parametrize("lang", LANGS)
def test_hostile_subject_text_is_escaped(lang: str) -> None:
    case = hostile_case()
    rubric = kt.rubric_for(case)
    a = kt.assess_case(case, rubric=rubric)
    text = render_report(case, a, rubric, lang=lang)
    page = Page(text)

    assert "<script" not in text.lower() and "<img src=x" not in text
    assert page.find("script") == []
    assert all(not k.startswith("on") for _, attributes in page.tags for k in attributes)
    assert len(page.find("img")) == 1  # the badge only
    assert html_escaped(HOSTILE) in text
    assert page.text.count(" ".join(HOSTILE.split())) == 4  # <title>, heading, agency, channel handle
    # The <title> of the page holds the name, escaped, and the page parses on.
    head_title = text.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in head_title and "&lt;/title&gt;" in head_title


def html_escaped(value: str) -> str:
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )


def test_control_characters_are_replaced() -> None:
    case = dict(example_cases())[EXAMPLES[0]]
    case = attrs.evolve(case, subject=attrs.evolve(case.subject, name="A\x00B\x0bC\x7fD"))
    rubric = kt.rubric_for(case)
    text = render_report(case, kt.assess_case(case, rubric=rubric), rubric)
    assert "A\ufffdB\ufffdC\ufffdD" in text
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)


def hostile_rubric(rubric: kt.Rubric, title: str) -> kt.Rubric:
    tiers = tuple(attrs.evolve(t, title=kt.Text(vi=title + " vi", en=title + " en")) for t in rubric.tiers)
    gates = tuple(attrs.evolve(g, title=kt.Text(vi=title + " cổng", en=title + " gate")) for g in rubric.gates)
    return attrs.evolve(rubric, tiers=tiers, gates=gates)


@pytest.mark.parametrize("lang", LANGS)
def test_hostile_rubric_text_is_escaped(lang: str) -> None:
    case = dict(example_cases())[EXAMPLES[1]]
    rubric = hostile_rubric(kt.rubric_for(case), HOSTILE + "\x01")
    a = kt.assess_case(case, rubric=rubric)
    assert a.gates
    text = render_report(case, a, rubric, lang=lang)
    assert "<script" not in text.lower() and "<img src=x" not in text
    assert Page(text).find("script") == []
    badge = render_badge(a, rubric, lang=lang)
    root = ET.fromstring(badge)
    assert "<script" not in badge and root.find(f"{SVG_NS}script") is None
    title = root.find(f"{SVG_NS}title")
    assert title is not None and title.text is not None
    assert HOSTILE + "\ufffd " + lang in title.text


# -- determinism, consistency, arguments -------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_output_is_deterministic(lang: str) -> None:
    name = EXAMPLES[3]
    fresh = kt.from_json((Path(kt.__file__).parent / "examples" / f"{name}.json").read_bytes(), kt.Case)
    rubric = kt.load_rubric(fresh.rubric) if fresh.rubric else kt.rubric_for(fresh)
    a = kt.assess_case(fresh, rubric=rubric)
    first = render_report(fresh, a, rubric, lang=lang)
    assert first == render_report(fresh, a, rubric, lang=lang) == page_text(name, lang)
    assert render_badge(a, rubric, lang=lang) == render_badge(a, rubric, lang=lang)
    today = dt.date.today()
    if today != a.as_of:
        for stamp in (today.isoformat(), today.strftime("%d/%m/%Y")):
            assert stamp not in first


# SHA-256 of render_report(...) and render_badge(...) (as UTF-8) of the bundled
# example 01-high-trust-beauty-kol under its built-in rubric, by language.  They pin
# the report card and the badge across processes, machines and releases.  They must
# only change with a deliberate change of the output, and the CHANGELOG must say so.
GOLDEN_EXAMPLE = "01-high-trust-beauty-kol"
GOLDEN_REPORT_SHA256 = {
    "vi": "c55329e9c226d7c1d8da7ef21b9e5826188987b8ca41f11e39ce3136fd763fec",
    "en": "0ff7571c59601f3f1ddfddfab81d00703c0adaf1fa77d4f6dea8b439c7f5421b",
}
GOLDEN_BADGE_SHA256 = {
    "vi": "9c0982a4120bf76c10f411bf6a39902be33f0d665970e0da5096f590e439fea7",
    "en": "45685273e7cc819e2006f0758b9a459ce304351a5f4b29b40e4ea290acdb21e1",
}


@pytest.mark.parametrize("lang", LANGS)
def test_output_matches_the_golden_digests(lang: str) -> None:
    case, a, rubric = example(GOLDEN_EXAMPLE)
    report = render_report(case, a, rubric, lang=lang).encode("utf-8")
    badge = render_badge(a, rubric, lang=lang).encode("utf-8")
    assert hashlib.sha256(report).hexdigest() == GOLDEN_REPORT_SHA256[lang]
    assert hashlib.sha256(badge).hexdigest() == GOLDEN_BADGE_SHA256[lang]


def test_wrong_rubric_subject_or_language_is_refused() -> None:
    case, a, rubric = example(EXAMPLES[0])
    other_rubric = hostile_rubric(rubric, "other")
    with pytest.raises(ValueError, match="rubric"):
        render_report(case, a, other_rubric)
    with pytest.raises(ValueError, match="rubric"):
        render_badge(a, other_rubric)
    other_case, _, _ = example(EXAMPLES[1])
    with pytest.raises(ValueError, match="subject"):
        render_report(other_case, a, rubric)
    other_plan = improvement_plan(*example(EXAMPLES[1])[1:])
    with pytest.raises(ValueError, match="plan"):
        render_report(case, a, rubric, plan=other_plan)
    for bad in ("fr", "VI", ""):
        with pytest.raises(ValueError, match="lang"):
            render_report(case, a, rubric, lang=bad)
        with pytest.raises(ValueError, match="lang"):
            render_badge(a, rubric, lang=bad)


# -- the badge ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", EXAMPLES)
def test_badge_is_valid_svg_with_score_and_tier(name: str, lang: str) -> None:
    _, a, rubric = example(name)
    badge = render_badge(a, rubric, lang=lang)
    root = ET.fromstring(badge)
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG_NS}title")
    assert title is not None and title.text is not None
    tier_title = rubric.tier(a.tier).title(lang)
    assert num(a.score, lang) in title.text and tier_title in title.text
    assert root.get("aria-label") == title.text
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]
    label = "Tín nhiệm KOL" if lang == "vi" else "KOL Trust"
    assert texts.count(label) == 2  # text and its shadow
    assert texts.count(f"{num(a.score, lang)} · {tier_title}") == 2
    width = int(root.get("width") or 0)
    left, right, gloss = root.findall(f"{SVG_NS}g/{SVG_NS}rect")
    assert int(left.get("width") or 0) + int(right.get("width") or 0) == int(gloss.get("width") or 0) == width
    assert int(right.get("x") or 0) == int(left.get("width") or 0)
    for kind in ("script", "foreignObject", "image", "a", "style"):
        assert root.find(f".//{SVG_NS}{kind}") is None
    assert "http" not in badge.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_badge_colour_follows_the_tier() -> None:
    colours = {}
    for name in EXAMPLES:
        _, a, rubric = example(name)
        root = ET.fromstring(render_badge(a, rubric))
        colours[(a.tier, a.certified, a.disqualified)] = root.findall(f"{SVG_NS}g/{SVG_NS}rect")[1].get("fill")
    assert colours == {
        ("high-trust", True, False): CERTIFIED_GREENS[0],
        ("not-rated", False, True): RED,
        ("developing", False, False): ORANGE,
        ("trusted", True, False): CERTIFIED_GREENS[1],
    }
    # The last tier without a disqualifying gate is grey.
    _, a, rubric = example(EXAMPLES[2])
    last = attrs.evolve(a, tier=rubric.tiers[-1].id, certified=False, gates=())
    assert ET.fromstring(render_badge(last, rubric)).findall(f"{SVG_NS}g/{SVG_NS}rect")[1].get("fill") == GREY


def test_badge_width_follows_the_text() -> None:
    assert text_width("Tín nhiệm KOL") == text_width("Tin nhiem KOL")  # marks take no room
    assert text_width("mmm") > text_width("iii")
    assert text_width("WWW") > text_width("www") > 0
    assert text_width("漢字") == 22.0
    case = dict(example_cases())[EXAMPLES[0]]
    rubric = kt.rubric_for(case)
    widths = []
    for title in ("A", "A much, much longer tier title than any other"):
        r = hostile_rubric(rubric, title)
        a = kt.assess_case(case, rubric=r)
        widths.append(int(ET.fromstring(render_badge(a, r)).get("width") or 0))
    assert widths[1] - widths[0] == pytest.approx(text_width("much, much longer tier title than any other") + 1, abs=8)


# -- the command line ------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def example_file(name: str) -> str:
    return str(Path(kt.__file__).parent / "examples" / f"{name}.json")


@pytest.mark.parametrize("lang", LANGS)
def test_cli_writes_both_files(capsys: pytest.CaptureFixture[str], tmp_path: Path, lang: str) -> None:
    name = EXAMPLES[1]
    html_path, svg_path = tmp_path / "card.html", tmp_path / "badge.svg"
    code, out, err = run(
        capsys, "report", example_file(name), "--html", str(html_path), "--svg", str(svg_path), "--lang", lang
    )
    assert (code, out, err) == (0, "", "")
    case, a, rubric = example(name)
    assert html_path.read_bytes() == render_report(case, a, rubric, lang=lang).encode("utf-8")
    assert svg_path.read_bytes() == render_badge(a, rubric, lang=lang).encode("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["badge.svg", "card.html"]  # no temporary files left
    assert os.stat(html_path).st_mode & 0o777 == 0o644


def test_cli_entry_point(tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "b.svg"
    done = subprocess.run(
        [sys.executable, "-m", "kol_trust", "report", example_file(EXAMPLES[3]), "--svg", str(out), "--lang", "en"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    _, a, rubric = example(EXAMPLES[3])
    assert out.read_text(encoding="utf-8") == render_badge(a, rubric, lang="en")


def test_cli_default_language_is_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "report", example_file(EXAMPLES[0]), "--html", "-")
    assert code == 0
    assert Page(out).find("html")[0].get("lang") == "vi"
    assert out == page_text(EXAMPLES[0], "vi")


def test_cli_one_output_to_stdout(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    html_path = tmp_path / "card.html"
    code, out, err = run(
        capsys, "report", example_file(EXAMPLES[2]), "--svg", "-", "--html", str(html_path), "--lang", "en"
    )
    assert (code, err) == (0, "")
    ET.fromstring(out)
    assert html_path.read_text(encoding="utf-8") == page_text(EXAMPLES[2], "en")


def test_cli_reads_stdin_and_takes_a_rubric(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    data = Path(example_file(EXAMPLES[0])).read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code, out, err = run(capsys, "report", "-", "--svg", "-", "--rubric", "1.0.0", "--lang", "en")
    assert (code, err) == (0, "")
    assert "High trust" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ((), "nothing to write"),
        (("--html", "-", "--svg", "-"), "cannot both be standard output"),
        (("--html", "-", "--rubric", "9.9.9"), "9.9.9"),
    ],
)
def test_cli_bad_options(capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str) -> None:
    code, out, err = run(capsys, "report", example_file(EXAMPLES[0]), *argv)
    assert code == 2 and out == ""
    assert err.startswith("kol-trust: ") and message in err and "Traceback" not in err


def test_cli_bad_case(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "card.html"
    target.write_text("old", encoding="utf-8")
    code, _, err = run(capsys, "report", str(tmp_path / "missing.json"), "--html", str(target))
    assert code == 2 and "no such file" in err
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"subject": {"id": "x", "name": "", "kind": "kol"}, "as_of": "2026-01-01"}), encoding="utf-8"
    )
    code, _, err = run(capsys, "report", str(bad), "--html", str(target))
    assert code == 2 and "subject.name" in err and "Traceback" not in err
    notjson = tmp_path / "notjson.json"
    notjson.write_text("{", encoding="utf-8")
    code, _, err = run(capsys, "report", str(notjson), "--html", str(target))
    assert code == 2 and "Traceback" not in err
    assert target.read_text(encoding="utf-8") == "old"  # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json", "card.html", "notjson.json"]


def test_cli_unwritable_target(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "report", example_file(EXAMPLES[0]), "--html", str(tmp_path / "no" / "card.html"))
    assert code == 2 and "cannot write" in err
    code, _, err = run(capsys, "report", example_file(EXAMPLES[0]), "--svg", str(tmp_path))
    assert code == 2 and "cannot write" in err
    assert list(tmp_path.iterdir()) == []


def test_cli_replaces_an_existing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "badge.svg"
    target.write_text("old", encoding="utf-8")
    code, _, _ = run(capsys, "report", example_file(EXAMPLES[0]), "--svg", str(target))
    assert code == 0
    ET.fromstring(target.read_text(encoding="utf-8"))
