"""The python backend: the compiled condition trees evaluated by plain closures.

It reads (and so derives) each fact only when a test needs it. It is also what explanations
use, and the test suite checks with hypothesis that it agrees with the durable backend.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from time import perf_counter
from typing import Any

from ..compiler import CAll, CAny, CLeaf, CNode, CNot, CompiledSet, LeafValue, slot_maker
from .base import BudgetExceeded, FactPredicate, Facts

__all__ = ["PythonBackend", "compile_fact_predicate"]

_Getter = Callable[[Facts, datetime], object]  # a slot's value read from the facts

# slot values are compared as they are: the compiler makes both sides of a comparison the same kind
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}


def _fact_leaf(n: CLeaf, cs: CompiledSet) -> FactPredicate:
    """A leaf evaluated straight from a facts mapping: the fact is read (and derived) only now."""
    s = cs.slots[n.slot]
    name = s.fact
    if s.view == "const":
        return lambda f, now: n.value is True
    if s.view == "present":
        want = n.value
        return (lambda f, now: f[name] is not None) if want is True else (lambda f, now: f[name] is None)
    mk = slot_maker(s, cs.facts)
    if n.rhs_slot is not None:
        r = cs.slots[n.rhs_slot]
        rname, rmk = r.fact, slot_maker(r, cs.facts)
        op = _OPS[n.cmp]
        lget: _Getter = (lambda f, now: f[name]) if mk is None else (lambda f, now: mk(f[name], now))
        rget: _Getter = (lambda f, now: f[rname]) if rmk is None else (lambda f, now: rmk(f[rname], now))
        return lambda f, now: (a := lget(f, now)) is not None and (b := rget(f, now)) is not None and op(a, b)
    lit = n.value
    c = n.cmp
    if mk is None:
        if c == "eq":
            return lambda f, now: f[name] == lit
        op = _OPS[c]
        return lambda f, now: (a := f[name]) is not None and op(a, lit)
    if c == "eq":
        if lit is True:
            return lambda f, now: mk(f[name], now) is True
        if lit is False:
            return lambda f, now: mk(f[name], now) is False
        return lambda f, now: mk(f[name], now) == lit
    op = _OPS[c]
    return lambda f, now: (a := mk(f[name], now)) is not None and op(a, lit)


def _membership(node: CAll | CAny, cs: CompiledSet) -> FactPredicate | None:
    """``x in [a, b, c]`` (an any of ==) and ``x not in [...]`` (an all of !=) as one set lookup."""
    kids = node.children
    want = "eq" if isinstance(node, CAny) else "ne"
    leaves = [k for k in kids if isinstance(k, CLeaf) and k.cmp == want and k.rhs_slot is None]
    if len(kids) < 2 or len(leaves) != len(kids):
        return None
    slots = {k.slot for k in leaves}
    if len(slots) != 1:
        return None
    s = cs.slots[slots.pop()]
    mk = slot_maker(s, cs.facts)
    if s.view in ("present", "const"):
        return None
    values = frozenset(k.value for k in leaves)
    name = s.fact
    if want == "eq":
        if mk is None:
            return lambda f, now: f[name] in values
        return lambda f, now: mk(f[name], now) in values
    if mk is None:
        return lambda f, now: (a := f[name]) is not None and a not in values
    return lambda f, now: (a := mk(f[name], now)) is not None and a not in values


def compile_fact_predicate(node: CNode, cs: CompiledSet) -> FactPredicate:
    """A closure evaluating ``node`` on a facts mapping, reading (and so deriving) each fact only
    when a test needs it; a missing fact makes every comparison on it false."""
    if isinstance(node, CLeaf):
        return _fact_leaf(node, cs)
    if isinstance(node, CNot):
        g = compile_fact_predicate(node.child, cs)
        return lambda f, now: not g(f, now)
    member = _membership(node, cs)
    if member is not None:
        return member
    fs = [compile_fact_predicate(k, cs) for k in node.children]
    if len(fs) == 1:
        return fs[0]
    return _all_of(fs) if isinstance(node, CAll) else _any_of(fs)


def _all_of(fs: list[FactPredicate]) -> FactPredicate:
    """All of two or more predicates, in order, stopping at the first false (unrolled for two and three)."""
    if len(fs) == 2:
        a, b = fs
        return lambda f, now: a(f, now) and b(f, now)
    if len(fs) == 3:
        a, b, c = fs
        return lambda f, now: a(f, now) and b(f, now) and c(f, now)
    gs = tuple(fs)

    def all_of(f: Facts, now: datetime) -> bool:
        for g in gs:
            if not g(f, now):
                return False
        return True

    return all_of


def _any_of(fs: list[FactPredicate]) -> FactPredicate:
    """Any of two or more predicates, in order, stopping at the first true (unrolled for two)."""
    if len(fs) == 2:
        a, b = fs
        return lambda f, now: a(f, now) or b(f, now)
    gs = tuple(fs)

    def any_of(f: Facts, now: datetime) -> bool:
        for g in gs:
            if g(f, now):
                return True
        return False

    return any_of


def _required_values(tree: CNode, cs: CompiledSet) -> dict[int, frozenset[LeafValue]]:
    """Plain-valued slots the rule requires to equal one of some values (a top-level ``==`` or ``in``)."""
    out: dict[int, frozenset[LeafValue]] = {}
    kids = tree.children if isinstance(tree, CAll) else (tree,)
    for k in kids:
        if isinstance(k, CLeaf):
            leaves: tuple[CLeaf, ...] = (k,)
        elif isinstance(k, CAny) and all(isinstance(x, CLeaf) for x in k.children):
            leaves = tuple(x for x in k.children if isinstance(x, CLeaf))
        else:
            continue
        if not all(x.cmp == "eq" and x.rhs_slot is None for x in leaves):
            continue
        slots = {x.slot for x in leaves}
        if len(slots) != 1:
            continue
        slot = slots.pop()
        sl = cs.slots[slot]
        if sl.view != "value" or slot_maker(sl, cs.facts) is not None:
            continue
        values = frozenset(x.value for x in leaves)
        out[slot] = out[slot] & values if slot in out else values
    return out


class _Index:
    """Rules of one policy, pre-filtered by the value of one discriminating fact."""

    def __init__(self, preds: list[FactPredicate], trees: list[CNode], cs: CompiledSet) -> None:
        reqs = [_required_values(t, cs) for t in trees]
        counts: dict[int, int] = {}
        for r in reqs:
            for slot in r:
                counts[slot] = counts.get(slot, 0) + 1
        rules = tuple(enumerate(preds))
        self.name: str | None = None
        self.by_value: dict[object, tuple[tuple[int, FactPredicate], ...]] = {}  # a required value -> its rules
        self.default = rules
        if not counts:
            return
        slot = max(counts, key=lambda s: (counts[s], -s))
        if counts[slot] < 2:
            return
        self.name = cs.slots[slot].fact
        values: set[LeafValue] = set().union(*(r[slot] for r in reqs if slot in r))
        for v in values:
            self.by_value[v] = tuple((i, p) for i, p in rules if slot not in reqs[i] or v in reqs[i][slot])
        self.default = tuple((i, p) for i, p in rules if slot not in reqs[i])

    def candidates(self, facts: Facts) -> tuple[tuple[int, FactPredicate], ...]:
        """(index, predicate) of the rules that could match these facts, in priority order."""
        if self.name is None:
            return self.default
        try:
            return self.by_value.get(facts[self.name], self.default)
        except TypeError:  # an unhashable value: no rule of the index can require it
            return self.default


@dataclass(frozen=True, slots=True)
class _Policy:
    """One policy's rules as the backend runs them."""

    first: bool  # hit policy 'first': stop at the first rule that matches
    index: _Index


