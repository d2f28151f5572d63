"""Risk across cases: correlation detectors and the correlator that counts them in bounded memory.

- :mod:`.detectors` — :class:`Detector` and ``*.detectors.yaml`` files
- :mod:`.correlation` — :class:`Correlator`: events in, alerts out, on case time
"""

from .correlation import Alert, Correlator, SignalEvent
from .detectors import Detector, load_detectors

__all__ = ["Alert", "Correlator", "Detector", "SignalEvent", "load_detectors"]
