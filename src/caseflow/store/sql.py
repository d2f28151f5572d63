"""The store: cases, audit records, processed events, inbox, outbox and timers in SQL tables.

One implementation of the SQL that SQLite and PostgreSQL share; :mod:`.sqlite` and
:mod:`.postgres` supply the connection, the locking and the few types that differ. The SQL is
written by hand, not with SQLAlchemy Core: it is a dozen statements, and the parts that
matter (``BEGIN IMMEDIATE`` on SQLite, ``FOR UPDATE SKIP LOCKED`` and advisory locks on
PostgreSQL) are dialect-specific anyway; the standard library's sqlite3 and psycopg 3 are
the only drivers.

A store object holds one connection: use it from one thread; every worker process opens its
own from the URL. Everything that must happen together happens in one :meth:`Store.transaction`.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol, TypedDict, TypeVar

from pydantic import AwareDatetime, BaseModel, ValidationError

from ..clock import Clock
from ..errors import MigrationError, StoreError
from ..model.case import Case
from ..model.events import Actor, AuditRecord, WorkflowEvent
from ..sla.timers import Timer
from .effects import Effect, OutboxMessage
from .schema import LATEST, LOCK_ID, Migration, migrations
from .urls import redact_url

__all__ = [
    "ClockRow",
    "Conflict",
    "EventEffect",
    "FailedEvent",
    "InboxItem",
    "OpenCommand",
    "ProcessedEvent",
    "Store",
    "StoredTimer",
    "FiredMark",
    "Tx",
    "current_version",
    "upgrade",
]


R = TypeVar("R")

_OUTBOX_COLUMNS = (
    "id, idempotency_key, kind, case_id, event_id, payload, created_at, attempts, delivered_at, last_error"
)


class Conflict(Exception):
    """Internal: the case's version moved between read and write (the service retries)."""


class Cursor(Protocol):
    """The DB-API cursor of either driver (sqlite3, psycopg 3), as the store uses it. Rows are the
    drivers' own tuples, typed by nothing but the SELECT that read them."""

    @property
    def rowcount(self) -> int: ...

    def execute(self, sql: str, params: Sequence[object], /) -> object: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[object]], /) -> object: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


Stamp = datetime | str
"""A time as a timestamp column holds it: a datetime (PostgreSQL) or ISO text (SQLite)."""
TimerRow = tuple[str, str, int, str, str, str]
"""A row of the timers table: key, case id, due time (microseconds since the epoch), kind, JSON payload,
the policy version that scheduled it."""
_TIMER_COLUMNS = "key, case_id, due_us, kind, payload, policy_version"


class StoredTimer(NamedTuple):
    """A pending timer and the version of the SLA policies (and calendars) that scheduled it."""

    timer: Timer
    policy_version: str


class ClockRow(NamedTuple):
    """One cycle of one SLA clock as the store recorded it (what reports count)."""

    metric: str
    party: str
    cycle_us: int  # the cycle's start, microseconds since the epoch
    rule: str
    target_s: float
    calendar: str
    state: str  # running | paused | stopped | dropped
    due_us: int | None
    stopped_us: int | None
    breach_level: int  # the highest breach mark recorded
    policy_version: str
    chosen_on: str  # JSON: the facts that chose the target


class FiredMark(NamedTuple):
    """A fired SLA mark: due at ``due``, noticed (fired) at ``noticed_at``, by ``worker``."""

    mark_id: str
    case_id: str
    key: str
    due: datetime
    noticed_at: datetime
    event_id: str
    worker: str
    policy_version: str


_CLOCK_COLUMNS = (
    "metric, party, cycle_us, rule, target_s, calendar, state, due_us, stopped_us, breach_level, policy_version, "
    "chosen_on"
)


class ProcessedEvent(NamedTuple):
    """An event id taken (see :meth:`Tx.mark_processed`): applied as case ``version``, or failed with
    ``error`` and kept whole in ``body``."""

    event_id: str
    case_id: str
    version: int | None
    error: str | None = None
    body: str | None = None


class EventEffect(NamedTuple):
    """A side effect of one event of one case, for the outbox (see :meth:`Tx.add_effects`)."""

    case_id: str
    event_id: str
    effect: Effect


