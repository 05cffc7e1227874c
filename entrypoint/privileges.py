"""Find the target user, drop to it for good, and prove the drop held.

The order matters and follows gosu: supplementary groups first (they can only
be changed while root), then the group, then the user. Afterwards every one
of the real, effective and saved ids must be the target's and a return to
root must fail; anything else aborts before the server starts.
"""

from __future__ import annotations

import grp
import os
import pwd
from typing import Any, NamedTuple

from entrypoint.errors import PrivilegeError, UnknownUserError

PR_SET_NO_NEW_PRIVS = 38


class Target(NamedTuple):
    """Who the command will run as."""

    uid: int
    gid: int
    groups: tuple[int, ...]
    name: str | None
    home: str

    @property
    def is_root(self) -> bool:
        return self.uid == 0


def current() -> Target:
    """The identity this process already has."""
    uid = os.getuid()
    entry = _passwd(uid)
    return Target(
        uid=uid,
        gid=os.getgid(),
        groups=tuple(sorted(set(os.getgroups()))),
        name=entry.pw_name if entry else None,
        home=entry.pw_dir if entry else "/",
    )


def lookup(spec: str) -> Target:
    """Parse `name`, `uid`, `name:group` or `uid:gid` into a target.

    Naming a group pins the process to that one group; otherwise it gets the
    user's primary group and exactly the groups the group database lists.
    """
    user, has_group, group = spec.partition(":")
    if not user or (has_group and not group):
        raise UnknownUserError(
            f"--user {spec!r} is malformed",
            hint="use name, uid, name:group or uid:gid",
        )

    entry = _user_entry(user)
    if has_group:
        gid = _group_id(group)
        groups: tuple[int, ...] = (gid,)
    elif entry is not None:
        gid = entry.pw_gid
        groups = tuple(sorted(set(os.getgrouplist(entry.pw_name, gid))))
    else:
        raise UnknownUserError(
            f"user id {user} has no passwd entry, so it has no group to take",
            hint=f"name the group too, for example --user {user}:{user}",
        )

    uid = entry.pw_uid if entry is not None else int(user)
    return Target(
        uid=uid,
        gid=gid,
        groups=groups,
        name=entry.pw_name if entry else None,
        home=entry.pw_dir if entry else "/",
    )


def choose(spec: str | None, *, allow_root: bool) -> Target | None:
    """The target to drop to, or None when the process keeps its identity.

    Raises when the request cannot be honoured: root with nobody to become
    (unless root was explicitly allowed), or a non-root process asked to
    become someone else.
    """
    if os.geteuid() != 0:
        _refuse_other_user(spec)
        return None

    if spec is None:
        if allow_root:
            return None
        raise PrivilegeError(
            "running as root and no user to drop to",
            hint="set --user / ENTRYPOINT_USER (for example app), or pass "
            "--allow-root / ENTRYPOINT_ALLOW_ROOT=1 if the server must run as root",
        )
    target = lookup(spec)
    if target.is_root and not allow_root:
        raise PrivilegeError(
            f"--user {spec} is root, so privileges would not be dropped",
            hint="name an unprivileged user, or pass --allow-root to mean it",
        )
    return None if target.is_root else target


def _refuse_other_user(spec: str | None) -> None:
    if spec is None:
        return
    target = lookup(spec)
    if target.uid != os.getuid() or target.gid != os.getgid():
        raise PrivilegeError(
            f"running as uid {os.getuid()}, which cannot become {spec!r}",
            hint="start the container as root (drop USER from the image) so the "
            "entrypoint can switch users, or unset ENTRYPOINT_USER",
        )


def become(target: Target | None, log: Any) -> None:
    """Drop to `target`, or when staying as a non-root user, lock that in."""
    if target is not None:
        drop(target)
        log.info(
            "privileges.dropped",
            uid=target.uid,
            gid=target.gid,
            groups=list(target.groups),
            user=target.name,
        )
    elif os.geteuid() != 0:
        forbid_new_privileges()


def drop(target: Target) -> None:
    """Become `target` irreversibly, then check that it holds.

    no_new_privs is set first, while this process can still load modules:
    once it is another user, the interpreter's own files may be unreadable.
    """
    forbid_new_privileges()
    try:
        os.setgroups(list(target.groups))
        os.setresgid(target.gid, target.gid, target.gid)
        os.setresuid(target.uid, target.uid, target.uid)
    except OSError as error:
        raise PrivilegeError(
            f"cannot switch to uid {target.uid} gid {target.gid}: {error.strerror}",
            hint="the container needs CAP_SETUID and CAP_SETGID to drop privileges",
        ) from None
    verify(target)


def verify(target: Target) -> None:
    """Abort unless every id is the target's and root cannot be regained."""
    wanted_uids = (target.uid,) * 3
    wanted_gids = (target.gid,) * 3
    if os.getresuid() != wanted_uids or os.getresgid() != wanted_gids:
        raise PrivilegeError(
            f"after the drop the ids are uid {os.getresuid()} gid {os.getresgid()}, "
            f"not {target.uid}:{target.gid}",
            hint="report this: the kernel did not apply the switch",
        )
    if set(os.getgroups()) != set(target.groups):
        raise PrivilegeError(
            f"after the drop the groups are {sorted(os.getgroups())}, "
            f"not {list(target.groups)}",
            hint="report this: supplementary groups were not replaced",
        )
    try:
        os.setuid(0)
    except PermissionError:
        return
    raise PrivilegeError(
        "root could be regained after dropping privileges",
        hint="the process keeps capabilities it should not (check securebits)",
    )


def forbid_new_privileges() -> None:
    """Set no_new_privs, so setuid binaries and file capabilities do nothing."""
    import ctypes  # noqa: PLC0415 - only paid by the paths that drop privileges

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        code = ctypes.get_errno()
        raise PrivilegeError(
            f"cannot set no_new_privs: {os.strerror(code)}",
            hint="the kernel must be Linux 3.5 or newer",
        )


IDENTITY_VARIABLES = ("HOME", "USER", "LOGNAME")


def child_identity(target: Target) -> dict[str, str]:
    """HOME, USER and LOGNAME as a login shell would set them for `target`.

    A uid with no passwd entry has no name: USER and LOGNAME are left unset
    rather than inherited from root.
    """
    identity = {"HOME": target.home}
    if target.name:
        identity["USER"] = target.name
        identity["LOGNAME"] = target.name
    return identity


def _user_entry(user: str) -> pwd.struct_passwd | None:
    if user.isdigit():
        return _passwd(int(user))
    try:
        return pwd.getpwnam(user)
    except KeyError:
        raise UnknownUserError(
            f"user {user!r} does not exist in this image",
            hint="create it in the Dockerfile (useradd) or give a numeric uid:gid",
        ) from None


def _group_id(group: str) -> int:
    if group.isdigit():
        return int(group)
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        raise UnknownUserError(
            f"group {group!r} does not exist in this image",
            hint="create it in the Dockerfile (groupadd) or give a numeric gid",
        ) from None


def _passwd(uid: int) -> pwd.struct_passwd | None:
    try:
        return pwd.getpwuid(uid)
    except KeyError:
        return None
