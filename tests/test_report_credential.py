"""The badge and report card of a credential: bound to a verified credential, with a QR code that decodes.

The QR code is decoded with a real decoder: the badge is rendered to PNG by
``rsvg-convert`` (Debian's ``librsvg2-bin``) and read by ``zbarimg``
(``zbar-tools``).  Without them the decoding test is skipped, unless
``KOL_TRUST_REQUIRE_BROWSER`` is set (CI sets it, and ``.ci/run`` installs
both): then it fails.
"""

from __future__ import annotations

import base64
import datetime as dt
import importlib.resources
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

import kol_trust as kt
from kol_trust.certification import certify, generate_key, private_key_to_pem
from kol_trust.cli import main
from kol_trust.credentials import CredentialStatus, StatusList, did_key, issue_credential, verify_credential
from kol_trust.report import render_badge, render_report
from kol_trust.words import catalogue
from test_words import identifiers, untranslated

CASE = kt.from_json(
    (importlib.resources.files("kol_trust") / "examples" / "01-high-trust-beauty-kol.json").read_bytes(), kt.Case
)
RUBRIC = kt.load_rubric("1.0.0")
ASSESSMENT = kt.assess_case(CASE)
CERT = certify(
    ASSESSMENT, issuer="Hiệp hội", issued_on=dt.date(2026, 12, 1), serial="NCA-2026-000123", subject=CASE.subject
)
KEY = generate_key()
DID = did_key(KEY)
URL = "https://nca.example/status/1"
CRED = issue_credential(CERT, KEY, status_list=URL, status_index=5)
ON = dt.datetime(2027, 1, 10, tzinfo=dt.UTC)
TEMPLATE = "https://nca.example/verify?serial={serial}"


def check(revoked: bool = False, on: dt.datetime = ON, document: Any = CRED) -> Any:
    sl = StatusList()
    if revoked:
        sl.set(5)
    lists = [sl.to_credential(KEY, id=URL, valid_from=dt.datetime(2027, 1, 1, tzinfo=dt.UTC))]
    return verify_credential(document, trusted_issuers=[DID], on=on, status_lists=lists)


def test_assessment_badge_is_not_a_certificate() -> None:
    for lang, words in (("en", "assessment, not a certificate"), ("vi", "đánh giá, không phải giấy chứng nhận")):
        svg = render_badge(ASSESSMENT, RUBRIC, lang=lang)
        assert words in svg and "(certified)" not in svg and "(được chứng nhận)" not in svg
    with pytest.raises(ValueError, match="credential only"):
        render_badge(ASSESSMENT, RUBRIC, verify_url=TEMPLATE)


def test_valid_credential_badge_says_certified() -> None:
    result = check()
    assert result.ok
    svg = render_badge(result, lang="en")
    ET.fromstring(svg)
    assert "certified" in svg and "NCA-2026-000123" in svg and DID in svg
    assert "valid from 2026-12-01T00:00:00Z until 2027-12-01T00:00:00Z" in svg and "status: valid" in svg


@pytest.mark.parametrize(
    ("result", "word"),
    [
        (lambda: check(revoked=True), "revoked"),
        (lambda: verify_credential(CRED, trusted_issuers=[DID], on=dt.datetime(2027, 12, 1, tzinfo=dt.UTC)), "expired"),
        (lambda: verify_credential(CRED, trusted_issuers=[did_key(generate_key())], on=ON), "untrusted issuer"),
        (
            lambda: verify_credential({**CRED, "validUntil": "2030-01-01T00:00:00Z"}, trusted_issuers=[DID], on=ON),
            "bad signature",
        ),
    ],
)
def test_a_credential_that_does_not_verify_is_never_certified(result: Any, word: str | None) -> None:
    r = result()
    assert not r.ok
    svg = render_badge(r, lang="en")
    ET.fromstring(svg)
    assert "· certified" not in svg and "not a valid certificate" in svg
    if word is not None:
        assert word in svg


