"""Hostile text through the default policy pack, beside the leanest honest reference, in the same run.

    python bench/text.py [--mb 2] [--messages 300] [--message-mb 1] [--short 20000]

Prints:

1. the time of one adversarial message of ``--mb`` MB (unclosed quotes, near misses of every phrase
   set, negated, quoted and excepted phrases, zero-width and look-alike characters, Chinese and
   Vietnamese near misses: nothing that counts, so every phrase set reads all of it) through
   ``Engine(load_policies("rules/"), backend="python").evaluate(case)``, the message the case's last,
   nothing cached — beside the reference on the same text: for each phrase set of the pack, a
   ``str.find`` loop per phrase (the same phrases and diacritic-free variants) over the text
   normalized beforehand (not timed), with the same whole-word, quote and negation tests written
   plainly (the quoted spans found once, the negation looked for among the four words before);
2. the peak RSS growth (VmHWM, or ``ru_maxrss``) over ``--messages`` distinct messages of ``--message-mb`` MB
   through the same engine, beside the reference (normalize, then its loops) on the same messages,
   each measured in a fresh process;
3. ordinary short messages (``caseflow generate``'s conversations) through the pack: cases/s, each
   text new to the cache, best of 5 rounds;
4. (``--floods``) caseflow alone on one-pattern floods of ``--mb`` MB: the worst inputs found for
   each part of the matcher (unclosed quotes, negated phrases, spaced letters ...).

The ratios are caseflow / reference.
"""

from __future__ import annotations

import argparse
import bisect
import random
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from caseflow import Case, Engine, FixedClock, load_policies, parse_case  # noqa: E402
from caseflow.policies.conditions import NotOf, Test  # noqa: E402
from caseflow.policies.phrases import PhraseSet, variants  # noqa: E402
from caseflow.policies.text import cache_stats, normalize, quoted_spans  # noqa: E402

AT = "2026-11-11T10:00:00+08:00"
TEXT_RULES = {"legal-threat", "safety-incident", "regulator-complaint", "media-threat", "counterfeit-claim"}

# None of these counts: near misses (longer words, other diacritics, a bare single syllable), negated,
# quoted or excepted phrases, unclosed quotes; with zero-width and look-alike characters mixed in.
NEAR_MISSES = [
    "“", "「", "«", "„", "“pursue", "lawyers", "suer", "attorneys", "lawsuits", "sues",
    "pursu\u200be", "lаwyers", "fireworks", "smokes", "burner", "burners", "hospitals", "injuries",
    "explodes", "reporters", "journalists", "medias", "tiktoker", "facebooks", "fakes", "replicas",
    "counterfeits", "knockoffs", "not sue", "never fake", "no fire", "won't sue", '"sue"', "「律师」",
    "不起诉", "没有律师", "不会曝光", "别起訴", "không kiện", "tidak menggugat", "bukan palsu",
    "chạy", "kien", "no", "lawyer's briefcase", "fire tv", "smoke grey", "consumer", "protections",
    "thank you", "parcel", "refund", "please", "bong", "luạt", "起床", "律所", "師範",
]  # fmt: skip
# (not "chay" nor "nhờ": side by side with "no" or "lawyers" they are real threats - "chay no" is
# "cháy nổ" written without diacritics, "nhờ ... lawyers" asks a lawyer - and the pack finds them)


FLOODS = {
    "unclosed quotes only": "“",
    "unclosed quote, then a phrase (counts)": "“sue ",
    "unclosed quote, negated phrase": "“not sue ",
    "negated phrases": "I will not sue ",
    "near misses (pursue)": "pursue ",
    "spaced letters (one run)": "s u e ",
    "short runs of spaced letters": "a b c. ",
    "zero-width characters": "s\u200bu\u200be ",
    "Traditional Chinese, negated": "我不會起訴你們 ",
    "Vietnamese without diacritics, negated": "toi se khong nho luat su ",
    "stretched letters": "suuuue lawyerrrr ",
    "words of one letter (kept)": "bbbb ",
}


