"""Every Python example of the documentation runs, and shows what it prints.

The examples are collected with Sybil from ``README.md`` and every
``docs/**/*.md`` page:

- a ```` ```python ```` block whose first line starts with ``>>>`` is a
  doctest: its outputs are compared (``ELLIPSIS`` and ``NORMALIZE_WHITESPACE``);
- any other ```` ```python ```` block is run as it is;
- a block preceded by the MyST comment ``% skip: next`` (or
  ``<!-- skip: next -->``) is not run: the page says why next to it;
- a block preceded by the MyST comment ``% file: NAME`` is written to the file
  NAME, for the examples after it to read;
- in a ```` ```console ```` block, every ``$ kol-trust …`` line is run with
  :func:`kol_trust.cli.main` (``< FILE`` and ``> FILE`` are honoured); it must
  exit with 0, or with N when the line ends in ``# exit N``, and the lines
  shown after it, if any, must be exactly what it printed (standard output,
  then standard error).  Other commands (``pip``, ``python``) are not run;
- other fences (``sh``, ``json``, ``toml``, ``typescript``, ``java``,
  ``text``) are not run here (``test_docs.py`` checks that the ``kol-trust``
  command lines of ``sh`` blocks parse).

The blocks of one page share one namespace and run in page order, in a
temporary working directory laid out like the root of a checkout: it holds
a copy of the standard's vectors and rubrics under ``tests/data/spec/``, as
the repository does (the pages say so where they read them).  Sybil is
used as a library here, one test per page, so that ``python -m pytest`` with
``testpaths = ["tests"]`` collects these tests without a conftest in docs/.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import re
import shlex
import shutil
import sys
import unittest
from collections.abc import Iterator
from pathlib import Path

import pytest

sybil = pytest.importorskip("sybil")
from sybil.parsers.myst import PythonCodeBlockParser, SkipParser  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SPEC = Path(__file__).resolve().parent / "data" / "spec"

PAGES = sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts)
if (ROOT / "README.md").is_file():
    PAGES.append(ROOT / "README.md")

pytestmark = pytest.mark.skipif(not DOCS.is_dir(), reason="docs/ is not in this tree")

#: A MyST comment ``% file: NAME`` right before a fenced block: the block is
#: the content of the file NAME, which the page's later examples read.
FILE_BLOCK = re.compile(r"^% file: (?P<name>\S+)\n```[^\n]*\n(?P<content>.*?)^```$", re.MULTILINE | re.DOTALL)


def files_of(text: str) -> Iterator[tuple[str, str]]:
    """``(name, content)`` of each ``% file:`` block of a page, in page order."""
    for m in FILE_BLOCK.finditer(text):
        yield m["name"], m["content"]


def _write_file(example: sybil.Example) -> None:
    name, content = example.parsed
    Path(name).write_text(content, encoding="utf-8")


def _file_parser(document: sybil.Document) -> Iterator[sybil.Region]:
    for m in FILE_BLOCK.finditer(document.text):
        yield sybil.Region(m.start(), m.end(), (m["name"], m["content"]), _write_file)


#: A ```` ```console ```` block: ``$ kol-trust …`` lines are run, the others
#: are what they print.
CONSOLE_BLOCK = re.compile(r"^```console\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)
#: ``# exit N`` at the end of a command: the exit code it must give (else 0).
EXIT_CODE = re.compile(r"\s+#\s*exit\s+(?P<code>\d+)\s*$")


def console_commands(body: str) -> Iterator[tuple[str, list[str]]]:
    """``(command line, printed lines)`` of each ``$ kol-trust`` line of a console block."""
    command: str | None = None
    printed: list[str] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            if command is not None:
                yield command, printed
            command, printed = line[2:], []
        elif command is not None:
            printed.append(line)
    if command is not None:
        yield command, printed


def run_command(line: str) -> tuple[int, str]:
    """Run one ``kol-trust`` command line through :func:`kol_trust.cli.main`.

    Handles ``< FILE`` and ``> FILE``; returns the exit code and what the
    command printed (standard output, then standard error).
    """
    from kol_trust.cli import main

    words = shlex.split(line, comments=True)
    assert words[0] == "kol-trust", line
    args, stdin, stdout_file = [], None, None
    it = iter(words[1:])
    for word in it:
        if word == "<":
            stdin = Path(next(it)).read_bytes()
        elif word == ">":
            stdout_file = next(it)
        else:
            args.append(word)
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    try:
        if stdin is not None:
            sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
    finally:
        sys.stdin = old_stdin
    if stdout_file is not None:
        Path(stdout_file).write_text(out.getvalue(), encoding="utf-8")
        return code, err.getvalue()
    return code, out.getvalue() + err.getvalue()


def _run_console(example: sybil.Example) -> None:
    for command, printed in console_commands(example.parsed):
        if not command.startswith("kol-trust "):
            continue  # pip, python: not run here
        expected_code = int(m["code"]) if (m := EXIT_CODE.search(command)) else 0
        code, output = run_command(command)
        assert code == expected_code, f"{command}\nexit code {code}, expected {expected_code}\n{output}"
        if printed:
            shown = "\n".join(printed).rstrip()
            assert output.rstrip() == shown, f"{command}\nprinted:\n{output}\nthe page shows:\n{shown}"


def _console_parser(document: sybil.Document) -> Iterator[sybil.Region]:
    for m in CONSOLE_BLOCK.finditer(document.text):
        yield sybil.Region(m.start(), m.end(), m["body"], _run_console)


_SYBIL = sybil.Sybil(
    parsers=[
        PythonCodeBlockParser(doctest_optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE),
        SkipParser(),
        _file_parser,
        _console_parser,
    ],
)


def examples_of(path: Path) -> list[sybil.Example]:
    """The Sybil examples of one page, in page order."""
    return list(_SYBIL.parse(path).examples())


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(SPEC, tmp_path / "tests" / "data" / "spec")
    monkeypatch.chdir(tmp_path)
    return tmp_path


#: Pages whose examples need an optional extra: skipped when it is not installed.
NEEDS = {
    "howto-dask.md": ("dask", "pandas", "distributed"),  # the dask extra
    "tutorial-rubrics.md": ("hypothesis",),  # the test extra, as kol_trust.testing
    "testing.md": ("hypothesis",),
    "howto-schemas.md": ("jsonschema", "referencing"),
    # the sign extra (cryptography), which the README's test command installs
    "howto-certificates.md": ("cryptography",),
    "howto-verify.md": ("cryptography",),
    "tutorial-applications.md": ("cryptography",),
    "errors.md": ("cryptography",),
}


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_page_examples_run(page: Path, workdir: Path) -> None:
    for module in NEEDS.get(page.name, ()):
        pytest.importorskip(module)
    for example in examples_of(page):
        try:
            example.evaluate()
        except (unittest.SkipTest, pytest.skip.Exception):
            continue  # a block marked "% skip: next" with its reason
        except Exception as e:
            raise AssertionError(f"{page.relative_to(ROOT)}, line {example.line}:\n{e}") from e


def test_the_key_pages_have_examples() -> None:
    """The pages whose numbers must be checked really have examples (a broken fence would hide them)."""
    for name, least in {
        "quickstart.md": 5,
        "tutorial-applications.md": 8,
        "tutorial-rubrics.md": 6,
        "algorithm.md": 12,
        "howto-batch.md": 2,
        "howto-schemas.md": 2,
        "errors.md": 5,
        "schemas.md": 1,
    }.items():
        assert len(examples_of(DOCS / name)) >= least, name
