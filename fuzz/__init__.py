"""Fuzzing caseflow's hostile-input boundary (docs/fuzzing.md).

``targets.py``: one function per target, each taking the bytes of one input, and :func:`targets.check`,
which runs one input under the contract; ``strategies.py``: the Hypothesis strategies that make inputs;
``run.py``: the time-bounded runner CI calls (``.ci/fuzz``); ``known.py``: findings not fixed yet;
``corpus/<target>/``: the seeds and every past finding, replayed by ``tests/contract/test_fuzz_corpus.py``.
"""
