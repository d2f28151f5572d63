"""Policy decisions drive the workflows: escalations, approvals, dispute deadlines, chargebacks."""

from __future__ import annotations

from datetime import timedelta

from caseflow.testing import make_case
from tests.helpers import NOW

from .helpers import SYSTEM, ev


def test_policy_decisions_fire_transitions(driven):
    # the refund policy escalates a high amount: escalate -> tier1.handoff_to_tier2, tier2 starts
    out = driven.open(
        make_case(request={"kind": "refund_only", "amount": "2500 CNY", "reason": "changed_mind"}), actor=SYSTEM, at=NOW
    )
    assert out.decisions[0].rule_ids == ["high-amount-needs-tier2"]
    assert out.case.states["tier1"] == "handed_to_tier2" and out.case.states["tier2"] == "escalated"
    assert out.case.tier == 2 and "high-amount" in out.case.tags
    kinds = [(r.kind, r.trigger) for r in out.records]
    assert kinds[0] == ("opened", None) and ("decision", None) in kinds and ("transition", "handoff_to_tier2") in kinds
    decision = next(r for r in out.records if r.kind == "decision")
    assert decision.rule_ids == ["refunds/high-amount-needs-tier2"]
    assert decision.policy_versions == ["disputes@2026.11.0", "escalation@2026.11.6", "refunds@2026.11.0"]


def test_small_trusted_refund_is_approved_by_policy(driven):
    out = driven.open(
        make_case(request={"kind": "refund_only", "amount": "50 CNY", "reason": "changed_mind"}), actor=SYSTEM, at=NOW
    )
    assert out.case.states["refund_only"] == "approved"


def test_a_silent_seller_loses_the_dispute_at_the_deadline(driven):
    case = make_case(
        case_type="dispute", seller={"id": "s-1"}, dispute={"reason": "not_received", "opened_at": NOW.isoformat()}
    )
    out = driven.open(case, actor=SYSTEM, at=NOW)
    assert out.case.states["dispute"] == "awaiting_seller_response"  # the policy asked the seller for tracking
    # 47 hours later: still waiting
    out = driven.handle(out.case, ev(1, "evaluate", SYSTEM).model_copy(update={"at": NOW + timedelta(hours=47)}))
    assert out.case.states["dispute"] == "awaiting_seller_response"
    # 49 hours: the seller never answered, the platform decides for the buyer
    out = driven.handle(out.case, ev(2, "evaluate", SYSTEM).model_copy(update={"at": NOW + timedelta(hours=49)}))
    assert out.case.states["dispute"] == "decided"
    moved = [r for r in out.records if r.kind == "transition"]
    assert moved[0].trigger == "decide" and moved[0].reason == "policy disputes/seller-silent"


def test_a_chargeback_freezes_the_payout(driven):
    case = make_case(
        case_type="chargeback",
        risk={"chargeback_filed": True},
        dispute={"reason": "unauthorized", "opened_by": "bank", "opened_at": NOW.isoformat()},
    )
    out = driven.open(case, actor=SYSTEM, at=NOW)
    assert out.case.states["chargeback"] == "payout_frozen"
    # the escalation policy: a chargeback is high severity for payments, so tier 2 hands it on at once
    assert out.case.states["tier1"] == "handed_to_tier2" and out.case.states["tier2"] == "with_authority"
    assert out.case.authority == "payments" and out.case.priority.value == "urgent"


def test_an_app_reaction_changes_the_case_and_replay_rebuilds_it():
    """Reactions are the one extension point: an app's reaction sees every transition, and what it
    writes is recorded, so replay rebuilds the case exactly."""
    from caseflow.states import Reaction, TransitionStep, Workflows, default_reactions, replay

    from .helpers import AGENT

    class LastMove(Reaction):
        def on_transition(self, step: TransitionStep):
            return {"attributes": {"last_move": f"{step.workflow}:{step.to_state}"}}

    flows = Workflows(reactions=[*default_reactions(), LastMove()])
    out = flows.open(make_case(), actor=SYSTEM, at=NOW)
    records = list(out.records)
    moved = flows.handle(out.case, ev(1, "triage", AGENT, data={"root_cause": "late parcel"}))
    records += moved.records
    assert moved.case.attributes["last_move"] == "tier1:triaged" and moved.case.root_cause == "late parcel"
    assert replay(records) == moved.case


def test_without_the_default_reactions_an_event_changes_only_the_states():
    from caseflow.states import Workflows

    from .helpers import AGENT

    flows = Workflows(reactions=[])
    out = flows.open(make_case(), actor=SYSTEM, at=NOW)
    moved = flows.handle(out.case, ev(1, "triage", AGENT, data={"root_cause": "late parcel"}))
    assert moved.case.states["tier1"] == "triaged" and moved.case.root_cause is None
