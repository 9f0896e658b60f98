"""The credential commands: keygen, certify, verify, status-list."""

from __future__ import annotations

import datetime as dt
import importlib.resources
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from kol_trust.certification import load_private_key, load_public_key
from kol_trust.cli import main
from kol_trust.credentials import did_key, verify_credential, verify_proof

EXAMPLES = importlib.resources.files("kol_trust") / "examples"
Capture = pytest.CaptureFixture[str]
LIST_URL = "https://issuer.example/status/1"
SUSPEND_URL = "https://issuer.example/status/2"


def run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def example(tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.json"
    path.write_bytes((EXAMPLES / f"{name}.json").read_bytes())
    return str(path)


@pytest.fixture
def keys(tmp_path: Path, capsys: Capture) -> tuple[str, str, str]:
    key, pub = tmp_path / "key.pem", tmp_path / "pub.pem"
    code, out, err = run(capsys, "keygen", "--out", str(key), "--public-out", str(pub))
    assert (code, err) == (0, "")
    did = out.strip()
    assert did == did_key(load_public_key(pub.read_bytes())) == did_key(load_private_key(key.read_bytes()))
    return str(key), str(pub), did


@pytest.fixture
def lists(tmp_path: Path, capsys: Capture, keys: tuple[str, str, str]) -> tuple[str, str]:
    rev, sus = tmp_path / "rev.json", tmp_path / "sus.json"
    for path, url, purpose in ((rev, LIST_URL, "revocation"), (sus, SUSPEND_URL, "suspension")):
        code, _, err = run(capsys, "status-list", "new", "--key", keys[0], "--id", url, "--purpose", purpose,
                           "--on", "2026-11-29", "--valid-days", "400", "-o", str(path))  # fmt: skip
        assert (code, err) == (0, ""), err
    return str(rev), str(sus)


@pytest.fixture
def cred(tmp_path: Path, capsys: Capture, keys: tuple[str, str, str], lists: tuple[str, str]) -> Path:
    out_path = tmp_path / "cred.json"
    case = example(tmp_path, "01-high-trust-beauty-kol")
    code, out, err = run(capsys, "certify", case, "--key", keys[0], "--issuer-name", "Hiệp hội Niềm tin số",
                         "--on", "2026-11-29", "--serial", "cert-0001", "--status-list", lists[0],
                         "--status-list", lists[1], "-o", str(out_path))  # fmt: skip
    assert (code, err) == (0, ""), err
    assert out.strip() == "cert-0001"
    return out_path


def verify(capsys: Capture, cred: Path, did: str, *more: str) -> tuple[int, str]:
    code, out, err = run(capsys, "verify", str(cred), "--issuer", did, *more)
    assert err == ""
    return code, out.splitlines()[0]


def test_keygen_file_modes(keys: tuple[str, str, str]) -> None:
    assert stat.S_IMODE(os.stat(keys[0]).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(keys[1]).st_mode) == 0o644


def test_keygen_never_overwrites(tmp_path: Path, capsys: Capture, keys: tuple[str, str, str]) -> None:
    before = Path(keys[0]).read_bytes()
    code, _, err = run(capsys, "keygen", "--out", keys[0])
    assert code == 2 and "already exists" in err
    assert Path(keys[0]).read_bytes() == before


def test_the_credential_verifies_with_verify_proof_and_by_hand(cred: Path, keys: tuple[str, str, str]) -> None:
    from test_credentials import hand_written_eddsa_jcs_2022

    doc = json.loads(cred.read_text(encoding="utf-8"))
    assert doc["issuer"]["id"] == keys[2]
    assert verify_proof(doc).ok
    assert hand_written_eddsa_jcs_2022(doc)
    index = doc["credentialStatus"][0]["statusListIndex"]
    assert doc["credentialStatus"][1]["statusListIndex"] == index
    assert Path(str(Path(cred).parent / "rev.json") + ".indexes").read_text().split() == [index]
    on = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    assert verify_credential(doc, trusted_issuers=[keys[2]], on=on).ok


def test_round_trip_keygen_certify_verify_revoke_verify(
    cred: Path, keys: tuple[str, str, str], lists: tuple[str, str], capsys: Capture, tmp_path: Path
) -> None:
    key, _, did = keys
    rev, sus = lists
    both = ("--status-list", rev, "--status-list", sus)
    assert verify(capsys, cred, did, *both, "--on", "2026-12-01") == (0, "valid")
    assert verify(capsys, cred, did, "--on", "2026-11-28T23:59:59Z") == (1, "not-yet-valid")
    assert verify(capsys, cred, did, "--on", "2027-11-28T23:59:59Z") == (0, "valid")
    assert verify(capsys, cred, did, "--on", "2027-11-29") == (1, "expired")
    old = tmp_path / "rev-old.json"
    old.write_bytes(Path(rev).read_bytes())
    code, _, err = run(
        capsys, "status-list", "suspend", sus, "--key", key, "--credential", str(cred), "--on", "2026-12-02"
    )
    assert (code, err) == (0, ""), err
    assert verify(capsys, cred, did, *both, "--on", "2026-12-03") == (1, "suspended")
    code, _, err = run(
        capsys, "status-list", "restore", sus, "--key", key, "--credential", str(cred), "--on", "2026-12-04"
    )
    assert (code, err) == (0, ""), err
    assert verify(capsys, cred, did, *both, "--on", "2026-12-05") == (0, "valid")
    code, _out, err = run(
        capsys, "status-list", "revoke", rev, "--key", key, "--credential", str(cred), "--on", "2026-12-06"
    )
    assert (code, err) == (0, ""), err
    assert verify(capsys, cred, did, *both, "--on", "2026-12-07") == (1, "revoked")
    # the older list replayed beside the newer one changes nothing
    assert verify(capsys, cred, did, "--status-list", str(old), *both, "--on", "2026-12-07") == (1, "revoked")
    # a restore on a revocation list is refused: revocation is permanent
    code, _, err = run(
        capsys, "status-list", "restore", rev, "--key", key, "--credential", str(cred), "--on", "2026-12-08"
    )
    assert code == 2 and "permanent" in err


def test_updates_need_the_lists_own_key_and_a_later_date(
    cred: Path, keys: tuple[str, str, str], lists: tuple[str, str], capsys: Capture, tmp_path: Path
) -> None:
    other = tmp_path / "other.pem"
    run(capsys, "keygen", "--out", str(other))
    code, _, err = run(
        capsys, "status-list", "revoke", lists[0], "--key", str(other), "--index", "5", "--on", "2026-12-06"
    )
    assert code == 2 and "not a trusted issuer" in err
    code, _, err = run(
        capsys, "status-list", "revoke", lists[0], "--key", keys[0], "--index", "5", "--on", "2026-11-01"
    )
    assert code == 2 and "must be later" in err
    code, _, err = run(capsys, "status-list", "new", "--key", keys[0], "--id", LIST_URL, "-o", lists[0])
    assert code == 2 and "already exists" in err


def test_verify_with_another_issuer_and_tampered(
    cred: Path, keys: tuple[str, str, str], capsys: Capture, tmp_path: Path
) -> None:
    other = tmp_path / "other.pem"
    _, out, _ = run(capsys, "keygen", "--out", str(other))
    assert verify(capsys, cred, out.strip(), "--on", "2026-12-01") == (1, "unknown-key")
    doc = json.loads(cred.read_text(encoding="utf-8"))
    doc["credentialSubject"]["tier"] = "trusted"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(doc), encoding="utf-8")
    assert verify(capsys, tampered, keys[2], "--on", "2026-12-01") == (1, "bad-signature")
    junk = tmp_path / "junk.json"
    junk.write_text("{", encoding="utf-8")
    assert verify(capsys, junk, keys[2], "--on", "2026-12-01") == (1, "malformed")


