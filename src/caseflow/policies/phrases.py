"""Phrase matching for risk signals in customer messages, in several languages, without regexes.

A :class:`PhraseSet` holds phrases per language (English, Chinese in simplified and
traditional characters, Indonesian, Vietnamese, ...) and exceptions. ``mentions(text)``
says whether any phrase occurs in ``text`` *as a claim*:

- phrases, exceptions and text go through one normalization (:func:`caseflow.policies.text.normalize`):
  invisible characters removed, full-width forms and look-alike letters (Cyrillic ``а``) folded,
  case folded, Traditional Chinese folded to Simplified, spaced letters joined (``s u e``);
  diacritics are kept (``nổ`` is not ``no``);
- **diacritics**: a phrase matches text written with exactly its diacritics; a phrase of two or
  more words also matches when any of its words is written with no diacritics at all (``luat su``
  for ``luật sư``: a buyer who drops them), never a word with other diacritics (``chạy`` is not
  ``cháy``); a one-word phrase matches only as written (``nổ`` is not ``no``: without its
  diacritics a single syllable is another word) — list the bare form too if you want it; a phrase
  of several words also matches with them run together (``luậtsư``: spaced letters, joined);
- in scripts with spaces, a phrase matches whole words only (``sue`` is not in ``pursue``);
  in scripts without (Chinese, Japanese, Korean, Thai, Lao, Khmer, Myanmar) anywhere;
- an occurrence does not count (:attr:`PhraseMatch.why_not`) when it is

  - ``quoted``: inside quotes (``"..."``, ``“...”``, ``「...」``, ``『...』``, ``«...»``, ``„...“``, ``'...'``
    and ``‘...’`` but not an apostrophe (``I'd``, ``buyers'``); a quote is closed within 500 characters): a
    buyer quoting the platform's policy, or a review, threatens nothing;
  - ``item name``: inside ``⟦...⟧``, the mark the fact ``messages.customer_text_items_marked`` puts
    around the names of the case's items (a product called "Lawyer's Choice");
  - ``exception``: inside an exception phrase (a product name such as ``fire tv stick``);
  - ``question``: in a clause that ends with a question mark ("is it safe for kids?", "what is
    your policy on chargebacks?"), unless the clause asks a threat ("do you want me to call the
    police?", 要不要我报警?, 你是逼我去拒付吗?: :data:`SCOPES` ``threat_questions``), and in a condition
    of a sentence that asks ("if the power bank swells, can I get a new one?": a case asked about);
  - ``past``: in a clause that says the step is over, was only nearly taken, or was about another
    shop ("almost", "last year", 差点, 去年, suýt, năm ngoái, hampir, "ga jadi": ``past``) — unless a
    contrast lies between the marker and the occurrence ("last year I let it go, but this time I'll sue",
    这次, "kali ini", "lần này": ``contrasts``); in Chinese, also after such a marker in an earlier clause
    of the sentence when no subject comes between (我朋友之前在别家被骗，有打165报案); and before a
    withdrawal in its sentence ("my husband wanted to, I talked him out of it", 我叫佢唔好: ``withdrawals``);
  - ``someone else``: after a third party in its clause, the nearest one, with no contrast between
    ("if someone reports ...", 如果有人, "kalau ada yang", "nếu có người", 邻居: ``someone_else``) —
    unless the third party acts for the writer (佢话可以帮我发律师信, "he'll help me sue": ``on_behalf``)
    or the writer writes for a relative ("asking for my mum", 帮我妈问: ``proxies``);
  - ``negated``: after a negation cue of its clause (:data:`NEGATIONS`: ``not``, ``won't``, ``不``,
    ``tidak``, ``gak``, ``không`` ...) among the few words (or, in Chinese, characters) before it —
    unless the cue is part of a frame that negates nothing (信不信我打12315, "don't make me", 别逼我,
    "jangan sampai", "đừng để tôi": ``not_negating``), or sits in a **condition** whose consequence
    is the step: after ``if``/``unless``/如果/要是/``kalau``/``nếu`` (``conditions``: "if you don't
    refund me I will sue") or before ``then``/就/``thì``/``maka`` (``consequences``: 不给退就报警,
    "chưa hoàn tiền thì tôi kiện"); a contrast (``but``, 但是, ``tapi``, ``nhưng``) ends a negation's
    reach (``breaks``), and so does a subject that starts another predicate ("don't care I'm suing",
    不退我报警, "không trả tiền tôi kiện", "gak dibalikin saya lapor": ``subjects``; not one right after the
    negation, whose object is fronted: "gak bakal saya viralin") unless the negation is of a saying or a need
    ("not saying I'll sue", 没说我要报警, "gak usah saya lapor": ``sayings``); a compulsion after the step
    makes a reluctant step a step ("I don't want to go to court, but you leave me no choice", 唔想上法庭…你哋迫我:
    ``compulsions``);
  - ``no context``: the set needs a context (:meth:`PhraseSet.near`: ``lawyer`` counts only with a
    threat step such as "call", "hire", 找, "hubungi", "nhờ" in the same sentence) and none of the
    context's phrases counts in the occurrence's sentence.

The sets of a compiled pack share one :class:`PhraseIndex`: two Aho-Corasick automata (pyahocorasick)
over their phrases, the phrases' diacritic-free variants and their exceptions, so that a text is scanned
once for all of them, whatever the number of sets. Phrases of spaced scripts are looked for in the text's
*word shadow* (every character that is not a word character replaced by one bound), between two bounds:
the automaton itself finds whole words only, and "pursue" costs nothing when the phrase is "sue". An
exception of a spaced script matches from the start of a word ("fire tv" in "fire tvs", not in "campfire
tv"). Each occurrence is then checked in constant time (binary searches in the quoted spans, the
exceptions, the clause breaks and the scope cues, the few words before it). The scope cues of every
language are one more pair of automata, read once per text. Linear in the text, whatever it holds. What a
text yields (its normalized form, the scans, each set's answer) is kept with the prepared text
(:func:`caseflow.policies.text.prepare`), in a cache bounded by bytes.

**Built-in sets**: the authorities buyers name, per market, are data files
(``caseflow/policies/data/authorities/<market>.yaml``: China mainland, Taiwan, Hong Kong, Indonesia,
Vietnam, the US, the EU and the UK), read once into phrase sets a policy uses without declaring them:
``regulators``, ``police`` and ``courts`` (every market), ``regulators.tw``, ``police.id`` ... (one
market). :func:`builtin_phrase_set` gives them by name; a set the policy declares wins over a built-in
one of the same name.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import threading
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any, NamedTuple, cast

import ahocorasick  # type: ignore[import-not-found]

from .source import parse_yaml
from .text import COMBINING, HAN, LATIN_LOWER, PreparedText, Spans, normalize, prepare, quoted_spans, spans, strip_marks

__all__ = [
    "AUTHORITY_KINDS",
    "ITEM_MARKS",
    "ITEM_RX",
    "MARKETS",
    "NEGATIONS",
    "SET_ASIDE",
    "SCOPES",
    "LanguagePhrases",
    "PhraseIndex",
    "PhraseMatch",
    "PhraseSet",
    "builtin_phrase_set",
    "builtin_phrase_sets",
    "normalize",
    "variants",
]

# Negation cues, written as people write them (normalized like the text when used). A cue counts
# among the last few words (scripts with spaces) or characters (Chinese) before an occurrence, in its
# clause. Like phrases, a cue with diacritics also counts written without them ("khong" for "không").
NEGATIONS: dict[str, tuple[str, ...]] = {
    "en": (
        *("not", "never", "no", "won't", "wont", "don't", "dont", "didn't", "didnt", "wouldn't", "wouldnt"),
        *("doesn't", "doesnt", "isn't", "isnt", "aren't", "arent", "haven't", "havent", "hasn't", "hasnt"),
        *("ain't", "nor", "will not", "do not", "did not", "no need to", "not going to", "not gonna"),
        *("no intention to", "no intention of", "no plan to", "no plans to", "nobody's", "not planning to"),
        *("never gonna", "never going to", "not about to", "not planning on", "wasn't going to"),
        *("no way i'd", "no way i'll", "not saying", "didn't say", "didnt say", "never said", "did not say"),
    ),
    "zh": (
        *("不", "没", "沒", "别", "別", "冇", "唔", "无意", "無意", "不会", "不會", "不想", "不打算"),
        *("没有", "沒有", "没打算", "沒打算", "不用", "不必", "无需", "無需", "不需要", "免了"),
        *("不要", "不至于", "不可能", "才不会", "绝不", "并没有", "并未", "未", "没必要", "冇打算", "唔会"),
        *("唔想", "无谓", "没说", "没有说", "不是说", "并不是说"),
    ),
    "id": (
        *("tidak", "tak", "ga", "gak", "nggak", "ngga", "enggak", "engga", "gk", "tdk", "kagak", "ndak"),
        *("bukan", "belum", "jangan", "jgn", "tidak akan", "tak akan", "ga usah", "gak usah", "nggak usah"),
        *("tak perlu", "tidak perlu", "ga perlu", "gak perlu", "nggak perlu", "ogah", "gak bakal", "ga bakal"),
        *("nggak bakal", "tidak bakal", "takkan", "males", "malas", "gak mungkin", "ga mungkin", "nda"),
        *("gak ada niat", "ga ada niat", "tidak ada niat", "gak kepikiran", "ga kepikiran", "gak bilang"),
        *("ga bilang", "nggak bilang", "tidak bilang", "bukan berarti"),
    ),
    "vi": (
        *("không", "chẳng", "chả", "chưa", "đừng", "ko", "hông", "khg", "sẽ không", "không hề"),
        *("không muốn", "không cần", "không định", "không có ý định", "chưa có ý định"),
        *("k", "hok", "hem", "hổng", "kô", "không bao giờ", "chẳng bao giờ", "đâu có", "chưa từng"),
        *("làm gì có", "không nói là", "chưa nói là", "đâu có nói", "không nói"),
    ),
}

# The other cues of an occurrence's scope, per kind and language (module docstring): frames whose
# negation word negates nothing, the words that open a condition or its consequence, the markers of a
# step that is over or about another shop, third parties, the questions that threaten, and the words
# that end a negation's reach.
SCOPES: dict[str, dict[str, tuple[str, ...]]] = {
    "not_negating": {
        "en": (
            *("don't make me", "dont make me", "do not make me", "don't force me", "dont force me"),
            *("don't push me", "dont push me", "don't test me", "don't think i won't", "don't think i wont"),
            *("dont think i wont", "not afraid to", "won't hesitate", "wont hesitate", "will not hesitate"),
            *("didn't want it to come to this", "didnt want it to come to this", "no choice but", "no other choice"),
            *("not kidding", "not joking", "no joke", "no longer", "not ok", "not okay", "not fine"),
            *("don't think for a second i won't", "dont think for a second i wont", "for a second i won't"),
            *("can't take it", "cant take it", "no one cares", "nobody cares", "no point", "not doing well"),
            *("don't force my hand", "dont force my hand", "don't want to have to", "dont want to have to"),
            *("don't want it to come to", "dont want it to come to", "don't let it come to", "rather not have to"),
            *("don't think i'll", "dont think i'll", "don't think i will", "dont think ill", "not sure i'll"),
            *("you think i can't", "think i cant", "aren't you afraid", "arent you afraid", "you think i won't"),
            *("you think i wont", "think i won't"),
        ),
        "zh": (
            *("信不信", "别以为", "以为我不敢", "别逼", "不要逼", "别怪", "不要怪", "不然", "要不然", "要不"),
            *("要不要", "该不该", "是不是", "能不能"),  # whether or not: no negation
            *("不如", "不得不", "不停", "不断", "忍不住", "受不了", "撑不下去", "撑不住", "不舒服", "不小心"),
            *("不知道", "不少", "不错", "不行了", "对不起", "不在乎", "没人在乎", "没人管", "没意思", "不会放过"),
            *("不想走到", "不想闹到", "不想闹大", "别让我", "不要让我", "不希望走到", "不想把事情闹大"),
            *("大不了", "了不起", "不得了", "不管", "不惜"),  # at worst, however: no negation of the step
            *("觉得消费者都不会", "以为消费者都不会", "以为我不会", "觉得我不会", "觉得我们不会", "以为我们不会"),
            *("觉得我不敢", "以为我不敢去", "觉得我只是说说"),
            # you reckon I don't dare; if you'd rather I didn't
            *("你估我唔敢", "估我唔敢", "以为我唔敢", "觉得我唔敢", "唔想我"),
        ),
        "id": (
            *("jangan sampai", "jangan sampe", "jgn sampe", "jgn sampai", "jangan salahkan", "jangan salahin"),
            *("jangan paksa", "jangan bikin", "jangan kira", "jangan pikir", "tidak segan", "gak segan"),
            *("ga segan", "nggak segan", "tak segan", "gak main-main", "tidak main-main", "gak kuat"),
            *("ga kuat", "nggak kuat", "tidak kuat", "tak kuat", "gak tahan", "ga tahan", "tidak tahan"),
            *("gak ada yang peduli", "gak ada yg peduli", "tidak ada yang peduli", "gak ada gunanya"),
            *("gak mau sampai", "ga mau sampe", "gak mau sampe", "tidak mau sampai", "nggak mau sampai"),
            *("pikir gue gak bisa", "pikir gw gak bisa", "kira gue gak bisa", "pikir saya tidak bisa"),
            *("kira saya gak bisa", "gak takut", "ga takut", "nggak takut", "tidak takut", "gk takut", "enggak takut"),
            # "k" is "ke" (to) in Indonesian chat, "không" (not) in Vietnamese
            *("k kantor", "k polisi", "k polres", "k polsek", "k polda", "k pengadilan", "k pengacara", "k ylki"),
            "k bank",
            *("pikir saya gak berani", "kira saya gak berani", "pikir saya ga berani", "pikir gue gak berani"),
            *("pikir gw gak berani", "kira gue gak berani", "kira saya tidak berani", "pikir saya tidak berani"),
            *("gak tau lagi harus hidup", "ga tau lagi harus hidup", "nggak tau lagi harus hidup", "gak liat gunanya"),
            *("nggak liat gunanya", "ga liat gunanya", "gak lihat gunanya", "tidak melihat gunanya"),  # of living on
        ),
        "vi": (
            *("đừng để", "đừng bắt", "đừng ép", "đừng trách", "đừng có trách", "không ngại", "không ngần ngại"),
            *("không chịu nổi", "không chịu được", "không ai quan tâm", "không còn gì"),
            *("không muốn phải", "không muốn đến mức", "chẳng muốn phải"),
            *("không khí", "không dầu", "không dây", "không gian"),  # air, oil-free, wireless, space: no negation
            *("nghĩ tôi không dám", "tưởng tôi không dám", "nghĩ mình không dám", "tưởng mình không dám"),
            *("nghĩ tôi không", "tưởng tôi không", "tưởng tao không dám", "nghĩ tao không dám"),
        ),
    },
    "conditions": {
        "en": ("if", "unless", "until", "till", "otherwise", "or else", "as long as", "in case"),
        "zh": (
            *("如果", "要是", "假如", "若是", "万一", "只要", "一旦", "再不", "除非", "倘若", "假使", "如若"),
            *("若", "要系", "再唔"),
        ),
        "id": (
            *("kalau", "kalo", "klo", "kl", "klw", "kalu", "jika", "jikalau", "bila", "apabila", "seandainya"),
            *("kecuali", "asal", "selama", "misal", "misalnya", "andai", "andaikan"),
        ),
        "vi": (
            *("nếu", "hễ", "trừ khi", "một khi", "lỡ mà", "nếu mà", "giả sử", "khi nào", "còn không", "lỡ"),
            *("trường hợp",),
        ),
    },
    "consequences": {
        "en": ("then", "or else", "otherwise", "or i", "or we", "or i'll", "=", "->", "=>", "\u2192"),
        "zh": ("就", "那就", "则", "便", "否则", "不然", "的话", "嘅话", "唔系嘅话", "直接"),
        "id": ("maka", "baru", "nanti", "ntar", "langsung", "auto"),
        "vi": (
            *("thì", "là tôi", "là mình", "là em", "là tao", "là tui", "không thì", "bằng không", "chứ không thì"),
            *("kẻo",),
        ),
    },
    "past": {
        "en": (
            *("almost went", "nearly went", "last year", "years ago", "a while back", "was going to", "went away"),
            *("were going to", "was about to", "all sorted", "got resolved", "was resolved", "withdrew"),
            *("different shop", "another shop", "other shop", "different seller", "another seller"),
            # "back then" alone would be "I'll get the bank to claw it back then"
            *("in the past", "previously", "way back then", "back then i", "back then we", "back then it"),
            *("last time i had to", "the last time i"),
            *("years back", "got sorted", "sorted now", "all good now"),
            *("we're all good", "were all good", "so we're good", "thanks for sorting", "thank you for sorting"),
        ),
        "zh": (
            *("差点去", "差一点去", "差点就去", "差点报", "差点就报", "去年", "前年", "本来想", "曾经", "后来找到"),
            *("撤销了", "撤回了", "撤诉", "撤销投诉", "撤回投诉", "没事了", "解决了", "别家", "别的店", "其他店"),
            *("气话", "上次", "上回", "那次", "已解决", "早就解决", "后来没事"),
            *("上年", "另一间", "另一家", "另外一家", "别的商家", "其他商家", "本来准备", "还好没"),
            *("是我太冲动", "我太冲动", "一时冲动", "太冲动了", "才追回来", "才拿回来", "才要回来"),
            *("气头上", "是我气头上", "一时气话"),
            *("投诉撤了", "撤了投诉", "差啲去", "差点去", "差一点去", "差点就去", "差啲就去"),  # withdrawn; nearly went
        ),
        "id": (
            *("hampir lapor", "nyaris lapor", "sempat mau", "sempet mau", "waktu itu", "tahun lalu", "ga jadi"),
            *("gak jadi", "nggak jadi", "enggak jadi", "tidak jadi", "batal", "toko lain", "seller lain", "keburu"),
            *("emosi bilang", "saya emosi", "gw emosi"),
            *("dulu pernah", "udah beres", "sudah beres", "udah selesai", "sudah selesai", "bulan lalu", "minggu lalu"),
        ),
        "vi": (
            *("suýt báo", "suýt đi", "lần trước", "năm ngoái", "hồi trước", "trước đây", "đã từng", "từng báo"),
            *("từng kiện", "từng khiếu nại", "từng bị", "đóng rồi", "shop khác", "lần đó", "hồi đó", "hồi xưa"),
            *("đã giải quyết", "giải quyết xong", "tháng trước", "tuần trước", "trước kia"),
            *("hãng khác", "do nóng giận", "lúc nóng giận", "vì nóng giận", "nóng quá nói"),
        ),
    },
    "someone_else": {
        "en": (
            *("if someone", "if somebody", "if anyone", "if anybody", "if a buyer", "if a customer"),
            *("when someone", "when a buyer", "when a customer", "if people", "if buyers", "if customers"),
            *("if a seller", "when buyers", "i heard", "people say", "someone said", "said she", "said he"),
            *("said they", "says she", "says he", "she said", "he said", "they said", "my friend said"),
            *("my neighbor said", "one review says", "a review says", "a review said", "reviews say"),
            *("said i could", "said i can", "told me i could", "told me i can"),  # advice: "... said I could sue"
            *("my coworker", "my co-worker", "my colleague", "a coworker", "a colleague", "told me she", "told me he"),
            *("my cat", "my dog", "the cat", "the dog"),  # "my cat is threatening to sue you 😂"
        ),
        "zh": (
            *("如果有人", "要是有人", "万一有人", "假如有人", "如果买家", "如果顾客", "遇到", "听说", "有人说"),
            *("据说", "说他", "说她", "他说", "她说", "佢话", "佢讲", "劝我", "建议我", "朋友说"),
            *("邻居", "同事", "同学", "看到有人", "刷到有人", "有人曝光"),
            *("朋友让我", "朋友叫我", "家人让我", "别人让我"),  # advice the writer weighs: "... 我觉得没必要"
        ),
        "id": (
            *("kalau ada yang", "kalo ada yang", "jika ada yang", "bila ada yang", "kalau pembeli", "jika pembeli"),
            *("katanya", "kata orang", "denger-denger", "ada yang nulis", "ada yang bilang", "ada yg bilang"),
            *("tetangga", "temen gw", "temen gue", "teman saya", "temen saya", "teman gw"),
            *("liat video", "lihat video", "nonton video"),  # a video the writer watched: somebody else's post
        ),
        "vi": (
            *("nếu có người", "nếu ai đó", "nếu người mua", "nếu khách", "khi có người", "nghe nói", "người ta nói"),
            *("có người", "người ta bảo"),
            *("hàng xóm", "xem clip", "xem video", "coi clip"),  # a neighbour; a clip the writer watched
        ),
    },
    "threat_questions": {
        "en": (
            *("want me to", "you think i won't", "think i wont", "should i", "shall i", "or do i", "or should i"),
            *("do i need to", "do i have to", "must i", "will i have to", "am i going to have to", "what does it take"),
            *("or would you rather", "or do you want"),  # "refund me, or would you rather see me in court?"
            *("really want me", "aware that i'm", "aware that i am", "know that i'm about"),
            *("do you want to hear", "hear it from", "why i shouldn't", "why shouldn't i", "going to have to"),
            *("is it better if i just", "better if i just", "you think i can't", "think i cant", "aren't you afraid"),
            *("do you know how easy", "how easy it is for me", "do you really want to explain"),
            "would you rather",
            *("really think i won't", "really think i wont", "do you want this to"),
        ),
        "zh": (
            "要不要我",
            "信不信",
            "是不是要我",
            "想让我",
            "非要我",
            "难道要我",
            "要我",
            "是不是逼我",
            "非得我",
            "还是要我",
            "还是等着",
            *("逼我", "不怕我", "唔怕我", "想我", "系咪想我"),  # 你是逼我去找银行拒付吗? 你们不怕我曝光吗?
            *("是不是该", "是不是要等我", "真以为", "以为我不敢", "信唔信", "试试看", "是不是觉得", "是不是以为"),
            *("是觉得我", "觉得我不敢"),
            *("你估我唔敢", "估我唔敢", "你猜我", "你猜猜", "猜猜看", "要不要猜", "唔想我", "要不要试试"),
        ),
        "id": (
            *("mau saya", "perlu saya", "harus saya", "apa perlu", "haruskah saya", "perlu gw", "mau gw", "harus gw"),
            *("atau kita", "atau mau", "atau saya", "atau gw"),  # "dikembalikan atau kita ketemu di pengadilan?"
            *("mau gue", "mau aku", "mau tokonya", "mau toko lu"),
            *("kalian mau", "anda mau", "kamu mau", "lu mau", "mau ketemu", "mau diselesaikan"),
            *("pikir gue gak bisa", "pikir gw gak bisa", "kira gue gak bisa", "pikir saya tidak bisa"),
            *("kira saya gak bisa", "gak takut", "ga takut", "nggak takut", "tidak takut", "gk takut", "enggak takut"),
            *("pikir saya gak berani", "kira saya gak berani", "pikir saya ga berani", "pikir gue gak berani"),
            *("siap gak kalau", "siap ga kalau", "siap nggak kalau"),
        ),
        "vi": (
            "muốn tôi",
            "có cần tôi",
            "hay là tôi",
            "phải để tôi",
            "tôi có cần",
            "có phải tôi phải",
            "hay muốn",
            "hay để",
            # "shop muốn mình báo công an không?"
            *("muốn mình", "muốn tao", "muốn tui", "muốn em", "có muốn", "có tin"),
            *("thích", "tính để tôi", "để tôi phải", "muốn gặp", "nghĩ tôi không dám", "tưởng tôi không dám"),
            *("nghĩ mình không dám", "tưởng mình không dám", "nghĩ tôi không", "tưởng tôi không"),
            *("hay với", "hay là với"),
        ),
    },
    "on_behalf": {  # a third party acting for the writer: the step is the writer's ("he can help me sue")
        "en": ("help me", "helping me", "for me", "on my behalf", "with me", "for her", "for us"),
        "zh": ("帮我", "替我", "帮忙", "陪我", "同我"),
        "id": ("bantu saya", "bantuin saya", "bantu gw", "bantuin gw", "nemenin saya", "temenin saya", "untuk saya"),
        "vi": ("giúp mình", "giúp tôi", "giúp em", "hộ mình", "hộ tôi", "thay mình", "thay tôi"),
    },
    # the writer writes for a relative: the relative's steps are the case's ("asking for my mum ... she'll sue")
    "proxies": {
        "en": (
            *("for my mum", "for my mom", "for my mother", "for my dad", "for my father", "for my parents"),
            *("for my grandma", "for my grandmother", "for my grandpa", "for my grandfather", "on behalf of my"),
        ),
        "zh": (
            *("帮我爸问", "帮我妈问", "帮我阿妈问", "帮我老豆问", "帮我爸爸问", "帮我妈妈问", "替我爸问", "替我妈问"),
            *("代我爸", "代我妈", "帮家人问", "帮我爷爷问", "帮我奶奶问", "帮我阿嫲问"),
        ),
        "id": ("untuk ibu saya", "buat ibu saya", "buat mama saya", "buat bapak saya", "untuk ayah saya", "mewakili"),
        "vi": (
            "hỏi giúp mẹ",
            "hỏi giùm mẹ",
            "hỏi hộ mẹ",
            "nhắn giúp mẹ",
            "hỏi giúp bố",
            "hỏi hộ bố",
            "thay mẹ",
            "thay bố",
        ),
    },
    "withdrawals": {  # after a step in its sentence, the writer says it was stopped ("..., I talked him out of it")
        "en": (
            *("talked him out of it", "talked her out of it", "talked them out of it", "told him not to"),
            *("told her not to", "convinced him not to", "convinced her not to"),
        ),
        "zh": (
            "叫佢唔好",
            "叫他不要",
            "叫他别",
            "劝他不要",
            "劝他别",
            "劝住了",
            "拦住了",
            "叫她不要",
            "叫她别",
            "劝她不要",
        ),
        "id": ("saya larang", "sudah saya larang", "udah gw larang", "saya cegah", "udah saya cegah"),
        "vi": ("tôi can rồi", "tôi đã can", "mình can rồi", "bảo anh ấy đừng", "khuyên anh ấy đừng", "can anh ấy"),
    },
    "compulsions": {  # a reluctant step is still a step: "I don't want to sue, but you leave me no choice"
        "en": (
            *("no choice", "leaving me no", "leave me no", "left me no", "forcing me", "force my hand"),
            *("forcing my hand", "but i will if", "but i'll if", "if i have to", "if i must", "if need be"),
        ),
        "zh": ("迫我", "逼我", "没办法", "冇办法", "别无选择", "没有选择", "被逼", "逼人太甚"),
        "id": ("terpaksa", "maksa saya", "memaksa saya", "maksa gw", "gak ada pilihan", "tidak ada pilihan"),
        "vi": (
            *("buộc tôi", "ép tôi", "buộc mình", "ép mình", "không còn cách", "không còn lựa chọn", "hết cách"),
            *("lựa chọn nào khác", "không để lại cho tôi"),
        ),
    },
    "coordinators": {
        "en": ("or", "nor"),
        "zh": ("或", "或者", "也不", "也没", "也不会"),
        "id": ("atau", "ataupun", "maupun"),
        "vi": ("hay", "hoặc", "cũng không"),
    },
    "subjects": {
        "en": ("i", "i'm", "im", "i'll", "i've", "ive", "we", "we'll", "we're", "we've"),
        "zh": ("我", "我们", "老子", "本人"),
        "id": ("saya", "sy", "aku", "gue", "gua", "gw", "kami"),
        "vi": ("tôi", "mình", "tao", "tui", "chúng tôi"),
    },
    "sayings": {  # a negation of a saying or a need reaches over a subject: "not saying I'll sue", "ga usah saya lapor"
        "en": ("not saying", "didn't say", "didnt say", "never said", "did not say", "not that", "doesn't mean"),
        "zh": ("没说", "没有说", "不是说", "并不是说", "没讲", "唔系话", "不代表", "不用", "不必", "用不着", "无需"),
        "id": (
            *("gak bilang", "ga bilang", "nggak bilang", "tidak bilang", "bukan berarti", "tidak berarti"),
            *("gak usah", "ga usah", "nggak usah", "gausah", "tidak usah", "tak usah", "tidak perlu", "gak perlu"),
            *("ga perlu", "nggak perlu", "tak perlu"),
        ),
        "vi": ("không nói", "chưa nói", "không nói là", "chưa nói là", "đâu có nói", "không có nghĩa là", "không cần"),
    },
    "contrasts": {
        "en": ("but", "though", "however", "yet", "this time", "now"),
        "zh": ("但", "但是", "可是", "不过", "这次", "这回", "现在"),
        "id": ("tapi", "tetapi", "namun", "kali ini", "sekarang"),
        "vi": ("nhưng", "nhưng mà", "lần này", "bây giờ", "giờ"),
    },
    "breaks": {
        "en": ("but", "and", "so", "because", "though"),
        "zh": ("但", "但是", "可是", "不过", "而且", "然后", "所以", "结果"),
        "id": ("tapi", "tetapi", "namun", "dan", "terus", "lalu", "jadi", "soalnya"),
        "vi": ("nhưng", "mà", "và", "rồi", "nên"),
    },
}
_WORD_WINDOW = 3  # words between a negation cue and an occurrence, in scripts with spaces
_CONDITION_WINDOW = 3  # words between a condition word and its negation (one more after Chinese)
_REACH = 80  # characters before an occurrence where a negation cue may start
_MAX_VARIANTS = 64  # variants of one phrase: beyond, only as written and all bare
_MAX_ITEM = 500  # an item mark closes within this many characters
_MEMO = 1 << 16  # scope answers kept per text (by the occurrence's start)
_CARRY = 60  # characters before a Chinese occurrence where an earlier clause's past marker may lie
_COMPEL_REACH = 120  # characters after a negated occurrence where a compulsion ("no choice") un-negates it

# scope cue kinds, as bits of one automaton's values
_NEG, _FRAME, _COND, _CONSEQ, _PAST, _OTHER, _ASKS, _BREAK, _OR, _CONTRA, _SAYS, _BEHALF, _COMPEL, _PROXY, _UNDONE = (
    _BITS
) = tuple(1 << i for i in range(15))
_KIND_BITS = {
    "not_negating": _FRAME,
    "conditions": _COND,
    "consequences": _CONSEQ,
    "past": _PAST,
    "someone_else": _OTHER,
    "threat_questions": _ASKS,
    "breaks": _BREAK,
    "coordinators": _OR,
    "contrasts": _CONTRA,
    "sayings": _SAYS,
    "on_behalf": _BEHALF,
    "compulsions": _COMPEL,
    "proxies": _PROXY,
    "withdrawals": _UNDONE,
}

# clause and sentence ends (after NFKC: ，；：！？ are , ; : ! ?); a period or colon between digits is none
_PUNCTUATION = re.compile("[,;!?。、…\n.:]")  # clause ends: these, but a period or a colon between digits
_SENTENCE_ENDS = ";!?。\n"  # and a period: sentence ends
ITEM_MARKS = ("\u27e6", "\u27e7")
"""The marks around an item's name in ``messages.customer_text_items_marked`` (``⟦...⟧``)."""
ITEM_RX = re.compile(f"\u27e6[^\u27e6\u27e7]{{0,{_MAX_ITEM - 2}}}+\u27e7")
"""An item's name with its marks, as the phrase sets read it (``item name``): at most 500 characters."""