def test_report_card_shows_the_certificate() -> None:
    html = render_report(CASE, ASSESSMENT, RUBRIC, lang="en", credential=check(), verify_url=TEMPLATE)
    for text in ("NCA-2026-000123", DID, "2026-12-01T00:00:00Z", "2027-12-01T00:00:00Z", "Valid until (excluded)",
                 "https://nca.example/verify?serial=NCA-2026-000123", "Scan to verify"):  # fmt: skip
        assert text in html, text
    assert "valid for 365 days" not in html and "assessment date" not in html
    plain = render_report(CASE, ASSESSMENT, RUBRIC, lang="en")
    assert "an assessment, not a certificate" in plain and "h-certificate" not in plain
    revoked = render_report(CASE, ASSESSMENT, RUBRIC, lang="vi", credential=check(revoked=True))
    assert "đã thu hồi" in revoked
    doctor = kt.from_json(
        (importlib.resources.files("kol_trust") / "examples" / "04-licensed-doctor-kol.json").read_bytes(), kt.Case
    )
    with pytest.raises(ValueError, match="not of this assessment"):
        render_report(doctor, kt.assess_case(doctor), RUBRIC, credential=check())


@pytest.mark.parametrize(
    "template", ["http://x.example/{serial}", "https://x.example/{nope}", "https://x .example/", "nope"]
)
def test_bad_verification_url_templates(template: str) -> None:
    with pytest.raises(ValueError, match=r"template|https"):
        render_badge(check(), verify_url=template)


def _tools() -> tuple[str, str] | None:
    rsvg, zbar = shutil.which("rsvg-convert"), shutil.which("zbarimg")
    if rsvg is None or zbar is None:
        why = "rsvg-convert (librsvg2-bin) and zbarimg (zbar-tools) are needed to decode the QR code"
        if os.environ.get("KOL_TRUST_REQUIRE_BROWSER"):
            pytest.fail(f"KOL_TRUST_REQUIRE_BROWSER is set but {why}", pytrace=False)
        pytest.skip(why)
    return rsvg, zbar


