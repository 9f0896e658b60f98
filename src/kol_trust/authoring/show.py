"""A rubric in readable form: a plain-text table or Markdown (``kol-trust rubric show``).

Everything here is a pure function of the rubric: the same rubric always
gives the same text, which is what lets the documentation publish the
built-in rubrics and check that the published pages match the data.

*lang* chooses the language of the rubric's titles: ``"vi"`` or ``"en"``, and
for Markdown also ``"both"`` (a column for each).  The plain-text table has
every word in *lang* (from :mod:`kol_trust.words`, numbers with a decimal
comma in Vietnamese); the Markdown document, written for the documentation,
keeps its labels and prose in English.

Shares are computed as the engine computes them (STANDARD §4.2) for a subject
to whom every criterion applies: a pillar's share is its weight over the sum of
the pillar weights, a criterion's share *in its pillar* its weight over the sum
of its pillar's criterion weights, and its *overall* share the product of the
two.  A subject to whom some criterion does not apply gets other shares.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from ..canonical import rubric_digest
from ..checks import describe, json_string
from ..engine import compile_rubric
from ..model import Measure, Text
from ..numbers import localized
from ..rubric import (
    AppliesTo,
    Condition,
    Criterion,
    CriterionBelow,
    IncidentCondition,
    Missing,
    Penalties,
    PillarBelow,
    Rubric,
)
from ..tables import text_table
from ..words import category, word

__all__ = [
    "condition_text",
    "criterion_shares",
    "markdown_escape",
    "pillar_shares",
    "rubric_markdown",
    "rubric_table",
]

_LANGS: dict[str, tuple[str, ...]] = {"vi": ("vi",), "en": ("en",), "both": ("vi", "en")}
_LANG_HEADERS = {"vi": "Tiếng Việt", "en": "English"}


# -- numbers ----------------------------------------------------------------------------


def pillar_shares(rubric: Rubric) -> dict[str, float]:
    """Each pillar's share of the overall score (0–1), by pillar id.

    The shares the engine uses for a subject to whom every criterion applies.
    """
    shares = compile_rubric(rubric).nominal_shares()
    return {p.id: shares.p[j] for j, p in enumerate(rubric.pillars)}


def criterion_shares(rubric: Rubric) -> dict[str, tuple[float, float]]:
    """Each criterion's ``(share in its pillar, overall share)`` (0–1), by criterion id.

    The shares the engine uses for a subject to whom every criterion applies;
    the overall shares sum to 1.
    """
    shares = compile_rubric(rubric).nominal_shares()
    return {cr.id: (shares.q[i], shares.g[i]) for i, cr in enumerate(rubric.criteria)}


def _num(x: float) -> str:
    """A number as the rubric author wrote it: ``5``, ``0.25``, ``1e-05``."""
    if math.isfinite(x) and float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x))


def _n(x: float, lang: str = "en") -> str:
    """A number as the author wrote it, with a decimal comma in Vietnamese."""
    return localized(_num(x), lang)


def _pct(share: float, lang: str = "en") -> str:
    return localized(f"{100 * share:.1f} %", lang)


def _days(n: float, lang: str = "en") -> str:
    return word("show.day" if n == 1 else "show.days", lang, n=_n(n, lang))


def _plain(text: str) -> str:
    return text


def _code(text: str) -> str:
    return f"`{text}`"


def _penalties(p: Penalties, lang: str = "en") -> str:
    return ", ".join(
        f"{word('severity.' + name, lang)} {_n(getattr(p, name), lang)}"
        for name in ("minor", "moderate", "serious", "critical")
    )


# -- words ------------------------------------------------------------------------------


def condition_text(when: Condition, *, code: bool = False, lang: str = "en") -> str:
    """A gate's ``when`` in words of *lang* (``"en"`` or ``"vi"``); *code* puts ids in Markdown code spans."""
    q = _code if code else _plain
    if isinstance(when, IncidentCondition):
        if when.criteria:
            where = f" {word('show.or', lang)} ".join(q(cid) for cid in when.criteria)
        else:
            where = word("show.any_incidents", lang)
        severity = word(f"severity.{when.min_severity.value}", lang)
        what = severity if when.min_severity.value == "critical" else word("show.or_worse", lang, severity=severity)
        return word("show.when_incident", lang, what=what, where=where, days=_days(when.within_days, lang))
    if isinstance(when, CriterionBelow):
        return word("show.when_criterion_below", lang, criterion=q(when.criterion), below=_n(when.below, lang))
    if isinstance(when, PillarBelow):
        return word("show.when_pillar_below", lang, pillar=q(when.pillar), below=_n(when.below, lang))
    if isinstance(when, Missing):
        return word("show.when_missing", lang, criterion=q(when.criterion))
    raise TypeError(f"not a gate condition: {when!r}")  # pragma: no cover


