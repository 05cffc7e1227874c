"""Recipes: how `secretsctl generate` makes a development value for a key.

Every recipe draws from the `secrets` module, the operating system's CSPRNG,
and yields text that needs no quoting in a URL, a dotenv file or a shell. Sizes
have a floor of 128 bits of entropy, so a value is never guessable and its
fingerprint (see `secretsctl.swarm.naming`) reveals nothing usable.
"""

from __future__ import annotations

import base64
import secrets
import string
from dataclasses import dataclass

from entrypoint.errors import ConfigError, UsageError
from entrypoint.manifest import Entry

URL_SAFE_ALPHABET = string.ascii_letters + string.digits + "-_"
# A person types the admin password at a login form: leave out the characters
# that look alike in many fonts.
READABLE_ALPHABET = "".join(
    char for char in string.ascii_letters + string.digits if char not in "0O1lI"
)
BCRYPT_MAX_BYTES = 72
DEFAULT_PASSWORD_LENGTH = 32
MIN_PASSWORD_LENGTH = 22  # 22 characters of a 64-letter alphabet: 132 bits
MIN_BYTES = 16
MAX_SIZE = 1024
ADMIN_GROUPS = 4
ADMIN_GROUP_LENGTH = 6
FERNET_KEY_BYTES = 32

SIZED = ("password", "token", "hex")
UNSIZED = ("password", "fernet", "admin-password")
SYNTAX = "password, password:LENGTH, token:BYTES, hex:BYTES, fernet or admin-password"


@dataclass(frozen=True)
class Recipe:
    """A parsed `@generate=` annotation: the recipe's name and its size, if any."""

    name: str
    size: int | None = None

    def __str__(self) -> str:
        return self.name if self.size is None else f"{self.name}:{self.size}"


def recipe_for(entry: Entry) -> Recipe:
    """The recipe of a manifest entry; an error names the key when it is bad."""
    if entry.generate is None:
        raise ConfigError(
            f"{entry.key} (manifest line {entry.line}) has no @generate recipe",
            hint=f"annotate it with @generate=RECIPE ({SYNTAX}), or pass the "
            "value on stdin with --from-stdin",
        )
    return parse(entry.generate, f"{entry.key} (manifest line {entry.line})")


def parse(text: str, where: str) -> Recipe:
    """Parse `name` or `name:size`; `where` names the key in errors."""
    name, separator, size_text = text.partition(":")
    if not separator and name in UNSIZED:
        return Recipe(name)
    if not separator and name in SIZED:
        raise ConfigError(
            f"{where}: recipe {text!r} needs a size",
            hint=f"write for example {name}:32",
        )
    if not separator or name not in SIZED:
        raise ConfigError(
            f"{where}: unknown recipe {text!r}",
            hint=f"use one of {SYNTAX}",
        )
    if not size_text.isdigit():
        raise ConfigError(
            f"{where}: recipe {text!r} needs a whole number after ':'",
            hint=f"write for example {name}:32",
        )
    recipe = Recipe(name, int(size_text))
    check_size(recipe, where)
    return recipe


def check_size(recipe: Recipe, where: str) -> None:
    """Refuse sizes too small to be unguessable, or absurdly large."""
    if recipe.size is None:
        return
    floor = MIN_PASSWORD_LENGTH if recipe.name == "password" else MIN_BYTES
    unit = "characters" if recipe.name == "password" else "bytes"
    if not floor <= recipe.size <= MAX_SIZE:
        raise ConfigError(
            f"{where}: recipe {recipe} asks for {recipe.size} {unit}",
            hint=f"use between {floor} and {MAX_SIZE} {unit}",
        )


def check_password_length(length: int) -> None:
    """Validate the --password-length option."""
    if not MIN_PASSWORD_LENGTH <= length <= MAX_SIZE:
        raise UsageError(
            f"--password-length {length} is out of range",
            hint=f"use between {MIN_PASSWORD_LENGTH} and {MAX_SIZE} characters",
        )


def make(recipe: Recipe, password_length: int = DEFAULT_PASSWORD_LENGTH) -> str:
    """A fresh random value for `recipe`."""
    if recipe.name == "password":
        return _password(recipe.size or password_length)
    if recipe.name == "token":
        return secrets.token_urlsafe(_size(recipe))
    if recipe.name == "hex":
        return secrets.token_hex(_size(recipe))
    if recipe.name == "fernet":
        return base64.urlsafe_b64encode(secrets.token_bytes(FERNET_KEY_BYTES)).decode()
    if recipe.name == "admin-password":
        return _admin_password()
    raise ConfigError(f"unknown recipe {recipe}", hint=f"use one of {SYNTAX}")


def _size(recipe: Recipe) -> int:
    if recipe.size is None:
        raise ConfigError(f"recipe {recipe} needs a size", hint=f"use one of {SYNTAX}")
    return recipe.size


def _password(length: int) -> str:
    return "".join(secrets.choice(URL_SAFE_ALPHABET) for _ in range(length))


def _admin_password() -> str:
    """Four dash-separated groups of six readable characters: about 140 bits.

    bcrypt ignores everything after 72 bytes, so a longer password would only
    look stronger than it is; this one is 27 ASCII bytes.
    """
    groups = (
        "".join(secrets.choice(READABLE_ALPHABET) for _ in range(ADMIN_GROUP_LENGTH))
        for _ in range(ADMIN_GROUPS)
    )
    return "-".join(groups)
