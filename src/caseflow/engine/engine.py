"""The engine: evaluate cases against a policy set on a chosen backend.

::

    engine = Engine(load_policies("rules/"), clock=FixedClock("2026-11-11T10:00:00+08:00"))
    decision = engine.evaluate(case)
    print(decision.summary())
    print(decision.explain())

Each engine compiles its own policies and owns its own durable-rules host, so two
engines holding different versions of a policy work side by side in one process.
The engine never reads the wall clock itself: time comes from the injected ``clock``. One
exception, which never changes a decision: each evaluation has a budget of processor-independent
elapsed time (``budget_seconds``, :data:`DEFAULT_BUDGET_SECONDS`; :func:`time.perf_counter`),
checked before each policy; past it the evaluation stops with an ``EvaluationError``
(``evaluation-budget``) instead of running on. Nothing in a policy can hang (regexes run on RE2,
text matching is linear, inputs are bounded), so the budget is a guard for what no limit foresaw.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from time import perf_counter

from ..clock import Clock, SystemClock, ensure_aware
from ..errors import BackendError, EvaluationError
from ..logging import LoggerLike, get_logger
from ..model.case import Case
from ..model.decision import Decision, DecisionAction, Explanation, FiredRule, PolicyRef
from ..policies.facts import FactValue, GivenFacts, LazyFacts
from ..policies.loader import load_policies
from ..policies.model import PolicySet
from .backends import DEFAULT_BACKEND, make_backend
from .backends.base import BudgetExceeded, Facts
from .compiler import compile_policies
from .explain import build_explanation

__all__ = ["DEFAULT_BUDGET_SECONDS", "Engine"]

DEFAULT_BUDGET_SECONDS = 10.0
"""How long one evaluation may run before it stops with ``evaluation-budget`` (seconds)."""


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What one rule contributes to a decision when it fires (built once per engine)."""

    rule: FiredRule
    actions: list[DecisionAction]


