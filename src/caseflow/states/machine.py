"""One ``transitions.Machine`` per workflow definition, shared by every case.

The machine has no models. For one event, a small slotted token holds the case's current
state; the machine moves the token and is done with it. Conditions are caseflow callables
(role check, then the named guards from the registry): no string ever reaches transitions,
which would try to import it as a dotted path.

Firing reads the machine's own transition table (``machine.get_transitions(trigger, source)``):
the transitions that leave ``state`` on ``trigger``, tried in order, the first whose conditions
hold wins -- the rule ``Event.trigger`` applies. caseflow's machines carry no callbacks but
those conditions (no prepare/before/after, no on_enter/on_exit, no machine-wide callbacks), so
the rest of ``Event.trigger`` (callback dispatch, its queue, its debug logging) does nothing
for them but costs about half the time of an event. :meth:`CompiledWorkflow.fire` therefore
evaluates the table's conditions itself. A machine that does carry callbacks (checked when the
table is built) goes through ``Event.trigger``. This is the one module that reads transitions'
objects (``Machine.get_transitions``, ``Transition.dest``/``conditions``/callbacks,
``Condition.func``/``target``, ``State.on_enter``/``on_exit``); ``pyproject.toml`` pins the
transitions releases it was checked against, and ``tests/states/test_machine.py`` checks for every
shipped workflow, state and trigger that both ways give the same answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from transitions import Machine, MachineError, Transition

from ..errors import TransitionNotAllowed, TransitionRefused
from .definition import TransitionDef, WorkflowDefinition, _expand
from .guards import GuardContext, GuardRegistry

__all__ = ["CompiledWorkflow"]


class _Token:
    """The machine's model for the length of one event."""

    __slots__ = ("state", "ctx", "refusal", "fired")

    def __init__(self, state: str, ctx: GuardContext) -> None:
        self.state = state
        self.ctx = ctx
        self.refusal: tuple[str, str] | None = None
        self.fired: TransitionDef | None = None


class _Condition:
    """The condition of one transition: the actor's role, then the named guards, in order.

    transitions calls it with its ``EventData`` (``send_event=True``); caseflow's own firing
    calls :meth:`check` with the token."""

    __slots__ = ("check",)

    def __init__(self, check: Callable[[_Token], bool]) -> None:
        self.check = check

    def __call__(self, event_data: Any) -> bool:
        return self.check(event_data.model)


def _condition(t: TransitionDef, guards: GuardRegistry) -> _Condition:
    checks = [(name, guards.get(name)) for name in t.guards]
    roles = frozenset(t.roles)

    def allowed(token: _Token) -> bool:
        ctx = token.ctx
        if ctx.role not in roles:
            token.refusal = ("roles", f"role {ctx.role!r} may not {t.trigger!r}; allowed: {', '.join(sorted(roles))}")
            return False
        for name, guard in checks:
            why = guard(ctx)
            if why:
                token.refusal = (name, why)
                return False
        token.fired = t
        return True

    return _Condition(allowed)


Table = dict[tuple[str, str], list[tuple[str, list[Callable[[_Token], bool]]]]]


def _firing_table(machine: Machine, states: list[str]) -> Table | None:
    """(state, trigger) -> [(dest, checks)], read from the machine in its order; None when the
    machine carries any callback besides caseflow's transition conditions (it must fire itself)."""
    if any(
        getattr(machine, k, None)
        for k in (
            "before_state_change",
            "after_state_change",
            "prepare_event",
            "finalize_event",
            "on_exception",
            "on_final",
        )
    ):
        return None
    if any(st.on_enter or st.on_exit for st in machine.states.values()):
        return None
    table: Table = {}
    for trigger in machine.events:
        for state in states:
            row = []
            for tr in machine.get_transitions(trigger=trigger, source=state):
                checks = _checks(tr)
                if checks is None or tr.dest is None:
                    return None
                row.append((tr.dest, checks))
            if row:
                table[(state, trigger)] = row
    return table


def _checks(tr: Transition) -> list[Callable[[_Token], bool]] | None:
    """The checks of a transition whose only callbacks are caseflow's conditions (else None)."""
    if tr.prepare or tr.before or tr.after:
        return None
    checks = []
    for c in tr.conditions:
        if not isinstance(c.func, _Condition) or not c.target:
            return None
        checks.append(c.func.check)
    return checks


def _callbacks(machine: Machine) -> bool:
    """Does the machine carry any callback besides caseflow's transition conditions?"""
    return _firing_table(machine, list(machine.states)) is None


class CompiledWorkflow:
    def __init__(self, definition: WorkflowDefinition, guards: GuardRegistry) -> None:
        self.definition = definition
        names = definition.state_names
        finals = definition.final_states
        spec = [
            {
                "trigger": t.trigger,
                "source": list(_expand(t.sources, names, finals)),
                "dest": t.dest,
                "conditions": [_condition(t, guards)],
            }
            for t in definition.transitions
        ]
        self.machine = Machine(
            model=[],
            states=names,
            initial=definition.initial,
            transitions=spec,
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=False,
            name=definition.name,
        )
        self._allowed = {s: definition.triggers_from(s) for s in names}
        for t in definition.transitions:
            for s in _expand(t.sources, names, finals):
                self._allowed.setdefault(s, [])
        self._triggers = {t.trigger for t in definition.transitions}
        self._table: Table | None = _firing_table(self.machine, names)

    def allowed(self, state: str) -> list[str]:
        return self._allowed.get(state, [])

    def can(self, state: str, trigger: str) -> bool:
        return trigger in self._allowed.get(state, ())

    def fire(self, state: str, trigger: str, ctx: GuardContext) -> tuple[str, TransitionDef]:
        """Move from ``state`` by ``trigger``; raise if not allowed or refused. Returns (new state, transition)."""
        name = self.definition.name
        if trigger not in self._triggers or not self.can(state, trigger):
            raise TransitionNotAllowed(name, trigger, state, self.allowed(state))
        token = _Token(state, ctx)
        if self._table is None:
            moved = self._trigger(token, trigger)
        else:
            moved = False
            for dest, checks in self._table.get((state, trigger), ()):
                for check in checks:
                    if not check(token):
                        break
                else:
                    token.state, moved = dest, True
                    break
        if not moved or token.fired is None:
            guard, why = token.refusal or ("unknown", "refused")
            raise TransitionRefused(name, trigger, state, guard, why)
        return token.state, token.fired

    def _trigger(self, token: _Token, trigger: str) -> bool:
        """Fire through transitions' ``Event.trigger`` (machines with callbacks; the parity test)."""
        try:
            return bool(self.machine.events[trigger].trigger(token))
        except MachineError:  # pragma: no cover - can() checked it
            raise TransitionNotAllowed(self.definition.name, trigger, token.state, self.allowed(token.state)) from None
