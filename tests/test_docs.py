"""The documentation builds without warnings, and what it shows is true.

The build needs Sphinx, furo and myst-parser (the ``docs`` extra), which the
``test`` extra does not install: without them that test is skipped.  The tests
that walk the command-line reference (``docs/_ext/cli_reference.py``) need
docutils, which Sphinx brings, and are skipped without it.  The other tests
read the Markdown sources only.  The code examples of the pages are run
by ``test_docs_examples.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import doctest
import importlib
import io
import re
import shlex
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

import kol_trust as kt

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"

pytestmark = pytest.mark.skipif(not (DOCS / "conf.py").is_file(), reason="docs/ is not in this tree")


# Deprecation notices that Sphinx extensions raise inside Sphinx itself are not
# ours to fix; Sphinx warnings about the docs still fail the build (-W).
@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning", "ignore::DeprecationWarning")
def test_docs_build_without_warnings(tmp_path: Path) -> None:
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_parser")
    pytest.importorskip("furo")
    from sphinx.cmd.build import build_main

    out = tmp_path / "html"
    status = build_main(["-n", "-W", "--keep-going", "-b", "html", "-q", str(DOCS), str(out)])
    assert status == 0
    assert (out / "index.html").is_file()
    assert (out / "api.html").is_file()
    # The command-line reference, rendered from the parser, names every command and option.
    cli = (out / "cli.html").read_text(encoding="utf-8")
    for path, _, parser in _cli_reference().commands():
        name = " ".join(("kol-trust", *path))
        assert f'id="{"-".join(("kol-trust", *path))}"' in cli, name
        for action in parser._actions:
            for option in action.option_strings:
                assert option in cli, (name, option)


def _cli_reference() -> ModuleType:
    # docs/_ext/cli_reference.py imports docutils (which Sphinx brings) at module level.
    pytest.importorskip("docutils", reason="docutils is needed by docs/_ext/cli_reference.py (the docs extra)")
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        import cli_reference
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    return cli_reference


def test_cli_reference_walks_every_command() -> None:
    """The walk behind docs/cli.md reaches every command and sub-command of the parser."""
    from kol_trust.cli import build_parser

    found = {path for path, _, _ in _cli_reference().commands()}

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> set[tuple[str, ...]]:
        out = {path}
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    out |= walk(sub, (*path, name))
        return out

    assert found == walk(build_parser(), ())
    assert {("assess",), ("batch",), ("pack",), ("rubric", "diff"), ("schema",)} <= found
    assert "```{kol-trust-cli}" in (DOCS / "cli.md").read_text(encoding="utf-8")


def _pages() -> list[Path]:
    return [*sorted(DOCS.rglob("*.md")), README]


def _shown_command_lines() -> list[tuple[str, str]]:
    """``(page, command line)`` of every ``kol-trust`` command in a console or sh block."""
    found = []
    for page in _pages():
        text = page.read_text(encoding="utf-8")
        for block in re.findall(r"^```(?:console|sh|shell|bash)\n(.*?)^```$", text, re.MULTILINE | re.DOTALL):
            for line in block.splitlines():
                line = line.strip().removeprefix("$ ")
                for part in re.split(r"&&|;|\|", line):
                    part = part.strip()
                    if part.startswith("kol-trust ") or part == "kol-trust":
                        found.append((page.name, part))
    return found


def test_every_command_line_shown_parses() -> None:
    """Every ``kol-trust …`` line that a page shows is accepted by the parser (no drift)."""
    from kol_trust.cli import build_parser

    lines = _shown_command_lines()
    assert len(lines) > 20
    for page, line in lines:
        words = shlex.split(line, comments=True)[1:]
        args = []
        it = iter(words)
        for word in it:
            if word in ("<", ">"):
                next(it)  # a redirection and its file
            else:
                args.append(word)
        err = io.StringIO()
        code: object = 0
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                build_parser().parse_args(args)
        except SystemExit as e:  # --help, or a line the parser rejects
            code = e.code
        assert code == 0, f"{page}: {line}\n{err.getvalue()}"


def test_readme_example_is_short_and_runs() -> None:
    """The README's Python example: about twenty lines, and what it shows is what it gives."""
    text = README.read_text(encoding="utf-8")
    assert text.startswith(
        "# kol-trust\n\n**Score and certify influencers by the KOL Trust Standard.**\n\n"
        "```sh\npython -m pip install . && kol-trust demo\n```\n\n"
        '```sh\npython -m pip install ".[test,docs,dask,sign,fast]" && python -m pytest\n```\n'
    )
    block = re.search(r"^```python\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)
    assert block is not None
    assert len(block.group(1).strip().splitlines()) <= 25
    test = doctest.DocTestParser().get_doctest(block.group(1), {}, "README", str(README), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.summarize(verbose=False) == doctest.TestResults(0, len(test.examples))
    assert len(test.examples) >= 5


def test_ci_runs_the_readmes_test_command_and_dev_installs_its_extras() -> None:
    """.ci/run calls the README's second command exactly; the dev extra has every extra it names."""
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"^```sh\n(.*?)\n```$", text, re.MULTILINE | re.DOTALL)
    command = blocks[1]
    assert command.endswith("&& python -m pytest"), command
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert command in ci
    extras = re.fullmatch(r'python -m pip install "\.\[([a-z,]+)\]" && python -m pytest', command)
    assert extras is not None, command
    assert "fast" in extras.group(1).split(",")
    with (ROOT / "pyproject.toml").open("rb") as f:
        optional = tomllib.load(f)["project"]["optional-dependencies"]
    assert optional["dev"][0] == f"kol-trust[{extras.group(1)}]"


def test_readme_links_to_pages_that_exist() -> None:
    text = README.read_text(encoding="utf-8")
    links = re.findall(r"\]\(((?:docs/|CHANGELOG)[^)#]*)\)", text)
    assert len(links) > 10
    for link in links:
        assert (ROOT / link).is_file(), link


def test_glossary_has_the_rubrics_vietnamese_terms() -> None:
    text = (DOCS / "glossary.md").read_text(encoding="utf-8")
    for term in (
        "uy tín",
        "minh bạch",
        "niềm tin",
        "trách nhiệm",
        "KOL",
        "KOC",
        "tiêu chí",
        "trụ cột",
        "cổng",
        "hạng",
        "chứng nhận",
        "bằng chứng",
        "nguồn",
        "độ tin cậy",
        "giấy chứng nhận",
        "thu hồi",
        "đình chỉ",
        "hạ hạng",
        "chữ ký số",
        "khóa",
        "kế hoạch cải thiện",
    ):
        assert f"\n{term}\n" in text, term
    rubric = kt.load_rubric("1.0.0")
    text = " ".join(text.split())
    for tier in rubric.tiers:
        assert f"*{tier.title.vi}* ({tier.title.en}, `{tier.id}`)" in text, tier.id
    for pillar in rubric.pillars:
        assert f"`{pillar.id}` (*{pillar.title.vi}*)" in text, pillar.id


def test_schemas_page_lists_every_document() -> None:
    from kol_trust.schema import SCHEMA_NAMES, schema_for

    text = (DOCS / "schemas.md").read_text(encoding="utf-8")
    assert {"subject", "evidence", "case", "rubric", "assessment", "certificate"} <= set(SCHEMA_NAMES)
    for name in SCHEMA_NAMES:
        assert f"| `{name}` |" in text and f"`{schema_for(name)['$id']}`" in text, name


def test_errors_page_has_a_section_for_every_exception() -> None:
    text = (DOCS / "errors.md").read_text(encoding="utf-8")
    from kol_trust import errors as namespace

    errors = [
        name
        for name in namespace.__all__
        if isinstance(getattr(namespace, name), type)
        and issubclass(getattr(namespace, name), kt.KolTrustError)
        and name != "KolTrustError"
    ]
    assert "CertificationRefused" in errors
    for name in errors:
        assert f"\n## {name}\n" in text, name
        assert re.search(rf"[├└]── {name}\b", text), name  # in the hierarchy


def test_certification_pages_match_the_library() -> None:
    """The status and outcome tables list every value."""
    from kol_trust.certification import ReviewOutcome
    from kol_trust.credentials import CredentialStatus

    verify = (DOCS / "howto-verify.md").read_text(encoding="utf-8")
    for status in CredentialStatus:
        assert f"| `{status.value}` |" in verify, status
    assert "eddsa-jcs-2022" in verify and "```javascript" in verify
    certificates = (DOCS / "howto-certificates.md").read_text(encoding="utf-8")
    for outcome in ReviewOutcome:
        assert f"| `{outcome.value}` |" in certificates, outcome


def test_algorithm_page_works_on_a_published_vector() -> None:
    text = (DOCS / "algorithm.md").read_text(encoding="utf-8")
    name = re.search(r"vectors/(\d\d-[a-z-]+)\.json", text)
    assert name is not None
    assert (Path(__file__).parent / "data" / "spec" / "vectors" / f"{name.group(1)}.json").is_file()


def test_quickstart_examples_run() -> None:
    result = doctest.testfile(
        str(DOCS / "quickstart.md"),
        module_relative=False,
        encoding="utf-8",
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted > 0
    assert result.failed == 0


def test_quickstart_json_case_is_the_python_case() -> None:
    text = (DOCS / "quickstart.md").read_text(encoding="utf-8")
    block = re.search(r"```json\n(.*?)```", text, re.DOTALL)
    assert block is not None
    assessment = kt.assess_case(kt.from_json(block.group(1), kt.Case))
    assert (assessment.score, assessment.tier, assessment.coverage) == (71.0, "developing", 27.4)
    assert [(x.evidence_id, x.reason.value) for x in assessment.excluded] == [("e-n01", "too-old")]


#: The public namespaces, in the order of the API reference: each has a section.
NAMESPACES = (
    "kol_trust",
    "kol_trust.rubric",
    "kol_trust.errors",
    "kol_trust.authoring",
    "kol_trust.certification",
    "kol_trust.credentials",
    "kol_trust.improvement",
    "kol_trust.report",
    "kol_trust.batch",
    "kol_trust.words",
    "kol_trust.tables",
    "kol_trust.accel",
    "kol_trust.testing",
)


def _namespace(name: str) -> ModuleType:
    return importlib.import_module(name)


def _documented_by_namespace(text: str) -> dict[str, list[str]]:
    """The names each section of the API page documents, by the module it is in."""
    module_directive = re.compile(r"^\.\. (?:automodule|py:module|currentmodule|py:currentmodule):: ([\w.]+)\s*$")
    entry = re.compile(r"^\.\. (?:auto\w+|py:\w+):: ([\w.]+)\s*$")
    out: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        if m := module_directive.match(line):
            current = m[1]
            out.setdefault(current, [])
        elif m := entry.match(line):
            assert current is not None, f"{line!r} comes before any module directive"
            out[current].append(m[1])
    return out


def test_api_page_documents_every_public_name() -> None:
    """The API page has one section per namespace, in order, and documents exactly its ``__all__``."""
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    documented = _documented_by_namespace(text)
    assert list(documented) == list(NAMESPACES)
    for name in NAMESPACES:
        names = documented[name]
        assert len(names) == len(set(names)), f"{name}: a name documented twice"
        assert sorted(names) == sorted(_namespace(name).__all__), name


@pytest.mark.parametrize("name", NAMESPACES)
def test_namespaces_have_a_sorted_all(name: str) -> None:
    """Each namespace's ``__all__`` is sorted (as ruff's RUF022 sorts) and names only what it has."""
    module = _namespace(name)

    def key(n: str) -> tuple[int, str]:  # SCREAMING_CASE, then CamelCase, then the rest
        return (0 if n.isupper() else 1 if n[:1].isupper() else 2, n)

    assert list(module.__all__) == sorted(module.__all__, key=key)
    assert len(module.__all__) == len(set(module.__all__))
    for public in module.__all__:
        assert hasattr(module, public), f"{name}.{public}"


def test_no_name_is_two_objects() -> None:
    """A public name exported by two namespaces is the same object in both."""
    seen: dict[str, tuple[str, object]] = {}
    for name in NAMESPACES:
        module = _namespace(name)
        for public in module.__all__:
            obj = getattr(module, public)
            if public in seen:
                first, other = seen[public]
                assert obj is other, f"{first}.{public} and {name}.{public} are different objects"
            else:
                seen[public] = (name, obj)
    assert seen["Rubric"] == ("kol_trust", kt.Rubric)  # one exported twice, on purpose


def test_core_namespace_is_the_core() -> None:
    """The top-level namespace keeps the core; the tools are in their namespaces only."""
    assert "certify" not in kt.__all__ and "ScoreChange" not in kt.__all__
    assert not hasattr(kt, "compile_rubric") and not hasattr(kt, "round1")
    assert {"assess", "assess_case", "load_rubric", "to_json", "ValidationError", "Rubric"} <= set(kt.__all__)


def test_standard_page_shows_the_builtin_pillars() -> None:
    text = (DOCS / "standard.md").read_text(encoding="utf-8")
    rubric = kt.load_rubric("1.0.0")
    for pillar in rubric.pillars:
        row = f"| `{pillar.id}` | {pillar.title.vi} | {pillar.title.en} | {pillar.weight:g} |"
        assert row in text, row
