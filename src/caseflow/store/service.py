"""Cases that survive restarts: the workflows over a store, with an inbox, an outbox and timers.

::

    store = open_store("sqlite:///cases.db", upgrade=True)
    svc = CaseService(store, Workflows(engine=engine), tracker=tracker, clock=clock)

    svc.open(case, actor=intake)                   # direct: applied and committed now
    svc.handle(case.id, event)                     # direct, optimistic concurrency with retry

    svc.submit(case.id, event)                     # queued: any worker process applies it, in order
    svc.work()                                     # apply pending events (one transaction per batch)
    svc.fire_timers()                              # due SLA and platform timers become events
    svc.relay(pay_or_send)                         # side effects leave after commit, at least once

Every event is applied in one transaction that writes the new case (checked against its
version), its audit records, its outbox messages, its next timers and the event id; so an
event is applied once (its id is remembered across processes), and a crash at any point
leaves either all of it or none of it. Events of one case are applied in the order they
were submitted; an event that cannot be applied (a refused transition, say) is kept whole
among the failed events with its error and does not block the case.
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple, TypeVar

from ..clock import Clock, SystemClock
from ..errors import CaseflowError, ConcurrencyError, StoreError
from ..logging import LoggerLike, get_logger
from ..model.case import Case
from ..model.events import Actor, AuditRecord, WorkflowEvent
from ..sla.timers import Timer
from ..sla.tracker import SlaTracker
from ..states.runtime import Outcome, Workflows
from .clocks import TimerProblem, check, note_records, replan
from .effects import Effects, OutboxMessage, default_effects
from .sql import Conflict, EventEffect, InboxItem, OpenCommand, ProcessedEvent, Store, Tx, event_id_taken

__all__ = ["CaseService", "EventError", "WorkReport"]

T = TypeVar("T")


class EventError(NamedTuple):
    """An event :meth:`CaseService.work` could not apply (kept among the store's failed events)."""

    event_id: str
    case_id: str
    code: str  # the error's code, e.g. transition-not-allowed
    message: str


@dataclass
class WorkReport:
    """What one :meth:`CaseService.work` call did."""

    applied: int = 0
    duplicates: int = 0
    failed: int = 0
    cases: int = 0
    errors: list[EventError] = field(default_factory=list)

    @property
    def events(self) -> int:
        return self.applied + self.duplicates + self.failed


class _CaseRun:
    """One case inside one transaction: read once, changed by any number of events, written once
    with all their audit records, outbox messages and event ids."""

    def __init__(self, tx: Tx, case_id: str, event_ids: list[str]) -> None:
        self.tx, self.case_id = tx, case_id
        self.case: Case | None = None
        self.loaded = False
        self.is_new = False
        self.stored_version: int | None = None
        self.dirty = False
        self.records: list[AuditRecord] | None = None  # the case's history, read when the SLA tracker needs it
        self.owners = tx.processed_cases(event_ids)  # event ids processed before: the case each was for
        self.done = set(self.owners)  # event ids applied (or failed) before, or earlier in this run
        self.new_records: list[AuditRecord] = []
        self.effects: list[EventEffect] = []
        self.processed: list[ProcessedEvent] = []

    def load(self) -> Case | None:
        if not self.loaded:
            self.case = self.tx.get_case(self.case_id)
            self.stored_version = None if self.case is None else self.case.version
            self.loaded = True
        return self.case

    def opened(self, case: Case) -> None:
        self.case, self.is_new, self.dirty, self.records = case, True, True, []

    def changed(self, case: Case) -> None:
        self.case, self.dirty = case, True

    def history(self) -> list[AuditRecord]:
        if self.records is None:
            self.records = self.tx.records(self.case_id, moves_only=True)  # committed ones: this run's come after
        return self.records

    def mark(self, event_id: str, version: int | None, error: str | None = None, body: str | None = None) -> None:
        self.done.add(event_id)
        self.processed.append(ProcessedEvent(event_id, self.case_id, version, error, body))

    def save(self) -> None:
        """Write the case (checked against the version read), then the rest, in one go."""
        if self.dirty and self.case is not None:
            if self.is_new:
                if not self.tx.insert_case(self.case):
                    raise Conflict(self.case_id)  # opened by someone else meanwhile: retried, then a duplicate
            else:
                assert self.stored_version is not None
                self.tx.update_case(self.case, self.stored_version)
            self.dirty = False
        self.tx.add_records(self.new_records)
        self.tx.add_effects(self.effects)
        self.tx.mark_processed(self.processed)


class _Failed(Exception):
    """Internal: this event cannot be applied (kept among the failed events)."""


class CaseService:
    """Apply events to stored cases through the workflows; see the module docs."""

    def __init__(
        self,
        store: Store,
        workflows: Workflows,
        *,
        tracker: SlaTracker | None = None,
        effects: Effects | None = None,
        clock: Clock | None = None,
        logger: logging.Logger | LoggerLike | None = None,
        retries: int = 12,
        worker_id: str | None = None,
        batch_cases: int = 20,
        events_per_case: int = 100,
        lock_cases: bool = True,
        reconnect_seconds: float = 60.0,
    ) -> None:
        if not isinstance(store, Store):
            raise StoreError(
                f"CaseService needs a store from caseflow.open_store(URL), not {type(store).__name__}",
                code="service-bad-argument",
            )
        if not isinstance(workflows, Workflows):
            raise StoreError(
                f"CaseService needs a Workflows, not {type(workflows).__name__}", code="service-bad-argument"
            )
        self.store = store
        self.workflows = workflows
        self.tracker = tracker
        self.effects = effects if effects is not None else default_effects()
        self.clock = clock or SystemClock()
        self.log = get_logger(logger)
        self.retries = retries
        self.worker_id = worker_id or f"pid-{os.getpid()}"
        self.batch_cases = batch_cases
        self.lock_cases = lock_cases
        self.reconnect_seconds = reconnect_seconds
        self.events_per_case = events_per_case

    # -- direct ----------------------------------------------------------------------------
    def open(self, case: Case, *, actor: Actor, at: datetime | None = None, event_id: str | None = None) -> Outcome:
        """Open ``case`` in its workflows and store it, in one transaction."""
        _check(case=case, actor=actor)
        item = InboxItem(0, case.id, event_id or f"open:{case.id}", case=case, actor=actor, at=at or self.clock.now())
        return self._direct(case.id, item)

    def handle(self, case_id: str, event: WorkflowEvent) -> Outcome:
        """Apply ``event`` to the stored case now.

        The write is checked against the version read (optimistic concurrency) and retried
        when another writer got there first. With ``lock_cases`` (the default) the case is also
        held for the transaction, as the queue workers hold it, so that on PostgreSQL a hot
        case makes writers wait their turn instead of redoing their work; ``lock_cases=False``
        relies on the version check alone. Raises what :meth:`Workflows.handle` raises (nothing
        is stored then), :class:`StoreError` for an unknown case, :class:`ConcurrencyError` after
        ``retries`` conflicts."""
        _check(event=event)
        return self._direct(case_id, InboxItem(0, case_id, event.id, event=event))

    def _direct(self, case_id: str, item: InboxItem) -> Outcome:
        def once() -> Outcome:
            with self.store.transaction() as tx:
                if self.lock_cases:
                    tx.lock_case(case_id)
                owner = tx.event_owner(item.event_id)  # processed, or queued for another case
                if owner is not None and owner != case_id:
                    raise event_id_taken(item.event_id, case_id, owner)
                run = _CaseRun(tx, case_id, [item.event_id])
                out = self._apply(run, item, raise_errors=True)
                run.save()
                self._schedule(run)
                return out

        return self._retrying(once, case_id, item.event_id)

    def _retrying(self, once: Callable[[], T], case_id: str = "<batch>", event_id: str | None = None) -> T:
        """Run ``once`` (one transaction) again after a conflict (up to ``retries`` times) or while the
        database is unavailable (for up to ``reconnect_seconds``, reconnecting): every attempt that
        failed was rolled back, and an attempt that did commit before its connection was lost
        becomes a duplicate when replayed (event ids are taken once), never a second application."""
        conflicts, attempt, outage = 0, 0, None
        while True:
            attempt += 1
            try:
                return once()
            except Exception as e:
                if _unavailable(e):
                    outage = outage if outage is not None else time.monotonic()
                    if time.monotonic() - outage > self.reconnect_seconds:
                        raise
                    self.log.warning("store.unavailable", worker=self.worker_id, attempt=attempt, error=str(e))
                    _backoff(min(attempt, 8))
                    continue
                if not _retryable(e):
                    raise
                conflicts += 1
                if conflicts >= self.retries:
                    raise ConcurrencyError(case_id, self.retries) from None
                self.log.info("case.conflict", case_id=case_id, event_id=event_id, attempt=conflicts)
                _backoff(conflicts)

    # -- queued ----------------------------------------------------------------------------
    def submit(self, case_id: str, event: WorkflowEvent) -> bool:
        """Queue ``event`` for ``case_id``; False when this case's event with this id is queued or applied
        already; a StoreError (``store-event-id-reused``) when another case's event took the id."""
        return self.submit_many([(case_id, event)]) == 1

    def submit_open(self, case: Case, *, actor: Actor, at: datetime | None = None, event_id: str | None = None) -> bool:
        """Queue the opening of ``case`` (its later events may be queued right after)."""
        _check(case=case, actor=actor)
        cmd = OpenCommand(event_id=event_id or f"open:{case.id}", case=case, actor=actor, at=at or self.clock.now())
        return self._enqueue([(case.id, cmd)]) == 1

    def submit_many(self, items: Iterable[tuple[str, WorkflowEvent]]) -> int:
        """Queue many (case id, event) pairs in one transaction; returns how many were new."""
        items = list(items)
        for _, event in items:
            _check(event=event)
        return self._enqueue(items)

    def _enqueue(self, items: Sequence[tuple[str, WorkflowEvent | OpenCommand]]) -> int:
        def once() -> int:
            with self.store.transaction() as tx:
                return tx.enqueue(items)

        return self._retrying(once)  # an id queued by a commit whose answer was lost is not queued twice

    def work(self, *, max_cases: int | None = None) -> WorkReport:
        """Apply the pending events of up to ``max_cases`` cases no other worker holds, in one
        transaction; returns what was done (``report.events == 0``: nothing was pending here)."""
        limit = max_cases or self.batch_cases

        def once() -> WorkReport:  # a direct handle() changed a claimed case: the batch is retried whole
            report = WorkReport()
            with self.store.transaction() as tx:
                for case_id in tx.claim_cases(limit):
                    report.cases += 1
                    self._work_case(tx, case_id, report)
            return report

        report = self._retrying(once)
        # logged after the commit: a blocked log stream must never hold the database's locks
        for event_id, case_id, code, error in report.errors:
            self.log.warning("event.failed", event_id=event_id, case_id=case_id, code=code, error=error)
        if report.events:
            self.log.debug(
                "work.batch",
                worker=self.worker_id,
                cases=report.cases,
                applied=report.applied,
                duplicates=report.duplicates,
                failed=report.failed,
            )
        return report

    def _work_case(self, tx: Tx, case_id: str, report: WorkReport) -> None:
        items = tx.pending(case_id, self.events_per_case)
        run = _CaseRun(tx, case_id, [i.event_id for i in items])
        for item in items:
            try:
                out = self._apply(run, item, raise_errors=False)
            except _Failed as e:
                report.failed += 1
                report.errors.append(EventError(item.event_id, item.case_id, e.args[0], e.args[1]))
                continue
            if out.duplicate:
                report.duplicates += 1
            else:
                report.applied += 1
        if items:
            tx.done(case_id, items[-1].seq)
        run.save()  # the case is read once and written once, however many of its events were applied
        self._schedule(run)

    def _apply(self, run: _CaseRun, item: InboxItem, *, raise_errors: bool) -> Outcome:
        """Apply one opening or event of ``run``'s case inside its transaction: audit records,
        outbox and event id now; the case itself when the run is saved."""
        owner = run.owners.get(item.event_id, item.case_id)
        if owner != item.case_id:  # another case's event had this id: refused, never a silent duplicate
            error = event_id_taken(item.event_id, item.case_id, owner)
            if raise_errors:
                raise error
            raise _Failed(error.code, str(error))
        if item.event_id in run.done:
            case = run.load()
            if case is None:  # a failed opening: nothing to return but the event's own case
                raise StoreError(
                    f"event {item.event_id!r} was processed but case {item.case_id!r} is not stored "
                    "(see failed_events())",
                    code="store-case-unknown",
                )
            return Outcome(case, duplicate=True)
        try:
            if item.case is not None:
                if run.load() is not None:
                    raise StoreError(
                        f"case {item.case.id!r} is open already; its opening {item.event_id!r} is refused",
                        code="store-case-exists",
                    )
                assert item.actor is not None and item.at is not None
                out = self.workflows.open(item.case, actor=item.actor, at=item.at, event_id=item.event_id)
                run.opened(out.case)
            else:
                assert item.event is not None
                case = run.load()
                if case is None:
                    raise StoreError(
                        f"event {item.event_id!r}: no case {item.case_id!r} in the store; open it first",
                        code="store-case-unknown",
                    )
                out = self.workflows.handle(case, item.event)
                if out.duplicate:  # applied before this store remembered event ids: remember it now
                    run.mark(item.event_id, case.version)
                    return out
                run.changed(out.case)
        except CaseflowError as e:
            if raise_errors:
                raise
            run.mark(item.event_id, None, f"{type(e).__name__}: {e}", item.body)
            raise _Failed(e.code, str(e)) from None
        if self.tracker is not None:
            run.history().extend(out.records)
        run.new_records.extend(out.records)
        run.effects.extend(EventEffect(out.case.id, item.event_id, e) for e in self.effects(out))
        run.mark(item.event_id, out.case.version)
        return out

    def _schedule(self, run: _CaseRun) -> None:
        """Keep the invariant for the case in this transaction (store/clocks.py): its clocks recorded,
        one pending timer per running clock for its next mark not recorded yet; a target chosen again
        is written in the audit trail. Also when every event of the run failed: a fired mark's
        event that could not be applied still leaves its clock's next timer."""
        if self.tracker is None:
            return
        case = run.case if run.loaded or run.case is not None else run.load()
        if case is None:
            return
        notes = replan(run.tx, self.tracker, case, run.history())
        if notes:
            event_id = run.processed[-1].event_id if run.processed else "sla-retarget"
            note_records(run.tx, case, notes, "sla_retarget", event_id, case.updated_at or case.created_at)

    # -- timers ----------------------------------------------------------------------------
    def fire_timers(self, now: datetime | None = None, *, limit: int = 500) -> list[Timer]:
        """Fire the timers due at ``now`` (default: the clock) that no other worker holds, in one
        transaction: each mark is recorded once, with its due time and the time it was noticed, its
        event is queued (it happens at the due time), and the clock's next timer is scheduled.

        Of each case only the earliest due timer fires, and only when nothing of the case waits in
        the inbox: after downtime, a case's missed marks fire one at a time in due order, each after
        the reactions to the one before, as they would have live (call :meth:`work` between sweeps,
        or :meth:`run_until_idle`). A timer scheduled by other SLA policies (or calendars) than the
        tracker's is not fired: the case's timers are recomputed first, and the audit trail says
        how (``sla_recompute``)."""
        tracker = self._need_tracker("fire_timers")
        at = now or self.clock.now()
        fired = self._retrying(lambda: self._fire(tracker, at, limit))
        if fired:
            self.log.debug("timers.fired", worker=self.worker_id, count=len(fired))
        return fired

    def _fire(self, tracker: SlaTracker, now: datetime, limit: int) -> list[Timer]:
        fired: list[Timer] = []
        with self.store.transaction() as tx:
            for claimed in tx.claim_due_timers(now, limit):
                t = claimed.timer
                if not tx.try_lock_case(t.case_id):  # a worker is applying its events: next sweep
                    tx.restore_timer(claimed)
                    continue
                case = tx.get_case(t.case_id)
                if case is None:
                    continue
                records = tx.records(case.id, moves_only=True)
                if claimed.policy_version != tracker.version:
                    notes = replan(tx, tracker, case, records, recompute=True)
                    note_records(tx, case, notes, "sla_recompute", f"sla-recompute:{tracker.version}", now)
                    continue
                ev = tracker.event_for(t)
                if tx.mark_fired(t, ev.id, self.worker_id, claimed.policy_version):
                    tx.enqueue([(t.case_id, ev)])
                    fired.append(t)
                replan(tx, tracker, case, records)  # the clock's next mark (it waits for this one's event)
        return fired

    def recompute_timers(self, now: datetime | None = None) -> int:
        """Adopt the tracker's SLA policies: recompute the timers of every case whose pending timers
        another version scheduled (kept, moved or cancelled, said in the case's audit trail), before
        any of them fires; return how many cases. (:meth:`fire_timers` does it too, case by case.)"""
        tracker = self._need_tracker("recompute_timers")
        now = now or self.clock.now()
        stale = sorted({s.timer.case_id for s in self.store.stored_timers() if s.policy_version != tracker.version})
        for case_id in stale:
            with self.store.transaction() as tx:
                tx.lock_case(case_id)
                case = tx.get_case(case_id)
                if case is None:
                    continue
                notes = replan(tx, tracker, case, tx.records(case_id, moves_only=True), recompute=True)
                note_records(tx, case, notes, "sla_recompute", f"sla-recompute:{tracker.version}", now)
        return len(stale)

    def check_timers(self, *, repair: bool = False) -> list[TimerProblem]:
        """Every stored case checked against the invariant (a running clock without its timer, a timer
        nobody needs, one at the wrong time, one of other SLA policies); with ``repair``, each case
        with a problem gets its timers and recorded clocks rebuilt from its history, in its own
        transaction. Returns the problems found (before repair)."""
        tracker = self._need_tracker("check_timers")
        problems: list[TimerProblem] = []
        for case_id in self.store.case_ids():
            with self.store.transaction() as tx:
                tx.lock_case(case_id)
                case = tx.get_case(case_id)
                if case is None:
                    continue
                records = tx.records(case_id, moves_only=True)
                found = check(tx, tracker, case, records)
                if found and repair:
                    replan(tx, tracker, case, records)
            problems += found
        return problems

    def _need_tracker(self, what: str) -> SlaTracker:
        if self.tracker is None:
            raise StoreError(
                f"{what} needs an SlaTracker: CaseService(..., tracker=SlaTracker(...))", code="store-no-tracker"
            )
        return self.tracker

    # -- outbox ----------------------------------------------------------------------------
    def relay(self, deliver: Callable[[OutboxMessage], object], *, limit: int = 100) -> int:
        """Hand pending outbox messages to ``deliver`` and mark them delivered; returns how many.

        At least once: a crash after ``deliver`` and before the commit delivers the message
        again, with the same ``key`` - consumers drop repeats by key. A message whose
        ``deliver`` raises stays pending (its attempts and last error are kept)."""
        if not callable(deliver):
            raise StoreError(
                f"relay() takes a function deliver(message), not {type(deliver).__name__}", code="service-bad-argument"
            )

        def once() -> tuple[list[int], list[tuple[OutboxMessage, str]]]:
            ok: list[int] = []
            failed: list[tuple[OutboxMessage, str]] = []
            with self.store.transaction() as tx:
                for m in tx.claim_outbox(limit):
                    try:
                        deliver(m)
                    except Exception as e:  # noqa: BLE001 - the consumer's failure is recorded, not ours
                        tx.failed_delivery(m.id, f"{type(e).__name__}: {e}")
                        failed.append((m, str(e)))
                        continue
                    ok.append(m.id)
                tx.delivered(ok)
            return ok, failed

        ok, failed = self._retrying(once)  # delivered again after a lost commit: at least once, keyed
        for m, error in failed:  # after the commit (see work)
            self.log.warning("outbox.delivery_failed", key=m.key, kind=m.kind, error=error)
        return len(ok)

    # -- loops -----------------------------------------------------------------------------
    def run_until_idle(self, *, now: datetime | None = None, max_rounds: int = 10_000) -> WorkReport:
        """Work and fire due timers until nothing is pending (tests, demos, simulations)."""
        total = WorkReport()
        for _ in range(max_rounds):
            r = self.work()
            for k in ("applied", "duplicates", "failed", "cases"):
                setattr(total, k, getattr(total, k) + getattr(r, k))
            total.errors.extend(r.errors)
            fired = self.fire_timers(now) if self.tracker is not None else []
            if r.events == 0 and not fired:
                return total
        raise StoreError(f"still busy after {max_rounds} rounds", code="store-busy")


def _backoff(attempt: int) -> None:
    """Exponential backoff with full jitter: 0-10 ms after the first conflict, up to 0-1 s."""
    time.sleep(random.uniform(0, min(1.0, 0.005 * 2**attempt)))  # nosec B311


def _unavailable(e: Exception) -> bool:
    """The database could not be reached or the connection was lost (the work was rolled back)."""
    return isinstance(e, StoreError) and e.code == "store-unavailable"


def _retryable(e: Exception) -> bool:
    """The case's version moved (the UPDATE's check, or the audit records' key taken by the same
    version), or another process applied the same event at the same moment: read again, retry."""
    return isinstance(e, Conflict) or type(e).__name__ in ("UniqueViolation", "IntegrityError")


def _check(**given: object) -> None:
    """The service's arguments are caseflow's models: say which one is not, and how to build it."""
    kinds = {
        "case": (Case, "caseflow.parse_case(data)"),
        "event": (WorkflowEvent, "WorkflowEvent.model_validate(data)"),
        "actor": (Actor, "Actor(id=..., role=...)"),
    }
    for name, value in given.items():
        cls, build = kinds[name]
        if not isinstance(value, cls):
            article = "an" if cls.__name__[0] in "AEIOU" else "a"
            raise StoreError(
                f"the {name} must be {article} {cls.__name__}, not {type(value).__name__}: use {build}",
                code="service-bad-argument",
            )
