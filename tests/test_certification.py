"""Certification: certify, keys, signatures, verification, revocation and review."""

from __future__ import annotations

import datetime as dt
import importlib.resources
import json
import pickle
import subprocess
import sys
from typing import Any

import attrs
import pytest

import kol_trust as kt
from conftest import VECTORS
from kol_trust.certification import (
    Certificate,
    ReviewOutcome,
    Revocation,
    RevocationList,
    RevocationReason,
    SignedCertificate,
    SignedRevocationList,
    VerificationStatus,
    certify,
    generate_key,
    key_id,
    load_private_key,
    load_public_key,
    private_key_to_pem,
    public_key_to_pem,
    review,
    sign_certificate,
    sign_revocations,
    verify_certificate,
    verify_revocation_list,
)
from kol_trust.errors import (
    CertificationError,
    CertificationRefused,
    KeyFormatError,
    RubricMismatchError,
    RubricNotFoundError,
    SignatureError,
    SigningUnavailable,
)

S = VerificationStatus
ISSUER = "Hiệp hội Niềm tin số"
DAY = dt.date(2026, 11, 29)
EXAMPLES = importlib.resources.files("kol_trust") / "examples"


def example(name: str) -> kt.Case:
    return kt.from_json((EXAMPLES / f"{name}.json").read_bytes(), kt.Case)


HIGH = example("01-high-trust-beauty-kol")  # high-trust, certified
DISQUALIFIED = example("02-false-ad-finance-kol")  # not-rated, G-FALSE-AD
DEVELOPING = example("03-thin-evidence-koc")  # developing, no gate
TRUSTED = example("04-licensed-doctor-kol")  # trusted, certified


def with_incidents(case: kt.Case, *items: tuple[str, str, str]) -> kt.Case:
    """*case* with extra incidents (criterion, severity, source) ten days before as_of."""
    extra = tuple(
        kt.Evidence(
            id=f"extra-{i}",
            subject_id=case.subject.id,
            criterion=criterion,
            source=source,
            observed_at=case.as_of - dt.timedelta(days=10),
            severity=kt.Severity(severity),
        )
        for i, (criterion, severity, source) in enumerate(items)
    )
    return attrs.evolve(case, evidence=case.evidence + extra)


@pytest.fixture(scope="module")
def key() -> Any:
    return generate_key()


@pytest.fixture(scope="module")
def assessment() -> kt.Assessment:
    a = kt.assess_case(HIGH)
    assert a.certified and a.tier == "high-trust"
    return a


@pytest.fixture(scope="module")
def cert(assessment: kt.Assessment) -> Certificate:
    return certify(assessment, issuer=ISSUER, issued_on=DAY, serial="cert-0001", subject=HIGH.subject)


@pytest.fixture(scope="module")
def signed(cert: Certificate, key: Any) -> SignedCertificate:
    return sign_certificate(cert, key)


# -- certify ------------------------------------------------------------------------------


def test_certify_fields(assessment: kt.Assessment, cert: Certificate) -> None:
    rubric = kt.load_rubric("1.0.0")
    assert cert.serial == "cert-0001"
    assert cert.subject_id == HIGH.subject.id == assessment.subject_id
    assert cert.subject_name == HIGH.subject.name == "Trần Minh Châu"
    assert cert.tier == "high-trust"
    assert cert.tier_title == rubric.tier("high-trust").title
    assert cert.score == assessment.score == 91.4
    assert cert.rubric == assessment.rubric
    assert cert.rubric.digest == kt.rubric_digest(rubric)
    assert cert.fingerprint == assessment.fingerprint
    assert cert.issuer == ISSUER
    assert cert.issued_on == DAY
    assert rubric.policy.certificate_validity_days == 365
    assert cert.valid_until == dt.date(2027, 11, 29) == DAY + dt.timedelta(days=365)
    assert cert.valid_on(DAY) and cert.valid_on(cert.valid_until)
    assert not cert.valid_on(DAY - dt.timedelta(days=1)) and not cert.valid_on(cert.valid_until + dt.timedelta(days=1))


def test_certificate_document(cert: Certificate) -> None:
    doc = kt.to_dict(cert)
    assert list(doc) == [
        "serial",
        "subject_id",
        "subject_name",
        "tier",
        "tier_title",
        "score",
        "rubric",
        "fingerprint",
        "issuer",
        "issued_on",
        "valid_until",
    ]
    assert doc["valid_until"] == "2027-11-29"
    assert doc["tier_title"] == {"vi": "Tín nhiệm cao", "en": "High trust"}
    assert kt.from_dict(doc, Certificate) == cert
    assert kt.from_json(kt.to_json(cert), Certificate) == cert


