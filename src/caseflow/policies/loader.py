"""``load_policies``: read policy files, check everything, report every problem at once.

A file is checked against the document structure, the fact namespace (unknown facts, an
operator that does not fit a fact's type), the action catalogue (unknown actions and
parameters) and the portable limits of the condition language (no backend is built: a backend
checks its own limits when an engine compiles the policies). Every problem becomes a
:class:`~caseflow.errors.PolicyIssue` with ``file:line:column``; the load raises one
:class:`~caseflow.errors.PolicyValidationError` holding them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from ..errors import PolicyIssue, PolicyValidationError, suggest
from ..model.case import EARLIEST, LATEST
from .actions import ActionCatalogue, default_actions
from .analysis import analyze, limit_issues
from .conditions import AllOf, Always, AnyOf, Condition, ConditionProblem, NotOf, Test, parse_test
from .facts import FactRegistry, default_facts
from .model import Action, HitPolicy, Policy, PolicySet, Rule
from .phrases import PhraseSet, builtin_phrase_set
from .schema import (
    DEFAULT_PRIORITY,
    LANGUAGE_PATTERN,
    MAX_PRIORITY,
    EffectiveDocument,
    PolicyDocument,
    RuleDocument,
    document_keys,
    field_pattern,
)
from .source import MAX_BYTES, Located, YamlPath, YamlValue, clip, file_name, parse_yaml, read_text

__all__ = ["POLICY_SUFFIXES", "TEST_SUFFIXES", "CheckedPolicy", "load_policies", "load_policy_text", "policy_files"]

POLICY_SUFFIXES = (".yaml", ".yml")
TEST_SUFFIXES = (".test.yaml", ".test.yml")
OTHER_SUFFIXES = (".detectors.yaml", ".detectors.yml", ".calendars.yaml", ".calendars.yml")  # not policies

# keys, patterns and bounds come from the document models the JSON Schema is generated from
_TOP_KEYS = document_keys(PolicyDocument)
_RULE_KEYS = document_keys(RuleDocument)
_EFFECTIVE_KEYS = document_keys(EffectiveDocument)
_LANG_RE = re.compile(LANGUAGE_PATTERN)
_ID_RE = field_pattern(RuleDocument, "id")
_NAME_RE = field_pattern(PolicyDocument, "policy")
MAX_NESTING = 16
MAX_ID_LENGTH = 128
"""The longest rule id (ids name rules in explanations, audit records and idempotency keys)."""
MAX_PHRASES = 1_000
"""Phrases a phrase set may hold (all its languages and exceptions): each is searched in every message."""
MAX_PHRASE_LENGTH = 200

_YamlMap = dict[str | int, YamlValue]  # a mapping of the document
_Params = dict[str, YamlValue]  # the policy's 'params:', by name


class CheckedPolicy(NamedTuple):
    """One policy document checked: the policy (None when any error was found) and every issue found."""

    policy: Policy | None
    issues: list[PolicyIssue]


class _Ctx:
    def __init__(self, file: str, doc: Located, facts: FactRegistry, actions: ActionCatalogue) -> None:
        self.file = file
        self.doc = doc
        self.facts = facts
        self.actions = actions
        self.issues: list[PolicyIssue] = []
        self.rule_id: str | None = None
        self.phrases: dict[str, PhraseSet] = {}
        self.shared: dict[str, PhraseSet] = {}  # the other policies' sets, by qualified name (POLICY.SET)
        self.readable: dict[str, PhraseSet] = {}  # the sets its rules may read: its own and the shared ones

    def add(
        self,
        path: YamlPath,
        code: str,
        message: str,
        hint: str | None = None,
        *,
        key: bool = False,
        offset: int = 0,
        severity: str = "error",
    ) -> None:
        line, col = self.doc.key_pos(path) if key else self.doc.pos(path)
        if offset:
            style = self.doc.styles.get(tuple(path))
            col += offset + (1 if style in ("'", '"') else 0)
        self.issues.append(PolicyIssue(self.file, line, col, code, message, self.rule_id, hint, severity))


def _unknown_keys(ctx: _Ctx, data: _YamlMap, allowed: set[str], path: YamlPath, what: str) -> None:
    for key in data:
        if key not in allowed:
            best = suggest(clip(str(key), 100), allowed)
            ctx.add(
                path + (key,),
                "policy-unknown-key",
                f"unknown key {clip(str(key))!r} in {what}",
                f"did you mean {best!r}?" if best else f"allowed keys: {', '.join(sorted(allowed))}",
                key=True,
            )


def _when_to_datetime(ctx: _Ctx, value: YamlValue, path: YamlPath, tz: ZoneInfo | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime.combine(value, time(0))
    elif isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value)
        except ValueError:
            ctx.add(
                path,
                "policy-bad-value",
                f"{clip(value)!r} is not a date",
                "write e.g. 2026-11-11 or 2026-11-11T00:00:00+08:00",
            )
            return None
    else:
        ctx.add(path, "policy-bad-value", f"{clip(repr(value))} is not a date")
        return None
    if dt.tzinfo is None:
        if tz is None:
            ctx.add(
                path,
                "policy-bad-value",
                "an effective date needs a time zone",
                "add 'timezone: Asia/Shanghai' under 'effective', or write an offset",
            )
            return None
        dt = dt.replace(tzinfo=tz)
    if not EARLIEST <= dt < LATEST:
        ctx.add(
            path,
            "policy-bad-value",
            f"{dt.isoformat()} is out of range: an effective date lies between the years {EARLIEST.year} and "
            f"{LATEST.year - 1} (in UTC)",
        )
        return None
    return dt


def _parse_phrases(ctx: _Ctx, raw: YamlValue) -> dict[str, PhraseSet]:
    out: dict[str, PhraseSet] = {}
    if raw is None:
        return out
    if not isinstance(raw, dict):
        ctx.add(("phrases",), "policy-bad-phrases", "phrases maps a name to phrase lists per language")
        return out
    for name, langs in raw.items():
        path = ("phrases", name)
        if not isinstance(name, str) or not name.isidentifier():
            ctx.add(path, "policy-bad-phrases", f"phrase set name {name!r} must be a word", key=True)
            continue
        if not isinstance(langs, dict) or not langs:
            ctx.add(
                path,
                "policy-bad-phrases",
                f"phrase set {name!r} maps languages (en, zh, id, vi ...) to lists of phrases",
            )
            continue
        lists: dict[str, list[str]] = {}
        ok = _phrase_limits(ctx, path, name, langs)
        for lang, phrases in langs.items():
            if not isinstance(lang, str) or (lang != "except" and not _LANG_RE.match(lang)):
                ctx.add(
                    path + (lang,),
                    "policy-bad-phrases",
                    f"{lang!r} is not a language code such as en, zh, id, vi",
                    key=True,
                )
                ok = False
                continue
            texts = _phrase_list(phrases)
            if texts is None:
                ctx.add(
                    path + (lang,),
                    "policy-bad-phrases",
                    f"{name}.{lang} must be a non-empty list of phrases (quote them)",
                )
                ok = False
                continue
            lists[lang] = texts
        if ok:
            exceptions = lists.pop("except", [])
            if not lists:
                ctx.add(path, "policy-bad-phrases", f"phrase set {name!r} has exceptions but no phrases")
                continue
            out[name] = PhraseSet.build(name, lists, exceptions)
    return out


def _phrase_limits(ctx: _Ctx, path: YamlPath, name: str, langs: dict[str | int, YamlValue]) -> bool:
    """Whether the phrase set keeps to :data:`MAX_PHRASES` phrases of :data:`MAX_PHRASE_LENGTH` characters."""
    count = sum(len(v) for v in langs.values() if isinstance(v, list))
    if count > MAX_PHRASES:
        ctx.add(
            path,
            "policy-limit",
            f"phrase set {name!r} has {count:,} phrases; a set holds at most {MAX_PHRASES:,}",
            "every phrase is searched in every message: keep the ones that matter",
        )
        return False
    for lang, value in langs.items():
        for i, p in enumerate(value if isinstance(value, list) else []):
            if isinstance(p, str) and len(p) > MAX_PHRASE_LENGTH:
                ctx.add(
                    path + (lang, i),
                    "policy-limit",
                    f"a phrase has at most {MAX_PHRASE_LENGTH} characters (this one {len(p):,})",
                )
                return False
    return True


def _phrase_list(value: YamlValue) -> list[str] | None:
    """``value`` if it is a non-empty list of phrases (texts that are not blank), else None."""
    if not isinstance(value, list) or not value:
        return None
    texts = [p for p in value if isinstance(p, str) and p.strip()]
    return texts if len(texts) == len(value) else None


def _parse_condition(ctx: _Ctx, node: YamlValue, path: YamlPath, params: _Params, depth: int = 0) -> Condition | None:
    if depth > MAX_NESTING:
        ctx.add(path, "policy-limit", f"conditions may nest at most {MAX_NESTING} levels")
        return None
    if isinstance(node, str):
        return _parse_test(ctx, node, path, params)
    if isinstance(node, list):
        return _parse_list(ctx, node, path, params, depth)
    if isinstance(node, dict):
        return _parse_combination(ctx, node, path, params, depth)
    _not_a_condition(ctx, node, path)
    return None


def _parse_test(ctx: _Ctx, text: str, path: YamlPath, params: _Params) -> Test | Always | None:
    """One line: a test, or ``always``."""
    line, col = ctx.doc.pos(path)
    if text.strip().lower() == "always":
        return Always(line, col)
    try:
        t = parse_test(text, ctx.facts, params, ctx.readable)
    except ConditionProblem as p:
        ctx.add(path, p.code, p.message, p.hint, offset=p.offset)
        return None
    return Test(t.fact, t.op, t.value, t.text, line, col, t.currency)


def _parse_list(ctx: _Ctx, nodes: list[YamlValue], path: YamlPath, params: _Params, depth: int) -> Condition | None:
    """A list of conditions: all of them must hold (one condition stands for itself)."""
    if not nodes:
        ctx.add(path, "policy-bad-value", "an empty list of conditions", "remove it, or write 'always'")
        return None
    kids = _parse_children(ctx, nodes, path, params, depth)
    if kids is None:
        return None
    line, col = ctx.doc.pos(path)
    return AllOf(kids, line, col) if len(kids) > 1 else kids[0]


def _parse_combination(ctx: _Ctx, node: _YamlMap, path: YamlPath, params: _Params, depth: int) -> Condition | None:
    """A mapping of one key: ``all: [...]``, ``any: [...]`` or ``not: CONDITION``."""
    if len(node) != 1:
        ctx.add(
            path,
            "policy-bad-condition",
            "a condition mapping has exactly one key: all, any or not",
            "split it into a list under 'all:'",
        )
        return None
    line, col = ctx.doc.pos(path)
    ((key, value),) = node.items()
    if key in ("all", "any"):
        if not isinstance(value, list) or not value:
            ctx.add(path + (key,), "policy-bad-condition", f"'{key}' takes a non-empty list of conditions")
            return None
        kids = _parse_children(ctx, value, path + (key,), params, depth)
        if kids is None:
            return None
        return AllOf(kids, line, col) if key == "all" else AnyOf(kids, line, col)
    if key == "not":
        kid = _parse_condition(ctx, value, path + (key,), params, depth + 1)
        return None if kid is None else NotOf(kid, line, col)
    best = suggest(str(key), ["all", "any", "not"])
    ctx.add(
        path + (key,),
        "policy-bad-condition",
        f"unknown condition {key!r}",
        f"did you mean {best!r}?" if best else "use all, any or not",
        key=True,
    )
    return None


def _parse_children(
    ctx: _Ctx, nodes: list[YamlValue], path: YamlPath, params: _Params, depth: int
) -> tuple[Condition, ...] | None:
    """The conditions of a list, or None if any is invalid (every one is checked, so all problems are reported)."""
    kids = [_parse_condition(ctx, c, path + (i,), params, depth + 1) for i, c in enumerate(nodes)]
    valid = tuple(k for k in kids if k is not None)
    return valid if len(valid) == len(kids) else None


def _not_a_condition(ctx: _Ctx, node: YamlValue, path: YamlPath) -> None:
    """Report a value that is no condition at all (a boolean, a number, a date)."""
    if isinstance(node, bool):
        ctx.add(
            path,
            "policy-bad-condition",
            f"a condition cannot be {node}",
            "write 'always' for a rule that always applies",
        )
        return
    ctx.add(
        path,
        "policy-bad-condition",
        f"a condition is a test, a list, or all/any/not; got {type(node).__name__}",
        "YAML read this as a number or date: quote the test",
    )


def _resolve_params(ctx: _Ctx, value: YamlValue, params: _Params, path: YamlPath) -> YamlValue:
    if isinstance(value, str) and value.startswith("$"):
        name = value[1:]
        if name not in params:
            best = suggest(name, params)
            ctx.add(
                path,
                "policy-unknown-param",
                f"unknown parameter {value}",
                f"did you mean ${best}?" if best else "declare it under 'params:'",
            )
            return None
        return params[name]
    if isinstance(value, dict):
        return {k: _resolve_params(ctx, v, params, path + (k,)) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_params(ctx, v, params, path + (i,)) for i, v in enumerate(value)]
    return value


def _parse_action(ctx: _Ctx, node: YamlValue, path: YamlPath, params: _Params) -> Action | None:
    line, col = ctx.doc.pos(path)
    name: str | int
    raw: YamlValue
    if isinstance(node, str):
        name, raw, ppath = node, {}, path
    elif isinstance(node, dict) and len(node) == 1:
        ((name, raw),) = node.items()
        ppath = path + (name,)
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            ctx.add(
                ppath,
                "policy-bad-action",
                f"the parameters of {name!r} must be a mapping",
                f"write '- {name}: {{param: value}}'",
            )
            return None
    else:
        ctx.add(
            path,
            "policy-bad-action",
            "an action is a name, or a mapping of one name to its parameters",
            "e.g. '- approve_refund' or '- escalate: {tier: 2, severity: high}'",
        )
        return None
    spec = ctx.actions.lookup(str(name))
    if spec is None:
        best = ctx.actions.suggest(str(name))
        ctx.add(
            path if isinstance(node, str) else path + (name,),
            "policy-unknown-action",
            f"unknown action {name!r}",
            f"did you mean {best!r}?" if best else "run 'caseflow actions' to list the actions",
            key=not isinstance(node, str),
        )
        return None
    raw = _resolve_params(ctx, raw, params, ppath)
    try:
        model = spec.params.model_validate(raw)
    except ValidationError as err:
        for e in err.errors(include_url=False):
            loc = tuple(e["loc"])
            msg = e["msg"].removeprefix("Value error, ")
            if e["type"] == "extra_forbidden":
                fields = list(spec.params.model_fields)
                best = suggest(str(loc[-1]), fields)
                ctx.add(
                    ppath + loc,
                    "policy-unknown-param",
                    f"{name}: unknown parameter {loc[-1]!r}",
                    f"did you mean {best!r}?" if best else f"parameters: {', '.join(fields) or 'none'}",
                    key=True,
                )
            elif e["type"] == "missing":
                ctx.add(ppath, "policy-missing-param", f"{name}: parameter {'.'.join(map(str, loc))!r} is required")
            else:
                ctx.add(ppath + loc, "policy-bad-param", f"{name}.{'.'.join(map(str, loc))}: {msg}")
        return None
    return Action(spec.name, model.model_dump(mode="json", exclude_none=True), line, col)


_REQUIRED_KEYS = ("policy", "version", "hit_policy", "rules")


class _Effective(NamedTuple):
    """When a policy is in effect: from (inclusive) and until (exclusive), either open."""

    effective_from: datetime | None = None
    effective_until: datetime | None = None


class _Head(NamedTuple):
    """What a policy document says before its rules: read first, so that every document's phrase sets are
    known before any rule reads another policy's (``mentions escalation.legal_threat``)."""

    name: str | None
    version: str | None
    hit: HitPolicy | None
    description: str
    effective: _Effective
    params: _Params


