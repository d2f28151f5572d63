"""Wall time of simulating 1,000,000 generated cases through two policy versions, beside one.

    python bench/simulate.py [--n 1000000] [--workers 2]

Generates the cases once (cached under the system temp folder by count, seed and generator version), writes a
version B of the refund policy that raises the small-refund limit, then times
``simulate_file`` (what ``caseflow simulate`` runs) with A alone and with A against B.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from caseflow.tools.generate import GENERATOR_VERSION, write_jsonl
from caseflow.tools.simulate import simulate_file

ROOT = Path(__file__).resolve().parent.parent
AT = "2026-11-11T10:00:00+08:00"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    tmp = Path(tempfile.gettempdir())
    cases = tmp / f"caseflow-bench-{a.n}-{a.seed}-g{GENERATOR_VERSION}.jsonl"
    if not cases.exists():
        t = time.perf_counter()
        with open(str(cases) + ".part", "w", encoding="utf-8") as f:
            write_jsonl(a.n, a.seed, f)
        os.replace(str(cases) + ".part", cases)
        print(f"generated {a.n:,} cases in {time.perf_counter() - t:.1f} s ({cases.stat().st_size / 2**20:.0f} MiB)")
    b = tmp / "caseflow-bench-b"
    b.mkdir(exist_ok=True)
    for f in ("refunds.yaml", "escalation.yaml", "disputes.yaml"):
        text = (ROOT / "rules" / f).read_text(encoding="utf-8")
        (b / f).write_text(text.replace("small_refund_cny: 200 CNY", "small_refund_cny: 300 CNY"), encoding="utf-8")

    t = time.perf_counter()
    one = simulate_file(cases, [ROOT / "rules"], at=AT, workers=a.workers)
    t_one = time.perf_counter() - t
    t = time.perf_counter()
    two = simulate_file(cases, [ROOT / "rules"], [b], at=AT, workers=a.workers)
    t_two = time.perf_counter() - t
    print(f"cases: {one.cases:,}   workers: {a.workers}   (python {sys.version.split()[0]})")
    print(f"  one policy version            {t_one:6.1f} s   ({one.cases / t_one:,.0f} cases/s)")
    print(f"  two versions compared         {t_two:6.1f} s   ({two.cases / t_two:,.0f} cases/s)   (target <= 60 s)")
    print(f"  decisions that differ         {two.changed:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
