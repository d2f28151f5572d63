"""Regression tests: each sharp edge of durable-rules 2.0.28 and the adapter's guard against it."""

from __future__ import annotations

import functools
import threading

import pytest

from caseflow import BackendError
from tests.helpers import NO_DURABLE

pytest.importorskip("durable", reason=NO_DURABLE)

from caseflow.engine.backends.durable import (  # noqa: E402 - after the skip
    MAX_LITERALS_PER_FIELD,
    MAX_RULES_PER_RULESET,
    DurableRules,
    check_action,
    check_pattern,
)


def test_no_background_dispatch_threads():
    before = threading.active_count()
    rules = DurableRules()
    rules.add_ruleset("t", [{"$gt": {"a": 1}}])
    assert threading.active_count() == before


def test_two_adapters_are_independent_and_same_names_do_not_clash():
    a, b = DurableRules(), DurableRules()
    ka = a.add_ruleset("refunds", [{"$gt": {"x": 10}}])
    kb = b.add_ruleset("refunds", [{"$lt": {"x": 10}}])
    assert a.match(ka, {"x": 20}) == [0]
    assert b.match(kb, {"x": 20}) == []
    assert b.match(kb, {"x": 5}) == [0]


def test_identical_messages_are_not_mistaken_for_the_same_message():
    # durable hashes a message without id; the same content twice would raise MessageObservedException
    r = DurableRules()
    k = r.add_ruleset("t", [{"$gt": {"a": 1}}])
    for _ in range(5):
        assert r.match(k, {"a": 2}) == [0]


def test_no_match_is_an_empty_list_not_an_exception():
    r = DurableRules()
    k = r.add_ruleset("t", [{"$gt": {"a": 100}}])
    assert r.match(k, {"a": 1}) == []


def test_every_matching_rule_fires_because_facts_are_asserted_not_posted():
    r = DurableRules()
    k = r.add_ruleset("t", [{"$gt": {"a": 1}}, {"$gt": {"a": 2}}, {"$gt": {"a": 3}}])
    assert r.match(k, {"a": 10}) == [0, 1, 2]


def test_or_alternatives_fire_once_per_rule():
    # durable fires an action once per matching $or branch; the adapter de-duplicates
    r = DurableRules()
    k = r.add_ruleset("t", [{"$or": [{"$gt": {"a": 1}}, {"$gt": {"a": 2}}, {"$gt": {"a": 3}}]}])
    assert r.match(k, {"a": 10}) == [0]


def test_two_parameter_actions_partials_and_callable_objects_are_refused():
    def two(c, complete):
        return None

    def with_default(c, extra=1):
        return None

    class Obj:
        def __call__(self, c):
            return None

    def one(c):
        return None

    for bad in (two, with_default, functools.partial(one), Obj()):
        with pytest.raises(BackendError):
            check_action(bad)
    assert check_action(one) is one


def test_a_first_message_that_matches_nothing_does_not_crash():
    # durable 2.0.28: delete_state on a session no rule matched yet is a double free (abort)
    r = DurableRules()
    k = r.add_ruleset("t", [{"$lt": {"x": 10}}])
    assert r.match(k, {"x": 20}) == []
    assert r.match(k, {"x": 5}) == [0]
    assert r.match(k, {"x": 20}) == []


def test_state_is_deleted_after_every_match_so_sessions_never_pile_up():
    # durable raises MemoryError at the 1,025th open session; state is only freed by delete_state
    r = DurableRules()
    k = r.add_ruleset("t", [{"$gt": {"a": 1}}])
    for i in range(1100):
        assert r.match(k, {"a": 2, "n": i}) == [0]
    assert r.facts_held(k) == []


def test_rulesets_are_capped_at_64_rules():
    # durable fails with error 303 when more than 64 rules match one message
    r = DurableRules()
    with pytest.raises(BackendError, match="64"):
        r.add_ruleset("t", [{"$gt": {"a": i}} for i in range(MAX_RULES_PER_RULESET + 1)])
    k = r.add_ruleset("u", [{"$gt": {"a": i}} for i in range(MAX_RULES_PER_RULESET)])
    assert len(r.match(k, {"a": 10**6})) == MAX_RULES_PER_RULESET


