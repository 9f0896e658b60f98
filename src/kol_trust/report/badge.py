"""A small SVG badge of an assessment: ``KOL Trust | 91.4 · High trust``.

The badge is a self-contained SVG image in the style of shields.io: a grey
label on the left, the score and the tier title on the right, on a colour
that says how good the tier is.  It holds no script, no link and no font
file; its text is escaped and every character that XML 1.0 cannot carry is
replaced, so the output always parses as XML.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata

from ..assessment import Assessment
from ..cases import rubric_of
from ..model import SubjectKind
from ..numbers import localized
from ..rubric import Rubric
from ..words import check_lang, word

__all__ = ["badge_label", "badge_title", "render_badge", "tier_colour"]

#: Colours of the tiers: certified tiers in shades of green (best first), an
#: uncertified tier above the last in orange, the last tier in grey, and any
#: disqualified result in red.  All carry white text at a contrast ≥ 4.5:1.
CERTIFIED_GREENS = ("#14632f", "#1e7434", "#2a7f3f")
ORANGE = "#a85400"
GREY = "#555d66"
RED = "#b3261e"
LABEL_GREY = "#4a4f55"


# Characters XML 1.0 does not allow (and noncharacters): replaced by U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")

# Approximate advance widths (px) of Verdana at 11 px; the badge sets
# ``textLength`` as well, so a font with other widths is fitted, not clipped.
_WIDTHS: dict[str, float] = {
    " ": 3.9,
    ".": 3.9,
    ",": 3.6,
    ":": 4.5,
    ";": 4.5,
    "·": 4.4,
    "!": 4.5,
    "'": 2.9,
    '"': 5.0,
    "(": 4.9,
    ")": 4.9,
    "-": 4.9,
    "/": 4.9,
    "|": 4.9,
    "i": 3.0,
    "j": 3.8,
    "l": 3.0,
    "f": 3.9,
    "t": 4.3,
    "r": 4.7,
    "c": 5.7,
    "s": 5.7,
    "z": 5.7,
    "m": 10.6,
    "w": 8.9,
    "I": 4.6,
    "J": 5.0,
    "L": 6.2,
    "F": 6.3,
    "M": 9.3,
    "W": 10.9,
    "O": 8.7,
    "Q": 8.7,
    "D": 8.5,
    "G": 8.5,
}
_DEFAULT_LOWER = 6.7
_DEFAULT_UPPER = 7.6
_DEFAULT_DIGIT = 7.0
_DEFAULT_WIDE = 11.0
_DEFAULT_OTHER = 7.0


def clean(text: str) -> str:
    """*text* with every character XML 1.0 cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def esc(text: str) -> str:
    """*text* escaped for HTML and XML text and attribute values (quotes too)."""
    return html.escape(clean(text), quote=True)


def number(value: float, lang: str, digits: int = 1) -> str:
    """*value* with *digits* decimals, with a decimal comma in Vietnamese."""
    return localized(f"{value:.{digits}f}", lang)


def text_width(text: str) -> float:
    """The approximate width in pixels of *text* set in Verdana at 11 px."""
    total = 0.0
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            continue
        if ch in _WIDTHS:
            total += _WIDTHS[ch]
        elif ch in "đĐ":
            total += _DEFAULT_LOWER if ch == "đ" else 8.5
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            total += _DEFAULT_WIDE
        elif ch.isdigit():
            total += _DEFAULT_DIGIT
        elif ch.islower():
            total += _DEFAULT_LOWER
        elif ch.isupper():
            total += _DEFAULT_UPPER
        else:
            total += _DEFAULT_OTHER
    return total


def tier_colour(assessment: Assessment, rubric: Rubric) -> str:
    """The colour of the assessment's result (see :data:`CERTIFIED_GREENS`).

    Red when a disqualifying gate triggered; a shade of green for a certified
    tier (darkest for the best); grey for the rubric's last tier; orange for
    any other tier.
    """
    if assessment.disqualified:
        return RED
    certified = [t.id for t in rubric.tiers if t.certified]
    if assessment.certified and assessment.tier in certified:
        return CERTIFIED_GREENS[min(certified.index(assessment.tier), len(CERTIFIED_GREENS) - 1)]
    if assessment.tier == rubric.tiers[-1].id:
        return GREY
    return ORANGE


def check_rubric(assessment: Assessment, rubric: Rubric) -> None:
    """Raise :class:`~kol_trust.errors.RubricMismatchError` unless *assessment* was made under *rubric*."""
    rubric_of(assessment, rubric)


def badge_label(lang: str, kind: SubjectKind | str = SubjectKind.KOL) -> str:
    """The badge's label: ``KOL Trust`` (``Tín nhiệm KOL``), ``KOC Trust`` for a KOC."""
    return word(f"brand.{SubjectKind(kind).value}", lang)


def badge_title(assessment: Assessment, rubric: Rubric, lang: str, *, kind: SubjectKind | str = SubjectKind.KOL) -> str:
    """The badge's accessible text, such as ``KOL Trust: 91.4/100 · High trust (certified)``."""
    check_lang(lang)
    tier = rubric.tier(assessment.tier).title(lang)
    if assessment.disqualified:
        status = word("badge.disqualified", lang)
    else:
        status = word("badge.certified" if assessment.certified else "badge.not_certified", lang)
    return f"{badge_label(lang, kind)}: {number(assessment.score, lang)}/100 · {tier} ({status})"


def render_badge(
    assessment: Assessment, rubric: Rubric, *, lang: str = "vi", kind: SubjectKind | str = SubjectKind.KOL
) -> str:
    """A self-contained SVG badge of *assessment*: label, score and tier title.

    *rubric* must be the rubric of the assessment (``ValueError`` otherwise);
    *lang* is ``"vi"`` (default) or ``"en"``; *kind* is the subject's kind,
    which names the label (``KOL Trust`` or ``KOC Trust``; the assessment
    does not carry it).  The result is a complete SVG document (UTF-8 text
    without an XML declaration), the same for the same inputs, with a
    ``<title>`` and ``aria-label`` for screen readers.
    """
    check_lang(lang)
    check_rubric(assessment, rubric)
    label = badge_label(lang, kind)
    value = f"{number(assessment.score, lang)} · {rubric.tier(assessment.tier).title(lang)}"
    title = badge_title(assessment, rubric, lang, kind=kind)
    pad = 6
    label_text = math.ceil(text_width(label))
    value_text = math.ceil(text_width(clean(value)))
    left = label_text + 2 * pad
    right = value_text + 2 * pad
    width = left + right
    colour = tier_colour(assessment, rubric)
    font = "Verdana,DejaVu Sans,Geneva,sans-serif"

    def text(x: float, length: int, content: str) -> str:
        shadow = (
            f'<text x="{x:g}" y="15" fill="#010101" fill-opacity=".3" textLength="{length}" '
            f'lengthAdjust="spacingAndGlyphs" aria-hidden="true">{esc(content)}</text>'
        )
        return (
            shadow
            + f'<text x="{x:g}" y="14" textLength="{length}" lengthAdjust="spacingAndGlyphs">{esc(content)}</text>'
        )

    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" viewBox="0 0 {width} 20" '
        f'role="img" aria-label="{esc(title)}">'
        f"<title>{esc(title)}</title>"
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="{LABEL_GREY}"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        f'<rect width="{width}" height="20" fill="url(#s)"/></g>'
        f'<g fill="#fff" text-anchor="middle" font-family="{font}" font-size="11">'
        + text(left / 2, label_text, label)
        + text(left + right / 2, value_text, value)
        + "</g></svg>\n"
    )
