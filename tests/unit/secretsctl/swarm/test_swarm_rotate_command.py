"""`secretsctl rotate` against a fake swarm: rollout, recovery and pruning."""

from __future__ import annotations

import functools
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from entrypoint.errors import EX_CONFIG
from secretsctl.cli import main
from secretsctl.swarm import naming
from secretsctl.swarm.engine import Engine
from secretsctl.swarm.errors import EX_TEMPFAIL, EX_UNAVAILABLE
from secretsctl.swarm.rollout import Policy

if TYPE_CHECKING:
    from unit.secretsctl.swarm.conftest import FakeClock, FakeDocker, FakeService

MANIFEST = """\
# @secret @generate=password
POSTGRES_PASSWORD=
# @secret @generate=token:32
JWT_SECRET=
# @secret
OPENAI_API_KEY=placeholder
"""


def mounted(
    reference: dict[str, Any], target: str, uid: str, gid: str, mode: int
) -> dict[str, Any]:
    """`reference` mounted at `target` with the given owner and mode."""
    return {**reference, "File": {"Name": target, "UID": uid, "GID": gid, "Mode": mode}}


@pytest.fixture
def app(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fake_docker: FakeDocker,
    clock: FakeClock,
) -> FakeService:
    """A service `app` mounting jwt_secret_v1 and postgres_password_v1.

    The rollout waits on a fake clock, so the stable period costs no time.
    """
    (tmp_path / "secrets.example").write_text(MANIFEST)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("secretsctl.swarm.rotate.connect", lambda: Engine(fake_docker))
    monkeypatch.setattr(
        "secretsctl.swarm.rotate.Policy",
        functools.partial(Policy, clock=clock, sleep=clock.sleep),
    )
    jwt = fake_docker.secrets.add("jwt_secret_v1")
    postgres = fake_docker.secrets.add("postgres_password_v1")
    return fake_docker.services.add(
        "app",
        [
            mounted(jwt, "jwt_secret", "0", "0", 0o400),
            mounted(postgres, "postgres_password", "999", "998", 0o440),
        ],
    )


def test_rotate_points_the_same_target_at_a_new_version(
    app: FakeService, fake_docker: FakeDocker, capsys: pytest.CaptureFixture[str]
) -> None:
    """One update; the other secret keeps its id, uid, gid and mode."""
    before = app.references

    assert main(["rotate", "JWT_SECRET", "--service", "app"]) == 0

    [update] = app.updates
    assert update[1] == before[1]
    assert update[0]["SecretName"] == "jwt_secret_v2"
    assert update[0]["File"] == before[0]["File"]
    new_value = fake_docker.secrets.data[update[0]["SecretID"]].decode()
    assert len(new_value) == 43  # token:32 as URL-safe base64
    out, err = capsys.readouterr()
    assert "jwt_secret_v1 -> jwt_secret_v2" in out
    assert new_value not in out + err
    assert "jwt_secret_v1" in fake_docker.secrets.names()


def test_rotate_labels_the_new_version(
    app: FakeService, fake_docker: FakeDocker
) -> None:
    """The new version carries key, version, fingerprint and --label labels."""
    assert main(["rotate", "JWT_SECRET", "--service", "app", "--label", "a=b"]) == 0

    new_id = app.references[0]["SecretID"]
    labels = fake_docker.secrets.stored[new_id]["Spec"]["Labels"]
    value = fake_docker.secrets.data[new_id].decode()
    assert labels == {
        "a": "b",
        naming.KEY_LABEL: "JWT_SECRET",
        naming.VERSION_LABEL: "2",
        naming.FINGERPRINT_LABEL: naming.fingerprint("JWT_SECRET", value),
    }


