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
    ):
        cls = getattr(caseflow, name)
        assert issubclass(cls, caseflow.CaseflowError)
    err = caseflow.EvaluationError("x", code="some-code")
    assert err.docs_url.endswith("docs/errors.md#some-code") and "[some-code]" in str(err)
