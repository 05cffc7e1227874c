"""--watch: a changed secrets directory rewrites the .env and signals the child.

The child (helpers/reload.py) prints each reload signal followed by the value
it then reads from $ENV_FILE, which shows that the file was rewritten before
the signal was sent. The entrypoint polls about once a second, so every wait
here allows several polls before giving up.
"""

from __future__ import annotations

import json
import signal
import stat
import time
from typing import TYPE_CHECKING, Any

import pytest
from dotenv import dotenv_values

if TYPE_CHECKING:
    from .conftest import Space, Supervised

pytestmark = pytest.mark.root

KEY = "API_TOKEN"
MANIFEST = f"# @required @secret\n{KEY}=\n"
RELOAD_WAIT = 10.0
QUIET_PERIOD = 2.5


def _watch(
    space: Space,
    *options: str,
    manifest: str = MANIFEST,
    churn: bool = False,
    **start: Any,
) -> Supervised:
    """Start watching, with API_TOKEN=old-token unless a test laid out its own.

    The child runs as root unless `user` is given; `churn` makes it leave an
    orphan behind every 0.2 s.
    """
    path = space.root / "secrets.example"
    path.write_text(manifest)
    path.chmod(0o644)
    if not (space.secrets / "api_token").exists():
        space.secret("api_token", "old-token\n")
    start.setdefault("user", None)
    supervised = space.start(
        *space.helper("reload.py", KEY, *(["--churn"] if churn else [])),
        options=["--watch", "--manifest", str(path), *options],
        **start,
    )
    supervised.wait_for("ready")
    return supervised


def _stop(supervised: Supervised) -> list[str]:
    """End the child with SIGTERM; the lines it printed, after a clean exit."""
    supervised.send(signal.SIGTERM)
    result = supervised.finish().expect(0)
    return result.lines()


def _kubernetes_layout(space: Space, value: str, stamp: str) -> None:
    """What the kubelet does: a new timestamped folder, then `..data` swapped."""
    folder = space.secrets / f"..{stamp}"
    folder.mkdir(mode=0o755)
    (folder / "api_token").write_text(value)
    (folder / "api_token").chmod(0o644)
    swap = space.secrets / "..data_tmp"
    swap.symlink_to(folder.name)
    swap.replace(space.secrets / "..data")
    link = space.secrets / "api_token"
    if not link.is_symlink():
        link.symlink_to("..data/api_token")


def test_update_rewrites_env_file_and_sends_hup(space: Space) -> None:
    """A replaced secret file: new value in the .env, then SIGHUP to the child."""
    supervised = _watch(space)
    assert dotenv_values(space.env_file) == {KEY: "old-token"}, supervised

    space.secret("api_token", "new-token\n")
    supervised.wait_for("value new-token", RELOAD_WAIT)
    rewritten = dotenv_values(space.env_file)
    mode = stat.S_IMODE(space.env_file.stat().st_mode)
    event = supervised.wait_for_event("secrets.reloaded")
    lines = _stop(supervised)

    assert rewritten == {KEY: "new-token"}, supervised
    assert mode == 0o600, supervised
    assert event["signal"] == "SIGHUP", supervised
    assert lines == ["ready", "got 1", "value new-token", "got 15"], supervised
    assert not space.env_file.exists(), supervised


def test_kubernetes_data_link_swap_is_noticed(space: Space) -> None:
    """Swapping `..data` to a new folder counts as an update."""
    _kubernetes_layout(space, "old-token", "2024_01_01_00_00_00.000000001")
    supervised = _watch(space)
    assert dotenv_values(space.env_file) == {KEY: "old-token"}, supervised

    _kubernetes_layout(space, "new-token", "2024_01_02_00_00_00.000000002")
    supervised.wait_for("value new-token", RELOAD_WAIT)
    rewritten = dotenv_values(space.env_file)
    lines = _stop(supervised)

    assert rewritten == {KEY: "new-token"}, supervised
    assert lines == ["ready", "got 1", "value new-token", "got 15"], supervised


@pytest.mark.parametrize(
    ("options", "env", "number"),
    [
        (["--reload-signal", "USR1"], {}, signal.SIGUSR1),
        ([], {"ENTRYPOINT_RELOAD_SIGNAL": "USR2"}, signal.SIGUSR2),
        (["--reload-signal", "SIGUSR1"], {}, signal.SIGUSR1),
    ],
    ids=["flag", "variable", "sig-prefix"],
)
def test_reload_signal_chooses_the_signal(
    space: Space, options: list[str], env: dict[str, str], number: int
) -> None:
    """The chosen signal is sent instead of SIGHUP."""
    supervised = _watch(space, *options, env=env)

    space.secret("api_token", "new-token\n")
    supervised.wait_for("value new-token", RELOAD_WAIT)
    lines = _stop(supervised)

    assert lines == ["ready", f"got {number}", "value new-token", "got 15"]


