"""SLA tracking: which targets apply, how each clock ran, which mark is due next, what firing it does.

Targets are policy rules (``sla_target`` actions in ``rules/sla/*.yaml``), chosen by conditions
on the case's facts with the policy's hit policy - so channel, priority, tier, segment,
region, tenant and peak seasons (rules on the ``now`` fact) all select targets the same way.
They are chosen on the case *as it is now*, at the time it was opened (so a season's target
stays the season's): when a fact that chooses a target changes (the priority is raised, the
case moves to tier 2), the target is chosen again and its due times are recomputed from the
clock's start and its recorded pauses, as the big helpdesks do.

A clock's life follows the workflow states in the case's audit records, in time order: it
starts on ``opened`` or on entering a state, pauses while the case is in a ``pause_in`` state,
resumes on leaving it, and stops on entering a ``stop_in`` state. Each cycle of a clock has its
marks, in the order they fall due: its warnings, ``breach:1``, then a breach level every
``escalate_every``. A mark is *recorded* once it has fired (its event id, :meth:`SlaTracker.mark_id`,
is among the case's applied events, or in the store's record of fired marks), and the next timer
of a running clock is always its first mark not recorded - even one that fell due while nobody
looked (after downtime it is due at once, and the marks fire one by one in due order).

A target with ``on_breach`` is a platform deadline: when it breaches, its trigger fires
(the seller has 48 hours to answer a return request or it is approved; the buyer has 7 days
to ship the return or it lapses).

A target with ``on_met`` has one more mark, ``met``, in each cycle that stops before its
target: it falls due at the stop, and the policies are asked with ``sla.met`` naming the metric
(``on_met: evaluate``) or a workflow trigger fires (``on_met: {workflow, trigger}``) - the
milestone reactions, such as "first response met: stop the reminders". A met mark is recorded
like the others, once, even when the next cycle has started by the time it fires.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from ..engine.engine import Engine
from ..errors import PolicyIssue, PolicyValidationError
from ..model.case import Case
from ..model.decision import Decision, DecisionAction
from ..model.events import Actor, AuditRecord, TriggerRef, WorkflowEvent
from ..policies.conditions import parse_duration
from .calendar import BusinessCalendar, load_calendars
from .marks import MARK_PREFIX, mark_data
from .stopwatch import Deadline, SlaClock, SlaStatus
from .timers import Timer, TimerPayload, TimerQueue

__all__ = ["SlaPlan", "SlaTracker", "TrackedClock", "cycle_us", "load_calendars"]

SYSTEM = Actor(id="sla", role="system")


@dataclass
class TrackedClock:
    clock: SlaClock  # the current cycle
    on_breach: TriggerRef | None  # the platform's trigger when the deadline passes
    rule: str  # policy/rule that chose the target
    history: list[SlaClock] = field(default_factory=list)  # earlier cycles of a repeating target
    calendar: str = ""  # the name of the calendar it is measured in
    key: str = ""  # case/metric/party: the one pending timer of the clock has this key
    on_met: TriggerRef | None = None  # the trigger when a cycle meets its target (see announce_met)
    announce_met: bool = False  # each cycle that meets its target has a ``met`` mark

    def status(self, at: datetime) -> SlaStatus:
        return self.clock.status(at)

    @property
    def cycles(self) -> list[SlaClock]:
        return [*self.history, self.clock]


class Step(NamedTuple):
    """A record that changed the case's workflow states, as the clocks read it."""

    at: datetime
    active: frozenset[str]  # 'workflow:state' active after it
    entered: frozenset[str]  # those just entered
    fired: frozenset[str]  # 'workflow.trigger' it fired, or 'opened'


class _Next(NamedTuple):
    """A clock's next timer, or ``None`` when it has nothing left to time (its key is cancelled)."""

    key: str
    timer: Timer | None


class SlaPlan(NamedTuple):
    """A case's clocks, the next timer of each (``None``: cancel its key), the facts that chose the
    targets, and the marks recorded so far (ids)."""

    clocks: list[TrackedClock]
    next: list[_Next]
    chosen_on: dict[str, str]
    recorded: set[str]

    @property
    def timers(self) -> list[Timer]:
        return [n.timer for n in self.next if n.timer is not None]


class _Targets(NamedTuple):
    targets: list[DecisionAction]
    chosen_on: dict[str, str]  # the facts the SLA policies read, as they were when the targets were chosen


