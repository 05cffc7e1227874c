"""The resident entrypoint keeps no secret value in memory once the child runs.

Without --watch nothing is ever resolved again, so once the .env is written
no value needs to stay in the long-lived parent. The test reads every
readable mapping of the running entrypoint through /proc/PID/mem (root may)
and searches it for random values planted in a secret file and in a
variable.
"""

from __future__ import annotations

import secrets
import signal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .conftest import Space

pytestmark = pytest.mark.root

MANIFEST = "# @required @secret\nFILE_SECRET=\n# @required @secret\nENV_SECRET=\n"


def _regions_holding(pid: int, needle: bytes) -> list[str]:
    """Names of the readable mappings of `pid` that contain `needle`."""
    found = []
    with (
        Path(f"/proc/{pid}/maps").open() as maps,
        Path(f"/proc/{pid}/mem").open("rb", buffering=0) as memory,
    ):
        for line in maps:
            fields = line.split()
            if not fields[1].startswith("r"):
                continue
            start, end = (int(address, 16) for address in fields[0].split("-"))
            try:
                memory.seek(start)
                data = memory.read(end - start)
            except (OSError, OverflowError):
                continue
            if needle in data:
                found.append(fields[5] if len(fields) > 5 else "[anonymous]")
    return found


@pytest.fixture
def planted(space: Space) -> dict[str, str]:
    """A manifest, a secret file and a variable, each with a random value."""
    values = {
        "FILE_SECRET": f"file-{secrets.token_hex(12)}",
        "ENV_SECRET": f"env-{secrets.token_hex(12)}",
    }
    manifest = space.root / "secrets.example"
    manifest.write_text(MANIFEST)
    space.secret("file_secret", values["FILE_SECRET"] + "\n")
    return {**values, "manifest": str(manifest)}


@pytest.mark.parametrize("key", ["FILE_SECRET", "ENV_SECRET"])
def test_resident_entrypoint_holds_no_secret_value(
    space: Space, planted: dict[str, str], key: str
) -> None:
    """Neither a file's value nor a variable's is left in the parent's memory."""
    supervised = space.start(
        "/bin/sh",
        "-c",
        "echo ready; exec sleep 30",
        options=["--manifest", planted["manifest"]],
        env={"ENV_SECRET": planted["ENV_SECRET"]},
    )
    supervised.wait_for("ready")

    regions = _regions_holding(supervised.pid, planted[key].encode())
    supervised.send(signal.SIGTERM)
    result = supervised.finish()

    result.expect(143)
    assert regions == [], f"{key}'s value is still in {regions}\n{result}"
