"""What several test modules share: where the repository is, the reference time, and small helpers.

Paths are computed here once; the test modules import them (tests/conftest.py too)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path

from caseflow import FixedClock, PolicySet, default_actions, default_facts, load_policy_text
from caseflow.tools.cli import main

ROOT = Path(__file__).resolve().parent.parent  # the repository
RULES = ROOT / "rules"  # the shipped policy pack
NOW = datetime(2026, 11, 11, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai on the 11.11 sale
CLOCK = FixedClock("2026-11-11T10:00:00+08:00")  # the engine tests' clock (never moved)
DURABLE = find_spec("durable") is not None  # durable-rules is installed here
NO_DURABLE = (
    "durable-rules is not installed here: pip install 'caseflow[durable]' (Python 3.13: "
    'CC="gcc -DPyEval_CallObject=PyObject_CallObject" pip install durable-rules==2.0.28); '
    "the python backend's tests ran"
)


def policy(text: str, facts=None) -> PolicySet:
    """A policy set of the one policy ``text`` (it must be valid)."""
    p, issues = load_policy_text(text, facts=facts)
    assert p is not None, issues
    return PolicySet((p,), facts or default_facts(), default_actions())


def run(args, capsys):
    """Run the ``caseflow`` command with ``args``: (exit code, stdout, stderr); never a traceback."""
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out, out.err


def write(tmp_path, name, text):
    """Write policy file ``name`` (its policy named after it, version 1) with ``text`` after the header."""
    p = tmp_path / name
    p.write_text("policy: " + name.split(".")[0] + '\nversion: "1"\n' + text)
    return p


def growth(work: Callable[[str], object], text: str, rounds: int = 3) -> tuple[float, float]:
    """CPU seconds of ``work`` on ``text`` and on twice ``text``: (one, two).

    Each size is timed three times, the two sizes taking turns, and the fastest run of each counts (a
    neighbour's burst on a shared machine slows some runs, never speeds one up). If twice the text took
    three times as long or more, everything is measured again, up to ``rounds`` times: a quadratic walk
    (four times) is slow in every round, a burst of noise in one. Each run gets a text of its own (a
    different first character), so that nothing is cached between runs."""
    one = two = float("inf")
    for _ in range(rounds):
        one = two = float("inf")
        for attempt in range(3):
            for size in (1, 2):
                piece = f"{attempt}{text * size}"
                started = time.process_time()
                work(piece)
                spent = time.process_time() - started
                if size == 1:
                    one = min(one, spent)
                else:
                    two = min(two, spent)
        if two / max(one, 0.02) < 3.0:
            break
    return one, two
