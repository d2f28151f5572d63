"""Backends evaluate a compiled policy set: ``python`` (the default) and ``durable`` (durable-rules).

Each is imported only when asked for: ``import caseflow`` loads no durable-rules module.
"""

from __future__ import annotations

from importlib import import_module

from ...errors import BackendError, EvaluationError
from ..compiler import CompiledSet
from .base import Backend, FactPredicate

__all__ = ["BACKENDS", "DEFAULT_BACKEND", "Backend", "FactPredicate", "make_backend"]

BACKENDS: dict[str, tuple[str, str]] = {
    "python": ("caseflow.engine.backends.python", "PythonBackend"),
    "durable": ("caseflow.engine.backends.durable", "DurableBackend"),
}
DEFAULT_BACKEND = "durable"


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
