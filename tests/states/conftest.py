from __future__ import annotations

import pytest

from caseflow.states import Workflows


@pytest.fixture(scope="module")
def flows() -> Workflows:
    return Workflows()