_CJK_RANGES: tuple[tuple[int, int], ...] = (
    *((0x3040, 0x30FF), (0x3400, 0x9FFF), (0xF900, 0xFAFF), (0xAC00, 0xD7AF), (0x0E00, 0x0EFF)),
    *((0x1000, 0x109F), (0x1780, 0x17FF)),
)
_CJK_RX = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in _CJK_RANGES) + "]")  # (_is_cjk, in a regex)


def _is_cjk(ch: str) -> bool:
    """A character of a script written without spaces between words (CJK, Thai, Lao, Khmer, Myanmar):
    there, phrases match anywhere, not as whole words."""
    o = ord(ch)
    return any(first <= o <= last for first, last in _CJK_RANGES)


def _word_char(ch: str) -> bool:
    # letters, digits and their marks in spaced scripts; an apostrophe ends a word ("lawyer's" holds "lawyer")
    if ch.isalnum():
        return ch < "\u0e00" or not _is_cjk(ch)
    return unicodedata.combining(ch) != 0


# Indonesian and Malay write a doubled word with a 2 ("muntah2": vomiting again and again; "obat2an") and add
# clitics to a word ("dananya": the money, "transaksinya"): a phrase followed by them is still a whole word
_SUFFIXES = ("2an", "2", "2nya", "nya", "lah", "kah")  # "obat2nya": doubled, then -nya
_NO_SUFFIXES = frozenset({"vi"})  # the languages whose phrases take no suffix (Vietnamese: not written so)
_SUFFIXES_BOUNDED = tuple(f"{suffix}\x01" for suffix in _SUFFIXES)  # as the word shadow's keys end


