"""Sphinx configuration of the kol-trust documentation.

Build with ``python -m sphinx -W --keep-going -b html docs docs/_build/html``
(needs the ``docs`` extra: ``pip install -e '.[docs]'``).  The build works
offline: no intersphinx.
"""

from __future__ import annotations

import sys
from pathlib import Path

import kol_trust

# Local extensions: rubric_pages writes docs/rubrics/ from the built-in rubrics;
# cli_reference renders the command-line reference from the argparse parser.
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))

project = "kol-trust"
author = "kol_trust developers"
copyright = "kol_trust developers"
version = kol_trust.__version__
release = kol_trust.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "rubric_pages",
    "cli_reference",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
language = "en"
# Every cross-reference must resolve (the build runs with -n -W).  The build is
# offline, so the standard library's and third parties' classes, which
# intersphinx would link, are listed here instead.
nitpicky = True
nitpick_ignore = [
    ("py:class", name)
    for name in (
        "datetime.date",
        "dt.date",
        "datetime.datetime",
        "dt.datetime",
        "collections.abc.Collection",
        "pathlib.Path",
        "collections.abc.Iterable",
        "collections.abc.Iterator",
        "collections.abc.Generator",
        "collections.abc.Sequence",
        "collections.abc.Mapping",
        "Ed25519PrivateKey",  # cryptography's key classes (the optional ``sign`` extra)
        "Ed25519PublicKey",
        "cryptography.hazmat.primitives.asymmetric.ed25519.Ed25519PrivateKey",
        "cryptography.hazmat.primitives.asymmetric.ed25519.Ed25519PublicKey",
        "hypothesis.strategies.SearchStrategy",
        "collections.abc.Callable",
        "collections.abc.Generator",
        "kol_trust.rubric.T",  # type variables
        "kol_trust.wire.convert.T",
        "kol_trust.wire.text.T",
        "kol_trust.engine.compiled.CompiledRubric",  # the engine's internal, cached form of a rubric
    )
]

# MyST: ``:::`` fences, definition lists, and anchors on headings for links.
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# autodoc: members in source order, signatures with types, no duplicated
# type information in the descriptions.
autodoc_member_order = "bysource"
autodoc_typehints = "signature"

html_theme = "furo"
html_title = f"kol-trust {release}"
html_static_path: list[str] = []
