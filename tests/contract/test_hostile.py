"""Hostile input: no hang, no traceback, no leak, nothing lost.

A catalogue of hostile inputs (deep nesting, odd bytes, lone surrogates, infinite and endless
numbers, amounts that must not be negative, dates out of range, FIFOs and devices given as files,
huge files and documents ...), each one fed

- to the command line, in a subprocess with a 5 s timeout and 1 GiB of address space: it exits
  with 1 or 2, writes no traceback, and says every problem on one line of standard error that
  names the place (``file:line:column`` of a YAML document, the field path of case data) and
  ends with ``[code]``;
- to the Python API: it raises a :class:`~caseflow.CaseflowError` with the code (or reports an
  issue with it), never another exception, within 15 s.

A few inputs are not hostile at all and must work (a UTF-8 byte order mark).
"""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from caseflow import (
    CaseflowError,
    FixedClock,
    Money,
    PolicyValidationError,
    load_calendars,
    load_policies,
    load_policy_text,
    parse_case,
)
from caseflow.errors import CalendarError
from caseflow.risk import load_detectors
from caseflow.sla import BusinessCalendar
from caseflow.states import load_workflow
from caseflow.states.definition import shipped_workflow_dir
from caseflow.testing.policytest import load_file, run_file
from caseflow.tools.simulate import simulate_file

from ..helpers import ROOT, RULES

AT = "2026-11-11T10:00:00+08:00"
TIMEOUT = 15.0  # seconds, for every command and every API call (a hang never answers; 5 s was met by 1 MB
# without libyaml on a quiet machine, missed on a slow night of this shared one)
MEMORY = 1 << 30  # bytes of address space a command may use
HOSTILE_NAME = {  # the file name an input of each kind gets
    "policy": "hostile.yaml",
    "case": "case.json",
    "cases": "cases.jsonl",
    "test": "hostile.test.yaml",
    "calendar": "hostile.calendars.yaml",
    "workflow": "hostile.yaml",
    "detectors": "hostile.detectors.yaml",
}
YAML_KINDS = {"policy", "test", "calendar", "workflow", "detectors"}

# ------------------------------------------------------------------------------------------------
# valid documents, made hostile below
# ------------------------------------------------------------------------------------------------

CASE: dict[str, object] = {
    "id": "C-1",
    "tenant": "shop-cn",
    "channel": "chat",
    "case_type": "refund_only",
    "created_at": "2026-11-11T09:00:00+08:00",
    "buyer": {"id": "b-1", "region": "CN", "rating": 4.5, "history": {"orders_total": 12, "refunds_90d": 0}},
    "orders": [
        {
            "id": "o-1",
            "amount": "89.00 CNY",
            "placed_at": "2026-11-01T10:00:00+08:00",
            "delivered_at": "2026-11-08T10:00:00+08:00",
            "items": [{"sku": "SKU-1", "category": "apparel", "unit_price": "89.00 CNY"}],
        }
    ],
    "request": {"kind": "refund_only", "amount": "89.00 CNY", "reason": "changed_mind"},
    "dispute": {"reason": "damaged", "opened_at": "2026-11-10T09:00:00+08:00", "claimed_amount": "89.00 CNY"},
    "risk": {"fraud_score": 0.1},
    "messages": [{"author": "buyer", "text": "hello", "at": "2026-11-11T09:00:00+08:00"}],
    "attributes": {"warehouse": "WH-1"},
}


def policy(test: str = "always", *, then: str = "[apologize]", params: str = "", head: str = "") -> str:
    """A policy of one rule whose condition is ``test`` (quoted for YAML), ``params`` as YAML lines."""
    when = "'" + test.replace("'", "''") + "'"
    return (
        f"policy: hostile\nversion: '1'\nhit_policy: first\n{head}"
        + (f"params:\n{params}" if params else "")
        + f"rules:\n  - id: r1\n    when: {when}\n    then: {then}\n"
    )


VALID_POLICY = policy()
VALID_CALENDARS = "calendars:\n  office:\n    timezone: Asia/Shanghai\n    hours: {mon-fri: ['09:00-18:00']}\n"
VALID_WORKFLOW = """\
workflow: hostile_ok
version: '1'
initial: open
states:
  - {name: open}
  - {name: done, final: true}
transitions:
  - {trigger: finish, source: open, dest: done, roles: [system]}
"""
VALID_DETECTORS = """\
detectors:
  - id: quality
    count: complaint
    key: [sku]
    window: 7d
    threshold: 5
    then:
      - apologize
"""


def policy_test(case: str = "{}", now: str = AT) -> str:
    """A policy test file of one test, whose case (YAML text) is merged over a valid base case."""
    return (
        f"policies: p.yaml\nnow: '{now}'\nbase_case: {json.dumps(CASE)}\n"
        f"tests:\n  - name: t\n    case: {case}\n    expect: {{actions: [apologize]}}\n"
    )


class Raw(str):
    """JSON text put into a case as it is (NaN, 1e309, "\\ud800" escapes ...)."""


def case(*changes: tuple[str, object], drop: tuple[str, ...] = ()) -> bytes:
    """The valid case with ``changes`` (dotted path, value; a :class:`Raw` value is JSON text)."""
    data = json.loads(json.dumps(CASE))
    raws: dict[str, str] = {}
    for path, value in changes:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        target = data
        for p in parents:
            target = target[p]
        if isinstance(value, Raw):
            raws[f"@@raw{len(raws)}@@"] = str(value)
            value = f"@@raw{len(raws) - 1}@@"
        target[last] = value
    for key in drop:
        data.pop(key)
    text = json.dumps(data)
    for mark, raw in raws.items():
        text = text.replace(json.dumps(mark), raw)
    return text.encode("utf-8")


# ------------------------------------------------------------------------------------------------
# the catalogue
# ------------------------------------------------------------------------------------------------

Maker = Callable[[Path], Path | None]
"""Makes the input at the path it is given (None), or names another path to give (a device)."""


@dataclass(frozen=True)
class Hostile:
    name: str
    kind: str  # policy | case | cases | test | calendar | workflow | detectors
    data: bytes | Maker
    codes: tuple[str, ...] = ()  # one of them must be reported; () : the input is valid and must work
    where: str | None = None  # a regex the line with the code matches (default: file:line:column for YAML)
    cli: bool = True
    api: bool = True
    xfail: str | None = None  # why it fails today: a change is due in a file this catalogue's authors do not own

    def param(self) -> object:
        marks = [pytest.mark.xfail(strict=True, reason=self.xfail)] if self.xfail else []
        return pytest.param(self, id=self.id, marks=marks)

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.name}"


