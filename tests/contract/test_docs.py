"""The documentation site (mkdocs.yml, docs/): what it says is what caseflow does.

- the generated reference pages (docs/gen_reference.py) are the ones committed;
- every ```python block of docs/**/*.md runs, as written, from the repository root, each on its own
  (a block that is deliberately a fragment says so: ```python title="fragment");
- every Python snippet of the README and of docs/ passes ``mypy --strict`` (without the pydantic plugin);
- every option of every command is in docs/cli.md, every document kind in docs/reference/yaml.md, and
  every issue code a YAML document can report has its anchor in docs/errors.md;
- ``mkdocs build --strict`` passes (no broken link or anchor, every page in the nav).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from tests.helpers import ROOT

DOCS = ROOT / "docs"
REGENERATE = "run 'python docs/gen_reference.py' from the repository root and commit the pages it writes"

# a fenced block: its info string (```python title="fragment") and its body
FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.S | re.M)
FRAGMENT = 'title="fragment"'

# The names the README's snippets use without defining them, as tests/contract/test_readme.py gives them
# when it runs them; declared here so that mypy checks the snippets against their real types.
README_NAMESPACE = """\
from collections.abc import Callable
from datetime import datetime

from caseflow import Case, OutboxMessage, WorkflowEvent

case_json: str  # a case as JSON text
case: Case  # the same case, parsed
now: datetime  # an aware time
event: WorkflowEvent  # an event for the case
pay: Callable[[OutboxMessage], object]  # hands a refund to the payment system
"""


def _pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def _python_blocks(path: Path) -> list[tuple[int, str, str]]:
    """(line, info, code) of every ```python block of ``path``."""
    text = path.read_text(encoding="utf-8")
    out = []
    for m in FENCE.finditer(text):
        info = m.group("info").strip()
        if info.split(" ")[0] in ("python", "py", "python3", "pycon"):
            out.append((text.count("\n", 0, m.start()) + 1, info, m.group("body")))
    return out


def _runnable() -> list[tuple[str, int, str]]:
    """(page, line, code) of every ```python block of docs/ that is not marked as a fragment."""
    return [
        (str(p.relative_to(ROOT)), line, code)
        for p in _pages()
        for line, info, code in _python_blocks(p)
        if FRAGMENT not in info
    ]


SNIPPETS = _runnable()


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_reference", DOCS / "gen_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_reference_pages_are_up_to_date():
    pages = _generator().generate()
    assert pages, "docs/gen_reference.py generated nothing"
    for path, text in pages.items():
        committed = DOCS / path
        assert committed.is_file(), f"docs/{path} is missing: {REGENERATE}"
        assert committed.read_text(encoding="utf-8") == text, f"docs/{path} is stale: {REGENERATE}"


def test_python_blocks_are_python_and_fragments_are_few():
    blocks = [(p, line, info) for p in _pages() for line, info, _ in _python_blocks(p)]
    wrong = [f"{p.relative_to(ROOT)}:{line}" for p, line, info in blocks if not info.startswith("python")]
    assert wrong == [], "write ```python (the snippet tests look for it)"
    fragments = [f"{p.relative_to(ROOT)}:{line}" for p, line, info in blocks if FRAGMENT in info]
    assert len(fragments) <= 3, f"keep fragments rare; make these runnable: {fragments}"
    assert len(SNIPPETS) >= 10, "the snippets were not found: is the fence pattern stale?"


@pytest.mark.parametrize(("page", "line", "code"), SNIPPETS, ids=[f"{p}:{n}" for p, n, _ in SNIPPETS])
def test_every_docs_snippet_runs(page, line, code, monkeypatch):
    monkeypatch.chdir(ROOT)  # snippets read rules/ relative to the repository root
    namespace: dict[str, object] = {"__name__": "__docs_snippet__"}  # nothing given: each block is whole
    exec(compile(code, f"{page}:{line}", "exec"), namespace)  # noqa: S102 - our own documentation


def _snippet_modules(folder: Path) -> list[Path]:
    """The README's blocks as one module (they share a namespace) and each docs block as its own."""
    readme = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert readme, "the README has no python blocks: is the pattern stale?"
    files = [folder / "readme_snippets.py"]
    files[0].write_text(README_NAMESPACE + "\n" + "\n".join(readme), encoding="utf-8")
    for page, line, code in SNIPPETS:
        name = re.sub(r"\W", "_", f"{page}_{line}".removeprefix("docs/").removesuffix(".md"))
        f = folder / f"doc_{name}.py"
        f.write_text(f"# {page}, line {line}\n" + textwrap.dedent(code), encoding="utf-8")
        files.append(f)
    return files


def test_every_snippet_passes_mypy_strict(tmp_path):
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed: pip install -e '.[dev]' to type-check the snippets")
    files = _snippet_modules(tmp_path)
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file", os.devnull]
        + [f.name for f in files],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    report = run.stdout + run.stderr
    for f in files:  # name the page and line in the report, not the temporary file
        first = f.read_text(encoding="utf-8").splitlines()[0]
        report = report.replace(f.name, f"{f.name} ({first.lstrip('# ')})" if first.startswith("# ") else f.name)
    assert run.returncode == 0, f"mypy --strict on {len(files)} snippet modules:\n{report}"


