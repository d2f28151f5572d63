"""The one reader of every YAML document kind caseflow takes: policies (SLA targets included),
business calendars, correlation detectors, workflow definitions and policy tests.

A file is read as bytes, at most ``max_bytes`` of them (:data:`MAX_BYTES` by default), from a
regular file only (a FIFO or a device such as ``/dev/zero`` is refused, never read forever),
decoded as UTF-8, then *composed* (never constructed) with PyYAML's SafeLoader and turned into
plain Python values here. Along the way:

- any tag other than the standard scalar/collection tags (``!!python/object``, ``!foo``)
  is an error: nothing in a document is ever turned into an object or run;
- a key that appears twice in one mapping is an error (PyYAML silently keeps the last);
- anchors, aliases and merge keys are refused (no billion-laughs expansion);
- nesting deeper than :data:`MAX_DEPTH` is refused (no recursion error);
- every value's ``(line, column)``, 1-based, is recorded under its path, so every later
  error of the document's own checks points at ``file:line:column`` too.

Every problem is a :class:`~caseflow.errors.PolicyIssue` located in the file; each document
kind raises its own :class:`~caseflow.errors.DocumentError` with them.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import PolicyIssue

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "Located",
    "ParsedYaml",
    "Position",
    "YamlPath",
    "YamlValue",
    "parse_yaml",
    "read_text",
    "read_yaml",
]

MAX_BYTES = 5 * 1024 * 1024
"""The default size limit of a document (5 MiB); every reader takes ``max_bytes`` to change it."""
MAX_DEPTH = 64
"""How deeply mappings and lists may nest in a document."""

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

YamlValue = str | int | float | bool | date | datetime | list["YamlValue"] | dict[str | int, "YamlValue"] | None
"""A value of a document as this reader gives it: plain scalars (a YAML timestamp is a date or a
datetime), lists, and mappings whose keys are text or whole numbers (any other key becomes text)."""
YamlPath = tuple[str | int, ...]
"""Where a value sits in its document: mapping keys and list indexes from the root."""


class Position(NamedTuple):
    """Where a value or a key starts in its file, both 1-based."""

    line: int
    column: int


@dataclass
class Located:
    """A parsed document plus the position of every value, keyed by path."""

    data: YamlValue
    file: str = "<text>"
    positions: dict[YamlPath, Position] = field(default_factory=dict)
    key_positions: dict[YamlPath, Position] = field(default_factory=dict)
    styles: dict[YamlPath, str | None] = field(default_factory=dict)

    def pos(self, path: YamlPath) -> Position:
        """Position of ``path``, or of its nearest ancestor that has one."""
        p = tuple(path)
        while p:
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return self.positions.get((), Position(1, 1))

    def key_pos(self, path: YamlPath) -> Position:
        return self.key_positions.get(tuple(path)) or self.pos(path)

    def issue(
        self,
        path: YamlPath,
        code: str,
        message: str,
        hint: str | None = None,
        *,
        key: bool = False,
        rule_id: str | None = None,
        severity: str = "error",
    ) -> PolicyIssue:
        """A problem of the value (or, with ``key``, of the key) at ``path``, located in this document."""
        line, col = self.key_pos(path) if key else self.pos(path)
        return PolicyIssue(self.file, line, col, code, message, rule_id, hint, severity)


class _Reader(yaml.SafeLoader):
    pass


class ParsedYaml(NamedTuple):
    """A document read: located, or None with the problems that prevented it (``problems`` may hold
    problems of a document that was read, too)."""

    doc: Located | None
    problems: list[PolicyIssue]


def _where(node: Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def read_text(path: str | Path, *, max_bytes: int = MAX_BYTES) -> str | PolicyIssue:
    """The text of a document file, or the problem that prevents reading it (located at line 1)."""
    file = str(path)

    def problem(code: str, message: str, hint: str | None = None) -> PolicyIssue:
        return PolicyIssue(file, 1, 1, code, message, None, hint)

    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            return problem("source-not-a-file", "a folder, not a file")
        if not stat.S_ISREG(st.st_mode):
            return problem(
                "source-not-a-file",
                "not a regular file (a pipe, socket or device); give a file",
            )
        if st.st_size > max_bytes:
            return _too_large(file, st.st_size, max_bytes)
        with open(path, "rb") as f:
            raw = f.read(max_bytes + 1)
    except FileNotFoundError:
        return problem("source-missing", "no such file or folder")
    except OSError as e:
        return problem("source-unreadable", f"cannot read the file: {e.strerror or e}")
    if len(raw) > max_bytes:  # it grew while we looked
        return _too_large(file, len(raw), max_bytes)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return problem("yaml-syntax", f"the file is not UTF-8 text ({e.reason} at byte {e.start})")


def _too_large(file: str, size: int, max_bytes: int) -> PolicyIssue:
    return PolicyIssue(
        file,
        1,
        1,
        "source-too-large",
        f"the file has {size:,} bytes, more than the limit of {max_bytes:,}",
        None,
        "split it into several files, or raise the limit (max_bytes=...)",
    )


def read_yaml(path: str | Path, *, max_bytes: int = MAX_BYTES) -> ParsedYaml:
    """Read and parse a document file: the located document, or the problems that prevent it."""
    text = read_text(path, max_bytes=max_bytes)
    if isinstance(text, PolicyIssue):
        return ParsedYaml(None, [text])
    return parse_yaml(text, str(path), max_bytes=max_bytes)


def parse_yaml(text: str, file: str = "<text>", *, max_bytes: int = MAX_BYTES) -> ParsedYaml:
    """Parse document text; return the located document, or the problems that prevent it."""
    if len(text) > max_bytes and len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        return ParsedYaml(None, [_too_large(file, len(text.encode("utf-8", "surrogatepass")), max_bytes)])
    loader = _Reader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        msg = (e.problem or e.context or "invalid YAML").strip()
        return ParsedYaml(
            None, [PolicyIssue(file, line, col, "yaml-syntax", f"invalid YAML: {msg}", None, _syntax_hint(msg))]
        )
    except yaml.YAMLError as e:  # reader errors (control characters, bad encodings)
        return ParsedYaml(None, [PolicyIssue(file, 1, 1, "yaml-syntax", f"invalid YAML: {_one_line(e)}")])
    except RecursionError:
        return ParsedYaml(
            None, [PolicyIssue(file, 1, 1, "yaml-too-deep", f"the document nests more than {MAX_DEPTH} levels")]
        )
    finally:
        loader.dispose()
    out = Located(None, file)
    if root is None:
        return ParsedYaml(out, [])
    problems: list[PolicyIssue] = []
    out.data = _Converter(out, problems, loader).convert(root, (), 0)
    return ParsedYaml(out, problems)


def _syntax_hint(msg: str) -> str | None:
    if "mapping values are not allowed" in msg:
        return "check the indentation of this line, or quote a value that contains ': '"
    if "expected <block end>" in msg or "did not find expected" in msg:
        return "check the indentation: items of one list or mapping must line up"
    if "found character '\\t'" in msg:
        return "YAML does not allow tabs for indentation; use spaces"
    return None


def _one_line(e: Exception) -> str:
    return " ".join(str(e).split())


class _Converter:
    """Composed nodes -> plain values, recording positions and refusing what a document may not hold."""

    def __init__(self, out: Located, problems: list[PolicyIssue], loader: _Reader) -> None:
        self.out, self.problems, self.loader = out, problems, loader
        self.seen: set[int] = set()

    def problem(self, node: Node, code: str, message: str, hint: str | None = None) -> None:
        line, col = _where(node)
        self.problems.append(PolicyIssue(self.out.file, line, col, code, message, None, hint))

    def convert(self, node: Node, path: YamlPath, depth: int) -> YamlValue:
        self.out.positions[path] = _where(node)
        if depth > MAX_DEPTH:
            self.problem(node, "yaml-too-deep", f"the document nests more than {MAX_DEPTH} levels")
            return None
        if isinstance(node, (MappingNode, SequenceNode)):
            if id(node) in self.seen:  # the composer hands back the same node for an alias
                self.problem(
                    node,
                    "yaml-alias",
                    "anchors and aliases ('&name', '*name') are not allowed",
                    "write the value out in full",
                )
                return None
            self.seen.add(id(node))
        if node.tag not in _STD_TAGS:
            self.problem(
                node,
                "yaml-tag",
                f"tag {node.tag!r} is not allowed here",
                "these files hold plain data only; remove the tag",
            )
            return None
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, SequenceNode):
            return [self.convert(child, path + (i,), depth + 1) for i, child in enumerate(node.value)]
        if isinstance(node, MappingNode):
            return self.mapping(node, path, depth)
        return None  # pragma: no cover - PyYAML has no other node kinds

    def scalar(self, node: ScalarNode, path: YamlPath) -> YamlValue:
        self.out.styles[path] = node.style
        try:
            value: YamlValue = self.loader.construct_object(node, deep=True)  # a standard scalar tag: checked above
        except (yaml.YAMLError, ValueError, OverflowError) as e:  # 2026-02-30, a year 0 date ...
            self.problem(node, "yaml-value", f"invalid value {node.value[:40]!r}: {_one_line(e)}")
            return None
        return value

    def mapping(self, node: MappingNode, path: YamlPath, depth: int) -> dict[str | int, YamlValue]:
        result: dict[str | int, YamlValue] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problem(key_node, "yaml-merge", "merge keys ('<<') are not supported")
                continue
            if not isinstance(key_node, ScalarNode):
                self.problem(key_node, "yaml-key", "a key must be a plain word")
                continue
            key = self.convert(key_node, path + ("<key>",), depth + 1)
            if not isinstance(key, (str, int)):
                key = str(key)
            if key in result:
                first = self.out.key_positions.get(path + (key,), Position(0, 0))
                self.problem(
                    key_node,
                    "yaml-duplicate-key",
                    f"key {key!r} appears twice in one mapping (first at line {first.line})",
                    "remove or rename one of them",
                )
                continue
            self.out.key_positions[path + (key,)] = _where(key_node)
            result[key] = self.convert(value_node, path + (key,), depth + 1)
        self.out.positions.pop(path + ("<key>",), None)
        return result
