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

import json
import os
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..case import Case
from ..clock import Clock, SystemClock
from ..errors import CaseflowError, ConcurrencyError, StoreError
from ..logging import get_logger
from ..sla.timers import Timer
from ..workflow import Actor, AuditRecord, Outcome, WorkflowEvent, Workflows
from .effects import Effects, OutboxMessage, default_effects
from .sql import Conflict, InboxItem, Store, Tx

__all__ = ["CaseService", "WorkReport"]


@dataclass
class WorkReport:
    """What one :meth:`CaseService.work` call did."""

    applied: int = 0
    duplicates: int = 0
    failed: int = 0
    cases: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (event id, error)

    @property
    def events(self) -> int:
        return self.applied + self.duplicates + self.failed


class _Failed(Exception):
    """Internal: this event cannot be applied (kept among the failed events)."""


class CaseService:
    """Apply events to stored cases through the workflows; see the module docs."""

    def __init__(self, store: Store, workflows: Workflows, *, tracker: Any = None, effects: Effects | None = None,
                 clock: Clock | None = None, logger: Any = None, retries: int = 12, worker_id: str | None = None,
                 batch_cases: int = 20, events_per_case: int = 100) -> None:
        self.store = store
        self.workflows = workflows
        self.tracker = tracker
        self.effects = effects if effects is not None else default_effects()
        self.clock = clock or SystemClock()
        self.log = get_logger(logger)
        self.retries = retries
        self.worker_id = worker_id or f"pid-{os.getpid()}"
        self.batch_cases = batch_cases
        self.events_per_case = events_per_case

    # -- direct ----------------------------------------------------------------------------
    def open(self, case: Case, *, actor: Actor, at: datetime | None = None, event_id: str | None = None) -> Outcome:
        """Open ``case`` in its workflows and store it, in one transaction."""
        item = InboxItem(0, case.id, event_id or f"open:{case.id}", case=case, actor=actor.model_dump(),
                         at=at or self.clock.now())
        return self._direct(case.id, item)

    def handle(self, case_id: str, event: WorkflowEvent) -> Outcome:
        """Apply ``event`` to the stored case now; retried when another writer got there first.

        Raises what :meth:`Workflows.handle` raises (nothing is stored then), :class:`StoreError`
        for an unknown case, :class:`ConcurrencyError` after ``retries`` conflicts."""
        return self._direct(case_id, InboxItem(0, case_id, event.id, event=event))

    def _direct(self, case_id: str, item: InboxItem) -> Outcome:
        for attempt in range(1, self.retries + 1):
            try:
                with self.store.transaction() as tx:
                    records: dict[str, list[AuditRecord]] = {}
                    out = self._apply(tx, item, records, raise_errors=True)
                    self._schedule(tx, out.case, records)
                    return out
            except Conflict:
                self.log.info("case.conflict", case_id=case_id, event_id=item.event_id, attempt=attempt)
                _backoff(attempt)
            except Exception as e:
                if _unique_violation(e):  # another process applied the same event at the same moment
                    continue
                raise
        raise ConcurrencyError(case_id, self.retries)

    # -- queued ----------------------------------------------------------------------------
    def submit(self, case_id: str, event: WorkflowEvent) -> bool:
        """Queue ``event`` for ``case_id``; False when an event with this id is queued already."""
        return self.submit_many([(case_id, event)]) == 1

    def submit_open(self, case: Case, *, actor: Actor, at: datetime | None = None, event_id: str | None = None) -> bool:
        """Queue the opening of ``case`` (its later events may be queued right after)."""
        body = json.dumps({"open": case.model_dump(mode="json"), "actor": actor.model_dump(),
                           "at": (at or self.clock.now()).isoformat()})
        with self.store.transaction() as tx:
            return tx.enqueue([(case.id, event_id or f"open:{case.id}", body)]) == 1

    def submit_many(self, items: Iterable[tuple[str, WorkflowEvent]]) -> int:
        """Queue many (case id, event) pairs in one transaction; returns how many were new."""
        rows = [(cid, ev.id, json.dumps({"event": ev.model_dump(mode="json")})) for cid, ev in items]
        with self.store.transaction() as tx:
            return tx.enqueue(rows)

    def work(self, *, max_cases: int | None = None) -> WorkReport:
        """Apply the pending events of up to ``max_cases`` cases no other worker holds, in one
        transaction; returns what was done (``report.events == 0``: nothing was pending here)."""
        limit = max_cases or self.batch_cases
        for attempt in range(1, self.retries + 1):
            report = WorkReport()
            try:
                with self.store.transaction() as tx:
                    for case_id in tx.claim_cases(limit):
                        report.cases += 1
                        self._work_case(tx, case_id, report)
                if report.events:
                    self.log.debug("work.batch", worker=self.worker_id, cases=report.cases, applied=report.applied,
                                   duplicates=report.duplicates, failed=report.failed)
                return report
            except Conflict:  # a direct handle() changed a claimed case: the batch is retried whole
                _backoff(attempt)
            except Exception as e:
                if not _unique_violation(e):  # the same event applied by handle() at the same moment
                    raise
                _backoff(attempt)
        raise ConcurrencyError("<batch>", self.retries)

    def _work_case(self, tx: Tx, case_id: str, report: WorkReport) -> None:
        records: dict[str, list[AuditRecord]] = {}
        items = tx.pending(case_id, self.events_per_case)
        last: Case | None = None
        for item in items:
            try:
                out = self._apply(tx, item, records, raise_errors=False)
            except _Failed as e:
                report.failed += 1
                report.errors.append((item.event_id, str(e)))
                continue
            if out.duplicate:
                report.duplicates += 1
            else:
                report.applied += 1
                last = out.case
        tx.done([i.seq for i in items])
        if last is not None:
            self._schedule(tx, last, records)

    def _apply(self, tx: Tx, item: InboxItem, records: dict[str, list[AuditRecord]], *, raise_errors: bool) -> Outcome:
        """Apply one opening or event inside ``tx``: case, audit records, outbox, event id."""
        if tx.processed(item.event_id):
            case = tx.get_case(item.case_id)
            if case is None:  # a failed opening: nothing to return but the event's own case
                raise StoreError(f"event {item.event_id!r} was processed but case {item.case_id!r} is not stored "
                                 "(see failed_events())", code="store-case-unknown")
            return Outcome(case, duplicate=True)
        try:
            if item.case is not None:
                actor = Actor.model_validate(item.actor)
                assert item.at is not None
                out = self.workflows.open(item.case, actor=actor, at=item.at, event_id=item.event_id)
                if not tx.insert_case(out.case):
                    raise StoreError(f"case {item.case.id!r} is open already; its opening {item.event_id!r} is "
                                     "refused", code="store-case-exists")
            else:
                assert item.event is not None
                case = tx.get_case(item.case_id)
                if case is None:
                    raise StoreError(f"event {item.event_id!r}: no case {item.case_id!r} in the store; open it first",
                                     code="store-case-unknown")
                out = self.workflows.handle(case, item.event)
                if out.duplicate:  # applied before this store remembered event ids: remember it now
                    tx.mark_processed(item.event_id, item.case_id, case.version)
                    return out
                tx.update_case(out.case, case.version)
        except (Conflict, ConcurrencyError):
            raise
        except CaseflowError as e:
            if raise_errors:
                raise
            tx.mark_processed(item.event_id, item.case_id, None, error=f"{type(e).__name__}: {e}", body=item.body)
            self.log.warning("event.failed", event_id=item.event_id, case_id=item.case_id, code=e.code, error=str(e))
            raise _Failed(str(e)) from None
        if self.tracker is not None:
            if out.case.id not in records:  # the case's history, read once per transaction (before this event's)
                records[out.case.id] = [] if item.case is not None else tx.records(out.case.id)
            records[out.case.id].extend(out.records)
        tx.add_records(out.records)
        tx.add_effects(out.case.id, item.event_id, self.effects(out))
        tx.mark_processed(item.event_id, out.case.id, out.case.version)
        return out

    def _schedule(self, tx: Tx, case: Case, records: dict[str, list[AuditRecord]]) -> None:
        """Replace the case's timers by its clocks' next warnings and breaches, timed from the
        case's last event (a mark passed while the worker was behind is due at once)."""
        if self.tracker is None or case.id not in records:
            return
        at = case.updated_at or case.created_at
        tx.replace_timers(case.id, self.tracker.timers(case, records[case.id], at))

    # -- timers ----------------------------------------------------------------------------
    def fire_timers(self, now: datetime | None = None, *, limit: int = 500) -> list[Timer]:
        """Claim the timers due at ``now`` (default: the clock) that no other worker holds, and
        queue their events, in one transaction: each timer fires once."""
        if self.tracker is None:
            raise StoreError("fire_timers needs an SlaTracker: CaseService(..., tracker=SlaTracker(...))",
                             code="store-no-tracker")
        now = now or self.clock.now()
        fired: list[Timer] = []
        with self.store.transaction() as tx:
            for t in tx.claim_due_timers(now, limit):
                ev = self.tracker.event_for(t)
                if tx.mark_fired(t, ev.id, self.worker_id):
                    tx.enqueue([(t.case_id, ev.id, json.dumps({"event": ev.model_dump(mode="json")}))])
                    fired.append(t)
        if fired:
            self.log.debug("timers.fired", worker=self.worker_id, count=len(fired))
        return fired

    # -- outbox ----------------------------------------------------------------------------
    def relay(self, deliver: Callable[[OutboxMessage], Any], *, limit: int = 100) -> int:
        """Hand pending outbox messages to ``deliver`` and mark them delivered; returns how many.

        At least once: a crash after ``deliver`` and before the commit delivers the message
        again, with the same ``key`` - consumers drop repeats by key. A message whose
        ``deliver`` raises stays pending (its attempts and last error are kept)."""
        ok: list[int] = []
        with self.store.transaction() as tx:
            for m in tx.claim_outbox(limit):
                try:
                    deliver(m)
                except Exception as e:  # noqa: BLE001 - the consumer's failure is recorded, not ours
                    tx.failed_delivery(m.id, f"{type(e).__name__}: {e}")
                    self.log.warning("outbox.delivery_failed", key=m.key, kind=m.kind, error=str(e))
                    continue
                ok.append(m.id)
            tx.delivered(ok)
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
    time.sleep(random.uniform(0, min(1.0, 0.005 * 2 ** attempt)))


def _unique_violation(e: Exception) -> bool:
    return type(e).__name__ in ("UniqueViolation", "IntegrityError")
