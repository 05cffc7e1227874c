"""Choosing the target user. The drop itself runs in tests/cli, as root."""

from __future__ import annotations

import grp
import os
import pwd

import pytest

from entrypoint import privileges
from entrypoint.errors import PrivilegeError, UnknownUserError

NOBODY = pwd.getpwnam("nobody")


def unused_uid() -> int:
    uid = 54321
    while True:
        try:
            pwd.getpwuid(uid)
        except KeyError:
            return uid
        uid += 1


def test_lookup_by_name_takes_passwd_and_group_database() -> None:
    """A user name gives its uid, primary gid, home and groups."""
    target = privileges.lookup("nobody")

    assert (target.uid, target.gid, target.name) == (
        NOBODY.pw_uid,
        NOBODY.pw_gid,
        "nobody",
    )
    assert target.groups == tuple(sorted(set(os.getgrouplist("nobody", NOBODY.pw_gid))))
    assert target.home == NOBODY.pw_dir


def test_lookup_by_uid_matches_lookup_by_name() -> None:
    """`65534` and `nobody` are the same target."""
    assert privileges.lookup(str(NOBODY.pw_uid)) == privileges.lookup("nobody")


def test_named_group_pins_the_only_group() -> None:
    """`user:group` drops every supplementary group but that one."""
    group = grp.getgrgid(NOBODY.pw_gid).gr_name

    target = privileges.lookup(f"nobody:{group}")

    assert (target.gid, target.groups) == (NOBODY.pw_gid, (NOBODY.pw_gid,))


def test_numeric_uid_without_passwd_needs_a_group() -> None:
    """An unknown uid never silently keeps the caller's gid, root's included."""
    uid = unused_uid()

    with pytest.raises(UnknownUserError, match="has no passwd entry") as caught:
        privileges.lookup(str(uid))
    target = privileges.lookup(f"{uid}:{uid}")

    assert caught.value.exit_code == 67
    assert (target.uid, target.gid, target.groups, target.home) == (
        uid,
        uid,
        (uid,),
        "/",
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no-such-user-xyz", "user 'no-such-user-xyz' does not exist"),
        ("nobody:no-such-group-xyz", "group 'no-such-group-xyz' does not exist"),
        (":", "is malformed"),
        ("nobody:", "is malformed"),
    ],
)
def test_unknown_user_or_group_is_67(spec: str, message: str) -> None:
    """Names that do not resolve are reported with the name."""
    with pytest.raises(UnknownUserError, match=message) as caught:
        privileges.lookup(spec)

    assert caught.value.exit_code == 67


def test_child_identity_comes_from_passwd() -> None:
    """HOME, USER and LOGNAME describe the target user."""
    identity = privileges.child_identity(privileges.lookup("nobody"))

    assert identity == {"HOME": NOBODY.pw_dir, "USER": "nobody", "LOGNAME": "nobody"}


@pytest.mark.skipif(os.geteuid() != 0, reason="root's choices are checked as root")
def test_root_must_name_a_user_or_allow_root() -> None:
    """Root with no user to become, or asked to stay root, is refused."""
    with pytest.raises(PrivilegeError, match="no user to drop to") as no_user:
        privileges.choose(None, allow_root=False)
    with pytest.raises(PrivilegeError, match="is root") as named_root:
        privileges.choose("root", allow_root=False)

    assert no_user.value.exit_code == named_root.value.exit_code == 77
    assert privileges.choose(None, allow_root=True) is None
    assert privileges.choose("0", allow_root=True) is None
    assert privileges.choose("nobody", allow_root=False) == privileges.lookup("nobody")
