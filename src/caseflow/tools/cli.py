"""The ``caseflow`` command line.

Exit codes: 0 success; 1 a check failed (invalid policy, failing policy test); 2 a usage
or input mistake (a clear one-line message, never a traceback).

Every problem is one line of standard error that names its place (``file:line:column`` of a YAML
document, the file and field path of case data) and ends with its code in brackets, as
docs/errors.md lists them (``[usage]``: a mistake in the command's arguments). A case file is read
like a document: a regular file only (a FIFO or ``/dev/zero`` is refused, never read), of at most
:data:`MAX_CASE_BYTES`.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from pydantic import JsonValue

from .._version import VERSION
from ..clock import Clock, FixedClock, SystemClock
from ..engine import Engine
from ..errors import (
    CaseDataError,
    CaseflowError,
    DocumentError,
    PolicyIssue,
    PolicyValidationError,
    WorkflowDefinitionError,
)
from ..model.case import EARLIEST, LATEST, MAX_CASE_BYTES, Case, parse_case
from ..policies.actions import default_actions
from ..policies.facts import FactRegistry, default_facts
from ..policies.loader import load_policies
from ..policies.source import file_problem, read_bytes

if TYPE_CHECKING:
    from ..testing.policytest import TestOutcome

__all__ = ["main"]


MAX_WORKERS = 256
"""The most worker processes ``caseflow simulate --workers`` starts (each one is a Python process)."""


class _Usage(Exception):
    pass


class _Unreadable(Exception):
    """A file the command cannot read (as a document reader says why): one located line."""

    def __init__(self, issue: PolicyIssue) -> None:
        super().__init__(str(issue))
        self.issue = issue


def _policies_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--policies",
        "-p",
        action="append",
        metavar="PATH",
        help="policy file or folder, repeatable: the policies of all of them (default: ./rules)",
    )
    p.add_argument("--backend", choices=["python", "durable"], default="python", help="rules backend (default: python)")


def _text_model_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--text-model",
        metavar="MODEL",
        help="also the text model's facts (signal.text_<class>.score): 'shipped' for caseflow's, "
        "or a model file saved by TextModel.save",
    )


def _facts(args: argparse.Namespace) -> FactRegistry | None:
    """The built-in facts, with the text model's when ``--text-model`` names one (None: the built-in only)."""
    if args.text_model is None:
        return None
    from ..risk.model import TextModel, register_text_model

    model = TextModel.shipped() if args.text_model == "shipped" else TextModel.load(args.text_model)
    facts = default_facts()
    register_text_model(facts, model)
    return facts


def _at_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--at", help="evaluate as if now were this ISO time (default: the real time)")


def _clock(at: str | None) -> Clock:
    if at is None:
        return SystemClock()
    try:
        dt = datetime.fromisoformat(at)
    except ValueError:
        raise _Usage(f"--at {at!r} is not an ISO date-time such as 2026-11-11T10:00:00+08:00") from None
    if dt.tzinfo is None:
        raise _Usage(f"--at {at!r} needs a time zone, e.g. {at}+08:00")
    if not EARLIEST <= dt < LATEST:
        raise _Usage(f"--at {at!r}: give a time between the years {EARLIEST.year} and {LATEST.year - 1}")
    return FixedClock(dt)


def _unreadable(issue: PolicyIssue, what: str) -> _Unreadable:
    if issue.code == "source-not-a-file":
        issue = replace(issue, hint=what)
    return _Unreadable(issue)


def _regular_file(path: str, what: str) -> None:
    """Refuse what is no regular file (a folder, a FIFO, a device) before anything opens it."""
    found = file_problem(path, max_bytes=None)
    if found is not None:
        raise _unreadable(found, what)


def _read_case(path: str) -> Case:
    """One case from a JSON file: a regular file of at most :data:`MAX_CASE_BYTES`, UTF-8 (a byte order mark
    allowed)."""
    raw = read_bytes(path, max_bytes=MAX_CASE_BYTES)
    if isinstance(raw, PolicyIssue):
        raise _unreadable(raw, "give one case as a JSON file")
    return parse_case(raw, source=path, max_bytes=None)