def test_certify_without_subject_has_no_name(assessment: kt.Assessment) -> None:
    cert = certify(assessment, issuer=ISSUER, issued_on=DAY, serial="s1")
    assert cert.subject_name is None
    assert kt.to_dict(cert)["subject_name"] is None
    doc = kt.to_dict(cert)
    del doc["subject_name"]  # omitted and null are the same
    assert kt.from_dict(doc, Certificate) == cert


def test_validity_follows_the_rubric_policy(assessment: kt.Assessment) -> None:
    rubric = kt.load_rubric("1.0.0")
    short = attrs.evolve(rubric, policy=attrs.evolve(rubric.policy, certificate_validity_days=30))
    a = kt.assess_case(HIGH, rubric=short)
    cert = certify(a, issuer=ISSUER, issued_on=DAY + dt.timedelta(days=3), serial="s", rubric=short)
    assert cert.valid_until == DAY + dt.timedelta(days=33)
    assert cert.rubric.digest == kt.rubric_digest(short) != assessment.rubric.digest


def test_certify_is_deterministic_with_a_serial(assessment: kt.Assessment) -> None:
    one = certify(assessment, issuer=ISSUER, issued_on=DAY, serial="fixed", subject=HIGH.subject)
    two = certify(assessment, issuer=ISSUER, issued_on=DAY, serial="fixed", subject=HIGH.subject)
    assert one == two and kt.canonical_bytes(one) == kt.canonical_bytes(two)


def test_serials_are_random_and_unique(assessment: kt.Assessment) -> None:
    serials = {certify(assessment, issuer=ISSUER, issued_on=DAY).serial for _ in range(200)}
    assert len(serials) == 200
    for serial in serials:
        assert len(serial) == 32 and int(serial, 16) >= 0 and serial == serial.lower()


@pytest.mark.parametrize("serial", ["", "-x", "a b", "x" * 129, "é"])
def test_bad_serial_is_rejected(assessment: kt.Assessment, serial: str) -> None:
    with pytest.raises(kt.ValidationError) as info:
        certify(assessment, issuer=ISSUER, issued_on=DAY, serial=serial)
    assert info.value.problems[0].path == "$.serial"


@pytest.mark.parametrize("issuer", ["", "x" * 201])
def test_bad_issuer_is_rejected(assessment: kt.Assessment, issuer: str) -> None:
    with pytest.raises(kt.ValidationError, match=r"\$\.issuer"):
        certify(assessment, issuer=issuer, issued_on=DAY)


def test_refused_for_a_disqualified_subject() -> None:
    a = kt.assess_case(DISQUALIFIED)
    with pytest.raises(CertificationRefused) as info:
        certify(a, issuer=ISSUER, issued_on=DAY)
    reasons = info.value.reasons
    assert len(reasons) == 2
    assert "'not-rated'" in reasons[0] and "not a certified tier" in reasons[0]
    assert "'high-trust': score ≥ 85, every pillar ≥ 70, coverage ≥ 80" in reasons[0]
    assert "'trusted': score ≥ 70" in reasons[0]
    assert "'G-FALSE-AD'" in reasons[1] and "disqualifying" in reasons[1]
    assert all(r in str(info.value) for r in reasons)
    assert isinstance(info.value, kt.KolTrustError)
    again = pickle.loads(pickle.dumps(info.value))
    assert again.reasons == reasons and str(again) == str(info.value)


def test_refused_for_a_tier_that_is_not_certified() -> None:
    a = kt.assess_case(DEVELOPING)
    assert a.tier == "developing" and not a.gates
    with pytest.raises(CertificationRefused) as info:
        certify(a, issuer=ISSUER, issued_on=DAY)
    assert len(info.value.reasons) == 1
    assert "'developing' (Needs improvement) is not a certified tier" in info.value.reasons[0]
    assert f"(score {a.score:g}, lowest pillar " in info.value.reasons[0]
    assert f"coverage {a.coverage:g})" in info.value.reasons[0]


def test_refused_for_a_vector_with_a_gate() -> None:
    v = json.loads((VECTORS / "12-conviction.json").read_text(encoding="utf-8"))
    a = kt.assess_case(kt.from_dict(v["case"], kt.Case))
    assert not a.certified
    with pytest.raises(CertificationRefused) as info:
        certify(a, issuer=ISSUER, issued_on=a.as_of)
    for gate in a.gates:
        if gate.disqualify:
            assert any(f"{gate.id!r}" in r for r in info.value.reasons)


