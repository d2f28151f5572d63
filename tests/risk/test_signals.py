"""Signal providers (issue 17, deliverable 6): an app's classifier as facts policies test like any fact.

A toy "trained model" (a lookup table of what a model said of each message) feeds a policy written in
YAML; the decision, its explanation (the provider's words beside the value), both backends, and every
way a provider can go wrong: each a SignalError naming the provider and the fact, never a traceback,
never a silent default, never the customer's words from a provider's own exception.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Sequence
from datetime import datetime

import pytest

from caseflow import (
    Case,
    CaseflowError,
    Engine,
    FactError,
    FixedClock,
    Signal,
    SignalError,
    SignalProvider,
    default_facts,
    register_signal_provider,
)
from caseflow.risk import SignalLabel, SignalScore
from caseflow.testing import decide, make_case
from tests.helpers import CLOCK, policy

AT = "2026-11-11T10:00:00+08:00"

# what a toxicity model said of each message: (label, score); a message it never saw has no signal
MODEL_OUTPUT = {
    "You are useless thieves, I hope your warehouse burns": ("abusive", 0.97),
    "你们这帮骗子，垃圾店铺": ("abusive", 0.93),
    "Could you please check where my parcel is?": ("polite", 0.02),
    "包裹到哪里了？谢谢": ("polite", 0.01),
}


class Toxicity:
    """A stand-in for a trained classifier: looks the last customer message up in MODEL_OUTPUT."""

    name = "toxicity"
    description = "abuse in the customer's last message (the app's toxicity model)"
    labels: Sequence[str] = ("abusive", "polite")
    gives_score = True

    def __init__(self) -> None:
        self.seen: list[datetime] = []

    def detect(self, case: Case, now: datetime) -> Signal | None:
        self.seen.append(now)
        if not case.messages:
            return None
        out = MODEL_OUTPUT.get(case.messages[-1].text)
        if out is None:
            return None
        label, score = out
        return Signal(label=label, score=score, explanation=f"toxicity model v3 says {label} (p={score})")


POLICY = """\
policy: abuse
version: "1"
hit_policy: all
params:
  abuse_limit: 0.9
rules:
  - id: abusive-message
    description: the app's model finds the message abusive
    when:
      all:
        - signal.toxicity.score > $abuse_limit
        - signal.toxicity.label == abusive
    then:
      - route_to_queue: {queue: abuse-desk}
      - add_tag: {tag: "risk:abuse"}
