"""Compile validated policies into one condition tree over a vector of *slots*.

A slot is one primitive value computed from one fact: the fact itself, a money amount or
currency, a time's age in seconds, whether a text contains a phrase, whether a fact is
present. Both backends see exactly the same slots and the same tree:

- the python backend evaluates the tree with closures;
- the durable backend (:mod:`caseflow.engine.backends.durable`) turns it into durable-rules patterns.

Nothing here imports a backend.

Semantics fixed here, for both backends:

- a slot whose fact is missing (``None``) makes every comparison on it false,
  ``!=`` and ``not in`` included;
- ``not`` is plain boolean negation (so ``not: order.amount > 100 CNY`` holds when there
  is no order). durable-rules has no negation inside a pattern, so :func:`to_nnf` pushes
  negations down to the tests and adds an explicit "fact is absent" alternative.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..model.money import Money
from ..policies.conditions import AllOf, Always, AnyOf, Condition, FactRef, NotOf, Test, compile_regex
from ..policies.facts import FactRegistry, FactType
from ..policies.model import Policy, Rule
from ..policies.phrases import PhraseIndex, PhraseSet
from ..policies.text import fold_han, normalize, prepare

__all__ = [
    "CAll",
    "CAny",
    "CLeaf",
    "CNot",
    "CompiledPolicy",
    "CompiledRule",
    "CompiledSet",
    "LeafValue",
    "Slot",
    "SlotArg",
    "SlotMaker",
    "compile_policies",
    "dnf_size",
    "literal_counts",
    "normalize_text",
    "slot_maker",
    "to_nnf",
]

# Numbers are compared as fixed-point integers, identically on both backends:
# durable-rules' JSON parser rejects exponent notation (1e-05, 1e20), and integers never
# use it. Resolution: numbers 1e-6, money 0.001, times 1 millisecond.
NUMBER_SCALE = 10**6
MONEY_SCALE = 10**3
TIME_SCALE = 10**3


def fixed(x: Decimal | float, scale: int) -> int:
    """``x`` as an integer count of ``1/scale`` units (round half to even)."""
    return round(x * scale)  # Decimal and float both round half to even into an int


def normalize_text(s: str) -> str:
    """The one normalization of every text condition (``contains``, ``matches``, ``mentions`` and the
    phrase exceptions): :func:`caseflow.policies.text.normalize` (invisible characters removed, NFKC,
    look-alike letters and Traditional Chinese folded, case folded, diacritics kept, spaced letters joined)."""
    return normalize(s)


SlotArg = str | PhraseSet | frozenset[str] | None
"""What a slot's view needs besides the fact: the text (``contains``, ``has``), the regex (``matches``),
the phrase set (``mentions``), the values (``any_in``); ``None`` for the other views."""

LeafValue = str | int | float | Decimal | bool | None
"""A literal a leaf compares its slot with: text, a boolean, or an integer (numbers, money amounts and
times are fixed-point integers, see :func:`fixed`); ``None`` when the right-hand side is another slot.
A float or a Decimal would be a literal the compiler left unscaled (the durable backend checks them)."""

SlotMaker = Callable[[object, datetime], object]
"""``f(raw fact value, now) -> slot value`` (``None`` when the fact is missing)."""

_Maker = Callable[[Any, datetime], Any]  # a slot maker as written: it reads its fact's raw value, whatever its type


@dataclass(frozen=True)
class Slot:
    fact: str
    view: str  # value amount currency epoch age contains matches mentions has any_in present const
    arg: SlotArg = None

    def label(self) -> str:
        arg = self.arg
        if self.view in ("value",):
            return self.fact
        if self.view in ("contains", "matches", "has"):
            return f"{self.fact} {self.view} {arg!r}"
        if self.view == "mentions" and isinstance(arg, PhraseSet):
            return f"{self.fact} mentions {arg.name}"
        if self.view == "any_in" and isinstance(arg, frozenset):
            return f"{self.fact} in {sorted(arg)}"
        if self.view == "const":
            return "always"
        return f"{self.view}({self.fact})"

    @property
    def never_missing(self) -> bool:
        return self.view in ("present", "const")


@dataclass(frozen=True)
class CLeaf:
    slot: int
    cmp: str  # eq ne lt le gt ge
    value: LeafValue = None  # the literal, when rhs_slot is None
    rhs_slot: int | None = None


@dataclass(frozen=True)
class CAll:
    children: tuple[CNode, ...]


@dataclass(frozen=True)
class CAny:
    children: tuple[CNode, ...]


@dataclass(frozen=True)
class CNot:
    child: CNode


CNode = CLeaf | CAll | CAny | CNot

_NEG = {"eq": "ne", "ne": "eq", "lt": "ge", "le": "gt", "gt": "le", "ge": "lt"}


@dataclass
class CompiledRule:
    rule: Rule
    policy: Policy
    tree: CNode
    tests: dict[int, CNode]  # id(Test) -> its compiled subtree, for explanations
    index: int  # order within its policy (priority order)

    @property
    def key(self) -> str:
        return f"{self.policy.name}/{self.rule.id}"


@dataclass
class CompiledPolicy:
    policy: Policy
    rules: list[CompiledRule]


@dataclass
class CompiledSet:
    policies: list[CompiledPolicy]
    slots: list[Slot] = field(default_factory=list)
    slot_index: dict[Slot, int] = field(default_factory=dict)
    facts: FactRegistry | None = None

    def slot(self, s: Slot) -> int:
        i = self.slot_index.get(s)
        if i is None:
            i = self.slot_index[s] = len(self.slots)
            self.slots.append(s)
        return i

    @property
    def fact_names(self) -> list[str]:
        return sorted({s.fact for s in self.slots if s.view != "const"})

    def message_function(
        self, keys: list[str], only: list[int] | None = None
    ) -> Callable[[Mapping[str, object], datetime], dict[str, object]]:
        """``f(facts, now) -> {key: slot value}`` without the missing (``None``) slots, in one pass.

        ``only``: the slot indexes to include (default: all).
        """
        # (message key, kind, maker, fact): kind 0 is the raw value (its maker is never called),
        # 1 a presence test, 2 a value computed by the maker
        triples: list[tuple[str, int, SlotMaker, str]] = []
        for i in range(len(self.slots)) if only is None else only:
            key, s = keys[i], self.slots[i]
            mk = slot_maker(s, self.facts)
            kind = 0 if mk is None else 1 if s.view == "present" else 2
            triples.append((key, kind, _raw if mk is None else mk, s.fact))

        def message(facts: Mapping[str, object], now: datetime) -> dict[str, object]:
            return {
                k: v
                for k, kind, m, n in triples
                if (v := facts[n] if kind == 0 else (facts[n] is not None) if kind == 1 else m(facts[n], now))
                is not None
            }

        return message


def _number_types(facts: FactRegistry | None, name: str) -> FactType | None:
    if facts is None:
        return None
    spec = facts.lookup(name)
    return None if spec is None else spec.type


def slot_maker(s: Slot, facts: FactRegistry | None) -> SlotMaker | None:
    """``f(raw fact value, now) -> slot value``; ``None`` when the slot is the raw value itself."""
    v = s.view
    if v == "value":
        if _number_types(facts, s.fact) in (FactType.number, FactType.integer):
            return _number
        return None
    plain = _PLAIN_MAKERS.get(v)
    if plain is not None:
        return plain
    return _text_maker(s) if v in ("contains", "matches", "mentions") else _membership_maker(s)


def _raw(x: object, now: datetime) -> object:
    """The slot that is the raw value itself (``slot_maker`` gives ``None`` for it)."""
    return x


def _number(x: Any, now: datetime) -> int | None:
    return None if x is None else fixed(x, NUMBER_SCALE)


def _amount(x: object, now: datetime) -> int | None:
    return fixed(x.amount, MONEY_SCALE) if isinstance(x, Money) else None


def _currency(x: object, now: datetime) -> str | None:
    return x.currency if isinstance(x, Money) else None


def _epoch(x: Any, now: datetime) -> int | None:
    return None if x is None else fixed(x.timestamp(), TIME_SCALE)


def _age(x: Any, now: datetime) -> int | None:
    return None if x is None else fixed((now - x).total_seconds(), TIME_SCALE)


def _present(x: object, now: datetime) -> bool:
    return x is not None


def _const(x: object, now: datetime) -> bool:
    return True


_PLAIN_MAKERS: dict[str, _Maker] = {
    "amount": _amount,
    "currency": _currency,
    "epoch": _epoch,
    "age": _age,
    "present": _present,
    "const": _const,
}
"""The views computed from the raw value alone (no argument)."""


def _text_maker(s: Slot) -> _Maker:
    """``contains``, ``matches`` and ``mentions`` on a text fact: whether it holds the slot's text,
    regex or phrase set. All three read the text as :func:`normalize_text` gives it, computed once per
    text (``prepare``: cached, bounded by bytes): ``contains`` a substring of it (the needle normalized
    the same way), ``matches`` an RE2 search in it, case-insensitive (the pattern is not normalized, but
    for its Chinese characters, folded to Simplified like the text), ``mentions`` the phrase rules."""
    arg = s.arg
    if s.view == "contains" and isinstance(arg, str):
        needle = normalize_text(arg)
        return lambda x, now: None if x is None else needle in prepare(x).norm
    if s.view == "matches" and isinstance(arg, str):
        rx = compile_regex("(?i)" + fold_han(arg))
        return lambda x, now: None if x is None else rx.search(prepare(x).norm) is not None
    if s.view == "mentions" and isinstance(arg, PhraseSet):
        return lambda x, now: None if x is None else arg.mentions(x)
    raise AssertionError(s)  # pragma: no cover


def _membership_maker(s: Slot) -> _Maker:
    """``has`` (a list fact holds the text) and ``any_in`` (it holds one of the values)."""
    arg = s.arg
    if s.view == "has":
        return lambda x, now: None if x is None else arg in x
    if s.view == "any_in" and isinstance(arg, frozenset):
        return lambda x, now: None if x is None else not arg.isdisjoint(x)
    raise AssertionError(s)  # pragma: no cover


# ----------------------------------------------------------------------------------------
# Test -> CNode
# ----------------------------------------------------------------------------------------


def _lit(ftype: FactType, value: object) -> LeafValue:
    """A test's literal as a leaf holds it: numbers of number facts as fixed-point integers."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, (int, float, Decimal)):
        if ftype in (FactType.number, FactType.integer):
            return fixed(Decimal(value) if isinstance(value, int) else value, NUMBER_SCALE)
        return value
    raise AssertionError(f"{value!r} is not a literal of a {ftype.value} fact")  # pragma: no cover


