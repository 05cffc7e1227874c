"""The manifest parser: annotations, defaults, references and its errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from dotenv.parser import Binding, parse_stream

from entrypoint.errors import ConfigError
from entrypoint.manifest import Reference, load, parse

ROOT = Path(__file__).resolve().parents[3]
HERE = Path("secrets.example")


def test_annotations_attach_to_the_next_key() -> None:
    """Each `# @` line describes the key directly below it, and only that key."""
    manifest = parse(
        "# @required @secret @generate=password\n"
        "POSTGRES_PASSWORD=\n"
        "# @secret @file=openai_key\n"
        "OPENAI_API_KEY=your_key_here\n"
        "PLAIN=1\n",
        HERE,
    )
    password = manifest.entries["POSTGRES_PASSWORD"]
    openai = manifest.entries["OPENAI_API_KEY"]
    plain = manifest.entries["PLAIN"]

    assert (password.required, password.secret, password.generate) == (
        True,
        True,
        "password",
    )
    assert password.file_name == "postgres_password"
    assert (openai.secret, openai.required, openai.file_name) == (
        True,
        False,
        "openai_key",
    )
    assert (plain.required, plain.secret, plain.default) == (False, False, ("1",))
    assert manifest.by_file_name["openai_key"] == "OPENAI_API_KEY"


def test_references_are_parsed_with_their_filter() -> None:
    """`${NAME}` and `${NAME|url}` become references; the rest stays literal."""
    manifest = parse(
        "USER=u\nPASSWORD=p\nURL=postgresql://${USER}:${PASSWORD|url}@db/x\n", HERE
    )

    assert manifest.entries["URL"].default == (
        "postgresql://",
        Reference("USER"),
        ":",
        Reference("PASSWORD", "url"),
        "@db/x",
    )
    assert (
        manifest.entries["URL"].default_text
        == "postgresql://${USER}:${PASSWORD|url}@db/x"
    )


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("A=plain", "plain"),
        ("A=plain # comment", "plain"),
        ("A=with#hash", "with#hash"),
        ("export A=exported", "exported"),
        ("A = spaced", "spaced"),
        ('A="double # not comment"', "double # not comment"),
        ('A="esc \\" \\\\ \\n"', 'esc " \\ \n'),
        ("A='single \\' quote'", "single ' quote"),
        ('A="closed" # trailing comment', "closed"),
        ("A=", ""),
    ],
)
def test_values_read_as_python_dotenv_reads_them(line: str, value: str) -> None:
    """Every supported form of a line gives the value python-dotenv gives."""
    (binding,) = [b for b in dotenv_bindings(line) if b.key]

    assert parse(line + "\n", HERE).entries["A"].default_text == value
    assert binding.value == value


def dotenv_bindings(text: str) -> list[Binding]:
    return list(parse_stream(io.StringIO(text)))


def test_project_manifest_agrees_with_python_dotenv() -> None:
    """The shipped secrets.example reads the same through both parsers."""
    path = ROOT / "secrets.example"
    ours = {key: entry.default_text for key, entry in load(path).entries.items()}
    with path.open() as stream:
        theirs = {b.key: b.value for b in parse_stream(stream) if b.key}

    assert ours == theirs


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A=1\nnot an assignment\n", r"secrets.example:2: expected KEY=VALUE"),
        ("1BAD=1\n", r"secrets.example:1: '1BAD' is not a valid variable name"),
        ("# @requried\nA=1\n", r"secrets.example:1: unknown annotation '@requried'"),
        ("# @file\nA=1\n", r"secrets.example:1: unknown annotation '@file'"),
        ("# @secret\n\nA=1\n", r"secrets.example:1: annotation is not followed"),
        ("A=1\n# @secret\n", r"secrets.example:2: annotation is not followed"),
        ("A=1\nA=2\n", r"secrets.example:2: A is declared twice \(first at line 1\)"),
        ('A="open\n', r"secrets.example:1: unterminated"),
        ('A="x" y\n', r"secrets.example:1: unterminated or malformed"),
        ("A=${B}\n", r"secrets.example:1: A refers to undeclared key B"),
        ("B=1\nA=${B|base64}\n", r"secrets.example:2: malformed reference"),
        ("A=${B}\nB=${C}\nC=${A}\n", r"references form a cycle: A -> B -> C -> A"),
        ("A=${A}\n", r"references form a cycle: A -> A"),
    ],
)
def test_malformed_manifest_names_file_and_line(text: str, message: str) -> None:
    """Each mistake is an error that points at the line to fix."""
    with pytest.raises(ConfigError, match=message) as caught:
        parse(text, HERE)

    assert caught.value.exit_code == 78
    assert caught.value.hint


def test_missing_manifest_file_is_a_config_error(tmp_path: Path) -> None:
    """A manifest path that does not exist says so and how to fix it."""
    with pytest.raises(ConfigError, match="does not exist") as caught:
        load(tmp_path / "nope.example")

    assert "ENTRYPOINT_MANIFEST" in str(caught.value)


def test_manifest_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    """Binary junk in the manifest is reported, not decoded into garbage."""
    path = tmp_path / "secrets.example"
    path.write_bytes(b"A=\xff\n")

    with pytest.raises(ConfigError, match="cannot be read"):
        load(path)
