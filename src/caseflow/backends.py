"""The two backends that evaluate a compiled policy set on a vector of slot values.

- :class:`DurableBackend` (the default) runs the rules in durable-rules, through the
  adapter in :mod:`caseflow._durable`.
- :class:`PythonBackend` evaluates the same compiled tree with plain closures. It is also
  what explanations use, and the test suite checks with hypothesis that both agree.

Both return, for every policy, the indexes (in priority order) of the rules that *fire*:
all matching rules under hit policy ``all``, the first one under ``first``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from ._durable import MAX_LITERALS_PER_FIELD, MAX_RULES_PER_RULESET, DurableRules, pattern_from_tree
from .errors import EvaluationError
from .policies.compiler import CAll, CAny, CLeaf, CNode, CNot, CompiledSet, literal_counts, to_nnf

__all__ = ["BACKENDS", "Backend", "DurableBackend", "PythonBackend", "compile_predicate", "make_backend"]

Values = Sequence[Any]
Predicate = Callable[[Values], bool]

_OPS = {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}


class Backend(Protocol):
    name: str

    def fire(self, values: Values, active: Sequence[bool]) -> list[list[int]]: ...

    def close(self) -> None: ...


def _leaf(n: CLeaf) -> Predicate:
    i = n.slot
    if n.rhs_slot is not None:
        j = n.rhs_slot
        op = _OPS[n.cmp]
        return lambda v: (a := v[i]) is not None and (b := v[j]) is not None and op(a, b)
    lit = n.value
    c = n.cmp
    if c == "eq":
        if lit is True:
            return lambda v: v[i] is True
        if lit is False:
            return lambda v: v[i] is False
        return lambda v: v[i] == lit
    if c == "ne":
        return lambda v: (a := v[i]) is not None and a != lit
    if c == "lt":
        return lambda v: (a := v[i]) is not None and a < lit
    if c == "le":
        return lambda v: (a := v[i]) is not None and a <= lit
    if c == "gt":
        return lambda v: (a := v[i]) is not None and a > lit
    if c == "ge":
        return lambda v: (a := v[i]) is not None and a >= lit
    raise AssertionError(c)  # pragma: no cover


def compile_predicate(node: CNode) -> Predicate:
    """A closure that evaluates ``node`` on a slot vector (missing slot: comparison false)."""
    if isinstance(node, CLeaf):
        return _leaf(node)
    if isinstance(node, CNot):
        f = compile_predicate(node.child)
        return lambda v: not f(v)
    fs = [compile_predicate(k) for k in node.children]
    if isinstance(node, CAll):
        if len(fs) == 1:
            return fs[0]
        if len(fs) == 2:
            a, b = fs
            return lambda v: a(v) and b(v)
        if len(fs) == 3:
            a, b, c = fs
            return lambda v: a(v) and b(v) and c(v)
        return lambda v: all(f(v) for f in fs)
    assert isinstance(node, CAny)
    if len(fs) == 1:
        return fs[0]
    if len(fs) == 2:
        a, b = fs
        return lambda v: a(v) or b(v)
    return lambda v: any(f(v) for f in fs)


class PythonBackend:
    name = "python"

    def __init__(self, cs: CompiledSet) -> None:
        self._policies = [
            (cp.policy.hit_policy == "first", [compile_predicate(r.tree) for r in cp.rules]) for cp in cs.policies
        ]

    def fire(self, values: Values, active: Sequence[bool]) -> list[list[int]]:
        out: list[list[int]] = []
        for (first, preds), on in zip(self._policies, active):
            if not on:
                out.append([])
                continue
            if first:
                hit: list[int] = []
                for i, p in enumerate(preds):
                    if p(values):
                        hit.append(i)
                        break
                out.append(hit)
            else:
                out.append([i for i, p in enumerate(preds) if p(values)])
        return out

    def close(self) -> None:
        return None


class DurableBackend:
    """Runs each policy as one or more durable-rules rulesets owned by this backend."""

    name = "durable"

    def __init__(self, cs: CompiledSet) -> None:
        self._rules = DurableRules()
        self._keys = [f"s{i}" for i in range(len(cs.slots))]
        self._policies: list[tuple[bool, list[tuple[str, list[int]]]]] = []
        key = self._keys.__getitem__
        for pi, cp in enumerate(cs.policies):
            nnf = [to_nnf(r.tree, cs) for r in cp.rules]
            chunks = _chunks(nnf)
            rulesets = []
            for ci, members in enumerate(chunks):
                patterns = [pattern_from_tree(nnf[m], key) for m in members]
                rulesets.append((self._rules.add_ruleset(f"p{pi}_{cp.policy.name}_{ci}", patterns), members))
            self._policies.append((cp.policy.hit_policy == "first", rulesets))
        # to_nnf may add 'present' slots: the message carries every slot known now
        self._keys = [f"s{i}" for i in range(len(cs.slots))]
        self._slot_count = len(cs.slots)

    def fire(self, values: Values, active: Sequence[bool]) -> list[list[int]]:
        if len(values) != self._slot_count:
            raise EvaluationError(f"internal: expected {self._slot_count} slot values, got {len(values)}")
        message = {k: v for k, v in zip(self._keys, values) if v is not None}
        out: list[list[int]] = []
        for (first, rulesets), on in zip(self._policies, active):
            if not on:
                out.append([])
                continue
            hit: list[int] = []
            for key, members in rulesets:
                hit.extend(members[i] for i in self._rules.match(key, message))
            hit.sort()
            out.append(hit[:1] if first else hit)
        return out

    @property
    def adapter(self) -> DurableRules:
        return self._rules

    def close(self) -> None:
        return None


def _chunks(trees: list[CNode]) -> list[list[int]]:
    """Group rules into rulesets within durable-rules' limits (64 rules, <500 literals a field)."""
    chunks: list[list[int]] = []
    current: list[int] = []
    counts: dict[int, set[Any]] = {}
    for i, t in enumerate(trees):
        mine = literal_counts(t)
        merged = {s: counts.get(s, set()) | v for s, v in mine.items()}
        too_many = any(len(v) >= MAX_LITERALS_PER_FIELD for v in merged.values())
        if current and (len(current) >= MAX_RULES_PER_RULESET or too_many):
            chunks.append(current)
            current, counts = [], {}
            merged = mine
        current.append(i)
        for s, v in merged.items():
            counts[s] = set(v)
    if current:
        chunks.append(current)
    return chunks


BACKENDS: dict[str, type] = {"durable": DurableBackend, "python": PythonBackend}


def make_backend(name: str, cs: CompiledSet) -> Backend:
    try:
        cls = BACKENDS[name]
    except KeyError:
        raise EvaluationError(f"unknown backend {name!r}; use 'durable' or 'python'", code="backend-unknown") from None
    return cls(cs)
