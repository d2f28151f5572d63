"""Correlation detectors: what repeats across cases, and when that is an alert.

Detectors are YAML files named ``*.detectors.yaml`` (``rules/correlation.detectors.yaml``),
read by the one document reader (:mod:`caseflow.policies.source`); see :mod:`.correlation`
for the format and what a :class:`~caseflow.risk.Correlator` does with them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, NamedTuple

from pydantic import Field, JsonValue, WithJsonSchema

from ..errors import PolicyIssue, PolicyValidationError, suggest
from ..model._base import Frozen
from ..policies.actions import ActionCatalogue, default_actions
from ..policies.conditions import parse_duration
from ..policies.schema import Document, document_keys, document_schema
from ..policies.source import MAX_BYTES, Located, YamlPath, read_yaml

__all__ = ["Detector", "DetectorDocument", "DetectorsDocument", "detectors_schema", "load_detectors"]


class Detector(Frozen):
    id: str
    description: str = ""
    count: str | None = None
    rate: str | None = None
    per: str | None = None
    key: tuple[str, ...]
    window_seconds: int
    threshold: float
    min_events: int = 1
    breakdown: str | None = None
    rising: float | None = Field(None, description="alert only if the rate is this many times the previous window's")
    cooldown_seconds: int | None = None
    actions: tuple[dict[str, JsonValue], ...] = ()  # {"type": ..., "params": {...}}, as in decisions

    @property
    def kinds(self) -> set[str]:
        return {k for k in (self.count, self.rate, self.per) if k}


_ActionSpec = Annotated[JsonValue, WithJsonSchema({})]  # a name or {name: params}: load_detectors checks it


class DetectorDocument(Document):
    """One detector of a ``*.detectors.yaml`` file: ``count`` events of a kind, or a ``rate`` of them \
``per`` another."""

    id: str = Field(min_length=1)
    description: str = ""
    count: str | None = Field(None, description="count events of this kind ...")
    rate: str | None = Field(None, description="... or the rate of events of this kind")
    per: str | None = Field(None, description="per events of this kind (rate detectors)")
    key: list[str] = Field(min_length=1, description="per value of these event keys, e.g. [sku, defect]")
    window: str = Field(description="within this window of event time, e.g. 7d")
    threshold: float = Field(gt=0, description="a count, or a rate between 0 and 1")
    min_events: int = Field(1, ge=1, description="rate detectors: at least this many denominator events")
    breakdown: str | None = Field(None, description="report counts by this key inside the alert")
    rising: bool | float | None = Field(None, description="alert only if the rate rose: true (x1.25) or a factor >= 1")
    cooldown: str | None = Field(None, description="no second alert for a key within this long (default: the window)")
    then: list[_ActionSpec] = Field(default_factory=list, description="actions, as in policy rules")


class DetectorsDocument(Document):
    detectors: list[DetectorDocument]


def detectors_schema() -> dict[str, JsonValue]:
    """The JSON Schema of ``*.detectors.yaml`` files, generated from :class:`DetectorsDocument`."""
    return document_schema(DetectorsDocument, "detectors", "caseflow correlation detectors")


_DETECTOR_KEYS = document_keys(DetectorDocument)


def load_detectors(
    path: str | Path, *, actions: ActionCatalogue | None = None, max_bytes: int = MAX_BYTES
) -> list[Detector]:
    """Read and check detectors; every problem at once, with file:line:column."""
    p = Path(path)
    file = str(p)
    doc, issues = read_yaml(p, max_bytes=max_bytes)
    if doc is None or issues:
        raise PolicyValidationError(issues or [PolicyIssue(file, 1, 1, "correlation-empty", "the file is empty")])
    reader = _Reader(doc, file, issues, actions or default_actions())
    data = doc.data
    items = data.get("detectors") if isinstance(data, dict) else None
    if not isinstance(items, list):
        reader.add((), "correlation-structure", "a correlation file has a 'detectors' list")
        raise PolicyValidationError(issues)
    out = [d for i, item in enumerate(items) if (d := reader.detector(("detectors", i), item)) is not None]
    if issues:
        raise PolicyValidationError(issues)
    return out


class _Durations(NamedTuple):
    """A detector's window and cooldown, in seconds."""

    window: int
    cooldown: int | None  # None: the window


class _Skip(Exception):
    """A problem that makes checking the rest of a detector pointless (it is recorded already)."""


