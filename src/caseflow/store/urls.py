"""Store URLs: ``sqlite:///relative.db``, ``sqlite:////abs/path.db``, ``sqlite:///:memory:``
(or ``memory://``), and ``postgresql://user:password@host:port/database``.

A password never shows: :func:`redact_url` masks it in every form a connection string can be
written in (:func:`caseflow.logging.redact_secrets`), and :func:`redact_error` also masks what a
driver's message quotes of it. Messages, logs and ``repr`` show the URL through them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import StoreError
from ..logging import redact_secrets

__all__ = ["StoreUrl", "parse_url", "redact_error", "redact_url"]

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{0,31}:")
_QUOTED = re.compile(r"\"[^\"\n]{1,512}\"|'[^'\n]{1,512}'")
_PIECES = re.compile(r"[^\s:@/?&=;,'\"]{4,256}")  # the words of a connection string


@dataclass(frozen=True)
class StoreUrl:
    dialect: str  # sqlite | postgresql
    target: str  # the file path (sqlite) or the libpq URL (postgresql)

    def __repr__(self) -> str:
        return f"StoreUrl(dialect={self.dialect!r}, target={redact_url(self.target)!r})"


def redact_url(url: str) -> str:
    """``url`` without its password, for messages and logs: ``postgresql://user:***@host:5432/db``,
    ``postgresql://host/db?password=***``, ``host=h user=u password=*** dbname=d``,
    ``password='***'``. User, host, port and database stay. A password holding ``@``, ``:``, ``/``,
    spaces or quotes is masked whole; where the form is unclear, more is masked, never less."""
    return redact_secrets(url, dsn=True)


def redact_error(text: str, url: str) -> str:
    """A driver's message about ``url`` (psycopg's, libpq's) without the password: what
    :func:`redact_url` masks, then every quoted part of the message and every word of ``url`` that
    holds some of the password. libpq quotes the piece of a connection string it could not read
    (``missing "=" after "secret"``, ``failed to resolve host 't@db'``), which no pattern can know
    is a password; comparing with ``url`` can."""
    text = redact_secrets(text)
    shown = redact_url(url)
    if shown == url:
        return text

    def quoted(m: re.Match[str]) -> str:
        q, inner = m.group()[0], m.group()[1:-1]
        return f"{q}***{q}" if inner in url and inner not in shown else m.group()

    text = _QUOTED.sub(quoted, text)
    for piece in set(_PIECES.findall(url)):
        if piece not in shown:
            text = text.replace(piece, "***")
    return text


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
    scheme = _SCHEME.match(url)
    problem = (
        f"unknown scheme {scheme.group()[:-1]!r}"
        if scheme is not None
        else "a libpq keyword string, not a URL"
        if "=" in url
        else "no scheme"
    )
    raise StoreError(
        f"store URL {redact_url(url)!r}: {problem}; use sqlite:///FILE, memory:// "
        "or postgresql://USER@HOST:PORT/DATABASE",
        code="store-url",
    )
