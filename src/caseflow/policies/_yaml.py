"""Safe YAML reading that remembers where every value came from.

The document is *composed* (never constructed) with PyYAML's SafeLoader, then turned into
plain Python values here. Along the way:

- any tag other than the standard scalar/collection tags (``!!python/object``, ``!foo``)
  is an error: nothing in a policy file is ever turned into an object or run;
- a key that appears twice in one mapping is an error (PyYAML silently keeps the last);
- anchors and aliases are refused (no billion-laughs expansion);
- every value's ``(line, column)``, 1-based, is recorded under its path, so a later
  validation error can point at ``file:line:column``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import PolicyIssue, PolicyValidationError

__all__ = ["Located", "YamlProblem", "read_file", "read_source", "read_yaml"]

_STD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:timestamp",
}

Path = tuple[Any, ...]


@dataclass
class YamlProblem:
    line: int
    column: int
    code: str
    message: str
    hint: str | None = None


@dataclass
class Located:
    """A parsed document plus the position of every value, keyed by path."""

    data: Any
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    styles: dict[Path, str | None] = field(default_factory=dict)

    def pos(self, path: Path) -> tuple[int, int]:
        """Position of ``path``, or of its nearest ancestor that has one."""
        p = tuple(path)
        while p:
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return self.positions.get((), (1, 1))

    def key_pos(self, path: Path) -> tuple[int, int]:
        return self.key_positions.get(tuple(path)) or self.pos(path)


class _Reader(yaml.SafeLoader):
    pass


def _where(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def read_source(path: FilePath) -> str | YamlProblem:
    """The text of a YAML file, or why it cannot be read (missing, unreadable, not UTF-8)."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        return YamlProblem(1, 1, "yaml-syntax", f"the file is not UTF-8 text ({e.reason})")
    except OSError as e:
        what = "no such file or folder" if isinstance(e, FileNotFoundError) else f"cannot read the file: {e.strerror}"
        return YamlProblem(1, 1, "policy-file-missing", what)


def read_file(path: FilePath) -> str:
    """The text of a YAML file; :class:`PolicyValidationError` located at the file if it cannot be read."""
    got = read_source(path)
    if isinstance(got, YamlProblem):
        raise PolicyValidationError([PolicyIssue(str(path), got.line, got.column, got.code, got.message)])
    return got


def read_yaml(text: str) -> tuple[Located | None, list[YamlProblem]]:
    """Parse ``text``; return the located document, or the problems that prevent it."""
    loader = _Reader(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            msg = (e.problem or e.context or "invalid YAML").strip()
            hint = None
            if "mapping values are not allowed" in msg:
                hint = "check the indentation of this line, or quote a value that contains ': '"
            elif "expected <block end>" in msg or "did not find expected" in msg:
                hint = "check the indentation: items of one list or mapping must line up"
            elif "found character '\\t'" in msg:
                hint = "YAML does not allow tabs for indentation; use spaces"
            return None, [YamlProblem(line, col, "yaml-syntax", f"invalid YAML: {msg}", hint)]
        except yaml.YAMLError as e:  # reader errors (bad encoding, control characters)
            return None, [YamlProblem(1, 1, "yaml-syntax", f"invalid YAML: {e}")]
    finally:
        loader.dispose()
    if root is None:
        return Located(None), []
    out = Located(None)
    problems: list[YamlProblem] = []
    out.data = _convert(root, (), out, problems, loader)
    return out, problems


def _convert(node: Node, path: Path, out: Located, problems: list[YamlProblem], loader: _Reader) -> Any:
    out.positions[path] = _where(node)
    seen = out.__dict__.setdefault("_seen", set())
    if isinstance(node, (MappingNode, SequenceNode)):
        if id(node) in seen:  # the composer hands back the same node for an alias
            line, col = _where(node)
            problems.append(
                YamlProblem(line, col, "yaml-alias", "anchors and aliases ('&name', '*name') are not allowed",
                            "write the value out in full")
            )
            return None
        seen.add(id(node))
    if node.tag not in _STD_TAGS:
        line, col = _where(node)
        problems.append(
            YamlProblem(
                line,
                col,
                "yaml-tag",
                f"tag {node.tag!r} is not allowed in policy files",
                "policy files hold plain data only; remove the tag",
            )
        )
        return None
    if isinstance(node, ScalarNode):
        out.styles[path] = node.style
        try:
            return loader.construct_object(node, deep=True)
        except yaml.YAMLError as e:
            line, col = _where(node)
            problems.append(YamlProblem(line, col, "yaml-value", f"invalid value: {e}"))
            return None
    if isinstance(node, SequenceNode):
        return [_convert(child, path + (i,), out, problems, loader) for i, child in enumerate(node.value)]
    if isinstance(node, MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                line, col = _where(key_node)
                problems.append(YamlProblem(line, col, "yaml-merge", "merge keys ('<<') are not supported"))
                continue
            if not isinstance(key_node, ScalarNode):
                line, col = _where(key_node)
                problems.append(YamlProblem(line, col, "yaml-key", "a key must be a plain word"))
                continue
            key = _convert(key_node, path + ("<key>",), out, problems, loader)
            if not isinstance(key, (str, int)):
                key = str(key)
            if key in result:
                line, col = _where(key_node)
                first = out.key_positions.get(path + (key,), (0, 0))
                problems.append(
                    YamlProblem(
                        line,
                        col,
                        "yaml-duplicate-key",
                        f"key {key!r} appears twice in one mapping (first at line {first[0]})",
                        "remove or rename one of them",
                    )
                )
                continue
            out.key_positions[path + (key,)] = _where(key_node)
            result[key] = _convert(value_node, path + (key,), out, problems, loader)
        out.positions.pop(path + ("<key>",), None)
        return result
    return None  # pragma: no cover - PyYAML has no other node kinds