def fifo(path: Path) -> None:
    os.mkfifo(path)


def folder(path: Path) -> None:
    path.mkdir()


def device(name: str) -> Maker:
    return lambda path: Path(name)


def sparse(head: bytes, size: int) -> Maker:
    """A file of ``size`` bytes that begins with ``head`` (the rest is a hole: nothing on disk)."""

    def make(path: Path) -> None:
        with open(path, "wb") as f:
            f.write(head)
            f.truncate(size)

    return make


VALID_BY_KIND = {
    "policy": VALID_POLICY.encode(),
    "case": case(),
    "cases": case() + b"\n",
    "test": policy_test().encode(),
    "calendar": VALID_CALENDARS.encode(),
    "workflow": VALID_WORKFLOW.encode(),
    "detectors": VALID_DETECTORS.encode(),
}
NOT_A_FILE = ("source-not-a-file",)
EMPTY = ("policy-empty", "case-invalid", "calendar-structure", "workflow-structure", "correlation-empty")
EMPTY += ("correlation-structure", "policy-test-invalid")
SURROGATE = ("yaml-value", "yaml-syntax")  # libyaml refuses the escape itself; PyYAML's scanner lets it through
WRONG_SHAPE = (  # a document that is not of its kind: 'x: 1' given as a policy, a calendar ...
    "policy-unknown-key",
    "policy-missing-key",
    "calendar-structure",
    "calendar-unknown-key",
    "workflow-missing-key",
    "workflow-unknown-key",
    "correlation-structure",
    "policy-test-invalid",
)


def reading(kind: str) -> list[Hostile]:
    """What every reader of files must survive: pipes, devices, folders, huge files, odd bytes."""
    valid = VALID_BY_KIND[kind]
    yaml = kind in YAML_KINDS
    odd = "yaml-syntax" if yaml else "case-invalid"
    first = r":1:1: " if yaml else HOSTILE_NAME[kind]
    # a folder is a pack of policies, or of policy tests; JSON lines stream, whatever their size
    in_folder = {"policy": ("policy-file-missing",), "test": ("usage",)}.get(kind, ())
    # 'caseflow workflows' reads a folder of definitions (none in it here: nothing to refuse); load_workflow a file
    folders = (
        [Hostile("folder", kind, folder, NOT_A_FILE, cli=False), Hostile("folder-of-none", kind, folder, api=False)]
        if kind == "workflow"
        else [Hostile("folder", kind, folder, NOT_A_FILE + in_folder, HOSTILE_NAME[kind])]
    )
    too_large = {"cases": ("case-invalid",), "case": ("source-too-large", "case-invalid")}.get(
        kind, ("source-too-large",)
    )
    named = kind != "calendar"  # a device is given by its name (a calendar: a link in a pack to it)
    where = r":\d+:\d+: " if yaml else None
    return [
        Hostile("fifo", kind, fifo, NOT_A_FILE, first),
        Hostile("dev-zero", kind, device("/dev/zero"), NOT_A_FILE, "/dev/zero" if named else first),
        Hostile("dev-urandom", kind, device("/dev/urandom"), NOT_A_FILE, "/dev/urandom" if named else first),
        *folders,
        Hostile("6mb-file", kind, sparse(valid[:20], 6 << 20), too_large, first),
        Hostile("50mb-file", kind, sparse(valid[:20], 50 << 20), too_large, first),
        Hostile("invalid-utf8", kind, valid[:12] + b"\xff\xfe\xc3(" + valid[12:], (odd,), where),
        Hostile("nul-and-control-bytes", kind, valid[:12] + b"\x00\x01\x1b[2J" + valid[12:], (odd,), None),
        Hostile("utf8-bom", kind, b"\xef\xbb\xbf" + valid),
        Hostile("empty", kind, b"", () if kind == "cases" else EMPTY),
    ]  # fmt: skip


def yaml_everywhere(kind: str) -> list[Hostile]:
    """What every YAML document kind must survive, whatever it holds."""
    return [
        Hostile("nesting-10000", kind, ("x: " + "[" * 10_000).encode(), ("yaml-too-deep", "yaml-syntax")),
        Hostile("nesting-3000-block", kind, "".join(f"{' ' * i}- \n" for i in range(3000)).encode(),
                ("yaml-too-deep",)),
        Hostile("1m-list-items", kind, ("x: [" + "1," * 1_000_000 + "1]\n").encode(), ("yaml-too-large",)),
        Hostile("200k-block-items", kind, ("x:\n" + "- a\n" * 200_000).encode(), ("yaml-too-large",)),
        Hostile("5mb-of-newlines", kind, b"x: 1" + b"\n" * ((5 << 20) - 10), WRONG_SHAPE),
        Hostile("surrogate-escape", kind, b'x: "\\ud800"\n', SURROGATE),
        Hostile("surrogate-pair-escapes", kind, b'x: "\\ud83d\\ude00"\n', SURROGATE),
        Hostile("billion-laughs", kind, b"a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", ("yaml-alias",)),
        Hostile("python-tag", kind, b"x: !!python/object/apply:os.system [echo hi]\n", ("yaml-tag",)),
        Hostile("long-plain-key", kind, b"a" * 2_000_000 + b": 1\n", ("yaml-syntax",)),
        Hostile("long-explicit-key", kind, b"? " + b"a" * 2_000_000 + b"\n: 1\n", WRONG_SHAPE),
        Hostile("inf", kind, b"x: .inf\n", ("yaml-value",)),
        Hostile("nan", kind, b"x: .nan\n", ("yaml-value",)),
        Hostile("float-overflow", kind, b"x: 1.0e+309\n", ("yaml-value",)),
        Hostile("5000-digit-int", kind, b"x: " + b"9" * 5000 + b"\n", ("yaml-value",)),
        Hostile("5000-digit-float", kind, b"x: 0." + b"1" * 5000 + b"\n", ("yaml-value",)),
        Hostile("timestamp-year-0", kind, b"x: 0000-01-01\n", ("yaml-value",)),
        Hostile("timestamp-2026-02-30", kind, b"x: 2026-02-30\n", ("yaml-value",)),
    ]  # fmt: skip


