"""The durable backend: caseflow's one door to durable-rules (unmaintained since 2020).

No other module imports ``durable``, and this module is imported only when a durable backend
is asked for. :class:`DurableBackend` runs each policy as durable-rules rulesets and checks,
when it is built, the limits of durable-rules (reported as located ``PolicyIssue``s).
Each sharp edge of durable-rules 2.0.28 is guarded here, and each guard has a regression
test in ``tests/engine/backends/test_durable.py``:

==============================================  ===============================================
durable-rules behaviour                         guard
==============================================  ===============================================
``durable.lang`` keeps rulesets in globals      every :class:`DurableRules` owns its own
                                                ``durable.engine.Host``; ``lang`` is never used
``Host()`` starts two background threads that   :class:`_Host` overrides ``_run``: we dispatch
run actions whenever they like                  synchronously in the calling thread
a message without ``id`` is identified by a     every message gets a fresh ``id``
hash of its content; the same content again
raises ``MessageObservedException``
``MessageNotHandledException``: no rule matched  caught, returns an empty match
a posted event is consumed by one rule only     facts are *asserted*, never posted
an action with two parameters is asynchronous   actions are made by :func:`_action`: plain
and locks its session until ``complete``;        one-parameter functions; anything else is
partials and callable objects crash             refused with :class:`BackendError`
exceptions raised in actions are swallowed      actions never raise; a failure is recorded
into the session state                          and re-raised after the call
the 1,025th open session raises ``MemoryError``  one session id per ruleset; the asserted
and state is freed only by ``delete_state``     fact is retracted after every evaluation
``delete_state`` on a session that no rule has  ``delete_state`` is never called
matched yet frees twice (abort / segfault)
partial matches never expire                    only single-pattern rules (no joins), so there
                                                are no partial matches; facts are retracted
at most 64 rules may match one message (303)    at most 64 rules per ruleset
512+ rules testing distinct literals of one     fewer than 500 distinct literals per field
field hang the process                          per ruleset
``set_rulesets`` mutates the dict it gets; a    definitions are deep-copied; names are unique
name cannot be registered twice nor deleted     per adapter; rulesets live as long as it does
``$mt`` is anchored with its own dialect;       never emitted: regexes and text searches
missing fields fail ``$neq`` and ``$lt``;       are computed in Python into boolean slots;
no ``$in``; no negation in a pattern            ``in`` becomes ``$or``; negation is pushed
                                                down with explicit "absent" tests (to_nnf)
at most 31 expressions per rule (error 113)     nested form tried first, then a flat DNF;
                                                if neither fits, a validation error
floats in exponent notation (``1e-05``) fail    numbers are fixed-point integers (compiler);
to parse (error 204) in patterns and facts      a float with an exponent is refused
``$or`` is expanded into alternatives and the   matches are de-duplicated per rule; the
action fires once per matching alternative      expansion is bounded at validation time
a pattern that is only ``$ex``, only ``$nex``,  never emitted: presence is a boolean slot
or an equality with ``null`` crashes or hangs   that is always in the message
==============================================  ===============================================
"""

from __future__ import annotations

import copy
import inspect
import itertools
import json
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from time import perf_counter

import durable.engine as _engine
import durable_rules_engine as _durable_rules_engine

from ...errors import BackendError, PolicyIssue, PolicyValidationError
from ..compiler import CAll, CAny, CLeaf, CNode, CNot, CompiledSet, LeafValue, dnf_size, literal_counts, to_nnf
from .base import BudgetExceeded, Facts

__all__ = [
    "MAX_DNF_ALTERNATIVES",
    "MAX_LITERALS_PER_FIELD",
    "MAX_RULES_PER_RULESET",
    "DurableBackend",
    "DurableRules",
    "Pattern",
    "check_action",
    "check_pattern",
    "pattern_from_tree",
]

MAX_RULES_PER_RULESET = 64
MAX_LITERALS_PER_FIELD = 500
MAX_DNF_ALTERNATIVES = 256  # durable-rules expands $or into alternatives; more than this is refused
_FORBIDDEN_OPS = {"$ex", "$nex", "$mt", "$imt", "$iall", "$iany"}
_ALLOWED_OPS = {"$and", "$or", "$lt", "$lte", "$gt", "$gte", "$neq", "$m"}
_SID = "caseflow"
_adapter_ids = itertools.count(1)

