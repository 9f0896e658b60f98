"""Sphinx extension: the command-line reference, rendered from the parser itself.

The directive ``kol-trust-cli`` walks the :mod:`argparse` parser of the
``kol-trust`` command (:func:`kol_trust.cli.build_parser`) and renders one section
per command and sub-command: its description, its usage line and every
argument and option with its metavar, choices, default and help.  Nothing is
written by hand, so the reference cannot drift from the command line.

In a MyST page::

    ```{kol-trust-cli}
    ```

:func:`commands` is the walk itself, also used by ``tests/test_docs.py``.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from docutils import nodes
from docutils.parsers.rst import Directive

from kol_trust.cli import build_parser

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__all__ = ["CliDirective", "commands", "options", "setup"]

_PROG = "kol-trust"


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, str, argparse.ArgumentParser]]:
    """``(name, one-line help, parser)`` of each sub-command of *parser*, in order."""
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, sub in action.choices.items():
                out.append((name, helps.get(name, ""), sub))
    return out


def commands(
    parser: argparse.ArgumentParser | None = None, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], str, argparse.ArgumentParser]]:
    """Every command of the ``kol-trust`` parser, depth first: ``(path, help, parser)``.

    The top-level parser comes first with the empty path; ``("rubric",
    "diff")`` is ``kol-trust rubric diff``.
    """
    if parser is None:
        parser = build_parser()
        yield (), "", parser
    for name, help_text, sub in _subcommands(parser):
        yield (*path, name), help_text, sub
        yield from commands(sub, (*path, name))


def options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """The arguments and options of *parser* worth documenting (no sub-command list)."""
    return [a for a in parser._actions if not isinstance(a, argparse._SubParsersAction)]


def _term(action: argparse.Action) -> str:
    if not action.option_strings:
        return action.metavar if isinstance(action.metavar, str) else action.dest
    if action.nargs == 0:
        return ", ".join(action.option_strings)
    metavar = action.metavar if isinstance(action.metavar, str) else None
    if metavar is None:
        metavar = "{" + ",".join(map(str, action.choices)) + "}" if action.choices else action.dest.upper()
    return ", ".join(f"{s} {metavar}" for s in action.option_strings)


def _details(action: argparse.Action) -> str:
    parts = []
    if action.help and action.help != argparse.SUPPRESS:
        parts.append(action.help % {"prog": _PROG, "default": action.default})
    if isinstance(action, argparse._HelpAction):
        return "Show the help of this command and exit."
    if isinstance(action, argparse._VersionAction):
        return "Show the version of kol-trust and exit."
    facts = []
    if action.choices and not isinstance(action.choices, dict):
        facts.append("one of " + ", ".join(map(str, action.choices)))
    if action.required and action.option_strings:
        facts.append("required")
    if not action.option_strings and action.nargs == "?":
        facts.append("optional")
    if (
        action.option_strings
        and action.default not in (None, False, argparse.SUPPRESS)
        and "default" not in (action.help or "")
    ):
        default = action.default.isoformat() if hasattr(action.default, "isoformat") else action.default
        facts.append(f"default: {default}")
    text = ". ".join(p.rstrip(".") for p in parts)
    if facts:
        text = (text + " " if text else "") + "(" + "; ".join(facts) + ")"
    return (text[:1].upper() + text[1:] + ".") if text else ""


def _paragraph(text: str) -> nodes.paragraph:
    return nodes.paragraph(text, text)


class CliDirective(Directive):
    """Render every ``kol-trust`` command as a section."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        out: list[nodes.Node] = []
        for path, help_text, parser in commands():
            name = " ".join((_PROG, *path))
            section = nodes.section(ids=[nodes.make_id(name)], names=[nodes.fully_normalize_name(name)])
            section += nodes.title("", "", nodes.literal(name, name))
            # The description says more than the one-line help; show one of them.
            text = parser.description or (help_text[:1].upper() + help_text[1:] + ".")
            if text != ".":
                section += _paragraph(text)
            # A fixed width, so that the page does not depend on the terminal.
            parser.formatter_class = functools.partial(argparse.HelpFormatter, width=90)
            usage = parser.format_usage().removeprefix("usage: ").strip()
            section += nodes.literal_block(usage, usage, language="text")
            items = nodes.definition_list()
            for action in options(parser):
                term = _term(action)
                item = nodes.definition_list_item()
                item += nodes.term("", "", nodes.literal(term, term))
                definition = nodes.definition()
                definition += _paragraph(_details(action))
                item += definition
                items += item
            subs = _subcommands(parser)
            if subs:
                sub_item = nodes.definition_list_item()
                label = "COMMAND" if not path else "SUBCOMMAND"
                sub_item += nodes.term("", "", nodes.literal(label, label))
                definition = nodes.definition()
                definition += _paragraph("one of: " + ", ".join(n for n, _, _ in subs) + " (below)")
                sub_item += definition
                items += sub_item
            section += items
            self.state.document.note_implicit_target(section, section)
            out.append(section)
        return out


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("kol-trust-cli", CliDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
