"""Reported values: ``round1`` (STANDARD §2)."""

from __future__ import annotations

__all__ = ["round1"]

# Below 2^40 in magnitude, x * 1000 is within 2^-14 of 1000·x exactly.
_FAST_LIMIT = 1e12
_MARGIN = 0.4999


def round1(x: float) -> float:
    """Round a value for reporting (STANDARD §2).

    The exact binary value of *x* is rounded half-even to 3 decimals, which
    removes binary noise, and that decimal half-up to 1 decimal.
    """
    # The thousandths n: the integer nearest 1000·x (exact), ties to even.
    # t = x * 1000 is within 2^-14 of 1000·x when |t| < 1e12, so when t is
    # farther than 0.4999 from a tie, n = round(t) exactly; otherwise (and
    # for huge or non-finite values) round() of the exact binary value
    # decides: round(x, 3) is the double nearest some n/1000, so its
    # * 1000 is within an ulp of the integer n and round() recovers n.
    # The half-up step is then integer work.
    t = x * 1000.0
    if -_FAST_LIMIT < t < _FAST_LIMIT:
        thousandths = round(t)
        if not -_MARGIN < t - thousandths < _MARGIN:
            thousandths = round(round(x, 3) * 1000)
    else:
        thousandths = round(round(x, 3) * 1000)
    tenths = (abs(thousandths) + 50) // 100
    return (tenths if thousandths >= 0 else -tenths) / 10 + 0.0  # + 0.0: never -0.0
