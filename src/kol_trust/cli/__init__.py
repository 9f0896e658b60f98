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
1 anything else.  ``batch`` and ``pack`` add 3: some lines were rejected
(or, for ``pack``, some evidence named no known subject).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..errors import KolTrustError
from ..version import __version__
from . import assess, batch, certification, data, report, rubric, schema
from .common import InputError

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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    out = sys.stdout
    try:
        code: int = args.run(args, out)
        return code
    except (InputError, KolTrustError) as e:  # the message says what is wrong and where: no class names
        sys.stderr.write(f"kol-trust: {e}\n")
        return 2
    except BrokenPipeError:
        return 1
    except Exception as e:
        sys.stderr.write(f"kol-trust: internal error: {type(e).__name__}: {e}\n")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
