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
- an occurrence inside quotes (``"..."``, ``“...”``, ``「...」``, ``『...』``, ``«...»``, ``„...“``; a
  quote is closed within 500 characters) does not count: a buyer quoting the platform's policy
  is not threatening anything;
- an occurrence inside an exception phrase (a product name such as ``fire tv stick``) does not count;
- an occurrence right after a negation (``not``, ``won't``, ``不``, ``tidak``, ``không`` ...) in the
  same clause does not count: "I will not sue" is not a legal threat.

A set is one Aho-Corasick automaton (pyahocorasick) over its phrases, their diacritic-free
variants and its exceptions: a text is scanned once per set, and each occurrence is then checked
in constant time (word boundaries, a binary search in the quoted spans and the exceptions, the
few words before it). Linear in the text, whatever it holds. Each set's answer is kept with the
prepared text (:func:`caseflow.policies.text.prepare`), in a cache bounded by bytes.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections import deque
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

import ahocorasick  # type: ignore[import-not-found]

from .text import COMBINING, PreparedText, Spans, normalize, prepare, quoted_spans, strip_marks

__all__ = ["NEGATIONS", "LanguagePhrases", "PhraseMatch", "PhraseSet", "normalize", "variants"]

# Negation cues, written as people write them (normalized like the text when used). A cue counts
# among the last few words (scripts with spaces) or characters (Chinese) before an occurrence.
# Like phrases, a cue with diacritics also counts written without them ("khong" for "không").
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
    "vi": ("không", "chẳng", "chưa", "đừng", "sẽ không", "không hề", "không muốn"),
}
_CJK_WINDOW = 4  # characters before an occurrence searched for a negation, in scripts without spaces
_WORD_WINDOW = 4  # words before an occurrence searched for a negation, in scripts with spaces
_MAX_VARIANTS = 64  # variants of one phrase: beyond, only as written and all bare


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
    # letters, digits and their marks in spaced scripts; an apostrophe ends a word ("lawyer's" holds "lawyer")
    if ch.isalnum():
        return ch < "\u0e00" or not _is_cjk(ch)
    return unicodedata.combining(ch) != 0


_WORD_RX = re.compile(f"((?:[^\\W_]|[{COMBINING}])+)")  # a word of a phrase, with its marks


def variants(phrase: str) -> tuple[str, ...]:
    """The texts a normalized phrase matches: itself first, then — for a phrase of two or more
    words — each combination of its words with diacritics written as written or bare
    (``luật sư``: ``luật sư``, ``luật su``, ``luat sư``, ``luat su``), and each of these with its
    words run together (``luậtsư`` ...: spaced letters joined, ``l u ậ t s ư``). A one-word phrase:
    itself only."""
    parts = _WORD_RX.split(phrase)  # separators at even indexes, words at odd ones
    words = parts[1::2]
    if len(words) < 2:
        return (phrase,)
    choices = [(w,) if (bare := strip_marks(w)) == w else (w, bare) for w in words]
    combos: list[tuple[str, ...]]
    if 2 ** sum(len(c) - 1 for c in choices) > _MAX_VARIANTS:
        combos = [tuple(c[0] for c in choices), tuple(c[-1] for c in choices)]
    else:
        combos = list(itertools.product(*choices))
    out = []
    for combo in combos:
        pieces = list(parts)
        pieces[1::2] = combo
        out.append("".join(pieces))
    if not any(_is_cjk(c) for c in phrase):
        out.extend("".join(combo) for combo in combos)
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class PhraseMatch:
    phrase: str  # the phrase as normalized (with its diacritics, whichever variant the text holds)
    language: str
    start: int  # offset in the normalized text
    counted: bool
    why_not: str | None = None  # "quoted", "exception" or "negated"


class LanguagePhrases(NamedTuple):
    """The phrases of a set in one language, normalised."""

    language: str
    phrases: tuple[str, ...]


class _Key(NamedTuple):
    """What an automaton key stands for."""

    length: int  # of the key (a variant may be shorter than its phrase)
    phrase: str | None  # the phrase it matches, None for an exception only
    language: str
    cjk: bool  # matched anywhere, not as whole words
    exception: bool


_ids = itertools.count(1)


