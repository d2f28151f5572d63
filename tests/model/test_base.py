"""model/_base.py is the one place that builds pydantic instances without validating them: pinned here."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.metadata import version

from packaging.version import Version

from caseflow.model import AuditRecord
from caseflow.model._base import trusted, updated
from caseflow.model.events import make_record
from caseflow.testing import make_case

NOW = datetime(2026, 11, 11, 2, 0, tzinfo=UTC)


def test_pydantic_is_a_release_this_module_was_checked_against():
    # pyproject.toml pins pydantic>=2.6,<3: trusted() sets the instance attributes pydantic 2 documents
    assert Version("2.6") <= Version(version("pydantic")) < Version("3")


def test_a_trusted_instance_equals_a_validated_one():
    values = {
        "case_id": "C-1", "version": 2, "seq": 0, "event_id": "e1", "kind": "transition", "at": NOW,
        "actor_id": "a", "role": "tier1_agent", "workflow": "tier1", "trigger": "triage", "from_state": "new",
        "to_state": "triaged", "reason": None, "rule_ids": [], "policy_versions": [], "changes": {"x": 1},
    }  # fmt: skip
    fast = trusted(AuditRecord, dict(values), set(AuditRecord.model_fields))
    slow = AuditRecord(**values)
    assert fast == slow and fast.model_dump() == slow.model_dump()
    assert fast.model_dump_json() == slow.model_dump_json()
    assert fast.model_copy(update={"seq": 1}).seq == 1 and fast.seq == 0
    assert (
        make_record(
            "C-1",
            2,
            0,
            "e1",
            "transition",
            NOW,
            "a",
            "tier1_agent",
            workflow="tier1",
            trigger="triage",
            from_state="new",
            to_state="triaged",
            changes={"x": 1},
        )
        == slow
    )


def test_an_updated_case_equals_a_copied_one():
    case = make_case()
    update = {"states": {"tier1": "triaged"}, "version": 3, "tags": ["a"]}
    fast, slow = updated(case, update), case.model_copy(update=update)
    assert fast == slow and fast.model_dump_json() == slow.model_dump_json()
    assert fast.model_fields_set == slow.model_fields_set and case.version == 0
