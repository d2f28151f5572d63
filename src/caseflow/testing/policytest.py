"""YAML policy tests: given a case, expect actions and fired rules.

A test file ``NAME.test.yaml`` sits beside the policies it tests::

    policies: .                      # optional; a file or folder relative to this file
    now: 2026-11-11T10:00:00+08:00   # the clock for every test (a test may override it)
    base_case: {...}                 # merged under every test's case (mappings merge, lists replace)
    signals:                         # optional: the app's signal providers, as the policies see them
      toxicity: {labels: [abusive, neutral], score: true, description: the app's toxicity model}
    tests:
      - name: small refund from a trusted buyer is approved
        case: {request: {kind: refund_only, amount: 89 CNY}}
        signals: {toxicity: {label: neutral, score: 0.1}}   # what the providers say of this case
        expect:
          rules: [small-refund-trusted-buyer]      # exactly these fired, in order
          actions: [approve_refund, add_tag]       # exactly these action types, in order
          includes_actions: [approve_refund]       # at least these
          excludes_actions: [reject_refund]        # none of these

``caseflow test PATH`` runs them; pytest collects them through the caseflow plugin.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import Field, JsonValue

from ..clock import FixedClock
from ..engine import Engine
from ..engine.backends import DEFAULT_BACKEND
from ..errors import CaseDataError, CaseflowError, PolicyIssue, PolicyTestError, PolicyValidationError, clip
from ..model.case import EARLIEST, LATEST, Case, parse_case
from ..model.decision import Decision
from ..policies.facts import FactRegistry, default_facts
from ..policies.loader import TEST_SUFFIXES, load_policies, policy_files
from ..policies.model import Policy, PolicySet
from ..policies.schema import Document, document_keys, document_schema
from ..policies.source import MAX_BYTES, Located, YamlValue, read_yaml
from ..risk.signals import Signal, register_signal_provider

__all__ = ["PolicyTest", "PolicyTestFile", "TestOutcome", "discover", "run_file", "run_test"]


class Expectation(Document):
    """What a policy test expects of the decision."""

    rules: list[str] | None = Field(None, description="exactly these rules fired, in order")
    actions: list[str] | None = Field(None, description="exactly these action types, in order")
    includes_actions: list[str] | None = Field(None, description="at least these action types")
    excludes_actions: list[str] | None = Field(None, description="none of these action types")
    params: dict[str, dict[str, Any]] | None = Field(None, description="an action of this type has these parameters")


class SignalDeclaration(Document):
    """A signal provider of the app, as the policies under test see it (its facts, not its model)."""

    labels: list[str] = Field(default_factory=list, description="the labels it may give (signal.NAME.label)")
    score: bool = Field(False, description="whether it gives a score from 0 to 1 (signal.NAME.score)")
    description: str = Field("", description="what it detects (default: 'signal NAME, given by the tests')")


class GivenSignal(Document):
    """What a provider says of this test's case; a provider a test does not name says nothing (missing)."""

    label: str | None = Field(None, description="one of the provider's declared labels")
    score: float | None = Field(None, ge=0, le=1, description="a number from 0 to 1")
    explanation: str | None = Field(None, description="the provider's words (default: 'given by test NAME')")


class PolicyTestDocument(Document):
    name: str | int = Field(description="unique in the file")
    case: dict[str, Any] = Field(
        default_factory=dict, description="merged over base_case (mappings merge, lists replace)"
    )
    signals: dict[str, GivenSignal] = Field(
        default_factory=dict, description="what the file's signal providers say of this case, by name"
    )
    now: str | datetime | None = Field(None, description="the clock for this test (default: the file's now)")
    expect: Expectation


class PolicyTestFileDocument(Document):
    policies: str = Field(".", description="a policy file or folder, relative to this file")
    load_with: list[str] = Field(
        default_factory=list,
        description="more policy files or folders loaded with them, not under test (another policy's phrase sets "
        "the policies read, e.g. escalation.legal_threat)",
    )
    now: str | datetime | None = Field(None, description="the clock for every test, with a time zone")
    base_case: dict[str, Any] = Field(default_factory=dict, description="merged under every test's case")
    signals: dict[str, SignalDeclaration] = Field(
        default_factory=dict, description="the app's signal providers the policies read, by name"
    )
    tests: list[PolicyTestDocument]


def policy_test_schema() -> dict[str, JsonValue]:
    """The JSON Schema of ``*.test.yaml`` files, generated from :class:`PolicyTestFileDocument`."""
    return document_schema(PolicyTestFileDocument, "policy-test", "caseflow policy tests")


