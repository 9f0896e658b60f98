"""What every ``kol-trust`` command shares: argument types, input, output, rubrics.

The command modules (:mod:`kol_trust.cli.assess`, :mod:`kol_trust.cli.batch`,
…) import from here and from the library; nothing here imports a command
module, so the package has no import cycle.

* :class:`InputError`: bad input from the user, reported in one paragraph
  with exit code 2 (see :func:`kol_trust.cli.main`); :class:`OutputError`:
  the environment failed (a full disk, no permission), exit code 1.
* Argument types for :mod:`argparse`: :func:`iso_date`, :func:`whole_number`.
* Input: :func:`open_input`, :func:`read_input`, :func:`load_document`
  (``-`` is standard input; a file that cannot be read or parsed is an
  :class:`InputError` naming it, see :func:`input_name`).
* Output: :func:`atomic_output`, :func:`write_output` (``-`` is standard
  output; a file appears only complete; a device or a pipe is written in
  place), :func:`distinct_outputs`, :func:`output_error`, :func:`print_table`
  (wrapped to :func:`table_width`), :func:`write_text` (lines wrapped to it).
* Options every readable command shares: :func:`add_lang` (``--lang vi|en``),
  :func:`add_width` (``--width COLUMNS``).
* Rubrics: :func:`resolve_rubric` (``--rubric VERSION|FILE``),
  :func:`case_rubric` (``--rubric`` or the case's own rubric).
* Assessing: :func:`assess_document` (errors name the file and the records).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import errno
import os
import secrets
import shutil
import stat
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO, TextIO, TypeVar

from .. import interrupts
from ..assessment import Assessment
from ..cases import rubric_for
from ..checks import DATE_PATTERN, VERSION_PATTERN, json_string
from ..engine import assess
from ..errors import EvidenceConflictError, Problem, RubricNotFoundError, ValidationError
from ..model import Case
from ..registry import load_rubric
from ..rubric import Rubric
from ..tables import display_width, text_table, wrap
from ..wire import from_json, parse_rubric_text, rubric_format
from ..words import LANGS

__all__ = [
    "InputError",
    "OutputError",
    "add_lang",
    "add_width",
    "assess_document",
    "atomic_output",
    "case_rubric",
    "distinct_outputs",
    "input_name",
    "iso_date",
    "load_document",
    "open_input",
    "output_error",
    "print_table",
    "read_input",
    "resolve_rubric",
    "table_width",
    "whole_number",
    "write_output",
    "write_text",
]

T = TypeVar("T")


class InputError(Exception):
    """Bad input from the user: reported in one paragraph, exit code 2."""


class OutputError(Exception):
    """An output could not be written for a reason of the environment (a full
    disk, no permission, a read-only file system): one sentence, exit code 1."""


# -- argument types ------------------------------------------------------------------


def iso_date(text: str) -> dt.date:
    """An argparse type: a calendar date written ``YYYY-MM-DD``."""
    if not DATE_PATTERN.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{json_string(text)} is not a date YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{json_string(text)} is not a calendar date") from None


def whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse type: an integer of at least *minimum*."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{json_string(text)} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{json_string(text)} is not at least {minimum}")
        return value

    return parse


# -- input ---------------------------------------------------------------------------


def input_name(path: str) -> str:
    """How messages name the input *path*: ``standard input`` for ``-``."""
    return "standard input" if path == "-" else path


@contextlib.contextmanager
def open_input(path: str) -> Iterator[BinaryIO]:
    """The file at *path* opened for reading bytes (``-`` is standard input);
    a file that cannot be opened is an :class:`InputError` naming it."""
    if path == "-":
        yield sys.stdin.buffer
        return
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from None
    with f:
        yield f


def read_input(path: str) -> bytes:
    """All the bytes of *path* (``-`` is standard input)."""
    with open_input(path) as f:
        try:
            return f.read()
        except OSError as e:
            raise InputError(f"{path}: cannot read ({e.strerror})") from None


def load_document(path: str, cls: type[T]) -> T:
    """The JSON document at *path* (``-`` is standard input) read as *cls*;
    a document that is not valid is an :class:`InputError` naming the file."""
    try:
        return from_json(read_input(path), cls)
    except ValidationError as e:
        raise InputError(f"{input_name(path)}: {e}") from None


# -- output --------------------------------------------------------------------------


#: Errors of the path given (bad input, exit code 2); any other OSError of an
#: output is the environment's (exit code 1).
_PATH_ERRNOS = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG, errno.ELOOP})


def output_error(path: str, e: OSError) -> Exception:
    """The error to raise when *path* cannot be written: an :class:`InputError`
    when the path itself is wrong (no such directory, a directory), else an
    :class:`OutputError` (a full disk, no permission)."""
    message = f"{path}: cannot write ({e.strerror or type(e).__name__})"
    return InputError(message) if e.errno in _PATH_ERRNOS else OutputError(message)


def distinct_outputs(paths: Mapping[str, str | None]) -> None:
    """Refuse two outputs that are one file: the same path, the same path
    spelt two ways (``sub/../X``, a symbolic link) or two hard links.  *paths*
    maps each option as the user spells it (``-o``, ``--errors``) to its
    path; ``None`` and ``-`` (standard output, refused separately) are
    skipped."""
    seen: dict[str, str] = {}
    for flag, path in paths.items():
        if path is None or path == "-":
            continue
        key = os.path.realpath(path)
        with contextlib.suppress(OSError):
            st = os.stat(path)
            key = f"{st.st_dev}:{st.st_ino}"
        if key in seen:
            raise InputError(f"{seen[key]} and {flag} name the same file ({path}): give each its own file")
        seen[key] = flag


def _new_file_mode() -> int:
    umask = os.umask(0o022)  # there is no way to read the umask without setting it
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_output(path: str, stdout: TextIO) -> Iterator[TextIO]:
    """*stdout* for ``-``; else a temporary file in *path*'s directory, renamed
    to *path* on success and removed on any exception, so that an interrupted
    command never leaves a truncated file that looks complete.

    A *path* that exists and is not a regular file (``/dev/null``, a named
    pipe, ``/dev/stdout``) is written in place.  A new file gets the mode the
    umask allows (``0644`` under the usual ``022``, ``0600`` under ``077``);
    a file replaced keeps its mode; a symbolic link is followed, not replaced.
    A file that cannot be written is :func:`output_error`.
    """
    if path == "-":
        yield stdout
        return
    try:
        st: os.stat_result | None = os.stat(path)
    except OSError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        try:
            f = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed below
        except OSError as e:
            raise output_error(path, e) from None
        try:
            with f:
                yield f
        except OSError as e:
            raise output_error(path, e) from None
        return
    target = Path(os.path.realpath(path))
    mode = _new_file_mode() if st is None else stat.S_IMODE(st.st_mode)
    tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
    # SIGINT and SIGTERM are held back while the file is created, and
    # delivered inside the try below: an interrupt that lands just after the
    # file appears still removes it.
    held = interrupts.hold()
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as e:
        interrupts.release(held)
        raise output_error(path, e) from None
    try:
        interrupts.release(held)
        with open(fd, "w", encoding="utf-8", newline="\n") as f:
            yield f
            f.flush()
            os.fchmod(fd, mode)
        os.replace(tmp, target)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise output_error(path, e) from None
        raise


def write_output(path: str, text: str, stdout: TextIO) -> None:
    """Write *text* to *path* through :func:`atomic_output` (``-`` is *stdout*)."""
    with atomic_output(path, stdout) as f:
        f.write(text)


def table_width(given: int | None, out: TextIO) -> int | None:
    """The width to wrap tables to: *given* (``--width``; 0: never wrap), else the
    terminal's (``COLUMNS`` when set) when *out* is a terminal, else none (a file or a
    pipe gets whole lines)."""
    if given is not None:
        return given if given > 0 else None
    try:
        terminal = out.isatty()
    except (AttributeError, ValueError, OSError):
        terminal = False
    return shutil.get_terminal_size().columns if terminal else None


def print_table(rows: Sequence[Sequence[str]], out: TextIO, *, indent: str = "", width: int | None = None) -> None:
    """Write *rows* to *out* as left-aligned columns two spaces apart, each line
    after *indent* and without trailing spaces; with *width*, the widest columns
    wrap so that every line fits (:func:`kol_trust.tables.text_table`, words cut
    when they must be)."""
    for line in text_table(rows, indent, width, break_words=True):
        out.write(line + "\n")


def write_text(out: TextIO, text: str, width: int | None = None) -> None:
    """Write the lines of *text* to *out*, each wrapped at spaces to *width* columns when given
    (a line's leading spaces are kept on each of its lines)."""
    for line in text.split("\n"):
        if width is None or display_width(line) <= width:
            out.write(line + "\n")
            continue
        body = line.lstrip(" ")
        indent = line[: len(line) - len(body)]
        for part in wrap(body, max(width - len(indent), 1)):
            out.write(indent + part + "\n")


def add_width(parser: argparse.ArgumentParser) -> None:
    """Add ``--width COLUMNS`` (read by :func:`table_width`) to *parser*."""
    parser.add_argument(
        "--width",
        type=whole_number(0),
        metavar="COLUMNS",
        help="wrap tables to this many columns (default: the terminal's; 0: never wrap)",
    )


def add_lang(parser: argparse.ArgumentParser, what: str, default: str = "en") -> None:
    """Add ``--lang vi|en``, the language of *what* (every word from :mod:`kol_trust.words`), to *parser*."""
    parser.add_argument("--lang", choices=LANGS, default=default, help=f"language of {what} (default: {default})")


# -- rubrics -------------------------------------------------------------------------


def resolve_rubric(spec: str) -> Rubric:
    """A rubric named on the command line: a built-in version, or a file
    (JSON, or TOML when it ends in ``.toml``)."""
    if VERSION_PATTERN.fullmatch(spec) and not Path(spec).is_file():
        return load_rubric(spec)
    if rubric_format(spec) == "toml":
        try:
            return parse_rubric_text(read_input(spec), format="toml")
        except ValidationError as e:
            raise InputError(f"{spec}: {e}") from None
    return load_document(spec, Rubric)


def case_rubric(spec: str | None, case: Case, path: str = "-", err: TextIO | None = None) -> Rubric:
    """The rubric to assess *case* (read from *path*) under: ``--rubric``
    *spec* when given (:func:`resolve_rubric`); else the case's own rubric
    (STANDARD §1.3).  A case rubric that is not built in is an
    :class:`InputError` naming the file and ``$.rubric`` (or ``$.as_of`` when
    no rubric is in force that day).  When *spec* overrides a rubric the case
    names, a note on *err* (standard error) says so."""
    if spec is None:
        try:
            return rubric_for(case)
        except RubricNotFoundError as e:
            where = "$.rubric" if case.rubric is not None else "$.as_of"
            raise InputError(f"{input_name(path)}: {where}: {e}") from None
    rubric = resolve_rubric(spec)
    if case.rubric is not None and case.rubric != rubric.version:
        (err or sys.stderr).write(
            f"kol-trust: note: {input_name(path)}: $.rubric names version {case.rubric}; "
            f"assessed under --rubric {spec} ({rubric.id} {rubric.version}) instead\n"
        )
    return rubric


def assess_document(path: str, case: Case, rubric: Rubric) -> Assessment:
    """*case*, read from *path*, assessed under *rubric*; two evidence records
    with one id and different content are an :class:`InputError` naming the
    file and the JSON path of each."""
    try:
        return assess(case.subject, case.evidence, rubric=rubric, as_of=case.as_of)
    except EvidenceConflictError as e:
        paths = [f"$.evidence[{i}]" for i, record in enumerate(case.evidence) if record.id == e.evidence_id]
        problems = [Problem(f"{p}.id", f"{e} (the records with this id: {', '.join(paths)})") for p in paths[1:2]]
        raise InputError(f"{input_name(path)}: {ValidationError('Case document', problems)}") from None
