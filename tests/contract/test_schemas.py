"""The JSON Schemas shipped in the package are what `caseflow schema KIND` generates, and every shipped
YAML file names its schema in a yaml-language-server modeline and validates against it."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

from caseflow.tools.cli import SCHEMA_KINDS, main

from ..helpers import ROOT


def _shipped_yaml() -> list[Path]:
    definitions = ROOT / "src" / "caseflow" / "states" / "definitions"
    authorities = ROOT / "src" / "caseflow" / "policies" / "data" / "authorities"
    return sorted([*(ROOT / "rules").rglob("*.yaml"), *definitions.glob("*.yaml"), *authorities.glob("*.yaml")])


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_the_shipped_schema_is_the_generated_one(kind, capsys):
    assert main(["schema", kind]) == 0
    generated = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(generated)
    shipped = json.loads(resources.files("caseflow").joinpath("schemas", f"{kind}.schema.json").read_text("utf-8"))
    assert shipped == generated, f"src/caseflow/schemas/{kind}.schema.json is stale: run .ci/schemas --write"


@pytest.mark.parametrize("path", _shipped_yaml(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_yaml_file_names_its_schema_and_passes_it(path):
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    assert first.startswith("# yaml-language-server: $schema="), first
    schema_path = (path.parent / first.split("=", 1)[1]).resolve()
    assert schema_path.parent == (ROOT / "src" / "caseflow" / "schemas").resolve()
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    data = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
    errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(data)]
    assert errors == [], errors
