"""Assessing a large corpus with Dask: bags of JSON lines, DataFrames of cases.

Needs Dask and pandas (``pip install "kol-trust[dask]"``).  Every function here
runs the same per-case path as :func:`kol_trust.batch.run_jsonl` (parse,
assess, serialise; a bad case is reported, never raised), one partition at a
time, in pure module-level functions: the results equal those of
:func:`kol_trust.assess_case` on one machine.

A rubric given to these functions travels in the task graph once, as its JSON
text, and each worker rebuilds it (and caches it) on first use.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import operator
from collections.abc import Mapping
from typing import Any, cast

try:
    import dask.bag as db
    import dask.dataframe as dd
    import pandas as pd
    from dask.delayed import delayed
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError('kol_trust.dask needs Dask and pandas: pip install "kol-trust[dask]"') from e

from .batch import DEFAULT_MAX_LINE_BYTES, LineResult, run_chunk, strip_eol
from .checks import json_string
from .errors import KolTrustError
from .model import Evidence, Subject
from .pack import pack
from .rubric import Rubric
from .wire import from_dict, from_json, to_dict, to_json

__all__ = [
    "RESULT_COLUMNS",
    "assess_bag",
    "assess_dataframe",
    "assess_partition",
    "pack_bag",
]

RESULT_COLUMNS = ("subject_id", "score", "tier", "certified", "fingerprint", "assessment", "error")
"""The columns :func:`assess_partition` adds, in order."""

_TEXT = pd.StringDtype()
_DTYPES: dict[str, Any] = {
    "subject_id": _TEXT,
    "score": pd.Float64Dtype(),
    "tier": _TEXT,
    "certified": pd.BooleanDtype(),
    "fingerprint": _TEXT,
    "assessment": _TEXT,
    "error": _TEXT,
}


# -- per case ------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _rubric(text: str | None) -> Rubric | None:
    """The rubric of JSON *text*, built once per worker process."""
    return None if text is None else from_json(text, Rubric)


def _rubric_text(rubric: Rubric | None) -> str | None:
    return None if rubric is None else to_json(rubric)


def _line_of(item: Any) -> bytes | str:
    """*item* as one line of JSON (bytes), or why it cannot be one (str)."""
    if isinstance(item, bytes):
        return strip_eol(item)
    if isinstance(item, str):
        return strip_eol(item.encode("utf-8", "surrogatepass"))
    if isinstance(item, Mapping):
        try:
            return json.dumps(item, ensure_ascii=False, allow_nan=False).encode("utf-8", "surrogatepass")
        except (TypeError, ValueError) as e:
            return f"case document is not JSON data: {e}"
    return f"expected a JSON line (str or bytes) or a case document (dict), not {type(item).__name__}"


def _run_item(
    n: int, item: Any, rubric: Rubric | None, as_of: dt.date | None, limit: int, *, skip_blank: bool
) -> LineResult | None:
    """:func:`kol_trust.batch.run_jsonl`'s outcome for one item (None: a skipped blank line)."""
    line = _line_of(item)
    if isinstance(line, str):
        return LineResult(n, None, line)
    if not line.strip():
        return None if skip_blank else LineResult(n, None, "empty case")
    return run_chunk(rubric, as_of, limit, [(n, None if len(line) > limit else line)])[0]


# -- bags ----------------------------------------------------------------------------


def _bag_partition(
    items: list[Any], start: int, rubric_text: str | None, as_of: dt.date | None, limit: int
) -> list[dict[str, Any]]:
    """The result dicts of one partition whose first item is item *start* of the bag."""
    rubric = _rubric(rubric_text)
    out: list[dict[str, Any]] = []
    for n, item in enumerate(items, start=start):
        r = _run_item(n, item, rubric, as_of, limit, skip_blank=True)
        if r is not None:
            doc = None if r.output is None else json.loads(r.output)
            out.append({"index": r.line, "assessment": doc, "error": r.error})
    return out


def assess_bag(
    items: db.Bag,
    *,
    rubric: Rubric | None = None,
    as_of: dt.date | None = None,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
) -> db.Bag:
    """Assess a bag of cases: JSON lines (``str`` or ``bytes``) or case documents (dicts).

    Returns a lazy bag, in input order, of one dict per item:
    ``{"index": i, "assessment": doc, "error": None}`` for a case assessed
    (*doc* is the assessment's document, as :func:`kol_trust.to_dict` gives)
    or ``{"index": i, "assessment": None, "error": why}`` for a case rejected.
    *i* is the item's position in *items*, from 0.  As in
    :func:`kol_trust.batch.run_jsonl`, blank lines are skipped (but counted in
    the positions), lines longer than *max_line_bytes* are rejected unparsed,
    *as_of* replaces each case's ``as_of``, and *rubric* ``None`` uses each
    case's own rubric.
    """
    if max_line_bytes < 1:
        raise ValueError(f"max_line_bytes must be at least 1, not {max_line_bytes}")
    text = _rubric_text(rubric)
    rubric_arg: Any = text if text is None else delayed(text)  # once in the graph, not once per task
    run = delayed(_bag_partition, pure=True)
    count = delayed(len, pure=True)
    add = delayed(operator.add, pure=True)
    parts: list[Any] = []
    start: Any = 0
    for part in cast(Any, items).to_delayed():
        part = delayed(list, pure=True)(part)  # partitions may be one-shot iterators
        parts.append(run(part, start, rubric_arg, as_of, max_line_bytes))
        start = add(start, count(part))
    bag: db.Bag = cast(Any, db).from_delayed(parts)
    return bag


