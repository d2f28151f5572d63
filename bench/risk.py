"""How well the default pack finds high-risk messages, on the labelled evaluation set, beside a plain reference.

    python bench/risk.py [--policies rules/] [--sets dev,holdout,extra,...] [--file PATH] [--misses SET]
                         [--against OLD_RULES/] [--json]

Reads ``src/caseflow/risk/data/messages.{dev,holdout}.jsonl`` (README beside them: 846 dev and 302
held-out short customer messages in English, Simplified and Traditional Chinese, Indonesian and
Vietnamese, each labelled legal, regulator, safety, media, chargeback, self_harm or none; ``also``
lists a second risk). Each message becomes the only buyer message of an ordinary case, evaluated
through the public API (``Engine(load_policies(POLICIES)).evaluate(case)``); the classes found are
read from the decision: the ``reason`` of its ``escalate`` actions (``legal_threat`` -> legal,
``regulator_complaint`` -> regulator, ``safety_incident`` -> safety, ``media_threat`` -> media,
``chargeback_threat`` -> chargeback, ``self_harm`` -> self_harm; other reasons, such as a
counterfeit claim, are no class of the set).

Prints, for dev and holdout side by side:

1. precision, recall and F1 per class (a message is a positive of a class when its label or its
   ``also`` names it), with the issue's targets;
2. the same per language;
3. risk against none: a message with any risk label against the ``none`` ones;
4. the confusion between classes: the label against the most severe class found (the set's own
   order: self_harm > safety > regulator > legal > media > chargeback), ``none`` when nothing was;
5. why the positives caseflow missed were missed, counted per class: ``no phrase`` when no phrase of the
   class's sets occurs, else the reasons its occurrences did not count (``negated``, ``question``, ``past``,
   ``someone else``, ``quoted``, ``exception``, ``no context``, ``item name``): whether a class needs more
   phrases or a scope rule misfires, without reading a message (so it is shown for the holdout too);
6. how sure the figures are: each class's precision and recall with its 95% interval (Wilson) and the number of
   messages behind it, and whether the targets are met, missed within the set's noise, or missed beyond it;
7. (``--against DIR``, an earlier policy directory) what a change did: per class, before and now, the messages
   fixed and broken, and McNemar's exact p (whether so uneven a split could be chance); with ``--misses SET``,
   the messages of that set whose classes changed.

Beside caseflow, the **reference** measured in the same run: for each class, a plain substring
test of the normalized message against the same phrase lists (every phrase of every set the
class's rules mention, context lists excepted), with no word boundaries, negation, conditionals,
quotes, questions or context: what a keyword list alone does. It is checked first to give the same
answers as the pack on a few obvious messages. ``--misses SET`` lists the messages of one set that
caseflow gets wrong (use it on dev only: the holdout is for measuring, never for tuning).

``--sets extra`` adds ``tests/risk/data/extra.jsonl``: messages the rules' authors wrote themselves, in the
same format, to check that a change generalizes beyond dev without looking at the holdout; the other sets of
``tests/risk/data/`` go by their names too (``fresh``, ``blind2``, ``legal2``: written blind, see the README of
the evaluation set); ``--file PATH`` adds any other file in that format (its name is the set's name).

``--with-model`` measures the pack with the shipped text model's rules beside it
(``examples/text_model/escalation-model.yaml``, ``caseflow.risk.TextModel``): the model was trained on every set
but the holdout, so only the holdout measures it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "caseflow" / "risk" / "data"
TESTS_DATA = ROOT / "tests" / "risk" / "data"
EXTRA = TESTS_DATA / "extra.jsonl"
FILES: dict[str, Path] = {}  # sets read from a file given with --file, by name
MODEL_POLICY = ROOT / "examples" / "text_model" / "escalation-model.yaml"  # the text model's rules (--with-model)

from caseflow import Case, Engine, FixedClock, default_facts, load_policies, parse_case  # noqa: E402
from caseflow.policies.conditions import AllOf, AnyOf, Condition, NotOf, Test  # noqa: E402
from caseflow.policies.model import PolicySet  # noqa: E402
from caseflow.policies.phrases import PhraseSet  # noqa: E402
from caseflow.policies.text import normalize  # noqa: E402
from caseflow.risk import register_text_model  # noqa: E402

AT = "2026-11-11T10:00:00+08:00"
CLASSES = ("legal", "regulator", "safety", "media", "chargeback", "self_harm")
SEVERITY = ("self_harm", "safety", "regulator", "legal", "media", "chargeback")  # the set's order, most severe first
LANGUAGES = ("en", "zh-Hans", "zh-Hant", "id", "vi")
REASONS = {
    "legal_threat": "legal",
    "regulator_complaint": "regulator",
    "safety_incident": "safety",
    "media_threat": "media",
    "chargeback_threat": "chargeback",
    "self_harm": "self_harm",
}
TARGETS = {"legal": (0.90, 0.95), "regulator": (0.90, 0.95), "safety": (0.90, 0.95), "self_harm": (0.90, 0.95)}
FLOOR = 0.85  # no class below it, on precision or recall, in any language
OBVIOUS = [  # (text, the classes both sides must find): the reference is checked against caseflow on these
    ("I will sue you", {"legal"}),
    ("我要打12315投诉你们", {"regulator"}),
    ("saya akan viralkan toko ini", {"media"}),
    ("tôi muốn tự tử", {"self_harm"}),
    ("the charger caught fire", {"safety"}),
    ("I'm filing a chargeback", {"chargeback"}),
    ("where is my parcel?", set()),
]


@dataclass(frozen=True)
class Message:
    id: str
    lang: str
    label: str
    also: tuple[str, ...]
    text: str

    @property
    def gold(self) -> set[str]:
        return set() if self.label == "none" else {self.label, *self.also}


def path_of(name: str) -> Path:
    """The file of a set: dev and holdout (the shipped set), extra (written by the rules' authors), or a --file."""
    if name in FILES:
        return FILES[name]
    if name in ("dev", "holdout"):
        return DATA / f"messages.{name}.jsonl"
    return TESTS_DATA / f"{name}.jsonl"  # extra, fresh, blind2, legal2 ...


def read(name: str) -> list[Message]:
    return parse(path_of(name).read_text(encoding="utf-8"))


def parse(jsonl: str) -> list[Message]:
    """The messages of a set's text (JSON Lines: id, lang, label, also, text)."""
    out = []
    for line in jsonl.splitlines():
        if line.strip():
            r = json.loads(line)
            out.append(Message(r["id"], r["lang"], r["label"], tuple(r.get("also", ())), r["text"]))
    return out


def case_of(text: str) -> Case:
    return parse_case(
        {
            "id": "R-1",
            "tenant": "shop",
            "channel": "chat",
            "case_type": "not_as_described",
            "created_at": "2026-11-11T09:00:00+08:00",
            "buyer": {"id": "b-1", "history": {"orders_total": 3}},
            "orders": [{"id": "o-1", "amount": "120 CNY", "placed_at": "2026-11-01T10:00:00+08:00"}],
            "messages": [{"author": "buyer", "at": "2026-11-11T09:30:00+08:00", "text": text}],
        }
    )


def caseflow_classes(engine: Engine) -> Callable[[str], set[str]]:
    def classes(text: str) -> set[str]:
        decision = engine.evaluate(case_of(text))
        return {
            REASONS[str(a.params.get("reason"))]
            for a in decision.actions
            if a.type == "escalate" and a.params.get("reason") in REASONS
        }

    return classes


# ----------------------------------------------------------------------------------------
# The reference: the same phrase lists, as plain substrings of the normalized text
# ----------------------------------------------------------------------------------------


def _mentioned(c: Condition) -> Iterable[PhraseSet]:
    if isinstance(c, Test):
        if c.op == "mentions" and isinstance(c.value, PhraseSet):
            yield c.value
    elif isinstance(c, (AllOf, AnyOf)):
        for k in c.children:
            yield from _mentioned(k)
    elif isinstance(c, NotOf):
        yield from _mentioned(c.child)


def reference_lists(policies: PolicySet) -> dict[str, list[str]]:
    """Per class: every phrase of the sets its rules mention (the main sets, not their context lists)."""
    return {
        cls: sorted({p for ps in sets for _, phrases in ps.phrases for p in phrases})
        for cls, sets in class_sets(policies).items()
    }


def class_sets(policies: PolicySet) -> dict[str, list[PhraseSet]]:
    """Per class: the phrase sets its rules mention (with their contexts: ``lawyer`` near a step)."""
    out: dict[str, dict[int, PhraseSet]] = defaultdict(dict)
    for policy in policies:
        for rule in policy.rules:
            reasons = {a.params.get("reason") for a in rule.then if a.type == "escalate"}
            for reason in reasons & REASONS.keys():
                for ps in _mentioned(rule.when):
                    out[REASONS[str(reason)]][id(ps)] = ps
    return {k: list(v.values()) for k, v in out.items()}


def why_missed(sets: list[PhraseSet], text: str) -> str:
    """Why no occurrence of ``sets`` counts in ``text``: 'no phrase', or the reasons, most frequent first."""
    reasons: Counter[str] = Counter()
    for ps in sets:
        for match in ps.find(text, limit=50):
            if not match.counted:
                reasons[match.why_not or "not counted"] += 1
    return " + ".join(r for r, _ in reasons.most_common()) if reasons else "no phrase"


def reference_classes(lists: dict[str, list[str]]) -> Callable[[str], set[str]]:
    def classes(text: str) -> set[str]:
        norm = normalize(text)
        return {cls for cls, phrases in lists.items() if any(p in norm for p in phrases)}

    return classes


# ----------------------------------------------------------------------------------------
# Figures
# ----------------------------------------------------------------------------------------


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)

    def add(self, predicted: bool, actual: bool) -> None:
        self.tp += predicted and actual
        self.fp += predicted and not actual
        self.fn += actual and not predicted


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float] | None:
    """The 95% Wilson score interval of a proportion of ``k`` in ``n`` (None when ``n`` is 0): where the rate on
    every message like these may lie, given a few dozen of them (32 of 35, 0.91, may be anything from 0.78 to 0.97)."""
    if n == 0:
        return None
    p = k / n
    d = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (0.0 if k == 0 else centre - half), (1.0 if k == n else centre + half)  # (exact at the ends)


