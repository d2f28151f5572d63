"""State diagrams of workflow definitions, rendered by transitions' own mermaid engine."""

from __future__ import annotations

from .definition import WorkflowDefinition, _expand

__all__ = ["mermaid"]


class _Drawing:
    """A throwaway model: diagrams need one; the shared per-definition machines have none."""


def mermaid(d: WorkflowDefinition) -> str:
    from transitions.extensions import GraphMachine

    names = d.state_names
    finals = d.final_states
    spec = []
    for t in d.transitions:
        for s in _expand(t.sources, names, finals):
            spec.append({"trigger": t.trigger, "source": s, "dest": t.dest})
    m = GraphMachine(
        model=_Drawing(),
        states=names,
        initial=d.initial,
        transitions=spec,
        graph_engine="mermaid",
        auto_transitions=False,
        title=f"{d.name} {d.version}",
    )
    text = m.models[0].get_graph().draw(None)
    assert text is not None  # drawn to no file, the mermaid engine returns the text
    lines = text.rstrip("\n").split("\n")
    lines += [f"  {s} --> [*]" for s in names if s in finals]
    return "\n".join(lines) + "\n"