def cmd_facts(args: argparse.Namespace) -> int:
    reg = _facts(args) or default_facts()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "name": s.name,
                        "type": s.type.value,
                        "choices": list(s.choices or []),
                        "unit": s.unit,
                        "description": s.description,
                    }
                    for s in reg
                ],
                indent=2,
            )
        )
        return 0
    width = max(len(s.name) for s in reg)
    twidth = max(len(s.describe_type()) for s in reg if s.type.value != "enum") + 2
    for s in reg:
        t = s.describe_type() if s.type.value != "enum" else "enum"
        print(f"{s.name:<{width}}  {t:<{twidth}} {s.description}")
        if s.choices:
            print(f"{'':<{width}}  {'':<{twidth}}   values: {', '.join(s.choices)}")
    return 0


def cmd_actions(args: argparse.Namespace) -> int:
    for a in default_actions():
        fields = []
        for name, f in a.params.model_fields.items():
            req = "" if not f.is_required() else " (required)"
            fields.append(f"{name}{req}")
        print(f"{a.name:<18} {a.description}")
        if fields:
            print(f"{'':<18}   params: {', '.join(fields)}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    try:
        ps = load_policies(args.paths, facts=_facts(args))
    except PolicyValidationError as e:
        for issue in e.issues:
            print(_line(str(issue)), file=sys.stderr)
        n = len([i for i in e.issues if i.severity == "error"])
        print(f"invalid: {n} error{'s' if n != 1 else ''} [{e.code}]", file=sys.stderr)
        return 1
    for w in ps.warnings:
        print(str(w))
    print(
        f"ok: {len(ps)} polic{'ies' if len(ps) != 1 else 'y'}, {ps.rule_count} rules"
        + (f", {len(ps.warnings)} warning{'s' if len(ps.warnings) != 1 else ''}" if ps.warnings else "")
    )
    return 1 if (args.strict and ps.warnings) else 0


def cmd_evaluate(args: argparse.Namespace, explain: bool = False) -> int:
    case = _read_case(args.case)
    policies = load_policies(args.policies or ["rules"], facts=_facts(args))
    engine = Engine(policies, backend=args.backend, clock=_clock(args.at))
    decision = engine.evaluate(case)
    if explain:
        ex = decision.explain()
        if args.json:
            print(
                json.dumps(
                    {"decision": decision.model_dump(mode="json"), "explanation": ex.model_dump(mode="json")},
                    indent=2,
                    ensure_ascii=False,
                )
            )
        else:
            print(decision.summary())
            print()
            print(ex.render(only_matched=args.matched_only))
        return 0
    print(json.dumps(decision.model_dump(mode="json"), indent=2, ensure_ascii=False))
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    from ..testing.policytest import discover, load_file, run_file

    path = Path(args.path)
    files = discover(path) if path.is_dir() or not path.exists() else [path]  # a FIFO too: the reader refuses it
    if not files:
        raise _Usage(f"{args.path}: no *.test.yaml policy test files found")
    outcomes = []
    rules: dict[str, set[str]] = {}  # policy -> its rule ids, for coverage
    for f in files:
        outcomes.extend(run_file(f, backend=args.backend, name_filter=args.k))
        for p in load_file(f).policies_under_test():  # (not those it loads with them: load_with)
            rules.setdefault(p.name, set()).update(r.id for r in p.rules)
    if args.k and not outcomes:  # a filter that selects nothing is a typo, not a pass
        raise _Usage(f"-k {args.k!r}: no policy test name contains it (in {len(files)} test file(s) under {args.path})")
    failed = [o for o in outcomes if not o.passed]
    coverage = _coverage(rules, {h for o in outcomes for h in o.hits})
    if args.json:
        print(json.dumps({"tests": [_test_json(o) for o in outcomes], "coverage": coverage}, indent=2))
        return 1 if failed else 0
    for o in outcomes:
        if args.verbose or not o.passed:
            print(f"{'PASS' if o.passed else 'FAIL'}  {o.test.file}:{o.test.line}  {o.test.name}")
            for msg in o.failures:
                for line in _failure_lines(msg):
                    print(f"      {line}")
    if not args.k:
        total, uncovered = coverage["rules"], coverage["uncovered"]
        print(f"rule coverage: {total - len(uncovered)} of {total} rules fired in some test")
        for name, c in coverage["policies"].items():
            never = f"; never: {', '.join(c['uncovered'])}" if c["uncovered"] else ""
            print(f"  {name}: {c['hit']} of {c['total']}{never}")
    print(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def _failure_lines(message: str) -> list[str]:
    """A failure as lines that each stand alone: ``PLACE: N invalid fields:`` and its ``- field: problem [code]``
    items become ``PLACE: N invalid fields: field: problem [code]``, one line per field."""
    head, *items = message.splitlines() or [""]
    if not items or not head.endswith(":"):
        return [_line(message)]
    return [_line(f"{head} {item.strip().removeprefix('- ')}") for item in items]


class _PolicyCoverage(TypedDict):
    hit: int
    total: int
    uncovered: list[str]


def _coverage(rules: dict[str, set[str]], hits: set[str]) -> dict[str, Any]:
    """Per policy: rules hit, rules in all, the uncovered ones (``policy/rule``); and the totals."""
    policies: dict[str, _PolicyCoverage] = {}
    for name in sorted(rules):
        uncovered = sorted(f"{name}/{r}" for r in rules[name] if f"{name}/{r}" not in hits)
        policies[name] = {"hit": len(rules[name]) - len(uncovered), "total": len(rules[name]), "uncovered": uncovered}
    return {
        "rules": sum(len(v) for v in rules.values()),
        "uncovered": [u for c in policies.values() for u in c["uncovered"]],
        "policies": policies,
    }


def _test_json(o: TestOutcome) -> dict[str, Any]:
    return {
        "file": o.test.file,
        "line": o.test.line,
        "name": o.test.name,
        "backend": o.backend,
        "passed": o.passed,
        "failures": o.failures,
        "fired_rules": o.fired_rules,
        "actions": o.actions,
    }


def cmd_diagram(args: argparse.Namespace) -> int:
    from ..states import Workflows, load_workflows

    flows = Workflows(load_workflows(args.workflows or None))
    print(flows.diagram(args.workflow), end="")
    return 0


def cmd_workflows(args: argparse.Namespace) -> int:
    from ..states import Workflows, load_workflows

    flows = Workflows(load_workflows(args.paths or None))
    for name, d in sorted(flows.definitions.items()):
        finals = ", ".join(sorted(d.final_states))
        print(
            f"{name:<22} {d.version:<12} {len(d.states):>2} states, {len(d.transitions):>2} transitions; "
            f"starts at {d.initial}; final: {finals}"
        )
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from .generate import write_jsonl

    if args.n < 0:
        raise _Usage("--n must be 0 or more")
    if args.out:
        try:
            f = open(args.out, "w", encoding="utf-8")  # noqa: SIM115 - closed below
        except OSError as e:
            raise _Usage(f"--out {args.out!r}: cannot write: {e.strerror}") from None
        with f:
            n = write_jsonl(args.n, args.seed, f)
        print(f"wrote {n:,} cases to {args.out}", file=sys.stderr)
    else:
        write_jsonl(args.n, args.seed, sys.stdout)
    return 0


@contextmanager
def _progress(show: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on standard error (rich: redrawn every second, with the rate and the time left),
    fed ``progress(done, total)`` as chunks of cases finish; None when not shown."""
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):  # rich's own speed column is for bytes
        def __init__(self, unit: str) -> None:
            super().__init__()
            self.unit = unit

        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f} {self.unit}/s" if speed else f"- {self.unit}/s")

    columns = (
        TextColumn("simulating"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn("cases"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), refresh_per_second=2) as bar:
        task = bar.add_task("cases", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def cmd_simulate(args: argparse.Namespace) -> int:
    from .simulate import simulate_file, simulate_store

    if (args.cases is None) == (args.store is None):
        raise _Usage("give the cases to replay: --cases FILE.jsonl or --store URL (one of them)")
    if args.cases is not None:
        _regular_file(args.cases, "--cases takes a JSON-lines file (caseflow generate writes one)")
    if args.workers is not None and not 1 <= args.workers <= MAX_WORKERS:
        raise _Usage(f"--workers {args.workers}: use 1 or more, at most {MAX_WORKERS} (default: one per core)")
    show = args.progress or (sys.stderr.isatty() and not args.no_progress)
    at = _clock(args.at).now()
    with _progress(show) as progress:
        if args.store is not None:
            report = simulate_store(
                args.store,
                args.policies,
                args.against,
                at=at,
                backend=args.backend,
                workers=args.workers,
                progress=progress,
            )
        else:
            report = simulate_file(
                args.cases,
                args.policies,
                args.against,
                at=at,
                backend=args.backend,
                workers=args.workers,
                progress=progress,
            )
    if args.format == "json":
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    elif args.format == "csv":
        print(report.csv(), end="")
    else:
        print(report.table())
    return 0


def _schemas() -> dict[str, Callable[[], dict[str, JsonValue]]]:
    from ..policies.authorities import authorities_schema
    from ..policies.schema import policy_schema
    from ..risk.detectors import detectors_schema
    from ..sla.calendar import calendars_schema
    from ..states.definition import workflow_schema
    from ..testing.policytest import policy_test_schema

    return {
        "policy": policy_schema,
        "workflow": workflow_schema,
        "calendars": calendars_schema,
        "detectors": detectors_schema,
        "policy-test": policy_test_schema,
        "authorities": authorities_schema,
    }


SCHEMA_KINDS = ("policy", "workflow", "calendars", "detectors", "policy-test", "authorities")


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(_schemas()[args.kind](), indent=2, ensure_ascii=False))
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from ..errors import MigrationError
    from ..store import SCHEMA_VERSION, current_version, open_store, upgrade
    from ..store.urls import redact_url

    if args.db_command == "check":
        return _db_check(args)
    if args.db_command == "status":
        try:
            store = open_store(args.url, check_schema=False)
        except MigrationError as e:
            if e.code != "store-missing":
                raise
            print(
                f"{redact_url(args.url)}: no database yet: needs upgrade to {SCHEMA_VERSION}: caseflow db upgrade "
                f"{redact_url(args.url)}"
            )
            return 1
    else:
        store = open_store(args.url, check_schema=False, create=True)
    with store:
        if args.db_command == "upgrade":
            applied = upgrade(store)
            for m in applied:
                print(f"applied {m.version:04d}_{m.name}")
            print(f"{redact_url(args.url)}: schema version {current_version(store)} (up to date)")
            return 0
        have = current_version(store)
        state = (
            "up to date"
            if have == SCHEMA_VERSION
            else (
                f"needs upgrade to {SCHEMA_VERSION}: caseflow db upgrade {redact_url(args.url)}"
                if have < SCHEMA_VERSION
                else "newer than this caseflow"
            )
        )
        print(f"{redact_url(args.url)}: schema version {have} ({state})")
        if have == SCHEMA_VERSION:
            for table, n in store.counts().items():
                print(f"  {table:<16} {n:>10,}")
        return 0 if have == SCHEMA_VERSION else 1


def _db_check(args: argparse.Namespace) -> int:
    """``caseflow db check URL``: the file's integrity, then the SLA invariant case by case; ``--repair``
    rebuilds the timers and recorded clocks of every case with a problem from its history."""
    from ..sla import SlaTracker
    from ..states import Workflows
    from ..store import CaseService, open_store
    from ..store.urls import redact_url
    from .simulate import calendars_beside

    paths = [Path(p) for p in (args.policies or _default_sla_policies())]
    engine = Engine(load_policies(paths), clock=SystemClock())
    calendars = calendars_beside(tuple(str(p) for p in paths))
    if not calendars:
        raise _Usage(f"no *.calendars.yaml beside {', '.join(map(str, paths))}: give --policies with your SLA pack")
    tracker = SlaTracker(engine, calendars)
    with open_store(args.url) as store:
        damaged = store.integrity()
        for line in damaged:
            print(f"integrity: {line}")
        if damaged:
            print(f"{redact_url(args.url)}: the database file is damaged: restore it from a backup [store-corrupt]")
            return 1
        service = CaseService(store, Workflows(engine=engine), tracker=tracker)
        problems = service.check_timers(repair=args.repair)
        for p in problems:
            print(f"{p.case_id}  {p.key}  {p.problem}: {p.detail}")
        cases = len({p.case_id for p in problems})
        if not problems:
            print(f"{redact_url(args.url)}: every running clock has its one timer (SLA policies {tracker.version})")
            return 0
        if args.repair:
            left = service.check_timers()
            print(f"repaired {cases} case{'s' if cases != 1 else ''}; {len(left)} problem(s) left")
            return 0 if not left else 1
        print(f"{len(problems)} problem(s) in {cases} case(s): caseflow db check {redact_url(args.url)} --repair")
        return 1


def _default_sla_policies() -> list[str]:
    """``rules`` and ``rules/sla`` when they exist (the layout of the default pack)."""
    found = [p for p in ("rules", "rules/sla") if Path(p).is_dir()]
    if not found:
        raise _Usage("no ./rules folder: give the policies with their SLA targets, --policies PATH (repeatable)")
    return found


def cmd_report(args: argparse.Namespace) -> int:
    from ..store import open_store
    from .report import build_report, timezone

    zone = timezone(args.tz)

    def day(text: str | None, what: str) -> datetime | None:
        if text is None:
            return None
        try:
            d = datetime.fromisoformat(text)
        except ValueError:
            raise _Usage(f"{what} {text!r} is not an ISO date such as 2026-11-01") from None
        return d if d.tzinfo is not None else d.replace(tzinfo=zone)

    since, until = day(args.since, "--since"), day(args.until, "--until")
    if since is not None and until is not None and since >= until:
        raise _Usage(f"--since {args.since} is not before --until {args.until}: no case could be in that period")
    for option, path, suffix, kind in (
        ("--chart", args.chart, ".svg", "an SVG chart"),
        ("--html", args.html, ".html", "an HTML page"),
    ):
        if path and not path.endswith(suffix):
            raise _Usage(f"{option} {path!r}: the file is {kind}; name it *{suffix}")
    if not 0 < args.sla_target <= 1:  # NaN too
        raise _Usage(f"--sla-target {args.sla_target:g}: give a fraction above 0 and at most 1, e.g. 0.95 for 95%")
    with open_store(args.store) as store:
        report = build_report(
            store.cases(),
            store.outbox(),
            period=args.period,
            tz=args.tz,
            since=since,
            until=until,
            tenant=args.tenant,
            clocks=store.sla_clocks(),  # SLA figures from the recorded clocks only
        )
    # every file is drawn before any is written (without matplotlib: a clear error, no file left half made)
    files = [
        (option, path, draw(sla_target=args.sla_target), what)
        for option, path, draw, what in (
            ("--chart", args.chart, report.svg, "chart"),
            ("--html", args.html, report.html, "report"),
        )
        if path
    ]
    for option, path, text, _ in files:
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as e:
            raise _Usage(f"{option} {path!r}: cannot write: {e.strerror}") from None
    if args.format == "json":
        print(report.json())
    elif args.format == "csv":
        print(report.csv(), end="")
    else:
        print(report.table())
        print("".join(f"\n{what} written to {path}\n" for _, path, _, what in files), end="")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="caseflow", description="Customer-service policies you can test, diff and version."
    )
    parser.add_argument("--version", action="version", version=f"caseflow {VERSION}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("facts", help="list the facts a policy may test")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    _text_model_arg(p)
    p.set_defaults(func=cmd_facts)

    p = sub.add_parser("actions", help="list the actions a rule may take")
    p.set_defaults(func=cmd_actions)

    p = sub.add_parser("validate", help="check policy files; errors as file:line:column")
    p.add_argument("paths", nargs="+", metavar="PATH", help="policy files or folders")
    p.add_argument(
        "--strict", action="store_true", help="warnings (shadowed rules, never-true conditions ...) fail too"
    )
    _text_model_arg(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("evaluate", help="evaluate a case (JSON) and print the decision as JSON")
    p.add_argument("case", metavar="CASE.json")
    _policies_arg(p)
    _at_arg(p)
    _text_model_arg(p)
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("explain", help="evaluate a case and say why each rule matched or not")
    p.add_argument("case", metavar="CASE.json")
    _policies_arg(p)
    _at_arg(p)
    _text_model_arg(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--matched-only", action="store_true", help="show only the rules that matched")
    p.set_defaults(func=lambda a: cmd_evaluate(a, explain=True))

    p = sub.add_parser("generate", help="write realistic synthetic cases as JSON lines")
    p.add_argument("--n", type=int, default=1000, help="how many cases (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="random seed: the same seed gives the same cases")
    p.add_argument("--out", "-o", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("simulate", help="replay cases through a policy set, or two, and report what changes")
    p.add_argument("--cases", metavar="FILE.jsonl", help="one case per line (see caseflow generate)")
    p.add_argument(
        "--store",
        metavar="URL",
        help="or the cases of a case store (sqlite:///FILE, postgresql://...): "
        "decided as opened, SLA clocks rebuilt from their audit records",
    )
    p.add_argument(
        "--policies", required=True, action="append", metavar="PATH", help="the policies to replay: set A (repeatable)"
    )
    p.add_argument(
        "--compare-with",
        "--against",
        dest="against",
        action="append",
        metavar="PATH",
        help="a second policy set, B, decided on the same cases; the report shows A, B and the change (repeatable; "
        "--against is the old name)",
    )
    _at_arg(p)
    p.add_argument("--backend", choices=["python", "durable"], default="python", help="rules backend (default: python)")
    p.add_argument("--workers", type=int, help="worker processes (default: one per core)")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.add_argument("--progress", action="store_true", help="show a progress bar even when not on a terminal")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser("schema", help="print the JSON Schema of a YAML document kind (for yaml-language-server)")
    p.add_argument(
        "kind",
        nargs="?",
        default="policy",
        choices=SCHEMA_KINDS,
        help="policy (also SLA targets; the default), workflow, calendars, detectors or policy-test",
    )
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("workflows", help="check and list workflow definitions (default: the shipped ones)")
    p.add_argument("paths", nargs="*", metavar="PATH", help="workflow files or folders")
    p.set_defaults(func=cmd_workflows)

    p = sub.add_parser("diagram", help="print a workflow's state diagram")
    p.add_argument("workflow", metavar="WORKFLOW", help="e.g. tier1, tier2, return_and_refund, dispute")
    p.add_argument("--format", choices=["mermaid"], default="mermaid", help="diagram format (default: mermaid)")
    p.add_argument(
        "--workflows", action="append", metavar="PATH", help="definition files or folders (default: shipped)"
    )
    p.set_defaults(func=cmd_diagram)

    p = sub.add_parser("test", help="run YAML policy tests (*.test.yaml)")
    p.add_argument("path", metavar="PATH", help="a test file or a folder")
    p.add_argument("-k", metavar="TEXT", help="only tests whose name contains TEXT")
    p.add_argument("-v", "--verbose", action="store_true", help="list passing tests too")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--backend", choices=["python", "durable"], default="python", help="rules backend (default: python)")
    p.set_defaults(func=cmd_test)

    p = sub.add_parser(
        "report",
        help="volume, SLA compliance, escalations, refunds and more, per day, week or month",
        description="Read the cases of a store and report, per period: volume by case type and channel, "
        "SLA compliance, escalation rate, refunds (count and amount), top reasons; over the "
        "range: repeat-complaint SKUs and mis-shipments by warehouse and cause.",
    )
    p.add_argument("--store", required=True, metavar="URL", help="sqlite:///FILE or postgresql://...")
    p.add_argument("--period", choices=["daily", "weekly", "monthly"], default="weekly")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("--chart", metavar="FILE.svg", help="also write a trend chart (SVG; needs caseflow[report])")
    p.add_argument(
        "--html",
        metavar="FILE.html",
        help="also write the report as one self-contained HTML page, tables and charts (needs caseflow[report])",
    )
    p.add_argument(
        "--sla-target",
        type=float,
        default=0.95,
        metavar="FRACTION",
        help="the SLA compliance the charts and the page hold each period to (default 0.95)",
    )
    p.add_argument("--tz", default="UTC", help="time zone of the periods (default UTC), e.g. Asia/Shanghai")
    p.add_argument("--since", metavar="DATE", help="only cases opened at or after this ISO date/time")
    p.add_argument("--until", metavar="DATE", help="only cases opened before this ISO date/time")
    p.add_argument("--tenant", help="only this tenant's cases")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("db", help="create or migrate a case store, or show its state")
    dbsub = p.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    for name, text in (
        ("upgrade", "create the schema or apply the missing migrations"),
        ("status", "the schema version and the rows per table (exit 1 when an upgrade is due)"),
        (
            "check",
            "the database's integrity and the SLA invariant (every running clock has its one pending timer); "
            "exit 1 on a problem",
        ),
    ):
        q = dbsub.add_parser(name, help=text)
        q.add_argument("url", metavar="URL", help="sqlite:///FILE or postgresql://USER@HOST:PORT/DB")
        if name == "check":
            q.add_argument(
                "--policies",
                "-p",
                action="append",
                metavar="PATH",
                help="policy files or folders with the SLA targets, and *.calendars.yaml beside them "
                "(repeatable; default: ./rules and ./rules/sla)",
            )
            q.add_argument("--repair", action="store_true", help="rebuild the timers of every case with a problem")
        q.set_defaults(func=cmd_db)
    return parser


def _line(text: str, limit: int = 1000) -> str:
    """``text`` as one line of at most ``limit`` characters: line breaks become spaces, and a long
    middle (a value quoted in full) is cut, keeping the place at the start and the code at the end."""
    one = " ".join(text.splitlines())
    if len(one) <= limit:
        return one
    head = limit * 2 // 3
    return f"{one[:head]} … {one[-(limit - head - 3) :]}"


def _refused(e: CaseflowError | _Unreadable | _Usage) -> int:
    """Say why the command was refused, one line per problem on standard error; the exit code."""
    if isinstance(e, DocumentError):  # every problem of the documents, each at its file:line:column
        for issue in e.issues:
            print(_line(str(issue)), file=sys.stderr)
        return 1 if isinstance(e, (PolicyValidationError, WorkflowDefinitionError)) else 2
    if isinstance(e, CaseDataError):  # every invalid field, each after the file (and line) it is in
        lines = [f"caseflow: error: {e.source}: {problem} [{e.code}]" for problem in e.problems]
    elif isinstance(e, _Unreadable):
        lines = [str(e.issue)]
    elif isinstance(e, _Usage):
        lines = [f"caseflow: error: {e} [usage]"]
    else:
        lines = [f"caseflow: error: {e}"]
    for line in lines:
        print(_line(line), file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    if isinstance(sys.stdout, io.TextIOWrapper):  # a text that is no valid Unicode never stops the output
        sys.stdout.reconfigure(errors="backslashreplace")
    try:
        return int(args.func(args) or 0)
    except (CaseflowError, _Unreadable, _Usage) as e:
        return _refused(e)
    except BrokenPipeError:  # output piped into `head` and closed early
        try:
            sys.stdout = open(__import__("os").devnull, "w")  # noqa: SIM115
        except OSError:  # pragma: no cover
            pass
        return 0
    except OSError as e:  # a file or folder the command could not use: one line, never a traceback
        where = f"{e.filename}: " if e.filename else ""
        print(_line(f"caseflow: error: {where}{e.strerror or e} [usage]"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
