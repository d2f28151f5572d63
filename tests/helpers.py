"""What several test modules share: where the repository is, the reference time, and small helpers.

Paths are computed here once; the test modules import them (tests/conftest.py too)."""

from __future__ import annotations

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