def _parse_head(ctx: _Ctx) -> _Head | None:
    data = ctx.doc.data
    if data is None:
        ctx.add((), "policy-empty", "the file is empty", "a policy file starts with 'policy: NAME'")
        return None
    if not isinstance(data, dict):
        ctx.add((), "policy-structure", "a policy file is a mapping with policy, version, hit_policy and rules")
        return None
    _unknown_keys(ctx, data, _TOP_KEYS, (), "a policy")
    _missing_keys(ctx, data)
    name = _policy_name(ctx, data.get("policy"))
    version = _policy_version(ctx, data.get("version"))
    hit = _hit_policy(ctx, data.get("hit_policy"))
    description = _description(ctx, data.get("description"))
    effective = _effective(ctx, data.get("effective"))
    params = _policy_params(ctx, data.get("params"))
    ctx.phrases = _parse_phrases(ctx, data.get("phrases"))
    return _Head(name, version, hit, description, effective, params)


def _parse_body(ctx: _Ctx, head: _Head) -> Policy | None:
    data = ctx.doc.data
    assert isinstance(data, dict)  # (a head was read)
    ctx.readable = {**ctx.shared, **ctx.phrases}
    rules = _parse_rules(ctx, data.get("rules"), head.params)
    ctx.rule_id = None
    name, version, hit = head.name, head.version, head.hit
    if any(i.severity == "error" for i in ctx.issues) or name is None or version is None or hit is None:
        return None  # a missing or invalid name, version or hit policy is an error too
    return Policy(
        name=name,
        version=version,
        description=head.description,
        hit_policy=hit,
        rules=tuple(rules),
        effective_from=head.effective.effective_from,
        effective_until=head.effective.effective_until,
        params=head.params,
        source=ctx.file,
        phrases=dict(ctx.phrases),
    )


