"""Severity and routing (issue 17, deliverable 7), on the shipped pack (rules/) and the workflow runtime.

What rules/escalation.yaml promises, tested through a case service on SQLite (the state, the audit
trail and the outbox of one event, committed together):

- a critical signal (self-harm, safety, regulator) bypasses tier 1: the case opens straight into tier 2
  and on to the owning authority (tier1 ``handed_to_tier2``, tier2 ``with_authority``), urgent, and the
  ``escalate`` action's outbox alert - severity critical, naming the authority - pages that team;
- a high signal (media, chargeback) also goes to the authority, with an alert of severity high: no page;
- a medium one (a key account) waits in tier 2 (``escalated``) for a specialist;
- signals combine with case facts: a media threat from a VIP buyer, about a large order or on a repeat
  complaint is critical (``media-threat-key-account``); a legal, regulator or chargeback signal on a repeat
  complaint notifies the supervisor (``risk-on-repeat-complaint``);
- an app's own classifier (a signal provider) routes the same way through a policy of the app's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest

from caseflow import (
    Actor,
    Case,
    CaseService,
    Engine,
    FixedClock,
    OutboxMessage,
    Outcome,
    Signal,
    Workflows,
    default_facts,
    load_policies,
    open_store,
    parse_case,
    register_signal_provider,
)
from tests.helpers import NOW, RULES

INTAKE = Actor(id="intake", role="system")
TO_AUTHORITY = {"tier1": "handed_to_tier2", "tier2": "with_authority"}


def _case(cid: str, text: str, *, buyer: dict | None = None, amount: str = "120 CNY", region: str = "CN") -> Case:
    return parse_case(
        {
            "id": cid,
            "tenant": "shop",
            "channel": "chat",
            "case_type": "not_as_described",
            "created_at": NOW.isoformat(),
            "buyer": {"id": "b-1", "region": region, "history": {"orders_total": 3}, **(buyer or {})},
            "orders": [{"id": "o-1", "amount": amount, "placed_at": "2026-11-01T10:00:00+08:00"}],
            "messages": [{"author": "buyer", "at": NOW.isoformat(), "text": text}],
        }
    )


@pytest.fixture
def service(tmp_path: Path, driven: Workflows) -> CaseService:
    return CaseService(open_store(f"sqlite:///{tmp_path}/cases.db", upgrade=True), driven, clock=FixedClock(NOW))


def _alerts(svc: CaseService, case_id: str) -> dict[tuple[object, object], OutboxMessage]:
    """The case's outbox alerts, by (severity, authority)."""
    return {
        (m.payload["severity"], m.payload["authority"]): m
        for m in svc.store.outbox()
        if m.kind == "alert.raise" and m.case_id == case_id
    }


def _rules(out: Outcome) -> set[str]:
    """The rules the event's decisions fired, as ``policy/rule`` (as its audit records name them)."""
    return {r for rec in out.records if rec.kind == "decision" for r in rec.rule_ids}


CRITICAL = [
    ("self-harm", "safety", "I can't do this anymore, I want to kill myself"),
    ("self-harm", "safety", "我真的不想活了，活着没意思"),
    ("safety-incident", "safety", "The power bank caught fire and burned my hand"),
    ("safety-incident", "safety", "Con tôi bị bỏng vì sạc bị nổ"),
    ("regulator-complaint", "regulator", "你们再拖我就打12315投诉"),
    ("regulator-complaint", "regulator", "Saya akan lapor ke BPKN perlindungan konsumen"),
]


@pytest.mark.parametrize(("rule", "authority", "text"), CRITICAL, ids=[f"{r}-{t[:12]}" for r, _, t in CRITICAL])
def test_a_critical_signal_bypasses_tier_1_and_pages_the_owning_team(service, rule, authority, text):
    out = service.open(_case("C-1", text), actor=INTAKE, at=NOW)
    assert f"escalation/{rule}" in _rules(out)
    case = out.case
    assert case.states == TO_AUTHORITY and case.tier == 2
    assert case.priority.value == "urgent" and case.authority == authority
    # tier 1 never worked the case: the policy's escalation handed it over on opening, by the system
    moves = [(r.workflow, r.from_state, r.to_state, r.trigger, r.role) for r in out.records if r.kind == "transition"]
    assert moves == [
        ("tier1", "new", "handed_to_tier2", "handoff_to_tier2", "system"),
        ("tier2", "escalated", "with_authority", "hand_to_authority", "system"),
    ]
    # the page: the escalate action's alert, in the outbox with the case (one transaction), keyed once
    alerts = _alerts(service, "C-1")
    page = alerts[("critical", authority)]
    assert page.key == f"alert:C-1:critical:{authority}"
    assert page.payload["rule"] == f"escalation/{rule}" and page.payload["reason"] == rule.replace("-", "_")
    assert [sev for sev, _ in alerts] == ["critical"]
    # relayed after the commit: a pager that pages on critical alerts reaches the owning team once
    paged: list[tuple[object, object]] = []

    def pager(m: OutboxMessage) -> None:
        if m.kind == "alert.raise" and m.payload["severity"] == "critical":
            paged.append((m.payload["authority"], m.case_id))

    service.relay(pager)
    assert paged == [(authority, "C-1")]
    assert service.relay(lambda m: paged.append(("again", m.case_id))) == 0  # delivered: not sent twice


