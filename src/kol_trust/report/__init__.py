"""Human-readable outputs of an assessment: the HTML report card and the SVG badge.

* :func:`render_report` -- a self-contained HTML5 page (Vietnamese or English)
  with the score, tier, pillar chart, gates, reasons, criteria, excluded
  evidence, the improvement plan and the provenance (rubric digest,
  fingerprint);
* :func:`render_badge` -- a small SVG badge, ``KOL Trust | 91.4 · High trust``.

Both are pure functions of their inputs: the same inputs give the same text.
"""

from __future__ import annotations

from .badge import render_badge
from .html import CSP, render_report

__all__ = ["CSP", "render_badge", "render_report"]
