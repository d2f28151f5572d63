"""Correlation detectors: what repeats across cases, and when that is an alert.

Detectors are YAML files named ``*.detectors.yaml`` (``rules/correlation.detectors.yaml``),
read by the one document reader (:mod:`caseflow.policies.source`); see :mod:`.correlation`
for the format and what a :class:`~caseflow.risk.Correlator` does with them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from ..errors import PolicyIssue, PolicyValidationError, suggest
from ..model._base import Frozen
from ..policies.actions import ActionCatalogue, default_actions
from ..policies.conditions import parse_duration
from ..policies.schema import Document, document_keys, document_schema
from ..policies.source import MAX_BYTES, read_yaml

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
    actions: tuple[dict[str, Any], ...] = ()

    @property
    def kinds(self) -> set[str]:
        return {k for k in (self.count, self.rate, self.per) if k}


class DetectorDocument(Document):
    """One detector of a ``*.detectors.yaml`` file: ``count`` events of a kind, or a ``rate`` of them ``per`` another."""

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
    then: list[Any] = Field(default_factory=list, description="actions, as in policy rules")


class DetectorsDocument(Document):
    detectors: list[DetectorDocument]


def detectors_schema() -> dict[str, Any]:
    """The JSON Schema of ``*.detectors.yaml`` files, generated from :class:`DetectorsDocument`."""
    return document_schema(DetectorsDocument, "detectors", "caseflow correlation detectors")


_DETECTOR_KEYS = document_keys(DetectorDocument)


def load_detectors(
    path: str | Path, *, actions: ActionCatalogue | None = None, max_bytes: int = MAX_BYTES
) -> list[Detector]:
    """Read and check detectors; every problem at once, with file:line:column."""
    actions = actions or default_actions()
    p = Path(path)
    file = str(p)
    doc, issues = read_yaml(p, max_bytes=max_bytes)
    if doc is None or issues:
        raise PolicyValidationError(issues or [PolicyIssue(file, 1, 1, "correlation-empty", "the file is empty")])

    def add(
        path_: tuple[Any, ...], code: str, msg: str, hint: str | None = None, rule: str | None = None, key: bool = False
    ) -> None:
        line, col = doc.key_pos(path_) if key else doc.pos(path_)
        issues.append(PolicyIssue(file, line, col, code, msg, rule, hint))

    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("detectors"), list):
        add((), "correlation-structure", "a correlation file has a 'detectors' list")
        raise PolicyValidationError(issues)
    out: list[Detector] = []
    seen: set[str] = set()
    for i, d in enumerate(data["detectors"]):
        path_ = ("detectors", i)
        if not isinstance(d, dict):
            add(path_, "correlation-structure", "a detector is a mapping")
            continue
        rid = d.get("id")
        for k in d:
            if k not in _DETECTOR_KEYS:
                best = suggest(str(k), _DETECTOR_KEYS)
                add(
                    path_ + (k,),
                    "correlation-unknown-key",
                    f"unknown key {k!r}",
                    f"did you mean {best!r}?" if best else None,
                    rid,
                    key=True,
                )
        if not isinstance(rid, str) or not rid:
            add(path_, "correlation-missing-key", "the detector has no id")
            continue
        if rid in seen:
            add(path_ + ("id",), "correlation-duplicate", f"detector id {rid!r} is used twice", None, rid)
        seen.add(rid)
        is_rate = "rate" in d
        if is_rate == ("count" in d):
            add(
                path_,
                "correlation-kind",
                "a detector has either 'count: KIND' or 'rate: KIND' with 'per: KIND'",
                None,
                rid,
            )
            continue
        if is_rate and not isinstance(d.get("per"), str):
            add(path_, "correlation-kind", "a rate detector needs 'per: KIND' (the denominator events)", None, rid)
            continue
        key = d.get("key")
        if not isinstance(key, list) or not key or not all(isinstance(k, str) for k in key):
            add(
                path_ + ("key",),
                "correlation-bad-value",
                "key is a non-empty list of event key names, e.g. [sku, defect]",
                None,
                rid,
            )
            continue
        try:
            window = int(parse_duration(str(d.get("window"))))
            cooldown = int(parse_duration(str(d["cooldown"]))) if "cooldown" in d else None
        except ValueError as e:
            add(path_ + ("window",), "correlation-bad-value", str(e), None, rid)
            continue
        threshold = d.get("threshold")
        if (
            isinstance(threshold, bool)
            or not isinstance(threshold, (int, float))
            or threshold <= 0
            or (is_rate and threshold > 1)
        ):
            add(
                path_ + ("threshold",),
                "correlation-bad-value",
                "threshold is a count (count detectors) or a rate between 0 and 1 (rate detectors)",
                None,
                rid,
            )
            continue
        acts = []
        for j, a in enumerate(d.get("then") or []):
            name, params = (
                (a, {})
                if isinstance(a, str)
                else next(iter(a.items()))
                if isinstance(a, dict) and len(a) == 1
                else (None, None)
            )
            spec = actions.lookup(str(name)) if name is not None else None
            if spec is None:
                best = actions.suggest(str(name)) if name else None
                add(
                    path_ + ("then", j),
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
                add(path_ + ("then", j), "policy-bad-param", f"{name}: {e}".split("\n")[0], None, rid)
        rising = d.get("rising")
        if rising is True:
            rising = 1.25
        elif rising in (None, False):
            rising = None
        elif isinstance(rising, bool) or not isinstance(rising, (int, float)) or rising < 1:
            add(
                path_ + ("rising",),
                "correlation-bad-value",
                "rising is true (x1.25) or a factor >= 1 such as 1.5",
                None,
                rid,
            )
            continue
        out.append(
            Detector(
                id=rid,
                description=str(d.get("description") or ""),
                count=d.get("count"),
                rate=d.get("rate"),
                per=d.get("per"),
                key=tuple(key),
                window_seconds=window,
                threshold=float(threshold),
                min_events=int(d.get("min_events", 1)),
                breakdown=d.get("breakdown"),
                rising=None if rising is None else float(rising),
                cooldown_seconds=cooldown,
                actions=tuple(acts),
            )
        )
    if issues:
        raise PolicyValidationError(issues)
    return out
