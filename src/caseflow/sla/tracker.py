"""SLA tracking: which targets apply, how each clock ran, which timers are due, what firing one does.

Targets are policy rules (``sla_target`` actions in ``rules/sla.yaml``), chosen by conditions
on the case's facts with the policy's hit policy - so channel, priority, tier, segment,
region, tenant and peak seasons (rules on the ``now`` fact) all select targets the same way.
A clock's life follows the workflow states in the case's audit records: it starts on
``opened`` or on entering a state, pauses while the case is in a ``pause_in`` state, resumes on
leaving it, and stops on entering a ``stop_in`` state. Because clocks are rebuilt from the
records, changing the SLA policy and calling :meth:`SlaTracker.clocks` again recomputes open
cases from their history: no breach is unexplained.

A target with ``on_breach`` is a platform deadline: when it breaches, its trigger fires
(the seller has 48 hours to answer a return request or it is approved; the buyer has 7 days
to ship the return or it lapses).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from pydantic_core import to_json

from ..engine.engine import Engine
from ..errors import PolicyIssue, PolicyValidationError
from ..model.case import Case
from ..model.decision import Decision, DecisionAction
from ..model.events import Actor, AuditRecord, TriggerRef, WorkflowEvent
from ..policies.conditions import parse_duration
from .calendar import BusinessCalendar, load_calendars
from .marks import mark_data
from .stopwatch import SlaClock, SlaStatus
from .timers import Timer, TimerPayload, TimerQueue

__all__ = ["SlaTracker", "TrackedClock", "load_calendars"]

SYSTEM = Actor(id="sla", role="system")


@dataclass
class TrackedClock:
    clock: SlaClock  # the current cycle
    on_breach: TriggerRef | None  # the platform's trigger when the deadline passes
    rule: str  # policy/rule that chose the target
    history: list[SlaClock] = field(default_factory=list)  # earlier cycles of a repeating target

    def status(self, at: datetime) -> SlaStatus:
        return self.clock.status(at)


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


_TargetKey = tuple[datetime, bytes | str]  # the opening time and the opening snapshot's JSON

_TargetParams = Mapping[str, Any]
"""An ``sla_target`` action's parameters, as :class:`caseflow.policies.actions.SlaTarget` validated them."""


def _timeline(records: Iterable[AuditRecord]) -> list[Step]:
    """For every record that changed the states, a :class:`Step` - computed once for all of a case's clocks."""
    out: list[Step] = []
    was: frozenset[str] = frozenset()
    for r in records:
        new = r.changes.get("states")
        if r.kind == "opened" or new is not None:
            active = frozenset(f"{w}:{s}" for w, s in (new or {}).items())
            fired = frozenset({"opened"} if r.kind == "opened" else {f"{r.workflow}.{r.trigger}"})
            out.append(Step(r.at, active, active - was, fired))
            was = active
    return out


