"""`secretsctl validate`: find secrets where they must not be, before they leave.

Five checks, one module each: pattern rules for well-known key formats
(`rules`), the project's own real values in every encoding (`known`,
`encodings`, `search`), example files that hold placeholders and list every
key (`examples`, `compose`), file modes (`permissions`), and allow-listing by
fingerprint (`allowlist`). `files` and `archives` decide what is read,
`scan` turns matches into findings, `report` prints them, `command` ties the
subcommand together.
"""
