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

The runtime knows workflow states, triggers and policy decisions, nothing of what a field of
the case means: everything else an event, a transition or a decision does to the case is done
by the *reactions* it was given (:mod:`.reactions`, the one extension point).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, NamedTuple

from ..engine.engine import Engine
from ..errors import (
    PolicyIssue,
    ReactionLimitError,
    TransitionNotAllowed,
    TransitionRefused,
    WorkflowDefinitionError,
    WorkflowError,
)
from ..model._base import updated
from ..model.case import Case
from ..model.decision import Decision, DecisionAction
from ..model.events import SYSTEM, Actor, AuditRecord, EventValue, WorkflowEvent, make_record
from .definition import (
    ALWAYS_STARTED,
    BUILTIN_ROLES,
    DEFAULT_CASE_WORKFLOWS,
    WorkflowDefinition,
    check_definition,
    load_workflows,
)
from .guards import GuardContext, GuardRegistry, default_guards
from .machine import CompiledWorkflow
from .reactions import Reaction, TransitionStep, default_reactions

__all__ = ["Outcome", "Workflows", "replay"]

_SYSTEM_ACTOR = Actor(id=SYSTEM, role=SYSTEM)  # policy and deadline reactions act as the system
EVALUATE = "evaluate"
_BOOKKEEPING = frozenset({"states", "version", "applied_events", "updated_at"})
# Case fields holding an Enum: a reaction may give the enum's value; the unvalidated copy needs the member
_ENUM_FIELDS: dict[str, type[Enum]] = {
    name: f.annotation
    for name, f in Case.model_fields.items()
    if isinstance(f.annotation, type) and issubclass(f.annotation, Enum)
}


@dataclass(slots=True)
class Outcome:
    """What ``open`` and ``handle`` return: the new case, the decisions taken, the audit records."""

    case: Case
    decisions: list[Decision] = field(default_factory=list)
    records: list[AuditRecord] = field(default_factory=list)
    duplicate: bool = False


class _Step(NamedTuple):
    """A trigger (or ``evaluate``) waiting to be applied while one event is handled."""

    trigger: str
    workflow: str | None = None
    origin: str | None = None  # "event"; or why a reaction fired it ("policy refunds/r1", "tier1.escalate")
    depth: int = 0
    data: Mapping[str, EventValue] | None = None


def _json(value: Any) -> Any:
    """JSON form of a field value a workflow or a reaction writes (what model_dump(mode='json') gives)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
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

    def update(self, fields: Mapping[str, object]) -> None:
        for name, enum in _ENUM_FIELDS.items():  # the copy does not validate
            if name in fields and not isinstance(fields[name], enum):
                fields = {**fields, name: enum(fields[name])}
        self._pending.update(fields)
        self._case = None

    def evaluated_key(self) -> tuple[Any, ...]:
        """What a policy evaluation depends on within this event: the states and every other field changed."""
        return (
            frozenset(self.get("states").items()),
            tuple((k, repr(v)) for k, v in sorted(self._pending.items()) if k not in _BOOKKEEPING),
        )

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


def _hooks(reactions: Sequence[object], name: str) -> list[Callable[..., Any]]:
    """The reactions' ``name`` methods, leaving out those that do nothing (the :class:`Reaction` default)."""
    default = getattr(Reaction, name)
    return [
        getattr(r, name)
        for r in reactions
        if callable(getattr(r, name, None)) and getattr(type(r), name, None) is not default
    ]


