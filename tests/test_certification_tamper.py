"""Tampering with signed certificates: nothing changed ever verifies, nothing hostile raises."""

from __future__ import annotations

import copy
import datetime as dt
import importlib.resources
import json
import time
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import kol_trust as kt
from kol_trust.certification import (
    Certificate,
    Revocation,
    RevocationList,
    RevocationReason,
    SignedCertificate,
    VerificationStatus,
    certify,
    generate_key,
    sign_certificate,
    sign_revocations,
    verify_certificate,
)

S = VerificationStatus
DAY = dt.date(2026, 11, 29)
KEY = generate_key()
PUBLIC = KEY.public_key()
CASE = kt.from_json(
    (importlib.resources.files("kol_trust") / "examples" / "01-high-trust-beauty-kol.json").read_bytes(), kt.Case
)
CERT = certify(kt.assess_case(CASE), issuer="Hiệp hội", issued_on=DAY, serial="cert-0001", subject=CASE.subject)
SIGNED = sign_certificate(CERT, KEY)
DOC: dict[str, Any] = kt.to_dict(SIGNED)
CANONICAL = kt.canonical_bytes(DOC)
PRETTY = kt.to_json(SIGNED, indent=2).encode("utf-8")
REVOCATIONS = sign_revocations(
    RevocationList(
        issuer=CERT.issuer,
        issued_on=DAY,
        entries=(Revocation(serial="cert-0001", revoked_on=DAY, reason=RevocationReason.WITHDRAWN),),
    ),
    KEY,
)


def test_the_originals_verify() -> None:
    for envelope in (SIGNED, DOC, CANONICAL, PRETTY):
        assert verify_certificate(envelope, PUBLIC, on=DAY).ok
    assert verify_certificate(SIGNED, PUBLIC, on=DAY, revocations=REVOCATIONS).status is S.REVOKED


def check(envelope: Any, revocations: Any = None) -> S:
    """Verify, with the guarantees every call must keep."""
    v = verify_certificate(envelope, PUBLIC, on=DAY, revocations=revocations)
    assert isinstance(v.status, S) and isinstance(v.detail, str) and v.detail
    assert (v.certificate is None) == (v.status in {S.MALFORMED, S.UNKNOWN_KEY, S.BAD_SIGNATURE})
    return v.status


# -- (a) one field of the certificate changed to another valid value -----------------------

identifiers = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._:-]{0,40}\Z")
texts = st.text(st.characters(codec="utf-8"), min_size=1, max_size=60)
digests = st.from_regex(r"\Asha256:[0-9a-f]{64}\Z")
dates = st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31))

FIELDS: dict[tuple[str, ...], st.SearchStrategy[Any]] = {
    ("serial",): identifiers,
    ("subject_id",): identifiers,
    ("subject_name",): st.one_of(st.none(), texts.filter(lambda s: len(s) <= 200)),
    ("tier",): st.one_of(st.sampled_from(["trusted", "developing", "not-rated"]), identifiers),
    ("tier_title", "vi"): texts,
    ("tier_title", "en"): texts,
    ("score",): st.one_of(
        st.floats(0, 100, allow_nan=False), st.integers(0, 100), st.sampled_from([91.5, 91.39999999999999, 100.0])
    ),
    ("rubric", "id"): identifiers,
    ("rubric", "version"): st.from_regex(r"\A(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\Z"),
    ("rubric", "digest"): digests,
    ("fingerprint",): digests,
    ("issuer",): texts,
    ("issued_on",): st.dates(dt.date(2000, 1, 1), CERT.valid_until),
    ("valid_until",): st.dates(CERT.issued_on, dt.date(2100, 12, 31)),
}


def get(doc: Any, path: tuple[str, ...]) -> Any:
    for step in path:
        doc = doc[step]
    return doc


def put(doc: Any, path: tuple[str, ...], value: Any) -> None:
    for step in path[:-1]:
        doc = doc[step]
    doc[path[-1]] = value


