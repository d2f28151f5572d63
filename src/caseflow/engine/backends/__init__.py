"""Backends evaluate a compiled policy set: ``python`` (the default) and ``durable`` (durable-rules).

Both give the same decisions (property-tested); the python backend is the faster one and needs
nothing but caseflow. durable-rules is installed with caseflow where it builds (a C compiler;
Python 3.11 and 3.12), else with ``pip install 'caseflow[durable]'`` (on Python 3.13 see the
README). Each backend is imported only when asked for: ``import caseflow`` loads no
durable-rules module.
"""

from __future__ import annotations

from importlib import import_module

from ...errors import BackendError, EvaluationError
from ..compiler import CompiledSet
from .base import Backend, FactPredicate

__all__ = ["BACKENDS", "DEFAULT_BACKEND", "Backend", "FactPredicate", "available_backends", "make_backend"]

BACKENDS: dict[str, tuple[str, str]] = {
    "python": ("caseflow.engine.backends.python", "PythonBackend"),
    "durable": ("caseflow.engine.backends.durable", "DurableBackend"),
}
DEFAULT_BACKEND = "python"


def available_backends() -> tuple[str, ...]:
    """The backends whose packages are installed here, the default first."""
    from importlib.util import find_spec

    return tuple(name for name in BACKENDS if name != "durable" or find_spec("durable") is not None)


def make_backend(name: str, cs: CompiledSet) -> Backend:
    """Build backend ``name`` for ``cs`` (it checks its own limits: PolicyValidationError)."""
    try:
        module, cls = BACKENDS[name]
    except (KeyError, TypeError):
        raise EvaluationError(
            f"unknown backend {name!r}; use one of {', '.join(sorted(BACKENDS))}", code="backend-unknown"
        ) from None
    try:
        mod = import_module(module)
    except ImportError as exc:
        raise BackendError(
            f"the {name} backend needs a package that is not installed ({exc.name}): pip install 'caseflow[{name}]' "
            '(on Python 3.13: CC="gcc -DPyEval_CallObject=PyObject_CallObject" pip install durable-rules==2.0.28)',
            code="backend-missing",
        ) from None
    backend: Backend = getattr(mod, cls)(cs)
    return backend