def mcnemar(fixed: int, broken: int) -> float:
    """The two-sided exact p of McNemar's test: of the messages one pack gets right and the other wrong
    (``fixed`` one way, ``broken`` the other), how likely a split at least this uneven is when neither pack is
    better than the other (each such message a coin toss)."""
    n = fixed + broken
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(fixed, broken) + 1))
    return min(1.0, 2 * tail / (1 << n))  # (exact integers: no overflow for thousands of messages)


def top(classes: set[str]) -> str:
    return next((c for c in SEVERITY if c in classes), "none")


@dataclass
class Result:
    per_class: dict[str, Score]
    per_language: dict[tuple[str, str], Score]
    risk: Score
    confusion: Counter[tuple[str, str]]
    wrong: list[tuple[Message, set[str]]]
    missed: dict[str, list[Message]]  # per class, its positives not found


def score(messages: list[Message], found: dict[str, set[str]]) -> Result:
    per_class = {c: Score() for c in CLASSES}
    per_language = {(lang, c): Score() for lang in LANGUAGES for c in CLASSES}
    risk = Score()
    confusion: Counter[tuple[str, str]] = Counter()
    wrong = []
    missed: dict[str, list[Message]] = defaultdict(list)
    for m in messages:
        got, gold = found[m.id], m.gold
        for c in CLASSES:
            per_class[c].add(c in got, c in gold)
            if c in gold and c not in got:
                missed[c].append(m)
            per_language[(m.lang, c)].add(c in got, c in gold)
        risk.add(bool(got), bool(gold))
        confusion[(m.label, top(got))] += 1
        if (m.label in got or (not gold and not got)) and not (got - gold):
            continue
        wrong.append((m, got))
    return Result(per_class, per_language, risk, confusion, wrong, missed)


