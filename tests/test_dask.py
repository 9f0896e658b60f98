"""``kol_trust.dask`` on a two-process local cluster: the same results as one machine."""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Iterator
from typing import Any

import pytest

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")

import dask.bag as db  # noqa: E402
import dask.dataframe as dd  # noqa: E402

import kol_trust as kt  # noqa: E402
import kol_trust.batch as kb  # noqa: E402
import kol_trust.dask as kd  # noqa: E402
from conftest import VECTORS  # noqa: E402


def _cases() -> list[dict[str, Any]]:
    paths = sorted(VECTORS.glob("0*.json")) + sorted(VECTORS.glob("1*.json"))
    return [json.loads(p.read_text(encoding="utf-8"))["case"] for p in paths]


CASES = _cases()


def _local(doc: dict[str, Any], rubric: kt.Rubric | None = None) -> str:
    return kt.to_json(kt.assess_case(kt.from_dict(doc, kt.Case), rubric=rubric))


def _conflicting() -> dict[str, Any]:
    doc = copy.deepcopy(next(c for c in CASES if c.get("evidence")))
    twin = copy.deepcopy(doc["evidence"][0])
    twin["reference"] = "a different record with the same id"
    doc["evidence"].append(twin)
    return doc


BAD: list[Any] = [
    "{not json",
    json.dumps({"subject": 3, "as_of": "2026-01-01"}),
    json.dumps(_conflicting()),
    json.dumps({**CASES[0], "rubric": "9.9.9"}),
    7,
]


