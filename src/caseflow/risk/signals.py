"""Signal providers: an app's own detector (a trained classifier, a vendor's API) as facts policies test.

caseflow's own detection of high-risk messages is rule-based and explainable: the phrase sets of
``rules/escalation.yaml``. An app adds a detector of its own as a :class:`SignalProvider`, and
:func:`register_signal_provider` makes its outputs facts of a :class:`~caseflow.policies.FactRegistry`:

- ``signal.<name>.label``: an ``enum`` of the labels the provider declares (when it declares any);
- ``signal.<name>.score``: a ``number`` from 0 to 1 (when it gives scores).

Policies test them like any fact (``signal.toxicity.score > 0.9``), and ``Decision.explain()`` shows the
provider's explanation beside the value (``why signal.toxicity.score: ...``): the value a fact holds is
a :class:`SignalScore` or :class:`SignalLabel`, a ``float`` or ``str`` that carries its explanation.

What a provider gives is checked each time a fact is derived. A provider that raises, or that gives
what it did not declare (a label outside its labels, a score that is not a number from 0 to 1, NaN, no
explanation), is a :class:`~caseflow.errors.SignalError` naming the provider, the fact and the case -
never a silent default. The message of an exception a provider raised is not repeated (it may quote
the customer): the exception is the error's ``__cause__``, for the app's own debugging.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from numbers import Real
from typing import Protocol, runtime_checkable

from ..errors import FactError, SignalError, clip
from ..logging import redact_text
from ..model.case import Case
from ..policies.facts import FactRegistry, FactSpec, FactValue, Getter

__all__ = [
    "MAX_EXPLANATION",
    "Signal",
    "SignalLabel",
    "SignalProvider",
    "SignalScore",
    "register_signal_provider",
    "signal_fact_names",
]

MAX_EXPLANATION = 500
"""Characters of a provider's explanation an explanation shows (a longer one is cut in the middle)."""

_PROVIDER_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_LABEL = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Signal:
    """What a provider says of one case: a ``label`` and/or a ``score`` from 0 to 1, and why.

    ``explanation`` is the provider's own words, shown beside the value in an explanation (required:
    every decision is explained). A ``label`` or ``score`` left ``None`` makes that fact missing."""

    explanation: str
    label: str | None = None
    score: float | None = None


@runtime_checkable
class SignalProvider(Protocol):
    """An app's detector. Its outputs become the facts ``signal.<name>.label`` and ``signal.<name>.score``.

    A plain class with these attributes (or properties) and a ``detect`` method is one; nothing to inherit.
    """

    @property
    def name(self) -> str:
        """One lower-case word (``toxicity``, ``self_harm_model``): the ``<name>`` of its facts."""
        ...

    @property
    def description(self) -> str:
        """What it detects, for ``caseflow facts`` and the fact table."""
        ...

    @property
    def labels(self) -> Sequence[str]:
        """The labels it may give (the ``signal.<name>.label`` enum's choices); empty: it gives no label."""
        ...

    @property
    def gives_score(self) -> bool:
        """Whether it gives a score from 0 to 1 (the fact ``signal.<name>.score``)."""
        ...

    def detect(self, case: Case, now: datetime) -> Signal | None:
        """The signal of ``case`` at evaluation time ``now`` (the engine's injected clock), or ``None``
        when it has nothing to say (both facts missing)."""
        ...


class SignalScore(float):
    """A provider's score as a fact holds it: a ``float`` carrying the provider's ``explanation``."""

    explanation: str

    def __new__(cls, value: float, explanation: str = "") -> SignalScore:
        """The score ``value`` with ``explanation``."""
        self = super().__new__(cls, value)
        self.explanation = explanation
        return self

    def __reduce__(self) -> tuple[type[SignalScore], tuple[float, str]]:
        return (SignalScore, (float(self), self.explanation))


class SignalLabel(str):
    """A provider's label as a fact holds it: a ``str`` carrying the provider's ``explanation``."""

    explanation: str

    def __new__(cls, value: str, explanation: str = "") -> SignalLabel:
        """The label ``value`` with ``explanation``."""
        self = super().__new__(cls, value)
        self.explanation = explanation
        return self

    def __reduce__(self) -> tuple[type[SignalLabel], tuple[str, str]]:
        return (SignalLabel, (str(self), self.explanation))


def signal_fact_names(provider: SignalProvider) -> tuple[str, ...]:
    """The names of the facts ``provider`` gives: ``signal.<name>.label`` and/or ``signal.<name>.score``."""
    name = _name(provider)
    labels, score = _outputs(provider, name)
    return tuple(f"signal.{name}.{out}" for out, on in (("label", bool(labels)), ("score", score)) if on)


