"""Cross-case correlation: thresholds on case time, rates, restarts, bounded memory."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from caseflow import PolicyValidationError
from caseflow.risk import Correlator, SignalEvent, load_detectors
from tests.helpers import RULES

DETECTORS = RULES / "correlation.detectors.yaml"


T0 = datetime(2026, 11, 1, tzinfo=UTC)


def complaint(i: int, sku: str = "SKU-1", defect: str = "cracked", hours: float = 0) -> SignalEvent:
    return SignalEvent(
        kind="complaint", at=T0 + timedelta(hours=hours), keys={"sku": sku, "defect": defect}, case_id=f"c{i}"
    )


@pytest.fixture(scope="module")
def detectors():
    return load_detectors(DETECTORS)


def test_the_fifth_complaint_about_one_sku_and_defect_raises_one_alert(detectors):
    c = Correlator(detectors)
    alerts = [c.observe(complaint(i, hours=i * 10)) for i in range(8)]
    fired = [i for i, a in enumerate(alerts) if a]
    assert fired == [4]  # the fifth; the sixth to eighth are inside the cooldown
    a = alerts[4][0]
    assert a.detector == "quality-alert" and a.key == {"sku": "SKU-1", "defect": "cracked"} and a.count == 5
    assert a.case_ids == ["c0", "c1", "c2", "c3", "c4"]
    assert a.actions[0]["type"] == "escalate" and a.actions[0]["params"]["authority"] == "product"


def test_complaints_spread_beyond_the_window_do_not_alert(detectors):
    c = Correlator(detectors)
    assert not any(c.observe(complaint(i, hours=i * 48)) for i in range(10))  # one every 2 days: at most 4 in 7 days


def test_different_defects_and_skus_are_counted_apart(detectors):
    c = Correlator(detectors)
    events = [complaint(i, sku=f"SKU-{i % 2}", defect=("cracked", "faded")[i // 2 % 2]) for i in range(20)]
    alerts = [a for e in events for a in c.observe(e)]
    assert sorted((a.key["sku"], a.key["defect"]) for a in alerts) == [
        ("SKU-0", "cracked"),
        ("SKU-0", "faded"),
        ("SKU-1", "cracked"),
        ("SKU-1", "faded"),
    ]


def test_misshipment_rate_by_warehouse_with_causes(detectors):
    c = Correlator(detectors)
    alerts = []
    for i in range(100):
        at = T0 + timedelta(minutes=5 * i)
        alerts += c.observe(SignalEvent(kind="shipment", at=at, keys={"warehouse": "HZ-1"}))
        if i % 20 == 19:
            cause = "wrong_size" if i < 60 else "wrong_colour"
            alerts += c.observe(SignalEvent(kind="misshipment", at=at, keys={"warehouse": "HZ-1", "cause": cause}))
    assert len(alerts) == 1
    a = alerts[0]
    assert a.detector == "misshipment-rate" and a.total >= 50 and a.rate > 0.02
    assert set(a.breakdown) <= {"wrong_size", "wrong_colour"} and sum(a.breakdown.values()) == a.count


def test_seller_dispute_rate_must_also_be_rising(detectors):
    c = Correlator(detectors)
    alerts = []
    for day in range(60):  # a steady 8 % for 60 days: high, but not rising
        at = T0 + timedelta(days=day)
        for _ in range(3):
            alerts += c.observe(SignalEvent(kind="order", at=at, keys={"seller": "s1"}))
        if day % 4 == 0:
            alerts += c.observe(SignalEvent(kind="dispute", at=at, keys={"seller": "s1"}))
    assert not [a for a in alerts if a.detector == "seller-dispute-rate"]
    for day in range(60, 75):  # then it doubles
        at = T0 + timedelta(days=day)
        for _ in range(3):
            alerts += c.observe(SignalEvent(kind="order", at=at, keys={"seller": "s1"}))
        alerts += c.observe(SignalEvent(kind="dispute", at=at, keys={"seller": "s1"}))
    assert [a.detector for a in alerts] == ["seller-dispute-rate"]


def stream(n: int, seed: int = 3) -> list[SignalEvent]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        at = T0 + timedelta(minutes=7 * i + rnd.randint(0, 6))
        kind = rnd.choice(
            ["complaint", "complaint", "refund", "shipment", "shipment", "misshipment", "order", "dispute"]
        )
        keys = {
            "sku": f"SKU-{rnd.randint(1, 12)}",
            "defect": rnd.choice(["cracked", "faded", "dead_battery"]),
            "buyer": f"b{rnd.randint(1, 40)}",
            "warehouse": f"W{rnd.randint(1, 3)}",
            "cause": rnd.choice(["wrong_size", "wrong_item"]),
            "seller": f"s{rnd.randint(1, 4)}",
        }
        out.append(SignalEvent(kind=kind, at=at, keys=keys, case_id=f"c{i}"))
    return out


def test_a_restart_in_the_middle_yields_the_same_alerts(detectors, tmp_path):
    events = stream(6000)
    straight = Correlator(detectors)
    expected = [a for e in events for a in straight.observe(e)]
    assert len(expected) > 10
    first = Correlator(detectors)
    got = [a for e in events[:2500] for a in first.observe(e)]
    first.save(tmp_path / "corr.json")
    del first  # the process "dies" here
    second = Correlator.load(tmp_path / "corr.json", detectors)
    got += [a for e in events[2500:] for a in second.observe(e)]
    assert got == expected


def test_memory_stays_bounded(detectors):
    c = Correlator(detectors, max_keys=500)
    for i in range(20_000):  # every event a new buyer: keys must not pile up
        c.observe(SignalEvent(kind="refund", at=T0 + timedelta(minutes=i), keys={"buyer": f"b{i}"}))
    assert c.key_count <= 500
    c2 = Correlator(detectors)
    for i in range(20_000):  # keys expire as event time moves past their window
        c2.observe(SignalEvent(kind="complaint", at=T0 + timedelta(hours=i), keys={"sku": f"S{i}", "defect": "x"}))
    assert c2.key_count < 7 * 24 + 10_001 and c2.sweep() >= 0
    c2.sweep()
    assert c2.key_count <= 7 * 24 + 2


def test_observe_takes_a_signal_event_and_a_missing_detector_file_is_located(tmp_path):
    from caseflow import CaseflowError

    with pytest.raises(CaseflowError, match="observe\\(\\) takes a SignalEvent, not dict") as e:
        Correlator([]).observe({"kind": "complaint"})  # type: ignore[arg-type]
    assert e.value.code == "correlation-bad-event"
    with pytest.raises(PolicyValidationError, match="nope.detectors.yaml:1:1: error: no such file"):
        load_detectors(tmp_path / "nope.detectors.yaml")
