"""The text model beside the phrase rules: a threat no phrase covers reaches the legal team's queue.

Run from the repository root:  python examples/text_model.py

The shipped pack (rules/) finds legal threats by their phrases; "the next letter you get will not be from
me" has none. The shipped text model (caseflow.risk.TextModel) reads it as a legal threat, and the
model's own rules (examples/text_model/escalation-model.yaml) send the case to the legal team's tier-2
queue at medium severity: a person looks, nobody is paged. Then an app trains a model of its own.
"""

from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

from caseflow import Engine, FixedClock, default_facts, load_policies, parse_case
from caseflow.risk import TextModel, register_text_model

HERE = Path(__file__).resolve().parent
RULES = HERE.parent / "rules"
NOW = datetime(2026, 11, 11, 3, 0, tzinfo=UTC)


def case_saying(text: str) -> dict[str, object]:
    return {
        "id": "CS-EN-0412",
        "tenant": "shop",
        "channel": "email",
        "case_type": "not_as_described",
        "created_at": NOW.isoformat(),
        "orders": [{"id": "O-77", "amount": "240 USD", "placed_at": "2026-11-01T10:00:00+00:00"}],
        "messages": [{"author": "buyer", "at": NOW.isoformat(), "text": text}],
    }


def main() -> None:
    facts = default_facts()
    register_text_model(facts)  # signal.text_legal.score ... signal.text_self_harm.score
    policies = load_policies([RULES, HERE / "text_model" / "escalation-model.yaml"], facts=facts)
    engine = Engine(policies, clock=FixedClock(NOW))

    text = "Third time asking. Keep ignoring me and the next letter you get will not be from me."
    decision = engine.evaluate(parse_case(case_saying(text)))
    print(f"message: {text}")
    print(f"rules fired: {', '.join(decision.rule_ids)}")
    for action in decision.actions:
        if action.type == "escalate":
            print(f"escalate: {action.params} (rule {action.rule_id})")
    why = [line.strip() for line in decision.explain().render(only_matched=True).splitlines() if "signal.text" in line]
    print(why[0])

    # an app's own model, trained on its own labelled tickets (here a handful), saved and loaded again
    tickets = [
        ("I want to talk to your manager's manager", {"supervisor"}),
        ("put me through to someone senior", {"supervisor"}),
        ("where is my parcel", set()),
        ("can I change the size", set()),
    ] * 5
    mine = TextModel.train(tickets, ["supervisor"], version="shop-2026.11")
    with TemporaryDirectory() as folder:
        mine.save(Path(folder) / "shop-model.json")
        again = TextModel.load(Path(folder) / "shop-model.json")
    assert again == mine
    print(f"the shop's own model: {again.score('let me speak to someone senior', 'supervisor'):.2f} supervisor")


if __name__ == "__main__":
    main()
