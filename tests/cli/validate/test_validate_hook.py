"""The pre-commit hook definition runs the installed `secretsctl validate`."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from support import commands

HOOKS = Path(__file__).resolve().parents[3] / ".pre-commit-hooks.yaml"
BIN = Path(sys.executable).parent


def hook_fields() -> dict[str, str]:
    """The `key: value` lines of the one hook (comments and list dash removed)."""
    fields = {}
    for raw in HOOKS.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip().removeprefix("- ")
        if line and not line.startswith("#"):
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip()
    return fields


def test_the_hook_runs_validate_on_every_commit_without_file_names() -> None:
    """validate reads the index and the ignored places itself."""
    fields = hook_fields()

    assert fields["id"] == "secretsctl-validate"
    assert fields["entry"] == "secretsctl validate"
    assert fields["language"] == "python"
    assert fields["pass_filenames"] == "false"
    assert fields["always_run"] == "true"


def test_the_hooks_entry_is_an_installed_command() -> None:
    program, *arguments = shlex.split(hook_fields()["entry"])

    completed = commands.run([str(BIN / program), *arguments, "--help"]).expect(0)

    assert "--format" in completed.stdout
