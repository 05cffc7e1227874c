"""`secretsctl push` against a fake swarm: names, versions, labels, sources."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from docker.errors import APIError

from entrypoint.errors import EX_CONFIG
from secretsctl.cli import main
from secretsctl.swarm import naming
from secretsctl.swarm.engine import Engine
from secretsctl.swarm.errors import EX_UNAVAILABLE

if TYPE_CHECKING:
    from unit.secretsctl.swarm.conftest import FakeDocker

MANIFEST = """\
# @secret @generate=password
POSTGRES_PASSWORD=
# @secret @generate=token:32 @file=jwt.key
JWT_SECRET=
# @secret
OPENAI_API_KEY=placeholder
LOG_LEVEL=info
"""
VALUES = {"postgres_password": "pg-Value-0123456789abcdef", "jwt.key": "jwt-0123456789"}


@pytest.fixture
def project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_docker: FakeDocker
) -> Path:
    """A manifest and a development folder; `connect` returns the fake swarm."""
    (tmp_path / "secrets.example").write_text(MANIFEST)
    folder = tmp_path / "config" / "secrets" / "development"
    folder.mkdir(parents=True)
    for name, value in VALUES.items():
        (folder / name).write_text(value)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("secretsctl.swarm.push.connect", lambda: Engine(fake_docker))
    return tmp_path


def feed_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def labels_of(fake_docker: FakeDocker, name: str) -> dict[str, str]:
    [attrs] = [
        attrs
        for attrs in fake_docker.secrets.stored.values()
        if attrs["Spec"]["Name"] == name
    ]
    return dict(attrs["Spec"]["Labels"])


def data_of(fake_docker: FakeDocker, name: str) -> bytes:
    [secret_id] = [
        key
        for key, attrs in fake_docker.secrets.stored.items()
        if attrs["Spec"]["Name"] == name
    ]
    return fake_docker.secrets.data[secret_id]


@pytest.mark.usefixtures("project")
def test_pushes_every_file_as_version_one(
    fake_docker: FakeDocker, capsys: pytest.CaptureFixture[str]
) -> None:
    """Named after the manifest's file name; labelled; values never printed."""
    assert main(["push", "--label", "team=core"]) == 0

    assert fake_docker.secrets.names() == ["jwt.key_v1", "postgres_password_v1"]
    assert data_of(fake_docker, "jwt.key_v1") == VALUES["jwt.key"].encode()
    assert labels_of(fake_docker, "postgres_password_v1") == {
        "team": "core",
        naming.KEY_LABEL: "POSTGRES_PASSWORD",
        naming.VERSION_LABEL: "1",
        naming.FINGERPRINT_LABEL: naming.fingerprint(
            "POSTGRES_PASSWORD", VALUES["postgres_password"]
        ),
    }
    out, err = capsys.readouterr()
    assert "postgres_password_v1" in out
    for value in VALUES.values():
        assert value not in out + err


def test_pushing_again_creates_only_changed_values(
    project: Path, fake_docker: FakeDocker, capsys: pytest.CaptureFixture[str]
) -> None:
    """Same fingerprint: nothing new. Changed value: the next version."""
    main(["push"])
    (project / "config/secrets/development/jwt.key").write_text("jwt-rotated-value")
    capsys.readouterr()

    assert main(["push"]) == 0

    assert fake_docker.secrets.names() == [
        "jwt.key_v1",
        "jwt.key_v2",
        "postgres_password_v1",
    ]
    out = capsys.readouterr().out
    assert "unchanged postgres_password_v1" in out
    assert "created   jwt.key_v2" in out


@pytest.mark.usefixtures("project")
def test_next_version_follows_the_highest_existing(fake_docker: FakeDocker) -> None:
    """Exact matches only: `_old` is not a version, v7 leads to v8."""
    fake_docker.secrets.add("prod_postgres_password_v1")
    fake_docker.secrets.add("prod_postgres_password_v7")
    fake_docker.secrets.add("prod_postgres_password_old")

    assert main(["push", "--stack", "prod"]) == 0

    assert "prod_postgres_password_v8" in fake_docker.secrets.names()
    assert "prod_jwt.key_v1" in fake_docker.secrets.names()


def test_long_name_is_refused_before_docker_is_called(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The stack prefix pushes the name past 64 characters: no connection made."""

    def no_connection() -> Engine:
        raise AssertionError("Docker was called")

    monkeypatch.setattr("secretsctl.swarm.push.connect", no_connection)

    assert main(["push", "--stack", "s" * 45]) == EX_CONFIG

    err = capsys.readouterr().err
    assert "POSTGRES_PASSWORD" in err
    assert "64" in err


@pytest.mark.usefixtures("project")
def test_from_stdin_pushes_one_value_without_its_final_newline(
    monkeypatch: pytest.MonkeyPatch,
    fake_docker: FakeDocker,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`echo value |` stores `value`, as a secret file would give it."""
    feed_stdin(monkeypatch, b"sk-from-stdin-0123456789\n")

    assert main(["push", "--from-stdin", "OPENAI_API_KEY"]) == 0

    assert fake_docker.secrets.names() == ["openai_api_key_v1"]
    assert data_of(fake_docker, "openai_api_key_v1") == b"sk-from-stdin-0123456789"
    assert "sk-from-stdin" not in capsys.readouterr().out


BAD_STDIN = {
    "undeclared key": ("UNKNOWN_KEY", b"value", "UNKNOWN_KEY is not declared"),
    "empty": ("OPENAI_API_KEY", b"\n", "OPENAI_API_KEY: the value from stdin is empty"),
    "not utf-8": ("OPENAI_API_KEY", b"\xff\xfe", "not UTF-8"),
    "nul byte": ("OPENAI_API_KEY", b"a\0b", "NUL"),
}


@pytest.mark.parametrize("case", BAD_STDIN.values(), ids=BAD_STDIN.keys())
@pytest.mark.usefixtures("project")
def test_bad_stdin_input_is_refused(
    monkeypatch: pytest.MonkeyPatch,
    fake_docker: FakeDocker,
    capsys: pytest.CaptureFixture[str],
    case: tuple[str, bytes, str],
) -> None:
    """Each bad input names the key and creates nothing."""
    key, data, complaint = case
    feed_stdin(monkeypatch, data)

    assert main(["push", "--from-stdin", key]) == EX_CONFIG

    assert complaint in capsys.readouterr().err
    assert fake_docker.secrets.names() == []


def test_undeclared_files_are_skipped_and_named(
    project: Path, fake_docker: FakeDocker, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file the manifest does not declare is not pushed."""
    (project / "config/secrets/development/stray").write_text("stray-value")

    assert main(["push"]) == 0

    assert "stray" not in " ".join(fake_docker.secrets.names())
    assert "skipped" in capsys.readouterr().out


def test_missing_folder_points_at_generate(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No development folder: the hint says how to make one."""
    assert main(["push", "--dir", str(project / "nowhere")]) == EX_CONFIG

    assert "secretsctl generate" in capsys.readouterr().err


@pytest.mark.usefixtures("project")
def test_not_a_swarm_manager_is_unavailable_with_a_hint(
    monkeypatch: pytest.MonkeyPatch,
    fake_docker: FakeDocker,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Exit 69 and the hint `docker swarm init` when swarm mode is off."""

    def refuse(**_: object) -> None:
        raise APIError("503", explanation="This node is not a swarm manager.")

    monkeypatch.setattr(fake_docker.secrets, "list", refuse)

    assert main(["push"]) == EX_UNAVAILABLE

    assert "docker swarm init" in capsys.readouterr().err