class FailedEvent(TypedDict):
    """An event that could not be applied, as :meth:`Store.failed_events` gives it."""

    event_id: str
    case_id: str
    error: str
    body: str  # the event (or opening) as submitted, JSON: fix it and submit it again


def to_us(dt: datetime) -> int:
    return int(dt.timestamp() * 1_000_000)


def from_us(us: int) -> datetime:
    return datetime.fromtimestamp(us / 1_000_000, tz=UTC)


class OpenCommand(BaseModel):
    """A queued opening: open ``case`` as ``actor`` at ``at`` (idempotent by ``event_id``)."""

    event_id: str
    case: Case
    actor: Actor
    at: AwareDatetime


@dataclass(frozen=True)
class InboxItem:
    """An enqueued command: open ``case`` as ``actor``, or apply ``event`` to case ``case_id``."""

    seq: int
    case_id: str
    event_id: str
    event: WorkflowEvent | None = None
    case: Case | None = None
    actor: Actor | None = None
    at: datetime | None = None
    body: str = ""


class Tx:
    """The operations of one transaction (see :meth:`Store.transaction`)."""

    def __init__(self, store: Store, cur: Cursor) -> None:
        self.store = store
        self.cur = cur
        self._q = store._q

    def _exec(self, sql: str, params: Sequence[object] = ()) -> Cursor:
        self.cur.execute(self._q(sql), params)
        return self.cur

    def _many(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        if rows:
            self.store._executemany(self.cur, sql, rows)

    # -- cases ---------------------------------------------------------------------------
    def get_case(self, case_id: str) -> Case | None:
        row = self._exec("SELECT data FROM cases WHERE id = ?", (case_id,)).fetchone()
        return None if row is None else self.store._case(row[0], case_id)

    def insert_case(self, case: Case) -> bool:
        """Insert a new case; False when one with this id exists already."""
        s = self.store
        cur = self._exec(
            "INSERT INTO cases (id, tenant, case_type, version, states, data, opened_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            (
                case.id,
                case.tenant,
                case.case_type.value,
                case.version,
                json.dumps(case.states),
                case.model_dump_json(),
                s._ts(case.created_at),
                s._ts(case.updated_at or case.created_at),
            ),
        )
        return cur.rowcount == 1

    def update_case(self, case: Case, expected_version: int) -> None:
        """Write the case if its stored version is still ``expected_version`` (else :class:`Conflict`)."""
        s = self.store
        cur = self._exec(
            "UPDATE cases SET version = ?, states = ?, data = ?, updated_at = ? WHERE id = ? AND version = ?",
            (
                case.version,
                json.dumps(case.states),
                case.model_dump_json(),
                s._ts(case.updated_at or case.created_at),
                case.id,
                expected_version,
            ),
        )
        if cur.rowcount != 1:
            raise Conflict(case.id)

    # -- audit records -------------------------------------------------------------------
    def add_records(self, records: Iterable[AuditRecord]) -> None:
        ts = self.store._ts
        self._many(
            "INSERT INTO audit_records (case_id, version, seq, event_id, kind, moves, at, record) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    r.case_id,
                    r.version,
                    r.seq,
                    r.event_id,
                    r.kind,
                    r.kind == "opened" or "states" in r.changes,
                    ts(r.at),
                    r.model_dump_json(),
                )
                for r in records
            ],
        )

    def records(self, case_id: str, *, moves_only: bool = False) -> list[AuditRecord]:
        """The case's audit records in order; ``moves_only``: just its opening and the records that
        changed its workflow states (all an SLA clock needs - a long history is not read whole)."""
        where = " AND moves" if moves_only else ""
        sql = f"SELECT record FROM audit_records WHERE case_id = ?{where} ORDER BY version, seq"  # nosec B608
        rows = self._exec(sql, (case_id,)).fetchall()
        return [self.store._record(r[0]) for r in rows]

    # -- events --------------------------------------------------------------------------
    def processed(self, event_ids: list[str]) -> set[str]:
        """Which of ``event_ids`` were processed already (applied or failed)."""
        return set(self.processed_cases(event_ids))

    def processed_cases(self, event_ids: list[str]) -> dict[str, str]:
        """Of ``event_ids`` processed already (applied or failed): event id -> the case it was for."""
        if not event_ids:
            return {}
        return self.store._processed(self, event_ids)

    def event_owner(self, event_id: str) -> str | None:
        """The case an event id was taken by: processed, or waiting in the inbox (None: free)."""
        row = self._exec("SELECT case_id FROM processed_events WHERE event_id = ?", (event_id,)).fetchone()
        if row is None:
            row = self._exec("SELECT case_id FROM inbox WHERE event_id = ?", (event_id,)).fetchone()
        return None if row is None else str(row[0])

    def mark_processed(self, rows: list[ProcessedEvent]) -> None:
        """Remember these event ids, applied or failed: an event id is taken once."""
        now = self.store._ts(self.store._now())
        self._many(
            "INSERT INTO processed_events (event_id, case_id, version, status, error, body, processed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(e, c, v, "failed" if err else "applied", err, b, now) for e, c, v, err, b in rows],
        )

    def enqueue(self, items: Iterable[tuple[str, WorkflowEvent | OpenCommand]]) -> int:
        """Add (case_id, event or opening) to the inbox; an event id already there is dropped."""
        now = self.store._ts(self.store._now())
        n = 0
        for case_id, item in items:
            kind, event_id = ("open", item.event_id) if isinstance(item, OpenCommand) else ("event", item.id)
            owner = self.event_owner(event_id)
            if owner is not None and owner != case_id:
                raise event_id_taken(event_id, case_id, owner)
            if owner is None:
                added = self._exec(
                    "INSERT INTO inbox (event_id, case_id, kind, body, enqueued_at) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (event_id) DO NOTHING",
                    (event_id, case_id, kind, item.model_dump_json(), now),
                ).rowcount
                if not added:  # queued meanwhile by another transaction (committed now): for which case?
                    owner = self.event_owner(event_id)
                    if owner != case_id:
                        raise event_id_taken(event_id, case_id, owner or "another case")
                n += added
        return n

    def pending(self, case_id: str, limit: int) -> list[InboxItem]:
        rows = self._exec(
            "SELECT seq, case_id, event_id, kind, body FROM inbox WHERE case_id = ? ORDER BY seq LIMIT ?",
            (case_id, limit),
        ).fetchall()
        return [_inbox_item(*r) for r in rows]

    def done(self, case_id: str, last_seq: int) -> None:
        """Remove the case's inbox entries up to ``last_seq`` (they are applied, duplicates or failed)."""
        self._exec("DELETE FROM inbox WHERE case_id = ? AND seq <= ?", (case_id, last_seq))

    def lock_case(self, case_id: str) -> None:
        """Wait until no other caseflow transaction holds the case, and hold it until this one ends
        (PostgreSQL: an advisory lock, the one workers try; SQLite: the write lock is held already)."""
        self.store._lock_case(self, case_id)

    def claim_cases(self, limit: int) -> list[str]:
        """Ids of up to ``limit`` cases with pending inbox events that no other worker holds."""
        return self.store._claim_cases(self, self._candidates(limit), limit)

    def _candidates(self, limit: int) -> list[str]:
        """The cases of the oldest pending events (``limit`` x 8 of them), oldest first, each once."""
        rows = self._exec("SELECT case_id FROM inbox ORDER BY seq LIMIT ?", (limit * 8,)).fetchall()
        return list(dict.fromkeys(r[0] for r in rows))

    # -- outbox --------------------------------------------------------------------------
    def add_effects(self, effects: Iterable[EventEffect]) -> None:
        """Add effects to the outbox; an effect whose key is there already is dropped."""
        now = self.store._ts(self.store._now())
        self._many(
            "INSERT INTO outbox (idempotency_key, kind, case_id, event_id, payload, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING",
            [(e.key, e.kind, cid, eid, json.dumps(e.payload, sort_keys=True), now) for cid, eid, e in effects],
        )

    def claim_outbox(self, limit: int) -> list[OutboxMessage]:
        rows = self._exec(
            f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE delivered_at IS NULL ORDER BY id LIMIT ?"  # nosec B608
            + self.store._skip_locked,
            (limit,),
        ).fetchall()
        return [self.store._outbox(r) for r in rows]

    def delivered(self, ids: list[int]) -> None:
        now = self.store._ts(self.store._now())
        self._many("UPDATE outbox SET delivered_at = ?, attempts = attempts + 1 WHERE id = ?", [(now, i) for i in ids])

    def failed_delivery(self, msg_id: int, error: str) -> None:
        self._exec("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?", (error[:2000], msg_id))

    # -- timers --------------------------------------------------------------------------
    def replace_timers(self, case_id: str, timers: Iterable[Timer], policy_version: str = "") -> None:
        """Make ``timers`` the case's pending timers (the others are cancelled), scheduled by ``policy_version``."""
        self._exec("DELETE FROM timers WHERE case_id = ?", (case_id,))
        self._many(
            f"INSERT INTO timers ({_TIMER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",  # nosec B608
            [
                (t.key, t.case_id, to_us(t.due), t.kind, json.dumps(dict(t.payload), sort_keys=True), policy_version)
                for t in timers
            ],
        )

    def case_timers(self, case_id: str) -> list[StoredTimer]:
        rows = self._exec(f"SELECT {_TIMER_COLUMNS} FROM timers WHERE case_id = ? ORDER BY due_us, key", (case_id,))  # nosec B608
        return [_stored(*r) for r in rows.fetchall()]

    def claim_due_timers(self, now: datetime, limit: int) -> list[StoredTimer]:
        """Remove and return up to ``limit`` due timers that no other worker holds, oldest first: of each
        case only its earliest timer, and only when the case has no event waiting in the inbox (the
        mark before it, say) - so a case's marks fire one at a time, in due order, each after the
        reactions to the one before."""
        return [_stored(*r) for r in self.store._claim_timers(self, to_us(now), limit)]

    def restore_timer(self, claimed: StoredTimer) -> None:
        """Put a claimed timer back (its case was busy)."""
        t = claimed.timer
        self._exec(
            f"INSERT INTO timers ({_TIMER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",  # nosec B608
            (
                t.key,
                t.case_id,
                to_us(t.due),
                t.kind,
                json.dumps(dict(t.payload), sort_keys=True),
                claimed.policy_version,
            ),
        )

    def try_lock_case(self, case_id: str) -> bool:
        """Hold the case for this transaction if no other caseflow transaction holds it (the lock
        workers take); False when another does."""
        return self.store._try_lock_case(self, case_id)

    def mark_fired(self, timer: Timer, event_id: str, worker: str, policy_version: str = "") -> bool:
        """Record the firing of the timer's mark (due time, and now as the time it was noticed); False
        when this mark - or this timer at this due time - fired before."""
        mark_id = timer.get("mark_id") or event_id
        return (
            self._exec(
                "INSERT INTO fired_timers (key, due_us, event_id, worker, fired_at, mark_id, case_id, policy_version) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (
                    timer.key,
                    to_us(timer.due),
                    event_id,
                    worker,
                    self.store._ts(self.store._now()),
                    mark_id,
                    timer.case_id,
                    policy_version,
                ),
            ).rowcount
            == 1
        )

    def fired_marks(self, case_id: str) -> set[str]:
        """The ids of the case's marks that fired (whatever became of their events)."""
        rows = self._exec("SELECT mark_id FROM fired_timers WHERE case_id = ? AND mark_id IS NOT NULL", (case_id,))
        return {r[0] for r in rows.fetchall()}

    # -- recorded clocks -----------------------------------------------------------------
    def recorded_clocks(self, case_id: str) -> dict[tuple[str, str, int], ClockRow]:
        rows = self._exec(f"SELECT {_CLOCK_COLUMNS} FROM sla_clocks WHERE case_id = ?", (case_id,)).fetchall()  # nosec B608
        return {(r[0], r[1], int(r[2])): ClockRow(*r) for r in rows}

    def record_clocks(self, case_id: str, rows: Iterable[ClockRow]) -> None:
        """Make ``rows`` the case's recorded clock cycles."""
        self._exec("DELETE FROM sla_clocks WHERE case_id = ?", (case_id,))
        self._many(
            f"INSERT INTO sla_clocks (case_id, {_CLOCK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # nosec B608
            [(case_id, *r) for r in rows],
        )

    def next_seq(self, case_id: str, version: int) -> int:
        """The seq of a record added to the case's version ``version`` after those it has."""
        row = self._exec(
            "SELECT max(seq) FROM audit_records WHERE case_id = ? AND version = ?", (case_id, version)
        ).fetchone()
        return 0 if row[0] is None else int(row[0]) + 1


