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

A sentence that a library object carries for a person (a lint finding, a
change of a rubric diff) is a :class:`Phrase`: its key and the values of its
fields, which may be codes, numbers (:class:`Num`, written for each
language), other phrases or lists of them (:class:`Items`).  ``text(lang)``
writes it in either language.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import string
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from .checks import describe
from .numbers import localized

__all__ = [
    "LANGS",
    "Items",
    "Num",
    "Phrase",
    "Piece",
    "catalogue",
    "category",
    "check_lang",
    "fields",
    "plural",
    "render",
    "word",
]

#: The languages of everything a person reads.
LANGS = ("vi", "en")


def check_lang(lang: str) -> None:
    """Raise ``ValueError`` unless *lang* is ``"vi"`` or ``"en"``."""
    if lang not in LANGS:
        raise ValueError(f'lang must be "vi" or "en", got {describe(lang)}')


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


def plural(key: str, n: int, lang: str, /, **values: object) -> str:
    """The text of *key* for a count *n*: the catalogue's ``key_one`` when *n* is 1, else
    *key*'s; ``{n}`` and the other fields filled in (see :func:`word`)."""
    return word(f"{key}_one" if n == 1 else key, lang, n=n, **values)


def category(slug: str, lang: str) -> str:
    """A content category's name in *lang* (``"health"`` → ``"Sức khỏe"``); a
    category the catalogue does not know is shown as it is written."""
    check_lang(lang)
    entry = catalogue().get(f"category.{slug}")
    return slug if entry is None else entry[lang]


@attrs.frozen
class Num:
    """A number in a phrase, written with *spec* (``".1f"``, ``"g"``) the way *lang* writes numbers."""

    value: float
    spec: str = ".1f"

    def text(self, lang: str) -> str:
        """``65.0`` in English, ``65,0`` in Vietnamese."""
        return localized(format(self.value, self.spec), lang)


@attrs.frozen
class Items:
    """Pieces of a phrase written one after the other, *sep* between them (``"; "``, ``", "``)."""

    items: tuple[Piece, ...]
    sep: str = "; "

    def text(self, lang: str) -> str:
        """Each piece in *lang*, joined."""
        return self.sep.join(render(item, lang) for item in self.items)


@attrs.frozen
class Phrase:
    """A sentence of the catalogue, not yet in a language: its *key* and the values of its fields.

    A value is a code written as it is in every language (an id, already
    quoted as JSON writes it), a :class:`Num`, an :class:`Items` or another
    phrase.
    """

    key: str
    values: tuple[tuple[str, Piece], ...] = ()

    @classmethod
    def of(cls, key: str, /, **values: Piece) -> Phrase:
        """The phrase *key* with its fields' *values*."""
        return cls(key, tuple(values.items()))

    def text(self, lang: str) -> str:
        """The sentence in *lang* (``"vi"`` or ``"en"``)."""
        return word(self.key, lang, **{name: render(value, lang) for name, value in self.values})


#: What a field of a :class:`Phrase` holds.
Piece = str | Num | Items | Phrase


def render(piece: Piece, lang: str) -> str:
    """A piece of a phrase in *lang*: a code as it is, anything else by its ``text(lang)``."""
    return piece if isinstance(piece, str) else piece.text(lang)
