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

import argparse
import ast
import html
import io
import json
import re
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import attrs
import pytest

import kol_trust as kt
from kol_trust import words
from kol_trust.authoring.lint import CODES
from kol_trust.cli import build_parser, main
from kol_trust.cli.assess import example_cases, examples_folder
from kol_trust.cli.progress import Progress
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
    with pytest.raises(ValueError, match='lang must be "vi" or "en"'):
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
    text = re.sub(r"\$[^\s|`]*", " ", text)  # JSON paths: $.criteria[T01].weight
    text = re.sub(r'"[^"\n]*"', " ", text)  # ids and values as JSON writes them: "T01", {"id": …}
    for code in sorted(ids, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(code)}(?![\w-])", " ", text)
    english = english_words(table)
    return sorted({w for w in WORD.findall(text) if w.lower() in english})


def _draft(folder: Path) -> tuple[Path, kt.Rubric]:
    """A changed rubric drafted from 1.0.0, as an author would write 1.1.0: a weight, a tier threshold and
    a Vietnamese title changed, and a gate that caps at 100 and cannot trigger (two lint findings)."""
    doc = kt.to_dict(kt.load_rubric("1.0.0"))
    doc["version"] = "1.1.0"
    doc["criteria"][0]["weight"] += 1
    doc["tiers"][0]["min_score"] += 1
    doc["criteria"][1]["title"]["vi"] += " (mới)"
    first = doc["criteria"][0]["id"]
    gate = {"type": "criterion-below", "criterion": first, "below": 0}
    doc["gates"].append({"id": "G-NOOP", "title": {"vi": "Thử", "en": "Noop"}, "when": gate, "cap": 100})
    path = folder / "draft-1.1.0.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path, kt.from_dict(doc, kt.Rubric)


