"""The fuzz corpus as regression tests, and a short fuzzing run of each target (docs/fuzzing.md).

Every file of ``fuzz/corpus/<target>/`` (the seeds and every input fuzzing ever found failing) is run
through its target under the contract of ``fuzz/targets.py``: it works, or caseflow refuses it with a
``CaseflowError`` (or reports issues), within 2 s of CPU time. A finding whose fix is due in code these
tests do not own is listed in ``fuzz/known.py`` and runs as ``xfail(strict=True)``: when the fix lands
the test says so (XPASS), and the entry goes. Known hangs and crashes replay in a process of their own.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from caseflow import Engine, FixedClock, load_policies
from caseflow.engine.backends import available_backends
from fuzz.known import KNOWN, known_origins
from fuzz.strategies import STRATEGIES
from fuzz.targets import CORPUS, TARGETS, check, corpus_files, replay_in_child, warm

from ..helpers import ROOT, RULES

FILES = corpus_files()


def _param(path: Path) -> object:
    key = f"{path.parent.name}/{path.name}"
    known = KNOWN.get(key)
    marks = [pytest.mark.xfail(strict=True, reason=f"{known.origin}: {known.reason}")] if known else []
    return pytest.param(path, id=key, marks=marks)


def test_the_corpus_has_seeds_for_every_target() -> None:
    by_target = {t: [p for p in FILES if p.parent.name == t] for t in TARGETS}
    assert all(len(files) >= 10 for files in by_target.values()), {t: len(f) for t, f in by_target.items()}
    strays = [p for p in CORPUS.glob("*") if p.is_dir() and p.name not in TARGETS]
    assert not strays, f"folders of no target: {strays}"


def test_every_known_finding_has_its_input() -> None:
    missing = [key for key in KNOWN if not (CORPUS / key).is_file()]
    assert not missing, f"fuzz/known.py names inputs that are not in fuzz/corpus: {missing}"


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    warm()  # the shipped pack and its engines, built once: no input's time


@pytest.mark.parametrize("path", [_param(p) for p in FILES])
def test_corpus_input_keeps_the_contract(path: Path) -> None:
    target = path.parent.name
    known = KNOWN.get(f"{target}/{path.name}")
    if known is not None and not known.origin.startswith("contract:"):
        finding = replay_in_child(path)  # a hang or a crash ends a process: not this one
    else:
        finding = check(target, path.read_bytes())
    assert finding is None, finding.report()


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_a_short_fuzzing_run_finds_nothing_new(target: str) -> None:
    """A few dozen inputs of each target's strategy (``python fuzz/run.py`` draws thousands)."""
    known = known_origins(target)

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.generate, Phase.shrink),
    )
    @given(STRATEGIES[target]())
    def run(data: bytes) -> None:
        finding = check(target, data)
        if finding is not None and finding.origin not in known:
            raise AssertionError(finding.report())

    run()


def test_the_runner_runs_and_saves_what_it_finds(tmp_path: Path) -> None:
    """``fuzz/run.py`` end to end, briefly, into a corpus of its own: it replays, fuzzes and reports."""
    corpus = tmp_path / "corpus"
    (corpus / "case_parser").mkdir(parents=True)
    (corpus / "case_parser" / "seed.json").write_bytes((CORPUS / "case_parser" / "seed-valid-case.json").read_bytes())
    run = subprocess.run(  # nosec B603 - this interpreter, our own script
        [sys.executable, "fuzz/run.py", "--seconds", "3", "--target", "case_parser", "--corpus", str(corpus)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "case_parser:" in run.stdout and "1 corpus inputs replayed" in run.stdout, run.stdout


def _rss_kib() -> int:
    """The memory this process holds now (not its peak: earlier tests may have used more)."""
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))


@pytest.mark.skipif("durable" not in available_backends(), reason="durable-rules is not installed here")
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the memory held from /proc (Linux)")
def test_closed_durable_engines_give_their_memory_back() -> None:
    policies = load_policies([RULES, RULES / "sla"])
    before = _rss_kib()
    for _ in range(40):
        with Engine(policies, backend="durable", clock=FixedClock("2026-11-11T10:00:00+08:00")):
            pass
    grown_mib = (_rss_kib() - before) / 1024
    assert grown_mib < 20, f"40 durable engines built and closed: the process grew by {grown_mib:.0f} MiB"
