"""The engine compiled by mypyc gives the bytes the engine's source gives.

A wheel built with ``HATCH_BUILD_HOOK_ENABLE_MYPYC=true`` holds the engine's
modules compiled (``kol_trust.engine.MYPYC``).  ``.ci/run`` installs such a
wheel in a second environment and runs this file there, with
``KOL_TRUST_REQUIRE_MYPYC=1``, beside the vectors, property and engine
tests; in the ordinary run the engine is its source and these tests check
that the flag says so.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import kol_trust.engine as engine

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src"
BENCHMARKS = ROOT / "benchmarks"
REQUIRE_ENV = "KOL_TRUST_REQUIRE_MYPYC"


def _required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")


def _engine_files() -> dict[str, str]:
    out = {}
    for info in pkgutil.iter_modules(engine.__path__, engine.__name__ + "."):
        module = importlib.import_module(info.name)
        out[info.name] = module.__file__ or ""
    out[engine.__name__] = engine.__file__ or ""
    return out


def _left_as_python() -> set[str]:
    """The engine's modules the mypyc hook leaves out (pyproject.toml's ``exclude``)."""
    hook = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["hatch"]["build"]["targets"]["wheel"]
    paths = hook["hooks"]["mypyc"].get("exclude", [])
    return {path.removeprefix("/src/").removesuffix(".py").replace("/", ".") for path in paths}


def test_the_flag_says_whether_every_engine_module_is_compiled() -> None:
    files = _engine_files()
    assert len(files) >= 10, files  # the package and its modules
    left = _left_as_python()
    assert left <= set(files), (
        f"pyproject.toml leaves out modules the engine does not have: {sorted(left - set(files))}"
    )
    compiled = {name for name, path in files.items() if not path.endswith(".py")}
    # All or none: a build compiles the whole engine but the modules it leaves
    # out, and the flag says which.
    assert compiled in (set(), set(files) - left), f"partly compiled: {sorted(compiled)}"
    assert engine.MYPYC is (compiled == set(files) - left)
    if _required():
        assert engine.MYPYC, f"{REQUIRE_ENV} is set but the engine runs from source: {files}"


_SNAPSHOT = """
import json, sys
sys.path.insert(0, sys.argv[1])
import golden_snapshot
import kol_trust.engine as engine
print(json.dumps({"mypyc": engine.MYPYC, "digests": golden_snapshot.snapshot(int(sys.argv[2]), seed=int(sys.argv[3]))}))
"""


def _snapshot(env: dict[str, str], n_cases: int, seed: int) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", _SNAPSHOT, str(BENCHMARKS), str(n_cases), str(seed)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def test_the_installed_engine_and_its_source_give_the_same_bytes() -> None:
    """Every output of a synthetic corpus (assessments, their canonical bytes,
    improvement plans, reports, badges, ...) as the installed package makes
    them, and as the source tree makes them: digest for digest the same."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    installed = _snapshot(env, 300, 13)
    from_source = _snapshot({**env, "PYTHONPATH": str(SOURCE)}, 300, 13)
    assert from_source["mypyc"] is False  # the source tree holds no compiled module
    assert installed["mypyc"] is engine.MYPYC
    assert installed["digests"] == from_source["digests"]
    assert len(installed["digests"]) > 20
