"""The contract every backend keeps.

A backend is built from a :class:`~caseflow.engine.compiler.CompiledSet` and, for every
evaluation, returns per policy the indexes (in priority order) of the rules that *fire*: all
matching rules under hit policy ``all``, the first one under ``first``. A backend checks its
own limits when it is built and raises :class:`~caseflow.errors.PolicyValidationError` whose
issues point at the rules (``file:line:column``) it cannot run; validating policies never
builds a backend.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

__all__ = ["Backend", "BudgetExceeded", "FactPredicate", "Facts"]

Facts = Mapping[str, object]
"""Fact name -> value; a missing name reads as ``None`` (``LazyFacts`` and ``GivenFacts`` do so)."""

FactPredicate = Callable[[Facts, datetime], bool]
"""A compiled test or condition: ``predicate(facts, now) -> bool``."""


class BudgetExceeded(Exception):
    """The evaluation ran past its deadline before policy ``policy`` (its index); the engine says so."""

    def __init__(self, policy: int) -> None:
        super().__init__(policy)
        self.policy = policy


class Backend(Protocol):
    name: str

    def fire_facts(
        self, facts: Facts, now: datetime, active: Sequence[bool], deadline: float | None = None
    ) -> list[list[int]]:
        """For every policy (``active[i]`` false: not in effect, nothing fires), the rules that fire.
        ``deadline``: a :func:`time.perf_counter` value; past it, raise :class:`BudgetExceeded` before
        the next policy."""
        ...

    def close(self) -> None: ...
