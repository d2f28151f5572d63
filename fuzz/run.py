"""Run every fuzz target for a bounded time; exit 1 when an input breaks the contract.

::

    python fuzz/run.py --seconds 120                 # every target, 120 s of wall time in all
    python fuzz/run.py --seconds 300 --target case_parser --seed 7

The time given is the wall time of the whole run: the targets run ``--jobs`` at a time (default: one per
CPU), each for an equal share. Each target runs in a child process limited to ``--memory-mb`` of
address space (default 1 GiB), which first replays ``fuzz/corpus/<target>/`` and then draws inputs
from the target's Hypothesis strategy (``fuzz/strategies.py``) until its time is up. Each input has
``--timeout`` seconds of CPU time (default 2; five times as long in wall time).

A failing input is shrunk (for at most ``--shrink-seconds``) and written to
``fuzz/corpus/<target>/<sha1>.bin``, where ``tests/contract/test_fuzz_corpus.py`` replays it from then
on. An input that runs out of time ends its process (no exception is raised into the code it stopped)
and one the process dies on (a crash in C code, memory exhausted) is saved the same way: the child
writes each input to a file before running it. The target then goes on in a new process for the rest
of its time. A failure whose origin (``fuzz/known.py``) is known is counted, not saved.

Exit status: 0 nothing new found, 1 a new finding (or a corpus input that fails and is not known),
2 the run itself failed. See docs/fuzzing.md.
"""

from __future__ import annotations

import argparse
import faulthandler
import hashlib
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # run as a script (python fuzz/run.py): the repository is not on the path
    sys.path.insert(0, str(HERE.parent))

from fuzz.known import known_origins  # noqa: E402 - after the path is set
from fuzz.targets import CORPUS, HANG_EXIT, TARGETS, TIMEOUT, Finding, check, warm  # noqa: E402

STARTUP = 30.0  # seconds a child may take beyond its share (start-up, the corpus, a last slow input)
RESTARTS = 20  # new processes a target may need after hangs and crashes, in one run


def digest(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def save(corpus: Path, target: str, data: bytes) -> Path:
    folder = corpus / target
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest(data)}.bin"
    path.write_bytes(data)
    return path


@dataclass
class Result:
    """What one target's processes did, written by the child after every batch, summed by the parent."""

    target: str
    seconds: float = 0.0
    replayed: int = 0
    examples: int = 0
    findings: list[dict[str, str]] = field(default_factory=list)  # new: saved to the corpus
    known: dict[str, int] = field(default_factory=dict)  # origin -> inputs that failed as a known finding does
    failing_corpus: list[dict[str, str]] = field(default_factory=list)  # corpus inputs that fail, not known
    error: str = ""  # the runner itself failed


# ------------------------------------------------------------------------------------------------
# the child: one target
# ------------------------------------------------------------------------------------------------


class _Stop(Exception):
    """Raised for a failing input, one subclass per origin (Hypothesis shrinks each origin apart)."""