_WORD_RX = re.compile(f"((?:[^\\W_]|[{COMBINING}])+)")  # a word of a phrase, with its marks


_DOUBLED_RX = re.compile(f"([{LATIN_LOWER}])\\1")  # a doubled Latin letter


def _single(word: str, least: int) -> str:
    """``word`` with its doubled Latin letters written once (``call`` -> ``cal``), how a stretched doubled
    letter reads after normalization squeezed it (``callll`` -> ``cal``); ``word`` itself when fewer than
    ``least`` characters would remain (``off`` is not ``of``, ``too`` not ``to``)."""
    if not _DOUBLED_RX.search(word):
        return word
    single = _DOUBLED_RX.sub(r"\1", word)
    return single if len(single) >= least else word


def variants(phrase: str) -> tuple[str, ...]:
    """The texts a normalized phrase matches: itself first, then — for a phrase of two or more
    words — each combination of its words with diacritics written as written or bare
    (``luật sư``: ``luật sư``, ``luật su``, ``luat sư``, ``luat su``) and with doubled letters
    written as written or once (``call the police``, ``cal the police``: normalization squeezes a
    stretched ``callll`` to ``cal``), and each of these with its words run together (``luậtsư`` ...:
    spaced letters, joined, ``l u ậ t s ư``). A one-word phrase: itself, and without its doubled
    letters when four letters or more remain (``attorney``, ``atorney``; not ``call``, ``cal``); in a phrase of
    several words, a word loses its doubled letters only when three or more remain (``off myself`` is not
    ``of myself``)."""
    parts = _WORD_RX.split(phrase)  # separators at even indexes, words at odd ones
    words = parts[1::2]
    if len(words) < 2:
        single = _single(phrase, 4)
        return (phrase,) if single == phrase else (phrase, single)
    choices = [tuple(dict.fromkeys((w, bare := strip_marks(w), _single(w, 3), _single(bare, 3)))) for w in words]
    combos: list[tuple[str, ...]]
    if math.prod(len(c) for c in choices) > _MAX_VARIANTS:
        combos = [tuple(c[0] for c in choices), tuple(c[-1] for c in choices)]
    else:
        combos = list(itertools.product(*choices))
    out = []
    for combo in combos:
        pieces = list(parts)
        pieces[1::2] = combo
        out.append("".join(pieces))
    if not _CJK_RX.search(phrase):
        out.extend("".join(combo) for combo in combos)
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class PhraseMatch:
    """One occurrence of a phrase in a normalized text, and whether it counts."""

    phrase: str  # the phrase as normalized (with its diacritics, whichever variant the text holds)
    language: str
    start: int  # offset in the normalized text
    counted: bool
    why_not: str | None = None  # quoted, item name, exception, question, past, someone else, negated, no context
    end: int = -1  # offset in the normalized text, after the occurrence
    cue: str | None = None  # the words behind why_not (the negation, the past marker ...)
    context: str | None = None  # for a set with a context: the context phrase that made it count
    note: str | None = None  # for an occurrence that counts: a scope cue set aside, and why (explanations only)


