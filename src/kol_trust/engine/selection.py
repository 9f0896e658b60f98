"""Evidence selection (STANDARD §3): duplicates, exclusion reasons, weights."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable
from typing import NamedTuple

import attrs

from ..assessment import Exclusion, ExclusionReason
from ..errors import EvidenceConflictError
from ..model import Evidence, Measure, Status, Subject
from .compiled import CompiledRubric, Shares

__all__ = ["Selection", "Used", "select"]


class Used(NamedTuple):
    """The used records of one criterion, in id order, with each one's weight
    w(e) and age in days on ``as_of`` (parallel lists).

    (Three lists per criterion, not an object per record: a large case then
    leaves no long-lived object per record for the garbage collector to walk.)
    """

    records: list[Evidence]
    weights: list[float]
    ages: list[int]


@attrs.frozen
class Selection:
    """What §3 makes of the evidence: each record used by its criterion or excluded."""

    unique: list[Evidence]
    """The records, exact duplicates removed, in id order."""
    used: list[Used | None]
    """By criterion index; ``None`` for a criterion without used records."""
    excluded: list[Exclusion]
    """Duplicates first, then in id order (sorted when the assessment is built)."""


_by_id = operator.attrgetter("id")


def _differing_fields(a: Evidence, b: Evidence) -> list[str]:
    return [f.name for f in attrs.fields(Evidence) if getattr(a, f.name) != getattr(b, f.name)]


def select(
    subject: Subject,
    evidence: Iterable[Evidence],
    compiled: CompiledRubric,
    shares: Shares,
    as_of: dt.date,
) -> Selection:
    """STANDARD §3: duplicates, then the first exclusion reason of each record.

    Raises :class:`~kol_trust.errors.EvidenceConflictError` when two records
    share an id but differ in content.
    """
    unique: dict[str, Evidence] = {}
    excluded: list[Exclusion] = []
    for e in evidence:
        if not isinstance(e, Evidence):
            raise TypeError(f"evidence must be Evidence records, got {type(e).__name__}")
        kept = unique.get(e.id)
        if kept is None:
            unique[e.id] = e
        elif kept == e:  # the same record again (possibly the very same object)
            excluded.append(Exclusion(e.id, ExclusionReason.DUPLICATE))
        else:
            raise EvidenceConflictError(e.id, _differing_fields(kept, e))

    # One sort, here: the records are then taken in id order, so every list
    # made from them (the used records of each criterion, the exclusions, the
    # records the fingerprint hashes) is already in the order its reader
    # sorts it into, and those sorts are a single pass.
    records = sorted(unique.values(), key=_by_id)
    disputed_weight = compiled.rubric.policy.disputed_weight
    used: list[Used | None] = [None] * len(compiled.criteria)
    by_id, reliability, applicable = compiled.by_id, compiled.reliability, shares.applicable
    subject_id, incidents, disputed = subject.id, Measure.INCIDENTS, Status.DISPUTED
    for e in records:
        c = by_id.get(e.criterion)
        reason: ExclusionReason | None = None
        if e.subject_id != subject_id:
            reason = ExclusionReason.SUBJECT_MISMATCH
        elif c is None:
            reason = ExclusionReason.UNKNOWN_CRITERION
        elif not applicable[c.index]:
            reason = ExclusionReason.NOT_APPLICABLE
        elif e.source not in reliability:
            reason = ExclusionReason.UNKNOWN_SOURCE
        elif c.accepted is not None and e.source not in c.accepted:
            reason = ExclusionReason.SOURCE_NOT_ACCEPTED
        else:
            age = (as_of - e.observed_at).days
            if age < 0:
                reason = ExclusionReason.FUTURE
            elif e.valid_until is not None and e.valid_until < as_of:
                reason = ExclusionReason.EXPIRED
            elif age > c.max_age:
                reason = ExclusionReason.TOO_OLD
            elif e.status is Status.OVERTURNED:
                reason = ExclusionReason.OVERTURNED
            elif (e.severity is None) if c.measure is incidents else (e.value is None):
                reason = ExclusionReason.MEASURE_MISMATCH
            else:
                w = reliability[e.source]
                if c.half_life is not None:
                    w *= 0.5 ** (age / c.half_life)
                if e.status is disputed:
                    w *= disputed_weight
                group = used[c.index]
                if group is None:
                    used[c.index] = Used([e], [w], [age])
                else:
                    group.records.append(e)
                    group.weights.append(w)
                    group.ages.append(age)
        if reason is not None:
            excluded.append(Exclusion(e.id, reason))
    return Selection(records, used, excluded)
