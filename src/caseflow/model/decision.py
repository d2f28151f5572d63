"""Decisions and their explanations: what the engine returns, as pydantic models.

A :class:`Decision` lists the actions to take in order, the rules that fired and the
policy versions used, with the evaluation time. ``decision.explain()`` returns an
:class:`Explanation`: for every rule of every policy, whether it matched and why,
condition by condition, with the fact values seen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, PrivateAttr

from ..errors import EvaluationError
from ._base import Frozen, trusted

__all__ = [
    "ConditionTrace",
    "Decision",
    "DecisionAction",
    "Explanation",
    "FiredRule",
    "PolicyRef",
    "PolicyTrace",
    "RuleTrace",
]


class DecisionAction(Frozen):
    type: str
    params: dict[str, Any] = Field(default_factory=dict)
    policy: str
    rule_id: str


class FiredRule(Frozen):
    policy: str
    version: str
    rule_id: str
    priority: int


class PolicyRef(Frozen):
    name: str
    version: str
    hit_policy: str
    effective: bool = True


class Decision(Frozen):
    case_id: str | None
    evaluated_at: datetime
    backend: str
    actions: list[DecisionAction] = Field(default_factory=list)
    matched_rules: list[FiredRule] = Field(default_factory=list, description="rules that fired, in order")
    policies: list[PolicyRef] = Field(default_factory=list)

    _explainer: Callable[[], Explanation] | None = PrivateAttr(default=None)

    @classmethod
    def _fast(
        cls,
        case_id: str | None,
        evaluated_at: datetime,
        backend: str,
        actions: list[DecisionAction],
        matched_rules: list[FiredRule],
        policies: list[PolicyRef],
        explainer: Callable[[], Explanation] | None,
    ) -> Decision:
        """Build from values the engine already validated (``tests/model/test_decision.py`` pins it against
        full validation)."""
        return trusted(
            cls,
            {
                "case_id": case_id,
                "evaluated_at": evaluated_at,
                "backend": backend,
                "actions": actions,
                "matched_rules": matched_rules,
                "policies": policies,
            },
            _ALL_FIELDS,
            {"_explainer": explainer},
        )

    @property
    def action_types(self) -> list[str]:
        return [a.type for a in self.actions]

    @property
    def rule_ids(self) -> list[str]:
        return [r.rule_id for r in self.matched_rules]

    def has_action(self, type: str) -> bool:
        return any(a.type == type for a in self.actions)

    def explain(self) -> Explanation:
        """Why each rule matched or not (needs the Decision as returned by an Engine)."""
        if self._explainer is None:
            raise EvaluationError(
                "this decision carries no explanation context (it was loaded from JSON); "
                "use Engine.explain(case) instead",
                code="decision-no-context",
            )
        return self._explainer()

    def summary(self) -> str:
        lines = [f"decision for case {self.case_id} at {self.evaluated_at.isoformat()} ({self.backend} backend)"]
        lines.append(
            "policies: "
            + ", ".join(f"{p.name}@{p.version}" + ("" if p.effective else " (not in effect)") for p in self.policies)
        )
        if not self.actions:
            lines.append("no rule fired: no action")
        for a in self.actions:
            params = ", ".join(f"{k}={v}" for k, v in a.params.items())
            lines.append(f"  - {a.type}({params})   <- {a.policy}/{a.rule_id}")
        return "\n".join(lines)


class ConditionTrace(Frozen):
    kind: Literal["test", "all", "any", "not", "always"]
    text: str
    result: bool
    seen: dict[str, str] = Field(default_factory=dict)
    line: int = 0
    children: list[ConditionTrace] = Field(default_factory=list)


class RuleTrace(Frozen):
    rule_id: str
    description: str
    priority: int
    matched: bool
    fired: bool
    note: str = ""
    line: int = 0
    condition: ConditionTrace
    actions: list[str] = Field(default_factory=list)


class PolicyTrace(Frozen):
    name: str
    version: str
    hit_policy: str
    source: str
    effective: bool
    rules: list[RuleTrace]


class Explanation(Frozen):
    case_id: str | None
    evaluated_at: datetime
    policies: list[PolicyTrace]

    def render(self, *, only_matched: bool = False) -> str:
        out = [f"explanation for case {self.case_id} at {self.evaluated_at.isoformat()}"]
        for p in self.policies:
            state = "" if p.effective else "  (not in effect at this time: no rule was evaluated)"
            out.append(f"policy {p.name} {p.version} [hit policy: {p.hit_policy}] {p.source}{state}")
            for r in p.rules:
                if only_matched and not r.matched:
                    continue
                mark = "FIRED" if r.fired else ("matched" if r.matched else "no match")
                note = f" ({r.note})" if r.note else ""
                out.append(f"  rule {r.rule_id} (priority {r.priority}, line {r.line}): {mark}{note}")
                _render_condition(r.condition, out, "    ")
                if r.fired:
                    out.append("    then: " + "; ".join(r.actions))
        return "\n".join(out)

    def __str__(self) -> str:
        return self.render()


def _render_condition(c: ConditionTrace, out: list[str], indent: str) -> None:
    mark = "yes" if c.result else "no "
    if c.kind == "test":
        seen = ", ".join(f"{k} = {v}" for k, v in c.seen.items())
        out.append(f"{indent}[{mark}] {c.text}" + (f"   (seen: {seen})" if seen else ""))
    elif c.kind == "always":
        out.append(f"{indent}[{mark}] always")
    else:
        out.append(f"{indent}[{mark}] {c.kind}:")
        for k in c.children:
            _render_condition(k, out, indent + "    ")


ConditionTrace.model_rebuild()
_ALL_FIELDS = frozenset(Decision.model_fields)
