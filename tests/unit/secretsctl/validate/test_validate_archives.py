"""Looking inside compressed files and archives."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zipfile
from collections.abc import Callable

import pytest

from secretsctl.validate import archives
from secretsctl.validate.archives import expand

CONTENT = b"line one\nline two\n"


def tar_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def blobs(label: str, data: bytes) -> dict[str, bytes]:
    notes: list[str] = []
    found = {blob.label: blob.data for blob in expand(label, data, notes)}
    assert notes == []
    return found


def test_a_plain_file_is_itself() -> None:
    assert blobs("app.log", CONTENT) == {"app.log": CONTENT}


@pytest.mark.parametrize(
    ("name", "compress", "inner"),
    [
        ("app.log.gz", gzip.compress, "app.log"),
        ("app.log.bz2", bz2.compress, "app.log"),
        ("app.log.xz", lzma.compress, "app.log"),
    ],
)
def test_a_compressed_file_holds_the_file_without_its_suffix(
    name: str, compress: Callable[[bytes], bytes], inner: str
) -> None:
    assert blobs(f"logs/{name}", compress(CONTENT)) == {f"logs/{name}!{inner}": CONTENT}


def test_zip_members_are_named_after_the_archive() -> None:
    data = zip_of({"dump/db.sql": CONTENT, "readme.txt": b"hi"})

    assert blobs("b.zip", data) == {
        "b.zip!dump/db.sql": CONTENT,
        "b.zip!readme.txt": b"hi",
    }


@pytest.mark.parametrize("name", ["db.tar", "db.tar.gz", "db.tgz"])
def test_tar_members_are_named_after_the_archive(name: str) -> None:
    data = tar_of({"dump/db.sql": CONTENT})
    if name != "db.tar":
        data = gzip.compress(data)

    assert blobs(name, data) == {f"{name}!dump/db.sql": CONTENT}


def test_archives_inside_archives_are_opened() -> None:
    inner = zip_of({"secret.txt": CONTENT})
    data = gzip.compress(tar_of({"nested.zip": inner}))

    assert blobs("all.tgz", data) == {"all.tgz!nested.zip!secret.txt": CONTENT}


def test_a_broken_archive_is_searched_as_it_is_with_a_warning() -> None:
    data = b"\x1f\x8b" + b"not really gzip"
    notes: list[str] = []

    found = list(expand("broken.gz", data, notes))

    assert [(blob.label, blob.data) for blob in found] == [("broken.gz", data)]
    assert "broken.gz" in notes[0]


def test_expansion_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    """A decompression bomb is cut at the cap, with a warning."""
    monkeypatch.setattr(archives, "MAX_EXPANDED_BYTES", 10)
    notes: list[str] = []

    found = list(expand("bomb.gz", gzip.compress(b"x" * 1000), notes))

    assert [len(blob.data) for blob in found] == [10]
    assert "bomb.gz" in notes[0]
