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
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from ..errors import PolicyIssue, PolicyValidationError, suggest
from .actions import ActionCatalogue, default_actions
from .analysis import analyze, limit_issues
from .conditions import AllOf, Always, AnyOf, Condition, ConditionProblem, NotOf, Test, parse_test
from .facts import FactRegistry, default_facts
from .model import Action, Policy, PolicySet, Rule
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
from .source import MAX_BYTES, Located, parse_yaml, read_text

__all__ = ["POLICY_SUFFIXES", "TEST_SUFFIXES", "load_policies", "load_policy_text"]

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


class _Ctx:
    def __init__(self, file: str, doc: Located, facts: FactRegistry, actions: ActionCatalogue) -> None:
        self.file = file
        self.doc = doc
        self.facts = facts
        self.actions = actions
        self.issues: list[PolicyIssue] = []
        self.rule_id: str | None = None
        self.phrases: dict[str, Any] = {}

    def add(
        self,
        path: tuple[Any, ...],
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


def _unknown_keys(ctx: _Ctx, data: dict[str, Any], allowed: set[str], path: tuple[Any, ...], what: str) -> None:
    for key in data:
        if key not in allowed:
            best = suggest(str(key), allowed)
            ctx.add(
                path + (key,),
                "policy-unknown-key",
                f"unknown key {key!r} in {what}",
                f"did you mean {best!r}?" if best else f"allowed keys: {', '.join(sorted(allowed))}",
                key=True,
            )


def _when_to_datetime(ctx: _Ctx, value: Any, path: tuple[Any, ...], tz: ZoneInfo | None) -> datetime | None:
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
                f"{value!r} is not a date",
                "write e.g. 2026-11-11 or 2026-11-11T00:00:00+08:00",
            )
            return None
    else:
        ctx.add(path, "policy-bad-value", f"{value!r} is not a date")
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
    return dt


def _parse_phrases(ctx: _Ctx, raw: Any) -> dict[str, Any]:
    from .phrases import PhraseSet

    out: dict[str, Any] = {}
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
        ok = True
        for lang, phrases in langs.items():
            if lang != "except" and (not isinstance(lang, str) or not _LANG_RE.match(lang)):
                ctx.add(
                    path + (lang,),
                    "policy-bad-phrases",
                    f"{lang!r} is not a language code such as en, zh, id, vi",
                    key=True,
                )
                ok = False
                continue
            if (
                not isinstance(phrases, list)
                or not phrases
                or not all(isinstance(p, str) and p.strip() for p in phrases)
            ):
                ctx.add(
                    path + (lang,),
                    "policy-bad-phrases",
                    f"{name}.{lang} must be a non-empty list of phrases (quote them)",
                )
                ok = False
                continue
            lists[lang] = phrases
        if ok:
            exceptions = lists.pop("except", [])
            if not lists:
                ctx.add(path, "policy-bad-phrases", f"phrase set {name!r} has exceptions but no phrases")
                continue
            out[name] = PhraseSet.build(name, lists, exceptions)
    return out


def _parse_condition(
    ctx: _Ctx, node: Any, path: tuple[Any, ...], params: dict[str, Any], depth: int = 0
) -> Condition | None:
    line, col = ctx.doc.pos(path)
    if depth > MAX_NESTING:
        ctx.add(path, "policy-limit", f"conditions may nest at most {MAX_NESTING} levels")
        return None
    if isinstance(node, str):
        if node.strip().lower() == "always":
            return Always(line, col)
        try:
            t = parse_test(node, ctx.facts, params, ctx.phrases)
        except ConditionProblem as p:
            ctx.add(path, p.code, p.message, p.hint, offset=p.offset)
            return None
        return Test(t.fact, t.op, t.value, t.text, line, col, t.currency)
    if isinstance(node, list):
        if not node:
            ctx.add(path, "policy-bad-value", "an empty list of conditions", "remove it, or write 'always'")
            return None
        kids = [_parse_condition(ctx, c, path + (i,), params, depth + 1) for i, c in enumerate(node)]
        if any(k is None for k in kids):
            return None
        return AllOf(tuple(kids), line, col) if len(kids) > 1 else kids[0]  # type: ignore[arg-type]
    if isinstance(node, dict):
        if len(node) != 1:
            ctx.add(
                path,
                "policy-bad-condition",
                "a condition mapping has exactly one key: all, any or not",
                "split it into a list under 'all:'",
            )
            return None
        ((key, value),) = node.items()
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                ctx.add(path + (key,), "policy-bad-condition", f"'{key}' takes a non-empty list of conditions")
                return None
            kids = [_parse_condition(ctx, c, path + (key, i), params, depth + 1) for i, c in enumerate(value)]
            if any(k is None for k in kids):
                return None
            return (AllOf if key == "all" else AnyOf)(tuple(kids), line, col)  # type: ignore[arg-type]
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
    if isinstance(node, bool):
        ctx.add(
            path,
            "policy-bad-condition",
            f"a condition cannot be {node}",
            "write 'always' for a rule that always applies",
        )
        return None
    ctx.add(
        path,
        "policy-bad-condition",
        f"a condition is a test, a list, or all/any/not; got {type(node).__name__}",
        "YAML read this as a number or date: quote the test",
    )
    return None


