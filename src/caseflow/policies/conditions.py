"""Conditions: the ``when`` part of a rule.

A condition is a tree of ``all`` / ``any`` / ``not`` over *tests*, and each test is one
line of text such as::

    order.amount <= 200 CNY
    buyer.refunds_90d < 3
    case.type in [refund_only, return_and_refund]
    order.delivered_at more than 7 days ago
    message.text contains "lawyer"
    order.amount > request.amount          # a comparison between two facts
    buyer.segment != $trusted_segment      # a parameter of the policy

This module parses the text (with the column of every token, for error messages) and
type-checks each test against the fact namespace. It produces :class:`Test` nodes whose
``value`` is already typed (Decimal, Money parts, seconds, tuples ...). Nothing here is
evaluated with ``eval``; the text is a tiny fixed grammar.

Every value a test holds is bounded, so nothing later overflows, rounds or runs long: a number or
an amount has at most :data:`MAX_DIGITS` significant digits and is below ``10**MAX_DIGITS``, an
amount is never negative, a duration is at most :data:`MAX_DURATION_DAYS` days, a date-time lies
between the years 1900 and 8999 (as a case's), an ``in`` list holds at most :data:`MAX_IN_VALUES`
values and a regex compiles in RE2's memory budget.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple, Protocol

import re2  # google-re2: linear-time matching, no backtracking

from ..errors import suggest
from ..model.case import EARLIEST, LATEST
from ..model.money import ISO_CURRENCIES, check_amount, parse_money
from .facts import FactRegistry, FactSpec, FactType
from .phrases import PhraseSet, builtin_phrase_set, builtin_phrase_sets
from .source import YamlValue

__all__ = [
    "AllOf",
    "AnyOf",
    "Always",
    "Between",
    "Condition",
    "FactRef",
    "NotOf",
    "Regex",
    "Test",
    "TestLiteral",
    "TestValue",
    "MAX_DIGITS",
    "MAX_DURATION_DAYS",
    "compile_regex",
    "parse_duration",
    "parse_test",
]

MAX_IN_VALUES = 256
MAX_REGEX_LENGTH = 500
MAX_DIGITS = 15
"""Significant digits of a number or an amount in a test (and its size: below 10**15)."""
MAX_DURATION_DAYS = 36_525
"""The longest duration (100 years) a test, an SLA target or a detector window may name."""
_MAX_SECONDS = Decimal(MAX_DURATION_DAYS * 86_400)
_REGEX_MEMORY = 8 << 20  # bytes RE2 may use for one compiled pattern (its default, made explicit)


@dataclass(frozen=True)
class FactRef:
    """The right-hand side of a test is another fact."""

    name: str


TestLiteral = str | int | Decimal | bool | datetime
"""A literal of a test, typed for its fact: text (an enum's value too), a whole number, a Decimal (a
number with a fraction, a money amount), a boolean, or a date-time with a time zone."""


class Between(NamedTuple):
    """The ends of a ``between`` test, both included."""

    low: TestLiteral
    high: TestLiteral


TestValue = TestLiteral | tuple[TestLiteral, ...] | Between | float | FactRef | PhraseSet | None
"""What a :class:`Test` compares its fact with, by operator: a literal or another fact (``==``, ``<``
...), the values of an ``in`` list, the ends of ``between``, seconds (``more than N days ago``), the
phrase set of ``mentions``, the text of ``contains`` and ``matches``, or None (``exists``)."""


@dataclass(frozen=True)
class Test:
    fact: str
    # eq ne lt le gt ge in not_in contains matches mentions exists not_exists between older_than newer_than within
    op: str
    value: TestValue = None
    text: str = ""
    line: int = 0
    column: int = 0
    currency: str | None = None  # for money tests: the literal's currency

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class AllOf:
    children: tuple[Condition, ...]
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Condition, ...]
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class NotOf:
    child: Condition
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class Always:
    line: int = 0
    column: int = 0


Condition = Test | AllOf | AnyOf | NotOf | Always


class Regex(Protocol):
    """A compiled RE2 pattern, as caseflow uses it (google-re2 ships no type information)."""

    def search(self, text: str) -> object | None: ...


@dataclass
class ConditionProblem(Exception):
    offset: int  # character offset inside the test text
    code: str
    message: str
    hint: str | None = None


# ----------------------------------------------------------------------------------------
# tokens
# ----------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<op>==|!=|<=|>=|<|>|=)
  | (?P<punct>[\[\],])
  | (?P<param>\$[A-Za-z_][A-Za-z0-9_]*)
  | (?P<dt>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)
  | (?P<num>-?\d+(?:\.\d+)?(?![A-Za-z0-9_.]))
  | (?P<word>[^\s\[\],"'=<>!]+)
    """,
    re.VERBOSE,
)


