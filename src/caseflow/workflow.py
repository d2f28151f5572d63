"""Apply events and commands to cases through the workflows, driven by policy decisions.

::

    flows = Workflows(engine=Engine(load_policies("rules/")))
    out = flows.open(case, actor=Actor(id="bot", role="system"), at=now)
    out = flows.handle(out.case, WorkflowEvent(id="e1", trigger="triage", actor=agent, at=now))
    out.case.states        # {'tier1': 'triaged', 'return_and_refund': 'approved', ...}
    out.records            # the audit records of this event, append-only
    replay(all_records) == out.case

``handle`` never changes the case it is given: it returns a new case, the decisions taken
and the audit records. The same event id twice changes nothing the second time. A refused
transition raises :class:`~caseflow.errors.TransitionRefused` naming the guard.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import AwareDatetime, Field

from ._models import Frozen, trusted, updated
from .case import Case, Priority
from .decision import Decision
from .engine import Engine
from .errors import (
    PolicyIssue,
    ReactionLimitError,
    TransitionNotAllowed,
    TransitionRefused,
    WorkflowDefinitionError,
    WorkflowError,
)
from .states.definition import BUILTIN_ROLES, WorkflowDefinition, check_definition, load_workflow, shipped_workflow_dir
from .states.guards import GuardContext, GuardRegistry, default_guards
from .states.machine import CompiledWorkflow

__all__ = [
    "Actor",
    "AuditRecord",
    "DEFAULT_CASE_WORKFLOWS",
    "Outcome",
    "WorkflowEvent",
    "Workflows",
    "load_workflows",
    "replay",
]

# Which workflows a new case starts in, by case type (tier1 always).
DEFAULT_CASE_WORKFLOWS: dict[str, list[str]] = {
    "refund_only": ["refund_only"],
    "cancellation": ["refund_only"],
    "return_and_refund": ["return_and_refund"],
    "exchange": ["exchange"],
    "reship": ["reship"],
    "partial_compensation": ["partial_compensation"],
    "dispute": ["dispute"],
    "chargeback": ["chargeback"],
}
EVENT_FIELDS = ("root_cause", "kb_summary", "resolution", "authority")  # event data copied onto the case
_SEVERITY = {"low": 1, "medium": 2, "high": 3, "critical": 4}
SYSTEM = "system"


class Actor(Frozen):
    id: str = Field(min_length=1)
    role: str = Field(min_length=1)


_SYSTEM_ACTOR = Actor(id=SYSTEM, role=SYSTEM)  # policy and deadline reactions act as the system


class WorkflowEvent(Frozen):
    """An event or command: fire ``trigger`` (or ``evaluate`` the policies) as ``actor`` at ``at``."""

    id: str = Field(min_length=1, description="unique: the same id twice is applied once")
    trigger: str = Field(min_length=1, description="a workflow trigger, or 'evaluate'")
    workflow: str | None = Field(None, description="which workflow; needed only when two running ones share the trigger")
    actor: Actor
    at: AwareDatetime
    reason: str | None = None
    data: dict[str, str | int | float | bool | None] = Field(default_factory=dict)


class AuditRecord(Frozen):
    """One append-only record: a transition, a decision, an opening or a refused reaction."""

    case_id: str
    version: int = Field(description="the case version this event produced")
    seq: int = Field(description="order within the event")
    event_id: str
    kind: Literal["opened", "transition", "decision", "reaction_refused"]
    at: AwareDatetime
    actor_id: str
    role: str
    workflow: str | None = None
    trigger: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    reason: str | None = None
    rule_ids: list[str] = Field(default_factory=list)
    policy_versions: list[str] = Field(default_factory=list)
    changes: dict[str, Any] = Field(default_factory=dict, description="case fields after this step (JSON)")


_RECORD_FIELDS = set(AuditRecord.model_fields)


def _record(case_id: str, version: int, seq: int, event_id: str, kind: str, at: datetime, actor_id: str, role: str,
            workflow: str | None = None, trigger: str | None = None, from_state: str | None = None,
            to_state: str | None = None, reason: str | None = None, rule_ids: list[str] | None = None,
            policy_versions: list[str] | None = None, changes: dict[str, Any] | None = None) -> AuditRecord:
    """A record from values caseflow made itself (tests/test_workflows.py pins it against full validation)."""
    return trusted(AuditRecord, {
        "case_id": case_id, "version": version, "seq": seq, "event_id": event_id, "kind": kind, "at": at,
        "actor_id": actor_id, "role": role, "workflow": workflow, "trigger": trigger, "from_state": from_state,
        "to_state": to_state, "reason": reason, "rule_ids": [] if rule_ids is None else rule_ids,
        "policy_versions": [] if policy_versions is None else policy_versions,
        "changes": {} if changes is None else changes,
    }, _RECORD_FIELDS.copy())  # a set of its own: model_copy(update=...) adds to it


@dataclass(slots=True)
class Outcome:
    """What ``open`` and ``handle`` return: the new case, the decisions taken, the audit records."""

    case: Case
    decisions: list[Decision] = field(default_factory=list)
    records: list[AuditRecord] = field(default_factory=list)
    duplicate: bool = False


def load_workflows(paths: Iterable[str | Path] | None = None) -> list[WorkflowDefinition]:
    """Load definitions: the shipped ones (default), or the given files and folders."""
    if paths is None:
        paths = [shipped_workflow_dir()]
    out: list[WorkflowDefinition] = []
    issues: list[PolicyIssue] = []
    for p in map(Path, paths):
        files = sorted(p.glob("*.yaml")) if p.is_dir() else [p]
        for f in files:
            try:
                out.append(load_workflow(f))
            except WorkflowDefinitionError as e:
                issues.extend(e.issues)
    if issues:
        raise WorkflowDefinitionError(issues)
    return out


_TO_JSON: dict[type, Any] = {dict: dict, list: list, Priority: lambda p: p.value, datetime: datetime.isoformat}


def _json(value: Any) -> Any:
    """JSON form of the few field types a workflow writes (what model_dump(mode='json') gives)."""
    convert = _TO_JSON.get(type(value))
    if convert is not None:
        return convert(value)
    if isinstance(value, datetime):  # a datetime subclass
        return value.isoformat()
    return value


_UNRECORDED = object()  # no record of the event carries the field yet


class _Work:
    """The case being changed by one event: updates are collected and applied in one copy
    when something reads the case; the caller's case is never touched."""

    def __init__(self, case: Case) -> None:
        self._base = case
        self._pending: dict[str, Any] = {}
        self._case: Case | None = case
        self._recorded: dict[str, Any] = {}  # field -> the value a record of this event already carries

    @property
    def case(self) -> Case:
        if self._case is None:
            self._case = updated(self._base, self._pending)
        return self._case

    def get(self, name: str) -> Any:
        return self._pending[name] if name in self._pending else getattr(self._base, name)

    def update(self, **fields: Any) -> None:
        # the copy does not validate: coerce the one enum field a workflow writes
        if "priority" in fields:
            fields["priority"] = Priority(fields["priority"])
        self._pending.update(fields)
        self._case = None

    def snapshot(self, names: Iterable[str]) -> dict[str, Any]:
        """The JSON form of these fields as they are now, for a record; remembered as recorded."""
        out = {}
        for n in names:
            v = self._recorded[n] = self.get(n)
            out[n] = _json(v)
        return out

    def unrecorded(self) -> dict[str, Any]:
        """The changes of this event that no record carries yet (values are replaced, never mutated)."""
        rec = self._recorded
        return self.snapshot([n for n, v in self._pending.items() if rec.get(n, _UNRECORDED) is not v])


