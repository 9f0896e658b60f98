"""The catalogue of words (kol_trust/words.json) and the language of every readable output.

The central test renders every readable output — ``assess``, ``demo`` and
``rubric show`` on the command line, the report card, the badge, the
improvement plan and every reason's sentence — in Vietnamese, and fails on any English word of the
catalogue that reached the reader.  Identifiers (subject, pillar, criterion,
gate, tier and source ids, digests, paths) are codes, not words, and are
taken out first.  ``test_the_check_finds_a_planted_english_label`` shows the
check failing when one label is left in English.
"""

from __future__ import annotations

import ast
import html
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

import kol_trust as kt
from kol_trust import words
from kol_trust.cli import main
from kol_trust.cli.assess import example_cases, examples_folder
from kol_trust.credentials import CredentialStatus
from kol_trust.improvement import improvement_plan
from kol_trust.report import render_badge, render_report
from kol_trust.words import catalogue, category, fields, word

SRC = Path(kt.__file__).parent
EXAMPLES = example_cases()
WORD = re.compile(r"[A-Za-zÀ-ỹĐđ]+")


def test_every_entry_has_both_languages_with_the_same_fields() -> None:
    for key, texts in catalogue().items():
        assert set(texts) == {"vi", "en"}, key
        assert texts["vi"].strip() and texts["en"].strip(), key
        assert fields(texts["vi"]) == fields(texts["en"]), key


def test_every_literal_key_in_the_source_is_in_the_catalogue() -> None:
    used = set()
    for path in SRC.rglob("*.py"):
        used |= set(re.findall(r"""\bword\(\s*["']([a-z_.-]+)["']\s*[,)]""", path.read_text(encoding="utf-8")))
        used |= {f"report.{k}" for k in re.findall(r"""\bpage\.(?:w|raw)\(\s*["']([a-z_]+)["']""", path.read_text())}
    assert used, "the pattern found no key: it is wrong"
    assert sorted(used - set(catalogue())) == []


def _source_strings() -> set[str]:
    """Every string constant of the package's source, f-string parts included."""
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


#: Keys built as a prefix of the source and a code: ``"exclusion." + reason.value``,
#: ``f"severity.{name}"``…  The code must be one of these values.
DYNAMIC: dict[str, frozenset[str]] = {
    prefix: frozenset(x.value for x in enum)
    for prefix, enum in (
        ("exclusion.", kt.ExclusionReason),
        ("cause.", kt.Cause),
        ("reason.", kt.Cause),
        ("severity.", kt.Severity),
        ("measure.", kt.Measure),
        ("brand.", kt.SubjectKind),
        ("kind.", kt.SubjectKind),
        ("credential.status.", CredentialStatus),
    )
}


def unused_keys(table: Mapping[str, object], strings: set[str]) -> list[str]:
    """The keys of *table* that nothing in the source (*strings*: its string constants) can build."""

    def used(key: str) -> bool:
        if key in strings:  # word("report.score", …)
            return True
        for suffix in ("_from", "_one"):  # word(f"{key}_from", …), word(f"{key}_one" if n == 1 else key, …)
            if key.endswith(suffix) and f"{suffix}" in strings and used(key.removesuffix(suffix)):
                return True
        prefix, _, rest = key.rpartition(".")
        if f"{prefix}." not in strings:
            return False
        if prefix == "category":  # category(slug): every category the rubrics name
            return True
        if f"{prefix}." in DYNAMIC:
            return rest in DYNAMIC[f"{prefix}."]
        return rest in strings  # page.w("score") → "report.score", self.w("tier") → "show.tier"

    return sorted(key for key in table if not used(key))


def test_every_key_of_the_catalogue_is_used_by_the_source() -> None:
    assert unused_keys(catalogue(), _source_strings()) == []
    # The check can fail: a key nothing builds, and a dynamic key with a code that does not exist.
    planted = {**catalogue(), "report.never_said": {"vi": "x", "en": "x"}, "severity.huge": {"vi": "x", "en": "x"}}
    assert unused_keys(planted, _source_strings()) == ["report.never_said", "severity.huge"]


def test_word_fills_fields_and_refuses_other_languages() -> None:
    assert word("report.score", "vi") == "Điểm"
    assert word("report.cap", "en", cap="50") == "score capped at 50"
    assert category("health", "vi") == "Sức khỏe"
    assert category("street-food", "vi") == "street-food"  # a category the catalogue does not know
    with pytest.raises(ValueError, match="lang must be 'vi' or 'en'"):
        word("report.score", "fr")
    with pytest.raises(KeyError):
        word("no.such.key", "en")


def test_reason_sentences_in_both_languages() -> None:
    case = EXAMPLES[1][1]  # the false-advertising KOL: a gate and criteria
    a = kt.assess_case(case)
    rubric = kt.rubric_for(case)

    texts = [r.text(rubric) for r in a.reasons]

    gate = (
        rubric.gates[0]
        if rubric.gates[0].id == a.reasons[0].code
        else next(g for g in rubric.gates if g.id == a.reasons[0].code)
    )
    assert texts[0].en == f"Gate “{gate.title.en}” ({gate.id}) triggered."
    assert texts[0].vi == f"Điều kiện bắt buộc “{gate.title.vi}” ({gate.id}) không đạt."
    second = a.reasons[1]
    assert second.loss is not None
    assert f"{second.loss:.1f}".replace(".", ",") in texts[1].vi
    assert rubric.criterion(second.code).title.en in texts[1].en
    assert "text" not in kt.to_dict(a)["reasons"][0]  # the wire document is the standard's


