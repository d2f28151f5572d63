"""The shape of a policy file, as pydantic models, and the JSON Schema generated from them (``caseflow schema``).

The loader (:mod:`.loader`) takes its keys, patterns and bounds from these models, and the JSON
Schema editors use is generated from the same models, so the two cannot drift apart.
yaml-language-server validates and completes a policy file that starts with::

    # yaml-language-server: $schema=../schema/policy.schema.json

Action parameters come from the action catalogue's pydantic models, so the schema follows the
catalogue (app actions included when generated with the app's catalogue). Conditions are
one-line tests; the schema lists the fact names in their description, and
``caseflow validate`` checks them fully.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema
from pydantic.json_schema import JsonSchemaValue, models_json_schema

from ..model._base import JsonDict
from .actions import ActionCatalogue, default_actions
from .facts import FactRegistry, default_facts

__all__ = [
    "DEFAULT_PRIORITY",
    "LANGUAGE_PATTERN",
    "MAX_PRIORITY",
    "EffectiveDocument",
    "PolicyDocument",
    "RuleDocument",
    "Document",
    "document_keys",
    "document_schema",
    "field_pattern",
    "policy_schema",
]

SCHEMA_BASE = "https://github.com/caseflow/caseflow/schema/"

NAME_PATTERN = r"^[a-z0-9][a-z0-9_\-]*$"
RULE_ID_PATTERN = r"^[a-z0-9][a-z0-9_.\-]*$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[a-z]{2,4})?$"
DEFAULT_PRIORITY = 100
MAX_PRIORITY = 1_000_000

# placeholders, replaced by references to the definitions made from the facts and the action catalogue
# (``object``: the loader checks them; for pydantic it is the same as Any, so the schema is unchanged)
_Condition = Annotated[object, WithJsonSchema({"x-caseflow-def": "condition"})]
_Action = Annotated[object, WithJsonSchema({"x-caseflow-def": "action"})]


def _resolve(node: Any) -> Any:
    if isinstance(node, dict):
        if "x-caseflow-def" in node:
            return {
                **{k: v for k, v in node.items() if k != "x-caseflow-def"},
                "$ref": f"#/$defs/{node['x-caseflow-def']}",
            }
        return {k: _resolve(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v) for v in node]
    return node


class Document(BaseModel):
    """Base of the document models: a key they do not declare is an error."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class EffectiveDocument(Document):
    """When a policy is in effect (a peak season, a promotion); dates without an offset use ``timezone``."""

    from_: str | date | datetime | None = Field(default=None, alias="from")
    until: str | date | datetime | None = None
    timezone: str | None = Field(default=None, description="an IANA time zone such as Asia/Shanghai")


class RuleDocument(Document):
    id: str = Field(pattern=RULE_ID_PATTERN)
    description: str = ""
    priority: int = Field(default=DEFAULT_PRIORITY, ge=0, le=MAX_PRIORITY, description="lower acts first")
    enabled: bool = True
    when: _Condition
    then: list[_Action] = Field(min_length=1)


class PolicyDocument(Document):
    policy: str = Field(pattern=NAME_PATTERN)
    version: str | int | float
    description: str = ""
    hit_policy: Literal["first", "all"] = Field(
        description="first: the first matching rule by priority acts; all: every matching rule acts"
    )
    effective: EffectiveDocument | None = None
    params: dict[str, object] = Field(default_factory=dict)
    phrases: dict[str, dict[str, Annotated[list[str], Field(min_length=1)]]] = Field(
        default_factory=dict, description="phrase sets: name -> language (en, zh, id, vi ...) or 'except' -> phrases"
    )
    rules: list[RuleDocument] = Field(min_length=1)


def document_keys(model: type[BaseModel]) -> set[str]:
    """The keys a document of ``model`` may hold (aliases where a field has one)."""
    return {f.alias or name for name, f in model.model_fields.items()}


def field_pattern(model: type[BaseModel], name: str) -> re.Pattern[str]:
    """The regex a string field of ``model`` must match."""
    for m in model.model_fields[name].metadata:
        pattern = getattr(m, "pattern", None)
        if isinstance(pattern, str):
            return re.compile(pattern)
    raise KeyError(f"{model.__name__}.{name} has no pattern")  # pragma: no cover - a programming error


def document_schema(model: type[BaseModel], kind: str, title: str) -> JsonDict:
    """The JSON Schema (draft 2020-12) generated from a document model; ``kind`` names its file."""
    body = model.model_json_schema(ref_template="#/$defs/{model}")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_BASE}{kind}.schema.json",
        **body,
        "title": title,
    }


def policy_schema(actions: ActionCatalogue | None = None, facts: FactRegistry | None = None) -> JsonDict:
    """The JSON Schema (draft 2020-12) of a policy file, for this action catalogue and fact namespace."""
    actions = actions or default_actions()
    facts = facts or default_facts()
    specs = list(actions)
    _, defs = models_json_schema(
        [(PolicyDocument, "validation"), *((s.params, "validation") for s in specs)], ref_template="#/$defs/{model}"
    )
    all_defs: dict[str, JsonSchemaValue] = _resolve(dict(defs.get("$defs", {})))
    param_ref = {"type": "string", "pattern": "^\\$[A-Za-z_][A-Za-z0-9_]*$", "description": "a parameter of the policy"}
    for s in specs:  # any action parameter may be given as $name, resolved from the policy's params
        d = all_defs[s.params.__name__]
        for name, prop in list(d.get("properties", {}).items()):
            d["properties"][name] = {"anyOf": [prop, param_ref]}
    action_items = [
        {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "maxProperties": 1,
            "properties": {s.name: {"$ref": f"#/$defs/{s.params.__name__}", "description": s.description}},
            "required": [s.name],
        }
        for s in specs
    ]
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
            "action": {"anyOf": [{"enum": [s.name for s in specs]}, *action_items]},
        }
    )
    top = all_defs.pop(PolicyDocument.__name__)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_BASE}policy.schema.json",
        "title": "caseflow policy",
        **{k: v for k, v in top.items() if k != "title"},
        "$defs": all_defs,
    }
