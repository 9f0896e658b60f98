"""Tampering with credentials: nothing changed ever verifies, nothing hostile raises."""

from __future__ import annotations

import copy
import datetime as dt
import importlib.resources
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kol_trust as kt
from kol_trust.certification import certify, generate_key
from kol_trust.credentials import (
    CredentialStatus,
    StatusList,
    check_status_list_credential,
    did_key,
    issue_credential,
    verify_credential,
    verify_proof,
    verify_status_list,
)

S = CredentialStatus
KEY = generate_key()
DID = did_key(KEY)
ON = dt.datetime(2027, 6, 1, tzinfo=dt.UTC)
CASE = kt.from_json(
    (importlib.resources.files("kol_trust") / "examples" / "01-high-trust-beauty-kol.json").read_bytes(), kt.Case
)
CERT = certify(
    kt.assess_case(CASE), issuer="Hiệp hội", issued_on=dt.date(2027, 1, 5), serial="c1", subject=CASE.subject
)
URL = "https://issuer.example/status/1"
CRED = issue_credential(CERT, KEY, status_list=URL, status_index=7)
LIST = StatusList().to_credential(KEY, id=URL, valid_from=dt.datetime(2027, 5, 20, tzinfo=dt.UTC))


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every leaf of a JSON value."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in paths(v, (*prefix, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in paths(v, (*prefix, i))]
    return [prefix]


LEAVES = [p for p in paths(CRED) if p != ("proof", "proofValue")]


def put(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        doc = doc[part]
    doc[path[-1]] = value


def get(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def test_the_original_verifies() -> None:
    assert verify_credential(CRED, trusted_issuers=[DID], on=ON, status_lists=[LIST]).ok


@pytest.mark.parametrize("path", LEAVES, ids=lambda p: ".".join(map(str, p)))
def test_every_field_tampered_does_not_verify(path: tuple[Any, ...]) -> None:
    old = get(CRED, path)
    for new in ((not old) if isinstance(old, bool) else None,
                old + 1 if isinstance(old, int | float) and not isinstance(old, bool) else None,
                old + "x" if isinstance(old, str) else None,
                old[:-1] if isinstance(old, str) and old else None):  # fmt: skip
        if new is None or new == old:
            continue
        doc = copy.deepcopy(CRED)
        put(doc, path, new)
        result = verify_credential(doc, trusted_issuers=[DID], on=ON, status_lists=[LIST])
        assert not result.ok, (path, new)
        assert result.certificate is None or result.status is S.MALFORMED


@given(st.data())
def test_any_changed_field_never_verifies(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(LEAVES))
    value = data.draw(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
    )
    if value == get(CRED, path) and type(value) is type(get(CRED, path)):
        return
    doc = copy.deepcopy(CRED)
    put(doc, path, value)
    assert not verify_credential(doc, trusted_issuers=[DID], on=ON).ok


def test_added_and_removed_fields_do_not_verify() -> None:
    for change in (
        lambda d: d.update(extra=1),
        lambda d: d["credentialSubject"].update(extra=1),
        lambda d: d.pop("credentialStatus"),
        lambda d: d["credentialSubject"].pop("subjectName"),
        lambda d: d.pop("validUntil"),
        lambda d: d["proof"].pop("@context"),
    ):
        doc = copy.deepcopy(CRED)
        change(doc)
        assert not verify_credential(doc, trusted_issuers=[DID], on=ON).ok


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(st.one_of(JSON, st.binary(max_size=200), st.text(max_size=200)))
def test_junk_to_every_verifier_gives_a_result(value: Any) -> None:
    assert not verify_proof(value).ok
    assert not verify_credential(value, trusted_issuers=[DID], on=ON).ok
    assert not verify_credential(CRED, trusted_issuers=[DID], on=ON, status_lists=[value]).ok
    assert not verify_status_list(value, trusted_issuers=[DID], on=ON).ok
    assert not check_status_list_credential(value, trusted_issuers=[DID]).ok


@given(st.integers(0, len(json.dumps(CRED)) - 1))
def test_truncated_text(cut: int) -> None:
    text = json.dumps(CRED)[:cut]
    assert verify_credential(text, trusted_issuers=[DID], on=ON).status is S.MALFORMED


@given(st.data())
def test_replaced_character_of_the_text(data: st.DataObject) -> None:
    text = json.dumps(CRED, ensure_ascii=False)
    i = data.draw(st.integers(0, len(text) - 1))
    ch = data.draw(st.characters(codec="utf-8"))
    changed = text[:i] + ch + text[i + 1 :]
    if changed == text:
        return
    try:
        same = json.loads(changed) == CRED
    except ValueError:
        same = False
    assert verify_credential(changed, trusted_issuers=[DID], on=ON).ok is same


@pytest.mark.parametrize("depth", [100, 10_000])
def test_deep_nesting(depth: int) -> None:
    text = "[" * depth + "]" * depth
    assert verify_credential(text, trusted_issuers=[DID], on=ON).status is S.MALFORMED
    doc = copy.deepcopy(CRED)
    nested: Any = []
    for _ in range(min(depth, 900)):
        nested = [nested]
    doc["credentialSubject"]["serial"] = nested
    assert not verify_credential(doc, trusted_issuers=[DID], on=ON).ok


def test_huge_inputs_are_refused_quickly() -> None:
    assert verify_credential("x" * 10_000_000, trusted_issuers=[DID], on=ON).status is S.MALFORMED
    doc = copy.deepcopy(CRED)
    doc["proof"]["verificationMethod"] = "did:key:z" + "6" * 100_000
    assert not verify_credential(doc, trusted_issuers=[DID], on=ON).ok
