"""Store URLs: ``sqlite:///relative.db``, ``sqlite:////abs/path.db``, ``sqlite:///:memory:``
(or ``memory://``), and ``postgresql://user:password@host:port/database``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import StoreError

__all__ = ["StoreUrl", "parse_url", "redact_url"]


@dataclass(frozen=True)
class StoreUrl:
    dialect: str  # sqlite | postgresql
    target: str  # the file path (sqlite) or the libpq URL (postgresql)


def redact_url(url: str) -> str:
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def parse_url(url: str) -> StoreUrl:
    if url in ("memory://", "sqlite://", "sqlite:///:memory:"):
        return StoreUrl("sqlite", ":memory:")
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        if not path:
            raise StoreError(
                f"store URL {url!r} names no file; write sqlite:///cases.db (relative) or "
                "sqlite:////var/lib/caseflow/cases.db (absolute)",
                code="store-url",
            )
        return StoreUrl("sqlite", path)
    if url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        return StoreUrl("postgresql", url.replace("postgresql+psycopg://", "postgresql://", 1))
    scheme = url.split(":", 1)[0] if ":" in url else url
    raise StoreError(
        f"store URL {redact_url(url)!r}: unknown scheme {scheme!r}; use sqlite:///FILE, memory:// "
        "or postgresql://USER@HOST:PORT/DATABASE",
        code="store-url",
    )