def _policy_cases() -> list[Hostile]:
    def p(name: str, text: str, *codes: str) -> Hostile:
        return Hostile(name, "policy", text.encode(), codes)

    digits = "9" * 5000
    big_in = "[" + ", ".join(str(i) for i in range(100_000)) + "]"
    return [
        p("test-number-1e309", policy("risk.fraud_score > 1e309"), "policy-bad-value"),
        p("test-int-5000-digits", policy(f"buyer.orders_total > {digits}"), "policy-bad-value"),
        p("test-decimal-5000-digits", policy(f"risk.fraud_score > 1.{digits}"), "policy-bad-value"),
        p("test-between-5000-digits", policy(f"risk.fraud_score between 1 and {digits}.5"), "policy-bad-value"),
        p("test-in-5000-digits", policy(f"buyer.orders_total in [1, {digits}]"), "policy-bad-value"),
        p("param-inf", policy("risk.fraud_score > $x", params="  x: .inf\n"), "yaml-value"),
        p("param-nan", policy("risk.fraud_score > $x", params="  x: .nan\n"), "yaml-value"),
        p("param-float-overflow", policy("risk.fraud_score > $x", params="  x: 1.5e+400\n"), "yaml-value"),
        p("param-int-4000-digits", policy("buyer.orders_total > $x", params=f"  x: {digits[:4000]}\n"), "yaml-value"),
        p("param-int-20-digits", policy("buyer.orders_total > $x", params=f"  x: {digits[:20]}\n"), "policy-bad-value"),
        p("param-decimal-string-5000-digits", policy("risk.fraud_score > $x", params=f"  x: '1.{digits}'\n"),
          "policy-bad-value"),
        p("money-literal-5000-digits", policy(f"order.amount > {digits} CNY"), "policy-bad-value"),
        p("money-param-5000-digits", policy("order.amount > $x", params=f"  x: {digits} CNY\n"), "policy-bad-value"),
        p("money-param-negative", policy("order.amount > $x", params="  x: -5 CNY\n"), "policy-bad-value"),
        p("money-literal-negative", policy("order.amount > -5 CNY"), "policy-bad-value"),
        p("refund-fixed-negative", policy(then="[{approve_refund: {amount: -50 CNY}}]"), "policy-bad-param"),
        p("refund-fixed-50-digits", policy(then="[{approve_refund: {amount: " + "9" * 50 + " CNY}}]"),
          "policy-bad-param"),
        p("refund-fixed-param-negative", policy(then="[{approve_refund: {amount: $x}}]", params="  x: -50 CNY\n"),
          "policy-bad-param"),
        p("split-share-5000-digits", policy(then="[{decide_dispute: {outcome: split, reason: r, buyer_share_percent: 1."
          + digits + "}}]"), "policy-bad-param", "yaml-value"),
        p("priority-5000-digits", policy().replace("    when:", f"    priority: {digits}\n    when:"), "yaml-value"),
        p("priority-inf", policy().replace("    when:", "    priority: .inf\n    when:"), "yaml-value"),
        p("priority-text-1e309", policy().replace("    when:", "    priority: 1e309\n    when:"), "policy-bad-value"),
        p("within-10-12-days", policy("order.delivered_at within 1000000000000 days"), "policy-bad-value"),
        p("more-than-10-12-days-ago", policy("order.delivered_at more than 1000000000000 days ago"),
          "policy-bad-value"),
        p("within-5000-digit-days", policy(f"order.delivered_at within {digits} days"), "policy-bad-value"),
        p("within-param-10-12-days", policy("order.delivered_at within $w", params="  w: 1000000000000d\n"),
          "policy-bad-value"),
        p("sla-within-10-12-days", policy(then="[{sla_target: {metric: m, within: 1000000000000d, calendar: c}}]"),
          "policy-bad-param"),
        p("sla-escalate-every-5000-digits",
          policy(then="[{sla_target: {metric: m, within: 1d, calendar: c, escalate_every: " + digits + "h}}]"),
          "policy-bad-param"),
        p("date-year-0", policy("order.placed_at > 0000-01-01T00:00:00+00:00"), "policy-bad-value"),
        p("date-2026-02-30", policy("order.placed_at > 2026-02-30T00:00:00+08:00"), "policy-bad-value"),
        p("date-year-10000", policy("order.placed_at > '10000-01-01T00:00:00+00:00'"), "policy-bad-value"),
        p("date-max-minus-offset", policy("order.placed_at > 9999-12-31T23:59:59-23:59"), "policy-bad-value"),
        p("date-param-year-9999", policy("order.placed_at > $d", params="  d: 9999-12-31T23:59:59-23:59\n"),
          "policy-bad-value"),
        p("effective-year-10000", policy(head="effective: {from: '10000-01-01'}\n"), "policy-bad-value"),
        p("effective-max-minus-offset", policy(head="effective: {until: '9999-12-31T23:59:59-23:59'}\n"),
          "policy-bad-value"),
        p("in-list-100000", policy(f"buyer.orders_total in {big_in}"), "policy-limit"),
        p("regex-10000-alternations", policy('message.text matches "' + "|".join(["ab"] * 10_000) + '"'),
          "policy-bad-regex"),
        p("regex-re2-blowup", policy('message.text matches "((((a{100}){100}){100}){100})"'), "policy-bad-regex"),
        p("regex-re2-memory", policy('message.text matches "[\\\\x{0}-\\\\x{10FFFF}]{1000}"'), "policy-bad-regex"),
        p("phrases-100000", policy("message.text mentions big", head="phrases:\n  big:\n    en: ["
          + ", ".join(f"'w{i}'" for i in range(100_000)) + "]\n"), "yaml-too-large", "policy-limit"),
        p("phrases-10000-long", policy("message.text mentions big", head="phrases:\n  big:\n    en: ["
          + ", ".join(f"'{'word ' * 40}{i}'" for i in range(10_000)) + "]\n"), "policy-limit"),
        Hostile("rules-5000-valid", "policy", (VALID_POLICY + "".join(f"  - {{id: r{i}, priority: {i}, when: "
                f"'buyer.orders_total > {i}', then: [apologize]}}\n" for i in range(2, 5000))).encode()),
        p("rules-5000", VALID_POLICY + "".join(f"  - {{id: r{i}, priority: {i}, when: 'buyer.orders_total"
          f" > {i}', then: [apologize]}}\n" for i in range(2, 5000)) + "  - bad\n", "policy-structure"),
        p("long-unknown-key", policy(head="x" * 1000 + ": 1\n"), "policy-unknown-key"),
        p("long-rule-id", policy().replace("id: r1", "id: r" + "1" * 100_000), "policy-bad-value"),
        p("surrogate-in-test", policy().replace("when: 'always'", 'when: "message.text contains \\"\\ud800\\""'),
          *SURROGATE),
        p("surrogate-in-rule-id", policy().replace("id: r1", 'id: "r\\udfff"'), *SURROGATE),
        p("control-escape-in-id", policy().replace("id: r1", 'id: "r\\e[2J"'), "policy-bad-value"),
    ]  # fmt: skip


