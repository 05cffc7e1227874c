"""Read the manifest, `secrets.example`: the keys a service needs and their rules.

The manifest is a dotenv file, so `cp secrets.example .env` still works, with
annotations in comments: a line starting with `# @` describes the key that
follows it. The parser is written here rather than borrowed from python-dotenv
because importing that package costs more than the entrypoint's whole budget
for a container start; a test holds the two parsers to the same reading of the
project's manifest.
"""

from __future__ import annotations

import os
import re
from typing import NamedTuple

from entrypoint.errors import ConfigError

KEY_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
FILTERS = ("url",)
RECIPE_ANNOTATIONS = ("generate",)

_ASSIGNMENT = re.compile(r"(?:export[ \t]+)?([^=#\s]+)[ \t]*=[ \t]*(.*)")
_REFERENCE = re.compile(r"\$\{([^}]*)\}")
_DOUBLE_QUOTE_ESCAPES = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
}


class Reference(NamedTuple):
    """A `${NAME}` or `${NAME|url}` inside a default."""

    key: str
    filter: str | None = None


class Entry(NamedTuple):
    """One declared key and what the manifest says about it."""

    key: str
    default: tuple[str | Reference, ...] = ()
    required: bool = False
    secret: bool = False
    file_name: str = ""
    generate: str | None = None
    line: int = 0

    @property
    def references(self) -> tuple[Reference, ...]:
        return tuple(part for part in self.default if isinstance(part, Reference))

    @property
    def default_text(self) -> str:
        """The default as written, references included (for templates)."""
        parts = []
        for part in self.default:
            if isinstance(part, Reference):
                suffix = f"|{part.filter}" if part.filter else ""
                parts.append(f"${{{part.key}{suffix}}}")
            else:
                parts.append(part)
        return "".join(parts)


class Manifest:
    """The declared keys in file order, and where the manifest came from."""

    __slots__ = ("by_file_name", "entries", "path")

    def __init__(self, path: str, entries: dict[str, Entry]) -> None:
        self.path = path
        self.entries = entries
        self.by_file_name = {entry.file_name: entry.key for entry in entries.values()}

    def __contains__(self, key: object) -> bool:
        return key in self.entries