@given(data=st.data(), path=st.sampled_from(list(FIELDS)))
def test_any_changed_field_is_a_bad_signature(data: st.DataObject, path: tuple[str, ...]) -> None:
    value = data.draw(FIELDS[path])
    if isinstance(value, dt.date):
        value = value.isoformat()
    old = get(DOC["certificate"], path)
    assume(value != old)  # numbers compare by value: 91.4 == 91.40
    doc = copy.deepcopy(DOC)
    put(doc["certificate"], path, value)
    kt.from_dict(doc, SignedCertificate)  # still a well-formed envelope
    assert check(doc) is S.BAD_SIGNATURE
    assert check(json.dumps(doc, ensure_ascii=False)) is S.BAD_SIGNATURE


@pytest.mark.parametrize("path", list(FIELDS))
def test_every_field_is_covered(path: tuple[str, ...]) -> None:
    """Not left to chance: each field, changed once, breaks the signature."""
    doc = copy.deepcopy(DOC)
    old = get(doc["certificate"], path)
    if path in {("rubric", "digest"), ("fingerprint",)}:
        new: Any = old[:-1] + ("0" if old[-1] != "0" else "1")
    else:
        new = {
            ("score",): 91.5,
            ("issued_on",): "2026-11-28",
            ("valid_until",): "2027-11-30",
            ("rubric", "version"): "1.0.1",
        }.get(path, f"{old}x")
    assert new != old
    put(doc["certificate"], path, new)
    kt.from_dict(doc, SignedCertificate)
    assert check(doc) is S.BAD_SIGNATURE


def test_all_fields_are_listed() -> None:
    assert {p[0] for p in FIELDS} == {a.name for a in __import__("attrs").fields(Certificate)}


def test_dropping_the_subject_name_is_a_bad_signature() -> None:
    doc = copy.deepcopy(DOC)
    del doc["certificate"]["subject_name"]
    assert check(doc) is S.BAD_SIGNATURE


@given(key_id=st.from_regex(r"\Aed25519:[0-9a-f]{32}\Z"))
def test_changed_key_id_is_an_unknown_key(key_id: str) -> None:
    assume(key_id != DOC["key_id"])
    doc = dict(DOC, key_id=key_id)
    assert check(doc) is S.UNKNOWN_KEY


@given(signature=st.binary(min_size=64, max_size=64))
def test_other_signatures_are_bad(signature: bytes) -> None:
    import base64

    text = base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    assume(text != DOC["signature"])
    assert check(dict(DOC, signature=text)) is S.BAD_SIGNATURE


# -- (b) one byte of the JSON text flipped or replaced ------------------------------------


@given(data=st.data())
def test_flipped_byte_of_canonical_text(data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(CANONICAL) - 1))
    bit = data.draw(st.integers(0, 7))
    mutated = bytearray(CANONICAL)
    mutated[i] ^= 1 << bit
    assert check(bytes(mutated)) is not S.VALID


@given(data=st.data())
def test_replaced_byte_of_canonical_text(data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(CANONICAL) - 1))
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != CANONICAL[i]))
    mutated = bytearray(CANONICAL)
    mutated[i] = byte
    assert check(bytes(mutated)) is not S.VALID
    assert check(bytes(mutated).decode("utf-8", "replace")) is not S.VALID


@given(data=st.data())
def test_replaced_byte_of_pretty_text(data: st.DataObject) -> None:
    """Indented text has white space that may change without changing the
    document; any change that verifies must leave the document as it was."""
    i = data.draw(st.integers(0, len(PRETTY) - 1))
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != PRETTY[i]))
    mutated = bytearray(PRETTY)
    mutated[i] = byte
    if check(bytes(mutated)) is S.VALID:
        assert kt.from_json(bytes(mutated), SignedCertificate) == SIGNED


def test_every_single_byte_of_canonical_text() -> None:
    """Exhaustively: each position, a few replacements."""
    for i in range(len(CANONICAL)):
        for byte in {0x00, 0x20, 0x22, 0x30, 0x41, 0x7F, 0xFF, CANONICAL[i] ^ 1}:
            if byte == CANONICAL[i]:
                continue
            mutated = bytearray(CANONICAL)
            mutated[i] = byte
            assert check(bytes(mutated)) is not S.VALID, (i, byte)


@given(cut=st.integers(0, len(CANONICAL) - 1))
def test_truncated_text(cut: int) -> None:
    assert check(CANONICAL[:cut]) is S.MALFORMED


# -- (c) hostile input --------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=30,
)
near_envelopes = st.fixed_dictionaries(
    {"certificate": json_values | st.just(copy.deepcopy(DOC["certificate"])), "key_id": json_values},
    optional={"signature": json_values, "extra": json_values},
)