def _mixed() -> tuple[list[Any], dict[int, dict[str, Any]], set[int]]:
    """(items, good case by position, positions of bad items); one blank line, skipped."""
    items: list[Any] = []
    good: dict[int, dict[str, Any]] = {}
    bad: set[int] = set()
    for i, doc in enumerate(CASES):
        good[len(items)] = doc
        # alternate JSON text, bytes with a line ending, and plain dicts
        items.append([json.dumps(doc, ensure_ascii=False), (json.dumps(doc) + "\n").encode(), doc][i % 3])
        if i < len(BAD):
            bad.add(len(items))
            items.append(BAD[i])
    items.insert(3, "  \n")
    shift = {k if k < 3 else k + 1: v for k, v in good.items()}
    return items, shift, {b if b < 3 else b + 1 for b in bad}


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with (
        distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def test_rubric_pickles() -> None:
    rubric = kt.load_rubric()
    assert pickle.loads(pickle.dumps(rubric)) == rubric


def test_bag_equals_local_path(client: Any) -> None:
    items, good, bad = _mixed()
    results = kd.assess_bag(db.from_sequence(items, npartitions=4)).compute()
    assert [r["index"] for r in results] == sorted(good.keys() | bad)  # blank skipped, order kept
    for r in results:
        if r["index"] in good:
            assert r["error"] is None
            assert json.dumps(r["assessment"], ensure_ascii=False) == _local(good[r["index"]])
        else:
            assert r["assessment"] is None
            assert r["error"]


def test_bag_errors_match_run_jsonl(client: Any) -> None:
    lines = [b for b in BAD if isinstance(b, str)] + [json.dumps(CASES[1])]
    expected = list(kb.run_jsonl([line.encode() for line in lines]))
    results = kd.assess_bag(db.from_sequence(lines, npartitions=2)).compute()
    assert [(r["index"] + 1, r["error"]) for r in results] == [(e.line, e.error) for e in expected]
    assert json.dumps(results[-1]["assessment"], ensure_ascii=False) == expected[-1].output


def test_bag_with_rubric_and_as_of(client: Any) -> None:
    rubric = kt.load_rubric()
    as_of = kt.from_dict(CASES[1], kt.Case).as_of
    lines = [json.dumps(doc) for doc in CASES[:6]]
    results = kd.assess_bag(db.from_sequence(lines, npartitions=3), rubric=rubric, as_of=as_of).compute()
    expected = [r.output for r in kb.run_jsonl([line.encode() for line in lines], rubric=rubric, as_of=as_of)]
    assert [json.dumps(r["assessment"], ensure_ascii=False) for r in results] == expected


def test_bag_rejects_long_lines(client: Any) -> None:
    line = json.dumps(CASES[1])
    results = kd.assess_bag(db.from_sequence([line]), max_line_bytes=10).compute()
    assert results == [{"index": 0, "assessment": None, "error": "line longer than 10 bytes: not parsed"}]


def test_dataframe_equals_local_path(client: Any) -> None:
    items, good, _ = _mixed()
    # Dask stores text columns as (Arrow) strings: the case column holds JSON text
    items = [x if isinstance(x, str) else json.dumps(x) if isinstance(x, dict | int) else x.decode() for x in items]
    items = [*items, None]
    frame = pd.DataFrame({"case": items, "other": range(len(items))}, index=[f"r{i}" for i in range(len(items))])
    out = kd.assess_dataframe(dd.from_pandas(frame, npartitions=3, sort=False)).compute()
    assert list(out.columns) == list(kd.RESULT_COLUMNS)
    assert list(out.index) == list(frame.index)
    # the same as one partition on one machine
    pd.testing.assert_frame_equal(out, kd.assess_partition(frame), check_index_type=False)
    for i, row in enumerate(out.itertuples(index=False)):
        if i in good:
            a = kt.assess_case(kt.from_dict(good[i], kt.Case))
            assert row.assessment == kt.to_json(a)
            assert (row.subject_id, row.score, row.tier, row.certified, row.fingerprint) == (
                a.subject_id,
                a.score,
                a.tier,
                a.certified,
                a.fingerprint,
            )
            assert row.error is pd.NA
        else:
            assert row.assessment is pd.NA and row.score is pd.NA
            assert isinstance(row.error, str) and row.error
    assert out["error"].iloc[3] == "empty case"
    assert out["error"].iloc[-1] == "no case"


def test_dataframe_custom_column_and_rubric(client: Any) -> None:
    rubric = kt.load_rubric()
    frame = pd.DataFrame({"doc": [json.dumps(c) for c in CASES[:4]]})
    out = kd.assess_dataframe(dd.from_pandas(frame, npartitions=2), column="doc", rubric=rubric).compute()
    assert list(out["assessment"]) == [_local(c, rubric) for c in CASES[:4]]


def test_partition_of_nothing() -> None:
    out = kd.assess_partition(pd.DataFrame({"case": pd.Series([], dtype=object)}))
    assert list(out.columns) == list(kd.RESULT_COLUMNS) and len(out) == 0


# -- pack_bag ------------------------------------------------------------------------


def _vector_cases_with_distinct_ids() -> list[dict[str, Any]]:
    """A few vector cases, one subject id each (vectors share ids: rename where needed)."""
    by_name = {p.name[:2]: json.loads(p.read_text(encoding="utf-8"))["case"] for p in VECTORS.glob("*.json")}
    picked: list[dict[str, Any]] = []
    for name, sid in [("01", "kol-empty"), ("02", None), ("03", "kol-claim"), ("16", None), ("17", None)]:
        doc = copy.deepcopy(by_name[name])
        if sid is not None:
            doc["subject"]["id"] = sid
            for e in doc["evidence"]:
                e["subject_id"] = sid
        picked.append(doc)
    assert len({d["subject"]["id"] for d in picked}) == len(picked)
    assert {(d["as_of"], d.get("rubric")) for d in picked} == {("2026-11-29", "1.0.0")}
    return picked


def test_pack_bag_rebuilds_the_cases(client: Any) -> None:
    originals = _vector_cases_with_distinct_ids()
    subjects: list[Any] = [json.dumps(d["subject"], ensure_ascii=False) for d in originals]
    subjects[1] = subjects[1].encode() + b"\n"  # bytes with a line ending
    subjects[2] = originals[2]["subject"]  # a dict
    subjects.insert(2, "{not json")
    subjects.append(json.dumps({**originals[3]["subject"], "name": "a later twin"}))
    evidence: list[Any] = []
    for i in range(max(len(d["evidence"]) for d in originals)):  # interleave the subjects' records
        evidence.extend(json.dumps(d["evidence"][i], ensure_ascii=False) for d in originals if i < len(d["evidence"]))
    orphan = {**originals[1]["evidence"][0], "id": "e-orphan", "subject_id": "nobody"}
    evidence[7:7] = [json.dumps(orphan), "", json.dumps({"id": "e-bad"})]

    cases, problems = kd.pack_bag(
        db.from_sequence(subjects, npartitions=3),
        db.from_sequence(evidence, npartitions=4),
        as_of=kt.from_dict(originals[0], kt.Case).as_of,
        rubric_version="1.0.0",
    )
    got_cases, got_problems = dask.compute(cases, problems)

    by_id = {c["subject"]["id"]: c for c in got_cases}
    assert len(got_cases) == len(by_id) == len(originals)
    for doc in originals:
        packed = by_id[doc["subject"]["id"]]
        assert packed == kt.to_dict(kt.from_dict(doc, kt.Case))  # evidence in input order
        assert kt.assess_case(kt.from_dict(packed, kt.Case)) == kt.assess_case(kt.from_dict(doc, kt.Case))
        assert _local(packed) == _local(doc)  # fingerprint included

    assert sorted((p["input"], p["index"]) for p in got_problems) == [
        ("evidence", 7),
        ("evidence", 9),
        ("subjects", 2),
        ("subjects", 6),
    ]
    found = {(p["input"], p["index"]): p for p in got_problems}
    assert found["subjects", 2]["item"] == "{not json" and found["subjects", 2]["error"]
    assert found["subjects", 6]["error"].startswith('duplicate subject id "kol-bs-lan" (first at index 4)')
    assert found["evidence", 7] == {
        "input": "evidence",
        "index": 7,
        "error": 'no subject with id "nobody"',
        "item": kt.to_dict(kt.from_dict(orphan, kt.Evidence)),
    }
    assert found["evidence", 9]["item"] == json.dumps({"id": "e-bad"}) and found["evidence", 9]["error"]
