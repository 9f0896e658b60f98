"""W3C credentials: eddsa-jcs-2022 proofs (the W3C vector), did:key, status lists, certificates as credentials."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import gzip
import hashlib
import importlib.resources
import json
from pathlib import Path
from typing import Any

import pytest

import kol_trust as kt
from conftest import TESTS
from kol_trust.certification import certify, generate_key
from kol_trust.credentials import (
    CredentialStatus,
    StatusList,
    add_proof,
    allocate_index,
    b58decode,
    b58encode,
    did_key,
    issue_credential,
    private_key_from_multibase,
    private_key_to_multibase,
    public_key_from_did,
    verification_method_of,
    verify_credential,
    verify_proof,
    verify_status_list,
)
from kol_trust.errors import CredentialError, KeyFormatError, KolTrustError, MultibaseError

W3C = TESTS / "data" / "w3c"
EDDSA = W3C / "vc-di-eddsa"
UTC = dt.UTC
S = CredentialStatus


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip()


KEYPAIR = load(EDDSA / "keyPair.json")
W3C_KEY = private_key_from_multibase(KEYPAIR["privateKeyMultibase"])
UNSIGNED = load(EDDSA / "unsigned.json")
OPTIONS = load(EDDSA / "eddsa-jcs-2022" / "proofConfigJCS.json")
SIGNED = load(EDDSA / "eddsa-jcs-2022" / "signedJCS.json")


# -- the W3C vector ----------------------------------------------------------------------


def test_w3c_key_pair() -> None:
    assert did_key(W3C_KEY) == "did:key:" + KEYPAIR["publicKeyMultibase"]
    assert private_key_to_multibase(W3C_KEY) == KEYPAIR["privateKeyMultibase"]
    assert verification_method_of(W3C_KEY) == OPTIONS["verificationMethod"]


def test_w3c_vector_reproduces_byte_for_byte() -> None:
    out = add_proof(UNSIGNED, W3C_KEY, verification_method=OPTIONS["verificationMethod"], created=OPTIONS["created"])
    assert out["proof"]["proofValue"] == text(EDDSA / "eddsa-jcs-2022" / "sigBTC58JCS.txt")
    assert out == SIGNED
    assert list(out["proof"]) == list(SIGNED["proof"])
    assert "proof" not in UNSIGNED  # the input is not modified


def test_w3c_vector_intermediate_values() -> None:
    """The hand-written algorithm of the specification, step by step, against each published value."""
    options = {k: v for k, v in SIGNED["proof"].items() if k != "proofValue"}
    canon_options = kt.canonical_bytes(options) if False else _jcs(options)
    assert canon_options.decode() == text(EDDSA / "eddsa-jcs-2022" / "proofCanonJCS.txt")
    assert hashlib.sha256(canon_options).hexdigest() == text(EDDSA / "eddsa-jcs-2022" / "proofHashJCS.txt")
    canon_doc = _jcs(UNSIGNED)
    assert canon_doc.decode() == text(EDDSA / "eddsa-jcs-2022" / "canonDocJCS.txt")
    assert hashlib.sha256(canon_doc).hexdigest() == text(EDDSA / "eddsa-jcs-2022" / "docHashJCS.txt")
    combined = hashlib.sha256(canon_options).digest() + hashlib.sha256(canon_doc).digest()
    assert combined.hex() == text(EDDSA / "eddsa-jcs-2022" / "combinedHashJCS.txt")
    signature = W3C_KEY.sign(combined)
    assert signature.hex() == text(EDDSA / "eddsa-jcs-2022" / "sigHexJCS.txt")
    assert "z" + b58encode(signature) == SIGNED["proof"]["proofValue"]


def _jcs(value: Any) -> bytes:
    import rfc8785

    return rfc8785.dumps(value)


def test_w3c_signed_credential_verifies() -> None:
    result = verify_proof(SIGNED)
    assert result.ok and result.problem is None and result.kind == "verified"
    assert result.verification_method == OPTIONS["verificationMethod"]
    assert verify_proof(json.dumps(SIGNED)).ok
    assert verify_proof(json.dumps(SIGNED).encode()).ok
    assert verify_proof(SIGNED, trusted=["did:key:" + KEYPAIR["publicKeyMultibase"]]).ok
    assert verify_proof(SIGNED, trusted=OPTIONS["verificationMethod"]).ok
    other = verify_proof(SIGNED, trusted=[did_key(generate_key())])
    assert not other.ok and other.kind == "unknown-key"


def hand_written_eddsa_jcs_2022(document: dict[str, Any]) -> bool:
    """eddsa-jcs-2022 verification written from the specification, with nothing of kol_trust."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

    def b58(s: str) -> bytes:
        n = 0
        for ch in s:
            n = n * 58 + alphabet.index(ch)
        return b"\0" * (len(s) - len(s.lstrip("1"))) + n.to_bytes((n.bit_length() + 7) // 8, "big")

    proof = dict(document["proof"])
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-jcs-2022"
    value = proof.pop("proofValue")
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    if "@context" in proof:
        assert unsecured["@context"][: len(proof["@context"])] == proof["@context"]
    data = hashlib.sha256(_jcs(proof)).digest() + hashlib.sha256(_jcs(unsecured)).digest()
    vm = proof["verificationMethod"]
    did, _, fragment = vm.removeprefix("did:key:").partition("#")
    assert fragment == did and did.startswith("z")
    raw = b58(did[1:])
    assert raw[:2] == b"\xed\x01" and len(raw) == 34
    try:
        Ed25519PublicKey.from_public_bytes(raw[2:]).verify(b58(value[1:]), data)
    except InvalidSignature:
        return False
    return True


def test_hand_written_check_accepts_the_w3c_vector() -> None:
    assert hand_written_eddsa_jcs_2022(SIGNED)
    tampered = copy.deepcopy(SIGNED)
    tampered["credentialSubject"]["alumniOf"] = "Another School"
    assert not hand_written_eddsa_jcs_2022(tampered)


def test_add_proof_refusals() -> None:
    vm = OPTIONS["verificationMethod"]
    with pytest.raises(CredentialError, match=r"\$\.proof: the document already has a proof"):
        add_proof(SIGNED, W3C_KEY, verification_method=vm, created=OPTIONS["created"])
    with pytest.raises(CredentialError, match="another key"):
        add_proof(UNSIGNED, generate_key(), verification_method=vm, created=OPTIONS["created"])
    with pytest.raises(CredentialError, match=r"\$\.proof\.created"):
        add_proof(UNSIGNED, W3C_KEY, verification_method=vm, created="yesterday")
    with pytest.raises(CredentialError, match="no time zone"):
        add_proof(UNSIGNED, W3C_KEY, verification_method=vm, created=dt.datetime(2026, 1, 1))
    with pytest.raises(CredentialError, match="JSON object"):
        add_proof([1], W3C_KEY, verification_method=vm, created=OPTIONS["created"])  # type: ignore[arg-type]
    with pytest.raises(CredentialError, match="canonicalize"):
        add_proof({"x": float("nan")}, W3C_KEY, verification_method=vm, created=OPTIONS["created"])
    with pytest.raises(TypeError):
        add_proof(UNSIGNED, "key", verification_method=vm, created=OPTIONS["created"])  # type: ignore[arg-type]


def test_add_proof_without_context_and_with_a_datetime() -> None:
    key = generate_key()
    doc = {"hello": "xin chào", "n": [1, 2.5, None, True]}
    signed = add_proof(
        doc, key, verification_method=verification_method_of(key), created=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    )
    assert "@context" not in signed["proof"] and signed["proof"]["created"] == "2026-01-02T03:04:05Z"
    assert verify_proof(signed).ok and hand_written_eddsa_jcs_2022(signed)


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        (lambda d: d["proof"].update(cryptosuite="eddsa-rdfc-2022"), "malformed"),
        (lambda d: d["proof"].update(type="Ed25519Signature2020"), "malformed"),
        (lambda d: d["proof"].update(proofPurpose="authentication"), "malformed"),
        (lambda d: d["proof"].update(proofValue="u" + "A" * 86), "malformed"),
        (lambda d: d["proof"].update(proofValue=d["proof"]["proofValue"][:-3]), "malformed"),
        (lambda d: d["proof"].update(proofValue="z0OIl"), "malformed"),
        (lambda d: d["proof"].update(created="2023-02-24"), "malformed"),
        (lambda d: d.update(proof=[d["proof"], d["proof"]]), "malformed"),
        (lambda d: d.pop("proof"), "malformed"),
        (lambda d: d["proof"].update(verificationMethod="did:web:vc.example#key-1"), "unknown-key"),
        (
            lambda d: d["proof"].update(verificationMethod="did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"),
            "unknown-key",
        ),
        (lambda d: d["proof"].update(verificationMethod=verification_method_of(generate_key())), "bad-signature"),
        (lambda d: d["proof"].update(created="2023-02-24T23:36:39Z"), "bad-signature"),
        (lambda d: d.update(name="Alumni Credential!"), "bad-signature"),
        (lambda d: d["@context"].append("https://example.org/more"), "bad-signature"),
        (lambda d: d.update({"@context": d["@context"][1:]}), "bad-signature"),
    ],
)
def test_verify_proof_failures(change: Any, kind: str) -> None:
    doc = copy.deepcopy(SIGNED)
    change(doc)
    result = verify_proof(doc)
    assert not result.ok and result.kind == kind and result.problem
    assert verify_proof(SIGNED).ok


