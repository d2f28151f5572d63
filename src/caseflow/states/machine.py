"""One ``transitions.Machine`` per workflow definition, shared by every case.

The machine has no models. For one event, a small slotted token holds the case's current
state; the machine moves the token and is done with it. Conditions are caseflow callables
(role check, then the named guards from the registry): no string ever reaches transitions,
which would try to import it as a dotted path.
"""

from __future__ import annotations

from typing import Any

from transitions import Machine, MachineError

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


def _condition(t: TransitionDef, guards: GuardRegistry):  # type: ignore[no-untyped-def]
    checks = [(name, guards.get(name)) for name in t.guards]
    roles = frozenset(t.roles)

    def allowed(event_data: Any) -> bool:
        token: _Token = event_data.model
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

    return allowed


class CompiledWorkflow:
    def __init__(self, definition: WorkflowDefinition, guards: GuardRegistry) -> None:
        self.definition = definition
        names = definition.state_names
        finals = definition.final_states
        spec = [
            {"trigger": t.trigger, "source": list(_expand(t.sources, names, finals)), "dest": t.dest,
             "conditions": [_condition(t, guards)]}
            for t in definition.transitions
        ]
        self.machine = Machine(model=[], states=names, initial=definition.initial, transitions=spec,
                               auto_transitions=False, send_event=True, ignore_invalid_triggers=False,
                               name=definition.name)
        self._allowed = {s: definition.triggers_from(s) for s in names}
        for t in definition.transitions:
            for s in _expand(t.sources, names, finals):
                self._allowed.setdefault(s, [])
        self._triggers = {t.trigger for t in definition.transitions}

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
        try:
            moved = self.machine.events[trigger].trigger(token)
        except MachineError:  # pragma: no cover - can() checked it
            raise TransitionNotAllowed(name, trigger, state, self.allowed(state)) from None
        if not moved or token.fired is None:
            guard, why = token.refusal or ("unknown", "refused")
            raise TransitionRefused(name, trigger, state, guard, why)
        return token.state, token.fired