def _yaml_examples() -> dict[str, str]:
    """The ```yaml title="PATH" examples of docs/reference/yaml.md: PATH -> the document."""
    text = (DOCS / "reference" / "yaml.md").read_text(encoding="utf-8")
    return {
        m.group(1): body
        for info, body in ((m.group("info"), m.group("body")) for m in FENCE.finditer(text))
        if (m := re.match(r'yaml title="([^"]+)"', info.strip()))
    }


def test_the_yaml_examples_load_and_match_their_schemas(tmp_path):
    import json

    import jsonschema
    import yaml

    from caseflow import (
        Engine,
        SlaTracker,
        Workflows,
        load_calendars,
        load_detectors,
        load_policies,
        load_workflow,
        load_workflows,
    )
    from caseflow.policies.schema import policy_schema
    from caseflow.risk.detectors import detectors_schema
    from caseflow.sla.calendar import calendars_schema
    from caseflow.states.definition import workflow_schema
    from caseflow.testing.policytest import policy_test_schema, run_file

    examples = _yaml_examples()
    for name, body in examples.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body, encoding="utf-8")
    kinds = {
        ".test.yaml": policy_test_schema,
        ".calendars.yaml": calendars_schema,
        ".detectors.yaml": detectors_schema,
        "workflows/": workflow_schema,
    }
    for name, body in examples.items():
        schema = next((fn for k, fn in kinds.items() if k in name), policy_schema)()
        data = json.loads(json.dumps(yaml.safe_load(body), default=str))
        problems = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(data)]
        assert problems == [], f"docs/reference/yaml.md, {name}: does not match its schema"
        assert body.startswith("# yaml-language-server: $schema="), name
    path = {name.split("/")[-1]: tmp_path / name for name in examples}
    load_policies(path["small-refunds.yaml"])
    calendars = load_calendars(path["sla.calendars.yaml"])
    SlaTracker(Engine(load_policies(path["first_response.yaml"]), backend="python"), calendars)
    assert load_detectors(path["correlation.detectors.yaml"])
    Workflows([*load_workflows(), load_workflow(path["repair.yaml"])])
    outcomes = run_file(path["small-refunds.test.yaml"], backend="python")
    assert [o.failures for o in outcomes if not o.passed] == [] and len(outcomes) == 3


def _subcommands(parser: argparse.ArgumentParser, prefix: str = "caseflow") -> dict[str, argparse.ArgumentParser]:
    out = {prefix: parser}
    for action in parser._actions:  # argparse keeps its subcommands here
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out.update(_subcommands(sub, f"{prefix} {name}"))
    return out


def test_every_command_and_option_is_in_the_cli_page():
    from caseflow.tools.cli import build_parser

    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    missing = []
    for command, parser in _subcommands(build_parser()).items():
        if command != "caseflow" and f"`{command}" not in text:
            missing.append(command)
        for action in parser._actions:
            for opt in action.option_strings:
                if opt not in ("-h", "--help") and not re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", text):
                    missing.append(f"{command} {opt}")
            if action.choices and not isinstance(action, argparse._SubParsersAction):
                missing += [f"{command} {c}" for c in action.choices if str(c) not in text]
    assert missing == [], f"docs/cli.md does not mention these commands, options or choices: {missing}"


def test_every_document_kind_has_its_schema_documented():
    from caseflow.tools.cli import SCHEMA_KINDS

    text = (DOCS / "reference" / "yaml.md").read_text(encoding="utf-8")
    assert [k for k in SCHEMA_KINDS if f"caseflow schema {k}" not in text] == []
    assert "yaml-language-server: $schema=" in text


def test_every_issue_code_of_a_document_has_its_anchor():
    """Issue codes are passed positionally (``PolicyIssue(file, line, col, "workflow-dead-end", ...)``),
    which tests/contract/test_public_api.py's ``code="..."`` pattern does not see."""
    prefixes = "yaml|source|policy|workflow|correlation|calendar|condition"
    codes: set[str] = set()
    for f in (ROOT / "src" / "caseflow").rglob("*.py"):
        codes |= set(re.findall(rf'"((?:{prefixes})-[a-z0-9]+(?:-[a-z0-9]+)*)"', f.read_text(encoding="utf-8")))
    codes -= {"policy-test"}  # a document kind (caseflow schema policy-test), not a code
    anchors = set(re.findall(r'<a id="([a-z0-9-]+)"></a>', (DOCS / "errors.md").read_text(encoding="utf-8")))
    assert len(codes) > 30, "no codes found: the pattern is stale"
    assert sorted(codes - anchors) == [], "add a row (and an <a id> anchor) to docs/errors.md"


def test_the_site_builds_strict(tmp_path):
    missing = [m for m in ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python") if not _has(m)]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed: pip install -e '.[docs]' to build the site")
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml")]
        + ["--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "site" / "errors" / "index.html").is_file(), "the errors' docs_url points at errors/"
    assert 'id="policy-unknown-fact"' in (tmp_path / "site" / "errors" / "index.html").read_text(encoding="utf-8")


def _has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False