def _run(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> str:
    """Standard output and standard error of one command, which must exit with *code*."""
    assert main(list(argv)) == code, argv
    out, err = capsys.readouterr()
    return out + err


def vietnamese_outputs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Iterator[tuple[str, str, set[str]]]:
    """(what, text, identifiers) of every readable output in Vietnamese: every command of
    ``kol-trust`` with ``--lang vi`` (``test_every_command_takes_lang`` checks that none is left out),
    the report card, the badge, the improvement plan, every reason's sentence and the progress bar."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path))  # the fixture is called more than once per test
    all_ids: set[str] = set(CODES) | {"G-NOOP"}  # lint codes, and the draft's new gate
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
    vi = ("--lang", "vi")
    assert main(["demo", *vi]) == 0
    yield "demo", capsys.readouterr().out, all_ids
    yield (
        "report --svg",
        _run(capsys, "report", str(examples_folder() / f"{EXAMPLES[0][0]}.json"), "--svg", "-", *vi),
        all_ids,
    )

    # The standards authors' commands, on the built-in rubric and a drafted 1.1.0.
    draft, rubric = _draft(folder)
    all_ids |= {x.id for x in rubric.gates}
    yield "rubric show", _run(capsys, "rubric", "show", "1.0.0", *vi), all_ids
    yield "rubric show --format markdown", _run(capsys, "rubric", "show", "1.0.0", "--format", "markdown", *vi), all_ids
    yield "rubric validate", _run(capsys, "rubric", "validate", "1.0.0", *vi), all_ids
    yield "rubric lint", _run(capsys, "rubric", "lint", "1.0.0", *vi), all_ids
    yield "rubric lint (findings)", _run(capsys, "rubric", "lint", str(draft), *vi, code=1), all_ids
    yield "rubric diff", _run(capsys, "rubric", "diff", "1.0.0", str(draft), *vi, code=1), all_ids
    markdown = _run(capsys, "rubric", "diff", "1.0.0", str(draft), "--format", "markdown", *vi, code=1)
    yield "rubric diff --format markdown", markdown, all_ids

    # Data: synth, pack (with an orphan), batch, impact.
    cases = folder / "cases.jsonl"
    synth = _run(capsys, "synth", "--n", "30", "--seed", "7", "-o", str(cases), *vi)
    generated = [kt.from_json(line, kt.Case) for line in cases.read_text(encoding="utf-8").splitlines()]
    data_ids = all_ids | {c.subject.id for c in generated}
    yield "synth", synth, data_ids
    subjects, evidence = folder / "subjects.jsonl", folder / "evidence.jsonl"
    subjects.write_text("".join(kt.to_json(c.subject) + "\n" for c in generated), encoding="utf-8")
    records = [e for c in generated for e in c.evidence]
    orphan = attrs.evolve(records[0], id="orphan-1", subject_id="nobody")
    evidence.write_text("".join(kt.to_json(e) + "\n" for e in [*records, orphan]), encoding="utf-8")
    packed = folder / "packed.jsonl"
    argv = ["pack", "--subjects", str(subjects), "--evidence", str(evidence), "--as-of", "2026-06-30"]
    yield "pack", _run(capsys, *argv, "-o", str(packed), *vi, code=3), data_ids | {"nobody"}
    argv = ["batch", str(cases), "-o", str(folder / "out.jsonl"), "--errors", str(folder / "err.jsonl")]
    yield "batch", _run(capsys, *argv, *vi), data_ids
    impact = _run(capsys, "rubric", "impact", "1.0.0", str(draft), "--cases", str(cases), "--top", "5", *vi)
    yield "rubric impact", impact, data_ids
    bar = Progress("batch", io.StringIO(), total=1000, enabled=True, lang="vi")
    yield "progress bar", bar.line(400, 12, word("progress.lines", "vi"), bar.began + 2), {"batch"}

    # Credentials: a temporary key, status lists, a credential, its check and its revocation.
    key = folder / "key.pem"
    did = _run(capsys, "keygen", "--out", str(key), *vi).strip()
    lists = {purpose: folder / f"{purpose}.json" for purpose in ("revocation", "suspension")}
    for purpose, path in lists.items():
        url = f"https://issuer.example/status/{purpose}"
        argv = ["status-list", "new", "--key", str(key), "--id", url, "--purpose", purpose, "--on", "2026-11-29"]
        yield f"status-list new {purpose}", _run(capsys, *argv, "--valid-days", "400", "-o", str(path), *vi), {did}
    credential, high = folder / "cred.json", EXAMPLES[0]
    argv = ["certify", str(examples_folder() / f"{high[0]}.json"), "--key", str(key), "--issuer-name", "Hiệp hội"]
    argv += ["--on", "2026-11-30", "--serial", "cert-vi-1", "-o", str(credential)]
    argv += [x for path in lists.values() for x in ("--status-list", str(path))]
    cert_ids = all_ids | {did, "cert-vi-1", high[1].subject.id}
    verify_ids = cert_ids | {s.value for s in CredentialStatus}  # its first line is the status code
    yield "certify", _run(capsys, *argv, *vi), cert_ids
    checks = [x for path in lists.values() for x in ("--status-list", str(path))]
    verify = ["verify", str(credential), "--issuer", did, *checks, "--on", "2026-12-01"]
    yield "verify", _run(capsys, *verify, *vi), verify_ids
    yield "verify (lists not given)", _run(capsys, *verify[:4], "--on", "2026-12-01", *vi), verify_ids
    for day, action, purpose in (
        ("2026-12-02", "suspend", "suspension"),
        ("2026-12-03", "restore", "suspension"),
        ("2026-12-04", "revoke", "revocation"),
    ):
        argv = ["status-list", action, str(lists[purpose]), "--key", str(key), "--credential", str(credential)]
        yield f"status-list {action}", _run(capsys, *argv, "--on", day, *vi), cert_ids


def test_nothing_reaches_a_vietnamese_reader_in_english(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    outputs = list(vietnamese_outputs(capsys, tmp_path))
    found = {what: bad for what, text, ids in outputs if (bad := untranslated(text, ids, catalogue()))}

    assert found == {}
    assert all(text.strip() or what.startswith("status-list new") for what, text, _ in outputs)  # all said something


def test_the_check_finds_a_planted_english_label(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The check can fail: with one Vietnamese label replaced by its English text, it names it."""
    real = catalogue()

    def plant(*keys: str) -> dict[str, list[str]]:
        planted = dict(real)
        for key in keys:
            planted[key] = {"vi": real[key]["en"], "en": real[key]["en"]}
        monkeypatch.setattr(words, "catalogue", lambda: planted)
        outputs = vietnamese_outputs(capsys, tmp_path)
        return {what: bad for what, text, ids in outputs if (bad := untranslated(text, ids, real))}

    found = plant("report.tier")
    assert found and all(bad == ["Tier"] for bad in found.values())
    assert any(what.startswith("assess") for what in found) and any(what.startswith("report card") for what in found)

    assert plant("show.tier") == {"rubric show": ["Tier"], "rubric show --format markdown": ["Tier"]}

    # The commands of the standards authors, of data and of credentials.
    assert plant("lint.severity", "diff.bump.major", "impact.movers", "batch.summary", "status_list.revoke") == {
        "rubric lint (findings)": ["severity"],
        "rubric diff": ["major"],
        "rubric diff --format markdown": ["major"],
        "rubric impact": ["Biggest", "movers"],
        "batch": ["assessed", "read", "rejected"],
        "status-list revoke": ["revoked"],
    }
    found = plant("verify.valid", "pack.summary", "progress.eta")
    assert set(found) == {"verify", "verify (lists not given)", "pack", "progress bar"}
    assert {"credential", "issued", "until"} <= set(found["verify"]) and found["progress bar"] == ["ETA"]
    assert {"cases", "packed", "orphaned", "skipped"} <= set(found["pack"])


#: Commands that print only machine outputs (a JSON document), so they have no ``--lang``.
MACHINE_ONLY = frozenset({"schema"})  # prints a JSON Schema as it is shipped


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Every command (a parser with no sub-commands) under *parser*, by its full name."""
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not groups:
        yield prefix.strip(), parser
    for group in groups:
        for name, sub in group.choices.items():
            yield from _commands(sub, f"{prefix} {name}")


def test_every_command_takes_lang() -> None:
    commands = dict(_commands(build_parser()))
    assert len(commands) > 15 and "status-list revoke" in commands and "rubric impact" in commands

    without = sorted(name for name, p in commands.items() if "--lang" not in p._option_string_actions)

    assert without == sorted(MACHINE_ONLY)
    for name, p in commands.items():
        if name not in MACHINE_ONLY:
            lang = p._option_string_actions["--lang"]
            assert tuple(lang.choices or ()) == ("vi", "en"), name
            assert lang.default == ("vi" if name == "report" else "en"), name  # report: vi since it came


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