@pytest.mark.parametrize(
    "junk",
    [None, 1, "", "{", b"\xff", "[]", "null", {}, {"proof": None}, {"proof": "x"}, {"proof": {}}, [SIGNED], "x" * 9_000_001,
     {"proof": {**SIGNED["proof"], "proofValue": "z" + "2" * 5000}}],
)  # fmt: skip
def test_verify_proof_never_raises(junk: Any) -> None:
    result = verify_proof(junk)
    assert not result.ok and result.problem


# -- did:key and base58 ------------------------------------------------------------------


def test_did_key_vectors_of_the_method_spec() -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    vectors = load(W3C / "did-method-key" / "ed25519-x25519.json")
    assert len(vectors) >= 2
    for did, vector in vectors.items():
        key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(vector["seed"]))
        assert did_key(key) == did
        assert did_key(public_key_from_did(did)) == did
        assert did_key(public_key_from_did(vector["didDocument"]["assertionMethod"][0])) == did
        pair = vector["verificationKeyPair"]
        if "publicKeyBase58" in pair:
            assert b58decode(did.removeprefix("did:key:z"))[2:] == b58decode(pair["publicKeyBase58"])


@pytest.mark.parametrize(
    "bad",
    ["", "did:web:example.org", "did:key:", "did:key:abc", "did:key:z6Mk", "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",
     "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6Mkother", "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ0",
     "did:key:z" + "1" * 300, 42],
)  # fmt: skip
def test_public_key_from_did_refuses_what_is_not_an_ed25519_did_key(bad: Any) -> None:
    with pytest.raises(KolTrustError) as info:
        public_key_from_did(bad)
    assert isinstance(info.value, KeyFormatError)