class Workflows:
    """The shipped (or given) workflow definitions, one shared machine each, plus the policy engine.

    ``reactions`` (default :func:`~caseflow.states.default_reactions`) change the case beyond its
    states; ``start`` are the workflows every case starts in, ``case_workflows`` those a case type
    adds."""

    def __init__(
        self,
        definitions: Iterable[WorkflowDefinition] | None = None,
        *,
        engine: Engine | None = None,
        guards: GuardRegistry | None = None,
        roles: Iterable[str] = (),
        case_workflows: Mapping[str, Sequence[str]] | None = None,
        max_reactions: int = 8,
        reactions: Sequence[object] | None = None,
        start: Sequence[str] = ALWAYS_STARTED,
    ) -> None:
        defs = list(definitions) if definitions is not None else load_workflows()
        self.guards = guards or default_guards()
        self.roles = set(BUILTIN_ROLES) | set(roles)
        self.engine = engine
        self.max_reactions = max_reactions
        self.start = tuple(start)
        self.case_workflows = {
            k: list(v) for k, v in (DEFAULT_CASE_WORKFLOWS if case_workflows is None else case_workflows).items()
        }
        self.reactions = list(default_reactions() if reactions is None else reactions)
        self._check(defs)
        self.definitions = {d.name: d for d in defs}
        self.compiled = {d.name: CompiledWorkflow(d, self.guards) for d in defs}
        self._on_actions = {d.name: dict(d.on_actions) for d in defs}
        self._on_event = _hooks(self.reactions, "on_event")
        self._on_transition = _hooks(self.reactions, "on_transition")
        self._on_decision = _hooks(self.reactions, "on_decision")
        self._ranks = _hooks(self.reactions, "action_rank")

    def _check(self, defs: list[WorkflowDefinition]) -> None:
        names = [d.name for d in defs]
        issues: list[PolicyIssue] = []
        for d in defs:
            if names.count(d.name) > 1:
                issues.append(
                    PolicyIssue(d.source, 1, 1, "workflow-duplicate", f"workflow {d.name!r} is defined twice")
                )
        action_names = None if self.engine is None else {a.name for a in self.engine.policies.actions}
        for d in defs:
            issues.extend(
                check_definition(
                    d, others=set(names), guards=self.guards.names(), roles=self.roles, actions=action_names
                )
            )
        for ctype, wfs in self.case_workflows.items():
            for w in wfs:
                if w not in names:
                    issues.append(
                        PolicyIssue(
                            "<case_workflows>",
                            1,
                            1,
                            "workflow-unknown-workflow",
                            f"case type {ctype!r} starts unknown workflow {w!r}",
                        )
                    )
        for w in self.start:
            if w not in names:
                issues.append(PolicyIssue("<workflows>", 1, 1, "workflow-missing", f"a {w!r} workflow is required"))
        if issues:
            raise WorkflowDefinitionError(issues)

    # -- opening ---------------------------------------------------------------------------
    def open(
        self, case: Case, *, actor: Actor, at: datetime, event_id: str | None = None, evaluate: bool = True
    ) -> Outcome:
        """Start the case's workflows (``start`` and those of its type) and, with an engine, evaluate it."""
        if case.states:
            raise WorkflowError(f"case {case.id!r} is already open in {sorted(case.states)}", code="case-already-open")
        eid = event_id or f"open:{case.id}"
        names = list(dict.fromkeys([*self.start, *self.case_workflows.get(case.case_type.value, [])]))
        work = _Work(case)
        version = case.version + 1
        work.update(
            {
                "states": {w: self.definitions[w].initial for w in names},
                "version": version,
                "applied_events": [*case.applied_events, eid],
                "updated_at": at,
            }
        )
        # the opening snapshot is the case before any reaction; later records carry the changes
        opened = AuditRecord(
            case_id=case.id,
            version=version,
            seq=0,
            event_id=eid,
            kind="opened",
            at=at,
            actor_id=actor.id,
            role=actor.role,
            changes=work.case.model_dump(mode="json"),
        )
        records: list[AuditRecord] = [opened]
        decisions: list[Decision] = []
        if evaluate and self.engine is not None:
            self._react(work, eid, actor, at, records, decisions, [_Step(EVALUATE)], None, version)
        return Outcome(case=work.case, decisions=decisions, records=records)

    # -- events ----------------------------------------------------------------------------
    def handle(self, case: Case, event: WorkflowEvent) -> Outcome:
        """Apply one event; return the new case, the decisions and the audit records."""
        self._check_event(case, event)
        if event.id in case.applied_events:
            return Outcome(case, duplicate=True)
        work = _Work(case)
        for hook in self._on_event:
            if updates := hook(work.case, event):
                work.update(updates)
        event_fields = tuple(work._pending)  # recorded with the event's own transitions
        records: list[AuditRecord] = []
        decisions: list[Decision] = []
        if event.trigger == EVALUATE:
            if self.engine is None:
                raise WorkflowError(
                    f"event {event.id!r} asks to evaluate the policies, but these workflows have no "
                    "policy engine: Workflows(engine=Engine(load_policies(...)))",
                    code="workflow-no-engine",
                )
            first = _Step(EVALUATE)
        else:
            first = _Step(event.trigger, self._workflow_for(case, event), "event")
        version = case.version + 1
        self._react(work, event.id, event.actor, event.at, records, decisions, [first], event, version, event_fields)
        work.update({"version": version, "applied_events": [*case.applied_events, event.id], "updated_at": event.at})
        if records:  # the last record carries what no record carries yet, so replay ends exactly here
            records[-1].changes.update(work.unrecorded())  # our own fresh dict, not yet returned
        return Outcome(work.case, decisions, records)

    def _check_event(self, case: object, event: object) -> None:
        if not isinstance(case, Case) or not isinstance(event, WorkflowEvent):  # an untyped caller's mistake
            bad = (
                ("case", case, "caseflow.parse_case(data)")
                if not isinstance(case, Case)
                else ("event", event, "WorkflowEvent.model_validate(data)")
            )
            raise WorkflowError(
                f"handle() takes a Case and a WorkflowEvent; the {bad[0]} is a {type(bad[1]).__name__}: use {bad[2]}",
                code="handle-bad-argument",
            )
        if event.id in case.applied_events:
            return
        if not case.states:
            raise WorkflowError(f"case {case.id!r} is not open; call Workflows.open first", code="case-not-open")
        if event.actor.role not in self.roles:
            raise WorkflowError(
                f"unknown role {event.actor.role!r}; known: {', '.join(sorted(self.roles))}", code="role-unknown"
            )

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
            raise TransitionNotAllowed(
                ",".join(sorted(case.states)),
                event.trigger,
                ",".join(f"{w}:{s}" for w, s in sorted(case.states.items())),
                allowed,
            )
        raise WorkflowError(
            f"trigger {event.trigger!r} is possible in {', '.join(running)}; name the workflow (event.workflow)",
            code="trigger-ambiguous",
        )

    def _react(
        self,
        work: _Work,
        event_id: str,
        actor: Actor,
        at: datetime,
        records: list[AuditRecord],
        decisions: list[Decision],
        first: list[_Step],
        event: WorkflowEvent | None = None,
        version: int = 0,
        event_fields: tuple[str, ...] = (),
    ) -> None:
        queue = deque(first)
        seen: set[tuple[Any, ...]] = set()
        steps = 0
        while queue:
            step = queue.popleft()
            steps += 1
            if step.depth > self.max_reactions or steps > 16 * self.max_reactions:
                raise ReactionLimitError(
                    f"case {work.get('id')!r}: more than {self.max_reactions} chained reactions "
                    f"(last: {step.trigger!r} in {step.workflow or 'policies'}); "
                    "check the on_actions and evaluate settings for a cycle"
                )
            if step.trigger == EVALUATE:
                key = (EVALUATE, work.evaluated_key())
                if key not in seen:  # the same policies on the same case decide the same: nothing new
                    seen.add(key)
                    self._evaluate(work, event_id, at, step.depth, records, decisions, queue, version)
                continue
            self._transition(work, step, event_id, actor, at, records, queue, event, version, event_fields, seen)

    def _transition(
        self,
        work: _Work,
        step: _Step,
        event_id: str,
        actor: Actor,
        at: datetime,
        records: list[AuditRecord],
        queue: deque[_Step],
        event: WorkflowEvent | None,
        version: int,
        event_fields: tuple[str, ...],
        seen: set[tuple[Any, ...]],
    ) -> None:
        wf = step.workflow
        assert wf is not None
        case_id = work.get("id")
        is_event = step.origin == "event" and event is not None
        who = actor if is_event else _SYSTEM_ACTOR
        reason = event.reason if is_event and event is not None else step.origin
        data: dict[str, EventValue] = dict(event.data) if is_event and event is not None else dict(step.data or {})
        state = work.get("states").get(wf)
        if state is None:
            if is_event:
                raise TransitionNotAllowed(wf, step.trigger, None, [])
            return
        compiled = self.compiled[wf]
        ctx = GuardContext(
            case_fn=lambda: work.case,
            workflow=wf,
            trigger=step.trigger,
            state=state,
            role=who.role,
            actor_id=who.id,
            reason=reason,
            data=data,
            params=compiled.definition.params,
        )
        try:
            new_state, t = compiled.fire(state, step.trigger, ctx)
        except (TransitionRefused, TransitionNotAllowed) as exc:
            _refused(exc, is_event, records, case_id, version, event_id, at, who, wf, step.trigger, state)
            return
        loop_key = (wf, state, step.trigger, new_state, frozenset(work.get("states").items()))
        if loop_key in seen:
            raise ReactionLimitError(f"case {case_id!r}: reaction loop: {wf}.{step.trigger} from {state!r} again")
        seen.add(loop_key)
        states = dict(work.get("states"))
        states[wf] = new_state
        if t.start is not None and t.start not in states:
            states[t.start] = self.definitions[t.start].initial
        work.update({"states": states, **dict(t.set)})
        changed = ["states", *(k for k, _ in t.set)]
        if self._on_transition:
            done = TransitionStep(wf, step.trigger, state, new_state, t, data, is_event)
            for hook in self._on_transition:
                if updates := hook(done):
                    work.update(updates)
                    changed += updates
        if is_event:
            changed += event_fields
        records.append(
            make_record(
                case_id,
                version,
                len(records),
                event_id,
                "transition",
                at,
                who.id,
                who.role,
                workflow=wf,
                trigger=step.trigger,
                from_state=state,
                to_state=new_state,
                reason=reason,
                changes=work.snapshot(dict.fromkeys(changed)),
                rule_ids=[],
                policy_versions=[],
            )
        )
        if t.then is not None:
            queue.append(_Step(t.then.trigger, t.then.workflow, f"{wf}.{step.trigger}", step.depth + 1))
        if t.evaluate and self.engine is not None:
            queue.append(_Step(EVALUATE, depth=step.depth + 1))

    def _evaluate(
        self,
        work: _Work,
        event_id: str,
        at: datetime,
        depth: int,
        records: list[AuditRecord],
        decisions: list[Decision],
        queue: deque[_Step],
        version: int,
    ) -> None:
        assert self.engine is not None
        decision = self.engine.evaluate(work.case, at=at)
        decisions.append(decision)
        changed: list[str] = []
        for hook in self._on_decision:
            if updates := hook(work.case, decision):
                work.update(updates)
                changed += updates
        records.append(
            make_record(
                work.get("id"),
                version,
                len(records),
                event_id,
                "decision",
                at,
                SYSTEM,
                SYSTEM,
                rule_ids=[f"{r.policy}/{r.rule_id}" for r in decision.matched_rules],
                policy_versions=[f"{p.name}@{p.version}" for p in decision.policies],
                changes=work.snapshot(dict.fromkeys(changed)) if changed else {},
            )
        )
        for a in self._ordered(decision.actions):
            for wf, state in list(work.get("states").items()):
                trig = self._on_actions[wf].get(a.type)
                if trig is None:
                    continue
                why = f"policy {a.policy}/{a.rule_id}"
                if self.compiled[wf].can(state, trig):
                    queue.append(
                        _Step(
                            trig,
                            wf,
                            why,
                            depth + 1,
                            {k: v for k, v in a.params.items() if isinstance(v, str | int | float | bool)},
                        )
                    )
                else:  # recorded, so an audit shows why the action had no effect here
                    records.append(
                        make_record(
                            work.get("id"),
                            version,
                            len(records),
                            event_id,
                            "reaction_refused",
                            at,
                            SYSTEM,
                            SYSTEM,
                            workflow=wf,
                            trigger=trig,
                            from_state=state,
                            reason=f"{why}: {a.type} -> {trig!r} is not possible from {state!r}",
                        )
                    )

    def _ordered(self, actions: list[DecisionAction]) -> list[DecisionAction]:
        """The order in which a decision's actions react (the reactions' ranks; ties keep the decision's order)."""
        if not self._ranks:
            return actions
        return sorted(actions, key=lambda a: tuple(rank(a) for rank in self._ranks))

    # -- inspection -----------------------------------------------------------------------
    def allowed(self, case: Case) -> dict[str, list[str]]:
        """For each running workflow, the triggers possible from its current state."""
        return {w: self.compiled[w].allowed(s) for w, s in case.states.items()}

    def diagram(self, name: str) -> str:
        """The state diagram of a workflow as Mermaid text."""
        from .diagram import mermaid

        if name not in self.definitions:
            raise WorkflowError(
                f"unknown workflow {name!r}; known: {', '.join(sorted(self.definitions))}", code="workflow-unknown"
            )
        return mermaid(self.definitions[name])


def _refused(
    exc: TransitionRefused | TransitionNotAllowed,
    is_event: bool,
    records: list[AuditRecord],
    case_id: str,
    version: int,
    event_id: str,
    at: datetime,
    who: Actor,
    workflow: str,
    trigger: str,
    state: str,
) -> None:
    """A transition the workflow refuses: the event's own is raised to its sender; a reaction's is
    recorded (``reaction_refused``), so an audit shows why it had no effect."""
    if is_event:
        raise exc
    records.append(
        make_record(
            case_id,
            version,
            len(records),
            event_id,
            "reaction_refused",
            at,
            who.id,
            who.role,
            workflow=workflow,
            trigger=trigger,
            from_state=state,
            reason=str(exc.args[0]),
        )
    )


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
