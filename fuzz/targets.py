"""The fuzz targets: one function per target, each taking the bytes of one input.

The contract (docs/fuzzing.md) that :func:`check` holds every target to, whatever the input:

- it works, or caseflow refuses it with a :class:`~caseflow.CaseflowError` (a loader that returns
  issues reports them instead: a policy is given back exactly when no issue is an error) - never with
  another exception;
- it answers within the per-input time limit (2 s by default, :data:`TIMEOUT`);
- (in ``fuzz/run.py``, which limits its address space) it fits in 1 GiB;
- what the documentation promises about the result holds: a case round-trips through its JSON, the
  text normalization is idempotent and blind to invisible characters, ``contains`` is a substring of
  the normalized text, the two backends decide alike.

Targets:

``policy_loader``
    the bytes as a policy file: :func:`caseflow.load_policies` on a file holding them, and
    :func:`caseflow.policies.loader.load_policy_text` on their text; a policy that loads is
    compiled and decides a case (the python backend, and durable-rules where it is installed).
``case_parser``
    the bytes as case JSON: :func:`caseflow.parse_case` on the bytes and on their text; a case that
    parses round-trips through its JSON and is decided by the shipped policies (``rules/``).
``text_conditions``
    a JSON object ``{"when": [...], "messages": [...], "phrases": {...}, "params": {...}}``: a policy
    (hit policy ``all``) of one rule per ``when`` entry, with the phrase sets and parameters given,
    deciding a case whose customer messages are ``messages``; any other bytes are one customer
    message, decided by :data:`DEFAULT_WHEN` with the shipped phrase sets of ``rules/escalation.yaml``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from types import FrameType, TracebackType
from typing import TypeVar

import yaml

import caseflow
from caseflow import (
    Case,
    CaseflowError,
    Decision,
    Engine,
    FixedClock,
    PolicyIssue,
    PolicySet,
    default_actions,
    default_facts,
    load_policies,
    load_policy_text,
    parse_case,
)
from caseflow.engine.backends import available_backends
from caseflow.policies.conditions import Test
from caseflow.policies.text import normalize
from caseflow.testing import make_case

__all__ = [
    "AT",
    "CORPUS",
    "DEFAULT_WHEN",
    "TARGETS",
    "TIMEOUT",
    "ContractViolation",
    "Finding",
    "case_parser",
    "check",
    "corpus_files",
    "policy_loader",
    "text_conditions",
]

ROOT = Path(__file__).resolve().parent.parent  # the repository
PACKAGE = str(Path(caseflow.__file__).resolve().parent) + os.sep  # caseflow's own code (an origin is in it)
RULES = ROOT / "rules"
CORPUS = Path(__file__).resolve().parent / "corpus"
AT = "2026-11-11T10:00:00+08:00"  # every decision is taken at this time (the 11.11 sale)


def _slowness() -> float:
    """How many times slower than a reference machine this one runs what the inputs run, between 1 and 5: plain
    Python (a loop a current 3 GHz core runs in 0.1 s of CPU) and large strings (normalizing 360,000 Arabic
    letters, 15 ms there). A shared, throttled machine (CI, this project's own machine on a bad day) is up to
    five times slower on large strings, and every large input with it. ``CASEFLOW_FUZZ_TIMEOUT`` (seconds) sets
    the budget instead."""

    def loop() -> float:
        started = time.process_time()
        total = 0
        for i in range(2_000_000):
            total += i
        return time.process_time() - started

    def strings() -> float:
        started = time.process_time()
        text = unicodedata.normalize("NFKC", "\ufdfa" * 20_000).casefold()  # 18 letters each
        unicodedata.normalize("NFC", text.translate({32: 1}))
        return time.process_time() - started

    slowest = max(min(loop() for _ in range(2)) / 0.1, min(strings() for _ in range(2)) / 0.015)
    return min(5.0, max(1.0, slowest))


# seconds of CPU time an input may take, all its steps together: 2 s on the reference machine
TIMEOUT = float(os.environ.get("CASEFLOW_FUZZ_TIMEOUT") or 0) or round(2.0 * _slowness(), 1)
WALL_FACTOR = 5  # ... and this many times as long in wall time
HANG_EXIT = 3  # the exit status of a process check() ended on a hang (with hang_report)
CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # what an error code looks like
SET_LEVEL = {"policy-too-complex", "policy-shadowed-rule", "policy-conflict", "policy-never-true", "policy-sla-overlap"}
"""Codes of what :func:`caseflow.load_policies` checks beyond :func:`load_policy_text` (a set's limit, analysis)."""
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202e\u2066\u2069\ufe0f\u034f"
"""Characters the normalization removes (docs/policy-format.md, step 4), inserted into texts by
:func:`text_conditions` to check that they change nothing."""
DEFAULT_WHEN = (
    "messages.customer_text mentions legal_threat",
    "messages.customer_text mentions regulator_complaint",
    "messages.customer_text mentions media_threat",
    "messages.customer_text mentions safety_incident",
    "messages.customer_text mentions counterfeit_claim",
    'message.text contains "lawyer"',
    'message.text contains "律师"',
    'message.text contains "luật sư"',
    r'message.text matches "order\s*#?\d+"',
    r'message.text matches "(a+)+$"',
    r'messages.customer_text matches "\p{Han}{2,}"',
)
"""The tests a raw message (bytes that are not a ``text_conditions`` JSON object) is decided by."""

_T = TypeVar("_T")


class ContractViolation(AssertionError):
    """A documented promise does not hold: not a crash but a wrong answer. ``what`` names the promise."""

    def __init__(self, what: str, detail: str) -> None:
        super().__init__(f"{what}: {detail}")
        self.what = what


class _Timeout(BaseException):  # not an Exception: no ``except Exception`` in caseflow may swallow it
    pass


@dataclass(frozen=True)
class Finding:
    """An input that broke the contract."""

    target: str
    kind: str  # exception | contract | hang | memory
    origin: str  # what tells one bug from another: the kind, the exception and where it was raised
    message: str
    trace: str  # the last lines of the traceback

    def report(self) -> str:
        return f"{self.target}: {self.origin}\n{self.message[:2000]}\n{self.trace}"


# ------------------------------------------------------------------------------------------------
# running one input under the contract
# ------------------------------------------------------------------------------------------------


@contextmanager
def _time_limit(seconds: float, target: str, hang_report: Path | None) -> Iterator[None]:
    """Stop the input once it has used ``seconds`` of CPU time, or :data:`WALL_FACTOR` times as long in
    wall time (it waits on something). CPU time, so that a loaded machine (CI, ``fuzz/run.py --jobs``)
    does not make a slow input of a fast one.

    Stopping it raises :class:`_Timeout` in the code running, or, with ``hang_report``, writes the
    finding there (JSON) and ends the process with :data:`HANG_EXIT`: an exception raised from a signal
    handler can land inside a C extension and leave it broken (a later crash would be blamed on another
    input), so ``fuzz/run.py`` never raises one. Main thread only; elsewhere :func:`check` looks at the
    time taken afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        what = f"{seconds} s of CPU time" if signum == signal.SIGPROF else f"{seconds * WALL_FACTOR} s of wall time"
        if hang_report is None:
            raise _Timeout(f"no answer within {what}")
        stack = traceback.extract_stack(frame)
        found = Finding(
            target,
            "hang",
            f"hang@{_where(stack, outermost=True)}",
            f"no answer within {what} (ran out in {_where(stack)})",
            "".join(stack.format()[-8:]),
        )
        hang_report.write_text(json.dumps(asdict(found)))
        os._exit(HANG_EXIT)

    old = signal.signal(signal.SIGPROF, expire), signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.setitimer(signal.ITIMER_REAL, seconds * WALL_FACTOR)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGPROF, old[0])
        signal.signal(signal.SIGALRM, old[1])


def _where(tb: TracebackType | traceback.StackSummary | None, outermost: bool = False) -> str:
    """``path:function`` of the innermost frame in caseflow (else the innermost frame of all); with
    ``outermost``, of the first frame in caseflow: the API called (where a hang happened varies)."""
    frames = tb if isinstance(tb, traceback.StackSummary) else traceback.extract_tb(tb)
    if not frames:
        return "?"
    inside = [f for f in frames if f.filename.startswith(PACKAGE)]
    frame = (inside or frames)[0 if outermost else -1]
    path = frame.filename
    if path.startswith(PACKAGE):
        path = "caseflow/" + Path(path).relative_to(PACKAGE).as_posix()
    elif "site-packages" in Path(path).parts:
        path = Path(path).as_posix().rsplit("site-packages/", 1)[1]
    else:
        path = Path(path).name
    return f"{path}:{frame.name}"


def _trace(e: BaseException, lines: int = 14) -> str:
    text = "".join(traceback.format_exception(type(e), e, e.__traceback__))
    return "\n".join(line[:300] for line in text.splitlines()[-lines:])


def check(target: str, data: bytes, *, timeout: float = TIMEOUT, hang_report: Path | None = None) -> Finding | None:
    """Run ``data`` through ``target`` under the contract: None if it held, else the :class:`Finding`.

    With ``hang_report``, an input that runs out of time ends the process instead (see :func:`_time_limit`)."""
    run = TARGETS[target]
    start, cpu = time.monotonic(), time.process_time()
    try:
        with _time_limit(timeout, target, hang_report):
            run(data)
    except CaseflowError as e:  # refused: fine, if it says so properly
        problem = _bad_error(e)
        if problem is not None:
            return Finding(target, "contract", f"contract:bad-error@{_where(e.__traceback__)}", problem, _trace(e))
    except _Timeout as e:  # (where the time ran out varies: the origin is the caseflow API that was called)
        where = _where(e.__traceback__, outermost=True)
        return Finding(target, "hang", f"hang@{where}", f"{e} (ran out in {_where(e.__traceback__)})", _trace(e))
    except ContractViolation as e:
        return Finding(target, "contract", f"contract:{e.what}", str(e), _trace(e))
    except MemoryError as e:
        where = _where(e.__traceback__, outermost=True)
        return Finding(target, "memory", f"memory@{where}", f"MemoryError in {_where(e.__traceback__)}", _trace(e))
    except RecursionError as e:
        return Finding(target, "exception", f"RecursionError@{_where(e.__traceback__)}", str(e)[:500], _trace(e))
    except Exception as e:  # noqa: BLE001 - anything but a CaseflowError is what fuzzing looks for
        origin = f"{type(e).__name__}@{_where(e.__traceback__)}"
        return Finding(target, "exception", origin, f"{type(e).__name__}: {str(e)[:1000]}", _trace(e))
    elapsed, used = time.monotonic() - start, time.process_time() - cpu
    if used > timeout or elapsed > timeout * WALL_FACTOR:  # not interrupted: another thread, or one long call in C
        return Finding(target, "hang", "hang", f"answered after {used:.1f} s of CPU time, {elapsed:.1f} s in all", "")
    return None


def _bad_error(e: CaseflowError) -> str | None:
    """What is wrong with an error caseflow raised (its code, its message), or None."""
    code = getattr(e, "code", None)
    if not isinstance(code, str) or not CODE.fullmatch(code):
        return f"{type(e).__name__} with the code {code!r}: {str(e)[:300]}"
    text = str(e)
    if not text.strip():
        return f"{type(e).__name__} [{code}] with no message"
    return None


def _attempt(call: Callable[[], _T]) -> _T | CaseflowError:
    """The result of ``call``, or the CaseflowError it raised (checked like one escaping a target)."""
    try:
        return call()
    except CaseflowError as e:
        problem = _bad_error(e)
        if problem is not None:
            raise ContractViolation("bad-error", problem) from e
        return e


# ------------------------------------------------------------------------------------------------
# what the targets share
# ------------------------------------------------------------------------------------------------


def _errors(issues: Sequence[PolicyIssue]) -> list[PolicyIssue]:
    """The error issues, after checking every issue is well formed (a code, a place, one line)."""
    for issue in issues:
        if not CODE.fullmatch(issue.code) or issue.severity not in ("error", "warning"):
            raise ContractViolation("bad-issue", f"an issue with code {issue.code!r}, severity {issue.severity!r}")
        if issue.line < 1 or issue.column < 1:
            raise ContractViolation("bad-issue", f"an issue at line {issue.line}, column {issue.column}: {issue}")
        shown = str(issue)
        if "\n" in shown or len(shown) > 2000:
            raise ContractViolation(
                "bad-issue", f"an issue shown on {shown.count(chr(10)) + 1} lines, {len(shown)} chars"
            )
    return [i for i in issues if i.severity == "error"]


DURABLE_ENGINES = 300
"""Durable engines one process builds for the policies of its inputs; beyond, only the python backend
decides them. durable-rules never frees a ruleset (``Engine.close`` cannot give its memory back: about
1.3 MB for the shipped rules, 140 kB for a one-rule policy, and no more than 131,072 rulesets in a
process), so a fuzzing process building one for every input would run out of memory
(``tests/contract/test_fuzz_corpus.py::test_closed_durable_engines_give_their_memory_back``)."""

_built = {"durable": 0}


def _engines(policies: PolicySet, reuse: bool) -> Iterator[Engine | CaseflowError]:
    """An engine for ``policies`` on every backend installed here (durable within its allowance); with
    ``reuse``, the same engines every time (the policies are the same object)."""
    for backend in available_backends():
        if reuse:
            yield _kept(policies, backend)
        elif backend != "durable" or _built["durable"] < DURABLE_ENGINES:
            _built[backend] = _built.get(backend, 0) + 1
            yield _attempt(lambda b=backend: Engine(policies, backend=b, clock=FixedClock(AT)))


_KEPT: dict[tuple[int, str], tuple[PolicySet, Engine | CaseflowError]] = {}


def _kept(policies: PolicySet, backend: str) -> Engine | CaseflowError:
    key = (id(policies), backend)
    if key not in _KEPT:  # (the policies are kept with their engine: their id stays theirs)
        _KEPT[key] = (policies, _attempt(lambda: Engine(policies, backend=backend, clock=FixedClock(AT))))
    return _KEPT[key][1]


def _decide(policies: PolicySet, case: Case, *, reuse: bool = False) -> list[str] | None:
    """The rule ids ``case`` fires under ``policies`` (None: refused with a CaseflowError), on every
    backend installed here; the backends must agree, and the decision must explain itself."""
    answers: dict[str, list[str] | None] = {}
    for engine in _engines(policies, reuse):
        if isinstance(engine, CaseflowError):
            continue  # a backend checks its own limits when it is built (docs/engine.md)
        try:
            decision = _attempt(lambda e=engine: e.evaluate(case))
            if isinstance(decision, Decision):
                if not answers:  # explained once: the explanation does not depend on the backend
                    _attempt(lambda d=decision: str(d.explain()))
                decision.model_dump_json()
                answers[engine.backend] = [r.rule_id for r in decision.matched_rules]
            else:
                answers[engine.backend] = None
        finally:
            if not reuse:
                engine.close()
    decided = {b: a for b, a in answers.items() if a is not None}
    if len({tuple(a) for a in decided.values()}) > 1:
        raise ContractViolation("backends-disagree", str(decided)[:1500])
    return next(iter(decided.values()), None)


@cache
def _scratch() -> Path:
    """A folder of this process's own, for the files a target writes."""
    return Path(tempfile.mkdtemp(prefix="caseflow-fuzz-"))


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _valid_unicode(text: str) -> bool:
    """No lone surrogate (the only way a Python str is not valid Unicode)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# ------------------------------------------------------------------------------------------------
# policy_loader
# ------------------------------------------------------------------------------------------------


def _codes(issues: Sequence[PolicyIssue]) -> set[str]:
    return {i.code for i in issues}


def policy_loader(data: bytes) -> None:
    """The bytes as a policy file (module docstring)."""
    text = data.decode("utf-8", "surrogateescape")
    checked = load_policy_text(text, "fuzz.yaml")
    errors = _errors(checked.issues)
    if (checked.policy is None) != bool(errors):
        raise ContractViolation(
            "policy-without-verdict",
            f"policy {'missing' if checked.policy is None else 'given'} with {len(errors)} errors: {errors[:3]}",
        )
    if checked.policy is not None and not checked.policy.rules and "policy-all-disabled" not in _codes(checked.issues):
        raise ContractViolation("policy-without-rules", "a policy given with no rule ('rules' is a non-empty list)")
    path = _scratch() / "fuzz.yaml"
    path.write_bytes(data)
    loaded = _attempt(lambda: load_policies(path))
    if isinstance(loaded, CaseflowError):
        _errors(getattr(loaded, "issues", []))
    plain = _utf8(data) is not None and not data.startswith(b"\xef\xbb\xbf")
    if isinstance(loaded, CaseflowError) and not errors:
        # load_policies checks a set of files more than load_policy_text checks one document: the limit
        # of the rules engine (policy-too-complex) and analysis.py's findings, which are about rules together
        set_level = {i for i in getattr(loaded, "issues", []) if i.severity == "error" and i.code in SET_LEVEL}
        if set_level:
            loaded = None
    if plain and loaded is not None and isinstance(loaded, PolicySet) == bool(errors):
        raise ContractViolation(
            "file-and-text-disagree",
            f"load_policy_text: {len(errors)} errors ({errors[:2]}); load_policies: {str(loaded)[:600]}",
        )
    if checked.policy is not None:
        _decide(PolicySet((checked.policy,), default_facts(), default_actions()), _sample_case())


@cache
def _sample_case() -> Case:
    """A refund case with a message, a dispute and a risk score: most facts are there to read."""
    return make_case(
        messages=[{"author": "buyer", "text": "My lawyer says the 律師 will sue", "at": "2026-11-11T09:00:00+08:00"}],
        dispute={"reason": "damaged", "opened_at": "2026-11-10T09:00:00+08:00"},
        risk={"fraud_score": 0.5},
    )


# ------------------------------------------------------------------------------------------------
# case_parser
# ------------------------------------------------------------------------------------------------


def case_parser(data: bytes) -> None:
    """The bytes as case JSON (module docstring)."""
    first = _attempt(lambda: parse_case(data))
    text = _utf8(data)
    if text is not None:
        second = _attempt(lambda: parse_case(text))
        if isinstance(first, Case) != isinstance(second, Case) or (isinstance(first, Case) and first != second):
            raise ContractViolation("bytes-and-text-disagree", f"bytes: {str(first)[:500]}; text: {str(second)[:500]}")
    if not isinstance(first, Case):
        return
    dumped = first.model_dump_json()
    again = _attempt(lambda: parse_case(dumped))
    if again != first:
        raise ContractViolation("case-round-trip", f"{str(again)[:600]}\nfrom {dumped[:600]}")
    _decide(_shipped(), first, reuse=True)


@cache
def _shipped() -> PolicySet:
    return load_policies([RULES, RULES / "sla"])


def warm() -> None:
    """Load the shipped pack and build its engines (and its phrase index) once, before any input: setting up
    is no input's cost, and an input's 2 s of CPU time are its own."""
    for _ in _engines(_shipped(), True):
        pass


# ------------------------------------------------------------------------------------------------
# text_conditions
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TextSpec:
    when: list[object]
    messages: list[object]
    phrases: object
    params: object


def _text_spec(data: bytes) -> _TextSpec:
    """The JSON object ``data`` holds, or ``data`` as one message decided by :data:`DEFAULT_WHEN`."""
    if data[:1] == b"{":
        try:
            doc = json.loads(data)
        except (ValueError, RecursionError):
            doc = None
        if isinstance(doc, dict) and ("when" in doc or "messages" in doc):
            when = doc.get("when", list(DEFAULT_WHEN))
            messages = doc.get("messages", [])
            return _TextSpec(
                when if isinstance(when, list) else [when],
                messages if isinstance(messages, list) else [messages],
                doc.get("phrases", _shipped_phrases()),
                doc.get("params"),
            )
    # invalid UTF-8 becomes U+FFFD: a case holds no lone surrogate (JSON objects test that refusal)
    return _TextSpec(list(DEFAULT_WHEN), [data.decode("utf-8", "replace")], _shipped_phrases(), None)


@cache
def _shipped_phrases() -> object:
    return yaml.safe_load((RULES / "escalation.yaml").read_text(encoding="utf-8"))["phrases"]


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: object) -> bool:
        return True  # caseflow refuses anchors and aliases: a value used twice is written twice


def _invisible(text: str) -> str:
    """``text`` with an invisible character after every third character (cycling through them)."""
    out: list[str] = []
    for i, c in enumerate(text):
        out.append(c)
        if i % 3 == 1:
            out.append(INVISIBLE[(i // 3) % len(INVISIBLE)])
    return "".join(out)


def _depth(value: object) -> int:
    """How deeply lists and mappings nest in ``value`` (without recursing)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        v, d = stack.pop()
        deepest = max(deepest, d)
        if isinstance(v, dict):
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v)
    return deepest


def _strings(value: object) -> Iterator[str]:
    """Every text in a JSON value, keys too."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)


def _check_normalize(texts: Iterator[str]) -> None:
    for t in texts:
        if not _valid_unicode(t) or len(t) > 20_000:  # (long texts repeat short ones: no need to pay twice)
            continue
        n = normalize(t)
        if normalize(n) != n:
            raise ContractViolation("normalize-not-idempotent", f"{t[:200]!r} -> {n[:200]!r} -> {normalize(n)[:200]!r}")
        if len(t) <= 2000 and normalize(_invisible(t)) != n:
            shown = f"{t[:200]!r}: {n[:200]!r}, with invisible characters {normalize(_invisible(t))[:200]!r}"
            raise ContractViolation("normalize-sees-invisible", shown)


def text_conditions(data: bytes) -> None:
    """A policy of text tests deciding a case of hostile messages (module docstring)."""
    spec = _text_spec(data)
    if _depth([spec.when, spec.phrases, spec.params]) > 100:
        return  # (PyYAML's writer recurses: too deep for it; policy_loader reads deep YAML itself)
    _check_normalize(_strings([spec.when, spec.messages, spec.phrases]))
    doc: dict[str, object] = {"policy": "fuzz", "version": "1", "hit_policy": "all"}
    if spec.params is not None:
        doc["params"] = spec.params
    if spec.phrases is not None:
        doc["phrases"] = spec.phrases
    doc["rules"] = [{"id": f"r{i}", "when": w, "then": ["apologize"]} for i, w in enumerate(spec.when)]
    text = yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1 << 30)
    checked = load_policy_text(text, "text.yaml")
    errors = _errors(checked.issues)
    if checked.policy is None or errors:
        return
    plain = all(isinstance(m, str) for m in spec.messages)
    messages = [
        {"author": "buyer", "text": m, "at": f"2026-11-11T0{8 + i // 3600}:{i // 60 % 60:02}:{i % 60:02}+08:00"}
        if isinstance(m, str)
        else m
        for i, m in enumerate(spec.messages[:7200])
    ]
    case = _attempt(lambda: make_case(messages=messages))
    if not isinstance(case, Case):
        return
    fired = _decide(PolicySet((checked.policy,), default_facts(), default_actions()), case)
    if fired is not None and plain:
        _check_contains(checked.policy.rules, fired, [str(m) for m in spec.messages[:7200]])


def _check_contains(rules: Sequence[object], fired: list[str], texts: list[str]) -> None:
    """A ``contains`` test on a message fact holds exactly when the normalized needle is a substring of
    the normalized text (docs/policy-format.md, "Text conditions")."""
    facts = {"message.text": texts[-1] if texts else None, "messages.customer_text": "\n".join(texts) or None}
    if sum(len(t.encode("utf-8", "surrogatepass")) for t in texts) > 200_000:
        return  # (the oracle's own normalization would count against the input's time; bytes, not characters:
        # a character outside ASCII may grow 18-fold under NFKC, U+FDFA)
    normalized = {name: None if text is None else normalize(text) for name, text in facts.items()}
    for rule in rules:
        test = getattr(rule, "when", None)
        if not (isinstance(test, Test) and test.op == "contains" and test.fact in facts):
            continue
        if not isinstance(test.value, str):
            continue
        seen, norm = facts[test.fact], normalized[test.fact]
        expected = norm is not None and normalize(test.value) in norm
        if expected != (getattr(rule, "id", None) in fired):
            raise ContractViolation(
                "contains-wrong",
                f"{test.text[:200]!r} on {str(seen)[:200]!r}: expected {expected}, fired {fired}",
            )


TARGETS: dict[str, Callable[[bytes], None]] = {
    "policy_loader": policy_loader,
    "case_parser": case_parser,
    "text_conditions": text_conditions,
}


def replay_in_child(path: Path, timeout: float = TIMEOUT) -> Finding | None:
    """Replay one corpus input in a process of its own (an input that hangs ends that process, not
    the caller's): what ``tests/contract/test_fuzz_corpus.py`` does with known hangs."""
    with tempfile.TemporaryDirectory(prefix="caseflow-fuzz-") as tmp:
        report = Path(tmp) / "finding.json"
        code = (
            "import sys, json, dataclasses; from pathlib import Path; from fuzz.targets import check, warm; "
            "warm(); p = Path(sys.argv[1]); f = check(p.parent.name, p.read_bytes(), timeout=float(sys.argv[2]), "
            "hang_report=Path(sys.argv[3])); "
            "f and Path(sys.argv[3]).write_text(json.dumps(dataclasses.asdict(f)))"
        )
        done = subprocess.run(  # nosec B603 - this interpreter, our own code
            [sys.executable, "-c", code, str(path), str(timeout), str(report)],
            cwd=ROOT,
            capture_output=True,
            timeout=60,
            check=False,
        )
        if report.exists():
            return Finding(**json.loads(report.read_text()))
        if done.returncode != 0:
            tail = done.stderr.decode(errors="replace")[-2000:]
            return Finding(path.parent.name, "crash", f"crash:exit {done.returncode}", "the process died", tail)
        return None


def corpus_files(corpus: Path = CORPUS) -> list[Path]:
    """Every input of the corpus, ``corpus/<target>/<file>``, in a stable order."""
    return sorted(p for p in corpus.glob("*/*") if p.is_file() and p.parent.name in TARGETS)
