"""Cases per second through the refund policies, beside references measured in the same run.

    python bench/evaluate.py [--n 20000] [--seed 7] [--rounds 5]

Prints, on the same generated cases and the default refund rules (rules/refunds.yaml):
- Engine.evaluate(case) on both backends (end to end: fact derivation + evaluation)
- Engine.evaluate_facts(facts) on both backends (without fact derivation)
- raw durable-rules with the same compiled patterns, asserting the same messages, two ways:
  prebuilt once (the engine's cost alone) and built from the facts per case (what an app on
  raw durable-rules pays)
- hand-written Python implementing the same rules on the same facts
- the peers zen-engine and rule-engine (``pip install -e ".[bench]"``), the same rules as
  compiled expressions, first hit wins (bench/_peers.py)
and the ratios the targets are stated in. Every reference is first checked to decide the
same as caseflow on 2,000 cases.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from caseflow import Case, Engine, FixedClock, load_policies  # noqa: E402
from caseflow.policies.facts import GivenFacts  # noqa: E402

NOW = datetime(2026, 11, 11, 2, 0, tzinfo=UTC)
TYPES = [
    "refund_only",
    "return_and_refund",
    "damaged_or_defective",
    "item_not_received",
    "not_as_described",
    "cancellation",
]
CATS = ["apparel", "electronics", "fresh_food", "books", "custom_made"]


def make_cases(n: int, seed: int) -> list[Case]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        placed = NOW - timedelta(days=rnd.randint(1, 30))
        delivered = NOW - timedelta(hours=rnd.randint(1, 400)) if rnd.random() < 0.7 else None
        cur, hi = rnd.choice([("CNY", 3000), ("IDR", 6000000), ("USD", 400)])
        amount = f"{rnd.randint(1, hi)}.00 {cur}"
        order = {
            "id": f"o{i}",
            "amount": amount,
            "placed_at": placed.isoformat(),
            "sale_type": "live_auction" if rnd.random() < 0.1 else "standard",
            "items": [{"sku": "S", "category": rnd.choice(CATS), "returnable": rnd.random() < 0.95}],
        }
        if delivered or rnd.random() < 0.5:
            order["shipped_at"] = (placed + timedelta(days=1)).isoformat()
        if delivered:
            order["delivered_at"] = delivered.isoformat()
        else:
            order["expected_delivery_at"] = (placed + timedelta(days=5)).isoformat()
            order["shipment"] = {
                "status": "in_transit",
                "events": [{"at": (placed + timedelta(days=2)).isoformat(), "status": "in_transit"}],
            }
        out.append(
            Case.model_validate(
                {
                    "id": f"c{i}",
                    "tenant": "t",
                    "channel": "chat",
                    "case_type": rnd.choice(TYPES),
                    "created_at": (NOW - timedelta(hours=1)).isoformat(),
                    "orders": [order],
                    "buyer": {
                        "id": "b",
                        "segment": rnd.choice(["regular", "regular", "vip", "watchlist"]),
                        "history": {"orders_total": rnd.randint(0, 40), "refunds_90d": rnd.randint(0, 7)},
                    },
                    "request": {
                        "kind": "refund_only",
                        "amount": amount,
                        "reason": rnd.choice(["changed_mind", "damaged", "not_received", "not_as_described"]),
                    },
                    "evidence": [{"kind": "photo"}] if rnd.random() < 0.5 else [],
                    "risk": {"fraud_score": round(rnd.random(), 3)},
                }
            )
        )
    return out


def once(fn, items) -> float:
    t = time.perf_counter()
    for x in items:
        fn(x)
    return time.perf_counter() - t


def interleaved(measures: dict[str, tuple], rounds: int) -> dict[str, list[float]]:
    """Time every measure once per round, one after the other, for ``rounds`` rounds.

    The machine is shared: a neighbour's burst that lands on one measurement would skew a ratio
    of two measurements taken minutes apart. Taken in the same round, seconds apart, both sides of
    a ratio see the same machine; the median over rounds drops the rounds a burst still spoilt.
    A measure is ``(fn, items)`` or ``(fn, make_items)`` with ``make_items()`` building fresh
    input for each round outside the timing (raw durable-rules needs fresh message ids).
    """
    times: dict[str, list[float]] = {k: [] for k in measures}
    for _ in range(rounds):
        for k, (fn, items) in measures.items():
            data = items() if callable(items) else items
            times[k].append(once(fn, data))
    return times


def hand_written(f: dict) -> str:  # noqa: C901 - the reference is deliberately one flat function: helper calls would slow the baseline
    """The refund rules, written by hand in Python on the same derived facts (hit policy first)."""
    t, reason = f.get("case.type"), f.get("request.reason")
    amt, sale = f.get("request.amount"), f.get("order.sale_type")
    age = f.get("order.delivered_at")
    age_days = None if age is None else (NOW - age).total_seconds() / 86400
    refunds = f.get("buyer.refunds_90d")
    exc = ("not_received", "damaged", "defective", "not_as_described")
    if sale == "live_auction" and t in ("refund_only", "return_and_refund", "exchange") and reason not in exc:
        return "live-auction-final-sale"
    if sale == "live_auction" and reason in exc and reason != "not_received" and age_days is not None and age_days > 3:
        return "live-auction-late-report"
    refundish = (
        "refund_only",
        "return_and_refund",
        "damaged_or_defective",
        "item_not_received",
        "not_as_described",
        "wrong_item",
    )
    if t in refundish and refunds is not None and refunds >= 5:
        return "repeat-refunder-review"
    limits = {"CNY": 2000, "IDR": 5000000, "VND": 8000000, "USD": 300}
    if t in refundish + ("partial_compensation",) and amt is not None and amt.amount > limits.get(amt.currency, 10**18):
        return "high-amount-needs-tier2"
    photo = f.get("evidence.has_photo") or f.get("evidence.has_video")
    if t in ("damaged_or_defective", "wrong_item"):
        if photo and age_days is not None and age_days <= 15:
            return "damaged-with-evidence"
        if not photo and age_days is not None and age_days <= 15:
            return "damaged-needs-evidence"
        if age_days is not None and age_days > 15:
            return "damaged-reported-late"
    if t == "item_not_received":
        st, stale, late = (
            f.get("tracking.status"),
            f.get("tracking.days_since_last_event"),
            f.get("order.days_past_expected_delivery"),
        )
        if st is not None and st != "delivered" and stale is not None and stale >= 5 and late is not None and late >= 3:
            return "not-received-tracking-stale"
        if st == "delivered":
            return "not-received-but-delivered"
        if not (late is not None and late >= 3):
            return "not-received-still-in-transit"
    if t == "return_and_refund" and reason == "changed_mind":
        exempt = {
            "custom_made",
            "fresh_food",
            "perishable",
            "digital_download",
            "audio_video_software_unsealed",
            "newspapers_periodicals",
        }
        cats = f.get("items.categories")
        if (cats is not None and not exempt.isdisjoint(cats)) or f.get("items.all_returnable") is False:
            return "seven-day-exempt-category"
        conds = f.get("items.conditions")
        if (
            age_days is not None
            and age_days <= 7
            and not (conds is not None and not {"used", "damaged"}.isdisjoint(conds))
        ):
            return "seven-day-no-reason-return"
        if age_days is not None and age_days > 7:
            return "seven-day-window-passed"
    if t == "not_as_described":
        return "not-as-described" if (f.get("evidence.count") or 0) >= 1 else "not-as-described-needs-evidence"
    if t in ("refund_only", "cancellation") and f.get("order.shipped") is False:
        return "refund-before-shipment"
    small = {"CNY": 200, "IDR": 500000, "VND": 800000, "USD": 30}
    fs = f.get("risk.fraud_score")
    if (
        t in ("refund_only", "return_and_refund")
        and amt is not None
        and amt.amount <= small.get(amt.currency, -1)
        and (f.get("buyer.orders_total") or 0) >= 5
        and refunds is not None
        and refunds <= 1
        and f.get("buyer.segment") != "watchlist"
        and not (fs is not None and fs > 0.3)
    ):
        return "small-refund-trusted-buyer"
    return "refund-to-tier1-queue"


AGREEMENT_CASES = 2000  # every reference is first checked to decide the same as caseflow on these


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=5)
    return ap.parse_args()


def engines_agree(py: Engine, du: Engine, cases: list[Case], facts: list[dict]) -> bool:
    """Both backends and the hand-written reference decide the same; a benchmark of wrong answers is worthless."""
    k = AGREEMENT_CASES
    for c, f in zip(cases[:k], facts[:k], strict=True):
        a1, a2, a3 = py.evaluate(c).rule_ids, du.evaluate(c).rule_ids, [hand_written(f)]
        if not (a1 == a2 == a3):
            print(f"DISAGREEMENT on {c.id}: python={a1} durable={a2} hand={a3}", file=sys.stderr)
            return False
    return True


def raw_durable_measures(du: Engine, facts: list[dict]) -> dict[str, tuple]:
    """Raw durable-rules: the same compiled patterns in a bare Host, asserting the same messages.

    Two measures: ``raw`` asserts messages prebuilt once (fresh ids each round, built outside the
    timing), ``raw_f`` builds each message from the facts inside the timing.
    """
    import durable.engine as de

    from caseflow.engine.backends.durable import _Host, pattern_from_tree
    from caseflow.engine.compiler import to_nnf

    cs = du._compiled  # the durable engine's compiled rules: raw gets exactly its patterns and messages
    message_of = du._backend._message
    hits: list[int] = []

    def mk(i):
        def act(c):
            hits.append(i)

        return act

    host = _Host()
    rules = {
        f"r{i}": {"all": [{"m": pattern_from_tree(to_nnf(r.tree, cs), lambda k: f"s{k}")}], "run": mk(i)}
        for i, r in enumerate(cs.policies[0].rules)
    }
    host.set_rulesets({"raw": rules})
    messages = []
    for n, f in enumerate(facts):
        m = message_of(GivenFacts(f), NOW)
        m["id"] = n
        m["sid"] = "raw"
        messages.append(m)

    def raw(m):
        try:
            host.assert_fact("raw", m)
        except de.MessageNotHandledException:
            pass
        host.retract_fact("raw", m)

    counter = [len(messages)]  # message ids stay unique across both measures and all rounds

    def raw_from_facts(f):
        m = message_of(f, NOW)
        counter[0] += 1
        m["id"] = counter[0]
        m["sid"] = "raw"
        raw(m)

    def fresh_messages():
        out = []
        for m in messages:
            counter[0] += 1
            out.append({**m, "id": counter[0]})
        return out

    given = [GivenFacts(f) for f in facts]
    return {"raw": (raw, fresh_messages), "raw_f": (raw_from_facts, given)}


def peer_measures(cases: list[Case], facts: list[dict]) -> list[tuple[str, Callable[[dict], str], list]] | None:
    """zen-engine and rule-engine on the same rules (bench/_peers.py), once checked to agree.

    ``[]`` when a peer is not installed, ``None`` when a peer disagrees with the hand-written reference.
    """
    try:
        from _peers import context, first_rule_engine, first_zen, rule_engine_rules, zen_rules

        contexts = [context(f, NOW) for f in facts]
        zr, rr = zen_rules(), rule_engine_rules()
        k = AGREEMENT_CASES
        for c, f, ctx in zip(cases[:k], facts[:k], contexts[:k], strict=True):
            if not (first_zen(zr, ctx) == first_rule_engine(rr, ctx) == hand_written(f)):
                print(f"DISAGREEMENT (peers) on {c.id}", file=sys.stderr)
                return None
        return [
            ("zen-engine, compiled expressions, same rules", lambda x: first_zen(zr, x), contexts),
            ("rule-engine, compiled rules, same rules", lambda x: first_rule_engine(rr, x), contexts),
        ]
    except ImportError as exc:
        print(f"peers not measured: {exc.name} is not installed (pip install -e '.[bench]')")
        return []


def ratio(times: dict[str, list[float]], fast: str, ref: str) -> str:
    """Median over rounds of (rate of ``fast`` / rate of ``ref``), and the range."""
    rs = sorted(t_ref / t_fast for t_fast, t_ref in zip(times[fast], times[ref], strict=True))
    return f"{statistics.median(rs):.2f}x (rounds {rs[0]:.2f}-{rs[-1]:.2f})"


def print_report(times: dict[str, list[float]], n: int, rule_count: int, rounds: int, peer_names: list[str]) -> None:
    """The rates (best round) of every measure, then the ratios the targets are stated in."""
    best = {k: n / min(v) for k, v in times.items()}
    r_py_e2e = best["py_e2e"]
    peer_rates = [(name, best[name]) for name in peer_names]
    print(f"cases: {n}  rules: {rule_count}  (python {sys.version.split()[0]})")
    print(f"rates: best of {rounds} interleaved rounds; ratios: median of the per-round ratios")
    rows: list[tuple[str, float]] = [
        ("Engine.evaluate(case), python backend", best["py_e2e"]),
        ("Engine.evaluate(case), durable backend", best["du_e2e"]),
        ("Engine.evaluate_facts(facts), python backend", best["py_f"]),
        ("Engine.evaluate_facts(facts), durable backend", best["du_f"]),
        ("raw durable-rules, prebuilt messages", best["raw"]),
        ("raw durable-rules, message built per case", best["raw_f"]),
        ("hand-written Python, same facts", best["hand"]),
    ] + peer_rates
    for name, r in rows:
        print(f"  {name:<48} {r:>12,.0f} cases/s")
    print("ratios:")
    print(
        f"  durable backend (no derivation) / raw, message per case:  {ratio(times, 'du_f', 'raw_f')}   (target >= 0.8)"
    )
    print(f"  durable backend (no derivation) / raw, prebuilt messages: {ratio(times, 'du_f', 'raw')}")
    print(
        f"  python backend (no derivation) / hand-written:            {ratio(times, 'py_f', 'hand')}   (target >= 0.3)"
    )
    for name, _ in peer_rates:
        print(f"  python backend (no derivation) / {name.split(',')[0]:<23} {ratio(times, 'py_f', name)}")
    print(f"  end to end from a Case, python backend:                   {r_py_e2e:,.0f} cases/s   (target >= 50,000)")


def main() -> int:
    a = parse_args()
    cases = make_cases(a.n, a.seed)
    ps = load_policies(ROOT / "rules" / "refunds.yaml")
    clock = FixedClock(NOW)
    py = Engine(ps, backend="python", clock=clock)
    du = Engine(ps, backend="durable", clock=clock)
    facts = [py.derive_facts(c) for c in cases]
    if not engines_agree(py, du, cases, facts):
        return 1
    raw = raw_durable_measures(du, facts)
    peers = peer_measures(cases, facts)
    if peers is None:
        return 1

    measures = {
        "py_e2e": (py.evaluate, cases),
        "du_e2e": (du.evaluate, cases),
        "py_f": (py.evaluate_facts, facts),
        "du_f": (du.evaluate_facts, facts),
        "raw": raw["raw"],
        "raw_f": raw["raw_f"],
        "hand": (hand_written, facts),
    }
    measures.update({name: (fn, data) for name, fn, data in peers})
    times = interleaved(measures, a.rounds)
    print_report(times, len(cases), ps.rule_count, a.rounds, [name for name, _, _ in peers])
    return 0


if __name__ == "__main__":
    sys.exit(main())
