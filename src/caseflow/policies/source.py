"""The one reader of every YAML document kind caseflow takes: policies (SLA targets included),
business calendars, correlation detectors, workflow definitions and policy tests.

A file is read as bytes, at most ``max_bytes`` of them (:data:`MAX_BYTES` by default), from a
regular file only (a FIFO or a device such as ``/dev/zero`` is refused, never read forever),
decoded as UTF-8 (a byte order mark is skipped), then *composed* (never constructed) with PyYAML
(its libyaml scanner when it is installed, else its own) and turned into plain Python values here.
Along the way:

- a character YAML does not allow (NUL and the other control characters, a lone surrogate) is an
  error at its line and column;
- any tag other than the standard scalar/collection tags (``!!python/object``, ``!foo``)
  is an error: nothing in a document is ever turned into an object or run;
- a key that appears twice in one mapping is an error (PyYAML silently keeps the last);
- anchors, aliases and merge keys are refused (no billion-laughs expansion);
- nesting deeper than :data:`MAX_DEPTH` is refused as soon as it is met (no recursion error),
  and so is a document of more than :data:`MAX_VALUES` values (reading stays well under a second);
- a number is finite (``.inf``, ``.nan`` and ``1e+400`` are refused) and written in at most
  :data:`MAX_NUMBER_DIGITS` digits; a text is valid Unicode (no lone surrogate from a ``"\\ud800"``
  escape);
- every value's ``(line, column)``, 1-based, is recorded under its path, so every later
  error of the document's own checks points at ``file:line:column`` too.

Every problem is a :class:`~caseflow.errors.PolicyIssue` located in the file; each document
kind raises its own :class:`~caseflow.errors.DocumentError` with them.
"""

from __future__ import annotations

import codecs
import math
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple, cast

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from ..errors import PolicyIssue, clip

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NUMBER_DIGITS",
    "MAX_VALUES",
    "Located",
    "ParsedYaml",
    "Position",
    "YamlPath",
    "YamlValue",
    "clip",
    "file_name",
    "file_problem",
    "parse_yaml",
    "read_bytes",
    "read_text",
    "read_yaml",
]

MAX_BYTES = 5 * 1024 * 1024
"""The default size limit of a document (5 MiB); every reader takes ``max_bytes`` to change it."""
MAX_DEPTH = 64
"""How deeply mappings and lists may nest in a document."""
MAX_VALUES = 100_000
"""How many values (scalars, lists, mappings, keys) a document may hold; composing one takes some
microseconds, so a document of a million list items is refused in a fraction of a second."""
MAX_NUMBER_DIGITS = 30
"""How many digits a number of a document may have (a priority, a threshold, a count)."""

# what YAML allows in a document (the YAML 1.1 printable set): no NUL or other control character,
# no lone surrogate (text decoded from a file has none; text given to parse_yaml may)
_NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_NOT_A_DIGIT = re.compile(r"[eE][-+]?[0-9]+$|^[-+]?0[xob]|[^0-9a-fA-F]")

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


