"""A small SVG badge: of an assessment, or of a verified credential.

The badge is a self-contained SVG image in the style of shields.io: a grey
label on the left, the score and the tier title on the right, on a colour
that says how good the tier is.  It holds no script, no link and no font
file; its text is escaped and every character that XML 1.0 cannot carry is
replaced, so the output always parses as XML.

Only a badge drawn from a credential that verified
(:func:`~kol_trust.credentials.verify_credential`) says *certified*; a badge
of an assessment says *assessment, not a certificate*, since anyone can
render one from a case file.  A credential's badge can carry a QR code of the
issuer's verification URL (``segno``, in the ``sign`` extra), so that whoever
sees it can scan it and check the credential with its issuer.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
import urllib.parse

from ..assessment import Assessment
from ..cases import rubric_of
from ..checks import describe
from ..credentials import CredentialCheck, CredentialStatus
from ..credentials.proof import format_datetime
from ..errors import SigningUnavailable
from ..model import SubjectKind
from ..numbers import localized
from ..rubric import Rubric
from ..words import check_lang, word

__all__ = ["badge_label", "badge_title", "qr_svg", "render_badge", "tier_colour", "verification_url"]

#: Colours of the tiers: certified tiers in shades of green (best first), an
#: uncertified tier above the last in orange, the last tier in grey, and any
#: disqualified result in red.  All carry white text at a contrast ≥ 4.5:1.
CERTIFIED_GREENS = ("#14632f", "#1e7434", "#2a7f3f")
ORANGE = "#a85400"
GREY = "#555d66"
RED = "#b3261e"
LABEL_GREY = "#4a4f55"

#: The longest verification URL put in a QR code.
MAX_URL = 512

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
    """The badge's accessible text, such as ``KOL Trust: 91.4/100 · High trust (assessment, not a certificate)``."""
    check_lang(lang)
    tier = rubric.tier(assessment.tier).title(lang)
    status = word("badge.disqualified" if assessment.disqualified else "badge.not_a_certificate", lang)
    return f"{badge_label(lang, kind)}: {number(assessment.score, lang)}/100 · {tier} ({status})"


def credential_label(check: CredentialCheck, lang: str) -> str:
    """The label of a credential's badge.

    The certificate does not say whether its subject is a KOL or a KOC, so
    the label is the catalogue's generic one (``report.brand``, ``KOL
    Trust``); a kind is never taken from anything the issuer did not sign.
    """
    check_lang(lang)
    return word("report.brand", lang)


def status_word(status: CredentialStatus, lang: str) -> str:
    """The status of a credential check in *lang* (``credential.status.<status>`` of the catalogue)."""
    return word(f"credential.status.{CredentialStatus(status).value}", lang)


def verification_url(template: str, check: CredentialCheck) -> str:
    """*template* with ``{serial}`` (and ``{issuer}``) filled in, URL-quoted.

    The template must be an ``https://`` URL of printable ASCII, such as
    ``https://nca.example/verify?serial={serial}``; ``ValueError`` otherwise.
    """
    if not isinstance(template, str) or not template.startswith("https://") or not template.isascii():
        raise ValueError(f"the verification URL template must be an https:// URL, got {describe(template)}")
    if any(ch.isspace() or not ch.isprintable() for ch in template):
        raise ValueError("the verification URL template must not contain spaces or control characters")
    serial = check.certificate.serial if check.certificate is not None else ""
    try:
        url = template.format(
            serial=urllib.parse.quote(serial, safe=""), issuer=urllib.parse.quote(check.issuer or "", safe="")
        )
    except (KeyError, IndexError, ValueError) as e:
        raise ValueError(f"the verification URL template may use {{serial}} and {{issuer}} only ({e})") from None
    if len(url) > MAX_URL:
        raise ValueError(f"the verification URL is longer than {MAX_URL} characters")
    return url


def qr_svg(text: str, *, x: float = 0, y: float = 0, module: int = 3) -> tuple[str, int]:
    """``(svg, size)``: an SVG group drawing the QR code of *text* at (*x*, *y*), and its size in px.

    The code is made by ``segno`` (error correction M, a quiet zone of 4
    modules, on white); each dark module is a *module* px square.  Raises
    :class:`~kol_trust.errors.SigningUnavailable` without ``segno``.
    """
    try:
        import segno
    except ImportError:
        raise SigningUnavailable("QR codes need the 'segno' package: pip install 'kol-trust[sign]'") from None
    code = segno.make(text, error="m", micro=False)
    rows = [list(row) for row in code.matrix_iter(scale=1, border=4)]
    size = len(rows) * module
    path = []
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                path.append(f"M{start * module} {r * module}h{(c - start) * module}v{module}h-{(c - start) * module}z")
            else:
                c += 1
    svg = (
        f'<g transform="translate({x:g} {y:g})"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(path)}"/></g>'
    )
    return svg, size


