"""pytest plugin: collects ``*.test.yaml`` policy tests as test items, on every backend.

Opt-in: installing caseflow never changes how pytest runs another project. A project that
wants its policy tests collected beside its Python tests enables the plugin, in its pytest
configuration::

    [tool.pytest.ini_options]
    addopts = "-p caseflow.testing.pytest_plugin"

or on the command line: ``pytest -p caseflow.testing.pytest_plugin rules/``. Each test runs on
the python backend and on the durable one; where durable-rules is not installed its items are
skipped, saying how to install it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ..engine.backends import BACKENDS, available_backends
from ..policies.loader import TEST_SUFFIXES

if TYPE_CHECKING:  # pytest does not export the types of Item.repr_failure
    from _pytest._code.code import TerminalRepr, TracebackStyle

    from .policytest import PolicyTest, PolicyTestFile, TestOutcome


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> PolicyTestFileItem | None:
    if file_path.name.endswith(TEST_SUFFIXES):
        return PolicyTestFileItem.from_parent(parent, path=file_path)
    return None


class PolicyTestFileItem(pytest.File):
    def collect(self) -> Iterator[PolicyTestItem]:
        from .policytest import load_file

        tf = load_file(self.path)
        here = available_backends()
        for test in tf.tests:
            for backend in BACKENDS:
                item = PolicyTestItem.from_parent(
                    self, name=f"{test.name} [{backend}]", test=test, tfile=tf, backend=backend
                )
                if backend not in here:
                    item.add_marker(
                        pytest.mark.skip(
                            reason=f"the {backend} backend is not installed: pip install 'caseflow[{backend}]'"
                        )
                    )
                yield item


class PolicyTestItem(pytest.Item):
    def __init__(self, *, test: PolicyTest, tfile: PolicyTestFile, backend: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.test = test
        self.tfile = tfile
        self.backend = backend

    def runtest(self) -> None:
        from .policytest import run_test

        outcome = run_test(self.test, self.tfile.policy_set(), self.backend)
        if not outcome.passed:
            raise PolicyTestFailure(outcome)

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: TracebackStyle | None = None
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, PolicyTestFailure):
            o = excinfo.value.outcome
            return f"{self.test.file}:{self.test.line}: {self.test.name} [{o.backend}]\n" + "\n".join(
                f"  {f}" for f in o.failures
            )
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[os.PathLike[str] | str, int | None, str]:
        return self.path, self.test.line - 1, f"policy test: {self.name}"


class PolicyTestFailure(Exception):
    def __init__(self, outcome: TestOutcome) -> None:
        super().__init__(outcome.failures)
        self.outcome = outcome
