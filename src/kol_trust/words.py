"""The catalogue of words: everything a person reads, in Vietnamese and English.

Labels, headings, categories, kinds, causes, exclusion reasons, reason
sentences and advice all come from one data file, ``kol_trust/words.json``,
which the documentation shows as it is (``docs/words.md``).  Each entry is a
key and its two texts::

    "report.score": {"vi": "Điểm", "en": "Score"}

A text may hold ``{name}`` fields, filled in by :func:`word`; both languages
of an entry have the same fields (``tests/test_words.py`` checks it, and that
no reader-facing output in Vietnamese carries an English word of the
catalogue).  Titles of pillars, criteria, gates and tiers are the rubric's,
not the catalogue's.  Numbers are written with ``kol_trust.numbers.localized``.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import string
from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["LANGS", "catalogue", "category", "check_lang", "fields", "word"]

#: The languages of everything a person reads.
LANGS = ("vi", "en")


def check_lang(lang: str) -> None:
    """Raise ``ValueError`` unless *lang* is ``"vi"`` or ``"en"``."""
    if lang not in LANGS:
        raise ValueError(f"lang must be 'vi' or 'en', got {lang!r}")


@functools.cache
def catalogue() -> Mapping[str, Mapping[str, str]]:
    """Every entry of the catalogue: key → {``"vi"``: text, ``"en"``: text} (read once)."""
    data = json.loads((importlib.resources.files("kol_trust") / "words.json").read_text(encoding="utf-8"))
    return MappingProxyType({key: MappingProxyType(dict(texts)) for key, texts in data.items()})


def fields(text: str) -> frozenset[str]:
    """The names of the ``{name}`` fields of *text*."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


def word(key: str, lang: str, /, **values: object) -> str:
    """The text of *key* in *lang*, its ``{name}`` fields filled with *values*.

    A key that is not in the catalogue is a ``KeyError`` (a bug, not bad input).
    """
    check_lang(lang)
    text = catalogue()[key][lang]
    return text.format(**values) if values else text


def category(slug: str, lang: str) -> str:
    """A content category's name in *lang* (``"health"`` → ``"Sức khỏe"``); a
    category the catalogue does not know is shown as it is written."""
    check_lang(lang)
    entry = catalogue().get(f"category.{slug}")
    return slug if entry is None else entry[lang]
