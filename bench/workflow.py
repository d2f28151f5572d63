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

from caseflow import Actor, Case, WorkflowDefinition, WorkflowEvent, Workflows

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


class Token:
    """What the shared machine moves in the bare-transitions measure: a slotted state, nothing else."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


class Model:
    """The model of the classic usage, one Machine per case."""


def open_cases(flows: Workflows, n: int) -> tuple[list[Case], float, float]:
    """Open ``n`` live cases; returns them, the memory per idle case (whole Case), and its workflow state alone."""
    opener = Actor(id="intake", role="system")
    cases = live_cases(n)
    _, bare_cases_bytes = measure(lambda: live_cases(n))

    def open_all():
        return [flows.open(c, actor=opener, at=NOW, evaluate=False).case for c in cases]

    opened, open_bytes = measure(open_all)
    per_case_total = (bare_cases_bytes + open_bytes) / n
    # workflow state per idle case: what opening adds to a case (states, version, event ids)
    _, with_state = measure(
        lambda: [
            c.model_copy(update={"states": dict(c.states), "applied_events": list(c.applied_events)}) for c in opened
        ]
    )
    _, without_state = measure(lambda: [c.model_copy() for c in opened])
    per_case_workflow = (with_state - without_state) / n
    return opened, per_case_total, per_case_workflow


def walk_into_cycle(flows: Workflows, opened: list[Case], rounds: int) -> tuple[list[Case], list[WorkflowEvent]]:
    """Triage everyone and start work, then walk case i (i mod 6) steps round the tier-1 cycle, untimed.

    Each timed pass then fires the transitions of the cycle in equal shares, each by a role that
    may fire it (the buyer replies, agents do the rest); round r fires step (i mod 6) + r.
    Returns the live cases and the events of the cycle's steps.
    """
    live = [
        flows.handle(
            flows.handle(c, WorkflowEvent(id="t", trigger="triage", actor=AGENT, at=NOW)).case,
            WorkflowEvent(id="s", trigger="start_work", actor=AGENT, at=NOW),
        ).case
        for c in opened
    ]
    steps = len(CYCLE) + rounds
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
    return live, events


def transition_spec(d: WorkflowDefinition) -> list[dict]:
    """The workflow's transitions as a ``transitions`` table (wildcard sources left out)."""
    return [{"trigger": t.trigger, "source": [s for s in t.sources if s != "*"], "dest": t.dest} for t in d.transitions]


def shared_machine(d: WorkflowDefinition, spec: list[dict], n: int) -> tuple[list[Token], list]:
    """Bare transitions on the same tier1 cycle: one shared machine, ``n`` slotted tokens in the live cases' states.

    Returns the tokens and the machine's events of the cycle's steps.
    """
    shared = Machine(model=[], states=d.state_names, initial=d.initial, transitions=spec, auto_transitions=False)
    tokens = [Token(BEFORE[i % len(CYCLE)]) for i in range(n)]
    triggers = [shared.events[t] for t in CYCLE]
    return tokens, triggers


def timed_rounds(
    flows: Workflows,
    live: list[Case],
    events: list[WorkflowEvent],
    tokens: list[Token],
    triggers: list,
    n: int,
    rounds: int,
) -> tuple[list[float], list[float]]:
    """Seconds per round for caseflow and for the bare machine, each moving ``n`` cases one step.

    The machine is shared and noisy: the two sides take turns, a pass each per round.
    """
    ours: list[float] = []
    bare: list[float] = []
    for r in range(rounds):
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
    return ours, bare


def classic_machine_bytes(d: WorkflowDefinition, spec: list[dict], m: int) -> int:
    """Memory of ``m`` cases the classic way: one Machine per case."""

    def classic():
        return [
            Machine(model=Model(), states=d.state_names, initial="triaged", transitions=spec, auto_transitions=False)
            for _ in range(m)
        ]

    _, classic_bytes = measure(classic)
    return classic_bytes


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--events", type=int, default=100_000, help="events a round (at most one per live case)")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    flows = Workflows()

    opened, per_case_total, per_case_workflow = open_cases(flows, a.cases)
    live, events = walk_into_cycle(flows, opened, a.rounds)
    n = min(a.events, len(live))

    d = flows.definitions["tier1"]
    spec = transition_spec(d)
    tokens, triggers = shared_machine(d, spec, n)
    # the rates are the best pass, the ratio the median of the rounds' ratios
    ours, bare = timed_rounds(flows, live, events, tokens, triggers, n, a.rounds)
    caseflow_rate, bare_rate = n / min(ours), n / min(bare)
    ratio = statistics.median(b / o for o, b in zip(ours, bare, strict=True))

    # classic transitions: one Machine per case (measured on 10,000, scaled)
    m = min(10_000, a.cases)
    classic_bytes = classic_machine_bytes(d, spec, m)

    print(f"live cases: {a.cases:,}   events: {n:,} a round, {a.rounds} rounds   (python {sys.version.split()[0]})")
    print(f"  Workflows.handle                      {caseflow_rate:>10,.0f} transitions/s   (target >= 50,000)")
    print(
        f"  bare transitions, shared machine      {bare_rate:>10,.0f} transitions/s   "
        f"(caseflow: {ratio:.2f}x, median of rounds)"
    )
    print(f"  memory per idle case, workflow state  {per_case_workflow:>10,.0f} bytes        (target <= 2,048)")
    print(f"  memory per idle case, whole Case      {per_case_total:>10,.0f} bytes")
    print(f"  classic transitions, machine per case {classic_bytes / m:>10,.0f} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