"""


def _case(text: str | None, **overrides: object) -> Case:
    messages = [] if text is None else [{"author": "buyer", "at": "2026-11-11T09:30:00+08:00", "text": text}]
    return make_case(messages=messages, **overrides)


def _policies(provider: SignalProvider, text: str = POLICY):
    facts = default_facts()
    register_signal_provider(facts, provider)
    return policy(text, facts=facts)


@pytest.mark.parametrize(
    "text",
    ["You are useless thieves, I hope your warehouse burns", "你们这帮骗子，垃圾店铺"],
    ids=["en", "zh"],
)
def test_an_abusive_message_fires_the_rule_on_both_backends_and_is_explained(text):
    d = decide(_policies(Toxicity()), _case(text), at=AT)  # every backend installed; fails if they disagree
    assert d.rule_ids == ["abusive-message"]
    assert d.action_types == ["route_to_queue", "add_tag"]
    rendered = d.explain().render()
    label, score = MODEL_OUTPUT[text]
    why = f"toxicity model v3 says {label} (p={score})"
    assert f"why signal.toxicity.score = {why}" in rendered
    assert f"why signal.toxicity.label = {why}" in rendered
    rule = d.explain().policies[0].rules[0]
    seen = rule.condition.children[0].seen
    assert seen["signal.toxicity.score"] == f"{score:.4g}" and seen["why signal.toxicity.score"] == why


@pytest.mark.parametrize("text", ["Could you please check where my parcel is?", "包裹到哪里了？谢谢"], ids=["en", "zh"])
def test_a_polite_message_does_not_fire(text):
    d = decide(_policies(Toxicity()), _case(text), at=AT)
    assert d.rule_ids == []
    assert "why signal.toxicity.label = toxicity model v3 says polite" in d.explain().render()


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_no_signal_is_a_missing_fact(backend):
    """A provider with nothing to say (a message it never saw, no message): both facts are missing."""
    with Engine(_policies(Toxicity()), backend=backend, clock=CLOCK) as engine:
        for case in (_case("Ada apa dengan pesanan saya?"), _case(None)):
            d = engine.evaluate(case)
            assert d.rule_ids == []
            assert "signal.toxicity.score = missing" in d.explain().render()
            assert "why signal.toxicity" not in d.explain().render()


def test_the_provider_gets_the_engines_injected_time():
    provider = Toxicity()
    engine = Engine(_policies(provider), clock=FixedClock(AT))
    engine.evaluate(_case("你们这帮骗子，垃圾店铺"))
    engine.evaluate(_case("你们这帮骗子，垃圾店铺"), at=datetime.fromisoformat("2026-12-12T00:00:00+08:00"))
    assert {t.isoformat() for t in provider.seen} == {AT, "2026-12-12T00:00:00+08:00"}


def test_the_facts_are_typed_and_listed():
    facts = default_facts()
    specs = register_signal_provider(facts, Toxicity())
    assert [(s.name, s.describe_type(), s.origin) for s in specs] == [
        ("signal.toxicity.label", "enum(abusive|polite)", "app"),
        ("signal.toxicity.score", "number", "app"),
    ]
    assert "toxicity model" in specs[0].description
    values = facts.derive(_case("你们这帮骗子，垃圾店铺"), CLOCK.now(), [s.name for s in specs])
    assert values == {"signal.toxicity.label": "abusive", "signal.toxicity.score": 0.93}
    assert isinstance(values["signal.toxicity.score"], SignalScore)
    assert isinstance(values["signal.toxicity.label"], SignalLabel)


def test_a_label_the_provider_does_not_declare_is_a_policy_error():
    """The label fact is an enum of the provider's labels: a policy testing another is refused at load."""
    facts = default_facts()
    register_signal_provider(facts, Toxicity())
    from caseflow import load_policy_text

    p, issues = load_policy_text(POLICY.replace("== abusive", "== abusvie"), facts=facts)
    assert p is None and any("abusive" in str(i) for i in issues)


def test_a_score_only_provider_and_a_label_only_provider():
    class Length:
        name = "long_message"
        description = "how long the message is, as a share of 200 characters"
        labels: Sequence[str] = ()
        gives_score = True

        def detect(self, case: Case, now: datetime) -> Signal | None:
            n = sum(len(m.text) for m in case.messages)
            return Signal(score=min(n / 200, 1.0), explanation=f"{n} characters")

    class Language:
        name = "lang"
        description = "the language the app's detector finds"
        labels: Sequence[str] = ("en", "zh", "other")
        gives_score = False

        def detect(self, case: Case, now: datetime) -> Signal | None:
            text = "".join(m.text for m in case.messages)
            label = "zh" if any("\u4e00" <= c <= "\u9fff" for c in text) else "en" if text.isascii() else "other"
            return Signal(label=label, explanation=f"script of {len(text)} characters")

    facts = default_facts()
    assert [s.name for s in register_signal_provider(facts, Length())] == ["signal.long_message.score"]
    assert [s.name for s in register_signal_provider(facts, Language())] == ["signal.lang.label"]
    text = """\
policy: long
version: "1"
hit_policy: all
rules:
  - id: long-chinese
    when: {all: [signal.long_message.score >= 0.05, signal.lang.label == zh]}
    then: [{add_tag: {tag: long-zh}}]
"""
    d = decide(policy(text, facts=facts), _case("你们这帮骗子，垃圾店铺"), at=AT)
    assert d.rule_ids == ["long-chinese"]
    assert "why signal.lang.label = script of 11 characters" in d.explain().render()


def test_a_policy_can_be_tested_with_the_signal_given_directly():
    """No model in a policy's unit test: give the fact's value (as a trained model would score it)."""
    engine = Engine(_policies(Toxicity()), clock=CLOCK)
    assert engine.evaluate_facts({"signal.toxicity.score": 0.95, "signal.toxicity.label": "abusive"}).rule_ids == [
        "abusive-message"
    ]
    assert engine.evaluate_facts({"signal.toxicity.score": 0.9, "signal.toxicity.label": "abusive"}).rule_ids == []


