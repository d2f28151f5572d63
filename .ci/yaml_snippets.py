"""Write every ```yaml snippet of README.md and docs/ into OUT/<kind>/, for check-jsonschema.

A snippet's kind is told by its top-level key (policy, workflow, calendars, detectors, tests ->
policy-test). A list of rules, or a mapping holding rules or phrases without the policy's header,
is a fragment of a policy file: it is checked inside a minimal policy around it. A snippet with no
data (comments only) is skipped. Usage: python .ci/yaml_snippets.py OUT
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
KINDS = {"policy": "policy", "workflow": "workflow", "calendars": "calendars", "detectors": "detectors",
         "tests": "policy-test"}  # fmt: skip
HEADER = {"policy": "snippet", "version": "1", "hit_policy": "all"}


def kind_of(data: object) -> tuple[str, object] | None:
    if data is None:
        return None
    if isinstance(data, list) and all(isinstance(r, dict) and "id" in r for r in data):
        return "policy", {**HEADER, "rules": data}
    if isinstance(data, dict):
        for key, kind in KINDS.items():
            if key in data:
                return kind, data
        if "rules" in data or "phrases" in data:
            return "policy", {**HEADER, "rules": [{"id": "r", "when": "always", "then": ["apologize"]}], **data}
    raise SystemExit(f"a YAML snippet of unknown kind: {str(data)[:80]!r}; make it a whole document or a rule list")


def main(out: Path) -> int:
    count = 0
    for md in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for i, m in enumerate(re.finditer(r"```yaml[^\n]*\n(.*?)```", md.read_text(encoding="utf-8"), re.S)):
            found = kind_of(yaml.safe_load(m.group(1)))
            if found is None:
                continue
            kind, data = found
            folder = out / kind
            folder.mkdir(parents=True, exist_ok=True)
            name = f"{md.relative_to(ROOT).as_posix().replace('/', '_')}_{i}.json"
            (folder / name).write_text(json.dumps(data, default=str), encoding="utf-8")
            count += 1
    print(f"{count} YAML snippets written under {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