Pattern = dict[str, object]
"""A durable-rules pattern: ``{"$and" | "$or": [patterns]}``, ``{"$lt" ...: {field: operand}}`` or
``{field: operand}`` (equality); an operand is a JSON scalar or ``{"$m": field}`` (another field)."""


class _Sink(list[int]):
    """Where a ruleset's actions record the rules that fired."""

    __slots__ = ()


class _Host(_engine.Host):  # type: ignore[misc]  # durable-rules ships no type hints: its Host is Any
    """A Host without its background dispatch threads."""

    def _run(self) -> None:  # noqa: D401 - overrides durable's thread starter
        self._d_timer = None
        self._t_timer = None


def _json_value(v: object) -> object:
    """durable's JSON parser rejects exponent notation (1e-05, 1e20): error 204."""
    if isinstance(v, bool) or v is None or isinstance(v, (str, int)):
        return v
    if isinstance(v, Decimal):
        v = float(v)
    if isinstance(v, float):
        text = repr(v)
        if "e" in text or "inf" in text or "nan" in text:
            raise BackendError(
                f"number {text} cannot be sent to durable-rules (its JSON parser rejects exponent notation); "
                "caseflow sends numbers as fixed-point integers"
            )
        return v
    return v


def check_pattern(pattern: object, literals: dict[str, set[str]] | None = None) -> None:
    """Refuse any pattern construct known to crash, hang or misbehave in durable-rules.

    ``literals``, if given, collects per field the literals the pattern compares it with (their ``repr``).
    """
    if not isinstance(pattern, dict) or len(pattern) != 1:
        raise BackendError(f"internal: malformed durable pattern {pattern!r}")
    ((key, val),) = pattern.items()
    if key in _FORBIDDEN_OPS:
        raise BackendError(f"internal: durable operator {key} is not safe to use")
    if key in ("$and", "$or"):
        if not isinstance(val, list) or not val:
            raise BackendError(f"internal: {key} needs a non-empty list")
        for q in val:
            check_pattern(q, literals)
        return
    field, lit = _comparison(pattern, key, val)
    _check_operand(field, lit, literals)


def _comparison(p: Pattern, key: str, val: object) -> tuple[str, object]:
    """The field and operand of a test: ``{"$lt": {field: operand}}``, or ``{field: operand}`` (equality)."""
    if not key.startswith("$"):
        return key, val
    if key not in _ALLOWED_OPS:
        raise BackendError(f"internal: durable operator {key} is not used by caseflow")
    if not isinstance(val, dict) or len(val) != 1:
        raise BackendError(f"internal: malformed comparison {p!r}")
    ((field, lit),) = val.items()
    return field, lit


def _check_operand(field: str, lit: object, literals: dict[str, set[str]] | None) -> None:
    """Refuse a null, an unknown right-hand side or a float durable cannot parse; collect the literal."""
    if lit is None:
        raise BackendError(f"internal: comparing {field!r} with null crashes durable-rules")
    if isinstance(lit, dict):
        if set(lit) != {"$m"}:
            raise BackendError(f"internal: unsupported right-hand side {lit!r}")
    else:
        _json_value(lit)  # refuses floats durable cannot parse
        if literals is not None:
            literals.setdefault(field, set()).add(repr(lit))


def check_action(fn: object) -> Callable[[object], None]:
    """Accept only a plain function of exactly one parameter.

    durable-rules reads ``fn.__code__.co_argcount``: two parameters (defaults included)
    make the action asynchronous and lock its session until a callback that caseflow
    never calls; a ``functools.partial`` or a callable object has no ``__code__`` and
    crashes registration.
    """
    if not inspect.isfunction(fn):
        raise BackendError(f"a durable-rules action must be a plain function, not {type(fn).__name__}")
    if fn.__code__.co_argcount != 1 or fn.__code__.co_kwonlyargcount:
        raise BackendError(
            f"a durable-rules action takes exactly one parameter; {fn.__name__} takes {fn.__code__.co_argcount} "
            "(two would make it asynchronous and lock its session)"
        )
    return fn


def _action(sink: list[int], index: int, failures: list[BaseException]) -> Callable[[object], None]:
    # Exactly one positional parameter, no defaults: durable counts co_argcount to decide
    # whether an action is asynchronous.
    def act(c: object) -> None:
        try:
            sink.append(index)
        except BaseException as exc:  # pragma: no cover - list.append cannot really fail
            failures.append(exc)

    return check_action(act)


