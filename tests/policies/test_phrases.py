"""Phrase matching: languages, width, accents, negation, quotes, exceptions, word boundaries."""

from __future__ import annotations

import pickle
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseflow import load_policy_text
from caseflow.policies.phrases import PhraseSet, normalize, variants
from caseflow.policies.text import prepare

from ..helpers import policy

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


# ----------------------------------------------------------------------------------------
# Evasions: each spelling must be found by a set built from the plain phrase
# ----------------------------------------------------------------------------------------

PLAIN = PhraseSet.build(
    "plain",
    {
        "en": ["lawyer", "sue", "take you to court"],
        "zh-Hans": ["起诉", "律师"],
        "zh-Hant": ["訴訟", "媒體"],
        "id": ["menggugat", "pengacara"],
        "vi": ["luật sư", "khởi kiện", "tòa án", "cháy", "nổ"],
    },
)

EVASIONS = [
    # (language, how, text)
    ("en", "plain", "I will call my lawyer"),
    ("en", "zero-width", "I will call my law\u200byer"),
    ("en", "zero-width joiner", "I will s\u200du\u200de you"),
    ("en", "homoglyph", "I will call my lаwyеr"),  # Cyrillic а, е
    ("en", "homoglyph", "I will ѕue you"),  # Cyrillic ѕ
    ("en", "homoglyph", "I will call my LАWYЕR"),  # Cyrillic А, Е
    ("en", "homoglyph", "tаkе уоu tо соurt"),  # Cyrillic а е у о с
    ("en", "spaced letters", "I will s u e you"),
    ("en", "spaced letters", "my L A W Y E R"),
    ("en", "dotted letters", "my l.a.w.y.e.r"),
    ("en", "dashed letters", "I will S-U-E you"),
    ("en", "full-width", "ＩＷＩＬＬ ＳＵＥ ＹＯＵ"),
    ("en", "soft hyphen", "my law\u00adyer"),
    ("en", "bidi control", "my \u202elawyer\u202c"),
    ("en", "variation selector", "my lawyer\ufe0f"),
    ("zh-Hans", "plain", "我要起诉你们"),
    ("zh-Hans", "Traditional", "我要起訴你們"),
    ("zh-Hans", "zero-width", "我要起\u200b诉你们"),
    ("zh-Hans", "spaced letters", "我 要 起 诉 你 们"),
    ("zh-Hans", "variation selector", "我要起\ufe00诉"),
    ("zh-Hant", "plain", "我要提出訴訟"),
    ("zh-Hant", "Simplified", "我要提出诉讼"),
    ("zh-Hant", "Simplified", "我要找媒体"),
    ("zh-Hant", "zero-width", "我要找媒\u2060體"),
    ("id", "plain", "Saya akan menggugat"),
    ("id", "zero-width", "Saya akan meng\u200bgugat"),
    ("id", "homoglyph", "Saya akan mеnggugаt"),  # Cyrillic е, а
    ("id", "spaced letters", "Saya akan m e n g g u g a t"),
    ("id", "full-width", "Ｓａｙａ ａｋａｎ ＭＥＮＧＧＵＧＡＴ"),
    ("id", "soft hyphen", "lewat penga\u00adcara"),
    ("vi", "plain", "Tôi sẽ nhờ luật sư"),
    ("vi", "without diacritics", "toi se nho luat su"),
    ("vi", "without diacritics", "toi se khoi kien"),
    ("vi", "some words without diacritics", "tôi sẽ nhờ luat sư"),
    ("vi", "upper case", "TÔI SẼ NHỜ LUẬT SƯ"),
    ("vi", "decomposed", "nhờ lua\u0323\u0302t su\u031b"),
    ("vi", "zero-width", "nhờ luật\u200b sư"),
    ("vi", "other tone placement", "đưa ra toà án"),  # toà = tòa
    ("vi", "spaced letters", "nhờ l u ậ t sư"),
    ("vi", "spaced letters, two words", "nhờ l u ậ t s ư"),
    ("vi", "spaced letters, two words", "tôi sẽ k h ở i  k i ệ n"),
    ("zh-Hans", "two spaced characters", "我要找 律 师"),
    ("zh-Hans", "punctuation between characters", "我要找律.师"),
    ("en", "spaced letters, two words", "I will t a k e  y o u  t o  c o u r t"),
    ("vi", "homoglyph", "đưa ra tоà án"),  # Cyrillic о
    ("vi", "one syllable", "sạc bị cháy"),
    ("vi", "one syllable", "pin bị nổ"),
]


