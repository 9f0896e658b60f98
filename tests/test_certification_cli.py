"""The certification commands: keygen, certify, verify, revoke."""

from __future__ import annotations

import datetime as dt
import importlib.resources
import json
import os
import stat
from pathlib import Path

import pytest

from kol_trust.certification import key_id, load_private_key, load_public_key, verify_certificate
from kol_trust.cli import main

EXAMPLES = importlib.resources.files("kol_trust") / "examples"
Capture = pytest.CaptureFixture[str]


def run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def example(tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.json"
    path.write_bytes((EXAMPLES / f"{name}.json").read_bytes())
    return str(path)


@pytest.fixture
def keys(tmp_path: Path, capsys: Capture) -> tuple[str, str]:
    key, pub = tmp_path / "key.pem", tmp_path / "pub.pem"
    code, out, err = run(capsys, "keygen", "--out", str(key), "--public-out", str(pub))
    assert (code, err) == (0, "")
    assert out.strip() == key_id(load_public_key(pub.read_bytes())) == key_id(load_private_key(key.read_bytes()))
    return str(key), str(pub)


@pytest.fixture
def cert(tmp_path: Path, capsys: Capture, keys: tuple[str, str]) -> Path:
    out_path = tmp_path / "cert.json"
    case = example(tmp_path, "01-high-trust-beauty-kol")
    code, out, err = run(
        capsys,
        "certify",
        case,
        "--key",
        keys[0],
        "--issuer",
        "NCA",
        "--on",
        "2026-11-29",
        "--serial",
        "cert-0001",
        "-o",
        str(out_path),
    )
    assert (code, err) == (0, ""), err
    assert out.strip() == "cert-0001"
    return out_path


def test_keygen_file_modes(keys: tuple[str, str]) -> None:
    assert stat.S_IMODE(os.stat(keys[0]).st_mode) == 0o600
    assert Path(keys[0]).read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert Path(keys[1]).read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")


def test_keygen_never_overwrites(tmp_path: Path, capsys: Capture, keys: tuple[str, str]) -> None:
    before = Path(keys[0]).read_bytes()
    code, _, err = run(capsys, "keygen", "--out", keys[0])
    assert code == 2 and "already exists" in err
    assert Path(keys[0]).read_bytes() == before
    fresh = tmp_path / "fresh.pem"
    code, _, err = run(capsys, "keygen", "--out", str(fresh), "--public-out", keys[1])
    assert code == 2 and "already exists" in err
    assert not fresh.exists()  # nothing written when the public file is taken
    code, out, _ = run(capsys, "keygen", "--out", str(fresh))
    assert code == 0 and out.startswith("ed25519:")


def test_certify_and_verify(cert: Path, keys: tuple[str, str], capsys: Capture) -> None:
    doc = json.loads(cert.read_text(encoding="utf-8"))
    assert doc["certificate"]["serial"] == "cert-0001"
    assert doc["certificate"]["subject_name"] == "Trần Minh Châu"
    assert doc["certificate"]["valid_until"] == "2027-11-29"
    public = load_public_key(Path(keys[1]).read_bytes())
    assert verify_certificate(cert.read_bytes(), public, on=dt.date(2027, 11, 29)).ok

    code, out, err = run(capsys, "verify", str(cert), "--public-key", keys[1], "--on", "2027-11-29")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "valid" and "cert-0001" in lines[1]


@pytest.mark.parametrize(("on", "status"), [("2026-11-28", "not-yet-valid"), ("2027-11-30", "expired")])
def test_verify_outside_the_period(cert: Path, keys: tuple[str, str], capsys: Capture, on: str, status: str) -> None:
    code, out, _ = run(capsys, "verify", str(cert), "--public-key", keys[1], "--on", on)
    assert code == 1 and out.splitlines()[0] == status


def test_verify_today_by_default(cert: Path, keys: tuple[str, str], capsys: Capture) -> None:
    code, out, _ = run(capsys, "verify", str(cert), "--public-key", keys[1])
    assert out.splitlines()[0] in {"valid", "expired", "not-yet-valid"}
    assert code == (0 if out.startswith("valid") else 1)


def test_certify_to_stdout(tmp_path: Path, capsys: Capture, keys: tuple[str, str]) -> None:
    case = example(tmp_path, "04-licensed-doctor-kol")
    code, out, _ = run(capsys, "certify", case, "--key", keys[0], "--issuer", "NCA", "--on", "2026-12-01", "-o", "-")
    assert code == 0
    doc = json.loads(out)
    assert doc["certificate"]["tier"] == "trusted" and len(doc["certificate"]["serial"]) == 32


def test_tampered_certificate(cert: Path, keys: tuple[str, str], capsys: Capture) -> None:
    doc = json.loads(cert.read_text(encoding="utf-8"))
    doc["certificate"]["score"] = 99.9
    cert.write_text(json.dumps(doc), encoding="utf-8")
    code, out, err = run(capsys, "verify", str(cert), "--public-key", keys[1], "--on", "2026-12-01")
    assert (code, err) == (1, "")
    assert out.splitlines()[0] == "bad-signature"
    cert.write_text("{not json", encoding="utf-8")
    code, out, _ = run(capsys, "verify", str(cert), "--public-key", keys[1], "--on", "2026-12-01")
    assert code == 1 and out.splitlines()[0] == "malformed"


def test_verify_with_another_key(cert: Path, tmp_path: Path, capsys: Capture) -> None:
    other = tmp_path / "other.pub"
    run(capsys, "keygen", "--out", str(tmp_path / "other.pem"), "--public-out", str(other))
    code, out, _ = run(capsys, "verify", str(cert), "--public-key", str(other), "--on", "2026-12-01")
    assert code == 1 and out.splitlines()[0] == "unknown-key"


def test_verify_unreadable_arguments(cert: Path, keys: tuple[str, str], tmp_path: Path, capsys: Capture) -> None:
    code, out, err = run(capsys, "verify", str(cert), "--public-key", str(tmp_path / "missing.pem"))
    assert code == 2 and out == "" and "no such file" in err
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key", encoding="utf-8")
    code, _, err = run(capsys, "verify", str(cert), "--public-key", str(bad))
    assert code == 2 and "not a PEM public key" in err
    code, _, err = run(capsys, "verify", str(cert), "--public-key", keys[0])  # a private key
    assert code == 2
    code, _, err = run(capsys, "verify", str(tmp_path / "nope.json"), "--public-key", keys[1])
    assert code == 2 and "no such file" in err
    code, _, err = run(
        capsys, "verify", str(cert), "--public-key", keys[1], "--revocations", str(tmp_path / "nope.json")
    )
    assert code == 2 and "no such file" in err


def test_revoke_then_verify(cert: Path, keys: tuple[str, str], tmp_path: Path, capsys: Capture) -> None:
    rl = tmp_path / "revoked.json"
    code, _, err = run(
        capsys,
        "revoke",
        "--key",
        keys[0],
        "--issuer",
        "NCA",
        "--serial",
        "cert-0001",
        "--reason",
        "suspended",
        "--on",
        "2026-12-10",
        "-o",
        str(rl),
    )
    assert (code, err) == (0, "")
    code, out, _ = run(
        capsys, "verify", str(cert), "--public-key", keys[1], "--revocations", str(rl), "--on", "2026-12-10"
    )
    assert code == 1 and out.splitlines()[0] == "revoked" and "suspended" in out
    code, out, _ = run(
        capsys, "verify", str(cert), "--public-key", keys[1], "--revocations", str(rl), "--on", "2026-12-09"
    )
    assert code == 0 and out.splitlines()[0] == "valid"

    # extend the list in place
    code, _, err = run(
        capsys,
        "revoke",
        "--key",
        keys[0],
        "--issuer",
        "NCA",
        "--serial",
        "cert-0002",
        "--list",
        str(rl),
        "--on",
        "2026-12-11",
        "-o",
        str(rl),
    )
    assert (code, err) == (0, "")
    doc = json.loads(rl.read_text(encoding="utf-8"))
    assert [e["serial"] for e in doc["revocation_list"]["entries"]] == ["cert-0001", "cert-0002"]
    assert doc["revocation_list"]["entries"][1]["reason"] == "withdrawn"
    assert doc["revocation_list"]["issued_on"] == "2026-12-11"
    code, out, _ = run(
        capsys, "verify", str(cert), "--public-key", keys[1], "--revocations", str(rl), "--on", "2026-12-11"
    )
    assert code == 1 and out.startswith("revoked")

    # already revoked
    code, _, err = run(
        capsys, "revoke", "--key", keys[0], "--issuer", "NCA", "--serial", "cert-0001", "--list", str(rl), "-o", "-"
    )
    assert code == 2 and "already revoked" in err


def test_revoke_refuses_a_list_that_does_not_verify(
    cert: Path, keys: tuple[str, str], tmp_path: Path, capsys: Capture
) -> None:
    rl = tmp_path / "revoked.json"
    run(
        capsys,
        "revoke",
        "--key",
        keys[0],
        "--issuer",
        "NCA",
        "--serial",
        "cert-0001",
        "--on",
        "2026-12-10",
        "-o",
        str(rl),
    )
    doc = json.loads(rl.read_text(encoding="utf-8"))
    doc["revocation_list"]["entries"] = []
    rl.write_text(json.dumps(doc), encoding="utf-8")
    code, _, err = run(
        capsys, "revoke", "--key", keys[0], "--issuer", "NCA", "--serial", "x", "--list", str(rl), "-o", "-"
    )
    assert code == 2 and "does not verify" in err
    # a forged list makes verification fail closed
    code, out, _ = run(
        capsys, "verify", str(cert), "--public-key", keys[1], "--revocations", str(rl), "--on", "2026-12-10"
    )
    assert code == 1 and out.splitlines()[0] == "malformed" and "revocation list" in out
    # another issuer's list cannot be extended under this name
    other = tmp_path / "other.json"
    run(
        capsys, "revoke", "--key", keys[0], "--issuer", "Other", "--serial", "a", "--on", "2026-12-10", "-o", str(other)
    )
    code, _, err = run(
        capsys, "revoke", "--key", keys[0], "--issuer", "NCA", "--serial", "b", "--list", str(other), "-o", "-"
    )
    assert code == 2 and "'Other'" in err


def test_refused_certification(tmp_path: Path, capsys: Capture, keys: tuple[str, str]) -> None:
    out_path = tmp_path / "cert.json"
    case = example(tmp_path, "02-false-ad-finance-kol")
    code, out, err = run(capsys, "certify", case, "--key", keys[0], "--issuer", "NCA", "-o", str(out_path))
    assert code == 2 and out == ""
    assert "refused" in err and "G-FALSE-AD" in err and "not a certified tier" in err
    assert not out_path.exists()


def test_certify_before_the_assessment(tmp_path: Path, capsys: Capture, keys: tuple[str, str]) -> None:
    case = example(tmp_path, "01-high-trust-beauty-kol")
    code, _, err = run(capsys, "certify", case, "--key", keys[0], "--issuer", "NCA", "--on", "2026-11-01", "-o", "-")
    assert code == 2 and "before the assessment's as_of" in err


def test_certify_bad_arguments(tmp_path: Path, capsys: Capture, keys: tuple[str, str]) -> None:
    case = example(tmp_path, "01-high-trust-beauty-kol")
    code, _, err = run(capsys, "certify", case, "--key", str(tmp_path / "nope.pem"), "--issuer", "NCA", "-o", "-")
    assert code == 2 and "no such file" in err
    code, _, err = run(capsys, "certify", case, "--key", keys[1], "--issuer", "NCA", "-o", "-")
    assert code == 2 and "a public key where a private key was expected" in err
    code, _, err = run(capsys, "certify", case, "--key", keys[0], "--issuer", "NCA", "--serial=-bad", "-o", "-")
    assert code == 2 and "$.serial" in err
    with pytest.raises(SystemExit):
        main(["certify", case, "--key", keys[0], "--issuer", "  ", "-o", "-"])
