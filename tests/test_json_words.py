"""Values in JSON's words in every message a person reads (issue 15).

A string is written as JSON writes it (``"top"``, :func:`kol_trust.checks.json_string`),
``true``/``false``/``null`` rather than ``True``/``False``/``None``
(:func:`kol_trust.checks.describe`): never Python's ``'top'``.

Two kinds of test: a static one that walks the syntax tree of every module of
the package and fails on an f-string ``!r`` conversion (or a ``repr()`` call
inside an f-string) outside a short, commented allowlist; and behavioural ones
that cause a representative failure of each area and read its message.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import importlib.resources
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import pytest

import kol_trust as kt
from conftest import SPEC
from kol_trust.cases import rubric_of
from kol_trust.checks import json_string
from kol_trust.errors import (
    CertificationError,
    CertificationRefused,
    CredentialError,
    EvidenceConflictError,
    KeyFormatError,
    MultibaseError,
    RubricConflictError,
    RubricNotFoundError,
)
from kol_trust.improvement import improvement_plan, what_if
from kol_trust.wire import parse_rubric_text

PACKAGE = Path(kt.__file__).resolve().parent

#: A string quoted the Python way ('top'); an apostrophe inside a word (tier's) is not one.
PYTHON_QUOTED = re.compile(r"(?<!\w)'[^'\n]*'(?!\w)")

#: Where an ``!r`` stays, by file (below ``src/kol_trust``) and function, and why:
#: each is read by Python or by a developer of the library, never by a person
#: using it.  An entry that no longer matches anything fails
#: :func:`test_every_allowed_place_still_has_a_repr`.
ALLOWED: dict[tuple[str, str], str] = {
    # Generated Python source: the repr of a str *is* its Python literal.
    ("canonical.py", "_class_writer"): "lines of generated code (string literals of the fast canonical writer)",
    ("wire/write.py", "_class_writer"): "lines of generated code (string literals of the fast JSON writer)",
    # A __repr__ is Python's view of an object.
    ("credentials/status_list.py", "StatusList.__repr__"): "a __repr__",
    # Errors about Python objects and types, for a developer of the library.
    ("schema.py", "_factory"): "KeyError: a check function's Python qualname has no schema mapping",
    ("schema.py", "_Builder.field"): "TypeError: a Python type (typing form) has no JSON Schema",
    ("wire/convert.py", "_tuple_hook_factory.structure"): (
        "the title of cattrs' IterableValidationError names the Python type being built; "
        "readers only ever see the JSON paths and messages of its sub-errors (wire/paths.py)"
    ),
    ("authoring/show.py", "condition_text"): "TypeError on an object that is no gate condition (unreachable)",
}


def python_reprs(source: str) -> Iterator[tuple[str, int]]:
    """(function qualname, line) of each ``!r`` conversion in an f-string of *source*,
    and of each ``repr(...)`` called inside an f-string's replacement field."""

    def walk(node: ast.AST, scope: tuple[str, ...]) -> Iterator[tuple[str, int]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                yield from walk(child, (*scope, child.name))
                continue
            if isinstance(child, ast.FormattedValue):
                if child.conversion == ord("r"):
                    yield ".".join(scope), child.lineno
                for inner in ast.walk(child.value):
                    if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "repr":
                        yield ".".join(scope), inner.lineno
            yield from walk(child, scope)

    yield from walk(ast.parse(source), ())


def package_reprs() -> list[tuple[str, str, int]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        found += [(name, function, line) for function, line in python_reprs(path.read_text(encoding="utf-8"))]
    return found


def test_no_python_repr_in_a_message() -> None:
    outside = [
        f"{name}:{line} in {function or 'the module'}"
        for name, function, line in package_reprs()
        if (name, function) not in ALLOWED
    ]
    assert outside == [], "a value quoted the Python way (use json_string or describe):\n" + "\n".join(outside)


def test_every_allowed_place_still_has_a_repr() -> None:
    used = {(name, function) for name, function, _ in package_reprs()}
    assert set(ALLOWED) <= used, f"stale allowlist entries: {sorted(set(ALLOWED) - used)}"


def test_the_walk_finds_a_planted_repr() -> None:
    source = (
        "def top(x):\n"
        "    return f'{x}'\n"  # no conversion: fine
        "class K:\n"
        "    def m(self, x):\n"
        "        raise ValueError(f'bad {x!r}')\n"
        "    def n(self, xs):\n"
        "        def inner():\n"
        "            return f\"use {' or '.join(repr(x) for x in xs)}\"\n"
        "        return inner\n"
        "X = f'{1!r}'\n"
    )
    assert list(python_reprs(source)) == [("K.m", 5), ("K.n.inner", 8), ("", 10)]


# -- behaviour: one representative failure of each area ---------------------------------------


def assert_json_words(message: str, *values: str) -> None:
    """*message* shows each of *values* as JSON writes it, and nothing quoted the Python way."""
    for value in values:
        assert json_string(value) in message, (value, message)
    assert not PYTHON_QUOTED.search(message), message
    assert not re.search(r"\b(True|False|None)\b", message), message


def test_the_python_quote_pattern() -> None:
    assert PYTHON_QUOTED.search("certification of 'x' refused")
    assert not PYTHON_QUOTED.search('certification of "x" refused: the certificate\'s tier')


TINY = kt.from_json((SPEC / "rubrics" / "tiny-0.1.0.json").read_bytes(), kt.Rubric)
AS_OF = dt.date(2026, 6, 30)
KOL = kt.Subject(id="s1", name="S", kind="kol")
EXAMPLES = importlib.resources.files("kol_trust") / "examples"
DAY = dt.date(2026, 11, 29)


def example(name: str) -> kt.Case:
    return kt.from_json((EXAMPLES / f"{name}.json").read_bytes(), kt.Case)


def record(id: str, value: float) -> kt.Evidence:
    return kt.Evidence(id=id, subject_id="s1", criterion="C1", source="a", observed_at=dt.date(2026, 6, 1), value=value)


def message_of(error: type[BaseException], action: Callable[[], object]) -> str:
    with pytest.raises(error) as info:
        action()
    return str(info.value)


def test_evidence_conflict() -> None:
    message = message_of(
        EvidenceConflictError,
        lambda: kt.assess(KOL, [record("r:1", 1.0), record("r:1", 0.5)], rubric=TINY, as_of=AS_OF),
    )
    assert message.startswith('two evidence records have id "r:1" but different content')
    assert_json_words(message, "r:1")


def test_registry_conflict_and_unknown_rubrics() -> None:
    registry = kt.RubricRegistry(include_builtin=False)
    registry.add(TINY)
    changed = attrs.evolve(TINY, title=kt.Text(vi="Khác", en="Other"))
    message = message_of(RubricConflictError, lambda: registry.add(changed))
    assert message.startswith('rubric "tiny" version "0.1.0" is already registered')
    assert_json_words(message, "tiny", "0.1.0")
    assert_json_words(message_of(RubricNotFoundError, lambda: registry.get("tiny", "9.9.9")), "9.9.9")
    assert_json_words(message_of(RubricNotFoundError, lambda: registry.get("nope", "1.0.0")), "nope")
    assert_json_words(message_of(RubricNotFoundError, lambda: registry.in_force("nope", AS_OF)), "nope")


def test_an_assessment_whose_rubric_is_not_built_in() -> None:
    a = kt.assess(KOL, [record("r1", 1.0)], rubric=TINY, as_of=AS_OF)
    message = message_of(RubricNotFoundError, lambda: rubric_of(a))
    assert message.startswith('the assessment used rubric "tiny" 0.1.0, which is not built in')
    assert_json_words(message, "tiny")


def test_certification_refused() -> None:
    from kol_trust.certification import certify

    a = kt.assess_case(example("02-false-ad-finance-kol"))
    message = message_of(CertificationRefused, lambda: certify(a, issuer="NCA", issued_on=DAY))
    assert message.startswith(f"certification of {json_string(a.subject_id)} refused:")
    assert '"high-trust": score ≥ 85' in message
    assert_json_words(message, a.subject_id, "not-rated", "G-FALSE-AD")


def test_certification_and_review_of_another_subject() -> None:
    from kol_trust.certification import certify, review

    a = kt.assess_case(example("01-high-trust-beauty-kol"))
    other = kt.Subject(id="someone-else", name="X", kind="kol")
    message = message_of(CertificationError, lambda: certify(a, issuer="NCA", issued_on=DAY, subject=other))
    assert_json_words(message, "someone-else", a.subject_id)
    message = message_of(CertificationError, lambda: certify(a, issuer=" NCA", issued_on=DAY))
    assert_json_words(message, " NCA")

    certificate = certify(a, issuer="NCA", issued_on=DAY)
    b = kt.assess_case(example("04-licensed-doctor-kol"))
    message = message_of(CertificationError, lambda: review(certificate, b))
    assert_json_words(message, a.subject_id, b.subject_id)
    for reason in review(certificate, a).reasons:
        assert_json_words(reason, "high-trust")


def test_improvement_plan_and_what_if_problems() -> None:
    case = example("01-high-trust-beauty-kol")
    a = kt.assess_case(case)
    bad = attrs.evolve(a, tier="no-such-tier")
    message = message_of(kt.ValidationError, lambda: improvement_plan(bad))
    assert 'the rubric has no tier "no-such-tier"' in message
    assert_json_words(message, "no-such-tier")

    message = message_of(kt.ValidationError, lambda: what_if(case, remove=["no-such-record"]))
    assert_json_words(message, "no-such-record")
    changed = attrs.evolve(case.evidence[0], summary="another text")
    message = message_of(kt.ValidationError, lambda: what_if(case, remove=[changed]))
    assert_json_words(message, case.evidence[0].id)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("did:web:example.com", ["did:web:example.com"]),
        ("did:key:abc", ["did:key:abc", "z"]),  # (starts with "z")
        ("did:key:z6Mk#other", ["did:key:z6Mk#other"]),
        ("z0OIl", ["z0OIl", "0"]),  # character "0" is not base58btc
        ("z1111", ["z1111"]),  # not an Ed25519 public key
    ],
)
def test_did_key_errors(text: str, values: list[str]) -> None:
    from kol_trust.credentials.did_key import ed25519_public_bytes_from_did

    message = message_of(KeyFormatError, lambda: ed25519_public_bytes_from_did(text))
    assert_json_words(message, *values)