class DurableRules:
    """Owns one durable-rules Host. Rulesets are added once and matched many times.

    ``match`` is serialised by a lock: the Host keeps per-session state, so two threads
    must not evaluate on one adapter at the same time.
    """

    def __init__(self) -> None:
        self._host = _Host()
        self._prefix = f"cf{next(_adapter_ids)}_"
        self._names: set[str] = set()
        self._sinks: dict[str, list[int]] = {}
        self._failures: list[BaseException] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add_ruleset(self, name: str, patterns: Iterable[Pattern]) -> str:
        """Register rules (pattern ``i`` is rule ``i``) under ``name``; return the ruleset's key."""
        patterns = list(patterns)
        if not patterns:
            raise BackendError(f"ruleset {name!r} has no rules")
        if len(patterns) > MAX_RULES_PER_RULESET:
            raise BackendError(
                f"ruleset {name!r} has {len(patterns)} rules; durable-rules fails (error 303) when more than "
                f"{MAX_RULES_PER_RULESET} match one message, so caseflow puts at most {MAX_RULES_PER_RULESET} "
                "in one ruleset"
            )
        key = self._prefix + name
        if key in self._names:
            raise BackendError(
                f"ruleset {name!r} is already registered on this adapter; durable-rules cannot replace it"
            )
        literals: dict[str, set[str]] = {}
        for p in patterns:
            check_pattern(p, literals)
        for values in literals.values():
            if len(values) >= MAX_LITERALS_PER_FIELD:
                raise BackendError(
                    f"ruleset {name!r} tests {len(values)} distinct values of one field; durable-rules hangs at 512, "
                    f"caseflow allows {MAX_LITERALS_PER_FIELD - 1}"
                )
        sink: list[int] = _Sink()
        definition = {
            f"r{i}": {"all": [{"m": copy.deepcopy(p)}], "pri": i, "run": _action(sink, i, self._failures)}
            for i, p in enumerate(patterns)
        }
        try:
            self._host.set_rulesets({key: definition})  # mutates `definition` (drops 'run'): it is ours
        except Exception as exc:
            raise BackendError(f"durable-rules refused ruleset {name!r}: {exc}") from exc
        self._names.add(key)
        self._sinks[key] = sink
        return key

    def close(self) -> None:
        """Free the rulesets' memory in durable-rules (it keeps every ruleset for the life of the process
        otherwise, and refuses new ones after 131,072). Matching afterwards raises :class:`BackendError`."""
        with self._lock:
            for key in sorted(self._names):
                ruleset = self._host.get_ruleset(key)
                _durable_rules_engine.delete_ruleset(ruleset._handle)  # durable's Ruleset keeps its C handle here
            self._names.clear()
            self._sinks.clear()

    def match(self, key: str, message: dict[str, object], *, checked: bool = False) -> list[int]:
        """Assert ``message`` as a fact; return the indexes of the rules it matched, in order, once each.

        ``checked=True`` promises the values are already ``str``, ``int`` or ``bool`` (as
        the compiler makes them) and lets the adapter add ``id`` and ``sid`` to ``message``
        itself instead of converting a copy.
        """
        msg = message if checked else {k: _json_value(v) for k, v in message.items() if v is not None}
        sink = self._sinks.get(key)
        if sink is None:
            raise BackendError(f"no ruleset {key!r} on this adapter: it was never added, or the engine is closed")
        with self._lock:
            sink.clear()
            self._failures.clear()
            msg["id"] = next(self._ids)
            msg["sid"] = _SID
            try:
                self._host.assert_fact(key, msg)
            except _engine.MessageNotHandledException:
                pass
            except _engine.MessageObservedException as exc:  # pragma: no cover - ids are unique
                raise BackendError(f"durable-rules saw a message twice: {exc.message}") from None
            except Exception as exc:
                raise BackendError(f"durable-rules failed: {exc}") from exc
            finally:
                # retract, never delete_state: delete_state on a session no rule has matched
                # yet frees memory twice and kills the process
                try:
                    self._host.retract_fact(key, msg)
                except _engine.MessageNotHandledException:
                    pass
            if self._failures:
                raise BackendError(f"a durable-rules action failed: {self._failures[0]!r}")
            return sorted(set(sink))

    def facts_held(self, key: str) -> list[dict[str, object]]:
        """Facts durable-rules still holds for ``key`` (none after every match)."""
        try:
            held: list[dict[str, object]] = self._host.get_facts(key, _SID)
        except Exception:
            return []
        return held


