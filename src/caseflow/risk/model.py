"""A text model: a small learned signal beside the phrase rules, trained on labelled messages.

caseflow's detection of high-risk messages is phrase rules (``rules/escalation.yaml``): explainable,
but a list of phrases only learns a wording by being given it. A :class:`TextModel` learns from every
labelled message instead: per class, a logistic regression on the words of the normalized text and
their pairs (a Chinese or Japanese character is a word). It is pure Python and deterministic (a fixed
seed, features in sorted order): the same examples give the same weights on every machine, saved as
a JSON file of weights that can be read, diffed and versioned like a policy.

It is not part of the default pack. :func:`register_text_model` makes it one signal provider per class
(``signal.text_legal.score`` ... a probability from 0 to 1, explained by the words that weighed
most); a policy tests it like any fact (``signal.text_legal.score > 0.5``). caseflow ships a model
trained on its own labelled sets (:meth:`TextModel.shipped`); an application trains one on its own
tickets with :meth:`TextModel.train`. docs/risk.md measures what it adds to the rules.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from ..errors import FactError, PolicyIssue, SignalError, suggest
from ..logging import redact_text
from ..model.case import Case
from ..policies.facts import FactRegistry, FactSpec, default_facts
from ..policies.phrases import ITEM_RX
from ..policies.source import read_text
from ..policies.text import HAN, normalize
from .signals import Signal, register_signal_provider, signal_fact_names

__all__ = ["MAX_MODEL_BYTES", "SHIPPED_MODEL", "TextModel", "TextModelSignal", "register_text_model", "text_features"]

MAX_MODEL_BYTES = 64 * 1024 * 1024
"""The largest model file :meth:`TextModel.load` reads (the shipped one is about 1.3 MB)."""

SHIPPED_MODEL = "text-model.json"
"""The shipped model's file, in ``caseflow/risk/data`` (trained by ``python bench/risk_model.py --write``)."""

_FORMAT = "caseflow-text-model/1"
_TOKEN = re.compile(f"[{HAN}]|[^\\W_{HAN}]+(?:'[^\\W_{HAN}]+)?")
_CLASS = re.compile(r"^[a-z][a-z0-9_]{0,34}$")  # text_<class> is a provider's name: one word of at most 40


def text_features(text: str) -> list[str]:
    """The features of ``text``, sorted: the words of its normalized form (a Chinese or Japanese character is a
    word; Vietnamese marks are kept) and each pair of neighbouring words."""
    return list(_features(text))


@lru_cache(maxsize=16)
def _features(text: str) -> tuple[str, ...]:
    """(kept for the last few texts: a policy reading every class's score reads one text six times)"""
    words = _TOKEN.findall(normalize(text))
    return tuple(sorted({*words, *(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))}))


@dataclass(frozen=True)
class _Weights:
    bias: float
    weights: Mapping[str, float]


