"""Digests of every output that speed work must keep byte-identical.

Run it before and after a change and compare (``diff``): assessments, plans,
reports, badges, the rubric's digest and Markdown, the schemas, for a
synthetic corpus and the bundled examples.  Not a benchmark and not a test:
the test suite's golden digests (tests/test_synth.py, tests/test_report.py)
and vectors guard the same bytes; this covers more cases in one look::

    python benchmarks/golden_snapshot.py > before.json
    # ... change ...
    python benchmarks/golden_snapshot.py | diff before.json -
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources

import kol_trust as kt
from kol_trust import canonical
from kol_trust.authoring import rubric_markdown
from kol_trust.improvement import improvement_plan
from kol_trust.report import render_badge, render_report
from kol_trust.synth import synthetic_cases
from kol_trust.wire import canonical_bytes, from_json, to_json


def _h(data: str | bytes) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def snapshot(n_cases: int = 1500, seed: int = 11) -> dict[str, str]:
    out: dict[str, str] = {}
    acc = [hashlib.sha256() for _ in range(4)]
    for c in synthetic_cases(n_cases, seed=seed):
        text = to_json(c)
        acc[0].update(text.encode())
        c2 = from_json(text, type(c))
        a = kt.assess_case(c2)
        acc[1].update(to_json(a).encode())
        acc[1].update(canonical_bytes(a))
        acc[2].update(to_json(improvement_plan(a, case=c2)).encode())
        acc[2].update(to_json(improvement_plan(a)).encode())
        acc[3].update(repr(a).encode())
    for key, h in zip(("synth_cases", "assessments", "plans", "reprs"), acc, strict=True):
        out[key] = h.hexdigest()
    package = resources.files("kol_trust")
    for f in sorted(package.joinpath("examples").iterdir(), key=lambda p: p.name):
        c = from_json(f.read_text(encoding="utf-8"), kt.Case)
        a = kt.assess_case(c)
        r = kt.load_rubric(a.rubric.version)
        for lang in ("vi", "en"):
            out[f"report {f.name} {lang}"] = _h(render_report(c, a, r, lang=lang))
            out[f"badge {f.name} {lang}"] = _h(render_badge(a, r, lang=lang))
    r = kt.load_rubric("1.0.0")
    out["rubric_digest"] = canonical.rubric_digest(r)
    out["rubric_json"] = _h(to_json(r))
    out["md"] = _h(rubric_markdown(r))
    for f in sorted(package.joinpath("schemas").iterdir(), key=lambda p: p.name):
        out[f"schema {f.name}"] = _h(f.read_bytes())
    return out


if __name__ == "__main__":
    print(json.dumps(snapshot(), indent=1, sort_keys=True))