# -- nothing untranslated in Vietnamese ---------------------------------------------------------


def english_words(table: Mapping[str, Mapping[str, str]]) -> set[str]:
    """Words of the English texts that no Vietnamese text has (``score``, ``tier``…)."""

    def words_of(text: str) -> list[str]:
        return WORD.findall(re.sub(r"\{[a-z_]+\}|kol-trust", " ", text))  # fields and the command are not words

    en = {w.lower() for t in table.values() for w in words_of(t["en"]) if len(w) >= 3}
    vi = {w.lower() for t in table.values() for w in words_of(t["vi"])}
    return en - vi


def identifiers(case: kt.Case, rubric: kt.Rubric) -> set[str]:
    ids = {case.subject.id, rubric.id, *(e.id for e in case.evidence), *(ch.handle for ch in case.subject.channels)}
    ids |= {x.value for x in kt.ExclusionReason} | {x.value for x in kt.Cause}  # codes shown next to their words
    for records in (rubric.pillars, rubric.criteria, rubric.gates, rubric.tiers, rubric.sources):
        ids |= {r.id for r in records}
    for criterion in rubric.criteria:  # category slugs, shown next to their names
        if criterion.applies_to is not None and criterion.applies_to.categories is not None:
            ids |= set(criterion.applies_to.categories)
    return ids


def untranslated(text: str, ids: set[str], table: Mapping[str, Mapping[str, str]]) -> list[str]:
    """The English words of the catalogue in *text*, once codes and markup are taken out."""
    text = re.sub(r"<style>.*?</style>", " ", text, flags=re.S)
    text = re.sub(r"data:[^\"']+", " ", text)  # the embedded badge (checked on its own)
    text = re.sub(r"</?[a-zA-Z][^>]*?(?:(?:aria-label|alt|title)=\"([^\"]*)\"[^>]*)?>", r" \1 ", text)
    text = html.unescape(text)
    text = re.sub(r"sha256:[0-9a-f]+|/\S+|kol-trust", " ", text)
    for code in sorted(ids, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(code)}(?![\w-])", " ", text)
    english = english_words(table)
    return sorted({w for w in WORD.findall(text) if w.lower() in english})


def vietnamese_outputs(capsys: pytest.CaptureFixture[str]) -> Iterator[tuple[str, str, set[str]]]:
    """(what, text, identifiers) of every readable output in Vietnamese."""
    all_ids: set[str] = set()
    for name, case in EXAMPLES:
        rubric = kt.rubric_for(case)
        a = kt.assess_case(case, rubric=rubric)
        ids = identifiers(case, rubric)
        all_ids |= ids
        path = examples_folder() / f"{name}.json"
        assert main(["assess", str(path), "--lang", "vi"]) == 0
        yield f"assess {name}", capsys.readouterr().out, ids
        yield f"report card {name}", render_report(case, a, rubric, lang="vi"), ids
        yield f"badge {name}", render_badge(a, rubric, lang="vi", kind=case.subject.kind), ids
        yield f"plan {name}", "\n".join(improvement_plan(a, rubric, case=case).lines("vi")), ids
        yield f"reasons {name}", "\n".join(r.text(rubric).vi for r in a.reasons), ids
    assert main(["demo", "--lang", "vi"]) == 0
    yield "demo", capsys.readouterr().out, all_ids
    assert main(["rubric", "show", "1.0.0", "--lang", "vi"]) == 0
    yield "rubric show", capsys.readouterr().out, all_ids
    assert main(["report", str(examples_folder() / f"{EXAMPLES[0][0]}.json"), "--svg", "-", "--lang", "vi"]) == 0
    yield "report --svg", capsys.readouterr().out, all_ids


def test_nothing_reaches_a_vietnamese_reader_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    found = {
        what: bad for what, text, ids in vietnamese_outputs(capsys) if (bad := untranslated(text, ids, catalogue()))
    }
    assert found == {}


def test_the_check_finds_a_planted_english_label(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check can fail: with one Vietnamese label replaced by its English text, it names it."""
    real = catalogue()
    planted = dict(real)
    planted["report.tier"] = {"vi": real["report.tier"]["en"], "en": real["report.tier"]["en"]}
    monkeypatch.setattr(words, "catalogue", lambda: planted)

    found = {what: bad for what, text, ids in vietnamese_outputs(capsys) if (bad := untranslated(text, ids, real))}

    assert found and all(bad == ["Tier"] for bad in found.values())
    assert any(what.startswith("assess") for what in found) and any(what.startswith("report card") for what in found)
    del planted["report.tier"]
    planted["report.tier"] = real["report.tier"]
    planted["show.tier"] = {"vi": "Tier", "en": "Tier"}
    found = {what: bad for what, text, ids in vietnamese_outputs(capsys) if (bad := untranslated(text, ids, real))}
    assert found == {"rubric show": ["Tier"]}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_koc_is_called_a_koc(capsys: pytest.CaptureFixture[str], lang: str) -> None:
    name, case = next((n, c) for n, c in EXAMPLES if c.subject.kind is kt.SubjectKind.KOC)
    brand = word("brand.koc", lang)

    assert main(["report", str(examples_folder() / f"{name}.json"), "--svg", "-", "--lang", lang]) == 0
    badge = capsys.readouterr().out
    a = kt.assess_case(case)
    page = render_report(case, a, kt.rubric_for(case), lang=lang)

    assert brand in badge and "KOL" not in badge
    assert f"<title>{brand} · " in page