class PythonBackend:
    """Evaluates rules in priority order, reading (and so deriving) each fact only when a test needs it.

    Each policy is indexed on its most common top-level ``==``/``in`` test (usually
    ``case.type``): a case only tries the rules that could match its value.
    """

    name = "python"

    def __init__(self, cs: CompiledSet) -> None:
        self._policies: list[_Policy] = []
        for cp in cs.policies:
            trees = [r.tree for r in cp.rules]
            preds = [compile_fact_predicate(t, cs) for t in trees]
            self._policies.append(_Policy(cp.policy.hit_policy == "first", _Index(preds, trees, cs)))

    def fire_facts(
        self, facts: Facts, now: datetime, active: Sequence[bool], deadline: float | None = None
    ) -> list[list[int]]:
        out: list[list[int]] = []
        for n, policy in enumerate(self._policies):  # active[n]: enumerate costs less per call than zip(strict=True)
            if deadline is not None and perf_counter() > deadline:
                raise BudgetExceeded(n)
            if not active[n]:
                out.append([])
            elif policy.first:
                for i, p in policy.index.candidates(facts):
                    if p(facts, now):
                        out.append([i])
                        break
                else:
                    out.append([])
            else:
                out.append([i for i, p in policy.index.candidates(facts) if p(facts, now)])
        return out

    def close(self) -> None:
        return None
