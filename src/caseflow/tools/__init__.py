"""Tools on top of the library: the ``caseflow`` command line, simulations, reports and synthetic cases.

- :mod:`.cli` — the ``caseflow`` command
- :mod:`.simulate` — what a policy change would do to past or generated cases
- :mod:`.report` — daily, weekly and monthly summaries of a case store
- :mod:`.generate` — realistic synthetic cases
"""

from .generate import generate_cases
from .report import Report, build_report
from .simulate import SimulationReport, simulate_file, simulate_store

__all__ = ["Report", "SimulationReport", "build_report", "generate_cases", "simulate_file", "simulate_store"]
