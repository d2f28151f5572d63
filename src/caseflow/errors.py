"""Every exception caseflow raises, in one tree.

::

    CaseflowError                 base of everything below; has .code and .docs_url
    ├── CaseDataError             case data failed validation (names each field)
    ├── FactError                 a fact could not be registered or derived
    ├── PolicyError               a policy set cannot be used
    │   └── PolicyValidationError every problem of one load, each with file:line:column
    ├── EvaluationError           evaluating a case failed
    │   └── BackendError          the rules backend (durable-rules) misbehaved
    └── PolicyTestError           a YAML policy test file is malformed

Every error carries a short ``code`` (``policy-unknown-fact``, ``case-invalid``, ...)
and ``docs_url`` pointing at the section of ``docs/errors.md`` that explains how to fix
it, in the manner of pydantic's user errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "DOCS_BASE",
    "BackendError",
    "CaseDataError",
    "CaseflowError",
    "EvaluationError",
    "FactError",
    "FieldProblem",
    "PolicyError",
    "PolicyIssue",
    "PolicyTestError",
    "PolicyValidationError",
]

DOCS_BASE = "https://github.com/caseflow/caseflow/blob/main/docs/errors.md"


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


class FactError(CaseflowError):
    """A fact is unknown, registered twice, or its getter failed."""

    code = "fact-error"


class PolicyError(CaseflowError):
    """A policy set cannot be loaded or used."""

    code = "policy-error"


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
        rule = f" rule {self.rule_id!r}:" if self.rule_id else ""
        hint = f"; {self.hint}" if self.hint else ""
        return f"{self.location}: {self.severity}:{rule} {self.message}{hint} [{self.code}]"


@dataclass
class _IssueList:
    issues: list[PolicyIssue] = field(default_factory=list)


class PolicyValidationError(PolicyError):
    """One or more policy files are invalid. ``issues`` holds every problem of the load."""

    code = "policy-invalid"

    def __init__(self, issues: list[PolicyIssue]) -> None:
        self.issues = sorted(issues, key=lambda i: (i.file, i.line, i.column))
        errors = [i for i in self.issues if i.severity == "error"]
        n = len(errors)
        body = "\n".join(str(i) for i in self.issues)
        super().__init__(f"{n} error{'s' if n != 1 else ''} in policy files:\n{body}")


class EvaluationError(CaseflowError):
    """Evaluating a case against the policies failed."""

    code = "evaluation-error"


class BackendError(EvaluationError):
    """The rules backend failed in a way caseflow could not prevent."""

    code = "backend-error"


class PolicyTestError(CaseflowError):
    """A YAML policy test file is malformed (not: a test failed)."""

    code = "policy-test-invalid"
