from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"


@pytest.fixture(scope="session")
def rules_dir() -> Path:
    return RULES


@pytest.fixture
def base_case() -> dict:
    return {
        "id": "C-1",
        "tenant": "shop-cn",
        "channel": "chat",
        "case_type": "refund_only",
        "created_at": "2026-11-11T09:00:00+08:00",
        "buyer": {"id": "b-1", "region": "CN", "history": {"orders_total": 12, "refunds_90d": 0}},
        "orders": [{
            "id": "o-1", "amount": "89.00 CNY", "placed_at": "2026-11-01T10:00:00+08:00",
            "shipped_at": "2026-11-02T10:00:00+08:00", "delivered_at": "2026-11-08T10:00:00+08:00",
            "items": [{"sku": "SKU-1", "category": "apparel"}],
        }],
        "request": {"kind": "refund_only", "amount": "89.00 CNY", "reason": "changed_mind"},
    }