def _case_cases() -> list[Hostile]:
    def c(name: str, data: bytes, where: str | None, *codes: str) -> Hostile:
        return Hostile(name, "case", data, codes or ("case-invalid",), re.escape(where) if where else None)

    digits = "9" * 5000
    return [
        c("nesting-100000", b"[" * 100_000, None),
        c("nesting-100000-objects", b'{"a":' * 100_000, None),
        c("nesting-50000-in-attributes", case(("attributes.x", Raw("[" * 50_000 + "]" * 50_000))), "line 1 column"),
        c("nesting-500-in-attributes", case(("attributes.x", Raw("[" * 500 + "]" * 500))), "attributes.x"),
        c("surrogate-in-id", case(("id", Raw('"\\ud800"'))), "id"),
        c("surrogate-in-message", case(("messages.0.text", Raw('"hi \\udfff"'))), "messages[0].text"),
        c("surrogate-in-attribute-key", case(("attributes", Raw('{"\\ud800": 1}'))), "attributes"),
        c("surrogate-encoded", case().replace(b'"C-1"', b'"C-\xed\xa0\x80"'), None),
        c("nan-rating", case(("buyer.rating", Raw("NaN"))), "buyer.rating"),
        c("infinity-fraud-score", case(("risk.fraud_score", Raw("Infinity"))), "risk.fraud_score"),
        c("1e309-attribute", case(("attributes.x", Raw("1e309"))), "attributes.x"),
        c("minus-infinity-attribute", case(("attributes.x", Raw("-Infinity"))), "attributes.x"),
        c("5000-digit-counter", case(("buyer.history.orders_total", Raw(digits))), None),
        c("4000-digit-counter", case(("buyer.history.orders_total", Raw(digits[:4000]))),
          "buyer.history.orders_total"),
        c("4000-digit-attribute", case(("attributes.x", Raw(digits[:4000]))), "attributes.x"),
        c("5000-digit-amount-number", case(("orders.0.amount", Raw(f'{{"amount": {digits}.5, "currency": "CNY"}}'))),
          "orders[0].amount"),
        c("5000-digit-amount-text", case(("orders.0.amount", f"{digits} CNY")), "orders[0].amount"),
        c("50-digit-amount", case(("request.amount", "9" * 50 + " CNY")), "request.amount"),
        c("50-digit-amount-number", case(("request.amount", Raw('{"amount": ' + "9" * 50 + ', "currency": "CNY"}'))),
          "request.amount"),
        c("amount-1e999999", case(("orders.0.amount", {"amount": "1e999999", "currency": "CNY"})), "orders[0].amount"),
        c("amount-nan-text", case(("orders.0.amount", {"amount": "NaN", "currency": "CNY"})), "orders[0].amount"),
        c("amount-snan-text", case(("orders.0.amount", {"amount": "sNaN", "currency": "CNY"})), "orders[0].amount"),
        c("amount-30-decimals", case(("orders.0.amount", "0." + "1" * 30 + " CNY")), "orders[0].amount"),
        c("negative-order-amount", case(("orders.0.amount", "-5 CNY")), "orders[0].amount"),
        c("negative-request-amount", case(("request.amount", "-89.00 CNY")), "request.amount"),
        c("negative-unit-price", case(("orders.0.items.0.unit_price", "-1 CNY")), "orders[0].items[0].unit_price"),
        c("negative-claimed-amount", case(("dispute.claimed_amount", {"amount": -1, "currency": "CNY"})),
          "dispute.claimed_amount"),
        c("created-year-0", case(("created_at", "0000-01-01T00:00:00+00:00")), "created_at"),
        c("created-year-10000", case(("created_at", "10000-01-01T00:00:00+00:00")), "created_at"),
        c("created-max-minus-offset", case(("created_at", "9999-12-31T23:59:59-23:59")), "created_at"),
        c("placed-min-plus-offset", case(("orders.0.placed_at", "0001-01-01T00:00:00+23:59")), "orders[0].placed_at"),
        c("delivered-2026-02-30", case(("orders.0.delivered_at", "2026-02-30T10:00:00+08:00")),
          "orders[0].delivered_at"),
        c("deadline-year-9999", case(("deadlines", {"x": "9999-12-31T23:59:59+00:00"})), "deadlines.x"),
        c("duplicate-key", case().replace(b'"tenant": "shop-cn"', b'"tenant": "shop-cn", "tenant": "other"'), None),
        c("top-level-array", b"[1, 2]", None),
        Hostile("message-2mb", "case", case(("messages.0.text", "I will sue you, lawyer " * 90_000))),  # works
        Hostile("messages-40000", "case", case(("messages", [CASE["messages"][0]] * 40_000))),  # type: ignore[index]
        c("huge-quantity", case(("orders.0.items.0.quantity", Raw(digits[:4000]))), "orders[0].items[0].quantity"),
        c("tier-1e309", case(("tier", Raw("1e309"))), "tier"),
    ]  # fmt: skip


def _cases_cases() -> list[Hostile]:
    """JSON lines for ``caseflow simulate --cases``: a valid line, then a hostile one."""

    def j(name: str, line: bytes, where: str) -> Hostile:
        return Hostile(name, "cases", case() + b"\n" + line + b"\n", ("case-invalid",), re.escape(where))

    return [
        j("nesting-100000", b"[" * 100_000, "cases.jsonl:2"),
        j("surrogate", case(("id", Raw('"\\ud800"'))), "id"),
        j("nan-rating", case(("buyer.rating", Raw("NaN"))), "buyer.rating"),
        j("5000-digit-counter", case(("buyer.history.orders_total", Raw("9" * 5000))), "cases.jsonl:2"),
        j("negative-amount", case(("request.amount", "-1 CNY")), "request.amount"),
        j("50-digit-amount", case(("request.amount", "9" * 50 + " CNY")), "request.amount"),
        j("created-max-minus-offset", case(("created_at", "9999-12-31T23:59:59-23:59")), "created_at"),
        Hostile(
            "duplicate-key",
            "cases",
            case() + b"\n" + case().replace(b'"tenant": "shop-cn"', b'"tenant": "shop-cn", "tenant": "x"') + b"\n",
            ("case-invalid",),
        ),
        Hostile(
            "fifo-through-simulate-file",
            "cases",
            fifo,
            ("source-not-a-file",),
            cli=False,
        ),
    ]


