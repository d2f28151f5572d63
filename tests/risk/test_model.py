"""The text model (caseflow.risk.model): a small learned signal beside the phrase rules.

Trained on toy examples here (what it learns, that it learns the same every time, its file), then as a
signal provider feeding a YAML policy on both backends, item names left out, and every way its file can
be wrong; then the shipped model: trained on the shipped labelled sets as they are (never the holdout).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseflow import Case, FactError, SignalError, default_facts
from caseflow.policies.text import normalize
from caseflow.risk import TextModel, TextModelSignal, register_text_model
from caseflow.risk.model import text_features
from caseflow.testing import decide, make_case
from tests.helpers import ROOT, policy

AT = "2026-11-11T10:00:00+08:00"
EXAMPLES = [
    ("where is my parcel", set()),
    ("I will sue you", {"legal"}),
    ("thanks, it arrived", set()),
    ("see you in court", {"legal"}),
    ("what size should I order", set()),
    ("my lawyer will write to you", {"legal"}),
    ("the charger caught fire", {"safety"}),
    ("the battery exploded and burnt my hand", {"safety"}),
    ("can I change the colour", set()),
    ("我要起诉你们", {"legal"}),
    ("包裹到哪里了", set()),
] * 3


@pytest.fixture(scope="module")
def toy() -> TextModel:
    return TextModel.train(EXAMPLES, ["legal", "safety"], version="toy-1")


def test_it_learns_what_it_was_shown(toy: TextModel) -> None:
    assert toy.classes == ("legal", "safety")
    assert toy.score("I will see you in court", "legal") > 0.5 > toy.score("where is my parcel", "legal")
    assert toy.score("the battery caught fire", "safety") > 0.5 > toy.score("I will sue you", "safety")
    assert toy.score("我要起诉", "legal") > 0.5
    assert 0.0 < toy.score("what size", "legal") < 1.0
    # why: the words of the text that weighed most towards the class, heaviest first
    weighed = toy.weighed("I will see you in court", "legal")
    assert (
        weighed
        and all(w > 0 for _, w in weighed)
        and [w for _, w in weighed] == sorted((w for _, w in weighed), reverse=True)
    )
    assert {f for f, _ in weighed} <= set(text_features("I will see you in court"))
    assert toy.weights("legal")["court"] > 0 and toy.bias("legal") < 0


def test_the_same_examples_give_the_same_model(toy: TextModel, tmp_path: Path) -> None:
    again = TextModel.train(EXAMPLES, ["legal", "safety"], version="toy-1")
    assert again == toy
    toy.save(tmp_path / "m.json")
    assert TextModel.load(tmp_path / "m.json") == toy
    text = (tmp_path / "m.json").read_text(encoding="utf-8")
    assert json.loads(text)["format"] == "caseflow-text-model/1"
    assert '\n    "court": ' in text  # one weight a line: a new version diffs readably
    with pytest.raises(TypeError):
        toy.weights("legal")["court"] = 9.0  # type: ignore[index]  # read-only


def test_features_are_normalized_words_and_pairs() -> None:
    assert text_features("I'll SUE you") == ["i'll", "i'll sue", "sue", "sue you", "you"]
    assert text_features("我要起訴") == sorted(["我", "我 要", "要", "要 起", "起", "起 诉", "诉"])  # Simplified
    assert "kiện" in text_features("tôi sẽ kiện") and "kien" not in text_features("tôi sẽ kiện")  # marks kept
    assert text_features("ѕue") == text_features("sue")  # a Cyrillic look-alike folded, as for the rules
    assert text_features("") == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_scores_between_0_and_1_as_its_normalized_form_does(text: str) -> None:
    model = TextModel.shipped()
    p = model.score(text, "legal")
    assert 0.0 <= p <= 1.0
    assert p == model.score(normalize(text), "legal")


# -- as a signal provider --------------------------------------------------------------------------

POLICY = """\
policy: model-review
version: "1"
hit_policy: all
rules:
  - id: model-reads-a-legal-threat
    description: the text model reads a legal threat; a person looks before anything else happens
    when: signal.text_legal.score > 0.5
    then:
      - route_to_queue: {queue: legal-review}
