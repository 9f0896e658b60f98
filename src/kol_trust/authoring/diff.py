"""What changed between two versions of a rubric, and which version bump it needs.

:func:`diff_rubrics` compares two rubrics with the same id field by field,
records by id (not by position), and classifies every change:

``patch``
    Only human texts differ (``title``, ``description`` of anything).
``minor``
    The change leaves every case's ``score``, ``raw_score``, ``tier``,
    ``certified`` and ``gates`` as they were: ``effective_from``,
    ``policy.certificate_validity_days``, ``policy.max_reasons``, a new
    source that no criterion accepts (a criterion without
    ``accepted_sources`` accepts every source, so a new source is then a
    major change), the order of sources, and the order of the ids in a list
    that is read as a set (``accepted_sources``, ``applies_to.kinds``,
    ``applies_to.categories``, an incident gate's ``criteria``).
``major``
    Anything else: weights, priors, half-lives, age limits, accepted
    sources, applicability, penalties, reliabilities, gates, tiers,
    ``algorithm``, added or removed criteria, pillars, gates and tiers, a
    removed source, and the order of pillars, criteria, gates or tiers (the
    tier is the first one met; the assessment lists pillars, criteria and
    gates in rubric order).

The version bump the rubrics declare is read from their semantic versions
and checked against the bump the changes require (:attr:`RubricDiff.ok`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import attrs

from ..assessment import RubricRef
from ..canonical import not_in_document
from ..checks import json_string
from ..errors import KolTrustError
from ..model import Text
from ..numbers import shown
from ..rubric import Rubric, Source
from ..wire import rubric_digest, to_dict
from ..words import Phrase, Piece, check_lang, word
from . import show

__all__ = [
    "Bump",
    "Change",
    "ChangeKind",
    "DeclaredBump",
    "RequiredBump",
    "RubricDiff",
    "bump_ok",
    "declared_bump",
    "diff_rubrics",
    "global_shares",
    "pillar_shares",
]

Bump = Literal["major", "minor", "patch"]
"""How far one change requires the version to move."""
RequiredBump = Literal["major", "minor", "patch", "none"]
"""The bump all changes together require (``"none"``: the rubrics are equal)."""
DeclaredBump = Literal["major", "minor", "patch", "none", "downgrade"]
"""What the versions say: the part that was raised, ``"none"`` when equal,
``"downgrade"`` when the new version is lower."""
ChangeKind = Literal["added", "removed", "changed"]

_RANK: dict[str, int] = {"none": 0, "patch": 1, "minor": 2, "major": 3}


@attrs.frozen
class Change:
    """One difference between two rubrics."""

    path: str
    """JSON-path-like place of the change, records keyed by id:
    ``$.criteria[T01].weight``, ``$.gates[G-FALSE-AD].when.below``,
    ``$.tiers[trusted]``.  A path naming a whole list (``$.criteria``) is a
    change of the order of its records."""
    kind: ChangeKind = attrs.field(validator=attrs.validators.in_(("added", "removed", "changed")))
    old: Any
    """The old value as a JSON-ready document (``None`` when added)."""
    new: Any
    """The new value as a JSON-ready document (``None`` when removed)."""
    bump: Bump = attrs.field(validator=attrs.validators.in_(("major", "minor", "patch")))
    note: str
    """What the change means, in one short sentence, in English."""
    old_share: float | None = None
    """Weights: the global share before, in % (criteria: pillar share ×
    share within the pillar, as if every criterion applied; pillars: the
    pillar's share), rounded to 4 decimals; else ``None``."""
    new_share: float | None = None
    """Weights: the global share after, in % (see :attr:`old_share`)."""
    phrase: Phrase | None = not_in_document(default=None, kw_only=True)
    """The note in the catalogue's words (:mod:`kol_trust.words`), for :meth:`text`; not in the change's document."""

    def text(self, lang: str) -> str:
        """The note in *lang* (``"vi"`` or ``"en"``); in English it is :attr:`note`."""
        check_lang(lang)
        return self.note if self.phrase is None else self.phrase.text(lang)


@attrs.frozen
class RubricDiff:
    """Every change from one rubric version to the next and the bump they need."""

    old: RubricRef
    new: RubricRef
    changes: tuple[Change, ...]
    required_bump: RequiredBump
    """The largest bump of the changes; ``"none"`` when there is none."""
    declared_bump: DeclaredBump
    """The bump the versions declare (``old.version`` → ``new.version``)."""
    ok: bool
    """Whether the declared bump is at least the required one.  A downgrade
    is never ok; an unchanged version only when nothing changed."""

    def by_bump(self, bump: Bump) -> tuple[Change, ...]:
        """The changes that require *bump*."""
        return tuple(c for c in self.changes if c.bump == bump)

    @property
    def verdict(self) -> str:
        """One line: required and declared bump, and whether that is OK (in English; :meth:`verdict_text`)."""
        return self.verdict_text("en")

    def _verdict_detail(self, lang: str) -> str:
        """The verdict after its ``OK:`` or ``NOT OK:``."""
        values = {
            "required": _bump(self.required_bump, lang),
            "declared": _bump(self.declared_bump, lang),
            "versions": f"{self.old.version} → {self.new.version}",
        }
        if self.ok:
            return word("diff.verdict_ok", lang, **values)
        if self.declared_bump == "downgrade":
            why = word("diff.why_downgrade", lang)
        elif self.declared_bump == "none":
            why = word("diff.why_unchanged", lang)
        else:
            why = word("diff.why_more", lang, required=_bump(self.required_bump, lang))
        return word("diff.verdict_not_ok", lang, why=why, **values)

    def verdict_text(self, lang: str) -> str:
        """:attr:`verdict` in *lang* (``"vi"`` or ``"en"``)."""
        check_lang(lang)
        return f"{word('diff.ok' if self.ok else 'diff.not_ok', lang)}: {self._verdict_detail(lang)}"

    def format_table(self, lang: str = "en") -> str:
        """A plain-text report: one line per change, then the verdict; every word in *lang*."""
        check_lang(lang)
        lines = [
            word("diff.heading", lang, id=self.old.id, old=self.old.version, new=self.new.version),
            f"  {word('diff.old', lang)} {self.old.digest}",
            f"  {word('diff.new', lang)} {self.new.digest}",
            "",
        ]
        if self.changes:
            rows = [[word(f"diff.{key}", lang) for key in ("bump", "kind", "path", "change")]]
            rows += [[_bump(c.bump, lang), _kind(c.kind, lang), c.path, _change_text(c, lang)] for c in self.changes]
            widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
            indent = " " * (widths[0] + widths[1] + 4)
            for i, row in enumerate(rows):
                lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
                if i:
                    lines.append(f"{indent}{self.changes[i - 1].text(lang)}")
        else:
            lines.append(word("diff.no_changes", lang))
        bumps: tuple[Bump, ...] = ("major", "minor", "patch")
        counts = ", ".join(f"{n} {_bump(b, lang)}" for b in bumps if (n := len(self.by_bump(b))))
        lines += ["", word("diff.changes", lang, n=len(self.changes)) + (f" ({counts})" if counts else "")]
        lines += [
            word("diff.required", lang, bump=_bump(self.required_bump, lang)),
            word("diff.declared", lang, bump=_bump(self.declared_bump, lang)),
            self.verdict_text(lang),
        ]
        return "\n".join(lines) + "\n"

    def format_markdown(self, lang: str = "en") -> str:
        """A Markdown report (for a pull request or a changelog); every word in *lang*."""
        check_lang(lang)
        lines = [
            word("diff.md_heading", lang, id=f"`{self.old.id}`", old=self.old.version, new=self.new.version),
            "",
            f"- {word('diff.old_digest', lang)}: `{self.old.digest}`",
            f"- {word('diff.new_digest', lang)}: `{self.new.digest}`",
            f"- {word('diff.required_label', lang)}: **{_bump(self.required_bump, lang)}**",
            f"- {word('diff.declared_label', lang)}: **{_bump(self.declared_bump, lang)}**",
            f"- **{word('diff.ok' if self.ok else 'diff.not_ok', lang)}**: {self._verdict_detail(lang)}",
            "",
        ]
        if not self.changes:
            lines.append(word("diff.no_changes", lang))
        else:
            head = [word(f"diff.{key}", lang) for key in ("bump", "kind", "path", "change", "note")]
            lines += ["| " + " | ".join(head) + " |", "| --- | --- | --- | --- | --- |"]
            for c in self.changes:
                cells = [_bump(c.bump, lang), _kind(c.kind, lang), f"`{c.path}`"]
                cells += [_md(_change_text(c, lang)), _md(c.text(lang))]
                lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"


# -- rendering helpers -------------------------------------------------------------


def _show(value: Any, limit: int = 60) -> str:
    """A value in one short line of JSON."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _share(value: float | None, lang: str) -> str:
    return "—" if value is None else shown(value, ".2f", lang) + " %"


def _bump(bump: str, lang: str) -> str:
    """A bump (``major``…, ``none``, ``downgrade``) in *lang*."""
    return word(f"diff.bump.{bump}", lang)


def _kind(kind: str, lang: str) -> str:
    """A change's kind (``added``, ``removed``, ``changed``) in *lang*."""
    return word(f"diff.kind.{kind}", lang)


def _change_text(c: Change, lang: str) -> str:
    if c.kind == "added":
        text = f"+ {_show(c.new)}"
    elif c.kind == "removed":
        text = f"- {_show(c.old)}"
    else:
        text = f"{_show(c.old)} → {_show(c.new)}"
    if c.old_share is not None or c.new_share is not None:
        text += " " + word("diff.share", lang, old=_share(c.old_share, lang), new=_share(c.new_share, lang))
    return text


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


# -- the rules -----------------------------------------------------------------------

#: Field patterns (paths with ids taken out) whose changes are minor.
_MINOR: dict[str, str] = {
    "effective_from": "diff.note.effective_from",
    "policy.max_reasons": "diff.note.policy_max_reasons",
    "policy.certificate_validity_days": "diff.note.policy_certificate_validity_days",
}

#: Lists whose order means nothing: an order-only change of one is minor.
_SETS: frozenset[str] = frozenset(
    {
        "criteria[].accepted_sources",
        "criteria[].applies_to.kinds",
        "criteria[].applies_to.categories",
        "gates[].when.criteria",
    }
)

#: Notes of the major changes, by field pattern.
_MAJOR: dict[str, str] = {
    "algorithm": "diff.note.algorithm",
    "policy.disputed_weight": "diff.note.policy_disputed_weight",
    "policy.max_age_days": "diff.note.policy_max_age_days",
    "policy.penalties": "diff.note.policy_penalties",
    "sources[].reliability": "diff.note.sources_reliability",
    "pillars[].weight": "diff.note.pillars_weight",
    "criteria[].pillar": "diff.note.criteria_pillar",
    "criteria[].weight": "diff.note.criteria_weight",
    "criteria[].measure": "diff.note.criteria_measure",
    "criteria[].half_life_days": "diff.note.criteria_half_life_days",
    "criteria[].max_age_days": "diff.note.criteria_max_age_days",
    "criteria[].accepted_sources": "diff.note.criteria_accepted_sources",
    "criteria[].applies_to": "diff.note.criteria_applies_to",
    "criteria[].prior": "diff.note.criteria_prior",
    "criteria[].prior_weight": "diff.note.criteria_prior_weight",
    "criteria[].penalties": "diff.note.criteria_penalties",
    "gates[].when": "diff.note.gates_when",
    "gates[].cap": "diff.note.gates_cap",
    "gates[].disqualify": "diff.note.gates_disqualify",
    "tiers[].min_score": "diff.note.tiers_min_score",
    "tiers[].min_pillar_score": "diff.note.tiers_min_pillar_score",
    "tiers[].min_coverage": "diff.note.tiers_min_coverage",
    "tiers[].certified": "diff.note.tiers_certified",
}

_RECORD_NAMES = {"sources": "source", "pillars": "pillar", "criteria": "criterion", "gates": "gate", "tiers": "tier"}
#: The catalogue's name of each kind of record, and of one at the start of a sentence.
_RECORD_WORDS = {
    name: (Phrase.of(f"diff.record.{what}"), Phrase.of(f"diff.record_start.{what}"))
    for name, what in (*_RECORD_NAMES.items(), ("rubric", "rubric"))
}

_ORDER_NOTES: dict[str, tuple[Bump, str]] = {
    "sources": ("minor", "diff.note.order_sources"),
    "pillars": ("major", "diff.note.order_pillars"),
    "criteria": ("major", "diff.note.order_criteria"),
    "gates": ("major", "diff.note.order_gates"),
    "tiers": ("major", "diff.note.order_tiers"),
}


def _major_note(pattern: str) -> str:
    """The catalogue key of the note of a major change: the most specific known pattern's."""
    key = pattern
    while key:
        if key in _MAJOR:
            return _MAJOR[key]
        key = key.rpartition(".")[0]
    return "diff.note.other"


def _pct(fraction: float) -> float:
    return round(100 * fraction, 4)


def pillar_shares(rubric: Rubric) -> dict[str, float]:
    """Each pillar's share of the score, in % (4 decimals)."""
    return {pid: _pct(share) for pid, share in show.pillar_shares(rubric).items()}


def global_shares(rubric: Rubric) -> dict[str, float]:
    """Each criterion's global share in % (4 decimals), as if every criterion applied
    (STANDARD §4.2: pillar share × share within the pillar)."""
    return {cid: _pct(g) for cid, (_, g) in show.criterion_shares(rubric).items()}


def _parse_version(version: str) -> tuple[int, int, int]:
    major, minor, patch = (int(part) for part in version.split("."))
    return major, minor, patch


def declared_bump(old_version: str, new_version: str) -> DeclaredBump:
    """The bump from *old_version* to *new_version* (``MAJOR.MINOR.PATCH``)."""
    old, new = _parse_version(old_version), _parse_version(new_version)
    if new < old:
        return "downgrade"
    if new == old:
        return "none"
    if new[0] > old[0]:
        return "major"
    if new[1] > old[1]:
        return "minor"
    return "patch"


def bump_ok(required: RequiredBump, declared: DeclaredBump) -> bool:
    """Whether *declared* covers *required* (a downgrade never does)."""
    if declared == "downgrade":
        return False
    return _RANK[declared] >= _RANK[required]


# -- the comparison -----------------------------------------------------------------


class _Differ:
    def __init__(self, old: Rubric, new: Rubric) -> None:
        self.old_rubric = old
        self.new_rubric = new
        self.changes: list[Change] = []
        self._shares: dict[tuple[str, bool], dict[str, float]] = {}

    def shares(self, what: str, is_new: bool) -> dict[str, float]:
        """Pillar or criterion shares in % of the old or new rubric (cached)."""
        key = (what, is_new)
        if key not in self._shares:
            fn = pillar_shares if what == "pillars" else global_shares
            self._shares[key] = fn(self.new_rubric if is_new else self.old_rubric)
        return self._shares[key]

    def add(
        self,
        path: str,
        kind: ChangeKind,
        old: Any,
        new: Any,
        bump: Bump,
        note: Phrase,
        shares: tuple[float | None, float | None] = (None, None),
    ) -> None:
        self.changes.append(
            Change(
                path=path,
                kind=kind,
                old=None if old is None else to_dict(old),
                new=None if new is None else to_dict(new),
                bump=bump,
                note=note.text("en"),
                old_share=shares[0],
                new_share=shares[1],
                phrase=note,
            )
        )

    # -- values

    def value(self, path: str, pattern: str, old: Any, new: Any, what: str) -> None:
        """Compare one field's values; *what* names its record for texts (a key of ``_RECORD_WORDS``)."""
        if old == new:
            return
        kind: ChangeKind = "added" if old is None else "removed" if new is None else "changed"
        if isinstance(old, Text) or isinstance(new, Text):
            self.text(path, pattern, old, new, kind, what)
        elif old is not None and new is not None and type(old) is type(new) and attrs.has(type(old)):
            for field in attrs.fields(type(old)):
                if field.init:
                    name = field.name
                    self.value(f"{path}.{name}", f"{pattern}.{name}", getattr(old, name), getattr(new, name), what)
        elif pattern in _MINOR:
            self.add(path, kind, old, new, "minor", Phrase.of(_MINOR[pattern]))
        elif (
            pattern in _SETS
            and isinstance(old, tuple)
            and isinstance(new, tuple)
            and sorted(old) == sorted(new)
            and len(set(old)) == len(old)
        ):
            self.add(path, kind, old, new, "minor", Phrase.of("diff.note.set_order"))
        else:
            self.add(path, kind, old, new, "major", Phrase.of(_major_note(pattern)), self.field_shares(pattern, path))

    def text(self, path: str, pattern: str, old: Text | None, new: Text | None, kind: ChangeKind, what: str) -> None:
        record, record_start = _RECORD_WORDS[what]
        field = Phrase.of(f"diff.field.{pattern.rpartition('.')[2]}")
        if old is None or new is None:
            key = "diff.note.text_added" if kind == "added" else "diff.note.text_removed"
            self.add(path, kind, old, new, "patch", Phrase.of(key, what=record_start, field=field))
            return
        for lang in ("vi", "en"):
            a, b = getattr(old, lang), getattr(new, lang)
            if a != b:
                note = Phrase.of(
                    "diff.note.reworded", language=Phrase.of(f"diff.language.{lang}"), field=field, what=record
                )
                self.add(f"{path}.{lang}", "changed", a, b, "patch", note)

    def field_shares(self, pattern: str, path: str) -> tuple[float | None, float | None]:
        """Old and new shares of the record a weight-like change is about."""
        if pattern in ("criteria[].weight", "criteria[].pillar"):
            ident = path.split("[", 1)[1].split("]", 1)[0]
            return self.record_shares("criteria", ident)
        if pattern == "pillars[].weight":
            ident = path.split("[", 1)[1].split("]", 1)[0]
            return self.record_shares("pillars", ident)
        return (None, None)

    def record_shares(self, name: str, ident: str) -> tuple[float | None, float | None]:
        if name not in ("criteria", "pillars"):
            return (None, None)
        return (
            self.shares(name, False).get(ident),
            self.shares(name, True).get(ident),
        )

    # -- records

    def records(self, name: str, old: Sequence[Any], new: Sequence[Any]) -> None:
        """Compare two lists of records with ids: order, removals, additions, fields."""
        record, record_start = _RECORD_WORDS[name]
        old_by = {x.id: x for x in old}
        new_by = {x.id: x for x in new}
        old_order = [x.id for x in old if x.id in new_by]
        new_order = [x.id for x in new if x.id in old_by]
        if old_order != new_order:
            bump, key = _ORDER_NOTES[name]
            self.add(f"$.{name}", "changed", [x.id for x in old], [x.id for x in new], bump, Phrase.of(key))
        for x in old:
            if x.id not in new_by:
                self.add(
                    f"$.{name}[{x.id}]",
                    "removed",
                    x,
                    None,
                    "major",
                    Phrase.of("diff.note.removed", what=record_start),
                    self.record_shares(name, x.id),
                )
        for x in new:
            path = f"$.{name}[{x.id}]"
            if x.id not in old_by:
                if isinstance(x, Source):
                    self.added_source(path, x)
                else:
                    note = Phrase.of("diff.note.new", what=record)
                    self.add(path, "added", None, x, "major", note, self.record_shares(name, x.id))
                continue
            before = old_by[x.id]
            for field in attrs.fields(type(x)):
                if field.init and field.name != "id":
                    self.value(
                        f"{path}.{field.name}",
                        f"{name}[].{field.name}",
                        getattr(before, field.name),
                        getattr(x, field.name),
                        name,
                    )

    def added_source(self, path: str, source: Source) -> None:
        accepting = [
            cr.id for cr in self.new_rubric.criteria if cr.accepted_sources is None or source.id in cr.accepted_sources
        ]
        if not accepting:
            self.add(path, "added", None, source, "minor", Phrase.of("diff.note.source_unused"))
            return
        shown: Piece = ", ".join(accepting[:5])
        if len(accepting) > 5:
            shown = Phrase.of("diff.and_more", items=shown, n=str(len(accepting) - 5))
        self.add(path, "added", None, source, "major", Phrase.of("diff.note.source_accepted", criteria=shown))


def _record_lists(rubric: Rubric) -> Iterable[str]:
    return (f.name for f in attrs.fields(Rubric) if f.init and f.name in _RECORD_NAMES)


def _field_order() -> list[str]:
    """The compared fields of a rubric, in the order of its JSON document
    (``policy`` before the lists); ``id`` and ``version`` are not changes."""
    names = [f.name for f in attrs.fields(Rubric) if f.init and f.name not in ("id", "version")]
    if "policy" in names and "sources" in names:
        names.remove("policy")
        names.insert(names.index("sources"), "policy")
    return names


def diff_rubrics(old: Rubric, new: Rubric) -> RubricDiff:
    """Every change from *old* to *new* and the version bump they require.

    The rubrics must have the same id (:class:`~kol_trust.KolTrustError`
    otherwise).  Changes are listed in the order of the rubric document:
    records by id, each record's fields in their order.
    """
    if old.id != new.id:
        raise KolTrustError(
            f"rubrics have different ids: {json_string(old.id)} and {json_string(new.id)}; "
            "only versions of one rubric compare"
        )
    differ = _Differ(old, new)
    lists = set(_record_lists(new))
    for name in _field_order():
        if name in lists:
            differ.records(name, getattr(old, name), getattr(new, name))
        else:
            differ.value(f"$.{name}", name, getattr(old, name), getattr(new, name), "rubric")
    changes = tuple(differ.changes)
    required: RequiredBump = max((c.bump for c in changes), key=lambda b: _RANK[b], default="none")
    declared = declared_bump(old.version, new.version)
    return RubricDiff(
        old=RubricRef(old.id, old.version, rubric_digest(old)),
        new=RubricRef(new.id, new.version, rubric_digest(new)),
        changes=changes,
        required_bump=required,
        declared_bump=declared,
        ok=bump_ok(required, declared),
    )
