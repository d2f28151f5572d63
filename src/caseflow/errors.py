"""Every exception caseflow raises, in one tree.

::

    CaseflowError                 base of everything below; has .code and .docs_url
    ├── DocumentError             a YAML document is invalid; .issues: every problem, each file:line:column
    │   ├── PolicyValidationError     policy files (also a PolicyError)
    │   ├── WorkflowDefinitionError   workflow definitions (also a WorkflowError)
    │   └── PolicyTestError           a YAML policy test file (not: a test failed)
    ├── CaseDataError             case data failed validation (names each field)
    ├── TimeError                 a time without a time zone, or text that is no time (also a ValueError)
    ├── CalendarError             a business calendar is invalid or never open (also a ValueError)
    ├── FactError                 a fact could not be registered or derived
    │   └── SignalError           a signal provider is malformed, raised, or gave what it did not declare
    ├── PolicyError               a policy set cannot be used (PolicyValidationError: its files are invalid)
    ├── EvaluationError           evaluating a case failed
    │   └── BackendError          the rules backend (durable-rules) misbehaved, or is not installed
    ├── WorkflowError             a workflow definition or a transition failed (WorkflowDefinitionError: invalid files)
    │   ├── TransitionNotAllowed      no such trigger from the case's current state
    │   ├── TransitionRefused         a guard refused (names the guard); the case is unchanged
    │   └── ReactionLimitError        policy reactions looped or went too deep
    └── StoreError                a case store failed (bad URL, missing case, database error)
        ├── ConcurrencyError      the case changed under us more times than the retries allow
        └── MigrationError        the database schema is missing, too new, or a migration failed

Every error carries a short ``code`` (``policy-unknown-fact``, ``case-invalid``, ...)
and ``docs_url`` pointing at the section of ``docs/errors.md`` that explains how to fix
it, in the manner of pydantic's user errors.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = [
    "DOCS_BASE",
    "BackendError",
    "CalendarError",
    "CaseDataError",
    "CaseflowError",
    "DocumentError",
    "EvaluationError",
    "FactError",
    "FieldProblem",
    "PolicyError",
    "PolicyIssue",
    "PolicyTestError",
    "PolicyValidationError",
    "ReactionLimitError",
    "SignalError",
    "StoreError",
    "MoneyError",
    "TimeError",
    "ConcurrencyError",
    "MigrationError",
    "TransitionNotAllowed",
    "TransitionRefused",
    "WorkflowDefinitionError",
    "WorkflowError",
    "suggest",
]

DOCS_BASE = "https://caseflow.github.io/caseflow/errors/"


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The closest of ``choices`` to a misspelt ``word``, for a "did you mean" hint (or None)."""
    best = difflib.get_close_matches(str(word), list(choices), n=1)
    return best[0] if best else None


class CaseflowError(Exception):
    """Base class of all caseflow errors."""

    code: str = "caseflow-error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def docs_url(self) -> str:
        return f"{DOCS_BASE}#{self.code}"

    def __str__(self) -> str:
        return f"{self.args[0]} [{self.code}]"

    def __reduce__(self) -> tuple[Callable[..., CaseflowError], tuple[object, ...]]:
        # subclasses have their own __init__ signatures: rebuild without calling them, so an
        # error raised in a worker process arrives whole in the parent
        return (_restore, (self.__class__, self.args, dict(self.__dict__)))


def _restore(cls: type[CaseflowError], args: tuple[object, ...], state: dict[str, object]) -> CaseflowError:
    err = cls.__new__(cls)
    Exception.__init__(err, *args)
    err.__dict__.update(state)
    return err


@dataclass(frozen=True)
class FieldProblem:
    """One invalid field of case data: a dotted path such as ``orders[0].amount.currency``."""

    field: str
    message: str
    value: object = None

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class CaseDataError(CaseflowError):
    """Case data is invalid. ``problems`` lists every invalid field."""

    code = "case-invalid"

    def __init__(self, problems: list[FieldProblem], *, source: str = "case") -> None:
        self.problems = list(problems)
        self.source = source
        lines = "\n".join(f"  - {p}" for p in self.problems)
        n = len(self.problems)
        super().__init__(f"{source}: {n} invalid field{'s' if n != 1 else ''}:\n{lines}")


class MoneyError(CaseDataError, ValueError):
    """``Money(...)`` was given an amount or currency it cannot hold (negative, not finite, too many digits,
    not an ISO 4217 code). Also a ``ValueError``, as pydantic's own validation errors are."""


class TimeError(CaseflowError, ValueError):
    """A time caseflow was given has no time zone, or a text is not an ISO date-time.

    Also a ``ValueError``, as Python's own date-time parsing raises."""

    code = "time-naive"


class CalendarError(CaseflowError, ValueError):
    """A business calendar definition is invalid (time zone, hours, dates), or it is never open."""

    code = "calendar-invalid"


class FactError(CaseflowError):
    """A fact is unknown, registered twice, or its getter failed."""

    code = "fact-error"


