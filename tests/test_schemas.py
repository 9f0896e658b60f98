"""The JSON Schemas of kol_trust.schema against the vectors and the loader.

Valid documents (every vector's case and expected assessment, the library's
own assessments, every rubric) pass the schemas; documents the loader rejects
for a reason a single field shows (a wrong type, an unknown key, a value out
of range, a bad enum value or date, a missing field) fail them too.  The
shipped files are the generated ones.
"""

from __future__ import annotations

import copy
import importlib.resources
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import kol_trust as kt
from conftest import SPEC, VECTORS
from kol_trust.certification import Certificate
from kol_trust.cli import main
from kol_trust.schema import BASE_URI, SCHEMA_NAMES, schema_for, write_schemas

VECTOR_FILES = sorted(VECTORS.glob("[0-9]*.json"))
RUBRIC_FILES = sorted((SPEC / "rubrics").glob("*.json"))
SHIPPED = importlib.resources.files("kol_trust") / "schemas"
DOCUMENT_CLASSES: dict[str, type] = {"case": kt.Case, "rubric": kt.Rubric, "assessment": kt.Assessment}


def _validators() -> dict[str, Draft202012Validator]:
    out = {}
    for name in SCHEMA_NAMES:
        schema = schema_for(name)
        Draft202012Validator.check_schema(schema)
        out[name] = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return out


VALIDATORS = _validators()


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def assert_valid(name: str, doc: Any) -> None:
    errors = [f"{e.json_path}: {e.message}" for e in VALIDATORS[name].iter_errors(doc)]
    assert not errors, errors


def test_names() -> None:
    assert SCHEMA_NAMES == (
        "subject",
        "evidence",
        "case",
        "rubric",
        "assessment",
        "certificate",
        "credential",
    )
    with pytest.raises(KeyError):
        schema_for("nope")


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_header(name: str) -> None:
    schema = schema_for(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"{BASE_URI}{name}.json" == f"https://kol-trust.example/schemas/1/{name}.json"
    assert schema["title"] and schema["description"]
    assert schema["additionalProperties"] is False
    for definition in schema.get("$defs", {}).values():
        assert definition["additionalProperties"] is False


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_shipped_files_are_generated(name: str, tmp_path: Path) -> None:
    shipped = (SHIPPED / f"{name}.json").read_text(encoding="utf-8")
    assert json.loads(shipped) == schema_for(name)
    write_schemas(tmp_path)
    assert (tmp_path / f"{name}.json").read_text(encoding="utf-8") == shipped
    assert shipped.endswith("}\n")


def test_cli_prints_the_shipped_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "evidence"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == json.loads((SHIPPED / "evidence.json").read_text(encoding="utf-8"))


def test_cli_unknown_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "nope"]) == 2
    err = capsys.readouterr().err
    assert "nope" in err and all(name in err for name in SCHEMA_NAMES)


# -- valid documents ---------------------------------------------------------------------


@pytest.mark.parametrize("path", VECTOR_FILES, ids=lambda p: p.stem)
def test_vector_documents_are_valid(path: Path) -> None:
    vector = load(path)
    assert_valid("case", vector["case"])
    assert_valid("subject", vector["case"]["subject"])
    for evidence in vector["case"].get("evidence", []):
        assert_valid("evidence", evidence)
    assert_valid("assessment", vector["expected"])
    rubric = (
        kt.from_json((path.parent / vector["rubric_file"]).read_bytes(), kt.Rubric) if "rubric_file" in vector else None
    )
    assessment = kt.assess_case(kt.from_dict(vector["case"], kt.Case), rubric=rubric)
    assert_valid("assessment", kt.to_dict(assessment))


@pytest.mark.parametrize("path", RUBRIC_FILES, ids=lambda p: p.stem)
def test_rubrics_are_valid(path: Path) -> None:
    doc = load(path)
    assert_valid("rubric", doc)
    assert_valid("rubric", kt.to_dict(kt.from_dict(doc, kt.Rubric)))  # defaults filled in


