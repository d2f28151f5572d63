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
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from ..errors import PolicyIssue
from .conditions import AllOf, Always, AnyOf, Condition, FactRef, NotOf, Test
from .facts import FactRegistry, FactType
from .model import Policy, Rule

__all__ = ["MAX_ALTERNATIVES", "alternatives", "analyze", "limit_issues"]

MAX_ALTERNATIVES = 256

_CONFLICTS = [("approve_refund", "reject_refund")]

_Key = tuple[object, ...]  # a condition's structure, without source positions


class _Quantity(NamedTuple):
    """What the tests of a conjunction bound: a fact, in one currency for money."""

    fact: str
    currency: str | None


class _Limit(NamedTuple):
    """One bound a test puts on its fact: ``op`` (lt le gt ge eq) and the literal."""

    op: str
    value: object


@dataclass
class _Range:
    """The values a fact may still take, as its tests so far prove: above ``low``, below ``high``."""

    low: Decimal | None = None
    low_strict: bool = False
    high: Decimal | None = None
    high_strict: bool = False

    def narrow(self, op: str, v: Decimal) -> None:
        if op in ("gt", "ge", "eq") and (self.low is None or v > self.low or (v == self.low and op == "gt")):
            self.low, self.low_strict = v, op == "gt"
        if op in ("lt", "le", "eq") and (self.high is None or v < self.high or (v == self.high and op == "lt")):
            self.high, self.high_strict = v, op == "lt"

    def is_empty(self) -> bool:
        lo, hi = self.low, self.high
        return lo is not None and hi is not None and (lo > hi or (lo == hi and (self.low_strict or self.high_strict)))


class _SlaTarget(NamedTuple):
    """An SLA clock a policy sets: one metric, for one party."""

    metric: str
    party: str


class _Warning(NamedTuple):
    """A warning about one rule, before it is located in its file."""

    code: str
    message: str
    hint: str | None = None


def _key(c: Condition) -> _Key:
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


def _num(v: object) -> Decimal | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | Decimal):
        return Decimal(v)
    if isinstance(v, float):
        return Decimal(repr(v))
    return None


def _limits(t: Test) -> list[_Limit]:
    if t.op in ("lt", "le", "gt", "ge", "eq"):
        return [_Limit(t.op, t.value)]
    if t.op == "between" and isinstance(t.value, tuple):
        return [_Limit("ge", t.value[0]), _Limit("le", t.value[1])]
    return []


def _never_true(c: Condition) -> str | None:
    """Why the conjunction in ``c`` can never hold, if the literals prove it."""
    ranges: dict[_Quantity, _Range] = {}
    equals: dict[_Quantity, set[str]] = {}
    for t in _conjuncts(c):
        if not isinstance(t, Test) or isinstance(t.value, FactRef):
            continue
        q = _Quantity(t.fact, t.currency)
        if t.op == "eq":
            equals.setdefault(q, set()).add(repr(t.value))
        r = ranges.setdefault(q, _Range())
        for limit in _limits(t):
            v = _num(limit.value)
            if v is not None:
                r.narrow(limit.op, v)
    for q, vals in equals.items():
        if len(vals) > 1:
            return f"{q.fact} cannot equal {' and '.join(sorted(vals))} at once"
    for q, r in ranges.items():
        if r.is_empty():
            unit = f" {q.currency}" if q.currency else ""
            low = f"{'>' if r.low_strict else '>='} {r.low}{unit}"
            high = f"{'<' if r.high_strict else '<='} {r.high}{unit}"
            return f"{q.fact} cannot be {low} and {high} at once"
    return None


def _walk(c: Condition) -> Iterable[Condition]:
    yield c
    if isinstance(c, AllOf | AnyOf):
        for k in c.children:
            yield from _walk(k)
    elif isinstance(c, NotOf):
        yield from _walk(c.child)


def analyze(policies: Iterable[Policy]) -> list[PolicyIssue]:
    """The warnings of the policies, rule by rule in each policy's order (see the module docstring)."""
    out: list[PolicyIssue] = []
    sla_owner: dict[_SlaTarget, str] = {}
    for p in policies:
        ordered = p.ordered_rules()
        seen: dict[_Key, str] = {}  # condition -> the first rule with it
        catch_all: str | None = None
        for r in ordered:
            key = _key(r.when)
            found = _order_warnings(p, r, ordered, seen.get(key), catch_all)
            found += _never_true_warnings(r)
            found += _sla_warnings(p, r, sla_owner)
            out.extend(
                PolicyIssue(p.source, r.line, r.column, w.code, w.message, r.id, w.hint, "warning") for w in found
            )
            seen.setdefault(key, r.id)
            if isinstance(r.when, Always):
                catch_all = catch_all or r.id
    return out