@dataclass
class Tok:
    kind: str
    text: str
    pos: int
    value: str = ""  # of a string token: its text without the quotes


def tokenize(text: str) -> list[Tok]:
    toks: list[Tok] = []
    i = 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if not m or m.end() == i:
            raise ConditionProblem(i, "condition-syntax", f"unexpected character {text[i]!r}")
        kind = m.lastgroup or ""
        s = m.group()
        if kind != "ws":
            tok = Tok(kind, s, i)
            if kind == "str":
                tok.value = _unquote(s)
            toks.append(tok)
        i = m.end()
    return toks


def _unquote(s: str) -> str:
    """The text inside quotes: a backslash escapes only the quote itself (so ``"order\\s*#?\\d+"``
    keeps its regex backslashes)."""
    quote = s[0]
    return s[1:-1].replace("\\" + quote, quote)


_UNITS = {
    "s": 1, "sec": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "week": 604800, "weeks": 604800,
}  # fmt: skip

_OPS = {"==": "eq", "=": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}

_ORDERED = {FactType.number, FactType.integer, FactType.money, FactType.datetime}
_EQUATABLE = {FactType.string, FactType.enum, FactType.number, FactType.integer, FactType.boolean, FactType.money}

_DURATION_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*([a-z]+)$")


@lru_cache(maxsize=1024)  # policies repeat a few durations; SLA clocks read them for every case
def parse_duration(text: str) -> float:
    """``'7d'``, ``'48 hours'``, ``'2w'`` into seconds; ValueError if malformed, or longer than
    :data:`MAX_DURATION_DAYS` days."""
    m = _DURATION_RE.match(text.strip().lower()) if len(text) <= 100 else None
    if not m or m.group(2) not in _UNITS:
        shown = text if len(text) <= 40 else f"{text[:30]}…"
        raise ValueError(f"{shown!r} is not a duration; write e.g. '7d', '48h', '30 minutes'")
    return _seconds(Decimal(m.group(1)), _UNITS[m.group(2)])


def _seconds(n: Decimal, unit: int) -> float:
    """``n`` units of ``unit`` seconds; ValueError above :data:`MAX_DURATION_DAYS` days."""
    if n.adjusted() > 12 or n * unit > _MAX_SECONDS:  # (a number of 5,000 digits is never multiplied)
        raise ValueError(f"a duration is at most {MAX_DURATION_DAYS:,} days (100 years)")
    return float(n * unit)


# ----------------------------------------------------------------------------------------
# parser
# ----------------------------------------------------------------------------------------


_Raw = YamlValue | Decimal
"""A value as a test writes it (a number, a text, a date-time) or a parameter holds it, not yet checked
against the fact's type."""


class _Literal(NamedTuple):
    """A literal operand checked against its fact, with the currency of a money amount."""

    value: TestLiteral
    currency: str | None = None


class _Item(NamedTuple):
    """A value of an ``in`` list and the token it came from (where its problems point)."""

    value: _Raw
    tok: Tok


