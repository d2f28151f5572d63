"""Detector files: bad ones are located."""

from __future__ import annotations

import pytest

from caseflow import PolicyValidationError
from caseflow.risk import load_detectors


def test_bad_detector_files_are_located(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text(
        "detectors:\n  - id: x\n    count: complaint\n    key: [sku]\n    window: 7 fortnights\n    threshold: 5\n"
        "  - id: y\n    rate: misshipment\n    key: [w]\n    window: 1d\n    threshold: 0.1\n    then: [notfy]\n"
    )
    with pytest.raises(PolicyValidationError) as exc:
        load_detectors(p)
    text = str(exc.value)
    assert f"{p}:5:" in text and "duration" in text
    assert "rate detector needs 'per" in text