class _Reader:
    """Checks the detectors of one file, recording every problem located at its file:line:column."""

    def __init__(self, doc: Located, file: str, issues: list[PolicyIssue], catalogue: ActionCatalogue) -> None:
        self.doc = doc
        self.file = file
        self.issues = issues
        self.catalogue = catalogue
        self.seen: set[str] = set()  # detector ids so far

    def add(
        self, path: YamlPath, code: str, msg: str, hint: str | None = None, rule: str | None = None, key: bool = False
    ) -> None:
        line, col = self.doc.key_pos(path) if key else self.doc.pos(path)
        self.issues.append(PolicyIssue(self.file, line, col, code, msg, rule, hint))

    def skip(self, path: YamlPath, code: str, msg: str, rule: str) -> _Skip:
        """Record a problem; the caller raises what this returns to give up on the detector."""
        self.add(path, code, msg, None, rule)
        return _Skip()

    def detector(self, path: YamlPath, d: object) -> Detector | None:
        """The detector at ``path``, or None when a problem (recorded) leaves none to build."""
        if not isinstance(d, dict):
            self.add(path, "correlation-structure", "a detector is a mapping")
            return None
        rid = d.get("id")
        self.unknown_keys(path, d, rid)
        if not isinstance(rid, str) or not rid:
            self.add(path, "correlation-missing-key", "the detector has no id")
            return None
        if rid in self.seen:
            self.add(path + ("id",), "correlation-duplicate", f"detector id {rid!r} is used twice", None, rid)
        self.seen.add(rid)
        try:
            return self.build(path, d, rid)
        except _Skip:
            return None

    def unknown_keys(self, path: YamlPath, d: dict[Any, Any], rid: Any) -> None:
        for k in d:
            if k not in _DETECTOR_KEYS:
                best = suggest(str(k), _DETECTOR_KEYS)
                self.add(
                    path + (k,),
                    "correlation-unknown-key",
                    f"unknown key {k!r}",
                    f"did you mean {best!r}?" if best else None,
                    rid,
                    key=True,
                )

    def build(self, path: YamlPath, d: dict[Any, Any], rid: str) -> Detector:
        """Check the detector's values in order, giving up (``_Skip``) at the first that makes it unusable."""
        is_rate = self.kind(path, d, rid)
        key = self.key(path, d, rid)
        durations = self.durations(path, d, rid)
        threshold = self.threshold(path, d.get("threshold"), rid, is_rate)
        acts = self.actions(path, d.get("then") or [], rid)
        rising = self.rising(path, d.get("rising"), rid)
        return Detector(
            id=rid,
            description=str(d.get("description") or ""),
            count=d.get("count"),
            rate=d.get("rate"),
            per=d.get("per"),
            key=key,
            window_seconds=durations.window,
            threshold=threshold,
            min_events=int(d.get("min_events", 1)),
            breakdown=d.get("breakdown"),
            rising=rising,
            cooldown_seconds=durations.cooldown,
            actions=tuple(acts),
        )

    def kind(self, path: YamlPath, d: dict[Any, Any], rid: str) -> bool:
        """Whether it is a rate detector (``rate`` and ``per``) rather than a count detector."""
        is_rate = "rate" in d
        if is_rate == ("count" in d):
            raise self.skip(
                path, "correlation-kind", "a detector has either 'count: KIND' or 'rate: KIND' with 'per: KIND'", rid
            )
        if is_rate and not isinstance(d.get("per"), str):
            raise self.skip(path, "correlation-kind", "a rate detector needs 'per: KIND' (the denominator events)", rid)
        return is_rate

    def key(self, path: YamlPath, d: dict[Any, Any], rid: str) -> tuple[str, ...]:
        key = d.get("key")
        if not isinstance(key, list) or not key or not all(isinstance(k, str) for k in key):
            raise self.skip(
                path + ("key",),
                "correlation-bad-value",
                "key is a non-empty list of event key names, e.g. [sku, defect]",
                rid,
            )
        return tuple(key)

    def durations(self, path: YamlPath, d: dict[Any, Any], rid: str) -> _Durations:
        try:
            window = int(parse_duration(str(d.get("window"))))
            cooldown = int(parse_duration(str(d["cooldown"]))) if "cooldown" in d else None
        except ValueError as e:
            raise self.skip(path + ("window",), "correlation-bad-value", str(e), rid) from None
        return _Durations(window, cooldown)

    def threshold(self, path: YamlPath, threshold: object, rid: str, is_rate: bool) -> float:
        if (
            isinstance(threshold, bool)
            or not isinstance(threshold, (int, float))
            or threshold <= 0
            or (is_rate and threshold > 1)
        ):
            raise self.skip(
                path + ("threshold",),
                "correlation-bad-value",
                "threshold is a count (count detectors) or a rate between 0 and 1 (rate detectors)",
                rid,
            )
        return float(threshold)

    def actions(self, path: YamlPath, then: Iterable[object], rid: str) -> list[dict[str, JsonValue]]:
        """The ``then`` actions, checked as in policy rules; a bad one is recorded and left out."""
        acts: list[dict[str, JsonValue]] = []
        for j, a in enumerate(then):
            name, params = (
                (a, {})
                if isinstance(a, str)
                else next(iter(a.items()))
                if isinstance(a, dict) and len(a) == 1
                else (None, None)
            )
            spec = self.catalogue.lookup(str(name)) if name is not None else None
            if spec is None:
                best = self.catalogue.suggest(str(name)) if name else None
                self.add(
                    path + ("then", j),
                    "policy-unknown-action",
                    f"unknown action {name!r}",
                    f"did you mean {best!r}?" if best else None,
                    rid,
                )
                continue
            try:
                acts.append(
                    {
                        "type": spec.name,
                        "params": spec.params.model_validate(params or {}).model_dump(mode="json", exclude_none=True),
                    }
                )
            except Exception as e:  # pydantic ValidationError: say which parameter
                self.add(path + ("then", j), "policy-bad-param", f"{name}: {e}".split("\n")[0], None, rid)
        return acts

    def rising(self, path: YamlPath, rising: object, rid: str) -> float | None:
        """The factor the rate must have risen by (``true``: 1.25), or None."""
        if rising is True:
            return 1.25
        if rising in (None, False):
            return None
        if isinstance(rising, bool) or not isinstance(rising, (int, float)) or rising < 1:
            raise self.skip(
                path + ("rising",), "correlation-bad-value", "rising is true (x1.25) or a factor >= 1 such as 1.5", rid
            )
        return float(rising)