def load(path: str | os.PathLike[str]) -> Manifest:
    """Parse the manifest at `path`; every problem names `file:line`."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as stream:
            text = stream.read()
    except FileNotFoundError:
        raise ConfigError(
            f"manifest {path} does not exist",
            hint="point --manifest or ENTRYPOINT_MANIFEST at secrets.example",
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(
            f"manifest {path} cannot be read: {error.__class__.__name__}",
            hint="the manifest must be a readable UTF-8 file",
        ) from None
    return parse(text, path)


def parse(text: str, path: str | os.PathLike[str]) -> Manifest:
    """Parse manifest text; `path` is only used to name lines in errors."""
    entries: dict[str, Entry] = {}
    pending: dict[str, str | bool] = {}
    pending_line = 0

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        where = f"{path}:{number}"
        if line.startswith("# @") or line.startswith("#@"):
            pending.update(_annotations(line.lstrip("#").strip(), where))
            pending_line = pending_line or number
            continue
        if not line:
            if pending:
                raise ConfigError(
                    f"{path}:{pending_line}: annotation is not followed by a key",
                    hint="put the annotation line directly above its KEY= line",
                )
            continue
        if line.startswith("#"):
            continue

        entry = _entry(line, where, number, pending)
        if entry.key in entries:
            raise ConfigError(
                f"{where}: {entry.key} is declared twice "
                f"(first at line {entries[entry.key].line})",
                hint="keep one declaration of each key",
            )
        entries[entry.key] = entry
        pending, pending_line = {}, 0

    if pending:
        raise ConfigError(
            f"{path}:{pending_line}: annotation is not followed by a key",
            hint="put the annotation line directly above its KEY= line",
        )
    _check_references(entries, path)
    return Manifest(os.fspath(path), entries)


def _annotations(text: str, where: str) -> dict[str, str | bool]:
    found: dict[str, str | bool] = {}
    for word in text.split():
        name, _, argument = word.partition("=")
        if name in ("@required", "@secret") and not argument:
            found[name[1:]] = True
        elif name in ("@file", "@generate") and argument:
            found[name[1:]] = argument
        else:
            raise ConfigError(
                f"{where}: unknown annotation {word!r}",
                hint="use @required, @secret, @file=NAME or @generate=RECIPE",
            )
    return found


def _entry(line: str, where: str, number: int, notes: dict[str, str | bool]) -> Entry:
    match = _ASSIGNMENT.fullmatch(line)
    if match is None:
        raise ConfigError(
            f"{where}: expected KEY=VALUE",
            hint="each line is KEY=VALUE, a comment, or blank",
        )
    key, raw_value = match.groups()
    if not KEY_PATTERN.fullmatch(key):
        raise ConfigError(
            f"{where}: {key!r} is not a valid variable name",
            hint="use letters, digits and underscores, not starting with a digit",
        )

    file_name = notes.get("file", key.lower())
    return Entry(
        key=key,
        default=_template(_value(raw_value, where), where),
        required=bool(notes.get("required", False)),
        secret=bool(notes.get("secret", False)),
        file_name=str(file_name),
        generate=str(notes["generate"]) if "generate" in notes else None,
        line=number,
    )


def _value(raw: str, where: str) -> str:
    """Decode a value the way python-dotenv reads it, for one-line values."""
    if raw[:1] in ("'", '"'):
        quote = raw[0]
        body, closed, rest = _quoted(raw[1:], quote)
        if not closed or (rest.strip() and not rest.lstrip().startswith("#")):
            raise ConfigError(
                f"{where}: unterminated or malformed {quote}-quoted value",
                hint="close the quote on the same line; escape inner quotes with \\",
            )
        return body
    return re.sub(r"\s+#.*", "", raw).rstrip()


def _quoted(text: str, quote: str) -> tuple[str, bool, str]:
    escapes = _DOUBLE_QUOTE_ESCAPES if quote == '"' else {"\\": "\\", "'": "'"}
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == quote:
            return "".join(out), True, text[index + 1 :]
        if char == "\\" and index + 1 < len(text):
            following = text[index + 1]
            out.append(escapes.get(following, "\\" + following))
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out), False, ""


def _template(value: str, where: str) -> tuple[str | Reference, ...]:
    parts: list[str | Reference] = []
    cursor = 0
    for match in _REFERENCE.finditer(value):
        if match.start() > cursor:
            parts.append(value[cursor : match.start()])
        parts.append(_reference(match.group(1), where))
        cursor = match.end()
    if cursor < len(value):
        parts.append(value[cursor:])
    return tuple(parts)


def _reference(body: str, where: str) -> Reference:
    key, _, name = body.partition("|")
    if not KEY_PATTERN.fullmatch(key) or (name and name not in FILTERS):
        raise ConfigError(
            f"{where}: malformed reference ${{{body}}}",
            hint="write ${NAME} or ${NAME|url}",
        )
    return Reference(key=key, filter=name or None)


def _check_references(entries: dict[str, Entry], path: object) -> None:
    for entry in entries.values():
        for reference in entry.references:
            if reference.key not in entries:
                raise ConfigError(
                    f"{path}:{entry.line}: {entry.key} refers to undeclared key "
                    f"{reference.key}",
                    hint=f"declare {reference.key} in the manifest or drop the "
                    "reference",
                )
    for key in entries:
        _check_cycle(key, entries, path, ())


def _check_cycle(
    key: str, entries: dict[str, Entry], path: object, trail: tuple[str, ...]
) -> None:
    if key in trail:
        cycle = " -> ".join((*trail[trail.index(key) :], key))
        raise ConfigError(
            f"{path}:{entries[key].line}: references form a cycle: {cycle}",
            hint="break the cycle by giving one of these keys a literal default",
        )
    for reference in entries[key].references:
        _check_cycle(reference.key, entries, path, (*trail, key))
