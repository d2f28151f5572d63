"""Side effects of an event, as outbox messages: a refund to pay, a notification to send, an alert.

An event's effects are written to the outbox in the same transaction as the case and its
audit records, and leave only after the commit (:meth:`CaseService.relay`), at least once.
Each message has an **idempotency key** that names the effect, not the delivery: the refund
of a case's order has one key however often the policies approve it or the event is
redelivered, so the outbox holds it once and a consumer drops a repeated delivery by key.

The default rules (apps add their own with :meth:`Effects.on_state` and :meth:`Effects.on_action`,
as Python callables - nothing from a policy file names code):

==============================================  =================  ==============================
when                                            kind               idempotency key
==============================================  =================  ==============================
refund_only enters ``approved``                 ``refund.pay``     ``refund:CASE:ORDER``
return_and_refund enters ``return_received``    ``refund.pay``     ``refund:CASE:ORDER``
a ``decide_dispute`` for the buyer or a split   ``refund.pay``     ``refund:CASE:ORDER``
reship enters ``approved``                      ``reship.send``    ``reship:CASE:ORDER``
exchange enters ``return_received``             ``replacement.send`` ``replacement:CASE:ORDER``
chargeback enters ``payout_frozen``, or a       ``payout.freeze``  ``payout-freeze:CASE``
``freeze_payout`` action
an ``escalate`` action                          ``alert.raise``    ``alert:CASE:SEVERITY:AUTHORITY``
a ``notify`` action                             ``notify.send``    ``notify:CASE:RULE:TARGET``
a ``reply_template`` action                     ``reply.send``     ``reply:CASE:TEMPLATE``
==============================================  =================  ==============================

A refund is paid once per case and order: a second refund of the same order needs a new
case (or an app rule with its own key).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from pydantic import JsonValue

from ..model.case import Case
from ..model.decision import DecisionAction
from ..states.runtime import Outcome

__all__ = ["Effect", "Effects", "OutboxMessage", "default_effects"]


@dataclass(frozen=True)
class Effect:
    """A side effect to send: ``kind``, an idempotency ``key`` and a JSON ``payload``."""

    kind: str
    key: str
    payload: dict[str, JsonValue] = field(default_factory=dict)


@dataclass(frozen=True)
class OutboxMessage:
    """An effect as stored in the outbox."""

    id: int
    key: str
    kind: str
    case_id: str
    event_id: str
    payload: dict[str, JsonValue]
    created_at: datetime
    attempts: int = 0
    delivered_at: datetime | None = None
    last_error: str | None = None


StateRule = Callable[[Case, str, str], list[Effect]]  # (case after the event, workflow, state entered)
ActionRule = Callable[[Case, DecisionAction], list[Effect]]


def _order_id(case: Case) -> str:
    return case.orders[0].id if case.orders else "-"


def _refund(case: Case, share_percent: Decimal | None = None, reason: str = "") -> list[Effect]:
    amount = case.requested_amount
    if amount is None:
        return []
    value = amount.amount if share_percent is None else (amount.amount * share_percent / 100).quantize(amount.amount)
    return [
        Effect(
            "refund.pay",
            f"refund:{case.id}:{_order_id(case)}",
            {
                "case_id": case.id,
                "order_id": _order_id(case),
                "amount": str(value),
                "currency": amount.currency,
                "buyer_id": case.buyer.id if case.buyer else None,
                "reason": reason,
            },
        )
    ]


def _state_refund(case: Case, workflow: str, state: str) -> list[Effect]:
    return _refund(case, reason=f"{workflow}:{state}")


def _shipment(kind: str) -> StateRule:
    def rule(case: Case, workflow: str, state: str) -> list[Effect]:
        return [
            Effect(
                f"{kind}.send",
                f"{kind}:{case.id}:{_order_id(case)}",
                {"case_id": case.id, "order_id": _order_id(case), "reason": f"{workflow}:{state}"},
            )
        ]

    return rule


def _freeze(case: Case, reason: str) -> list[Effect]:
    seller = case.seller.id if case.seller else None
    return [
        Effect("payout.freeze", f"payout-freeze:{case.id}", {"case_id": case.id, "seller_id": seller, "reason": reason})
    ]


def _decide(case: Case, a: DecisionAction) -> list[Effect]:
    outcome = a.params.get("outcome")
    if outcome == "buyer":
        return _refund(case, reason=f"dispute decided for the buyer ({a.policy}/{a.rule_id})")
    if outcome == "split" and a.params.get("buyer_share_percent") is not None:
        return _refund(case, Decimal(str(a.params["buyer_share_percent"])), f"dispute split ({a.policy}/{a.rule_id})")
    return []


def _alert(case: Case, a: DecisionAction) -> list[Effect]:
    sev, auth = a.params.get("severity", "medium"), a.params.get("authority") or "-"
    return [
        Effect(
            "alert.raise",
            f"alert:{case.id}:{sev}:{auth}",
            {
                "case_id": case.id,
                "severity": sev,
                "authority": auth,
                "reason": a.params.get("reason"),
                "rule": f"{a.policy}/{a.rule_id}",
            },
        )
    ]


def _notify(case: Case, a: DecisionAction) -> list[Effect]:
    target = a.params.get("target")
    return [
        Effect(
            "notify.send",
            f"notify:{case.id}:{a.policy}/{a.rule_id}:{target}",
            {
                "case_id": case.id,
                "target": target,
                "template": a.params.get("template"),
                "rule": f"{a.policy}/{a.rule_id}",
            },
        )
    ]


def _reply(case: Case, a: DecisionAction) -> list[Effect]:
    tpl = a.params.get("template")
    return [
        Effect(
            "reply.send",
            f"reply:{case.id}:{tpl}",
            {"case_id": case.id, "template": tpl, "language": a.params.get("language"), "channel": case.channel.value},
        )
    ]


class Effects:
    """Which outbox messages an event produces: rules on states entered and on policy actions."""

    def __init__(self) -> None:
        self._states: dict[tuple[str, str], list[StateRule]] = {}
        self._actions: dict[str, list[ActionRule]] = {}

    def on_state(self, workflow: str, state: str, rule: StateRule) -> None:
        """Call ``rule(case, workflow, state)`` when an event moves ``workflow`` into ``state``."""
        self._states.setdefault((workflow, state), []).append(rule)

    def on_action(self, action: str, rule: ActionRule) -> None:
        """Call ``rule(case, action)`` for every ``action`` a decision of the event takes."""
        self._actions.setdefault(action, []).append(rule)

    def __call__(self, outcome: Outcome) -> list[Effect]:
        """The effects of one event, each key once (the first wins)."""
        case = outcome.case
        out: dict[str, Effect] = {}
        for r in outcome.records:
            if r.kind == "transition" and r.workflow is not None and r.to_state is not None:
                for rule in self._states.get((r.workflow, r.to_state), ()):
                    for e in rule(case, r.workflow, r.to_state):
                        out.setdefault(e.key, e)
        for d in outcome.decisions:
            for a in d.actions:
                for action_rule in self._actions.get(a.type, ()):
                    for e in action_rule(case, a):
                        out.setdefault(e.key, e)
        return list(out.values())


def default_effects() -> Effects:
    fx = Effects()
    fx.on_state("refund_only", "approved", _state_refund)
    fx.on_state("return_and_refund", "return_received", _state_refund)
    fx.on_state("reship", "approved", _shipment("reship"))
    fx.on_state("exchange", "return_received", _shipment("replacement"))
    fx.on_state("chargeback", "payout_frozen", lambda c, w, s: _freeze(c, f"{w}:{s}"))
    fx.on_action("decide_dispute", _decide)
    fx.on_action("freeze_payout", lambda c, a: _freeze(c, str(a.params.get("reason"))))
    fx.on_action("escalate", _alert)
    fx.on_action("notify", _notify)
    fx.on_action("reply_template", _reply)
    return fx
