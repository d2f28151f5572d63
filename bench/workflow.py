"""Transitions per second and memory per idle case, for 100,000 live cases.

    python bench/workflow.py [--cases 100000] [--events 100000] [--rounds 3]

Beside caseflow (``Workflows.handle``: guards, records, copy-on-write cases), the same run
measures bare ``transitions``: the shared machine driving slotted tokens (caseflow's
pattern without caseflow), and the classic one-machine-per-case usage. Each round: one event
per live case, the transitions of the tier-1 working cycle in equal shares (ask the customer,
resume work, ask another team, it replies, ask the customer, the customer replies), each by a
role allowed to.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

from transitions import Machine

from caseflow import Actor, Case, WorkflowEvent, Workflows

NOW = datetime(2026, 11, 11, 2, 0, tzinfo=UTC)
AGENT = Actor(id="agent", role="tier1_agent")
BUYER = Actor(id="buyer", role="buyer")
# tier 1's working cycle, from in_progress back to it: the agent asks the customer and resumes, asks
# another team which replies, asks the customer again who replies
CYCLE = ["ask_customer", "start_work", "ask_internal", "internal_replied", "ask_customer", "customer_replied"]
BEFORE = ["in_progress", "awaiting_customer", "in_progress", "awaiting_internal", "in_progress", "awaiting_customer"]
AFTER = BEFORE[1:] + BEFORE[:1]
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
    ap.add_argument("--events", type=int, default=100_000, help="events a round (at most one per live case)")
    ap.add_argument("--rounds", type=int, default=3)
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
    _, with_state = measure(
        lambda: [
            c.model_copy(update={"states": dict(c.states), "applied_events": list(c.applied_events)})
            for c in opened_small
        ]
    )
    _, without_state = measure(lambda: [c.model_copy() for c in opened_small])
    per_case_workflow = (with_state - without_state) / a.cases

    # triage everyone and start work, then walk case i (i mod 6) steps round the tier-1 cycle,
    # untimed, so that each timed pass fires the transitions of the cycle in equal shares, each by
    # a role that may fire it (the buyer replies, agents do the rest); round r fires step (i mod 6) + r
    live = [
        flows.handle(
            flows.handle(c, WorkflowEvent(id="t", trigger="triage", actor=AGENT, at=NOW)).case,
            WorkflowEvent(id="s", trigger="start_work", actor=AGENT, at=NOW),
        ).case
        for c in opened
    ]
    steps = len(CYCLE) + a.rounds
    events = [
        WorkflowEvent(
            id=f"e{k}",
            trigger=CYCLE[k % len(CYCLE)],
            at=NOW + timedelta(seconds=k),
            actor=BUYER if CYCLE[k % len(CYCLE)] == "customer_replied" else AGENT,
        )
        for k in range(steps)
    ]
    for i in range(len(live)):
        for k in range(i % len(CYCLE)):
            live[i] = flows.handle(live[i], events[k]).case
    n = min(a.events, len(live))

    # bare transitions, the same tier1 cycle: the shared machine moving slotted tokens in the same states
    class Token:
        __slots__ = ("state",)

        def __init__(self, state: str) -> None:
            self.state = state

    d = flows.definitions["tier1"]
    spec = [{"trigger": t.trigger, "source": [s for s in t.sources if s != "*"], "dest": t.dest} for t in d.transitions]
    shared = Machine(model=[], states=d.state_names, initial=d.initial, transitions=spec, auto_transitions=False)
    tokens = [Token(BEFORE[i % len(CYCLE)]) for i in range(n)]
    triggers = [shared.events[t] for t in CYCLE]

    # the machine is shared and noisy: the two sides take turns, a pass each per round; the
    # rates are the best pass, the ratio the median of the rounds' ratios
    ours: list[float] = []
    bare: list[float] = []
    for r in range(a.rounds):
        start = time.perf_counter()
        for i in range(n):
            live[i] = flows.handle(live[i], events[i % len(CYCLE) + r]).case
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        for i in range(n):
            triggers[(i + r) % len(CYCLE)].trigger(tokens[i])
        bare.append(time.perf_counter() - start)
        for i in range(n):  # both moved every case one step on
            want = AFTER[(i + r) % len(CYCLE)]
            assert live[i].states["tier1"] == want and tokens[i].state == want, "a transition did not happen"
    caseflow_rate, bare_rate = n / min(ours), n / min(bare)
    ratio = statistics.median(b / o for o, b in zip(ours, bare))

    # classic transitions: one Machine per case (measured on 10,000, scaled)
    m = min(10_000, a.cases)

    class Model:
        pass

    def classic():
        return [
            Machine(model=Model(), states=d.state_names, initial="triaged", transitions=spec, auto_transitions=False)
            for _ in range(m)
        ]

    _, classic_bytes = measure(classic)

    print(f"live cases: {a.cases:,}   events: {n:,} a round, {a.rounds} rounds   (python {sys.version.split()[0]})")
    print(f"  Workflows.handle                      {caseflow_rate:>10,.0f} transitions/s   (target >= 50,000)")
    print(
        f"  bare transitions, shared machine      {bare_rate:>10,.0f} transitions/s   (caseflow: {ratio:.2f}x, median of rounds)"
    )
    print(f"  memory per idle case, workflow state  {per_case_workflow:>10,.0f} bytes        (target <= 2,048)")
    print(f"  memory per idle case, whole Case      {per_case_total:>10,.0f} bytes")
    print(f"  classic transitions, machine per case {classic_bytes / m:>10,.0f} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
