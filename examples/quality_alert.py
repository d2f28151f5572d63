"""The fifth complaint about one SKU's defect within a week raises a quality alert for the product team.

Run from the repository root:  python examples/quality_alert.py
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from caseflow.risk import Correlator, SignalEvent, load_detectors

RULES = Path(__file__).resolve().parent.parent / "rules" / "correlation.detectors.yaml"
START = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


def main() -> None:
    correlator = Correlator(load_detectors(RULES))
    complaints = [
        ("CS-101", "KETTLE-1.7L", "leaking_lid", 0),
        ("CS-102", "KETTLE-1.7L", "leaking_lid", 20),
        ("CS-103", "KETTLE-1.7L", "scratched", 26),  # another defect: counted apart
        ("CS-104", "KETTLE-1.7L", "leaking_lid", 49),
        ("CS-105", "TOASTER-2S", "leaking_lid", 50),  # another SKU: counted apart
        ("CS-106", "KETTLE-1.7L", "leaking_lid", 71),
        ("CS-107", "KETTLE-1.7L", "leaking_lid", 98),  # the fifth in the window
    ]
    for case_id, sku, defect, hours in complaints:
        at = START + timedelta(hours=hours)
        alerts = correlator.observe(
            SignalEvent(kind="complaint", at=at, keys={"sku": sku, "defect": defect}, case_id=case_id)
        )
        print(f"{at:%a %d %b %H:%M}  {case_id}  {sku:<12} {defect:<12} -> {'ALERT' if alerts else 'counted'}")
        for a in alerts:
            print(
                f"\n  quality alert '{a.detector}' for {a.key}: {a.count} complaints since {a.window_start:%d %b %H:%M}"
            )
            print(f"  cases: {', '.join(a.case_ids)}")
            for action in a.actions:
                print(f"  action: {action['type']} {action['params']}")


if __name__ == "__main__":
    main()
