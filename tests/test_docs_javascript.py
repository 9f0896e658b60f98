"""The JavaScript verifier of docs/howto-verify.md runs with Node on the page's files.

It needs ``node`` and the npm packages ``canonicalize`` and ``@noble/ed25519``
in the folder named by ``KOL_TRUST_NODE_MODULES`` (a ``node_modules``
folder; ``.ci/run`` installs them).  Without them the test is skipped, unless
``KOL_TRUST_REQUIRE_NODE`` is set (CI sets it): then it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from test_docs_examples import files_of

PAGE = Path(__file__).resolve().parent.parent / "docs" / "howto-verify.md"
EXPECTED = "{ genuine: true, listGenuine: true, revoked: true, inPeriod: true }"


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    modules = os.environ.get("KOL_TRUST_NODE_MODULES")
    if not modules:
        return "KOL_TRUST_NODE_MODULES (a node_modules folder with canonicalize and @noble/ed25519) is not set"
    for package in ("canonicalize", "@noble/ed25519"):
        if not (Path(modules) / package / "package.json").is_file():
            return f"the npm package {package} is not in {modules}"
    return None


def test_javascript_verifier_of_the_how_to(tmp_path: Path) -> None:
    why = _missing()
    if why is not None:
        if os.environ.get("KOL_TRUST_REQUIRE_NODE"):
            pytest.fail(f"KOL_TRUST_REQUIRE_NODE is set but {why}")
        pytest.skip(why)
    names = []
    for name, content in files_of(PAGE.read_text(encoding="utf-8")):
        (tmp_path / name).write_text(content, encoding="utf-8")
        names.append(name)
    assert "verify-credential.mjs" in names and "chau-credential.json" in names
    (tmp_path / "node_modules").symlink_to(Path(os.environ["KOL_TRUST_NODE_MODULES"]).resolve())
    result = subprocess.run(
        ["node", "verify-credential.mjs"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == EXPECTED
    # a changed credential is not genuine
    doc = (tmp_path / "chau-credential.json").read_text(encoding="utf-8")
    (tmp_path / "chau-credential.json").write_text(doc.replace('"high-trust"', '"trusted"'), encoding="utf-8")
    result = subprocess.run(
        ["node", "verify-credential.mjs"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.strip() == EXPECTED.replace("genuine: true,", "genuine: false,", 1)