def test_base58() -> None:
    for data in (b"", b"\0", b"\0\0\x01", bytes(range(256)), b"hello world"):
        assert b58decode(b58encode(data)) == data
    assert b58encode(b"hello world") == "StV1DL6CwTryKyV"
    assert b58encode(b"\0\0\x01") == "112"
    with pytest.raises(MultibaseError, match="position 1"):
        b58decode("1O")


# -- status lists ------------------------------------------------------------------------

LIST_URL = "https://issuer.example/status/1"
T0 = dt.datetime(2026, 12, 1, tzinfo=UTC)


def test_status_list_bit_order_decoded_by_hand() -> None:
    key = generate_key()
    sl = StatusList()
    assert sl.length == 131_072
    for i in (0, 7, 8, 131_071):
        sl.set(i)
    sl.set(9)
    sl.clear(9)
    doc = sl.to_credential(key, id=LIST_URL, valid_from=T0)
    encoded = doc["credentialSubject"]["encodedList"]
    assert encoded.startswith("u") and "=" not in encoded
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(raw) == 16_384
    assert raw[0] == 0b1000_0001  # index 0 is the most significant bit of the first byte, 7 the least
    assert raw[1] == 0b1000_0000  # index 8
    assert raw[-1] == 0b0000_0001  # index 131 071
    assert sum(bin(b).count("1") for b in raw) == 4
    assert [sl.is_set(i) for i in (0, 1, 7, 8, 9, 131_071)] == [True, False, True, True, False, True]


def test_w3c_example_list_decodes() -> None:
    example = load(W3C / "vc-bitstring-status-list" / "example-status-list-credential.json")
    sl = StatusList.from_encoded_list(example["credentialSubject"]["encodedList"])
    assert sl.length == 131_072 and sl.count() == 0
    assert StatusList.from_encoded_list(StatusList().encoded_list()) == StatusList()