# -- DataFrames ----------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _frame(df: pd.DataFrame, column: str, rubric_text: str | None, as_of: dt.date | None, limit: int) -> pd.DataFrame:
    """:func:`assess_partition` with the rubric as JSON text (what the workers get)."""
    rubric = _rubric(rubric_text)
    rows: list[tuple[Any, ...]] = []
    for n, value in enumerate(df[column]):
        r = None if _is_missing(value) else _run_item(n, value, rubric, as_of, limit, skip_blank=False)
        if r is None:
            rows.append((None, None, None, None, None, None, "no case"))
        elif r.output is None:
            rows.append((None, None, None, None, None, None, r.error))
        else:
            doc = json.loads(r.output)
            rows.append(
                (doc["subject_id"], doc["score"], doc["tier"], doc["certified"], doc["fingerprint"], r.output, None)
            )
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(RESULT_COLUMNS)
    return pd.DataFrame(
        {
            name: pd.Series(list(values), index=df.index, dtype=_DTYPES[name])
            for name, values in zip(RESULT_COLUMNS, columns, strict=True)
        },
        index=df.index,
    )


def assess_partition(
    df: pd.DataFrame,
    *,
    column: str = "case",
    rubric: Rubric | None = None,
    as_of: dt.date | None = None,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
) -> pd.DataFrame:
    """Assess the case in each row of *df*'s *column* (JSON text, bytes or a dict).

    Returns a DataFrame with *df*'s index and the columns of
    :data:`RESULT_COLUMNS`: ``subject_id``, ``score``, ``tier``, ``certified``,
    ``fingerprint`` and ``assessment`` (the assessment's compact JSON, as
    :func:`kol_trust.to_json` writes it) for a case assessed, or only ``error``
    for a case rejected (missing, blank, not JSON, not a valid case…).  Text
    columns are ``string``, ``score`` is ``Float64`` and ``certified`` is
    ``boolean``: missing values are ``<NA>``.  A pure function of its
    arguments: use it per partition in Dask, Spark (``mapInPandas``) or alone.
    """
    return _frame(df, column, _rubric_text(rubric), as_of, max_line_bytes)


def assess_dataframe(
    ddf: dd.DataFrame,
    *,
    column: str = "case",
    rubric: Rubric | None = None,
    as_of: dt.date | None = None,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
) -> dd.DataFrame:
    """:func:`assess_partition` over every partition of the Dask DataFrame *ddf* (lazily).

    The result has *ddf*'s index and divisions; join it back to *ddf* to keep
    other columns.
    """
    text = _rubric_text(rubric)
    meta = _frame(ddf._meta, column, None, as_of, max_line_bytes)
    rubric_arg: Any = text if text is None else delayed(text)
    result: dd.DataFrame = cast(Any, ddf).map_partitions(
        _frame, column, rubric_arg, as_of, max_line_bytes, meta=meta, align_dataframes=False
    )
    return result


# -- packing -------------------------------------------------------------------------

_SUBJECTS = "subjects"
_EVIDENCE = "evidence"

# A parsed item travels as (subject id or None for a bad item, input name, position, payload).
_Tagged = tuple[str | None, str, int, Any]


def _parse_item(item: Any, cls: type[Subject] | type[Evidence]) -> Subject | Evidence | str | None:
    """*item* as a *cls*, why it is not one (str), or None for a blank line."""
    try:
        if isinstance(item, Mapping):
            return from_dict(item, cls)
        line = _line_of(item)
        if isinstance(line, str):
            return line
        if not line.strip():
            return None
        if len(line) > DEFAULT_MAX_LINE_BYTES:
            return f"line longer than {DEFAULT_MAX_LINE_BYTES} bytes: not parsed"
        return from_json(line, cls)
    except KolTrustError as e:
        return str(e)