@given(value=json_values)
def test_arbitrary_json_values(value: Any) -> None:
    assert check(value) is S.MALFORMED
    assert check(json.dumps(value)) is S.MALFORMED


@given(value=near_envelopes)
def test_near_envelopes(value: Any) -> None:
    assert check(value) is S.MALFORMED


@given(data=st.binary(max_size=300))
def test_arbitrary_bytes(data: bytes) -> None:
    assert check(data) is S.MALFORMED


@given(text=st.text(max_size=300))
def test_arbitrary_text(text: str) -> None:
    assert check(text) is S.MALFORMED


@given(value=json_values)
def test_arbitrary_revocations_fail_closed(value: Any) -> None:
    no_lists = value is None or value == []
    assert check(SIGNED, revocations=value) is (S.VALID if no_lists else S.MALFORMED)
    assert check(SIGNED, revocations=[REVOCATIONS, value]) is S.MALFORMED


@given(data=st.data())
def test_tampered_revocation_list_fails_closed(data: st.DataObject) -> None:
    doc = kt.to_dict(REVOCATIONS)
    path = data.draw(
        st.sampled_from(
            [
                ("revocation_list", "issuer"),
                ("revocation_list", "issued_on"),
                ("revocation_list", "entries", 0, "serial"),
                ("revocation_list", "entries", 0, "revoked_on"),
                ("revocation_list", "entries", 0, "reason"),
            ]
        )
    )
    value = data.draw(
        st.sampled_from(["2026-11-30", "suspended", "key-compromise"]) | identifiers if path[-1] != "issuer" else texts
    )
    node: Any = doc
    for step in path[:-1]:
        node = node[step]
    assume(node[path[-1]] != value)
    node[path[-1]] = value
    assert check(SIGNED, revocations=doc) is S.MALFORMED


HUGE = "x" * 10_000_000


@pytest.mark.parametrize(
    "where",
    [
        "text",
        "bytes",
        "serial",
        "subject_name",
        "issuer",
        "tier_title",
        "signature",
        "key_id",
        "extra-key",
        "extra-value",
        "score-digits",
    ],
)
def test_huge_strings_are_malformed_quickly(where: str) -> None:
    doc: Any = copy.deepcopy(DOC)
    if where == "text":
        envelope: Any = '{"certificate": "' + HUGE + '"}'
    elif where == "bytes":
        envelope = PRETTY + b" " * 10_000_000
    elif where in {"signature", "key_id"}:
        doc[where] = HUGE
        envelope = doc
    elif where == "tier_title":
        doc["certificate"]["tier_title"]["vi"] = HUGE
        envelope = doc
    elif where == "extra-key":
        doc[HUGE] = 1
        envelope = doc
    elif where == "extra-value":
        doc["certificate"]["comment"] = HUGE
        envelope = doc
    elif where == "score-digits":
        envelope = json.dumps(DOC).replace('"score": 91.4', '"score": 9' + "1" * 5000)
    else:
        doc["certificate"][where] = HUGE
        envelope = doc
    start = time.perf_counter()
    assert check(envelope) is S.MALFORMED
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deep_nesting_is_malformed(depth: int) -> None:
    text = "[" * depth + "]" * depth
    assert check(text) is S.MALFORMED
    assert check('{"certificate": ' + "{" * depth + "}" * depth + "}") is S.MALFORMED
    nested: Any = {}
    for _ in range(depth):
        nested = {"a": nested}
    assert check(nested) is S.MALFORMED
    doc = copy.deepcopy(DOC)
    doc["certificate"]["subject_name"] = nested
    assert check(doc) is S.MALFORMED
    deep_list: Any = []
    for _ in range(depth):
        deep_list = [deep_list]
    assert check(deep_list) is S.MALFORMED
    assert check(SIGNED, revocations=[nested]) is S.MALFORMED
    assert check(SIGNED, revocations=text) is S.MALFORMED


def test_objects_that_are_not_documents() -> None:
    class Weird(dict):  # type: ignore[type-arg]
        def items(self) -> Any:
            raise RuntimeError("boom")

    for value in (object(), Weird(), {1: 2}, {None: DOC}, {"certificate": float("nan")}, set(), b"", bytearray(b"{")):
        assert check(value) is S.MALFORMED