class SignalError(FactError):
    """A signal provider (``caseflow.risk.signals``) is malformed, raised, or gave a value it did not
    declare. ``provider`` names it, ``fact`` the fact being derived (``None`` when registering it)."""

    code = "signal-error"

    def __init__(self, message: str, *, code: str | None = None, provider: str, fact: str | None = None) -> None:
        super().__init__(message, code=code)
        self.provider = provider
        self.fact = fact


class PolicyError(CaseflowError):
    """A policy set cannot be loaded or used."""

    code = "policy-error"


def clip(text: str, limit: int = 80) -> str:
    """``text`` cut to at most ``limit`` characters (its start and its end, an ellipsis between), for
    messages that quote what a user wrote."""
    if len(text) <= limit:
        return text
    tail = limit // 4
    return f"{text[: limit - tail - 1]}…{text[-tail:]}"


@dataclass(frozen=True)
class PolicyIssue:
    """One problem found in a policy file.

    ``severity`` is ``"error"`` (the load fails) or ``"warning"`` (reported, not fatal).
    """

    file: str
    line: int
    column: int
    code: str
    message: str
    rule_id: str | None = None
    hint: str | None = None
    severity: str = "error"

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    @property
    def docs_url(self) -> str:
        return f"{DOCS_BASE}#{self.code}"

    def __str__(self) -> str:
        """One line of at most about 1,500 characters: a value quoted in full (a 2 MB key) is cut in the middle."""
        rule = f" rule {clip(repr(self.rule_id), 130)}:" if self.rule_id else ""
        hint = f"; {clip(self.hint, 300)}" if self.hint else ""
        where = f"{clip(self.file, 300)}:{self.line}:{self.column}"
        return f"{where}: {self.severity}:{rule} {clip(self.message, 700)}{hint} [{self.code}]"


class DocumentError(CaseflowError):
    """A YAML document is invalid. ``issues`` holds every problem found, each at file:line:column.

    The one error type of every document kind caseflow reads; each kind has its own subclass."""

    code = "document-invalid"
    what = "documents"

    def __init__(self, issues: list[PolicyIssue]) -> None:
        self.issues = sorted(issues, key=lambda i: (i.file, i.line, i.column))
        n = len([i for i in self.issues if i.severity == "error"])
        body = "\n".join(str(i) for i in self.issues)
        super().__init__(f"{n} error{'s' if n != 1 else ''} in {self.what}:\n{body}")


class PolicyValidationError(PolicyError, DocumentError):
    """One or more policy files are invalid. ``issues`` holds every problem of the load."""

    code = "policy-invalid"
    what = "policy files"


class EvaluationError(CaseflowError):
    """Evaluating a case against the policies failed."""

    code = "evaluation-error"


class BackendError(EvaluationError):
    """The rules backend failed in a way caseflow could not prevent."""

    code = "backend-error"


class PolicyTestError(DocumentError):
    """A YAML policy test file is malformed (not: a test failed)."""

    code = "policy-test-invalid"
    what = "policy tests"


class WorkflowError(CaseflowError):
    """A workflow definition is unusable or a transition could not happen."""

    code = "workflow-error"


class WorkflowDefinitionError(WorkflowError, DocumentError):
    """One or more workflow definitions are invalid; ``issues`` holds every problem."""

    code = "workflow-invalid"
    what = "workflow definitions"


class TransitionNotAllowed(WorkflowError):
    """The trigger does not exist, or not from the case's current state."""

    code = "transition-not-allowed"

    def __init__(self, workflow: str, trigger: str, state: str | None, allowed: list[str]) -> None:
        self.workflow, self.trigger, self.state, self.allowed = workflow, trigger, state, allowed
        where = f"from state {state!r}" if state is not None else "(the workflow is not running on this case)"
        hint = f"; allowed now: {', '.join(allowed)}" if allowed else ""
        super().__init__(f"workflow {workflow!r}: {trigger!r} is not possible {where}{hint}")


class TransitionRefused(WorkflowError):
    """A guard refused the transition. ``guard`` names it; the case was not changed."""

    code = "transition-refused"

    def __init__(self, workflow: str, trigger: str, state: str, guard: str, reason: str) -> None:
        self.workflow, self.trigger, self.state, self.guard, self.reason = workflow, trigger, state, guard, reason
        super().__init__(f"workflow {workflow!r}: {trigger!r} from {state!r} refused by guard {guard!r}: {reason}")


class ReactionLimitError(WorkflowError):
    """Transitions and policy evaluations kept triggering each other."""

    code = "reaction-limit"


class StoreError(CaseflowError):
    """A case store cannot be opened or used: a bad URL, an unknown case, a database error."""

    code = "store-error"


class ConcurrencyError(StoreError):
    """Another writer changed the case between our read and our write, on every retry."""

    code = "store-conflict"

    def __init__(self, case_id: str, attempts: int) -> None:
        self.case_id, self.attempts = case_id, attempts
        super().__init__(
            f"case {case_id!r} changed concurrently on each of {attempts} attempts; "
            "retry later or raise CaseService(retries=...)"
        )


class MigrationError(StoreError):
    """The store's schema is missing or newer than this caseflow, or a migration failed."""

    code = "store-migration"