def _resolve_params(ctx: _Ctx, value: Any, params: dict[str, Any], path: tuple[Any, ...]) -> Any:
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


def _parse_action(ctx: _Ctx, node: Any, path: tuple[Any, ...], params: dict[str, Any]) -> Action | None:
    line, col = ctx.doc.pos(path)
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


def _parse_document(ctx: _Ctx) -> Policy | None:
    data = ctx.doc.data
    if data is None:
        ctx.add((), "policy-empty", "the file is empty", "a policy file starts with 'policy: NAME'")
        return None
    if not isinstance(data, dict):
        ctx.add((), "policy-structure", "a policy file is a mapping with policy, version, hit_policy and rules")
        return None
    _unknown_keys(ctx, data, _TOP_KEYS, (), "a policy")
    for req in ("policy", "version", "hit_policy", "rules"):
        if req not in data:
            hint = {"hit_policy": "write 'hit_policy: first' (only the first matching rule acts) or 'all'"}.get(req)
            ctx.add((), "policy-missing-key", f"missing required key {req!r}", hint)
    name = data.get("policy")
    if name is not None and (not isinstance(name, str) or not _NAME_RE.match(name)):
        ctx.add(("policy",), "policy-bad-value", f"policy name {name!r} must be lower-case letters, digits, '-' or '_'")
    version = data.get("version")
    if version is not None and not isinstance(version, (str, int, float)):
        ctx.add(("version",), "policy-bad-value", "version is a string such as '2026.11.1'")
    hit = data.get("hit_policy")
    if hit is not None and hit not in ("first", "all"):
        best = suggest(str(hit), ["first", "all"])
        ctx.add(
            ("hit_policy",),
            "policy-bad-value",
            f"hit_policy {hit!r} is neither 'first' nor 'all'",
            f"did you mean {best!r}?"
            if best
            else "'first': the first matching rule by priority acts; 'all': every matching rule acts",
        )
    description = data.get("description") or ""
    if not isinstance(description, str):
        ctx.add(("description",), "policy-bad-value", "description is text")
        description = ""

    eff_from = eff_until = None
    eff = data.get("effective")
    if eff is not None:
        if not isinstance(eff, dict):
            ctx.add(("effective",), "policy-bad-value", "effective is a mapping with from, until and timezone")
        else:
            _unknown_keys(ctx, eff, _EFFECTIVE_KEYS, ("effective",), "effective")
            tz = None
            if "timezone" in eff:
                try:
                    tz = ZoneInfo(str(eff["timezone"]))
                except (ZoneInfoNotFoundError, ValueError):
                    ctx.add(
                        ("effective", "timezone"),
                        "policy-bad-value",
                        f"unknown time zone {eff['timezone']!r}",
                        "use an IANA name such as Asia/Shanghai, Asia/Jakarta, America/Los_Angeles",
                    )
            eff_from = _when_to_datetime(ctx, eff.get("from"), ("effective", "from"), tz)
            eff_until = _when_to_datetime(ctx, eff.get("until"), ("effective", "until"), tz)
            if eff_from and eff_until and eff_until <= eff_from:
                ctx.add(("effective", "until"), "policy-bad-value", "'until' must be later than 'from'")

    params = data.get("params") or {}
    if not isinstance(params, dict):
        ctx.add(("params",), "policy-bad-value", "params is a mapping of names to values")
        params = {}
    for pname in params:
        if not isinstance(pname, str) or not pname.isidentifier():
            ctx.add(
                ("params", pname),
                "policy-bad-value",
                f"parameter name {pname!r} must be a word such as tier1_limit",
                key=True,
            )

    ctx.phrases = _parse_phrases(ctx, data.get("phrases"))
    rules_raw = data.get("rules")
    rules: list[Rule] = []
    if rules_raw is not None and (not isinstance(rules_raw, list) or not rules_raw):
        ctx.add(("rules",), "policy-structure", "rules is a non-empty list of rules")
        rules_raw = []
    seen: dict[str, int] = {}
    for i, r in enumerate(rules_raw or []):
        path = ("rules", i)
        ctx.rule_id = None
        if not isinstance(r, dict):
            ctx.add(path, "policy-structure", "a rule is a mapping with id, when and then")
            continue
        rid = r.get("id")
        if isinstance(rid, str):
            ctx.rule_id = rid
        _unknown_keys(ctx, r, _RULE_KEYS, path, "a rule")
        ok = True
        if rid is None:
            ctx.add(
                path,
                "policy-missing-key",
                "the rule has no 'id'",
                "give every rule a unique id such as 'small-refund-trusted-buyer'",
            )
            ok = False
        elif not isinstance(rid, str) or not _ID_RE.match(rid):
            hint = (
                "YAML reads yes, no, on, off, true and false as booleans: quote the id"
                if isinstance(rid, bool)
                else None
            )
            ctx.add(
                path + ("id",),
                "policy-bad-value",
                f"rule id {rid!r} must be lower-case letters, digits, '.', '-' or '_'",
                hint,
            )
            ok = False
        elif rid in seen:
            ctx.add(
                path + ("id",),
                "policy-duplicate-rule",
                f"rule id {rid!r} is used twice (first at line {seen[rid]})",
                "rule ids must be unique within a policy",
            )
            ok = False
        else:
            seen[rid] = ctx.doc.pos(path + ("id",))[0]
        prio = r.get("priority", DEFAULT_PRIORITY)
        if isinstance(prio, bool) or not isinstance(prio, int) or prio < 0 or prio > MAX_PRIORITY:
            ctx.add(
                path + ("priority",),
                "policy-bad-value",
                f"priority {prio!r} must be a whole number from 0 to {MAX_PRIORITY}",
                "lower numbers act first",
            )
            ok = False
        if r.get("enabled", True) is False:
            continue
        if "when" not in r:
            ctx.add(
                path,
                "policy-missing-key",
                "the rule has no 'when'",
                "write 'when: always' for a rule that always applies",
            )
            ok = False
            when = None
        else:
            when = _parse_condition(ctx, r["when"], path + ("when",), params)
            ok = ok and when is not None
        then_raw = r.get("then")
        actions: list[Action] = []
        if not isinstance(then_raw, list) or not then_raw:
            ctx.add(
                path + ("then",) if "then" in r else path,
                "policy-missing-key" if "then" not in r else "policy-structure",
                "the rule needs 'then': a non-empty list of actions",
            )
            ok = False
        else:
            for j, a in enumerate(then_raw):
                act = _parse_action(ctx, a, path + ("then", j), params)
                if act is None:
                    ok = False
                else:
                    actions.append(act)
        desc = r.get("description") or ""
        if ok:
            line, col = ctx.doc.pos(path)
            rules.append(Rule(rid, str(desc), prio, when, tuple(actions), line, col, i))  # type: ignore[arg-type]
    ctx.rule_id = None
    if any(i.severity == "error" for i in ctx.issues):
        return None
    return Policy(
        name=name,
        version=str(version),
        description=description,
        hit_policy=hit,
        rules=tuple(rules),
        effective_from=eff_from,
        effective_until=eff_until,
        params=dict(params),
        source=ctx.file,
        phrases=dict(ctx.phrases),
    )


