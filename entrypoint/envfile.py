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
    temporary file is removed and the old file, if any, is left as it was.
    """
    path = os.path.abspath(path)
    directory, name = os.path.split(path)
    _prepare_directory(directory, name, owner)
    _refuse_symlink(path)

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
    _sync_directory(directory)


def remove(path: StrPath) -> bool:
    """Delete the file if it is there; report whether it was."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True


def _prepare_directory(directory: str, name: str, owner: Owner) -> None:
    """Create the directory 0700 for `owner`, or check the one that is there.

    An existing directory must not be writable by group or others. One that
    holds nothing but this file, such as an empty /run/app made in a
    Dockerfile, is handed to `owner` and made 0700; any other must already be
    theirs, since taking over a directory with other files in it (imagine
    --env-file /etc/.env) would be worse than refusing.
    """
    try:
        os.mkdir(directory, 0o700)
    except FileExistsError:
        _adopt_or_check(directory, name, owner)
        return
    except OSError as error:
        raise EnvFileError(
            f"cannot create the .env directory {directory}: {error.strerror}",
            hint="create its parent, or point --env-file / ENTRYPOINT_ENV_FILE "
            "at a writable place such as /run/app/.env on a tmpfs",
        ) from None
    _chown(directory, owner)


def _adopt_or_check(directory: str, name: str, owner: Owner) -> None:
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
        return
    if not _holds_only(directory, name):
        raise EnvFileError(
            f"the .env directory {directory} belongs to uid {info.st_uid}, not to "
            f"uid {owner.uid} who will read the file, and holds other files",
            hint=f"chown {owner.uid} {directory}, or point --env-file at a "
            "directory of its own such as /run/app",
        )
    _chown(directory, owner)
    os.chmod(directory, 0o700)


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


def _chown(path: str, owner: Owner) -> None:
    if owner.uid is not None or owner.gid is not None:
        os.chown(path, _id(owner.uid), _id(owner.gid))


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


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _write_error(path: str, error: OSError) -> EnvFileError:
    if error.errno == errno.ENOSPC:
        hint = "free space on that filesystem, or give the tmpfs more room"
    elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = "mount a writable tmpfs there (the root filesystem may be read-only)"
    else:
        hint = "check the path and its filesystem"
    return EnvFileError(
        f"cannot write the .env file {path}: {error.strerror}", hint=hint
    )