def event_id_taken(event_id: str, case_id: str, owner: str) -> StoreError:
    """An event id is taken once, by one case: another case's event with it is refused, never dropped."""
    return StoreError(
        f"event id {event_id!r} for case {case_id!r} is already taken by case {owner!r}: an event id names one "
        "event of one case; give this event its own id (e.g. prefix it with the case id)",
        code="store-event-id-reused",
    )


def _case_page(tx: Tx, *, after: str) -> list[tuple[str, str]]:
    query = "SELECT id, data FROM cases WHERE id > ? ORDER BY id LIMIT 500"
    rows: list[tuple[str, str]] = tx._exec(query, (after,)).fetchall()
    return rows


def _timer(key: str, case_id: str, due_us: int, kind: str, payload: str, policy_version: str = "") -> Timer:
    return Timer(key, from_us(due_us), case_id, kind, tuple(sorted(json.loads(payload).items())))


def _stored(key: str, case_id: str, due_us: int, kind: str, payload: str, policy_version: str) -> StoredTimer:
    return StoredTimer(_timer(key, case_id, due_us, kind, payload), policy_version)


def _inbox_item(seq: int, case_id: str, event_id: str, kind: str, body: str) -> InboxItem:
    if kind == "open":
        cmd = OpenCommand.model_validate_json(body)
        return InboxItem(seq, case_id, event_id, case=cmd.case, actor=cmd.actor, at=cmd.at, body=body)
    return InboxItem(seq, case_id, event_id, event=WorkflowEvent.model_validate_json(body), body=body)