class Workflows:
    """The shipped (or given) workflow definitions, one shared machine each, plus the policy engine."""

    def __init__(self, definitions: Iterable[WorkflowDefinition] | None = None, *, engine: Engine | None = None,
                 guards: GuardRegistry | None = None, roles: Iterable[str] = (),
                 case_workflows: dict[str, list[str]] | None = None, max_reactions: int = 8) -> None:
        defs = list(definitions) if definitions is not None else load_workflows()
        self.guards = guards or default_guards()
        self.roles = set(BUILTIN_ROLES) | set(roles)
        self.engine = engine
        self.max_reactions = max_reactions
        self.case_workflows = dict(DEFAULT_CASE_WORKFLOWS if case_workflows is None else case_workflows)
        names = [d.name for d in defs]
        issues: list[PolicyIssue] = []
        for d in defs:
            if names.count(d.name) > 1:
                issues.append(PolicyIssue(d.source, 1, 1, "workflow-duplicate", f"workflow {d.name!r} is defined twice"))
        action_names = None if engine is None else {a.name for a in engine.policies.actions}
        for d in defs:
            issues.extend(check_definition(d, others=set(names), guards=self.guards.names(), roles=self.roles,
                                           actions=action_names))
        for ctype, wfs in self.case_workflows.items():
            for w in wfs:
                if w not in names:
                    issues.append(PolicyIssue("<case_workflows>", 1, 1, "workflow-unknown-workflow",
                                              f"case type {ctype!r} starts unknown workflow {w!r}"))
        if "tier1" not in names:
            issues.append(PolicyIssue("<workflows>", 1, 1, "workflow-missing", "a 'tier1' workflow is required"))
        if issues:
            raise WorkflowDefinitionError(issues)
        self.definitions = {d.name: d for d in defs}
        self.compiled = {d.name: CompiledWorkflow(d, self.guards) for d in defs}
        self._on_actions = {d.name: dict(d.on_actions) for d in defs}

    # -- opening ---------------------------------------------------------------------------
    def open(self, case: Case, *, actor: Actor, at: datetime, event_id: str | None = None,
             evaluate: bool = True) -> Outcome:
        """Start the case's workflows (tier1 and those of its type) and, with an engine, evaluate it."""
        if case.states:
            raise WorkflowError(f"case {case.id!r} is already open in {sorted(case.states)}", code="case-already-open")
        eid = event_id or f"open:{case.id}"
        names = ["tier1"] + [w for w in self.case_workflows.get(case.case_type.value, []) if w != "tier1"]
        work = _Work(case)
        version = case.version + 1
        work.update(states={w: self.definitions[w].initial for w in names}, version=version,
                    applied_events=[*case.applied_events, eid], updated_at=at)
        # the opening snapshot is the case before any reaction; later records carry the changes
        opened = AuditRecord(case_id=case.id, version=version, seq=0, event_id=eid, kind="opened", at=at,
                             actor_id=actor.id, role=actor.role, changes=work.case.model_dump(mode="json"))
        records: list[AuditRecord] = [opened]
        decisions: list[Decision] = []
        if evaluate and self.engine is not None:
            self._react(work, eid, actor, at, records, decisions, [("evaluate", None, None, 0, None)], None, version)
        return Outcome(case=work.case, decisions=decisions, records=records)

    # -- events ----------------------------------------------------------------------------
    def handle(self, case: Case, event: WorkflowEvent) -> Outcome:
        """Apply one event; return the new case, the decisions and the audit records."""
        if not isinstance(case, Case) or not isinstance(event, WorkflowEvent):
            bad = ("case", case, "caseflow.parse_case(data)") if not isinstance(case, Case) else \
                ("event", event, "WorkflowEvent.model_validate(data)")
            raise WorkflowError(f"handle() takes a Case and a WorkflowEvent; the {bad[0]} is a {type(bad[1]).__name__}: "
                                f"use {bad[2]}", code="handle-bad-argument")
        if event.id in case.applied_events:
            return Outcome(case, duplicate=True)
        if not case.states:
            raise WorkflowError(f"case {case.id!r} is not open; call Workflows.open first", code="case-not-open")
        if event.actor.role not in self.roles:
            raise WorkflowError(f"unknown role {event.actor.role!r}; known: {', '.join(sorted(self.roles))}", code="role-unknown")
        work = _Work(case)
        for k in EVENT_FIELDS:
            if isinstance(event.data.get(k), str):
                work.update(**{k: event.data[k]})
        metric = event.data.get("sla_metric")
        if isinstance(metric, str):  # an SLA timer fired (caseflow.sla): record it on the case for the policies
            if isinstance(event.data.get("sla_breach_level"), int):
                work.update(sla_breaches={**case.sla_breaches, metric: event.data["sla_breach_level"]})
            if isinstance(event.data.get("sla_warning"), int):
                work.update(sla_warnings={**case.sla_warnings, metric: event.data["sla_warning"]})
        records: list[AuditRecord] = []
        decisions: list[Decision] = []
        if event.trigger == "evaluate":
            if self.engine is None:
                raise WorkflowError(f"event {event.id!r} asks to evaluate the policies, but these workflows have no "
                                    "policy engine: Workflows(engine=Engine(load_policies(...)))", code="workflow-no-engine")
            first = [("evaluate", None, None, 0, None)]
        else:
            first = [(event.trigger, self._workflow_for(case, event), "event", 0, None)]
        version = case.version + 1
        self._react(work, event.id, event.actor, event.at, records, decisions, first, event, version)
        work.update(version=version, applied_events=[*case.applied_events, event.id], updated_at=event.at)
        if records:  # the last record carries what no record carries yet, so replay ends exactly here
            records[-1].changes.update(work.unrecorded())  # our own fresh dict, not yet returned
        return Outcome(work.case, decisions, records)

    def _workflow_for(self, case: Case, event: WorkflowEvent) -> str:
        if event.workflow is not None:
            if event.workflow not in case.states:
                raise TransitionNotAllowed(event.workflow, event.trigger, None, [])
            return event.workflow
        running = [w for w, s in case.states.items() if self.compiled[w].can(s, event.trigger)]
        if len(running) == 1:
            return running[0]
        if not running:
            allowed = sorted({f"{w}.{t}" for w, s in case.states.items() for t in self.compiled[w].allowed(s)})
            raise TransitionNotAllowed(",".join(sorted(case.states)), event.trigger, ",".join(
                f"{w}:{s}" for w, s in sorted(case.states.items())), allowed)
        raise WorkflowError(f"trigger {event.trigger!r} is possible in {', '.join(running)}; name the workflow "
                            "(event.workflow)", code="trigger-ambiguous")

    def _react(self, work: _Work, event_id: str, actor: Actor, at: datetime, records: list[AuditRecord],
               decisions: list[Decision], first: list[tuple[str, str | None, str | None, int, dict[str, Any] | None]],
               event: WorkflowEvent | None = None, version: int = 0) -> None:
        case_id = work.get("id")
        queue = deque(first)
        seen: set[tuple[Any, ...]] = set()
        steps = 0
        while queue:
            trigger, wf, origin, depth, reaction_data = queue.popleft()
            steps += 1
            if depth > self.max_reactions or steps > 16 * self.max_reactions:
                raise ReactionLimitError(
                    f"case {case_id!r}: more than {self.max_reactions} chained reactions (last: {trigger!r} in "
                    f"{wf or 'policies'}); check the on_actions and evaluate settings for a cycle")
            if trigger == "evaluate":
                key = ("evaluate", frozenset(work.get("states").items()), work.get("tier"), work.get("priority"))
                if key in seen:
                    continue  # the same policies on the same state decide the same: nothing new
                seen.add(key)
                self._evaluate(work, event_id, at, depth, records, decisions, queue, version)
                continue
            assert wf is not None
            is_event = origin == "event"
            who = actor if is_event else _SYSTEM_ACTOR
            reason = event.reason if (is_event and event is not None) else origin
            data = dict(event.data) if (is_event and event is not None) else dict(reaction_data or {})
            state = work.get("states").get(wf)
            if state is None:
                if is_event:
                    raise TransitionNotAllowed(wf, trigger, None, [])
                continue
            compiled = self.compiled[wf]
            ctx = GuardContext(case_fn=lambda: work.case, workflow=wf, trigger=trigger, state=state, role=who.role,
                               actor_id=who.id, reason=reason, data=data, params=compiled.definition.params)
            try:
                new_state, t = compiled.fire(state, trigger, ctx)
            except (TransitionRefused, TransitionNotAllowed) as exc:
                if is_event:
                    raise
                records.append(_record(case_id=case_id, version=version, seq=len(records), event_id=event_id, kind="reaction_refused",
                                           at=at, actor_id=who.id, role=who.role, workflow=wf, trigger=trigger,
                                           from_state=state, reason=str(exc.args[0])))
                continue
            loop_key = (wf, state, trigger, new_state, frozenset(work.get("states").items()))
            if loop_key in seen:
                raise ReactionLimitError(f"case {case_id!r}: reaction loop: {wf}.{trigger} from {state!r} again")
            seen.add(loop_key)
            states = dict(work.get("states"))
            states[wf] = new_state
            if t.start is not None and t.start not in states:
                states[t.start] = self.definitions[t.start].initial
            updates: dict[str, Any] = {"states": states}
            for k, v in t.set:
                updates[k] = v
            work.update(**updates)
            if not is_event and isinstance(data.get("authority"), str) and t.guards and "has_authority" in t.guards:
                updates["authority"] = data["authority"]
                work.update(authority=data["authority"])
            changed = ["states", *(k for k, _ in t.set)]
            if data or len(updates) > 1:  # event data copied onto the case, or set by the transition
                changed += [k for k in EVENT_FIELDS if k in updates or (is_event and k in data)]
            records.append(_record(
                case_id=case_id, version=version, seq=len(records), event_id=event_id, kind="transition", at=at, actor_id=who.id,
                role=who.role, workflow=wf, trigger=trigger, from_state=state, to_state=new_state, reason=reason,
                changes=work.snapshot(dict.fromkeys(changed)), rule_ids=[], policy_versions=[],
            ))
            if t.then is not None:
                queue.append((t.then[1], t.then[0], f"{wf}.{trigger}", depth + 1, None))
            if t.evaluate and self.engine is not None:
                queue.append(("evaluate", None, None, depth + 1, None))

    def _evaluate(self, work: _Work, event_id: str, at: datetime, depth: int, records: list[AuditRecord],
                  decisions: list[Decision], queue: deque[Any], version: int) -> None:
        assert self.engine is not None
        decision = self.engine.evaluate(work.case, at=at)
        decisions.append(decision)
        updates: dict[str, Any] = {}
        tags = list(work.get("tags"))
        for a in decision.actions:
            if a.type == "set_priority":
                updates["priority"] = a.params["priority"]
            elif a.type == "add_tag" and a.params["tag"] not in tags:
                tags.append(a.params["tag"])
        if tags != work.get("tags"):
            updates["tags"] = tags
        if updates:
            work.update(**updates)
        records.append(_record(
            case_id=work.get("id"), version=version, seq=len(records), event_id=event_id, kind="decision", at=at, actor_id=SYSTEM,
            role=SYSTEM, rule_ids=[f"{r.policy}/{r.rule_id}" for r in decision.matched_rules],
            policy_versions=[f"{p.name}@{p.version}" for p in decision.policies],
            changes=work.snapshot(updates) if updates else {}, workflow=None, trigger=None,
            from_state=None, to_state=None, reason=None,
        ))
        # escalations react first, the most severe first: the highest severity decides
        ordered = sorted(decision.actions, key=lambda a: -_SEVERITY.get(a.params.get("severity"), 0) if a.type == "escalate" else 1)
        for a in ordered:
            for wf, state in list(work.get("states").items()):
                trig = self._on_actions[wf].get(a.type)
                if trig is None:
                    continue
                why = f"policy {a.policy}/{a.rule_id}"
                if self.compiled[wf].can(state, trig):
                    queue.append((trig, wf, why, depth + 1, {k: v for k, v in a.params.items() if isinstance(v, (str, int, float, bool))}))
                else:  # recorded, so an audit shows why the action had no effect here
                    records.append(_record(
                        case_id=work.get("id"), version=version, seq=len(records), event_id=event_id, kind="reaction_refused", at=at,
                        actor_id=SYSTEM, role=SYSTEM, workflow=wf, trigger=trig, from_state=state,
                        reason=f"{why}: {a.type} -> {trig!r} is not possible from {state!r}",
                    ))

    # -- inspection -----------------------------------------------------------------------
    def allowed(self, case: Case) -> dict[str, list[str]]:
        """For each running workflow, the triggers possible from its current state."""
        return {w: self.compiled[w].allowed(s) for w, s in case.states.items()}

    def diagram(self, name: str) -> str:
        """The state diagram of a workflow as Mermaid text."""
        from .states.diagram import mermaid

        if name not in self.definitions:
            raise WorkflowError(f"unknown workflow {name!r}; known: {', '.join(sorted(self.definitions))}",
                                code="workflow-unknown")
        return mermaid(self.definitions[name])


def replay(records: Iterable[AuditRecord]) -> Case:
    """Rebuild a case from its audit records alone (the first must be its 'opened' record)."""
    it = iter(records)
    try:
        first = next(it)
    except StopIteration:
        raise WorkflowError("no records to replay", code="replay-empty") from None
    if first.kind != "opened":
        raise WorkflowError(f"replay starts at an 'opened' record, not {first.kind!r}", code="replay-no-open")
    data = dict(first.changes)
    last = (first.version, first.seq)
    for r in it:
        if (r.version, r.seq) <= last:
            raise WorkflowError(f"records out of order at version {r.version} seq {r.seq}", code="replay-order")
        last = (r.version, r.seq)
        data.update(r.changes)
    return Case.model_validate(data)
