"""Reported values: ``round1`` (STANDARD §2)."""

from __future__ import annotations

__all__ = ["round1"]


def round1(x: float) -> float:
    """Round a value for reporting (STANDARD §2).

    The exact binary value of *x* is rounded half-even to 3 decimals, which
    removes binary noise, and that decimal half-up to 1 decimal.
    """
    # round() rounds the exact binary value, half-even.  Its result is the
    # double nearest some n/1000, so x3 * 1000 is within an ulp of the integer
    # n and round() recovers n exactly.  The half-up step is then integer work.
    thousandths = round(round(x, 3) * 1000)
    tenths = (abs(thousandths) + 50) // 100
    return (tenths if thousandths >= 0 else -tenths) / 10 + 0.0  # + 0.0: never -0.0