def test_rotate_from_stdin_stores_that_value(
    app: FakeService, fake_docker: FakeDocker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--from-stdin stores the piped value, without its final newline."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"chosen-value\n")))

    arguments = ["rotate", "POSTGRES_PASSWORD", "--service", "app", "--from-stdin"]
    assert main(arguments) == 0

    new_id = app.references[1]["SecretID"]
    assert fake_docker.secrets.data[new_id] == b"chosen-value"
    assert app.references[1]["File"]["UID"] == "999"


def test_prune_removes_unused_versions_only(
    app: FakeService, fake_docker: FakeDocker, capsys: pytest.CaptureFixture[str]
) -> None:
    """v1 and v3 go; unversioned names and versions still in use stay."""
    other = fake_docker.secrets.add("jwt_secret_v7")
    fake_docker.services.add("worker", [mounted(other, "jwt_secret", "0", "0", 0o400)])
    fake_docker.secrets.add("jwt_secret_v3")
    fake_docker.secrets.add("jwt_secret_backup")

    assert main(["rotate", "JWT_SECRET", "--service", "app", "--prune"]) == 0

    assert fake_docker.secrets.names() == [
        "jwt_secret_backup",
        "jwt_secret_v7",
        "jwt_secret_v8",
        "postgres_password_v1",
    ]
    out = capsys.readouterr().out
    assert "pruned   jwt_secret_v1" in out
    assert "kept     jwt_secret_v7: used by the service worker" in out


def test_failed_rollout_restores_the_old_version_and_fails(
    app: FakeService, fake_docker: FakeDocker, capsys: pytest.CaptureFixture[str]
) -> None:
    """The new task fails: the service goes back, v2 is removed, exit 75."""
    original = app.references
    app.failing.add("jwt_secret_v2")

    assert main(["rotate", "JWT_SECRET", "--service", "app", "--prune"]) == EX_TEMPFAIL

    assert app.references == original
    assert len(app.updates) == 2
    assert fake_docker.secrets.names() == ["jwt_secret_v1", "postgres_password_v1"]
    err = capsys.readouterr().err
    assert "app did not converge on jwt_secret_v2" in err
    assert "put back on jwt_secret_v1, and it converged" in err
    assert "jwt_secret_v2 was removed" in err
    assert "Hint: docker service ps" in err


def test_stack_convention_keeps_the_prefix(
    fake_docker: FakeDocker, app: FakeService
) -> None:
    """`prod_postgres_password_v3` mounted at `postgres_password` becomes v4."""
    stacked = fake_docker.secrets.add("prod_postgres_password_v3")
    fake_docker.services.add(
        "prod_app", [mounted(stacked, "postgres_password", "0", "0", 0o444)]
    )

    assert main(["rotate", "POSTGRES_PASSWORD", "--service", "prod_app"]) == 0

    assert "prod_postgres_password_v4" in fake_docker.secrets.names()


@pytest.mark.usefixtures("app")
def test_key_the_service_does_not_mount_is_an_error(
    fake_docker: FakeDocker,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Nothing is created; the error lists what the service does mount."""
    fake_docker.secrets.add("openai_api_key_v1")
    created_before = list(fake_docker.secrets.created)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"sk-value")))

    arguments = ["rotate", "OPENAI_API_KEY", "--service", "app", "--from-stdin"]
    assert main(arguments) == EX_CONFIG

    assert fake_docker.secrets.created == created_before
    err = capsys.readouterr().err
    assert "mounts no secret for OPENAI_API_KEY" in err
    assert "jwt_secret, postgres_password" in err
    assert "--secret-add" in err


@pytest.mark.usefixtures("app")
def test_unknown_service_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A missing service is named, with a hint about stack prefixes."""
    assert main(["rotate", "JWT_SECRET", "--service", "nope"]) == EX_CONFIG

    assert "the service nope does not exist" in capsys.readouterr().err


def test_refused_update_removes_the_new_version(
    app: FakeService, fake_docker: FakeDocker, capsys: pytest.CaptureFixture[str]
) -> None:
    """Docker rejects the update (the service changed meanwhile): v2 is dropped."""
    app.refused.add(0)

    assert main(["rotate", "JWT_SECRET", "--service", "app"]) == EX_UNAVAILABLE

    assert "jwt_secret_v2" not in fake_docker.secrets.names()
    assert "run the command again" in capsys.readouterr().err


def test_recovery_retries_an_update_docker_refuses(
    app: FakeService, fake_docker: FakeDocker, capsys: pytest.CaptureFixture[str]
) -> None:
    """Docker's own update bumps the version; the way back reads afresh."""
    original = app.references
    app.failing.add("jwt_secret_v2")
    app.refused.add(1)

    assert main(["rotate", "JWT_SECRET", "--service", "app"]) == EX_TEMPFAIL

    assert app.references == original
    assert "jwt_secret_v2" not in fake_docker.secrets.names()
    assert "and it converged" in capsys.readouterr().err


def test_recovery_that_cannot_update_says_how_to_roll_back(
    app: FakeService, fake_docker: FakeDocker, capsys: pytest.CaptureFixture[str]
) -> None:
    """If the service cannot be put back, the hint gives the manual steps."""
    app.failing.add("jwt_secret_v2")
    app.refused.update(range(1, 10))

    assert main(["rotate", "JWT_SECRET", "--service", "app"]) == EX_TEMPFAIL

    err = capsys.readouterr().err
    assert "failed too" in err
    assert "docker service rollback app" in err
    assert "jwt_secret_v2" in fake_docker.secrets.names()


def test_interrupted_wait_still_puts_the_service_back(
    app: FakeService, fake_docker: FakeDocker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while waiting leaves no half-rotation behind."""
    original = app.references
    interrupts = [KeyboardInterrupt()]

    def reload_once_interrupted() -> None:
        if interrupts:
            raise interrupts.pop()

    monkeypatch.setattr(app, "reload", reload_once_interrupted)

    assert main(["rotate", "JWT_SECRET", "--service", "app"]) == EX_TEMPFAIL

    assert app.references == original
    assert "jwt_secret_v2" not in fake_docker.secrets.names()


@pytest.mark.usefixtures("app")
def test_negative_timeout_is_a_usage_error() -> None:
    """A negative --timeout is refused before Docker is asked."""
    assert main(["rotate", "JWT_SECRET", "--service", "app", "--timeout", "-1"]) == 64
