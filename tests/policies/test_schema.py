"""The JSON Schema of policy files: valid, committed, and the shipped policies pass it."""

from __future__ import annotations

import json

from tests.helpers import run


def test_schema_is_valid_and_the_shipped_policies_pass_it(rules_dir, capsys):
    import jsonschema
    import yaml

    code, out, _ = run(["schema"], capsys)
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    committed = json.loads((rules_dir.parent / "src" / "caseflow" / "schemas" / "policy.schema.json").read_text())
    assert committed == schema, "src/caseflow/schemas/policy.schema.json is stale: run .ci/schemas --write"
    v = jsonschema.Draft202012Validator(schema)
    for f in [*rules_dir.glob("*.yaml"), *(rules_dir / "sla").glob("*.yaml")]:
        if f.name.endswith((".test.yaml", ".detectors.yaml", ".calendars.yaml")):
            continue
        assert not list(v.iter_errors(json.loads(json.dumps(yaml.safe_load(f.read_text()), default=str)))), f
        assert f.read_text().startswith("# yaml-language-server: $schema=")
    bad = {
        "policy": "x",
        "version": "1",
        "hit_policy": "first",
        "rules": [{"id": "a", "when": "always", "then": [{"escalate": {"severty": "high"}}]}],
    }
    assert list(v.iter_errors(bad))