def decode_qr(svg: str, tmp_path: Path) -> list[str]:
    tools = _tools()
    assert tools is not None
    rsvg, zbar = tools
    (tmp_path / "badge.svg").write_text(svg, encoding="utf-8")
    subprocess.run([rsvg, "-z", "3", "-b", "white", str(tmp_path / "badge.svg"), "-o", str(tmp_path / "badge.png")], check=True, timeout=60)  # fmt: skip
    result = subprocess.run([zbar, "-q", "--raw", str(tmp_path / "badge.png")], capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    return result.stdout.split()


def test_qr_code_of_the_badge_decodes(tmp_path: Path) -> None:
    svg = render_badge(check(), lang="vi", verify_url=TEMPLATE)
    assert decode_qr(svg, tmp_path) == ["https://nca.example/verify?serial=NCA-2026-000123"]
    quoted = issue_credential(
        certify(ASSESSMENT, issuer="Hiệp hội", issued_on=dt.date(2026, 12, 1), serial="a:b.c", subject=CASE.subject),
        KEY,
    )
    r = verify_credential(quoted, trusted_issuers=[DID], on=ON)
    assert decode_qr(render_badge(r, lang="en", verify_url=TEMPLATE), tmp_path) == [
        "https://nca.example/verify?serial=a%3Ab.c"
    ]


def test_qr_code_of_the_report_card_decodes(tmp_path: Path) -> None:
    html = render_report(CASE, ASSESSMENT, RUBRIC, lang="en", credential=check(), verify_url=TEMPLATE)
    m = re.search(r'<figure class="qr"><img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)
    assert m is not None
    assert decode_qr(base64.b64decode(m.group(1)).decode("utf-8"), tmp_path) == [
        "https://nca.example/verify?serial=NCA-2026-000123"
    ]


def test_cli_report_of_a_credential(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "key.pem"
    key.write_bytes(private_key_to_pem(KEY))
    cred = tmp_path / "cred.json"
    cred.write_text(json.dumps(CRED), encoding="utf-8")
    case = tmp_path / "case.json"
    case.write_text(kt.to_json(CASE), encoding="utf-8")
    badge = tmp_path / "badge.svg"
    code = main(["report", "--credential", str(cred), "--issuer", DID, "--on", "2027-01-10", "--svg", str(badge),
                 "--verify-url", TEMPLATE, "--lang", "en"])  # fmt: skip
    assert code == 0
    assert "· certified" in badge.read_text(encoding="utf-8")
    assert decode_qr(badge.read_text(encoding="utf-8"), tmp_path) == [
        "https://nca.example/verify?serial=NCA-2026-000123"
    ]
    other = did_key(generate_key())
    code = main(["report", str(case), "--credential", str(cred), "--issuer", other, "--on", "2027-01-10",
                 "--svg", str(badge), "--html", str(tmp_path / "r.html")])  # fmt: skip
    _, err = capsys.readouterr()
    assert code == 0 and "unknown-key" in err
    assert "· certified" not in badge.read_text(encoding="utf-8")
    assert main(["report", "--svg", str(badge)]) == 2
    assert main(["report", str(case), "--svg", str(badge), "--verify-url", TEMPLATE]) == 2
    assert CredentialStatus.VALID.value == "valid"


def test_report_card_of_a_credential_alone(tmp_path: Path) -> None:
    html = render_report(lang="en", credential=check(), verify_url=TEMPLATE)
    for text in ("Trần Minh Châu", "NCA-2026-000123", "91.4", "High trust", CERT.fingerprint, "Scan to verify"):
        assert text in html, text
    assert "Pillar scores" not in html  # no assessment detail without the case
    m = re.search(r'<figure class="qr"><img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)
    assert m is not None
    assert decode_qr(base64.b64decode(m.group(1)).decode("utf-8"), tmp_path) == [
        "https://nca.example/verify?serial=NCA-2026-000123"
    ]
    bad = render_report(lang="vi", credential=verify_credential("{", trusted_issuers=[DID], on=ON))
    assert "không đọc được" in bad and "NCA-2026-000123" not in bad
    with pytest.raises(TypeError):
        render_report(lang="en")
    with pytest.raises(TypeError):
        render_report(CASE, lang="en", credential=check())


def test_cli_report_card_of_a_credential_without_the_case(tmp_path: Path) -> None:
    cred = tmp_path / "cred.json"
    cred.write_text(json.dumps(CRED), encoding="utf-8")
    out = tmp_path / "card.html"
    assert main(["report", "--credential", str(cred), "--issuer", DID, "--on", "2027-01-10", "--html", str(out)]) == 0
    assert "NCA-2026-000123" in out.read_text(encoding="utf-8")


def test_a_credential_reaches_a_vietnamese_reader_in_vietnamese() -> None:
    """Every word issue 12 added (certificate, serial, issuer, validity, status, QR caption) is in the catalogue."""
    ids = identifiers(CASE, RUBRIC) | {DID, CERT.serial}
    outputs = {
        "badge": render_badge(check(), lang="vi", verify_url=TEMPLATE),
        "badge revoked": render_badge(check(revoked=True), lang="vi"),
        "report card": render_report(CASE, ASSESSMENT, RUBRIC, lang="vi", credential=check(), verify_url=TEMPLATE),
        "credential alone": render_report(lang="vi", credential=check(), verify_url=TEMPLATE),
        "assessment badge": render_badge(ASSESSMENT, RUBRIC, lang="vi"),
    }
    found = {what: bad for what, text in outputs.items() if (bad := untranslated(text, ids, catalogue()))}
    assert found == {}
    # The verifier's own detail is English: it is said so, and marked so.
    revoked = render_report(lang="vi", credential=check(revoked=True))
    assert "Chi tiết kỹ thuật (tiếng Anh)" in revoked and '<p class="note" lang="en">credential ' in revoked


def test_the_badge_of_a_credential_takes_no_kind() -> None:
    koc = render_badge(ASSESSMENT, RUBRIC, lang="en", kind=kt.SubjectKind.KOC)
    assert "KOC Trust" in koc and "KOL" not in koc
    with pytest.raises(ValueError, match="kind"):
        render_badge(check(), lang="en", kind=kt.SubjectKind.KOC)
    assert "KOL Trust" in render_badge(check(), lang="en")  # the certificate does not name the kind
