"""A policy set -> decisions: compile, evaluate on a backend, explain.

- :mod:`.compiler` — the backend-neutral condition trees over slots (imports no backend)
- :mod:`.backends` — ``python`` (the default) and ``durable`` (durable-rules, imported only when asked for)
- :mod:`.explain` — why each rule matched or not
- :mod:`.engine` — :class:`Engine`: evaluate cases at an injected clock's time
"""

from .engine import Engine

__all__ = ["Engine"]