class _Parser:
    def __init__(
        self,
        text: str,
        facts: FactRegistry,
        params: Mapping[str, YamlValue],
        phrases: Mapping[str, PhraseSet] | None = None,
    ) -> None:
        self.text = text
        self.toks = tokenize(text)
        self.i = 0
        self.facts = facts
        self.params = params
        self.phrases = phrases or {}

    def peek(self, k: int = 0) -> Tok | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def next(self, what: str) -> Tok:
        tok = self.peek()
        if tok is None:
            raise ConditionProblem(len(self.text), "condition-syntax", f"the test ends too early: expected {what}")
        self.i += 1
        return tok

    def at_word(self, *words: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == "word" and tok.text.lower() in words

    def end(self) -> None:
        tok = self.peek()
        if tok is not None:
            raise ConditionProblem(tok.pos, "condition-syntax", f"unexpected {tok.text!r} after the end of the test")

    # -- the fact on the left ---------------------------------------------------------
    def fact(self) -> FactSpec:
        tok = self.next("a fact name")
        if tok.kind != "word":
            raise ConditionProblem(
                tok.pos,
                "condition-syntax",
                f"a test starts with a fact name, not {tok.text!r}",
                "e.g. 'order.amount > 100 CNY'",
            )
        spec = self.facts.lookup(tok.text)
        if spec is None:
            hint = self.facts.suggest(tok.text)
            raise ConditionProblem(
                tok.pos,
                "policy-unknown-fact",
                f"unknown fact {tok.text!r}",
                f"did you mean {hint!r}?" if hint else _unknown_fact_hint(tok.text),
            )
        return spec

    def parse(self) -> Test:
        spec = self.fact()
        tok = self.next("an operator")
        if tok.kind == "op":
            return self.compare(spec, tok)
        if tok.kind != "word":
            raise ConditionProblem(
                tok.pos, "condition-syntax", f"expected an operator after {spec.name!r}, got {tok.text!r}"
            )
        read = _WORD_OPERATORS.get(tok.text.lower())
        test = None if read is None else read(self, spec, tok)
        if test is None:
            raise ConditionProblem(
                tok.pos,
                "policy-unknown-operator",
                f"unknown operator {tok.text!r}",
                "use ==, !=, <, <=, >, >=, in, not in, contains, matches, mentions, exists, not exists, between, "
                "'more than N days ago', 'less than N days ago'",
            )
        return test

    # -- the operators: each reads what follows its first token -------------------------
    def compare(self, spec: FactSpec, tok: Tok) -> Test:
        """``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``: with a literal or another fact."""
        op = _OPS[tok.text]
        operand = self.operand_for(spec, op)
        self.end()
        if isinstance(operand, FactRef):
            return self.make(spec, op, operand)
        return self.make(spec, op, operand.value, operand.currency)

    def exists(self, spec: FactSpec, tok: Tok) -> Test:
        self.end()
        return self.make(spec, "exists", None)

    def negation(self, spec: FactSpec, tok: Tok) -> Test | None:
        """``not exists`` or ``not in [...]``; None when ``not`` is followed by neither."""
        if self.at_word("exists"):
            self.i += 1
            self.end()
            return self.make(spec, "not_exists", None)
        if self.at_word("in"):
            self.i += 1
            return self.membership(spec, tok, "not_in")
        return None

    def missing(self, spec: FactSpec, tok: Tok) -> Test | None:
        """``is missing``; None when ``is`` is followed by anything else."""
        if not self.at_word("missing"):
            return None
        self.i += 1
        self.end()
        return self.make(spec, "not_exists", None)

    def membership(self, spec: FactSpec, tok: Tok, op: str = "in") -> Test:
        self.check_op(spec, op, tok.pos)
        values = self.list_for(spec)
        self.end()
        return self.make(spec, op, values)

    def contains(self, spec: FactSpec, tok: Tok) -> Test:
        self.check_op(spec, "contains", tok.pos)
        t = self.next("a value")
        value = self.scalar_literal(t)
        if not isinstance(value, str) or value == "":
            raise ConditionProblem(
                t.pos, "policy-bad-value", "'contains' takes a non-empty text, e.g. contains \"lawyer\""
            )
        self.end()
        return self.make(spec, "contains", value)

    def mentions(self, spec: FactSpec, tok: Tok) -> Test:
        """``mentions SET``, or ``mentions SET near CONTEXT`` (an occurrence of SET counts only with a
        counted phrase of CONTEXT in its sentence); either followed by ``set aside``: whether a scope rule
        set an occurrence aside instead (negated, asked, past ...: a veto for a learned signal). A set is
        declared under ``phrases:``, or built in (the authorities per market: ``regulators``, ``police.cn`` ...)."""
        self.check_op(spec, "matches", tok.pos)  # the same fit: text facts
        phrases = self.phrase_set("the name of a phrase set (declared under 'phrases:')")
        if self.at_word("near"):
            self.i += 1
            phrases = phrases.near(self.phrase_set("the name of the context's phrase set, after 'near'"))
        if self.at_word("set"):
            self.i += 1
            t = self.next("'aside', after 'set'")
            if t.kind != "word" or t.text.lower() != "aside":
                raise ConditionProblem(
                    t.pos,
                    "condition-syntax",
                    f"expected 'aside' after 'set', not {t.text!r}",
                    "e.g. 'messages.customer_text mentions legal_threat set aside'",
                )
            phrases = phrases.set_aside()
        self.end()
        return self.make(spec, "mentions", phrases)

    def phrase_set(self, what: str) -> PhraseSet:
        """The phrase set named by the next token: the policy's own, a built-in one, or another policy's loaded
        with it (``escalation.legal_threat``)."""
        t = self.next(what)
        name = t.text
        found = self.phrases.get(name) if t.kind == "word" else None
        if found is None and t.kind == "word":
            found = builtin_phrase_set(name)
        if found is None:
            best = suggest(name, [*self.phrases, *builtin_phrase_sets()])
            raise ConditionProblem(
                t.pos,
                "policy-unknown-phrases",
                f"unknown phrase set {name!r}",
                f"did you mean {best!r}?"
                if best
                else "a set of another policy (POLICY.SET) is known when that policy is loaded with this one"
                if "." in name
                else "declare it under 'phrases:'",
            )
        return found

    def matches(self, spec: FactSpec, tok: Tok) -> Test:
        self.check_op(spec, "matches", tok.pos)
        t = self.next("a regular expression in quotes")
        if t.kind != "str":
            raise ConditionProblem(t.pos, "policy-bad-value", "'matches' takes a quoted regular expression")
        check_regex(t.value, t.pos)
        self.end()
        return self.make(spec, "matches", t.value)

    def between(self, spec: FactSpec, tok: Tok) -> Test:
        self.check_op(spec, "between", tok.pos)
        lo = self.bound(spec, "ge")
        if not self.at_word("and"):
            t = self.peek()
            raise ConditionProblem(t.pos if t else len(self.text), "condition-syntax", "write 'between LOW and HIGH'")
        self.i += 1
        after_and = self.peek()
        at = after_and.pos if after_and else len(self.text)
        hi = self.bound(spec, "le")
        self.end()
        if lo.currency != hi.currency:
            raise ConditionProblem(
                at,
                "policy-bad-value",
                f"both ends of 'between' need the same currency ({lo.currency} vs {hi.currency})",
            )
        if _above(lo.value, hi.value):
            raise ConditionProblem(
                at,
                "policy-never-true",
                f"'between {lo.value} and {hi.value}' can never hold: the low end is above the high end",
            )
        return self.make(spec, "between", Between(lo.value, hi.value), lo.currency)

    def relative(self, spec: FactSpec, tok: Tok) -> Test:
        """``more than N days ago``, ``less than N days ago``, ``within (the last) N days``."""
        low = tok.text.lower()
        if spec.type is not FactType.datetime:
            raise ConditionProblem(
                tok.pos,
                "policy-operator-type",
                f"'{low} ...' is for time facts; {spec.name!r} is {spec.describe_type()}",
                "compare numbers with <, > instead",
            )
        if low in ("more", "less"):
            t = self.next("'than'")
            if t.text.lower() != "than":
                raise ConditionProblem(t.pos, "condition-syntax", f"write '{low} than N days ago'")
        elif self.at_word("the"):
            self.i += 1
            t = self.next("'last'")
            if t.text.lower() != "last":
                raise ConditionProblem(t.pos, "condition-syntax", "write 'within the last N days' or 'within N days'")
        seconds = self.duration()
        if low in ("more", "less"):
            t = self.next("'ago'")
            if t.text.lower() != "ago":
                raise ConditionProblem(t.pos, "condition-syntax", f"write '{low} than N days ago'")
        self.end()
        op = {"more": "older_than", "less": "newer_than", "within": "within"}[low]
        return self.make(spec, op, seconds)

    def duration(self) -> float:
        """``N UNIT`` or a ``$parameter`` holding a duration such as ``7d``, in seconds."""
        n = self.next("a number")
        if n.kind == "param":
            val = self.param(n)
            try:
                return parse_duration(str(val))
            except ValueError as e:
                raise ConditionProblem(n.pos, "policy-bad-value", str(e)) from None
        if n.kind != "num":
            raise ConditionProblem(n.pos, "condition-syntax", f"expected a number, got {n.text!r}")
        u = self.next("a unit (minutes, hours, days, weeks)")
        if u.text.lower() not in _UNITS:
            raise ConditionProblem(
                u.pos, "condition-syntax", f"unknown time unit {u.text!r}", "use minutes, hours, days or weeks"
            )
        try:
            return _seconds(Decimal(n.text), _UNITS[u.text.lower()])
        except ValueError as e:
            raise ConditionProblem(n.pos, "policy-bad-value", str(e)) from None

    # -- operands ----------------------------------------------------------------------
    def check_op(self, spec: FactSpec, op: str, pos: int) -> None:
        t = spec.type
        ok = {
            "eq": t in _EQUATABLE or t is FactType.datetime,
            "ne": t in _EQUATABLE or t is FactType.datetime,
            "lt": t in _ORDERED, "le": t in _ORDERED, "gt": t in _ORDERED, "ge": t in _ORDERED,
            "between": t in _ORDERED,
            "in": t in (FactType.string, FactType.enum, FactType.integer, FactType.number, FactType.strings),
            "not_in": t in (FactType.string, FactType.enum, FactType.integer, FactType.number, FactType.strings),
            "contains": t in (FactType.string, FactType.strings),
            "matches": t is FactType.string,
        }[op]  # fmt: skip
        if not ok:
            word = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "not_in": "not in"}.get(
                op, op
            )
            fit = _fitting_ops(t)
            raise ConditionProblem(
                pos,
                "policy-operator-type",
                f"operator {word!r} does not fit {spec.name!r}, which is {_kind(spec)}",
                f"use one of: {fit}",
            )

    def param(self, tok: Tok) -> YamlValue:
        name = tok.text[1:]
        if name not in self.params:
            best = suggest(name, self.params)
            raise ConditionProblem(
                tok.pos,
                "policy-unknown-param",
                f"unknown parameter ${name}",
                f"did you mean ${best}?" if best else "declare it under 'params:'",
            )
        return self.params[name]

    def scalar_literal(self, tok: Tok) -> _Raw:
        if tok.kind == "str":
            return tok.value
        if tok.kind == "num":
            return _number(tok.text, tok.pos)
        if tok.kind == "dt":
            try:
                return datetime.fromisoformat(tok.text.replace("Z", "+00:00"))
            except ValueError as e:  # 2026-02-30, year 0
                raise ConditionProblem(tok.pos, "policy-bad-value", f"{tok.text} is not a date-time: {e}") from None
        if tok.kind == "param":
            return self.param(tok)
        if tok.kind == "word":
            low = tok.text.lower()
            if low in ("true", "false"):
                return low == "true"
            return tok.text
        raise ConditionProblem(tok.pos, "condition-syntax", f"expected a value, got {tok.text!r}")

    def operand_for(self, spec: FactSpec, op: str) -> _Literal | FactRef:
        """The right-hand side of a comparison: another fact (a dotted name), or a literal."""
        self.check_op(spec, op, self.toks[self.i - 1].pos if self.i else 0)
        tok = self.next("a value")
        if tok.kind == "word" and "." in tok.text and tok.text.lower() not in ("true", "false"):
            return self.fact_operand(spec, tok)
        return self.literal(spec, tok)

    def bound(self, spec: FactSpec, op: str) -> _Literal:
        """One end of ``between``: a literal (never another fact)."""
        self.check_op(spec, op, self.toks[self.i - 1].pos if self.i else 0)
        return self.literal(spec, self.next("a value"))

    def fact_operand(self, spec: FactSpec, tok: Tok) -> FactRef:
        other = self.facts.lookup(tok.text)
        if other is None:
            hint = self.facts.suggest(tok.text)
            raise ConditionProblem(
                tok.pos,
                "policy-unknown-fact",
                f"unknown fact {tok.text!r}",
                (f"did you mean {hint!r}? " if hint else "") + "quote the value if you meant text",
            )
        if not _comparable(spec.type, other.type):
            raise ConditionProblem(
                tok.pos,
                "policy-operator-type",
                f"cannot compare {spec.name!r} ({spec.describe_type()}) with {other.name!r} ({other.describe_type()})",
            )
        return FactRef(other.name)

    def literal(self, spec: FactSpec, tok: Tok) -> _Literal:
        if spec.type is FactType.money:
            return self.money_operand(spec, tok)
        return _Literal(self.coerce(spec, self.scalar_literal(tok), tok))

    def money_operand(self, spec: FactSpec, tok: Tok) -> _Literal:
        if tok.kind == "param":
            raw = self.param(tok)
            try:
                amount, currency = parse_money(str(raw))
            except ValueError as e:
                raise ConditionProblem(tok.pos, "policy-bad-value", f"parameter {tok.text}: {e}") from None
            return _Literal(_bounded(amount, tok.pos, f"parameter {tok.text}: "), currency)
        if tok.kind != "num":
            raise ConditionProblem(
                tok.pos, "policy-bad-value", f"{spec.name!r} is money: write an amount and a currency, e.g. '200 CNY'"
            )
        cur = self.peek()
        if cur is None or cur.kind != "word":
            raise ConditionProblem(
                len(self.text) if cur is None else cur.pos,
                "policy-missing-currency",
                f"{spec.name!r} is money: the amount {tok.text} needs a currency",
                f"write '{tok.text} CNY' (or IDR, VND, USD ...)",
            )
        self.i += 1
        code = cur.text.upper()
        if code not in ISO_CURRENCIES:
            raise ConditionProblem(cur.pos, "policy-bad-value", f"{cur.text!r} is not an ISO 4217 currency code")
        try:
            amount = check_amount(_bounded(Decimal(tok.text), tok.pos))
        except ValueError as e:
            raise ConditionProblem(tok.pos, "policy-bad-value", str(e)) from None
        return _Literal(amount, code)

    def coerce(self, spec: FactSpec, raw: _Raw, tok: Tok) -> TestLiteral:
        t = spec.type
        if t in (FactType.number, FactType.integer):
            if isinstance(raw, bool) or not isinstance(raw, (int, Decimal)):
                if isinstance(raw, float):
                    return _bounded(Decimal(repr(raw)), tok.pos)
                raise ConditionProblem(tok.pos, "policy-bad-value", f"{spec.name!r} is a number; {_shown(raw)} is not")
            _bounded(Decimal(raw), tok.pos)
            return raw
        if t is FactType.boolean:
            if not isinstance(raw, bool):
                raise ConditionProblem(
                    tok.pos, "policy-bad-value", f"{spec.name!r} is true or false; {raw!r} is neither"
                )
            return raw
        if t is FactType.datetime:
            try:
                dt = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
            except ValueError:
                raise ConditionProblem(
                    tok.pos,
                    "policy-bad-value",
                    f"{_shown(raw)} is not an ISO date-time",
                    "use e.g. '2026-11-11T00:00:00+08:00', or 'more than 7 days ago'",
                ) from None
            if dt.tzinfo is None:
                raise ConditionProblem(
                    tok.pos, "policy-bad-value", f"{dt.isoformat()} has no time zone", "add an offset such as +08:00"
                )
            if not EARLIEST <= dt < LATEST:
                raise ConditionProblem(
                    tok.pos,
                    "policy-bad-value",
                    f"{dt.isoformat()} is out of range: a time lies between the years {EARLIEST.year} and "
                    f"{LATEST.year - 1} (in UTC)",
                )
            return dt
        if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)):
            raise ConditionProblem(tok.pos, "policy-bad-value", f"{spec.name!r} is text; {_shown(raw)} is not")
        value = str(raw)
        if t is FactType.enum and spec.choices and value not in spec.choices:
            best = suggest(value[:100], spec.choices)
            raise ConditionProblem(
                tok.pos,
                "policy-bad-value",
                f"{_shown(value)} is not a value of {spec.name!r}",
                f"did you mean {best!r}?" if best else f"use one of {', '.join(spec.choices)}",
            )
        return value

    def list_for(self, spec: FactSpec) -> tuple[TestLiteral, ...]:
        tok = self.next("a list such as [a, b]")
        items = self.list_items(tok)
        if not items:
            raise ConditionProblem(tok.pos, "policy-bad-value", "an empty list never matches; remove the test")
        if len(items) > MAX_IN_VALUES:
            raise ConditionProblem(
                tok.pos, "policy-limit", f"a list may hold at most {MAX_IN_VALUES} values (it has {len(items)})"
            )
        elem = spec
        if spec.type is FactType.strings:
            elem = FactSpec(spec.name, FactType.string, spec.description, spec.getter)
        values: list[TestLiteral] = []
        for item in items:
            v = self.coerce(elem, item.value, item.tok)
            if v not in values:
                values.append(v)
        return tuple(values)

    def list_items(self, tok: Tok) -> list[_Item]:
        """The values of an ``in`` list: a ``$parameter`` holding a list, or ``[a, b, ...]``."""
        if tok.kind == "param":
            val = self.param(tok)
            if not isinstance(val, list):
                raise ConditionProblem(tok.pos, "policy-bad-value", f"parameter {tok.text} is not a list")
            return [_Item(v, tok) for v in val]
        if tok.kind == "punct" and tok.text == "[":
            return self.bracket_items()
        raise ConditionProblem(
            tok.pos, "condition-syntax", "'in' takes a list in brackets, e.g. in [fresh_food, custom_made]"
        )

    def bracket_items(self) -> list[_Item]:
        """The values of ``[a, b, ...]``, its opening bracket already read."""
        items: list[_Item] = []
        opening = self.toks[self.i - 1]
        while True:
            t = self.next("a value or ']'")
            if t.kind == "punct" and t.text == "]" and not items:
                return items
            if len(items) == MAX_IN_VALUES:  # said now: the rest of a list of 100,000 values is never read
                raise ConditionProblem(
                    opening.pos, "policy-limit", f"a list may hold at most {MAX_IN_VALUES} values (it has more)"
                )
            items.append(_Item(self.scalar_literal(t), t))
            sep = self.next("',' or ']'")
            if sep.text == "]":
                return items
            if sep.text != ",":
                raise ConditionProblem(sep.pos, "condition-syntax", f"expected ',' or ']', got {sep.text!r}")

    def make(self, spec: FactSpec, op: str, value: TestValue, currency: str | None = None) -> Test:
        return Test(spec.name, op, value, self.text, currency=currency)