def test_self_harm_goes_to_a_person_with_care(service):
    out = service.open(_case("C-2", "I don't want to live anymore, I'm going to end my life"), actor=INTAKE, at=NOW)
    actions = {a.type: a.params for d in out.decisions for a in d.actions if a.rule_id == "self-harm"}
    assert actions["route_to_queue"] == {"queue": "safety-wellbeing"}
    assert actions["hold_for_review"]["queue"] == "safety-wellbeing"
    assert "risk:self-harm" in out.case.tags and out.case.states == TO_AUTHORITY


HIGH = [
    ("media-threat", "pr", "I will go to the media with this"),
    ("media-threat", "pr", "Tôi sẽ gửi cho báo chí"),
    ("chargeback-threat", "payments", "I will file a chargeback with my bank"),
]


@pytest.mark.parametrize(("rule", "authority", "text"), HIGH, ids=[f"{r}-{t[:12]}" for r, _, t in HIGH])
def test_a_high_signal_goes_to_the_authority_without_a_page(service, rule, authority, text):
    out = service.open(_case("C-3", text), actor=INTAKE, at=NOW)
    assert f"escalation/{rule}" in _rules(out)
    assert out.case.states == TO_AUTHORITY and out.case.authority == authority
    alerts = _alerts(service, "C-3")
    assert list(alerts) == [("high", authority)]  # an alert for the team's queue, not a critical page


def test_a_key_account_waits_in_tier_2_for_a_specialist(service):
    out = service.open(_case("C-4", "Where is my parcel?", buyer={"segment": "vip"}), actor=INTAKE, at=NOW)
    assert _rules(out) >= {"escalation/vip-or-top-seller"}
    assert out.case.states == {"tier1": "handed_to_tier2", "tier2": "escalated"} and out.case.authority is None
    assert list(_alerts(service, "C-4")) == [("medium", "supervisor")]


def test_a_plain_message_stays_in_tier_1(service):
    out = service.open(_case("C-5", "Could you check where my parcel is?"), actor=INTAKE, at=NOW)
    assert out.case.states == {"tier1": "new"} and out.case.tier == 1
    assert _alerts(service, "C-5") == {}


# ---- signals combined with case facts ------------------------------------------------------------

MEDIA_KEY_ACCOUNT = [
    ("vip buyer, en", "I will go to the media with this", {"segment": "vip"}, "120 CNY", "CN"),
    ("large order, zh", "我要在网上曝光你们", {}, "2500 CNY", "CN"),
    ("large order, id", "Saya akan viralkan toko ini di TikTok", {}, "6000000 IDR", "ID"),
    ("repeat complaints, vi", "Tôi sẽ gửi cho báo chí", {"history": {"complaints_30d": 2}}, "120 CNY", "VN"),
]


@pytest.mark.parametrize(
    ("why", "text", "buyer", "amount", "region"), MEDIA_KEY_ACCOUNT, ids=[m[0] for m in MEDIA_KEY_ACCOUNT]
)
def test_a_media_threat_from_a_key_account_is_critical(service, why, text, buyer, amount, region):
    out = service.open(_case("C-6", text, buyer=buyer, amount=amount, region=region), actor=INTAKE, at=NOW)
    assert {"escalation/media-threat", "escalation/media-threat-key-account"} <= _rules(out)
    assert out.case.states == TO_AUTHORITY and out.case.authority == "pr" and out.case.priority.value == "urgent"
    assert ("critical", "pr") in _alerts(service, "C-6")  # PR is paged


