"""Phrase matching for risk signals in customer messages, in several languages, without regexes.

A :class:`PhraseSet` holds phrases per language (English, Chinese in simplified and
traditional characters, Indonesian, Vietnamese, ...) and exceptions. ``mentions(text)``
says whether any phrase occurs in ``text`` *as a claim*:

- matching ignores case and width (full-width ``ＬＡＷＹＥＲ`` is ``lawyer``) and accents
  (``luat su`` matches ``luật sư``; ``đ`` is ``d``);
- in scripts with spaces, a phrase matches whole words only (``sue`` is not in ``pursue``);
- an occurrence inside quotes (``"..."``, ``“...”``, ``「...」``, ``『...』``) does not count:
  a buyer quoting the platform's policy is not threatening anything;
- an occurrence right after a negation (``not``, ``won't``, ``不``, ``tidak``, ``không`` ...) does
  not count: "I will not sue" is not a legal threat;
- an occurrence inside an exception phrase (a product name such as ``fire tv stick``) does not
  count.

Every search is ``str.find`` over normalised text: linear, no backtracking.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

__all__ = ["NEGATIONS", "LanguagePhrases", "PhraseMatch", "PhraseSet", "normalize"]

# Negation cues, normalised like the text. Checked just before an occurrence.
NEGATIONS: dict[str, tuple[str, ...]] = {
    "en": (
        "not",
        "never",
        "no",
        "won't",
        "wont",
        "don't",
        "dont",
        "didn't",
        "didnt",
        "wouldn't",
        "will not",
        "do not",
        "no need to",
        "not going to",
        "no intention to",
        "no plan to",
    ),
    "zh": ("不", "没", "沒", "别", "別", "无意", "無意", "不会", "不會", "不想", "不打算", "没有", "沒有"),
    "id": ("tidak", "tak", "nggak", "gak", "enggak", "bukan", "belum", "jangan", "tidak akan", "tak akan"),
    "vi": ("khong", "chang", "chua", "dung", "se khong", "khong he", "khong muon"),
}
_QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』", "«": "»", "„": "“"}
_CJK_WINDOW = 4  # characters before an occurrence searched for a negation, in scripts without spaces
_WORD_WINDOW = 4  # words before an occurrence searched for a negation, in scripts with spaces


def normalize(text: str) -> str:
    """Width-, case- and accent-insensitive form (NFKC, casefold, no combining marks, đ→d)."""
    t = unicodedata.normalize("NFKC", text).casefold()
    t = t.replace("đ", "d").replace("’", "'").replace("‘", "'")
    decomposed = unicodedata.normalize("NFD", t)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _is_cjk(ch: str) -> bool:
    """A character of a script written without spaces between words (CJK, Thai, Lao, Khmer, Myanmar):
    there, phrases match anywhere, not as whole words."""
    o = ord(ch)
    return (
        0x3040 <= o <= 0x30FF
        or 0x3400 <= o <= 0x9FFF
        or 0xF900 <= o <= 0xFAFF
        or 0xAC00 <= o <= 0xD7AF
        or 0x0E00 <= o <= 0x0EFF
        or 0x1000 <= o <= 0x109F
        or 0x1780 <= o <= 0x17FF
    )


def _word_char(ch: str) -> bool:
    # letters and digits of spaced scripts; an apostrophe ends a word ("lawyer's" holds "lawyer")
    return ch.isalnum() and not _is_cjk(ch)


def _blank_quotes(t: str) -> str:
    """Replace quoted spans by spaces (same length, so offsets stay)."""
    out = list(t)
    i = 0
    while i < len(t):
        close = _QUOTES.get(t[i])
        if close is not None:
            j = t.find(close, i + 1)
            if j != -1 and j - i < 500:
                for k in range(i, j + 1):
                    out[k] = " "
                i = j + 1
                continue
        i += 1
    return "".join(out)


@dataclass(frozen=True)
class PhraseMatch:
    phrase: str
    language: str
    start: int
    counted: bool
    why_not: str | None = None


_ASCII_WORD = re.compile(r"[a-z0-9]+")  # a plain character class: linear, no backtracking


@lru_cache(maxsize=4096)
def _prepared(text: str) -> tuple[str, str]:
    """(normalised text, the same with quoted spans blanked): computed once per text, shared by
    every phrase set that looks at it."""
    norm = normalize(text)
    return norm, _blank_quotes(norm)


@lru_cache(maxsize=4096)
def _words(text: str) -> frozenset[str]:
    return frozenset(_ASCII_WORD.findall(_prepared(text)[0]))


@lru_cache(maxsize=4096)
def _has_cjk(text: str) -> bool:
    return any(_is_cjk(c) for c in text)


class LanguagePhrases(NamedTuple):
    """The phrases of a set in one language, normalised."""

    language: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class PhraseSet:
    """Phrases per language, plus exceptions; immutable and hashable (usable in compiled rules)."""

    name: str
    phrases: tuple[LanguagePhrases, ...]
    exceptions: tuple[str, ...] = ()
    _flat: tuple[tuple[str, str, bool], ...] = field(default=(), compare=False, repr=False)  # (lang, phrase, cjk)
    _first_words: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    _substrings: tuple[str, ...] = field(default=(), compare=False, repr=False)
    _cache: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)
    _substrings_cjk: bool = field(default=True, compare=False, repr=False)

    def __post_init__(self) -> None:
        flat = tuple((lang, p, any(_is_cjk(c) for c in p)) for lang, ps in self.phrases for p in ps)
        object.__setattr__(self, "_flat", flat)
        # a quick test before the careful one: the first ASCII word of each phrase, or the whole
        # phrase when it has none (Chinese)
        firsts, subs = set(), []
        for _, p, _ in flat:
            words = _ASCII_WORD.findall(p)
            if words and not any(_is_cjk(c) for c in p):
                firsts.add(words[0])
            else:
                subs.append(p)
        object.__setattr__(self, "_first_words", frozenset(firsts))
        object.__setattr__(self, "_substrings", tuple(subs))
        # the fallback phrases can only occur in a text with Chinese/Japanese/Korean characters
        object.__setattr__(self, "_substrings_cjk", all(any(_is_cjk(c) for c in p) for p in subs))

    @classmethod
    def build(cls, name: str, phrases: dict[str, list[str]], exceptions: list[str] | None = None) -> PhraseSet:
        langs = tuple(
            sorted(
                LanguagePhrases(lang, tuple(dict.fromkeys(normalize(p).strip() for p in ps if p.strip())))
                for lang, ps in phrases.items()
            )
        )
        return cls(name, langs, tuple(normalize(e).strip() for e in (exceptions or []) if e.strip()))

    @property
    def size(self) -> int:
        return sum(len(ps) for _, ps in self.phrases)

    def find(self, text: str) -> list[PhraseMatch]:
        """Every occurrence, counted or not (and why not), in text order."""
        norm, unquoted = _prepared(text)
        spans = []
        for e in self.exceptions:
            i = norm.find(e)
            while i != -1:
                spans.append((i, i + len(e)))
                i = norm.find(e, i + 1)
        out: list[PhraseMatch] = []
        for lang, p, cjk in self._flat:
            i = norm.find(p)
            while i != -1:
                end = i + len(p)
                whole = cjk or (
                    (i == 0 or not _word_char(norm[i - 1])) and (end == len(norm) or not _word_char(norm[end]))
                )
                if whole:
                    why = None
                    if unquoted[i:end] != norm[i:end]:
                        why = "quoted"
                    elif any(a <= i and end <= b for a, b in spans):
                        why = "exception"
                    elif _negated(norm, i, cjk):
                        why = "negated"
                    out.append(PhraseMatch(p, lang, i, why is None, why))
                i = norm.find(p, i + 1)
        out.sort(key=lambda m: m.start)
        return out

    def mentions(self, text: str) -> bool:
        hit = self._cache.get(text)
        if hit is None:
            hit = self._mentions(text)
            if len(self._cache) >= 4096:
                self._cache.clear()
            self._cache[text] = hit
        return hit

    def _mentions(self, text: str) -> bool:
        norm, _ = _prepared(text)
        if self._first_words.isdisjoint(_words(text)) and not (
            (_has_cjk(text) or not self._substrings_cjk) and any(p in norm for p in self._substrings)
        ):
            return False  # the common case: nothing to look at closely
        return any(m.counted for m in self.find(text))


def _negated(norm: str, start: int, cjk: bool) -> bool:
    before = norm[max(0, start - 60) : start]
    # scripts without spaces: a cue among the few characters just before
    window = before[-_CJK_WINDOW:]
    for cue in NEGATIONS["zh"]:
        if cue in window:
            return True
    # scripts with spaces: a cue among the last few words (of this sentence)
    for stop in (".", "!", "?", ";", "。", "！", "？", "；", ","):
        k = before.rfind(stop)
        if k != -1:
            before = before[k + 1 :]
    words = before.split()[-_WORD_WINDOW:]
    tail = " ".join(words)
    for lang in ("en", "id", "vi"):
        for cue in NEGATIONS[lang]:
            if " " in cue:
                if f" {cue} " in f" {tail} ":
                    return True
            elif cue in words:
                return True
    return False