_EXPECT_KEYS = document_keys(Expectation)
_TOP_KEYS = tuple(PolicyTestFileDocument.model_fields)
_TEST_KEYS = tuple(PolicyTestDocument.model_fields)
_DECLARATION_KEYS = tuple(SignalDeclaration.model_fields)
_GIVEN_KEYS = tuple(GivenSignal.model_fields)

_GIVEN: ContextVar[dict[str, Signal]] = ContextVar("caseflow_policy_test_signals")


class _GivenProvider:
    """A signal provider declared by a test file: it says what the running test gives it (or nothing)."""

    def __init__(self, name: str, labels: Sequence[str], score: bool, description: str) -> None:
        self.name = name
        self.labels = tuple(labels)
        self.gives_score = score
        self.description = description

    def detect(self, case: Case, now: datetime) -> Signal | None:
        return _GIVEN.get({}).get(self.name)


@contextmanager
def _given(signals: dict[str, Signal]) -> Iterator[None]:
    token = _GIVEN.set(signals)
    try:
        yield
    finally:
        _GIVEN.reset(token)


@dataclass
class PolicyTest:
    name: str
    case: dict[str, object]  # the case's fields, base_case merged under them (validated when the test runs)
    now: datetime
    expect: dict[str, YamlValue]  # as written: rules, actions, includes_actions, excludes_actions, params
    line: int
    file: str
    signals: dict[str, Signal] = field(default_factory=dict)  # what the file's providers say of the case

    __test__ = False  # not a pytest class


@dataclass
class PolicyTestFile:
    path: Path
    policies_path: Path
    tests: list[PolicyTest]
    facts: FactRegistry | None = None  # the built-in facts and the file's signal providers (None: built-in only)
    load_with: tuple[Path, ...] = ()  # more policies loaded with them, not under test (their phrase sets are read)
    _policy_set: PolicySet | None = field(default=None, repr=False)

    __test__ = False  # not a pytest class

    def policy_set(self) -> PolicySet:
        if self._policy_set is None:
            self._policy_set = load_policies([self.policies_path, *self.load_with], facts=self.facts)
        return self._policy_set

    def policies_under_test(self) -> list[Policy]:
        """The policies of ``policies`` (not those of ``load_with``): what the rule coverage counts."""
        beside = {f.resolve() for path in self.load_with for f in policy_files(path)}
        return [p for p in self.policy_set() if Path(p.source).resolve() not in beside]


@dataclass
class TestOutcome:
    test: PolicyTest
    backend: str
    passed: bool
    failures: list[str]
    fired_rules: list[str]
    actions: list[str]
    hits: list[str] = field(default_factory=list)  # "policy/rule" of every rule that fired, for coverage

    __test__ = False  # not a pytest class


def merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = merge(base.get(k), v) if k in base else copy.deepcopy(v)
        return out
    return copy.deepcopy(over)


def _time(value: object) -> datetime:
    """``now`` of a test: an aware datetime, or ValueError saying what is wrong."""
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value))
        except ValueError:
            raise ValueError(f"{clip(repr(value))} is not an ISO date-time") from None
    if dt.tzinfo is None:
        raise ValueError("'now' needs a time zone, e.g. 2026-11-11T10:00:00+08:00")
    if not EARLIEST <= dt < LATEST:
        raise ValueError(
            f"'now' {dt.isoformat()} is out of range: give a time between {EARLIEST.year} and {LATEST.year - 1}"
        )
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
    items = data.get("tests") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(items, list):
        raise PolicyTestError(
            [doc.issue((), "policy-test-invalid", "a policy test file is a mapping with a 'tests' list")]
        )
    for k in sorted(set(data) - set(_TOP_KEYS)):
        issues.append(
            doc.issue((k,), "policy-test-invalid", f"unknown key {k!r} (use {', '.join(_TOP_KEYS)})", key=True)
        )
    declared, facts = _declarations(doc, data.get("signals"), issues)
    tests: list[PolicyTest] = []
    names: set[str] = set()
    for i, item in enumerate(items):
        try:
            tests.append(_test(doc, i, item, data, names, declared))
        except _BadTest as e:
            issues.append(doc.issue(e.path or ("tests", i), "policy-test-invalid", str(e)))
    if issues:
        raise PolicyTestError(issues)
    load_with = data.get("load_with", [])
    paths = [x for x in load_with if isinstance(x, str) and x] if isinstance(load_with, list) else []
    if not isinstance(load_with, list) or len(paths) != len(load_with):
        raise PolicyTestError(
            [doc.issue(("load_with",), "policy-test-invalid", "'load_with' is a list of policy files or folders")]
        )
    return PolicyTestFile(
        path,
        (path.parent / str(data.get("policies", "."))).resolve(),
        tests,
        facts,
        tuple((path.parent / x).resolve() for x in paths),
    )


