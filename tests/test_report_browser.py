"""The report card and the badge in a real browser: headless Chromium through Playwright.

The browser is the system's Chromium (never a downloaded one): the path in
``KOL_TRUST_CHROMIUM``, else ``chromium`` or ``chromium-browser`` on the
``PATH``.  Without one the tests are skipped, unless ``KOL_TRUST_REQUIRE_BROWSER``
is set (CI sets it): then they fail, saying what is missing.
"""

from __future__ import annotations

import html
import os
import shutil
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kol_trust as kt
from kol_trust.cli.assess import example_cases
from kol_trust.report import render_badge, render_report
from kol_trust.report.badge import tier_colour

EXAMPLES = example_cases()
LANGS = ("vi", "en")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _unavailable(why: str) -> None:
    """Fail when CI requires the browser, else skip, saying *why*."""
    if os.environ.get("KOL_TRUST_REQUIRE_BROWSER"):
        pytest.fail(f"KOL_TRUST_REQUIRE_BROWSER is set but {why}", pytrace=False)
    pytest.skip(f"{why} (set KOL_TRUST_REQUIRE_BROWSER=1 to make this an error)")


def find_chromium() -> str | None:
    """The Chromium to use: ``KOL_TRUST_CHROMIUM``, else one on the PATH."""
    given = os.environ.get("KOL_TRUST_CHROMIUM")
    if given:
        return given
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    path = find_chromium()
    if path is None:
        _unavailable("no Chromium found (KOL_TRUST_CHROMIUM, chromium, chromium-browser)")
    assert path is not None
    if not os.access(path, os.X_OK):
        pytest.fail(f"the Chromium at {path} is not an executable file", pytrace=False)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=ARGS)
        try:
            yield b
        finally:
            b.close()


class Watched:
    """A fresh page that records console errors and warnings, page errors,
    requests, the requests that failed (with why) and responses."""

    def __init__(self, browser: Any, **context: Any) -> None:
        self.context = browser.new_context(**context)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.failed: list[tuple[str, str]] = []
        self.responses: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", self._failed)
        self.page.on("response", lambda r: self.responses.append(r.url))

    def _failed(self, request: Any) -> None:
        self.failed.append((request.url, str(request.failure)))
        self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def open(self, path: Path) -> None:
        self.page.goto(path.as_uri(), wait_until="load")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    w = Watched(browser, viewport={"width": 1000, "height": 800})
    try:
        yield w
    finally:
        w.close()


