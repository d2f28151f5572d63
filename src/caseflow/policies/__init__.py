"""Policy files: YAML -> a validated policy model. Knows no backend.

Data flows one way: :mod:`.source` (the one YAML reader: text to located data) -> :mod:`.loader`
(checked against :mod:`.facts`, :mod:`.conditions`, :mod:`.actions` and :mod:`.phrases`) ->
:mod:`.model` (immutable policies), with :mod:`.analysis` (warnings and the portable limits)
and :mod:`.schema` (the JSON Schema of policy files).
"""

from .actions import ActionCatalogue, ActionSpec, default_actions
from .facts import FactRegistry, FactSpec, FactType, default_facts
from .loader import load_policies, load_policy_text
from .model import Action, Policy, PolicySet, Rule

__all__ = [
    "Action",
    "ActionCatalogue",
    "ActionSpec",
    "FactRegistry",
    "FactSpec",
    "FactType",
    "Policy",
    "PolicySet",
    "Rule",
    "default_actions",
    "default_facts",
    "load_policies",
    "load_policy_text",
]
