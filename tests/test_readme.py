"""The README's commands run as written.

Every fenced code block in README.md belongs to one of three sections, and each is checked:
- "Quick start": exactly the two set-up commands (checked by name; running them is what set up
  the environment these tests run in), and `.ci/run` runs the test one exactly;
- "The command line": run here, line by line as one bash script from the clone's root, with
  the passphrase and PIN from PIR_PASSPHRASE and PIR_SIGNING_PIN and TMPDIR pointing into
  pytest's temporary folder; every line must exit 0;
- "Installing on a laptop": run against the built .deb by tests/test_installer.py (as root).
A block anywhere else fails the test, so a new command cannot slip in untested.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SET_UP = ["bash installer/dev-env.sh app", "bash installer/dev-env.sh test"]
RUN_HERE, RUN_BY_INSTALLER_TEST = "The command line", "Installing on a laptop"
ACTIVATE = ". .venv/bin/activate"


def code_blocks(text: str) -> list[tuple[str, list[str]]]:
    """(section heading, lines) for every fenced block, in order."""
    blocks, section, current = [], "", None
    for line in text.splitlines():
        if current is not None:
            if line.startswith("```"):
                blocks.append((section, current))
                current = None
            else:
                current.append(line)
        elif line.startswith("## "):
            section = line[3:].strip()
        elif line.startswith("```"):
            current = []
    assert current is None, "README.md has an unclosed code block"
    return blocks


def commands(lines: list[str]) -> list[str]:
    """The command of each line, without its trailing comment."""
    out = []
    for line in lines:
        command = re.sub(r"\s+#.*$", "", line).strip()
        if command and not command.startswith("#"):
            out.append(command)
    return out


def section_block(name: str) -> list[str]:
    found = [lines for section, lines in code_blocks(README.read_text("utf-8"))
             if section == name]
    assert len(found) == 1, f"README.md should have one code block under '## {name}'"
    return found[0]


def test_every_code_block_is_covered() -> None:
    covered = {"Quick start", RUN_HERE, RUN_BY_INSTALLER_TEST}
    for section, lines in code_blocks(README.read_text("utf-8")):
        assert section in covered, (f"a code block under '## {section}' is run by no test: "
                                    f"{lines[:2]}")


def test_quick_start_is_exactly_the_two_set_up_commands() -> None:
    assert commands(section_block("Quick start")) == SET_UP


def test_ci_runs_the_readme_test_command_exactly() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    run_lines = [ln.strip() for ln in ci.splitlines()
                 if ln.strip() and not ln.strip().startswith("#")]
    assert f"exec {SET_UP[1]}" in run_lines, ci
    # pytest's own exit code (5 when no test was collected) must reach CI unchanged.
    assert "|| true" not in ci and "set +e" not in ci


def test_command_line_examples_run_as_written(tmp_path: Path) -> None:
    script = "\n".join(section_block(RUN_HERE))
    assert ACTIVATE in script
    # The README activates the clone's .venv; the suite may run from another venv (PIR_VENV,
    # a scratch worktree), so the examples use the pir of the Python that runs this test.
    activate = Path(sys.prefix) / "bin" / "activate"
    assert sys.prefix != sys.base_prefix and activate.is_file(), "the suite runs from a venv"
    assert (activate.parent / "pir").is_file(), f"pir is not installed in {sys.prefix}"
    script = script.replace(ACTIVATE, f". {shlex.quote(str(activate))}")
    env = {**os.environ, "PIR_PASSPHRASE": "a sample passphrase for the README",
           "PIR_SIGNING_PIN": "sample-pin-2468", "TMPDIR": str(tmp_path)}
    for var in ("PIR_DB", "VIRTUAL_ENV"):
        env.pop(var, None)
    result = subprocess.run(["bash", "-e", "-o", "pipefail", "-x", "-c", script], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    ran = [ln[2:] for ln in result.stderr.splitlines() if ln.startswith("+ pir ")]
    expected = [c for c in commands(section_block(RUN_HERE)) if c.startswith("pir ")]
    assert len(ran) == len(expected), result.stderr
    assert re.search(r"^VALID", result.stdout, re.M) and "INVALID" not in result.stdout
    # The sample files went to the scratch folder, not the clone.
    assert any(tmp_path.rglob("demo.db")) and not (ROOT / "demo.db").exists()
