"""Look inside compressed files and archives: a backup leaks as much as a file.

Content is recognised by its first bytes, not its name, so `db.tar.gz`,
`db.tgz` and a `.gz` of a tar are read alike. Members are named
`archive!inner/path`, and a member that is itself an archive is opened in
turn, a few levels deep. Sizes are capped, so a decompression bomb costs a
warning rather than the machine's memory.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial

MAX_DEPTH = 3
MAX_EXPANDED_BYTES = 256 * 1024 * 1024
TAR_MAGIC_OFFSET = 257
ZIP_ENCRYPTED = 0x1

GZIP, BZIP2, XZ = "gzip", "bzip2", "xz"
_STREAMS = {b"\x1f\x8b": GZIP, b"BZh": BZIP2, b"\xfd7zXZ\x00": XZ}
_STREAM_SUFFIXES = {".gz": "", ".tgz": ".tar", ".bz2": "", ".xz": ""}
_STREAM_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError)


@dataclass(frozen=True)
class Blob:
    """Bytes to search and the label findings in them are reported under."""

    label: str
    data: bytes = field(repr=False)


def expand(label: str, data: bytes, notes: list[str], depth: int = 0) -> Iterator[Blob]:
    """`data` itself, or each member when it is an archive or compressed."""
    members = _members(label, data, notes) if depth < MAX_DEPTH else None
    if members is None:
        yield Blob(label, data)
        return
    for inner_label, inner_data in members:
        yield from expand(inner_label, inner_data, notes, depth + 1)


def _members(
    label: str, data: bytes, notes: list[str]
) -> list[tuple[str, bytes]] | None:
    """The members of an archive, or None when `data` is not one (or is broken)."""
    try:
        if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            return _zip_members(label, data, notes)
        if data[TAR_MAGIC_OFFSET : TAR_MAGIC_OFFSET + 5] == b"ustar":
            return _tar_members(label, data, notes)
        for magic, kind in _STREAMS.items():
            if data.startswith(magic):
                return _stream_members(label, data, kind, notes)
    except (*_STREAM_ERRORS, zipfile.BadZipFile, tarfile.TarError) as error:
        notes.append(
            f"{label} looks like an archive but cannot be read "
            f"({error.__class__.__name__}); searched as it is"
        )
    return None


def _stream_members(
    label: str, data: bytes, kind: str, notes: list[str]
) -> list[tuple[str, bytes]]:
    inner = _Budget(label, notes, MAX_EXPANDED_BYTES).take(
        partial(_decompress, kind, data)
    )
    if inner[TAR_MAGIC_OFFSET : TAR_MAGIC_OFFSET + 5] == b"ustar":
        return _tar_members(label, inner, notes)
    return [(f"{label}!{_inner_name(label)}", inner)]


def _decompress(kind: str, data: bytes, limit: int) -> bytes:
    """At most `limit` bytes of the decompressed stream."""
    raw = io.BytesIO(data)
    if kind == GZIP:
        with gzip.GzipFile(fileobj=raw) as stream:
            return stream.read(limit)
    if kind == BZIP2:
        with bz2.BZ2File(raw) as stream:
            return stream.read(limit)
    with lzma.LZMAFile(raw) as stream:
        return stream.read(limit)


def _inner_name(label: str) -> str:
    """`app.log.gz` holds `app.log`; `db.tgz` holds `db.tar`."""
    name = label.rsplit("!", 1)[-1].rsplit("/", 1)[-1]
    for suffix, replacement in _STREAM_SUFFIXES.items():
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + replacement
    return name


def _zip_members(label: str, data: bytes, notes: list[str]) -> list[tuple[str, bytes]]:
    members = []
    budget = _Budget(label, notes, MAX_EXPANDED_BYTES)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.is_dir() or budget.spent:
                continue
            if info.flag_bits & ZIP_ENCRYPTED:
                notes.append(f"{label}!{info.filename} is encrypted; not searched")
                continue
            with archive.open(info) as stream:
                members.append((f"{label}!{info.filename}", budget.take(stream.read)))
    return members


def _tar_members(label: str, data: bytes, notes: list[str]) -> list[tuple[str, bytes]]:
    members = []
    budget = _Budget(label, notes, MAX_EXPANDED_BYTES)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
        for info in archive:
            stream = archive.extractfile(info) if info.isfile() else None
            if stream is not None and not budget.spent:
                members.append((f"{label}!{info.name}", budget.take(stream.read)))
    return members


@dataclass
class _Budget:
    """How many more bytes one archive may expand to; warns once when spent."""

    label: str
    notes: list[str]
    left: int
    spent: bool = False

    def take(self, read: Callable[[int], bytes]) -> bytes:
        """Read through `read(size)`, keeping within what is left."""
        content = read(self.left + 1)
        if len(content) > self.left:
            self.notes.append(
                f"{self.label} expands to more than "
                f"{MAX_EXPANDED_BYTES // 2**20} MiB; only the first part was searched"
            )
            content = content[: self.left]
            self.spent = True
        self.left -= len(content)
        return content
