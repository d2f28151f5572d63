"""Build an :class:`~caseflow.model.Explanation` from compiled rules and the facts seen.

The explanation re-evaluates every rule of every policy with the python evaluator, test
by test, so it can say for each rule why it matched or why not, and which values of which
facts it saw. It never changes the decision: the backend decided; this reports.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from ..model.decision import ConditionTrace, Explanation, PolicyTrace, RuleTrace
from ..model.money import Money
from ..policies.conditions import AllOf, Always, AnyOf, Condition, FactRef, NotOf, Test
from ..policies.model import Action
from ..policies.phrases import PhraseMatch, PhraseSet
from ..policies.text import normalization_steps, prepare
from .backends.base import Facts
from .backends.python import compile_fact_predicate
from .compiler import CNode, CompiledSet

__all__ = ["build_explanation", "format_value"]


def format_value(value: object, now: datetime | None = None) -> str:
    """A fact's value as an explanation shows it: ``missing``, money with its currency, times with their age."""
    if value is None:
        return "missing"
    if isinstance(value, Money):
        return f"{value.amount} {value.currency}"
    if isinstance(value, datetime):
        text = value.isoformat()
        if now is not None:
            days = (now - value).total_seconds() / 86400
            text += f" ({days:.1f} days ago)" if days >= 0 else f" (in {-days:.1f} days)"
        return text
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e6 else f"{value:.0f}"
    if isinstance(value, str):
        return repr(value if len(value) <= 80 else value[:77] + "...")
    if isinstance(value, (list, tuple, set, frozenset)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def _trace(
    c: Condition,
    tests: dict[int, CNode],
    cs: CompiledSet,
    facts: Facts,
    now: datetime,
    params: Mapping[str, object] | None = None,
) -> ConditionTrace:
    params = params or {}
    if isinstance(c, Test):
        result = compile_fact_predicate(tests[id(c)], cs)(facts, now)
        return ConditionTrace(kind="test", text=c.text, result=result, seen=_seen(c, facts, now, params), line=c.line)
    if isinstance(c, Always):
        return ConditionTrace(kind="always", text="always", result=True, line=c.line)
    if isinstance(c, NotOf):
        kid = _trace(c.child, tests, cs, facts, now, params)
        return ConditionTrace(kind="not", text="not", result=not kid.result, line=c.line, children=[kid])
    kids = [_trace(k, tests, cs, facts, now, params) for k in c.children]
    if isinstance(c, AllOf):
        return ConditionTrace(kind="all", text="all", result=all(k.result for k in kids), line=c.line, children=kids)
    assert isinstance(c, AnyOf)
    return ConditionTrace(kind="any", text="any", result=any(k.result for k in kids), line=c.line, children=kids)


def _seen(c: Test, facts: Facts, now: datetime, params: Mapping[str, object]) -> dict[str, str]:
    """What a test saw: its facts' values (with the explanation a signal provider gave with a value), the
    text a text test read (after normalization, when it differs, and the steps that changed it), the
    phrases a ``mentions`` found and where, the ``$parameters`` it uses."""
    value = facts.get(c.fact)
    seen = {c.fact: format_value(value, now)}
    _because(seen, c.fact, value)
    if isinstance(c.value, FactRef):
        other = facts.get(c.value.name)
        seen[c.value.name] = format_value(other, now)
        _because(seen, c.value.name, other)
    if c.op in ("contains", "matches", "mentions") and isinstance(value, str):
        norm = prepare(value).norm  # what the test read (docs/policy-format.md, "Text conditions")
        if norm != value:
            seen["after normalization"] = format_value(norm)
            steps = normalization_steps(value)
            if steps:
                seen["normalization"] = ", ".join(steps)
    if c.op == "mentions" and isinstance(value, str) and isinstance(c.value, PhraseSet):
        found = c.value.find(value, limit=_MAX_FOUND)
        listed = dict.fromkeys(repr(m.phrase) + _why(m) for m in found)  # each phrase and verdict once
        more = "+" if len(found) >= _MAX_FOUND else ""  # the walk stopped there: there may be more
        seen["phrases found"] = (", ".join(listed) + (", ..." if more else "")) or "none"
        if found:
            seen["matched words"] = "; ".join(_where(c.fact, prepare(value).norm, m) for m in found[:_MAX_SHOWN])
            if len(found) > _MAX_SHOWN:
                seen["matched words"] += f"; ... ({len(found) - _MAX_SHOWN}{more} more)"
    for name in _PARAM.findall(c.text):
        if name in params:
            seen["$" + name] = format_value(params[name])
    return seen


_MAX_SHOWN = 8  # occurrences an explanation describes
_MAX_FOUND = 64  # occurrences an explanation looks at (a text may repeat a phrase 100,000 times)
_EXCERPT = 24  # characters shown on each side of an occurrence


def _because(seen: dict[str, str], name: str, value: object) -> None:
    """The explanation a value carries (a signal provider's, ``caseflow.risk.signals``), shown beside it."""
    why = getattr(value, "explanation", None)
    if isinstance(why, str) and why:
        seen[f"why {name}"] = why


def _why(m: PhraseMatch) -> str:
    if m.counted:
        notes = ([f"with {m.context!r}"] if m.context else []) + ([m.note] if m.note else [])
        return f" ({'; '.join(notes)})" if notes else ""
    return f" ({m.why_not}: {m.cue!r})" if m.cue else f" ({m.why_not})"


def _where(fact: str, norm: str, m: PhraseMatch) -> str:
    """An occurrence as an explanation describes it: its words, language, field (the message of a joined
    text) and surroundings, and whether it counted."""
    end = m.end if m.end >= 0 else m.start + len(m.phrase)
    line = norm.count("\n", 0, m.start)
    field = f"{fact}, message {line + 1}" if "\n" in norm else fact
    left = max(norm.rfind("\n", 0, m.start) + 1, m.start - _EXCERPT)
    right = norm.find("\n", end)
    right = min(len(norm) if right < 0 else right, end + _EXCERPT)
    excerpt = ("…" if left > 0 and norm[left - 1] != "\n" else "") + norm[left : m.start]
    excerpt += f"[{norm[m.start : end]}]" + norm[end:right] + ("…" if right < len(norm) and norm[right] != "\n" else "")
    verdict = "counts" if m.counted else f"does not count: {m.why_not}" + (f" ({m.cue!r})" if m.cue else "")
    if m.counted and m.context:
        verdict += f", with {m.context!r} in its sentence"
    if m.counted and m.note:
        verdict += f": {m.note}"
    return f"{m.phrase!r} ({m.language}) in {field}: {excerpt!r} {verdict}"


def _action_text(a: Action) -> str:
    params = ", ".join(f"{k}={v}" for k, v in a.params.items())
    return f"{a.type}({params})"


def build_explanation(
    cs: CompiledSet,
    facts: Facts,
    active: list[bool],
    fired: list[list[int]],
    *,
    case_id: str | None,
    now: datetime,
) -> Explanation:
    """``facts`` answers ``None`` for a missing fact (a :class:`~caseflow.policies.facts.GivenFacts`)."""
    policies = []
    for cp, on, hits in zip(cs.policies, active, fired, strict=True):
        fired_set = set(hits)
        first_fired = hits[0] if hits else None
        rules = []
        for cr in cp.rules:
            cond = _trace(cr.rule.when, cr.tests, cs, facts, now, cp.policy.params)
            matched = cond.result and on
            note = ""
            if not on:
                note = "policy not in effect"
            elif matched and cr.index not in fired_set and cp.policy.hit_policy == "first" and first_fired is not None:
                note = f"hit policy 'first': rule {cp.rules[first_fired].rule.id} fired before it"
            rules.append(
                RuleTrace(
                    rule_id=cr.rule.id,
                    description=cr.rule.description,
                    priority=cr.rule.priority,
                    matched=matched,
                    fired=cr.index in fired_set,
                    note=note,
                    line=cr.rule.line,
                    condition=cond,
                    actions=[_action_text(a) for a in cr.rule.then],
                )
            )
        policies.append(
            PolicyTrace(
                name=cp.policy.name,
                version=cp.policy.version,
                hit_policy=cp.policy.hit_policy,
                source=cp.policy.source,
                effective=on,
                rules=rules,
            )
        )
    return Explanation(case_id=case_id, evaluated_at=now, policies=policies)