class TextModel:
    """Per class, a logistic regression on :func:`text_features`. Build one with :meth:`train`, :meth:`load`
    or :meth:`shipped`; it never changes after."""

    def __init__(
        self,
        version: str,
        classes: Mapping[str, tuple[float, Mapping[str, float]]],
        *,
        examples: int = 0,
        trained_on: Mapping[str, str] | None = None,
    ) -> None:
        self.version = version
        self.examples = examples  # how many labelled messages it was trained on
        self.trained_on = dict(trained_on or {})  # what they were: a file and its sha256, for instance
        self._classes = {c: _Weights(float(b), dict(w)) for c, (b, w) in classes.items()}

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(self._classes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TextModel):
            return NotImplemented
        return (self.version, self.examples, self.trained_on, self._classes) == (
            other.version,
            other.examples,
            other.trained_on,
            other._classes,
        )

    __hash__ = None  # type: ignore[assignment]  # (equal by content, and not frozen)

    def __repr__(self) -> str:
        return f"TextModel({self.version!r}, classes={list(self._classes)}, examples={self.examples})"

    # -- training -------------------------------------------------------------------------------------
    @classmethod
    def train(
        cls,
        examples: Iterable[tuple[str, Collection[str]]],
        classes: Sequence[str],
        *,
        version: str,
        epochs: int = 12,
        prune: float = 0.05,
        trained_on: Mapping[str, str] | None = None,
    ) -> TextModel:
        """A model of ``classes`` trained on ``examples``: (text, the classes it is of; empty: none of them). A class
        of an example that is not one of ``classes`` is an error (a typo would make it a negative), so is a string
        where a set belongs (``"legal"`` would be the classes ``l``, ``e``, ``g`` ...).

        Stochastic gradient descent on the log loss with a little L2, ``epochs`` passes in an order drawn
        with a fixed seed; weights under ``prune`` are dropped (they change no answer, and the file is
        smaller). The same examples in the same order give the same model."""
        for c in classes:
            if not isinstance(c, str) or not _CLASS.match(c):
                raise _invalid(f"a class must be one lower-case word (letters, digits, '_'), not {c!r}")
        data = []
        for n, (text, labels) in enumerate(examples):
            if isinstance(labels, str) or not all(isinstance(x, str) for x in labels):
                raise _invalid(f"example {n}: its classes must be a set of class names ({{'legal'}}), not {labels!r}")
            unknown = sorted(set(labels) - set(classes))
            if unknown:
                hint = suggest(unknown[0], classes)
                raise _invalid(
                    f"example {n}: {unknown[0]!r} is not a class being trained ({', '.join(classes)})"
                    + (f"; did you mean {hint!r}?" if hint else "")
                )
            data.append((text_features(text), frozenset(labels)))
        if not data:
            raise _invalid("no examples to train on")
        out: dict[str, tuple[float, Mapping[str, float]]] = {}
        for c in classes:
            bias, weights = _fit(data, c, epochs)
            kept = {f: round(w, 4) for f, w in sorted(weights.items()) if abs(w) >= prune}
            out[c] = (round(bias, 4), kept)
        return cls(version, out, examples=len(data), trained_on=trained_on)

    # -- files ----------------------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write the model as JSON (one weight a line, sorted: a new version diffs readably)."""
        doc = {
            "format": _FORMAT,
            "version": self.version,
            "features": "normalized words and pairs of neighbouring words; a Chinese or Japanese character is a word",
            "examples": self.examples,
            "trained_on": self.trained_on,
            "classes": {
                c: {"bias": w.bias, "weights": dict(sorted(w.weights.items()))} for c, w in self._classes.items()
            },
        }
        Path(path).write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path, *, max_bytes: int = MAX_MODEL_BYTES) -> TextModel:
        """The model saved at ``path``; a ``text-model-invalid`` :class:`~caseflow.errors.SignalError` saying what
        is wrong when the file is not one. Only a regular file of at most ``max_bytes`` is read (a folder, a FIFO
        or a device is refused unopened, as every document caseflow reads)."""
        raw = read_text(path, max_bytes=max_bytes)
        if isinstance(raw, PolicyIssue):
            where = f"{path}:{raw.line}:{raw.column}" if raw.line > 1 or raw.column > 1 else str(path)
            more = "; TextModel.load(path, max_bytes=...) reads a larger one" if raw.code == "source-too-large" else ""
            raise _invalid(f"{where}: {raw.message}{more}")
        return cls._parse(raw, str(path))

    @classmethod
    def shipped(cls) -> TextModel:
        """The model caseflow ships, trained on its labelled sets (never on the holdout; docs/risk.md)."""
        return _shipped()

    @classmethod
    def _parse(cls, raw: str, where: str) -> TextModel:
        try:
            doc = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise _invalid(f"{where}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg})") from None
        if not isinstance(doc, dict) or doc.get("format") != _FORMAT:
            raise _invalid(f"{where}: not a caseflow text model (its 'format' must be {_FORMAT!r})")
        version, classes = doc.get("version"), doc.get("classes")
        if not isinstance(version, str) or not version:
            raise _invalid(f"{where}: 'version' must be a non-empty string")
        if not isinstance(classes, dict) or not classes:
            raise _invalid(f"{where}: 'classes' must map each class to its bias and weights")
        out: dict[str, tuple[float, Mapping[str, float]]] = {}
        for c, spec in classes.items():
            if not _CLASS.match(c):
                raise _invalid(f"{where}: class {c!r} is not one lower-case word (letters, digits, '_')")
            bias = spec.get("bias") if isinstance(spec, dict) else None
            weights = spec.get("weights") if isinstance(spec, dict) else None
            if not isinstance(bias, int | float) or not _number(bias) or not isinstance(weights, dict):
                raise _invalid(f"{where}: class {c!r} needs a number 'bias' and a 'weights' object")
            bad = next((f for f, w in weights.items() if not _number(w)), None)
            if bad is not None:
                raise _invalid(f"{where}: class {c!r}: the weight of {bad!r} is not a finite number")
            out[c] = (float(bias), {f: float(w) for f, w in weights.items()})
        examples, trained_on = doc.get("examples", 0), doc.get("trained_on", {})
        if not isinstance(examples, int) or not isinstance(trained_on, dict):
            raise _invalid(f"{where}: 'examples' must be a number and 'trained_on' an object")
        return cls(version, out, examples=examples, trained_on={str(k): str(v) for k, v in trained_on.items()})

    # -- reading a text -------------------------------------------------------------------------------
    def _of(self, cls: str) -> _Weights:
        try:
            return self._classes[cls]
        except KeyError:
            raise _invalid(f"model {self.version!r} has no class {cls!r} (it has {', '.join(self._classes)})") from None

    def weights(self, cls: str) -> Mapping[str, float]:
        """The weights of ``cls`` by feature (read-only): what the model learned, to read or compare."""
        return MappingProxyType(self._of(cls).weights)

    def bias(self, cls: str) -> float:
        """The log-odds of ``cls`` for a text with no feature the model knows."""
        return self._of(cls).bias

    def log_odds(self, text: str, cls: str) -> float:
        """The log-odds that ``text`` is of ``cls`` (0: as likely as not)."""
        w = self._of(cls)
        return w.bias + math.fsum(w.weights.get(f, 0.0) for f in _features(text))

    def score(self, text: str, cls: str) -> float:
        """The probability, from 0 to 1, that ``text`` is of ``cls``."""
        return 1 / (1 + math.exp(-max(-60.0, min(60.0, self.log_odds(text, cls)))))

    def weighed(self, text: str, cls: str, n: int = 4) -> tuple[tuple[str, float], ...]:
        """The ``n`` features of ``text`` that weighed most towards ``cls`` (feature, weight), heaviest first."""
        weights = self._of(cls).weights
        found = [(f, weights[f]) for f in _features(text) if weights.get(f, 0.0) > 0]
        return tuple(sorted(found, key=lambda fw: (-fw[1], fw[0]))[:n])

    def providers(self, classes: Iterable[str] | None = None) -> tuple[TextModelSignal, ...]:
        """One signal provider per class (all of them by default): ``signal.text_<class>.score``."""
        return tuple(TextModelSignal(self, c) for c in (self.classes if classes is None else classes))


