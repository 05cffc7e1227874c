"""Example files: secrets.example exists and example files list every key."""

from __future__ import annotations

from pathlib import Path

from entrypoint.manifest import load
from secretsctl.validate.examples import Examples, check

MANIFEST = "# @secret\nPOSTGRES_PASSWORD=\nPOSTGRES_DB=app\n"
COMPOSE = """\
services:
  app:
    environment:
      - POSTGRES_DB=app
      - LOG_LEVEL=info
    secrets:
      - postgres_password
"""


def project(tmp_path: Path, files: dict[str, str] | None = None) -> Examples:
    for name, text in (files or {}).items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return Examples(tmp_path, tmp_path / "secrets.example")


def results(examples: Examples) -> list[tuple[str, str, str]]:
    manifest = load(examples.manifest_path) if examples.manifest_path.exists() else None
    return [(f.path, f.rule, f.message) for f in check(examples, manifest)]


def test_a_missing_manifest_is_a_finding(tmp_path: Path) -> None:
    assert results(project(tmp_path)) == [
        ("secrets.example", "example-missing", "secrets.example does not exist")
    ]


def test_a_project_whose_examples_list_everything_is_clean(tmp_path: Path) -> None:
    examples = project(
        tmp_path,
        {
            "secrets.example": MANIFEST + "LOG_LEVEL=info\n",
            "docker-compose.yml": COMPOSE,
        },
    )

    assert results(examples) == []


def test_a_compose_key_missing_from_the_manifest_is_named_with_its_use(
    tmp_path: Path,
) -> None:
    examples = project(
        tmp_path, {"secrets.example": MANIFEST, "docker-compose.yml": COMPOSE}
    )

    assert results(examples) == [
        (
            "secrets.example",
            "example-missing-key",
            "LOG_LEVEL (environment at docker-compose.yml:5) is not listed in "
            "secrets.example",
        )
    ]


def test_stack_file_keys_count_too(tmp_path: Path) -> None:
    examples = project(
        tmp_path,
        {
            "secrets.example": MANIFEST,
            "deploy/stack.yml": "services:\n  app:\n    secrets:\n      - jwt_secret\n",
        },
    )

    assert [rule for _, rule, _ in results(examples)] == ["example-missing-key"]
    assert "JWT_SECRET (secret at deploy/stack.yml:4)" in results(examples)[0][2]


def test_env_example_must_list_the_manifest_keys(tmp_path: Path) -> None:
    examples = project(
        tmp_path, {"secrets.example": MANIFEST, ".env.example": "POSTGRES_DB=\n"}
    )

    assert results(examples) == [
        (
            ".env.example",
            "example-missing-key",
            "POSTGRES_PASSWORD (manifest at secrets.example:2) is not listed in "
            ".env.example",
        )
    ]


def test_example_paths_are_the_existing_example_files(tmp_path: Path) -> None:
    examples = project(tmp_path, {"secrets.example": MANIFEST})

    assert examples.paths() == [tmp_path / "secrets.example"]