def fmt(x: float | None) -> str:
    return "   -" if x is None else f"{x:4.2f}"


def flag(x: float | None, target: float) -> str:
    return " " if x is None or x >= target else "*"


def print_figures(results: dict[str, dict[str, Result]], sets: list[str]) -> None:
    who = ("caseflow", "reference")
    head = "".join(f" | {s:^31}" for s in sets)
    print("1. per class: precision recall F1 (caseflow; reference in brackets). * below the target")
    print(f"   {'class':<11}{head}")
    for c in CLASSES:
        p_target, r_target = TARGETS.get(c, (FLOOR, FLOOR))
        row = ""
        for s in sets:
            a, b = results[s][who[0]].per_class[c], results[s][who[1]].per_class[c]
            row += (
                f" | {fmt(a.precision)}{flag(a.precision, p_target)} {fmt(a.recall)}{flag(a.recall, r_target)} "
                f"{fmt(a.f1)} [{fmt(b.precision)} {fmt(b.recall)} {fmt(b.f1)}]"
            )
        goal = f"P>={p_target:.2f} R>={r_target:.2f}"
        print(f"   {c:<11}{row}   {goal}")
    print()
    print(f"2. per language: precision/recall (caseflow; reference in brackets). * below {FLOOR}")
    for s in sets:
        print(f"   {s}")
        print("   " + f"{'':<11}" + "".join(f"{lang:>22}" for lang in LANGUAGES))
        for c in CLASSES:
            cells = ""
            for lang in LANGUAGES:
                a = results[s][who[0]].per_language[(lang, c)]
                b = results[s][who[1]].per_language[(lang, c)]
                cells += (
                    f"  {fmt(a.precision)}{flag(a.precision, FLOOR)}{fmt(a.recall)}{flag(a.recall, FLOOR)}"
                    f"[{fmt(b.precision)} {fmt(b.recall)}]"
                )
            print(f"   {c:<11}{cells}")
    print()
    print("3. risk against none: precision recall F1")
    for s in sets:
        a, b = results[s][who[0]].risk, results[s][who[1]].risk
        print(
            f"   {s:<8} caseflow  {fmt(a.precision)} {fmt(a.recall)} {fmt(a.f1)}   "
            f"reference {fmt(b.precision)} {fmt(b.recall)} {fmt(b.f1)}"
        )
    print()
    print("4. confusion: label (rows) against the most severe class found (columns), caseflow")
    cols = (*SEVERITY, "none")
    for s in sets:
        conf = results[s][who[0]].confusion
        print(f"   {s:<10}" + "".join(f"{c[:9]:>10}" for c in cols))
        for label in (*SEVERITY, "none"):
            print(f"   {label:<10}" + "".join(f"{conf[(label, c)]:>10}" for c in cols))
        print()


