"""Guards: named checks a transition must pass, looked up in caseflow's own registry.

A guard is a callable ``guard(ctx) -> str | None``: ``None`` lets the transition happen, a
string refuses it and says why. Workflow files name guards; the names are resolved here and
only here (never as import paths, which is what ``transitions`` would do with a string).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from pydantic import JsonValue, ValidationError

from ..errors import WorkflowError, suggest
from ..model.case import Case
from ..model.events import EventValue
from ..model.money import Money, parse_money

__all__ = ["GuardContext", "GuardRegistry", "default_guards"]


class GuardContext:
    """What a guard may look at. ``case`` is the case as it is at this step of the event
    (built only if a guard reads it)."""

    __slots__ = ("_case", "_case_fn", "workflow", "trigger", "state", "role", "actor_id", "reason", "data", "params")

    def __init__(
        self,
        *,
        workflow: str,
        trigger: str,
        state: str,
        role: str,
        actor_id: str,
        reason: str | None,
        data: dict[str, EventValue],
        params: dict[str, JsonValue],
        case: Case | None = None,
        case_fn: Callable[[], Case] | None = None,
    ) -> None:
        if case is None and case_fn is None:
            raise WorkflowError("GuardContext needs a case or case_fn", code="guard-context")
        self._case = case
        self._case_fn = case_fn
        self.workflow, self.trigger, self.state, self.role = workflow, trigger, state, role
        self.actor_id, self.reason, self.data, self.params = actor_id, reason, data, params

    @property
    def case(self) -> Case:
        if self._case is None:
            assert self._case_fn is not None
            self._case = self._case_fn()
        return self._case


Guard = Callable[[GuardContext], "str | None"]


class GuardRegistry:
    def __init__(self, guards: dict[str, Guard] | None = None) -> None:
        self._guards: dict[str, Guard] = dict(guards or {})

    def register(self, name: str, guard: Guard) -> None:
        if not name.isidentifier() or not name.islower():
            raise WorkflowError(f"guard name {name!r} must be a lower-case identifier", code="guard-bad-name")
        if name in self._guards:
            raise WorkflowError(f"guard {name!r} is already registered", code="guard-duplicate")
        if not callable(guard):
            raise WorkflowError(f"guard {name!r} must be callable(ctx)", code="guard-bad")
        self._guards[name] = guard

    def get(self, name: str) -> Guard:
        try:
            return self._guards[name]
        except KeyError:
            best = suggest(name, self._guards)
            raise WorkflowError(
                f"unknown guard {name!r}" + (f"; did you mean {best!r}?" if best else ""), code="guard-unknown"
            ) from None

    def names(self) -> set[str]:
        return set(self._guards)

    def copy(self) -> GuardRegistry:
        return GuardRegistry(self._guards)


def _present(ctx: GuardContext, field: str) -> bool:
    value = ctx.data.get(field, getattr(ctx.case, field, None))
    return isinstance(value, str) and bool(value.strip())


def reason_given(ctx: GuardContext) -> str | None:
    return None if ctx.reason and ctx.reason.strip() else "a reason is required"


def has_root_cause(ctx: GuardContext) -> str | None:
    return None if _present(ctx, "root_cause") else "tier 2 cannot resolve without a root cause (data.root_cause)"


def has_kb_summary(ctx: GuardContext) -> str | None:
    return (
        None
        if _present(ctx, "kb_summary")
        else "tier 2 cannot resolve without a knowledge-base summary (data.kb_summary)"
    )


def has_authority(ctx: GuardContext) -> str | None:
    from ..policies.actions import Authority

    value = ctx.data.get("authority")
    allowed = [a.value for a in Authority]
    return None if value in allowed else f"name the authority (data.authority: one of {', '.join(allowed)})"


def severe_if_automatic(ctx: GuardContext) -> str | None:
    """People may hand any case to an authority; a policy reaction only a high or critical one."""
    if ctx.role != "system":
        return None
    sev = ctx.data.get("severity")
    return (
        None if sev in ("high", "critical") else f"an automatic hand-off needs severity high or critical, not {sev!r}"
    )


def has_evidence(ctx: GuardContext) -> str | None:
    return None if ctx.case.evidence or ctx.data.get("evidence") else "evidence is required first"


def has_tracking(ctx: GuardContext) -> str | None:
    return None if ctx.data.get("tracking_number") else "a tracking number is required (data.tracking_number)"


def has_outcome(ctx: GuardContext) -> str | None:
    return (
        None
        if ctx.data.get("outcome") in ("buyer", "seller", "split")
        else "data.outcome must be buyer, seller or split"
    )


def _refund_amount(ctx: GuardContext) -> Money | None:
    raw = ctx.data.get("amount")
    if raw is not None:
        amount, currency = parse_money(str(raw))
        return Money(amount=amount, currency=currency)
    return ctx.case.requested_amount


def _refund_amount_problem(ctx: GuardContext) -> tuple[Money | None, str | None]:
    """The refund amount, or why ``data.amount`` is no amount (a refusal, never an exception)."""
    try:
        return _refund_amount(ctx), None
    except ValidationError as e:
        return None, _not_an_amount(ctx, str(e.errors()[0]["msg"]))
    except ValueError as e:
        return None, _not_an_amount(ctx, str(e))


def _not_an_amount(ctx: GuardContext, why: str) -> str:
    return f"data.amount {str(ctx.data.get('amount'))[:40]!r} is not a refund amount: {why[:200]}"


def within_tier1_refund_limit(ctx: GuardContext) -> str | None:
    """Tier-1 agents may approve refunds up to the workflow's ``tier1_refund_limit`` (per currency)."""
    if ctx.role != "tier1_agent":
        return None
    amount, problem = _refund_amount_problem(ctx)
    if problem is not None:
        return problem
    if amount is None:
        return "no refund amount on the case or in data.amount"
    limits: dict[str, Decimal] = {}
    listed = ctx.params.get("tier1_refund_limit", [])  # a list of amounts such as "500 CNY" (or one)
    for text in listed if isinstance(listed, list) else [listed]:
        a, c = parse_money(str(text))
        limits[c] = a
    if amount.currency not in limits:
        return f"no tier-1 refund limit is set for {amount.currency}; tier 2 or a supervisor must approve"
    if amount.amount > limits[amount.currency]:
        return (
            f"the refund of {amount} is above the tier-1 limit of {limits[amount.currency]} {amount.currency}; "
            "tier 2 or a supervisor must approve"
        )
    return None


def default_guards() -> GuardRegistry:
    return GuardRegistry(
        {
            "reason_given": reason_given,
            "has_root_cause": has_root_cause,
            "has_kb_summary": has_kb_summary,
            "has_authority": has_authority,
            "severe_if_automatic": severe_if_automatic,
            "has_evidence": has_evidence,
            "has_tracking": has_tracking,
            "has_outcome": has_outcome,
            "within_tier1_refund_limit": within_tier1_refund_limit,
        }
    )