class _TooMuch(Exception):
    """Composing stopped: the document nests too deeply or holds too many values."""

    def __init__(self, mark: Mark | None, code: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.mark, self.code, self.message, self.hint = mark, code, message, hint


class _Bounded(Composer):
    """Composes a document, counting its values and their depth: too many or too deep stops at once
    (before the scanner reads further, and before Python's recursion limit)."""

    max_values = MAX_VALUES
    _values = 0
    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self._values += 1
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH + 1:  # the root is at depth 0 for the converter, 1 here
                raise _TooMuch(
                    self._mark(),
                    "yaml-too-deep",
                    f"the document nests more than {MAX_DEPTH} levels",
                    "flatten the document",
                )
            if self._values > self.max_values:
                raise _TooMuch(
                    self._mark(),
                    "yaml-too-large",
                    f"the document holds more than {self.max_values:,} values",
                    "split it into several files",
                )
            node: Node | None = super().compose_node(parent, index)
            return node
        finally:
            self._depth -= 1

    def _mark(self) -> Mark | None:
        event = self.peek_event()  # type: ignore[attr-defined]  # the parser's, mixed in below
        return event.start_mark if event is not None else None


class _PyReader(_Bounded, yaml.SafeLoader):
    """PyYAML's own scanner and parser, in Python."""


def _libyaml_reader() -> type[_PyReader] | None:
    """A reader on libyaml's scanner and parser (a hundred times faster on text), composing in Python as
    :class:`_PyReader` does; None when PyYAML was built without libyaml."""
    try:
        from yaml._yaml import CParser
    except ImportError:  # pragma: no cover - PyYAML without libyaml: its own scanner, slower
        return None

    class _CReader(_Bounded, CParser, SafeConstructor, Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    return cast("type[_PyReader]", _CReader)  # the same methods, the parsing ones written in C


_LIBYAML = _libyaml_reader()


def _reader(text: str) -> _PyReader:
    return _LIBYAML(text) if _LIBYAML is not None else _PyReader(text)


class ParsedYaml(NamedTuple):
    """A document read: located, or None with the problems that prevented it (``problems`` may hold
    problems of a document that was read, too)."""

    doc: Located | None
    problems: list[PolicyIssue]


def _where(node: Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def file_problem(path: str | Path, *, max_bytes: int | None = MAX_BYTES) -> PolicyIssue | None:
    """What prevents reading ``path`` as a document (located at line 1), found without opening it: it is
    missing, unreadable, not a regular file (a folder, a FIFO, a socket, a device such as ``/dev/zero``),
    or larger than ``max_bytes`` (None: any size); None when nothing does."""
    file = file_name(path)

    def problem(code: str, message: str, hint: str | None = None) -> PolicyIssue:
        return PolicyIssue(file, 1, 1, code, message, None, hint)

    try:
        st = os.stat(path)
    except FileNotFoundError:
        return problem("source-missing", "no such file or folder")
    except OSError as e:
        return problem("source-unreadable", f"cannot read the file: {e.strerror or e}")
    except ValueError:  # a NUL in the name, or a name that is no text of this system
        return problem("source-unreadable", "cannot read the file: its name holds a character no file name can")
    if stat.S_ISDIR(st.st_mode):
        return problem("source-not-a-file", "a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        return problem("source-not-a-file", _NOT_REGULAR)
    if max_bytes is not None and st.st_size > max_bytes:
        return _too_large(file, st.st_size, max_bytes)
    return None


_NOT_REGULAR = "not a regular file (a pipe, socket or device); give a file"


def read_bytes(path: str | Path, *, max_bytes: int = MAX_BYTES) -> bytes | PolicyIssue:
    """The bytes of a file, or the problem that prevents reading them (located at line 1).

    Only a regular file is read (a folder, a FIFO, a socket or a device such as ``/dev/zero`` is
    refused before it is opened, and again after: it is opened without blocking), and only if it
    holds at most ``max_bytes``."""
    found = file_problem(path, max_bytes=max_bytes)
    if found is not None:
        return found
    file = file_name(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced since we looked
                return PolicyIssue(file, 1, 1, "source-not-a-file", _NOT_REGULAR)
            raw = f.read(max_bytes + 1)
    except FileNotFoundError:
        return PolicyIssue(file, 1, 1, "source-missing", "no such file or folder")
    except OSError as e:
        return PolicyIssue(file, 1, 1, "source-unreadable", f"cannot read the file: {e.strerror or e}")
    if len(raw) > max_bytes:  # it grew while we looked
        return _too_large(file, len(raw), max_bytes)
    return raw


def read_text(path: str | Path, *, max_bytes: int = MAX_BYTES) -> str | PolicyIssue:
    """The text of a document file (UTF-8, a byte order mark skipped), or the problem that prevents
    reading it (located at line 1, or where the text stops being UTF-8)."""
    raw = read_bytes(path, max_bytes=max_bytes)
    if isinstance(raw, PolicyIssue):
        return raw
    text = _decode_utf8(raw)
    if isinstance(text, str):
        return text
    line, col, reason, at = text
    return PolicyIssue(file_name(path), line, col, "yaml-syntax", f"the file is not UTF-8 text ({reason} at byte {at})")


class _Undecodable(NamedTuple):
    """Where bytes stop being UTF-8: the line and column (1-based), the reason and the byte offset."""

    line: int
    column: int
    reason: str
    byte: int


def _decode_utf8(raw: bytes) -> str | _Undecodable:
    """``raw`` as text (a leading byte order mark dropped), or where it stops being UTF-8."""
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        return raw[bom:].decode("utf-8")
    except UnicodeDecodeError as e:
        before = raw[bom : bom + e.start].decode("utf-8", "replace")
        line = before.count("\n") + 1
        return _Undecodable(line, len(before) - (before.rfind("\n") + 1) + 1, e.reason, bom + e.start)


def file_name(path: str | Path) -> str:
    """``path`` as messages name it: a control character or a lone surrogate (of a name that is no UTF-8)
    escaped, so the message stays one printable line; any other name as it is."""
    return _NOT_YAML.sub(lambda m: ascii(m.group())[1:-1], str(path))


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
    return parse_yaml(text, file_name(path), max_bytes=max_bytes)


def _size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _position(text: str, index: int) -> Position:
    line = text.count("\n", 0, index) + 1
    return Position(line, index - (text.rfind("\n", 0, index) + 1) + 1)


def parse_yaml(
    text: str, file: str = "<text>", *, max_bytes: int = MAX_BYTES, max_values: int = MAX_VALUES
) -> ParsedYaml:
    """Parse document text; return the located document, or the problems that prevent it."""
    if len(text) > max_bytes or (len(text) * 4 > max_bytes and _size(text) > max_bytes):
        return ParsedYaml(None, [_too_large(file, _size(text), max_bytes)])
    text = text.removeprefix("\ufeff")
    odd = _NOT_YAML.search(text)
    if odd is not None:
        line, col = _position(text, odd.start())
        what = "a lone surrogate" if _SURROGATE.match(odd.group()) else "a control character"
        message = f"invalid YAML: {what} (U+{ord(odd.group()):04X}) is not allowed in a document"
        return ParsedYaml(None, [PolicyIssue(file, line, col, "yaml-syntax", message, None, "remove it")])
    loader = _reader(text)
    loader.max_values = max_values
    try:
        root = loader.get_single_node()
    except _TooMuch as e:
        line, col = (e.mark.line + 1, e.mark.column + 1) if e.mark else (1, 1)
        return ParsedYaml(None, [PolicyIssue(file, line, col, e.code, e.message, None, e.hint)])
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        msg = (e.problem or e.context or "invalid YAML").strip()
        if "exceeded maximum nesting depth" in msg:  # libyaml's own limit (1,000 levels), met while scanning
            message = f"the document nests more than {MAX_DEPTH} levels"
            return ParsedYaml(
                None, [PolicyIssue(file, line, col, "yaml-too-deep", message, None, "flatten the document")]
            )
        hint = _syntax_hint(msg, _char_at(text, line, col))
        return ParsedYaml(None, [PolicyIssue(file, line, col, "yaml-syntax", f"invalid YAML: {msg}", None, hint)])
    except yaml.YAMLError as e:  # pragma: no cover - reader errors: the characters were checked above
        return ParsedYaml(None, [PolicyIssue(file, 1, 1, "yaml-syntax", f"invalid YAML: {_one_line(e)}")])
    except RecursionError:  # pragma: no cover - nesting is bounded while composing
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


def _char_at(text: str, line: int, column: int) -> str:
    """The character at a 1-based line and column of ``text`` ('' past its end)."""
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    at = start + column - 1
    return text[at] if at < len(text) and text.find("\n", start, at) < 0 else ""


def _syntax_hint(msg: str, char: str = "") -> str | None:
    if "mapping values are not allowed" in msg:
        return "check the indentation of this line, or quote a value that contains ': '"
    if "found character '\\t'" in msg or (char == "\t" and "cannot start any token" in msg):
        return "YAML does not allow tabs for indentation; use spaces"
    if "expected <block end>" in msg or "did not find expected" in msg:
        return "check the indentation: items of one list or mapping must line up"
    return None


def _one_line(e: Exception) -> str:
    return " ".join(str(e).split())


class _Converter:
    """Composed nodes -> plain values, recording positions and refusing what a document may not hold."""

    def __init__(self, out: Located, problems: list[PolicyIssue], loader: _PyReader) -> None:
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
        shown = clip(node.value, 40)
        if _SURROGATE.search(node.value):  # an escape such as "\\ud800": PyYAML's own scanner lets it through
            self.problem(
                node,
                "yaml-value",
                f"invalid value {shown!r}: a lone surrogate is no Unicode character",
                "write the character itself (or \\U0001F600 for one beyond \\uFFFF)",
            )
            return None
        if node.tag in _NUMBER_TAGS and len(_NOT_A_DIGIT.sub("", node.value)) > MAX_NUMBER_DIGITS:
            self.problem(
                node,
                "yaml-value",
                f"invalid value {shown!r}: a number has at most {MAX_NUMBER_DIGITS} digits",
                "quote it if it is text",
            )
            return None
        try:
            value: YamlValue = self.loader.construct_object(node, deep=True)  # a standard scalar tag: checked above
        except (yaml.YAMLError, ValueError, OverflowError) as e:  # 2026-02-30, a year 0 date ...
            self.problem(node, "yaml-value", f"invalid value {shown!r}: {clip(_one_line(e), 200)}")
            return None
        if isinstance(value, float) and not math.isfinite(value):  # .inf, .nan, 1e+400
            self.problem(
                node,
                "yaml-value",
                f"invalid value {shown!r}: a number must be finite",
                "quote it if it is text",
            )
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
                    f"key {clip(str(key))!r} appears twice in one mapping (first at line {first.line})",
                    "remove or rename one of them",
                )
                continue
            self.out.key_positions[path + (key,)] = _where(key_node)
            result[key] = self.convert(value_node, path + (key,), depth + 1)
        self.out.positions.pop(path + ("<key>",), None)
        return result
