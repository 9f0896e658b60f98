"""The report card: one assessment as a self-contained HTML page.

:func:`render_report` turns a case, its assessment and the rubric into an
HTML5 document in Vietnamese or English.  The page carries everything it
shows: inline CSS, an inline SVG chart, the badge as a ``data:`` image.  It
has no script, loads nothing from anywhere (a Content-Security-Policy says so
to the browser), uses the system's fonts, prints well and reads in order
without its CSS.  Every text that comes from the case or the rubric is
escaped.  The output depends on the inputs only: no clock, no randomness.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections import Counter
from collections.abc import Iterable

from ..assessment import Assessment, Cause, CriterionResult, ExclusionReason
from ..checks import json_string
from ..credentials import CredentialCheck
from ..credentials.proof import format_datetime
from ..improvement import ImprovementPlan, Opportunity, Shortfall, improvement_plan
from ..model import Case
from ..numbers import localized
from ..rubric import Rubric
from ..words import category, check_lang, word
from .badge import (
    CERTIFIED_GREENS,
    RED,
    badge_title,
    check_rubric,
    credential_title,
    esc,
    number,
    qr_svg,
    render_badge,
    status_word,
    tier_colour,
    verification_url,
)

__all__ = ["CSP", "render_report"]

#: The page's Content-Security-Policy: nothing may load or run but inline
#: styles and ``data:`` images.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_FONTS = (
    'system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,"Liberation Sans","DejaVu Sans",'
    "sans-serif"
)
_MONO = 'ui-monospace,"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono","Liberation Mono",monospace'

_CSS = """
*{box-sizing:border-box}
html{color-scheme:light}
body{margin:0;background:#f3f4f6;color:#1c1f23;font:15px/1.5 FONTS}
main{max-width:62rem;margin:1.5rem auto;padding:2rem 2.2rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px rgba(0,0,0,.1)}
.top{display:flex;justify-content:space-between;align-items:flex-start;gap:1rem;border-bottom:4px solid ACCENT;padding-bottom:1rem}
.eyebrow{margin:0;color:#5b636b;font-size:.8rem;letter-spacing:.06em;text-transform:uppercase}
h1{margin:.15rem 0 .3rem;font-size:2rem;line-height:1.2;overflow-wrap:anywhere}
h2{font-size:1.15rem;margin:2rem 0 .7rem;padding-bottom:.3rem;border-bottom:1px solid #d5d9de}
h3{font-size:1rem;margin:1.2rem 0 .5rem}
p{margin:.3rem 0}
.who{color:#434a52;margin:0}
.who span+span::before{content:" · ";color:#9aa1a8}
ul.channels{margin:.4rem 0 0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:.3rem .5rem;font-size:.85rem}
ul.channels li{background:#eef0f3;border-radius:99px;padding:.05rem .65rem;max-width:100%;overflow-wrap:anywhere}
.badge{flex:none;margin-top:.3rem;height:26px;width:auto}
.summary{display:grid;grid-template-columns:auto 1fr;gap:1.6rem;align-items:center;margin-top:1.3rem}
.score{background:ACCENT;color:#fff;border-radius:12px;padding:1rem 1.5rem;text-align:center;min-width:11rem}
.score .label{display:block;font-size:.8rem;letter-spacing:.06em;text-transform:uppercase;opacity:.9}
.score .value{display:block;font-size:3.6rem;font-weight:700;line-height:1.05;font-variant-numeric:tabular-nums}
.score .of{display:block;font-size:.9rem;opacity:.9}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1.2rem;margin:0}
dl.facts dt{color:#5b636b}
dl.facts dd{margin:0;font-weight:600}
dl.facts dd small{font-weight:400;color:#5b636b}
.yes{color:#14632f}.no{color:#a1261e}
.sr-only{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
figure{margin:0}
figure svg{display:block;width:100%;max-width:760px;height:auto}
figure svg.chart-narrow{display:none;max-width:420px}
figcaption{font-size:.82rem;color:#5b636b;margin-top:.3rem}
ul.gates{list-style:none;padding:0;margin:0}
ul.gates li{border-left:4px solid #b3261e;background:#fdf1f0;padding:.5rem .85rem;margin:.4rem 0;border-radius:0 6px 6px 0}
ul.gates .effect{display:block;font-size:.85rem;color:#7a1d17}
ol.reasons{margin:0;padding-left:1.4rem}
ol.reasons li{margin:.25rem 0}
.lost{font-weight:600;color:#a1261e;white-space:nowrap}
.wide{max-width:100%;overflow-x:auto}
table{width:100%;border-collapse:collapse;font-size:.9rem}
th,td{text-align:left;padding:.38rem .5rem;border-bottom:1px solid #e1e4e8;vertical-align:top}
thead th{font-size:.78rem;text-transform:uppercase;letter-spacing:.04em;color:#5b636b;border-bottom:2px solid #c9ced4}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.code{font-family:MONO;font-size:max(.85em,11px);white-space:nowrap}
.muted,.na{color:#6b737b}
.nw{white-space:nowrap}
.na{font-style:italic}
.gain{font-weight:600;color:#14632f}
.note{font-size:.85rem;color:#5b636b}
footer{margin-top:2.5rem;border-top:1px solid #d5d9de;padding-top:.8rem;color:#5b636b;font-size:.8rem}
footer dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.4rem 0}
footer dd{margin:0;overflow-wrap:anywhere;min-width:0}
footer .code{white-space:normal;word-break:break-all}
@media screen and (max-width:44rem){
main{padding:1rem;margin:0;border-radius:0}
.summary,dl.facts,footer dl{grid-template-columns:1fr}
dl.facts dd,footer dd{margin-bottom:.4rem}
.top{flex-direction:column}
.badge{max-width:100%;object-fit:contain;object-position:left center}
th,td{padding:.3rem .35rem}
.top>div{min-width:0;max-width:100%}
.code{white-space:normal;overflow-wrap:anywhere}
.chart-wide{display:none!important}
.chart-narrow{display:block!important}
.many table,.many tbody,.many tr,.many td{display:block;width:100%}
.many thead{display:none}
.many tr{border-bottom:1px solid #c9ced4;padding:.4rem 0}
.many td{border:0;padding:.1rem 0;text-align:left;white-space:normal}
.many td::before{content:attr(data-label);display:inline-block;min-width:9.5rem;margin-right:.4rem;color:#5b636b;font-size:.78rem;text-transform:uppercase;letter-spacing:.04em}
.many td .nw{white-space:normal}
}
@media print{
body{background:#fff;font-size:10pt}
main{box-shadow:none;margin:0;max-width:none;padding:0;border-radius:0}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
figure,tr,li,.summary{break-inside:avoid}
h2,h3{break-after:avoid}
}
@page{margin:14mm}
"""

#: How many opportunities the plan shows in full; the others are listed by title and gain.
MAX_OPPORTUNITIES = 8

# -- helpers --------------------------------------------------------------------------


class _Page:
    """The words, numbers and look-ups of one page in one language."""

    def __init__(self, rubric: Rubric | None, lang: str) -> None:
        self.rubric: Rubric = rubric  # type: ignore[assignment]  # None only on a credential's own page
        self.lang = lang
        self.gate_titles = {} if rubric is None else {g.id: g.title(lang) for g in rubric.gates}

    def w(self, key: str, **values: str) -> str:
        """The escaped text ``report.<key>`` of the catalogue (*key*), with *values* filled in."""
        return esc(word(f"report.{key}", self.lang, **values))

    def raw(self, key: str) -> str:
        """The text ``report.<key>`` of the catalogue (*key*), not escaped."""
        return word(f"report.{key}", self.lang)

    def pick(self, key: str) -> str:
        """The escaped text of any catalogue *key*."""
        return esc(word(key, self.lang))

    def num(self, value: float | None, digits: int = 1) -> str:
        """A number in this language; ``—`` for none."""
        return "—" if value is None else number(value, self.lang, digits)

    def short(self, value: float) -> str:
        """A threshold without trailing zeros (``70``, ``55,5``)."""
        return localized(f"{value:g}", self.lang)

    def count(self, value: int) -> str:
        """A whole number with thousands separators of this language."""
        return localized(f"{value:,}", self.lang)

    def date(self, day: dt.date) -> str:
        """A day as people of this language write it."""
        return day.strftime("%d/%m/%Y") if self.lang == "vi" else day.isoformat()

    def pillar_title(self, pillar_id: str) -> str:
        """The escaped title of a pillar, or its id when the rubric has none."""
        try:
            return esc(self.rubric.pillar(pillar_id).title(self.lang))
        except KeyError:
            return esc(pillar_id)

    def criterion_title(self, criterion_id: str) -> str:
        """The escaped title of a criterion, or its id when the rubric has none."""
        try:
            return esc(self.rubric.criterion(criterion_id).title(self.lang))
        except KeyError:
            return esc(criterion_id)

    def gate_title(self, gate_id: str) -> str:
        """The escaped title of a gate, or its id when the rubric has none."""
        return esc(self.gate_titles.get(gate_id, gate_id))


def _code(text: str) -> str:
    return f'<span class="code">{esc(text)}</span>'


def _table(head: Iterable[tuple[str, bool]], rows: Iterable[Iterable[tuple[str, bool]]]) -> str:
    """A table; cells are (escaped HTML, numeric?)."""

    def cell(tag: str, content: str, numeric: bool, label: str = "") -> str:
        cls = ' class="num"' if numeric else ""
        scope = ' scope="col"' if tag == "th" else ""
        data = f' data-label="{label}"' if label else ""
        return f"<{tag}{cls}{scope}{data}>{content}</{tag}>"

    columns = list(head)
    many = len(columns) >= 4  # many columns: on a phone, each row becomes a card of labelled lines
    parts = [f'<div class="{"wide many" if many else "wide"}"><table>', "<thead><tr>"]
    parts.extend(cell("th", c, n) for c, n in columns)
    parts.append("</tr></thead>\n<tbody>")
    for row in rows:
        cells = (
            cell("td", c, n, head_label if many else "") for (c, n), (head_label, _) in zip(row, columns, strict=True)
        )
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table></div>")
    return "\n".join(parts)


# -- sections -------------------------------------------------------------------------


def _header(case: Case, assessment: Assessment, page: _Page, credential: CredentialCheck | None = None) -> str:
    subject = case.subject
    who = [
        f"<span>{page.w('id')}: {_code(subject.id)}</span>",
        f"<span>{page.pick('kind.' + subject.kind.value)}</span>",
    ]
    if subject.categories:
        who.append(
            f"<span>{page.w('categories')}: {esc(', '.join(category(c, page.lang) for c in subject.categories))}</span>"
        )
    if subject.agency is not None:
        who.append(f"<span>{page.w('agency')}: {esc(subject.agency)}</span>")
    who.append(f"<span>{page.w('as_of')}: <time>{page.date(assessment.as_of)}</time></span>")
    channels = ""
    if subject.channels:
        items = []
        for ch in subject.channels:
            text = f"{esc(ch.platform)}: {esc(ch.handle)}"
            if ch.followers is not None:
                text += f" · {page.count(ch.followers)} {page.w('followers')}"
            if ch.verified:
                text += f" · ✓ {page.w('verified')}"
            items.append(f"<li>{text}</li>")
        channels = f'<ul class="channels" aria-label="{page.w("channels")}">' + "".join(items) + "</ul>"
    if credential is not None:
        badge = render_badge(credential, lang=page.lang)
        title = esc(credential_title(credential, page.lang))
    else:
        badge = render_badge(assessment, page.rubric, lang=page.lang, kind=subject.kind)
        title = esc(badge_title(assessment, page.rubric, page.lang, kind=subject.kind))
    data = base64.b64encode(badge.encode("utf-8")).decode("ascii")
    return (
        '<header class="top">\n<div>\n'
        f'<p class="eyebrow">{page.pick("brand." + subject.kind.value)} · {page.w("card")}</p>\n'
        f"<h1>{esc(subject.name)}</h1>\n"
        f'<p class="who">{"".join(who)}</p>\n{channels}\n</div>\n'
        f'<img class="badge" src="data:image/svg+xml;base64,{data}" alt="{title}">\n'
        "</header>"
    )


def _summary(assessment: Assessment, page: _Page, credential: CredentialCheck | None = None) -> str:
    tier = page.rubric.tier(assessment.tier)
    if assessment.certified:
        certified = f'<span class="yes">{page.w("yes")}</span>'
        if credential is None:
            certified += f" <small>({page.w('not_a_certificate')})</small>"
    else:
        certified = f'<span class="no">{page.w("no")}</span>'
        if assessment.disqualified:
            certified += f" <small>({page.w('disqualified')})</small>"
    used = sum(len(cr.evidence) for cr in assessment.criteria)
    evidence = page.w("used_excluded", used=page.count(used), excluded=page.count(len(assessment.excluded)))
    return (
        '<section aria-labelledby="h-summary">\n'
        f'<h2 id="h-summary" class="sr-only">{page.w("result")}</h2>\n<div class="summary">\n'
        f'<p class="score"><span class="label">{page.w("score")}</span>'
        f'<span class="value">{page.num(assessment.score)}</span>'
        f'<span class="of">{page.w("of_100")}</span></p>\n'
        '<dl class="facts">\n'
        f"<dt>{page.w('tier')}</dt><dd>{esc(tier.title(page.lang))} <small>({_code(tier.id)})</small></dd>\n"
        f"<dt>{page.w('certified')}</dt><dd>{certified}</dd>\n"
        f"<dt>{page.w('coverage')}</dt><dd>{page.num(assessment.coverage)} %</dd>\n"
        f"<dt>{page.w('evidence')}</dt><dd>{evidence}</dd>\n"
        f"<dt>{page.w('rubric')}</dt><dd>{esc(page.rubric.title(page.lang))} <small>"
        f"({_code(assessment.rubric.id)} {esc(assessment.rubric.version)})</small></dd>\n"
        "</dl>\n</div>\n</section>"
    )


def _bar_colour(score: float, thresholds: list[float]) -> str:
    if not thresholds:
        return "#2a7f3f" if score >= 70 else "#a85400" if score >= 50 else "#b3261e"
    if score >= thresholds[0]:
        return "#1e7434"
    if score >= thresholds[-1]:
        return "#5a8f29"
    return "#b85c00"


_TICKS = (0, 25, 50, 75, 100)


def _levels(page: _Page) -> tuple[list[float], dict[float, list[str]]]:
    """The tiers' minimum pillar scores, highest first, and the tier titles of each."""
    thresholds: dict[float, list[str]] = {}
    for t in page.rubric.tiers:
        if t.min_pillar_score is not None:
            thresholds.setdefault(t.min_pillar_score, []).append(t.title(page.lang))
    return sorted(thresholds, reverse=True), thresholds


def _chart_svg(assessment: Assessment, page: _Page, *, narrow: bool) -> str:
    """The pillar scores as a horizontal bar chart in inline SVG: labels left of
    the bars (720 wide), or, *narrow*, above them (360 wide, for a phone, so that
    its text keeps its size)."""
    levels, _ = _levels(page)
    font = esc(_FONTS)
    if narrow:
        width, x0, x1, label_x, row, top, bar_dy, max_label = 360, 10, 340, 10, 50, 10, 22, 44
    else:
        width, x0, x1, label_x, row, top, bar_dy, max_label = 720, 210, 650, 200, 34, 14, 0, 26
    span = x1 - x0
    n = len(assessment.pillars)
    axis_y = top + n * row + 4
    height = axis_y + 26

    def x(value: float) -> float:
        return x0 + span * value / 100

    summary = "; ".join(
        f"{page.rubric.pillar(p.id).title(page.lang)} "
        + (page.raw("not_applicable") if p.score is None else number(p.score, page.lang))
        for p in assessment.pillars
    )
    title = page.raw("pillars")
    kind = "chart-narrow" if narrow else "chart-wide"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{kind}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{esc(title)}: {esc(summary)}" font-family="{font}" font-size="14">',
        f"<title>{esc(title)}</title>",
        f"<desc>{esc(summary)}</desc>",
    ]
    for tick in _TICKS:
        parts.append(
            f'<line x1="{x(tick):g}" y1="{top - 6 + bar_dy}" x2="{x(tick):g}" y2="{axis_y}" stroke="#e1e4e8" '
            'stroke-width="1"/>'
        )
        anchor = "start" if narrow and tick == 0 else "end" if narrow and tick == 100 else "middle"
        parts.append(
            f'<text x="{x(tick):g}" y="{axis_y + 18}" text-anchor="{anchor}" font-size="12" fill="#5b636b">{tick}</text>'
        )
    parts.append(f'<line x1="{x0}" y1="{axis_y}" x2="{x1}" y2="{axis_y}" stroke="#9aa1a8" stroke-width="1"/>')
    labels: list[str] = []
    for i, p in enumerate(assessment.pillars):
        y = top + i * row + bar_dy
        name = page.rubric.pillar(p.id).title(page.lang)
        if len(name) > max_label:
            name = name[: max_label - 1] + "…"
        if narrow:
            parts.append(f'<text x="{label_x}" y="{y - 4}" fill="#1c1f23">{esc(name)}</text>')
        else:
            parts.append(f'<text x="{label_x}" y="{y + 19}" text-anchor="end" fill="#1c1f23">{esc(name)}</text>')
        parts.append(f'<rect x="{x0}" y="{y + 4}" width="{span}" height="22" fill="#f0f2f4"/>')
        if p.score is None:
            labels.append(
                f'<text x="{x0 + 8}" y="{y + 20}" font-style="italic" fill="#5b636b">{page.w("not_applicable")}</text>'
            )
            continue
        bar = span * max(0.0, min(100.0, p.score)) / 100
        parts.append(
            f'<rect x="{x0}" y="{y + 4}" width="{bar:.1f}" height="22" fill="{_bar_colour(p.score, levels)}"/>'
        )
        inside = bar > 60
        tx = x0 + bar - 6 if inside else x0 + bar + 6
        anchor, fill = ("end", "#ffffff") if inside else ("start", "#1c1f23")
        labels.append(
            f'<text x="{tx:.1f}" y="{y + 20}" text-anchor="{anchor}" font-weight="bold" fill="{fill}">'
            f"{page.num(p.score)}</text>"
        )
    for level in levels:
        parts.append(
            f'<line x1="{x(level):g}" y1="{top - 6}" x2="{x(level):g}" y2="{axis_y}" stroke="#1c1f23" '
            'stroke-width="1.5" stroke-dasharray="5 4"/>'
        )
    parts.extend(labels)
    parts.append("</svg>")
    return "\n".join(parts)


def _chart(assessment: Assessment, page: _Page) -> str:
    """The pillar chart (a wide and a narrow one; the page's CSS shows one) and the pillar table."""
    levels, thresholds = _levels(page)
    charts = [_chart_svg(assessment, page, narrow=False), _chart_svg(assessment, page, narrow=True)]
    caption = ""
    if levels:
        tiers = ", ".join(f"{' / '.join(thresholds[v])} ({page.short(v)})" for v in levels)
        caption = f"<figcaption>{page.w('chart_thresholds', tiers=tiers)}</figcaption>"
    rows = [
        [
            (page.pillar_title(p.id), False),
            (f'<span class="na">{page.w("not_applicable")}</span>' if p.score is None else page.num(p.score), True),
        ]
        for p in assessment.pillars
    ]
    table = _table([(page.w("pillar"), False), (page.w("score"), True)], rows)
    return (
        f'<section aria-labelledby="h-pillars">\n<h2 id="h-pillars">{page.w("pillars")}</h2>\n'
        f"<figure>\n" + "\n".join(charts) + f"\n{caption}\n</figure>\n{table}\n</section>"
    )


def _gates(assessment: Assessment, page: _Page) -> str:
    head = f'<section aria-labelledby="h-gates">\n<h2 id="h-gates">{page.w("gates")}</h2>\n'
    if not assessment.gates:
        return head + f"<p>{page.w('no_gates')}</p>\n</section>"
    items = []
    for g in assessment.gates:
        effects = []
        if g.cap is not None:
            effects.append(page.w("cap", cap=page.short(g.cap)))
        if g.disqualify:
            effects.append(page.w("disqualify"))
        items.append(
            f'<li><strong>{page.gate_title(g.id)}</strong> <span class="muted">({_code(g.id)})</span>'
            f'<span class="effect">{"; ".join(effects)}</span></li>'
        )
    return head + '<ul class="gates">\n' + "\n".join(items) + "\n</ul>\n</section>"


def _reasons(assessment: Assessment, page: _Page) -> str:
    head = f'<section aria-labelledby="h-reasons">\n<h2 id="h-reasons">{page.w("reasons")}</h2>\n'
    if not assessment.reasons:
        return head + f"<p>{page.w('no_reasons')}</p>\n</section>"
    items = []
    for r in assessment.reasons:
        if r.cause is Cause.GATE:
            items.append(
                f"<li>{page.w('gate')}: <strong>{page.gate_title(r.code)}</strong> "
                f'<span class="muted">({_code(r.code)})</span></li>'
            )
            continue
        lost = "" if r.loss is None else f'<span class="lost">{page.w("points_lost", loss=page.num(r.loss))}</span> '
        items.append(
            f"<li>{lost}<strong>{page.criterion_title(r.code)}</strong> "
            f'<span class="muted">({_code(r.code)}; {page.pick("cause." + r.cause.value)})</span></li>'
        )
    return head + '<ol class="reasons">\n' + "\n".join(items) + "\n</ol>\n</section>"


def _criterion_row(cr: CriterionResult, page: _Page) -> list[tuple[str, bool]]:
    if not cr.applicable or cr.score is None:
        score = f'<span class="na">{page.w("not_applicable")}</span>'
    else:
        score = page.num(cr.score)
        if not cr.assessed:
            score += f' <span class="na">({page.w("no_evidence_note")})</span>'
    loss = "—" if cr.loss is None else ("−" + page.num(cr.loss) if cr.loss > 0 else page.num(cr.loss))
    return [
        (_code(cr.id), False),
        (page.criterion_title(cr.id), False),
        (f'<span class="nw">{page.pillar_title(cr.pillar)}</span>', False),
        (score, True),
        (loss, True),
        (page.count(len(cr.evidence)), True),
    ]


def _criteria(assessment: Assessment, page: _Page) -> str:
    head = [
        (page.w("id"), False),
        (page.w("criterion"), False),
        (page.w("pillar"), False),
        (page.w("score"), True),
        (page.w("loss"), True),
        (page.w("evidence_count"), True),
    ]
    table = _table(head, (_criterion_row(cr, page) for cr in assessment.criteria))
    return f'<section aria-labelledby="h-criteria">\n<h2 id="h-criteria">{page.w("criteria")}</h2>\n{table}\n</section>'


def _excluded(assessment: Assessment, page: _Page) -> str:
    head = f'<section aria-labelledby="h-excluded">\n<h2 id="h-excluded">{page.w("excluded")}</h2>\n'
    if not assessment.excluded:
        return head + f"<p>{page.w('no_excluded')}</p>\n</section>"
    counts = Counter(x.reason for x in assessment.excluded)
    rows = [
        [
            (page.pick("exclusion." + reason.value), False),
            (_code(reason.value), False),
            (page.count(counts[reason]), True),
        ]
        for reason in ExclusionReason
        if counts[reason]
    ]
    table = _table([(page.w("reason"), False), (page.w("id"), False), (page.w("count"), True)], rows)
    return head + table + "\n</section>"


def _shortfall_row(s: Shortfall, page: _Page) -> list[tuple[str, bool]]:
    kind = str(s.kind)
    what = page.pick(f"shortfall.{kind}")
    if s.ref is not None:
        if kind == "pillar":
            what += f": {page.pillar_title(s.ref)}"
        elif kind == "gate":
            what += f": {page.gate_title(s.ref)}"
        else:
            what += f": {esc(s.ref)}"
        what += f' <span class="muted">({_code(s.ref)})</span>'
    return [
        (what, False),
        (page.num(s.required), True),
        (page.num(s.actual), True),
        (page.num(s.gap), True),
        (esc(s.advice(page.lang)), False),
    ]


def _opportunity_row(o: Opportunity, page: _Page) -> list[tuple[str, bool]]:
    criterion = f"<strong>{esc(o.title(page.lang))}</strong> {_code(o.criterion)}"
    criterion += f'<br><span class="muted">{page.pillar_title(o.pillar)}</span>'
    advice = esc(o.advice(page.lang))  # it names the sources to ask
    if o.lifts:
        gates = ", ".join(f"{page.gate_title(g)} ({_code(g)})" for g in o.lifts)
        advice += f'<br><span class="note">{page.w("lifts")}: {gates}</span>'
    score = page.num(o.score) if o.score is not None else f'<span class="na">{page.w("no_evidence_note")}</span>'
    return [
        (criterion, False),
        (score, True),
        (f'<span class="gain">+{page.num(o.max_gain)}</span>', True),
        (advice, False),
    ]


def _plan(plan: ImprovementPlan, page: _Page) -> str:
    parts = [f'<section aria-labelledby="h-plan">\n<h2 id="h-plan">{page.w("plan")}</h2>']
    current = page.rubric.tier(plan.current_tier).title(page.lang)
    facts = f"<dt>{page.w('current')}</dt><dd>{esc(current)} <small>({_code(plan.current_tier)})</small></dd>"
    if plan.target_tier is None:
        facts += f"<dt>{page.w('target')}</dt><dd>{page.w('top_tier')}</dd>"
    else:
        target = page.rubric.tier(plan.target_tier).title(page.lang)
        facts += f"<dt>{page.w('target')}</dt><dd>{esc(target)} <small>({_code(plan.target_tier)})</small></dd>"
    parts.append(f'<dl class="facts">{facts}</dl>')
    if plan.target_tier is not None or plan.shortfalls:
        parts.append(f"<h3>{page.w('shortfalls')}</h3>")
        if plan.shortfalls:
            head = [
                (page.w("what"), False),
                (page.w("required"), True),
                (page.w("actual"), True),
                (page.w("gap"), True),
                (page.w("advice"), False),
            ]
            parts.append(_table(head, (_shortfall_row(s, page) for s in plan.shortfalls)))
        else:
            parts.append(f"<p>{page.w('no_shortfalls')}</p>")
    parts.append(f"<h3>{page.w('opportunities')}</h3>")
    if plan.opportunities:
        head = [
            (page.w("criterion"), False),
            (page.w("current_score"), True),
            (page.w("max_gain"), True),
            (page.w("advice"), False),
        ]
        shown, rest = plan.opportunities[:MAX_OPPORTUNITIES], plan.opportunities[MAX_OPPORTUNITIES:]
        parts.append(_table(head, (_opportunity_row(o, page) for o in shown)))
        if rest:
            others = "; ".join(
                f'{esc(o.title(page.lang))} {_code(o.criterion)} <span class="gain">+{page.num(o.max_gain)}</span>'
                for o in rest
            )
            parts.append(f'<p class="note">{page.w("more_opportunities")}: {others}</p>')
    else:
        parts.append(f"<p>{page.w('no_opportunities')}</p>")
    parts.append("</section>")
    return "\n".join(parts)


def _certificate(check: CredentialCheck, page: _Page, verify_url: str | None) -> str:
    cert = check.certificate
    status = f'<span class="{"yes" if check.ok else "no"}">{esc(status_word(check.status, page.lang))}</span>'
    rows = [("status", status)]
    if cert is not None and check.valid_from is not None and check.valid_until is not None:
        rows = [
            ("serial", _code(cert.serial)),
            ("issuer", f"{esc(cert.issuer)} <small>({_code(check.issuer or '')})</small>"),
            ("valid_from", f"<time>{esc(format_datetime(check.valid_from))}</time>"),
            ("valid_until", f"<time>{esc(format_datetime(check.valid_until))}</time>"),
            *rows,
        ]
    items = "\n".join(f"<dt>{page.w(key)}</dt><dd>{value}</dd>" for key, value in rows)
    if check.ok:
        note = f"<p>{page.w('verified_note')}</p>\n"
    else:  # the verifier's detail is a diagnostic, in English: said so, and marked as English
        status_text = status_word(check.status, page.lang)
        note = (
            f"<p>{page.w('not_verified_note', status=status_text)}</p>\n"
            f'<p class="note" lang="en">{esc(check.detail)}</p>\n'
        )
    qr = ""
    if verify_url is not None and cert is not None:
        url = verification_url(verify_url, check)
        svg, size = qr_svg(url)
        image = f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}">{svg}</svg>'
        data = base64.b64encode(image.encode("utf-8")).decode("ascii")
        qr = (
            f'<figure class="qr"><img src="data:image/svg+xml;base64,{data}" width="{size}" height="{size}" '
            f'alt="{esc(url)}"><figcaption>{page.w("scan")}: <code>{esc(url)}</code></figcaption></figure>\n'
        )
    return (
        '<section aria-labelledby="h-certificate">\n'
        f'<h2 id="h-certificate">{page.w("certificate")}</h2>\n{note}'
        f'<dl class="facts">\n{items}\n</dl>\n{qr}</section>'
    )


def _footer(assessment: Assessment, page: _Page) -> str:
    ref = assessment.rubric
    rows = [
        ("rubric", _code(ref.id)),
        ("version", esc(ref.version)),
        ("digest", _code(ref.digest)),
        ("algorithm", esc(str(assessment.algorithm))),
        ("as_of", f"<time>{esc(assessment.as_of.isoformat())}</time>"),
        ("fingerprint", _code(assessment.fingerprint)),
    ]
    items = "\n".join(f"<dt>{page.w(key)}</dt><dd>{value}</dd>" for key, value in rows)
    return f"<footer>\n<p>{page.w('footer_note')}</p>\n<dl>\n{items}\n</dl>\n</footer>"


# -- the page -------------------------------------------------------------------------


def _credential_page(check: CredentialCheck, lang: str, verify_url: str | None) -> str:
    """The page of a credential alone: the certificate it carries, without the assessment's detail."""
    page = _Page(None, lang)
    cert = check.certificate
    badge = render_badge(check, lang=lang)
    data = base64.b64encode(badge.encode("utf-8")).decode("ascii")
    alt = esc(credential_title(check, lang))
    name = cert.subject_name or cert.subject_id if cert is not None else page.raw("certificate")
    parts = []
    if cert is not None:
        tier = cert.tier_title(lang)
        parts.append(
            '<section aria-labelledby="h-summary">\n'
            f'<h2 id="h-summary" class="sr-only">{page.w("result")}</h2>\n<div class="summary">\n'
            f'<p class="score"><span class="label">{page.w("score")}</span>'
            f'<span class="value">{page.num(cert.score)}</span>'
            f'<span class="of">{page.w("of_100")}</span></p>\n'
            '<dl class="facts">\n'
            f"<dt>{page.w('id')}</dt><dd>{_code(cert.subject_id)}</dd>\n"
            f"<dt>{page.w('tier')}</dt><dd>{esc(tier)} <small>({_code(cert.tier)})</small></dd>\n"
            f"<dt>{page.w('coverage')}</dt><dd>{page.num(cert.coverage)} %</dd>\n"
            f"<dt>{page.w('rubric')}</dt><dd>{_code(cert.rubric.id)} {esc(cert.rubric.version)}</dd>\n"
            f"<dt>{page.w('as_of')}</dt><dd><time>{esc(cert.as_of.isoformat())}</time></dd>\n"
            "</dl>\n</div>\n</section>"
        )
    parts.append(_certificate(check, page, verify_url))
    if cert is not None:
        rows = [
            ("digest", _code(cert.rubric.digest)),
            ("fingerprint", _code(cert.fingerprint)),
        ]
        items = "\n".join(f"<dt>{page.w(key)}</dt><dd>{value}</dd>" for key, value in rows)
        parts.append(f"<footer>\n<dl>\n{items}\n</dl>\n</footer>")
    accent = CERTIFIED_GREENS[0] if check.ok else RED
    css = _CSS.replace("FONTS", _FONTS).replace("MONO", _MONO).replace("ACCENT", accent)
    header = (
        '<header class="top">\n<div>\n'
        f'<p class="eyebrow">{page.w("brand")} · {page.w("certificate")}</p>\n'
        f"<h1>{esc(name)}</h1>\n</div>\n"
        f'<img class="badge" src="data:image/svg+xml;base64,{data}" alt="{alt}">\n'
        "</header>"
    )
    body = "\n".join([header, *parts])
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n'
        '<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(page.raw('brand') + ' · ' + name)}</title>\n"
        f"<style>{css}</style>\n"
        "</head>\n<body>\n<main>\n"
        f"{body}\n"
        "</main>\n</body>\n</html>\n"
    )


def render_report(
    case: Case | None = None,
    assessment: Assessment | None = None,
    rubric: Rubric | None = None,
    *,
    lang: str = "vi",
    plan: ImprovementPlan | None = None,
    credential: CredentialCheck | None = None,
    verify_url: str | None = None,
) -> str:
    """The report card of *assessment* as a self-contained HTML5 page.

    *case* is the assessed case (for the subject's name, kind and channels),
    *rubric* the rubric of the assessment (for titles; ``ValueError`` when the
    assessment was made under another one) and *lang* ``"vi"`` (default) or
    ``"en"``.  *plan* is the improvement plan to show; when ``None`` it is
    :func:`~kol_trust.improvement.improvement_plan` of the assessment and the case (so
    its gains are exact; ``ValidationError`` when the case is not the one
    assessed).

    *credential* is the :class:`~kol_trust.credentials.CredentialCheck` of
    the subject's credential (:func:`~kol_trust.credentials.verify_credential`;
    its certificate must carry this assessment's fingerprint, else
    ``ValueError``): the page then shows the certificate's serial, issuer,
    validity and status, and its badge says *certified* only when the check
    is ``valid``.  Without it, the page says it is an assessment, not a
    certificate.  *verify_url*, a template such as
    ``https://nca.example/verify?serial={serial}``, adds a QR code of the
    issuer's verification URL (credentials only).  With a *credential* and
    no case, assessment or rubric, the page shows the credential alone: the
    certificate it carries, its status and the QR code, without the detail
    of the assessment.

    The page has no script and loads nothing (its Content-Security-Policy is
    ``default-src 'none'``); all text from the case and the rubric is escaped.  It shows
    no clock time: the only date is the assessment's ``as_of``, so the same
    inputs give the same text.
    """
    check_lang(lang)
    if case is None and assessment is None and rubric is None:
        if not isinstance(credential, CredentialCheck):
            raise TypeError("give the case, its assessment and rubric, or a credential's check, or both")
        return _credential_page(credential, lang, verify_url)
    if case is None or assessment is None or rubric is None:
        raise TypeError("the report card of an assessment needs the case, the assessment and the rubric")
    if case.subject.id != assessment.subject_id:
        raise ValueError(
            f"the assessment is of subject {json_string(assessment.subject_id)}, not {json_string(case.subject.id)}"
        )
    check_rubric(assessment, rubric)
    if plan is None:
        plan = improvement_plan(assessment, rubric, case=case)
    elif (plan.subject_id, plan.rubric, plan.current_tier) != (
        assessment.subject_id,
        assessment.rubric,
        assessment.tier,
    ):
        raise ValueError("the improvement plan is not the plan of this assessment")
    if credential is not None:
        if not isinstance(credential, CredentialCheck):
            raise TypeError(f"credential must be a CredentialCheck, got {type(credential).__name__}")
        cert = credential.certificate
        if cert is not None and cert.fingerprint != assessment.fingerprint:
            raise ValueError("the credential is not of this assessment: its fingerprint differs")
    elif verify_url is not None:
        raise ValueError("a verification QR code is shown for a credential only, not for an assessment")
    page = _Page(rubric, lang)
    css = _CSS.replace("FONTS", _FONTS).replace("MONO", _MONO).replace("ACCENT", tier_colour(assessment, rubric))
    title = f"{word('brand.' + case.subject.kind.value, lang)} · {case.subject.name}"
    body = "\n".join(
        [
            _header(case, assessment, page, credential),
            _summary(assessment, page, credential),
            *([] if credential is None else [_certificate(credential, page, verify_url)]),
            _chart(assessment, page),
            _gates(assessment, page),
            _reasons(assessment, page),
            _plan(plan, page),
            _criteria(assessment, page),
            _excluded(assessment, page),
            _footer(assessment, page),
        ]
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n'
        '<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n"
        f"<style>{css}</style>\n"
        "</head>\n<body>\n<main>\n"
        f"{body}\n"
        "</main>\n</body>\n</html>\n"
    )