@pytest.mark.parametrize(("language", "how", "text"), EVASIONS, ids=[f"{lang}-{how}" for lang, how, _ in EVASIONS])
def test_evasions_are_found(language: str, how: str, text: str) -> None:
    assert PLAIN.mentions(text), (language, how, text)


HARD_NEGATIVES = [
    ("en", "a longer word", "I pursue a refund"),
    ("en", "a longer word", "the lawyers' office"),  # whole words: lawyers is not lawyer
    ("en", "spaced letters that make another word", "she s u e d them"),
    ("en", "no", "no problem, thank you"),  # not "nổ" without its diacritics
    ("vi", "other diacritics", "tôi chạy về nhà"),  # chạy (run) is not cháy (burn)
    ("vi", "one syllable without diacritics", "an chay hom nay"),  # chay: cháy, chạy, chày, chay ...
    ("vi", "one syllable without diacritics", "tôi no rồi"),  # no (full) is not nổ (explode)
    ("vi", "other diacritics in one word", "nhờ luạt sư"),
    ("vi", "other diacritics in one word", "khởi kiên"),
    ("zh-Hans", "one character", "我要起床"),
]


@pytest.mark.parametrize(
    ("language", "why", "text"), HARD_NEGATIVES, ids=[f"{lang}-{why}" for lang, why, _ in HARD_NEGATIVES]
)
def test_hard_negatives_are_not_found(language: str, why: str, text: str) -> None:
    assert not PLAIN.mentions(text), (language, why, text)


@pytest.mark.parametrize(
    ("phrase", "text", "expected"),
    [
        # a phrase matches its own diacritics ...
        ("luật sư", "luật sư", True),
        # ... and, when it has two or more words, any of them written with none at all
        ("luật sư", "luat su", True),
        ("luật sư", "luật su", True),
        ("luật sư", "luat sư", True),
        # never a word with other diacritics
        ("luật sư", "luạt sư", False),
        ("luật sư", "lưat su", False),
        # one word: only as written (bare, a Vietnamese syllable is another word)
        ("cháy", "cháy", True),
        ("cháy", "chạy", False),
        ("cháy", "chay", False),
        ("nổ", "no", False),
        ("nổ", "nỗ", False),
        # a phrase without diacritics does not match a word with them
        ("no", "nổ", False),
        ("chay", "cháy", False),
        # both tone placements are one spelling
        ("tòa án", "toà án", True),
        ("toà án", "tòa án", True),
        ("hòa giải", "hoa giai", True),
    ],
)
def test_the_diacritics_rule(phrase: str, text: str, expected: bool) -> None:
    assert PhraseSet.build("d", {"vi": [phrase]}).mentions(text) is expected


def test_variants_of_a_phrase() -> None:
    assert variants("luật sư") == (
        *("luật sư", "luật su", "luat sư", "luat su"),
        *("luậtsư", "luậtsu", "luatsư", "luatsu"),  # the words run together (spaced letters joined)
    )
    assert variants("take you to court") == ("take you to court", "takeyoutocourt")
    assert variants("kiện") == ("kiện",) and variants("sue") == ("sue",) and variants("律师") == ("律师",)
    assert len(variants(" ".join(["đ"] * 10))) == 4  # beyond six words with diacritics: as written and all bare