def _parse_document(ctx: _Ctx) -> Policy | None:
    head = _parse_head(ctx)
    return None if head is None else _parse_body(ctx, head)


def _missing_keys(ctx: _Ctx, data: _YamlMap) -> None:
    for req in _REQUIRED_KEYS:
        hint = {"hit_policy": "write 'hit_policy: first' (only the first matching rule acts) or 'all'"}.get(req)
        if req not in data:
            ctx.add((), "policy-missing-key", f"missing required key {req!r}", hint)
        elif data[req] is None:  # 'policy:' or 'rules: ~' reads as null: never a policy of no name or no rules
            ctx.add((req,), "policy-missing-key", f"{req!r} is empty (null): give it a value", hint)


def _policy_name(ctx: _Ctx, name: YamlValue) -> str | None:
    """The policy's name, or None when it is missing or invalid (reported)."""
    if name is None:
        return None
    if not isinstance(name, str) or not _NAME_RE.match(name):
        ctx.add(("policy",), "policy-bad-value", f"policy name {name!r} must be lower-case letters, digits, '-' or '_'")
        return None
    return name


def _policy_version(ctx: _Ctx, version: YamlValue) -> str | None:
    """The version as text (YAML may read ``2026.11`` as a number), or None when missing or invalid."""
    if version is None:
        return None
    if not isinstance(version, str | int | float):
        ctx.add(("version",), "policy-bad-value", "version is a string such as '2026.11.1'")
        return None
    return str(version)


