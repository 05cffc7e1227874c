"""Exit 78: a configuration or secret problem stops everything before it starts.

In each case the target user is valid, so the only fault is the one planted;
the command would touch a marker, and the .env directory must stay empty.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from cli_harness import Environ, Result, Runner, Workspace

pytestmark = pytest.mark.root

EX_CONFIG = 78
MIB = 1024 * 1024
TOKEN_MANIFEST = "# @required @secret\nAPI_TOKEN=\n"


def _refused(
    run: Runner, workspace: Workspace, *options: str, env: Environ | None = None
) -> Result:
    result = run(*options, "--user", "nobody", "--", *workspace.touch(), env=env)

    result.expect(EX_CONFIG)
    workspace.assert_nothing_happened(result)
    return result


def test_missing_required_keys_are_listed_together_with_where_they_were_sought(
    run: Runner, workspace: Workspace
) -> None:
    """One message names every missing key, its file, its _FILE and its variable.

    An empty value counts as missing for a required key.
    """
    manifest = workspace.manifest(
        "# @required @secret\nFIRST_KEY=\n"
        "# @required\nSECOND_KEY=\n"
        "# @required @secret @file=third-secret\nTHIRD_KEY=\n"
        "# @required\nPRESENT_KEY=here\n"
    )

    result = _refused(
        run, workspace, "--manifest", str(manifest), env={"SECOND_KEY": ""}
    )
    message = result.failure(EX_CONFIG)

    for key, file_name in [
        ("FIRST_KEY", "first_key"),
        ("SECOND_KEY", "second_key"),
        ("THIRD_KEY", "third-secret"),
    ]:
        assert key in message, str(result)
        assert f"{workspace.secrets}/{file_name}" in message, str(result)
        assert f"${key}_FILE" in message, str(result)
        assert re.search(rf"\${key}\b", message), str(result)
    assert "PRESENT_KEY" not in message


def test_key_and_key_file_both_set(run: Runner, workspace: Workspace) -> None:
    """The source would be ambiguous: both are named in the error."""
    manifest = workspace.manifest(TOKEN_MANIFEST)
    pointed = workspace.file("elsewhere/token", "from-file")
    env = {"API_TOKEN": "from-env", "API_TOKEN_FILE": str(pointed)}

    result = _refused(run, workspace, "--manifest", str(manifest), env=env)

    assert "API_TOKEN_FILE" in result.failure(EX_CONFIG), str(result)


def test_key_file_that_does_not_exist(run: Runner, workspace: Workspace) -> None:
    """KEY_FILE pointing nowhere is an error naming the variable and path."""
    manifest = workspace.manifest(TOKEN_MANIFEST)
    missing = workspace.root / "elsewhere" / "missing"

    result = _refused(
        run,
        workspace,
        "--manifest",
        str(manifest),
        env={"API_TOKEN_FILE": str(missing)},
    )

    assert "API_TOKEN_FILE" in result.failure(EX_CONFIG), str(result)
    assert str(missing) in result.failure(EX_CONFIG), str(result)


@pytest.mark.parametrize("kind", ["directory", "under-a-file"])
def test_key_file_that_cannot_be_read(
    run: Runner, workspace: Workspace, kind: str
) -> None:
    """Root reads everything, so unreadable means a directory or a broken path."""
    manifest = workspace.manifest(TOKEN_MANIFEST)
    regular = workspace.file("elsewhere/regular", "x")
    path = regular.parent if kind == "directory" else regular / "token"

    result = _refused(
        run, workspace, "--manifest", str(manifest), env={"API_TOKEN_FILE": str(path)}
    )

    assert "API_TOKEN_FILE" in result.failure(EX_CONFIG), str(result)


@pytest.mark.parametrize("source", ["secrets-dir", "key-file", "variable"])
def test_value_that_is_not_utf8(run: Runner, workspace: Workspace, source: str) -> None:
    """Invalid UTF-8 from a file, a KEY_FILE or the environment is refused."""
    manifest = workspace.manifest(TOKEN_MANIFEST)
    bad = b"caf\xe9-\xff\xfe"
    env: dict[str, str | bytes] = {}
    if source == "secrets-dir":
        workspace.secret("api_token", bad)
    elif source == "key-file":
        env["API_TOKEN_FILE"] = str(workspace.file("elsewhere/token", bad))
    else:
        env["API_TOKEN"] = bad

    result = _refused(run, workspace, "--manifest", str(manifest), env=env)

    assert "API_TOKEN" in result.failure(EX_CONFIG), str(result)


@pytest.mark.parametrize("source", ["secrets-dir", "key-file"])
def test_file_containing_a_nul_byte(
    run: Runner, workspace: Workspace, source: str
) -> None:
    """No variable can hold a NUL, so a file with one is refused."""
    manifest = workspace.manifest(TOKEN_MANIFEST)
    env = {}
    if source == "secrets-dir":
        workspace.secret("api_token", b"before\0after")
    else:
        env["API_TOKEN_FILE"] = str(workspace.file("elsewhere/t", b"before\0after"))

    result = _refused(run, workspace, "--manifest", str(manifest), env=env)

    assert "NUL" in result.failure(EX_CONFIG), str(result)


@pytest.mark.parametrize("source", ["secrets-dir", "key-file"])
def test_file_over_one_mebibyte(run: Runner, workspace: Workspace, source: str) -> None:
    """Kubernetes' limit: a file of 1 MiB + 1 byte is not a secret."""
    manifest = workspace.manifest(TOKEN_MANIFEST)
    big = b"a" * (MIB + 1)
    env = {}
    if source == "secrets-dir":
        workspace.secret("api_token", big)
    else:
        env["API_TOKEN_FILE"] = str(workspace.file("elsewhere/big", big))

    result = _refused(run, workspace, "--manifest", str(manifest), env=env)

    assert "1 MiB" in result.failure(EX_CONFIG), str(result)