def test_a_word_inside_a_compound_is_an_exception_of_the_set() -> None:
    # Vietnamese writes a compound as separate syllables: "kiện" (sue) is a whole word of "kiện hàng"
    # (parcel). The matcher has no dictionary of compounds: the set lists the compound as an exception.
    bare = PhraseSet.build("legal", {"vi": ["kiện"]})
    assert bare.mentions("kiện hàng của tôi bị mất")
    legal = PhraseSet.build("legal", {"vi": ["kiện", "khởi kiện"]}, ["kiện hàng"])
    assert not legal.mentions("kiện hàng của tôi bị mất")
    assert not legal.mentions("kien hang cua toi bi mat")
    assert legal.mentions("tôi sẽ kiện, kiện hàng bị mất")
    assert [(m.phrase, m.why_not) for m in legal.find("kiện hàng bị mất, tôi sẽ kiện")] == [
        ("kiện", "exception"),
        ("kiện", None),
    ]
    parcel = PhraseSet.build("parcel", {"vi": ["kiện hàng"]})
    assert parcel.mentions("kiện hàng bị mất") and parcel.mentions("kien hang bi mat")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tôi sẽ không kiện", False),
        ("toi se khong kien", False),  # (one syllable: "kien" is not "kiện" anyway)
        ("toi se khong nho luat su", False),  # a bare cue counts like a bare phrase
        ("tôi chẳng cần luật sư", False),
        ("tôi dùng luật sư của tôi", True),  # dùng (use) is not đừng (don't)
        ("tôi đừng nhờ luật sư", False),
        ("I will “not sue", False),  # a quote before the cue does not hide it
        ("I will not. Sue", True),  # another clause
        ("not a b c d sue", False),  # the spaced letters are one word
        ("not one two three four sue", True),  # four words away
    ],
)
def test_negation_cues(text: str, expected: bool) -> None:
    legal = PhraseSet.build("legal", {"en": ["sue"], "vi": ["luật sư", "kiện"]})
    assert legal.mentions(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('he said "I will sue" yesterday', False),
        ("“sue” is a word", False),
        ("「起诉」", False),
        ("«sue»", False),
        ("“I will sue you", True),  # an unclosed quote hides nothing
        ('"' + "x" * 498 + " sue" + '"', True),  # closed too far: not a quote
        ('"' + "x" * 400 + " sue" + '"', False),
        ("a review says 'scam, I'll sue them', is that true?", True),  # an apostrophe inside: no quote
        ("a review says 'scam, sue them', is that true?", False),  # single quotes
        ("he wrote ‘sue them’ under my post", False),  # typographic single quotes, folded to '
        ("I'd sue, don't think I won't", True),  # apostrophes open nothing
        ("the buyers' union is right, I will sue", True),  # nor does a plural's
        ("'cause you scammed me I'll sue", True),
    ],
)
def test_quotes(text: str, expected: bool) -> None:
    assert PhraseSet.build("q", {"en": ["sue"], "zh": ["起诉"]}).mentions(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I will suuuuue you", True),
        ("my lawyerrrrr will call", True),
        ("callll the police", True),  # squeezed to "cal the police": the phrase matches without its double
        ("see you in courttttt", True),
        ("suuue? nah, not worth it", False),  # a stretched word keeps its scope: a question
        ("I'm nooot going to sue", False),  # and its negation
        ("tired of myself", False),  # "off myself" matches no "of": a word left with two letters keeps them
    ],
)
def test_stretched_letters(text: str, expected: bool) -> None:
    legal = PhraseSet.build("legal", {"en": ["sue", "lawyer", "call the police", "see you in court", "off myself"]})
    assert legal.mentions(text) is expected


def test_variants_without_double_letters() -> None:
    assert variants("call the police") == ("call the police", "cal the police", "callthepolice", "calthepolice")
    assert variants("attorney") == ("attorney", "atorney")  # one word: four letters or more remain
    assert variants("call") == ("call",)
    assert variants("off myself") == ("off myself", "offmyself")  # "of" would be another word


def test_hostile_texts_are_linear() -> None:
    for text in ["“" * 1_000_000 + " sue", "su" * 500_000 + " sue", "not sue " * 120_000, "s u e " * 150_000]:
        best = float("inf")
        for attempt in range(2):  # the faster of two (a neighbour's burst on a shared machine spoils one)
            started = time.process_time()
            LEGAL.mentions(f"{attempt}{text}")
            LEGAL.find(f"{attempt}{text}")
            best = min(best, time.process_time() - started)
        assert best < 2.0, text[:10]


