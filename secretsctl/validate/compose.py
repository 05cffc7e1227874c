"""The keys a compose or stack file hands to its services.

Three kinds of use count: a variable under `environment:` (list or mapping
form), a `KEY_FILE` variable, which names the key KEY, and a service's
`secrets:` reference, whose file name under /run/secrets (its `target`, else
its `source`) maps to a key the way the entrypoint maps it.

Only that corner of YAML is read, line by line, so validate needs no YAML
library: nesting by indentation, both sequence styles, one-line flow
collections, quoted keys, comments and block scalars (skipped).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from entrypoint.sources import key_for_file_name

COMPOSE_FILES = (
    "docker-compose.yml",
    "docker-compose.yaml",
    "compose.yml",
    "compose.yaml",
    "deploy/stack.yml",
    "deploy/stack.yaml",
)
# The entrypoint's own settings configure it; they are not the app's keys.
OWN_PREFIX = "ENTRYPOINT_"

_MAPPING = re.compile(r"""(?:"([^"]*)"|'([^']*)'|([^\s"'#][^:#]*?))\s*:(?:\s+(.*))?$""")
_BLOCK_SCALAR = re.compile(r"[|>][-+0-9]*")


@dataclass(frozen=True)
class KeyUse:
    """A key a compose file uses, where, and how ("environment", ...)."""

    key: str
    path: str
    line: int
    how: str


@dataclass(frozen=True)
class _Line:
    number: int
    indent: int
    text: str


@dataclass
class _Reader:
    """Walks the lines keeping the chain of enclosing mapping keys."""

    path: str
    key_for: Callable[[str], str]
    uses: list[KeyUse] = field(default_factory=list)
    stack: list[tuple[int, str, str]] = field(default_factory=list)
    anchors: dict[str, list[str]] = field(default_factory=dict)
    secret: dict[str, str] = field(default_factory=dict)
    secret_line: int = 0
    block_indent: int | None = None

    def feed(self, line: _Line) -> None:
        if self.block_indent is not None and line.indent > self.block_indent:
            return
        self.block_indent = None
        item = line.text == "-" or line.text.startswith("- ")
        while self.stack and (
            self.stack[-1][0] > line.indent
            or (self.stack[-1][0] == line.indent and not item)
        ):
            self.stack.pop()
        if item:
            self._item(line, line.text[1:].strip())
        else:
            self._mapping(line, line.indent, line.text)

    def finish(self) -> None:
        self._end_secret()

    @property
    def _context(self) -> str:
        if not self.stack:
            return ""
        key = self.stack[-1][1]
        if key == "environment":
            return "environment"
        # Top-level `secrets:` defines secrets; a service's lists the ones it uses.
        return "secrets" if key == "secrets" and len(self.stack) >= 2 else ""

    def _item(self, line: _Line, rest: str) -> None:
        context = self._context
        self._remember(_unquote(rest).split("=", 1)[0])
        if context == "secrets":
            self._end_secret()
            self.secret_line = line.number
        if context == "environment":
            self._environment(_unquote(rest).split("=", 1)[0], line.number)
        elif context == "secrets" and rest.startswith("{"):
            for part in rest.strip("{} ").split(","):
                field_name, _, value = part.partition(":")
                self._secret_field(field_name.strip(), value.strip(), line.number)
        elif context == "secrets" and _MAPPING.match(rest) is None:
            self._secret_field("source", rest, line.number)
        elif rest:
            self._mapping(line, line.indent + 2, rest)

    def _mapping(self, line: _Line, indent: int, text: str) -> None:
        match = _MAPPING.match(text)
        if match is None:
            return
        key = next(part for part in match.groups()[:3] if part is not None)
        value = (match.group(4) or "").strip()
        context = self._context
        self._remember(key)
        if context == "environment" and key == "<<":
            self._merge(value, line.number)
        elif context == "environment":
            self._environment(key, line.number)
        elif context == "secrets":
            self._secret_field(key, value, line.number)
        if _BLOCK_SCALAR.fullmatch(value):
            self.block_indent = line.indent
        elif not value or value.startswith("&"):
            anchor = value[1:].split(" ", 1)[0] if value else ""
            self.stack.append((indent, key, anchor))
        elif value.startswith("*") and key == "environment":
            self._merge(value, line.number)
        elif value.startswith(("[", "{")) and key in ("environment", "secrets"):
            self._flow(key, value, line.number)

    def _remember(self, key: str) -> None:
        """Record the keys of an anchored block, for `<<: *name` merges later."""
        if self.stack and self.stack[-1][2]:
            self.anchors.setdefault(self.stack[-1][2], []).append(key)

    def _merge(self, value: str, number: int) -> None:
        for alias in re.findall(r"\*([^\s,\]]+)", value):
            for key in self.anchors.get(alias, []):
                self._environment(key, number)

    def _flow(self, key: str, value: str, number: int) -> None:
        for part in value.strip("[]{} ").split(","):
            entry = _unquote(part.strip())
            if not entry:
                continue
            if key == "environment":
                self._environment(re.split(r"[=:]", entry, maxsplit=1)[0], number)
            elif self.stack:
                self._end_secret()
                self._secret_field("source", entry, number)
                self._end_secret()

    def _environment(self, name: str, number: int) -> None:
        name = _unquote(name.strip())
        if not name or name.startswith(OWN_PREFIX):
            return
        if name.endswith("_FILE") and len(name) > len("_FILE"):
            self.uses.append(KeyUse(name[: -len("_FILE")], self.path, number, "file"))
        else:
            self.uses.append(KeyUse(name, self.path, number, "environment"))

    def _secret_field(self, key: str, value: str, number: int) -> None:
        if key in ("source", "target") and value:
            self.secret[key] = _unquote(value)
            self.secret_line = self.secret_line or number

    def _end_secret(self) -> None:
        name = self.secret.get("target") or self.secret.get("source")
        if name:
            file_name = name.rstrip("/").rsplit("/", 1)[-1]
            key = self.key_for(file_name)
            self.uses.append(KeyUse(key, self.path, self.secret_line, "secret"))
        self.secret = {}
        self.secret_line = 0


def key_uses(
    text: str, path: str, key_for: Callable[[str], str] = key_for_file_name
) -> list[KeyUse]:
    """Every key `text` (a compose file called `path`) uses, in file order.

    `key_for` maps a secret's file name to its key; the manifest's `@file`
    names go first, then the entrypoint's own rule.
    """
    reader = _Reader(path, key_for)
    for line in _lines(text):
        reader.feed(line)
    reader.finish()
    # A long-syntax secret is complete only at the next item, so sort.
    return sorted(reader.uses, key=lambda use: use.line)


def _lines(text: str) -> Iterator[_Line]:
    for number, raw in enumerate(text.splitlines(), start=1):
        content = _without_comment(raw).rstrip()
        if content.strip() and content.strip() not in ("---", "..."):
            indent = len(content) - len(content.lstrip(" "))
            yield _Line(number, indent, content.strip())


def _without_comment(raw: str) -> str:
    quote = ""
    for index, char in enumerate(raw):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#" and (index == 0 or raw[index - 1] in " \t"):
            return raw[:index]
    return raw


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text