def test_status_list_round_trip_and_freshness() -> None:
    key = generate_key()
    did = did_key(key)
    sl = StatusList("suspension")
    sl.set(42)
    doc = sl.to_credential(key, id=LIST_URL, valid_from=T0, valid_until=T0 + dt.timedelta(days=7))
    assert doc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert doc["validUntil"] == "2026-12-08T00:00:00Z"
    check = verify_status_list(doc, trusted_issuers=[did], on=T0 + dt.timedelta(days=1))
    assert check.ok and check.status_list == sl and check.status_list.is_set(42)
    late = verify_status_list(doc, trusted_issuers=[did], on=T0 + dt.timedelta(days=7))
    assert not late.ok and "expired" in (late.problem or "") and late.status_list is None
    early = verify_status_list(doc, trusted_issuers=[did], on=T0 - dt.timedelta(seconds=1))
    assert not early.ok
    other = verify_status_list(doc, trusted_issuers=[did_key(generate_key())], on=T0)
    assert not other.ok and "not a trusted issuer" in (other.problem or "")
    forged = copy.deepcopy(doc)
    forged["credentialSubject"]["encodedList"] = StatusList("suspension").encoded_list()
    assert not verify_status_list(forged, trusted_issuers=[did], on=T0).ok


@pytest.mark.parametrize(
    "junk", [None, "", "{}", b"\x00", [], {"type": ["BitstringStatusListCredential"]}, "x" * 9_000_001]
)
def test_verify_status_list_never_raises(junk: Any) -> None:
    assert not verify_status_list(junk, trusted_issuers=[], on=T0).ok


def test_status_list_refusals() -> None:
    for bad in (1000, 131_073, True, 2**30):
        with pytest.raises(CredentialError):
            StatusList(length=bad)
    with pytest.raises(CredentialError):
        StatusList("message")
    with pytest.raises(CredentialError, match="outside"):
        StatusList().set(131_072)
    with pytest.raises(CredentialError, match="integer"):
        StatusList().set("1")  # type: ignore[arg-type]
    short = "u" + base64.urlsafe_b64encode(gzip.compress(b"\0" * 100)).rstrip(b"=").decode()
    with pytest.raises(CredentialError, match="fewer than the minimum"):
        StatusList.from_encoded_list(short)
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(b"\0" * (3 * 1024 * 1024))).rstrip(b"=").decode()
    with pytest.raises(CredentialError, match="more than"):
        StatusList.from_encoded_list(bomb)
    for junk in ("z111", "uAAAA", "u!!", ""):
        with pytest.raises(CredentialError):
            StatusList.from_encoded_list(junk)


def test_allocate_index() -> None:
    used = set(range(100))
    picks = {allocate_index(used) for _ in range(50)}
    assert not picks & used and len(picks) > 40
    assert allocate_index(set(range(131_071)), 131_072) == 131_071
    with pytest.raises(CredentialError, match="every one"):
        allocate_index(range(8), 8)


# -- certificates as credentials ---------------------------------------------------------

CASE = kt.from_json(
    (importlib.resources.files("kol_trust") / "examples" / "01-high-trust-beauty-kol.json").read_bytes(), kt.Case
)
ISSUED = dt.date(2027, 3, 1)  # a 12-month period across 29 February 2028
CERT = certify(
    kt.assess_case(CASE), issuer="Hiệp hội Niềm tin số", issued_on=ISSUED, serial="cert-0001", subject=CASE.subject
)
KEY = generate_key()
DID = did_key(KEY)
SUSPEND_URL = "https://issuer.example/status/2"
INDEX = 94_567
CRED = issue_credential(CERT, KEY, status_list=LIST_URL, suspension_list=SUSPEND_URL, status_index=INDEX)