class LanguagePhrases(NamedTuple):
    """The phrases of a set in one language, normalised."""

    language: str
    phrases: tuple[str, ...]


class _Key(NamedTuple):
    """What a key of a set stands for (a phrase, a variant of it, an exception)."""

    phrase: str | None  # the phrase it matches, None for an exception only
    language: str
    cjk: bool  # matched anywhere, not as whole words
    exception: bool


_ids = itertools.count(1)


@dataclass(frozen=True)
class PhraseSet:
    """Phrases per language, plus exceptions, and an optional context; immutable and hashable (usable
    in compiled rules)."""

    name: str
    phrases: tuple[LanguagePhrases, ...]
    exceptions: tuple[str, ...] = ()
    context: PhraseSet | None = None  # an occurrence counts only with a counted phrase of it in its sentence
    aside: bool = False  # asks instead whether a scope rule set an occurrence aside (:data:`SET_ASIDE`)
    _keys: tuple[tuple[str, _Key], ...] = field(init=False, default=(), compare=False, repr=False)
    _id: int = field(init=False, default=0, compare=False, repr=False)
    # the index that scans texts for this set, and the set's slot in it (one attribute: read in one step)
    _place: tuple[PhraseIndex, int] | None = field(init=False, default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        keys: dict[str, _Key] = {}
        for lang, ps in self.phrases:
            for p in ps:
                norm = normalize(p).strip()
                cjk = _CJK_RX.search(norm) is not None
                for i, v in enumerate(variants(norm) if norm else ()):
                    if v not in keys or (i == 0 and keys[v].phrase != v):  # the phrase itself wins over a variant
                        keys[v] = _Key(norm, lang, cjk, False)
        for e in self.exceptions:
            norm = normalize(e).strip()
            for v in variants(norm) if norm else ():
                old = keys.get(v)
                keys[v] = _Key(None, "", False, True) if old is None else old._replace(exception=True)
        object.__setattr__(self, "_keys", tuple(keys.items()))
        object.__setattr__(self, "_id", next(_ids))

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "_place": None}  # (its index stays: another process makes its own)

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state, _id=next(_ids))  # an id of this process: answers are kept by it

    @classmethod
    def build(cls, name: str, phrases: dict[str, list[str]], exceptions: list[str] | None = None) -> PhraseSet:
        langs = tuple(
            sorted(
                LanguagePhrases(lang, tuple(dict.fromkeys(normalize(p).strip() for p in ps if p.strip())))
                for lang, ps in phrases.items()
            )
        )
        return cls(name, langs, tuple(normalize(e).strip() for e in (exceptions or []) if e.strip()))

    def near(self, context: PhraseSet) -> PhraseSet:
        """This set, whose occurrences count only when a phrase of ``context`` counts in the same sentence
        (``lawyer`` near "call", "hire", "my": a profession word counts only in a threat frame). A policy
        writes it ``FACT mentions SET near CONTEXT``."""
        return _near_set(self, context)

    def set_aside(self) -> PhraseSet:
        """This set, asked instead whether a scope rule set one of its occurrences aside: negated, asked, past,
        someone else's, quoted, an exception or an item's name (:data:`SET_ASIDE`; an occurrence without its
        context is not set aside, only incomplete). A policy writes it ``FACT mentions SET set aside``: a
        learned signal, which has no scope rule of its own, can be vetoed where the phrase rules read a
        negation ("I'm not going to sue")."""
        return _aside_set(self)

    @property
    def size(self) -> int:
        return sum(len(ps) for _, ps in self.phrases)

    def find(self, text: str, limit: int | None = None) -> list[PhraseMatch]:
        """Every occurrence, counted or not (and why not), in text order; with ``limit``, the first ``limit``
        (an explanation shows a few: a text repeating a phrase 100,000 times is not walked to its end)."""
        found: list[PhraseMatch] = []
        prepared = prepare(text)
        if prepared.answers.get(~self._id) is None:  # not known to hold no phrase at all (_answer)
            self._walk(prepared, found, limit)
        return found

    def mentions(self, text: str) -> bool:
        """Whether a phrase occurs in ``text`` as a claim (counted), or, for a set made by :meth:`set_aside`,
        whether a scope rule set an occurrence aside; the answer is kept with the text."""
        prepared = prepare(text)
        return self._aside(prepared) if self.aside else self._answer(prepared)

    def _aside(self, prepared: PreparedText) -> bool:
        answers = prepared.answers
        hit = answers.get(self._id)
        if hit is None:
            hit = answers[self._id] = self._walk(prepared, [], aside=True)
        return hit

    def _placed(self) -> tuple[PhraseIndex, int]:
        place = self._place
        if place is None:  # a set used alone (not compiled in a pack): an index of its own
            place = PhraseIndex.of((self,), claim=False)._place_of(self)
        return place

    def _answer(self, prepared: PreparedText) -> bool:
        answers = prepared.answers
        hit = answers.get(self._id)
        if hit is None:
            index, slot = self._placed()
            if slot not in index.found(prepared)[1]:
                hit = False  # the common case: not a phrase, nothing to look at
                answers[~self._id] = False  # (find need not walk it again)
            else:
                hit = self._walk(prepared, None)
            answers[self._id] = hit
        return hit

    def _counted(self, prepared: PreparedText) -> tuple[array[int], array[int], list[str]]:
        """Where this set's counted occurrences start and end in a prepared text (sorted by start), and their
        phrases; computed once per text."""

        def compute(norm: str) -> tuple[tuple[array[int], array[int], list[str]], int]:
            found: list[PhraseMatch] = []
            if self._answer(prepared):
                self._walk(prepared, found, counted_only=True)
            counted = [(m.start, m.end, m.phrase) for m in found]
            starts, ends = array("q", (s for s, _, _ in counted)), array("q", (e for _, e, _ in counted))
            return (starts, ends, [p for _, _, p in counted]), 24 * len(counted)

        return prepared.derived(f"counted {self._id}", compute)

    def _walk(
        self,
        prepared: PreparedText,
        found: list[PhraseMatch] | None,
        limit: int | None = None,
        *,
        counted_only: bool = False,
        aside: bool = False,
    ) -> bool:
        """Check the occurrences the index found: with ``found``, record every one (counted or not, and why not),
        in text order (with ``limit``, the first ``limit``); without, stop at the first that counts. Whether one
        counts; with ``aside``, whether one is set aside (stopping at the first, ``found`` kept short)."""
        index, slot = self._placed()
        scan = index.found(prepared)
        if slot not in scan[1]:
            return False
        if found is None and self.context is not None and not self.context._counted(prepared)[0]:
            return False  # no occurrence counts without its context, and the context counts nowhere
        (exc_starts, exc_ends), longest = index.exceptions(prepared, scan, slot)
        walk = _Walk(prepared, exc_starts, exc_ends, longest, found, self.context)
        walk.counted_only = counted_only
        check = walk.check
        occurrences: Iterable[tuple[int, int, _Entry]] = index.occurrences(prepared, scan, slot)
        if limit is not None and scan[0] is None:  # (read again: the first found, as the automata go)
            occurrences = sorted(itertools.islice(occurrences, limit), key=lambda o: o[0])
        elif limit is not None:
            first = index.occurrences(prepared, scan, slot, per_key=limit)
            occurrences = sorted(first, key=lambda o: o[0])[:limit]
        for start, end, entry in occurrences:
            if check(start, end, entry.phrase, entry.language) and found is None:
                return True
            if aside and found:
                if found[-1].why_not in SET_ASIDE:
                    return True
                found.clear()  # (a flood of counted occurrences is not kept)
        if aside:
            return False
        if found is not None:
            found.sort(key=lambda m: m.start)
        return walk.counted