def _applies_to(a: AppliesTo | None, q: Callable[[str], str], lang: str) -> str:
    if a is None:
        return word("show.every_subject", lang)
    parts = []
    if a.kinds is not None:
        parts.append(word("show.kinds", lang, kinds=", ".join(q(k.value) for k in a.kinds)))
    if a.categories is not None:
        names = (
            q(c) if lang == "en" or category(c, lang) == c else f"{category(c, lang)} ({q(c)})" for c in a.categories
        )
        parts.append(word("show.categories", lang, categories=", ".join(names)))
    return "; ".join(parts)


def _sources(cr: Criterion, q: Callable[[str], str], lang: str) -> str:
    return word("show.all", lang) if cr.accepted_sources is None else ", ".join(q(s) for s in cr.accepted_sources)


def _scoring(cr: Criterion, lang: str) -> str:
    if cr.measure is Measure.PROPORTION:
        return word("show.prior_weight", lang, prior=_n(cr.prior or 0, lang), weight=_n(cr.prior_weight or 0, lang))
    if cr.measure is Measure.ATTESTATION:
        return word("show.prior", lang, prior=_n(cr.prior or 0, lang))
    if cr.penalties is None:
        return word("show.policy_penalties", lang)
    return word("show.penalties_list", lang, list=_penalties(cr.penalties, lang))


def _max_age(cr: Criterion, rubric: Rubric, lang: str) -> str:
    if cr.max_age_days is None:
        return word("show.policy_age", lang, age=_days(rubric.policy.max_age_days, lang))
    return _days(cr.max_age_days, lang)


def _half_life(cr: Criterion, lang: str) -> str:
    return word("show.none", lang) if cr.half_life_days is None else _days(cr.half_life_days, lang)


def _yes(flag: bool, lang: str) -> str:
    return word("show.yes" if flag else "show.no", lang)


def _opt(x: float | None, lang: str) -> str:
    return "—" if x is None else _n(x, lang)


# -- the sections, as rows --------------------------------------------------------------
#
# Both formats render the same rows; *q* marks ids (code spans in Markdown),
# *esc* escapes human text, and a title becomes one cell per language.
# *words* is the language of the labels and numbers around the titles.

Row = list[str]