def assess(case: kt.Case) -> tuple[kt.Assessment, kt.Rubric]:
    rubric = kt.rubric_for(case)
    return kt.assess_case(case, rubric=rubric), rubric


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGBA pixels of a PNG as Chromium writes them
    (8-bit RGB or RGBA, not interlaced)."""
    assert data.startswith(PNG_SIGNATURE)
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    n = 4 if colour == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * n
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - n] if i >= n else 0
            b = previous[i]
            c = previous[i - n] if i >= n else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        previous = line
        rows.append(bytes(line) if n == 4 else b"".join(bytes(line[k : k + 3]) + b"\xff" for k in range(0, stride, 3)))
    return width, height, rows


def pixel(rows: list[bytes], x: int, y: int) -> tuple[int, int, int]:
    r, g, b, _ = rows[y][4 * x : 4 * x + 4]
    return r, g, b


# -- the report card -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("name", "case"), EXAMPLES, ids=[n for n, _ in EXAMPLES])
def test_report_renders_cleanly(watched: Watched, tmp_path: Path, name: str, case: kt.Case, lang: str) -> None:
    a, rubric = assess(case)
    path = tmp_path / f"{name}.{lang}.html"
    path.write_text(render_report(case, a, rubric, lang=lang), encoding="utf-8")

    watched.open(path)
    page = watched.page

    assert watched.problems == []
    assert watched.requests == [path.as_uri()], "the page must load nothing but itself"
    assert watched.responses == [path.as_uri()]
    text = page.inner_text("body")
    assert case.subject.name in text
    assert rubric.tier(a.tier).title(lang) in text
    assert ("Tín nhiệm" if lang == "vi" else "KOL Trust") in text
    assert a.fingerprint in text
    assert page.evaluate("document.documentElement.lang") == lang
    # The badge (a data: image) decoded and has its size.
    size = page.evaluate("(() => { const i = document.querySelector('img'); return [i.complete, i.naturalWidth]; })()")
    assert size[0] is True and size[1] > 50
    # No horizontal scrolling on the page.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot = page.screenshot(full_page=True)
    assert shot.startswith(PNG_SIGNATURE) and len(shot) > 10_000
    (tmp_path / f"{name}.{lang}.png").write_bytes(shot)
    assert watched.problems == []


def test_report_fits_a_phone(browser: Any, tmp_path: Path) -> None:
    case = EXAMPLES[1][1]
    a, rubric = assess(case)
    path = tmp_path / "phone.html"
    path.write_text(render_report(case, a, rubric, lang="vi"), encoding="utf-8")
    w = Watched(browser, viewport={"width": 390, "height": 844}, device_scale_factor=2)
    try:
        w.open(path)
        overflow = w.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{overflow}px wider than a phone screen"
        w.page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
        assert w.problems == []
    finally:
        w.close()


#: Every element that sticks out of the viewport, and every text drawn smaller than 11 px
#: (SVG text is scaled with its drawing: its size on screen is its font size times the scale).
PHONE_CHECK = """() => {
  const vw = window.innerWidth, out = {wide: [], small: []};
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    if (style.display === 'none' || el.closest('.sr-only') || (r.width === 0 && r.height === 0)) continue;
    if (r.right > vw + 0.5 || r.left < -0.5) out.wide.push(`${el.tagName}.${el.className} ${r.left}..${r.right}`);
    const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!text) continue;
    const scale = el instanceof SVGElement ? el.getScreenCTM().a : 1;
    const size = parseFloat(style.fontSize) * scale;
    if (size < 11) out.small.push(`${el.tagName} ${size.toFixed(1)}px ${el.textContent.slice(0, 30)}`);
  }
  return out;
}"""


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("name", "case"), EXAMPLES, ids=[n for n, _ in EXAMPLES])
def test_report_is_readable_on_a_390px_phone(browser: Any, tmp_path: Path, name: str, case: kt.Case, lang: str) -> None:
    """At 390 px: no element wider than the screen, no text under 11 px (the chart's
    labels included), even with a very long channel handle."""
    a, rubric = assess(case)
    page_text = render_report(case, a, rubric, lang=lang)
    if case.subject.channels:
        page_text = page_text.replace(html.escape(case.subject.channels[0].handle), "@" + "a_very_long_handle" * 4)
    path = tmp_path / f"{name}.{lang}.html"
    path.write_text(page_text, encoding="utf-8")
    w = Watched(browser, viewport={"width": 390, "height": 844})
    try:
        w.open(path)
        found = w.page.evaluate(PHONE_CHECK)
        assert found == {"wide": [], "small": []}
        assert w.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot = w.page.screenshot(full_page=True)
        (tmp_path / f"{name}.{lang}.390.png").write_bytes(shot)
        assert shot.startswith(PNG_SIGNATURE) and struct.unpack(">I", shot[16:20])[0] == 390  # IHDR width
        assert w.problems == []
    finally:
        w.close()


def test_report_prints(watched: Watched, tmp_path: Path) -> None:
    case = EXAMPLES[0][1]
    a, rubric = assess(case)
    path = tmp_path / "print.html"
    path.write_text(render_report(case, a, rubric, lang="en"), encoding="utf-8")
    watched.open(path)
    pdf = watched.page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF-")
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert 1 <= pages <= 6, pages
    assert watched.problems == []


def test_content_security_policy_is_enforced(watched: Watched, tmp_path: Path) -> None:
    """Were a script or a remote image to get in, the page's own policy stops them."""
    case = EXAMPLES[0][1]
    a, rubric = assess(case)
    text = render_report(case, a, rubric, lang="en")
    injected = '<script>document.title = "pwned"</script><img src="http://127.0.0.1:9/x.png" alt="">'
    path = tmp_path / "injected.html"
    path.write_text(text.replace("</main>", injected + "</main>"), encoding="utf-8")
    watched.open(path)
    assert watched.page.title() != "pwned"
    # Chromium announces the image request, then blocks it: it never leaves the browser.
    assert watched.failed == [("http://127.0.0.1:9/x.png", "csp")]
    assert watched.responses == [path.as_uri()]
    csp = [p for p in watched.problems if "Content Security Policy" in p]
    assert any("script" in p for p in csp) and any("x.png" in p for p in csp), watched.problems


# -- Vietnamese text -------------------------------------------------------------------------


def glyph_shot(browser: Any, font: str, text: str) -> bytes:
    """A screenshot of *text* in *font* at 96 px, in a box of fixed size."""
    w = Watched(browser, viewport={"width": 400, "height": 300})
    try:
        w.page.set_content(
            '<!DOCTYPE html><html lang="vi"><meta charset="utf-8">'
            f"<style>body{{margin:0;background:#fff}}#g{{width:240px;height:200px;overflow:hidden;"
            f"font:96px/200px {font};color:#000;padding-left:40px}}</style>"
            f'<div id="g">{html.escape(text)}</div></html>'
        )
        assert w.page.evaluate("getComputedStyle(document.getElementById('g')).fontSize") == "96px"
        shot: bytes = w.page.locator("#g").screenshot()
        assert w.problems == []
        return shot
    finally:
        w.close()


