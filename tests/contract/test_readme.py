"""The README's Python snippets run as written, on the quick start's case, and say what they show."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from tests.helpers import ROOT

# the names the README's snippets use without defining them, as a reader would have them
CASE = {
    "id": "CS-README-1",
    "tenant": "shop",
    "channel": "chat",
    "case_type": "return_and_refund",
    "created_at": "2026-11-11T09:40:00+08:00",
    "buyer": {"id": "buyer-7", "region": "CN", "history": {"orders_total": 23, "refunds_90d": 1}},
    "orders": [
        {
            "id": "TB-1",
            "amount": "159.00 CNY",
            "placed_at": "2026-11-01T20:15:00+08:00",
            "shipped_at": "2026-11-02T09:00:00+08:00",
            "delivered_at": "2026-11-06T14:30:00+08:00",
            "items": [{"sku": "JACKET", "category": "apparel"}],
        }
    ],
    "request": {"kind": "return_and_refund", "amount": "159.00 CNY", "reason": "changed_mind"},
}


def test_the_readme_snippets_run_and_show_what_they_say(tmp_path, monkeypatch):
    from caseflow import Actor, WorkflowEvent, parse_case

    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 3
    monkeypatch.chdir(ROOT)  # the snippets load rules/ relative to the repository
    paid: list[object] = []
    now = datetime(2026, 11, 11, 2, 0, tzinfo=UTC)
    ns: dict[str, object] = {
        "case_json": json.dumps(CASE),
        "case": parse_case(CASE),
        "now": now,
        "pay": paid.append,
        "event": WorkflowEvent(id="e-readme", trigger="triage", actor=Actor(id="a", role="tier1_agent"), at=now),
    }
    for block in blocks:
        code = block.replace("sqlite:///cases.db", f"sqlite:///{tmp_path}/cases.db")  # not in the checkout
        exec(compile(code, "README.md", "exec"), ns)  # noqa: S102 - our own README
    # what the comments promise
    assert ns["decision"].action_types == ["require_return", "approve_refund"]
    states = ns["out"].case.states
    assert states["tier1"] == "handed_to_tier2" and states["tier2"] == "escalated"