def _dnf(node: CNode) -> list[tuple[CLeaf, ...]]:
    if isinstance(node, CLeaf):
        return [(node,)]
    if isinstance(node, CAny):
        out: list[tuple[CLeaf, ...]] = []
        for k in node.children:
            out.extend(_dnf(k))
        return out
    if isinstance(node, CAll):
        acc: list[tuple[CLeaf, ...]] = [()]
        for k in node.children:
            acc = [a + b for a in acc for b in _dnf(k)]
        return acc
    raise BackendError(f"internal: negation must be removed before building a durable pattern ({node!r})")


def _leaf_pattern(n: CLeaf, slot_key: Callable[[int], str]) -> Pattern:
    field = slot_key(n.slot)
    rhs = {"$m": slot_key(n.rhs_slot)} if n.rhs_slot is not None else _json_value(n.value)
    if n.cmp == "eq":
        return {field: rhs}
    op = {"ne": "$neq", "lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}[n.cmp]
    return {op: {field: rhs}}


def _nested_pattern(node: CNode, slot_key: Callable[[int], str]) -> Pattern:
    if isinstance(node, CLeaf):
        return _leaf_pattern(node, slot_key)
    if isinstance(node, (CAll, CAny)):
        op = "$and" if isinstance(node, CAll) else "$or"
        kids: list[object] = []
        for k in node.children:  # flatten $and-in-$and and $or-in-$or
            p = _nested_pattern(k, slot_key)
            inner = p[op] if set(p) == {op} else None
            kids.extend(inner if isinstance(inner, list) else [p])
        kids = list({repr(k): k for k in kids}.values())
        if len(kids) == 1 and isinstance(kids[0], dict):
            return kids[0]
        return {op: kids}
    raise BackendError(f"internal: negation must be removed before building a durable pattern ({node!r})")


_fit_cache: dict[str, bool] = {}


def _fits(pattern: Pattern) -> bool:
    """Does durable accept this pattern? (At most 31 expressions per rule: error 113.)"""
    key = json.dumps(pattern, sort_keys=True)
    if key not in _fit_cache:
        probe = _Host()
        try:
            probe.set_rulesets(
                {"probe": {"r": {"all": [{"m": copy.deepcopy(pattern)}], "run": check_action(lambda c: None)}}}
            )
            _fit_cache[key] = True
        except Exception as exc:
            if "113" not in str(exc):
                raise BackendError(f"durable-rules refused a pattern: {exc}") from exc
            _fit_cache[key] = False
    return _fit_cache[key]


def pattern_from_tree(node: CNode, slot_key: Callable[[int], str]) -> Pattern:
    """Turn a negation-free compiled condition (``compiler.to_nnf``) into a durable pattern.

    durable-rules 2.0.28 keeps at most 31 expressions per rule (error 113,
    ``MAX_SEQUENCE_EXPRESSIONS``); which shape stays under it depends on the rule, so the
    nested form is tried first, then a flat, de-duplicated DNF (``$or`` of ``$and``).
    """
    nested = _nested_pattern(node, slot_key)
    if _fits(nested):
        return nested
    flat = _flat_pattern(node, slot_key)
    if _fits(flat):
        return flat
    raise BackendError(
        "the condition is too large for durable-rules (more than 31 expressions in one rule, error 113); "
        "split the rule into several rules",
        code="policy-too-complex",
    )


def _flat_pattern(node: CNode, slot_key: Callable[[int], str]) -> Pattern:
    alternatives: list[Pattern] = []
    seen: set[tuple[str, ...]] = set()
    for conj in _dnf(node):
        conj = tuple(dict.fromkeys(conj))  # drop repeated tests, keep order
        key = tuple(sorted(map(repr, conj)))
        if key in seen:
            continue
        seen.add(key)
        tests = [_leaf_pattern(n, slot_key) for n in conj]
        alternatives.append(tests[0] if len(tests) == 1 else {"$and": tests})
    return alternatives[0] if len(alternatives) == 1 else {"$or": alternatives}


@dataclass(frozen=True, slots=True)
class _Ruleset:
    """A ruleset registered for some rules of a policy: rule ``i`` of the ruleset is rule ``members[i]``."""

    key: str
    members: list[int]


@dataclass(frozen=True, slots=True)
class _Policy:
    """One policy as the backend runs it: its rulesets, and whether only the first match fires."""

    first: bool
    rulesets: list[_Ruleset]


class DurableBackend:
    """Runs each policy as one or more durable-rules rulesets owned by this backend."""

    name = "durable"

    def __init__(self, cs: CompiledSet) -> None:
        self._keys = [f"s{i}" for i in range(len(cs.slots))]
        key = self._keys.__getitem__
        nnf = [[to_nnf(r.tree, cs) for r in cp.rules] for cp in cs.policies]
        patterns = _patterns(cs, nnf, key)  # every rule durable-rules cannot hold is reported at once
        self._rules = DurableRules()
        self._policies: list[_Policy] = []
        for pi, cp in enumerate(cs.policies):
            rulesets = []
            for ci, members in enumerate(_chunks(nnf[pi])):
                name = f"p{pi}_{cp.policy.name}_{ci}"
                rulesets.append(_Ruleset(self._rules.add_ruleset(name, [patterns[pi][m] for m in members]), members))
            self._policies.append(_Policy(cp.policy.hit_policy == "first", rulesets))
        used: set[int] = set()
        for trees in nnf:
            for tree in trees:
                _collect_slots(tree, used)
        self._used = sorted(used)
        self._message = cs.message_function(self._keys, only=self._used)

    def fire_facts(
        self, facts: Facts, now: datetime, active: Sequence[bool], deadline: float | None = None
    ) -> list[list[int]]:
        return self._fire_message(self._message(facts, now), active, deadline)

    def _fire_message(
        self, message: dict[str, object], active: Sequence[bool], deadline: float | None = None
    ) -> list[list[int]]:
        # slot values are str, int or bool: the compiler makes numbers fixed-point integers,
        # and app facts are type-checked when derived (facts.FactRegistry.register)
        out: list[list[int]] = []
        for n, policy in enumerate(self._policies):  # active[n]: enumerate costs less per call than zip(strict=True)
            if deadline is not None and perf_counter() > deadline:
                raise BudgetExceeded(n)
            if not active[n]:
                out.append([])
                continue
            hit: list[int] = []
            for rs in policy.rulesets:
                members = rs.members
                hit.extend(members[i] for i in self._rules.match(rs.key, message, checked=True))
            hit.sort()
            out.append(hit[:1] if policy.first else hit)
        return out

    def close(self) -> None:
        self._rules.close()


def _collect_slots(node: CNode, out: set[int]) -> None:
    if isinstance(node, CLeaf):
        out.add(node.slot)
        if node.rhs_slot is not None:
            out.add(node.rhs_slot)
    elif isinstance(node, CNot):
        _collect_slots(node.child, out)
    else:
        for k in node.children:
            _collect_slots(k, out)


def _chunks(trees: list[CNode]) -> list[list[int]]:
    """Group rules into rulesets within durable-rules' limits (64 rules, <500 literals a field)."""
    chunks: list[list[int]] = []
    current: list[int] = []
    counts: dict[int, set[tuple[str, LeafValue]]] = {}
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


def _patterns(cs: CompiledSet, nnf: list[list[CNode]], key: Callable[[int], str]) -> list[list[Pattern]]:
    """Every rule's durable pattern; :class:`PolicyValidationError` locating every rule durable-rules
    cannot hold (too many alternatives, or more than 31 expressions in one rule)."""
    issues: list[PolicyIssue] = []
    out: list[list[Pattern]] = []
    for cp, trees in zip(cs.policies, nnf, strict=True):
        mine: list[Pattern] = []
        for cr, tree in zip(cp.rules, trees, strict=True):
            size = dnf_size(tree)
            if size > MAX_DNF_ALTERNATIVES:
                issues.append(
                    PolicyIssue(
                        cp.policy.source,
                        cr.rule.line,
                        cr.rule.column,
                        "policy-too-complex",
                        f"the condition expands to {size} alternatives; "
                        f"durable-rules takes at most {MAX_DNF_ALTERNATIVES}",
                        cr.rule.id,
                        "split the rule into several, or use fewer values in 'in' lists under 'any'",
                    )
                )
                continue
            try:
                mine.append(pattern_from_tree(tree, key))
            except BackendError as exc:
                issues.append(
                    PolicyIssue(cp.policy.source, cr.rule.line, cr.rule.column, exc.code, str(exc.args[0]), cr.rule.id)
                )
        out.append(mine)
    if issues:
        raise PolicyValidationError(issues)
    return out
