"""Shared test set-up: hypothesis profiles and the paths of the test data."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, settings

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