@dataclass(frozen=True)
class PhraseSet:
    """Phrases per language, plus exceptions; immutable and hashable (usable in compiled rules)."""

    name: str
    phrases: tuple[LanguagePhrases, ...]
    exceptions: tuple[str, ...] = ()
    _automaton: Any = field(init=False, default=None, compare=False, repr=False)
    _max_exception: int = field(init=False, default=0, compare=False, repr=False)
    _id: int = field(init=False, default=0, compare=False, repr=False)

    def __post_init__(self) -> None:
        keys: dict[str, _Key] = {}
        for lang, ps in self.phrases:
            for p in ps:
                norm = normalize(p).strip()
                cjk = any(_is_cjk(c) for c in norm)
                for i, v in enumerate(variants(norm) if norm else ()):
                    if v not in keys or (i == 0 and keys[v].phrase != v):  # the phrase itself wins over a variant
                        keys[v] = _Key(len(v), norm, lang, cjk, False)
        longest = 0
        for e in self.exceptions:
            norm = normalize(e).strip()
            for v in variants(norm) if norm else ():
                old = keys.get(v)
                keys[v] = _Key(len(v), None, "", False, True) if old is None else old._replace(exception=True)
                longest = max(longest, len(v))
        automaton = None
        if keys:
            automaton = ahocorasick.Automaton()
            for k, value in keys.items():
                automaton.add_word(k, tuple(value))
            automaton.make_automaton()
        object.__setattr__(self, "_automaton", automaton)
        object.__setattr__(self, "_max_exception", longest)
        object.__setattr__(self, "_id", next(_ids))

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
        found: list[PhraseMatch] = []
        self._walk(prepare(text), found)
        found.sort(key=lambda m: m.start)
        return found

    def mentions(self, text: str) -> bool:
        """Whether a phrase occurs in ``text`` as a claim (counted); the answer is kept with the text."""
        prepared = prepare(text)
        answers = prepared.answers
        hit = answers.get(self._id)
        if hit is None:
            if self._automaton is None or next(self._automaton.iter(prepared.norm), None) is None:
                hit = False  # the common case: not a phrase, not an exception, nothing to look at
            else:
                hit = self._walk(prepared, None)
            answers[self._id] = hit
        return hit

    def _walk(self, prepared: PreparedText, found: list[PhraseMatch] | None) -> bool:
        """Check each whole-word occurrence, in one pass of the automaton: with ``found``, record every
        one (counted or not, and why not); without, stop at the first that counts. Whether one counts."""
        automaton = self._automaton
        if automaton is None:
            return False
        norm = prepared.norm
        size = len(norm)
        word = _word_char
        walk = _Walk(prepared, self._max_exception, found)
        for last, (length, phrase, lang, cjk, exception) in automaton.iter(norm):
            end = last + 1
            start = end - length
            if exception:
                walk.exception(start, end)
            if phrase is None:
                continue
            if not cjk and ((start and word(norm[start - 1])) or (end < size and word(norm[end]))):
                continue  # not whole words
            if walk.occurrence(start, end, phrase, lang) and found is None:
                return True
        return walk.finish()