# ----------------------------------------------------------------------------------------
# One scan of a text for many sets: the index
# ----------------------------------------------------------------------------------------

_BOUND = "\x01"  # in a text's word shadow, every character that is not a word character
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@cache
def _shadow_table() -> list[int]:
    """``str.translate``'s table of the word shadow, for the Basic Multilingual Plane (a list: several times
    faster than a dict)."""
    chars = [chr(o) for o in range(0x10000)]
    cjk = bytearray(0x10000)
    for first, last in _CJK_RANGES:
        cjk[first : last + 1] = b"\x01" * (last - first + 1)
    return [
        o if (c.isalnum() and (o < 0xE00 or not cjk[o])) or unicodedata.combining(c) else 1 for o, c in enumerate(chars)
    ]


def _word_shadow(text: str) -> str:
    """``text`` with every character that is not a word character replaced by ``\\x01`` (same length)."""
    shadow = text.translate(_shadow_table())
    if _ASTRAL.search(shadow):
        shadow = _ASTRAL.sub(lambda m: m.group() if _word_char(m.group()) else _BOUND, shadow)
    return shadow


class _Entry(NamedTuple):
    """What a key of an index's automata stands for, in one slot."""

    slot: int
    phrase: str | None  # None: an exception
    language: str
    length: int  # of the occurrence in the text
    check: str | None  # the key, when its shadow holds bounds (a space, an apostrophe: any would do there)
    whole: bool = False  # a phrase of symbols only, found anywhere: a whole word all the same


# the characters texts hold most, first among an automaton's root's children: ASCII (case folded), the most
# frequent Chinese characters (Simplified: texts are folded to it), Vietnamese letters (see _Anywhere)
_ASCII_FREQUENT = " etaoinsrhldcumfpgwybvkxjqz0123456789.,'-!?\"/:;()"
_HAN_FREQUENT = (
    "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么"
    "心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现"
    "分将外但身些与高意进把法此实回二理美点月明钱货款退买卖家店"
)
_LATIN_FREQUENT = "".join(
    chr(o)
    for o in [*range(0xE0, 0x100), *range(0x100, 0x1B1), *range(0x1EA0, 0x1EFA)]
    if unicodedata.category(chr(o)) == "Ll"
)
_NEVER = "\uffff\uffff\uffff"  # ends the keys that only order the root's children (their value: None)


class _Anywhere:
    """An automaton of keys matched anywhere (Chinese phrases, their exceptions, the Chinese scope cues ...),
    fast on texts of other scripts too. pyahocorasick looks a character up among a node's children one by one:
    hundreds of Chinese first characters at the root would cost every character of a text that long search.
    So the root's children are ordered by how often texts hold them (ASCII, frequent Chinese characters,
    the other first characters of keys, Vietnamese letters): a character that starts no key is put there by a
    key that never occurs; a text holding no first character of a key is not read at all. The values found
    are tuples (several keys may share one), or None (the keys that never occur)."""

    def __init__(self, keys: dict[str, Any]) -> None:
        firsts = {k[0] for k in keys}
        self._firsts = re.compile("[" + "".join(re.escape(c) for c in sorted(firsts)) + "]") if firsts else None
        automaton = ahocorasick.Automaton()
        # the root's children, in this order: ASCII, frequent Chinese characters, the other first characters of
        # keys, Vietnamese letters (a character that starts no key is put there by a key that never occurs)
        order = [*_ASCII_FREQUENT, *_HAN_FREQUENT, *sorted(firsts), *_LATIN_FREQUENT]
        by_first: dict[str, list[str]] = {}
        for key in keys:
            by_first.setdefault(key[0], []).append(key)
        for c in dict.fromkeys(order):
            if c in by_first:
                for key in by_first[c]:
                    automaton.add_word(key, (keys[key],))
            else:
                automaton.add_word(f"{c}{_NEVER}", None)
        automaton.make_automaton()
        self._automaton = automaton

    def iter(self, prepared: PreparedText) -> Iterator[tuple[int, tuple[Any, ...] | None]]:
        """(the offset of its last character, the values of the keys found there) of each occurrence."""
        norm = prepared.norm
        if self._firsts is None or self._firsts.search(norm) is None:
            return iter(())
        return cast(Iterator[tuple[int, "tuple[Any, ...] | None"]], self._automaton.iter(norm))


_INDEXES: OrderedDict[frozenset[tuple[object, ...]], PhraseIndex] = OrderedDict()
_INDEXES_LOCK = threading.Lock()
_KEPT_INDEXES = 16  # the indexes kept (least recently used out): a pack's, a few sets used alone

_Found = tuple["dict[int, array[int]] | None", frozenset[int]]
"""A text's scan by an index: where each key (by its value's id) ends (None: too many to keep, read again when
needed), and the slots with a phrase found."""
_MAX_KEPT = 1_000_000  # key occurrences a scan keeps (8 bytes each); beyond, the automata are read again


