"""Rounding: ``round1`` for reported values (STANDARD §2), ``round9`` for the reasons' sort key (§6)."""

from __future__ import annotations

from typing import Final

__all__ = ["round1", "round9"]

# A product below 1e12 < 2^40 in magnitude is within 2^-14 (half its ulp) of
# the exact one.  (Final: compiled, these are constants, not look-ups.)
_FAST_LIMIT: Final = 1e12
_MARGIN: Final = 0.4999


def round1(x: float) -> float:
    """Round a value for reporting (STANDARD §2).

    The exact binary value of *x* is rounded half-even to 3 decimals, which
    removes binary noise, and that decimal half-up to 1 decimal.
    """
    # The thousandths n: the integer nearest 1000·x (exact), ties to even.
    # t = x * 1000 is within 2^-14 of 1000·x when |t| < 1e12, so when t is
    # farther than 0.4999 from a tie, n is the integer nearest t: int() of
    # |t| + 0.5, whose rounding (at most 2^-14 here) crosses an integer only
    # next to a tie, where the margin test hands x to the exact step.
    # Otherwise (and for huge or non-finite values) round() of the exact
    # binary value decides: round(x, 3) is the double nearest some n/1000, so
    # its * 1000 is within an ulp of the integer n and round() recovers n.
    # The half-up step is then integer work.
    t = x * 1000.0
    if -_FAST_LIMIT < t < _FAST_LIMIT:
        thousandths = int(t + 0.5) if t >= 0.0 else -int(0.5 - t)
        if not -_MARGIN < t - thousandths < _MARGIN:
            thousandths = _exact_thousandths(x)
    else:
        thousandths = _exact_thousandths(x)
    tenths = (abs(thousandths) + 50) // 100
    return (tenths if thousandths >= 0 else -tenths) / 10 + 0.0  # + 0.0: never -0.0


def _exact_thousandths(x: float) -> int:
    """The integer nearest 1000·x, ties to even, from the exact binary value of *x*."""
    return round(round(x, 3) * 1000)


def round9(x: float) -> float:
    """``round(x, 9)``: the exact binary value of *x* rounded half-even to 9
    decimals, as the nearest double (the reasons' sort key, STANDARD §6).

    As :func:`round1` does: ``y = x * 1e9`` is within 2^-14 of 10^9·x when
    0 < y < 1e12, so when y is farther than 0.4999 from a tie the integer n
    nearest y is the exact one, and ``n / 1e9`` (a correctly rounded
    division of two exact doubles) is the double nearest n·10^-9, which is
    what ``round()`` returns.  Anything else (ties, zeros, negative, huge or
    non-finite values) is ``round()``'s.
    """
    y = x * 1e9
    if 0.0 < y < _FAST_LIMIT:
        n = int(y + 0.5)
        if -_MARGIN < y - n < _MARGIN:
            return n / 1e9
    return round(x, 9)