_AGE_CMP = {"older_than": "gt", "newer_than": "lt", "within": "le"}
"""more than N ago: age > N; less than N ago: age < N; within N: age <= N (inclusive)."""


def _compile_test(t: Test, cs: CompiledSet, facts: FactRegistry) -> CNode:
    ft = facts.get(t.fact).type
    op, v = t.op, t.value
    if op in ("exists", "not_exists"):
        return CLeaf(cs.slot(Slot(t.fact, "present")), "eq", op == "exists")
    if op in ("contains", "matches", "mentions"):
        return _text_test(t, ft, cs)
    if op in _AGE_CMP and isinstance(v, (int, float, Decimal)):  # v: seconds
        return CLeaf(cs.slot(Slot(t.fact, "age")), _AGE_CMP[op], fixed(Decimal(repr(float(v))), TIME_SCALE))
    if op in ("in", "not_in") and isinstance(v, tuple):
        return _in_test(t, ft, cs, v)
    if op == "between" and isinstance(v, tuple):
        lo, hi = v
        return CAll((_cmp(t, cs, facts, "ge", lo), _cmp(t, cs, facts, "le", hi)))
    return _cmp(t, cs, facts, op, v)


def _text_test(t: Test, ft: FactType, cs: CompiledSet) -> CNode:
    """``contains`` (an element, for a list of strings), ``matches`` and ``mentions``: a boolean slot."""
    v = t.value
    if t.op == "contains" and isinstance(v, str):
        view = "has" if ft is FactType.strings else "contains"
        return CLeaf(cs.slot(Slot(t.fact, view, v)), "eq", True)
    if (t.op == "matches" and isinstance(v, str)) or (t.op == "mentions" and isinstance(v, PhraseSet)):
        return CLeaf(cs.slot(Slot(t.fact, t.op, v)), "eq", True)
    raise AssertionError(t)  # pragma: no cover