class Bad:
    """A provider giving whatever a test says."""

    name = "toxicity"
    description = "a broken model"
    labels: Sequence[str] = ("abusive", "polite")
    gives_score = True

    def __init__(self, out: object) -> None:
        self.out = out

    def detect(self, case: Case, now: datetime) -> Signal | None:
        return self.out  # type: ignore[return-value]


class ScoreOnly(Bad):
    labels: Sequence[str] = ()


class LabelOnly(Bad):
    gives_score = False


@pytest.mark.parametrize(
    ("provider", "fact", "says"),
    [
        (Bad(Signal(score="high", explanation="x")), "score", "score of type str 'high', not a number"),  # type: ignore[arg-type]
        (Bad(Signal(score=float("nan"), explanation="x")), "score", "score NaN"),
        (Bad(Signal(score=1.5, explanation="x")), "score", "outside 0 to 1"),
        (Bad(Signal(score=-0.1, explanation="x")), "score", "outside 0 to 1"),
        (Bad(Signal(score=True, explanation="x")), "score", "score of type bool"),
        (Bad(Signal(label="toxic", explanation="x")), "label", "label 'toxic', not one it declares (abusive, polite)"),
        (Bad(Signal(label=3, explanation="x")), "label", "label of type int"),  # type: ignore[arg-type]
        (Bad(Signal(label="abusive", score=0.99, explanation="  ")), "score", "gave no explanation"),
        (Bad(Signal(label="abusive", score=0.99, explanation=None)), "score", "gave no explanation"),  # type: ignore[arg-type]
        (Bad({"label": "abusive", "score": 0.99}), "score", "returned dict, not a Signal or None"),
        (Bad(0.99), "score", "returned float, not a Signal or None"),
        (ScoreOnly(Signal(label="abusive", score=0.99, explanation="x")), "score", "declares no labels"),
        (LabelOnly(Signal(label="abusive", score=0.99, explanation="x")), "label", "does not declare gives_score"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
@pytest.mark.parametrize("backend", ["python", "durable"])
def test_a_wrong_output_is_a_signal_error_naming_the_provider_and_the_fact(provider, fact, says, backend):
    test = "signal.toxicity.score > 0.5" if fact == "score" else "signal.toxicity.label == abusive"
    rule = f'  - {{id: r, when: "{test}", then: [{{add_tag: {{tag: t}}}}]}}\n'
    text = f'policy: one\nversion: "1"\nhit_policy: all\nrules:\n{rule}'
    with Engine(_policies(provider, text), backend=backend, clock=CLOCK) as engine:
        with pytest.raises(SignalError) as exc:
            engine.evaluate(_case("You are useless thieves, I hope your warehouse burns"))
    err = exc.value
    assert isinstance(err, FactError) and isinstance(err, CaseflowError)
    assert err.code == "signal-output-invalid" and err.provider == "toxicity"
    assert err.fact is not None and err.fact.startswith("signal.toxicity.")
    msg = str(err)
    assert says in msg and "signal provider 'toxicity'" in msg and f"{err.fact!r}" in msg
    assert "'TEST-1'" in msg and msg.endswith("[signal-output-invalid]") and "Traceback" not in msg
    assert err.docs_url.endswith("#signal-output-invalid")


def test_a_wrong_label_is_quoted_with_personal_data_masked():
    err = _raises(Bad(Signal(label="call me on +86 138 0013 8000", explanation="x")))
    assert "138 0013" not in str(err) and "signal-output-invalid" in str(err)


class Crashing:
    name = "toxicity"
    description = "a model that fails"
    labels: Sequence[str] = ("abusive", "polite")
    gives_score = True

    def detect(self, case: Case, now: datetime) -> Signal | None:
        text = case.messages[-1].text
        raise RuntimeError(f"tokenizer failed on {text!r} from li.wei@example.com")


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_a_provider_that_raises_is_a_signal_error_without_the_customers_words(backend):
    text = "我是李伟，电话 13800138000，你们这帮骗子"
    with Engine(_policies(Crashing()), backend=backend, clock=CLOCK) as engine:
        with pytest.raises(SignalError) as exc:
            engine.evaluate(_case(text))
    err = exc.value
    msg = str(err)
    assert err.code == "signal-provider-failed" and err.provider == "toxicity"
    assert err.fact in ("signal.toxicity.score", "signal.toxicity.label")
    assert "signal provider 'toxicity' raised RuntimeError" in msg and "'TEST-1'" in msg
    for private in ("李伟", "13800138000", "li.wei@example.com", "tokenizer", "骗子"):
        assert private not in msg
    assert isinstance(err.__cause__, RuntimeError)  # the app's own debugging has it
    assert "13800138000" not in repr(pickle.loads(pickle.dumps(err)))  # a worker's error crosses processes clean


def test_the_facts_derive_directly_give_the_same_error():
    facts = default_facts()
    register_signal_provider(facts, Crashing())
    with pytest.raises(SignalError, match=r"signal-provider-failed"):
        facts.derive(_case("x"), CLOCK.now(), ["signal.toxicity.label"])
    with pytest.raises(SignalError, match=r"signal-provider-failed"):
        facts.lazy(_case("x"), CLOCK.now())["signal.toxicity.score"]


class Named:
    description = "d"
    labels: Sequence[str] = ("a",)
    gives_score = True

    def __init__(self, name: object, **attrs: object) -> None:
        self.name = name
        for k, v in attrs.items():
            setattr(self, k, v)

    def detect(self, case: Case, now: datetime) -> Signal | None:
        return None


@pytest.mark.parametrize(
    ("provider", "says"),
    [
        (Named("Toxicity"), "one lower-case word"),
        (Named("tox.icity"), "one lower-case word"),
        (Named(""), "one lower-case word"),
        (Named(None), "one lower-case word"),
        (Named("t" * 41), "one lower-case word"),
        (Named("tox", labels="abusive"), "labels must be a list of strings"),
        (Named("tox", labels=("ok", "Not OK")), "is not a lower-case word"),
        (Named("tox", labels=("ok", "ok")), "a label is listed twice"),
        (Named("tox", labels=(), gives_score=False), "gives neither labels nor a score"),
        (Named("tox", gives_score="yes"), "gives_score must be True or False"),
        (Named("tox", description=""), "needs a description"),
        (Named("tox", detect=None), "has no detect(case, now) method"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_a_malformed_provider_is_refused_when_registered(provider, says):
    facts = default_facts()
    before = len(facts)
    with pytest.raises(SignalError, match="signal-provider-invalid") as exc:
        register_signal_provider(facts, provider)
    assert says in str(exc.value)
    assert len(facts) == before


def test_registering_a_provider_twice_is_a_duplicate_and_registers_nothing():
    facts = default_facts()
    register_signal_provider(facts, Toxicity())
    before = len(facts)
    with pytest.raises(FactError, match="fact-duplicate") as exc:
        register_signal_provider(facts, Toxicity())
    assert "signal.toxicity.label" in str(exc.value) and len(facts) == before


def test_a_long_explanation_is_cut():
    err_free = Bad(Signal(label="abusive", score=0.99, explanation="because " * 200))
    engine = Engine(_policies(err_free), clock=CLOCK)
    seen = engine.evaluate(_case("x")).explain().policies[0].rules[0].condition.children[0].seen
    assert len(seen["why signal.toxicity.score"]) <= 500


def test_signal_values_copy_and_pickle_with_their_explanation():
    for value in (SignalScore(0.5, "half"), SignalLabel("abusive", "the model says so")):
        for twin in (copy.deepcopy(value), pickle.loads(pickle.dumps(value))):
            assert twin == value and type(twin) is type(value) and twin.explanation == value.explanation


def test_a_provider_is_a_signal_provider():
    assert isinstance(Toxicity(), SignalProvider)


def _raises(provider: SignalProvider) -> SignalError:
    with pytest.raises(SignalError) as exc:
        Engine(_policies(provider), clock=CLOCK).evaluate(_case("x"))
    return exc.value
