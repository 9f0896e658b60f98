"""The wire format: JSON documents in, JSON documents out (STANDARD §1).

* :mod:`~kol_trust.wire.convert`: the one cattrs converter, strict, and
  :func:`from_dict` / :func:`to_dict`;
* :mod:`~kol_trust.wire.fast`: the fast path for documents that pass every check;
* :mod:`~kol_trust.wire.paths`: cattrs' errors as problems with JSON paths;
* :mod:`~kol_trust.wire.text`: JSON text (and rubric TOML) in and out.

Canonical bytes and digests are the canonical layer's
(:mod:`kol_trust.canonical`); they are re-exported here for convenience.
"""

from __future__ import annotations

from ..canonical import canonical_bytes, rubric_digest, sha256_digest
from .convert import converter, from_dict, to_dict
from .text import from_json, parse_json, parse_rubric_text, rubric_format, to_json

__all__ = [
    "canonical_bytes",
    "converter",
    "from_dict",
    "from_json",
    "parse_json",
    "parse_rubric_text",
    "rubric_digest",
    "rubric_format",
    "sha256_digest",
    "to_dict",
    "to_json",
]
