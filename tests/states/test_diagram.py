"""Workflow diagrams are mermaid state diagrams."""

from __future__ import annotations

import pytest

from caseflow.errors import WorkflowError


def test_diagrams_are_mermaid(flows):
    text = flows.diagram("tier1")
    assert "stateDiagram-v2" in text and "new --> triaged: triage" in text and "closed --> [*]" in text
    with pytest.raises(WorkflowError, match="unknown workflow"):
        flows.diagram("nope")