class _Sections:
    def __init__(
        self,
        rubric: Rubric,
        langs: tuple[str, ...],
        q: Callable[[str], str],
        esc: Callable[[str], str],
        words: str = "en",
    ) -> None:
        self.r = rubric
        self.langs = langs
        self.q = q
        self.esc = esc
        self.lang = words
        self.pillar_share = pillar_shares(rubric)
        self.criterion_share = criterion_shares(rubric)

    def w(self, key: str) -> str:
        return word(f"show.{key}", self.lang)

    def n(self, x: float) -> str:
        return _n(x, self.lang)

    def pct(self, share: float) -> str:
        return _pct(share, self.lang)

    def titles(self, text: Text) -> Row:
        return [self.esc(text(lang)) for lang in self.langs]

    def title_headers(self) -> Row:
        return [_LANG_HEADERS[lang] for lang in self.langs] if len(self.langs) > 1 else [self.w("title")]

    def title_line(self, text: Text) -> str:
        return " / ".join(self.esc(text(lang)) for lang in self.langs)

    def overview(self) -> list[Row]:
        r = self.r
        return [
            [self.w("id"), self.q(r.id)],
            [self.w("version"), self.q(r.version)],
            *(
                [[f"{self.w('title')} ({_LANG_HEADERS[lang]})", self.esc(r.title(lang))] for lang in self.langs]
                if len(self.langs) > 1
                else [[self.w("title"), self.esc(r.title(self.langs[0]))]]
            ),
            [self.w("algorithm"), str(r.algorithm)],
            [self.w("in_force_from"), r.effective_from.isoformat()],
            [self.w("digest"), self.q(rubric_digest(r))],
        ]

    def pillars(self) -> list[Row]:
        r = self.r
        rows = [[self.w("pillar"), *self.title_headers(), self.w("weight"), self.w("share"), self.w("criteria")]]
        for p in r.pillars:
            n = sum(1 for cr in r.criteria if cr.pillar == p.id)
            share = self.pct(self.pillar_share[p.id])
            rows.append([self.q(p.id), *self.titles(p.title), self.n(p.weight), share, str(n)])
        total = math.fsum(p.weight for p in r.pillars)
        rows.append(
            [
                self.w("total"),
                *([""] * len(self.langs)),
                self.n(total),
                self.pct(math.fsum(self.pillar_share.values())),
                str(len(r.criteria)),
            ]
        )
        return rows

    def criteria(self, pillar_id: str) -> list[Row]:
        head = [self.w("weight"), self.w("in_pillar"), self.w("overall"), self.w("measure")]
        rows = [[self.w("criterion"), *self.title_headers(), *head]]
        for cr in self.r.criteria:
            if cr.pillar == pillar_id:
                q_share, g_share = self.criterion_share[cr.id]
                rows.append(
                    [
                        self.q(cr.id),
                        *self.titles(cr.title),
                        self.n(cr.weight),
                        self.pct(q_share),
                        self.pct(g_share),
                        word(f"measure.{cr.measure.value}", self.lang),
                    ]
                )
        return rows

    def descriptions(self, pillar_id: str) -> list[Row]:
        headers = ["Mô tả", "Description"] if len(self.langs) > 1 else [self.w("description")]
        rows = [[self.w("criterion"), *headers]]
        for cr in self.r.criteria:
            if cr.pillar == pillar_id and cr.description is not None:
                rows.append([self.q(cr.id), *self.titles(cr.description)])
        return rows

    def rules(self) -> list[Row]:
        keys = ("criterion", "half_life", "max_age", "sources", "applies_to", "scoring")
        rows = [[self.w(k) for k in keys]]
        for cr in self.r.criteria:
            rows.append(
                [
                    self.q(cr.id),
                    _half_life(cr, self.lang),
                    _max_age(cr, self.r, self.lang),
                    _sources(cr, self.q, self.lang),
                    _applies_to(cr.applies_to, self.q, self.lang),
                    _scoring(cr, self.lang),
                ]
            )
        return rows

    def gates(self) -> list[Row]:
        rows = [[self.w("gate"), *self.title_headers(), self.w("when"), self.w("cap"), self.w("disqualifies")]]
        for g in self.r.gates:
            rows.append(
                [
                    self.q(g.id),
                    *self.titles(g.title),
                    condition_text(g.when, code=self.q is _code, lang=self.lang),
                    _opt(g.cap, self.lang),
                    _yes(g.disqualify, self.lang),
                ]
            )
        return rows

    def tiers(self) -> list[Row]:
        head = [self.w("min_score"), self.w("min_pillar_score"), self.w("min_coverage"), self.w("certified")]
        rows = [[self.w("tier"), *self.title_headers(), *head]]
        for t in self.r.tiers:
            rows.append(
                [
                    self.q(t.id),
                    *self.titles(t.title),
                    self.n(t.min_score),
                    _opt(t.min_pillar_score, self.lang),
                    _opt(t.min_coverage, self.lang),
                    _yes(t.certified, self.lang),
                ]
            )
        return rows

    def sources(self) -> list[Row]:
        rows = [[self.w("source"), *self.title_headers(), self.w("reliability")]]
        for s in self.r.sources:
            rows.append([self.q(s.id), *self.titles(s.title), self.n(s.reliability)])
        return rows

    def policy(self) -> list[Row]:
        p, lang = self.r.policy, self.lang
        return [
            [self.w("setting"), self.w("value")],
            [self.w("disputed_weight"), self.n(p.disputed_weight)],
            [self.w("max_age"), _days(p.max_age_days, lang)],
            [self.w("max_reasons"), str(p.max_reasons)],
            [self.w("penalties"), _penalties(p.penalties, lang)],
            [self.w("certificate_validity"), _days(p.certificate_validity_days, lang)],
        ]


def _langs(lang: str, allowed: Sequence[str]) -> tuple[str, ...]:
    if lang not in allowed:
        raise ValueError(f"unknown language {describe(lang)}: use {' or '.join(map(json_string, allowed))}")
    return _LANGS[lang]


# -- plain text -------------------------------------------------------------------------