# the operators written as words, by their first word: each returns None when the words after it
# make no operator ('not' before neither 'exists' nor 'in')
_WORD_OPERATORS: dict[str, Callable[[_Parser, FactSpec, Tok], Test | None]] = {
    "exists": _Parser.exists,
    "not": _Parser.negation,
    "is": _Parser.missing,
    "in": _Parser.membership,
    "contains": _Parser.contains,
    "mentions": _Parser.mentions,
    "matches": _Parser.matches,
    "between": _Parser.between,
    "more": _Parser.relative,
    "less": _Parser.relative,
    "within": _Parser.relative,
}


def _unknown_fact_hint(name: str) -> str:
    """What to do about a fact nobody registered: a signal's comes from its provider, the rest are listed."""
    if name.startswith("signal.text_"):
        return (
            "a text model's fact: register the model in the facts given to load_policies (register_text_model), "
            "or give the command --text-model shipped"
        )
    if name.startswith("signal."):
        return "a signal provider's fact: register the provider in the facts given to load_policies"
    return "run 'caseflow facts' to list the facts"


def _above(low: TestLiteral, high: TestLiteral) -> bool:
    """Whether the low end of ``between`` is above the high end (both are numbers, or both times)."""
    if isinstance(low, datetime) and isinstance(high, datetime):
        return low > high
    if isinstance(low, int | Decimal) and isinstance(high, int | Decimal):
        return low > high
    return False