def test_phrase_sets_pickle_and_compare_by_content() -> None:
    again = pickle.loads(pickle.dumps(LEGAL))
    assert again == LEGAL and hash(again) == hash(LEGAL)
    assert again.mentions("I will sue you") and not again.mentions("I will not sue you")
    assert PhraseSet.build("legal", {"en": ["x"]}) != LEGAL


def test_a_pickled_set_is_a_set_of_this_process() -> None:
    """Its index stays behind (another process makes its own), and it takes an id of this process: answers kept
    with a text are kept by id, and the id of a set from elsewhere may be one of this process's sets."""
    LEGAL.mentions("I will sue you")  # (indexed)
    data = pickle.dumps(LEGAL)
    assert len(data) < 20_000, len(data)  # the phrases, not the automata
    again = pickle.loads(data)
    assert again._id != LEGAL._id and again._place is None
    assert again.mentions("take you to court") and not again.mentions("I won't take you to court")


def test_the_sets_of_a_pack_share_one_index_and_one_scan() -> None:
    """A compiled pack indexes its sets together (a text is scanned once for all of them); the same pack loaded
    again, or a second engine of it, reuses that index."""
    from caseflow import Engine

    text = """
policy: one-scan
version: "1"
hit_policy: all
phrases:
  threat: {en: ["sue you", "fire tv"]}
  step: {en: [call]}
  party: {en: [lawyer]}
  burn: {en: [fire, smoke], except: [fire tv, smoke grey]}
rules:
  - id: threat
    when: [messages.customer_text mentions threat]
    then: [apologize]
  - id: party
    when: [messages.customer_text mentions party near step]
    then: [apologize]
  - id: burn
    when: [messages.customer_text mentions burn]
    then: [apologize]
"""
    first = policy(text)
    Engine(first, backend="python")
    sets = [s for p in first for s in p.phrases.values()]
    places = {s._place[0] for s in sets if s._place is not None}
    assert len(places) == 1 and len(sets) == 4, places
    (index,) = places
    again = policy(text)
    Engine(again, backend="python")
    assert {s._place[0] for p in again for s in p.phrases.values() if s._place is not None} == {index}
    burn = next(p.phrases["burn"] for p in first)
    # an exception matches from the start of a word: "campfire tv" holds no "fire tv"
    assert not burn.mentions("my fire tvs caught nothing") and burn.mentions("the campfire tv... fire!")
    assert [m.why_not for m in burn.find("smoke grey sofa, fire tv")] == ["exception", "exception"]


@pytest.mark.parametrize(
    ("language", "phrase", "text", "expected"),
    [
        ("id", "refund", "refundnya belum masuk", True),
        ("en", "refund", "refundnya belum masuk", True),  # Indonesian buyers add the suffix to English words
        ("id", "muntah", "anak saya muntah2", True),
        ("id", "muntah", "muntahan", False),
        ("vi", "kiện", "kiệnnya", False),  # Vietnamese phrases take no Indonesian suffix
    ],
)
def test_indonesian_suffixes_end_a_word(language: str, phrase: str, text: str, expected: bool) -> None:
    assert PhraseSet.build("s", {language: [phrase]}).mentions(text) is expected


def test_an_answer_is_kept_with_the_text() -> None:
    text = "please ask my lawyer"
    assert LEGAL.mentions(text) and LEGAL.mentions(text)
    assert prepare(text).answers[LEGAL._id] is True


def test_a_flood_of_keys_on_keys_is_read_again_not_kept() -> None:
    """39 phrases of 啊 in 1 MB of 啊: 39 million occurrences. A scan keeps at most a million (8 bytes each),
    then the automata are read again when a set is walked: memory stays bounded, the answers are the same
    (fuzzing found 24 GB before this)."""
    flood = PhraseSet.build("a", {"zh": ["啊" * k for k in range(1, 40)]})
    text = "啊" * 1_000_000
    started = time.process_time()
    assert flood.mentions(text)
    assert len(flood.find(text, limit=64)) == 64
    index, _ = flood._placed()
    assert index.found(prepare(text))[0] is None  # nothing kept
    assert time.process_time() - started < 10
    excepted = PhraseSet.build("b", {"zh": ["啊" * k for k in range(1, 40)]}, ["啊啊啊啊啊"])
    assert not excepted.mentions("啊啊啊啊啊") and excepted.mentions("x 啊")