def _hit_policy(ctx: _Ctx, hit: YamlValue) -> HitPolicy | None:
    """``first`` or ``all``; None when missing or invalid (reported)."""
    if hit == "first":
        return "first"
    if hit == "all":
        return "all"
    if hit is not None:
        best = suggest(str(hit), ["first", "all"])
        ctx.add(
            ("hit_policy",),
            "policy-bad-value",
            f"hit_policy {hit!r} is neither 'first' nor 'all'",
            f"did you mean {best!r}?"
            if best
            else "'first': the first matching rule by priority acts; 'all': every matching rule acts",
        )
    return None


def _description(ctx: _Ctx, description: YamlValue) -> str:
    if not description:
        return ""
    if not isinstance(description, str):
        ctx.add(("description",), "policy-bad-value", "description is text")
        return ""
    return description


def _effective(ctx: _Ctx, eff: YamlValue) -> _Effective:
    if eff is None:
        return _Effective()
    if not isinstance(eff, dict):
        ctx.add(("effective",), "policy-bad-value", "effective is a mapping with from, until and timezone")
        return _Effective()
    _unknown_keys(ctx, eff, _EFFECTIVE_KEYS, ("effective",), "effective")
    tz = _time_zone(ctx, eff)
    eff_from = _when_to_datetime(ctx, eff.get("from"), ("effective", "from"), tz)
    eff_until = _when_to_datetime(ctx, eff.get("until"), ("effective", "until"), tz)
    if eff_from and eff_until and eff_until <= eff_from:
        ctx.add(("effective", "until"), "policy-bad-value", "'until' must be later than 'from'")
    return _Effective(eff_from, eff_until)


