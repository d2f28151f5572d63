"""CSV cells a spreadsheet will not run: formula injection neutralised the OWASP way.

Excel, LibreOffice and Google Sheets read a cell whose text starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return as a formula: a case type, tag, reason or SKU named
``=HYPERLINK("http://x")`` or ``+cmd|' /C calc'!A0`` would run when the export is opened.
:func:`safe_cell` prefixes such text with a single quote (``'=HYPERLINK(...)``), which the
spreadsheet shows as text. Numbers stay numbers: ints, floats and decimals are never touched, and
neither is text that is a plain number (``-3``, ``-0.5``, ``+1``, ``-1e-05``).

Every CSV caseflow writes (``Report.csv()``, ``SimulationReport.csv()``) goes through
:class:`SafeWriter`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

__all__ = ["SafeWriter", "safe_cell"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?=\.?[0-9])[0-9]{0,300}\.?[0-9]{0,300}(?:[eE][+-]?[0-9]{1,4})?")


def safe_cell(value: object) -> object:
    """``value`` as a CSV cell no spreadsheet runs: text starting like a formula gets a leading
    ``'``; numbers, and text that is a plain number, are returned as they are."""
    if value is None or isinstance(value, int | float | Decimal):
        return value
    text = value if isinstance(value, str) else str(value)
    if not text.startswith(_FORMULA_START):
        return value
    if _PLAIN_NUMBER.fullmatch(text):  # -3, -0.5: not "-e5", which a spreadsheet reads as a cell
        return value
    return "'" + text


class _RowWriter(Protocol):
    def writerow(self, row: Iterable[Any], /) -> Any: ...


class SafeWriter:
    """A :func:`csv.writer` whose every cell goes through :func:`safe_cell`:
    ``w = SafeWriter(csv.writer(buf))``, then ``w.writerow([...])`` as usual."""

    __slots__ = ("_writer",)

    def __init__(self, writer: _RowWriter) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)