def _test_cases() -> list[Hostile]:
    def t(name: str, text: str, *codes: str) -> Hostile:
        return Hostile(name, "test", text.encode(), codes, r"hostile\.test\.yaml:\d+")

    return [
        t("now-year-0", policy_test(now="0000-01-01T00:00:00+00:00"), "policy-test-invalid"),
        Hostile(  # said at the file it names (tests/policytest.py could point at the 'policies:' line)
            "policies-dev-zero",
            "test",
            policy_test().replace("policies: p.yaml", "policies: /dev/zero").encode(),
            ("source-not-a-file",),
            "/dev/zero:1:1: ",
        ),
        t("now-year-10000", policy_test(now="10000-01-01T00:00:00+00:00"), "policy-test-invalid"),
        t("now-max-minus-offset", policy_test(now="9999-12-31T23:59:59-23:59"), "policy-test-invalid"),  # after 8999
        t("case-negative-amount", policy_test("{request: {amount: -5 CNY}}"), "case-invalid"),
        t("case-50-digit-amount", policy_test("{request: {amount: " + "9" * 50 + " CNY}}"), "case-invalid"),
        t("case-inf-rating", policy_test("{buyer: {rating: .inf}}"), "yaml-value"),
        t("case-4000-digit-counter", policy_test("{buyer: {history: {orders_total: " + "9" * 4000 + "}}}"),
          "yaml-value"),
        t("case-20-digit-counter", policy_test("{buyer: {history: {orders_total: " + "9" * 20 + "}}}"),
          "case-invalid"),
        t("case-surrogate", policy_test('{id: "\\ud800"}'), *SURROGATE),
        t("case-created-year-9999", policy_test("{created_at: '9999-12-31T23:59:59-23:59'}"), "case-invalid"),
    ]  # fmt: skip


def _calendar_cases() -> list[Hostile]:
    def k(name: str, spec: str, *codes: str) -> Hostile:
        return Hostile(name, "calendar", f"calendars:\n  office:\n{spec}".encode(), codes or ("calendar-invalid",))

    hours = "    hours: {mon-fri: ['09:00-18:00']}\n"
    return [
        k("closure-2026-02-30", hours + "    closures: ['2026-02-30']\n"),
        k("closure-2026-02-30-unquoted", hours + "    closures: [2026-02-30]\n", "yaml-value"),
        k("extra-working-day-2026-02-30", hours + "    extra_working_days: ['2026-02-30']\n"),
        k("closure-year-10000", hours + "    closures: ['10000-01-01']\n"),
        k("closure-inf", hours + "    closures: [.inf]\n", "yaml-value"),
        k("hours-25-to-26", "    hours: {mon: ['25:00-26:00']}\n"),
        k("hours-5000-digits", "    hours: {mon: ['" + "9" * 5000 + ":00-10:00']}\n"),
        k("days-mon-funday", "    hours: {mon-funday: ['09:00-18:00']}\n"),
        k("hours-not-text", "    hours: {mon: [.inf]}\n", "yaml-value"),
        k("hours-number", "    hours: {mon: [900]}\n"),
        k("timezone-5000-chars", "    timezone: " + "a" * 5000 + "\n" + hours),
        k("timezone-nul", '    timezone: "Asia/\\0Shanghai"\n' + hours),
        k("timezone-path", "    timezone: ../../../../etc/passwd\n" + hours),
        k("country-unknown", hours + "    country: ZZ\n"),
        k("country-long", hours + "    country: " + "Z" * 5000 + "\n"),
        k("closures-100000", hours + "    closures: [" + ", ".join(["'2026-10-01'"] * 100_000) + "]\n",
          "yaml-too-large"),
    ]  # fmt: skip


def _workflow_cases() -> list[Hostile]:
    def w(name: str, text: str, *codes: str) -> Hostile:
        return Hostile(name, "workflow", text.encode(), codes)

    return [
        w("version-inf", VALID_WORKFLOW.replace("version: '1'", "version: .inf"), "yaml-value"),
        w("surrogate-state", VALID_WORKFLOW.replace("{name: done", '{name: "d\\ud800"'), *SURROGATE),
        w("states-200000", VALID_WORKFLOW.replace("states:\n", "states:\n" + "  - {name: s}\n" * 200_000),
          "yaml-too-large"),
    ]  # fmt: skip


def _detector_cases() -> list[Hostile]:
    def d(name: str, old: str, new: str, *codes: str) -> Hostile:
        return Hostile(
            name, "detectors", VALID_DETECTORS.replace(old, new).encode(), codes or ("correlation-bad-value",)
        )

    return [
        d("window-10-12-days", "window: 7d", "window: 1000000000000d"),
        d("window-5000-digits", "window: 7d", "window: " + "9" * 5000 + "d"),
        d("cooldown-5000-digits", "window: 7d", "window: 7d\n    cooldown: " + "9" * 5000 + "h"),
        d("threshold-nan", "threshold: 5", "threshold: .nan", "yaml-value"),
        d("threshold-inf", "threshold: 5", "threshold: .inf", "yaml-value"),
        d("threshold-4000-digits", "threshold: 5", "threshold: " + "9" * 4000, "yaml-value"),
    ]  # fmt: skip


KINDS = ("policy", "case", "cases", "test", "calendar", "workflow", "detectors")
CATALOGUE: list[Hostile] = [
    *(h for kind in KINDS for h in reading(kind)),
    *(h for kind in sorted(YAML_KINDS) for h in yaml_everywhere(kind)),
    *_policy_cases(),
    *_case_cases(),
    *_cases_cases(),
    *_test_cases(),
    *_calendar_cases(),
    *_workflow_cases(),
    *_detector_cases(),
]


def test_the_catalogue_names_are_unique():
    ids = [h.id for h in CATALOGUE]
    assert len(ids) == len(set(ids)) and len(ids) > 150


# ------------------------------------------------------------------------------------------------
# running an input
# ------------------------------------------------------------------------------------------------


