"""Precedence, references, required keys and secret-ness."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from entrypoint.errors import ConfigError
from entrypoint.manifest import parse
from entrypoint.resolve import resolve

MANIFEST = parse(
    "# @required @secret\n"
    "DB_PASSWORD=placeholder\n"
    "DB_USER=app\n"
    "# @required\n"
    "DATABASE_URL=postgresql://${DB_USER}:${DB_PASSWORD|url}@db/x\n"
    "# @secret\n"
    "OPTIONAL_KEY=your_key_here\n"
    "PLAIN=default\n",
    Path("secrets.example"),
)


@pytest.fixture
def secrets_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "secrets"
    directory.mkdir()
    return directory


def test_precedence_is_directory_then_key_file_then_env_then_default(
    secrets_dir: Path, tmp_path: Path
) -> None:
    """Each source wins over the ones below it."""
    (secrets_dir / "db_password").write_text("from-dir")
    key_file = tmp_path / "user"
    key_file.write_text("from-key-file")
    environ = {"DB_USER_FILE": str(key_file), "PLAIN": "from-env"}

    resolution = resolve(MANIFEST, secrets_dir, environ)
    sources = {key: value.source for key, value in resolution.values.items()}

    assert sources == {
        "DB_PASSWORD": "secrets-dir",
        "DB_USER": "key-file",
        "DATABASE_URL": "derived",
        "PLAIN": "env",
    }
    assert resolution.values["PLAIN"].text == "from-env"
    assert resolution.consumed_variables == ["DB_USER_FILE"]


def test_directory_shadows_environment_and_says_so(secrets_dir: Path) -> None:
    """A file beats a variable of the same key, and the key is reported."""
    (secrets_dir / "db_password").write_text("file")

    resolution = resolve(MANIFEST, secrets_dir, {"DB_PASSWORD": "env"})

    assert resolution.values["DB_PASSWORD"].text == "file"
    assert resolution.shadowed == ["DB_PASSWORD"]


def test_secret_placeholder_is_never_used(secrets_dir: Path) -> None:
    """`your_key_here` in the manifest does not become an API key."""
    resolution = resolve(MANIFEST, secrets_dir, {"DB_PASSWORD": "pw"})

    assert "OPTIONAL_KEY" not in resolution.values
    assert ("OPTIONAL_KEY", "-", "unset") in [
        (row.key, row.source, row.state) for row in resolution.statuses
    ]
    assert resolution.problems == []


@pytest.mark.parametrize(
    "password", ["p@ss:w/rd%#?'[] ü", "plain", "%41", "a b", "@@::"]
)
def test_url_reference_survives_any_password(secrets_dir: Path, password: str) -> None:
    """`${X|url}` percent-encodes, so the URL parses back to the same password."""
    resolution = resolve(MANIFEST, secrets_dir, {"DB_PASSWORD": password})
    url = urlsplit(resolution.values["DATABASE_URL"].text)

    assert unquote(url.password or "") == password
    assert (url.username, url.hostname, url.path) == ("app", "db", "/x")


def test_value_built_from_a_secret_is_secret(secrets_dir: Path) -> None:
    """DATABASE_URL holds the password, so it is secret like the password."""
    resolution = resolve(MANIFEST, secrets_dir, {"DB_PASSWORD": "pw"})

    assert resolution.values["DATABASE_URL"].secret is True
    assert resolution.values["DB_USER"].secret is False
    assert set(resolution.secret_keys) == {"DB_PASSWORD", "DATABASE_URL"}


def test_reference_to_a_later_key_is_resolved() -> None:
    """Defaults may refer to keys declared further down the manifest."""
    manifest = parse("URL=http://${HOST}/\nHOST=example\n", Path("m"))

    resolution = resolve(manifest, Path("/nonexistent"), {})

    assert resolution.values["URL"].text == "http://example/"


def test_reference_to_an_unset_optional_key_expands_to_nothing() -> None:
    """An optional secret with no value leaves an empty slot, not a placeholder."""
    manifest = parse("# @secret\nTOKEN=ph\nHEADER=Bearer ${TOKEN}\n", Path("m"))

    resolution = resolve(manifest, Path("/nonexistent"), {})

    assert resolution.values["HEADER"].text == "Bearer "


def test_every_missing_required_key_is_listed_once(secrets_dir: Path) -> None:
    """One error names all missing keys and where each was looked for."""
    manifest = parse(
        "# @required @secret\nA=\n# @required\nB=\n# @required @secret\nC=\n",
        Path("m"),
    )

    resolution = resolve(manifest, secrets_dir, {"C": "set"})
    with pytest.raises(ConfigError) as caught:
        resolution.raise_for_problems()
    message = str(caught.value)

    assert len(resolution.problems) == 1
    assert f"A (looked in {secrets_dir}/a, $A_FILE, $A)" in message
    assert f"B (looked in {secrets_dir}/b, $B_FILE, $B, the manifest default)" in (
        message
    )
    assert "C (" not in message
    assert caught.value.exit_code == 78


def test_empty_value_does_not_satisfy_required(secrets_dir: Path) -> None:
    """A required key set to the empty string is still missing."""
    (secrets_dir / "db_password").write_text("\n")

    resolution = resolve(MANIFEST, secrets_dir, {})

    assert "DB_PASSWORD" in resolution.problems[0]


def test_problems_from_every_source_are_collected(
    secrets_dir: Path, tmp_path: Path
) -> None:
    """--check reports all bad inputs at once, not just the first."""
    (secrets_dir / "db_password").write_bytes(b"\xff")
    environ = {"PLAIN": "x", "PLAIN_FILE": str(tmp_path / "absent")}

    resolution = resolve(MANIFEST, secrets_dir, environ)

    assert len(resolution.problems) == 3
    assert "not UTF-8" in resolution.problems[0]
    assert "both PLAIN and PLAIN_FILE" in resolution.problems[1]
    assert "required keys are missing: DB_PASSWORD" in resolution.problems[2]


def test_without_manifest_directory_files_are_secret(secrets_dir: Path) -> None:
    """Anything read from a secrets directory without a manifest is secret."""
    (secrets_dir / "token").write_text("t")

    resolution = resolve(None, secrets_dir, {"TOKEN": "ignored"})

    assert resolution.values["TOKEN"].secret is True
    assert resolution.values["TOKEN"].text == "t"


def test_value_repr_hides_the_text(secrets_dir: Path) -> None:
    """Printing a resolved value never shows it."""
    resolution = resolve(MANIFEST, secrets_dir, {"DB_PASSWORD": "hunter2-planted"})

    assert "hunter2-planted" not in repr(resolution.values)
    assert "hunter2-planted" not in repr(resolution)
