"""Transitions per second and memory per idle case, for 100,000 live cases.

    python bench/workflow.py [--cases 100000]

Beside caseflow (``Workflows.handle``: guards, records, copy-on-write cases), the same run
measures bare ``transitions``: the shared machine driving slotted tokens (caseflow's
pattern without caseflow), and the classic one-machine-per-case usage.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from datetime import datetime, timedelta, timezone

from transitions import Machine

from caseflow import Actor, Case, WorkflowEvent, Workflows

NOW = datetime(2026, 11, 11, 2, 0, tzinfo=timezone.utc)
AGENT = Actor(id="agent", role="tier1_agent")
CYCLE = ["start_work", "ask_customer", "customer_replied", "ask_internal", "internal_replied"]  # tier1, from triaged
BASE = {"id": "c", "tenant": "t", "channel": "chat", "case_type": "inquiry", "created_at": NOW.isoformat()}


def live_cases(n: int) -> list[Case]:
    proto = Case.model_validate(BASE)
    return [proto.model_copy(update={"id": f"c{i}"}) for i in range(n)]


def measure(fn) -> tuple[object, int]:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    result = fn()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return result, after - before


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--events", type=int, default=100_000)
    a = ap.parse_args()
    flows = Workflows()
    opener = Actor(id="intake", role="system")

    cases = live_cases(a.cases)
    _, bare_cases_bytes = measure(lambda: live_cases(a.cases))

    def open_all():
        return [flows.open(c, actor=opener, at=NOW, evaluate=False).case for c in cases]

    opened, open_bytes = measure(open_all)
    per_case_total = (bare_cases_bytes + open_bytes) / a.cases
    # workflow state per idle case: what opening adds to a case (states, version, event ids)
    opened_small, _ = opened, None
    _, with_state = measure(lambda: [c.model_copy(update={"states": dict(c.states), "applied_events": list(c.applied_events)})
                                     for c in opened_small])
    _, without_state = measure(lambda: [c.model_copy() for c in opened_small])
    per_case_workflow = (with_state - without_state) / a.cases

    # triage everyone, then cycle events round-robin over the live cases
    live = [flows.handle(c, WorkflowEvent(id="t", trigger="triage", actor=AGENT, at=NOW)).case for c in opened]
    n = min(a.events, 10 * len(live))
    events = [WorkflowEvent(id=f"e{k}", trigger=CYCLE[k % len(CYCLE)], actor=AGENT, at=NOW + timedelta(seconds=k))
              for k in range(len(CYCLE))]
    start = time.perf_counter()
    done = 0
    k = 0
    while done < n:
        for i in range(len(live)):
            if done >= n:
                break
            live[i] = flows.handle(live[i], events[k]).case
            done += 1
        k = (k + 1) % len(CYCLE)
    caseflow_rate = done / (time.perf_counter() - start)

    # bare transitions, the same tier1 cycle, shared machine + slotted tokens
    class Token:
        __slots__ = ("state",)

        def __init__(self, state: str) -> None:
            self.state = state

    d = flows.definitions["tier1"]
    spec = [{"trigger": t.trigger, "source": [s for s in t.sources if s != "*"], "dest": t.dest} for t in d.transitions]
    shared = Machine(model=[], states=d.state_names, initial=d.initial, transitions=spec, auto_transitions=False)
    tokens = [Token("triaged") for _ in range(len(live))]
    start = time.perf_counter()
    done = 0
    k = 0
    while done < n:
        ev = shared.events[CYCLE[k]]
        for tok in tokens:
            if done >= n:
                break
            ev.trigger(tok)
            done += 1
        k = (k + 1) % len(CYCLE)
    bare_rate = done / (time.perf_counter() - start)

    # classic transitions: one Machine per case (measured on 10,000, scaled)
    m = min(10_000, a.cases)

    class Model:
        pass

    def classic():
        return [Machine(model=Model(), states=d.state_names, initial="triaged", transitions=spec, auto_transitions=False)
                for _ in range(m)]

    _, classic_bytes = measure(classic)

    print(f"live cases: {a.cases:,}   events: {n:,}   (python {sys.version.split()[0]})")
    print(f"  Workflows.handle                      {caseflow_rate:>10,.0f} transitions/s")
    print(f"  bare transitions, shared machine      {bare_rate:>10,.0f} transitions/s   (caseflow: {caseflow_rate / bare_rate:.2f}x)")
    print(f"  memory per idle case, workflow state  {per_case_workflow:>10,.0f} bytes        (target <= 2,048)")
    print(f"  memory per idle case, whole Case      {per_case_total:>10,.0f} bytes")
    print(f"  classic transitions, machine per case {classic_bytes / m:>10,.0f} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
