"""The store's half of SLA tracking: one invariant, kept in the transaction of every change.

**Every running clock has exactly one pending timer, for its next mark not recorded yet (a
warning, a breach, a breach level of an escalation); a paused or stopped clock has none.**
:func:`replan` restores it for a case from its audit records and its recorded marks, in the
transaction that applies the case's events, fires one of its timers, or adopts new SLA
policies - so it holds whatever the order of events, the number of workers or the point of a
crash. With it, each case's clock cycles are recorded (``sla_clocks``: what reports count), a
target chosen again is written in the audit trail (``sla_retarget``: old target, new target and
the facts that changed), and timers recomputed for new policies too (``sla_recompute``: kept,
moved or cancelled). :func:`check` compares the stored timers with what the history says.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import NamedTuple

from ..model.case import Case
from ..model.events import SYSTEM, AuditRecord, RecordKind, make_record
from ..sla.timers import Timer
from ..sla.tracker import SlaPlan, SlaTracker, cycle_us
from .sql import ClockRow, StoredTimer, Tx, from_us, to_us

__all__ = ["TimerProblem", "check", "note_records", "replan"]


class TimerProblem(NamedTuple):
    """A case whose stored timers break the invariant: a running clock without its timer
    (``missing``), a timer no running clock needs (``extra``), one due at another time or for
    another mark (``moved``), or one scheduled by other SLA policies (``stale``)."""

    case_id: str
    key: str
    problem: str  # missing | extra | moved | stale
    detail: str


def replan(
    tx: Tx,
    tracker: SlaTracker,
    case: Case,
    records: list[AuditRecord],
    fired: Collection[str] | None = None,
    *,
    recompute: bool = False,
) -> list[str]:
    """Record the case's clock cycles and make its pending timers the plan's; return what the audit
    trail should say (targets chosen again; with ``recompute``, how the timers changed)."""
    plan = tracker.plan(case, records, tx.fired_marks(case.id) if fired is None else fired)
    before = tx.recorded_clocks(case.id)
    rows = _rows(case.id, plan, tracker.version)
    notes = _retargets(before, rows, plan.chosen_on)
    rows += _dropped(before, rows)
    if recompute:
        notes.append(_recomputed(tx.case_timers(case.id), plan.timers, tracker.version))
    tx.record_clocks(case.id, rows)
    tx.replace_timers(case.id, plan.timers, tracker.version)
    return notes


def note_records(
    tx: Tx, case: Case, notes: list[str], kind: RecordKind, event_id: str, at: datetime
) -> list[AuditRecord]:
    """The audit records of ``notes``, after the records the case's current version has."""
    seq = tx.next_seq(case.id, case.version)
    out = [
        make_record(case.id, case.version, seq + i, event_id, kind, at, "sla", SYSTEM, reason=note)
        for i, note in enumerate(notes)
    ]
    tx.add_records(out)
    return out


def check(tx: Tx, tracker: SlaTracker, case: Case, records: list[AuditRecord]) -> list[TimerProblem]:
    """How the case's stored timers differ from what its history and recorded marks call for."""
    plan = tracker.plan(case, records, tx.fired_marks(case.id))
    want = {t.key: t for t in plan.timers}
    have = {s.timer.key: s for s in tx.case_timers(case.id)}
    out: list[TimerProblem] = []
    for key, t in want.items():
        s = have.get(key)
        if s is None:
            out.append(TimerProblem(case.id, key, "missing", f"{t.get('mark')} due {t.due.isoformat()}"))
        elif (s.timer.due, s.timer.get("mark")) != (t.due, t.get("mark")):
            out.append(
                TimerProblem(
                    case.id,
                    key,
                    "moved",
                    f"{s.timer.get('mark')} at {s.timer.due.isoformat()}, "
                    f"should be {t.get('mark')} at {t.due.isoformat()}",
                )
            )
        elif s.policy_version != tracker.version:
            out.append(TimerProblem(case.id, key, "stale", f"scheduled by {s.policy_version or 'an unknown version'}"))
    for key, s in have.items():
        if key not in want:
            out.append(
                TimerProblem(
                    case.id,
                    key,
                    "extra",
                    f"{s.timer.get('mark')} due {s.timer.due.isoformat()}; no running clock needs it",
                )
            )
    return out