def _declarations(
    doc: Located, raw: YamlValue, issues: list[PolicyIssue]
) -> tuple[dict[str, _GivenProvider], FactRegistry | None]:
    """The file's ``signals`` block: its providers by name, and the built-in facts with theirs added."""
    if raw is None:
        return {}, None
    if not isinstance(raw, dict):
        issues.append(doc.issue(("signals",), "policy-test-invalid", _SIGNALS_HINT))
        return {}, None
    facts = default_facts()
    providers: dict[str, _GivenProvider] = {}
    for key, spec in raw.items():
        name, where = str(key), ("signals", key)
        if not isinstance(spec, dict):
            issues.append(doc.issue(where, "policy-test-invalid", f"signal provider {name!r}: {_SIGNALS_HINT}"))
            continue
        unknown = sorted(set(spec) - set(_DECLARATION_KEYS))
        if unknown:
            issues.append(
                doc.issue(
                    (*where, unknown[0]),
                    "policy-test-invalid",
                    f"unknown key {unknown[0]!r} in signal provider {name!r} (use {', '.join(_DECLARATION_KEYS)})",
                    key=True,
                )
            )
            continue
        labels, score = spec.get("labels", []), spec.get("score", False)
        description = spec.get("description") or f"signal {name}, given by the tests"
        if not isinstance(labels, list) or not isinstance(score, bool) or not isinstance(description, str):
            issues.append(doc.issue(where, "policy-test-invalid", f"signal provider {name!r}: {_SIGNALS_HINT}"))
            continue
        provider = _GivenProvider(name, [str(x) for x in labels], score, description)
        try:
            register_signal_provider(facts, provider)
        except CaseflowError as e:
            issues.append(doc.issue(where, "policy-test-invalid", str(e)))
            continue
        providers[name] = provider
    return providers, facts


_SIGNALS_HINT = (
    "'signals' maps a provider's name to what it gives, e.g. "
    "{toxicity: {labels: [abusive, neutral], score: true, description: the app's toxicity model}}"
)


class _BadTest(Exception):
    """Internal: what is wrong with a test of the file (reported as a ``policy-test-invalid`` issue)."""

    def __init__(self, message: str, path: tuple[str | int, ...] | None = None) -> None:
        super().__init__(message)
        self.path = path  # where in the file (default: the test)


def _test(
    doc: Located,
    i: int,
    t: YamlValue,
    data: dict[str | int, YamlValue],
    names: set[str],
    declared: dict[str, _GivenProvider],
) -> PolicyTest:
    """Test ``i`` of the file; :class:`_BadTest` says what is wrong with it."""
    line, _ = doc.pos(("tests", i))
    if not isinstance(t, dict) or "name" not in t or "expect" not in t:
        raise _BadTest("a test has a name, a case and an expect block")
    unknown = sorted(set(t) - set(_TEST_KEYS))
    if unknown:
        raise _BadTest(f"unknown key {unknown[0]!r} in a test (use {', '.join(_TEST_KEYS)})")
    name = str(t["name"])
    if name in names:
        raise _BadTest(f"test name {name!r} is used twice")
    names.add(name)
    expect = t["expect"]
    if not isinstance(expect, dict) or not expect:
        raise _BadTest("'expect' is a mapping with rules, actions, includes_actions or excludes_actions")
    unknown = sorted(set(expect) - _EXPECT_KEYS)
    if unknown:
        raise _BadTest(f"unknown expectation {unknown[0]!r} (use {', '.join(sorted(_EXPECT_KEYS))})")
    now = t.get("now", data.get("now"))
    if now is None:
        raise _BadTest("no 'now' for this test: set it at the top of the file or in the test")
    try:
        when = _time(now)
    except ValueError as e:
        raise _BadTest(str(e)) from None
    case = _jsonable(merge(data.get("base_case") or {}, t.get("case") or {}))
    if not isinstance(case, dict):
        raise _BadTest(f"'case' is a mapping of case fields, not {type(case).__name__}")
    signals = _given_signals(t.get("signals"), ("tests", i, "signals"), name, declared)
    return PolicyTest(name, case, when, {str(k): v for k, v in expect.items()}, line, doc.file, signals)