def _credential() -> tuple[dict[str, Any], dict[str, Any]]:
    import datetime as dt

    from kol_trust.certification import certify, generate_key
    from kol_trust.credentials import issue_credential

    case = kt.from_json(
        (importlib.resources.files("kol_trust") / "examples" / "01-high-trust-beauty-kol.json").read_bytes(), kt.Case
    )
    key = generate_key()
    day = dt.date(2026, 11, 29)
    cert = certify(kt.assess_case(case), issuer="NCA", issued_on=day, subject=case.subject)
    return kt.to_dict(cert), issue_credential(cert, key, status_list="https://nca.example/status/1", status_index=3)


CERTIFICATE, CREDENTIAL = _credential()


def test_certification_documents_are_valid() -> None:
    assert_valid("certificate", CERTIFICATE)
    assert_valid("certificate", dict(CERTIFICATE, subject_name=None))
    assert_valid("credential", CREDENTIAL)


@pytest.mark.parametrize(
    ("name", "path", "value"),
    [
        ("certificate", ("score",), 100.5),
        ("certificate", ("serial",), "-x"),
        ("certificate", ("issued_on",), "2026/11/29"),
        ("certificate", ("extra",), 1),
        ("certificate", ("tier_title", "vi"), ""),
        ("certificate", ("as_of",), "yesterday"),
        ("credential", ("credentialSubject", "score"), 100.5),
        ("credential", ("credentialSubject", "extra"), 1),
        ("credential", ("validFrom",), "2026-11-29"),
        ("credential", ("proof", "cryptosuite"), "eddsa-rdfc-2022"),
        ("credential", ("proof", "proofValue"), "uAAAA"),
        ("credential", ("credentialStatus", "statusListIndex"), "007"),
        ("credential", ("type",), ["VerifiableCredential"]),
    ],
)
def test_certification_mutations_are_rejected(name: str, path: tuple[str | int, ...], value: Any) -> None:
    doc = copy.deepcopy(CERTIFICATE if name == "certificate" else CREDENTIAL)
    set_at(*path, value=value)(doc)
    assert not VALIDATORS[name].is_valid(doc)
    if name == "certificate":
        with pytest.raises(kt.ValidationError):
            kt.from_dict(doc, Certificate)


# -- mutations: rejected by the loader and by the schema ---------------------------------

BASE: dict[str, Any] = {
    "case": load(VECTORS / "03-one-moderate-false-claim.json")["case"],
    "rubric": load(SPEC / "rubrics" / "kol-trust-1.0.0.json"),
    "assessment": load(VECTORS / "03-one-moderate-false-claim.json")["expected"],
}
VALUE_EV, INCIDENT_EV, CHANNEL = 0, 19, 0  # as in test_malformed.py

Mutation = Callable[[Any], None]


def set_at(*path: str | int, value: Any) -> Mutation:
    def mutate(doc: Any) -> None:
        for step in path[:-1]:
            doc = doc[step]
        doc[path[-1]] = copy.deepcopy(value)

    return mutate


def delete_at(*path: str | int) -> Mutation:
    def mutate(doc: Any) -> None:
        for step in path[:-1]:
            doc = doc[step]
        del doc[path[-1]]

    return mutate


EVV = ("evidence", VALUE_EV)
EVI = ("evidence", INCIDENT_EV)
CH = ("subject", "channels", CHANNEL)

