"""Hypothesis strategies: the inputs of each fuzz target, as the bytes the target takes.

Each target's inputs come from two sources, mixed:

- **structured**: documents built from the grammar they are read with (a policy from the policy
  format's keys, facts, operators and actions; a case from a valid case with fields replaced by hostile
  values; text tests from the text operators and hostile Unicode), serialized, then sometimes mutated
  as bytes, so most inputs get past the first reader to the code behind it;
- **mutated seeds**: a file of ``fuzz/corpus/<target>/`` (the shipped rules, valid cases, every past
  finding) with bytes replaced, inserted, deleted, repeated and spliced from another seed.

Large hostile pieces (5,000-digit numbers, 100,000 brackets, 2 MB messages) are drawn whole from
lists, never built a character at a time, so a run stays fast.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from caseflow import FactType, default_actions, default_facts

from .targets import CORPUS, TARGETS

__all__ = ["STRATEGIES", "case_inputs", "hostile_text", "policy_inputs", "text_inputs"]


class Pool(list[bytes]):
    """Inputs to mutate (shown by their number only: Hypothesis shows a strategy when it fails)."""

    def __repr__(self) -> str:
        return f"<{len(self)} inputs>"


def mix(*branches: tuple[int, SearchStrategy[Any]]) -> SearchStrategy[Any]:
    """One of ``branches``, each drawn in proportion to its weight (``st.one_of`` would favour the
    branches whose draws vary most: Hypothesis does not run the same choices twice)."""
    table = [strategy for weight, strategy in branches for _ in range(weight)]
    return st.integers(0, len(table) - 1).flatmap(table.__getitem__)


# ------------------------------------------------------------------------------------------------
# hostile pieces
# ------------------------------------------------------------------------------------------------

HOSTILE_CHARS = [
    *"\u200b\u200c\u200d\u2060\u2061\u2064\ufeff\u00ad\u034f\u180e",  # zero-width, joiners, invisible operators
    *"\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c",  # direction marks, bidi overrides
    *"аеорсухіјѕԁɡνοτΑΒΕΗΙΚΜΝΟΡΤΧΥΖАВЕКМНОРСТХ",  # Cyrillic and Greek look-alikes (upper case too)
    *"ＳＵＥｌａｗｙｅｒ０１９",  # full width
    *"ﬁﬂﬅßẞİıǅǈǋΣςσϐϑϕϰϱϵẛ\u0345ﷺ\ufdfa\u3164\uffa0\u115f",  # ligatures, case-folding oddities, fillers
    *"\u0301\u0300\u0303\u0309\u0323\u0302\u0306\u031b\u0338\u20dd",  # combining marks
    *"ạảãáàặẳẵắằậẩẫấầẹẻẽéèệểễếềịỉĩíìọỏõóòộổỗốồợởỡớờụủũúùựửữứừỵỷỹýỳđĐ",  # Vietnamese
    *"律師訴訟起诉⺠⻘㐀𠀀丽\u2f00\u2e80",  # Traditional and Simplified, radicals, compatibility ideographs
    *"“”‘’„«»「」『』〝〞＂＇'\"",  # quotes
    *"٣١٠१𝟗𝟘",  # digits of other scripts (\d matches them)
    *"\u00a0\u2000\u2003\u3000\u2028\u2029\u0085\x0b\x0c\r\t\n",  # spaces and line breaks
    *"\x00\x01\x1b\x7f\x9b",  # controls
    *"\ufffd\ufffe\uffff\U0010ffff\U000e0001\U000e0100\ufe0f\U0001f600\U0001f3fb\u200d\U0001f469",  # specials, emoji
    *"\ud800\udbff\udc00\udfff",  # lone surrogates (refused wherever text enters)
    *" .-_*·•,$[]()\\=<>!#&|?",  # separators and punctuation the grammars use
]
HOSTILE_WORDS = [
    "lawyer", "LAWYER", "Lawyer's", "lawyers", "l a w y e r", "l.a.w.y.e.r", "l-a-w-y-e-r", "l_a_w_y_e_r",
    "s u e", "s  u  e", "su e", "1 2 3 1 5", "12315", "律 师", "律*师", "報 警", "律師起訴", "luật sư", "luat su",
    "l u ậ t s ư", "luậtsư", "khởi kiện", "kiện hàng", "kien hang", "toà án", "tòa án", "khoẻ", "quỳ", "nổ", "no",
    "not sue", "I will not sue", "won't sue", "never", "không kiện", "khong", "不起诉", "没有律师", "别报警",
    "tidak menggugat", '"lawyer"', "“lawyer”", "「律师」", "«sue»", '"unclosed', "take you to court",
    "fire tv", "smoke grey", "order #123", "order 123", "a" * 300, "k h i ế u  n ạ i", "ā̀́̂̃̄", "e\u0301\u0301\u0301",
]  # fmt: skip


@cache
def big_texts() -> list[str]:
    """Long texts drawn whole (built once)."""
    return [
        "I will sue you, lawyer " * 90_000,  # 2 MB
        "s " * 200_000,
        "s u e " * 50_000,
        "“" * 100_000,
        '"' * 100_001,
        "\u0301" * 200_000,
        "l" + "\u200b" * 300_000 + "awyer",
        "律" * 300_000,
        "luật sư " * 60_000,
        "not " * 100_000 + "sue",
        "a" * 1_000_000,
        "\u202e" * 100_000 + "lawyer",
        "ﷺ" * 100_000,
        "á" * 100_000,
        "o\u0300a " * 100_000,
        "-" * 500_000,
        " ." * 300_000,
    ]


def hostile_text(max_parts: int = 24, *, long: bool = False) -> SearchStrategy[str]:
    """Text from hostile characters, words and any characters; with ``long``, now and then (one time in
    20) a long text drawn whole (for messages: a policy's texts are short)."""
    part = st.one_of(
        st.sampled_from(HOSTILE_CHARS),
        st.sampled_from(HOSTILE_WORDS),
        st.text(max_size=12),
        st.text(st.characters(codec="utf-8"), max_size=6),
        st.sampled_from([" ", "  ", ".", "-", "*", "·", "\t", "\n", '"', "'", "\\"]),
    )
    short = st.lists(part, max_size=max_parts).map("".join)
    if not long:
        return short
    big = st.builds(lambda a, b, c: a + b + c, short, st.sampled_from(big_texts()), short)
    return st.integers(0, 19).flatmap(lambda n: big if n == 0 else short)


NUMBERS = [
    "0", "1", "3", "-1", "0.5", "0.3", "100", "1000000", "1e309", "1e-400", "-0", "00001", ".5", "5.", "1_000",
    "0x10", "9" * 15, "9" * 16, "9" * 20, "9" * 5000, "1." + "1" * 5000, "1.000000000000001", "NaN", "inf",
    "-Infinity", "٣", "１", "𝟗", "१०", "3.", "1e3", "2" * 4301,
]  # fmt: skip
CURRENCIES = ["CNY", "USD", "IDR", "VND", "XXX", "XTS", "XAU", "cny", "CN", "CNYY", "ＣＮＹ", "", "€", "$"]
TIMES = [
    "2026-11-11T10:00:00+08:00", "2026-11-11T10:00:00Z", "2026-11-11T10:00", "2026-02-30T00:00:00Z",
    "0000-01-01T00:00:00+00:00", "0001-01-01T00:00:00+14:00", "1899-12-31T23:59:59Z", "9999-12-31T23:59:59-23:59",
    "8999-12-31T23:59:59+00:00", "10000-01-01T00:00:00Z", "2026-11-11T10:00:00.123456789+08:00",
    "2026-11-11T24:00:00Z", "2026-11-11T10:00:60Z", "2026-11-11T10:00:00+24:00", "2026-13-01T00:00:00Z",
    "２０２６-11-11T10:00:00Z", "٢٠٢٦-١١-١١T١٠:٠٠:٠٠Z", "2026-11-11", "2026-W46-3", "now",
]  # fmt: skip
UNITS = ["s", "sec", "seconds", "m", "minutes", "h", "hours", "d", "day", "days", "w", "weeks", "fortnight", "DAYS", ""]
REGEXES = [
    r"(a+)+$", r"(?i)lawyer", r"order\s*#?\d+", r"\p{Han}+", r"\p{Greek}", r"[\x{0}-\x{10FFFF}]{1000}",
    r"(a|aa)*b", r"\bsue\b", r"(?P<x>a)", r"(?P=x)", r"(a)\1", r"(?=a)", r"(?<!a)b", r"[", r"\\", "\\",
    r"a{1001}", r"a{0,1000}{0,1000}", r"((((a{100}){100}){100}){100})", r"\C", r"(?s).", r"\Q.*\E", r".*", r"^$",
    r"\pN", r"\z", r"(?U)a+", r"[[:alpha:]]", r"[^\x00-\x7f]", r"\x{d800}", r"律師|诉讼", r"(?m)^sue$", "a" * 501,
    "|".join(["ab"] * 300), r"(|)*", r"()+", r"(?i)ǅ", r"İ", r"\N{LATIN SMALL LETTER A}",
]  # fmt: skip


def quoted(text: SearchStrategy[str]) -> SearchStrategy[str]:
    """A text in a test's quotes: a backslash escapes only the quote (now and then left unescaped)."""

    def quote(t: str, q: str, escape: bool) -> str:
        return q + (t.replace(q, "\\" + q) if escape else t) + q

    return st.builds(quote, text, st.sampled_from(['"', "'"]), st.sampled_from([True, True, True, False]))


# ------------------------------------------------------------------------------------------------
# conditions
# ------------------------------------------------------------------------------------------------


@cache
def _facts() -> dict[str, tuple[FactType, tuple[str, ...]]]:
    return {f.name: (f.type, f.choices or ()) for f in default_facts()}


TEXT_FACTS = ["message.text", "messages.customer_text"]
OPERATORS = ["==", "!=", "<", "<=", ">", ">=", "=", "===", "=>", "in", "not in", "contains", "matches", "mentions"]
PHRASE_NAMES = ["legal_threat", "safety_incident", "p", "x" * 100, "Bad Name", "1x", "", "$p", "legal-threat"]


def number() -> SearchStrategy[str]:
    return st.one_of(st.sampled_from(NUMBERS), st.integers(-(10**20), 10**20).map(str), st.floats().map(repr))


def operand(kind: FactType, choices: tuple[str, ...]) -> SearchStrategy[str]:
    """A value written after a comparison: of the fact's type mostly, anything now and then."""
    money = st.builds(lambda n, c: f"{n} {c}".strip(), number(), st.sampled_from(CURRENCIES))
    words = st.sampled_from([*choices, "true", "false", "null", "~", "$x", "$undeclared", "order.amount", "now"])
    anything = st.one_of(number(), money, st.sampled_from(TIMES), words, quoted(hostile_text(6)))
    fitting = {
        FactType.money: money,
        FactType.datetime: st.sampled_from(TIMES),
        FactType.number: number(),
        FactType.integer: number(),
        FactType.boolean: st.sampled_from(["true", "false", "True", "yes", "1"]),
    }.get(kind, st.one_of(words, quoted(hostile_text(6))))
    return st.one_of(fitting, fitting, fitting, anything)


@st.composite
def test_texts(draw: st.DrawFn, text_only: bool = False) -> str:
    """One test: ``FACT OPERATOR VALUE`` from the grammar, sometimes broken."""
    facts = _facts()
    name = draw(st.sampled_from(TEXT_FACTS if text_only else [*TEXT_FACTS, *sorted(facts)]))
    kind, choices = facts[name]
    form = draw(st.integers(0, 12))
    if text_only or form in (0, 1):
        form = draw(st.sampled_from(["contains", "matches", "mentions", "contains", "matches"]))
    if form == "contains":
        return f"{name} contains {draw(quoted(hostile_text()))}"
    if form == "matches":
        pattern = draw(
            st.one_of(st.sampled_from(REGEXES), hostile_text(8), st.lists(st.sampled_from(REGEXES)).map("".join))
        )
        return f"{name} matches {draw(quoted(st.just(pattern)))}"
    if form == "mentions":
        return f"{name} mentions {draw(st.sampled_from(PHRASE_NAMES))}"
    if form == 2:
        return f"{name} between {draw(operand(kind, choices))} and {draw(operand(kind, choices))}"
    if form == 3:
        values = draw(st.lists(operand(kind, choices), max_size=6))
        return f"{name} {draw(st.sampled_from(['in', 'not in']))} [{', '.join(values)}]"
    if form == 4:
        return f"{name} {draw(st.sampled_from(['exists', 'not exists', 'is missing', 'is', 'exists exists']))}"
    if form == 5:
        n, unit = draw(number()), draw(st.sampled_from(UNITS))
        shape = draw(
            st.sampled_from(["more than {} {} ago", "less than {} {} ago", "within {} {}", "within the last {} {}"])
        )
        return f"{name} {shape.format(n, unit)}"
    if form == 6:
        return f"{name} {draw(st.sampled_from(OPERATORS))} {draw(st.sampled_from(sorted(facts)))}"
    if form == 7:  # pieces in any order
        pieces = st.one_of(st.sampled_from([name, *OPERATORS, "and", "ago", "[", "]", ","]), operand(kind, choices))
        return " ".join(draw(st.lists(pieces, max_size=8)))
    return f"{name} {draw(st.sampled_from(OPERATORS))} {draw(operand(kind, choices))}"


def conditions(text_only: bool = False) -> SearchStrategy[Any]:
    """A rule's ``when``: a test, ``always``, or all / any / not of conditions (beyond 16 levels now and then)."""
    leaf = st.one_of(test_texts(text_only), test_texts(text_only), st.sampled_from(["always", "", "never", "ALWAYS"]))

    def nest(inner: SearchStrategy[Any]) -> SearchStrategy[Any]:
        return st.one_of(
            st.lists(inner, max_size=3),
            st.builds(lambda k, v: {k: v}, st.sampled_from(["all", "any"]), st.lists(inner, max_size=3)),
            st.builds(lambda v: {"not": v}, inner),
            st.builds(lambda v: {"all": v, "any": v}, inner),
        )

    deep = st.builds(_deep, leaf, st.integers(10, 40), st.sampled_from(["not", "all", "any"]))
    return st.one_of(st.recursive(leaf, nest, max_leaves=8), deep)


def _deep(leaf: object, depth: int, key: str) -> object:
    for _ in range(depth):
        leaf = {key: leaf if key == "not" else [leaf]}
    return leaf


def phrase_sets() -> SearchStrategy[Any]:
    lang = st.sampled_from(["en", "zh", "id", "vi", "xx", "EN", "", "except"])
    phrases = st.lists(hostile_text(8), min_size=0, max_size=6)
    one = st.dictionaries(lang, phrases, max_size=4)
    many = st.builds(lambda n: {"en": [f"w{i}" for i in range(n)]}, st.sampled_from([999, 1000, 1001, 20_000]))
    variants = st.builds(lambda n: {"vi": [" ".join(["luật sư khởi kiện"] * n)]}, st.integers(1, 12))
    name = st.one_of(st.sampled_from(PHRASE_NAMES), st.text(max_size=8))
    return st.dictionaries(name, st.one_of(one, one, one, many, variants, st.just([]), st.just("x")), max_size=3)


# ------------------------------------------------------------------------------------------------
# policies
# ------------------------------------------------------------------------------------------------


def action_values() -> SearchStrategy[Any]:
    """What goes under ``then``: catalogue actions with parameters of the right name, values hostile."""
    catalogue = {a.name: sorted(a.params.model_fields) for a in default_actions()}
    scalar = st.one_of(
        st.sampled_from(
            ["requested", "full_order", "50 CNY", "-50 CNY", "1d", "1000000000000d", "$x", "high", "legal"]
        ),
        st.sampled_from(NUMBERS),
        st.integers(-(10**30), 10**30),
        hostile_text(6),
        st.booleans(),
        st.none(),
    )
    value = st.one_of(scalar, st.lists(scalar, max_size=3))

    @st.composite
    def action(draw: st.DrawFn) -> object:
        name = draw(st.sampled_from([*sorted(catalogue), "unknown_action", "Apologize", ""]))
        params = catalogue.get(name, [])
        if not params or draw(st.integers(0, 5)) == 0:
            return name
        keys = draw(st.lists(st.sampled_from([*params, "bogus"]), max_size=len(params) + 1, unique=True))
        return {name: {k: draw(value) for k in keys}}

    return st.one_of(st.lists(action(), max_size=4), action())


@st.composite
def policy_docs(draw: st.DrawFn) -> dict[str, Any]:
    """A policy document from the format's keys, each value mostly of its kind, sometimes hostile."""
    text = hostile_text(6)
    doc: dict[str, Any] = {
        "policy": draw(st.one_of(st.sampled_from(["refunds", "p", "fuzz"]), text)),
        "version": draw(st.one_of(st.just("1"), st.sampled_from(NUMBERS), text)),
        "hit_policy": draw(st.sampled_from(["first", "all", "any", "FIRST", "", "first "])),
    }
    if draw(st.booleans()):
        doc["description"] = draw(text)
    if draw(st.integers(0, 3)) == 0:
        doc["effective"] = draw(
            st.dictionaries(
                st.sampled_from(["from", "until", "timezone", "to"]),
                st.one_of(st.sampled_from(TIMES), st.sampled_from(["2026-11-01", "Asia/Shanghai", "Mars/Base", ""])),
                max_size=3,
            )
        )
    if draw(st.booleans()):
        param = st.one_of(
            st.sampled_from(["200 CNY", "-5 CNY", "7d", "1000000000000d", "0.8", "true", "2026-11-11T10:00:00+08:00"]),
            st.sampled_from(NUMBERS),
            st.integers(-(10**25), 10**25),
            st.floats(),
            text,
            st.lists(st.sampled_from(NUMBERS), max_size=3),
        )
        doc["params"] = draw(
            st.dictionaries(st.sampled_from(["x", "p", "small_refund_cny", "$x", "1"]), param, max_size=4)
        )
    if draw(st.integers(0, 2)) == 0:
        doc["phrases"] = draw(phrase_sets())
    rule = st.fixed_dictionaries(
        {"id": st.one_of(st.sampled_from(["r1", "r2", "small-refund", "R1", "r 1", "r" * 300]), text)},
        optional={
            "description": text,
            "priority": st.one_of(st.integers(-5, 2_000_000), st.sampled_from(NUMBERS)),
            "enabled": st.sampled_from([True, False, "yes", "false", None]),
            "when": conditions(),
            "then": action_values(),
            "bogus": st.integers(),
        },
    )
    doc["rules"] = draw(st.one_of(st.lists(rule, max_size=5), st.lists(rule, max_size=5), st.just([]), text))
    for key in draw(st.lists(st.sampled_from(sorted(doc)), max_size=2)):
        doc.pop(key, None)  # a missing required key
    if draw(st.integers(0, 5)) == 0:
        doc[draw(st.sampled_from(["polcy", "rule", "x" * 200, "tests"]))] = 1
    return doc


# valid documents at the edges: they load, so what runs after the loader (the compiler, both backends,
# the explanation) is fuzzed too; then one value anywhere in them is made hostile, now and then

EDGE_NUMBERS = ["0", "1", "3", "0.5", "0.000001", "0.0000001", "999999999999999", "99999999999999.9", "-1", "4.99"]
EDGE_AMOUNTS = ["0", "0.001", "89.00", "200", "999999999999999", "0.0001"]
GOOD_CURRENCIES = ["CNY", "USD", "IDR", "VND"]
GOOD_TIMES = [
    "2026-11-11T10:00:00+08:00", "2026-11-01T00:00:00Z", "1900-01-01T00:00:00+00:00", "8999-12-31T23:59:59+00:00",
    "2026-11-11T10:00:00.999+14:00", "2026-11-11T10:00:00-12:00", "1970-01-01T00:00:00Z",
]  # fmt: skip
GOOD_REGEXES = [r"order\s*#?\d+", r"(a+)+$", r"\p{Han}+", r"^$", r".*", r"(?i)sue", r"[^\x00-\x7f]", "a{0,500}", "律师"]
GOOD_ACTIONS: list[object] = [
    "apologize", {"add_tag": {"tag": "risk:x"}}, {"set_priority": {"priority": "urgent"}},
    {"escalate": {"tier": 2, "severity": "critical", "authority": "legal"}},
    {"approve_refund": {"amount": "requested"}}, {"approve_refund": {"amount": "0.01 CNY"}},
    {"reject_refund": {"reason": "r"}}, {"route_to_queue": {"queue": "q"}}, {"hold_for_review": {"reason": "r"}},
    {"notify": {"target": "buyer", "template": "t"}}, {"request_evidence": {"kinds": ["photo"], "within_hours": 48}},
    {"require_return": {"within_days": 7}}, {"offer_options": {"options": ["refund", "exchange"]}},
    {"decide_dispute": {"outcome": "buyer", "reason": "r"}}, {"freeze_payout": {"reason": "r"}},
    {"decide_dispute": {"outcome": "split", "reason": "r", "buyer_share_percent": 33.3}},
    {"sla_target": {"metric": "m", "within": "36525d", "calendar": "always"}}, {"reply_template": {"template": "t"}},
]  # fmt: skip


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _order(text: str) -> tuple[int, object]:
    """Sorts the literals of a ``between`` low to high (numbers, amounts of a currency, times)."""
    try:
        return (0, Decimal(text.split()[0]))
    except ArithmeticError:
        return (1, _when(text))


def _ordered_test(name: str, kind: FactType, facts: dict[str, tuple[FactType, tuple[str, ...]]]) -> SearchStrategy[str]:
    if kind is FactType.datetime:
        n, unit = st.sampled_from(["0", "1", "7", "36525", "0.5"]), st.sampled_from(["seconds", "hours", "days", "w"])
        ago = st.builds(lambda a, b, c: f"{name} {a} {b} {c} ago", st.sampled_from(["more than", "less than"]), n, unit)
        within = st.builds(lambda a, b, c: f"{name} within {a}{b} {c}", st.sampled_from(["", "the last "]), n, unit)
        literal = st.sampled_from(GOOD_TIMES)
    elif kind is FactType.money:
        ago = within = st.nothing()
        literal = st.builds(lambda a, c: f"{a} {c}", st.sampled_from(EDGE_AMOUNTS), st.sampled_from(GOOD_CURRENCIES))
    else:
        ago = within = st.nothing()
        literal = st.one_of(st.sampled_from(EDGE_NUMBERS), st.integers(0, 10**6).map(str))
    other = [f for f, (k, _) in facts.items() if k is kind and f != name] or [name]
    op = st.sampled_from(["<", "<=", ">", ">=", "==", "!="])
    return st.one_of(
        st.builds(lambda o, v: f"{name} {o} {v}", op, st.one_of(literal, st.sampled_from(other))),
        st.builds(lambda a, b: f"{name} between {min(a, b, key=_order)} and {max(a, b, key=_order)}", literal, literal),
        ago,
        within,
    )


@st.composite
def valid_tests(draw: st.DrawFn, phrase_names: tuple[str, ...] = ()) -> str:
    """A test that type-checks (its values at the edges of what is allowed)."""
    facts = _facts()
    name = draw(st.sampled_from(sorted(facts)))
    kind, choices = facts[name]
    if draw(st.integers(0, 9)) == 0:
        return f"{name} {draw(st.sampled_from(['exists', 'not exists', 'is missing']))}"
    if kind in (FactType.number, FactType.integer, FactType.money, FactType.datetime):
        if kind is FactType.integer and draw(st.booleans()):
            values = draw(st.lists(st.integers(0, 10**9), min_size=1, max_size=256))
            return f"{name} {draw(st.sampled_from(['in', 'not in']))} [{', '.join(map(str, values))}]"
        return draw(_ordered_test(name, kind, facts))
    if kind is FactType.boolean:
        return f"{name} {draw(st.sampled_from(['==', '!=']))} {draw(st.sampled_from(['true', 'false']))}"
    words = (
        st.sampled_from([*choices, "x", "refund_only", "CN", "律师", "a_b"])
        if not choices
        else st.sampled_from(choices)
    )
    if kind is FactType.enum:
        if draw(st.booleans()):
            return f"{name} {draw(st.sampled_from(['==', '!=']))} {draw(words)}"
        return f"{name} {draw(st.sampled_from(['in', 'not in']))} [{', '.join(draw(st.lists(words, min_size=1)))}]"
    if kind is FactType.strings:
        return f"{name} contains {draw(words)}"
    form = draw(st.integers(0, 4))
    if form == 0:
        return f"{name} contains {draw(quoted(hostile_text(6).map(_fitted)))}"
    if form == 1:
        return f"{name} matches {draw(quoted(st.sampled_from(GOOD_REGEXES)))}"
    if form == 2 and phrase_names:
        return f"{name} mentions {draw(st.sampled_from(phrase_names))}"
    return f"{name} {draw(st.sampled_from(['==', '!=']))} {draw(words)}"


def _unicode(text: str) -> str:
    """``text`` without lone surrogates, never blank (a case refuses both in its texts)."""
    kept = "".join(c for c in text if not 0xD800 <= ord(c) <= 0xDFFF)
    return kept if kept.strip() else kept + "x"


def _fitted(text: str) -> str:
    """``text`` as a phrase or a quoted value holds it: valid Unicode, printable, no quote or backslash,
    not blank, at most 200 characters."""
    kept = "".join(c for c in _unicode(text)[:200] if c.isprintable() and c not in "\"'\\")
    return kept.strip() or "x"


def valid_conditions(phrase_names: tuple[str, ...]) -> SearchStrategy[Any]:
    leaf = st.one_of(valid_tests(phrase_names), st.just("always"))

    def nest(inner: SearchStrategy[Any]) -> SearchStrategy[Any]:
        return st.one_of(
            st.lists(inner, min_size=1, max_size=3),
            st.builds(lambda k, v: {k: v}, st.sampled_from(["all", "any"]), st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda v: {"not": v}, inner),
        )

    return st.recursive(leaf, nest, max_leaves=6)


@st.composite
def valid_phrases(draw: st.DrawFn) -> dict[str, Any]:
    word = st.one_of(st.sampled_from(HOSTILE_WORDS), hostile_text(6)).map(_fitted)
    sets: dict[str, Any] = {}
    for name in draw(st.lists(st.sampled_from(["legal", "safety", "p1", "p2"]), unique=True, max_size=3)):
        langs = draw(st.lists(st.sampled_from(["en", "zh", "id", "vi"]), unique=True, min_size=1, max_size=3))
        sets[name] = {lang: draw(st.lists(word, min_size=1, max_size=5)) for lang in langs}
        if draw(st.booleans()):
            sets[name]["except"] = draw(st.lists(word, min_size=1, max_size=3))
    return sets


@st.composite
def valid_policy_docs(draw: st.DrawFn) -> dict[str, Any]:
    """A policy that loads: every key of the format used, values at the edges of what is allowed."""
    phrases = draw(valid_phrases())
    doc: dict[str, Any] = {
        "policy": draw(st.sampled_from(["p", "refunds", "a-b_c", "x" * 64])),
        "version": draw(st.sampled_from(["1", "2026.11.0", "", "律"])),
        "hit_policy": draw(st.sampled_from(["first", "all"])),
    }
    if draw(st.integers(0, 3)) == 0:
        ends = sorted(draw(st.lists(st.sampled_from(GOOD_TIMES), min_size=2, max_size=2, unique=True)), key=_when)
        doc["effective"] = {"from": ends[0], "until": ends[1]}
    if phrases:
        doc["phrases"] = phrases
    rules = []
    for i in range(draw(st.integers(1, 8))):
        rule: dict[str, Any] = {"id": f"r{i}", "when": draw(valid_conditions(tuple(phrases)))}
        if draw(st.booleans()):
            rule["priority"] = draw(st.sampled_from([0, 1, 100, 1_000_000]))
        if draw(st.integers(0, 5)) == 0:
            rule["enabled"] = False
        rule["then"] = draw(st.lists(st.sampled_from(GOOD_ACTIONS), min_size=1, max_size=3, unique_by=str))
        rules.append(rule)
    doc["rules"] = rules
    return doc


def _leaves(value: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    if isinstance(value, dict):
        return [path] + [p for k, v in value.items() for p in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [path] + [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    return [path]


def _replace(doc: Any, path: tuple[object, ...], value: object) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(doc, dict):
        return {k: (_replace(v, rest, value) if k == head else v) for k, v in doc.items()}
    return [(_replace(v, rest, value) if i == head else v) for i, v in enumerate(doc)]


def hostile_values() -> SearchStrategy[Any]:
    """One value put anywhere in a valid document."""
    return st.one_of(
        hostile_text(8),
        st.sampled_from(NUMBERS),
        st.sampled_from(TIMES),
        st.integers(-(10**30), 10**30),
        st.floats(),
        st.none(),
        st.booleans(),
        st.lists(st.sampled_from(NUMBERS), max_size=3),
        st.dictionaries(st.sampled_from(["all", "any", "not", "x"]), st.sampled_from(["always", ""]), max_size=2),
        test_texts(),
    )


@st.composite
def one_spot_hostile(draw: st.DrawFn, docs: SearchStrategy[Any]) -> Any:
    doc = draw(docs)
    if draw(st.booleans()):
        return doc
    return _replace(doc, draw(st.sampled_from(_leaves(doc)[1:] or [()])), draw(hostile_values()))


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # a value used twice is written twice: caseflow refuses anchors and aliases


def _yaml(doc: object, style: int) -> str:
    """``doc`` as YAML (block or flow) or JSON (YAML reads JSON too)."""
    if style == 2:
        return json.dumps(doc, ensure_ascii=False, indent=1)
    return yaml.dump(
        doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=bool(style), width=1 << 30
    )


YAML_TOKENS = Pool([
    b"&a ", b"*a", b"!!python/object/apply:os.system [id]", b"<<: *a\n", b"? ", b"\t", b"{", b"}", b"[", b"]",
    b"%YAML 1.1\n", b"---\n", b"...\n", b": ", b"- ", b"#", b"'", b'"', b"\\", b".inf", b".nan", b"1e309", b"0x1F",
    b"0o17", b"1_000", b"2026-02-30", b"~", b"null", b"yes", b"=", b"\r", b"\x00", b"\xef\xbb\xbf", b"\xff",
    b"\xed\xa0\x80", b'"\\ud800"', b"!!binary", b"!!set", b"|", b">-\n", b"$x", b" CNY", b" days", b" matches ",
    b" contains ", b" mentions ", b" between ", b" and ", b" in [", b"not: ", b"all: ", b"any: ", b"9" * 5000,
    b"[" * 2000, b"- " * 500, b"\n" + b" " * 200, b"phrases:\n  x:\n    en: [a]\n", b"when: always\n",
])  # fmt: skip
JSON_TOKENS = Pool([
    b"NaN", b"Infinity", b"-Infinity", b"1e309", b"-0", b"[", b"]", b"{", b"}", b",", b":", b'"', b"\\",
    b"\\u0000", b"\\ud800", b"\\udfff", b"null", b"true", b"1E400", b"9" * 30, b"9" * 5000, b'"x":', b"\xef\xbb\xbf",
    b"\xff", b"\xc3(", b"\x00", b" CNY", b"T25:00:00", b"+99:00", b"Z", b"[" * 5000, b'{"a":' * 1000,
    b'"attributes": {"x": 1},', b'"tenant": "x",', b"\\u202e", b"\\u200b",
])  # fmt: skip
TEXT_TOKENS = Pool(c.encode("utf-8", "surrogatepass") for c in HOSTILE_CHARS + HOSTILE_WORDS)


@cache
def seeds(target: str) -> Pool:
    """The inputs of ``fuzz/corpus/<target>/`` (seeds and past findings), at most 1 MiB each."""
    found = [p.read_bytes() for p in sorted((CORPUS / target).glob("*")) if p.is_file()]
    return Pool([d for d in found if len(d) <= 1 << 20] or [b""])


@st.composite
def mutated(draw: st.DrawFn, pool: Pool, tokens: Pool) -> bytes:
    """A seed of ``pool`` with one to five byte-level changes."""
    data = bytearray(draw(st.sampled_from(pool)))
    for _ in range(draw(st.integers(1, 5))):
        op, n = draw(st.integers(0, 7)), len(data)
        i = draw(st.integers(0, n))
        j = draw(st.integers(i, min(n, i + 64)))
        if op == 0 and n:
            data[min(i, n - 1)] = draw(st.integers(0, 255))
        elif op in (1, 2):
            data[i:i] = draw(st.sampled_from(tokens))
        elif op == 3:
            del data[i:j]
        elif op == 4 and j > i:
            data[i:i] = data[i:j] * draw(st.integers(1, max(1, min(2000, (1 << 20) // (j - i)))))
        elif op == 5:
            other = draw(st.sampled_from(pool))
            a = draw(st.integers(0, len(other)))
            data[i:j] = other[a : a + draw(st.integers(0, 256))]
        elif op == 6:
            del data[i:]
        else:
            data[i:i] = draw(st.binary(max_size=8))
    return bytes(data)


def policy_inputs() -> SearchStrategy[bytes]:
    """``policy_loader``: valid policies with a hostile spot, policies from the grammar with hostile
    values (serialized as block or flow YAML, or JSON now and then; sometimes mutated), mutated seeds."""
    style = st.sampled_from([0, 0, 1, 1, 2])
    valid = st.builds(_written, one_spot_hostile(valid_policy_docs()), style)
    wild = st.builds(_written, policy_docs(), style)
    broken = st.one_of(valid, wild).flatmap(lambda b: mutated(Pool([b]), YAML_TOKENS))
    return mix((3, valid), (1, wild), (1, broken), (1, mutated(seeds("policy_loader"), YAML_TOKENS)))


def _written(doc: object, style: int) -> bytes:
    return _yaml(doc, style).encode("utf-8", "surrogatepass")


# ------------------------------------------------------------------------------------------------
# cases
# ------------------------------------------------------------------------------------------------

CASE: dict[str, Any] = {
    "id": "C-1",
    "tenant": "shop-cn",
    "channel": "chat",
    "case_type": "refund_only",
    "created_at": "2026-11-11T09:00:00+08:00",
    "priority": "normal",
    "buyer": {"id": "b-1", "region": "CN", "rating": 4.5, "segment": "vip", "history": {"orders_total": 12}},
    "seller": {"id": "s-1", "region": "CN", "history": {"disputes_90d": 1}},
    "orders": [
        {
            "id": "o-1",
            "amount": "89.00 CNY",
            "placed_at": "2026-11-01T10:00:00+08:00",
            "shipped_at": "2026-11-02T10:00:00+08:00",
            "delivered_at": "2026-11-08T10:00:00+08:00",
            "items": [{"sku": "SKU-1", "category": "apparel", "unit_price": "89.00 CNY", "quantity": 1}],
            "shipment": {"carrier": "SF", "status": "delivered", "events": [{"at": "2026-11-08T10:00:00+08:00",
                                                                             "status": "delivered"}]},
        }
    ],
    "request": {"kind": "refund_only", "amount": "89.00 CNY", "reason": "changed_mind"},
    "dispute": {"reason": "damaged", "opened_at": "2026-11-10T09:00:00+08:00", "claimed_amount": "89.00 CNY"},
    "evidence": [{"kind": "photo", "url": "https://example.com/a.jpg"}],
    "risk": {"fraud_score": 0.1},
    "messages": [{"author": "buyer", "text": "hello", "at": "2026-11-11T09:00:00+08:00"}],
    "tags": ["vip"],
    "attributes": {"warehouse": "WH-1"},
}  # fmt: skip
RAW_JSON = [
    "NaN", "Infinity", "-Infinity", "1e309", "-1e309", "-0", "1e-400", "9" * 5000, "9" * 4300, "9" * 20, "-1",
    str(2**63), str(-(2**63) - 1), "1.5", "0", "true", "null", "[]", "{}", '""', '"\\ud800"', '"a\\udfffb"',
    '"\\u0000"', '"\\u202elawyer"', "[" * 50_000 + "]" * 50_000, "[" * 500 + "]" * 500, '{"a":' * 300 + "1" + "}" * 300,
    '"2026-02-30T00:00:00Z"', '"9999-12-31T23:59:59-23:59"', '"0001-01-01T00:00:00+14:00"', '"2026-11-11T10:00:00"',
    '"2026-11-11 10:00"', "1731290400", '"-1 CNY"', '"1e3 CNY"', '"1 cny"', '"NaN CNY"', '"Infinity CNY"',
    '"0x10 CNY"', '"１００ CNY"', '"١٠٠ CNY"', '"100"', '"100 XXX"', '"' + "9" * 50 + ' CNY"',
    '{"amount": 1e309, "currency": "CNY"}', '{"amount": "NaN", "currency": "CNY"}', '{"amount": -1, "currency": "CNY"}',
    '{"amount": 1, "currency": "CNY", "x": 1}', '{"amount": ' + "9" * 5000 + ', "currency": "CNY"}', '"vip "', '"VIP"',
]  # fmt: skip


class _Raw(str):
    """JSON text put into a case as it is."""


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


CASE_PATHS = [
    *_paths(CASE),
    ("attributes", "x"), ("buyer", "history", "refunds_90d"), ("orders", 0, "expected_delivery_at"), ("extra",),
    ("messages", 1), ("orders", 1), ("request", "filed_at"), ("version",), ("deadlines",), ("workflows",),
]  # fmt: skip


def _case_json(changes: list[tuple[tuple[object, ...], object]], drop: list[str], indent: int | None) -> bytes:
    data = json.loads(json.dumps(CASE))
    raws: dict[str, str] = {}
    for path, value in changes:
        target: Any = data
        for p in path[:-1]:
            if isinstance(target, dict):
                target = target.setdefault(p, {})
            elif isinstance(target, list) and isinstance(p, int) and p < len(target):
                target = target[p]
            else:
                break
        else:
            if isinstance(value, _Raw):
                mark = f"@@raw{len(raws)}@@"
                raws[json.dumps(mark)] = str(value)
                value = mark
            last = path[-1]
            if isinstance(target, dict):
                target[last] = value
            elif isinstance(target, list) and isinstance(last, int):
                if last < len(target):
                    target[last] = value
                else:
                    target.append(value)
    for key in drop:
        data.pop(key, None)
    text = json.dumps(data, indent=indent, ensure_ascii=indent is None)
    for mark, raw in raws.items():
        text = text.replace(mark, raw)
    return text.encode("utf-8", "surrogatepass")


def _edge_value(path: tuple[object, ...]) -> SearchStrategy[Any]:
    """A value the case model accepts at ``path``, at the edges of what it allows."""
    key = str(path[-1])
    if key in ("amount", "unit_price", "claimed_amount"):
        return st.one_of(
            st.builds(lambda a, c: f"{a} {c}", st.sampled_from(EDGE_CASE_AMOUNTS), st.sampled_from(GOOD_CURRENCIES)),
            st.builds(lambda a, c: {"amount": a, "currency": c}, st.sampled_from(EDGE_CASE_AMOUNTS), st.just("USD")),
        )
    if key.endswith("_at"):
        return st.sampled_from(GOOD_TIMES + ["2026-11-11T10:00:00.000001+08:00", "9999-01-01T00:00:00+00:00"])
    if key in ("rating", "fraud_score", "dispute_rate_30d"):
        return st.sampled_from([0, 0.0, 1, 5, 1e-300, 0.999999999, 4.99])
    if path[:2] in (("buyer", "history"), ("seller", "history")) or key in ("quantity", "version", "tier"):
        return st.sampled_from([0, 1, 2, 10**12, 10**12 - 1])
    if key == "messages":
        return st.builds(
            lambda t, n: (
                [{"author": "buyer", "text": t, "at": "2026-11-11T09:30:00+08:00"}]
                * min(n, 6_000_000 // (len(t) * 6 + 60) + 1)
            ),  # (at most about 6 MB of JSON)
            hostile_text(long=True).map(_unicode),
            st.sampled_from([1, 2, 1000, 20_000]),
        )
    return hostile_text(long=True).map(_unicode)


EDGE_PATHS: list[tuple[object, ...]] = [
    ("orders", 0, "amount"), ("orders", 0, "items", 0, "unit_price"), ("request", "amount"),
    ("dispute", "claimed_amount"),
    ("created_at",), ("orders", 0, "placed_at"), ("orders", 0, "shipped_at"), ("orders", 0, "delivered_at"),
    ("orders", 0, "shipment", "events", 0, "at"), ("dispute", "opened_at"), ("messages", 0, "at"), ("buyer", "rating"),
    ("risk", "fraud_score"), ("buyer", "history", "orders_total"), ("seller", "history", "disputes_90d"),
    ("orders", 0, "items", 0, "quantity"), ("version",), ("id",), ("tenant",), ("messages", 0, "text"),
    ("orders", 0, "id"), ("orders", 0, "items", 0, "sku"), ("orders", 0, "items", 0, "category"),
    ("attributes", "warehouse"), ("request", "reason"), ("buyer", "id"), ("tags", 0), ("messages",),
]  # fmt: skip
EDGE_CASE_AMOUNTS = ["0", "0.00000001", "999999999999999999", "89", "0.001", "1.12345678", "100000000000000000.5"]


@st.composite
def _edge_changes(draw: st.DrawFn) -> list[tuple[tuple[object, ...], object]]:
    paths = draw(st.lists(st.sampled_from(EDGE_PATHS), max_size=4))
    return [(p, draw(_edge_value(p))) for p in paths]


def case_inputs() -> SearchStrategy[bytes]:
    """``case_parser``: the valid case with values at the edges of what is allowed (most parse), or with
    hostile values at any of its paths, sometimes mutated; mutated seeds."""
    edge = st.builds(_case_json, _edge_changes(), st.just([]), st.sampled_from([None, None, 1]))
    value = st.one_of(
        st.sampled_from(RAW_JSON).map(_Raw),
        st.sampled_from(RAW_JSON).map(_Raw),
        hostile_text(8),
        st.integers(-(10**30), 10**30),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from(TIMES),
        st.builds(lambda n, c: f"{n} {c}", st.sampled_from(NUMBERS), st.sampled_from(CURRENCIES)),
        st.builds(lambda t: {"author": "buyer", "text": t, "at": "2026-11-11T09:30:00+08:00"}, hostile_text(long=True)),
    )
    change = st.tuples(st.sampled_from(CASE_PATHS), value)
    written = st.builds(
        _case_json,
        st.lists(change, max_size=5),
        st.lists(st.sampled_from(sorted(CASE)), max_size=2),
        st.sampled_from([None, None, 1]),
    )
    broken = written.flatmap(lambda b: mutated(Pool([b]), JSON_TOKENS))
    return mix((3, edge), (1, written), (1, broken), (1, mutated(seeds("case_parser"), JSON_TOKENS)))


# ------------------------------------------------------------------------------------------------
# text conditions
# ------------------------------------------------------------------------------------------------


@st.composite
def text_docs(draw: st.DrawFn) -> bytes:
    """A ``text_conditions`` object: text tests, phrase sets and the messages they read. Half of them
    load (valid tests of the phrase sets given); the others are tests from the grammar, hostile."""
    message = st.one_of(
        hostile_text(long=True),
        hostile_text(long=True),
        st.fixed_dictionaries(
            {"author": st.sampled_from(["buyer", "seller", "agent", "system", "creator", "bot"]),
             "text": hostile_text(long=True), "at": st.sampled_from(TIMES)}
        ),
    )  # fmt: skip
    doc: dict[str, Any] = {"messages": draw(st.lists(message, max_size=4))}
    if draw(st.booleans()):
        phrases = draw(st.one_of(valid_phrases(), st.just(_shipped_phrases())))
        doc["when"] = draw(st.lists(valid_text_tests(tuple(phrases)), min_size=1, max_size=6))
    else:
        phrases = draw(st.one_of(phrase_sets(), st.just(_shipped_phrases()), st.none()))
        doc["when"] = draw(
            st.lists(st.one_of(test_texts(text_only=True), conditions(text_only=True)), min_size=1, max_size=6)
        )
        if draw(st.integers(0, 4)) == 0:
            doc["params"] = draw(st.dictionaries(st.sampled_from(["x", "p"]), hostile_text(4), max_size=2))
    if phrases is not None:
        doc["phrases"] = phrases
    return json.dumps(doc, ensure_ascii=True).encode()


@st.composite
def valid_text_tests(draw: st.DrawFn, phrase_names: tuple[str, ...]) -> str:
    """``contains`` a printable text, ``matches`` a pattern RE2 takes, ``mentions`` a set of the file."""
    fact = draw(st.sampled_from(TEXT_FACTS))
    op = draw(st.sampled_from(["contains", "matches", "mentions"] if phrase_names else ["contains", "matches"]))
    if op == "contains":
        return (
            f"{fact} contains {draw(quoted(st.one_of(st.sampled_from(HOSTILE_WORDS), hostile_text(6)).map(_fitted)))}"
        )
    if op == "matches":
        return f"{fact} matches {draw(quoted(st.sampled_from(GOOD_REGEXES)))}"
    return f"{fact} mentions {draw(st.sampled_from(phrase_names))}"


@cache
def _shipped_phrases() -> object:
    return yaml.safe_load((Path(__file__).resolve().parent.parent / "rules" / "escalation.yaml").read_text())["phrases"]


def text_inputs() -> SearchStrategy[bytes]:
    """``text_conditions``: objects of text tests and messages; raw messages; mutated seeds."""
    raw = hostile_text(long=True).map(lambda t: t.encode("utf-8", "surrogatepass"))
    return mix((3, text_docs()), (1, raw), (1, mutated(seeds("text_conditions"), Pool(TEXT_TOKENS + JSON_TOKENS))))


STRATEGIES: dict[str, Callable[[], SearchStrategy[bytes]]] = {
    "policy_loader": policy_inputs,
    "case_parser": case_inputs,
    "text_conditions": text_inputs,
}
assert set(STRATEGIES) == set(TARGETS)
