"""Workflow definitions are data: YAML files or plain Python dicts, validated when loaded.

::

    workflow: tier1
    version: "1"
    initial: new
    states:
      - {name: new}
      - {name: closed, final: true}
    transitions:
      - trigger: triage
        source: new                 # a state, a list of states, or "*" (every non-final state)
        dest: triaged
        roles: [tier1_agent, supervisor, system]
        guards: [reason_given]      # names from caseflow's guard registry, never import paths
        evaluate: true              # ask for a policy evaluation after this transition
        start: tier2                # start another workflow at its initial state
        then: {workflow: tier1, trigger: take_back}   # fire a trigger of another workflow
        set: {tier: 2}              # change tier or priority of the case
    on_actions:                     # a decision action fires this workflow's trigger
      escalate: handoff_to_tier2

Apps extend a definition without forking it: :meth:`WorkflowDefinition.extend` adds states,
transitions and action mappings and returns a new definition, validated like the others.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, JsonValue

from ..errors import PolicyIssue, WorkflowDefinitionError, suggest
from ..model.events import TriggerRef
from ..policies.schema import Document, document_keys, document_schema
from ..policies.source import MAX_BYTES, Located, YamlPath, read_yaml

__all__ = [
    "ALWAYS_STARTED",
    "BUILTIN_ROLES",
    "DEFAULT_CASE_WORKFLOWS",
    "ActionTriggers",
    "FieldSettings",
    "StateDef",
    "TransitionDef",
    "WorkflowDefinition",
    "load_workflow",
    "load_workflow_data",
    "load_workflows",
    "shipped_workflow_dir",
    "workflow_schema",
]

# Which of the shipped workflows a new case starts in: these always, and those of its case type.
ALWAYS_STARTED: tuple[str, ...] = ("tier1",)
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
BUILTIN_ROLES = frozenset({"tier1_agent", "tier2_specialist", "supervisor", "system", "buyer", "seller"})
SETTABLE: dict[str, set[int | str]] = {"tier": {1, 2}, "priority": {"low", "normal", "high", "urgent"}}
NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
_Name = Annotated[str, Field(pattern=NAME_PATTERN)]


class StateDocument(Document):
    name: _Name
    final: bool = False
    description: str = ""


class ThenDocument(Document):
    workflow: _Name
    trigger: _Name


class TransitionDocument(Document):
    trigger: _Name
    source: _Name | list[_Name] | Literal["*"] = Field(
        description="a state, a list of states, or '*' (every non-final state)"
    )
    dest: _Name
    roles: list[str] = Field(default_factory=list, description="who may fire it (tier1_agent, system, ...)")
    guards: list[str] = Field(default_factory=list, description="names from the guard registry, never import paths")
    evaluate: bool = Field(False, description="ask for a policy evaluation after this transition")
    start: _Name | None = Field(None, description="start another workflow at its initial state")
    then: ThenDocument | None = Field(None, description="fire a trigger of another workflow")
    set: dict[Literal["tier", "priority"], Literal[1, 2, "low", "normal", "high", "urgent"]] = Field(
        default_factory=dict, description="change tier or priority of the case"
    )
    description: str = ""


class WorkflowDocument(Document):
    workflow: _Name
    version: str | int | float
    description: str = ""
    initial: _Name
    states: list[StateDocument | _Name] = Field(min_length=1)
    transitions: list[TransitionDocument]
    on_actions: dict[str, _Name] = Field(default_factory=dict, description="a decision action fires this trigger")
    params: dict[str, Any] = Field(default_factory=dict, description="values the guards read")


def workflow_schema() -> dict[str, JsonValue]:
    """The JSON Schema of workflow definition files, generated from :class:`WorkflowDocument`."""
    return document_schema(WorkflowDocument, "workflow", "caseflow workflow definition")


_NAME = re.compile(NAME_PATTERN)
_TOP = document_keys(WorkflowDocument)
_STATE_KEYS = document_keys(StateDocument)
_TRANSITION_KEYS = document_keys(TransitionDocument)

FieldSettings = tuple[tuple[str, int | str], ...]
"""A transition's ``set``: (case field, new value) pairs, sorted by field (``(("tier", 2),)``)."""
ActionTriggers = tuple[tuple[str, str], ...]
"""A definition's ``on_actions``: (decision action, trigger it fires) pairs, sorted by action."""


