"""Findings that are known and not fixed yet: their corpus inputs replay as ``xfail(strict=True)``
(``tests/contract/test_fuzz_corpus.py``), and ``fuzz/run.py`` counts a new input failing the same way
(the same ``origin``) as known instead of failing the run.

When the fix lands, its strict xfail turns into a failure ("XPASS(strict)"): delete the entry here and
the input stays in the corpus as a plain regression test.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KNOWN", "Known", "known_origins"]


@dataclass(frozen=True)
class Known:
    origin: str  # Finding.origin: "<exception>@<caseflow module>:<function>", "contract:<promise>", "hang@..."
    reason: str  # what is wrong and where the fix belongs


KNOWN: dict[str, Known] = {
    # "<target>/<file in fuzz/corpus/<target>/>": Known(origin, reason)
}


def known_origins(target: str) -> dict[str, Known]:
    """The origins of ``target``'s known findings."""
    return {k.origin: k for path, k in KNOWN.items() if path.split("/", 1)[0] == target}
