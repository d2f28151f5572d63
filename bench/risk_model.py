"""What a small learned model beside the phrase rules finds on wording nobody tuned on; and the shipped model.

    python bench/risk_model.py [--threshold -1 --threshold 0] [--epochs 12]
    python bench/risk_model.py --write     # train src/caseflow/risk/data/text-model.json

caseflow's default detection is phrase rules (docs/risk.md). ``caseflow.risk.TextModel`` is a learned signal
beside them, opt-in. This bench measures what it adds, honestly, with the project's own history:

- each blind set of ``tests/risk/data`` (fresh, blind2, legal2, blind3, blind4, blind5) was measured once on
  the pack of its day, before the rules were tuned on it. The bench rebuilds that pack (``git archive``
  of the parent of the commit that added the set: its code and its rules) and runs it on the set in a
  child process: the **rules alone**, the reference;
- beside it, a ``TextModel`` (per class, a logistic regression on the normalized words and their pairs;
  Chinese characters and their pairs) trained only on what existed then: dev and extra as they were, and
  the blind sets before it. **Rules or model**: a message is of a class when the rules say so or the
  model's log-odds exceed ``--threshold``;
- **scope veto**: the same, except where the rules set a phrase of the class aside as negated, asked, past,
  someone else's, quoted, excepted or an item's name (the model has no scope rule of its own);
- the counts of the rounds are added: precision and recall with 95% intervals (Wilson), per class.

``--write`` trains the shipped model on every labelled set but the holdout, as they are in the working tree
(a test checks the shipped file is what this writes, byte for byte). Nothing here reads the holdout; the
measure needs the repository's git history (run it from a clone)."""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from caseflow.risk.model import SHIPPED_MODEL, TextModel

ROOT = Path(__file__).resolve().parent.parent


def _risk_bench() -> ModuleType:
    """bench/risk.py (its classes, its intervals), loaded by path: nothing of bench/ goes on sys.path."""
    name = "caseflow_bench_risk"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "risk.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # (dataclasses look their module up)
        spec.loader.exec_module(module)
    return sys.modules[name]


CLASSES: tuple[str, ...] = _risk_bench().CLASSES
wilson = _risk_bench().wilson
parse = _risk_bench().parse  # a set's JSON Lines -> its messages (id, lang, label, also, text; .gold)

# each blind set, and the commit that added it: its pack is the parent's
ROUNDS = (
    ("fresh", "20d4c74"),
    ("blind2", "4e544eb"),
    ("legal2", "a27e9b2"),
    ("blind3", "1d116ca"),
    ("blind4", "e6519cd"),
    ("blind5", "b415fd7"),
)
VERSION = "2026.11.2"  # of the shipped model (--write)
DEV = "src/caseflow/risk/data/messages.dev.jsonl"
EXTRA = "tests/risk/data/extra.jsonl"

# run in the old tree (its src first on sys.path): the classes its pack finds in each message of a set, and why its
# phrases' occurrences did not count; it walks the rules as bench/risk.py's class_sets does, written out here because
# the benches of the old trees have no class_sets
CHILD = """
import json, sys
from collections import defaultdict
sys.path.insert(0, "bench")
import risk as R
from caseflow import Engine, FixedClock, load_policies
from caseflow.policies.conditions import AllOf, AnyOf, NotOf, Test
from caseflow.policies.phrases import PhraseSet
policies = load_policies("rules")
classes = R.caseflow_classes(Engine(policies, clock=FixedClock(R.AT), backend="python"))
for text, expected in R.OBVIOUS:
    assert classes(text) == expected, (text, classes(text))
def mentioned(c):
    if isinstance(c, Test) and c.op == "mentions" and isinstance(c.value, PhraseSet):
        yield c.value
    elif isinstance(c, (AllOf, AnyOf)):
        for k in c.children:
            yield from mentioned(k)
    elif isinstance(c, NotOf):
        yield from mentioned(c.child)
sets = defaultdict(dict)  # per class, the phrase sets its rules mention
for policy in policies:
    for rule in policy.rules:
        for a in rule.then:
            if a.type == "escalate" and a.params.get("reason") in R.REASONS:
                for ps in mentioned(rule.when):
                    sets[R.REASONS[a.params["reason"]]][id(ps)] = ps
def set_aside(text):  # per class, why its phrases' occurrences did not count
    return {c: sorted({m.why_not or "?" for ps in s.values() for m in ps.find(text, limit=50) if not m.counted})
            for c, s in sets.items()}
rows = [json.loads(line) for line in sys.stdin.read().splitlines() if line.strip()]
print(json.dumps({r["id"]: [sorted(classes(r["text"])), set_aside(r["text"])] for r in rows}))
"""


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout


