"""Certification: certify, keys and review (credentials: tests/test_credentials.py)."""

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
    certify,
    generate_key,
    key_id,
    load_private_key,
    load_public_key,
    private_key_to_pem,
    public_key_to_pem,
    review,
    validity_end,
)
from kol_trust.checks import json_string
from kol_trust.errors import (
    CertificationError,
    CertificationRefused,
    KeyFormatError,
    RubricMismatchError,
    RubricNotFoundError,
    SigningUnavailable,
)

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
    assert cert.coverage == assessment.coverage
    assert cert.as_of == assessment.as_of
    # 12 months: the last valid day is the day before the same date a year later
    assert cert.valid_until == dt.date(2027, 11, 28) == DAY + dt.timedelta(days=364)
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
        "coverage",
        "rubric",
        "fingerprint",
        "as_of",
        "issuer",
        "issued_on",
        "valid_until",
    ]
    assert doc["valid_until"] == "2027-11-28"
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
    assert cert.valid_until == DAY + dt.timedelta(days=32)  # 30 days from the 3rd day: the last is the 32nd
    assert cert.rubric.digest == kt.rubric_digest(short) != assessment.rubric.digest


@pytest.mark.parametrize(
    ("issued_on", "days", "end"),
    [
        (dt.date(2026, 11, 29), 365, dt.date(2027, 11, 29)),
        (dt.date(2027, 3, 1), 365, dt.date(2028, 3, 1)),  # across 29 February 2028: 366 days, still 12 months
        (dt.date(2028, 2, 29), 365, dt.date(2029, 3, 1)),
        (dt.date(2026, 1, 31), 730, dt.date(2028, 1, 31)),
        (dt.date(2026, 1, 31), 30, dt.date(2026, 3, 2)),
        (dt.date(2026, 1, 31), 364, dt.date(2027, 1, 30)),
    ],
)
def test_validity_end_is_calendar_years(issued_on: dt.date, days: int, end: dt.date) -> None:
    assert validity_end(issued_on, days) == end


@pytest.mark.parametrize(
    "issuer",
    [
        "Hiệp hội Niềm tin số".replace("ệ", "e\u0323\u0302".encode().decode("unicode_escape")),
        " NCA",
        "NCA ",
        "N  CA",
        "NCA\u200b".encode().decode("unicode_escape"),
        b"N\nCA".decode("unicode_escape"),
    ],
)
def test_issuer_names_must_be_normalised(assessment: kt.Assessment, issuer: str) -> None:
    with pytest.raises(CertificationError, match="issuer"):
        certify(assessment, issuer=issuer, issued_on=DAY, serial="s")


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
    assert '"not-rated"' in reasons[0] and "not a certified tier" in reasons[0]
    assert '"high-trust": score ≥ 85, every pillar ≥ 70, coverage ≥ 80' in reasons[0]
    assert '"trusted": score ≥ 70' in reasons[0]
    assert '"G-FALSE-AD"' in reasons[1] and "disqualifying" in reasons[1]
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
    assert '"developing" (Needs improvement) is not a certified tier' in info.value.reasons[0]
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
            assert any(json_string(gate.id) in r for r in info.value.reasons)


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
from kol_trust.certification import certify, generate_key
import kol_trust.credentials
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


# -- review -------------------------------------------------------------------------------


def test_review_keep(cert: Certificate, assessment: kt.Assessment) -> None:
    r = review(cert, assessment)
    assert r.outcome is ReviewOutcome.KEEP and r.tier == "high-trust"
    assert r.reasons == ('the subject still reaches tier "high-trust" (High trust), with score 91.4',)


def test_review_downgrade(cert: Certificate) -> None:
    worse = with_incidents(HIGH, *[(c, "critical", "regulator") for c in ("S04", "S05", "S06")])
    a = kt.assess_case(worse)
    assert a.certified and a.tier == "trusted"
    r = review(cert, a)
    assert r.outcome is ReviewOutcome.DOWNGRADE and r.tier == "trusted"
    assert 'below the certificate\'s "high-trust"' in r.reasons[0]
    assert len(r.reasons) == 1


def test_review_keep_at_a_higher_tier() -> None:
    worse = kt.assess_case(with_incidents(HIGH, *[(c, "critical", "regulator") for c in ("S04", "S05", "S06")]))
    lower = certify(worse, issuer=ISSUER, issued_on=DAY, serial="low")
    assert lower.tier == "trusted"
    r = review(lower, kt.assess_case(HIGH))
    assert r.outcome is ReviewOutcome.KEEP
    assert 'above the certificate\'s "trusted"' in r.reasons[0] and "new certificate" in r.reasons[0]


def test_review_suspend_for_a_gate(cert: Certificate) -> None:
    a = kt.assess_case(with_incidents(HIGH, ("R01", "serious", "regulator")))
    assert "G-FALSE-AD" in [g.id for g in a.gates]
    r = review(cert, a)
    assert r.outcome is ReviewOutcome.SUSPEND
    assert any('"G-FALSE-AD"' in reason and "disqualifying" in reason for reason in r.reasons)
    assert any("not a certified tier" in reason for reason in r.reasons)


def test_review_suspend_for_a_low_tier(cert: Certificate) -> None:
    a = kt.assess_case(with_incidents(HIGH, *[(c, "critical", "regulator") for c in ("S04", "S05", "S06", "S07")]))
    assert a.tier == "developing" and not a.gates
    r = review(cert, a)
    assert r.outcome is ReviewOutcome.SUSPEND and len(r.reasons) == 1
    assert '"developing" (Needs improvement)' in r.reasons[0] and '"high-trust"' in r.reasons[0]


def test_review_notes(cert: Certificate) -> None:
    late = kt.assess_case(attrs.evolve(HIGH, as_of=dt.date(2027, 12, 1)))
    r = review(cert, late)
    assert any("after the certificate's last valid day 2027-11-28" in reason for reason in r.reasons)
    rubric = kt.load_rubric("1.0.0")
    other = attrs.evolve(rubric, version="1.0.1")
    r = review(cert, kt.assess_case(HIGH, rubric=other), rubric=other)
    assert r.reasons[-1].startswith('note: the assessment used rubric "kol-trust" 1.0.1')


def test_review_errors(cert: Certificate) -> None:
    with pytest.raises(CertificationError, match="certificate of"):
        review(cert, kt.assess_case(TRUSTED))
    rubric = kt.load_rubric("1.0.0")
    other = attrs.evolve(rubric, version="1.0.1")
    with pytest.raises(
        RubricMismatchError, match=r"\$\.rubric: the assessment was made under rubric kol-trust 1\.0\.0"
    ):
        review(cert, kt.assess_case(HIGH), rubric=other)
