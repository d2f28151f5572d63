"""YAML policy tests: given a case, expect actions and fired rules.

A test file ``NAME.test.yaml`` sits beside the policies it tests::

    policies: .                      # optional; a file or folder relative to this file
    now: 2026-11-11T10:00:00+08:00   # the clock for every test (a test may override it)
    base_case: {...}                 # merged under every test's case (mappings merge, lists replace)
    tests:
      - name: small refund from a trusted buyer is approved
        case: {request: {kind: refund_only, amount: 89 CNY}}
        expect:
          rules: [small-refund-trusted-buyer]      # exactly these fired, in order
          actions: [approve_refund, add_tag]       # exactly these action types, in order
          includes_actions: [approve_refund]       # at least these
          excludes_actions: [reject_refund]        # none of these

``caseflow test PATH`` runs them; pytest collects them through the caseflow plugin.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import Field

from ..clock import FixedClock
from ..engine import Engine
from ..errors import CaseDataError, PolicyIssue, PolicyTestError, PolicyValidationError
from ..model.case import parse_case
from ..policies.loader import TEST_SUFFIXES, load_policies
from ..policies.model import PolicySet
from ..policies.schema import Document, document_keys, document_schema
from ..policies.source import MAX_BYTES, Located, read_yaml

__all__ = ["PolicyTest", "PolicyTestFile", "TestOutcome", "discover", "run_file", "run_test"]

class Expectation(Document):
    """What a policy test expects of the decision."""

    rules: list[str] | None = Field(None, description="exactly these rules fired, in order")
    actions: list[str] | None = Field(None, description="exactly these action types, in order")
    includes_actions: list[str] | None = Field(None, description="at least these action types")
    excludes_actions: list[str] | None = Field(None, description="none of these action types")
    params: dict[str, dict[str, Any]] | None = Field(None, description="an action of this type has these parameters")


class PolicyTestDocument(Document):
    name: str | int = Field(description="unique in the file")
    case: dict[str, Any] = Field(default_factory=dict, description="merged over base_case (mappings merge, lists replace)")
    now: str | datetime | None = Field(None, description="the clock for this test (default: the file's now)")
    expect: Expectation


class PolicyTestFileDocument(Document):
    policies: str = Field(".", description="a policy file or folder, relative to this file")
    now: str | datetime | None = Field(None, description="the clock for every test, with a time zone")
    base_case: dict[str, Any] = Field(default_factory=dict, description="merged under every test's case")
    tests: list[PolicyTestDocument]


def policy_test_schema() -> dict[str, Any]:
    """The JSON Schema of ``*.test.yaml`` files, generated from :class:`PolicyTestFileDocument`."""
    return document_schema(PolicyTestFileDocument, "policy-test", "caseflow policy tests")


_EXPECT_KEYS = document_keys(Expectation)
_TOP_KEYS = tuple(PolicyTestFileDocument.model_fields)
_TEST_KEYS = tuple(PolicyTestDocument.model_fields)


@dataclass
class PolicyTest:
    name: str
    case: dict[str, Any]
    now: datetime
    expect: dict[str, Any]
    line: int
    file: str


@dataclass
class PolicyTestFile:
    path: Path
    policies_path: Path
    tests: list[PolicyTest]
    _policy_set: PolicySet | None = field(default=None, repr=False)

    def policy_set(self) -> PolicySet:
        if self._policy_set is None:
            self._policy_set = load_policies(self.policies_path)
        return self._policy_set


@dataclass
class TestOutcome:
    test: PolicyTest
    backend: str
    passed: bool
    failures: list[str]
    fired_rules: list[str]
    actions: list[str]

    __test__ = False  # not a pytest class


PolicyTest.__test__ = False  # type: ignore[attr-defined]
PolicyTestFile.__test__ = False  # type: ignore[attr-defined]


def merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = merge(base.get(k), v) if k in base else copy.deepcopy(v)
        return out
    return copy.deepcopy(over)


def _time(value: Any) -> datetime:
    """``now`` of a test: an aware datetime, or ValueError saying what is wrong."""
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value))
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO date-time") from None
    if dt.tzinfo is None:
        raise ValueError("'now' needs a time zone, e.g. 2026-11-11T10:00:00+08:00")
    return dt


def _jsonable(v: Any) -> Any:
    """YAML gives datetimes and dates; cases want ISO text."""
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    return v




def load_file(path: str | Path, *, max_bytes: int = MAX_BYTES) -> PolicyTestFile:
    """Read a policy test file; :class:`PolicyTestError` lists every problem, each at file:line:column."""
    path = Path(path)
    doc, issues = read_yaml(path, max_bytes=max_bytes)
    if issues or doc is None:
        raise PolicyTestError(issues)
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("tests"), list):
        raise PolicyTestError([doc.issue((), "policy-test-invalid", "a policy test file is a mapping with a 'tests' list")])
    for k in sorted(set(data) - set(_TOP_KEYS)):
        issues.append(doc.issue((k,), "policy-test-invalid", f"unknown key {k!r} (use {', '.join(_TOP_KEYS)})", key=True))
    tests: list[PolicyTest] = []
    names: set[str] = set()
    for i, item in enumerate(data["tests"]):
        test = _test(doc, i, item, data, names, issues)
        if test is not None:
            tests.append(test)
    if issues:
        raise PolicyTestError(issues)
    return PolicyTestFile(path, (path.parent / str(data.get("policies", "."))).resolve(), tests)


def _test(doc: Located, i: int, t: Any, data: dict[str, Any], names: set[str], issues: list[PolicyIssue]) -> PolicyTest | None:
    """Test ``i`` of the file, or None with its problems added to ``issues``."""
    line, _ = doc.pos(("tests", i))

    def bad(message: str) -> None:
        issues.append(doc.issue(("tests", i), "policy-test-invalid", message))

    if not isinstance(t, dict) or "name" not in t or "expect" not in t:
        return bad("a test has a name, a case and an expect block")
    unknown = sorted(set(t) - set(_TEST_KEYS))
    if unknown:
        return bad(f"unknown key {unknown[0]!r} in a test (use {', '.join(_TEST_KEYS)})")
    name = str(t["name"])
    if name in names:
        return bad(f"test name {name!r} is used twice")
    names.add(name)
    expect = t["expect"]
    if not isinstance(expect, dict) or not expect:
        return bad("'expect' is a mapping with rules, actions, includes_actions or excludes_actions")
    unknown = sorted(set(expect) - _EXPECT_KEYS)
    if unknown:
        return bad(f"unknown expectation {unknown[0]!r} (use {', '.join(sorted(_EXPECT_KEYS))})")
    now = t.get("now", data.get("now"))
    if now is None:
        return bad("no 'now' for this test: set it at the top of the file or in the test")
    try:
        when = _time(now)
    except ValueError as e:
        return bad(str(e))
    case = _jsonable(merge(data.get("base_case") or {}, t.get("case") or {}))
    return PolicyTest(name, case, when, expect, line, doc.file)


def discover(path: str | Path) -> list[Path]:
    path = Path(path)
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.name.endswith(TEST_SUFFIXES))


def run_test(test: PolicyTest, policy_set: PolicySet, backend: str = "durable") -> TestOutcome:
    try:
        case = parse_case(test.case, source=f"{test.file}:{test.line} case")
    except CaseDataError as e:
        return TestOutcome(test, backend, False, [str(e)], [], [])
    engine = Engine(policy_set, backend=backend, clock=FixedClock(test.now))
    decision = engine.evaluate(case)
    fired = [f"{r.rule_id}" for r in decision.matched_rules]
    actions = decision.action_types
    failures = []
    ex = test.expect
    if "rules" in ex and list(ex["rules"] or []) != fired:
        failures.append(f"fired rules {fired} != expected {list(ex['rules'] or [])}")
    if "actions" in ex and list(ex["actions"] or []) != actions:
        failures.append(f"actions {actions} != expected {list(ex['actions'] or [])}")
    for a in ex.get("includes_actions") or []:
        if a not in actions:
            failures.append(f"expected action {a!r} is missing (actions: {actions})")
    for a in ex.get("excludes_actions") or []:
        if a in actions:
            failures.append(f"action {a!r} must not be taken (actions: {actions})")
    for a_type, params in (ex.get("params") or {}).items():
        got = [a.params for a in decision.actions if a.type == a_type]
        if not any(all(g.get(k) == v for k, v in params.items()) for g in got):
            failures.append(f"no {a_type!r} action with params {params} (got {got})")
    return TestOutcome(test, backend, not failures, failures, fired, actions)


def run_file(path: str | Path, backend: str = "durable", name_filter: str | None = None) -> list[TestOutcome]:
    tf = load_file(path)
    try:
        ps = tf.policy_set()
    except PolicyValidationError:
        raise
    return [run_test(t, ps, backend) for t in tf.tests if not name_filter or name_filter.lower() in t.name.lower()]
