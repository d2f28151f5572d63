"""Clocks: a time without a zone, or not a time, is a clear error."""

from __future__ import annotations

import pytest


def test_a_time_without_a_zone_or_not_a_time_is_a_time_error_and_a_value_error(rules_dir):
    from datetime import datetime

    from caseflow import Engine, FixedClock, TimeError, load_policies
    from caseflow.testing import make_case

    with pytest.raises(TimeError, match="is not an ISO date-time") as e:
        FixedClock("next tuesday")
    assert e.value.code == "time-invalid" and isinstance(e.value, ValueError)
    with pytest.raises(TimeError, match="has no time zone") as e:
        FixedClock(datetime(2026, 11, 11, 10, 0))
    assert e.value.code == "time-naive"
    engine = Engine(load_policies(rules_dir / "refunds.yaml"), clock=FixedClock("2026-11-11T10:00:00+08:00"))
    with pytest.raises(ValueError, match="evaluate\\(at=...\\) 2026-11-11T10:00:00 has no time zone"):
        engine.evaluate(make_case(), at=datetime(2026, 11, 11, 10, 0))