class PhraseIndex:
    """The phrases and exceptions of several phrase sets (and their contexts) in two Aho-Corasick automata, so
    that a text is scanned once for all of them; a compiled pack makes one of its sets, a set used alone makes
    its own.

    - phrases of scripts with spaces are looked for in the text's *word shadow*, the text with every
      character that is not a word character (a space, a quote, a Chinese character ...) replaced by one
      bound, each phrase between two bounds (``\\x01sue\\x01``; and with the Indonesian suffixes,
      ``\\x01dananya\\x01``): the automaton reports whole words only, so "pursue" or "lawyers" cost nothing;
    - phrases of scripts without spaces and every exception are looked for anywhere in the text.

    The scan keeps where each key ends (an array of integers per key found); a set's occurrences are made from
    it when the set is read, and a set asked whether it holds a claim stops at the first that counts. Sets
    with the same phrases and exceptions share a slot (``lawyer`` and ``lawyer near threat``)."""

    @classmethod
    def of(cls, sets: Iterable[PhraseSet], *, claim: bool = True) -> PhraseIndex:
        """The index of ``sets`` and their contexts, which then scan texts with it (with ``claim`` False, only
        those that have no index yet). Indexes are kept by the phrases and exceptions they hold: loading the
        same pack again, or building a second engine of it, builds no other."""
        members: list[PhraseSet] = []
        seen: set[int] = set()
        todo = list(sets)
        while todo:
            s = todo.pop()
            if id(s) not in seen:
                seen.add(id(s))
                members.append(s)
                if s.context is not None:
                    todo.append(s.context)
        key = frozenset((s.phrases, s.exceptions) for s in members)
        with _INDEXES_LOCK:
            index = _INDEXES.get(key)
            if index is not None:
                _INDEXES.move_to_end(key)
        if index is None:
            index = cls(members)
            with _INDEXES_LOCK:
                _INDEXES[key] = index
                while len(_INDEXES) > _KEPT_INDEXES:
                    _INDEXES.popitem(last=False)
        for s in members:
            if claim or s._place is None:  # a pack's index takes its sets; a set's own index takes no other's
                object.__setattr__(s, "_place", index._place_of(s))
        return index

    def __init__(self, members: list[PhraseSet]) -> None:
        slots: dict[tuple[object, ...], int] = {}
        self.entries: list[_Entry] = []
        words: dict[str, list[int]] = {}  # key -> the entries it stands for
        anywhere: dict[str, list[int]] = {}
        for s in members:
            signature = (s.phrases, s.exceptions)
            if signature not in slots:
                slots[signature] = len(slots)
                self._add(s, slots[signature], words, anywhere)
        self._slots = slots
        self._longest = [0] * len(slots)
        for e in self.entries:
            if e.phrase is None:
                self._longest[e.slot] = max(self._longest[e.slot], e.length)
        # a value id per key: (the key's length, its entries)
        self._values = [(len(key), tuple(ids)) for table in (words, anywhere) for key, ids in table.items()]
        word_ids = dict(zip(words, range(len(words)), strict=True))
        anywhere_ids = dict(zip(anywhere, range(len(words), len(self._values)), strict=True))
        self._id = ~next(_ids)
        self._words = self._automaton(word_ids)
        self._anywhere = _Anywhere(anywhere_ids) if anywhere_ids else None

    def _add(self, s: PhraseSet, slot: int, words: dict[str, list[int]], anywhere: dict[str, list[int]]) -> None:
        entries = self.entries
        for key, k in s._keys:
            shadow = _word_shadow(key)
            symbols = shadow == _BOUND * len(key)  # a phrase of symbols only: found anywhere, a whole word
            if k.phrase is not None:
                entry = len(entries)
                if k.cjk or symbols:
                    anywhere.setdefault(key, []).append(entry)
                    entries.append(_Entry(slot, k.phrase, k.language, len(key), None, not k.cjk))
                else:
                    base = _BOUND + shadow
                    words.setdefault(base + _BOUND, []).append(entry)
                    if key[-1].isalpha() and k.language not in _NO_SUFFIXES:  # "dananya", "refundnya", "muntah2"
                        for suffix in _SUFFIXES_BOUNDED:
                            words.setdefault(base + suffix, []).append(entry)
                    entries.append(_Entry(slot, k.phrase, k.language, len(key), key if _BOUND in shadow else None))
            if k.exception:
                entry = len(entries)
                if _CJK_RX.search(key) or symbols:
                    anywhere.setdefault(key, []).append(entry)
                    entries.append(_Entry(slot, None, "", len(key), None))
                else:  # from the start of a word ("fire tv" in "fire tvs", not in "campfire tv")
                    words.setdefault(f"{_BOUND}{shadow}", []).append(entry)
                    entries.append(_Entry(slot, None, "", len(key), key if _BOUND in shadow else None))

    @staticmethod
    def _automaton(keys: dict[str, int]) -> Any:
        if not keys:
            return None
        automaton = ahocorasick.Automaton()
        for key, vid in keys.items():
            automaton.add_word(key, vid)
        automaton.make_automaton()
        return automaton

    def _place_of(self, s: PhraseSet) -> tuple[PhraseIndex, int]:
        return self, self._slots[(s.phrases, s.exceptions)]

    def found(self, prepared: PreparedText) -> _Found:
        """The scan of a prepared text, computed once per text."""
        return prepared.derived(f"phrases {self._id}", lambda norm: self._scan(prepared))

    def _stream(self, prepared: PreparedText) -> Iterator[tuple[int, int]]:
        """Every key found in a prepared text, as (the offset of its last character, its value id), in order of
        the automata."""
        if self._words is not None:
            yield from self._words.iter(_shadow(prepared))
        if self._anywhere is not None:
            for last, vids in self._anywhere.iter(prepared):
                for vid in vids or ():
                    yield last, vid

    def _scan(self, prepared: PreparedText) -> tuple[_Found, int]:
        ends: dict[int, array[int]] = {}
        entries = self.entries
        n = 0
        for last, vid in self._stream(prepared):
            positions = ends.get(vid)
            if positions is None:
                ends[vid] = array("q", (last,))
            else:
                positions.append(last)
            n += 1
            if n > _MAX_KEPT:  # a flood of keys on keys ("啊", "啊啊" ... in 10 MB of 啊): read again, not kept
                return (None, frozenset(e.slot for e in entries if e.phrase is not None)), 200
        values = self._values
        slots = frozenset(entries[i].slot for vid in ends for i in values[vid][1] if entries[i].phrase is not None)
        return (ends, slots), 200 + sum(8 * len(a) + 120 for a in ends.values())

    def _groups(self, prepared: PreparedText, found: _Found) -> Iterable[tuple[int, Iterable[int]]]:
        """(value id, where its key ends) from the scan, or read again from the automata when it kept none."""
        if found[0] is not None:
            return found[0].items()
        return ((vid, (last,)) for last, vid in self._stream(prepared))

    def occurrences(
        self, prepared: PreparedText, found: _Found, slot: int, per_key: int | None = None
    ) -> Iterator[tuple[int, int, _Entry]]:
        """A slot's occurrences (start, end, entry), key by key, each key's in text order (with ``per_key``,
        its first ``per_key``: among them are the first ``per_key`` of all)."""
        norm = prepared.norm
        size = len(norm)
        entries = self.entries
        values = self._values
        taken: dict[int, int] = {}  # per entry, with per_key
        for vid, positions in self._groups(prepared, found):
            length, ids = values[vid]
            for i in ids:
                entry = entries[i]
                if entry.slot != slot or entry.phrase is None:
                    continue
                left = size if per_key is None else per_key - taken.get(i, 0)
                if left <= 0:
                    continue
                width, check, whole = entry.length, entry.check, entry.whole
                for last in positions:
                    start = last + 1 - length
                    if check is not None and not norm.startswith(check, start):
                        continue
                    if whole and (
                        (start and _word_char(norm[start - 1])) or (last + 1 < size and _word_char(norm[last + 1]))
                    ):
                        continue  # symbols only, found anywhere: not after or before a word character
                    yield start, start + width, entry
                    left -= 1
                    if per_key is not None:
                        taken[i] = taken.get(i, 0) + 1
                    if not left:
                        break

    def exceptions(self, prepared: PreparedText, found: _Found, slot: int) -> tuple[Spans, int]:
        """A slot's exceptions (starts, ends), sorted by end, and the length of the longest; computed once."""

        def compute(norm: str) -> tuple[tuple[Spans, int], int]:
            pairs: list[tuple[int, int]] = []
            if not self._longest[slot]:  # the slot has no exception
                return ((array("q"), array("q")), 0), 100
            for vid, positions in self._groups(prepared, found):
                length, ids = self._values[vid]
                for i in ids:
                    entry = self.entries[i]
                    if entry.slot == slot and entry.phrase is None:
                        size, check = entry.length, entry.check
                        for last in positions:
                            start = last + 1 - length
                            if check is None or norm.startswith(check, start):
                                pairs.append((start, start + size))
            pairs.sort(key=lambda p: p[1])
            spans_ = (array("q", (a for a, _ in pairs)), array("q", (b for _, b in pairs)))
            return (spans_, self._longest[slot]), 16 * len(pairs) + 100

        return prepared.derived(f"exceptions {self._id} {slot}", compute)


class _Walk:
    """The occurrences of one walk over a prepared text, and why each does not count."""

    __slots__ = (
        "context",
        "counted",
        "counted_only",
        "exc_ends",
        "exc_starts",
        "found",
        "items",
        "longest",
        "prepared",
        "quotes",
        "scope",
    )

    def __init__(
        self,
        prepared: PreparedText,
        exc_starts: array[int],
        exc_ends: array[int],
        longest: int,
        found: list[PhraseMatch] | None,
        context: PhraseSet | None,
    ) -> None:
        self.prepared = prepared
        self.exc_starts = exc_starts  # the exceptions' occurrences, sorted by end
        self.exc_ends = exc_ends
        self.longest = longest
        self.found = found
        self.context = context
        self.counted = False
        self.counted_only = False  # record the occurrences that count only
        quotes = prepared.derived("quotes", quoted_spans)
        items = prepared.derived("items", _item_spans)
        self.quotes = quotes if quotes[0] else None
        self.items = items if items[0] else None
        self.scope: _Scope = prepared.derived("scope", lambda norm: _Scope.of(prepared))

    def check(self, start: int, end: int, phrase: str | None, lang: str) -> bool:
        """Check an occurrence; whether one has counted so far."""
        why, cue, ctx = self.why_not(start, end)
        if why is None:
            self.counted = True
        if self.found is not None and (why is None or not self.counted_only):
            note = None if why is not None or self.scope.quiet else self.scope.despite(self.prepared.norm, start)
            self.found.append(PhraseMatch(phrase or "", lang, start, why is None, why, end, cue, ctx, note))
        return self.counted

    def why_not(self, start: int, end: int) -> tuple[str | None, str | None, str | None]:
        """(why the occurrence does not count, the cue behind it, the context phrase that made it count):
        quoted, item name, exception, question, past, someone else, negated, no context; None: it counts."""
        quotes = self.quotes
        if quotes is not None:
            i = bisect_right(quotes[0], end - 1) - 1
            if i >= 0 and quotes[1][i] > start:
                return "quoted", None, None
        items = self.items
        if items is not None:
            i = bisect_right(items[0], end - 1) - 1
            if i >= 0 and items[1][i] > start:
                return "item name", None, None
        ends = self.exc_ends
        if ends:  # an exception covers it: one that ends at or after its end, at most ``longest`` after its start
            i = bisect_left(ends, end)
            while i < len(ends) and ends[i] <= start + self.longest:
                if self.exc_starts[i] <= start:
                    return "exception", None, None
                i += 1
        scope = self.scope
        ctx = None
        if self.context is not None:  # first: a binary search, where the scope's reasons read words around it
            ctx = scope.context_in_sentence(self.prepared, self.context, start, end)
            if ctx is None:
                return "no context", None, None
        if not scope.quiet:
            why = scope.why_not(self.prepared, start)
            if why is not None:
                return why[0], why[1], None
        return None, None, ctx


SET_ASIDE = frozenset({"quoted", "item name", "exception", "question", "past", "someone else", "negated"})
"""The reasons a scope rule sets an occurrence aside (``mentions SET set aside``); ``no context`` is none."""


@functools.lru_cache(maxsize=256)
def _aside_set(base: PhraseSet) -> PhraseSet:
    """``base set aside``, one object per set (its answer is kept per text, as every set's)."""
    return replace(base, name=f"{base.name} set aside", aside=True)


@functools.lru_cache(maxsize=256)
def _near_set(base: PhraseSet, context: PhraseSet) -> PhraseSet:
    """``base near context``, one object for one pair: the rules that test it share its answer per text."""
    return replace(base, name=f"{base.name} near {context.name}", context=context)


def _item_spans(norm: str) -> tuple[Spans, int]:
    """The item marks of a normalized text: ``⟦``, at most 498 characters without a mark, ``⟧``."""
    if ITEM_MARKS[0] not in norm:
        return (array("q"), array("q")), 0
    return spans(ITEM_RX.finditer(norm))


# ----------------------------------------------------------------------------------------
# The scope of an occurrence: clauses, sentences and the scope cues of a text
# ----------------------------------------------------------------------------------------


@cache
def _cue_automata() -> tuple[Any, Any]:
    """Every scope cue (negations and :data:`SCOPES`), normalized, with their bare forms, in two automata: the
    cues of scripts with spaces on a text's word shadow (values: the key's length, the cue's kinds' bits, the cue
    when the shadow does not tell it from other texts) and the others anywhere (the key's length, the bits)."""
    kinds: dict[str, int] = {}
    tables = [("negations", NEGATIONS), *SCOPES.items()]
    for kind, table in tables:
        if kind != "negations" and kind not in _KIND_BITS:
            continue  # subjects: looked for between a negation and an occurrence only (_has_subject)
        bit = _NEG if kind == "negations" else _KIND_BITS[kind]
        for cues in table.values():
            for cue in cues:
                norm = normalize(cue).strip()
                forms = variants(norm) if " " in norm else (norm, strip_marks(norm))
                for form in forms:
                    kinds[form] = kinds.get(form, 0) | bit
    words = ahocorasick.Automaton()
    anywhere: dict[str, tuple[int, tuple[int, ...], bool]] = {}
    for key, bits in kinds.items():
        kind_bits = tuple(b for b in _BITS if bits & b)
        if _CJK_RX.search(key):
            anywhere[key] = (len(key), kind_bits, False)
        elif _BOUND * len(key) == _word_shadow(key):  # "->", "=": whole words of their own
            anywhere[key] = (len(key), kind_bits, True)
        else:
            shadow = _word_shadow(key)
            words.add_word(f"{_BOUND}{shadow}{_BOUND}", (len(key) + 2, kind_bits, key if _BOUND in shadow else None))
    words.make_automaton()
    return words, _Anywhere(anywhere)


def _shadow(prepared: PreparedText) -> str:
    """The word shadow of a prepared text between two bounds (its offset i is the text's i - 1), kept with it."""
    return prepared.derived("word shadow", lambda norm: ((x := f"{_BOUND}{_word_shadow(norm)}{_BOUND}"), len(x)))