def load_policy_text(
    text: str,
    file: str = "<text>",
    *,
    facts: FactRegistry | None = None,
    actions: ActionCatalogue | None = None,
    max_bytes: int = MAX_BYTES,
) -> tuple[Policy | None, list[PolicyIssue]]:
    """Check one policy document; return the policy (or None) and every issue found."""
    facts = facts or default_facts()
    actions = actions or default_actions()
    doc, problems = parse_yaml(text, file, max_bytes=max_bytes)
    if problems or doc is None:
        return None, problems
    ctx = _Ctx(file, doc, facts, actions)
    policy = _parse_document(ctx)
    return policy, ctx.issues


def _files(path: Path) -> list[Path]:
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
    paths = [Path(p) for p in items]
    issues: list[PolicyIssue] = []
    policies: list[Policy] = []
    files: list[Path] = []
    for p in paths:
        if not p.exists():
            issues.append(PolicyIssue(str(p), 1, 1, "policy-file-missing", "no such file or folder"))
            continue
        found = _files(p)
        if p.is_dir() and not found:
            issues.append(PolicyIssue(str(p), 1, 1, "policy-file-missing", "the folder holds no .yaml policy files"))
        files.extend(found)
    names: dict[str, str] = {}
    for f in files:
        text = read_text(f, max_bytes=max_bytes)
        if isinstance(text, PolicyIssue):
            issues.append(text)
            continue
        policy, found_issues = load_policy_text(text, str(f), facts=facts, actions=actions, max_bytes=max_bytes)
        issues.extend(found_issues)
        if policy is not None:
            if policy.name in names:
                issues.append(
                    PolicyIssue(
                        str(f),
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
