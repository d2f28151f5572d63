"""Policy test files: a malformed one is a located, clear error."""

from __future__ import annotations

from tests.helpers import run


def test_malformed_test_file_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "x.test.yaml").write_text("tests:\n  - name: a\n    expect: {rulez: []}\n")
    code, _, err = run(["test", tmp_path], capsys)
    assert code == 2 and "unknown expectation 'rulez'" in err and "x.test.yaml:2:5" in err