class Child:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.target: str = args.child
        self.corpus = Path(args.corpus)
        self.work = Path(args.work)
        self.current = self.work / f"{self.target}.current"
        self.known = {*known_origins(self.target), *(args.ignore or [])}
        self.result = Result(self.target)
        self.failing: dict[str, type[_Stop]] = {}  # digest of a failing input -> its origin's exception
        self.kinds: dict[str, type[_Stop]] = {}  # origin -> its exception
        self.best: dict[str, bytes] = {}  # origin -> the last input that failed so (Hypothesis's minimal one)
        self.first_saved: dict[str, Path] = {}
        self.reports: dict[str, Finding] = {}  # origin -> its finding
        self.started = time.monotonic()
        self.stop_at = self.started + args.seconds
        self.shrink_until: float | None = None
        warm()

    def run_one(self, data: bytes) -> Finding | None:
        self.current.write_bytes(data)  # what the parent saves if this process dies on it
        faulthandler.dump_traceback_later(max(30.0, 15 * self.args.timeout), exit=True)  # a hang in C
        try:
            return check(self.target, data, timeout=self.args.timeout, hang_report=self.work / f"{self.target}.hang")
        finally:
            faulthandler.cancel_dump_traceback_later()

    def count_known(self, origin: str) -> None:
        self.result.known[origin] = self.result.known.get(origin, 0) + 1

    def replay(self) -> None:
        from fuzz.known import KNOWN

        for path in sorted((self.corpus / self.target).glob("*")):
            known = KNOWN.get(f"{self.target}/{path.name}")
            if not path.is_file() or (known and not known.origin.startswith("contract:")):
                continue  # a known hang or crash would end this process: pytest replays it in one of its own
            finding = self.run_one(path.read_bytes())
            self.result.replayed += 1
            if finding is None:
                continue
            if finding.origin in self.known:
                self.count_known(finding.origin)
            else:
                self.result.failing_corpus.append({"file": str(path), "report": finding.report()})

    def body(self, data: bytes) -> None:
        """One input, as Hypothesis draws it."""
        now = time.monotonic()
        key = digest(data)
        if self.shrink_until is not None and now > self.shrink_until:
            if key in self.failing:  # Hypothesis replays its minimal examples: they must fail again
                raise self.failing[key](key)
            return  # shrinking is over: nothing new fails
        if self.shrink_until is None and now > self.stop_at:
            return  # time is up: the rest of the batch passes untried
        finding = self.run_one(data)
        self.result.examples += 1
        if finding is None:
            return
        if finding.origin in self.known:
            self.count_known(finding.origin)
            return
        if finding.origin not in self.kinds:
            if any(f["origin"] == finding.origin for f in self.result.findings):
                return  # found and saved by an earlier batch: not shrunk again
            self.kinds[finding.origin] = type(f"Finding_{len(self.kinds)}", (_Stop,), {})
            self.first_saved[finding.origin] = save(self.corpus, self.target, data)  # kept if this process dies
            print(f"[{self.target}] finding: {finding.origin}; shrinking", file=sys.stderr, flush=True)
            if self.shrink_until is None:
                self.shrink_until = time.monotonic() + self.args.shrink_seconds
        self.failing[key] = self.kinds[finding.origin]
        self.best[finding.origin] = data
        self.reports[finding.origin] = finding
        raise self.kinds[finding.origin](key)

    def fuzz(self) -> None:
        from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings

        from fuzz.strategies import STRATEGIES

        strategy = STRATEGIES[self.target]()

        def one(data: bytes) -> None:
            self.body(data)

        batch = 0
        while time.monotonic() < self.stop_at:
            test = settings(
                max_examples=50,
                deadline=None,
                database=None,
                derandomize=False,
                suppress_health_check=list(HealthCheck),
                phases=(Phase.generate, Phase.shrink),
                verbosity=Verbosity.quiet,
                report_multiple_bugs=True,
                print_blob=False,
            )(seed(self.args.seed * 1_000_003 + batch)(given(strategy)(one)))
            batch += 1
            try:
                test()
            except (Exception, BaseExceptionGroup):  # noqa: BLE001 - the findings are recorded by body()
                pass
            self.flush()

    def flush(self) -> None:
        """Save the minimal input of every origin found in the last batch, and the result so far."""
        for origin, data in self.best.items():
            path = save(self.corpus, self.target, data)
            first = self.first_saved.get(origin)
            if first is not None and first != path:
                first.unlink(missing_ok=True)
            finding = self.reports[origin]
            self.result.findings.append({"origin": origin, "file": str(path), "report": finding.report()})
        self.best.clear()
        self.kinds.clear()
        self.failing.clear()
        self.first_saved.clear()
        self.shrink_until = None
        self.result.seconds = round(time.monotonic() - self.started, 1)
        (self.work / f"{self.target}.json").write_text(json.dumps(asdict(self.result)))

    def main(self) -> int:
        limit = self.args.memory_mb << 20
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
        faulthandler.enable()
        try:
            if not self.args.no_replay:
                self.replay()
            self.fuzz()
        except Exception:  # noqa: BLE001 - a failure of the runner, not of caseflow: said apart (exit 2)
            import traceback

            traceback.print_exc()
            self.result.error = "the runner failed"
        self.flush()
        return 2 if self.result.error else 1 if self.result.findings or self.result.failing_corpus else 0


# ------------------------------------------------------------------------------------------------
# the parent: every target, a child each
# ------------------------------------------------------------------------------------------------


