"""The rules of the house that import-linter cannot see (docs/architecture.md)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings

from caseflow import default_facts, load_policy_text
from caseflow.engine.compiler import compile_policies, dnf_size, to_nnf
from caseflow.policies.analysis import alternatives

from ..helpers import ROOT, RULES
from .test_backends_agree import tree


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


@pytest.mark.durable
def test_import_caseflow_loads_no_durable_rules_module_until_a_durable_backend_is_asked_for():
    code = (
        "import sys, caseflow\n"
        f"ps = caseflow.load_policies({str(RULES)!r})\n"  # validation builds no backend either
        "caseflow.Engine(ps, backend='python')\n"
        "before = sorted(m for m in sys.modules if m.split('.')[0] == 'durable')\n"
        "caseflow.Engine(ps, backend='durable')\n"
        "after = sorted(m for m in sys.modules if m.split('.')[0] == 'durable')\n"
        "print(before, bool(after))"
    )
    assert _run(code) == "[] True"


def test_the_workflow_runtime_names_no_sla_metric_or_domain_field():
    """Its code, docstrings left out: what an event does to a case beyond its states is a reaction."""
    import ast

    tree = ast.parse((ROOT / "src" / "caseflow" / "states" / "runtime.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
        ):
            body.pop(0)  # a docstring
    code = ast.unparse(tree)
    for word in ("sla", "root_cause", "kb_summary", "authority", "priority", "tier1", "escalate", "add_tag"):
        assert word not in code, word


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree)
def test_the_portable_limit_counts_the_alternatives_a_backend_expands(cond):
    """load_policies counts alternatives on the policy's own conditions; the engine's compiled trees agree."""
    import json

    rule = f"  - id: r\n    when: {json.dumps(cond)}\n    then: [apologize]\n"
    text = f'policy: p\nversion: "1"\nhit_policy: all\nrules:\n{rule}'
    policy, issues = load_policy_text(text)
    assert policy is not None, issues
    facts = default_facts()
    cs = compile_policies([policy], facts)
    (rule,) = policy.rules
    assert alternatives(rule.when, facts) == dnf_size(to_nnf(cs.policies[0].rules[0].tree, cs))
