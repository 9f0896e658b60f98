"""Holding SIGINT and SIGTERM back for a few steps that must not be cut in two.

A command's clean-up (ending worker processes, removing a temporary file it
has just created) is a handful of system calls; a signal whose handler raises
between two of them would leave a worker alive or a file behind.  Held back,
the signal is delivered as soon as the steps are done, so it still stops the
command, just not half-way through them.

Only the calling thread's mask changes (Python runs handlers in the main
thread); on a platform without :func:`signal.pthread_sigmask` nothing is held.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

__all__ = ["INTERRUPTS", "held_back", "hold", "release"]

INTERRUPTS = frozenset({signal.SIGINT, signal.SIGTERM})
"""The signals held back: Ctrl-C and a polite request to stop."""

Mask = set[int | signal.Signals] | None


def hold() -> Mask:
    """Block :data:`INTERRUPTS` for this thread; the mask to give :func:`release`."""
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, INTERRUPTS)


def release(mask: Mask) -> None:
    """Restore the *mask* :func:`hold` returned; a signal held back is delivered now."""
    if mask is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


@contextlib.contextmanager
def held_back() -> Iterator[None]:
    """:func:`hold` for the block, :func:`release` after it, however it ends."""
    mask = hold()
    try:
        yield
    finally:
        release(mask)
