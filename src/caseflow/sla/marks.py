"""SLA marks on the case: what a fired SLA timer records, read by the policies' ``sla.*`` facts.

A timer's event (:meth:`caseflow.sla.SlaTracker.event_for`) carries the metric and the mark
in its data; :class:`SlaMarks`, one of the workflow runtime's default reactions
(:func:`caseflow.states.default_reactions`), writes the mark onto the case before the policies
are asked: ``case.sla_breaches[metric]`` (the breach level), ``case.sla_warnings[metric]``
(the highest warning percentage) or ``case.sla_met[metric]`` (how many cycles met the target).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..model.case import Case
from ..model.events import EventValue, WorkflowEvent

__all__ = ["BREACH_LEVEL", "MARK_PREFIX", "MET", "METRIC", "WARNING", "SlaMarks", "mark_data"]

MARK_PREFIX = "sla:"  # the event id of a fired mark starts so (caseflow.sla.SlaTracker.mark_id)
METRIC = "sla_metric"
BREACH_LEVEL = "sla_breach_level"
WARNING = "sla_warning"
MET = "sla_met"


def mark_data(metric: str, mark: str) -> dict[str, EventValue]:
    """The event data of mark ``'warning:75'``, ``'breach:2'`` or ``'met'`` of ``metric``."""
    if mark == "met":
        return {METRIC: metric, MET: True}
    kind, value = mark.split(":")
    return {METRIC: metric, BREACH_LEVEL if kind == "breach" else WARNING: int(value)}


class SlaMarks:
    """A workflow reaction: an SLA timer's event records its warning, breach or met target on the case."""

    def on_event(self, case: Case, event: WorkflowEvent) -> Mapping[str, object]:
        """The case fields the event's SLA mark changes (none for an event without one)."""
        data = event.data
        metric = data.get(METRIC)
        if not isinstance(metric, str):
            return {}
        updates: dict[str, object] = {}
        level, warning = data.get(BREACH_LEVEL), data.get(WARNING)
        if isinstance(level, int) and not isinstance(level, bool):
            updates["sla_breaches"] = {**case.sla_breaches, metric: level}
        if isinstance(warning, int) and not isinstance(warning, bool):
            updates["sla_warnings"] = {**case.sla_warnings, metric: warning}
        if data.get(MET) is True:
            updates["sla_met"] = {**case.sla_met, metric: case.sla_met.get(metric, 0) + 1}
        return updates
