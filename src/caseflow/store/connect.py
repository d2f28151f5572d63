"""Opening a store from its URL: ``sqlite:///FILE`` (the embedded default), ``memory://``, ``postgresql://...``."""

from __future__ import annotations

from pathlib import Path

from ..clock import Clock
from ..errors import MigrationError
from .sql import Store
from .sql import upgrade as migrate
from .urls import parse_url, redact_url

__all__ = ["open_store"]


def open_store(
    url: str,
    *,
    upgrade: bool = False,
    check_schema: bool = True,
    clock: Clock | None = None,
    create: bool | None = None,
) -> Store:
    """Open the store at ``url``: ``sqlite:///FILE``, ``memory://`` or ``postgresql://...``.

    With ``upgrade=True`` the schema is created or migrated first; otherwise a database
    without caseflow's current schema raises :class:`~caseflow.errors.MigrationError` naming
    the command that fixes it (``caseflow db upgrade URL``); ``check_schema=False`` skips that
    check (for tools that inspect or migrate the schema themselves). A ``sqlite:///FILE`` that
    does not exist is created only with ``upgrade=True`` (or ``create=True``): otherwise a
    mistyped path raises :class:`~caseflow.errors.MigrationError` (``store-missing``) instead of
    leaving an empty database behind."""
    u = parse_url(url)
    store: Store
    if (
        u.dialect == "sqlite"
        and u.target != ":memory:"
        and not (upgrade if create is None else create)
        and not Path(u.target).exists()
        and Path(u.target).parent.is_dir()
    ):  # (a missing folder: its own error)
        raise MigrationError(
            f"store {redact_url(url)!r}: no database file {u.target!r}; create it with: "
            f"caseflow db upgrade {redact_url(url)}",
            code="store-missing",
        )
    if u.dialect == "sqlite":
        from .sqlite import SqliteStore

        store = SqliteStore(url, u.target, clock=clock)
    else:
        from .postgres import PostgresStore

        store = PostgresStore(url, u.target, clock=clock)
    try:
        if upgrade or u.target == ":memory:":
            migrate(store)  # checks the schema it leaves
        elif check_schema:
            store.check_schema()
    except BaseException:
        store.close()
        raise
    return store