def print_why(results: dict[str, dict[str, Result]], sets: list[str], by_class: dict[str, list[PhraseSet]]) -> None:
    print("5. why caseflow missed the positives it missed, per class: the reasons (count of messages)")
    for s in sets:
        parts = []
        for c in CLASSES:
            missed = results[s]["caseflow"].missed.get(c, [])
            if missed:
                why = Counter(why_missed(by_class.get(c, []), m.text) for m in missed)
                parts.append(f"{c} {len(missed)} (" + ", ".join(f"{r} {n}" for r, n in why.most_common()) + ")")
        print(f"   {s:<8} " + ("; ".join(parts) or "none missed"))
    print()


def verdict(s: Score, p_target: float, r_target: float) -> str:
    """``met`` when both figures meet their targets, ``below`` when a target lies above a figure's whole 95%
    interval, else ``noise``: below the target, but the set is too small to tell."""
    figures = [(s.tp, s.tp + s.fp, p_target), (s.tp, s.tp + s.fn, r_target)]
    if all(n == 0 or k / n >= target for k, n, target in figures):
        return "met"
    if any((ci := wilson(k, n)) is not None and ci[1] < target for k, n, target in figures):
        return "below"
    return "noise"


def interval(k: int, n: int) -> str:
    ci = wilson(k, n)
    return f"{'   -':>20}" if ci is None else f"{k / n:4.2f} [{ci[0]:.2f}-{ci[1]:.2f}] of {n:<3}"


def print_intervals(results: dict[str, dict[str, Result]], sets: list[str]) -> None:
    print(
        "6. how sure: each figure with its 95% interval (Wilson) and the messages it is of, per class, then the "
        "cells of a language below the floor; met: the targets are met, noise: a figure is below its target but "
        "the target lies inside its interval, below: above it"
    )
    print(f"   {'set':<8} {'class':<18} {'precision':<27}{'recall':<27}")
    for name in sets:
        r = results[name]["caseflow"]
        rows = [(c, r.per_class[c], *TARGETS.get(c, (FLOOR, FLOOR))) for c in CLASSES]
        for c, x, p_target, r_target in [*rows, ("risk/none", r.risk, FLOOR, FLOOR)]:
            if x.tp + x.fp + x.fn == 0:
                continue
            print(
                f"   {name:<8} {c:<18} {interval(x.tp, x.tp + x.fp)}    {interval(x.tp, x.tp + x.fn)}    "
                f"{verdict(x, p_target, r_target)}"
            )
        for (lang, c), x in r.per_language.items():  # the cells below the floor, and how sure each is
            if verdict(x, FLOOR, FLOOR) != "met":
                cell = f"{c}/{lang}"
                print(
                    f"   {name:<8} {cell:<18} {interval(x.tp, x.tp + x.fp)}    {interval(x.tp, x.tp + x.fn)}    "
                    f"{verdict(x, FLOOR, FLOOR)} (floor {FLOOR})"
                )
    print()