def test_multibase_errors() -> None:
    from kol_trust.credentials import b58decode
    from kol_trust.credentials.multibase import decode_multibase

    assert_json_words(message_of(MultibaseError, lambda: b58decode("ab0")), "0")
    message = message_of(MultibaseError, lambda: decode_multibase("x123"))
    assert message == 'multibase prefix "x" is not supported (expected "z" base58btc or "u" base64url)'
    assert_json_words(message_of(MultibaseError, lambda: decode_multibase("")), "z", "u")
    assert_json_words(message_of(MultibaseError, lambda: b58decode("\ud800")), "\ud800")  # a lone surrogate
    assert '"\\ud800"' in message_of(MultibaseError, lambda: b58decode("\ud800"))


def test_credential_and_status_list_errors() -> None:
    from kol_trust.credentials import StatusList
    from kol_trust.credentials.credential import check_issuer_name

    assert_json_words(message_of(CredentialError, lambda: check_issuer_name("a  b")), "a  b")
    assert_json_words(message_of(CredentialError, lambda: check_issuer_name("a\u0007")), "a\u0007")
    message = message_of(CredentialError, lambda: StatusList("bogus"))
    assert_json_words(message, "bogus", "revocation", "suspension")
    assert message_of(CredentialError, lambda: StatusList("revocation", True)).endswith("not true")  # type: ignore[arg-type]