def _time_zone(ctx: _Ctx, eff: _YamlMap) -> ZoneInfo | None:
    """The zone of the effective dates written without an offset, if one is given."""
    if "timezone" not in eff:
        return None
    try:
        return ZoneInfo(str(eff["timezone"]))
    except (ZoneInfoNotFoundError, ValueError):
        ctx.add(
            ("effective", "timezone"),
            "policy-bad-value",
            f"unknown time zone {eff['timezone']!r}",
            "use an IANA name such as Asia/Shanghai, Asia/Jakarta, America/Los_Angeles",
        )
        return None


def _policy_params(ctx: _Ctx, raw: YamlValue) -> _Params:
    """The parameters tests and actions refer to as ``$name``."""
    if not raw:
        return {}
    if not isinstance(raw, dict):
        ctx.add(("params",), "policy-bad-value", "params is a mapping of names to values")
        return {}
    params: _Params = {}
    for pname, value in raw.items():
        if not isinstance(pname, str) or not pname.isidentifier():
            ctx.add(
                ("params", pname),
                "policy-bad-value",
                f"parameter name {pname!r} must be a word such as tier1_limit",
                key=True,
            )
        if isinstance(pname, str):  # a whole-number name is reported above, and no '$name' can name it
            params[pname] = value
    return params