def lists(
    revoked: bool = False, suspended: bool = False, valid_from: dt.datetime = T0, key: Any = KEY
) -> list[dict[str, Any]]:
    out = []
    for url, purpose, on in ((LIST_URL, "revocation", revoked), (SUSPEND_URL, "suspension", suspended)):
        sl = StatusList(purpose)
        if on:
            sl.set(INDEX)
        out.append(
            sl.to_credential(key, id=url, valid_from=valid_from, valid_until=valid_from + dt.timedelta(days=1000))
        )
    return out


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def test_credential_shape() -> None:
    assert CRED["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert CRED["type"] == ["VerifiableCredential", "KolTrustCertificate"]
    assert CRED["issuer"] == {"id": DID, "name": "Hiệp hội Niềm tin số"}
    assert CRED["validFrom"] == "2027-03-01T00:00:00Z"
    assert CRED["validUntil"] == "2028-03-01T00:00:00Z"  # 12 months, 366 days across a leap day, exclusive
    subject = CRED["credentialSubject"]
    assert subject["tier"] == "high-trust" and subject["score"] == CERT.score and subject["coverage"] == CERT.coverage
    assert subject["rubricDigest"] == CERT.rubric.digest and subject["assessmentFingerprint"] == CERT.fingerprint
    assert subject["asOf"] == CASE.as_of.isoformat()
    assert [e["statusPurpose"] for e in CRED["credentialStatus"]] == ["revocation", "suspension"]
    assert CRED["credentialStatus"][0]["statusListIndex"] == str(INDEX)
    assert CRED["proof"]["verificationMethod"] == verification_method_of(KEY)
    assert verify_proof(CRED).ok and hand_written_eddsa_jcs_2022(CRED)


def test_credential_terms_are_defined_inline() -> None:
    """Every term of the credential subject is defined in the inline context: nothing of ours is fetched."""
    inline = CRED["@context"][1]
    assert isinstance(inline, dict)
    for term in CRED["credentialSubject"]:
        assert term == "type" or term in inline, term
    assert CRED["credentialSubject"]["type"] in inline and "KolTrustCertificate" in inline


def test_schema_accepts_the_credential() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((importlib.resources.files("kol_trust") / "schemas" / "credential.json").read_text())
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(CRED)
    bad = copy.deepcopy(CRED)
    bad["credentialSubject"]["score"] = 101
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(bad))


@pytest.mark.parametrize(
    ("on", "status"),
    [
        (at(2027, 2, 28, 23, 59, 59), S.NOT_YET_VALID),
        (at(2027, 3, 1), S.VALID),
        (dt.date(2027, 3, 1), S.VALID),
        (at(2028, 2, 29, 23, 59, 59), S.VALID),  # the last valid instant
        (at(2028, 3, 1), S.EXPIRED),  # validUntil is exclusive
        (dt.datetime(2028, 3, 1, 6, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=7))), S.VALID),  # Hà Nội time
    ],
)
def test_validity_period(on: Any, status: S) -> None:
    result = verify_credential(CRED, trusted_issuers=[DID], on=on, status_lists=lists())
    assert result.status is status, result.detail
    assert result.certificate == CERT
    assert result.status_checked == ("revocation", "suspension")


def test_revoked_and_suspended() -> None:
    on = at(2027, 6, 1)
    revoked = verify_credential(CRED, trusted_issuers=[DID], on=on, status_lists=lists(revoked=True))
    assert revoked.status is S.REVOKED and str(INDEX) in revoked.detail and not revoked.ok
    suspended = verify_credential(CRED, trusted_issuers=[DID], on=on, status_lists=lists(suspended=True))
    assert suspended.status is S.SUSPENDED
    unchecked = verify_credential(CRED, trusted_issuers=[DID], on=on)
    assert unchecked.ok and unchecked.status_unchecked == ("revocation", "suspension")
    assert "not checked" in unchecked.detail


def test_the_newest_list_wins_and_replays_change_nothing() -> None:
    on = at(2027, 6, 1)
    old = lists(valid_from=T0)
    new = lists(revoked=True, valid_from=T0 + dt.timedelta(days=30))
    for order in ([*old, *new], [*new, *old]):
        assert verify_credential(CRED, trusted_issuers=[DID], on=on, status_lists=order).status is S.REVOKED