"""


def _case(text: str, items: list[str] | None = None) -> Case:
    orders = (
        [
            {
                "id": "o-1",
                "amount": "120 CNY",
                "placed_at": "2026-11-01T10:00:00+08:00",
                "items": [{"sku": f"s{i}", "name": n, "category": "beauty"} for i, n in enumerate(items)],
            }
        ]
        if items
        else None
    )
    extra = {"orders": orders} if orders else {}
    return make_case(messages=[{"author": "buyer", "at": "2026-11-11T09:30:00+08:00", "text": text}], **extra)


def test_a_policy_reads_the_model_on_both_backends_and_says_why(toy: TextModel) -> None:
    facts = default_facts()
    specs = register_text_model(facts, toy)
    assert [s.name for s in specs] == ["signal.text_legal.score", "signal.text_safety.score"]
    policies = policy(POLICY, facts=facts)
    d = decide(policies, _case("see you in court, my lawyer will write"), at=AT)  # both backends; they agree
    assert d.rule_ids == ["model-reads-a-legal-threat"]
    rendered = d.explain().render()
    assert "why signal.text_legal.score = text model toy-1 (33 messages): 0." in rendered
    assert re.search(r"the words that weighed most: '\w+' \+\d\.\d\d, .*'court' \+0\.\d\d", rendered)
    assert decide(policies, _case("where is my parcel"), at=AT).rule_ids == []


def test_the_names_of_the_items_are_left_out(toy: TextModel) -> None:
    """A buyer writing about a product called "Court Lawyer" is not threatening anyone (the items' names are
    marked as for the rules, and the model reads the text without them)."""
    provider = TextModelSignal(toy, "legal")
    text = "is the court lawyer shampoo in stock"
    alone = provider.detect(_case(text), make_case().created_at)
    named = provider.detect(_case(text, items=["Court Lawyer Shampoo 500ml"]), make_case().created_at)
    assert alone is not None and named is not None and alone.score is not None and named.score is not None
    assert named.score < alone.score
    assert "court" not in named.explanation


def test_no_customer_message_is_no_signal(toy: TextModel) -> None:
    assert TextModelSignal(toy, "legal").detect(make_case(messages=[]), make_case().created_at) is None


def test_registering_twice_registers_nothing_more(toy: TextModel) -> None:
    facts = default_facts()
    register_text_model(facts, toy, ["legal"])
    before = len(facts)
    with pytest.raises(FactError, match="fact-duplicate"):
        register_text_model(facts, toy)  # safety is new, legal is taken: nothing at all is registered
    assert len(facts) == before


# -- bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{not json", r"m\.json:1:2: not JSON"),
        ('{"format": "something else"}', "not a caseflow text model"),
        ('{"format": "caseflow-text-model/1", "version": "", "classes": {}}', "'version' must be a non-empty string"),
        ('{"format": "caseflow-text-model/1", "version": "1", "classes": {}}', "'classes' must map each class"),
        ('{"format": "caseflow-text-model/1", "version": "1", "classes": {"Legal!": {}}}', "not one lower-case word"),
        (
            '{"format": "caseflow-text-model/1", "version": "1", "classes": {"legal": {"bias": "x", "weights": {}}}}',
            "needs a number 'bias'",
        ),
        (
            '{"format": "caseflow-text-model/1", "version": "1", "classes": '
            '{"legal": {"bias": 0, "weights": {"sue": NaN}}}}',
            "the weight of 'sue' is not a finite number",
        ),
    ],
    ids=["not-json", "format", "version", "classes", "class-name", "bias", "nan"],
)
def test_a_bad_model_file_says_what_is_wrong(tmp_path: Path, content: str, says: str) -> None:
    (tmp_path / "m.json").write_text(content, encoding="utf-8")
    with pytest.raises(SignalError, match="text-model-invalid") as e:
        TextModel.load(tmp_path / "m.json")
    assert e.match(says) and str(tmp_path / "m.json") in str(e.value)


def test_only_a_regular_file_of_bounded_size_is_read(tmp_path: Path, toy: TextModel) -> None:
    """A folder, a FIFO (which would block a plain read for ever), a device, a file over the limit and bytes that
    are no UTF-8 are refused with what is wrong, never read in full or waited on."""
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    toy.save(tmp_path / "m.json")
    (tmp_path / "latin1.json").write_bytes(b'{"format": "caseflow-text-model/1", "version": "caf\xe9"}')
    for path, says in [
        (tmp_path, "a folder, not a file"),
        (fifo, "not a regular file"),
        (Path("/dev/zero"), "not a regular file"),
        (tmp_path / "latin1.json", r"latin1\.json:1:\d+: the file is not UTF-8 text"),
    ]:
        with pytest.raises(SignalError, match=says):
            TextModel.load(path)
    size = (tmp_path / "m.json").stat().st_size
    too_large = rf"m\.json: the file has {size:,} bytes, more than the limit of 100.*max_bytes"
    with pytest.raises(SignalError, match=too_large):
        TextModel.load(tmp_path / "m.json", max_bytes=100)
    assert TextModel.load(tmp_path / "m.json", max_bytes=size) == toy


def test_a_missing_file_a_missing_class_and_bad_training_say_so(tmp_path: Path, toy: TextModel) -> None:
    with pytest.raises(SignalError, match=r"nothing\.json: no such file or folder \[text-model-invalid\]"):
        TextModel.load(tmp_path / "nothing.json")
    with pytest.raises(SignalError, match="has no class 'media' \\(it has legal, safety\\)"):
        toy.providers(["media"])
    with pytest.raises(SignalError, match="one lower-case word"):
        TextModel.train(EXAMPLES, ["Legal Threat"], version="x")
    with pytest.raises(SignalError, match="no examples"):
        TextModel.train([], ["legal"], version="x")
    with pytest.raises(SignalError, match=r"example 1: 'legl' is not a class being trained \(legal\); did you mean"):
        TextModel.train([("where is it", set()), ("I will sue", {"legl"})], ["legal"], version="x")
    with pytest.raises(SignalError, match=r"example 0: its classes must be a set of class names .*not 'legal'"):
        TextModel.train([("I will sue", "legal")], ["legal"], version="x")  # a str is a Collection[str] too


# -- the shipped model ----------------------------------------------------------------------------------


def test_the_shipped_model_was_trained_on_the_sets_as_they_are() -> None:
    """Change a labelled set and this fails until the model is trained again: python bench/risk_model.py --write."""
    model = TextModel.shipped()
    assert model.classes == ("legal", "regulator", "safety", "media", "chargeback", "self_harm")
    assert "src/caseflow/risk/data/messages.holdout.jsonl" not in model.trained_on
    for name, digest in model.trained_on.items():
        assert hashlib.sha256((ROOT / name).read_bytes()).hexdigest() == digest, f"{name} changed: train again"
    lines = sum(len((ROOT / name).read_text(encoding="utf-8").splitlines()) for name in model.trained_on)
    assert model.examples == lines


def test_the_shipped_model_as_facts_of_the_default_registry() -> None:
    facts = default_facts()
    register_text_model(facts)
    assert {"signal.text_legal.score", "signal.text_self_harm.score"} <= {s.name for s in facts}
    d = decide(policy(POLICY, facts=facts), _case("Would you rather deal with me, or with a judge? Your call."), at=AT)
    assert d.rule_ids == ["model-reads-a-legal-threat"]


def test_training_again_gives_the_shipped_file_byte_for_byte(tmp_path: Path) -> None:
    """What ``python bench/risk_model.py --write`` trains, on every supported Python: the model is reproducible."""
    spec = importlib.util.spec_from_file_location("caseflow_bench_risk_model", ROOT / "bench" / "risk_model.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench
    spec.loader.exec_module(bench)
    bench.write(tmp_path / "again.json", epochs=12)
    shipped = ROOT / "src" / "caseflow" / "risk" / "data" / "text-model.json"
    assert (tmp_path / "again.json").read_bytes() == shipped.read_bytes()
