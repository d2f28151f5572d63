"""Cross-case correlation: repeated problems found across cases, on case time, in bounded memory.

Detectors are YAML files named ``*.detectors.yaml`` (``rules/correlation.detectors.yaml``)::

    detectors:
      - id: quality-alert
        description: the same defect of one SKU, again and again
        count: complaint          # count events of this kind ...
        key: [sku, defect]        # ... per value of these event keys ...
        window: 7d                # ... within this window of event time
        threshold: 5              # alert at the 5th
        then: [{escalate: {tier: 2, severity: high, authority: product}}]
      - id: misshipment-rate
        rate: misshipment         # events of this kind ...
        per: shipment             # ... per events of this kind
        key: [warehouse]
        breakdown: cause          # report counts by this key inside the alert
        window: 1d
        threshold: 0.02           # alert above 2 %
        min_events: 50            # once at least 50 shipments were seen in the window

Why not durable-rules: it has no time windows and never expires partial matches, so memory
would grow without bound. Here each key keeps counts in time buckets covering one window;
buckets older than the window are dropped as event time advances, keys with nothing left
are swept, and at most ``max_keys`` keys are kept per detector (the least recently seen go
first). State is a plain snapshot (``snapshot()`` / ``Correlator.restore()``), so a restarted
process continues exactly where the last one stopped.
"""

from __future__ import annotations

import json
import os
from collections import OrderedDict, deque
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from operator import attrgetter
from pathlib import Path
from typing import Any

from pydantic import AwareDatetime, Field, JsonValue

from ..errors import CaseflowError
from ..model._base import Frozen
from .detectors import Detector

__all__ = ["Alert", "Correlator", "SignalEvent"]

SNAPSHOT_VERSION = 2


class SignalEvent(Frozen):
    """Something that happened on a case and may repeat across cases."""

    kind: str = Field(min_length=1, description="complaint, refund, shipment, misshipment, order, dispute, ...")
    at: AwareDatetime
    keys: dict[str, str] = Field(default_factory=dict, description="sku, defect, buyer, seller, warehouse, cause ...")
    case_id: str | None = None


class Alert(Frozen):
    detector: str
    key: dict[str, str]
    at: AwareDatetime
    window_start: AwareDatetime
    count: int
    total: int | None = Field(None, description="denominator events, for rate detectors")
    rate: float | None = None
    breakdown: dict[str, int] = Field(default_factory=dict)
    case_ids: list[str] = Field(default_factory=list, description="the most recent cases involved (at most 20)")
    actions: list[dict[str, JsonValue]] = Field(default_factory=list)


class _Bucket:
    """The events of one key in one time bucket (slotted: smaller than the four-item list it replaces)."""

    __slots__ = ("start", "count", "total", "breakdown")

    def __init__(self, start: int, count: int, total: int, breakdown: dict[str, int] | None) -> None:
        self.start = start  # epoch seconds, a multiple of the bucket size
        self.count = count  # numerator events: the counted kind, or the rate's
        self.total = total  # denominator events (the rate's 'per' kind)
        self.breakdown = breakdown  # numerator events per value of the breakdown key, once there is one

    def to_json(self) -> list[JsonValue]:
        """``[start, count, total, breakdown]``, as snapshots hold it."""
        return [self.start, self.count, self.total, None if self.breakdown is None else dict(self.breakdown)]


_START = attrgetter("start")


class _Series:
    """Counts of one key in time buckets covering (up to) two windows.

    ``buckets`` is a plain list (a deque costs ≥ 528 bytes even for one item), oldest first;
    ``cases`` holds (time, case id) of the window's most recent cases, dropped as the window moves.
    """

    __slots__ = ("buckets", "last_alert", "cases")

    def __init__(self) -> None:
        self.buckets: list[_Bucket] = []
        self.last_alert: int | None = None
        self.cases: deque[tuple[int, str]] = deque(maxlen=20)

    def bucket(self, start: int) -> _Bucket:
        """The bucket starting at ``start``, added in its place if there is none yet."""
        buckets = self.buckets
        for item in reversed(buckets):
            if item.start == start:
                return item
            if item.start < start:
                break
        b = _Bucket(start, 0, 0, None)
        buckets.append(b)
        if len(buckets) > 1 and buckets[-2].start > start:  # late event: keep buckets sorted
            buckets.sort(key=_START)
        return b