def test_too_many_distinct_literals_of_one_field_are_refused_before_they_hang():
    r = DurableRules()
    with pytest.raises(BackendError, match="distinct values"):
        r.add_ruleset("t", [{"$or": [{"x": v} for v in range(i * 10, i * 10 + 10)]} for i in range(50)])
    assert MAX_LITERALS_PER_FIELD < 512


def test_the_definition_given_is_not_mutated_and_names_cannot_be_reused():
    r = DurableRules()
    pattern = {"$gt": {"a": 1}}
    r.add_ruleset("t", [pattern])
    assert pattern == {"$gt": {"a": 1}}
    with pytest.raises(BackendError, match="already registered"):
        r.add_ruleset("t", [pattern])


@pytest.mark.parametrize(
    "pattern",
    [
        {"$ex": {"a": 1}},  # alone: segfaults durable 2.0.28
        {"$nex": {"a": 1}},  # alone: hangs
        {"a": None},  # equality with null: segfaults
        {"$mt": {"a": "x.*"}},  # anchored, own dialect
        {"$iany": {"a": [1]}},
        {"$in": {"a": [1, 2]}},  # does not exist
    ],
)
def test_unsafe_or_unsupported_constructs_are_refused(pattern):
    with pytest.raises(BackendError):
        check_pattern(pattern)


def test_missing_fields_fail_neq_and_lt_which_the_compiler_relies_on():
    r = DurableRules()
    k = r.add_ruleset("t", [{"$neq": {"a": 1}}, {"$lt": {"a": 1}}])
    assert r.match(k, {"b": 1}) == []
    assert r.match(k, {"a": 0}) == [0, 1]


def test_unicode_literals_match():
    r = DurableRules()
    k = r.add_ruleset("t", [{"s": "律师"}])
    assert r.match(k, {"s": "律师"}) == [0]


def test_exponent_floats_are_refused_instead_of_failing_inside_durable():
    # durable's JSON parser rejects 1e-05 / 1e20 (error 204) in patterns and in facts
    r = DurableRules()
    with pytest.raises(BackendError, match="exponent"):
        r.add_ruleset("t", [{"$gt": {"a": 1e20}}])
    k = r.add_ruleset("u", [{"$gt": {"a": 5}}])
    with pytest.raises(BackendError, match="exponent"):
        r.match(k, {"a": 1e-05})
    assert r.match(k, {"a": 10**15}) == [0]


def test_an_exception_inside_an_action_is_raised_not_swallowed():
    # durable catches exceptions raised by actions and writes them into the session state,
    # where nobody looks; the adapter's actions record them and match() raises them
    from caseflow.engine.backends import durable as _durable

    class Exploding(_durable._Sink):
        __slots__ = ()

        def append(self, item):
            raise RuntimeError("boom")

    failures: list[BaseException] = []
    _durable._action(Exploding(), 0, failures)(None)
    assert isinstance(failures[0], RuntimeError)

    r = DurableRules()
    k = r.add_ruleset("t", [{"$gt": {"a": 1}}])
    r._sinks[k].__class__ = Exploding  # the sink the registered action appends to now raises
    with pytest.raises(BackendError, match="boom"):
        r.match(k, {"a": 5})
    r._sinks[k].__class__ = _durable._Sink
    assert r.match(k, {"a": 5}) == [0]


def test_close_frees_the_rulesets_and_a_closed_adapter_refuses_to_match():
    r = DurableRules()
    k = r.add_ruleset("t", [{"$gt": {"a": 1}}])
    assert r.match(k, {"a": 2}) == [0]
    r.close()
    r.close()  # twice is harmless
    with pytest.raises(BackendError, match="closed"):
        r.match(k, {"a": 2})
