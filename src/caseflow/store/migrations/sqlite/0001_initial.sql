-- caseflow store, version 1: cases, audit records, processed events, inbox, outbox, timers.
CREATE TABLE cases (
    id          TEXT PRIMARY KEY,
    tenant      TEXT,
    case_type   TEXT NOT NULL,
    version     INTEGER NOT NULL,
    states      TEXT NOT NULL,           -- JSON object: workflow -> state
    data        TEXT NOT NULL,           -- the whole case as JSON (lossless)
    opened_at   TEXT NOT NULL,           -- ISO 8601, UTC
    updated_at  TEXT NOT NULL
);
CREATE INDEX cases_tenant_opened ON cases (tenant, opened_at);

CREATE TABLE audit_records (
    case_id   TEXT NOT NULL,
    version   INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    event_id  TEXT NOT NULL,
    kind      TEXT NOT NULL,
    moves     INTEGER NOT NULL,      -- it changed the workflow states (what SLA clocks follow)
    at        TEXT NOT NULL,
    record    TEXT NOT NULL,             -- the AuditRecord as JSON
    PRIMARY KEY (case_id, version, seq)
);

CREATE TABLE processed_events (
    event_id     TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL,
    version      INTEGER,                -- the case version it produced (NULL when it failed)
    status       TEXT NOT NULL,          -- applied | failed
    body         TEXT,                   -- a failed event, kept whole to fix and submit again
    error        TEXT,
    processed_at TEXT NOT NULL
);

CREATE TABLE inbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id     TEXT NOT NULL UNIQUE,
    case_id      TEXT NOT NULL,
    kind         TEXT NOT NULL,          -- open | event
    body         TEXT NOT NULL,          -- the opening command or the WorkflowEvent, as JSON
    enqueued_at  TEXT NOT NULL
);
CREATE INDEX inbox_case ON inbox (case_id, seq);

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key  TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    case_id          TEXT NOT NULL,
    event_id         TEXT NOT NULL,
    payload          TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    delivered_at     TEXT,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT
);
CREATE INDEX outbox_pending ON outbox (id) WHERE delivered_at IS NULL;

CREATE TABLE timers (
    key      TEXT PRIMARY KEY,
    case_id  TEXT NOT NULL,
    due_us   INTEGER NOT NULL,           -- due time, microseconds since the epoch (UTC)
    kind     TEXT NOT NULL,
    payload  TEXT NOT NULL
);
CREATE INDEX timers_due ON timers (due_us);
CREATE INDEX timers_case ON timers (case_id);

CREATE TABLE fired_timers (
    key       TEXT NOT NULL,
    due_us    INTEGER NOT NULL,
    event_id  TEXT NOT NULL,
    worker    TEXT NOT NULL,
    fired_at  TEXT NOT NULL,
    PRIMARY KEY (key, due_us)            -- a timer fires once: a second firing is a constraint error
);