def changes(
    messages: list[Message], before: dict[str, set[str]], now: dict[str, set[str]], cls: str | None
) -> tuple[int, int]:
    """(fixed, broken): the messages right now and wrong before, and the other way, on class ``cls`` (None: risk
    against none)."""
    fixed = broken = 0
    for m in messages:
        if cls is None:
            gold, was, got = bool(m.gold), bool(before[m.id]), bool(now[m.id])
        else:
            gold, was, got = cls in m.gold, cls in before[m.id], cls in now[m.id]
        fixed += got == gold and was != gold
        broken += was == gold and got != gold
    return fixed, broken


def print_against(
    sets: list[str], found: dict[str, dict[str, dict[str, set[str]]]], results: dict[str, dict[str, Result]], old: str
) -> None:
    print(
        f"7. against {old}: per class, precision/recall before -> now; the messages fixed (right now, wrong "
        "before) and broken (the other way); p: McNemar's exact test (under 0.05: unlikely to be chance)"
    )
    print(f"   {'set':<8} {'class':<11} {'before':<9} {'now':<9} {'fixed':>6} {'broken':>6}  p")
    for name in sets:
        messages = read(name)
        was, now = results[name]["against"], results[name]["caseflow"]
        rows: list[tuple[str, str | None, Score, Score]] = [(c, c, was.per_class[c], now.per_class[c]) for c in CLASSES]
        for label, cls, a, b in [*rows, ("risk/none", None, was.risk, now.risk)]:
            if a.tp + a.fp + a.fn + b.tp + b.fp + b.fn == 0:
                continue
            fixed, broken = changes(messages, found[name]["against"], found[name]["caseflow"], cls)
            print(
                f"   {name:<8} {label:<11} {fmt(a.precision)}/{fmt(a.recall)} {fmt(b.precision)}/{fmt(b.recall)} "
                f"{fixed:>6} {broken:>6}  {mcnemar(fixed, broken):.3f}"
            )
    print()


def print_changed(name: str, before: dict[str, set[str]], now: dict[str, set[str]]) -> None:
    print(f"the messages of {name} whose classes changed: label [also]: before -> now | text")
    changed = [m for m in read(name) if before[m.id] != now[m.id]]
    for m in changed:
        also = f" [{','.join(m.also)}]" if m.also else ""
        was, got = ",".join(sorted(before[m.id])) or "none", ",".join(sorted(now[m.id])) or "none"
        print(f"   {m.id:<14} {m.label}{also}: {was} -> {got} | {m.text}")
    print("   (none)\n" if not changed else "")


def obvious(sides: dict[str, Callable[[str], set[str]]]) -> bool:
    """Whether every side finds the classes of :data:`OBVIOUS` (says which does not, on stderr)."""
    for text, expected in OBVIOUS:
        for who, classes in sides.items():
            if classes(text) != expected:
                print(f"{who} finds {classes(text)} in {text!r}, not {expected}", file=sys.stderr)
                return False
    return True


def as_json(results: dict[str, dict[str, Result]]) -> dict[str, object]:
    def s(x: Score) -> dict[str, object]:
        return {
            "precision": x.precision,
            "recall": x.recall,
            "f1": x.f1,
            "tp": x.tp,
            "fp": x.fp,
            "fn": x.fn,
            "precision_95": wilson(x.tp, x.tp + x.fp),
            "recall_95": wilson(x.tp, x.tp + x.fn),
        }

    out: dict[str, object] = {}
    for name, by_who in results.items():
        out[name] = {
            who: {
                "classes": {c: s(r.per_class[c]) for c in CLASSES},
                "languages": {f"{lang}/{c}": s(r.per_language[(lang, c)]) for lang in LANGUAGES for c in CLASSES},
                "risk": s(r.risk),
            }
            for who, r in by_who.items()
        }
    return out