@dataclass(frozen=True)
class StateDef:
    name: str
    final: bool = False
    description: str = ""
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class TransitionDef:
    trigger: str
    sources: tuple[str, ...]
    dest: str
    roles: tuple[str, ...] = ()
    guards: tuple[str, ...] = ()
    evaluate: bool = False
    start: str | None = None
    then: TriggerRef | None = None
    set: FieldSettings = ()
    description: str = ""
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class WorkflowDefinition:
    name: str
    version: str
    initial: str
    states: tuple[StateDef, ...]
    transitions: tuple[TransitionDef, ...]
    description: str = ""
    on_actions: ActionTriggers = ()
    params: dict[str, JsonValue] = field(default_factory=dict)  # values the guards read
    source: str = "<python>"

    @property
    def state_names(self) -> list[str]:
        return [s.name for s in self.states]

    @property
    def final_states(self) -> set[str]:
        return {s.name for s in self.states if s.final}

    def triggers_from(self, state: str) -> list[str]:
        return sorted({t.trigger for t in self.transitions if state in t.sources})

    def extend(
        self,
        *,
        states: Iterable[Mapping[str, object] | StateDef] = (),
        transitions: Iterable[Mapping[str, object] | TransitionDef] = (),
        on_actions: dict[str, str] | None = None,
        version: str | None = None,
    ) -> WorkflowDefinition:
        """A new definition with more states, transitions or action mappings (validated on use)."""
        new_states = list(self.states)
        issues: list[PolicyIssue] = []
        for s in states:
            parsed_state = s if isinstance(s, StateDef) else _state(s, self.source, issues, None, ())
            if parsed_state is not None:  # else its problem is among the issues
                new_states.append(parsed_state)
        names = {s.name for s in new_states}
        new_transitions = list(self.transitions)
        for t in transitions:
            if isinstance(t, TransitionDef):
                new_transitions.append(t)
            else:
                parsed = _transition(t, self.source, issues, None, (), names)
                if parsed is not None:
                    new_transitions.append(parsed)
        if issues:
            raise WorkflowDefinitionError(issues)
        actions = dict(self.on_actions)
        actions.update(on_actions or {})
        return replace(
            self,
            states=tuple(new_states),
            transitions=tuple(new_transitions),
            on_actions=tuple(sorted(actions.items())),
            version=version or f"{self.version}+ext",
        )


def shipped_workflow_dir() -> Path:
    """The folder of the workflow definitions caseflow ships."""
    return Path(__file__).resolve().parent / "definitions"


def _pos(doc: Located | None, path: YamlPath) -> tuple[int, int]:
    return doc.pos(path) if doc is not None else (0, 0)


def _issue(
    issues: list[PolicyIssue],
    file: str,
    doc: Located | None,
    path: YamlPath,
    code: str,
    msg: str,
    hint: str | None = None,
    key: bool = False,
) -> None:
    line, col = (doc.key_pos(path) if key else doc.pos(path)) if doc is not None else (0, 0)
    issues.append(PolicyIssue(file, line, col, code, msg, None, hint))


def _unknown(
    data: Mapping[str, object],
    allowed: set[str],
    file: str,
    doc: Located | None,
    path: YamlPath,
    issues: list[PolicyIssue],
    what: str,
) -> None:
    for k in data:
        if k not in allowed:
            best = suggest(str(k), allowed)
            _issue(
                issues,
                file,
                doc,
                path + (k,),
                "workflow-unknown-key",
                f"unknown key {k!r} in {what}",
                f"did you mean {best!r}?" if best else f"allowed: {', '.join(sorted(allowed))}",
                key=True,
            )


def _state(data: object, file: str, issues: list[PolicyIssue], doc: Located | None, path: YamlPath) -> StateDef | None:
    if isinstance(data, str):
        data = {"name": data}
    if not isinstance(data, Mapping) or not isinstance(data.get("name"), str) or not _NAME.match(data["name"]):
        _issue(
            issues,
            file,
            doc,
            path,
            "workflow-bad-state",
            "a state is a name (lower-case word) or {name, final, description}",
        )
        return None
    _unknown(data, _STATE_KEYS, file, doc, path, issues, "a state")
    final = data.get("final", False)
    if not isinstance(final, bool):
        _issue(issues, file, doc, path + ("final",), "workflow-bad-value", "final is true or false")
        final = False
    line, col = _pos(doc, path)
    return StateDef(data["name"], final, str(data.get("description") or ""), line, col)