def test_credential_issue_and_verify_lines() -> None:
    pytest.importorskip("cryptography")
    from kol_trust.certification import certify, generate_key
    from kol_trust.credentials import did_key, issue_credential, verify_credential

    key = generate_key()
    a = kt.assess_case(example("01-high-trust-beauty-kol"))
    certificate = certify(a, issuer="NCA", issued_on=DAY, serial="s-1")
    for kwargs, values in [
        ({"issuer": "not a url"}, ["not a url"]),
        ({"issuer": "did:web:nca.example", "verification_method": "did:web:other#k"}, ["did:web:other#k"]),
        ({"status_list": "http://nca.example/list", "status_index": 0}, ["http://nca.example/list"]),
    ]:
        message = message_of(CredentialError, lambda kwargs=kwargs: issue_credential(certificate, key, **kwargs))
        assert_json_words(message, *values)
    message = message_of(
        CredentialError,
        lambda: issue_credential(certificate, key, status_list="https://nca.example/l", status_index=None),
    )
    assert_json_words(message)
    assert message.endswith("got null")

    document = issue_credential(certificate, key)
    check = verify_credential(document, trusted_issuers=[did_key(key)], on=DAY)
    assert check.ok
    assert f"of {json_string(a.subject_id)}, tier {json_string(a.tier)}" in check.detail
    assert_json_words(check.detail, a.subject_id, a.tier)


def test_words_and_rubric_text_arguments() -> None:
    from kol_trust.words import check_lang

    message = message_of(ValueError, lambda: check_lang("fr"))
    assert message == 'lang must be "vi" or "en", got "fr"'
    message = message_of(ValueError, lambda: check_lang(None))  # type: ignore[arg-type]
    assert message == 'lang must be "vi" or "en", got null'
    message = message_of(ValueError, lambda: parse_rubric_text("{}", format="yaml"))
    assert message == 'unknown rubric format "yaml": use "json" or "toml"'


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        ("iso_date", "2026-1-1"),
        ("iso_date", "2026-02-30"),
        ("whole_number", "x'y"),
        ("whole_number", "-1"),
    ],
)
def test_command_line_argument_errors(parse: str, text: str) -> None:
    from kol_trust.cli import common

    check = common.iso_date if parse == "iso_date" else common.whole_number(0)
    message = message_of(argparse.ArgumentTypeError, lambda: check(text))
    assert message.startswith(json_string(text) + " ")
    assert_json_words(message, text)


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["schema", "nope"], ['unknown schema "nope"; expected one of "subject", "evidence"']),
        (["assess", "case.json", "--as-of", "2026-02-30"], ['"2026-02-30" is not a calendar date']),
        (["rubric", "validate", "9.9.9"], ['"9.9.9"']),
    ],
)
def test_command_line_errors_on_standard_error(
    argv: list[str], shown: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from kol_trust.cli import main

    try:
        code = main(argv)
    except SystemExit as e:  # argparse refuses the argument before the command runs
        code = int(e.code or 0)
    err = capsys.readouterr().err
    assert code == 2, err
    for text in shown:
        assert text in err, (text, err)
    assert not PYTHON_QUOTED.search(err), err
