"""Fakes for the validate tests, made at run time.

No realistic credential is written in the test sources: they are tracked
files, and `secretsctl validate` run on this repository must not flag its
own tests. Each fake has the real format's prefix, charset and length.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import string
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

ALNUM = string.ascii_letters + string.digits


def random_text(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def fake_jwt() -> str:
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64url(json.dumps({"sub": "user-42", "exp": 1900000000}).encode())
    key = secrets.token_bytes(32)
    signature = hmac.new(key, f"{header}.{payload}".encode(), hashlib.sha256)
    return f"{header}.{payload}.{_b64url(signature.digest())}"


def fake_private_key() -> str:
    body = base64.b64encode(secrets.token_bytes(600)).decode()
    lines = [body[index : index + 64] for index in range(0, len(body), 64)]
    kind = "RSA " + "PRIVATE KEY"
    return "\n".join([f"-----BEGIN {kind}-----", *lines, f"-----END {kind}-----"])


@pytest.fixture
def fakes() -> dict[str, str]:
    """One realistic fake per rule name, new for each test."""
    return {
        "anthropic-api-key": "sk-ant-"
        + "api03-"
        + secrets.token_urlsafe(70)[:93]
        + "AA",
        "openai-project-key": "sk-" + "proj-" + secrets.token_urlsafe(120)[:156],
        "openai-api-key": "sk-"
        + random_text(ALNUM, 20)
        + "T3BlbkFJ"
        + random_text(ALNUM, 20),
        "deepseek-api-key": "sk-" + secrets.token_hex(16),
        "notion-integration-secret": "secret_" + random_text(ALNUM, 43),
        "notion-token": "ntn_"
        + random_text(string.digits, 11)
        + random_text(ALNUM, 35),
        "jwt": fake_jwt(),
        "private-key": fake_private_key(),
        "url-password": (
            f"postgresql://app:{secrets.token_urlsafe(12)}@localhost:5432/app"
        ),
    }


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """An empty git repository with a local identity."""
    root = tmp_path / "repo"
    root.mkdir()
    for argv in (
        ["git", "init", "-q"],
        ["git", "config", "user.email", "test@example.com"],
        ["git", "config", "user.name", "Test"],
    ):
        subprocess.run(argv, cwd=root, check=True, capture_output=True)
    return root


Git = Callable[..., str]


@pytest.fixture
def git(repository: Path) -> Git:
    """Run git in the test repository and return its output."""

    def run(*arguments: str) -> str:
        completed = subprocess.run(
            ["git", *arguments],
            cwd=repository,
            check=True,
            capture_output=True,
            text=True,
        )
        return completed.stdout

    return run
