"""The errors tree: every error is a CaseflowError with a code and a docs URL."""

import caseflow


def test_every_error_derives_from_caseflow_error_and_has_a_docs_url():
    for name in (
        "BackendError",
        "CaseDataError",
        "EvaluationError",
        "FactError",
        "PolicyError",
        "PolicyTestError",
        "PolicyValidationError",
        "WorkflowError",
        "WorkflowDefinitionError",
        "TransitionRefused",
        "TransitionNotAllowed",
        "ReactionLimitError",
        "TimeError",
        "MoneyError",
    ):
        cls = getattr(caseflow, name)
        assert issubclass(cls, caseflow.CaseflowError)
    err = caseflow.EvaluationError("x", code="some-code")
    assert err.docs_url == "https://caseflow.github.io/caseflow/errors/#some-code" and "[some-code]" in str(err)


def test_a_problem_quoting_a_huge_value_is_still_one_short_line(tmp_path):
    """A 2 MB key in any document kind: the message keeps its place and its code, the middle is cut."""
    from caseflow.risk.detectors import load_detectors
    from caseflow.states.definition import load_workflow

    key = "k" * 2_000_000
    for name, load in (("workflow", load_workflow), ("detectors", load_detectors)):
        path = tmp_path / f"{name}.yaml"
        path.write_text(f"{key}: 1\n", encoding="utf-8")
        try:
            load(path)
        except caseflow.DocumentError as e:
            lines = str(e).splitlines()
            assert all(len(line) < 2_000 for line in lines), name
            assert any(line.startswith(f"{path}:1:") and line.endswith("]") for line in lines), lines
        else:
            raise AssertionError(f"{name}: a 2 MB key was accepted")
