"""Risk across cases: correlation detectors and the correlator that counts them in bounded memory.

- :mod:`.detectors` — :class:`Detector` and ``*.detectors.yaml`` files
- :mod:`.correlation` — :class:`Correlator`: events in, alerts out, on case time
- :mod:`.signals` — :class:`SignalProvider`: an app's own detector (a trained model) as facts policies test
- :mod:`.model` — :class:`TextModel`: a small learned text signal beside the phrase rules (shipped, or trained
  on an app's own labelled messages), registered with :func:`register_text_model`
"""

from .correlation import Alert, Correlator, SignalEvent
from .detectors import Detector, load_detectors
from .model import TextModel, TextModelSignal, register_text_model
from .signals import Signal, SignalLabel, SignalProvider, SignalScore, register_signal_provider

__all__ = [
    "Alert",
    "Correlator",
    "Detector",
    "Signal",
    "SignalEvent",
    "SignalLabel",
    "SignalProvider",
    "SignalScore",
    "TextModel",
    "TextModelSignal",
    "load_detectors",
    "register_signal_provider",
    "register_text_model",
]