def _fit(data: list[tuple[list[str], frozenset[str]]], cls: str, epochs: int) -> tuple[float, dict[str, float]]:
    rate, l2 = 0.2, 1e-4
    order = list(range(len(data)))
    # a reproducible order of the examples, not a secret
    rnd = random.Random(1)  # nosec B311
    weights: dict[str, float] = {}
    bias = 0.0
    for epoch in range(epochs):
        rnd.shuffle(order)
        eta = rate / (1 + epoch / 2)
        for i in order:
            feats, labels = data[i]
            z = max(-30.0, min(30.0, bias + sum(weights.get(f, 0.0) for f in feats)))
            g = 1 / (1 + math.exp(-z)) - (1.0 if cls in labels else 0.0)
            bias -= eta * g
            for f in feats:
                w = weights.get(f, 0.0)
                weights[f] = w - eta * (g + l2 * w)
    return bias, weights


def _number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _invalid(what: str) -> SignalError:
    return SignalError(f"text model: {what}", code="text-model-invalid", provider="text_model")


@cache
def _shipped() -> TextModel:
    raw = resources.files("caseflow.risk").joinpath("data", SHIPPED_MODEL).read_text(encoding="utf-8")
    return TextModel._parse(raw, f"caseflow/risk/data/{SHIPPED_MODEL}")


@cache
def _customer_text() -> FactSpec:
    return default_facts().get("messages.customer_text_items_marked")


class TextModelSignal:
    """The signal provider of one class of a :class:`TextModel`: ``signal.text_<class>.score``, the probability
    that the customer's messages (the names of the order's items left out) are of the class."""

    labels: tuple[str, ...] = ()
    gives_score = True

    def __init__(self, model: TextModel, cls: str) -> None:
        model._of(cls)  # (a class it has, or a clear error now)
        self.model = model
        self.cls = cls

    @property
    def name(self) -> str:
        return f"text_{self.cls}"

    @property
    def description(self) -> str:
        return f"text model {self.model.version}: how likely the customer's messages are a {self.cls} message"

    def detect(self, case: Case, now: datetime) -> Signal | None:
        text = _customer_text().getter(case, now)
        if not isinstance(text, str):
            return None  # no customer message: nothing to read
        text = ITEM_RX.sub(" ", text)
        p = self.model.score(text, self.cls)
        words = ", ".join(f"{f!r} {w:+.2f}" for f, w in self.model.weighed(text, self.cls))
        why = f"text model {self.model.version} ({self.model.examples} messages): {p:.2f}" + (
            f"; the words that weighed most: {words}" if words else "; no word weighed towards it"
        )
        return Signal(score=p, explanation=redact_text(why))


def register_text_model(
    facts: FactRegistry, model: TextModel | None = None, classes: Iterable[str] | None = None
) -> tuple[FactSpec, ...]:
    """Register ``model`` (the shipped one by default) in ``facts``: the fact ``signal.text_<class>.score`` for
    each of its classes (or of ``classes``). Pass the same registry to ``load_policies(..., facts=facts)``."""
    chosen = TextModel.shipped() if model is None else model
    providers = chosen.providers(classes)
    taken = [n for p in providers for n in signal_fact_names(p) if n in facts]
    if taken:  # (nothing registered: not half of a model)
        raise FactError(
            f"fact {taken[0]!r} is already registered (a text model registered twice?)", code="fact-duplicate"
        )
    out: list[FactSpec] = []
    for provider in providers:
        out += register_signal_provider(facts, provider)
    return tuple(out)