def _order_warnings(
    p: Policy, r: Rule, ordered: tuple[Rule, ...], same: str | None, catch_all: str | None
) -> list[_Warning]:
    """A rule after a catch-all or after the same condition: shadowed (hit policy ``first``) or in conflict."""
    if p.hit_policy == "first":
        if catch_all is not None:
            return [
                _Warning(
                    "policy-shadowed-rule",
                    f"never acts: rule {catch_all!r} comes first and always matches",
                    "give this rule a lower priority number, or remove it",
                )
            ]
        if same is not None:
            return [_Warning("policy-shadowed-rule", f"never acts: rule {same!r} comes first with the same condition")]
        return []
    if same is None:
        return []
    return _conflicts(r, next(x for x in ordered if x.id == same))


def _conflicts(r: Rule, other: Rule) -> list[_Warning]:
    """Contradicting actions of two rules that match exactly the same cases."""
    out: list[_Warning] = []
    mine, theirs = {a.type for a in r.then}, {a.type for a in other.then}
    for a, b in _CONFLICTS:
        if (a in mine and b in theirs) or (b in mine and a in theirs):
            out.append(
                _Warning(
                    "policy-conflict", f"matches exactly the cases rule {other.id!r} matches, with {a} against {b}"
                )
            )
    outcomes = {a.params.get("outcome") for a in r.then if a.type == "decide_dispute"} | {
        a.params.get("outcome") for a in other.then if a.type == "decide_dispute"
    }
    if len(outcomes - {None}) > 1:
        out.append(
            _Warning(
                "policy-conflict", f"matches exactly the cases rule {other.id!r} matches, with another dispute outcome"
            )
        )
    return out


def _never_true_warnings(r: Rule) -> list[_Warning]:
    for sub in _walk(r.when):
        if isinstance(sub, AllOf) or sub is r.when:
            why = _never_true(sub)
            if why:
                return [_Warning("policy-never-true", f"the condition can never hold: {why}")]
    return []


def _sla_warnings(p: Policy, r: Rule, sla_owner: dict[_SlaTarget, str]) -> list[_Warning]:
    """SLA metrics this rule targets that another policy targets already (``sla_owner``: the first policy of each)."""
    out: list[_Warning] = []
    for a in r.then:
        if a.type == "sla_target":
            k = _SlaTarget(str(a.params["metric"]), str(a.params.get("party", "platform")))
            if k in sla_owner and sla_owner[k] != p.name:
                out.append(
                    _Warning(
                        "policy-sla-overlap",
                        f"SLA metric {k.metric!r} ({k.party}) is also targeted by policy {sla_owner[k]!r}",
                        "a case would get two clocks for it; keep one policy per metric",
                    )
                )
            sla_owner.setdefault(k, p.name)
    return out


class _Alternatives(NamedTuple):
    """The alternatives of one test: when it holds, and when it is negated (a negated test also holds
    when a fact it reads is missing: one more alternative per fact read)."""

    holds: int
    negated: int


def _test_alternatives(t: Test, facts: FactRegistry) -> _Alternatives:
    op, spec = t.op, facts.lookup(t.fact)
    ftype = None if spec is None else spec.type
    if op in ("exists", "not_exists"):
        return _Alternatives(1, 1)
    if op in ("in", "not_in") and ftype is not FactType.strings and isinstance(t.value, tuple) and len(t.value) > 1:
        n = len(t.value)  # one test per value: any of == (in), all of != (not in)
        return _Alternatives(n, 2**n) if op == "in" else _Alternatives(1, 2 * n)
    if isinstance(t.value, FactRef):  # both facts present, then the comparison
        if ftype is FactType.money:  # the currencies and the amounts
            return _Alternatives(2, 11) if op == "ne" else _Alternatives(1, 8)
        return _Alternatives(1, 5)
    if ftype is FactType.money:  # the currency and the amount
        if op == "between":
            return _Alternatives(1, 8)
        return _Alternatives(2, 4) if op == "ne" else _Alternatives(1, 4)
    if op == "between":
        return _Alternatives(1, 4)
    return _Alternatives(1, 2)


def alternatives(c: Condition, facts: FactRegistry, negated: bool = False) -> int:
    """How many alternatives ``c`` has in disjunctive normal form, its negations pushed down to the tests."""
    if isinstance(c, Test):
        counts = _test_alternatives(c, facts)
        return counts.negated if negated else counts.holds
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
                        f"the condition expands to {size} alternatives; "
                        f"the rules engine takes at most {MAX_ALTERNATIVES}",
                        r.id,
                        "split the rule into several, or use fewer values in 'in' lists under 'any'",
                    )
                )
    return out