def _names(value: object) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _transition(
    data: object, file: str, issues: list[PolicyIssue], doc: Located | None, path: YamlPath, state_names: set[str]
) -> TransitionDef | None:
    if not isinstance(data, Mapping):
        _issue(
            issues,
            file,
            doc,
            path,
            "workflow-bad-transition",
            "a transition is a mapping with trigger, source and dest",
        )
        return None
    _unknown(data, _TRANSITION_KEYS, file, doc, path, issues, "a transition")
    checked = len(issues)  # an unknown key is reported; any problem from here on leaves the transition out
    for req in ("trigger", "source", "dest"):
        if req not in data:
            _issue(issues, file, doc, path, "workflow-missing-key", f"the transition has no {req!r}")
    trigger = data.get("trigger")
    if trigger is not None and (not isinstance(trigger, str) or not _NAME.match(trigger)):
        _issue(
            issues,
            file,
            doc,
            path + ("trigger",),
            "workflow-bad-value",
            f"trigger {trigger!r} must be a lower-case word",
        )
    sources = _names(data.get("source"))
    if "source" in data and sources is None:
        _issue(
            issues, file, doc, path + ("source",), "workflow-bad-value", "source is a state, a list of states, or '*'"
        )
    roles = _names(data.get("roles", []))
    guards = _names(data.get("guards", []))
    if roles is None or guards is None:
        _issue(issues, file, doc, path, "workflow-bad-value", "roles and guards are lists of names")
    then = _then(data.get("then"), file, issues, doc, path)
    sets = _settings(data.get("set"), file, issues, doc, path)
    evaluate = data.get("evaluate", False)
    if not isinstance(evaluate, bool):
        _issue(issues, file, doc, path + ("evaluate",), "workflow-bad-value", "evaluate is true or false")
    if len(issues) > checked or not isinstance(trigger, str) or sources is None or not isinstance(evaluate, bool):
        return None  # (with no problem reported the trigger, source and evaluate are well-formed)
    line, col = _pos(doc, path)
    return TransitionDef(
        trigger,
        sources,
        str(data["dest"]),
        roles or (),
        guards or (),
        evaluate,
        data.get("start"),
        then,
        sets,
        str(data.get("description") or ""),
        line,
        col,
    )


def _then(then: object, file: str, issues: list[PolicyIssue], doc: Located | None, path: YamlPath) -> TriggerRef | None:
    """A transition's ``then``: the trigger of another workflow it fires (None: none, or a problem reported)."""
    if then is None:
        return None
    if not isinstance(then, dict) or set(then) != {"workflow", "trigger"}:
        _issue(issues, file, doc, path + ("then",), "workflow-bad-value", "then is {workflow: NAME, trigger: NAME}")
        return None
    return TriggerRef(str(then["workflow"]), str(then["trigger"]))


def _settings(sets: object, file: str, issues: list[PolicyIssue], doc: Located | None, path: YamlPath) -> FieldSettings:
    """A transition's ``set``, sorted by field; each field it may not set, or value it may not have, is reported."""
    if not sets:
        return ()
    if not isinstance(sets, dict):
        _issue(issues, file, doc, path + ("set",), "workflow-bad-value", "set is a mapping such as {tier: 2}")
        return ()
    checked = len(issues)
    for k, v in sets.items():
        if k not in SETTABLE:
            _issue(
                issues,
                file,
                doc,
                path + ("set", k),
                "workflow-bad-value",
                f"a transition can set {', '.join(SETTABLE)}, not {k!r}",
                key=True,
            )
        elif v not in SETTABLE[k]:
            _issue(issues, file, doc, path + ("set", k), "workflow-bad-value", f"{k} cannot be {v!r}")
    return tuple(sorted(sets.items())) if len(issues) == checked else ()


