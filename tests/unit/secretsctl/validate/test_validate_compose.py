"""Keys that compose and stack files use: environment, *_FILE and secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from entrypoint.sources import key_for_file_name
from secretsctl.validate.compose import COMPOSE_FILES, key_uses

PROJECT = Path(__file__).resolve().parents[4]

COMPOSE = """\
x-common: &common
  environment:
    - SHARED_SETTING=1   # a comment
services:
  app:
    image: "registry/app:1.0"
    command: >
      sh -c "NOT_A_KEY: this is a folded scalar"
    environment:
      POSTGRES_PASSWORD_FILE: /run/secrets/postgres_password
      "QUOTED_KEY": value
      ENTRYPOINT_USER: app
      <<: *common-map
    secrets:
    - postgres_password
    - source: openai_api_key_v2
      target: openai_api_key
    - {source: jwt_secret_v1, target: jwt_secret}
    ports:
      - "8000:8000"
  db:
    environment:
    - POSTGRES_DB=app
    - "POSTGRES_USER=app"
    secrets: [db-password]
secrets:
  postgres_password:
    external: true
  openai_api_key_v2:
    file: ./openai
"""


def uses(text: str) -> list[tuple[str, int, str]]:
    return [(use.key, use.line, use.how) for use in key_uses(text, "compose.yml")]


def test_every_kind_of_key_use_is_found_with_its_line() -> None:
    assert uses(COMPOSE) == [
        ("SHARED_SETTING", 3, "environment"),
        ("POSTGRES_PASSWORD", 10, "file"),
        ("QUOTED_KEY", 11, "environment"),
        ("POSTGRES_PASSWORD", 15, "secret"),
        ("OPENAI_API_KEY", 16, "secret"),
        ("JWT_SECRET", 18, "secret"),
        ("POSTGRES_DB", 23, "environment"),
        ("POSTGRES_USER", 24, "environment"),
        ("DB_PASSWORD", 25, "secret"),
    ]


def test_the_secret_file_name_maps_through_the_given_function() -> None:
    """The manifest's `@file=NAME` decides before the entrypoint's rule."""
    text = "services:\n  app:\n    secrets:\n      - openai\n"

    found = key_uses(text, "c.yml", lambda name: {"openai": "OPENAI_API_KEY"}[name])

    assert [use.key for use in found] == ["OPENAI_API_KEY"]


def test_a_target_path_names_the_file_by_its_last_part() -> None:
    text = (
        "services:\n  app:\n    secrets:\n"
        "      - source: pw_v3\n        target: /run/secrets/postgres_password\n"
    )

    assert uses(text) == [("POSTGRES_PASSWORD", 4, "secret")]


@pytest.mark.parametrize(
    "text",
    [
        "secrets:\n  postgres_password:\n    file: ./pw\n",
        "services:\n  app:\n    image: app\n    labels:\n      KEY_LIKE: x\n",
        "",
        "---\n# only a comment\n",
    ],
)
def test_definitions_and_other_mappings_are_not_key_uses(text: str) -> None:
    """Top-level `secrets:` defines secrets; only a service's list uses them."""
    assert uses(text) == []


def test_flow_style_environment_is_read() -> None:
    text = "services:\n  app:\n    environment: {A_KEY: 1, B_KEY: two}\n"

    assert [key for key, _, _ in uses(text)] == ["A_KEY", "B_KEY"]


def test_merge_keys_and_aliases_bring_in_an_anchored_blocks_keys() -> None:
    text = """\
x-database: &database
  POSTGRES_USER: app
  POSTGRES_DB: app
services:
  app:
    environment:
      <<: *database
      OTHER_SETTING: 1
  db:
    environment: *database
"""

    assert uses(text) == [
        ("POSTGRES_USER", 7, "environment"),
        ("POSTGRES_DB", 7, "environment"),
        ("OTHER_SETTING", 8, "environment"),
        ("POSTGRES_USER", 10, "environment"),
        ("POSTGRES_DB", 10, "environment"),
    ]


@pytest.mark.parametrize(
    "name", [name for name in COMPOSE_FILES if (PROJECT / name).is_file()]
)
def test_the_projects_compose_files_read_as_a_yaml_library_reads_them(
    name: str,
) -> None:
    """The line reader and a real YAML parser agree on this project's files."""
    yaml = pytest.importorskip("yaml")
    text = (PROJECT / name).read_text(encoding="utf-8")

    expected = set()
    for service in yaml.safe_load(text).get("services", {}).values():
        environment = service.get("environment") or {}
        names = (
            [item.split("=", 1)[0] for item in environment]
            if isinstance(environment, list)
            else list(environment)
        )
        for key in names:
            if not key.startswith("ENTRYPOINT_"):
                expected.add(key.removesuffix("_FILE"))
        for secret in service.get("secrets") or []:
            file_name = (
                secret
                if isinstance(secret, str)
                else secret.get("target") or secret["source"]
            )
            expected.add(key_for_file_name(file_name.rsplit("/", 1)[-1]))

    assert {use.key for use in key_uses(text, name)} == expected
