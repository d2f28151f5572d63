"""Phrase matching: languages, width, accents, negation, quotes, exceptions, word boundaries."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseflow import load_policy_text
from caseflow.policies.phrases import PhraseSet, normalize

LEGAL = PhraseSet.build(
    "legal",
    {
        "en": ["lawyer", "sue", "take you to court"],
        "zh": ["律师", "律師", "起诉", "起訴"],
        "id": ["pengacara", "menggugat"],
        "vi": ["luật sư", "khởi kiện", "kiện"],
    },
    ["lawyer's briefcase"],
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I will sue you", True),
        ("I will not sue you", False),
        ("I won't take you to court", False),
        ("No, I will sue you", True),  # 'no' belongs to another clause
        ("I pursue a refund", False),  # whole words only
        ("ＳＵＥ", True),  # full width
        ("LAWYER!!", True),
        ("I called my lawyer's office", True),  # a possessive still names a lawyer
        ("The lawyer's briefcase is scratched", False),
        ('Your page says "we sue counterfeiters"', False),
        ("我要找律师起诉你们", True),
        ("我要找律師起訴你們", True),
        ("我不会起诉你们", False),
        ("不满意，我要起诉", True),
        ("Saya akan menggugat lewat pengacara", True),
        ("Saya tidak akan menggugat", False),
        ("Tôi sẽ nhờ luật sư", True),
        ("toi se nho LUAT SU", True),
        ("Tôi sẽ không kiện", False),
        ("", False),
    ],
)
def test_mentions(text, expected):
    assert LEGAL.mentions(text) is expected


def test_find_says_why_an_occurrence_does_not_count():
    found = LEGAL.find('I will not sue. "We sue" is your slogan. The lawyer\'s briefcase')
    assert [(m.phrase, m.why_not) for m in found] == [("sue", "negated"), ("sue", "quoted"), ("lawyer", "exception")]


@given(st.text(max_size=200))
def test_normalize_is_idempotent_and_never_fails(text):
    assert normalize(normalize(text)) == normalize(text)
    LEGAL.mentions(text)


def test_long_adversarial_text_is_handled_linearly():
    text = "su" * 50_000 + " sue"
    assert LEGAL.mentions(text)


@pytest.mark.parametrize(
    ("phrases", "test", "code"),
    [
        ("phrases: {legal: {en: [lawyer]}}", "message.text mentions legl", "policy-unknown-phrases"),
        ("phrases: {legal: {english: [lawyer]}}", "message.text mentions legal", "policy-bad-phrases"),
        ("phrases: {legal: {en: []}}", "message.text mentions legal", "policy-bad-phrases"),
        ("phrases: {legal: {en: [lawyer]}}", "order.amount mentions legal", "policy-operator-type"),
    ],
)
def test_phrase_set_errors(phrases, test, code):
    text = (
        f'policy: t\nversion: "1"\nhit_policy: all\n{phrases}\n'
        f'rules:\n  - id: a\n    when: "{test}"\n    then: [apologize]\n'
    )
    policy, issues = load_policy_text(text)
    assert policy is None and code in [i.code for i in issues], issues


def test_phrases_in_other_scripts_are_found_too():
    thai = PhraseSet.build("thai", {"th": ["ทนาย"]})  # "lawyer" in Thai: neither ASCII words nor CJK
    assert thai.mentions("ฉันจะหาทนายฟ้อง") and not thai.mentions("hello")
    assert thai.mentions("ฉันจะหาทนายฟ้อง")  # a second time, from the cache
