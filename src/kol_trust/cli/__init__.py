"""The ``kol-trust`` command: a thin shell over the library.

This package only assembles the parser (:func:`build_parser`) and runs it
(:func:`main`).  Each command group lives in its own module, which adds its
sub-parsers with ``add_parsers(commands)``: :mod:`~kol_trust.cli.assess`
(``assess``, ``demo``), :mod:`~kol_trust.cli.batch`,
:mod:`~kol_trust.cli.data` (``synth``, ``pack``), :mod:`~kol_trust.cli.schema`,
:mod:`~kol_trust.cli.report`, :mod:`~kol_trust.cli.certification` (``keygen``,
``certify``, ``verify``, ``revoke``) and :mod:`~kol_trust.cli.rubric` (the
``rubric`` group).  What they share is in :mod:`kol_trust.cli.common`.

Exit codes: 0 success; 2 bad input (a message on stderr, no traceback);
1 the environment failed (a full disk, no permission, a worker process that
died: one sentence) or an internal error; 130 and 143 interrupted by SIGINT
(Ctrl-C) or SIGTERM.  ``batch`` and ``pack`` add 3: some lines were rejected
(or, for ``pack``, some evidence named no known subject).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Iterator, Sequence
from types import FrameType

from ..errors import KolTrustError, WorkerError
from ..version import __version__
from . import assess, batch, certification, data, report, rubric, schema
from .common import InputError, OutputError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The parser of the ``kol-trust`` command with every sub-command; each
    parsed namespace has ``run(args, out) -> exit code``."""
    parser = argparse.ArgumentParser(
        prog="kol-trust",
        description="Score influencers (KOLs and KOCs) by the KOL Trust Standard, algorithm 1.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # In this order in --help and in the CLI reference.
    assess.add_parsers(commands)  # assess, demo
    rubric.add_parsers(commands)  # rubric validate | show | diff | lint | impact
    batch.add_parsers(commands)
    data.add_parsers(commands)  # synth, pack
    schema.add_parsers(commands)
    report.add_parsers(commands)
    certification.add_parsers(commands)  # keygen, certify, verify, revoke
    return parser


class _Terminated(BaseException):
    """SIGTERM arrived: unwind (removing temporary files) and exit 143."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


@contextlib.contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """SIGTERM raises :class:`_Terminated` while a command runs, so that its
    ``finally`` blocks run as they do for Ctrl-C (``batch`` handles both
    signals itself, to stop between lines)."""
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    out = sys.stdout
    try:
        with _sigterm_unwinds():
            code: int = args.run(args, out)
        return code
    except (InputError, KolTrustError) as e:  # the message says what is wrong and where: no class names
        sys.stderr.write(f"kol-trust: {e}\n")
        if isinstance(e, WorkerError):  # the environment, not the input
            return 1
        return 2
    except OutputError as e:
        sys.stderr.write(f"kol-trust: {e}\n")
        return 1
    except BrokenPipeError:
        return 1
    except OSError as e:
        where = f"{e.filename}: " if e.filename is not None else ""
        sys.stderr.write(f"kol-trust: {where}{e.strerror or e}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("kol-trust: interrupted\n")
        return 130
    except _Terminated:
        sys.stderr.write("kol-trust: terminated\n")
        return 143
    except Exception as e:
        sys.stderr.write(f"kol-trust: internal error: {type(e).__name__}: {e}\n")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