def test_refused_before_as_of(assessment: kt.Assessment) -> None:
    with pytest.raises(CertificationRefused) as info:
        certify(assessment, issuer=ISSUER, issued_on=assessment.as_of - dt.timedelta(days=1))
    assert info.value.reasons == ("the issue date 2026-11-28 is before the assessment's as_of 2026-11-29",)
    certify(assessment, issuer=ISSUER, issued_on=assessment.as_of)  # the same day is fine


def test_refusal_lists_every_reason() -> None:
    a = kt.assess_case(DISQUALIFIED)
    with pytest.raises(CertificationRefused) as info:
        certify(a, issuer=ISSUER, issued_on=a.as_of - dt.timedelta(days=1))
    assert len(info.value.reasons) == 3


def test_wrong_subject(assessment: kt.Assessment) -> None:
    with pytest.raises(CertificationError, match="not the assessed subject"):
        certify(assessment, issuer=ISSUER, issued_on=DAY, subject=TRUSTED.subject)


def test_wrong_rubric(assessment: kt.Assessment) -> None:
    rubric = kt.load_rubric("1.0.0")
    other = attrs.evolve(rubric, policy=attrs.evolve(rubric.policy, certificate_validity_days=30))
    with pytest.raises(RubricMismatchError, match="the assessment was made under rubric"):
        certify(assessment, issuer=ISSUER, issued_on=DAY, rubric=other)
    assert isinstance(CertificationError("x"), ValueError)


def test_custom_rubric_must_be_given() -> None:
    v = json.loads((VECTORS / "22-tiny-full.json").read_text(encoding="utf-8"))
    rubric = kt.from_json((VECTORS / v["rubric_file"]).read_bytes(), kt.Rubric)
    a = kt.assess_case(kt.from_dict(v["case"], kt.Case), rubric=rubric)
    with pytest.raises(RubricNotFoundError, match="not built in"):
        certify(a, issuer=ISSUER, issued_on=a.as_of)


def test_certify_type_errors(assessment: kt.Assessment) -> None:
    with pytest.raises(TypeError):
        certify(kt.to_dict(assessment), issuer=ISSUER, issued_on=DAY)
    with pytest.raises(TypeError):
        certify(assessment, issuer=ISSUER, issued_on=dt.datetime(2026, 11, 29))


def test_certificate_rejects_valid_until_before_issued_on(cert: Certificate) -> None:
    doc = kt.to_dict(cert)
    doc["valid_until"] = "2026-11-28"
    with pytest.raises(kt.ValidationError, match=r"\$\.valid_until: is before issued_on"):
        kt.from_dict(doc, Certificate)


def test_certificate_document_checks_every_field(cert: Certificate) -> None:
    doc = kt.to_dict(cert)
    doc.update(score=101, tier="", fingerprint="sha256:X", issued_on="2026-02-30", extra=1)
    doc["rubric"] = {"id": "kol-trust", "version": "1.0", "digest": "md5:00"}
    doc["tier_title"] = {"vi": "", "en": "x"}
    with pytest.raises(kt.ValidationError) as info:
        kt.from_dict(doc, Certificate)
    paths = {p.path for p in info.value.problems}
    assert {
        "$.score",
        "$.tier",
        "$.fingerprint",
        "$.issued_on",
        "$.extra",
        "$.rubric.version",
        "$.rubric.digest",
        "$.tier_title.vi",
    } <= paths


# -- keys ---------------------------------------------------------------------------------


def test_key_id(key: Any) -> None:
    import hashlib

    from cryptography.hazmat.primitives import serialization

    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert len(raw) == 32
    assert key_id(key.public_key()) == "ed25519:" + hashlib.sha256(raw).hexdigest()[:32]
    assert key_id(key) == key_id(key.public_key())
    assert key_id(generate_key()) != key_id(key)
    with pytest.raises(TypeError):
        key_id("not a key")  # type: ignore[arg-type]


def test_pem_round_trip(key: Any) -> None:
    pem = private_key_to_pem(key)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert key_id(load_private_key(pem)) == key_id(key)
    assert key_id(load_private_key(pem.decode())) == key_id(key)
    pub = public_key_to_pem(key.public_key())
    assert pub.startswith(b"-----BEGIN PUBLIC KEY-----")
    assert key_id(load_public_key(pub)) == key_id(key)
    assert key_id(load_public_key(pub.decode())) == key_id(key)


