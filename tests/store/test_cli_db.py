from __future__ import annotations

import subprocess
import sys

from caseflow.tools.cli import main


def test_db_upgrade_creates_then_reports_up_to_date(store_url, capsys):
    assert main(["db", "status", store_url]) == 1
    assert "needs upgrade to 1: caseflow db upgrade" in capsys.readouterr().out
    assert main(["db", "upgrade", store_url]) == 0
    assert "applied 0001_initial" in capsys.readouterr().out
    assert main(["db", "upgrade", store_url]) == 0
    out = capsys.readouterr().out
    assert "applied" not in out and "schema version 1 (up to date)" in out
    assert main(["db", "status", store_url]) == 0
    assert "cases" in capsys.readouterr().out


def test_db_upgrade_with_a_bad_url_is_one_clear_line():
    out = subprocess.run(
        [sys.executable, "-m", "caseflow.tools.cli", "db", "upgrade", "mysql://root:pw@localhost/x"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "unknown scheme 'mysql'" in out.stderr and "pw" not in out.stderr