def rules_of(commit: str, rows: list[Any], jsonl: str) -> dict[str, tuple[set[str], dict[str, set[str]]]]:
    """What the pack of ``commit``'s parent says of each message, by its own code in a child process: the classes
    it finds, and per class why its phrases' occurrences did not count (``negated``, ``no context`` ...)."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "archive", f"{commit}^", "src", "rules", "bench"], cwd=ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        out = subprocess.run(
            [sys.executable, "-c", CHILD],
            cwd=tmp,
            env={"PYTHONPATH": str(Path(tmp) / "src"), "PATH": "/usr/bin:/bin"},
            input=jsonl,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    found = json.loads(out)
    return {r.id: (set(found[r.id][0]), {c: set(w) for c, w in found[r.id][1].items()}) for r in rows}


def examples(rows: list[Any]) -> list[tuple[str, set[str]]]:
    return [(r.text, {c for c in CLASSES if c in r.gold}) for r in rows]


def write(path: Path, epochs: int) -> None:
    """Train the shipped model on every labelled set but the holdout, as they are in the working tree."""
    files = [DEV, EXTRA, *(f"tests/risk/data/{name}.jsonl" for name, _ in ROUNDS)]
    rows: list[Any] = []
    trained_on = {}
    for f in files:
        raw = (ROOT / f).read_text(encoding="utf-8")
        rows += parse(raw)
        trained_on[f] = hashlib.sha256(raw.encode()).hexdigest()
    model = TextModel.train(examples(rows), CLASSES, version=VERSION, epochs=epochs, trained_on=trained_on)
    model.save(path)
    sizes = ", ".join(f"{c} {sum(1 for _ in model.weights(c))}" for c in CLASSES)
    print(f"wrote {path}: text model {VERSION}, {model.examples} messages, weights per class: {sizes}")


SCOPE = {"negated", "question", "past", "someone else", "quoted", "exception", "item name"}
"""Why the rules set an occurrence aside that a scope veto respects (``no context`` is not one: the step is
what the model may supply)."""


def measure(thresholds: list[float], epochs: int) -> None:
    counts: dict[tuple[str, str], list[int]] = {}  # per (class, who): tp, fp, fn added over the rounds
    # who: (name, threshold or None for the rules alone, whether the rules' scope vetoes the model)
    whos: list[tuple[str, float | None, bool]] = [("rules", None, False)]
    for t in thresholds:
        whos += [(f"rules or model > {t:g}", t, False), (f"  with scope veto > {t:g}", t, True)]
    for i, (name, commit) in enumerate(ROUNDS):
        jsonl = git("show", f"{commit}:tests/risk/data/{name}.jsonl")
        test = parse(jsonl)
        train = parse(git("show", f"{commit}^:{DEV}")) + parse(git("show", f"{commit}^:{EXTRA}"))
        for earlier, added in ROUNDS[:i]:
            train += parse(git("show", f"{added}:tests/risk/data/{earlier}.jsonl"))
        pack = rules_of(commit, test, jsonl)
        model = TextModel.train(examples(train), CLASSES, version=f"before {name}", epochs=epochs)
        for cls in CLASSES:
            odds = {r.id: model.log_odds(r.text, cls) for r in test}
            for who, cut, veto in whos:
                c = counts.setdefault((cls, who), [0, 0, 0])
                for r in test:
                    found, aside = pack[r.id]
                    vetoed = veto and bool(aside.get(cls, set()) & SCOPE)
                    said = cls in found or (cut is not None and odds[r.id] > cut and not vetoed)
                    c[0] += said and cls in r.gold
                    c[1] += said and cls not in r.gold
                    c[2] += cls in r.gold and not said
        legal = [r for r in test if "legal" in r.gold]
        by_rules = sum(1 for r in legal if "legal" in pack[r.id][0])
        either = sum(1 for r in legal if "legal" in pack[r.id][0] or model.log_odds(r.text, "legal") > thresholds[0])
        print(
            f"{name:<7} pack of {commit}^, model trained on {len(train)} messages; legal recall: rules "
            f"{by_rules}/{len(legal)}, rules or model > {thresholds[0]:g} {either}/{len(legal)}",
            flush=True,
        )
    print()
    print(f"the {len(ROUNDS)} rounds added: precision and recall, 95% intervals (Wilson), of how many messages")
    for cls in CLASSES:
        for who, _, _ in whos:
            tp, fp, fn = counts[(cls, who)]
            p_ci, r_ci = wilson(tp, tp + fp), wilson(tp, tp + fn)
            assert p_ci is not None and r_ci is not None
            print(
                f"   {cls:<11} {who:<22} P {tp / (tp + fp):.2f} [{p_ci[0]:.2f}-{p_ci[1]:.2f}] of {tp + fp:<5}"
                f" R {tp / (tp + fn):.2f} [{r_ci[0]:.2f}-{r_ci[1]:.2f}] of {tp + fn}"
            )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threshold", type=float, action="append", help="log-odds above which the model says yes")
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--write", action="store_true", help=f"train the shipped model (risk/data/{SHIPPED_MODEL})")
    a = ap.parse_args()
    if a.write:
        write(ROOT / "src" / "caseflow" / "risk" / "data" / SHIPPED_MODEL, a.epochs)
        return 0
    if not (ROOT / ".git").exists():
        print("bench/risk_model.py rebuilds earlier packs from git history: run it in a clone", file=sys.stderr)
        return 2
    measure(a.threshold or [0.0, -1.0], a.epochs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