def _number(text: str, pos: int) -> int | Decimal:
    """A number token (``-?\\d+(\\.\\d+)?``) as an int or a Decimal, bounded (:func:`_bounded`)."""
    value = _bounded(Decimal(text), pos)
    return int(text) if "." not in text else value


def _bounded(value: Decimal, pos: int, what: str = "") -> Decimal:
    """``value`` if finite with at most :data:`MAX_DIGITS` significant digits, below ``10**MAX_DIGITS``."""
    if not value.is_finite() or len(value.as_tuple().digits) > MAX_DIGITS or value.adjusted() >= MAX_DIGITS:
        shown = str(value) if len(str(value)) <= 30 else f"{str(value)[:20]}…"
        raise ConditionProblem(
            pos,
            "policy-bad-value",
            f"{what}{shown}: a number or an amount in a test is finite, with at most {MAX_DIGITS} significant "
            f"digits, below 10**{MAX_DIGITS}",
        )
    return value


def _shown(value: object) -> str:
    """A value as a message quotes it (a long one cut)."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:45]}…{text[-10:]}"


def _comparable(a: FactType, b: FactType) -> bool:
    nums = {FactType.number, FactType.integer}
    if a in nums and b in nums:
        return True
    texts = {FactType.string, FactType.enum}
    if a in texts and b in texts:
        return True
    return a == b and a in (FactType.money, FactType.datetime, FactType.boolean)


def _kind(spec: FactSpec) -> str:
    return "a choice of fixed values" if spec.type is FactType.enum else spec.describe_type()


def _fitting_ops(t: FactType) -> str:
    return {
        FactType.string: "==, !=, in, not in, contains, matches, mentions, exists",
        FactType.enum: "==, !=, in, not in, exists",
        FactType.number: "==, !=, <, <=, >, >=, between, in, not in, exists",
        FactType.integer: "==, !=, <, <=, >, >=, between, in, not in, exists",
        FactType.boolean: "== true, == false, exists",
        FactType.money: "==, !=, <, <=, >, >=, between (with a currency), exists",
        FactType.datetime: "<, <=, >, >=, between, 'more than N days ago', 'less than N days ago', exists",
        FactType.strings: "contains, in (any element), not in (no element), exists",
    }[t]


def compile_regex(pattern: str) -> Regex:
    """``pattern`` compiled by RE2 (google-re2): matching takes time linear in the text, whatever the
    pattern, so no policy regex can hang. ValueError with RE2's reason when it cannot compile it
    (back-references and look-around are not in RE2's syntax)."""
    options = re2.Options()
    options.log_errors = False  # RE2 would write its complaint to stderr: caseflow never prints
    options.max_mem = _REGEX_MEMORY
    try:
        compiled: Regex = re2.compile(pattern, options)
    except re2.error as e:
        reason = e.args[0].decode("utf-8", "replace") if e.args and isinstance(e.args[0], bytes) else str(e)
        raise ValueError(reason) from None
    return compiled


def check_regex(pattern: str, pos: int = 0) -> None:
    """Refuse a regex that is too long or that RE2 cannot compile (with RE2's reason)."""
    if len(pattern) > MAX_REGEX_LENGTH:
        raise ConditionProblem(pos, "policy-bad-regex", f"a pattern may be at most {MAX_REGEX_LENGTH} characters")
    try:
        compile_regex(pattern)
    except ValueError as e:
        raise ConditionProblem(
            pos,
            "policy-bad-regex",
            f"invalid regular expression: {e}",
            "patterns use RE2 syntax (as Python's, without back-references or look-around)",
        ) from None


def parse_test(
    text: str,
    facts: FactRegistry,
    params: Mapping[str, YamlValue] | None = None,
    phrases: Mapping[str, PhraseSet] | None = None,
) -> Test:
    """Parse one test. Raises :class:`ConditionProblem` with the offending character offset."""
    if not isinstance(text, str) or not text.strip():
        raise ConditionProblem(0, "condition-syntax", "a test is a line of text such as 'order.amount > 100 CNY'")
    return _Parser(text, facts, params or {}, phrases).parse()
