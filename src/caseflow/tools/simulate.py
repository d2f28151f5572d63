"""Replay cases through one policy set, or two, and report what would change (``caseflow simulate``).

Cases come from a JSONL file (one case per line, as ``caseflow generate`` writes them): the
file is split into chunks evaluated in worker processes (both cores of a small machine); each
worker loads the policies itself, so nothing but text and counts crosses process boundaries.
SLA breaches are measured on each case's messages (first and next response). Or cases come
from a case store (:func:`simulate_store`): their audit records give the history, so every
SLA metric is measured under each side's targets.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from pydantic import JsonValue

from ..clock import FixedClock
from ..engine import Engine
from ..errors import DocumentError
from ..model.case import Author, Case, parse_case
from ..model.decision import Decision
from ..model.events import AuditRecord
from ..model.money import parse_money
from ..policies.conditions import parse_duration
from ..policies.loader import load_policies
from ..policies.source import file_problem
from ..sla.calendar import BusinessCalendar, load_calendars
from ..sla.tracker import SlaTracker
from .csvsafe import SafeWriter

__all__ = ["Progress", "SimulationReport", "calendars_beside", "simulate_file", "simulate_store"]

MAX_EXAMPLES = 5
Progress = Callable[[int, int], object]
"""``progress(done, total)``: called with the cases replayed so far, as chunks finish."""
_N = TypeVar("_N", int, Decimal)
_Job = TypeVar("_Job")


@dataclass
class SimulationReport:
    cases: int = 0
    changed: int = 0
    rules: dict[str, list[int]] = field(default_factory=dict)  # rule -> [count in A, count in B]
    actions: dict[str, list[int]] = field(default_factory=dict)
    refunds: dict[str, list[Decimal]] = field(default_factory=dict)  # currency -> [approved in A, in B]
    escalations: list[int] = field(default_factory=lambda: [0, 0])
    sla: dict[str, list[int]] = field(default_factory=dict)  # "metric breached" / "metric measured" -> [A, B]
    examples: dict[str, list[str]] = field(default_factory=dict)  # changed rule -> case ids
    against: bool = False
    sla_from: str = "the messages"  # what the SLA figures were measured on

    def merge(self, other: SimulationReport) -> None:
        self.cases += other.cases
        self.changed += other.changed
        _add(self.rules, other.rules, 0)
        _add(self.actions, other.actions, 0)
        _add(self.refunds, other.refunds, Decimal(0))
        _add(self.sla, other.sla, 0)
        self.escalations = [self.escalations[0] + other.escalations[0], self.escalations[1] + other.escalations[1]]
        for k, ids in other.examples.items():
            mine_ids = self.examples.setdefault(k, [])
            mine_ids.extend(ids[: MAX_EXAMPLES - len(mine_ids)])

    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "cases": self.cases,
            "changed": self.changed,
            "compared": self.against,
            "rules": {k: {"a": v[0], "b": v[1]} for k, v in sorted(self.rules.items())},
            "actions": {k: {"a": v[0], "b": v[1]} for k, v in sorted(self.actions.items())},
            "refunds_approved": {k: {"a": str(v[0]), "b": str(v[1])} for k, v in sorted(self.refunds.items())},
            "escalations": {"a": self.escalations[0], "b": self.escalations[1]},
            "sla": {k: {"a": v[0], "b": v[1]} for k, v in sorted(self.sla.items())},
            "examples": {k: list(ids) for k, ids in self.examples.items()},
        }

    def table(self) -> str:
        ab = self.against
        out = [
            f"cases: {self.cases:,}"
            + (
                f"   decisions that differ: {self.changed:,} ({100 * self.changed / max(self.cases, 1):.1f} %)"
                if ab
                else ""
            )
        ]

        _section(out, "rules fired", self.rules, ab)
        _section(out, "actions", self.actions, ab)
        _section(out, "refunds approved (sum of amounts)", self.refunds, ab)
        if self.sla:
            _section(out, f"SLA (measured on {self.sla_from})", self.sla, ab)
        out.append("")
        out.append(f"escalations: A {self.escalations[0]:,}" + (f", B {self.escalations[1]:,}" if ab else ""))
        if ab and self.examples:
            out.append("")
            out.append("example cases, by rule whose firing changed:")
            for k, ids in sorted(self.examples.items()):
                out.append(f"  {k}: {', '.join(ids)}")
        return "\n".join(out)

    def csv(self) -> str:
        buf = io.StringIO()
        w = SafeWriter(csv.writer(buf))  # no cell a spreadsheet would run
        w.writerow(["section", "name", "a", "b"])
        sections: tuple[tuple[str, Mapping[str, Sequence[int | Decimal]]], ...] = (
            ("rule", self.rules),
            ("action", self.actions),
            ("refund", self.refunds),
            ("sla", self.sla),
        )
        for section, rows in sections:
            for k, (a, b) in sorted(rows.items()):
                w.writerow([section, k, a, b if self.against else ""])
        w.writerow(["escalations", "", self.escalations[0], self.escalations[1] if self.against else ""])
        w.writerow(["cases", "", self.cases, ""])
        w.writerow(["changed", "", self.changed if self.against else "", ""])
        return buf.getvalue()


def _add(mine: dict[str, list[_N]], theirs: dict[str, list[_N]], zero: _N) -> None:
    """Add ``theirs`` ([A, B] per key) into ``mine``."""
    for k, v in theirs.items():
        cur = mine.setdefault(k, [zero, zero])
        cur[0] += v[0]
        cur[1] += v[1]


def _section(out: list[str], title: str, rows: Mapping[str, Sequence[_N]], ab: bool) -> None:
    """A section of :meth:`SimulationReport.table`: one line per key, the largest change (or count) first."""
    out.append("")
    out.append(f"{title:<52} {'A':>10}" + (f" {'B':>10} {'change':>10}" if ab else ""))
    for k, (a, b) in sorted(rows.items(), key=lambda kv: (-abs(kv[1][1] - kv[1][0]) if ab else -kv[1][0], kv[0])):
        if ab:
            out.append(
                f"  {k:<50} {str(a):>10} {str(b):>10} {b - a:>+10}"
                if not isinstance(a, Decimal)
                else f"  {k:<50} {a:>10} {b:>10} {b - a:>+10}"
            )
        else:
            out.append(f"  {k:<50} {str(a):>10}")


def _refund(case: Case, params: dict[str, Any]) -> tuple[str, Decimal] | None:
    amount = params.get("amount", "requested")
    if amount == "full":
        return (case.orders[0].amount.currency, case.orders[0].amount.amount) if case.orders else None
    if amount == "requested":
        m = case.requested_amount
        return None if m is None else (m.currency, m.amount)
    value, currency = parse_money(str(amount))
    return currency, value


_CUSTOMERS = frozenset({Author.buyer, Author.seller, Author.creator})
_FROM_MESSAGES = ("first_response", "next_response")  # the SLA metrics a case's messages measure


def _waits(metric: str, case: Case, now: datetime) -> list[tuple[datetime, datetime]]:
    """The stretches a metric measures in the case's conversation: ``first_response`` from the
    opening to the first agent message; ``next_response`` from each customer message that follows
    an agent's answer (a new cycle) to the agent's next message. A wait still open runs to ``now``."""
    msgs = sorted(case.messages, key=lambda m: m.at)
    if metric == "first_response":
        end = next((m.at for m in msgs if m.author == Author.agent and m.at >= case.created_at), now)
        return [(case.created_at, end)]
    out: list[tuple[datetime, datetime]] = []
    answered, since = False, None
    for m in msgs:
        if m.author == Author.agent:
            if since is not None:
                out.append((since, m.at))
                since = None
            answered = True
        elif m.author in _CUSTOMERS and answered and since is None:
            since = m.at
    if since is not None and since < now:
        out.append((since, now))
    return out


def _tally(report: SimulationReport, side: int, metric: str, breached: bool) -> None:
    """One measured SLA cycle of ``metric`` on this side, and whether it was breached."""
    report.sla.setdefault(f"{metric} measured", [0, 0])[side] += 1
    if breached:
        report.sla.setdefault(f"{metric} breached", [0, 0])[side] += 1


def _sla(
    report: SimulationReport, side: int, case: Case, d: Decision, now: datetime, calendars: dict[str, BusinessCalendar]
) -> None:
    """Would the case have breached the first- and next-response targets this side chose?
    Measured on the case's messages (:func:`_waits`) in each target's business calendar; a
    next-response target counts every cycle. Other metrics need the case's workflow history
    (its audit records), which a case file does not hold."""
    seen: set[str] = set()
    for a in d.actions:
        p = a.params
        metric = p.get("metric")
        if a.type != "sla_target" or metric not in _FROM_MESSAGES or metric in seen or p.get("deadline_from"):
            continue
        cal = calendars.get(p.get("calendar", ""))
        if cal is None:
            continue
        seen.add(metric)
        within = parse_duration(p["within"])
        for start, end in _waits(metric, case, now):
            _tally(report, side, metric, cal.elapsed(start, end) >= within)  # as an SLA clock: breached at the due time


def _count(report: SimulationReport, side: int, case: Case, d: Decision) -> None:
    for r in d.matched_rules:
        report.rules.setdefault(f"{r.policy}/{r.rule_id}", [0, 0])[side] += 1
    for a in d.actions:
        report.actions.setdefault(a.type, [0, 0])[side] += 1
        if a.type == "approve_refund":
            got = _refund(case, a.params)
            if got is not None:
                report.refunds.setdefault(got[0], [Decimal(0), Decimal(0)])[side] += got[1]
    if d.has_action("escalate"):
        report.escalations[side] += 1


_ENGINES: dict[str, Engine] = {}


_CALENDARS: dict[tuple[str, ...], dict[str, BusinessCalendar]] = {}


def calendars_beside(paths: tuple[str, ...]) -> dict[str, BusinessCalendar]:
    """The business calendars of ``*.calendars.yaml`` files in the policy folders (or beside the files)."""
    if paths not in _CALENDARS:
        found: dict[str, BusinessCalendar] = {}
        for p in map(Path, paths):
            for f in sorted((p if p.is_dir() else p.parent).glob("*.calendars.yaml")):
                found.update(load_calendars(f))
        _CALENDARS[paths] = found
    return _CALENDARS[paths]


def _engine(paths: tuple[str, ...], backend: str, at: str) -> Engine:
    key = f"{paths}|{backend}|{at}"
    if key not in _ENGINES:
        _ENGINES[key] = Engine(load_policies([Path(p) for p in paths]), backend=backend, clock=FixedClock(at))
    return _ENGINES[key]


def _lines(source: str, start: int, end: int, first_line: int) -> Iterator[tuple[int, bytes]]:
    """The non-blank lines of bytes [start, end) of the file, with their line numbers."""
    with open(source, "rb") as f:
        f.seek(start)
        data = f.read(end - start)
    for i, raw in enumerate(data.split(b"\n")):
        if raw.strip():
            yield first_line + i, raw


class _FileJob(NamedTuple):
    """A chunk of a JSONL file for a worker process: bytes [start, end) of ``source``, which begin at
    line ``first_line``, replayed through the policy sets."""

    start: int
    end: int
    first_line: int
    a_paths: tuple[str, ...]
    b_paths: tuple[str, ...] | None
    backend: str
    at: str
    source: str


class _StoreJob(NamedTuple):
    """A chunk of a case store for a worker process: the cases ``ids`` of the store at ``url``."""

    url: str
    ids: list[str]
    a_paths: tuple[str, ...]
    b_paths: tuple[str, ...] | None
    backend: str
    at: str


class _Duplicate(ValueError):
    pass


def _unique(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Duplicate
    return out


def _no_duplicate_keys(raw: bytes) -> None:
    """Raise ValueError when a JSON object of ``raw`` has a key twice (JSON that parsed already)."""
    json.loads(raw, object_pairs_hook=_unique)


def _chunk(job: _FileJob) -> SimulationReport:
    start, end, first_line, a_paths, b_paths, backend, at, source = job
    ea = _engine(a_paths, backend, at)
    eb = _engine(b_paths, backend, at) if b_paths else None
    report = SimulationReport(against=eb is not None)
    shared = eb is not None and {f.name for f in ea.policies.facts} == {f.name for f in eb.policies.facts}
    cal_a, cal_b = calendars_beside(a_paths), calendars_beside(b_paths) if b_paths else {}
    for lineno, raw in _lines(source, start, end, first_line):
        try:
            case = Case.model_validate_json(raw)  # the fast path
            _no_duplicate_keys(raw)  # pydantic keeps the last of two keys; parse_case refuses them
        except ValueError:
            case = parse_case(raw, source=f"{source}:{lineno}")  # the same input again, for a clear error
        now = ea.clock.now()
        facts = ea.lazy_facts(case, now)
        da = ea.evaluate_facts(facts, case_id=case.id, at=now)
        report.cases += 1
        _count(report, 0, case, da)
        if cal_a:
            _sla(report, 0, case, da, now, cal_a)
        if eb is not None:
            # the same facts for B when both use caseflow's built-in facts: each is derived once
            db = eb.evaluate_facts(facts, case_id=case.id, at=now) if shared else eb.evaluate(case)
            _count(report, 1, case, db)
            if cal_b:
                _sla(report, 1, case, db, now, cal_b)
            _differ(report, case, da, db)
    return report


def _by_policy(d: Decision) -> dict[str, tuple[list[str], list[tuple[str, str, dict[str, Any]]]]]:
    """A decision's matched rules and actions, policy by policy, each policy's in its own order."""
    out: dict[str, tuple[list[str], list[tuple[str, str, dict[str, Any]]]]] = {}
    for r in d.matched_rules:
        out.setdefault(r.policy, ([], []))[0].append(r.rule_id)
    for a in d.actions:
        out.setdefault(a.policy, ([], []))[1].append((a.rule_id, a.type, a.params))
    return out


def _differ(report: SimulationReport, case: Case, da: Decision, db: Decision) -> None:
    """Count a case whose two decisions differ, with example ids by the rule whose firing changed.
    The order in which the policies were listed is not a difference; the order inside a policy is."""
    if (da.rule_ids != db.rule_ids or da.actions != db.actions) and _by_policy(da) != _by_policy(db):
        report.changed += 1
        for rule in {f"{r.policy}/{r.rule_id}" for r in da.matched_rules} ^ {
            f"{r.policy}/{r.rule_id}" for r in db.matched_rules
        }:
            ids = report.examples.setdefault(rule, [])
            if len(ids) < MAX_EXAMPLES:
                ids.append(case.id)


def _tracked(
    report: SimulationReport, side: int, tracker: SlaTracker, case: Case, records: list[AuditRecord], now: datetime
) -> None:
    """Every SLA clock of a stored case under this side's targets, rebuilt from its audit records:
    each cycle that started counts as measured, and as breached if it was (or is, at ``now``)."""
    for tc in tracker.clocks(case, records):
        for clock in (*tc.history, tc.clock):
            st = clock.status(now)
            if st.state != "not_started":
                _tally(report, side, st.metric, st.breached)


_TRACKERS: dict[str, SlaTracker | None] = {}


def _tracker(paths: tuple[str, ...], backend: str, at: str) -> SlaTracker | None:
    """This side's SLA tracker (its policies' targets, the calendars beside them), or None without calendars."""
    key = f"{paths}|{backend}|{at}"
    if key not in _TRACKERS:
        cal = calendars_beside(paths)
        _TRACKERS[key] = SlaTracker(_engine(paths, backend, at), cal) if cal else None
    return _TRACKERS[key]


def _store_chunk(job: _StoreJob) -> SimulationReport:
    url, ids, a_paths, b_paths, backend, at = job
    from ..store import open_store

    now = datetime.fromisoformat(at)
    ea, ta = _engine(a_paths, backend, at), _tracker(a_paths, backend, at)
    eb, tb = (_engine(b_paths, backend, at), _tracker(b_paths, backend, at)) if b_paths else (None, None)
    report = SimulationReport(against=eb is not None, sla_from="the audit records")
    with open_store(url) as store:
        for case_id in ids:
            case, records = store.get_case(case_id), store.records(case_id)
            first = next((r for r in records if r.kind == "opened"), None)
            if case is None or first is None:  # pragma: no cover - the store writes both together
                continue
            as_opened = Case.model_validate(first.changes)
            report.cases += 1
            da = ea.evaluate(as_opened, at=first.at)
            _count(report, 0, as_opened, da)
            if ta is not None:
                ta.prime(first, da)  # its targets come from this decision: not evaluated again
                _tracked(report, 0, ta, case, records, now)
            if eb is not None:
                db = eb.evaluate(as_opened, at=first.at)
                _count(report, 1, as_opened, db)
                if tb is not None:
                    tb.prime(first, db)
                    _tracked(report, 1, tb, case, records, now)
                _differ(report, as_opened, da, db)
    return report


def simulate_store(
    url: str,
    policies: list[str | Path],
    against: list[str | Path] | None = None,
    *,
    at: datetime | str,
    backend: str = "python",
    workers: int | None = None,
    chunk: int = 2000,
    progress: Progress | None = None,
) -> SimulationReport:
    """Replay the cases of a case store (:func:`caseflow.store.open_store`) through one policy set, or two.

    Each case is decided as it was opened (its 'opened' audit record), at its opening time. Its
    SLA clocks are rebuilt from its audit records -- the history that happened -- under each
    side's SLA targets (the policies' ``sla_target`` actions, with the ``*.calendars.yaml`` beside
    them), so every metric is measured: first and next response, resolution, periodic updates,
    platform deadlines. A clock still running is judged at ``at``. The case ids are split into
    chunks read by worker processes, each with its own connection; ``progress(done, total)`` is
    called as chunks finish."""
    from ..store import open_store

    at_text = at.isoformat() if isinstance(at, datetime) else str(at)
    a_paths = tuple(str(p) for p in policies)
    b_paths = tuple(str(p) for p in against) if against else None
    # policies, calendars and the store are checked here, so a problem is one clear error, not one per worker
    for paths in (a_paths, b_paths):
        if paths:
            _tracker(paths, backend, at_text)
    with open_store(url) as store:
        ids = store.case_ids()
    jobs = [_StoreJob(url, ids[i : i + chunk], a_paths, b_paths, backend, at_text) for i in range(0, len(ids), chunk)]
    report = SimulationReport(against=b_paths is not None, sla_from="the audit records")
    workers = workers if workers is not None else min(os.cpu_count() or 1, max(len(jobs), 1))
    return _run(_store_chunk, jobs, workers, report, len(ids), progress)


def _run(
    fn: Callable[[_Job], SimulationReport],
    jobs: list[_Job],
    workers: int,
    report: SimulationReport,
    total: int,
    progress: Progress | None,
) -> SimulationReport:
    """Run ``fn`` on every job (in worker processes when there are several of both), merging into ``report``."""

    def merged(results: Iterable[SimulationReport]) -> SimulationReport:
        done = 0
        for r in results:
            report.merge(r)
            done += r.cases
            if progress:
                progress(done, total)
        return report

    if workers <= 1 or len(jobs) <= 1:
        return merged(map(fn, jobs))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return merged(pool.map(fn, jobs))


def simulate_file(
    cases: str | Path,
    policies: list[str | Path],
    against: list[str | Path] | None = None,
    *,
    at: datetime | str,
    backend: str = "python",
    workers: int | None = None,
    chunk: int = 2000,
    progress: Progress | None = None,
) -> SimulationReport:
    """Replay every case of a JSONL file; ``progress(done, total)`` is called as chunks finish."""
    path = Path(cases)
    at_text = at.isoformat() if isinstance(at, datetime) else str(at)
    a_paths = tuple(str(p) for p in policies)
    b_paths = tuple(str(p) for p in against) if against else None
    # check the policies once here, so a bad file is one clear error rather than one per worker
    load_policies([Path(p) for p in a_paths])
    if b_paths:
        load_policies([Path(p) for p in b_paths])
    found = file_problem(str(path), max_bytes=None)  # a FIFO or a device is refused, never opened
    if found is not None:
        raise DocumentError([found])
    # split the file into byte ranges of about `chunk` lines; workers read their own range
    chunks: list[tuple[int, int, int]] = []
    total = 0
    with path.open("rb") as f:
        start, first_line, lines, pos = 0, 1, 0, 0
        for lineno, line in enumerate(f, start=1):
            pos += len(line)
            if line.strip():
                lines += 1
                total += 1
            if lines >= chunk:
                chunks.append((start, pos, first_line))
                start, first_line, lines = pos, lineno + 1, 0
        if pos > start:
            chunks.append((start, pos, first_line))
    report = SimulationReport(against=b_paths is not None)
    jobs = [_FileJob(s, e, fl, a_paths, b_paths, backend, at_text, str(path)) for s, e, fl in chunks]
    workers = workers if workers is not None else min(os.cpu_count() or 1, max(len(chunks), 1))
    return _run(_chunk, jobs, workers, report, total, progress)
