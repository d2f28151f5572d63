"""The pytest plugin is opt-in: installing caseflow never changes how pytest runs another project."""

from __future__ import annotations

import subprocess
import sys

POLICY = """policy: p
version: "1"
hit_policy: first
rules:
  - id: always-sorry
    when: always
    then: [apologize]
"""
TESTS = """policies: p.yaml
now: 2026-11-11T10:00:00+08:00
base_case: {id: C-1, tenant: t, channel: chat, case_type: inquiry, created_at: "2026-11-11T09:00:00+08:00"}
tests:
  - name: we apologize
    expect: {actions: [apologize]}
"""


def _pytest(folder, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_pytest_in_an_unrelated_folder_collects_nothing_of_caseflows(tmp_path):
    (tmp_path / "p.yaml").write_text(POLICY)
    (tmp_path / "foo.test.yaml").write_text(TESTS)
    out = _pytest(tmp_path)
    assert out.returncode == 5, out.stdout + out.stderr  # 5: no tests collected
    assert "we apologize" not in out.stdout


def test_a_project_that_opts_in_gets_its_policy_tests_on_every_backend(tmp_path):
    (tmp_path / "p.yaml").write_text(POLICY)
    (tmp_path / "foo.test.yaml").write_text(TESTS)
    out = _pytest(tmp_path, "-p", "caseflow.testing.pytest_plugin")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "foo.test.yaml::we apologize [python]" in out.stdout
    assert "foo.test.yaml::we apologize [durable]" in out.stdout
