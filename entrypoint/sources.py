"""Where a value can come from: the secrets directory, `KEY_FILE`, the environment.

Each reader returns what it found plus the problems it met, so that `--check`
can report every bad input at once instead of stopping at the first.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import NamedTuple

from entrypoint.manifest import KEY_PATTERN, Manifest

# Kubernetes caps a secret at 1 MiB; anything larger is not a secret but a
# mistake (a mounted directory of logs, a binary), and reading it all would
# only delay the error.
MAX_SECRET_BYTES = 1024 * 1024
_NOT_REGULAR = {errno.EINVAL: "not a regular file (a pipe, socket or device)"}


class Found(NamedTuple):
    """A raw value and where it was read from. The text is never shown."""

    key: str
    text: str
    source: str
    origin: str

    def __repr__(self) -> str:
        return f"Found(key={self.key!r}, source={self.source!r}, text=<hidden>)"


class DirectoryScan:
    """What a pass over the secrets directory found."""

    __slots__ = ("found", "problems", "undeclared")

    def __init__(self) -> None:
        self.found: dict[str, Found] = {}
        self.undeclared: list[str] = []
        self.problems: list[str] = []


def key_for_file_name(name: str) -> str:
    """`postgres-password` and `postgres.password` both name POSTGRES_PASSWORD."""
    return name.upper().replace("-", "_").replace(".", "_")


def scan_directory(
    directory: str | os.PathLike[str], manifest: Manifest | None
) -> DirectoryScan:
    """Read every secret file in `directory` that the manifest declares.

    Without a manifest every file is taken. Names starting with a dot are
    Kubernetes' bookkeeping (`..data` and its timestamped targets) and skipped.
    """
    directory = os.fspath(directory)
    scan = DirectoryScan()
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except FileNotFoundError:
        return scan
    except NotADirectoryError:
        scan.problems.append(f"secrets directory {directory} is not a directory")
        return scan
    except OSError as error:
        scan.problems.append(
            f"secrets directory {directory} cannot be listed: {error.strerror}"
        )
        return scan

    real_directory = os.path.realpath(directory)
    file_names: dict[str, str] = {}
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = _inside(entry, real_directory, scan)
        if path is None:
            continue
        key = _key_for(entry.name, manifest, scan)
        if key is None:
            continue
        if key in file_names:
            scan.problems.append(
                f"{directory}/{file_names[key]} and {directory}/{entry.name} "
                f"both map to {key}; remove one of them"
            )
            continue
        file_names[key] = entry.name
        label = f"{directory}/{entry.name} (for {key})"
        text = read_secret_file(path, label, scan.problems)
        if text is not None:
            scan.found[key] = Found(key, text, "secrets-dir", str(path))
    return scan


def _inside(
    entry: os.DirEntry[str], real_directory: str, scan: DirectoryScan
) -> str | None:
    """The path to read for `entry`, or None when it is not a secret file."""
    if entry.is_symlink():
        target = os.path.realpath(entry.path)
        if os.path.commonpath((target, real_directory)) != real_directory:
            scan.problems.append(
                f"{entry.path} is a symlink that leaves the secrets directory; "
                "only links to files inside it are followed"
            )
            return None
        return target if os.path.isfile(target) else None
    return entry.path if entry.is_file(follow_symlinks=False) else None


def _key_for(name: str, manifest: Manifest | None, scan: DirectoryScan) -> str | None:
    if manifest is not None and name in manifest.by_file_name:
        return manifest.by_file_name[name]
    key = key_for_file_name(name)
    if not KEY_PATTERN.fullmatch(key):
        scan.problems.append(
            f"secret file {name!r} maps to {key!r}, which is not a valid variable "
            "name; rename it to letters, digits, '_', '-' or '.'"
        )
        return None
    if manifest is not None and key not in manifest:
        scan.undeclared.append(name)
        return None
    return key


def read_secret_file(path: str, label: str, problems: list[str]) -> str | None:
    """Read one secret file as UTF-8 text, without its final line break.

    `echo pw | docker secret create` stores a trailing newline the author did
    not mean as part of the password; exactly one is removed, nothing else.
    """
    try:
        data = _read_limited(path)
    except OSError as error:
        problems.append(f"{label} cannot be read: {error.strerror}")
        return None

    if data is None:
        problems.append(f"{label} is larger than 1 MiB; a secret must be smaller")
        return None
    if data.endswith(b"\r\n"):
        data = data[:-2]
    elif data.endswith(b"\n"):
        data = data[:-1]
    if b"\0" in data:
        problems.append(f"{label} contains a NUL byte, which no variable can hold")
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        problems.append(
            f"{label} is not UTF-8 text (bad byte at offset {error.start}); "
            "store binary secrets base64-encoded"
        )
        return None


def _read_limited(path: str) -> bytes | None:
    """The file's bytes, or None past the limit.

    Reads through the descriptor in pieces sized from fstat: asking for the
    limit in one read would allocate a megabyte per secret.
    """
    # O_NONBLOCK: a FIFO with no writer must not hang the container's start.
    descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            code = errno.EISDIR if stat.S_ISDIR(info.st_mode) else errno.EINVAL
            raise OSError(code, _NOT_REGULAR.get(code, os.strerror(code)))
        chunk = info.st_size + 1
        pieces = []
        total = 0
        while piece := os.read(descriptor, max(chunk, 4096)):
            total += len(piece)
            if total > MAX_SECRET_BYTES:
                return None
            pieces.append(piece)
        return b"".join(pieces)
    finally:
        os.close(descriptor)


def from_key_file(
    key: str, environ: dict[str, str], problems: list[str]
) -> Found | None:
    """The value named by `KEY_FILE`, the official database images' convention."""
    variable = f"{key}_FILE"
    path = environ.get(variable)
    if path is None:
        return None
    if key in environ:
        problems.append(
            f"both {key} and {variable} are set; unset one of them so the source "
            "of the value is unambiguous"
        )
        return None
    if not path:
        problems.append(f"{variable} is empty; set it to the path of a file")
        return None
    text = read_secret_file(path, f"{variable}={path}", problems)
    return None if text is None else Found(key, text, "key-file", variable)


def from_environment(
    key: str, environ: dict[str, str], problems: list[str]
) -> Found | None:
    """The value of the variable `KEY` itself."""
    text = environ.get(key)
    if text is None:
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        problems.append(f"${key} is not valid UTF-8; set it as UTF-8 text")
        return None
    return Found(key, text, "env", key)