def test_rewritten_env_file_still_belongs_to_the_dropped_user(space: Space) -> None:
    """With --user nobody, the rewritten 0600 file is nobody's and readable."""
    supervised = _watch(space, user="nobody")

    space.secret("api_token", "new-token\n")
    supervised.wait_for("value new-token", RELOAD_WAIT)
    info = space.env_file.stat()
    _stop(supervised)

    assert (info.st_uid, info.st_gid) == (65534, 65534), supervised
    assert stat.S_IMODE(info.st_mode) == 0o600, supervised


@pytest.mark.parametrize(
    "spoil",
    [
        lambda space: space.secret("api_token", b"\xff\xfe not UTF-8\n"),
        lambda space: (space.secrets / "api_token").unlink(),
    ],
    ids=["not-utf8", "required-removed"],
)
def test_bad_update_keeps_old_file_logs_key_and_sends_nothing(
    space: Space, spoil: Any
) -> None:
    """A resolution error leaves the old .env, names the key, and signals no one."""
    supervised = _watch(space)
    before = space.env_file.read_bytes()

    spoil(space)
    event = supervised.wait_for_event("secrets.reload_failed", RELOAD_WAIT)
    time.sleep(QUIET_PERIOD)
    after = space.env_file.read_bytes()
    lines = _stop(supervised)

    assert after == before, supervised
    assert lines == ["ready", "got 15"], supervised
    assert KEY in json.dumps(event), f"the key is not named in {event}"


def test_bad_file_of_optional_key_is_logged_under_the_key(space: Space) -> None:
    """The log names the key even when its file is named otherwise (@file=).

    An optional key whose file turns bad is not reported as missing, so only
    the reload_failed event can tell which key is affected.
    """
    manifest = MANIFEST + "# @secret @file=hook\nWEBHOOK_SECRET=\n"
    space.secret("hook", "hook-1\n")
    supervised = _watch(space, manifest=manifest)

    space.secret("hook", b"\xff\n")
    event = supervised.wait_for_event("secrets.reload_failed", RELOAD_WAIT)
    kept = dotenv_values(space.env_file)
    _stop(supervised)

    assert kept == {KEY: "old-token", "WEBHOOK_SECRET": "hook-1"}, supervised
    assert "WEBHOOK_SECRET" in json.dumps(event), f"the key is not named in {event}"


def test_good_update_after_a_bad_one_is_applied(space: Space) -> None:
    """Watching goes on after a failed reload; the next good update goes through."""
    supervised = _watch(space)
    space.secret("api_token", b"\xff\n")
    supervised.wait_for_event("secrets.reload_failed", RELOAD_WAIT)

    space.secret("api_token", "fixed-token\n")
    supervised.wait_for("value fixed-token", RELOAD_WAIT)
    lines = _stop(supervised)

    assert lines == ["ready", "got 1", "value fixed-token", "got 15"], supervised


def test_update_is_noticed_while_orphans_keep_dying(space: Space) -> None:
    """A child that leaves an orphan every 0.2 s must not starve the watcher.

    Each orphan's death sends PID 1 a SIGCHLD, more often than the watcher's
    one-second poll; the update must still be applied within a few polls.
    """
    supervised = _watch(space, churn=True)

    space.secret("api_token", "new-token\n")
    supervised.wait_for("value new-token", RELOAD_WAIT)
    lines = _stop(supervised)

    assert lines[:3] == ["ready", "got 1", "value new-token"], supervised


def test_without_watch_an_update_is_ignored(space: Space) -> None:
    """No --watch: the .env keeps its first content and no signal is sent."""
    manifest = space.root / "secrets.example"
    manifest.write_text(MANIFEST)
    space.secret("api_token", "old-token\n")
    supervised = space.start(
        *space.helper("reload.py", KEY),
        options=["--manifest", str(manifest)],
        user=None,
    )
    supervised.wait_for("ready")

    space.secret("api_token", "new-token\n")
    time.sleep(QUIET_PERIOD)
    kept = dotenv_values(space.env_file)
    lines = _stop(supervised)

    assert kept == {KEY: "old-token"}, supervised
    assert lines == ["ready", "got 15"], supervised
