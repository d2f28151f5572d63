"""Writing policy files and validating them through the command line, for the policy-validation tests."""

from __future__ import annotations

from pathlib import Path

from caseflow.tools.cli import main

GOOD_RULE = """
  - id: ok
    when: order.amount > 10 CNY
    then: [apologize]
"""


def write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    """Write ``text`` as it is to ``name`` (for a policy with a header, see tests.helpers.write)."""
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def head(rules: str, hit: str = "first") -> str:
    return f'policy: t\nversion: "1"\nhit_policy: {hit}\nrules:\n{rules}'


def run_validate(path: Path, capsys) -> tuple[int, str]:
    code = main(["validate", str(path)])
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    return code, out.err
