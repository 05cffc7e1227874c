"""Known values in every encoding and place, and findings that carry no value."""

from __future__ import annotations

import base64
import gzip
import io
import json
import secrets
import tarfile
import zipfile
from dataclasses import asdict
from pathlib import Path
from urllib.parse import quote

import pytest

from secretsctl.validate.archives import Blob
from secretsctl.validate.files import Target
from secretsctl.validate.known import KnownValue
from secretsctl.validate.scan import Scanner, scan_targets
from secretsctl.validate.search import AHO_CORASICK, REGEX

# Characters that JSON, URLs and base64 each treat differently.
PASSWORD = 'p@ss/w0rd+"quoted"é?~' + secrets.token_hex(4)

ENCODED = {
    "plain": PASSWORD.encode(),
    "json": json.dumps({"password": PASSWORD}).encode(),
    "url": f"postgresql://app:{quote(PASSWORD, safe='')}@db/app".encode(),
    "base64": b"Authorization: Basic " + base64.b64encode(b"user:" + PASSWORD.encode()),
    "base64url": b"token=" + base64.urlsafe_b64encode(b"xy" + PASSWORD.encode()),
    "hex": b"dump: " + PASSWORD.encode().hex().encode(),
    "utf-16-le": PASSWORD.encode("utf-16-le"),
    "utf-16-be": b"\xfe\xff" + PASSWORD.encode("utf-16-be"),
}


@pytest.fixture(params=[REGEX, AHO_CORASICK])
def scanner(request: pytest.FixtureRequest) -> Scanner:
    """The scanner with either search backend."""
    if request.param == AHO_CORASICK:
        pytest.importorskip("ahocorasick")
    known = [KnownValue("POSTGRES_PASSWORD", PASSWORD, "secrets/postgres_password")]
    return Scanner(known, backend=request.param)


def known_findings(scanner: Scanner, data: bytes) -> list[tuple[int, str, str]]:
    found = scanner.scan(Blob("file.txt", data))
    return [
        (item.line, item.rule, item.encoding)
        for item in found
        if item.check == "known-values"
    ]


@pytest.mark.parametrize("encoding", list(ENCODED))
def test_every_encoding_of_a_known_value_is_found(
    scanner: Scanner, encoding: str
) -> None:
    data = b"first line\n" + ENCODED[encoding] + b"\nlast line\n"

    assert known_findings(scanner, data) == [
        (2, "known-value:POSTGRES_PASSWORD", encoding)
    ]


@pytest.mark.parametrize("user", ["u", "us", "user", "admin"])
def test_base64_of_user_colon_password_is_found_at_every_alignment(
    scanner: Scanner, user: str
) -> None:
    data = base64.b64encode(f"{user}:{PASSWORD}".encode())

    assert [rule for _, rule, _ in known_findings(scanner, data)] == [
        "known-value:POSTGRES_PASSWORD"
    ]


def test_a_random_password_on_a_line_of_its_own_is_found(scanner: Scanner) -> None:
    """No pattern can match this; only knowing the value can."""
    data = b"a\nb\n" + PASSWORD.encode() + b"\n"

    assert known_findings(scanner, data) == [
        (3, "known-value:POSTGRES_PASSWORD", "plain")
    ]


def test_short_values_are_not_searched_for() -> None:
    """The value is gathered elsewhere; the scanner ignores what it is not given."""
    scanner = Scanner([])

    assert known_findings(scanner, b"anything at all") == []


def test_findings_carry_no_part_of_the_value(scanner: Scanner) -> None:
    data = b"\n".join(ENCODED.values())

    found = scanner.scan(Blob("file.txt", data))

    text = json.dumps([asdict(item) for item in found])
    assert len([item for item in found if item.check == "known-values"]) == len(ENCODED)
    for size in range(8, len(PASSWORD) + 1):
        assert PASSWORD[:size] not in text
        assert PASSWORD[-size:] not in text


def test_pattern_rules_can_be_left_out_for_logs(fakes: dict[str, str]) -> None:
    scanner = Scanner([])
    blob = Blob("logs/app.log", fakes["jwt"].encode())

    assert [item.rule for item in scanner.scan(blob)] == ["jwt"]
    assert scanner.scan(blob, patterns=False) == []


def _tar(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _zip(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "pack", "label"),
    [
        ("app.log.gz", gzip.compress, "logs/app.log.gz!app.log"),
        (
            "dump.zip",
            lambda data: _zip("db/dump.sql", data),
            "logs/dump.zip!db/dump.sql",
        ),
        (
            "dump.tar",
            lambda data: _tar("db/dump.sql", data),
            "logs/dump.tar!db/dump.sql",
        ),
        (
            "dump.tar.gz",
            lambda data: gzip.compress(_tar("db/dump.sql", data)),
            "logs/dump.tar.gz!db/dump.sql",
        ),
    ],
)
def test_known_values_are_found_inside_archives(
    tmp_path: Path, name: str, pack: object, label: str
) -> None:
    assert callable(pack)
    path = tmp_path / "logs" / name
    path.parent.mkdir()
    path.write_bytes(pack(b"header\n" + ENCODED["base64"] + b"\n"))
    scanner = Scanner([KnownValue("POSTGRES_PASSWORD", PASSWORD, "x")])

    result = scan_targets(scanner, [Target(f"logs/{name}", path, False)], tmp_path)

    assert [(item.location, item.encoding) for item in result.findings] == [
        (f"{label}:2", "base64")
    ]


def test_the_same_finding_in_index_and_work_tree_is_reported_once(
    tmp_path: Path,
) -> None:
    path = tmp_path / "config.txt"
    path.write_bytes(PASSWORD.encode())
    scanner = Scanner([KnownValue("POSTGRES_PASSWORD", PASSWORD, "x")])
    targets = [Target("config.txt", path), Target("config.txt", path)]

    result = scan_targets(scanner, targets, tmp_path)

    assert len(result.findings) == 1
    assert result.files == 1