class Store:
    """Base of the SQL stores. Open one with :func:`caseflow.store.open_store`."""

    dialect = "sql"
    _skip_locked = ""

    def __init__(self, url: str, clock: Clock | None = None) -> None:
        self.url = url
        self._clock = clock
        self._conn: Any = None

    # -- dialect hooks ---------------------------------------------------------------------
    def _q(self, sql: str) -> str:
        return sql

    def _ts(self, dt: datetime) -> Stamp:
        return dt

    def _from_ts(self, v: Stamp) -> datetime:
        return v if isinstance(v, datetime) else datetime.fromisoformat(v)

    def _json(self, v: Any) -> Any:
        return json.loads(v) if isinstance(v, (str, bytes)) else v

    @contextmanager
    def _begin(self, write: bool) -> Iterator[Cursor]:
        raise NotImplementedError

    def _claim_cases(self, tx: Tx, candidates: list[str], limit: int) -> list[str]:
        raise NotImplementedError

    def _lock_case(self, tx: Tx, case_id: str) -> None:
        pass

    def _claim_timers(self, tx: Tx, now_us: int, limit: int) -> list[TimerRow]:
        raise NotImplementedError

    def _try_lock_case(self, tx: Tx, case_id: str) -> bool:
        return True  # SQLite: the write lock is held already

    # the due timers each case would fire first, of cases with nothing waiting in the inbox
    _DUE_FIRST = (
        f"SELECT {_TIMER_COLUMNS} FROM timers t WHERE due_us <= ? "  # nosec B608
        "AND key = (SELECT t2.key FROM timers t2 WHERE t2.case_id = t.case_id ORDER BY t2.due_us, t2.key LIMIT 1) "
        "AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.case_id = t.case_id) ORDER BY due_us, key LIMIT ?"
    )

    def _executemany(self, cur: Cursor, sql: str, rows: Sequence[Sequence[object]]) -> None:
        cur.executemany(self._q(sql), rows)

    def _processed(self, tx: Tx, event_ids: list[str]) -> dict[str, str]:
        marks = ", ".join("?" * len(event_ids))
        query = f"SELECT event_id, case_id FROM processed_events WHERE event_id IN ({marks})"  # nosec B608
        return {r[0]: r[1] for r in tx._exec(query, event_ids).fetchall()}

    def _now(self) -> datetime:
        return self._clock.now() if self._clock is not None else datetime.now(UTC)

    # -- conversions -----------------------------------------------------------------------
    def _case(self, data: str, case_id: str) -> Case:
        try:
            return Case.model_validate_json(data)
        except ValidationError as e:  # a row written by another version, or edited by hand
            raise StoreError(
                f"case {case_id!r} in {self.redacted_url}: stored data does not validate: "
                f"{e.errors()[0]['loc']}: {e.errors()[0]['msg']}",
                code="store-corrupt",
            ) from None

    def _record(self, v: Any) -> AuditRecord:
        return AuditRecord.model_validate_json(v) if isinstance(v, (str, bytes)) else AuditRecord.model_validate(v)

    def _outbox(self, r: Sequence[Any]) -> OutboxMessage:
        return OutboxMessage(
            id=r[0],
            key=r[1],
            kind=r[2],
            case_id=r[3],
            event_id=r[4],
            payload=self._json(r[5]),
            created_at=self._from_ts(r[6]),
            attempts=r[7],
            delivered_at=None if r[8] is None else self._from_ts(r[8]),
            last_error=r[9],
        )

    @property
    def redacted_url(self) -> str:
        """The URL without its password, for messages and logs."""
        return redact_url(self.url)

    # -- transactions ----------------------------------------------------------------------
    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Tx]:
        """One transaction: everything done through the :class:`Tx` commits together or not at all.
        ``write=False`` for reading only (on SQLite it then does not wait for the writer)."""
        with self._begin(write) as cur:
            yield Tx(self, cur)

    def check_schema(self) -> None:
        have = current_version(self)
        if have < LATEST:
            raise MigrationError(
                f"{self.redacted_url} has schema version {have}, this caseflow needs {LATEST}; "
                f"run: caseflow db upgrade {self.redacted_url}"
            )
        if have > LATEST:
            raise MigrationError(
                f"{self.redacted_url} has schema version {have}, newer than this caseflow "
                f"knows ({LATEST}); upgrade caseflow"
            )

    # -- reading ---------------------------------------------------------------------------
    def _read(self, query: Callable[[Tx], R], attempts: int = 6) -> R:
        """``query`` in a read transaction, again when the database was briefly unavailable (a pooled
        connection the server dropped is replaced on the next attempt): reads are idempotent."""
        for attempt in range(1, attempts + 1):
            try:
                with self.transaction(write=False) as tx:
                    return query(tx)
            except StoreError as e:
                if e.code != "store-unavailable" or attempt == attempts:
                    raise
                time.sleep(min(2.0, 0.05 * 2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def get_case(self, case_id: str) -> Case | None:
        return self._read(lambda tx: tx.get_case(case_id))

    def records(self, case_id: str) -> list[AuditRecord]:
        return self._read(lambda tx: tx.records(case_id))

    def case_ids(self) -> list[str]:
        return self._read(lambda tx: [r[0] for r in tx._exec("SELECT id FROM cases ORDER BY id").fetchall()])

    def cases(self) -> Iterator[Case]:
        """Every stored case, by id (read in pages)."""
        last = ""
        while True:
            rows = self._read(functools.partial(_case_page, after=last))
            if not rows:
                return
            for cid, data in rows:
                yield self._case(data, cid)
            last = rows[-1][0]

    def outbox(self, *, pending: bool = False) -> list[OutboxMessage]:
        where = " WHERE delivered_at IS NULL" if pending else ""
        rows = self._read(lambda tx: tx._exec(f"SELECT {_OUTBOX_COLUMNS} FROM outbox{where} ORDER BY id").fetchall())  # nosec B608
        return [self._outbox(r) for r in rows]

    def timers(self) -> list[Timer]:
        """The pending timers, by due time."""
        return [s.timer for s in self.stored_timers()]

    def stored_timers(self) -> list[StoredTimer]:
        """The pending timers with the policy version that scheduled each, by due time."""
        rows = self._read(lambda tx: tx._exec(f"SELECT {_TIMER_COLUMNS} FROM timers ORDER BY due_us, key").fetchall())  # nosec B608
        return [_stored(*r) for r in rows]

    def sla_clocks(self) -> list[tuple[str, ClockRow]]:
        """Every recorded clock cycle: (case id, cycle), by case and cycle start."""
        rows = self._read(
            lambda tx: tx._exec(
                f"SELECT case_id, {_CLOCK_COLUMNS} FROM sla_clocks ORDER BY case_id, metric, party, cycle_us"  # nosec B608
            ).fetchall()
        )
        return [(r[0], ClockRow(*r[1:])) for r in rows]

    def marks(self) -> list[FiredMark]:
        """Every fired SLA mark, by due time."""
        rows = self._read(
            lambda tx: tx._exec(
                "SELECT mark_id, case_id, key, due_us, fired_at, event_id, worker, policy_version FROM fired_timers "
                "WHERE mark_id IS NOT NULL ORDER BY due_us, key"
            ).fetchall()
        )
        return [FiredMark(m, c, k, from_us(d), self._from_ts(f), e, w, v or "") for m, c, k, d, f, e, w, v in rows]

    def failed_events(self) -> list[FailedEvent]:
        """Events that could not be applied (kept with their body, to fix and submit again)."""
        rows = self._read(
            lambda tx: tx._exec(
                "SELECT event_id, case_id, error, body FROM processed_events WHERE status = 'failed' ORDER BY event_id"
            ).fetchall()
        )
        return [FailedEvent(event_id=e, case_id=c, error=err, body=b) for e, c, err, b in rows]

    def integrity(self) -> list[str]:
        """What the database's own check finds wrong (SQLite: ``PRAGMA quick_check``); empty when sound.
        A PostgreSQL server checks its pages itself (``data_checksums``): nothing to add here."""
        return []

    def counts(self) -> dict[str, int]:
        """Rows per table: cases, audit_records, processed_events, inbox, outbox (pending), timers, fired
        timers (the SLA marks), recorded clock cycles."""
        tables = (
            "cases",
            "audit_records",
            "processed_events",
            "inbox",
            "outbox",
            "timers",
            "fired_timers",
            "sla_clocks",
        )

        def count(tx: Tx) -> dict[str, int]:
            out = {table: int(tx._exec(f"SELECT count(*) FROM {table}").fetchone()[0]) for table in tables}  # nosec B608
            out["outbox_pending"] = int(
                tx._exec("SELECT count(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0]
            )
            return out

        return self._read(count)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.redacted_url!r})"


def _ensure_table(store: Store) -> None:
    with store.transaction() as tx:
        tx._exec(
            "CREATE TABLE IF NOT EXISTS caseflow_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at TEXT NOT NULL)"
        )


def current_version(store: Store) -> int:
    """The schema version of the store's database (0: nothing installed)."""
    _ensure_table(store)
    with store.transaction() as tx:
        row = tx._exec("SELECT max(version) FROM caseflow_schema").fetchone()
    return int(row[0] or 0)


def upgrade(store: Store) -> list[Migration]:
    """Apply the missing migrations; return those applied (none when up to date)."""
    _ensure_table(store)
    applied: list[Migration] = []
    for m in migrations(store.dialect):
        with store.transaction() as tx:
            if store.dialect == "postgresql":
                tx._exec("SELECT pg_advisory_xact_lock(?)", (LOCK_ID,))
            have = int(tx._exec("SELECT max(version) FROM caseflow_schema").fetchone()[0] or 0)
            if m.version <= have:
                continue
            try:
                for stmt in m.statements():
                    tx._exec(stmt)
            except Exception as e:
                raise MigrationError(
                    f"{store.redacted_url}: migration {m.version:04d}_{m.name} failed: "
                    f"{str(e).strip()}; nothing of it was applied"
                ) from None
            tx._exec(
                "INSERT INTO caseflow_schema (version, name, applied_at) VALUES (?, ?, ?)",
                (m.version, m.name, store._ts(store._now())),
            )
            applied.append(m)
    store.check_schema()  # a database newer than this caseflow is refused here too
    return applied