def _parse_rules(ctx: _Ctx, raw: YamlValue, params: _Params) -> list[Rule]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not raw:
        ctx.add(("rules",), "policy-structure", "rules is a non-empty list of rules")
        return []
    seen: dict[str, int] = {}  # rule id -> the line of its first use
    errors = sum(i.severity == "error" for i in ctx.issues)
    rules = [r for r in (_parse_rule(ctx, i, r, params, seen) for i, r in enumerate(raw)) if r is not None]
    if not rules and sum(i.severity == "error" for i in ctx.issues) == errors:
        ctx.rule_id = None
        ctx.add(
            ("rules",),
            "policy-all-disabled",
            "every rule is disabled (enabled: false): the policy decides nothing",
            "enable a rule, or remove the policy file",
            key=True,
            severity="warning",
        )
    return rules


def _parse_rule(ctx: _Ctx, i: int, r: YamlValue, params: _Params, seen: dict[str, int]) -> Rule | None:
    """The rule at ``rules[i]``, or None when it is disabled or invalid (every problem reported)."""
    path: YamlPath = ("rules", i)
    ctx.rule_id = None
    if not isinstance(r, dict):
        ctx.add(path, "policy-structure", "a rule is a mapping with id, when and then")
        return None
    rid = r.get("id")
    if isinstance(rid, str):
        ctx.rule_id = clip(rid, MAX_ID_LENGTH + 2)
    _unknown_keys(ctx, r, _RULE_KEYS, path, "a rule")
    rule_id = _rule_id(ctx, rid, path, seen)
    priority = _rule_priority(ctx, r.get("priority", DEFAULT_PRIORITY), path)
    if r.get("enabled", True) is False:
        return None
    when = _rule_when(ctx, r, path, params)
    actions = _rule_then(ctx, r, path, params)
    if rule_id is None or priority is None or when is None or actions is None:
        return None
    line, col = ctx.doc.pos(path)
    return Rule(rule_id, str(r.get("description") or ""), priority, when, actions, line, col, i)


