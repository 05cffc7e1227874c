"""The `entrypoint` command: resolve, write, drop, exec.

Data flows one way: settings in, values resolved, file written, privileges
dropped, command started. Every failure is an EntrypointError caught once in
`main`, logged with its hint, and turned into its exit code before anything
was started.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from entrypoint import __version__, envfile, privileges, process
from entrypoint.errors import EX_CONFIG, EX_OK, EntrypointError, UsageError
from entrypoint.manifest import load
from entrypoint.resolve import Resolution, resolve
from entrypoint.settings import USAGE, Settings, default_format, parse


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point; returns an exit code unless it execs."""
    environ = dict(os.environ)
    try:
        settings = parse(sys.argv[1:] if argv is None else argv, environ)
    except UsageError as error:
        # The log settings may be what is wrong: report in the default format.
        from entrypoint.log import configure, failed  # noqa: PLC0415

        return failed(configure("info", default_format()), error)
    if settings.help:
        sys.stdout.write(USAGE)
        return EX_OK
    if settings.version:
        sys.stdout.write(f"entrypoint {__version__}\n")
        return EX_OK

    # Imported after the cheap paths so that --help and --version stay instant.
    from entrypoint.log import configure, failed  # noqa: PLC0415

    log = configure(settings.log_level, settings.log_format)
    try:
        if settings.check:
            return check(settings, environ, log)
        return start(settings, environ, log)
    except EntrypointError as error:
        log.debug("entrypoint.traceback", exc_info=True)
        return failed(log, error)


def gather(settings: Settings, environ: dict[str, str], log: Any) -> Resolution:
    """Load the manifest and resolve every key, logging what was skipped."""
    manifest = load(settings.manifest) if settings.manifest else None
    resolution = resolve(manifest, settings.secrets_dir, environ)
    if resolution.undeclared:
        log.warning(
            "secrets.undeclared",
            files=resolution.undeclared,
            hint="declare them in the manifest to pass them to the app",
        )
    for key in resolution.shadowed:
        log.warning("secrets.shadowed", key=key, winner="secrets-dir")
    return resolution


def check(
    settings: Settings, environ: dict[str, str], log: Any, *, identity: bool = True
) -> int:
    """Print each key's source and status; exit 0 when all is well, else 78.

    With `identity`, the user to drop to is checked too, as a start would.
    """
    resolution = gather(settings, environ, log)
    if identity:
        try:
            privileges.choose(settings.user, allow_root=settings.allow_root)
        except EntrypointError as error:
            resolution.problems.append(error.message)

    sys.stdout.write(format_table(resolution))
    for problem in resolution.problems:
        sys.stdout.write(f"problem: {problem}\n")
    return EX_CONFIG if resolution.problems else EX_OK


def format_table(resolution: Resolution) -> str:
    """KEY, SOURCE, STATUS columns; values are never part of a status."""
    rows = [("KEY", "SOURCE", "STATUS")]
    rows += [(row.key, row.source, row.state) for row in resolution.statuses]
    widths = [max(len(row[column]) for row in rows) for column in range(2)]
    return "".join(
        f"{key:<{widths[0]}}  {source:<{widths[1]}}  {state}\n"
        for key, source, state in rows
    )


def start(settings: Settings, environ: dict[str, str], log: Any) -> int:
    """Resolve, write the .env, drop privileges and run the command.

    In exec mode this never returns; in init mode it returns the exit code
    the supervisor decided on.
    """
    if not settings.command:
        raise UsageError(
            "no command to run",
            hint="give the server command after the options, or set CMD in the "
            "Dockerfile",
        )
    if settings.init:
        return _supervise(settings, environ, log)
    launch = _prepare(settings, environ, log)

    privileges.become(launch.target, log)
    log.info("command.exec", program=settings.command[0], path=launch.path)
    try:
        process.execute(launch.path, launch.argv, launch.env)
    except EntrypointError:
        envfile.remove(settings.env_file)
        raise
    return EX_OK  # pragma: no cover - execve does not return


def _prepare(settings: Settings, environ: dict[str, str], log: Any) -> process.Launch:
    """Everything up to the start; the resolved values die with this frame."""
    path = process.find(settings.command[0], environ.get("PATH"))
    resolution, target = _resolve_and_write(settings, environ, log)
    child_env = _child_environment(settings, environ, resolution, target)
    return process.Launch(path, list(settings.command), child_env, target)


def _resolve_and_write(
    settings: Settings, environ: dict[str, str], log: Any
) -> tuple[Resolution, privileges.Target | None]:
    """Resolve, decide who will read the file, and write it; or raise."""
    resolution = gather(settings, environ, log)
    resolution.raise_for_problems()
    target = privileges.choose(settings.user, allow_root=settings.allow_root)
    owner = envfile.Owner(target.uid, target.gid) if target else envfile.Owner()
    texts = {key: value.text for key, value in resolution.values.items()}
    envfile.write(settings.env_file, envfile.serialise(texts), owner)
    log.info(
        "secrets.resolved",
        count=len(texts),
        sources={key: value.source for key, value in resolution.values.items()},
        env_file=settings.env_file,
    )
    return resolution, target


def _supervise(settings: Settings, environ: dict[str, str], log: Any) -> int:
    """Init mode: the child resolves and execs; the .env goes when it exits."""
    from entrypoint import supervisor  # noqa: PLC0415 - exec mode never needs it
    from entrypoint.watch import Watcher  # noqa: PLC0415

    watcher = None
    if settings.supervision.watch:
        watcher = Watcher(
            settings.secrets_dir, lambda: _rewrite(settings, environ, log)
        )

    def forget() -> None:
        # Nothing will be resolved here again: keep no values given as
        # variables in this long-lived process, not even in /proc/PID/environ.
        environ.clear()
        process.scrub_environment()

    try:
        return supervisor.run(
            lambda: _prepare(settings, environ, log),
            settings.supervision,
            log,
            watcher,
            forget=(lambda: None) if watcher else forget,
        )
    finally:
        if envfile.remove(settings.env_file):
            log.info("envfile.removed", env_file=settings.env_file)


def _rewrite(settings: Settings, environ: dict[str, str], log: Any) -> bool:
    """Resolve again in a short-lived child; the old file stays on any error."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            _resolve_and_write(settings, environ, log)
            code = 0
        except EntrypointError as error:
            log.warning("secrets.reload_failed", error=error.message, kept="old .env")
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def _child_environment(
    settings: Settings,
    environ: dict[str, str],
    resolution: Resolution,
    target: privileges.Target | None,
) -> dict[str, str]:
    remove: list[str] = []
    if not settings.keep_env:
        remove += [key for key in environ if key.startswith("ENTRYPOINT_")]
        remove += resolution.consumed_variables
        remove += resolution.secret_keys
        remove += resolution.manifest_secret_keys
    add = {"ENV_FILE": settings.env_file}
    if target is not None:
        remove += privileges.IDENTITY_VARIABLES
        add.update(privileges.child_identity(target))
    if settings.export:
        add.update({key: value.text for key, value in resolution.values.items()})
    return process.child_environment(environ, remove=remove, add=add)