def _in_test(t: Test, ft: FactType, cs: CompiledSet, values: tuple[object, ...]) -> CNode:
    """``in``: any of ``==``; ``not in``: all of ``!=``; on a list of strings, one boolean slot."""
    if ft is FactType.strings:
        return CLeaf(cs.slot(Slot(t.fact, "any_in", frozenset(str(v) for v in values))), "eq", t.op == "in")
    s = cs.slot(Slot(t.fact, "value"))
    leaves = tuple(CLeaf(s, "eq" if t.op == "in" else "ne", _lit(ft, v)) for v in values)
    if len(leaves) == 1:
        return leaves[0]
    return CAny(leaves) if t.op == "in" else CAll(leaves)


def _cmp(t: Test, cs: CompiledSet, facts: FactRegistry, op: str, value: object) -> CNode:
    ft = facts.get(t.fact).type
    sl = cs.slot
    if isinstance(value, FactRef):
        return _cmp_facts(t, cs, ft, op, value)
    if ft is FactType.money and isinstance(value, (Decimal, int, float)):
        cur_slot = sl(Slot(t.fact, "currency"))
        amt = CLeaf(sl(Slot(t.fact, "amount")), op, fixed(value, MONEY_SCALE))
        if op == "ne":
            return CAny((CLeaf(cur_slot, "ne", t.currency), amt))
        return CAll((CLeaf(cur_slot, "eq", t.currency), amt))
    if ft is FactType.datetime and isinstance(value, datetime):
        return CLeaf(sl(Slot(t.fact, "epoch")), op, fixed(Decimal(repr(value.timestamp())), TIME_SCALE))
    return CLeaf(sl(Slot(t.fact, "value")), op, _lit(ft, value))