class _Walk:
    """The occurrences of one walk over a prepared text, and why each does not count.

    The automaton reports occurrences by their end. An exception covering an occurrence [start, end)
    ends at most ``longest`` characters after ``start``: an occurrence waits (``pending``) until the
    automaton is past that, so that every exception that could cover it has been seen. The text's
    quoted spans and negation cues are fetched on the first occurrence that needs them (computed once
    per text)."""

    __slots__ = ("counted", "exc_ends", "exc_starts", "found", "longest", "negations", "pending", "prepared", "quotes")

    def __init__(self, prepared: PreparedText, longest: int, found: list[PhraseMatch] | None) -> None:
        self.prepared = prepared
        self.longest = longest
        self.found = found
        self.counted = False
        self.exc_starts: list[int] = []  # the exceptions' occurrences, by end
        self.exc_ends: list[int] = []
        self.pending: deque[tuple[int, int, str, str]] = deque()
        self.quotes: Spans | None = None
        self.negations: tuple[Spans, Spans] | None = None

    def exception(self, start: int, end: int) -> None:
        self.exc_starts.append(start)
        self.exc_ends.append(end)

    def occurrence(self, start: int, end: int, phrase: str, lang: str) -> bool:
        """Take an occurrence; whether one has counted so far."""
        if not self.longest:
            return self._check(start, end, phrase, lang, False)
        pending = self.pending
        pending.append((start, end, phrase, lang))
        while pending and pending[0][0] + self.longest < end:
            if self._check(*pending.popleft(), None):
                return True
        return self.counted

    def finish(self) -> bool:
        for occurrence in self.pending:
            self._check(*occurrence, None)
        return self.counted

    def _check(self, start: int, end: int, phrase: str, lang: str, excepted: bool | None) -> bool:
        """Check an occurrence (``excepted`` None: look at the exceptions); whether one has counted so far."""
        if excepted is None:
            excepted = self._excepted(start, end)
        why = self.why_not(start, end, excepted)
        if why is None:
            self.counted = True
        if self.found is not None:
            self.found.append(PhraseMatch(phrase, lang, start, why is None, why))
        return self.counted

    def _excepted(self, start: int, end: int) -> bool:
        ends = self.exc_ends
        i = bisect_left(ends, end)
        while i < len(ends) and ends[i] <= start + self.longest:
            if self.exc_starts[i] <= start:
                return True
            i += 1
        return False

    def why_not(self, start: int, end: int, excepted: bool) -> str | None:
        """Why the occurrence does not count: "quoted", "exception", "negated"; None: it counts."""
        quotes = self.quotes
        if quotes is None:
            quotes = self.quotes = self.prepared.derived("quotes", quoted_spans)
        starts, ends = quotes
        if starts:
            i = bisect_right(starts, end - 1) - 1
            if i >= 0 and ends[i] > start:
                return "quoted"
        if excepted:
            return "exception"
        negations = self.negations
        if negations is None:
            negations = self.negations = self.prepared.derived("negation cues", _negation_cues)
        if _negated(self.prepared.norm, negations, start):
            return "negated"
        return None


@cache
def _cues() -> tuple[Any, Any]:
    """Two automata of the negation cues, normalized (the others with their bare forms): (Chinese, the
    others); each key's value is its length."""
    zh, words = ahocorasick.Automaton(), ahocorasick.Automaton()
    for lang, cues in NEGATIONS.items():
        for cue in cues:
            norm = normalize(cue)
            if lang == "zh":
                zh.add_word(norm, len(norm))
                continue
            for form in variants(norm) if " " in norm else (norm, strip_marks(norm)):
                words.add_word(form, len(form))
    zh.make_automaton()
    words.make_automaton()
    return zh, words


def _negation_cues(norm: str) -> tuple[tuple[Spans, Spans], int]:
    """Where the negation cues of a normalized text are, by end: (Chinese cues, the others — as found,
    whole words or not: :func:`_negated` looks at the few it needs)."""
    zh, words = _cues()
    found = []
    for automaton in (zh, words):
        hits = list(automaton.iter(norm))
        found.append((array("q", [last + 1 - n for last, n in hits]), array("q", [last + 1 for last, _ in hits])))
    return (found[0], found[1]), 16 * (len(found[0][0]) + len(found[1][0]))


# at most _WORD_WINDOW - 1 words between a cue and an occurrence, and no clause end (after NFKC,
# ！？；， are !?;,)
_SAME_CLAUSE = re.compile(rf"(?:[^\w'.!?;。,]+[\w']+){{0,{_WORD_WINDOW - 1}}}[^\w'.!?;。,]*")
_REACH = 60  # characters before an occurrence where a cue may start


def _negated(norm: str, cues: tuple[Spans, Spans], start: int) -> bool:
    """A negation cue among the few characters (Chinese) or words (of the same clause) before ``start``."""
    (zh_starts, zh_ends), (starts, ends) = cues
    if zh_ends:
        j = bisect_right(zh_ends, start) - 1
        while j >= 0 and zh_ends[j] > start - _CJK_WINDOW:
            if zh_starts[j] >= start - _CJK_WINDOW:
                return True
            j -= 1
    # the last cue (a whole word) before: if it is too far, or in another clause, so are the others
    j = bisect_right(ends, start) - 1
    while j >= 0 and starts[j] >= start - _REACH:
        a, b = starts[j], ends[j]
        if (a == 0 or not _cue_char(norm[a - 1])) and (b == len(norm) or not _cue_char(norm[b])):
            between = norm[b:start]
            return between.isspace() or _SAME_CLAUSE.fullmatch(between) is not None
        j -= 1
    return False


def _cue_char(ch: str) -> bool:
    return ch.isalnum() or ch == "'" or ch == "_"
