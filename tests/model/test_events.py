"""Audit records: the ones caseflow builds without validating equal fully validated ones."""

from __future__ import annotations

from caseflow.testing import make_case
from tests.helpers import NOW
from tests.states.helpers import SYSTEM


def test_fast_built_records_equal_fully_validated_ones(driven):
    from caseflow import AuditRecord

    out = driven.open(
        make_case(request={"kind": "refund_only", "amount": "2500 CNY", "reason": "changed_mind"}), actor=SYSTEM, at=NOW
    )
    for r in out.records:
        again = AuditRecord.model_validate_json(r.model_dump_json())
        assert again == r and again.model_dump() == r.model_dump()