class Engine:
    """Evaluates cases against one policy set.

    ``backend`` is ``"python"`` (the default: the compiled conditions evaluated by closures; also
    what explanations use) or ``"durable"`` (the same compiled rules run by durable-rules).
    """

    def __init__(
        self,
        policies: PolicySet | str | Path,
        *,
        backend: str = DEFAULT_BACKEND,
        clock: Clock | None = None,
        logger: logging.Logger | LoggerLike | None = None,
        budget_seconds: float | None = DEFAULT_BUDGET_SECONDS,
    ) -> None:
        if budget_seconds is not None and not (isinstance(budget_seconds, (int, float)) and budget_seconds > 0):
            raise EvaluationError(
                f"budget_seconds={budget_seconds!r}: give a positive number of seconds, or None for no budget",
                code="evaluate-bad-argument",
            )
        self.budget_seconds = budget_seconds
        if not isinstance(policies, PolicySet):
            policies = load_policies(policies)
        self.policies = policies
        self.clock: Clock = clock or SystemClock()
        self._log = get_logger(logger)  # personal data is masked in everything caseflow logs
        self._compiled = compile_policies(policies.policies, policies.facts)
        self._backend = make_backend(backend, self._compiled)
        self.backend = backend
        self._names = tuple(self._compiled.fact_names)
        self._always_active = all(p.effective_from is None and p.effective_until is None for p in policies.policies)
        self._all_on = [True] * len(policies.policies)
        self._refs_all = [PolicyRef(name=p.name, version=p.version, hit_policy=p.hit_policy) for p in policies.policies]
        self._rule_table: list[list[_Outcome]] = [
            [
                _Outcome(
                    FiredRule(
                        policy=cr.policy.name, version=cr.policy.version, rule_id=cr.rule.id, priority=cr.rule.priority
                    ),
                    [
                        DecisionAction(type=a.type, params=a.params, policy=cr.policy.name, rule_id=cr.rule.id)
                        for a in cr.rule.then
                    ],
                )
                for cr in cp.rules
            ]
            for cp in self._compiled.policies
        ]

    # -- facts ----------------------------------------------------------------------------
    @property
    def fact_names(self) -> list[str]:
        """The facts this policy set reads (only these are derived for each case)."""
        return list(self._compiled.fact_names)

    def derive_facts(self, case: Case, now: datetime | None = None) -> dict[str, FactValue]:
        """The facts this policy set reads, derived for ``case`` at ``now`` (default: the clock's time)."""
        now = now or self.clock.now()
        return self.policies.facts.derive(case, now, self._compiled.fact_names)

    def _time(self, at: datetime | None, what: str) -> datetime:
        """``at`` (which must be aware), or the clock's time."""
        return self._now() if at is None else ensure_aware(at, what)

    def _now(self) -> datetime:
        now = self.clock.now()
        if now.tzinfo is None:
            ensure_aware(now, "the clock's time")  # raises with a clear message
        return now

    def _active(self, now: datetime) -> list[bool]:
        if self._always_active:
            return self._all_on
        return [p.is_effective(now) for p in self.policies.policies]

    # -- evaluation -----------------------------------------------------------------------
    def evaluate(self, case: Case, *, at: datetime | None = None) -> Decision:
        """Evaluate ``case`` at the clock's current time, or at ``at`` (replays, workflows)."""
        if not isinstance(case, Case):
            raise EvaluationError(
                f"evaluate() takes a Case, got {type(case).__name__}; use caseflow.parse_case(data)",
                code="evaluate-not-a-case",
            )
        now = self._time(at, "evaluate(at=...)")
        return self._decide(self.policies.facts.lazy(case, now), now, case.id)

    def evaluate_facts(
        self, facts: Mapping[str, object], *, case_id: str | None = None, at: datetime | None = None
    ) -> Decision:
        """Evaluate already-derived facts (a mapping of fact name to value); missing names are missing facts.

        A :class:`~caseflow.policies.facts.LazyFacts` (from :meth:`lazy_facts`) is used as it is, so several
        engines evaluating one case - two policy versions in a simulation - derive each fact once.
        """
        now = self._time(at, "evaluate_facts(at=...)")
        mapping = facts if isinstance(facts, (LazyFacts, GivenFacts)) else GivenFacts(facts)
        return self._decide(mapping, now, case_id)

    def lazy_facts(self, case: Case, at: datetime | None = None) -> LazyFacts:
        """The case's facts, each derived the first time any engine reads it."""
        now = self._time(at, "lazy_facts(at=...)")
        return self.policies.facts.lazy(case, now)

    def _decide(self, facts: Facts, now: datetime, case_id: str | None) -> Decision:
        active = self._active(now)
        budget = self.budget_seconds
        try:
            fired = self._backend.fire_facts(facts, now, active, None if budget is None else perf_counter() + budget)
        except BudgetExceeded as over:
            policy = self.policies.policies[over.policy].name
            self._log.error("caseflow.evaluation_budget", case_id=case_id, policy=policy, budget_seconds=budget)
            raise EvaluationError(
                f"case {case_id!r}: evaluation ran past its budget of {budget:g} s before policy {policy!r} "
                "(a very large case or policy set): raise Engine(budget_seconds=...), or None for no budget",
                code="evaluation-budget",
            ) from None
        except BackendError as exc:
            self._log.error("caseflow.backend_failed", backend=self.backend, case_id=case_id, error=str(exc))
            raise
        actions: list[DecisionAction] = []
        matched: list[FiredRule] = []
        # per policy p, fired[p] indexes self._rule_table[p] (enumerate: zip(strict=True) costs more per call)
        rule_table = self._rule_table
        for p, hits in enumerate(fired):
            for i in hits:
                outcome = rule_table[p][i]
                matched.append(outcome.rule)
                actions += outcome.actions
        refs = (
            self._refs_all
            if active is self._all_on or all(active)
            else [r.model_copy(update={"effective": on}) for r, on in zip(self._refs_all, active, strict=True)]
        )
        return Decision._fast(
            case_id,
            now,
            self.backend,
            actions,
            matched,
            refs,
            lambda: self._explanation(facts, now, case_id, active, fired),
        )

    def _explanation(
        self, facts: Facts, now: datetime, case_id: str | None, active: list[bool], fired: list[list[int]]
    ) -> Explanation:
        full = GivenFacts({n: facts[n] for n in self._names})
        return build_explanation(self._compiled, full, active, fired, case_id=case_id, now=now)

    def explain(self, case: Case) -> Explanation:
        """Evaluate ``case`` and explain every rule, matched or not."""
        return self.evaluate(case).explain()

    def close(self) -> None:
        self._backend.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        names = ", ".join(f"{p.name}@{p.version}" for p in self.policies.policies)
        return f"Engine({names}; backend={self.backend!r})"
