"""`secretsctl validate`: check a project for leaked secrets before it ships.

Exit 0 when clean, 1 with findings, 2 when validation itself cannot run.
Findings go to stdout in the chosen format; warnings (an archive that cannot
be opened, a secret file that cannot be read) go to stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from entrypoint.errors import EntrypointError
from entrypoint.manifest import Manifest, load
from secretsctl.options import DEVELOPMENT_FOLDER
from secretsctl.validate import allowlist, examples, files, known, permissions
from secretsctl.validate.errors import EXIT_CLEAN, EXIT_FINDINGS, ValidateError
from secretsctl.validate.findings import (
    CHECKS,
    EXAMPLES,
    KNOWN_VALUES,
    PATTERNS,
    PERMISSIONS,
    Finding,
)
from secretsctl.validate.report import FORMATS, TEXT, Report, render
from secretsctl.validate.scan import Scanner, scan_targets, unique

HELP = "search the project for committed and leaked secrets; check example files"
DEVELOPMENT_SECRETS = DEVELOPMENT_FOLDER


@dataclass(frozen=True)
class Options:
    """The command line, with every default resolved against the project."""

    project: Path
    paths: tuple[Path, ...]
    manifest: Path
    manifest_given: bool
    env_files: list[Path]
    secrets_dirs: list[Path]
    allowlist: Path
    form: str
    checks: frozenset[str]
    ignored: bool
    fix: bool


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or folders to search instead of git's tracked and staged files",
    )
    parser.add_argument(
        "--project",
        type=Path,
        default=Path("."),
        help="the project folder (default: the current folder)",
    )
    parser.add_argument(
        "--manifest", type=Path, help="the manifest (default: PROJECT/secrets.example)"
    )
    parser.add_argument(
        "--env-file",
        type=Path,
        action="append",
        help="a .env holding real values (default: PROJECT/.env when present); "
        "may be repeated",
    )
    parser.add_argument(
        "--secrets-dir",
        type=Path,
        action="append",
        help="a folder of secret files (default: PROJECT/config/secrets/development "
        "when present); may be repeated",
    )
    parser.add_argument(
        "--allowlist",
        type=Path,
        help="accepted fingerprints (default: PROJECT/.secretsctl-allow)",
    )
    parser.add_argument("--format", choices=FORMATS, default=TEXT, dest="form")
    parser.add_argument(
        "--only",
        choices=CHECKS,
        action="append",
        help="run only this check; may be repeated (default: all)",
    )
    parser.add_argument(
        "--no-ignored",
        dest="ignored",
        action="store_false",
        help="do not search logs/, backups/ and shell histories for known values",
    )
    parser.add_argument(
        "--fix", action="store_true", help="set the expected modes on secret files"
    )


def run(arguments: argparse.Namespace) -> int:
    """Run the selected checks and print the report; return the exit code."""
    options = resolve(arguments)
    manifest = _manifest(options)
    report = Report(allowlist=files.label(options.allowlist, options.project))

    found = _run_checks(options, manifest, report)

    accepted = allowlist.split(unique(found), allowlist.load(options.allowlist))
    report.findings, report.allowed = accepted.kept, accepted.allowed
    report.notes.extend(
        f"{report.allowlist}: {entry} matches no finding; remove it"
        for entry in accepted.unused
    )
    _print(report, options.form)
    return EXIT_FINDINGS if report.findings else EXIT_CLEAN


def _run_checks(
    options: Options, manifest: Manifest | None, report: Report
) -> list[Finding]:
    """Every selected check's findings; fixes and warnings go to `report`."""
    found: list[Finding] = []
    if EXAMPLES in options.checks:
        found.extend(examples.check(_examples(options), manifest))
    if PERMISSIONS in options.checks:
        expected = permissions.expectations(options.env_files, options.secrets_dirs)
        result = permissions.check(expected, options.project, options.fix)
        found.extend(result.findings)
        report.fixed = result.fixed
    targets = _targets(options)
    if targets:
        values = known.gather(options.secrets_dirs, options.env_files, manifest)
        report.notes.extend(values.problems)
        scanned = scan_targets(Scanner(values.values), targets, options.project)
        found.extend(scanned.findings)
        report.files = scanned.files
        report.notes.extend(scanned.notes)
    return found


def resolve(arguments: argparse.Namespace) -> Options:
    """Fill in the defaults that depend on the project folder."""
    project: Path = arguments.project
    if not project.is_dir():
        raise ValidateError(
            f"project folder {project} does not exist",
            hint="point --project at the folder holding secrets.example",
        )
    env_files = arguments.env_file or _present(project / ".env")
    secrets_dirs = arguments.secrets_dir or _present(project / DEVELOPMENT_SECRETS)
    return Options(
        project=project,
        paths=tuple(arguments.paths),
        manifest=arguments.manifest or project / examples.MANIFEST,
        manifest_given=arguments.manifest is not None,
        env_files=list(env_files),
        secrets_dirs=list(secrets_dirs),
        allowlist=arguments.allowlist or project / allowlist.ALLOWLIST,
        form=arguments.form,
        checks=frozenset(arguments.only or CHECKS),
        ignored=arguments.ignored,
        fix=arguments.fix,
    )


def _present(path: Path) -> list[Path]:
    return [path] if path.exists() else []


def _manifest(options: Options) -> Manifest | None:
    """The parsed manifest; None when the default one is absent (a finding)."""
    if not options.manifest.exists():
        if not options.manifest_given:
            return None
        raise ValidateError(
            f"manifest {options.manifest} does not exist",
            hint="point --manifest at the project's secrets.example",
        )
    try:
        return load(options.manifest)
    except EntrypointError as error:
        raise ValidateError(error.message, hint=error.hint) from None


def _examples(options: Options) -> examples.Examples:
    return examples.Examples(options.project, options.manifest)


def _targets(options: Options) -> list[files.Target]:
    """The files to search, each with the searches the selected checks need.

    Example files get both searches whenever the examples check runs: holding
    only placeholders is part of what makes an example file right.
    """
    targets: list[files.Target] = []
    if options.checks & {PATTERNS, KNOWN_VALUES}:
        selection = files.Selection(
            project=options.project,
            paths=options.paths,
            ignored=options.ignored,
            exclude=_value_sources(options),
            home=_home(),
        )
        targets = [
            replace(
                target,
                patterns=target.patterns and PATTERNS in options.checks,
                known_values=KNOWN_VALUES in options.checks,
            )
            for target in files.select(selection)
        ]
    if EXAMPLES in options.checks:
        for path in _examples(options).paths():
            name = files.label(path, options.project)
            if not any(target.label == name for target in targets):
                targets.append(files.Target(name, path))
            targets = [
                replace(target, patterns=True, known_values=True)
                if target.label == name
                else target
                for target in targets
            ]
    return targets


def _value_sources(options: Options) -> frozenset[Path]:
    """The files real values live in: searching them would only find those."""
    sources = set(options.env_files)
    for directory in options.secrets_dirs:
        if directory.is_dir():
            sources.update(path for path in directory.iterdir() if path.is_file())
    return frozenset(sources)


def _home() -> Path | None:
    home = os.environ.get("HOME")
    return Path(home) if home else None


def _print(report: Report, form: str) -> None:
    for note in report.notes:
        sys.stderr.write(f"secretsctl validate: warning: {note}\n")
    sys.stdout.write(render(report, form))
