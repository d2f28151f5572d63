from __future__ import annotations

import os
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

from caseflow import Engine, FixedClock, Workflows, load_policies
from tests.helpers import DURABLE, NO_DURABLE, NOW, RULES


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Where durable-rules is not installed (Python 3.13 without the CC flag, or no C compiler), every
    test of the durable backend is skipped, saying how to install it; the python backend's still run."""
    if DURABLE:
        return
    skip = pytest.mark.skip(reason=NO_DURABLE)
    for item in items:
        callspec = getattr(item, "callspec", None)
        params = callspec.params.values() if callspec is not None else ()
        if "durable" in params or "[durable]" in item.name or item.get_closest_marker("durable"):
            item.add_marker(skip)


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
        "orders": [
            {
                "id": "o-1",
                "amount": "89.00 CNY",
                "placed_at": "2026-11-01T10:00:00+08:00",
                "shipped_at": "2026-11-02T10:00:00+08:00",
                "delivered_at": "2026-11-08T10:00:00+08:00",
                "items": [{"sku": "SKU-1", "category": "apparel"}],
            }
        ],
        "request": {"kind": "refund_only", "amount": "89.00 CNY", "reason": "changed_mind"},
    }


@pytest.fixture(scope="module")
def driven() -> Workflows:
    """Workflows driven by the shipped policies, at NOW (one per test module)."""
    clock = FixedClock(NOW)
    return Workflows(engine=Engine(load_policies(RULES), clock=clock))


PG_ENV = "CASEFLOW_TEST_POSTGRES_URL"


def _pg_url() -> str:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(
            f"PostgreSQL store tests need {PG_ENV}=postgresql://USER@HOST:PORT/DB (.ci/run sets it); "
            "the same tests ran on SQLite"
        )
    return base


@pytest.fixture
def pg_url():
    """A fresh schema on the test server, dropped afterwards: tests never see each other's rows."""
    import psycopg

    base = _pg_url()
    schema = f"cf_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as c:
        c.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    with psycopg.connect(base, autocommit=True) as c:
        c.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/cases.db"
    return request.getfixturevalue("pg_url")