REJECTED: dict[str, tuple[str, Mutation]] = {
    "case-unknown-key": ("case", set_at("extra", value=1)),
    "channel-unknown-key": ("case", set_at(*CH, "likes", value=10)),
    "subject-not-an-object": ("case", set_at("subject", value=[])),
    "subject-id-missing": ("case", delete_at("subject", "id")),
    "as_of-missing": ("case", delete_at("as_of")),
    "subject-id-pattern": ("case", set_at("subject", "id", value="-bad")),
    "subject-name-too-long": ("case", set_at("subject", "name", value="x" * 201)),
    "subject-kind-enum": ("case", set_at("subject", "kind", value="influencer")),
    "category-not-a-slug": ("case", set_at("subject", "categories", value=["Beauty"])),
    "channels-not-a-list": ("case", set_at("subject", "channels", value="tiktok")),
    "followers-negative": ("case", set_at(*CH, "followers", value=-1)),
    "verified-not-boolean": ("case", set_at(*CH, "verified", value="yes")),
    "jurisdiction-lowercase": ("case", set_at("subject", "jurisdiction", value="vn")),
    "value-above-one": ("case", set_at(*EVV, "value", value=1.5)),
    "value-a-string": ("case", set_at(*EVV, "value", value="0.5")),
    "value-a-boolean": ("case", set_at(*EVV, "value", value=True)),
    "sample_size-zero": ("case", set_at(*EVV, "sample_size", value=0)),
    "sample_size-fraction": ("case", set_at(*EVV, "sample_size", value=2.5)),
    "severity-enum": ("case", set_at(*EVI, "severity", value="fatal")),
    "status-enum": ("case", set_at(*EVV, "status", value="Active")),
    "digest-pattern": ("case", set_at(*EVV, "digest", value="sha256:XYZ")),
    "summary-too-long": ("case", set_at(*EVV, "summary", value="x" * 2001)),
    "as_of-slashes": ("case", set_at("as_of", value="2026/11/29")),
    "as_of-not-a-calendar-date": ("case", set_at("as_of", value="2026-02-30")),
    "observed_at-a-number": ("case", set_at(*EVV, "observed_at", value=20260101)),
    "case-rubric-version": ("case", set_at("rubric", value="1.0")),
    "rubric-no-pillars": ("rubric", set_at("pillars", value=[])),
    "rubric-version-pattern": ("rubric", set_at("version", value="v1")),
    "source-reliability-zero": ("rubric", set_at("sources", 0, "reliability", value=0)),
    "criterion-measure-enum": ("rubric", set_at("criteria", 0, "measure", value="average")),
    "criterion-weight-zero": ("rubric", set_at("criteria", 0, "weight", value=0)),
    "title-en-empty": ("rubric", set_at("title", "en", value="")),
    "gate-when-unknown-type": ("rubric", set_at("gates", 0, "when", "type", value="never")),
    "gate-when-type-missing": ("rubric", delete_at("gates", 0, "when", "type")),
    "gate-when-unknown-key": ("rubric", set_at("gates", 0, "when", "extra", value=1)),
    "tier-min-score-above-100": ("rubric", set_at("tiers", 0, "min_score", value=101)),
    "policy-max-age-zero": ("rubric", set_at("policy", "max_age_days", value=0)),
    "assessment-fingerprint-missing": ("assessment", delete_at("fingerprint")),
    "assessment-score-a-string": ("assessment", set_at("score", value="88.7")),
    "assessment-cause-enum": ("assessment", set_at("reasons", 0, "cause", value="bad-luck")),
    "assessment-unknown-key": ("assessment", set_at("criteria", 0, "comment", value="x")),
}

ACCEPTED: dict[str, tuple[str, Mutation]] = {
    "optional-null": ("case", set_at(*EVV, "status", value=None)),
    "optional-omitted": ("case", delete_at(*EVV, "sample_size")),
    "categories-null": ("case", set_at("subject", "categories", value=None)),
    "policy-null": ("rubric", set_at("policy", value=None)),
    "gate-cap-null": ("rubric", set_at("gates", 0, "cap", value=None)),
    "assessment-pillar-score-null": ("assessment", set_at("pillars", 0, "score", value=None)),
}


def mutated(name: str, mutation: Mutation) -> Any:
    doc = copy.deepcopy(BASE[name])
    mutation(doc)
    return doc


@pytest.mark.parametrize("key", REJECTED)
def test_loader_rejections_are_schema_rejections(key: str) -> None:
    name, mutation = REJECTED[key]
    doc = mutated(name, mutation)
    with pytest.raises(kt.ValidationError):
        kt.from_dict(doc, DOCUMENT_CLASSES[name])
    assert not VALIDATORS[name].is_valid(doc)


@pytest.mark.parametrize("key", ACCEPTED)
def test_loader_acceptances_are_schema_acceptances(key: str) -> None:
    name, mutation = ACCEPTED[key]
    doc = mutated(name, mutation)
    kt.from_dict(doc, DOCUMENT_CLASSES[name])
    assert_valid(name, doc)


def test_base_documents_have_the_expected_shape() -> None:
    case = BASE["case"]
    assert "value" in case["evidence"][VALUE_EV] and "severity" in case["evidence"][INCIDENT_EV]
    assert BASE["assessment"]["reasons"]
