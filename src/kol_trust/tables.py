"""Plain-text tables for a terminal: left-aligned columns, wrapped to a width.

``rubric show``, ``rubric lint``, ``rubric impact``, ``assess`` and ``demo``
write their tables with :func:`text_table`.  Widths are counted in terminal
columns (:func:`display_width`: a combining mark takes none, a wide character
two), so Vietnamese text lines up.  Given a width, the widest column is
narrowed a column at a time, and its cells wrap at spaces; a column is never
made narrower than its longest word or :data:`MIN_COLUMN`, whichever is
more, unless *break_words* allows cutting words: then only
:data:`MIN_CUT_COLUMN`, so that a table of many columns still fits.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

__all__ = ["MIN_COLUMN", "MIN_CUT_COLUMN", "display_width", "fit", "text_table", "wrap"]

#: A column is never wrapped narrower than this (nor than its longest word).
MIN_COLUMN = 12
#: A column whose words may be cut is never narrower than this.
MIN_CUT_COLUMN = 6


def display_width(text: str) -> int:
    """Columns *text* takes in a terminal (combining marks take none, wide characters two)."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cut(token: str, width: int) -> tuple[str, str]:
    """The longest head of *token* that takes at most *width* columns (at least one character), and the rest."""
    n = 1
    while n < len(token) and display_width(token[: n + 1]) <= width:
        n += 1
    return token[:n], token[n:]


def wrap(text: str, width: int) -> list[str]:
    """*text* in lines of at most *width* columns, broken at spaces (a longer word is cut)."""
    lines: list[str] = []
    line = ""
    for token in text.split(" "):
        while display_width(token) > width:  # a word longer than the column
            if line:
                lines.append(line)
                line = ""
            head, token = _cut(token, width)
            lines.append(head)
        candidate = f"{line} {token}" if line else token
        if display_width(candidate) <= width:
            line = candidate
        else:
            lines.append(line)
            line = token
    lines.append(line)
    return lines


def fit(rows: Sequence[Sequence[str]], indent: int, width: int | None, *, break_words: bool = False) -> list[int]:
    """Column widths that fit *width* (with *indent* and two spaces between
    columns): the widest column is narrowed a column at a time, none below its
    longest word or :data:`MIN_COLUMN`, whichever is more.  With *break_words*,
    a table still too wide is then narrowed further, cutting words, none below
    :data:`MIN_CUT_COLUMN`."""
    natural = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    if width is None:
        return natural
    words = [
        max(MIN_COLUMN, *(display_width(w) for row in rows for w in row[i].split(" "))) for i in range(len(natural))
    ]
    floors = [[min(n, w) for n, w in zip(natural, words, strict=True)]]
    if break_words:
        floors.append([min(n, MIN_CUT_COLUMN) for n in natural])
    widths = list(natural)
    for floor in floors:
        while indent + sum(widths) + 2 * (len(widths) - 1) > width:
            narrower = [i for i in range(len(widths)) if widths[i] > floor[i]]
            if not narrower:
                break  # as narrow as it goes
            widths[max(narrower, key=lambda i: widths[i])] -= 1
    return widths


def text_table(
    rows: Sequence[Sequence[str]], indent: str = "", width: int | None = None, *, break_words: bool = False
) -> list[str]:
    """The lines of *rows* as left-aligned columns two spaces apart, each after
    *indent*, without trailing spaces; wrapped to *width* columns when given
    (see :func:`fit`)."""
    widths = fit(rows, display_width(indent), width, break_words=break_words)
    lines = []
    for row in rows:
        wrapped = [wrap(cell, w) if display_width(cell) > w else [cell] for cell, w in zip(row, widths, strict=True)]
        for k in range(max(len(cell) for cell in wrapped)):
            parts = [cell[k] if k < len(cell) else "" for cell in wrapped]
            cells = [part + " " * (w - display_width(part)) for part, w in zip(parts, widths, strict=True)]
            lines.append((indent + "  ".join(cells)).rstrip())
    return lines
