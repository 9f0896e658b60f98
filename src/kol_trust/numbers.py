"""Numbers as readers of each language write them.

Vietnamese writes a decimal comma and groups thousands with dots
(``1.300.000``, ``91,4``); English the other way round.  The improvement
plan's texts and the report card share this one rule.
"""

from __future__ import annotations

__all__ = ["localized", "shown"]

_VIETNAMESE = str.maketrans(".,", ",.")


def localized(number_text: str, lang: str) -> str:
    """*number_text*, formatted the English way (``1,300,000.5``), written for *lang*."""
    return number_text.translate(_VIETNAMESE) if lang == "vi" else number_text


def shown(value: float | None, spec: str, lang: str) -> str:
    """*value* formatted with *spec* (``".1f"``, ``"+.1f"``) and written for *lang*; ``—`` for ``None``."""
    return "—" if value is None else localized(format(value, spec), lang)
