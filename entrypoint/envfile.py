"""Serialise values as a dotenv file and write it atomically, mode 0600.

The format is aimed at python-dotenv's reader with its default settings, which
is what pydantic-settings and most Python services use. Every value goes in
double quotes with backslash escapes, plus two guards for the reader's quirks:

* it expands `${NAME}` even inside quotes and has no escape for `$`, so each
  `${` is written as `${:-$}{`: a reference to the empty name, which can
  never be set, whose fallback is a literal `$`;
* a value ending in a backslash would put `\\"` before the closing quote,
  which older readers take as an escaped quote, so such a value ends with the
  empty expansion `${:-}`.

Carriage returns and line feeds are escaped because the reader opens files in
text mode, where a raw CR would come back as LF.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Mapping
from typing import NamedTuple

from entrypoint.errors import EnvFileError

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def quote(text: str) -> str:
    """The double-quoted dotenv form of `text`."""
    body = text.translate(_ESCAPES).replace("${", "${:-$}{")
    if body.endswith("\\"):
        body += "${:-}"
    return f'"{body}"'


def serialise(values: Mapping[str, str]) -> str:
    """The whole file: one `KEY="value"` line per key, LF endings."""
    return "".join(f"{key}={quote(text)}\n" for key, text in values.items())


StrPath = str | os.PathLike[str]


class Owner(NamedTuple):
    """Who the file and its directory belong to; None keeps the current ids."""

    uid: int | None = None
    gid: int | None = None


def write(path: StrPath, content: str, owner: Owner) -> None:
    """Replace `path` with `content` so that no reader ever sees a partial file.

    The data goes to a temporary file created 0600 in the same directory,
    is flushed to disk, then renamed over the target. On any failure the
    temporary file is removed and the old file, if any, is left as it was;
    a directory this call created is removed again.

    A directory that is to become `owner`'s is handed over only after the
    file is in place, so root needs no CAP_DAC_OVERRIDE to write into a
    directory it no longer owns.
    """
    path = os.path.abspath(path)
    directory, name = os.path.split(path)
    created = _make_directory(directory)
    try:
        hand_over = created or _check_directory(directory, name, owner)
        _refuse_symlink(path)
        _replace(path, directory, name, content, owner)
        if hand_over:
            _hand_over(directory, owner)
    except EnvFileError:
        if created:
            _remove_tree_quietly(directory)
        raise
    _sync_directory(directory)


def remove(path: StrPath) -> bool:
    """Delete the file if it is there; report whether it was."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True


def _replace(path: str, directory: str, name: str, content: str, owner: Owner) -> None:
    temporary = os.path.join(
        directory, f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    )
    try:
        descriptor = os.open(
            temporary,
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
            0o600,
        )
    except OSError as error:
        raise _write_error(path, error) from None

    try:
        _fill(descriptor, content.encode("utf-8"), owner)
        os.replace(temporary, path)
    except OSError as error:
        _remove_quietly(temporary)
        raise _write_error(path, error) from None


def _make_directory(directory: str) -> bool:
    """Create the directory 0700; False when it already exists."""
    try:
        os.mkdir(directory, 0o700)
    except FileExistsError:
        return False
    except OSError as error:
        raise EnvFileError(
            f"cannot create the .env directory {directory}: {error.strerror}",
            hint="create its parent, or point --env-file / ENTRYPOINT_ENV_FILE "
            "at a writable place such as /run/app/.env on a tmpfs",
        ) from None
    return True


def _check_directory(directory: str, name: str, owner: Owner) -> bool:
    """Check an existing directory; True when it should be handed to `owner`.

    It must not be writable by group or others. One that holds nothing but
    this file, such as an empty /run/app made in a Dockerfile, is handed to
    `owner`; any other must already be theirs, since taking over a directory
    with other files in it (imagine --env-file /etc/.env) would be worse than
    refusing.
    """
    info = os.lstat(directory)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise EnvFileError(
            f"the .env directory {directory} is not a plain directory",
            hint="point --env-file at a file inside a real directory",
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise EnvFileError(
            f"the .env directory {directory} is writable by group or others "
            f"(mode {stat.S_IMODE(info.st_mode):04o}), so another user could "
            "swap the file",
            hint=f"chmod 0700 {directory}, or let the entrypoint create it",
        )
    if owner.uid is None or info.st_uid == owner.uid:
        return False
    if not _holds_only(directory, name):
        raise EnvFileError(
            f"the .env directory {directory} belongs to uid {info.st_uid}, not to "
            f"uid {owner.uid} who will read the file, and holds other files",
            hint=f"chown {owner.uid} {directory}, or point --env-file at a "
            "directory of its own such as /run/app",
        )
    return True


def _hand_over(directory: str, owner: Owner) -> None:
    """Make the directory 0700 and `owner`'s: chmod first, while still ours."""
    if owner.uid is None and owner.gid is None:
        return
    try:
        os.chmod(directory, 0o700)
        os.chown(directory, _id(owner.uid), _id(owner.gid))
    except OSError as error:
        raise EnvFileError(
            f"cannot give the .env directory {directory} to uid {owner.uid}: "
            f"{error.strerror}",
            hint="the container needs CAP_CHOWN (cap_add: [CHOWN]) to hand the "
            ".env to the unprivileged user",
        ) from None


def _holds_only(directory: str, name: str) -> bool:
    """True when the directory is empty but for the .env and its leftovers."""
    return all(
        entry == name or (entry.startswith(f".{name}.") and entry.endswith(".tmp"))
        for entry in os.listdir(directory)
    )


def _refuse_symlink(path: str) -> None:
    if os.path.islink(path):
        raise EnvFileError(
            f"the .env path {path} is a symlink; refusing to write through it",
            hint=f"remove the link at {path}",
        )


def _fill(descriptor: int, data: bytes, owner: Owner) -> None:
    with os.fdopen(descriptor, "wb") as stream:
        if owner.uid is not None or owner.gid is not None:
            os.fchown(stream.fileno(), _id(owner.uid), _id(owner.gid))
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


def _id(value: int | None) -> int:
    return -1 if value is None else value


def _sync_directory(directory: str) -> None:
    """Make the rename durable; some filesystems refuse, which is harmless."""
    try:
        descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    with contextlib.suppress(OSError):
        os.fsync(descriptor)
    os.close(descriptor)


def _remove_tree_quietly(directory: str) -> None:
    """Remove a directory this call created, with whatever it put there."""
    with contextlib.suppress(OSError):
        for entry in os.listdir(directory):
            os.unlink(os.path.join(directory, entry))
        os.rmdir(directory)


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _write_error(path: str, error: OSError) -> EnvFileError:
    if error.errno == errno.ENOSPC:
        hint = "free space on that filesystem, or give the tmpfs more room"
    elif error.errno == errno.EROFS:
        hint = "mount a writable tmpfs there: the root filesystem is read-only"
    elif error.errno == errno.EPERM:
        hint = (
            "the container needs CAP_CHOWN (cap_add: [CHOWN]) to give the file "
            "to the unprivileged user"
        )
    elif error.errno == errno.EACCES:
        hint = (
            "this process may not write there: if the directory belongs to the "
            "app user, leave it to root (the entrypoint hands it over) or add "
            "CAP_DAC_OVERRIDE"
        )
    else:
        hint = "check the path and its filesystem"
    return EnvFileError(
        f"cannot write the .env file {path}: {error.strerror}", hint=hint
    )