def _alone(norm: str, start: int, end: int) -> bool:
    """Whether a cue at [start, end) is a whole word: not after or before a letter, a digit (a Chinese character
    too), an apostrophe or an underscore ("don't" holds no "don", "我no" no "no")."""
    if start and ((c := norm[start - 1]).isalnum() or c == "'" or c == "_"):
        return False
    return end == len(norm) or not ((c := norm[end]).isalnum() or c == "'" or c == "_")


def _ends(norm: str) -> tuple[array[int], array[int]]:
    """Where the clauses and the sentences of a normalized text end (the offsets of their end marks)."""
    clauses, sentences = array("q"), array("q")
    size = len(norm)
    for m in _PUNCTUATION.finditer(norm):  # a period or a colon between digits ends nothing
        i = m.start()
        c = norm[i]
        if c == ".":
            if i + 1 < size and norm[i + 1].isdecimal():
                continue
            sentences.append(i)
        elif c == ":":
            if i and norm[i - 1].isdecimal():
                continue
        elif c in _SENTENCE_ENDS:
            sentences.append(i)
        clauses.append(i)
    return clauses, sentences


def _cues(prepared: PreparedText) -> dict[int, tuple[list[int], list[int]]]:
    """The scope cues of a prepared text, by kind: (starts, ends) each, as the automata report them."""
    norm = prepared.norm
    found: dict[int, tuple[list[int], list[int]]] = {bit: ([], []) for bit in _BITS}
    words, anywhere = _cue_automata()
    size = len(norm)
    for last, (length, bits, key) in words.iter(_shadow(prepared)):
        start = last + 1 - length  # the first bound's offset in the shadow: the cue's in the text
        end = last - 1
        if key is not None and not norm.startswith(key, start):
            continue
        # (_alone, inline: the shadow says no word character is next to it, a Chinese one or "'" may be)
        if (start and ((c := norm[start - 1]) in "'_" or c.isalnum())) or (
            end < size and ((c := norm[end]) in "'_" or c.isalnum())
        ):
            continue
        for bit in bits:
            starts, ends = found[bit]
            starts.append(start)
            ends.append(end)
    for last, values in anywhere.iter(prepared):
        end = last + 1
        for length, bits, whole in values or ():
            start = end - length
            if whole and not _alone(norm, start, end):
                continue
            for bit in bits:
                starts, ends = found[bit]
                starts.append(start)
                ends.append(end)
    return found


# a word between a cue and an occurrence: a Chinese or Japanese character, or a run of letters or digits
_NO_SPACES = f"\u3040-\u30ff{HAN}"
_ASCII_WORD = re.compile(r"[a-z0-9](?:[a-z0-9']*)")
_HAN_RX = re.compile(f"[{HAN}]")
_UNIT_RX = re.compile(f"[{_NO_SPACES}]|[^\\W_{_NO_SPACES}](?:[^\\W_{_NO_SPACES}]|')*")


class _Scope:
    """The clause and sentence ends of a normalized text and its scope cues, each kind sorted by start."""

    __slots__ = (
        "asks",
        "behalf",
        "breaks",
        "clauses",
        "compels",
        "proxies",
        "undone",
        "conds",
        "conseqs",
        "contras",
        "frames",
        "memo",
        "negs",
        "ors",
        "others",
        "pasts",
        "question",
        "quiet",
        "says",
        "sentences",
        "size",
    )

    def __init__(
        self,
        prepared: PreparedText,
        clauses: array[int],
        sentences: array[int],
        cues: dict[int, tuple[array[int], array[int]]],
    ) -> None:
        norm = prepared.norm
        self.size = len(norm)
        self.clauses = clauses
        self.sentences = sentences
        self.negs = cues.get(_NEG)
        self.frames = cues.get(_FRAME)
        self.conds = cues.get(_COND)
        self.conseqs = cues.get(_CONSEQ)
        self.pasts = cues.get(_PAST)
        self.others = cues.get(_OTHER)
        self.asks = cues.get(_ASKS)
        self.breaks = cues.get(_BREAK)
        self.ors = cues.get(_OR)
        self.contras = cues.get(_CONTRA)
        self.says = cues.get(_SAYS)
        self.behalf = cues.get(_BEHALF)
        self.compels = cues.get(_COMPEL)
        self.proxies = cues.get(_PROXY)
        self.undone = cues.get(_UNDONE)
        self.memo: dict[int, object] = {}  # start -> why_not (a few occurrences' worth: _MEMO)
        self.question = "?" in norm  # a sentence may ask (a condition asked about: _hypothetical)
        # nothing that can stop an occurrence from counting: no cue, no question mark
        self.quiet = (
            self.negs is None
            and self.pasts is None
            and self.others is None
            and self.undone is None
            and not self.question
        )

    @classmethod
    def of(cls, prepared: PreparedText) -> tuple[_Scope, int]:
        clauses, sentences = _ends(prepared.norm)
        cues = {}
        n = len(clauses) + len(sentences)
        for bit, (starts, ends) in _cues(prepared).items():
            if not starts:
                continue
            if any(x > y for x, y in zip(starts, starts[1:], strict=False)):  # reported by end: sort by start
                pairs = sorted(zip(starts, ends, strict=True))
                starts, ends = [a for a, _ in pairs], [b for _, b in pairs]
            cues[bit] = (array("q", starts), array("q", ends))
            n += 2 * len(starts)
        return cls(prepared, clauses, sentences, cues), 8 * n + 200

    def _bounds(self, breaks: array[int], start: int) -> tuple[int, int]:
        """[lo, hi) of the clause (or sentence) holding ``start``: hi is its end mark's offset (or the size)."""
        if not breaks:
            return 0, self.size
        i = bisect_right(breaks, start - 1)
        return (breaks[i - 1] + 1 if i else 0), (breaks[i] if i < len(breaks) else self.size)

    @staticmethod
    def _first(pair: tuple[array[int], array[int]] | None, lo: int, hi: int) -> int:
        """The index of the first cue of ``pair`` that starts in [lo, hi), or -1."""
        if pair is None:
            return -1
        starts = pair[0]
        i = bisect_left(starts, lo)
        return i if i < len(starts) and starts[i] < hi else -1

    def why_not(self, prepared: PreparedText, start: int) -> tuple[str, str | None] | None:
        """(why an occurrence at ``start`` does not count, the cue) for the scope's reasons, or None; kept per
        start (the sets of a pack share places: ``kiện`` of one, ``kiện`` of another)."""
        if self.quiet:
            return None
        memo = self.memo
        known = memo.get(start, memo)
        if known is not memo:
            return cast("tuple[str, str | None] | None", known)
        why = self._why_not(prepared.norm, start)
        if len(memo) < _MEMO:
            memo[start] = why
            if len(memo) % 1024 == 0:
                prepared.grew(1024 * 100)  # (an entry: about 100 bytes)
        return why

    def _why_not(self, norm: str, start: int) -> tuple[str, str | None] | None:
        lo, hi = self._bounds(self.clauses, start)
        if hi < self.size and norm[hi] == "?" and self._first(self.asks, lo, start) < 0:
            return "question", None
        first = self._first
        if self.pasts is not None:
            past = self._past(norm, lo, hi, start)
            if past is not None:
                return "past", past
        carried = self._carried(norm, lo, start)
        if carried is not None:
            return "past", carried
        if self.undone is not None:
            j = first(self.undone, start, self._bounds(self.sentences, start)[1])
            if j >= 0:
                return "past", norm[self.undone[0][j] : self.undone[1][j]]
        other = self._other(lo, start)
        if other is not None and first(self.behalf, other[1], start) < 0 and first(self.proxies, 0, start) < 0:
            return "someone else", norm[other[0] : other[1]]
        if self.question and self.conds is not None and self._hypothetical(norm, lo, start):
            return "question", None  # "if the battery swells, can I get a new one?"
        negation = self._negation(norm, lo, start)
        if negation is not None and first(self.compels, start, start + _COMPEL_REACH) < 0:
            return "negated", negation
        return None

    def _carried(self, norm: str, lo: int, start: int) -> str | None:
        """For a Chinese occurrence in a clause with no subject before it: the past marker of an earlier clause of its
        sentence, which the clause goes on about (我朋友之前在别家被骗，有打165报案: about another shop), unless
        a subject or a contrast lies between them, or it is more than _CARRY characters away. (A third party is not
        carried: 他说一封存证信函就够你们受了，明天就寄 - the writer's own step, or the relative's for the writer.)"""
        if self.pasts is None or _HAN_RX.match(norm, start) is None:  # Han only
            return None
        lo_s, _ = self._bounds(self.sentences, start)
        starts, ends = self.pasts
        i = bisect_left(starts, lo) - 1  # the last marker before the clause
        if i < 0 or starts[i] < max(lo_s, start - _CARRY):
            return None
        if self._first(self.contras, ends[i], start) >= 0 or _has_subject(norm, ends[i], start):
            return None
        return norm[starts[i] : ends[i]]

    def _other(self, lo: int, start: int) -> tuple[int, int] | None:
        """(start, end) of the third party an occurrence at ``start`` is said of: the nearest before it in its clause
        (from ``lo``), unless a contrast lies between them ("katanya dikirim tanggal 20, tapi ... saya serahin ke
        pengacara": the writer's own step after all)."""
        if self.others is None:
            return None
        starts, ends = self.others
        i = bisect_left(starts, start) - 1
        if i < 0 or starts[i] < lo or self._first(self.contras, ends[i], start) >= 0:
            return None
        return starts[i], ends[i]

    def despite(self, norm: str, start: int) -> str | None:
        """For an occurrence at ``start`` that counts: the scope cue a rule set aside, said for an explanation
        (a third party acting for the writer, a negation a compulsion overrides), or None."""
        lo, _ = self._bounds(self.clauses, start)
        first = self._first
        other_at = self._other(lo, start)
        if other_at is not None and self.proxies is not None and (j := first(self.proxies, 0, start)) >= 0:
            other, proxy = norm[other_at[0] : other_at[1]], norm[self.proxies[0][j] : self.proxies[1][j]]
            return f"a third party ({other!r}) acts for the writer, who writes for a relative ({proxy!r})"
        if other_at is not None and self.behalf is not None:
            j = first(self.behalf, other_at[1], start)
            if j >= 0:
                other, helper = norm[other_at[0] : other_at[1]], norm[self.behalf[0][j] : self.behalf[1][j]]
                return f"a third party ({other!r}) acts for the writer ({helper!r})"
        negation = self._negation(norm, lo, start)
        if negation is not None and self.compels is not None:
            j = first(self.compels, start, start + _COMPEL_REACH)
            if j >= 0:
                compel = norm[self.compels[0][j] : self.compels[1][j]]
                return f"negated ({negation!r}), but a compulsion follows ({compel!r})"
        return None

    def _hypothetical(self, norm: str, lo: int, start: int) -> bool:
        """Whether an occurrence at ``start`` is inside a condition (a condition word before it in its clause, no
        consequence word or subject between) of a sentence that asks a question: a case asked about, not told."""
        lo_s, hi_s = self._bounds(self.sentences, start)
        if hi_s >= self.size or norm[hi_s] != "?" or self.conds is None:
            return False
        starts, ends = self.conds  # (checked by the caller too: mypy reads no narrowing across calls)
        i = bisect_left(starts, start) - 1
        if i < 0 or starts[i] < lo or ends[i] > start:
            return False
        b = ends[i]
        if self._first(self.conseqs, b, start) >= 0 or (start - b > 1 and _has_subject(norm, b, start)):
            return False  # "if you don't refund me I'll sue, ok?": the consequence is the step
        return self._first(self.asks, lo_s, hi_s) < 0

    def _past(self, norm: str, lo: int, hi: int, start: int) -> str | None:
        """The marker that says a step at ``start`` is over: one in its clause [lo, hi), unless a contrast lies
        between them ("I almost went to the police last year, but this time I will"). The nearest marker on each
        side decides: a contrast between it and the occurrence lies between any farther one too."""
        if self.pasts is None:
            return None
        starts, ends = self.pasts
        i = bisect_left(starts, start)  # the first marker at or after the occurrence
        before, after = i - 1, i
        first = self._first
        if before >= 0 and starts[before] >= lo and first(self.contras, ends[before], start) < 0:
            return norm[starts[before] : ends[before]]
        if after < len(starts) and starts[after] < hi and first(self.contras, start, starts[after]) < 0:
            return norm[starts[after] : ends[after]]
        return None

    def _negation(self, norm: str, lo: int, start: int) -> str | None:
        """The negation cue that negates an occurrence at ``start`` (its clause starts at ``lo``), or None."""
        if self.negs is None:
            return None
        starts, ends = self.negs
        lo = max(lo, start - _REACH)
        i = bisect_left(starts, start) - 1
        first = self._first
        while i >= 0 and starts[i] >= lo:
            a, b = starts[i], ends[i]
            i -= 1
            if b > start:
                continue
            if start - b > 1 and not _near(norm, b, start, _WORD_WINDOW):  # (next to it, or a character between)
                # "not going to leave a bad review or post about it": a negation reaches over "or"
                if first(self.ors, b, start) < 0 or not _near(norm, b, start, 2 * _WORD_WINDOW + 2):
                    continue
            if first(self.breaks, b, start) >= 0:
                continue  # a contrast between the cue and the occurrence
            if (
                first(self.conseqs, b, start) >= 0 or (start - b > 1 and _has_subject(norm, _next_word(norm, b), start))
            ) and not self._covers(self.says, a, b):
                # the condition's consequence, or a subject that starts another predicate ("don't care I'm suing",
                # 不退我报警), between them - unless the negation is of a saying ("not saying I'll sue", 没说我要报警)
                continue
            if self._covers(self.frames, a, b):
                continue  # 信不信, "don't make me": a frame that negates nothing
            if self._in_condition(norm, lo, a):
                continue  # the negation is the condition's ("if you don't refund me, ...")
            return norm[a:b]
        return None

    def _in_condition(self, norm: str, lo: int, a: int) -> bool:
        """Whether a condition word ends a few words before ``a`` (a negation cue's start), in its clause."""
        if self.conds is None:
            return False
        starts, ends = self.conds
        i = bisect_left(starts, a) - 1
        while i >= 0 and starts[i] >= lo:
            if ends[i] <= a:
                return _near(norm, ends[i], a, _CONDITION_WINDOW)
            i -= 1
        return False

    @staticmethod
    def _covers(pair: tuple[array[int], array[int]] | None, a: int, b: int) -> bool:
        """Whether a cue of ``pair`` starting at most 40 characters before ``a`` covers [a, b)."""
        if pair is None:
            return False
        starts, ends = pair
        i = bisect_right(starts, a) - 1
        while i >= 0 and starts[i] >= a - 40:
            if ends[i] >= b:
                return True
            i -= 1
        return False

    def context_in_sentence(self, prepared: PreparedText, context: PhraseSet, start: int, end: int) -> str | None:
        """The first counted phrase of ``context`` in the sentence of an occurrence [start, end) and apart from
        it (``báo`` inside ``nhà báo`` is no context of it), or None."""
        starts, ends, phrases = context._counted(prepared)
        if not starts:
            return None
        lo, hi = self._bounds(self.sentences, start)
        i = bisect_left(starts, lo)
        while i < len(starts) and starts[i] < hi:
            if ends[i] <= start or starts[i] >= end:
                return phrases[i]
            i += 1
        return None