def _cmp_facts(t: Test, cs: CompiledSet, ft: FactType, op: str, other: FactRef) -> CNode:
    """A comparison of two facts (money: same currency, then the amounts; times: their epochs)."""
    sl = cs.slot
    # durable-rules treats a missing right-hand field as matching some comparisons
    # ($lt): both sides are tested for presence explicitly (a no-op for python)
    both = (CLeaf(sl(Slot(t.fact, "present")), "eq", True), CLeaf(sl(Slot(other.name, "present")), "eq", True))
    if ft is FactType.money:
        cur = CLeaf(sl(Slot(t.fact, "currency")), "eq", None, sl(Slot(other.name, "currency")))
        amt = CLeaf(sl(Slot(t.fact, "amount")), op, None, sl(Slot(other.name, "amount")))
        body = CAll((cur, amt)) if op != "ne" else CAny((CLeaf(cur.slot, "ne", None, cur.rhs_slot), amt))
        return CAll((*both, body))
    view = "epoch" if ft is FactType.datetime else "value"
    return CAll((*both, CLeaf(sl(Slot(t.fact, view)), op, None, sl(Slot(other.name, view)))))


def _compile_condition(c: Condition, cs: CompiledSet, facts: FactRegistry, tests: dict[int, CNode]) -> CNode:
    if isinstance(c, Test):
        node = _compile_test(c, cs, facts)
        tests[id(c)] = node
        return node
    if isinstance(c, AllOf):
        return CAll(tuple(_compile_condition(k, cs, facts, tests) for k in c.children))
    if isinstance(c, AnyOf):
        return CAny(tuple(_compile_condition(k, cs, facts, tests) for k in c.children))
    if isinstance(c, NotOf):
        return CNot(_compile_condition(c.child, cs, facts, tests))
    if isinstance(c, Always):
        node = CLeaf(cs.slot(Slot("", "const")), "eq", True)
        tests[id(c)] = node
        return node
    raise AssertionError(c)  # pragma: no cover