def load_workflow_data(data: object, *, file: str = "<python>", doc: Located | None = None) -> WorkflowDefinition:
    """Build a definition from plain data (as parsed from YAML, or written in Python)."""
    issues: list[PolicyIssue] = []
    if not isinstance(data, dict):
        raise WorkflowDefinitionError([PolicyIssue(file, 1, 1, "workflow-structure", "a workflow is a mapping")])
    _unknown(data, _TOP, file, doc, (), issues, "a workflow")
    for req in ("workflow", "version", "initial", "states", "transitions"):
        if req not in data:
            _issue(issues, file, doc, (), "workflow-missing-key", f"missing required key {req!r}")
    name = data.get("workflow")
    if name is not None and (not isinstance(name, str) or not _NAME.match(name)):
        _issue(
            issues, file, doc, ("workflow",), "workflow-bad-value", f"workflow name {name!r} must be a lower-case word"
        )
    states = [_state(s, file, issues, doc, ("states", i)) for i, s in enumerate(data.get("states") or [])]
    state_names = {s.name for s in states if s is not None}
    transitions = [
        _transition(t, file, issues, doc, ("transitions", i), state_names)
        for i, t in enumerate(data.get("transitions") or [])
    ]
    on_actions = data.get("on_actions") or {}
    if not isinstance(on_actions, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in on_actions.items()
    ):
        _issue(issues, file, doc, ("on_actions",), "workflow-bad-value", "on_actions maps an action name to a trigger")
        on_actions = {}
    params = data.get("params") or {}
    if issues or not isinstance(name, str):  # (a name that is not text is among the issues)
        raise WorkflowDefinitionError(issues)
    return WorkflowDefinition(
        name=name,
        version=str(data.get("version")),
        initial=str(data.get("initial")),
        states=tuple(s for s in states if s is not None),
        transitions=tuple(t for t in transitions if t is not None),
        description=str(data.get("description") or ""),
        on_actions=tuple(sorted(on_actions.items())),
        params=dict(params),
        source=file,
    )


def load_workflow(path: str | Path, *, max_bytes: int = MAX_BYTES) -> WorkflowDefinition:
    """Read one workflow definition file (safe YAML; errors carry file:line:column)."""
    p = Path(path)
    doc, problems = read_yaml(p, max_bytes=max_bytes)
    if problems or doc is None:
        raise WorkflowDefinitionError(problems)
    return load_workflow_data(doc.data, file=str(p), doc=doc)


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


def check_definition(
    d: WorkflowDefinition, *, others: set[str], guards: set[str], roles: set[str], actions: set[str] | None = None
) -> list[PolicyIssue]:
    """Semantic checks: unknown states, roles and guards, unreachable states, dead ends, no initial."""
    names = [s.name for s in d.states]
    known = set(names)
    finals = d.final_states
    issues = list(_state_issues(d, known))
    for t in d.transitions:
        issues += _source_issues(d, t, known, finals)
        issues += _transition_issues(d, t, known, guards, roles, others)
    issues += _ambiguity_issues(d, names, finals)
    issues += _action_issues(d, actions)
    if issues:
        return issues
    return list(_reach_issues(d, names, finals))


def _problem(d: WorkflowDefinition, line: int, col: int, code: str, msg: str, hint: str | None = None) -> PolicyIssue:
    """A problem of definition ``d``, its message prefixed with the workflow's name."""
    return PolicyIssue(d.source, line, col, code, f"workflow {d.name!r}: {msg}", None, hint)


def _state_issues(d: WorkflowDefinition, known: set[str]) -> Iterator[PolicyIssue]:
    """States declared twice; an initial state that is not declared."""
    seen: set[str] = set()
    for s in d.states:
        if s.name in seen:
            yield _problem(d, s.line, s.column, "workflow-duplicate-state", f"state {s.name!r} is declared twice")
        seen.add(s.name)
    if d.initial not in known:
        best = suggest(d.initial, known)
        yield _problem(
            d,
            1,
            1,
            "workflow-no-initial",
            f"the initial state {d.initial!r} is not a declared state",
            f"did you mean {best!r}?" if best else "declare it under states",
        )


def _source_issues(d: WorkflowDefinition, t: TransitionDef, known: set[str], finals: set[str]) -> Iterator[PolicyIssue]:
    """Source states of ``t`` that are not declared, or final."""
    for s in t.sources:
        if s != "*" and s not in known:
            best = suggest(s, known)
            yield _problem(
                d,
                t.line,
                t.column,
                "workflow-unknown-state",
                f"transition {t.trigger!r}: unknown source state {s!r}",
                f"did you mean {best!r}?" if best else None,
            )
        if s in finals:
            yield _problem(
                d,
                t.line,
                t.column,
                "workflow-final-source",
                f"transition {t.trigger!r} leaves final state {s!r}",
                "a final state has no way out; make it non-final or remove the transition",
            )