def register_signal_provider(facts: FactRegistry, provider: SignalProvider) -> tuple[FactSpec, ...]:
    """Add the facts of ``provider`` to ``facts`` (its label, its score, as it declares them); their specs.

    Pass the same registry to ``load_policies(..., facts=facts)``. Nothing is registered when any of its
    facts is taken already (a ``fact-duplicate`` :class:`~caseflow.errors.FactError`) or the provider is
    malformed (a ``signal-provider-invalid`` :class:`~caseflow.errors.SignalError`)."""
    name = _name(provider)
    labels, score = _outputs(provider, name)
    detect = getattr(provider, "detect", None)
    if not callable(detect):
        raise _invalid(name, "has no detect(case, now) method")
    description = getattr(provider, "description", "")
    if not isinstance(description, str) or not description.strip():
        raise _invalid(name, "needs a description (what it detects) for the fact table")
    names = signal_fact_names(provider)
    taken = [n for n in names if n in facts]
    if taken:
        raise FactError(
            f"fact {taken[0]!r} is already registered (signal provider {name!r} registered twice?)",
            code="fact-duplicate",
        )
    out: list[FactSpec] = []
    if labels:
        out.append(
            facts.register(
                f"signal.{name}.label",
                "enum",
                f"{description}: the label (signal provider {name!r})",
                _getter(provider, name, "label", labels, score),
                choices=labels,
            )
        )
    if score:
        out.append(
            facts.register(
                f"signal.{name}.score",
                "number",
                f"{description}: the score from 0 to 1 (signal provider {name!r})",
                _getter(provider, name, "score", labels, score),
            )
        )
    return tuple(out)


def _name(provider: object) -> str:
    name = getattr(provider, "name", None)
    if not isinstance(name, str) or not _PROVIDER_NAME.match(name):
        raise SignalError(
            f"a signal provider's name must be one lower-case word of at most 40 letters, digits or '_' "
            f"(e.g. 'toxicity'), not {clip(repr(name), 60)}",
            code="signal-provider-invalid",
            provider=clip(repr(name), 60),
        )
    return name


def _outputs(provider: object, name: str) -> tuple[tuple[str, ...], bool]:
    """The labels ``provider`` declares and whether it gives a score; a :class:`SignalError` if malformed."""
    raw = getattr(provider, "labels", ())
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        raise _invalid(name, f"labels must be a list of strings, not {type(raw).__name__}")
    labels = tuple(raw)
    bad = [x for x in labels if not isinstance(x, str) or not _LABEL.match(x)]
    if bad:
        raise _invalid(name, f"label {clip(repr(bad[0]), 60)} is not a lower-case word (letters, digits, '_', '-')")
    if len(set(labels)) != len(labels):
        raise _invalid(name, "a label is listed twice")
    score = getattr(provider, "gives_score", None)
    if not isinstance(score, bool):
        raise _invalid(name, f"gives_score must be True or False, not {clip(repr(score), 60)}")
    if not labels and not score:
        raise _invalid(name, "gives neither labels nor a score: declare labels, or gives_score = True")
    return labels, score


def _invalid(name: str, what: str) -> SignalError:
    return SignalError(f"signal provider {name!r} {what}", code="signal-provider-invalid", provider=name)


def _getter(provider: SignalProvider, name: str, output: str, labels: tuple[str, ...], scored: bool) -> Getter:
    """The getter of fact ``signal.<name>.<output>``: asks the provider, checks what it gave."""
    fact = f"signal.{name}.{output}"

    def get(case: Case, now: datetime) -> FactValue:
        try:
            signal = provider.detect(case, now)
        except Exception as exc:  # the provider's own failure: say whose, never repeat its message
            raise SignalError(
                f"signal provider {name!r} raised {type(exc).__name__} while deriving {fact!r} for case "
                f"{case.id!r} (its message is not repeated here: it may quote the customer; it is this "
                "error's __cause__)",
                code="signal-provider-failed",
                provider=name,
                fact=fact,
            ) from exc
        if signal is None:
            return None
        if not isinstance(signal, Signal):
            raise _wrong(name, fact, case, f"returned {type(signal).__name__}, not a Signal or None")
        why = signal.explanation
        if not isinstance(why, str) or not why.strip():
            raise _wrong(name, fact, case, "gave no explanation (Signal(explanation=...) says why, in words)")
        why = clip(why.strip(), MAX_EXPLANATION)
        # both facts check the whole signal: what one fact reads, the other would have refused
        label = _label(signal.label, labels, why, name, fact, case)
        if signal.score is not None and not scored:
            raise _wrong(name, fact, case, f"gave a score {_show(signal.score)} but does not declare gives_score")
        score = _score(signal.score, why, name, fact, case)
        return label if output == "label" else score

    return get


def _label(value: object, labels: tuple[str, ...], why: str, name: str, fact: str, case: Case) -> SignalLabel | None:
    if value is None:
        return None
    if not labels:
        raise _wrong(name, fact, case, f"gave a label {_show(value)} but declares no labels")
    if not isinstance(value, str):
        raise _wrong(name, fact, case, f"gave a label of type {type(value).__name__} {_show(value)}, not a string")
    if value not in labels:
        raise _wrong(name, fact, case, f"gave the label {_show(value)}, not one it declares ({', '.join(labels)})")
    return SignalLabel(value, why)


def _score(value: object, why: str, name: str, fact: str, case: Case) -> SignalScore | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Real):
        raise _wrong(name, fact, case, f"gave a score of type {type(value).__name__} {_show(value)}, not a number")
    number = float(value)
    if math.isnan(number):
        raise _wrong(name, fact, case, "gave the score NaN")
    if not 0.0 <= number <= 1.0:
        raise _wrong(name, fact, case, f"gave the score {number!r}, outside 0 to 1 (rescale it: a probability)")
    return SignalScore(number, why)


def _show(value: object) -> str:
    """A wrong value as an error quotes it: personal data masked, cut to a short excerpt."""
    return clip(redact_text(repr(value)), 60)


def _wrong(name: str, fact: str, case: Case, what: str) -> SignalError:
    return SignalError(
        f"signal provider {name!r} {what}, deriving {fact!r} for case {case.id!r}",
        code="signal-output-invalid",
        provider=name,
        fact=fact,
    )
