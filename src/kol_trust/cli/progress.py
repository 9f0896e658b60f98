"""A one-line progress bar on standard error, for the long commands.

``batch``, ``synth``, ``pack`` and ``rubric impact`` show one while they run,
when standard error is a terminal and ``--quiet`` is not given; never in a
pipe or a file, so logs and scripts see only the summary line.  With a known
total (the input's size in bytes, read as it is parsed, so it costs nothing;
or the number of cases to make) the bar shows the share done, the rate and
the time left::

    batch  42% |████████▍           | 42 117 lines  3 904/s  ETA 0:00:14

Without one it shows the count and the rate.  The line is redrawn at most
ten times a second and erased when the command ends.

It is written here rather than taken from a progress library: a dozen lines
of terminal output do not justify a dependency of the library for everyone.
"""

from __future__ import annotations

import os
import stat
import time
from typing import BinaryIO, TextIO

from ..words import word

__all__ = ["CountingReader", "Progress", "input_size"]

_BLOCKS = " ▏▎▍▌▋▊▉█"
_REDRAW_SECONDS = 0.1


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


def _count(n: int) -> str:
    return f"{n:,}".replace(",", " ")


class Progress:
    """A progress bar for *label* on *stream*, drawn only when *enabled*.

    :meth:`update` takes the work done so far in the unit of *total* (bytes
    read, or items), the number of items to show (lines, cases) and their
    noun; *start* is work already done before this run (a resumed batch), not
    counted in the rate.  *lang* is the language of its words (the noun is the caller's,
    from the catalogue; the time left is ``ETA`` or ``còn``).
    """

    def __init__(
        self, label: str, stream: TextIO, *, total: int | None, enabled: bool, start: int = 0, lang: str = "en"
    ) -> None:
        self.label = label
        self.eta = word("progress.eta", lang)
        self.stream = stream
        self.total = total if total else None
        self.enabled = enabled
        self.start = start
        self.began = time.monotonic()
        self.drawn = 0.0
        self.shown = False

    @staticmethod
    def wanted(stream: TextIO, quiet: bool) -> bool:
        """Whether to draw on *stream*: a terminal, and no ``--quiet``."""
        if quiet:
            return False
        try:
            return stream.isatty()
        except (AttributeError, ValueError, OSError):
            return False

    def line(self, done: int, items: int, noun: str, now: float) -> str:
        """The text of the bar (without the leading carriage return)."""
        elapsed = max(now - self.began, 1e-9)
        rate = items / elapsed if items else 0.0
        parts = [self.label]
        if self.total is not None:
            share = min(max(done / self.total, 0.0), 1.0)
            width = 20
            full, part = divmod(int(share * width * 8), 8)
            bar = "█" * full + (_BLOCKS[part] if full < width else "")
            parts += [f"{share * 100:3.0f}%", f"|{bar.ljust(width)}|"]
        parts += [f"{_count(items)} {noun}", f"{_count(round(rate))}/s"]
        if self.total is not None and done > self.start:
            left = (self.total - done) * elapsed / (done - self.start)
            parts.append(f"{self.eta} {_clock(max(left, 0.0))}")
        return " ".join(parts)

    def update(self, done: int, items: int, noun: str) -> None:
        """Redraw the bar, at most ten times a second."""
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.drawn < _REDRAW_SECONDS:
            return
        self.drawn = now
        text = self.line(done, items, noun, now)
        try:
            columns = os.get_terminal_size(self.stream.fileno()).columns or 80  # 0: not known
        except (AttributeError, ValueError, OSError):
            columns = 80
        self.stream.write("\r" + text[: max(columns - 1, 10)] + "\x1b[K")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """Erase the bar, leaving the terminal line empty for the summary."""
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


def input_size(stream: BinaryIO) -> int | None:
    """The size in bytes of *stream* when it is a regular file (the total of
    a progress bar), else ``None`` (a pipe, a terminal)."""
    try:
        st = os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


class CountingReader:
    """A binary stream's ``readline``, counting the bytes read in :attr:`offset`."""

    def __init__(self, stream: BinaryIO, offset: int = 0) -> None:
        self.stream = stream
        self.offset = offset

    def readline(self, size: int = -1, /) -> bytes:
        """The next line, as :meth:`io.BufferedReader.readline`."""
        line = self.stream.readline(size)
        self.offset += len(line)
        return line
