"""Where values come from, which source wins, and what is left out."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
from dotenv import dotenv_values

if TYPE_CHECKING:
    from cli_harness import Runner, Workspace

pytestmark = pytest.mark.root

TOKEN_MANIFEST = "# @secret\nAPI_TOKEN=placeholder\n"

# Strings python-dotenv and shells get wrong when a writer is careless.
HOSTILE_VALUES = {
    "quotes": 'it\'s "quoted" `too`',
    "backslashes": "C:\\path\\ends\\",
    "dollars": "$HOME ${HOME} ${:-x} $$ $",
    "hash_and_equals": "a#b = c # not a comment",
    "line_breaks": "one\ntwo\r\nthree\rfour",
    "outer_spaces": "  padded  ",
    "non_ascii": "pässwörd ✓ 密码",
    "empty": "",
}


def test_secrets_dir_file_beats_the_variable_with_a_warning(
    run: Runner, workspace: Workspace
) -> None:
    """The file wins, and `secrets.shadowed` names the key (never a value)."""
    manifest = workspace.manifest(TOKEN_MANIFEST)
    workspace.secret("api_token", "from-file")

    result = run(
        "--manifest",
        manifest,
        "--user",
        "nobody",
        *workspace.touch(),
        env={"API_TOKEN": "from-env"},
    )
    shadowed = result.expect(0).event("secrets.shadowed")

    assert dotenv_values(workspace.env_file) == {"API_TOKEN": "from-file"}
    assert shadowed["key"] == "API_TOKEN"
    assert shadowed["level"] == "warning"
    assert "from-env" not in result.stderr


def test_secrets_dir_file_beats_key_file(run: Runner, workspace: Workspace) -> None:
    """A file in the secrets directory also wins over KEY_FILE."""
    manifest = workspace.manifest(TOKEN_MANIFEST)
    workspace.secret("api_token", "from-dir")
    pointed = workspace.file("elsewhere/token", "from-key-file")

    result = run(
        "--manifest",
        manifest,
        "--user",
        "nobody",
        *workspace.touch(),
        env={"API_TOKEN_FILE": str(pointed)},
    )

    assert result.expect(0).event("secrets.shadowed")["key"] == "API_TOKEN"
    assert dotenv_values(workspace.env_file) == {"API_TOKEN": "from-dir"}


def test_key_file_beats_the_manifest_default(run: Runner, workspace: Workspace) -> None:
    """KEY_FILE is read for a declared key; its one trailing newline is dropped."""
    manifest = workspace.manifest("GREETING=hello\n")
    pointed = workspace.file("elsewhere/greeting", "bonjour\n\n")

    result = run(
        "--manifest",
        manifest,
        "--user",
        "nobody",
        *workspace.touch(),
        env={"GREETING_FILE": str(pointed)},
    )

    result.expect(0)
    assert dotenv_values(workspace.env_file) == {"GREETING": "bonjour\n"}


def test_key_file_is_not_consulted_for_undeclared_keys(
    run: Runner, workspace: Workspace
) -> None:
    """STRAY_FILE means nothing when the manifest has no STRAY."""
    manifest = workspace.manifest("GREETING=hello\n")
    pointed = workspace.file("elsewhere/stray", "stray-value")

    result = run(
        "--manifest",
        manifest,
        "--user",
        "nobody",
        *workspace.touch(),
        env={"STRAY_FILE": str(pointed)},
    )

    result.expect(0)
    assert dotenv_values(workspace.env_file) == {"GREETING": "hello"}


def test_undeclared_file_is_left_out_with_a_warning(
    run: Runner, workspace: Workspace
) -> None:
    """A file the manifest does not declare is named in `secrets.undeclared`."""
    manifest = workspace.manifest(TOKEN_MANIFEST)
    workspace.secret("api_token", "declared")
    workspace.secret("stray_secret", "undeclared-value")

    result = run("--manifest", manifest, "--user", "nobody", *workspace.touch())
    undeclared = result.expect(0).event("secrets.undeclared")

    assert dotenv_values(workspace.env_file) == {"API_TOKEN": "declared"}
    assert "stray_secret" in str(undeclared["files"])
    assert undeclared["level"] == "warning"
    assert "undeclared-value" not in result.stderr


def test_without_a_manifest_every_file_is_taken(
    run: Runner, workspace: Workspace
) -> None:
    """File names become keys: upper case, `-` and `.` turned into `_`."""
    workspace.secret("postgres_password", "pg")
    workspace.secret("api-key", "ak")
    workspace.secret("smtp.password", "sp")

    run("--user", "nobody", *workspace.touch()).expect(0)

    assert dotenv_values(workspace.env_file) == {
        "POSTGRES_PASSWORD": "pg",
        "API_KEY": "ak",
        "SMTP_PASSWORD": "sp",
    }


def test_kubernetes_layout_is_read_through_its_internal_links(
    run: Runner, workspace: Workspace
) -> None:
    """Dot entries are skipped; links into `..data` inside the directory work."""
    stamped = workspace.secrets / "..2024_01_01_00_00_00.000000000"
    workspace.file(stamped / "api_token", "k8s-token")
    os.symlink(stamped.name, workspace.secrets / "..data")
    os.symlink("..data/api_token", workspace.secrets / "api_token")
    workspace.secret(".hidden", "never-read")

    run("--user", "nobody", *workspace.touch()).expect(0)

    assert dotenv_values(workspace.env_file) == {"API_TOKEN": "k8s-token"}


def test_file_keeps_everything_but_one_trailing_newline(
    run: Runner, workspace: Workspace
) -> None:
    """Exactly one LF or CRLF goes; other whitespace stays byte for byte."""
    workspace.secret("lf", "  a \n\n")
    workspace.secret("crlf", "b\r\n")
    workspace.secret("cr", "c\r")
    workspace.secret("tabs", "\td\t")

    run("--user", "nobody", *workspace.touch()).expect(0)

    assert dotenv_values(workspace.env_file) == {
        "LF": "  a \n",
        "CRLF": "b",
        "CR": "c\r",
        "TABS": "\td\t",
    }


def test_hostile_values_read_back_exactly_through_python_dotenv(
    run: Runner, workspace: Workspace
) -> None:
    """Quotes, backslashes, `$`, `#`, CR/LF, spaces and non-ASCII survive."""
    for name, value in HOSTILE_VALUES.items():
        workspace.secret(name, value + "\n")

    run("--user", "nobody", *workspace.touch()).expect(0)

    expected = {name.upper(): value for name, value in HOSTILE_VALUES.items()}
    assert dotenv_values(workspace.env_file) == expected


def test_env_file_is_utf8_without_bom_with_lf_line_endings(
    run: Runner, workspace: Workspace
) -> None:
    """The raw bytes: UTF-8, no BOM, no CR anywhere, one LF per key."""
    for name, value in HOSTILE_VALUES.items():
        workspace.secret(name, value)

    run("--user", "nobody", *workspace.touch()).expect(0)
    data = workspace.env_file.read_bytes()

    assert not data.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in data
    assert data.decode("utf-8").count("\n") == len(HOSTILE_VALUES)


def test_old_env_file_is_replaced_not_appended(
    run: Runner, workspace: Workspace
) -> None:
    """A second start rewrites the file; keys that disappeared are gone."""
    workspace.secret("first", "1")
    run("--user", "nobody", *workspace.touch()).expect(0)
    (workspace.secrets / "first").unlink()
    workspace.secret("second", "2")

    result = run("--user", "nobody", *workspace.touch())

    result.expect(0)
    assert dotenv_values(workspace.env_file) == {"SECOND": "2"}
    assert workspace.listing() == [".env"]