@cache
def _subjects() -> tuple[frozenset[str], tuple[str, ...]]:
    """The subjects of :data:`SCOPES` (``subjects``), normalized: (words of spaced scripts, with their bare forms;
    Chinese and Japanese ones, found anywhere)."""
    words: set[str] = set()
    anywhere: set[str] = set()
    for cues in SCOPES["subjects"].values():
        for cue in cues:
            norm = normalize(cue).strip()
            if _CJK_RX.search(norm) is not None:
                anywhere.add(norm)
            else:
                words.update(w for word in norm.split() for w in (word, strip_marks(word)))
    return frozenset(words), tuple(sorted(anywhere))


def _next_word(norm: str, b: int) -> int:
    """Where the word after ``norm[b]`` ends (Chinese: the character after it): a subject right after a negation is
    the same predicate's, its object fronted ("tidak akan saya laporkan", "gak bakal saya viralin": I won't)."""
    n = len(norm)
    i = b
    while i < n and not (_word_char(norm[i]) or _is_cjk(norm[i])):
        i += 1
    if i < n and _is_cjk(norm[i]):
        return i + 1
    while i < n and _word_char(norm[i]):
        i += 1
    return i


def _has_subject(norm: str, a: int, b: int) -> bool:
    """Whether a subject of :data:`SCOPES` lies in ``norm[a:b]`` (at most a few words: between a negation and an
    occurrence it may negate). Not one more cue of the scope automaton: a pronoun is in nearly every message."""
    if b <= a or norm[a:b].isspace():  # nothing, or a space: no subject
        return False
    between = norm[a:b]
    words, anywhere = _subjects()
    if between.isascii():
        return any(w.strip('.,!?;:"()') in words for w in between.split())
    return any(s in between for s in anywhere) or any(w in words for w in _UNIT_RX.findall(between))


def _near(norm: str, a: int, b: int, limit: int) -> bool:
    """Whether at most ``limit`` words lie in ``norm[a:b]`` (a Chinese or Japanese character is a word), or
    ``limit + 1`` after a cue in those scripts (written without spaces, a cue reaches a little further)."""
    if b - a > _REACH:
        return False
    between = norm[a:b]
    if between.isascii():
        return len(_ASCII_WORD.findall(between)) <= limit
    if a and _is_cjk(norm[a - 1]):
        limit += 1
    return len(_UNIT_RX.findall(between)) <= limit


# ----------------------------------------------------------------------------------------
# Built-in sets: the authorities buyers name, per market (data files)
# ----------------------------------------------------------------------------------------

AUTHORITY_KINDS = {"regulator": "regulators", "police": "police", "court": "courts"}
"""The kinds of authority of the data files, and the built-in sets they make."""
MARKETS = ("cn", "tw", "hk", "id", "vn", "us", "eu", "uk")
"""The markets of the authority data files (``caseflow/policies/data/authorities/<market>.yaml``)."""


def _authority_files() -> dict[str, str]:
    folder = resources.files("caseflow.policies").joinpath("data", "authorities")
    return {m: folder.joinpath(f"{m}.yaml").read_text(encoding="utf-8") for m in MARKETS}


def read_authorities(market: str, text: str) -> list[tuple[str, dict[str, list[str]], list[str]]]:
    """The authorities of one market's data file: (kind, phrases per language, exceptions) each.
    ValueError when the file is not as documented (a shipped file: the tests read every one)."""
    doc, problems = parse_yaml(text, f"authorities/{market}.yaml")
    if problems or doc is None:
        raise ValueError("; ".join(str(p) for p in problems) or f"authorities/{market}.yaml is empty")
    data = doc.data
    entries = data.get("authorities") if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get("market") != market or not isinstance(entries, list):
        raise ValueError(f"authorities/{market}.yaml: 'market: {market}' and a list of 'authorities' are needed")
    out = []
    for i, entry in enumerate(entries):
        where = f"authorities/{market}.yaml, authority {i + 1}"
        if not isinstance(entry, dict) or entry.get("kind") not in AUTHORITY_KINDS or not entry.get("name"):
            raise ValueError(f"{where}: a name and a kind ({', '.join(AUTHORITY_KINDS)}) are needed")
        phrases = entry.get("phrases")
        if not isinstance(phrases, dict) or not phrases:
            raise ValueError(f"{where}: 'phrases' maps languages to lists of phrases")
        lists: dict[str, list[str]] = {}
        for lang, ps in phrases.items():
            if not isinstance(lang, str) or not isinstance(ps, list) or not all(isinstance(p, str) for p in ps):
                raise ValueError(f"{where}: phrases.{lang} is a list of phrases")
            lists[lang] = [p for p in ps if isinstance(p, str)]
        exceptions = entry.get("except", [])
        if not isinstance(exceptions, list) or not all(isinstance(e, str) for e in exceptions):
            raise ValueError(f"{where}: 'except' is a list of phrases")
        out.append((str(entry["kind"]), lists, [e for e in exceptions if isinstance(e, str)]))
    return out


@cache
def builtin_phrase_sets() -> dict[str, PhraseSet]:
    """The built-in phrase sets, by name: ``regulators``, ``police``, ``courts`` (every market) and
    ``<kind>.<market>`` (``regulators.tw``, ``police.id`` ...), from the authority data files."""
    merged: dict[str, tuple[dict[str, list[str]], list[str]]] = {}
    for market, text in _authority_files().items():
        for kind, lists, exceptions in read_authorities(market, text):
            name = AUTHORITY_KINDS[kind]
            for key in (name, f"{name}.{market}"):
                phrases, excepts = merged.setdefault(key, ({}, []))
                for lang, ps in lists.items():
                    phrases.setdefault(lang, []).extend(ps)
                excepts.extend(exceptions)
    return {name: PhraseSet.build(name, phrases, excepts) for name, (phrases, excepts) in sorted(merged.items())}


def builtin_phrase_set(name: str) -> PhraseSet | None:
    """A built-in phrase set (:func:`builtin_phrase_sets`) by name, or None."""
    return builtin_phrase_sets().get(name)
