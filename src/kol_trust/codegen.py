"""Functions written out field by field, as attrs and cattrs write theirs.

A loop over a class's fields costs about twice what the same steps written
out do, and the library's hottest paths (reading a case, writing an
assessment, hashing the inputs) run once per field of every record.  So, like
attrs' ``__init__``, they are generated once per class.  This is the one
place that turns source text into code.
"""

from __future__ import annotations

from typing import Any

__all__ = ["generated"]


def generated(name: str, owner: type | str, lines: list[str], namespace: dict[str, Any]) -> Any:
    """The function *name* defined by *lines*, for the library's class (or check) *owner*.

    The source is built from the library's own classes and checks only: their
    field names (Python identifiers), the expressions of
    :mod:`kol_trust.checks`, and the helpers in *namespace*.  Nothing from a
    document is ever part of it, so no input can become code.
    """
    label = owner if isinstance(owner, str) else owner.__qualname__
    exec(compile("\n".join(lines), f"<kol_trust {name} {label}>", "exec"), namespace)
    return namespace[name]
