"""The validated policy model: what a policy file means once it has been checked.

These are immutable values produced by :func:`caseflow.load_policies`; nothing in them
is executable. The compiler (:mod:`caseflow.engine.compiler`) turns them into rules a
backend runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from ..errors import PolicyIssue
from ..model._base import JsonDict
from .actions import ActionCatalogue
from .conditions import Condition
from .facts import FactRegistry
from .phrases import PhraseSet
from .source import YamlValue

__all__ = ["Action", "HitPolicy", "Policy", "PolicySet", "Rule"]

HitPolicy = Literal["first", "all"]


@dataclass(frozen=True)
class Action:
    type: str
    params: JsonDict  # the parameters as validated by the action's model, in JSON form
    line: int = 0
    column: int = 0

    def to_dict(self) -> JsonDict:
        return {"type": self.type, "params": dict(self.params)}


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    priority: int
    when: Condition
    then: tuple[Action, ...]
    line: int = 0
    column: int = 0
    order: int = 0  # position in the file: ties of priority keep file order


@dataclass(frozen=True)
class Policy:
    name: str
    version: str
    description: str
    hit_policy: HitPolicy
    rules: tuple[Rule, ...]
    effective_from: datetime | None = None
    effective_until: datetime | None = None
    params: dict[str, YamlValue] = field(default_factory=dict)  # as written under 'params:'
    source: str = "<memory>"
    phrases: dict[str, PhraseSet] = field(default_factory=dict)

    def is_effective(self, at: datetime) -> bool:
        if self.effective_from is not None and at < self.effective_from:
            return False
        if self.effective_until is not None and at >= self.effective_until:
            return False
        return True

    def ordered_rules(self) -> tuple[Rule, ...]:
        return tuple(sorted(self.rules, key=lambda r: (r.priority, r.order)))


@dataclass(frozen=True)
class PolicySet:
    """The policies of one load, with the fact namespace and action catalogue they were checked against."""

    policies: tuple[Policy, ...]
    facts: FactRegistry
    actions: ActionCatalogue
    warnings: tuple[PolicyIssue, ...] = ()

    def __iter__(self) -> Iterator[Policy]:
        return iter(self.policies)

    def __len__(self) -> int:
        return len(self.policies)

    def get(self, name: str) -> Policy:
        for p in self.policies:
            if p.name == name:
                return p
        raise KeyError(name)

    @property
    def rule_count(self) -> int:
        return sum(len(p.rules) for p in self.policies)
