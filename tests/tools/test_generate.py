"""caseflow generate: realistic conversations, never from the future."""

from __future__ import annotations

import json

from tests.helpers import run


def test_generated_conversations_are_answered_mostly_and_never_from_the_future(tmp_path, capsys):
    code, out, _ = run(["generate", "--n", "500", "--seed", "5"], capsys)
    cases = [json.loads(line) for line in out.splitlines()]
    now = "2026-11-11T02:00:00+00:00"  # the generator's default now
    assert all(c["messages"][0]["author"] == "buyer" and c["messages"][0]["at"] == c["created_at"] for c in cases)
    assert all(m["at"] <= now for c in cases for m in c["messages"])
    answered = sum(any(m["author"] == "agent" for m in c["messages"]) for c in cases)
    again = sum(sum(m["author"] == "buyer" for m in c["messages"]) > 1 for c in cases)
    assert 0.75 * 500 < answered < 0.95 * 500 and 0.1 * 500 < again < 0.4 * 500
