"""Where a value for swarm comes from: the development folder or stdin.

Never from the command line, where `ps` and shell histories would show it.
A value read from stdin loses exactly one final line break, as a secret file
does, so `echo "$VALUE" | secretsctl push --from-stdin KEY` stores `$VALUE`.
"""

from __future__ import annotations

import getpass
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from entrypoint.errors import ConfigError
from entrypoint.manifest import Entry, Manifest
from entrypoint.sources import scan_directory

# swarmkit refuses a secret larger than 500 KiB.
MAX_SWARM_SECRET_BYTES = 500 * 1024


@dataclass(frozen=True)
class Pushable:
    """A value to store in swarm, the key it belongs to, and where it was read."""

    entry: Entry
    text: str = field(repr=False)
    origin: str


def entry_for(manifest: Manifest, key: str) -> Entry:
    """The manifest entry of `key`; an error names the key when it is missing."""
    entry = manifest.entries.get(key)
    if entry is None:
        raise ConfigError(
            f"{key} is not declared in the manifest {manifest.path}",
            hint="add it to the manifest (with @secret), or check the spelling",
        )
    return entry


def from_folder(folder: Path, manifest: Manifest) -> tuple[list[Pushable], list[str]]:
    """Every declared secret file in `folder`, plus the undeclared file names."""
    if not folder.is_dir():
        raise ConfigError(
            f"the secrets folder {folder} does not exist",
            hint="create it with secretsctl generate, or point --dir at it",
        )
    scan = scan_directory(folder, manifest)
    if scan.problems:
        lines = "\n".join(f"  - {problem}" for problem in scan.problems)
        raise ConfigError(
            f"the secrets folder {folder} has problems:\n{lines}",
            hint="fix each file above, then push again",
        )
    found = [
        Pushable(manifest.entries[key], item.text, item.origin)
        for key, item in scan.found.items()
    ]
    if not found:
        raise ConfigError(
            f"the secrets folder {folder} holds no secret the manifest declares",
            hint="run secretsctl generate, or check --dir and --manifest",
        )
    for item in found:
        check_value(item.entry.key, item.text, item.origin)
    return found, scan.undeclared


def from_stdin(entry: Entry, stream: BinaryIO | None = None) -> Pushable:
    """One value from stdin, or from a prompt without echo on a terminal."""
    if stream is None and sys.stdin.isatty():
        text = getpass.getpass(f"value for {entry.key} (not echoed): ")
    else:
        data = (stream or sys.stdin.buffer).read(MAX_SWARM_SECRET_BYTES + 2)
        text = _decode(entry.key, data)
    check_value(entry.key, text, "stdin")
    return Pushable(entry, text, "stdin")


def check_value(key: str, text: str, origin: str) -> None:
    """Refuse values swarm would refuse, or that cannot be a variable."""
    if not text:
        raise ConfigError(
            f"{key}: the value from {origin} is empty",
            hint="pipe the value in, for example: secretsctl push --from-stdin "
            f"{key} < FILE",
        )
    if len(text.encode("utf-8")) > MAX_SWARM_SECRET_BYTES:
        raise ConfigError(
            f"{key}: the value from {origin} is larger than swarm's 500 KiB",
            hint="store large data elsewhere and keep only a key in the secret",
        )
    if "\0" in text:
        raise ConfigError(
            f"{key}: the value from {origin} contains a NUL byte",
            hint="no environment variable can hold it; base64-encode binary data",
        )


def _decode(key: str, data: bytes) -> str:
    if data.endswith(b"\r\n"):
        data = data[:-2]
    elif data.endswith(b"\n"):
        data = data[:-1]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{key}: the value on stdin is not UTF-8 (bad byte at offset "
            f"{error.start})",
            hint="base64-encode binary data before pushing it",
        ) from None
