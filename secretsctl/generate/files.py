"""The development secrets folder: 0700, one 0600 file per secret.

Files are created with their final mode by `os.open`, so no other user can
open one in the moment between creation and a `chmod`. Without `--force` a
file is created with `O_EXCL`, which also loses no race against another
writer; with it, the new value goes to a temporary file that is renamed over
the old one, so the old value survives a failed write.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from entrypoint.errors import EX_CANTCREAT, EntrypointError

FOLDER_MODE = 0o700
FILE_MODE = 0o600
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class SecretFileError(EntrypointError):
    """A secret file cannot be written safely, or writing it was refused."""

    exit_code = EX_CANTCREAT


def prepare_folder(folder: Path) -> bool:
    """Create `folder` 0700 (parents as usual); True when its mode was tightened."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        os.mkdir(folder, FOLDER_MODE)
    except FileExistsError:
        if os.path.lexists(folder):
            return _tighten(folder)
        raise _folder_error(folder, "a parent is not a directory") from None
    except OSError as error:
        raise _folder_error(folder, str(error.strerror)) from None
    os.chmod(folder, FOLDER_MODE)  # mkdir's mode passes through the umask
    return False


def _folder_error(folder: Path, reason: str) -> SecretFileError:
    return SecretFileError(
        f"cannot create the secrets folder {folder}: {reason}",
        hint="choose a writable place with --dir",
    )


def _tighten(folder: Path) -> bool:
    info = os.lstat(folder)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise SecretFileError(
            f"the secrets folder {folder} is not a plain directory",
            hint="remove it or choose another folder with --dir",
        )
    if stat.S_IMODE(info.st_mode) == FOLDER_MODE:
        return False
    os.chmod(folder, FOLDER_MODE)
    return True


def existing(paths: list[Path]) -> list[Path]:
    """The paths that already exist (a dangling symlink counts)."""
    return [path for path in paths if os.path.lexists(path)]


def write_secret(path: Path, text: str, *, replace: bool) -> None:
    """Write one secret file, mode 0600 from its creation."""
    if not replace:
        _create(path, path, text)
        return
    temporary = path.with_name(f".{path.name}.{os.urandom(4).hex()}.tmp")
    _create(temporary, path, text)
    try:
        os.replace(temporary, path)
    except OSError as error:
        _remove_quietly(temporary)
        raise _error(path, error) from None


def _create(path: Path, target: Path, text: str) -> None:
    try:
        descriptor = os.open(path, _FLAGS, FILE_MODE)
    except FileExistsError:
        raise SecretFileError(
            f"{target} already exists; refusing to overwrite it",
            hint="rerun with --force to replace it, or --keep-existing to keep it",
        ) from None
    except OSError as error:
        raise _error(target, error) from None
    try:
        with os.fdopen(descriptor, "wb") as stream:
            os.fchmod(stream.fileno(), FILE_MODE)  # the umask may have cut it
            stream.write(text.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
    except OSError as error:
        _remove_quietly(path)
        raise _error(target, error) from None


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _error(path: Path, error: OSError) -> SecretFileError:
    return SecretFileError(
        f"cannot write the secret file {path}: {error.strerror}",
        hint="check that the folder is writable and its filesystem has room",
    )