def place(h: Hostile, tmp_path: Path) -> Path:
    """Make the input of ``h`` under ``tmp_path`` (beside the valid files its commands need); its path."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "p.yaml").write_text(VALID_POLICY)  # the policies of a policy test, and of a calendar's pack
    (work / "valid.json").write_bytes(case())
    (work / "valid.jsonl").write_bytes(case() + b"\n")
    target = work / ("pack" if h.kind == "calendar" else ".") / HOSTILE_NAME[h.kind]
    target.parent.mkdir(exist_ok=True)
    if h.kind == "calendar":
        (target.parent / "p.yaml").write_text(VALID_POLICY)
    if isinstance(h.data, bytes):
        target.write_bytes(h.data)
        return target
    other = h.data(target)
    if other is None:
        return target
    if h.kind == "calendar":  # found in its pack by name: a link to the device
        target.symlink_to(other)
        return target
    return other


def commands(h: Hostile, path: Path, work: Path) -> list[list[str]]:
    case_file, at = str(work / "valid.json"), ["--at", AT]
    simulate = ["simulate", "--workers", "1", "--no-progress", *at]
    return {
        "policy": [["validate", str(path)], ["evaluate", case_file, "-p", str(path), *at]],
        "case": [["evaluate", str(path), "-p", str(RULES), *at], ["explain", str(path), "-p", str(RULES), *at]],
        "cases": [[*simulate, "--cases", str(path), "--policies", str(RULES)]],
        "test": [["test", str(path)]],
        "calendar": [[*simulate, "--cases", str(work / "valid.jsonl"), "--policies", str(path.parent)]],
        "workflow": [["workflows", str(shipped_workflow_dir()), str(path)]],
        "detectors": [],  # no command reads detectors
    }[h.kind]


def _limits() -> None:  # in the child, before caseflow starts
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def cli(args: list[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [sys.executable, "-m", "caseflow.tools.cli", *args],
            capture_output=True,
            text=True,
            errors="backslashreplace",
            timeout=TIMEOUT,
            cwd=ROOT,
            preexec_fn=_limits,
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"caseflow {' '.join(a[:80] for a in args)}: no answer within {TIMEOUT} s")


CODE_AT_END = re.compile(r"\[([a-z0-9]+(?:-[a-z0-9]+)*)\]$")


def check_cli(h: Hostile, args: list[str]) -> None:
    run = cli(args)
    command = " ".join(a[:80] for a in args)
    shown = f"caseflow {command}\n--- stdout\n{run.stdout[:2000]}\n--- stderr\n{run.stderr[:4000]}"
    assert "Traceback" not in run.stderr + run.stdout, shown
    if not h.codes:
        assert run.returncode == 0, shown
        return
    assert run.returncode in (1, 2), shown
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    if h.kind == "test":  # a test whose case is invalid fails: said on standard output
        lines += [line.strip() for line in run.stdout.splitlines() if CODE_AT_END.search(line)]
    assert lines, shown
    for line in lines:
        assert CODE_AT_END.search(line), f"a line without its [code]: {line[:300]!r}\n{shown}"
        assert len(line) <= 1000, f"a line of {len(line)} characters\n{shown}"
    hits = [line for line in lines if any(f"[{c}]" in line for c in h.codes)]
    assert hits, f"none of {h.codes}\n{shown}"
    where = h.where if h.where is not None else (r":\d+:\d+: " if h.kind in YAML_KINDS else None)
    if where is not None:
        assert any(re.search(where, line) for line in hits), f"no place {where!r}\n{shown}"


class _Timeout(Exception):
    pass


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise _Timeout(f"no answer within {seconds} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def reported(call: Callable[[], object]) -> list[str]:
    """What ``call`` reported: the lines of the CaseflowError it raised, or of the issues it returned."""
    try:
        with deadline(TIMEOUT):
            result = call()
    except CaseflowError as e:
        assert e.code and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", e.code), e
        return [*str(e).splitlines(), f"[{e.code}]"]
    if isinstance(result, list) and all(isinstance(line, str) for line in result):
        return result
    issues = getattr(result, "issues", None)
    return [str(i) for i in issues or [] if i.severity == "error"]


def api_calls(h: Hostile, path: Path) -> list[Callable[[], object]]:
    regular = path.is_file() and not path.is_symlink()
    data = path.read_bytes() if regular else None
    if h.kind == "case":
        if data is None:
            return []  # parse_case takes data, not files: the command reads them
        calls: list[Callable[[], object]] = [lambda: parse_case(data)]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return calls
        return [*calls, lambda: parse_case(text)]
    if h.kind == "cases":  # simulate_file refuses what is no regular file (a FIFO, a device, a folder) unopened
        return [lambda: simulate_file(path, [RULES], at=AT, workers=1)]
    if h.kind == "policy":
        calls = [lambda: load_policies(path)]
        if data is not None:
            text = data.decode("utf-8", "surrogateescape")
            calls.append(lambda: load_policy_text(text, str(path)))
        return calls
    if h.kind == "test":  # the file's problems are raised; its cases' problems fail their tests
        return [
            lambda: load_file(path) and [line for o in run_file(path) for f in o.failures for line in f.split("\n")]
        ]
    load = {"calendar": load_calendars, "workflow": load_workflow, "detectors": load_detectors}[h.kind]
    return [lambda: load(path)]


def check_api(h: Hostile, path: Path) -> None:
    for call in api_calls(h, path):
        try:
            problems = reported(call)
        except _Timeout as e:
            pytest.fail(f"{h.id}: {e}")
        except Exception as e:  # noqa: BLE001 - anything but a CaseflowError is the failure looked for
            pytest.fail(f"{h.id}: {type(e).__name__} instead of a CaseflowError: {str(e)[:500]}")
        if not h.codes:
            assert problems == [], problems
            continue
        assert any(f"[{c}]" in line for line in problems for c in h.codes), (h.codes, problems[:5])


@pytest.mark.parametrize("h", [h.param() for h in CATALOGUE if h.cli and commands(h, Path(), Path())])
def test_hostile_input_on_the_command_line(h: Hostile, tmp_path: Path) -> None:
    path = place(h, tmp_path)
    for args in commands(h, path, tmp_path / "work"):
        check_cli(h, args)


@pytest.mark.parametrize("h", [h.param() for h in CATALOGUE if h.api])
def test_hostile_input_through_the_api(h: Hostile, tmp_path: Path) -> None:
    check_api(h, place(h, tmp_path))


# ------------------------------------------------------------------------------------------------
# the Python API alone: values no file holds
# ------------------------------------------------------------------------------------------------

MAX_UTC = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


def _calendar() -> BusinessCalendar:
    return BusinessCalendar.build("office", "Asia/Shanghai", {"mon-fri": ["09:00-18:00"]})


API_ONLY: dict[str, tuple[Callable[[], object], tuple[str, ...]]] = {
    "fixedclock-year-0": (lambda: FixedClock("0000-01-01T00:00:00+00:00"), ("time-invalid",)),
    "fixedclock-year-10000": (lambda: FixedClock("10000-01-01T00:00:00+00:00"), ("time-invalid",)),
    "fixedclock-surrogate": (lambda: FixedClock("2026-11-11T10:00:00\ud800"), ("time-invalid",)),
    "fixedclock-2026-02-30": (lambda: FixedClock("2026-02-30T10:00:00+08:00"), ("time-invalid",)),
    "fixedclock-max-plus-a-day": (
        lambda: FixedClock("9999-12-31T23:59:59-23:59").advance(days=1),
        ("time-invalid",),
    ),
    "calendar-build-mon-funday": (lambda: BusinessCalendar.build("c", "UTC", {"mon-funday": ["09:00-18:00"]}),
                                  ("calendar-invalid",)),
    "calendar-build-25-to-26": (lambda: BusinessCalendar.build("c", "UTC", {"mon": ["25:00-26:00"]}),
                                ("calendar-invalid",)),
    "calendar-build-2026-02-30": (lambda: BusinessCalendar.build("c", "UTC", {"mon": ["09:00-18:00"]},
                                                                 closures=["2026-02-30"]), ("calendar-invalid",)),
    "calendar-build-extra-2026-02-30": (lambda: BusinessCalendar.build("c", "UTC", {"mon": ["09:00-18:00"]},
                                                                       extra_working_days=["2026-02-30"]),
                                        ("calendar-invalid",)),
    "calendar-build-timezone-nul": (lambda: BusinessCalendar.build("c", "Asia/\0Shanghai", {"mon": ["09:00-18:00"]}),
                                    ("calendar-invalid",)),
    "calendar-build-timezone-long": (lambda: BusinessCalendar.build("c", "a" * 5000, {"mon": ["09:00-18:00"]}),
                                     ("calendar-invalid",)),
    "calendar-build-hours-none": (lambda: BusinessCalendar.build("c", "UTC", {"mon": None}),  # type: ignore[dict-item]
                                  ("calendar-invalid",)),
    "calendar-add-past-year-9999": (lambda: _calendar().add(MAX_UTC - timedelta(days=2), hours=100),
                                    ("calendar-invalid",)),
    "calendar-add-10-12-days": (lambda: _calendar().add(datetime(2026, 1, 1, tzinfo=UTC), days=10**12),
                                ("calendar-invalid",)),
    "calendar-add-inf": (lambda: _calendar().add(datetime(2026, 1, 1, tzinfo=UTC), float("inf")),
                         ("calendar-invalid",)),
    "calendar-add-nan": (lambda: _calendar().add(datetime(2026, 1, 1, tzinfo=UTC), float("nan")),
                         ("calendar-invalid",)),
    "calendar-elapsed-year-1-to-9999": (lambda: _calendar().elapsed(datetime(1, 1, 2, tzinfo=UTC), MAX_UTC),
                                        ("calendar-invalid",)),
    "parse-case-dict-nan-amount": (lambda: parse_case({**CASE, "request": {"kind": "refund_only",
                                                                           "amount": {"amount": Decimal("NaN"),
                                                                                      "currency": "CNY"}}}),
                                   ("case-invalid",)),
    "parse-case-dict-inf-rating": (lambda: parse_case({**CASE, "buyer": {"id": "b", "rating": float("inf")}}),
                                   ("case-invalid",)),
    "parse-case-dict-date-year-9999": (lambda: parse_case({**CASE, "created_at": datetime(9999, 12, 31, tzinfo=UTC)}),
                                       ("case-invalid",)),
    "parse-case-dict-surrogate": (lambda: parse_case({**CASE, "id": "\ud800"}), ("case-invalid",)),
    "parse-case-dict-surrogate-key": (lambda: parse_case({**CASE, "attributes": {"\ud800": 1}}), ("case-invalid",)),
    "parse-case-dict-nested-10000": (lambda: parse_case({**CASE, "attributes": {"x": _nested(10_000)}}),
                                     ("case-invalid",)),
    "parse-case-50mb-text": (lambda: parse_case('{"id": "' + "x" * (50 << 20) + '"}'), ("case-invalid",)),
    "parse-case-bytes-invalid-utf8": (lambda: parse_case(b'{"id": "\xff"}'), ("case-invalid",)),
    "parse-case-not-json-type": (lambda: parse_case(12), ("case-invalid",)),  # type: ignore[arg-type]
    "load-policy-text-surrogate": (lambda: _raise(load_policy_text("policy: \ud800\n")), ("yaml-syntax", "yaml-value")),
    "load-policy-text-nul": (lambda: _raise(load_policy_text("policy: a\0b\n")), ("yaml-syntax",)),
    "load-policy-text-6mb": (lambda: _raise(load_policy_text("#" * (6 << 20))), ("source-too-large",)),
    "load-policies-nul-in-name": (lambda: load_policies("a\0b.yaml"), ("policy-file-missing",)),
    "load-calendars-nul-in-name": (lambda: load_calendars("a\0b.yaml"), ("source-unreadable",)),
    "load-workflow-surrogate-in-name": (lambda: load_workflow("\udcff.yaml"), ("source-missing", "source-unreadable")),
    "load-detectors-long-name": (lambda: load_detectors("x" * 5000), ("source-unreadable",)),
    "load-file-nul-in-name": (lambda: load_file("a\0b.test.yaml"), ("source-unreadable",)),
}  # fmt: skip


def _nested(n: int) -> object:
    out: object = 1
    for _ in range(n):
        out = [out]
    return out


def _raise(checked: object) -> None:
    issues = [i for i in getattr(checked, "issues", []) if i.severity == "error"]
    if issues:
        raise PolicyValidationError(issues)


API_XFAIL: dict[str, tuple[Callable[[], object], tuple[str, ...], str]] = {}  # none today


@pytest.mark.parametrize(
    "name",
    [
        *sorted(API_ONLY),
        *(pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=x[2])) for n, x in API_XFAIL.items()),
    ],
)
def test_hostile_values_through_the_api(name: str) -> None:
    call, codes = API_ONLY[name] if name in API_ONLY else API_XFAIL[name][:2]
    try:
        problems = reported(call)
    except Exception as e:  # noqa: BLE001
        pytest.fail(f"{type(e).__name__} instead of a CaseflowError: {str(e)[:500]}")
    assert any(f"[{c}]" in line for line in problems for c in codes), problems[:5]


# ------------------------------------------------------------------------------------------------
# money: never negative, never an arithmetic error
# ------------------------------------------------------------------------------------------------

MONEY_REFUSED = {
    "negative": "-0.01 CNY",
    "negative-dict": {"amount": "-5", "currency": "CNY"},
    "negative-number": {"amount": -5, "currency": "CNY"},
    "nan": {"amount": "NaN", "currency": "CNY"},
    "snan": {"amount": "sNaN", "currency": "CNY"},
    "inf": {"amount": float("inf"), "currency": "CNY"},
    "1e309-number": {"amount": 1e308 * 10, "currency": "CNY"},
    "1e999999-text": {"amount": "1e999999", "currency": "CNY"},
    "50-digits": "9" * 50 + " CNY",
    "19-integer-digits": "1" + "0" * 18 + " CNY",
    "30-decimals": "0." + "1" * 30 + " CNY",
    "5000-digits-int": {"amount": 10**4000, "currency": "CNY"},
    "float-17-digits": {"amount": 0.30000000000000004, "currency": "CNY"},
    "bool": {"amount": True, "currency": "CNY"},
    "surrogate-currency": {"amount": "1", "currency": "\ud800NY"},
}


@pytest.mark.parametrize("value", list(MONEY_REFUSED.values()), ids=list(MONEY_REFUSED))
def test_money_refuses_what_is_no_amount_with_a_value_error(value: object) -> None:
    """Money is a pydantic model: a bad value is its ValidationError (a ValueError), never a decimal
    signal, an OverflowError or a TypeError."""
    with deadline(TIMEOUT), pytest.raises(ValueError) as e:
        Money.model_validate(value)
    assert type(e.value).__name__ == "ValidationError"


def test_money_at_its_limits_adds_compares_and_splits_exactly() -> None:
    from caseflow.store.effects import _refund

    big = Money.model_validate("999999999999999999.99999999 CNY")  # the largest amount: 18 + 8 digits
    half = Money.model_validate("499999999999999999.99999999 CNY")
    assert half + half == Money.model_validate("999999999999999999.99999998 CNY")  # exact, never rounded
    with pytest.raises(ValueError, match="largest"):
        big + Money.model_validate("0.00000001 CNY")
    assert big > Money.model_validate("0.00000001 CNY") and Money.model_validate("-0 CNY").amount == 0
    assert str(Money.model_validate("-0.00 CNY")) == "0.00 CNY"
    assert Money.model_validate({"amount": "1E+5", "currency": "CNY"}).amount.as_tuple().exponent == 0
    raw = parse_case(case(("request.amount", "999999999999999999.99999999 CNY")))
    (effect,) = _refund(raw, Decimal("33.333333333333333333333333333333"))
    assert Decimal(str(effect.payload["amount"])) == Decimal("333333333333333333.33333333")


def test_no_refusal_for_an_ordinary_case_in_any_time_zone() -> None:
    """The bounds keep ordinary data: any offset, any date from 1900 to 9000."""
    for at in ("1900-01-01T14:00:00+14:00", "2026-11-11T10:00:00-12:00", "8999-12-31T23:59:59+00:00"):
        assert parse_case(case(("created_at", at))).created_at == datetime.fromisoformat(at)
    assert parse_case(case(("buyer.history.orders_total", 10**12))).buyer.history.orders_total == 10**12  # type: ignore[union-attr]


HOSTILE_ARGUMENTS = {
    "at-year-9999-minus-offset": ["evaluate", "{case}", "-p", str(RULES), "--at", "9999-12-31T23:59:59-23:59"],
    "at-year-0": ["evaluate", "{case}", "-p", str(RULES), "--at", "0000-01-01T00:00:00+00:00"],
    "at-2026-02-30": ["explain", "{case}", "-p", str(RULES), "--at", "2026-02-30T10:00:00+08:00"],
    "workers-a-billion": ["simulate", "--cases", "{cases}", "--policies", str(RULES), "--workers", "1000000000"],
    "simulate-at-year-9999": ["simulate", "--cases", "{cases}", "--policies", str(RULES), "--at", "9999-12-31T00:00Z"],
}


@pytest.mark.parametrize("name", sorted(HOSTILE_ARGUMENTS))
def test_hostile_arguments_are_one_line_usage_errors(name: str, tmp_path: Path) -> None:
    (tmp_path / "case.json").write_bytes(case())
    (tmp_path / "cases.jsonl").write_bytes(case() + b"\n")
    args = [a.format(case=tmp_path / "case.json", cases=tmp_path / "cases.jsonl") for a in HOSTILE_ARGUMENTS[name]]
    run = cli(args)
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert [line for line in run.stderr.splitlines() if line.strip()] == [run.stderr.strip()], run.stderr
    assert run.stderr.strip().endswith("[usage]"), run.stderr


def test_the_schema_command_answers_for_every_kind_and_refuses_others_without_a_traceback() -> None:
    from caseflow.tools.cli import SCHEMA_KINDS

    for kind in SCHEMA_KINDS:
        run = cli(["schema", kind])
        assert run.returncode == 0 and json.loads(run.stdout)["$schema"], run.stderr
    run = cli(["schema", "nope"])
    assert run.returncode == 2 and "Traceback" not in run.stderr and "invalid choice" in run.stderr


def test_dates_the_calendar_holds_are_in_range() -> None:
    cal = _calendar()
    assert cal.add(datetime(8999, 12, 30, tzinfo=UTC), hours=1) > datetime(8999, 12, 30, tzinfo=UTC)
    assert date(2026, 1, 1) not in cal.closed
    assert not cal.is_open(datetime(1, 1, 1, tzinfo=UTC))  # the first day there is
    assert not cal.is_open(datetime(9999, 12, 31, 12, tzinfo=UTC))  # 20:00 on the last day, in Shanghai
    with pytest.raises(CalendarError):
        cal.is_open(MAX_UTC)  # in Shanghai, already the year 10000
    assert cal.elapsed(datetime(1, 1, 1, tzinfo=UTC), datetime(1, 1, 9, tzinfo=UTC)) == 6 * 9 * 3600


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('x: "\\ud800"\n', "yaml-value"),
        ("x: [" + "1," * 1_000_000 + "1]\n", "yaml-too-large"),
        ("[" * 10_000, "yaml-too-deep"),
        ("".join(f"{' ' * i}- \n" for i in range(3000)), "yaml-too-deep"),
        ("x: a\x00b\n", "yaml-syntax"),
        ("x: .nan\n", "yaml-value"),
    ],
    ids=["surrogate-escape", "1m-items", "nesting-10000", "nesting-3000-block", "nul", "nan"],
)
def test_without_libyaml_the_reader_refuses_the_same(monkeypatch, text: str, code: str) -> None:
    """PyYAML built without libyaml: its own scanner (slower on text) and the same limits."""
    from caseflow.policies import source

    monkeypatch.setattr(source, "_LIBYAML", None)
    with deadline(TIMEOUT):
        doc, problems = source.parse_yaml(text, "doc.yaml")
    assert [p.code for p in problems] == [code], problems
