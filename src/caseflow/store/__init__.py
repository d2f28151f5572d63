"""Durable case stores: SQLite (the embedded default, WAL) and PostgreSQL (many workers).

::

    from caseflow.store import CaseService, open_store

    store = open_store("sqlite:///cases.db", upgrade=True)      # or postgresql://user@host/db
    svc = CaseService(store, workflows, tracker=tracker, clock=clock)

``memory://`` is an in-memory SQLite database, for unit tests. See docs/store.md.
"""

from .connect import open_store
from .effects import Effect, Effects, OutboxMessage, default_effects
from .schema import LATEST as SCHEMA_VERSION
from .service import CaseService, EventError, WorkReport
from .sql import FailedEvent, Store, current_version, upgrade

__all__ = [
    "SCHEMA_VERSION",
    "CaseService",
    "Effect",
    "Effects",
    "EventError",
    "FailedEvent",
    "OutboxMessage",
    "Store",
    "WorkReport",
    "current_version",
    "default_effects",
    "open_store",
    "upgrade",
]