def compile_policies(policies: list[Policy] | tuple[Policy, ...], facts: FactRegistry) -> CompiledSet:
    cs = CompiledSet([], facts=facts)
    for p in policies:
        rules = []
        for i, r in enumerate(p.ordered_rules()):
            tests: dict[int, CNode] = {}
            tree = _compile_condition(r.when, cs, facts, tests)
            rules.append(CompiledRule(r, p, tree, tests, i))
        cs.policies.append(CompiledPolicy(p, rules))
    # presence slots up front, so to_nnf never grows the vector after backends are built
    for name in cs.fact_names:
        cs.slot(Slot(name, "present"))
    # one scan of a text finds the phrases of every set of the pack
    sets = [s.arg for s in cs.slots if isinstance(s.arg, PhraseSet)]
    if sets:
        PhraseIndex.of(sets)
    return cs


# ----------------------------------------------------------------------------------------
# Negation normal form, for backends without negation
# ----------------------------------------------------------------------------------------


def to_nnf(node: CNode, cs: CompiledSet, negate: bool = False) -> CNode:
    """Push every ``not`` down to the leaves, keeping the missing-fact semantics.

    ``not (x < 5)`` becomes ``x >= 5 or x is absent``: the absent branch is a test of a
    ``present`` slot, which is never missing itself.
    """
    if isinstance(node, CNot):
        return to_nnf(node.child, cs, not negate)
    if isinstance(node, (CAll, CAny)):
        kids = tuple(to_nnf(k, cs, negate) for k in node.children)
        flip = isinstance(node, CAll) == negate  # all+negate -> any ; any+negate -> all
        return CAny(kids) if flip else CAll(kids)
    assert isinstance(node, CLeaf)
    if not negate:
        return node
    slot = cs.slots[node.slot]
    if slot.never_missing:
        # present/const slots hold booleans, never None: negation is a plain flip
        return (
            CLeaf(node.slot, "eq", not node.value)
            if node.cmp == "eq" and node.rhs_slot is None
            else CLeaf(node.slot, _NEG[node.cmp], node.value, node.rhs_slot)
        )
    alts: list[CNode] = [CLeaf(node.slot, _NEG[node.cmp], node.value, node.rhs_slot)]
    bases = [slot.fact]
    if node.rhs_slot is not None:
        bases.append(cs.slots[node.rhs_slot].fact)
    for b in dict.fromkeys(bases):
        alts.append(CLeaf(cs.slot(Slot(b, "present")), "eq", False))
    return CAny(tuple(alts))


def dnf_size(node: CNode) -> int:
    """How many alternatives durable-rules expands a pattern into (it expands $or to DNF)."""
    if isinstance(node, CLeaf):
        return 1
    if isinstance(node, CAny):
        return sum(dnf_size(k) for k in node.children)
    if isinstance(node, CAll):
        n = 1
        for k in node.children:
            n *= dnf_size(k)
            if n > 10**9:
                break
        return n
    return dnf_size(node.child)  # CNot (not present after to_nnf)


def literal_counts(node: CNode) -> dict[int, set[tuple[str, LeafValue]]]:
    """Distinct literal values tested per slot (durable-rules hangs at 512 of one field)."""
    out: dict[int, set[tuple[str, LeafValue]]] = {}

    def walk(n: CNode) -> None:
        if isinstance(n, CLeaf):
            if n.rhs_slot is None:
                out.setdefault(n.slot, set()).add((n.cmp, n.value))
        elif isinstance(n, CNot):
            walk(n.child)
        else:
            for k in n.children:
                walk(k)

    walk(node)
    return out