def _parse_partition(items: list[Any], start: int, which: str) -> list[_Tagged]:
    """The tagged items of one partition whose first item is item *start* of its bag."""
    out: list[_Tagged] = []
    for n, item in enumerate(items, start=start):
        parsed = _parse_item(item, Subject if which == _SUBJECTS else Evidence)
        if isinstance(parsed, str):
            out.append((None, which, n, {"input": which, "index": n, "error": parsed, "item": item}))
        elif isinstance(parsed, Subject):
            out.append((parsed.id, which, n, parsed))
        elif isinstance(parsed, Evidence):
            out.append((parsed.subject_id, which, n, parsed))
    return out


def _parsed_bag(items: db.Bag, which: str) -> db.Bag:
    """*items* parsed, each tagged with its position in *items* (counted across partitions)."""
    run = delayed(_parse_partition, pure=True)
    count = delayed(len, pure=True)
    add = delayed(operator.add, pure=True)
    parts: list[Any] = []
    start: Any = 0
    for part in cast(Any, items).to_delayed():
        part = delayed(list, pure=True)(part)
        parts.append(run(part, start, which))
        start = add(start, count(part))
    bag: db.Bag = cast(Any, db).from_delayed(parts)
    return bag


def _is_bad(t: _Tagged) -> bool:
    return t[0] is None


def _is_good(t: _Tagged) -> bool:
    return t[0] is not None


def _group_key(t: _Tagged) -> str | None:
    return t[0]


def _payload(t: tuple[Any, ...]) -> Any:
    return t[-1]


def _is_case(t: tuple[str, Any]) -> bool:
    return t[0] == "case"


def _is_problem(t: tuple[str, Any]) -> bool:
    return t[0] != "case"


def _pack_group(
    group: tuple[str, list[_Tagged]], as_of: dt.date, rubric_version: str | None
) -> list[tuple[str, dict[str, Any]]]:
    """The case (if the id has a subject) and the problems of one subject id's items."""
    sid, tagged = group
    tagged = sorted(tagged, key=lambda t: (t[1] != _SUBJECTS, t[2]))  # subjects first, then input order
    subjects = [(n, s) for _, which, n, s in tagged if which == _SUBJECTS]
    evidence = [e for _, which, _, e in tagged if which == _EVIDENCE]
    out: list[tuple[str, dict[str, Any]]] = []
    first = subjects[0][0] if subjects else None
    for n, subject in subjects[1:]:
        why = f"duplicate subject id {json_string(sid)} (first at index {first}): skipped"
        out.append(("problem", {"input": _SUBJECTS, "index": n, "error": why, "item": to_dict(subject)}))
    cases, orphans = pack([s for _, s in subjects[:1]], evidence, as_of=as_of, rubric_version=rubric_version)
    out.extend(("case", to_dict(case)) for case in cases)
    positions = iter(n for _, which, n, _ in tagged if which == _EVIDENCE)  # orphans: all or none
    for record in orphans:
        why = f"no subject with id {json_string(sid)}"
        out.append(("problem", {"input": _EVIDENCE, "index": next(positions), "error": why, "item": to_dict(record)}))
    return out


def pack_bag(
    subjects: db.Bag,
    evidence: db.Bag,
    *,
    as_of: dt.date,
    rubric_version: str | None = None,
) -> tuple[db.Bag, db.Bag]:
    """:func:`kol_trust.pack.pack` on Dask bags: group *evidence* by ``subject_id`` into cases.

    *subjects* and *evidence* hold JSON lines (``str`` or ``bytes``) or
    documents (dicts) of subjects and of evidence records; blank lines are
    skipped.  Returns two lazy bags ``(cases, problems)``:

    - *cases*: one case document (as :func:`kol_trust.to_dict` gives) per
      subject, dated *as_of* and naming *rubric_version*, with the subject's
      evidence in input order (its position in *evidence*, across
      partitions); a subject without evidence gets an empty case;
    - *problems*: one ``{"input": "subjects" | "evidence", "index": i,
      "error": why, "item": item}`` per item no case took: a line that is not
      a valid subject or record (*item* as given), a record whose
      ``subject_id`` names no subject, or a subject whose id an earlier one
      already has (the first is kept, as ``kol-trust pack`` does; *item* the
      parsed document).  *i* is the item's position in its bag, from 0.

    The two bags share one shuffle (a task-based ``groupby`` on the subject
    id): compute them together, ``dask.compute(cases, problems)``.  Neither
    bag is in input order.
    """
    tagged = cast(Any, db).concat([_parsed_bag(subjects, _SUBJECTS), _parsed_bag(evidence, _EVIDENCE)])
    grouped = tagged.filter(_is_good).groupby(_group_key, shuffle="tasks")
    packed = grouped.map(_pack_group, as_of, rubric_version).flatten()
    cases: db.Bag = packed.filter(_is_case).map(_payload)
    problems: db.Bag = cast(Any, db).concat(
        [tagged.filter(_is_bad).map(_payload), packed.filter(_is_problem).map(_payload)]
    )
    return cases, problems
