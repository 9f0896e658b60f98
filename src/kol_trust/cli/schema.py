"""``kol-trust schema NAME``: print the JSON Schema of one document.

The schemas (JSON Schema draft 2020-12) are generated from the model by
:mod:`kol_trust.schema` and shipped in ``kol_trust/schemas/``; this command
prints the shipped file as it is.
"""

from __future__ import annotations

import argparse
import importlib.resources
from typing import Any, TextIO

from ..checks import json_string
from ..schema import SCHEMA_NAMES
from .common import InputError

__all__ = ["add_parsers"]


def _cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    if args.name not in SCHEMA_NAMES:
        raise InputError(
            f"unknown schema {json_string(args.name)}; expected one of {', '.join(map(json_string, SCHEMA_NAMES))}"
        )
    resource = importlib.resources.files("kol_trust") / "schemas" / f"{args.name}.json"
    out.write(resource.read_text(encoding="utf-8"))
    return 0


def add_parsers(commands: Any) -> None:
    """Add the ``schema`` command to the top-level sub-commands."""
    p = commands.add_parser(
        "schema",
        help="print the JSON Schema of a document",
        description="Print the JSON Schema (draft 2020-12) of one document of the wire format: "
        f"{', '.join(SCHEMA_NAMES)}. The schemas check each field; the rules that relate fields "
        "to each other (STANDARD §1.4) are checked by the library only.",
    )
    p.add_argument("name", metavar="NAME", help=f"one of {', '.join(SCHEMA_NAMES)}")
    p.set_defaults(run=_cmd_schema)