class SlaTracker:
    def __init__(self, engine: Engine, calendars: dict[str, BusinessCalendar]) -> None:
        self.engine = engine
        self.calendars = calendars
        self._target_cache: dict[_TargetKey, list[DecisionAction]] = {}
        named = (
            a.params["calendar"] for p in engine.policies for r in p.rules for a in r.then if a.type == "sla_target"
        )
        missing = sorted({c for c in named if isinstance(c, str) and c not in calendars})
        if missing:
            raise PolicyValidationError(
                [
                    PolicyIssue(
                        "<sla>",
                        1,
                        1,
                        "calendar-unknown",
                        f"sla_target names unknown calendar {m!r}; known: {', '.join(sorted(calendars))}",
                    )
                    for m in missing
                ]
            )

    def clocks(self, case: Case, records: list[AuditRecord]) -> list[TrackedClock]:
        """Rebuild every clock of the case from its records (targets chosen when it was opened)."""
        timeline = _timeline(records)
        if not timeline:
            return []
        opened_at = timeline[0].at
        # targets are chosen on the case as it was opened (its 'opened' record), not as it is now:
        # a breach that raised the priority must not move the goalposts
        first = next((r for r in records if r.kind == "opened"), None)
        out: list[TrackedClock] = []
        for a in self._targets(case, first, opened_at):
            p = a.params
            cycles = self._cycles(p, case, timeline)
            ob = p.get("on_breach")
            on_breach = TriggerRef(ob["workflow"], ob["trigger"]) if ob else None
            out.append(TrackedClock(cycles[-1], on_breach, f"{a.policy}/{a.rule_id}", cycles[:-1]))
        return out

    def _targets(self, case: Case, first: AuditRecord | None, opened_at: datetime) -> list[DecisionAction]:
        """The sla_target actions chosen for the case as opened; the same for every call with the
        same opening, so they are kept (a new tracker, with changed policies, recomputes them)."""
        key = self._key(case, first, opened_at)
        targets = self._target_cache.get(key)
        if targets is None:
            as_opened = Case.model_validate(first.changes) if first is not None else case
            decision = self.engine.evaluate(as_opened, at=opened_at)
            targets = self._keep(key, decision)
        return targets

    @staticmethod
    def _key(case: Case | None, first: AuditRecord | None, opened_at: datetime) -> _TargetKey:
        # keyed on the opening snapshot itself: an id can be reused, the content cannot lie
        return (opened_at, to_json(first.changes) if first is not None else case.model_dump_json() if case else "")

    def _keep(self, key: _TargetKey, decision: Decision) -> list[DecisionAction]:
        targets = [a for a in decision.actions if a.type == "sla_target"]
        if len(self._target_cache) >= 10_000:
            self._target_cache.clear()
        self._target_cache[key] = targets
        return targets

    def prime(self, opened: AuditRecord, decision: Decision) -> None:
        """Remember the targets of a case from the decision taken on it as it was opened
        (``Workflows.open`` with the tracker's own engine), instead of evaluating it again."""
        if opened.kind == "opened" and decision.evaluated_at == opened.at:
            self._keep(self._key(None, opened, opened.at), decision)

    def _new_clock(self, p: _TargetParams, case: Case) -> SlaClock:
        return SlaClock(
            metric=p["metric"],
            calendar=self.calendars[p["calendar"]],
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

    def timers(self, case: Case, records: list[AuditRecord], now: datetime) -> list[Timer]:
        """The next warning or breach of every running clock of the case."""
        return [n.timer for n in self._timers(case, records, now) if n.timer is not None]

    def _timers(self, case: Case, records: list[AuditRecord], now: datetime) -> list[_Next]:
        """Every clock's next timer, in the clocks' order (a key with none is cancelled)."""
        out: list[_Next] = []
        for tc in self.clocks(case, records):
            key = f"{case.id}/{tc.clock.metric}/{tc.clock.party}"
            nxt = tc.clock.next_deadline(now)
            if nxt is None:
                out.append(_Next(key, None))
                continue
            kind = nxt.mark.split(":")[0]
            payload: TimerPayload = (("metric", tc.clock.metric), ("mark", nxt.mark), ("rule", tc.rule))
            if tc.on_breach and nxt.mark == "breach:1":
                payload += (("workflow", tc.on_breach.workflow), ("trigger", tc.on_breach.trigger))
            out.append(_Next(key, Timer(key, nxt.at, case.id, kind, payload)))
        return out

    def schedule(self, queue: TimerQueue, case: Case, records: list[AuditRecord], now: datetime) -> None:
        """Put the case's next timers on the queue, replacing its earlier ones and cancelling
        those of clocks that stopped or paused."""
        for n in self._timers(case, records, now):
            if n.timer is not None:
                queue.schedule(n.timer)
            else:
                queue.cancel(n.key)

    def event_for(self, timer: Timer) -> WorkflowEvent:
        """What firing a due timer does: a platform trigger, or an evaluation with the SLA status on the case."""
        metric, mark = timer.get("metric"), timer.get("mark")
        if metric is None or mark is None:
            raise ValueError(f"timer {timer.key!r} is not an SLA timer: its payload has no metric and mark")
        eid = f"sla:{timer.case_id}:{metric}:{mark}:{int(timer.due.timestamp())}"
        trigger = timer.get("trigger")
        if trigger:
            return WorkflowEvent(
                id=eid,
                trigger=trigger,
                workflow=timer.get("workflow"),
                actor=SYSTEM,
                at=timer.due,
                reason=f"deadline {metric} passed ({timer.get('rule')})",
                data=mark_data(metric, "breach:1"),
            )
        return WorkflowEvent(
            id=eid,
            trigger="evaluate",
            actor=SYSTEM,
            at=timer.due,
            reason=f"SLA {metric}: {mark.replace(':', ' ')}",
            data=mark_data(metric, mark),
        )