def test_pem_with_password(key: Any) -> None:
    pem = private_key_to_pem(key, password="mật khẩu")
    assert b"ENCRYPTED" in pem
    assert key_id(load_private_key(pem, password="mật khẩu")) == key_id(key)
    assert key_id(load_private_key(pem, password="mật khẩu".encode())) == key_id(key)
    with pytest.raises(KeyFormatError, match="a password is needed"):
        load_private_key(pem)
    with pytest.raises(KeyFormatError, match="password is wrong"):
        load_private_key(pem, password="wrong")
    with pytest.raises(KeyFormatError, match="not encrypted"):
        load_private_key(private_key_to_pem(key), password="x")
    with pytest.raises(KeyFormatError, match="empty"):
        private_key_to_pem(key, password="")


@pytest.mark.parametrize(
    "pem",
    [b"", b"junk", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", b"\xff" * 100, b"x" * 10**6],
)
def test_bad_private_key(pem: bytes) -> None:
    with pytest.raises(KeyFormatError):
        load_private_key(pem)


@pytest.mark.parametrize("pem", [b"", b"junk", b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"])
def test_bad_public_key(pem: bytes) -> None:
    with pytest.raises(KeyFormatError):
        load_public_key(pem)


def test_keys_of_another_algorithm_are_refused(key: Any) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    other = ec.generate_private_key(ec.SECP256R1())
    pem = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(KeyFormatError, match="not an Ed25519 key"):
        load_private_key(pem)
    pub = other.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    with pytest.raises(KeyFormatError, match="not an Ed25519 key"):
        load_public_key(pub)
    with pytest.raises(KeyFormatError):
        load_public_key(private_key_to_pem(key))  # a private key is not a public key


def test_without_cryptography() -> None:
    code = """
import sys
sys.modules["cryptography"] = None
import datetime as dt
import kol_trust as kt
from kol_trust.certification import certify, generate_key, verify_certificate
from kol_trust.errors import SigningUnavailable
case = kt.from_json(open(sys.argv[1], "rb").read(), kt.Case)
cert = certify(kt.assess_case(case), issuer="x", issued_on=case.as_of)  # needs no key
try:
    generate_key()
except SigningUnavailable as e:
    assert isinstance(e, ImportError)
    print(e)
"""
    path = str(EXAMPLES / "01-high-trust-beauty-kol.json")
    result = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True, check=True)
    assert "pip install 'kol-trust[sign]'" in result.stdout
    assert "pip install 'kol-trust[sign]'" in str(SigningUnavailable())


# -- signatures and verification ----------------------------------------------------------


def test_signed_envelope(signed: SignedCertificate, cert: Certificate, key: Any) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    assert signed.certificate == cert
    assert signed.key_id == key_id(key)
    assert len(signed.signature) == 86 and "=" not in signed.signature
    assert not set(signed.signature) & set("+/=")
    raw = __import__("base64").urlsafe_b64decode(signed.signature + "==")
    pub: Ed25519PublicKey = key.public_key()
    pub.verify(raw, kt.canonical_bytes(cert))  # exactly the RFC 8785 bytes of the certificate
    doc = kt.to_dict(signed)
    assert list(doc) == ["certificate", "key_id", "signature"]
    assert kt.from_dict(doc, SignedCertificate) == signed


@pytest.mark.parametrize("form", ["object", "dict", "str", "bytes"])
def test_round_trip(signed: SignedCertificate, key: Any, cert: Certificate, form: str) -> None:
    envelope: Any = {
        "object": signed,
        "dict": kt.to_dict(signed),
        "str": kt.to_json(signed, indent=2),
        "bytes": kt.to_json(signed).encode(),
    }[form]
    v = verify_certificate(envelope, key.public_key(), on=DAY)
    assert v.status is S.VALID and v.ok
    assert v.certificate == cert and v.key_id == key_id(key) and v.revocation is None
    assert "valid" in v.detail and cert.serial in v.detail


def test_keys_as_iterable_and_mapping(signed: SignedCertificate, key: Any) -> None:
    others = [generate_key().public_key() for _ in range(3)]
    assert verify_certificate(signed, [*others, key.public_key()], on=DAY).ok
    assert verify_certificate(signed, iter([key.public_key()]), on=DAY).ok
    ring = {key_id(k): k for k in [*others, key.public_key()]}
    assert verify_certificate(signed, ring, on=DAY).ok


def test_unknown_key(signed: SignedCertificate) -> None:
    v = verify_certificate(signed, generate_key().public_key(), on=DAY)
    assert v.status is S.UNKNOWN_KEY and not v.ok
    assert v.certificate is None and v.key_id == signed.key_id
    assert signed.key_id in v.detail
    assert verify_certificate(signed, [], on=DAY).status is S.UNKNOWN_KEY


def test_same_key_id_wrong_key_material(signed: SignedCertificate) -> None:
    other = generate_key().public_key()
    v = verify_certificate(signed, {signed.key_id: other}, on=DAY)
    assert v.status is S.BAD_SIGNATURE and v.certificate is None
    assert key_id(other) in v.detail


def test_forged_signature(signed: SignedCertificate, key: Any) -> None:
    forger = generate_key()
    forged = attrs.evolve(signed, signature=sign_certificate(signed.certificate, forger).signature)
    v = verify_certificate(forged, key.public_key(), on=DAY)
    assert v.status is S.BAD_SIGNATURE and v.certificate is None


def test_signature_of_another_certificate(signed: SignedCertificate, key: Any, cert: Certificate) -> None:
    other = sign_certificate(attrs.evolve(cert, serial="cert-0002"), key)
    swapped = attrs.evolve(signed, signature=other.signature)
    assert verify_certificate(swapped, key.public_key(), on=DAY).status is S.BAD_SIGNATURE


@pytest.mark.parametrize(
    ("on", "status"),
    [
        (DAY - dt.timedelta(days=1), S.NOT_YET_VALID),
        (DAY, S.VALID),
        (DAY + dt.timedelta(days=200), S.VALID),
        (dt.date(2027, 11, 29), S.VALID),  # valid_until: the last valid day
        (dt.date(2027, 11, 30), S.EXPIRED),
        (dt.date(2030, 1, 1), S.EXPIRED),
    ],
)
def test_validity_period(signed: SignedCertificate, key: Any, on: dt.date, status: S) -> None:
    v = verify_certificate(signed, key.public_key(), on=on)
    assert v.status is status
    assert v.ok is (status is S.VALID)
    assert v.certificate == signed.certificate  # genuine, whatever the day


def test_verify_argument_errors(signed: SignedCertificate, key: Any) -> None:
    with pytest.raises(TypeError):
        verify_certificate(signed, key.public_key(), on="2026-11-29")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        verify_certificate(signed, "key", on=DAY)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        verify_certificate(signed, [key], on=DAY)  # a private key is not a public key


@pytest.mark.parametrize(
    "signature",
    [
        "x",
        "",
        None,
        1,
        "A" * 86,  # right shape, wrong value
        "A" * 85 + "B",  # non-zero unused bits
        "A" * 84 + "==",  # padding
        "A" * 86 + "==",
        "+" * 85 + "A",  # standard alphabet
        "A" * 87,
    ],
)
def test_bad_signatures_are_never_valid(signed: SignedCertificate, key: Any, signature: Any) -> None:
    doc = kt.to_dict(signed)
    doc["signature"] = signature
    v = verify_certificate(doc, key.public_key(), on=DAY)
    assert v.status in {S.MALFORMED, S.BAD_SIGNATURE}
    if signature != "A" * 86:
        assert v.status is S.MALFORMED and "$.signature" in v.detail


def test_unused_bits_of_the_last_character(signed: SignedCertificate, key: Any) -> None:
    """Each base64 spelling that decodes to the signature's bytes but is not
    the canonical one is rejected."""
    last = signed.signature[-1]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    index = alphabet.index(last)
    assert index % 16 == 0
    for variant in alphabet[index + 1 : index + 16]:
        doc = kt.to_dict(signed)
        doc["signature"] = signed.signature[:-1] + variant
        assert verify_certificate(doc, key.public_key(), on=DAY).status is S.MALFORMED


@pytest.mark.parametrize(
    "envelope",
    [None, 0, 1.5, True, [], "null", "[]", "{}", '"x"', b"\xff\xfe", "{", {"certificate": None}, object()],
)
def test_malformed_envelopes(key: Any, envelope: Any) -> None:
    v = verify_certificate(envelope, key.public_key(), on=DAY)
    assert v.status is S.MALFORMED and v.certificate is None and v.key_id is None
    assert v.detail


def test_malformed_detail_names_the_path(signed: SignedCertificate, key: Any) -> None:
    doc = kt.to_dict(signed)
    doc["certificate"]["score"] = "91.4"
    v = verify_certificate(doc, key.public_key(), on=DAY)
    assert v.status is S.MALFORMED and "$.certificate.score" in v.detail
    doc = kt.to_dict(signed)
    doc["comment"] = "hello"
    v = verify_certificate(doc, key.public_key(), on=DAY)
    assert v.status is S.MALFORMED and "$.comment: unknown field" in v.detail


def test_verification_is_frozen(signed: SignedCertificate, key: Any) -> None:
    v = verify_certificate(signed, key.public_key(), on=DAY)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        v.status = S.EXPIRED  # type: ignore[misc]
    assert str(S.NOT_YET_VALID) == "not-yet-valid" and S("bad-signature") is S.BAD_SIGNATURE


# -- revocation ---------------------------------------------------------------------------


def revocations(key: Any, *entries: Revocation, issuer: str = ISSUER, day: dt.date = DAY) -> SignedRevocationList:
    return sign_revocations(RevocationList(issuer=issuer, issued_on=day, entries=entries), key)


def test_revoked(signed: SignedCertificate, key: Any) -> None:
    entry = Revocation(serial="cert-0001", revoked_on=DAY + dt.timedelta(days=10), reason=RevocationReason.SUSPENDED)
    rl = revocations(key, Revocation(serial="other", revoked_on=DAY, reason=RevocationReason.WITHDRAWN), entry)
    for form in (rl, kt.to_dict(rl), kt.to_json(rl), kt.to_json(rl).encode(), [rl], (kt.to_json(rl),)):
        v = verify_certificate(signed, key.public_key(), on=DAY + dt.timedelta(days=10), revocations=form)
        assert v.status is S.REVOKED and not v.ok
        assert v.revocation == entry and v.certificate == signed.certificate
        assert "suspended" in v.detail and "2026-12-09" in v.detail
    # revoked later than `on`: still valid on that day
    v = verify_certificate(signed, key.public_key(), on=DAY + dt.timedelta(days=9), revocations=rl)
    assert v.status is S.VALID
    # revoked beats expired
    v = verify_certificate(signed, key.public_key(), on=dt.date(2028, 1, 1), revocations=rl)
    assert v.status is S.REVOKED


def test_revocation_of_other_serials(signed: SignedCertificate, key: Any) -> None:
    rl = revocations(key, Revocation(serial="cert-0002", revoked_on=DAY, reason=RevocationReason.WITHDRAWN))
    assert verify_certificate(signed, key.public_key(), on=DAY, revocations=rl).ok
    empty = revocations(key)
    assert verify_certificate(signed, key.public_key(), on=DAY, revocations=[empty, rl]).ok


def test_revocation_list_of_another_issuer_is_ignored(signed: SignedCertificate, key: Any) -> None:
    rl = revocations(
        key, Revocation(serial="cert-0001", revoked_on=DAY, reason=RevocationReason.WITHDRAWN), issuer="Someone else"
    )
    assert verify_certificate(signed, key.public_key(), on=DAY, revocations=rl).ok
    mine = revocations(key, Revocation(serial="cert-0001", revoked_on=DAY, reason=RevocationReason.WITHDRAWN))
    assert verify_certificate(signed, key.public_key(), on=DAY, revocations=[rl, mine]).status is S.REVOKED


def test_revocation_list_signed_by_another_trusted_key(signed: SignedCertificate, key: Any) -> None:
    second = generate_key()
    rl = revocations(second, Revocation(serial="cert-0001", revoked_on=DAY, reason=RevocationReason.WITHDRAWN))
    keys = [key.public_key(), second.public_key()]
    assert verify_certificate(signed, keys, on=DAY, revocations=rl).status is S.REVOKED


def test_bad_revocation_list_fails_closed(signed: SignedCertificate, key: Any) -> None:
    rl = revocations(key, Revocation(serial="cert-0001", revoked_on=DAY, reason=RevocationReason.WITHDRAWN))
    doc = kt.to_dict(rl)
    doc["revocation_list"]["entries"] = []  # an attacker drops the entry
    v = verify_certificate(signed, key.public_key(), on=DAY, revocations=doc)
    assert v.status is S.MALFORMED and "revocation list" in v.detail and "does not verify" in v.detail
    # signed with a key that is not trusted
    v = verify_certificate(signed, key.public_key(), on=DAY, revocations=revocations(generate_key()))
    assert v.status is S.MALFORMED and "not among the 1 given key" in v.detail
    # not a document, in a list of good ones
    good = revocations(key)
    bad: Any
    for bad in ("{", 42, {"revocation_list": {}}, None):
        v = verify_certificate(signed, key.public_key(), on=DAY, revocations=[good, bad])
        assert v.status is S.MALFORMED and "revocation list #2" in v.detail
    v = verify_certificate(signed, key.public_key(), on=DAY, revocations=42)
    assert v.status is S.MALFORMED


def test_revocation_list_rules() -> None:
    entry = Revocation(serial="a", revoked_on=DAY, reason="withdrawn")  # type: ignore[arg-type]
    assert entry.reason is RevocationReason.WITHDRAWN
    with pytest.raises(TypeError):
        Revocation(serial="a", revoked_on=DAY)
    with pytest.raises(kt.ValidationError, match=r"\$\.entries\[1\]\.serial"):
        RevocationList(
            issuer=ISSUER,
            issued_on=DAY,
            entries=(entry, Revocation(serial="a", revoked_on=DAY, reason=RevocationReason.WITHDRAWN)),
        )
    with pytest.raises(kt.ValidationError, match=r"\$\.reason"):
        Revocation(serial="a", revoked_on=DAY, reason="bored")  # type: ignore[arg-type]
    doc: dict[str, Any] = {
        "issuer": ISSUER,
        "issued_on": "2026-11-29",
        "entries": [{"serial": "a", "revoked_on": "2026-11-29", "reason": "withdrawn"}],
    }
    rl = kt.from_dict(doc, RevocationList)
    assert rl.entries == (entry,)
    del doc["entries"][0]["reason"]
    with pytest.raises(kt.ValidationError, match=r"\$\.entries\[0\]\.reason: required field is missing"):
        kt.from_dict(doc, RevocationList)
    doc["entries"][0]["reason"] = "bored"
    with pytest.raises(kt.ValidationError, match=r"\$\.entries\[0\]\.reason"):
        kt.from_dict(doc, RevocationList)
    doc["entries"] = [{"serial": "a", "revoked_on": "2026-11-29", "reason": "withdrawn"}] * 2
    with pytest.raises(kt.ValidationError, match=r"\$\.entries\[1\]\.serial"):
        kt.from_dict(doc, RevocationList)


def test_with_entry() -> None:
    rl = RevocationList(
        issuer=ISSUER,
        issued_on=DAY,
        entries=(Revocation(serial="a", revoked_on=DAY, reason=RevocationReason.WITHDRAWN),),
    )
    later = DAY + dt.timedelta(days=5)
    more = rl.with_entry(Revocation(serial="b", revoked_on=later, reason=RevocationReason.KEY_COMPROMISE))
    assert [e.serial for e in more.entries] == ["a", "b"] and more.issued_on == later
    assert more.entry("b") is not None and more.entry("c") is None
    replaced = more.with_entry(Revocation(serial="a", revoked_on=DAY, reason=RevocationReason.ISSUED_IN_ERROR))
    assert len(replaced.entries) == 2
    assert replaced.entry("a") == Revocation(serial="a", revoked_on=DAY, reason=RevocationReason.ISSUED_IN_ERROR)


def test_verify_revocation_list(key: Any) -> None:
    rl = revocations(key, Revocation(serial="a", revoked_on=DAY, reason=RevocationReason.WITHDRAWN))
    assert verify_revocation_list(kt.to_json(rl), key.public_key()) == rl.revocation_list
    with pytest.raises(SignatureError, match="not among"):
        verify_revocation_list(rl, generate_key().public_key())
    with pytest.raises(SignatureError, match="not JSON"):
        verify_revocation_list("{", key.public_key())


def test_revocation_and_certificate_signatures_do_not_mix(signed: SignedCertificate, key: Any) -> None:
    rl = revocations(key)
    mixed = {"certificate": kt.to_dict(rl.revocation_list), "key_id": rl.key_id, "signature": rl.signature}
    assert verify_certificate(mixed, key.public_key(), on=DAY).status is S.MALFORMED


# -- review -------------------------------------------------------------------------------


def test_review_keep(cert: Certificate, assessment: kt.Assessment) -> None:
    r = review(cert, assessment)
    assert r.outcome is ReviewOutcome.KEEP and r.tier == "high-trust"
    assert r.reasons == ("the subject still reaches tier 'high-trust' (High trust), with score 91.4",)


def test_review_downgrade(cert: Certificate) -> None:
    worse = with_incidents(HIGH, *[(c, "critical", "regulator") for c in ("S04", "S05", "S06")])
    a = kt.assess_case(worse)
    assert a.certified and a.tier == "trusted"
    r = review(cert, a)
    assert r.outcome is ReviewOutcome.DOWNGRADE and r.tier == "trusted"
    assert "below the certificate's 'high-trust'" in r.reasons[0]
    assert len(r.reasons) == 1


def test_review_keep_at_a_higher_tier() -> None:
    worse = kt.assess_case(with_incidents(HIGH, *[(c, "critical", "regulator") for c in ("S04", "S05", "S06")]))
    lower = certify(worse, issuer=ISSUER, issued_on=DAY, serial="low")
    assert lower.tier == "trusted"
    r = review(lower, kt.assess_case(HIGH))
    assert r.outcome is ReviewOutcome.KEEP
    assert "above the certificate's 'trusted'" in r.reasons[0] and "new certificate" in r.reasons[0]


def test_review_suspend_for_a_gate(cert: Certificate) -> None:
    a = kt.assess_case(with_incidents(HIGH, ("R01", "serious", "regulator")))
    assert "G-FALSE-AD" in [g.id for g in a.gates]
    r = review(cert, a)
    assert r.outcome is ReviewOutcome.SUSPEND
    assert any("'G-FALSE-AD'" in reason and "disqualifying" in reason for reason in r.reasons)
    assert any("not a certified tier" in reason for reason in r.reasons)


def test_review_suspend_for_a_low_tier(cert: Certificate) -> None:
    a = kt.assess_case(with_incidents(HIGH, *[(c, "critical", "regulator") for c in ("S04", "S05", "S06", "S07")]))
    assert a.tier == "developing" and not a.gates
    r = review(cert, a)
    assert r.outcome is ReviewOutcome.SUSPEND and len(r.reasons) == 1
    assert "'developing' (Needs improvement)" in r.reasons[0] and "'high-trust'" in r.reasons[0]


def test_review_notes(cert: Certificate) -> None:
    late = kt.assess_case(attrs.evolve(HIGH, as_of=dt.date(2027, 12, 1)))
    r = review(cert, late)
    assert any("after the certificate's last valid day 2027-11-29" in reason for reason in r.reasons)
    rubric = kt.load_rubric("1.0.0")
    other = attrs.evolve(rubric, version="1.0.1")
    r = review(cert, kt.assess_case(HIGH, rubric=other), rubric=other)
    assert r.reasons[-1].startswith("note: the assessment used rubric 'kol-trust' 1.0.1")


def test_review_errors(cert: Certificate) -> None:
    with pytest.raises(CertificationError, match="certificate of"):
        review(cert, kt.assess_case(TRUSTED))
    rubric = kt.load_rubric("1.0.0")
    other = attrs.evolve(rubric, version="1.0.1")
    with pytest.raises(
        RubricMismatchError, match=r"\$\.rubric: the assessment was made under rubric kol-trust 1\.0\.0"
    ):
        review(cert, kt.assess_case(HIGH), rubric=other)


def test_base64url_decoding_is_strict() -> None:
    from kol_trust.certification.signing import b64url_decode, b64url_encode

    data = bytes(range(64))
    text = b64url_encode(data)
    assert b64url_decode(text) == data and len(text) == 86
    last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".index(text[-1])
    variant = text[:-1] + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last + 1]
    assert __import__("base64").urlsafe_b64decode(variant + "==") == data  # the same bytes, another spelling
    for bad in (variant, text + "==", text.replace("-", "+"), text + " ", " " + text, text[:-1], "é" * 86, ""):
        if bad != text and bad:
            assert b64url_decode(bad) is None, bad
    assert b64url_decode("") == b""
    assert b64url_decode(None) is None  # type: ignore[arg-type]


def test_large_revocation_lists(signed: SignedCertificate, key: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from kol_trust.certification import verify as verify_module

    entries = [Revocation(serial=f"s-{i}", revoked_on=DAY, reason=RevocationReason.WITHDRAWN) for i in range(20_000)]
    entries.append(Revocation(serial="cert-0001", revoked_on=DAY, reason=RevocationReason.KEY_COMPROMISE))
    text = kt.to_json(revocations(key, *entries))
    assert len(text) > verify_module.MAX_DOCUMENT_SIZE  # larger than any certificate may be
    v = verify_certificate(signed, key.public_key(), on=DAY, revocations=text)
    assert v.status is S.REVOKED and v.revocation is not None and v.revocation.reason is RevocationReason.KEY_COMPROMISE
    monkeypatch.setattr(verify_module, "MAX_REVOCATION_LIST_SIZE", len(text) - 1)
    v = verify_certificate(signed, key.public_key(), on=DAY, revocations=text)
    assert v.status is S.MALFORMED and "too large" in v.detail