def test_status_lists_fail_closed() -> None:
    on = at(2027, 6, 1)
    other = generate_key()
    # a list of the same id forged by an untrusted key
    forged = lists(key=other)[:1]
    result = verify_credential(CRED, trusted_issuers=[DID], on=on, status_lists=[*lists(revoked=True), *forged])
    assert result.status is S.MALFORMED and "does not verify" in result.detail
    # a list by another trusted issuer for this credential's list id: it cannot speak for this issuer
    result = verify_credential(CRED, trusted_issuers=[DID, did_key(other)], on=on, status_lists=lists(key=other))
    assert result.status is S.MALFORMED and "not by the credential's issuer" in result.detail
    # an expired list fails closed
    stale = [
        sl.to_credential(KEY, id=LIST_URL, valid_from=T0, valid_until=T0 + dt.timedelta(days=1))
        for sl in [StatusList()]
    ]
    result = verify_credential(CRED, trusted_issuers=[DID], on=on, status_lists=stale)
    assert result.status is S.MALFORMED and "expired" in result.detail
    # a damaged list
    damaged = copy.deepcopy(lists()[0])
    damaged["credentialSubject"]["encodedList"] = "uAAAA"
    assert verify_credential(CRED, trusted_issuers=[DID], on=on, status_lists=[damaged]).status is S.MALFORMED
    for junk in (None, "", "{", 3, {"id": LIST_URL}):
        assert verify_credential(CRED, trusted_issuers=[DID], on=on, status_lists=[junk]).status is S.MALFORMED
    # a list with the wrong purpose
    swapped = lists()
    swapped[0]["id"], swapped[1]["id"] = swapped[1]["id"], swapped[0]["id"]
    assert verify_credential(CRED, trusted_issuers=[DID], on=on, status_lists=swapped).status is not S.VALID


def test_issuer_binding() -> None:
    """Gap 5a: with A and B trusted, B cannot sign a credential in A's name."""
    a, b = KEY, generate_key()
    on = at(2027, 6, 1)
    trusted = [did_key(a), did_key(b)]
    doc = copy.deepcopy(CRED)
    del doc["proof"]
    forged = add_proof(doc, b, verification_method=verification_method_of(b), created="2027-03-01T00:00:00Z")
    result = verify_credential(forged, trusted_issuers=trusted, on=on)
    assert result.status is S.BAD_SIGNATURE and "not a verification method of its issuer" in result.detail
    assert result.certificate is None
    unknown = verify_credential(CRED, trusted_issuers=[did_key(b)], on=on)
    assert unknown.status is S.UNKNOWN_KEY and unknown.certificate is None
    # B signs its own credential: fine, in its own name
    mine = issue_credential(CERT, b)
    assert verify_credential(mine, trusted_issuers=trusted, on=on).ok


def test_a_did_web_issuer_names_its_verification_method() -> None:
    issuer = "did:web:nca.example"
    with pytest.raises(CredentialError, match="verification_method"):
        issue_credential(CERT, KEY, issuer=issuer)
    with pytest.raises(CredentialError, match="not a verification method of the issuer"):
        issue_credential(CERT, KEY, issuer=issuer, verification_method="did:web:other.example#key-1")
    cred = issue_credential(CERT, KEY, issuer=issuer, verification_method=issuer + "#key-1")
    on = at(2027, 6, 1)
    assert verify_credential(cred, trusted_issuers=[issuer], on=on).status is S.UNKNOWN_KEY
    assert verify_credential(cred, trusted_issuers={issuer: KEY.public_key()}, on=on).ok
    assert (
        verify_credential(cred, trusted_issuers={issuer: generate_key().public_key()}, on=on).status is S.BAD_SIGNATURE
    )


def test_issue_credential_refusals() -> None:
    with pytest.raises(CredentialError, match="status_index"):
        issue_credential(CERT, KEY, status_list=LIST_URL)
    with pytest.raises(CredentialError, match="https URL"):
        issue_credential(CERT, KEY, status_list="http://x.example/1", status_index=1)
    with pytest.raises(CredentialError, match="without a status list"):
        issue_credential(CERT, KEY, status_index=1)
    with pytest.raises(CredentialError, match="another key"):
        issue_credential(CERT, KEY, issuer=did_key(generate_key()))
    with pytest.raises(CredentialError, match="DID or an https URL"):
        issue_credential(CERT, KEY, issuer="Hiệp hội")
    with pytest.raises(TypeError):
        issue_credential(kt.to_dict(CERT), KEY)  # type: ignore[arg-type]


def test_verify_credential_argument_errors() -> None:
    with pytest.raises(TypeError):
        verify_credential(CRED, trusted_issuers=[DID], on=dt.datetime(2027, 6, 1))  # naive
    with pytest.raises(TypeError):
        verify_credential(CRED, trusted_issuers=[1], on=T0)  # type: ignore[list-item]
    with pytest.raises(TypeError):
        verify_credential(CRED, trusted_issuers=None, on=T0)  # type: ignore[arg-type]