def rubric_table(rubric: Rubric, lang: str = "en", *, width: int | None = None) -> str:
    """*rubric* as plain-text tables, every word in *lang* (``"vi"`` or ``"en"``).

    With *width* (a terminal's columns), tables wider than that wrap their
    widest columns' text onto more lines; without it, nothing wraps.
    """
    s = _Sections(rubric, _langs(lang, ("vi", "en")), _plain, _plain, words=lang)
    out = [word("show.heading", lang, id=rubric.id, version=rubric.version, title=rubric.title(lang))]
    wanted = {s.w("algorithm"), s.w("in_force_from"), s.w("digest")}
    out += text_table([row for row in s.overview() if row[0] in wanted], "  ")

    def section(key: str, rows: list[Row]) -> None:
        out.extend(["", s.w(key), *text_table(rows, "  ", width)])

    section("pillars_heading", s.pillars())
    out += ["", s.w("criteria_heading")]
    for p in rubric.pillars:
        heading = f"  {p.id}: {p.title(lang)} ({s.pct(s.pillar_share[p.id])})"
        out += ["", heading, *text_table(s.criteria(p.id), "    ", width)]
    section("rules_heading", s.rules())
    section("gates_heading", s.gates() if rubric.gates else [[s.w("none")]])
    section("tiers_heading", s.tiers())
    section("sources_heading", s.sources())
    section("policy_heading", s.policy())
    return "\n".join(out) + "\n"


# -- Markdown ---------------------------------------------------------------------------

_MD_SPECIAL = frozenset("\\`*_[]<>|&$#{}~")


def markdown_escape(text: str) -> str:
    """*text* as literal Markdown text on one line: punctuation that means something is escaped."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in " ".join(text.split()))


def _md_table(rows: list[Row]) -> list[str]:
    def line(cells: Row) -> str:
        return "| " + " | ".join(cell or " " for cell in cells) + " |"

    return [line(rows[0]), line(["---"] * len(rows[0])), *(line(row) for row in rows[1:])]


def rubric_markdown(rubric: Rubric, lang: str = "en", *, heading_level: int = 1) -> str:
    """*rubric* as a Markdown document (CommonMark with GFM tables).

    *lang* is ``"vi"``, ``"en"`` or ``"both"`` (a column for each language);
    *heading_level* is the level of the document's first heading (1–4).
    """
    langs = _langs(lang, ("vi", "en", "both"))
    if not 1 <= heading_level <= 4:
        raise ValueError(f"heading_level must be 1 to 4, got {heading_level}")
    words = "vi" if lang == "vi" else "en"  # "both" (the documentation's pages) in English words
    s = _Sections(rubric, langs, _code, markdown_escape, words)

    def say(key: str) -> list[str]:  # a paragraph
        return [s.w(key), ""]

    def h(level: int, text: str) -> list[str]:
        return ["#" * (heading_level + level) + " " + text, ""]

    out = h(0, f"{rubric.id} {rubric.version}: {s.title_line(rubric.title)}")
    out += [*_md_table([[s.w("md_field"), s.w("value")], *s.overview()]), ""]

    out += h(1, s.w("pillars_heading"))
    out += say("md_pillars")
    out += [*_md_table(s.pillars()), ""]

    out += h(1, s.w("md_criteria_heading"))
    out += say("md_criteria")
    for p in rubric.pillars:
        out += h(2, f"{s.title_line(p.title)} ({_code(p.id)}, {s.pct(s.pillar_share[p.id])})")
        out += [*_md_table(s.criteria(p.id)), ""]
        descriptions = s.descriptions(p.id)
        if len(descriptions) > 1:
            out += [*_md_table(descriptions), ""]

    out += h(1, s.w("rules_heading"))
    out += say("md_rules")
    out += [*_md_table(s.rules()), ""]

    out += h(1, s.w("gates_heading"))
    if rubric.gates:
        out += say("md_gates")
        out += [*_md_table(s.gates()), ""]
    else:
        out += say("md_no_gates")

    out += h(1, s.w("md_tiers_heading"))
    out += say("md_tiers")
    out += [*_md_table(s.tiers()), ""]

    out += h(1, s.w("sources_heading"))
    out += say("md_sources")
    out += [*_md_table(s.sources()), ""]

    out += h(1, s.w("policy_heading"))
    out += [*_md_table(s.policy())]
    return "\n".join(out) + "\n"