def test_verify_now_in_utc_by_default(cred: Path, keys: tuple[str, str, str], capsys: Capture) -> None:
    code, out, _ = run(capsys, "verify", str(cred), "--issuer", keys[2])
    assert out.splitlines()[0] in {"valid", "expired"}
    assert code == (0 if out.startswith("valid") else 1)


def test_certify_to_stdout_without_lists(tmp_path: Path, capsys: Capture, keys: tuple[str, str, str]) -> None:
    code, out, err = run(capsys, "certify", example(tmp_path, "01-high-trust-beauty-kol"), "--key", keys[0],
                         "--issuer-name", "NCA", "--on", "2026-11-29", "-o", "-")  # fmt: skip
    assert (code, err) == (0, "")
    doc: Any = json.loads(out)
    assert "credentialStatus" not in doc and doc["issuer"] == {"id": keys[2], "name": "NCA"}


def test_refused_certification(tmp_path: Path, capsys: Capture, keys: tuple[str, str, str]) -> None:
    code, _, err = run(capsys, "certify", example(tmp_path, "02-false-ad-finance-kol"), "--key", keys[0],
                       "--issuer-name", "NCA", "-o", str(tmp_path / "x.json"))  # fmt: skip
    assert code == 2 and "G-FALSE-AD" in err
    assert not (tmp_path / "x.json").exists()


def test_certify_refuses_a_name_that_is_not_normalised(
    tmp_path: Path, capsys: Capture, keys: tuple[str, str, str]
) -> None:
    code, _, err = run(capsys, "certify", example(tmp_path, "01-high-trust-beauty-kol"), "--key", keys[0],
                       "--issuer-name", "NCA ", "--on", "2026-11-29", "-o", "-")  # fmt: skip
    assert code == 2 and "spaces" in err


def test_concatenated_pem_blocks_are_refused(tmp_path: Path, capsys: Capture, keys: tuple[str, str, str]) -> None:
    other = tmp_path / "other.pem"
    run(capsys, "keygen", "--out", str(other))
    double = tmp_path / "double.pem"
    double.write_bytes(Path(keys[0]).read_bytes() + other.read_bytes())
    code, _, err = run(capsys, "certify", example(tmp_path, "01-high-trust-beauty-kol"), "--key", str(double),
                       "--issuer-name", "NCA", "-o", "-")  # fmt: skip
    assert code == 2 and "2 PEM blocks" in err
