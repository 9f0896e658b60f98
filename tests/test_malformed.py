"""A catalogue of malformed documents (STANDARD §1, §1.1–§1.3).

Every entry starts from a valid case (vector 03, which has channels,
categories, an agency and both value and incident evidence), breaks exactly
one rule, and checks that the loader rejects it with a
:class:`~kol_trust.ValidationError` naming the JSON path of the problem, both
in ``error.problems`` and in ``str(error)``.

Problems in the JSON *text* (``NaN``, ``1e999``, duplicate keys, bad syntax)
are found by the parser, before there is a document to walk; the library
reports them at ``$``.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Callable
from typing import Any

import pytest

import kol_trust as kt
from conftest import VECTORS

BASE_VECTOR = VECTORS / "03-one-moderate-false-claim.json"
_BASE: dict[str, Any] = json.loads(BASE_VECTOR.read_text(encoding="utf-8"))["case"]

# Indices into the base case, checked by test_base_case_has_the_expected_shape.
VALUE_EV = 0  # a proportion record: value, sample_size, reference
INCIDENT_EV = 19  # an incidents record: severity, reference
CHANNEL = 0  # tiktok, followers, verified

Mutation = Callable[[Any], Any]


def base_case() -> dict[str, Any]:
    return copy.deepcopy(_BASE)


def _parent(doc: Any, path: tuple[str | int, ...]) -> Any:
    for step in path[:-1]:
        doc = doc[step]
    return doc


def set_at(path: tuple[str | int, ...], value: Any) -> Mutation:
    """Set one field (or list item) of the document to *value*."""

    def mutate(doc: Any) -> Any:
        _parent(doc, path)[path[-1]] = copy.deepcopy(value)
        return doc

    return mutate


def delete_at(path: tuple[str | int, ...]) -> Mutation:
    """Remove one field from the document."""

    def mutate(doc: Any) -> Any:
        del _parent(doc, path)[path[-1]]
        return doc

    return mutate


def replace_whole(value: Any) -> Mutation:
    """Replace the whole document (top level not an object)."""
    return lambda _doc: copy.deepcopy(value)


EV = "evidence"
SUBJ = "subject"
CH = (SUBJ, "channels", CHANNEL)
EVV = (EV, VALUE_EV)
EVI = (EV, INCIDENT_EV)
GOOD_DIGEST = "sha256:" + "0123456789abcdef" * 4

# (name, mutation, expected path).  Each breaks exactly one rule.
CATALOGUE: list[tuple[str, Mutation, str]] = [
    # -- unknown keys ----------------------------------------------------------
    ("unknown-key-top-level", set_at(("comment",), "hi"), "$.comment"),
    ("unknown-key-in-subject", set_at((SUBJ, "nickname"), "MA"), "$.subject.nickname"),
    ("unknown-key-in-channel", set_at((SUBJ, "channels", 1, "bio"), "x"), "$.subject.channels[1].bio"),
    ("unknown-key-in-evidence", set_at((EV, 4, "confidence"), 0.9), "$.evidence[4].confidence"),
    ("camel-case-key", set_at((EV, 2, "observedAt"), "2026-02-10"), "$.evidence[2].observedAt"),
    # -- wrong types -----------------------------------------------------------
    ("string-for-number", set_at((*EVV, "value"), "0.97"), "$.evidence[0].value"),
    ("number-for-string-name", set_at((SUBJ, "name"), 3.5), "$.subject.name"),
    ("integer-for-string-id", set_at((SUBJ, "id"), 42), "$.subject.id"),
    ("integer-for-string-reference", set_at((*EVV, "reference"), 2026114), "$.evidence[0].reference"),
    ("integer-for-string-criterion", set_at((EV, 3, "criterion"), 4), "$.evidence[3].criterion"),
    ("integer-for-string-handle", set_at((*CH, "handle"), 12345), "$.subject.channels[0].handle"),
    ("list-for-object-subject", set_at((SUBJ,), ["kol-minh-anh"]), "$.subject"),
    ("list-for-object-channel", set_at((SUBJ, "channels", 1), []), "$.subject.channels[1]"),
    ("object-for-list-evidence", set_at((EV,), {}), "$.evidence"),
    ("object-for-list-categories", set_at((SUBJ, "categories"), {"beauty": True}), "$.subject.categories"),
    ("string-for-list-categories", set_at((SUBJ, "categories"), "beauty"), "$.subject.categories"),
    ("string-for-evidence-item", set_at((EV, 5), "e-t06"), "$.evidence[5]"),
    # -- booleans and non-finite / overflowing numbers -------------------------
    ("boolean-for-number-value", set_at((*EVV, "value"), True), "$.evidence[0].value"),
    ("boolean-for-integer-sample-size", set_at((*EVV, "sample_size"), True), "$.evidence[0].sample_size"),
    ("boolean-for-integer-followers", set_at((*CH, "followers"), False), "$.subject.channels[0].followers"),
    ("boolean-for-string-name", set_at((SUBJ, "name"), False), "$.subject.name"),
    ("nan-value", set_at((*EVV, "value"), math.nan), "$.evidence[0].value"),
    ("infinity-value", set_at((*EVV, "value"), math.inf), "$.evidence[0].value"),
    ("minus-infinity-value", set_at((*EVV, "value"), -math.inf), "$.evidence[0].value"),
    ("integer-overflowing-a-double", set_at((*EVV, "value"), 10**400), "$.evidence[0].value"),
    ("integer-for-number-out-of-range", set_at((*EVV, "value"), 2), "$.evidence[0].value"),
    # -- dates -----------------------------------------------------------------
    ("date-without-padding", set_at((EV, 3, "observed_at"), "2026-1-5"), "$.evidence[3].observed_at"),
    ("date-with-slashes", set_at((EV, 3, "observed_at"), "2026/01/05"), "$.evidence[3].observed_at"),
    ("date-basic-format", set_at((EV, 3, "observed_at"), "20260105"), "$.evidence[3].observed_at"),
    ("date-not-in-calendar", set_at((EV, 3, "observed_at"), "2026-02-30"), "$.evidence[3].observed_at"),
    ("date-month-13", set_at((EV, 3, "observed_at"), "2026-13-01"), "$.evidence[3].observed_at"),
    ("date-with-time", set_at((EV, 3, "observed_at"), "2026-01-05T00:00:00"), "$.evidence[3].observed_at"),
    ("date-with-spaces", set_at((EV, 3, "observed_at"), " 2026-01-05"), "$.evidence[3].observed_at"),
    ("date-as-integer", set_at((EV, 3, "observed_at"), 20260105), "$.evidence[3].observed_at"),
    ("date-year-zero", set_at((EV, 3, "observed_at"), "0000-01-01"), "$.evidence[3].observed_at"),
    ("valid-until-day-first", set_at((EV, 7, "valid_until"), "18-01-2027"), "$.evidence[7].valid_until"),
    ("as-of-not-a-date", set_at(("as_of",), "29/11/2026"), "$.as_of"),
    ("as-of-with-trailing-newline", set_at(("as_of",), "2026-11-29\n"), "$.as_of"),
    # -- identifiers -----------------------------------------------------------
    ("subject-id-leading-dash", set_at((SUBJ, "id"), "-kol-minh-anh"), "$.subject.id"),
    ("subject-id-with-space", set_at((SUBJ, "id"), "kol minh anh"), "$.subject.id"),
    ("subject-id-129-chars", set_at((SUBJ, "id"), "k" * 129), "$.subject.id"),
    ("subject-id-empty", set_at((SUBJ, "id"), ""), "$.subject.id"),
    ("subject-id-leading-dot", set_at((SUBJ, "id"), ".kol"), "$.subject.id"),
    ("subject-id-non-ascii", set_at((SUBJ, "id"), "kol-minh-ánh"), "$.subject.id"),
    ("evidence-id-with-slash", set_at((EV, 6, "id"), "e/t07"), "$.evidence[6].id"),
    ("evidence-subject-id-empty", set_at((EV, 6, "subject_id"), ""), "$.evidence[6].subject_id"),
    # -- subject and channel fields --------------------------------------------
    ("name-empty", set_at((SUBJ, "name"), ""), "$.subject.name"),
    ("name-201-chars", set_at((SUBJ, "name"), "M" * 201), "$.subject.name"),
    ("kind-unknown", set_at((SUBJ, "kind"), "influencer"), "$.subject.kind"),
    ("kind-upper-case", set_at((SUBJ, "kind"), "KOL"), "$.subject.kind"),
    ("category-upper-case", set_at((SUBJ, "categories"), ["Beauty"]), "$.subject.categories[0]"),
    ("category-with-space", set_at((SUBJ, "categories"), ["beauty", "skin care"]), "$.subject.categories[1]"),
    ("category-empty-string", set_at((SUBJ, "categories"), [""]), "$.subject.categories[0]"),
    ("category-integer", set_at((SUBJ, "categories"), [7]), "$.subject.categories[0]"),
    ("jurisdiction-lower-case", set_at((SUBJ, "jurisdiction"), "vn"), "$.subject.jurisdiction"),
    ("jurisdiction-alpha-3", set_at((SUBJ, "jurisdiction"), "VNM"), "$.subject.jurisdiction"),
    ("jurisdiction-numeric", set_at((SUBJ, "jurisdiction"), "84"), "$.subject.jurisdiction"),
    ("agency-integer", set_at((SUBJ, "agency"), 1), "$.subject.agency"),
    ("platform-not-a-slug", set_at((*CH, "platform"), "TikTok"), "$.subject.channels[0].platform"),
    ("followers-negative", set_at((*CH, "followers"), -1), "$.subject.channels[0].followers"),
    ("followers-float", set_at((*CH, "followers"), 1250000.5), "$.subject.channels[0].followers"),
    ("followers-integral-float", set_at((*CH, "followers"), 1250000.0), "$.subject.channels[0].followers"),
    ("followers-string", set_at((*CH, "followers"), "1250000"), "$.subject.channels[0].followers"),
    ("verified-zero", set_at((*CH, "verified"), 0), "$.subject.channels[0].verified"),
    ("verified-one", set_at((*CH, "verified"), 1), "$.subject.channels[0].verified"),
    ("verified-string", set_at((*CH, "verified"), "true"), "$.subject.channels[0].verified"),
    # -- evidence fields -------------------------------------------------------
    ("value-below-zero", set_at((*EVV, "value"), -0.01), "$.evidence[0].value"),
    ("value-above-one", set_at((*EVV, "value"), 1.01), "$.evidence[0].value"),
    ("sample-size-zero", set_at((*EVV, "sample_size"), 0), "$.evidence[0].sample_size"),
    ("sample-size-negative", set_at((*EVV, "sample_size"), -5), "$.evidence[0].sample_size"),
    ("sample-size-1000001", set_at((*EVV, "sample_size"), 1_000_001), "$.evidence[0].sample_size"),
    ("sample-size-fractional", set_at((*EVV, "sample_size"), 2.5), "$.evidence[0].sample_size"),
    ("sample-size-5000-digit-integer", set_at((*EVV, "sample_size"), 10**5000), "$.evidence[0].sample_size"),
    ("severity-unknown", set_at((*EVI, "severity"), "fatal"), "$.evidence[19].severity"),
    ("severity-capitalised", set_at((*EVI, "severity"), "Moderate"), "$.evidence[19].severity"),
    ("severity-integer", set_at((*EVI, "severity"), 2), "$.evidence[19].severity"),
    ("status-unknown", set_at((*EVI, "status"), "pending"), "$.evidence[19].status"),
    ("status-upper-case", set_at((*EVI, "status"), "ACTIVE"), "$.evidence[19].status"),
    ("summary-2001-chars", set_at((*EVV, "summary"), "s" * 2001), "$.evidence[0].summary"),
    (
        "digest-upper-case-hex",
        set_at((*EVV, "digest"), GOOD_DIGEST.upper().replace("SHA", "sha")),
        "$.evidence[0].digest",
    ),
    ("digest-63-hex", set_at((*EVV, "digest"), GOOD_DIGEST[:-1]), "$.evidence[0].digest"),
    ("digest-65-hex", set_at((*EVV, "digest"), GOOD_DIGEST + "0"), "$.evidence[0].digest"),
    ("digest-no-prefix", set_at((*EVV, "digest"), GOOD_DIGEST[len("sha256:") :]), "$.evidence[0].digest"),
    ("digest-other-algorithm", set_at((*EVV, "digest"), "md5:" + "0" * 32), "$.evidence[0].digest"),
    ("digest-non-hex", set_at((*EVV, "digest"), "sha256:" + "g" * 64), "$.evidence[0].digest"),
    # -- missing required fields, and null for a required field ------------------
    ("missing-observed-at", delete_at((EV, 3, "observed_at")), "$.evidence[3].observed_at"),
    ("missing-evidence-id", delete_at((EV, 3, "id")), "$.evidence[3].id"),
    ("missing-evidence-source", delete_at((EV, 3, "source")), "$.evidence[3].source"),
    ("missing-subject", delete_at((SUBJ,)), "$.subject"),
    ("missing-as-of", delete_at(("as_of",)), "$.as_of"),
    ("missing-subject-kind", delete_at((SUBJ, "kind")), "$.subject.kind"),
    ("missing-channel-handle", delete_at((*CH, "handle")), "$.subject.channels[0].handle"),
    ("null-observed-at", set_at((EV, 3, "observed_at"), None), "$.evidence[3].observed_at"),
    ("null-subject", set_at((SUBJ,), None), "$.subject"),
    ("null-as-of", set_at(("as_of",), None), "$.as_of"),
    ("null-subject-id", set_at((SUBJ, "id"), None), "$.subject.id"),
    ("null-criterion", set_at((EV, 3, "criterion"), None), "$.evidence[3].criterion"),
    # -- the case's rubric version -----------------------------------------------
    ("rubric-version-two-parts", set_at(("rubric",), "1.0"), "$.rubric"),
    ("rubric-version-v-prefix", set_at(("rubric",), "v1.0.0"), "$.rubric"),
    ("rubric-version-pre-release", set_at(("rubric",), "1.0.0-beta"), "$.rubric"),
    ("rubric-version-leading-zero", set_at(("rubric",), "01.0.0"), "$.rubric"),
    ("rubric-version-number", set_at(("rubric",), 1.0), "$.rubric"),
    # -- top level not an object -------------------------------------------------
    ("top-level-list", replace_whole([_BASE]), "$"),
    ("top-level-string", replace_whole("case"), "$"),
    ("top-level-number", replace_whole(42), "$"),
    ("top-level-null", replace_whole(None), "$"),
    ("top-level-5000-digit-integer", replace_whole(10**5000), "$"),
]


def _load_problems(load: Callable[[], Any]) -> tuple[kt.ValidationError, list[str]]:
    with pytest.raises(kt.ValidationError) as info:
        load()
    return info.value, [p.path for p in info.value.problems]


def test_catalogue_is_big_enough() -> None:
    assert len(CATALOGUE) >= 30
    assert len({name for name, _, _ in CATALOGUE}) == len(CATALOGUE)


def test_base_case_has_the_expected_shape() -> None:
    case = base_case()
    assert "value" in case[EV][VALUE_EV] and "sample_size" in case[EV][VALUE_EV]
    assert "severity" in case[EV][INCIDENT_EV]
    assert "followers" in case[SUBJ]["channels"][CHANNEL]
    assert "valid_until" in case[EV][7]
    assert isinstance(kt.from_dict(case, kt.Case), kt.Case)
    assert isinstance(kt.from_json(json.dumps(case), kt.Case), kt.Case)


def test_optional_fields_accept_their_boundaries() -> None:
    """The base plus every optional field at its limit still loads (so the
    catalogue entries fail for the one reason they name)."""
    case = base_case()
    case[SUBJ]["id"] = "K" * 128
    case[SUBJ]["name"] = "M" * 200
    case[SUBJ]["jurisdiction"] = "SG"
    case[EV][VALUE_EV].update(summary="s" * 2000, digest=GOOD_DIGEST, sample_size=1_000_000, value=0)
    case[EV][1].update(sample_size=1, value=1)
    case[EV][INCIDENT_EV].update(status="disputed", severity="critical")
    case[SUBJ]["channels"][CHANNEL].update(followers=0, verified=False)
    case["as_of"] = "2028-02-29"
    assert isinstance(kt.from_dict(case, kt.Case), kt.Case)


@pytest.mark.parametrize(("name", "mutate", "path"), CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_from_dict_rejects(name: str, mutate: Mutation, path: str) -> None:
    doc = mutate(base_case())

    err, paths = _load_problems(lambda: kt.from_dict(doc, kt.Case))

    assert path in paths, f"{name}: expected {path} among {paths}"
    assert path in str(err)
    assert isinstance(err, kt.KolTrustError)
    for problem in err.problems:
        assert problem.path.startswith("$")
        assert problem.message
        assert str(problem) in str(err)


def _json_text(doc: Any) -> str | None:
    try:
        return json.dumps(doc, allow_nan=False, ensure_ascii=False)
    except (ValueError, TypeError):  # NaN, inf, or an int too long to print
        return None


# Documents that JSON can spell; NaN, inf and huge integers are in TEXT_CATALOGUE.
JSON_SPELLABLE = [c for c in CATALOGUE if _json_text(c[1](base_case())) is not None]


@pytest.mark.parametrize(("name", "mutate", "path"), JSON_SPELLABLE, ids=[c[0] for c in JSON_SPELLABLE])
def test_from_json_rejects(name: str, mutate: Mutation, path: str) -> None:
    """The same documents, as JSON text."""
    text = _json_text(mutate(base_case()))
    assert text is not None

    err, paths = _load_problems(lambda: kt.from_json(text, kt.Case))

    assert path in paths, f"{name}: expected {path} among {paths}"
    assert path in str(err)


_PART = re.compile(r"^\$\.(?:subject\.channels\[(\d+)\]|evidence\[(\d+)\]|subject)(?=$|[.\[])")


def _part_of(path: str) -> tuple[tuple[str | int, ...], type, str] | None:
    """The innermost sub-document of *path* and the path inside it."""
    m = _PART.match(path)
    if m is None:
        return None
    rest = "$" + path[m.end() :]
    if m.group(1) is not None:
        return (SUBJ, "channels", int(m.group(1))), kt.Channel, rest
    if m.group(2) is not None:
        return (EV, int(m.group(2))), kt.Evidence, rest
    return (SUBJ,), kt.Subject, rest


def _has_part(mutate: Mutation, path: str) -> bool:
    where = _part_of(path)
    if where is None:
        return False
    part = mutate(base_case())
    try:
        for step in where[0]:
            part = part[step]
    except (KeyError, IndexError, TypeError):
        return False
    return part is not None


# Entries whose broken sub-document still exists (not deleted or nulled).
PART_CASES = [c for c in CATALOGUE if _has_part(c[1], c[2])]


@pytest.mark.parametrize(("name", "mutate", "path"), PART_CASES, ids=[c[0] for c in PART_CASES])
def test_sub_document_alone_rejects(name: str, mutate: Mutation, path: str) -> None:
    """Loading the broken subject, channel or evidence record on its own
    reports the same problem, at the path relative to that document."""
    where = _part_of(path)
    assert where is not None
    steps, cls, rest = where
    doc = mutate(base_case())
    part = doc
    for step in steps:
        part = part[step]

    err, paths = _load_problems(lambda: kt.from_dict(part, cls))

    assert rest in paths, f"{name}: expected {rest} among {paths}"
    assert rest in str(err)


# -- problems in the JSON text itself -------------------------------------------------

_TEXT = json.dumps(_BASE, indent=1, ensure_ascii=False)
_VALUE = '"value": 0.97'
_AS_OF = '"as_of": "2026-11-29"'


def _replace(old: str, new: str) -> Callable[[str], str | bytes]:
    def transform(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return transform


# (name, transform of the valid text, expected path, a word the message must contain)
TEXT_CATALOGUE: list[tuple[str, Callable[[str], str | bytes], str, str]] = [
    ("nan", _replace(_VALUE, '"value": NaN'), "$", "NaN"),
    ("infinity", _replace(_VALUE, '"value": Infinity'), "$", "Infinity"),
    ("minus-infinity", _replace(_VALUE, '"value": -Infinity'), "$", "-Infinity"),
    ("overflow-1e999", _replace(_VALUE, '"value": 1e999'), "$", "1e999"),
    ("overflow-minus-1e999", _replace(_VALUE, '"value": -1e999'), "$", "1e999"),
    ("overflow-long-mantissa", _replace(_VALUE, '"value": 2' + "0" * 400 + ".5"), "$", "range"),
    ("integer-with-5000-digits", _replace('"sample_size": 60', '"sample_size": 1' + "0" * 5000), "$", "digits"),
    ("duplicate-top-level-key", _replace(_AS_OF, _AS_OF + ', "as_of": "2026-11-30"'), "$", "as_of"),
    ("duplicate-key-same-value", _replace(_VALUE, _VALUE + ", " + _VALUE), "$", "value"),
    ("duplicate-key-in-channel", _replace('"verified": true', '"verified": true, "verified": false'), "$", "verified"),
    ("top-level-array", lambda t: "[" + t + "]", "$", "got an array"),
    ("top-level-string", lambda t: '"case"', "$", "case"),
    ("top-level-number", lambda t: "42", "$", "42"),
    ("top-level-null", lambda t: "null", "$", "got null"),
    ("top-level-true", lambda t: "true", "$", "got true"),
    ("empty-text", lambda t: "", "$", "JSON"),
    ("truncated", lambda t: t[: len(t) // 2], "$", "JSON"),
    ("trailing-comma", lambda t: t.rstrip()[:-1] + ",}", "$", "JSON"),
    ("single-quotes", _replace('"as_of"', "'as_of'"), "$", "JSON"),
    ("comment", lambda t: "// a case\n" + t, "$", "JSON"),
    ("two-documents", lambda t: t + t, "$", "JSON"),
    ("not-utf-8", lambda t: t.encode("utf-8").replace(b"Minh Anh", b"Minh \xff Anh", 1), "$", "UTF-8"),
    ("utf-16", lambda t: t.encode("utf-16"), "$", "UTF-8"),
    ("deeply-nested", lambda t: "[" * 100_000 + "]" * 100_000, "$", "deep"),
]


@pytest.mark.parametrize(("name", "transform", "path", "word"), TEXT_CATALOGUE, ids=[c[0] for c in TEXT_CATALOGUE])
def test_from_json_rejects_bad_text(name: str, transform: Callable[[str], str | bytes], path: str, word: str) -> None:
    text = transform(_TEXT)

    err, paths = _load_problems(lambda: kt.from_json(text, kt.Case))

    assert path in paths, f"{name}: expected {path} among {paths}"
    assert path in str(err)
    assert word in str(err), f"{name}: {word!r} not in {str(err)!r}"


#: Entries of TEXT_CATALOGUE that are valid JSON, only not a Case.
_VALID_JSON = {"top-level-array", "top-level-string", "top-level-number", "top-level-null", "top-level-true"}


@pytest.mark.parametrize(("name", "transform", "_path", "_word"), TEXT_CATALOGUE, ids=[c[0] for c in TEXT_CATALOGUE])
def test_parse_without_class_is_just_as_strict(
    name: str, transform: Callable[[str], str | bytes], _path: str, _word: str
) -> None:
    """``from_json(text)`` with no class rejects what strict JSON forbids."""
    text = transform(_TEXT)
    if name in _VALID_JSON:
        assert kt.from_json(text) == json.loads(text)
        return

    with pytest.raises(kt.ValidationError) as info:
        kt.from_json(text)

    assert [p.path for p in info.value.problems] == ["$"]


def test_valid_bytes_load() -> None:
    assert isinstance(kt.from_json(_TEXT.encode("utf-8"), kt.Case), kt.Case)


# -- several problems at once -----------------------------------------------------------


def test_every_problem_is_reported() -> None:
    case = base_case()
    case["as_of"] = "2026-11-31"
    case[SUBJ]["kind"] = "celebrity"
    case[SUBJ]["channels"][1]["followers"] = -3
    case[EV][12]["value"] = 1.5
    case[EV][INCIDENT_EV]["notes"] = "x"
    expected = {
        "$.as_of",
        "$.subject.kind",
        "$.subject.channels[1].followers",
        "$.evidence[12].value",
        "$.evidence[19].notes",
    }

    err, paths = _load_problems(lambda: kt.from_dict(case, kt.Case))

    assert set(paths) == expected
    assert len(paths) == len(expected), "a problem is reported twice"
    for path in expected:
        assert path in str(err)
    assert str(err).startswith("invalid Case document: 5 problems")


def test_several_range_problems_in_one_record_are_all_reported() -> None:
    case = base_case()
    case[EV][VALUE_EV].update(value=1.5, sample_size=0, summary="s" * 2001, digest="sha1:abc")

    _, paths = _load_problems(lambda: kt.from_dict(case, kt.Case))

    assert set(paths) == {
        "$.evidence[0].value",
        "$.evidence[0].sample_size",
        "$.evidence[0].summary",
        "$.evidence[0].digest",
    }


def test_type_and_range_problems_in_one_record_are_all_reported() -> None:
    """A wrong type in one field must not hide a bad value in another field
    of the same record (STANDARD §1: every problem is named)."""
    case = base_case()
    case[EV][VALUE_EV].update(value="high", sample_size=0, observed_at="yesterday", digest="sha1:abc")

    _, paths = _load_problems(lambda: kt.from_dict(case, kt.Case))

    assert set(paths) == {
        "$.evidence[0].value",
        "$.evidence[0].sample_size",
        "$.evidence[0].observed_at",
        "$.evidence[0].digest",
    }


def test_problems_in_many_evidence_records() -> None:
    case = base_case()
    for i in range(0, 20, 2):
        case[EV][i]["observed_at"] = "2026-00-01"

    _, paths = _load_problems(lambda: kt.from_dict(case, kt.Case))

    assert sorted(paths) == sorted(f"$.evidence[{i}].observed_at" for i in range(0, 20, 2))


# -- the messages are meant for people --------------------------------------------------

# (mutation, path, words the message of that path must contain)
MESSAGES: list[tuple[Mutation, str, tuple[str, ...]]] = [
    (set_at((EV, 3, "observed_at"), "2026/01/05"), "$.evidence[3].observed_at", ("2026/01/05", "YYYY-MM-DD")),
    (set_at((EV, 3, "observed_at"), "2026-02-30"), "$.evidence[3].observed_at", ("2026-02-30", "calendar")),
    (set_at((*EVV, "value"), 1.5), "$.evidence[0].value", ("1.5", "[0, 1]")),
    (set_at((*EVV, "sample_size"), 2.5), "$.evidence[0].sample_size", ("integer", "2.5")),
    (set_at((*EVV, "value"), True), "$.evidence[0].value", ("number", "got true")),
    (set_at((SUBJ, "kind"), "influencer"), "$.subject.kind", ("influencer", "kol", "koc")),
    (set_at((*EVI, "severity"), "fatal"), "$.evidence[19].severity", ("fatal", "minor", "critical")),
    (set_at((SUBJ, "name"), "x" * 201), "$.subject.name", ("200",)),
    (set_at((SUBJ, "id"), "-kol"), "$.subject.id", ("-kol", "identifier")),
    (set_at((SUBJ, "jurisdiction"), "vn"), "$.subject.jurisdiction", ("vn", "alpha-2")),
    (set_at((*EVV, "digest"), "md5:00"), "$.evidence[0].digest", ("md5:00", "sha256")),
    (set_at((*CH, "verified"), 1), "$.subject.channels[0].verified", ("true", "false")),
    (set_at(("extra",), 1), "$.extra", ("unknown",)),
    (delete_at(("as_of",)), "$.as_of", ("missing",)),
    (set_at((EV,), {}), "$.evidence", ("expected an array", "got an object")),
]


@pytest.mark.parametrize(("mutate", "path", "words"), MESSAGES, ids=[m[1] + ":" + m[2][0] for m in MESSAGES])
def test_message_names_the_value_or_the_rule(mutate: Mutation, path: str, words: tuple[str, ...]) -> None:
    doc = mutate(base_case())

    err, _ = _load_problems(lambda: kt.from_dict(doc, kt.Case))

    [message] = [p.message for p in err.problems if p.path == path]
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert not message.endswith("."), "messages have no trailing full stop"
    assert "Traceback" not in message and "cattrs" not in message


def test_message_of_a_long_bad_value_is_short() -> None:
    doc = base_case()
    doc[SUBJ]["kind"] = "k" * 10_000

    err, _ = _load_problems(lambda: kt.from_dict(doc, kt.Case))

    assert len(str(err)) < 500


def test_error_message_is_valid_unicode() -> None:
    """A key with a lone surrogate is reported, and the report itself can be
    written out as UTF-8 (the library rejects lone surrogates in values for
    exactly that reason)."""
    doc = base_case()
    doc[SUBJ]["\ud800"] = 1

    err, paths = _load_problems(lambda: kt.from_dict(doc, kt.Case))

    assert paths == ['$.subject["\\ud800"]']  # odd keys are quoted and ASCII-escaped
    str(err).encode("utf-8")  # must not raise UnicodeEncodeError


def test_lone_surrogate_in_a_string_value_is_rejected() -> None:
    text = _TEXT.replace('"Minh Anh"', '"Minh \\ud800 Anh"', 1)

    err, paths = _load_problems(lambda: kt.from_json(text, kt.Case))

    assert paths == ["$.subject.name"]
    str(err).encode("utf-8")


def test_validation_error_is_a_value_error() -> None:
    err, _ = _load_problems(lambda: kt.from_dict(None, kt.Case))
    assert isinstance(err, ValueError)
    assert isinstance(err, kt.KolTrustError)
