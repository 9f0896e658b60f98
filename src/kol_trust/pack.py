"""Packing separate subjects and evidence records into cases.

Data often arrives as two tables, one of subjects and one of evidence
records, each record naming its subject by ``subject_id``.  :func:`pack`
groups the records by subject into :class:`~kol_trust.Case` documents, ready
for :func:`~kol_trust.batch.assess_many` or ``kol-trust batch``::

    from kol_trust.pack import pack

    cases, orphans = pack(subjects, evidence, as_of=dt.date(2026, 11, 29))

Memory: :func:`pack` holds every subject and every evidence record in
memory, grouped by subject, until it returns.  That suits inputs up to a few
million records on one machine; for larger data, group by ``subject_id`` in
a distributed engine (the Dask or Spark route: a ``groupby`` on
``subject_id``, then build and assess each case in its partition).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from .checks import json_string
from .model import Case, Evidence, Subject

__all__ = ["Packed", "pack"]


class Packed(NamedTuple):
    """The outcome of :func:`pack`: the cases, and the evidence no case took."""

    cases: list[Case]
    """One case per subject, in the order of the subjects; each case's
    evidence in input order (a subject without evidence gets an empty case)."""
    orphans: list[Evidence]
    """Records whose ``subject_id`` names no subject, in input order."""


def pack(
    subjects: Iterable[Subject],
    evidence: Iterable[Evidence],
    *,
    as_of: dt.date,
    rubric_version: str | None = None,
) -> Packed:
    """Group *evidence* by ``subject_id`` into one case per subject.

    Every case is dated *as_of* and names *rubric_version* (``None``: no
    rubric named, so the default built-in one applies).  A record whose
    ``subject_id`` matches no subject is returned in ``orphans``: never
    dropped.  Two subjects with the same id raise :class:`ValueError` (the
    ``kol-trust pack`` command instead reports the later ones and keeps the
    first).  Everything is held in memory: see the module documentation.
    """
    by_id: dict[str, list[Evidence]] = {}
    ordered: list[Subject] = []
    for subject in subjects:
        if subject.id in by_id:
            raise ValueError(f"duplicate subject id {json_string(subject.id)}")
        by_id[subject.id] = []
        ordered.append(subject)
    orphans: list[Evidence] = []
    for record in evidence:
        group = by_id.get(record.subject_id)
        if group is None:
            orphans.append(record)
        else:
            group.append(record)
    cases = [
        Case(subject=subject, evidence=tuple(by_id[subject.id]), as_of=as_of, rubric=rubric_version)
        for subject in ordered
    ]
    return Packed(cases, orphans)