# -- set aside: whether a scope rule set an occurrence aside (a learned signal's veto) ---------------------------

ASIDE_POLICY = """
policy: veto
version: "1"
hit_policy: all
phrases:
  legal:
    en: [sue, lawyer, take you to court]
    except: ["lawyer's briefcase"]
  profession:
    en: [lawyer]
  step:
    en: [call, hire]
rules:
  - id: aside
    when: messages.customer_text_items_marked mentions legal set aside
    then: [{add_tag: {tag: aside}}]
  - id: counted
    when: messages.customer_text_items_marked mentions legal
    then: [{add_tag: {tag: counted}}]
  - id: near-aside
    when: messages.customer_text_items_marked mentions profession near step set aside
    then: [{add_tag: {tag: near-aside}}]
"""


@pytest.mark.parametrize("backend", ["python", "durable"])
@pytest.mark.parametrize(
    ("text", "fired"),
    [
        ("I'm not going to sue", ["aside"]),  # negated
        ("Do I need a lawyer for a stolen parcel?", ["aside"]),  # asked
        ("Last year I nearly went to a lawyer, it got resolved", ["aside"]),  # past
        ("My friend said she would sue them", ["aside"]),  # someone else's
        ('Your page says "we sue counterfeiters"', ["aside"]),  # quoted
        ("The lawyer's briefcase arrived scratched", ["aside"]),  # an exception
        ("I will sue you", ["counted"]),  # counted: nothing set aside
        ("I won't sue today, but I will take you to court", ["aside", "counted"]),  # both, each by its rule
        ("my sister is a lawyer, where is my parcel", ["counted"]),  # a profession without its step: incomplete
        ("I will call you, but I will not hire a lawyer", ["aside", "near-aside"]),  # its context counts
        ("I will not hire a lawyer", ["aside"]),  # its context negated: 'lawyer' near a step is incomplete
        ("where is my parcel", []),
    ],
)
def test_set_aside_says_whether_a_scope_rule_set_an_occurrence_aside(text: str, fired: list[str], backend: str) -> None:
    from caseflow import Engine, FixedClock
    from caseflow.testing import make_case

    if backend == "durable":
        pytest.importorskip("durable")
    engine = Engine(policy(ASIDE_POLICY), clock=FixedClock("2026-11-11T10:00:00+08:00"), backend=backend)
    case = make_case(messages=[{"author": "buyer", "at": "2026-11-11T09:30:00+08:00", "text": text}])
    assert sorted(engine.evaluate(case).rule_ids) == sorted(fired)


def test_set_aside_is_a_phrase_set_of_its_own_that_shares_the_index() -> None:
    aside = LEGAL.set_aside()
    assert aside is LEGAL.set_aside() and aside.name == "legal set aside" and aside != LEGAL
    assert aside.mentions("Saya tidak akan menggugat") and not aside.mentions("Saya akan menggugat")
    assert not LEGAL.mentions("Saya tidak akan menggugat")
    flood = "I will sue you. " * 20_000 + "I won't sue."  # counted occurrences are not kept while it looks
    started = time.process_time()
    assert aside.mentions(flood)
    assert time.process_time() - started < 5


@pytest.mark.parametrize(
    ("condition", "says"),
    [
        ("messages.customer_text mentions legal set apart", "expected 'aside' after 'set'"),
        ("messages.customer_text mentions legal set", "expected 'aside', after 'set'"),
    ],
)
def test_a_wrong_set_aside_is_a_clear_error(condition: str, says: str) -> None:
    text = ASIDE_POLICY.replace("messages.customer_text_items_marked mentions legal set aside", condition)
    p, issues = load_policy_text(text)
    assert p is None and any(says in i.message and i.code == "condition-syntax" for i in issues), issues
