"""Notice when the secrets directory changes, by polling a cheap fingerprint.

Polling once a second costs one directory listing and a stat per file, needs
no inotify library, and sees Kubernetes' update (a new timestamped folder and
the `..data` link swapped to it) as well as files replaced by hand.
"""

from __future__ import annotations

import os
from collections.abc import Callable

Fingerprint = tuple[tuple[object, ...], ...]


def fingerprint(directory: str | os.PathLike[str]) -> Fingerprint:
    """Names, link targets, inodes, sizes and mtimes of the directory's entries."""
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return ()
    items: list[tuple[object, ...]] = []
    for entry in entries:
        try:
            link = os.readlink(entry.path) if entry.is_symlink() else ""
            info = os.stat(entry.path)
        except OSError:
            items.append((entry.name, "unreadable"))
            continue
        items.append((entry.name, link, info.st_ino, info.st_size, info.st_mtime_ns))
    return tuple(sorted(items, key=repr))


class Watcher:
    """Calls `reload` after the directory changed; reload says if it worked."""

    def __init__(
        self, directory: str | os.PathLike[str], reload: Callable[[], bool]
    ) -> None:
        self.directory = directory
        self.reload = reload
        self.last = fingerprint(directory)

    def changed(self) -> bool:
        current = fingerprint(self.directory)
        if current == self.last:
            return False
        self.last = current
        return True
