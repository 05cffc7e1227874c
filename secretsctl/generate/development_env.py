"""The development .env: generated values plus the manifest's defaults.

It is built the way the entrypoint builds a container's .env, by resolving
the manifest against the development folder, so derived values such as
`DATABASE_URL` come out the same. The caller's environment is left out on
purpose: the file should not depend on what one shell happened to export.
"""

from __future__ import annotations

from pathlib import Path

from entrypoint import envfile
from entrypoint.errors import EnvFileError
from entrypoint.manifest import Manifest
from entrypoint.resolve import resolve


def write(path: Path, manifest: Manifest, folder: Path) -> int:
    """Write the .env at `path`, mode 0600, atomically; return its key count."""
    resolution = resolve(manifest, folder, environ={})
    resolution.raise_for_problems()
    values = {key: value.text for key, value in resolution.values.items()}
    try:
        envfile.write(path.absolute(), envfile.serialise(values), envfile.Owner())
    except EnvFileError as error:
        raise EnvFileError(
            error.message, hint="choose another place with --env PATH"
        ) from None
    return len(values)