def credential_title(check: CredentialCheck, lang: str) -> str:
    """The accessible text of a credential's badge: result, serial, issuer, validity and status."""
    check_lang(lang)
    label = credential_label(check, lang)
    cert = check.certificate
    if cert is None or check.valid_from is None or check.valid_until is None:
        return f"{label}: {status_word(check.status, lang)} ({word('badge.invalid', lang)})"
    return word(
        "badge.credential",
        lang,
        label=label,
        score=number(cert.score, lang),
        tier=cert.tier_title(lang),
        verdict=word("badge.certified" if check.ok else "badge.invalid", lang),
        serial=cert.serial,
        issuer=cert.issuer,
        did=check.issuer,
        valid_from=format_datetime(check.valid_from),
        valid_until=format_datetime(check.valid_until),
        status=status_word(check.status, lang),
    )


def render_badge(
    source: Assessment | CredentialCheck,
    rubric: Rubric | None = None,
    *,
    lang: str = "vi",
    kind: SubjectKind | str | None = None,
    verify_url: str | None = None,
) -> str:
    """A self-contained SVG badge: label, score and tier title.

    *source* is an :class:`~kol_trust.Assessment` (with its *rubric*;
    ``ValueError`` when it is not the assessment's), whose badge says
    *assessment, not a certificate*; or the
    :class:`~kol_trust.credentials.CredentialCheck` of a credential
    (:func:`~kol_trust.credentials.verify_credential`), whose badge says
    *certified* only when the check is ``valid``, and otherwise the status
    and *not a valid certificate*, in red.  With *verify_url* (a template
    such as ``https://nca.example/verify?serial={serial}``; credentials only)
    a QR code of the URL is drawn under the badge.

    *kind* is the subject's kind, which names the label of an assessment's
    badge (``KOL Trust``, the default, or ``KOC Trust``; the assessment does
    not carry it).  A credential's badge has the catalogue's generic label,
    since the certificate does not name the kind: *kind* is for assessments
    only (``ValueError``).

    *lang* is ``"vi"`` (default) or ``"en"``.  The result is a complete SVG
    document (UTF-8 text without an XML declaration), the same for the same
    inputs, with a ``<title>`` and ``aria-label`` for screen readers.
    """
    check_lang(lang)
    qr: tuple[str, int] | None = None
    if isinstance(source, CredentialCheck):
        if kind is not None:
            raise ValueError("kind names an assessment's badge; a credential's badge says what its certificate says")
        cert = source.certificate
        if source.ok and cert is not None:
            value = f"{number(cert.score, lang)} · {cert.tier_title(lang)} · {word('badge.certified', lang)}"
            colour = CERTIFIED_GREENS[0]
        else:
            value = f"{status_word(source.status, lang)} · {word('badge.invalid', lang)}"
            colour = RED
        label = credential_label(source, lang)
        title = credential_title(source, lang)
        if verify_url is not None and cert is not None:
            qr = qr_svg(verification_url(verify_url, source))
    elif isinstance(source, Assessment):
        if rubric is None:
            raise TypeError("the badge of an assessment needs its rubric")
        if verify_url is not None:
            raise ValueError("a verification QR code is drawn for a credential only, not for an assessment")
        check_rubric(source, rubric)
        subject_kind = SubjectKind.KOL if kind is None else SubjectKind(kind)
        label = badge_label(lang, subject_kind)
        value = f"{number(source.score, lang)} · {rubric.tier(source.tier).title(lang)}"
        title = badge_title(source, rubric, lang, kind=subject_kind)
        colour = tier_colour(source, rubric)
    else:
        raise TypeError(f"expected an Assessment or a CredentialCheck, got {type(source).__name__}")
    return _svg(label, value, title, colour, qr)


def _svg(label: str, value: str, title: str, colour: str, qr: tuple[str, int] | None) -> str:
    pad = 6
    label_text = math.ceil(text_width(label))
    value_text = math.ceil(text_width(clean(value)))
    left = label_text + 2 * pad
    right = value_text + 2 * pad
    shield = left + right
    width = shield if qr is None else max(shield, qr[1])
    height = 20 if qr is None else 20 + 4 + qr[1]
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

    code = "" if qr is None else qr_group(qr, width)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{esc(title)}">'
        f"<title>{esc(title)}</title>"
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{shield}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="{LABEL_GREY}"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        f'<rect width="{shield}" height="20" fill="url(#s)"/></g>'
        f'<g fill="#fff" text-anchor="middle" font-family="{font}" font-size="11">'
        + text(left / 2, label_text, label)
        + text(left + right / 2, value_text, value)
        + "</g>"
        + code
        + "</svg>\n"
    )


def qr_group(qr: tuple[str, int], width: int) -> str:
    """The QR code group of :func:`qr_svg`, centred under a badge *width* px wide."""
    svg, size = qr
    return svg.replace('<g transform="translate(0 0)">', f'<g transform="translate({(width - size) // 2} 24)">', 1)
