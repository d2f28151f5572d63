"""The JSON Schema of policy files (``caseflow schema``), for editors.

yaml-language-server validates and completes a policy file that starts with::

    # yaml-language-server: $schema=../schema/policy.schema.json

Action parameters come from the action catalogue's pydantic models, so the schema follows the
catalogue (app actions included when generated with the app's catalogue). Conditions are
one-line tests; the schema lists the fact names in their description, and
``caseflow validate`` checks them fully.
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from .actions import ActionCatalogue, default_actions
from .facts import FactRegistry, default_facts

__all__ = ["policy_schema"]


def policy_schema(actions: ActionCatalogue | None = None, facts: FactRegistry | None = None) -> dict[str, Any]:
    actions = actions or default_actions()
    facts = facts or default_facts()
    specs = list(actions)
    _, defs = models_json_schema([(s.params, "validation") for s in specs], ref_template="#/$defs/{model}")
    all_defs: dict[str, Any] = dict(defs.get("$defs", {}))
    param_ref = {"type": "string", "pattern": "^\\$[A-Za-z_][A-Za-z0-9_]*$", "description": "a parameter of the policy"}
    for d in all_defs.values():  # any parameter may be given as $name, resolved from the policy's params
        for name, prop in list(d.get("properties", {}).items()):
            d["properties"][name] = {"anyOf": [prop, param_ref]}
    action_items = []
    names = []
    for s in specs:
        names.append(s.name)
        ref = {"$ref": f"#/$defs/{s.params.__name__}"}
        action_items.append(
            {
                "type": "object",
                "additionalProperties": False,
                "minProperties": 1,
                "maxProperties": 1,
                "properties": {s.name: {**ref, "description": s.description}},
                "required": [s.name],
            }
        )
    fact_list = ", ".join(f.name for f in facts)
    all_defs.update(
        {
            "test": {
                "type": "string",
                "minLength": 1,
                "description": "FACT OPERATOR VALUE, e.g. 'order.amount <= 200 CNY'. Facts: " + fact_list,
            },
            "condition": {
                "anyOf": [
                    {"$ref": "#/$defs/test"},
                    {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"}},
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "minProperties": 1,
                        "maxProperties": 1,
                        "properties": {
                            "all": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"}},
                            "any": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"}},
                            "not": {"$ref": "#/$defs/condition"},
                        },
                    },
                ]
            },
            "action": {"anyOf": [{"enum": names}, *action_items]},
            "rule": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "when", "then"],
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_.\\-]*$"},
                    "description": {"type": "string"},
                    "priority": {
                        "type": "integer",
                        "minimum": 0,
                        "maximum": 1000000,
                        "description": "lower acts first",
                    },
                    "enabled": {"type": "boolean"},
                    "when": {"$ref": "#/$defs/condition"},
                    "then": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/action"}},
                },
            },
        }
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/caseflow/caseflow/schema/policy.schema.json",
        "title": "caseflow policy",
        "type": "object",
        "additionalProperties": False,
        "required": ["policy", "version", "hit_policy", "rules"],
        "properties": {
            "policy": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_\\-]*$"},
            "version": {"type": ["string", "number"]},
            "description": {"type": "string"},
            "hit_policy": {
                "enum": ["first", "all"],
                "description": "first: the first matching rule by priority acts; all: every matching rule acts",
            },
            "effective": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"from": {"type": "string"}, "until": {"type": "string"}, "timezone": {"type": "string"}},
            },
            "params": {"type": "object"},
            "phrases": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                },
            },
            "rules": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/rule"}},
        },
        "$defs": all_defs,
    }
