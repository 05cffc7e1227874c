"""Rebuilding a service's secret list: only the rotated key changes."""

from __future__ import annotations

from typing import Any

import pytest

from entrypoint.errors import ConfigError
from secretsctl.swarm.engine import StoredSecret
from secretsctl.swarm.references import rebuild, select, target, version_base


def reference(
    name: str, file: str, uid: str = "0", gid: str = "0", mode: int = 0o444
) -> dict[str, Any]:
    return {
        "SecretID": f"id-{name}",
        "SecretName": name,
        "File": {"Name": file, "UID": uid, "GID": gid, "Mode": mode},
    }


SPEC = [
    reference("postgres_password_v2", "postgres_password", "999", "999", 0o400),
    reference("jwt_secret_v1", "jwt_secret", "10001", "10001", 0o440),
    reference("openai", "openai_api_key"),
]


def test_select_by_target_file() -> None:
    """The stack convention: postgres_password_v2 mounted as postgres_password."""
    assert select(SPEC, "postgres_password", "postgres_password") == [0]


def test_select_falls_back_to_the_versioned_name() -> None:
    """A target renamed in the stack file is still found by the secret's name."""
    spec = [reference("prod_jwt_secret_v4", "jwt")]

    assert select(spec, "jwt_secret", "prod_jwt_secret") == [0]


def test_select_finds_nothing_for_an_unmounted_key() -> None:
    """A key the service does not mount selects nothing."""
    assert select(SPEC, "admin_password", "admin_password") == []


def test_target_is_the_file_name_even_for_absolute_targets() -> None:
    """An absolute target is matched by its file name."""
    assert target(reference("x_v1", "/run/secrets/x")) == "x"


def test_version_base_comes_from_the_current_name() -> None:
    """`prod_postgres_password_v3` keeps its stack prefix on the next version."""
    spec = [reference("prod_postgres_password_v3", "postgres_password")]

    assert version_base(spec, [0], "postgres_password") == "prod_postgres_password"


def test_unversioned_current_name_uses_the_default_base() -> None:
    """A plain name such as `openai` starts the `_vN` series afresh."""
    assert version_base(SPEC, [2], "openai_api_key") == "openai_api_key"


def test_two_bases_for_one_key_is_an_error() -> None:
    """Two differently named secrets for one key cannot both be rotated."""
    spec = [reference("a_v1", "k"), reference("b_v1", "k")]

    with pytest.raises(ConfigError, match="a, b"):
        version_base(spec, [0, 1], "k")


def test_rebuild_repoints_only_the_rotated_reference() -> None:
    """Others keep id, name, uid, gid and mode; the rotated keeps its file too."""
    new = StoredSecret("id-new", "jwt_secret_v2")

    rebuilt = rebuild(SPEC, {1: new})

    assert rebuilt[0] == SPEC[0]
    assert rebuilt[2] == SPEC[2]
    assert rebuilt[1] == {
        "SecretID": "id-new",
        "SecretName": "jwt_secret_v2",
        "File": {"Name": "jwt_secret", "UID": "10001", "GID": "10001", "Mode": 0o440},
    }


def test_rebuild_without_replacements_is_the_original_list() -> None:
    """What a failed rollout restores."""
    assert rebuild(SPEC, {}) == SPEC


def test_rebuild_fills_docker_defaults_for_a_sparse_file() -> None:
    """Missing uid, gid and mode become Docker's defaults: 0, 0, 0444."""
    spec = [{"SecretID": "i", "SecretName": "n", "File": {"Name": "n"}}]

    [rebuilt] = rebuild(spec, {})

    assert rebuilt["File"] == {"Name": "n", "UID": "0", "GID": "0", "Mode": 0o444}


def test_rebuild_keeps_a_runtime_reference_whole() -> None:
    """A reference without a file (a credential spec) is copied, not rebuilt."""
    runtime = {"SecretID": "i", "SecretName": "cred", "Runtime": {}}

    [rebuilt] = rebuild([runtime], {0: StoredSecret("j", "cred_v2")})

    assert rebuilt == {"SecretID": "j", "SecretName": "cred_v2", "Runtime": {}}
    assert runtime["SecretID"] == "i"
