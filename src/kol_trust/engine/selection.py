"""Evidence selection (STANDARD §3): duplicates, exclusion reasons, weights."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable
from typing import Final, NamedTuple

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


_by_id: Final = operator.attrgetter("id")


# The members select() compares with, looked up once.
_DUPLICATE: Final = ExclusionReason.DUPLICATE
_SUBJECT_MISMATCH: Final = ExclusionReason.SUBJECT_MISMATCH
_UNKNOWN_CRITERION: Final = ExclusionReason.UNKNOWN_CRITERION
_NOT_APPLICABLE: Final = ExclusionReason.NOT_APPLICABLE
_UNKNOWN_SOURCE: Final = ExclusionReason.UNKNOWN_SOURCE
_SOURCE_NOT_ACCEPTED: Final = ExclusionReason.SOURCE_NOT_ACCEPTED
_FUTURE: Final = ExclusionReason.FUTURE
_EXPIRED: Final = ExclusionReason.EXPIRED
_TOO_OLD: Final = ExclusionReason.TOO_OLD
_OVERTURNED: Final = ExclusionReason.OVERTURNED
_MEASURE_MISMATCH: Final = ExclusionReason.MEASURE_MISMATCH
_OVERTURNED_STATUS: Final = Status.OVERTURNED
_DISPUTED: Final = Status.DISPUTED
_INCIDENTS: Final = Measure.INCIDENTS

#: ``Used(records, weights, ages)`` without the Python-level ``__new__`` of a
#: named tuple (as its ``_make`` does), which every used criterion of every case would pay.
_new_used: Final = tuple.__new__


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
            excluded.append(Exclusion(e.id, _DUPLICATE))
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
    subject_id = subject.id
    for e in records:
        c = by_id.get(e.criterion)
        reason: ExclusionReason
        if e.subject_id != subject_id:
            reason = _SUBJECT_MISMATCH
        elif c is None:
            reason = _UNKNOWN_CRITERION
        elif not applicable[c.index]:
            reason = _NOT_APPLICABLE
        elif (w := reliability.get(source := e.source)) is None:
            reason = _UNKNOWN_SOURCE
        elif c.accepted is not None and source not in c.accepted:
            reason = _SOURCE_NOT_ACCEPTED
        elif (age := (as_of - e.observed_at).days) < 0:
            reason = _FUTURE
        elif e.valid_until is not None and e.valid_until < as_of:
            reason = _EXPIRED
        elif age > c.max_age:
            reason = _TOO_OLD
        elif (status := e.status) is _OVERTURNED_STATUS:
            reason = _OVERTURNED
        elif (e.severity is None) if c.measure is _INCIDENTS else (e.value is None):
            reason = _MEASURE_MISMATCH
        else:
            if c.half_life is not None:
                w *= 0.5 ** (age / c.half_life)
            if status is _DISPUTED:
                w *= disputed_weight
            group = used[c.index]
            if group is None:
                used[c.index] = _new_used(Used, ([e], [w], [age]))
            else:
                group_records, weights, ages = group
                group_records.append(e)
                weights.append(w)
                ages.append(age)
            continue
        excluded.append(Exclusion(e.id, reason))
    return Selection(records, used, excluded)
