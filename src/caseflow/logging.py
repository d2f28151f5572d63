"""Logging: caseflow never configures logging, never prints, and never logs personal data or secrets.

Every event caseflow logs goes through :func:`redact_pii` first (passwords in connection strings,
emails, phone numbers, card numbers, postal addresses and names are masked; case, order and
tracking ids, SKUs, amounts, dates and UUIDs are left alone), then to one of:

- the logger the application injected (``Engine(..., logger=...)``, ``CaseService(..., logger=...)``):
  a :class:`logging.Logger`, or a structlog-style logger called as ``logger.info(event, **fields)``;
- else, when the application configured structlog (``structlog.configure(...)``), the logger
  ``structlog.get_logger("caseflow")``, so the host's processors and renderers apply;
- else the standard :mod:`logging` logger ``caseflow`` (structlog's stdlib integration:
  the fields go into the message as ``key=value`` and whole into the record's ``caseflow``
  attribute). That logger has only a :class:`logging.NullHandler`, the Python logging HOWTO's
  advice for libraries: nothing is written anywhere until the host configures logging
  (``logging.basicConfig(level="INFO")``, a handler on ``caseflow``, ...).

Apps can add the same redaction to their own chain::

    structlog.configure(processors=[caseflow.logging.redact_pii, ...])

Every pattern here is linear-time: the standard :mod:`re` with flat, bounded character runs (no
nested quantifiers), and what a run found is checked in plain Python, so no text can make
redaction slow (a megabyte of adversarial text takes well under a second).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from functools import lru_cache
from typing import NamedTuple, Protocol

import structlog

__all__ = [
    "LOGGER_NAME",
    "PII_KEYS",
    "CaseflowLogger",
    "LoggerLike",
    "get_logger",
    "redact_pii",
    "redact_secrets",
    "redact_text",
]

LOGGER_NAME = "caseflow"
logging.getLogger(LOGGER_NAME).addHandler(logging.NullHandler())

# keys whose values are personal data whatever they look like
PII_KEYS = frozenset(
    {
        "name", "full_name", "first_name", "last_name", "buyer_name", "seller_name", "recipient", "contact_name",
        "email", "phone", "mobile", "telephone", "address", "street", "postal_address", "shipping_address",
        "billing_address", "card", "card_number", "pan", "iban", "id_number", "passport",
    }
)  # fmt: skip
# keys whose values are secrets whatever they look like
_SECRET_KEYS = frozenset(
    {
        "password", "passwd", "pwd", "sslpassword", "secret", "client_secret", "token", "access_token", "api_key",
        "apikey",
    }
)  # fmt: skip
_MAX_DEPTH = 6
_MASK = "***"  # what stands for a password

_Edit = tuple[int, int, str]  # replace text[start:end] by the string


def _apply(text: str, edits: Iterable[_Edit]) -> str:
    """``text`` with the edits (in order) made; an edit reaching into an earlier one keeps only its rest."""
    out: list[str] = []
    last = 0
    for start, end, replacement in edits:
        if end <= last:
            continue
        start = max(start, last)
        out.append(text[last:start])
        out.append(replacement)
        last = end
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def _sub(pattern: re.Pattern[str], text: str, decide: Callable[[re.Match[str]], Iterable[_Edit]]) -> str:
    """Each match of ``pattern`` is a candidate; ``decide`` says what of it (and around it) to mask.
    A match inside what an earlier one masked is not looked at."""

    def edits() -> Iterator[_Edit]:
        last = 0
        for m in pattern.finditer(text):
            if m.start() >= last:
                for edit in decide(m):
                    last = max(last, edit[1])
                    yield edit

    return _apply(text, edits())


# -- secrets ---------------------------------------------------------------------------------------
_SCHEME_END = re.compile(r"://")
_NON_SPACE = re.compile(r"\S{1,2048}")
_SECRET_KEY = re.compile(r"(?i)(?:password|passwd|pwd|secret|token|api[_-]?key)[ \t]{0,8}=[ \t]{0,8}")
_PARAM = re.compile(r"[A-Za-z_][\w.\-]{0,63}=")  # the next key=value of a query string
_QUERY_VALUE = re.compile(r"[^\s#&;]{0,2048}")
_QUOTED = {"'": re.compile(r"(?:[^'\\]|\\[\s\S]){0,2048}"), '"': re.compile(r'(?:[^"\\]|\\[\s\S]){0,2048}')}
_BARE_WORD = re.compile(r"[ \t]{1,16}[^\s=]{1,2048}(?=\s|\Z)")  # a word with no "=": no libpq key=value


def _userinfo_edits(text: str, dsn: bool) -> Iterator[_Edit]:
    """The password of every ``scheme://user:password@host``, however it is written: an ``@``, ``:``,
    ``/`` or ``?`` in it (the userinfo ends at the URL's last ``@``: where a query holds one too,
    more is masked, never less), even a space. ``dsn``: ``text`` is the URL alone, spaces and all."""
    done = 0
    for m in _SCHEME_END.finditer(text):
        s = m.end()
        if s < done or s >= len(text) or text[s] in "/[":  # inside a URL already seen; no authority
            continue
        if dsn:
            token, done = text[s:], len(text)
        else:
            word = _NON_SPACE.match(text, s)
            if word is None:
                continue
            token, done = word.group(), word.end()
        at = token.rfind("@")
        if at >= 0:
            colon = token.find(":", 0, at)
            if colon >= 0:
                yield s + colon + 1, s + at, _MASK
            continue
        # no "@" in the word: "user:my secret@host" (a space in the password) or a host and its port
        slash = token.find("/")
        authority = token if slash < 0 else token[:slash]
        colon = authority.find(":")
        rest = authority[colon + 1 :].rstrip("'\",;)")
        if colon < 0 or not rest or rest.isdecimal():
            continue
        line_end = text.find("\n", done, done + 512)
        at = text.find("@", done, line_end if line_end >= 0 else done + 512)
        if at < 0:  # nothing says where it ends: mask to the end of the authority
            yield s + colon + 1, s + len(authority), _MASK
            continue
        tail = _NON_SPACE.match(text, at)
        end = text.rfind("@", at, tail.end()) if tail is not None else at
        done = end
        yield s + colon + 1, end, _MASK


def _unquoted_end(text: str, v: int, in_query: bool, dsn: bool) -> int:
    """Where an unquoted value starting at ``v`` ends."""
    n = len(text)
    end = v
    if in_query:
        while end - v < 4096:
            value = _QUERY_VALUE.match(text, end)
            end = value.end() if value is not None else end
            # a "&" or ";" ends the value only where the next key=value starts
            if end < n and text[end] in "&;" and _PARAM.match(text, end + 1) is None:
                end += 1
                continue
            break
        return end
    value = _NON_SPACE.match(text, v)
    end = value.end() if value is not None else v
    while dsn and end - v < 4096:  # a connection string: "password=my secret dbname=d"
        bare = _BARE_WORD.match(text, end)
        if bare is None:
            break
        end = bare.end()
    return end


def _keyword_edits(text: str, dsn: bool) -> Iterator[_Edit]:
    """The value of every ``password=...`` (libpq keyword, query parameter, environment variable)."""
    done = 0
    n = len(text)
    for m in _SECRET_KEY.finditer(text):
        v = m.end()
        if m.start() < done or v >= n:
            continue
        k = m.start()
        while k > 0 and m.start() - k < 64 and (text[k - 1].isalnum() or text[k - 1] in "_.-"):
            k -= 1
        quote = text[v]
        if quote in _QUOTED:  # libpq: 'my secret', 'it\'s'
            body = _QUOTED[quote].match(text, v + 1)
            end = body.end() if body is not None else v + 1
            closed = end < n and text[end] == quote
            if end > v + 1 or closed:
                yield v + 1, end, _MASK
            done = end + 1 if closed else end
            continue
        end = _unquoted_end(text, v, k > 0 and text[k - 1] in "?&;", dsn)
        if end > v:
            yield v, end, _MASK
        done = end


def redact_secrets(text: str, *, dsn: bool = False) -> str:
    """``text`` with the password of every connection string masked as ``***``, whatever its form:
    URL userinfo (``postgresql://user:***@host/db``, also when the password holds ``@``, ``:``,
    ``/`` or a space), query parameters (``?password=***``, ``&sslpassword=***``), libpq keywords
    (``password=***``, ``password = ***``, ``password='***'``) and ``PGPASSWORD=***``; users, hosts,
    ports and databases stay. ``dsn=True``: ``text`` is one connection string, so an unquoted
    password runs up to the next ``key=value`` (libpq would read the words in between as part of
    it or refuse them; either way they are masked)."""
    if "=" not in text and "://" not in text:
        return text
    text = _apply(text, _userinfo_edits(text, dsn))
    return _apply(text, _keyword_edits(text, dsn))


# -- personal data ---------------------------------------------------------------------------------
# what glues a digit run into an id (SF1234567890123, CS-20261111-0001): ASCII and Latin letters and
# digits, "_", full-width letters and digits; not CJK, so 电话13800138000 is a phone number
_GLUE = "0-9A-Za-z_\u00c0-\u024f\u1e00-\u1eff\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
_GLUE_CHAR = re.compile(f"[{_GLUE}]")
_LATIN = "A-Za-z\u00c0-\u024f\u1e00-\u1eff"
_MARKS = "\u0300-\u036f"  # combining accents (decomposed Vietnamese, Latin)
_EMAIL = re.compile(
    rf"(?<![\w.%+\-{_MARKS}])(?<!//)[\w.%+\-{_MARKS}]{{1,64}}@[\w\-{_MARKS}]{{1,63}}\.[\w.\-{_MARKS}]{{1,200}}"
)
_CARD = re.compile(rf"(?<![{_GLUE}\-])\d{{4}}[ \-]?\d[\d \-]{{7,20}}\d")  # 4111 1111 1111 1111, 3782 822463 10005
_PHONE = re.compile(
    rf"(?:(?<![{_GLUE}+＋])[+＋]\d|(?<![{_GLUE}\-+＋/.:#@])(?:[(（]\d|\d\d))[\d \u00a0().\-（）]{{4,32}}\d"
)
_CARD_SEP = re.compile(r"[ -]")
_CHUNK = re.compile(r"[^ \u00a0]{1,40}")
_GROUP_SEP = re.compile(r"[-.]")
_FOLD = str.maketrans("＋（）０１２３４５６７８９", "+()0123456789")


def _glued(text: str, end: int) -> bool:
    """Whether what ends at ``end`` runs on into a longer token (an id, a time, an amount)."""
    nxt = text[end : end + 2]
    if not nxt:
        return False
    if _GLUE_CHAR.match(nxt[0]):
        return True
    return nxt[0] in "-./:@#_" and len(nxt) == 2 and _GLUE_CHAR.match(nxt[1]) is not None


def _email(m: re.Match[str]) -> Iterator[_Edit]:
    found = m.group()
    at = found.index("@")
    domain = found[at + 1 :].rstrip(".-")
    labels = domain.split(".")
    tld = labels[-1]
    if len(labels) >= 2 and all(labels) and (tld.lower().startswith("xn--") or (len(tld) >= 2 and tld.isalpha())):
        yield m.start(), m.start() + at + 1 + len(domain), "[email]"


def _luhn(digits: str) -> bool:
    total, alt = 0, False
    for ch in reversed(digits):
        d = int(ch)
        if alt:
            d *= 2
            if d > 9:
                d -= 9
        total += d
        alt = not alt
    return total % 10 == 0


def _card(m: re.Match[str]) -> Iterator[_Edit]:
    found = m.group()
    groups = _CARD_SEP.split(found)
    if _glued(m.string, m.end()) or len(set(_CARD_SEP.findall(found))) > 1:
        return
    if len(groups) > 1 and (min(len(g) for g in groups[:-1]) < 4 or len(groups[-1]) < 3):
        return  # 4-4-4-4, 4-6-5, 4-4-4-4-3: not 2026-11-11 13800138000
    digits = "".join(groups)
    if 13 <= len(digits) <= 19 and _luhn(digits):
        yield m.start(), m.end(), "[card]"


class _Chunk(NamedTuple):
    """One space-separated piece of a phone number: ``+86``, ``(021)``, ``138-0013-8000``."""

    digits: int
    groups: tuple[int, ...]  # the lengths of its digit groups
    head: str  # its first two digits
    plus: bool
    paren: bool
    cc: bool  # "+86": a country code alone


_NEUTRAL = _Chunk(0, (), "", False, False, False)  # a lone "-" between two pieces


@lru_cache(maxsize=4096)
def _chunk(piece: str) -> _Chunk | None:
    """``piece`` as part of a phone number, or None when it cannot be one (a date, an amount, an
    IPv4 address, a group of one digit)."""
    s = piece.translate(_FOLD)
    if s in ("-", "."):
        return _NEUTRAL
    plus = s.startswith("+")
    if plus:
        s = s[1:]
    paren = s.startswith("(")
    if paren:
        close = s.find(")")
        inner, rest = s[1:close], s[close + 1 :]
        if close < 2 or len(inner) > 5:
            return None
        if rest[:1] in ("-", "."):
            rest = rest[1:]
        parts = [inner, *_GROUP_SEP.split(rest)] if rest else [inner]
    else:
        parts = _GROUP_SEP.split(s)
    if len(parts) > 7 or not all(p.isdecimal() for p in parts):  # also: "(" or ")" elsewhere, an empty group
        return None
    groups = tuple(len(p) for p in parts)
    seps = {c for c in s if c in "-."}
    if not plus and not paren and len(groups) > 1 and len(seps) == 1:
        if len(groups) == 3 and (groups[0] == 4 or groups[2] == 4) and min(groups) <= 2:  # 2026-11-11, 11.11.2026
            return None
        if seps == {"."} and (len(groups) == 2 and groups[1] <= 2 or len(groups) == 4 and max(groups) <= 3):
            return None  # 1299.00, 192.168.1.20
    cc = plus and len(groups) == 1 and groups[0] <= 3
    if not cc and (max(groups) > 8 and len(groups) > 1 or min(groups[1:], default=2) < 2):
        return None
    if not cc and groups[0] < 2 and len(groups) < 3:
        return None
    return _Chunk(sum(groups), groups, "".join(parts)[:2], plus, paren, cc)


def _is_phone(first: _Chunk, groups: list[int], digits: int) -> bool:
    if digits < (8 if first.plus else 7):
        return False
    body = groups[1:] if first.cc else groups
    if not body or len(body) > 6:
        return False
    if len(groups) == 1 and not first.paren:  # one run of digits: +6281234567890, 081234567890, 13800138000
        trunk = first.head[:1] == "0" and 9 <= digits <= 12
        cn_mobile = digits == 11 and first.head[:1] == "1" and first.head[1:] >= "3"
        return first.plus or trunk or cn_mobile
    if first.cc or first.plus or first.paren or first.head[:1] == "0":
        return True
    return not (body[0] <= 3 and all(n == 3 for n in body[1:]))  # 12 345 678, 1.500.000: an amount


def _longest_phone(chunks: list[_Chunk | None], i: int) -> int:
    """The last piece of the longest phone number starting at piece ``i``; -1 when none does."""
    first = chunks[i]
    if first is None or first is _NEUTRAL:
        return -1
    best, digits = -1, 0
    groups: list[int] = []
    for j in range(i, min(len(chunks), i + 9)):
        c = chunks[j]
        if c is None:
            break
        if j > i:
            if c is _NEUTRAL:
                continue
            if c.plus or (c.paren and not (j == i + 1 and first.cc)):
                break
        digits += c.digits
        if digits > 15:
            break
        groups.extend(c.groups)
        if _is_phone(first, groups, digits):
            best = j
    return best


def _phones(m: re.Match[str]) -> Iterator[_Edit]:
    found, start = m.group(), m.start()
    if found[0] in "(（" and not any(c in found for c in ")）"):  # "(138-0013-8000)": the bracket is not the number's
        found, start = found[1:], start + 1
    if _glued(m.string, m.end()):  # the last piece belongs to an id, a time or an amount
        cut = max(found.rfind(" "), found.rfind("\u00a0"))
        if cut < 0:
            return
        found = found[:cut]
    pieces = [(p.start(), p.group()) for p in _CHUNK.finditer(found)]
    chunks = [_chunk(p) for _, p in pieces]
    i = 0
    while i < len(pieces):
        last = _longest_phone(chunks, i)
        if last < 0:
            i += 1
            continue
        yield start + pieces[i][0], start + pieces[last][0] + len(pieces[last][1]), "[phone]"
        i = last + 1


# addresses: a flat pattern finds where one starts; the words that follow are checked in Python
_WORD = re.compile(r"[ ]{0,3}([^\s,;:!?()\[\]{}\"<>。，、；：！？（）「」『』【】]{1,40})")
_ID_SHAPE = re.compile(r"[A-Za-z]{1,6}-?\d")
_HOUSE_WORDS = frozenset({"no", "nomor", "kav", "blok", "rt", "rw", "gg", "lt", "số", "ngõ", "ngách", "hẻm", "kiệt"})


def _address_word(word: str) -> bool:
    if word[0].isdecimal():
        return len(word) <= 6  # 5, 52, 5A, 12/3
    if word.lower().rstrip(".") in _HOUSE_WORDS:
        return True
    return word[0].isupper() and not (len(word) > 4 and _ID_SHAPE.match(word))


def _words_end(text: str, pos: int, most: int = 6) -> int:
    """Where the capitalised words (and house numbers) of a street name starting at ``pos`` end."""
    end = pos
    for _ in range(most):
        w = _WORD.match(text, end)
        if w is None or not _address_word(w.group(1)):
            break
        end = w.end()
    return end


_EN_STREET = re.compile(
    rf"(?<![{_GLUE}\-#/.])\d{{1,5}}[A-Za-z]?[ ]{{1,2}}[A-Z][A-Za-z'. \-]{{0,40}}?[ ]"
    r"(?i:street|st|road|rd|avenue|ave|lane|ln|boulevard|blvd|drive|dr|court|ct|place|pl|terrace|highway|hwy"
    r"|crescent|close|way)(?![A-Za-z])\.?"
)
_UNIT = re.compile(r",?[ ]{1,2}(?:#[0-9A-Za-z\-]{1,9}|(?i:apt|unit|suite|ste|floor|fl|lvl)\.?[ ]?#?[0-9A-Za-z\-]{1,6})")
_ID_STREET = re.compile(r"(?<![A-Za-z])(?i:jl|jln|jalan)(?![A-Za-z])\.?[ ]{1,3}")
_VN_STREET = re.compile(rf"(?<![{_LATIN}])(?i:đường|đ\.|phố|ngõ|ngách|hẻm|kiệt)[ ]{{1,2}}")
_VN_AREA = re.compile(r",?[ ]{0,2}(?i:quận|q\.|phường|p\.|huyện|xã|thị xã|thành phố|tp\.|tỉnh)[ ]{0,2}")
_NUMBER_BEFORE = re.compile(rf"(?<![{_GLUE}\-#/.])\d[\d/]{{0,8}}[A-Za-z]?[ ]{{1,2}}\Z")
_SO_BEFORE = re.compile(rf"(?<![{_LATIN}])(?i:số)[ ]{{1,2}}\d[\d/]{{0,8}}[A-Za-z]?[ ]{{1,2}}\Z")
_CN_STREET = re.compile(r"[路街道巷弄里][0-9０-９一二三四五六七八九十百零]{1,6}[号號]")
_CN_MORE = re.compile(r"[0-9０-９A-Za-z\-一二三四五六七八九十]{1,6}[室楼樓层層栋棟座]")
_CN_STOP = frozenset("是在到寄往至于於的址为為")


def _en_street(m: re.Match[str]) -> Iterator[_Edit]:
    unit = _UNIT.match(m.string, m.end())
    yield m.start(), unit.end() if unit is not None else m.end(), "[address]"


def _id_street(m: re.Match[str]) -> Iterator[_Edit]:
    text = m.string
    first = _WORD.match(text, m.end())
    if first is not None and first.group(1)[0].isupper():
        yield m.start(), _words_end(text, m.end()), "[address]"


def _vn_street(m: re.Match[str]) -> Iterator[_Edit]:
    text, start = m.string, m.start()
    first = _WORD.match(text, m.end())
    if first is None or not (first.group(1)[0].isupper() or first.group(1)[0].isdecimal()):
        return
    if text[max(0, start - 6) : start].lower().endswith("thành "):  # thành phố: a city, not a street
        return
    end = _words_end(text, m.end())
    for _ in range(3):  # ", Quận 1", ", Phường Bến Nghé"
        area = _VN_AREA.match(text, end)
        if area is None:
            break
        after = _words_end(text, area.end(), 4)
        if after == area.end():
            break
        end = after
    before = _SO_BEFORE.search(text, max(0, start - 24), start) or _NUMBER_BEFORE.search(
        text, max(0, start - 16), start
    )
    yield before.start() if before is not None else start, end, "[address]"


def _cn_street(m: re.Match[str]) -> Iterator[_Edit]:
    text, start, end = m.string, m.start(), m.end()
    floor = max(0, start - 24)
    while start > floor and "\u4e00" <= text[start - 1] <= "\u9fff" and text[start - 1] not in _CN_STOP:
        start -= 1
    for _ in range(3):  # 5栋1201室
        more = _CN_MORE.match(text, end)
        if more is None:
            break
        end = more.end()
    yield start, end, "[address]"


_ADDRESSES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], Iterable[_Edit]]], ...] = (
    (_CN_STREET, _cn_street),
    (_EN_STREET, _en_street),
    (_ID_STREET, _id_street),
    (_VN_STREET, _vn_street),
)


def redact_text(text: str) -> str:
    """Mask secrets (:func:`redact_secrets`), emails (IDN too), card numbers (Luhn-checked), phone
    numbers and street addresses in free text. Ids are left alone: a digit run glued to letters or
    joined by ``-`` to an id (``CS-20261111-0001``, ``SF1234567890123``, ``ORD-2026-000123``), and
    dates, times, amounts and UUIDs, are not phone numbers."""
    text = redact_secrets(text)
    text = _sub(_EMAIL, text, _email)
    text = _sub(_CARD, text, _card)
    text = _sub(_PHONE, text, _phones)
    for pattern, decide in _ADDRESSES:
        text = _sub(pattern, text, decide)
    return text


def _redact(value: object, depth: int = 0) -> object:
    if depth > _MAX_DEPTH:
        return "[...]"
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: "[redacted]" if _sensitive(k) else _redact(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_redact(v, depth + 1) for v in value)
    return value


def _sensitive(key: object) -> bool:
    k = str(key).lower()
    return k in PII_KEYS or k in _SECRET_KEYS


EventDict = MutableMapping[str, object]


def redact_pii(logger: object, method_name: str, event_dict: EventDict) -> EventDict:
    """A structlog processor: mask personal data and secrets in every value of the event (names and
    passwords by key)."""
    for key in list(event_dict):
        if _sensitive(key):
            event_dict[key] = "[redacted]"
        else:
            event_dict[key] = _redact(event_dict[key])
    return event_dict


class LoggerLike(Protocol):
    """A structlog-style logger an app may inject: ``logger.info(event, **fields)``."""

    def debug(self, event: str, **fields: object) -> object: ...

    def info(self, event: str, **fields: object) -> object: ...

    def warning(self, event: str, **fields: object) -> object: ...

    def error(self, event: str, **fields: object) -> object: ...


_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


class CaseflowLogger:
    """What caseflow logs through: personal data masked, then the injected logger, the host's
    structlog configuration, or the silent-by-default standard ``caseflow`` logger."""

    __slots__ = ("_target",)

    def __init__(self, target: logging.Logger | LoggerLike | None = None) -> None:
        self._target = target

    def debug(self, event: str, **fields: object) -> None:
        self._log("debug", event, fields)

    def info(self, event: str, **fields: object) -> None:
        self._log("info", event, fields)

    def warning(self, event: str, **fields: object) -> None:
        self._log("warning", event, fields)

    def error(self, event: str, **fields: object) -> None:
        self._log("error", event, fields)

    def _log(self, level: str, event: str, fields: dict[str, object]) -> None:
        target = self._target
        if target is None and not structlog.is_configured():
            target = logging.getLogger(LOGGER_NAME)
        if isinstance(target, logging.Logger):
            if target.isEnabledFor(_LEVELS[level]):  # redaction costs only when someone listens
                masked = redact_pii(None, level, dict(fields))
                text = " ".join([event, *(f"{k}={v}" for k, v in masked.items())])
                target.log(_LEVELS[level], "%s", text, extra={"caseflow": {"event": event, **masked}})
            return
        masked = redact_pii(None, level, dict(fields))
        sink = target if target is not None else structlog.get_logger(LOGGER_NAME)
        getattr(sink, level)(event, **masked)


def get_logger(logger: logging.Logger | LoggerLike | None = None) -> CaseflowLogger:
    """caseflow's logger: ``logger`` if given (stdlib or structlog-style), else the host's structlog
    configuration if there is one, else the standard ``caseflow`` logger; personal data masked."""
    return CaseflowLogger(logger)