@dataclass
class Target:
    """One target's processes (a new one after a hang or a crash) and what they did together."""

    name: str
    until: float  # when its time is up (wall clock, time.monotonic)
    work: Path
    total: Result
    ignore: list[str] = field(default_factory=list)  # origins found in this run: not saved again
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    restarts: int = 0
    lines: list[str] = field(default_factory=list)

    def start(self, args: argparse.Namespace) -> None:
        seconds = max(1.0, self.until - time.monotonic())
        cmd = [
            sys.executable, str(Path(__file__).resolve()), "--child", self.name, "--seconds", f"{seconds:.1f}",
            "--seed", str(args.seed + 7919 * self.restarts), "--timeout", str(args.timeout),
            "--memory-mb", str(args.memory_mb), "--corpus", str(args.corpus),
            "--shrink-seconds", str(args.shrink_seconds), "--work", str(self.work),
            *(["--no-replay"] if self.restarts else []), *(x for o in self.ignore for x in ("--ignore", o)),
        ]  # fmt: skip
        for suffix in (".json", ".hang", ".current"):
            (self.work / f"{self.name}{suffix}").unlink(missing_ok=True)
        with open(self.work / f"{self.name}.log", "wb") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=HERE.parent)  # nosec B603
        self.started = time.monotonic()

    def add(self, part: dict[str, Any]) -> None:
        t = self.total
        t.seconds = round(t.seconds + part.get("seconds", 0.0), 1)
        t.replayed += part.get("replayed", 0)
        t.examples += part.get("examples", 0)
        t.findings += part.get("findings", [])
        t.failing_corpus += part.get("failing_corpus", [])
        for origin, n in part.get("known", {}).items():
            t.known[origin] = t.known.get(origin, 0) + n
        t.error = t.error or part.get("error", "")
        self.ignore += [f["origin"] for f in part.get("findings", [])]

    def ended(self, args: argparse.Namespace, killed: bool) -> bool:
        """Take in what the process that ended did; True if the target is done, False if it goes on."""
        assert self.proc is not None
        code = self.proc.wait()
        read = self.work / f"{self.name}.json"
        if read.exists():
            self.add(json.loads(read.read_text()))
        log = (self.work / f"{self.name}.log").read_text(errors="replace")[-3000:]
        hang = self.work / f"{self.name}.hang"
        current = self.work / f"{self.name}.current"
        if code in (0, 1, 2) and not killed:
            if code == 2:
                self.lines += ["  the runner failed:", *("    " + x for x in log.splitlines())]
            return True
        if code == HANG_EXIT and hang.exists():
            finding = Finding(**json.loads(hang.read_text()))
        else:
            why = "killed: no answer" if killed else f"exit {code}"
            finding = Finding(self.name, "crash", f"crash:{why}", f"the fuzzing process died ({why})", log)
        if finding.origin in known_origins(self.name) or finding.origin in self.ignore:
            self.total.known[finding.origin] = self.total.known.get(finding.origin, 0) + 1
        elif current.exists():
            path = save(Path(args.corpus), self.name, current.read_bytes())
            self.add({"findings": [{"origin": finding.origin, "file": str(path), "report": finding.report()}]})
        self.restarts += 1
        if self.restarts > RESTARTS or time.monotonic() > self.until - 2:
            return True
        self.start(args)
        return False

    def summary(self) -> list[str]:
        t = self.total
        lines = [
            f"{t.target}: {t.examples} inputs in {t.seconds} s ({self.restarts} restarts), "
            f"{t.replayed} corpus inputs replayed, {len(t.findings)} new findings, {sum(t.known.values())} known"
        ]
        for f in t.findings:
            lines += [f"  NEW FINDING saved to {f['file']}", *("    " + x for x in f["report"].splitlines())]
        for f in t.failing_corpus:
            lines += [f"  CORPUS INPUT FAILS {f['file']}", *("    " + x for x in f["report"].splitlines())]
        for origin, n in t.known.items():
            lines.append(f"  known ({n} inputs): {origin}")
        return lines + self.lines


def parent(args: argparse.Namespace) -> int:
    names = args.target or list(TARGETS)
    jobs = max(1, min(args.jobs or os.cpu_count() or 1, len(names)))
    share = max(1.0, args.seconds / math.ceil(len(names) / jobs))
    print(
        f"fuzzing {', '.join(names)}: {share:.0f} s each, {jobs} at a time; seed {args.seed} "
        f"(--seed {args.seed} repeats the draws); {args.timeout} s of CPU time an input, "
        f"{args.memory_mb} MiB of address space",
        flush=True,
    )
    new, errors = 0, 0
    with tempfile.TemporaryDirectory(prefix="caseflow-fuzz-") as tmp:
        waiting, running = list(names), []
        while waiting or running:
            while waiting and len(running) < jobs:
                name = waiting.pop(0)
                target = Target(name, time.monotonic() + share, Path(tmp), Result(name))
                target.start(args)
                running.append(target)
            time.sleep(0.2)
            for target in list(running):
                assert target.proc is not None
                killed = time.monotonic() > target.until + args.shrink_seconds + STARTUP
                if killed:
                    target.proc.kill()
                if (killed or target.proc.poll() is not None) and target.ended(args, killed):
                    running.remove(target)
                    new += len(target.total.findings) + len(target.total.failing_corpus)
                    errors += bool(target.total.error)
                    print("\n".join(target.summary()), flush=True)
    print(f"{new} new findings" if new else "no new findings", flush=True)
    return 1 if new else 2 if errors else 0


def arguments(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=120.0, help="wall time of the whole run (default 120)")
    p.add_argument("--target", action="append", choices=sorted(TARGETS), help="a target (repeat; default: all)")
    p.add_argument("--jobs", type=int, default=0, help="targets at a time (default: one per CPU)")
    p.add_argument("--seed", type=int, default=int(time.time()) % 100_000, help="the draws' seed (default: the time)")
    p.add_argument("--timeout", type=float, default=TIMEOUT, help=f"CPU seconds an input may take (default {TIMEOUT})")
    p.add_argument("--memory-mb", type=int, default=1024, help="address space of a target's process (default 1024)")
    p.add_argument("--shrink-seconds", type=float, default=20.0, help="time to shrink a finding (default 20)")
    p.add_argument("--corpus", default=str(CORPUS), help="where findings are saved (default fuzz/corpus)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--work", help=argparse.SUPPRESS)
    p.add_argument("--no-replay", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--ignore", action="append", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    if args.child:
        return Child(args).main()
    try:
        return parent(args)
    except KeyboardInterrupt:
        return 2


if __name__ == "__main__":
    sys.exit(main())