def test_vietnamese_text_is_shown_as_written(watched: Watched, tmp_path: Path) -> None:
    case = EXAMPLES[0][1]
    a, rubric = assess(case)
    path = tmp_path / "vi.html"
    path.write_text(render_report(case, a, rubric, lang="vi"), encoding="utf-8")
    watched.open(path)
    text = watched.page.inner_text("body")
    for words in ("Tín nhiệm", "Điểm theo trụ cột", "Được chứng nhận", "Độ phủ bằng chứng", case.subject.name):
        assert words in text  # composed (NFC) text, as written
    assert "Tín nhiệm" in watched.page.title()


def test_vietnamese_diacritics_have_glyphs(watched: Watched, browser: Any, tmp_path: Path) -> None:
    """The report's fonts draw ệ, ơ, ư, đ: not as e, not as a missing-glyph box."""
    case = EXAMPLES[0][1]
    a, rubric = assess(case)
    path = tmp_path / "font.html"
    path.write_text(render_report(case, a, rubric, lang="vi"), encoding="utf-8")
    watched.open(path)
    font = watched.page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "sans-serif" in font
    tofu = glyph_shot(browser, font, "\U0010fffd")
    assert tofu == glyph_shot(browser, font, "\U0010fffe"), "two missing glyphs should look alike"
    for letter, plain in (("ệ", "e"), ("ơ", "o"), ("ư", "u"), ("đ", "d"), ("Ậ", "A")):
        shot = glyph_shot(browser, font, letter)
        (tmp_path / f"glyph-{ord(letter):x}.png").write_bytes(shot)
        assert shot.startswith(PNG_SIGNATURE)
        assert shot != glyph_shot(browser, font, plain), f"{letter} is drawn like {plain}"
        assert shot != tofu, f"{letter} is drawn as a missing glyph"
        assert glyph_shot(browser, font, letter) == shot  # rendering is stable, so the differences mean something


# -- the badge -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("name", "case"), EXAMPLES, ids=[n for n, _ in EXAMPLES])
def test_badge_renders(watched: Watched, tmp_path: Path, name: str, case: kt.Case, lang: str) -> None:
    a, rubric = assess(case)
    path = tmp_path / f"{name}.{lang}.svg"
    path.write_text(render_badge(a, rubric, lang=lang), encoding="utf-8")
    watched.open(path)
    assert watched.requests == [path.as_uri()]
    box = watched.page.evaluate(
        "(() => { const r = document.documentElement.getBBox(); return [r.width, r.height]; })()"
    )
    width = int(watched.page.evaluate("document.documentElement.getAttribute('width')"))
    assert box == [width, 20]
    # Not full_page: Chromium never finishes a full-page screenshot of an SVG document.
    shot = watched.page.screenshot(clip={"x": 0, "y": 0, "width": width, "height": 20})
    assert shot.startswith(PNG_SIGNATURE)
    (tmp_path / f"{name}.{lang}.png").write_bytes(shot)
    w, h, rows = png_pixels(shot)
    assert (w, h) == (width, 20)
    # The value half shows the tier's colour (the gloss changes it by a few levels at most).
    colour = tier_colour(a, rubric)
    want = tuple(int(colour[k : k + 2], 16) for k in (1, 3, 5))
    got = pixel(rows, width - 3, 10)
    assert all(abs(g - c) <= 12 for g, c in zip(got, want, strict=True)), (got, want)
    # There is text: some pixels are near white.
    assert any(min(pixel(rows, x, 10)) > 200 for x in range(width))
    assert watched.problems == []


# -- finding the browser ---------------------------------------------------------------------


def test_chromium_from_the_environment_comes_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOL_TRUST_CHROMIUM", "/opt/some/chromium")
    assert find_chromium() == "/opt/some/chromium"
    monkeypatch.delenv("KOL_TRUST_CHROMIUM")
    monkeypatch.setenv("PATH", "")
    assert find_chromium() is None


def test_missing_browser_fails_when_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOL_TRUST_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="KOL_TRUST_REQUIRE_BROWSER is set but no Chromium"):
        _unavailable("no Chromium found")
    monkeypatch.delenv("KOL_TRUST_REQUIRE_BROWSER")
    with pytest.raises(pytest.skip.Exception, match="no Chromium found"):
        _unavailable("no Chromium found")
