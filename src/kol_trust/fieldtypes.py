"""Reading the declared types of the document classes' fields.

The converter, the fast loader, the canonical writer and the JSON Schemas all
dispatch on the same few shapes of annotation: ``tuple[X, ...]``, ``X | None``
and enums.  They are recognised here, once.
"""

from __future__ import annotations

import enum
import types
import typing
from typing import Any

import attrs

__all__ = ["default_of", "enum_of", "is_homogeneous_tuple", "item_type", "non_optional", "optional_of"]


def is_homogeneous_tuple(t: Any) -> bool:
    """Whether *t* is ``tuple[X, ...]``."""
    args = typing.get_args(t)
    return typing.get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis


def item_type(t: Any) -> Any:
    """X of ``tuple[X, ...]``."""
    return typing.get_args(t)[0]


def optional_of(t: Any) -> Any | None:
    """X when *t* is ``X | None``; ``None`` otherwise."""
    args = typing.get_args(t)
    if len(args) == 2 and type(None) in args and typing.get_origin(t) in (typing.Union, types.UnionType):
        return args[0] if args[1] is type(None) else args[1]
    return None


def non_optional(t: Any) -> Any:
    """X for ``X | None``; *t* itself otherwise."""
    inner = optional_of(t)
    return t if inner is None else inner


def enum_of(t: Any) -> type[enum.Enum] | None:
    """The enum of a field typed ``E`` or ``E | None``."""
    args = typing.get_args(t) if typing.get_origin(t) in (typing.Union, types.UnionType) else (t,)
    found = [x for x in args if isinstance(x, type) and issubclass(x, enum.Enum)]
    return found[0] if len(found) == 1 else None


def default_of(a: attrs.Attribute[Any]) -> Any:
    """The default value of an attrs field (a factory's product, for a factory)."""
    factory = getattr(a.default, "factory", None)  # an attrs.Factory
    return factory() if callable(factory) else a.default