def test_file_of_exactly_one_mebibyte_is_accepted(
    run: Runner, workspace: Workspace
) -> None:
    """The limit is inclusive: 1 MiB itself still goes through."""
    workspace.secret("api_token", b"a" * MIB)

    run("--user", "nobody", *workspace.touch()).expect(0)

    assert workspace.marker.exists()


@pytest.mark.parametrize("name", ["1password", "api key", "api+key", "ключ"])
@pytest.mark.parametrize(
    "with_manifest", [False, True], ids=["no-manifest", "manifest"]
)
def test_file_name_that_maps_to_no_valid_key(
    run: Runner, workspace: Workspace, name: str, with_manifest: bool
) -> None:
    """A name that cannot become a variable is an error naming the file."""
    workspace.secret(name, "value")
    options = ["--manifest", str(workspace.manifest("A=b\n"))] if with_manifest else []

    result = _refused(run, workspace, *options)

    assert name in result.failure(EX_CONFIG), str(result)


@pytest.mark.parametrize(
    "names",
    [("db-password", "db.password"), ("db_password", "db-password")],
    ids="+".join,
)
@pytest.mark.parametrize(
    "with_manifest", [False, True], ids=["no-manifest", "manifest"]
)
def test_two_files_mapping_to_one_key(
    run: Runner, workspace: Workspace, names: tuple[str, str], with_manifest: bool
) -> None:
    """Which file is meant is ambiguous: both are named in the error."""
    for name in names:
        workspace.secret(name, name)
    manifest = workspace.manifest("# @secret\nDB_PASSWORD=\n")
    options = ["--manifest", str(manifest)] if with_manifest else []

    result = _refused(run, workspace, *options)

    for name in names:
        assert name in result.failure(EX_CONFIG), str(result)


@pytest.mark.parametrize("target", ["relative", "absolute"])
def test_symlink_leaving_the_secrets_directory(
    run: Runner, workspace: Workspace, target: str
) -> None:
    """A link to ../outside or to /etc/passwd is not followed."""
    outside = workspace.file("outside", "not-a-secret")
    link = workspace.secrets / "api_token"
    os.symlink("../outside" if target == "relative" else str(outside), link)

    result = _refused(run, workspace)

    assert "api_token" in result.failure(EX_CONFIG), str(result)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("A=1\nthis is not an assignment\n", 2),
        ("A=1\nB=${NOT_DECLARED}\n", 2),
        ("A=${B}\nB=${A}\n", 1),
        ("# @required\n\nA=1\n", 1),
    ],
    ids=["malformed-line", "unknown-reference", "cycle", "dangling-annotation"],
)
def test_bad_manifest_names_file_and_line(
    run: Runner, workspace: Workspace, text: str, line: int
) -> None:
    """A manifest error points at `file:line`."""
    manifest = workspace.manifest(text)

    result = _refused(run, workspace, "--manifest", str(manifest))

    assert f"{manifest}:{line}" in result.failure(EX_CONFIG), str(result)


def test_missing_manifest(run: Runner, workspace: Workspace) -> None:
    """A --manifest that does not exist is a configuration error naming it."""
    missing = workspace.root / "missing.example"

    result = _refused(run, workspace, "--manifest", str(missing))

    assert str(missing) in result.failure(EX_CONFIG), str(result)
