"""Shared test set-up: hypothesis profiles and the paths of the test data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from kol_trust import accel

TESTS = Path(__file__).parent
SPEC = TESTS / "data" / "spec"  # the project's copy of ../shared/spec
VECTORS = SPEC / "vectors"

# "ci": many examples, derandomized, so every CI run checks the same ones.
settings.register_profile(
    "ci",
    max_examples=300,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile("thorough", max_examples=5_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


# -- the JSON backends (kol_trust.accel) ------------------------------------------------------
#
# The vectors, the RFC 8785 tests and the property tests run on both backends
# (``pytestmark = pytest.mark.usefixtures("json_backend")``); tests/test_accel.py
# compares them directly.  Without orjson the "orjson" runs are skipped,
# unless KOL_TRUST_REQUIRE_ORJSON is set (CI sets it and installs the extra
# fast): then they fail.


def require_orjson() -> None:
    """Skip (or, with KOL_TRUST_REQUIRE_ORJSON set, fail) when orjson is not installed."""
    if accel.installed() is None:
        why = "orjson is not installed (the extra fast)"
        if os.environ.get("KOL_TRUST_REQUIRE_ORJSON"):
            pytest.fail(f"KOL_TRUST_REQUIRE_ORJSON is set but {why}", pytrace=False)
        pytest.skip(why)


@pytest.fixture(params=accel.BACKENDS, scope="module")
def json_backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every test of the module once with each JSON backend ("orjson", "pure")."""
    name: str = request.param
    if name == "orjson":
        require_orjson()
    with accel.forced(name):
        yield name


def record_calls(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[Any]:
    """Wrap ``owner.name`` for the test: it still does its work, and the list
    it returns grows by the first argument of every call."""
    real = getattr(owner, name)
    seen: list[Any] = []

    def recording(obj: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(obj)
        return real(obj, *args, **kwargs)

    monkeypatch.setattr(owner, name, recording)
    return seen