# -- recorded clocks ----------------------------------------------------------------------
def _rows(case_id: str, plan: SlaPlan, version: str) -> list[ClockRow]:
    chosen_on = json.dumps(plan.chosen_on, sort_keys=True)
    rows: list[ClockRow] = []
    for tc in plan.clocks:
        for clock in tc.cycles:
            if clock.started_at is None:
                continue
            prefix = SlaTracker.mark_id(case_id, clock, "breach:")
            levels = [int(m[len(prefix) :]) for m in plan.recorded if m.startswith(prefix)]
            state = "stopped" if clock.stopped_at is not None else "paused" if clock.paused else "running"
            due = clock.due_at() if state == "running" else None
            rows.append(
                ClockRow(
                    clock.metric,
                    clock.party,
                    cycle_us(clock.started_at),
                    tc.rule,
                    clock.target_seconds,
                    tc.calendar,
                    state,
                    None if due is None else to_us(due),
                    None if clock.stopped_at is None else to_us(clock.stopped_at),
                    max(levels, default=0),
                    version,
                    chosen_on,
                )
            )
    return rows


def _retargets(
    before: dict[tuple[str, str, int], ClockRow], rows: list[ClockRow], chosen_on: dict[str, str]
) -> list[str]:
    """A note for every cycle still counting whose target, rule or calendar changed."""
    notes = []
    for r in rows:
        old = before.get((r.metric, r.party, r.cycle_us))
        if (
            old is None
            or old.state in ("stopped", "dropped")
            or (old.rule, old.target_s, old.calendar) == (r.rule, r.target_s, r.calendar)
        ):
            continue
        why = _changed(json.loads(old.chosen_on), chosen_on)
        if not why and old.policy_version != r.policy_version:
            why = f"the SLA policies changed ({old.policy_version} -> {r.policy_version})"
        notes.append(
            f"{r.metric} ({r.party}): target {_duration(old.target_s)} by {old.rule} in {old.calendar} -> "
            f"{_duration(r.target_s)} by {r.rule} in {r.calendar}" + (f"; because {why}" if why else "")
        )
    return notes


def _dropped(before: dict[tuple[str, str, int], ClockRow], rows: list[ClockRow]) -> list[ClockRow]:
    """Cycles recorded before that no target chooses any more: kept, as dropped."""
    now = {(r.metric, r.party, r.cycle_us) for r in rows}
    return [r._replace(state="dropped", due_us=None) for k, r in before.items() if k not in now]


def _changed(old: dict[str, str], new: dict[str, str]) -> str:
    diffs = [f"{k} {old.get(k, 'missing')} -> {v}" for k, v in sorted(new.items()) if old.get(k) != v]
    return ", ".join(diffs)


def _recomputed(old: list[StoredTimer], new: list[Timer], version: str) -> str:
    """What adopting new SLA policies did to the case's pending timers: kept, moved, cancelled, added."""
    was = {s.timer.key: s for s in old}
    now = {t.key: t for t in new}
    parts = []
    for key in sorted(was.keys() | now.keys()):
        s, t = was.get(key), now.get(key)
        what = key.split("/", 1)[-1]
        if s is not None and t is None:
            parts.append(f"{what} {s.timer.get('mark')} cancelled")
        elif s is None and t is not None:
            parts.append(f"{what} {t.get('mark')} added, due {t.due.isoformat()}")
        elif s is not None and t is not None:
            same = (s.timer.due, s.timer.get("mark")) == (t.due, t.get("mark"))
            parts.append(
                f"{what} {t.get('mark')} kept"
                if same
                else f"{what} {s.timer.get('mark')} at {s.timer.due.isoformat()} moved to {t.get('mark')} at "
                f"{t.due.isoformat()}"
            )
    versions = sorted({s.policy_version or "an unknown version" for s in old})
    return f"timers recomputed for {version} (were {', '.join(versions) or 'none'}): " + ("; ".join(parts) or "none")


def _duration(seconds: float) -> str:
    return str(timedelta(seconds=round(seconds)))


def due_of(row: ClockRow) -> datetime | None:
    return None if row.due_us is None else from_us(row.due_us)