def _given_signals(
    raw: YamlValue, where: tuple[str | int, ...], test: str, declared: dict[str, _GivenProvider]
) -> dict[str, Signal]:
    """A test's ``signals``: a :class:`Signal` per provider it names, each checked against its declaration."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _BadTest("a test's 'signals' maps a provider's name to {label, score, explanation}", where)
    out: dict[str, Signal] = {}
    for key, given in raw.items():
        name, at = str(key), (*where, key)
        provider = declared.get(name)
        if provider is None:
            known = ", ".join(sorted(declared)) or "none yet"
            raise _BadTest(
                f"signal provider {name!r} is not declared: add it to the file's 'signals' (declared: {known})",
                at,
            )
        if not isinstance(given, dict):
            raise _BadTest(f"signal {name!r}: give {{label, score, explanation}}, not {clip(repr(given), 60)}", at)
        unknown = sorted(set(given) - set(_GIVEN_KEYS))
        if unknown:
            raise _BadTest(f"unknown key {unknown[0]!r} in signal {name!r} (use {', '.join(_GIVEN_KEYS)})", at)
        label, score = given.get("label"), given.get("score")
        if label is not None and str(label) not in provider.labels:
            choices = ", ".join(provider.labels) or "none: it declares no labels"
            raise _BadTest(f"signal {name!r}: label {clip(repr(label), 60)} is not declared (labels: {choices})", at)
        if score is not None:
            if not provider.gives_score:
                raise _BadTest(f"signal {name!r} gives no score: declare 'score: true' for it in 'signals'", at)
            if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1:
                raise _BadTest(f"signal {name!r}: the score is a number from 0 to 1, not {clip(repr(score), 60)}", at)
            if math.isnan(score):
                raise _BadTest(f"signal {name!r}: the score is a number from 0 to 1, not NaN", at)
        why = given.get("explanation") or f"given by test {test!r}"
        out[name] = Signal(
            label=None if label is None else str(label),
            score=None if score is None else float(score),
            explanation=str(why),
        )
    return out


def discover(path: str | Path) -> list[Path]:
    path = Path(path)
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.name.endswith(TEST_SUFFIXES))


def run_test(test: PolicyTest, policy_set: PolicySet, backend: str = DEFAULT_BACKEND) -> TestOutcome:
    try:
        case = parse_case(test.case, source=f"{test.file}:{test.line} case")
    except CaseDataError as e:
        return TestOutcome(test, backend, False, [str(e)], [], [])
    engine = Engine(policy_set, backend=backend, clock=FixedClock(test.now))
    try:
        with _given(test.signals):
            decision = engine.evaluate(case)
    except CaseflowError as e:
        return TestOutcome(test, backend, False, [str(e)], [], [])
    fired = [f"{r.rule_id}" for r in decision.matched_rules]
    actions = decision.action_types
    failures = []
    ex = test.expect
    if "rules" in ex and _listed(ex["rules"]) != fired:
        failures.append(f"fired rules {fired} != expected {_listed(ex['rules'])}")
    if "actions" in ex and _listed(ex["actions"]) != actions:
        failures.append(f"actions {actions} != expected {_listed(ex['actions'])}")
    for a in _listed(ex.get("includes_actions")):
        if a not in actions:
            failures.append(f"expected action {a!r} is missing (actions: {actions})")
    for a in _listed(ex.get("excludes_actions")):
        if a in actions:
            failures.append(f"action {a!r} must not be taken (actions: {actions})")
    failures += _params_failures(ex.get("params"), decision)
    hits = [f"{r.policy}/{r.rule_id}" for r in decision.matched_rules]
    return TestOutcome(test, backend, not failures, failures, fired, actions, hits)


def _listed(value: YamlValue) -> list[YamlValue]:
    """An expectation's list of names as written (none: an empty list; a lone name: a list of one)."""
    if not value:
        return []
    return list(value) if isinstance(value, list) else [value]


def _params_failures(expected: YamlValue, decision: Decision) -> list[str]:
    """``params: {ACTION: {PARAM: VALUE}}``: each action type with no action of that type having those values."""
    if not expected:
        return []
    if not isinstance(expected, dict):
        return [f"params is a mapping {{action: {{param: value}}}}, not {expected!r}"]
    failures = []
    for a_type, params in expected.items():
        got = [a.params for a in decision.actions if a.type == a_type]
        if not isinstance(params, dict):
            failures.append(f"the params of {a_type!r} are a mapping {{param: value}}, not {params!r}")
        elif not any(all((g.get(k) if isinstance(k, str) else None) == v for k, v in params.items()) for g in got):
            failures.append(f"no {a_type!r} action with params {params} (got {got})")
    return failures


def run_file(path: str | Path, backend: str = DEFAULT_BACKEND, name_filter: str | None = None) -> list[TestOutcome]:
    tf = load_file(path)
    try:
        ps = tf.policy_set()
    except PolicyValidationError:
        raise
    return [run_test(t, ps, backend) for t in tf.tests if not name_filter or name_filter.lower() in t.name.lower()]