class Correlator:
    """Feeds events to the detectors; returns the alerts each event raises."""

    def __init__(self, detectors: Iterable[Detector], *, bucket_seconds: int = 3600, max_keys: int = 100_000) -> None:
        self.detectors = list(detectors)
        self.bucket = bucket_seconds
        self.max_keys = max_keys
        self._series: dict[str, OrderedDict[tuple[str, ...], _Series]] = {d.id: OrderedDict() for d in self.detectors}
        self._by_kind: dict[str, list[Detector]] = {}
        for d in self.detectors:
            for k in d.kinds:
                self._by_kind.setdefault(k, []).append(d)
        self.now = 0  # the latest event time seen, epoch seconds
        self.events = 0

    def observe(self, event: SignalEvent) -> list[Alert]:
        if not isinstance(event, SignalEvent):
            raise CaseflowError(
                f"observe() takes a SignalEvent, not {type(event).__name__}: use "
                "SignalEvent(kind=..., at=..., ...) or SignalEvent.model_validate(data)",
                code="correlation-bad-event",
            )
        t = int(event.at.timestamp())
        self.now = max(self.now, t)
        self.events += 1
        alerts = []
        for d in self._by_kind.get(event.kind, ()):
            try:
                key = tuple(event.keys[k] for k in d.key)
            except KeyError:
                continue  # the event lacks a key this detector groups by
            alert = self._count(d, key, event, t)
            if alert is not None:
                alerts.append(alert)
        if self.events % 10_000 == 0:
            self.sweep()
        return alerts

    def _count(self, d: Detector, key: tuple[str, ...], event: SignalEvent, t: int) -> Alert | None:
        series_map = self._series[d.id]
        s = series_map.get(key)
        if s is None:
            s = series_map[key] = _Series()
            if len(series_map) > self.max_keys:
                series_map.popitem(last=False)  # the least recently seen key goes
        else:
            series_map.move_to_end(key)
        keep = d.window_seconds * (2 if d.rising is not None else 1)
        horizon = self.now - keep
        if t <= horizon:
            return None  # older than anything still counted
        b = s.bucket(t - t % self.bucket)
        numerator = event.kind == (d.count or d.rate)
        if numerator:
            b.count += 1
            if d.breakdown and d.breakdown in event.keys:
                b.breakdown = by = b.breakdown or {}
                value = event.keys[d.breakdown]
                by[value] = by.get(value, 0) + 1
            if event.case_id:
                s.cases.append((t, event.case_id))
        if event.kind == d.per:
            b.total += 1
        drop = 0
        while drop < len(s.buckets) and s.buckets[drop].start + self.bucket <= horizon:
            drop += 1
        if drop:
            del s.buckets[:drop]
        while s.cases and s.cases[0][0] <= self.now - d.window_seconds:
            s.cases.popleft()
        return self._check(d, key, s, event.at) if numerator or event.kind == d.per else None

    def _check(self, d: Detector, key: tuple[str, ...], s: _Series, at: datetime) -> Alert | None:
        start = self.now - d.window_seconds
        cur = [b for b in s.buckets if b.start + self.bucket > start]
        count = sum(b.count for b in cur)
        total = sum(b.total for b in cur)
        if d.count:
            hit = count >= d.threshold
            rate = None
        else:
            if total < d.min_events:
                return None
            rate = count / total
            hit = rate > d.threshold
            if hit and d.rising is not None:
                prev = [b for b in s.buckets if b.start + self.bucket <= start]
                p_count, p_total = sum(b.count for b in prev), sum(b.total for b in prev)
                hit = p_total >= d.min_events and rate > d.rising * (p_count / p_total)
        if not hit:
            return None
        cooldown = d.cooldown_seconds if d.cooldown_seconds is not None else d.window_seconds
        if s.last_alert is not None and self.now - s.last_alert < cooldown:
            return None
        s.last_alert = self.now
        breakdown: dict[str, int] = {}
        for b in cur:
            for k, v in (b.breakdown or {}).items():
                breakdown[k] = breakdown.get(k, 0) + v
        return Alert(
            detector=d.id,
            key=dict(zip(d.key, key, strict=True)),
            at=at,
            window_start=at - timedelta(seconds=d.window_seconds),
            count=count,
            total=total if d.rate else None,
            rate=rate,
            breakdown=breakdown,
            case_ids=[c for _, c in s.cases],
            actions=[dict(a) for a in d.actions],
        )

    def sweep(self) -> int:
        """Drop keys with nothing left inside their window; return how many were dropped."""
        dropped = 0
        for d in self.detectors:
            keep = d.window_seconds * (2 if d.rising is not None else 1)
            horizon = self.now - keep
            series_map = self._series[d.id]
            stale = [
                k
                for k, s in series_map.items()
                if (not s.buckets or s.buckets[-1].start + self.bucket <= horizon)
                and (s.last_alert is None or self.now - s.last_alert >= (d.cooldown_seconds or d.window_seconds))
            ]
            for k in stale:
                del series_map[k]
            if stale:  # dict tables never shrink by themselves: rebuild to give the memory back
                self._series[d.id] = OrderedDict(series_map)
            dropped += len(stale)
        return dropped

    @property
    def key_count(self) -> int:
        return sum(len(m) for m in self._series.values())

    # -- persistence ----------------------------------------------------------------------
    def snapshot(self) -> dict[str, JsonValue]:
        """The whole state as JSON-ready data: ``[key, buckets, last alert, recent cases]`` per key."""
        series: dict[str, JsonValue] = {
            did: [_series_json(k, s) for k, s in m.items()] for did, m in self._series.items()
        }
        return {"version": SNAPSHOT_VERSION, "now": self.now, "events": self.events, "series": series}

    @classmethod
    def restore(
        cls,
        snapshot: Mapping[str, JsonValue],
        detectors: Iterable[Detector],
        *,
        bucket_seconds: int = 3600,
        max_keys: int = 100_000,
    ) -> Correlator:
        """A correlator that continues where :meth:`snapshot` was taken (keys of removed detectors are dropped)."""
        if snapshot.get("version") != SNAPSHOT_VERSION:
            raise ValueError(f"unknown correlation snapshot version {snapshot.get('version')!r}")
        c = cls(detectors, bucket_seconds=bucket_seconds, max_keys=max_keys)
        c._restore(snapshot)
        return c

    def _restore(self, snapshot: Mapping[str, Any]) -> None:
        """Take the state of a snapshot of this version (JSON as :meth:`snapshot` wrote it)."""
        self.now, self.events = snapshot["now"], snapshot["events"]
        for did, items in snapshot["series"].items():
            if did not in self._series:
                continue  # a detector that no longer exists
            m = self._series[did]
            for key, buckets, last_alert, cases in items:
                s = _Series()
                s.buckets = [_Bucket(*b) for b in buckets]
                s.last_alert = last_alert
                s.cases.extend((int(t), str(c)) for t, c in cases)
                m[tuple(key)] = s

    def save(self, path: str | Path) -> None:
        """Write the snapshot atomically (a crash leaves the old file or the new one)."""
        p = Path(path)
        tmp = p.with_suffix(p.suffix + ".tmp")
        tmp.write_text(json.dumps(self.snapshot(), separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, p)

    @classmethod
    def load(
        cls, path: str | Path, detectors: Iterable[Detector], *, bucket_seconds: int = 3600, max_keys: int = 100_000
    ) -> Correlator:
        """A correlator that continues from the snapshot :meth:`save` wrote to ``path``."""
        snapshot = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls.restore(snapshot, detectors, bucket_seconds=bucket_seconds, max_keys=max_keys)


def _series_json(key: tuple[str, ...], s: _Series) -> list[JsonValue]:
    """One key's entry of a snapshot."""
    return [list(key), [b.to_json() for b in s.buckets], s.last_alert, [[t, c] for t, c in s.cases]]