def pack_engine(policies: str, *, with_model: bool) -> Engine:
    """The pack of ``policies``; ``with_model``: beside the text model's own rules (read like the pack)."""
    if not with_model:
        return Engine(load_policies(policies), clock=FixedClock(AT), backend="python")
    facts = default_facts()
    register_text_model(facts)
    return Engine(load_policies([Path(policies), MODEL_POLICY], facts=facts), clock=FixedClock(AT), backend="python")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--policies", default=str(ROOT / "rules"))
    ap.add_argument(
        "--sets",
        help="dev, holdout, extra, fresh, blind2, blind3, legal2 (with commas; default dev,holdout; dev with --file)",
    )
    ap.add_argument("--file", action="append", default=[], help="one more set: a JSONL file in the same format")
    ap.add_argument("--misses", help="list the messages caseflow gets wrong (dev, extra or a --file; never holdout)")
    ap.add_argument("--against", metavar="DIR", help="an earlier policy directory: what the change fixed and broke")
    ap.add_argument("--with-model", action="store_true", help=f"the pack with the shipped text model ({MODEL_POLICY})")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--unchecked", action="store_true", help=argparse.SUPPRESS)  # an old pack: skip the check
    a = ap.parse_args()
    # a --file is being looked at, perhaps for tuning: the holdout only when asked for by name
    default = "dev,holdout" if not (a.file or a.misses) else "dev" if a.file else f"dev,{a.misses}"
    sets = [s for s in (a.sets or default).split(",") if s]
    for f in a.file:
        FILES[Path(f).stem] = Path(f)
        sets.append(Path(f).stem)
    sets = list(dict.fromkeys(sets))  # (a file named in --sets too is measured once)
    holdout = (DATA / "messages.holdout.jsonl").resolve()
    if a.misses is not None and (
        "holdout" in a.misses or a.misses not in sets or path_of(a.misses).resolve() == holdout
    ):
        print("--misses: a set measured, never the holdout (it is for measuring, not tuning)", file=sys.stderr)
        return 2
    engine = pack_engine(a.policies, with_model=a.with_model)
    policies = engine.policies  # (the model's rules, with --with-model, mention no phrase set)
    sides = {"caseflow": caseflow_classes(engine), "reference": reference_classes(reference_lists(policies))}
    if a.against is not None:
        sides["against"] = caseflow_classes(pack_engine(a.against, with_model=False))
    checked = {who: classes for who, classes in sides.items() if who != "against"}  # an earlier pack: as it was
    if not a.unchecked and not obvious(checked):
        return 1
    results: dict[str, dict[str, Result]] = {}
    found: dict[str, dict[str, dict[str, set[str]]]] = {}
    timing = {}
    for s in sets:
        messages = read(s)
        results[s], found[s] = {}, {}
        for who, classes in sides.items():
            started = time.perf_counter()
            found[s][who] = {m.id: classes(m.text) for m in messages}
            timing[(s, who)] = (time.perf_counter() - started) / len(messages)
            results[s][who] = score(messages, found[s][who])
    if a.json:
        print(json.dumps(as_json(results), indent=2))
        return 0
    counts = ", ".join(f"{s} {len(read(s))} messages" for s in sets)
    print(f"python {sys.version.split()[0]}; policies {a.policies}; {counts}")
    print(
        "time per message: "
        + ", ".join(f"{s} {w} {t * 1e6:,.0f} µs" for (s, w), t in timing.items())
        + " (caseflow: Engine.evaluate end to end)"
    )
    print()
    print_figures(results, sets)
    print_why(results, sets, class_sets(policies))
    print_intervals(results, sets)
    if a.against is not None:
        print_against(sets, found, results, a.against)
    if a.misses and a.against is not None:
        print_changed(a.misses, found[a.misses]["against"], found[a.misses]["caseflow"])
    if a.misses:
        print(f"caseflow's wrong answers on {a.misses}: label [also] -> found | text")
        for m, got in results[a.misses]["caseflow"].wrong:
            also = f" [{','.join(m.also)}]" if m.also else ""
            print(f"   {m.id:<14} {m.label}{also} -> {','.join(sorted(got)) or 'none'} | {m.text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