def _transition_issues(
    d: WorkflowDefinition, t: TransitionDef, known: set[str], guards: set[str], roles: set[str], others: set[str]
) -> Iterator[PolicyIssue]:
    """What else ``t`` names that does not exist: its destination, guards, roles and workflows; no roles at all."""
    if t.dest not in known:
        best = suggest(t.dest, known)
        yield _problem(
            d,
            t.line,
            t.column,
            "workflow-unknown-state",
            f"transition {t.trigger!r}: unknown destination {t.dest!r}",
            f"did you mean {best!r}?" if best else None,
        )
    for g in t.guards:
        if g not in guards:
            best = suggest(g, guards)
            yield _problem(
                d,
                t.line,
                t.column,
                "workflow-unknown-guard",
                f"transition {t.trigger!r}: unknown guard {g!r}",
                f"did you mean {best!r}?" if best else "guards are registered by name (GuardRegistry.register)",
            )
    for r in t.roles:
        if r not in roles:
            best = suggest(r, roles)
            yield _problem(
                d,
                t.line,
                t.column,
                "workflow-unknown-role",
                f"transition {t.trigger!r}: unknown role {r!r}",
                f"did you mean {best!r}?" if best else "register app roles with Workflows(..., roles=[...])",
            )
    if not t.roles:
        yield _problem(
            d,
            t.line,
            t.column,
            "workflow-no-roles",
            f"transition {t.trigger!r} lists no roles: nobody could fire it",
            "add roles: [tier1_agent, ...] (or system for automatic transitions)",
        )
    if t.start is not None and t.start not in others:
        yield _problem(
            d,
            t.line,
            t.column,
            "workflow-unknown-workflow",
            f"transition {t.trigger!r} starts unknown workflow {t.start!r}",
        )
    if t.then is not None and t.then.workflow not in others:
        yield _problem(
            d,
            t.line,
            t.column,
            "workflow-unknown-workflow",
            f"transition {t.trigger!r} fires into unknown workflow {t.then.workflow!r}",
        )


def _ambiguity_issues(d: WorkflowDefinition, names: list[str], finals: set[str]) -> Iterator[PolicyIssue]:
    """Triggers that lead two ways from the same state."""
    by_trigger: dict[tuple[str, str], int] = {}
    for t in d.transitions:
        for s in _expand(t.sources, names, finals):
            if (t.trigger, s) in by_trigger:
                yield _problem(
                    d,
                    t.line,
                    t.column,
                    "workflow-ambiguous",
                    f"trigger {t.trigger!r} is defined twice from state {s!r}",
                    "one trigger leads to one destination from a state; use two triggers",
                )
            by_trigger[(t.trigger, s)] = t.line


def _action_issues(d: WorkflowDefinition, actions: set[str] | None) -> Iterator[PolicyIssue]:
    """``on_actions`` entries naming an unknown trigger, or (when ``actions`` are known) an unknown action."""
    for action, trig in d.on_actions:
        if trig not in {t.trigger for t in d.transitions}:
            yield _problem(
                d, 1, 1, "workflow-unknown-trigger", f"on_actions maps {action!r} to unknown trigger {trig!r}"
            )
        if actions is not None and action not in actions:
            yield _problem(d, 1, 1, "workflow-unknown-action", f"on_actions names unknown action {action!r}")


def _reach_issues(d: WorkflowDefinition, names: list[str], finals: set[str]) -> Iterator[PolicyIssue]:
    """States the initial state cannot reach; non-final states with no way out."""
    reach = {d.initial}
    frontier = [d.initial]
    while frontier:
        s = frontier.pop()
        for t in d.transitions:
            if s in _expand(t.sources, names, finals) and t.dest not in reach:
                reach.add(t.dest)
                frontier.append(t.dest)
    for st in d.states:
        if st.name not in reach:
            yield _problem(
                d, st.line, st.column, "workflow-unreachable", f"state {st.name!r} cannot be reached from {d.initial!r}"
            )
        outgoing = any(st.name in _expand(t.sources, names, finals) for t in d.transitions)
        if not st.final and not outgoing:
            yield _problem(
                d,
                st.line,
                st.column,
                "workflow-dead-end",
                f"state {st.name!r} has no way out and is not final",
                "add a transition out of it, or mark it final: true",
            )


def _expand(sources: tuple[str, ...], names: list[str], finals: set[str]) -> tuple[str, ...]:
    if sources == ("*",):
        return tuple(n for n in names if n not in finals)
    return sources