_TargetParams = Mapping[str, Any]
"""An ``sla_target`` action's parameters, as :class:`caseflow.policies.actions.SlaTarget` validated them."""


def _timeline(records: Iterable[AuditRecord]) -> list[Step]:
    """For every record that changed the states, a :class:`Step`, in time order (events can be applied
    out of time order: a timer's event carries its due time) - computed once for all of a case's clocks."""
    out: list[Step] = []
    was: frozenset[str] = frozenset()
    moves = [r for r in records if r.kind == "opened" or r.changes.get("states") is not None]
    for r in sorted(moves, key=lambda r: r.at):  # stable: records of one instant keep their order
        new = r.changes.get("states")
        active = frozenset(f"{w}:{s}" for w, s in (new or {}).items())
        fired = frozenset({"opened"} if r.kind == "opened" else {f"{r.workflow}.{r.trigger}"})
        out.append(Step(r.at, active, active - was, fired))
        was = active
    return out


def cycle_us(at: datetime) -> int:
    """A cycle's identity: its start, in microseconds since the epoch."""
    return int(at.timestamp() * 1_000_000)


class SlaTracker:
    def __init__(self, engine: Engine, calendars: dict[str, BusinessCalendar]) -> None:
        self.engine = engine
        self.calendars = calendars
        self._target_cache: dict[tuple[datetime, str], _Targets] = {}
        named = (
            a.params["calendar"] for p in engine.policies for r in p.rules for a in r.then if a.type == "sla_target"
        )
        missing = sorted({c for c in named if isinstance(c, str) and c not in calendars})
        if missing:
            known = ", ".join(sorted(calendars))
            raise PolicyValidationError(
                [
                    PolicyIssue(
                        "<sla>", 1, 1, "calendar-unknown", f"sla_target names unknown calendar {m!r}; known: {known}"
                    )
                    for m in missing
                ]
            )
        self.version = self._version()

    def _version(self) -> str:
        """What the timers depend on: the SLA policies' versions and the calendars (a short digest)."""
        sla = sorted(
            f"{p.name}@{p.version}"
            for p in self.engine.policies
            if any(a.type == "sla_target" for r in p.rules for a in r.then)
        )
        # a calendar as defined (its holidays' years load lazily and must not change the version)
        cals = sorted(f"{n}|{c.tz}|{c.hours}|{c.always_open}|{c.country}" for n, c in self.calendars.items())
        digest = hashlib.sha256("\n".join(cals).encode()).hexdigest()[:12]
        return f"{','.join(sla)};calendars:{digest}"

    # -- clocks -----------------------------------------------------------------------------
    def clocks(self, case: Case, records: list[AuditRecord]) -> list[TrackedClock]:
        """Rebuild every clock of the case from its records, with the targets the case's facts choose now."""
        timeline = _timeline(records)
        if not timeline:
            return []
        opened_at = timeline[0].at
        out: list[TrackedClock] = []
        for a in self._targets(case, opened_at).targets:
            p = a.params
            cycles = self._cycles(p, case, timeline)
            ob, om = p.get("on_breach"), p.get("on_met")
            on_breach = TriggerRef(ob["workflow"], ob["trigger"]) if ob else None
            on_met = TriggerRef(om["workflow"], om["trigger"]) if isinstance(om, Mapping) else None
            key = f"{case.id}/{p['metric']}/{p.get('party', 'platform')}"
            rule = f"{a.policy}/{a.rule_id}"
            out.append(
                TrackedClock(
                    cycles[-1], on_breach, rule, cycles[:-1], cycles[-1].calendar.name, key, on_met, om is not None
                )
            )
        return out

    def chosen_on(self, case: Case, records: list[AuditRecord]) -> dict[str, str]:
        """The facts the SLA policies read, as the case has them now (what a target change is explained by)."""
        timeline = _timeline(records)
        return self._targets(case, timeline[0].at).chosen_on if timeline else {}

    def _targets(self, case: Case, opened_at: datetime) -> _Targets:
        """The sla_target actions the case's facts choose now, at its opening time (a peak season's
        target stays the season's); kept per distinct fact values, so a case evaluates once per change."""
        facts = self.engine.lazy_facts(case, at=opened_at)
        chosen_on = {n: repr(facts[n]) for n in self.engine.fact_names}
        key = (opened_at, repr(sorted(chosen_on.items())))
        got = self._target_cache.get(key)
        if got is None:
            decision = self.engine.evaluate_facts(facts, case_id=case.id, at=opened_at)
            got = self._keep(key, decision, chosen_on)
        return got

    def _keep(self, key: tuple[datetime, str], decision: Decision, chosen_on: dict[str, str]) -> _Targets:
        got = _Targets([a for a in decision.actions if a.type == "sla_target"], chosen_on)
        if len(self._target_cache) >= 10_000:
            self._target_cache.clear()
        self._target_cache[key] = got
        return got

    def prime(self, opened: AuditRecord, decision: Decision) -> None:
        """Kept for callers of earlier releases: targets are now chosen from the case's current facts
        (cached by their values), so an opening decision needs no priming."""

    def calendar(self, p: _TargetParams, case: Case) -> BusinessCalendar:
        """The calendar a target is measured in for this case: its ``calendar``, with the hours read in
        the zone its ``timezone`` names (``buyer``/``seller``: that party's ``timezone``, when the case has one)."""
        cal = self.calendars[p["calendar"]]
        zone = p.get("timezone")
        if zone in ("buyer", "seller"):
            party = case.buyer if zone == "buyer" else case.seller
            zone = None if party is None else party.timezone
        return cal if not zone else cal.in_zone(zone)

    def _new_clock(self, p: _TargetParams, case: Case) -> SlaClock:
        return SlaClock(
            metric=p["metric"],
            calendar=self.calendar(p, case),
            target_seconds=parse_duration(p["within"]),
            party=p.get("party", "platform"),
            warn_at=tuple(p.get("warn_at", [75])),
            escalate_every_seconds=parse_duration(p["escalate_every"]) if p.get("escalate_every") else None,
        )

    def _cycles(self, p: _TargetParams, case: Case, timeline: list[Step]) -> list[SlaClock]:
        """The clock's cycles from the timeline (one unless the target repeats)."""
        start, start_on = p.get("start", "opened"), set(p.get("start_on", []))
        stops, stop_on, pauses = set(p.get("stop_in", [])), set(p.get("stop_on", [])), set(p.get("pause_in", []))
        repeat = bool(p.get("repeat"))
        cycles = [self._new_clock(p, case)]
        for at, active, entered, fired in timeline:
            clock = cycles[-1]
            if clock.started_at is not None and clock.stopped_at is None and (active & stops or fired & stop_on):
                clock.stop(at)
            starts = (start == "opened" and "opened" in fired) or start in entered or bool(fired & start_on)
            if starts and (clock.started_at is None or (repeat and clock.stopped_at is not None)):
                if clock.started_at is not None:
                    clock = self._new_clock(p, case)
                    cycles.append(clock)
                clock.start(at)
                if p.get("deadline_from"):
                    due = case.deadlines.get(p["deadline_from"])
                    if due is not None:  # the due time comes from the case: the target is the business time until it
                        clock.target_seconds = max(clock.calendar.elapsed(at, due), 1.0)
            if clock.started_at is None or clock.stopped_at is not None:
                continue
            if active & stops:
                clock.stop(at)
            elif active & pauses:
                clock.pause(at, ", ".join(sorted(active & pauses)))
            else:
                clock.resume(at)
        return cycles

    # -- marks and timers -------------------------------------------------------------------
    @staticmethod
    def mark_id(case_id: str, clock: SlaClock, mark: str) -> str:
        """The identity of a mark of a clock cycle (the event id its timer fires with)."""
        assert clock.started_at is not None
        return f"{MARK_PREFIX}{case_id}:{clock.metric}:{clock.party}:{cycle_us(clock.started_at)}:{mark}"

    @staticmethod
    def recorded(case: Case) -> set[str]:
        """The marks the case's applied events recorded (the in-memory source; a store adds its own)."""
        return {e for e in case.applied_events if e.startswith(MARK_PREFIX)}

    def timers(
        self, case: Case, records: list[AuditRecord], now: datetime | None = None, fired: Collection[str] | None = None
    ) -> list[Timer]:
        """The next mark of every running clock of the case that is not recorded yet (``fired``: mark
        ids; default :meth:`recorded`). ``now`` is not needed: a mark that fell due is due at once."""
        return [n.timer for n in self._timers(case, records, fired) if n.timer is not None]

    def plan(self, case: Case, records: list[AuditRecord], fired: Collection[str] = ()) -> SlaPlan:
        """The case's clocks and every clock's next timer, computed once (what a store records)."""
        clocks = self.clocks(case, records)
        recorded = set(fired) | self.recorded(case)
        return SlaPlan(clocks, self._next(case, clocks, recorded), self.chosen_on(case, records), recorded)

    def _timers(self, case: Case, records: list[AuditRecord], fired: Collection[str] | None = None) -> list[_Next]:
        """Every clock's next timer, in the clocks' order (a key with none is cancelled)."""
        recorded = self.recorded(case) if fired is None else set(fired) | self.recorded(case)
        return self._next(case, self.clocks(case, records), recorded)

    def _next(self, case: Case, clocks: list[TrackedClock], recorded: set[str]) -> list[_Next]:
        out: list[_Next] = []
        for tc in clocks:
            nxt = self._next_of(case, tc, recorded)
            out.append(_Next(tc.key, None if nxt is None else self._timer(case, tc, *nxt)))
        return out

    def _next_of(self, case: Case, tc: TrackedClock, recorded: set[str]) -> tuple[SlaClock, Deadline] | None:
        """The clock's first mark not recorded, the earliest due over all its cycles: a warning or breach
        that fell due before a cycle stopped or paused and was never swept, a ``met`` mark of a cycle that
        stopped in time (when the target announces them), or the running cycle's next mark."""
        found: list[tuple[datetime, int, SlaClock, Deadline]] = []
        for i, cycle in enumerate(tc.cycles):
            if cycle.started_at is None:
                continue
            prefix = self.mark_id(case.id, cycle, "")
            done = {m[len(prefix) :] for m in recorded if m.startswith(prefix)}
            nxt = cycle.pending_mark(done)
            if nxt is not None:
                found.append((nxt.at, i, cycle, nxt))
            elif tc.announce_met and cycle.met and "met" not in done:
                assert cycle.stopped_at is not None
                found.append((cycle.stopped_at, i, cycle, Deadline(cycle.stopped_at, "met")))
        if not found:
            return None
        _, _, cycle, nxt = min(found, key=lambda f: (f[0], f[1]))
        return cycle, nxt

    def _timer(self, case: Case, tc: TrackedClock, clock: SlaClock, nxt: Deadline) -> Timer:
        kind = nxt.mark.split(":")[0]
        payload: TimerPayload = (
            ("metric", clock.metric),
            ("mark", nxt.mark),
            ("mark_id", self.mark_id(case.id, clock, nxt.mark)),
            ("rule", tc.rule),
        )
        then = tc.on_breach if nxt.mark == "breach:1" else tc.on_met if nxt.mark == "met" else None
        if then is not None:
            payload += (("workflow", then.workflow), ("trigger", then.trigger))
        return Timer(tc.key, nxt.at, case.id, kind, payload)

    def schedule(self, queue: TimerQueue, case: Case, records: list[AuditRecord], now: datetime | None = None) -> None:
        """Put the case's next timers on the queue, replacing its earlier ones and cancelling
        those of clocks that stopped, paused or have nothing left to time."""
        for n in self._timers(case, records):
            if n.timer is not None:
                queue.schedule(n.timer)
            else:
                queue.cancel(n.key)

    def event_for(self, timer: Timer) -> WorkflowEvent:
        """What firing a due timer does: a platform trigger, or an evaluation with the SLA mark on the
        case. Its id is the mark's, so a mark is applied once; it happens at the due time."""
        metric, mark = timer.get("metric"), timer.get("mark")
        if metric is None or mark is None:
            raise ValueError(f"timer {timer.key!r} is not an SLA timer: its payload has no metric and mark")
        eid = timer.get("mark_id") or f"{MARK_PREFIX}{timer.case_id}:{metric}:{mark}:{int(timer.due.timestamp())}"
        trigger = timer.get("trigger")
        if trigger:
            what = "target met" if mark == "met" else "deadline passed"
            return WorkflowEvent(
                id=eid,
                trigger=trigger,
                workflow=timer.get("workflow"),
                actor=SYSTEM,
                at=timer.due,
                reason=f"{metric}: {what} ({timer.get('rule')})",
                data=mark_data(metric, mark),
            )
        return WorkflowEvent(
            id=eid,
            trigger="evaluate",
            actor=SYSTEM,
            at=timer.due,
            reason=f"SLA {metric}: {mark.replace(':', ' ')}",
            data=mark_data(metric, mark),
        )