def _rule_id(ctx: _Ctx, rid: YamlValue, path: YamlPath, seen: dict[str, int]) -> str | None:
    """The rule's id, or None when it is missing, invalid or used before (reported)."""
    if rid is None:
        ctx.add(
            path,
            "policy-missing-key",
            "the rule has no 'id'",
            "give every rule a unique id such as 'small-refund-trusted-buyer'",
        )
        return None
    if not isinstance(rid, str) or not _ID_RE.match(rid) or len(rid) > MAX_ID_LENGTH:
        hint = (
            "YAML reads yes, no, on, off, true and false as booleans: quote the id" if isinstance(rid, bool) else None
        )
        ctx.add(
            path + ("id",),
            "policy-bad-value",
            f"rule id {clip(repr(rid))} must be lower-case letters, digits, '.', '-' or '_' "
            f"(at most {MAX_ID_LENGTH} of them)",
            hint,
        )
        return None
    if rid in seen:
        ctx.add(
            path + ("id",),
            "policy-duplicate-rule",
            f"rule id {rid!r} is used twice (first at line {seen[rid]})",
            "rule ids must be unique within a policy",
        )
        return None
    seen[rid] = ctx.doc.pos(path + ("id",)).line
    return rid


def _rule_priority(ctx: _Ctx, prio: YamlValue, path: YamlPath) -> int | None:
    if isinstance(prio, bool) or not isinstance(prio, int) or prio < 0 or prio > MAX_PRIORITY:
        ctx.add(
            path + ("priority",),
            "policy-bad-value",
            f"priority {clip(repr(prio))} must be a whole number from 0 to {MAX_PRIORITY}",
            "lower numbers act first",
        )
        return None
    return prio


def _rule_when(ctx: _Ctx, rule: _YamlMap, path: YamlPath, params: _Params) -> Condition | None:
    if "when" not in rule:
        ctx.add(
            path,
            "policy-missing-key",
            "the rule has no 'when'",
            "write 'when: always' for a rule that always applies",
        )
        return None
    return _parse_condition(ctx, rule["when"], path + ("when",), params)


def _rule_then(ctx: _Ctx, rule: _YamlMap, path: YamlPath, params: _Params) -> tuple[Action, ...] | None:
    """The rule's actions, or None if there are none or any is invalid (every one is checked)."""
    then = rule.get("then")
    if not isinstance(then, list) or not then:
        ctx.add(
            path + ("then",) if "then" in rule else path,
            "policy-missing-key" if "then" not in rule else "policy-structure",
            "the rule needs 'then': a non-empty list of actions",
        )
        return None
    actions = [_parse_action(ctx, a, path + ("then", j), params) for j, a in enumerate(then)]
    valid = tuple(a for a in actions if a is not None)
    return valid if len(valid) == len(actions) else None


def load_policy_text(
    text: str,
    file: str = "<text>",
    *,
    facts: FactRegistry | None = None,
    actions: ActionCatalogue | None = None,
    max_bytes: int = MAX_BYTES,
) -> CheckedPolicy:
    """Check one policy document; return the policy (or None) and every issue found."""
    facts = facts or default_facts()
    actions = actions or default_actions()
    doc, problems = parse_yaml(text, file, max_bytes=max_bytes)
    if problems or doc is None:
        return CheckedPolicy(None, problems)
    ctx = _Ctx(file, doc, facts, actions)
    return CheckedPolicy(_parse_document(ctx), ctx.issues)


def policy_files(path: Path) -> list[Path]:
    """The policy files of a folder (not of its subfolders: a subfolder is another pack), or the file."""
    if path.is_dir():
        return sorted(
            p
            for p in path.iterdir()
            if p.is_file()
            and p.name.endswith(POLICY_SUFFIXES)
            and not p.name.endswith(TEST_SUFFIXES + OTHER_SUFFIXES)
            and not p.name.startswith(".")
        )
    return [path]