@pytest.mark.parametrize(
    ("text", "buyer", "amount"),
    [
        ("I will go to the media with this", {"history": {"complaints_30d": 1}}, "120 CNY"),
        ("我要在网上曝光你们", {}, "2000 CNY"),  # at the limit, not above
    ],
    ids=["one complaint, en", "at the limit, zh"],
)
def test_a_media_threat_from_anyone_else_is_high(service, text, buyer, amount):
    out = service.open(_case("C-7", text, buyer=buyer, amount=amount), actor=INTAKE, at=NOW)
    assert "escalation/media-threat" in _rules(out) and "escalation/media-threat-key-account" not in _rules(out)
    assert list(_alerts(service, "C-7")) == [("high", "pr")]


REPEAT = [
    ("chargeback, en", "I will file a chargeback with my bank", "escalation/chargeback-threat"),
    ("regulator, zh", "你们再拖我就打12315投诉", "escalation/regulator-complaint"),
    ("legal, id", "Kalau tidak dikembalikan saya akan menggugat lewat pengacara", "escalation/legal-threat"),
]


@pytest.mark.parametrize(("why", "text", "signal"), REPEAT, ids=[r[0] for r in REPEAT])
def test_a_risk_signal_on_a_repeat_complaint_notifies_the_supervisor(service, why, text, signal):
    out = service.open(_case("C-8", text, buyer={"history": {"complaints_30d": 3}}), actor=INTAKE, at=NOW)
    assert {signal, "escalation/risk-on-repeat-complaint"} <= _rules(out)
    notes = [m for m in service.store.outbox() if m.kind == "notify.send" and m.case_id == "C-8"]
    assert [(m.payload["target"], m.payload["template"]) for m in notes] == [("supervisor", "repeat-complaint-risk")]


@pytest.mark.parametrize(
    ("text", "complaints"),
    [("I will file a chargeback with my bank", 1), ("Where is my parcel? third time I ask", 5)],
    ids=["first complaint", "no risk signal"],
)
def test_no_supervisor_note_without_both(service, text, complaints):
    out = service.open(_case("C-9", text, buyer={"history": {"complaints_30d": complaints}}), actor=INTAKE, at=NOW)
    assert "escalation/risk-on-repeat-complaint" not in _rules(out)
    assert [m for m in service.store.outbox() if m.kind == "notify.send"] == []


# ---- an app's classifier routes the same way ------------------------------------------------------


class Wellbeing:
    """A stand-in for an app's trained self-harm classifier: a lookup of what it scored each message."""

    name = "wellbeing"
    description = "risk that the customer may hurt themselves (the app's classifier)"
    labels: Sequence[str] = ()
    gives_score = True
    SCORES = {"nothing matters anymore, this was my last hope": 0.96, "where is my parcel": 0.01}

    def detect(self, case: Case, now: datetime) -> Signal | None:
        score = self.SCORES.get(case.messages[-1].text) if case.messages else None
        return None if score is None else Signal(score=score, explanation=f"wellbeing model v2: p={score}")


APP_POLICY = """\
policy: app-signals
version: "1"
hit_policy: all
rules:
  - id: wellbeing-model
    description: the app's classifier finds a risk the phrase sets did not
    when: signal.wellbeing.score >= 0.9
    then:
      - escalate: {tier: 2, severity: critical, authority: safety, reason: self_harm_model}
      - route_to_queue: {queue: safety-wellbeing}
"""


def test_an_apps_classifier_signal_pages_like_the_packs(tmp_path):
    facts = default_facts()
    register_signal_provider(facts, Wellbeing())
    (tmp_path / "app-signals.yaml").write_text(APP_POLICY, encoding="utf-8")
    engine = Engine(load_policies([RULES, tmp_path / "app-signals.yaml"], facts=facts), clock=FixedClock(NOW))
    svc = CaseService(open_store(f"sqlite:///{tmp_path}/c.db", upgrade=True), Workflows(engine=engine))
    out = svc.open(_case("C-10", "nothing matters anymore, this was my last hope"), actor=INTAKE, at=NOW)
    assert "app-signals/wellbeing-model" in _rules(out)
    assert out.case.states == TO_AUTHORITY and out.case.authority == "safety"
    assert ("critical", "safety") in _alerts(svc, "C-10")
    text = out.decisions[0].explain().render(only_matched=True)
    assert "why signal.wellbeing.score = wellbeing model v2: p=0.96" in text
    calm = svc.open(_case("C-11", "where is my parcel"), actor=INTAKE, at=NOW)
    assert calm.case.states == {"tier1": "new"} and _alerts(svc, "C-11") == {}
