"""Container level: from `docker run` to the first 200 from /healthz, with the
entrypoint in front of uvicorn and with uvicorn started directly, on the same
image with the same values (all as plain environment variables). Both get a
tmpfs at /run/app, as docker-compose.yml mounts one: on the image's overlay
filesystem the .env's fsync alone costs about 25 ms."""

from __future__ import annotations

import functools
import secrets
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from timing import alternate, ratio, spread

TIMEOUT = 60.0


def container_level(root: Path, rounds: int) -> dict[str, Any]:
    image = _app_image(root)
    values = _values()
    variants = {
        "entrypoint": [image],
        "uvicorn direct": [
            "--user",
            "10001:10001",
            "--entrypoint",
            "uvicorn",
            image,
            "app.main:app",
            "--host",
            "0.0.0.0",
            "--port",
            "8000",
        ],
    }
    times = alternate(
        {
            name: functools.partial(_time_to_healthy, values, arguments)
            for name, arguments in variants.items()
        },
        rounds,
    )
    return {
        "image": image,
        **{name: spread(runs, digits=1) for name, runs in times.items()},
        "entrypoint_over_direct": ratio(times["entrypoint"], times["uvicorn direct"]),
    }


def _app_image(root: Path) -> str:
    for line in (root / ".images.env").read_text().splitlines():
        if line.startswith("APP_IMAGE="):
            return line.split("=", 1)[1].strip()
    raise SystemExit("APP_IMAGE missing from .images.env; run scripts/build-images")


def _values() -> dict[str, str]:
    password = secrets.token_urlsafe(24)
    return {
        "POSTGRES_PASSWORD": password,
        "DATABASE_URL": f"postgresql://app:{password}@db:5432/app",
        "JWT_SECRET": secrets.token_urlsafe(32),
        "ENCRYPTION_KEY": secrets.token_urlsafe(32),
        "ADMIN_PASSWORD": secrets.token_urlsafe(16),
    }


def _time_to_healthy(values: dict[str, str], arguments: list[str]) -> float:
    """Seconds from `docker run` to the first 200; the values go by --env."""
    environment = [item for key in values for item in ("--env", key)]
    start = time.perf_counter()
    container = subprocess.run(
        [
            "docker",
            "run",
            "-d",
            "--rm",
            "-p",
            "127.0.0.1::8000",
            *environment,
            *arguments,
        ],
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", **values},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    try:
        port = _published_port(container)
        _wait_for_200(f"http://127.0.0.1:{port}/healthz", start)
        return (time.perf_counter() - start) * 1000
    finally:
        subprocess.run(
            ["docker", "rm", "-f", container], capture_output=True, check=False
        )


def _published_port(container: str) -> str:
    mapping = subprocess.run(
        ["docker", "port", container, "8000/tcp"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[0]
    return mapping.rsplit(":", 1)[1]


def _wait_for_200(url: str, start: float) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while time.perf_counter() - start < TIMEOUT:
        try:
            with opener.open(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.01)
    raise SystemExit(f"{url} did not answer 200 within {TIMEOUT} s")