def adversarial(size: int, seed: int) -> str:
    rnd = random.Random(seed)
    out, n = [], 0
    while n < size:
        word = rnd.choice(NEAR_MISSES)
        out.append(word)
        n += len(word) + 1
    return " ".join(out)[:size]


def ordinary(size: int, seed: int) -> str:
    """A long, harmless message in the pack's languages (a 20 kB random text repeated: made without
    a peak of memory of its own)."""
    rnd = random.Random(seed)
    words = (
        "the parcel arrived late and the box was open please refund me I want my money back "
        "tôi muốn hoàn tiền vì hàng bị hỏng 我要退款 包裹坏了 barangnya rusak tolong kembalikan dana “as described”"
    ).split()
    chunk = " ".join(rnd.choice(words) for _ in range(4000)) + " "
    return (chunk * (size // len(chunk) + 1))[:size]


def case_with(text: str) -> Case:
    return parse_case(
        {
            "id": "T-1",
            "tenant": "shop",
            "channel": "chat",
            "case_type": "not_as_described",
            "created_at": "2026-11-11T09:00:00+08:00",
            "buyer": {"id": "b-1"},
            "orders": [{"id": "o-1", "amount": "120 CNY", "placed_at": "2026-11-01T10:00:00+08:00"}],
            "messages": [
                {"author": "buyer", "at": "2026-11-11T09:20:00+08:00", "text": "hello"},
                {"author": "buyer", "at": "2026-11-11T09:30:00+08:00", "text": text},
            ],
        }
    )


# ----------------------------------------------------------------------------------------
# The reference: str.find loops over pre-normalized text
# ----------------------------------------------------------------------------------------

_CUES = {"not", "never", "no", "won't", "wont", "don't", "dont", "didn't", "didnt", "wouldn't", "不", "没", "别"}
_CUES |= {"tidak", "tak", "nggak", "gak", "enggak", "bukan", "belum", "jangan", "không", "khong", "chẳng", "chang"}
_CUES |= {"chưa", "chua", "đừng", "dung", "无意", "不会", "不想", "不打算", "没有"}


def reference_sets(
    policies_dir: Path,
) -> list[tuple[list[tuple[str, bool]], list[str], list[tuple[str, bool]] | None]]:
    """Per ``mentions`` test of the pack: ([(phrase or variant, matched anywhere)], [exception variants],
    [context phrase variants] for ``SET near CONTEXT``, else None)."""
    out = []
    seen: set[tuple[int, int]] = set()

    def keys_of(ps: PhraseSet) -> list[tuple[str, bool]]:
        return [(v, any(_is_cjk(c) for c in p)) for _, phrases in ps.phrases for p in phrases for v in variants(p)]

    def walk(c: object) -> None:
        if isinstance(c, Test):
            ps = c.value
            if c.op == "mentions" and isinstance(ps, PhraseSet) and (id(ps), id(ps.context)) not in seen:
                seen.add((id(ps), id(ps.context)))
                context = keys_of(ps.context) if ps.context is not None else None
                out.append((keys_of(ps), [v for e in ps.exceptions for v in variants(e)], context))
        for child in getattr(c, "children", ()):
            walk(child)
        if isinstance(c, NotOf):
            walk(c.child)

    for policy in load_policies(policies_dir):
        for rule in policy.rules:
            walk(rule.when)
    return out


def _is_cjk(ch: str) -> bool:
    """Scripts without spaces: a phrase of them matches anywhere."""
    o = ord(ch)
    return 0x3040 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7AF or 0x0E00 <= o <= 0x0EFF or 0x1000 <= o <= 0x17FF


def _word(ch: str) -> bool:
    return ch.isalnum() and not _is_cjk(ch)


def reference_mentions(
    norm: str, keys: list[tuple[str, bool]], exceptions: list[str], context: list[tuple[str, bool]] | None = None
) -> bool:
    return next(_counted(norm, keys, exceptions, context), None) is not None


def _counted(
    norm: str, keys: list[tuple[str, bool]], exceptions: list[str], context: list[tuple[str, bool]] | None
) -> Iterator[int]:
    """Where a phrase counts: a whole word, not quoted, not in an exception, not after a negation cue, and
    (with a context) with a context phrase that counts so in its sentence."""
    (q_starts, q_ends), _ = quoted_spans(norm)
    excepted = sorted((i, i + len(e)) for e in exceptions for i in _finds(norm, e))
    e_starts = [a for a, _ in excepted]
    longest = max(map(len, exceptions), default=0)
    breaks: list[int] | None = None
    with_context: set[int] = set()  # the sentences (by number) that hold a context phrase
    for key, anywhere in keys:
        for i in _finds(norm, key):
            end = i + len(key)
            if not anywhere and ((i and _word(norm[i - 1])) or (end < len(norm) and _word(norm[end]))):
                continue
            j = bisect.bisect_right(q_starts, end - 1) - 1
            if j >= 0 and q_ends[j] > i:
                continue  # quoted
            j = bisect.bisect_right(e_starts, i) - 1
            while j >= 0 and e_starts[j] >= i - longest and excepted[j][1] < end:
                j -= 1
            if j >= 0 and e_starts[j] >= i - longest:
                continue  # inside an exception
            before = norm[max(0, i - 60) : i]
            if any(c in before[-4:] for c in ("不", "没", "别")):
                continue
            if not _CUES.isdisjoint(before.replace(",", ".").rsplit(".", 1)[-1].split()[-4:]):
                continue  # negated
            if context is not None:
                if breaks is None:  # once per text: the sentence ends, and the sentences with a context phrase
                    breaks = [m.start() for m in _SENTENCE_END.finditer(norm)]
                    with_context = {bisect.bisect_right(breaks, p) for p in _counted(norm, context, [], None)}
                if bisect.bisect_right(breaks, i) not in with_context:
                    continue  # no context phrase in its sentence
            yield i


_SENTENCE_END = re.compile(r"[.!?;。\n]")


def _finds(text: str, key: str) -> list[int]:
    out, i = [], text.find(key)
    while i != -1:
        out.append(i)
        i = text.find(key, i + 1)
    return out


# ----------------------------------------------------------------------------------------
# Measurements
# ----------------------------------------------------------------------------------------


def best(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def peak_rss_mib() -> float:
    """This process's peak resident set: VmHWM on Linux (``ru_maxrss`` keeps the parent's peak across
    fork and exec), ``ru_maxrss`` elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def rss_growth(kind: str, messages: int, message_mb: float) -> tuple[float, float, float]:
    """(MiB of peak RSS growth, seconds, MiB the text cache holds at the end) for ``messages``
    distinct messages, in this process."""
    engine = Engine(load_policies(ROOT / "rules"), clock=FixedClock(AT), backend="python")
    sets = reference_sets(ROOT / "rules")
    base = ordinary(int(message_mb * 1_000_000), seed=5)
    engine.evaluate(case_with("warm up"))
    before = peak_rss_mib()
    started = time.perf_counter()
    for i in range(messages):
        text = f"{i} {base}"
        if kind == "caseflow":
            engine.evaluate(case_with(text))
        else:
            norm = normalize(text)
            any(reference_mentions(norm, keys, exc, ctx) for keys, exc, ctx in sets)
    elapsed = time.perf_counter() - started
    return peak_rss_mib() - before, elapsed, cache_stats().bytes / 2**20


def short_messages(n: int) -> float:
    from caseflow.tools.generate import generate_cases

    engine = Engine(load_policies(ROOT / "rules"), clock=FixedClock(AT), backend="python")
    cases = [parse_case(c) for c in generate_cases(n, seed=3)]
    rates = []
    for r in range(5):  # texts new to the cache each round
        fresh = [
            c.model_copy(update={"messages": [m.model_copy(update={"text": f"{m.text} #{r}"}) for m in c.messages]})
            for c in cases
        ]
        t = time.perf_counter()
        for c in fresh:
            engine.evaluate(c)
        rates.append(len(fresh) / (time.perf_counter() - t))
    return max(rates)


def rss(a: argparse.Namespace) -> None:
    print(f"2. {a.messages} distinct {a.message_mb:g} MB messages, peak RSS growth (fresh process each):")
    grown: dict[str, list[float]] = {}
    for kind in ("caseflow", "reference"):
        child = ["--child", kind, "--messages", str(a.messages), "--message-mb", str(a.message_mb)]
        out = subprocess.run(
            [sys.executable, __file__, *child],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        grown[kind] = [float(x) for x in out]
    limit = cache_stats().max_bytes / 2**20
    print(
        f"   caseflow   {grown['caseflow'][0]:7.0f} MiB in {grown['caseflow'][1]:5.1f} s   "
        f"(the text cache holds {grown['caseflow'][2]:.0f} MiB; its limit {limit:.0f} MiB)"
    )
    print(f"   reference  {grown['reference'][0]:7.0f} MiB in {grown['reference'][1]:5.1f} s   (keeps nothing)")
    print(f"   ratio caseflow / reference: {grown['caseflow'][0] / max(grown['reference'][0], 1):.2f}x (RSS), "
          f"{grown['caseflow'][1] / grown['reference'][1]:.2f}x (time)")  # fmt: skip


def floods(engine: Engine, size: int) -> None:
    print(f"4. floods of {size / 1e6:g} MB, caseflow Engine.evaluate (nothing cached):")
    for name, unit in FLOODS.items():
        text = (unit * (size // len(unit) + 1))[:size]
        c = case_with(text)
        t = time.perf_counter()
        rules = sorted(set(engine.evaluate(c).rule_ids) & TEXT_RULES)
        print(f"   {name:<42} {(time.perf_counter() - t) * 1000:6.0f} ms  {', '.join(rules) or '-'}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=2.0)
    ap.add_argument("--messages", type=int, default=300)
    ap.add_argument("--message-mb", type=float, default=1.0)
    ap.add_argument("--short", type=int, default=20000)
    ap.add_argument("--floods", action="store_true")
    ap.add_argument("--child", choices=["caseflow", "reference"], help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(*rss_growth(a.child, a.messages, a.message_mb))
        return 0

    print(f"python {sys.version.split()[0]}; the default pack (rules/), python backend")
    engine = Engine(load_policies(ROOT / "rules"), clock=FixedClock(AT), backend="python")
    sets = reference_sets(ROOT / "rules")
    engine.evaluate(case_with("warm up"))

    # 1. one adversarial message
    size = int(a.mb * 1_000_000)
    texts = [adversarial(size, seed) for seed in range(3)]  # a new text each round: nothing cached
    cases = [case_with(t) for t in texts]
    fired = set(engine.evaluate(case_with(adversarial(size, 99))).rule_ids) & TEXT_RULES
    if fired:
        print(f"the adversarial message should hold nothing that counts, but fired {sorted(fired)}", file=sys.stderr)
        return 1
    times = []
    for c in cases:
        t = time.perf_counter()
        engine.evaluate(c)
        times.append(time.perf_counter() - t)
    ours = min(times)
    norms = [normalize(t) for t in texts]
    if any(any(reference_mentions(n, k, e, c) for k, e, c in sets) for n in norms):
        print("the reference found a phrase in the adversarial message", file=sys.stderr)
        return 1
    refs = []
    for n in norms:
        t = time.perf_counter()
        for keys, exc, ctx in sets:
            reference_mentions(n, keys, exc, ctx)
        refs.append(time.perf_counter() - t)
    ref = min(refs)
    print(f"1. one {a.mb:g} MB adversarial message ({len(texts[0]):,} characters), best of {len(texts)} texts:")
    print(f"   caseflow Engine.evaluate, end to end (normalization included) {ours * 1000:7.0f} ms  (target < 1000 ms)")
    print(f"   reference: str.find loops over the pre-normalized text        {ref * 1000:7.0f} ms")
    print(f"   ratio caseflow / reference                                    {ours / ref:7.2f}x")

    # 2. RSS growth over distinct messages, each side in a fresh process
    if a.messages:
        rss(a)

    # 3. the common path
    if a.short:
        rate = short_messages(a.short)
        print(f"3. ordinary short messages through the pack: {rate:,.0f} cases/s")
        print(f"   ({a.short:,} generated cases, every text new to the cache, best of 5 rounds)")

    # 4. one-pattern floods
    if a.floods:
        floods(engine, size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
