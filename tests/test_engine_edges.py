"""The engine's edges, each pinned by a named example (issue 15, item 4).

Each test here kills a mutant of the engine that survived the rest of the
suite: a gate's ``<`` written ``<=``, a tier's ``>=`` written ``>``, a record
dated after ``as_of`` accepted, and ``round1``'s first step at 4 decimals
instead of 3.  Every example sits exactly on the boundary.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

import kol_trust as kt
from conftest import SPEC
from kol_trust.engine import round1

AS_OF = dt.date(2026, 6, 30)
TINY = kt.from_json((SPEC / "rubrics" / "tiny-0.1.0.json").read_bytes(), kt.Rubric)
KOL = kt.Subject(id="s1", name="S", kind="kol")


def record(id: str, criterion: str, observed_at: dt.date = dt.date(2026, 6, 29), **kw: Any) -> kt.Evidence:
    return kt.Evidence(id=id, subject_id="s1", criterion=criterion, source="a", observed_at=observed_at, **kw)


def run(*records: kt.Evidence) -> kt.Assessment:
    return kt.assess(KOL, records, rubric=TINY, as_of=AS_OF)


# -- the pillar-below gate: "below" is strict ------------------------------------------------


def test_pillar_exactly_at_the_gate_threshold_does_not_trigger_it() -> None:
    # GP caps at 75 when pillar p2 is below 40; p2 is C3 for a KOL, an attestation at its value.
    a = run(record("r3", "C3", value=0.4))

    assert a.pillar("p2").score == 40.0
    assert "GP" not in [g.id for g in a.gates]


def test_pillar_just_below_the_gate_threshold_triggers_it() -> None:
    a = run(record("r3", "C3", value=0.399))

    assert a.pillar("p2").score == 39.9
    assert [g.id for g in a.gates] == ["GP"]


# -- the tier's minimum pillar score: "at least" --------------------------------------------


def test_pillar_exactly_at_the_tiers_minimum_meets_it() -> None:
    # "mid" needs a score of 60 and every pillar at 50 or more; "top" needs full coverage (C1 has none).
    a = run(record("r3", "C3", value=0.5))

    assert a.pillar("p2").score == 50.0
    assert a.score >= 60 and a.coverage < 100
    assert a.tier == "mid"


def test_pillar_just_below_the_tiers_minimum_fails_it() -> None:
    a = run(record("r3", "C3", value=0.499))

    assert a.pillar("p2").score == 49.9
    assert a.tier == "low"


# -- the assessment day: a record of that day counts, one of the day after does not -----------


def test_record_dated_on_as_of_is_used() -> None:
    a = run(record("r3", "C3", observed_at=AS_OF, value=1.0))

    assert a.criterion("C3").evidence == ("r3",)
    assert a.excluded == ()


def test_record_dated_one_day_after_as_of_is_excluded_as_future() -> None:
    a = run(record("r3", "C3", observed_at=AS_OF + dt.timedelta(days=1), value=1.0))

    assert a.criterion("C3").evidence == ()
    assert [(x.evidence_id, x.reason) for x in a.excluded] == [("r3", kt.ExclusionReason.FUTURE)]


# -- round1: three decimals first, then one -----------------------------------------------------


@pytest.mark.parametrize(
    ("x", "want"),
    [
        (0.1495, 0.1),  # 0.1495 is 0.14949999… in binary: 0.149 at 3 decimals, then 0.1 (4 decimals would give 0.2)
        (0.149, 0.1),
        (0.15, 0.2),  # 0.15 is 0.1499999… in binary; the 3-decimal step makes it 0.150, half-up gives 0.2
        (-0.1495, -0.1),
        (-0.149, -0.1),
        (-0.15, -0.2),  # half away from zero on the negative side too
    ],
)
def test_round1_at_the_edges_of_its_two_steps(x: float, want: float) -> None:
    got = round1(x)

    assert got == want
    assert math.copysign(1, got) == math.copysign(1, want)