def _policy_paths(paths: list[Path], issues: list[PolicyIssue]) -> list[Path]:
    """The policy files of ``paths`` (a folder's own), and an issue for each path that holds none."""
    files: list[Path] = []
    for p in paths:
        if not p.exists():
            issues.append(PolicyIssue(file_name(p), 1, 1, "policy-file-missing", "no such file or folder"))
            continue
        found = policy_files(p)
        if p.is_dir() and not found:
            issues.append(
                PolicyIssue(file_name(p), 1, 1, "policy-file-missing", "the folder holds no .yaml policy files")
            )
        files.extend(found)
    return files


def _shared_phrases(heads: list[tuple[_Ctx, _Head | None]]) -> dict[str, PhraseSet]:
    """Every phrase set of the documents loaded together, by qualified name (``escalation.legal_threat``): a
    rule may read another policy's set (a learned signal's veto reads the pack's). A built-in set's name is
    never shadowed (``police.cn`` is the built-in set, whatever the policies are called)."""
    shared: dict[str, PhraseSet] = {}
    for ctx, head in heads:
        if head is not None and head.name is not None:
            for set_name, ps in ctx.phrases.items():
                qualified = f"{head.name}.{set_name}"
                if builtin_phrase_set(qualified) is None:
                    shared[qualified] = ps
    return shared


def load_policies(
    path: str | Path | Iterable[str | Path],
    *,
    facts: FactRegistry | None = None,
    actions: ActionCatalogue | None = None,
    max_bytes: int = MAX_BYTES,
) -> PolicySet:
    """Load and check policy files: a file, a folder (its own files; ``*.test.yaml``, ``*.detectors.yaml``
    and ``*.calendars.yaml`` are skipped; subfolders are separate packs) or a list of them.

    Raises :class:`PolicyValidationError` listing every problem of every file; a file over
    ``max_bytes`` (5 MiB by default) is refused unread.
    """
    facts = facts or default_facts()
    actions = actions or default_actions()
    items = [path] if isinstance(path, (str, Path)) else list(path) if isinstance(path, Iterable) else [path]
    wrong = next((p for p in items if not isinstance(p, (str, Path))), None)
    if wrong is not None:
        raise TypeError(f"load_policies() takes a file or folder path, or a list of them; got {type(wrong).__name__}")
    issues: list[PolicyIssue] = []
    policies: list[Policy] = []
    files = _policy_paths([Path(p) for p in items], issues)
    names: dict[str, str] = {}
    read: list[tuple[Path, _Ctx, _Head | None]] = []
    for f in files:
        text = read_text(f, max_bytes=max_bytes)
        doc, problems = (
            (None, [text]) if isinstance(text, PolicyIssue) else parse_yaml(text, file_name(f), max_bytes=max_bytes)
        )
        if problems or doc is None:
            issues.extend(problems)
            continue
        ctx = _Ctx(file_name(f), doc, facts, actions)
        read.append((f, ctx, _parse_head(ctx)))
    shared = _shared_phrases([(ctx, head) for _, ctx, head in read])
    for f, ctx, head in read:
        if head is not None:
            ctx.shared = {q: ps for q, ps in shared.items() if not q.startswith(f"{head.name}.")}
        policy = None if head is None else _parse_body(ctx, head)
        issues.extend(ctx.issues)
        if policy is not None:
            if policy.name in names:
                issues.append(
                    PolicyIssue(
                        file_name(f),
                        1,
                        1,
                        "policy-duplicate-name",
                        f"policy {policy.name!r} is also defined in {names[policy.name]}",
                        None,
                        "load one version of a policy per engine",
                    )
                )
                continue
            names[policy.name] = str(f)
            policies.append(policy)
    if policies and not any(i.severity == "error" for i in issues):
        issues.extend(limit_issues(policies, facts))
    if policies and not any(i.severity == "error" for i in issues):
        issues.extend(analyze(policies))
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise PolicyValidationError(issues)
    return PolicySet(tuple(policies), facts, actions, tuple(i for i in issues if i.severity == "warning"))
