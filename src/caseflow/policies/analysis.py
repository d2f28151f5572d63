"""Static analysis of policies: warnings ``caseflow validate`` prints beside the errors.

- ``policy-shadowed-rule``: under hit policy ``first``, a rule after an ``always`` rule, or
  after a rule with the same condition, can never act;
- ``policy-never-true``: a condition that can never hold (``order.amount < 10 CNY`` and
  ``order.amount > 20 CNY`` in one ``all``; two different ``==`` on one fact);
- ``policy-conflict``: two rules with the same condition whose actions contradict each other
  (approve vs reject a refund, different dispute outcomes) under hit policy ``all``;
- ``policy-sla-overlap``: one SLA metric and party targeted by more than one policy.

It also holds the one portable limit of the condition language (:func:`limit_issues`): a
condition may expand to at most :data:`MAX_ALTERNATIVES` alternatives once its negations are
pushed down to the tests, whatever backend runs it.

The analysis is conservative: it reports what it can prove from the tests' literals, and
says nothing where it cannot.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ..errors import PolicyIssue
from .conditions import AllOf, Always, AnyOf, Condition, FactRef, NotOf, Test
from .facts import FactRegistry, FactType
from .model import Policy

__all__ = ["MAX_ALTERNATIVES", "alternatives", "analyze", "limit_issues"]

MAX_ALTERNATIVES = 256

_CONFLICTS = [("approve_refund", "reject_refund")]


def _key(c: Condition) -> Any:
    """A structural key of a condition, without source positions."""
    if isinstance(c, Test):
        v = c.value
        return ("t", c.fact, c.op, repr(v), c.currency)
    if isinstance(c, Always):
        return ("always",)
    if isinstance(c, NotOf):
        return ("not", _key(c.child))
    kids = tuple(sorted((_key(k) for k in c.children), key=repr))
    return ("all" if isinstance(c, AllOf) else "any", kids)


def _conjuncts(c: Condition) -> list[Condition]:
    if isinstance(c, AllOf):
        out: list[Condition] = []
        for k in c.children:
            out.extend(_conjuncts(k))
        return out
    return [c]


def _num(v: Any) -> Decimal | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, Decimal)):
        return Decimal(v)
    if isinstance(v, float):
        return Decimal(repr(v))
    return None


def _never_true(c: Condition) -> str | None:
    """Why the conjunction in ``c`` can never hold, if the literals prove it."""
    bounds: dict[tuple[str, str | None], list[Any]] = {}  # (fact, currency) -> [low, low_strict, high, high_strict]
    equals: dict[tuple[str, str | None], set[str]] = {}
    for t in _conjuncts(c):
        if not isinstance(t, Test) or isinstance(t.value, FactRef):
            continue
        key = (t.fact, t.currency)
        if t.op == "eq":
            equals.setdefault(key, set()).add(repr(t.value))
        b = bounds.setdefault(key, [None, False, None, False])
        pairs: list[tuple[str, Any]] = []
        if t.op in ("lt", "le", "gt", "ge", "eq"):
            pairs = [(t.op, t.value)]
        elif t.op == "between":
            pairs = [("ge", t.value[0]), ("le", t.value[1])]
        for op, raw in pairs:
            v = _num(raw)
            if v is None:
                continue
            if op in ("gt", "ge", "eq") and (b[0] is None or v > b[0] or (v == b[0] and op == "gt")):
                b[0], b[1] = v, op == "gt"
            if op in ("lt", "le", "eq") and (b[2] is None or v < b[2] or (v == b[2] and op == "lt")):
                b[2], b[3] = v, op == "lt"
    for (fact, _cur), vals in equals.items():
        if len(vals) > 1:
            return f"{fact} cannot equal {' and '.join(sorted(vals))} at once"
    for (fact, cur), (lo, lo_s, hi, hi_s) in bounds.items():
        if lo is not None and hi is not None and (lo > hi or (lo == hi and (lo_s or hi_s))):
            unit = f" {cur}" if cur else ""
            return f"{fact} cannot be {'>' if lo_s else '>='} {lo}{unit} and {'<' if hi_s else '<='} {hi}{unit} at once"
    return None


def _walk(c: Condition) -> Iterable[Condition]:
    yield c
    if isinstance(c, (AllOf, AnyOf)):
        for k in c.children:
            yield from _walk(k)
    elif isinstance(c, NotOf):
        yield from _walk(c.child)


def analyze(policies: Iterable[Policy]) -> list[PolicyIssue]:
    out: list[PolicyIssue] = []
    sla_owner: dict[tuple[str, str], str] = {}
    for p in policies:

        def warn(rule: Any, code: str, msg: str, hint: str | None = None, source: str = p.source) -> None:
            out.append(PolicyIssue(source, rule.line, rule.column, code, msg, rule.id, hint, "warning"))

        ordered = p.ordered_rules()
        seen: dict[Any, str] = {}
        catch_all: str | None = None
        for r in ordered:
            key = _key(r.when)
            if p.hit_policy == "first":
                if catch_all is not None:
                    warn(
                        r,
                        "policy-shadowed-rule",
                        f"never acts: rule {catch_all!r} comes first and always matches",
                        "give this rule a lower priority number, or remove it",
                    )
                elif key in seen:
                    warn(
                        r, "policy-shadowed-rule", f"never acts: rule {seen[key]!r} comes first with the same condition"
                    )
            elif key in seen:
                other = next(x for x in ordered if x.id == seen[key])
                mine, theirs = {a.type for a in r.then}, {a.type for a in other.then}
                for a, b in _CONFLICTS:
                    if (a in mine and b in theirs) or (b in mine and a in theirs):
                        warn(
                            r,
                            "policy-conflict",
                            f"matches exactly the cases rule {other.id!r} matches, with {a} against {b}",
                        )
                outcomes = {a.params.get("outcome") for a in r.then if a.type == "decide_dispute"} | {
                    a.params.get("outcome") for a in other.then if a.type == "decide_dispute"
                }
                if len(outcomes - {None}) > 1:
                    warn(
                        r,
                        "policy-conflict",
                        f"matches exactly the cases rule {other.id!r} matches, with another dispute outcome",
                    )
            seen.setdefault(key, r.id)
            if isinstance(r.when, Always):
                catch_all = catch_all or r.id
            for sub in _walk(r.when):
                if isinstance(sub, AllOf) or sub is r.when:
                    why = _never_true(sub)
                    if why:
                        warn(r, "policy-never-true", f"the condition can never hold: {why}")
                        break
            for a in r.then:
                if a.type == "sla_target":
                    k = (a.params["metric"], a.params.get("party", "platform"))
                    if k in sla_owner and sla_owner[k] != p.name:
                        warn(
                            r,
                            "policy-sla-overlap",
                            f"SLA metric {k[0]!r} ({k[1]}) is also targeted by policy {sla_owner[k]!r}",
                            "a case would get two clocks for it; keep one policy per metric",
                        )
                    sla_owner.setdefault(k, p.name)
    return out


# (alternatives when the test holds, alternatives when it is negated): a negated test also holds
# when a fact it reads is missing, one more alternative per fact read
def _test_alternatives(t: Test, facts: FactRegistry) -> tuple[int, int]:
    op, spec = t.op, facts.lookup(t.fact)
    ftype = None if spec is None else spec.type
    if op in ("exists", "not_exists"):
        return 1, 1
    if op in ("in", "not_in") and ftype is not FactType.strings and len(t.value) > 1:
        n = len(t.value)  # one test per value: any of == (in), all of != (not in)
        return (n, 2**n) if op == "in" else (1, 2 * n)
    if isinstance(t.value, FactRef):  # both facts present, then the comparison
        if ftype is FactType.money:  # the currencies and the amounts
            return (2, 11) if op == "ne" else (1, 8)
        return 1, 5
    if ftype is FactType.money:  # the currency and the amount
        if op == "between":
            return 1, 8
        return (2, 4) if op == "ne" else (1, 4)
    if op == "between":
        return 1, 4
    return 1, 2


def alternatives(c: Condition, facts: FactRegistry, negated: bool = False) -> int:
    """How many alternatives ``c`` has in disjunctive normal form, its negations pushed down to the tests."""
    if isinstance(c, Test):
        pos, neg = _test_alternatives(c, facts)
        return neg if negated else pos
    if isinstance(c, Always):
        return 1
    if isinstance(c, NotOf):
        return alternatives(c.child, facts, not negated)
    kids = [alternatives(k, facts, negated) for k in c.children]
    if isinstance(c, AllOf) != negated:  # all, or a negated any: every combination
        n = 1
        for k in kids:
            n = min(n * k, 10**9)
        return n
    return sum(kids)


def limit_issues(policies: Iterable[Policy], facts: FactRegistry) -> list[PolicyIssue]:
    """Rules whose condition expands to more alternatives than any backend takes."""
    out: list[PolicyIssue] = []
    for p in policies:
        for r in p.rules:
            size = alternatives(r.when, facts)
            if size > MAX_ALTERNATIVES:
                out.append(
                    PolicyIssue(
                        p.source,
                        r.line,
                        r.column,
                        "policy-too-complex",
                        f"the condition expands to {size} alternatives; the rules engine takes at most {MAX_ALTERNATIVES}",
                        r.id,
                        "split the rule into several, or use fewer values in 'in' lists under 'any'",
                    )
                )
    return out
