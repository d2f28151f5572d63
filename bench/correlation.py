"""Events per second and memory of cross-case correlation over 1,000,000 events.

    python bench/correlation.py [--events 1000000]

Events cover 5,000 SKUs x 5 defects (plus one "hot" SKU taking 2 % of complaints, so quality
alerts fire), 200,000 buyers, 10 warehouses and 2,000 sellers, one
every two minutes of case time: 100k events span 139 days, past the longest window (90 days,
or 2 x 30 for the rising dispute rate), so from there on windows roll and keys expire. Throughput is timed
without tracemalloc; a second pass with tracemalloc reports the correlator's memory after
100k and 1M events (it must stay flat).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from caseflow.risk import Correlator, SignalEvent, load_detectors

RULES = Path(__file__).resolve().parent.parent / "rules" / "correlation.detectors.yaml"
T0 = datetime(2025, 1, 1, tzinfo=UTC)
KINDS = [
    "complaint",
    "complaint",
    "refund",
    "shipment",
    "shipment",
    "shipment",
    "misshipment",
    "order",
    "order",
    "dispute",
]


def events(n: int, seed: int = 11):
    rnd = random.Random(seed)
    for i in range(n):
        kind = KINDS[rnd.randrange(len(KINDS))]
        hot = kind == "complaint" and rnd.random() < 0.02  # one SKU with one recurring defect: quality alerts
        yield SignalEvent(
            kind=kind,
            at=T0 + timedelta(minutes=2 * i),
            keys={
                "sku": "SKU-HOT" if hot else f"SKU-{rnd.randrange(5000)}",
                "defect": "d0" if hot else f"d{rnd.randrange(5)}",
                "buyer": f"b{rnd.randrange(200_000)}",
                "warehouse": f"W{rnd.randrange(10)}",
                "cause": f"c{rnd.randrange(4)}",
                "seller": f"s{rnd.randrange(2000)}",
            },
            case_id=f"c{i}",
        )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000)
    a = ap.parse_args()
    detectors = load_detectors(RULES)

    # pass 1: throughput (event construction measured apart)
    t = time.perf_counter()
    for _ in events(a.events // 10):
        pass
    make_rate = (a.events // 10) / (time.perf_counter() - t)
    c = Correlator(detectors)
    alerts = 0
    spent = 0.0
    for e in events(a.events):
        s = time.perf_counter()
        alerts += len(c.observe(e))
        spent += time.perf_counter() - s
    rate = a.events / spent

    # pass 2: memory at checkpoints
    c = Correlator(detectors)
    tracemalloc.start()
    marks = {}
    for i, e in enumerate(events(a.events), start=1):
        c.observe(e)
        if i in (100_000, 500_000, a.events):
            current, peak = tracemalloc.get_traced_memory()
            marks[i] = (current, peak, c.key_count)
    tracemalloc.stop()

    print(f"events: {a.events:,}   alerts: {alerts:,}   (python {sys.version.split()[0]})")
    print(f"  Correlator.observe            {rate:>10,.0f} events/s")
    print(f"  making the events (reference) {make_rate:>10,.0f} events/s")
    for i, (cur, peak, keys) in sorted(marks.items()):
        print(f"  after {i:>9,} events: {cur / 2**20:7.1f} MiB held, peak {peak / 2**20:7.1f} MiB, {keys:,} keys")
    return 0


if __name__ == "__main__":
    sys.exit(main())
