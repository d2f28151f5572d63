-- caseflow store, version 2: every SLA mark recorded once per clock cycle, the recorded clocks,
-- and the policy version of every pending timer.
ALTER TABLE timers ADD COLUMN policy_version TEXT NOT NULL DEFAULT '';
CREATE INDEX timers_case_due ON timers (case_id, due_us, key);

-- a fired mark: its due time (due_us), when it was noticed (fired_at), by which policies
ALTER TABLE fired_timers ADD COLUMN mark_id TEXT;
ALTER TABLE fired_timers ADD COLUMN case_id TEXT;
ALTER TABLE fired_timers ADD COLUMN policy_version TEXT;
CREATE UNIQUE INDEX fired_timers_mark ON fired_timers (mark_id);
CREATE INDEX fired_timers_case ON fired_timers (case_id);

-- one row per clock cycle, as the last event left it: what SLA reports count
CREATE TABLE sla_clocks (
    case_id         TEXT NOT NULL,
    metric          TEXT NOT NULL,
    party           TEXT NOT NULL,
    cycle_us        BIGINT NOT NULL,     -- the cycle's start, microseconds since the epoch (UTC)
    rule            TEXT NOT NULL,       -- policy/rule that chose the target
    target_s        DOUBLE PRECISION NOT NULL,       -- the target, in business seconds
    calendar        TEXT NOT NULL,
    state           TEXT NOT NULL,       -- running | paused | stopped | dropped (no target chosen any more)
    due_us          BIGINT,             -- when it breaches, while running
    stopped_us      BIGINT,
    breach_level    INTEGER NOT NULL,    -- the highest breach mark recorded (0: none)
    policy_version  TEXT NOT NULL,
    chosen_on       TEXT NOT NULL,       -- JSON: the facts that chose the target
    PRIMARY KEY (case_id, metric, party, cycle_us)
);
CREATE INDEX sla_clocks_cycle ON sla_clocks (cycle_us);
