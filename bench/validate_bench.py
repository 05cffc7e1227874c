"""Known-value search against detect-secrets, on a tree with planted secrets.

    python bench/validate_bench.py [--files 1000] [--secrets 100] [--seed 7]
                                   [--no-detect-secrets] [--out FILE]

Builds a temporary tree of text files, logs, UTF-16 files and archives, and
plants each random secret (`secrets.token_urlsafe`) once: on a line of its
own, in an assignment, a URL, a JSON document, an `Authorization: Basic`
header, base64url, hex, UTF-16 or inside a .gz, .zip or .tar.gz. The secrets
themselves live outside the tree, in a secrets folder, as in a project.

`secretsctl validate --only known-values` must find every planted secret at
its path and line, and nothing else; the script exits 1 otherwise. The same
tree is then given to `detect-secrets scan` when it is installed (a dev-only
dependency), to show what a pattern-and-entropy scanner finds of the same
secrets. Results: a table on stdout and JSON in bench/results/validate.json.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import io
import json
import platform
import random
import secrets
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass, field, replace
from importlib.util import find_spec
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
Location = tuple[str, int]

STYLES = (
    "own-line",
    "assignment",
    "url",
    "json",
    "basic-auth",
    "base64url",
    "hex",
    "utf-16",
    "gzip",
    "zip",
    "tar.gz",
)
VOCABULARY = (
    "request handled user session cache miss retry backend worker queue timeout "
    "config loaded migration applied health ok started stopped connection pool "
    "metrics export debug info warning error"
)
WORDS = VOCABULARY.split()


@dataclass(frozen=True)
class Planted:
    """One secret: its key, and the path and line it was written at."""

    key: str
    style: str
    path: str
    line: int


@dataclass
class Run:
    """One tool's result on the tree."""

    tool: str
    seconds: float
    found: int
    false_findings: int
    note: str = ""
    found_by_style: dict[str, int] = field(default_factory=dict)


def main() -> int:
    options = parse_arguments()
    chooser = random.Random(options.seed)
    work = Path(tempfile.mkdtemp(prefix="validate-bench-"))
    try:
        tree, folder = work / "tree", work / "secrets"
        values = {
            f"BENCH_SECRET_{n:04d}": _value(chooser) for n in range(options.secrets)
        }
        _write_secrets(folder, values)
        planted = build_tree(tree, values, options.files, chooser)
        options.bytes = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file())
        runs = [run_validate(tree, folder, planted)]
        runs.extend(run_in_process(tree, folder, planted))
        if not options.no_detect_secrets and find_spec("detect_secrets") is not None:
            runs.append(run_detect_secrets(tree, planted))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print_table(runs, options)
    write_json(runs, planted, options)
    complete = all(
        run.found == len(planted) and run.false_findings == 0
        for run in runs
        if run.tool.startswith("secretsctl")
    )
    return 0 if complete else 1


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--secrets", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-detect-secrets", action="store_true")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "validate.json")
    options = parser.parse_args()
    if options.secrets > options.files:
        parser.error("--secrets must not exceed --files")
    return options


def _value(chooser: random.Random) -> str:
    # Lengths from 8 to 43 characters; the content comes from `secrets`.
    return secrets.token_urlsafe(chooser.randint(6, 32))


def _write_secrets(folder: Path, values: dict[str, str]) -> None:
    folder.mkdir(mode=0o700)
    for key, value in values.items():
        path = folder / key.lower()
        path.write_text(value + "\n", encoding="utf-8")
        path.chmod(0o600)


def filler(chooser: random.Random) -> str:
    """A log- or config-like line: words, numbers, ids, digests."""
    parts = chooser.choices(WORDS, k=chooser.randint(3, 9))
    extra = chooser.choice(
        (
            f"id={chooser.getrandbits(64):016x}",
            f"sha256={chooser.getrandbits(256):064x}",
            f"elapsed={chooser.random() * 100:.3f}ms",
            f"user_{chooser.randint(1, 9999)}",
            "",
        )
    )
    return " ".join([*parts, extra]).strip()


def planted_line(style: str, value: str) -> str:
    """The text a secret is written as, for the text styles."""
    raw = value.encode()
    lines = {
        "own-line": value,
        "assignment": f'password = "{value}"',
        "url": f"DATABASE_URL=postgresql://app:{value}@db:5432/app",
        "json": json.dumps({"event": "login", "token": value}),
        "basic-auth": "Authorization: Basic "
        + base64.b64encode(b"user:" + raw).decode(),
        "base64url": "cookie=" + base64.urlsafe_b64encode(b"tok:" + raw).decode(),
        "hex": f"dump {raw.hex()} end",
    }
    return lines.get(style, value)


def build_tree(
    tree: Path, values: dict[str, str], count: int, chooser: random.Random
) -> list[Planted]:
    """`count` files, each secret planted once in a file of its own style."""
    keys = list(values)
    hosts = chooser.sample(range(count), len(keys))
    style_of = {host: STYLES[index % len(STYLES)] for index, host in enumerate(hosts)}
    key_of = dict(zip(hosts, keys, strict=True))
    planted: list[Planted] = []
    for number in range(count):
        style = style_of.get(number, "")
        key = key_of.get(number)
        lines = [filler(chooser) for _ in range(chooser.randint(20, 80))]
        at = chooser.randrange(len(lines))
        if key is not None:
            lines[at] = planted_line(style, values[key])
        label = write_file(tree, number, style, "\n".join(lines) + "\n")
        if key is not None:
            planted.append(Planted(key, style, label, at + 1))
    return planted


def write_file(tree: Path, number: int, style: str, text: str) -> str:
    """Write one file as its style wants it; return the label of its text."""
    folder = tree / f"part{number % 10}"
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"file{number:04d}"
    data = text.encode()
    if style == "utf-16":
        (folder / f"{stem}.txt").write_bytes(text.encode("utf-16-le"))
        return f"{folder.name}/{stem}.txt"
    if style == "gzip":
        (folder / f"{stem}.log.gz").write_bytes(gzip.compress(data))
        return f"{folder.name}/{stem}.log.gz!{stem}.log"
    if style == "zip":
        (folder / f"{stem}.zip").write_bytes(
            _zip({"readme.txt": b"hi\n", "app.log": data})
        )
        return f"{folder.name}/{stem}.zip!app.log"
    if style == "tar.gz":
        tar = _tar({"backup/notes.txt": b"notes\n", "backup/db.sql": data})
        (folder / f"{stem}.tar.gz").write_bytes(gzip.compress(tar))
        return f"{folder.name}/{stem}.tar.gz!backup/db.sql"
    suffix = (".py", ".md", ".log", ".yml", ".txt")[number % 5]
    (folder / f"{stem}{suffix}").write_bytes(data)
    return f"{folder.name}/{stem}{suffix}"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _tar(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def score(found: set[tuple[str, int, str]], planted: list[Planted]) -> tuple[int, int]:
    """(planted secrets found at their place under their key, other findings)."""
    expected = {(item.path, item.line, item.key) for item in planted}
    return len(found & expected), len(found - expected)


def run_validate(tree: Path, folder: Path, planted: list[Planted]) -> Run:
    """The installed command, end to end, as a person or CI would run it."""
    argv = [
        str(BIN / "secretsctl"),
        "validate",
        str(tree),
        "--project",
        str(tree),
        "--secrets-dir",
        str(folder),
        "--only",
        "known-values",
        "--format",
        "json",
    ]
    start = time.perf_counter()
    completed = subprocess.run(argv, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if completed.returncode not in (0, 1):
        sys.exit(
            f"secretsctl validate failed ({completed.returncode}): {completed.stderr}"
        )
    findings = json.loads(completed.stdout)["findings"]
    found = {(f["path"], f["line"], f["rule"].split(":", 1)[1]) for f in findings}
    hits, false = score(found, planted)
    backend = "aho-corasick" if find_spec("ahocorasick") is not None else "regex"
    return Run(f"secretsctl validate ({backend})", seconds, hits, false)


def run_in_process(tree: Path, folder: Path, planted: list[Planted]) -> list[Run]:
    """The search alone, once per backend available, without start-up costs."""
    from secretsctl.validate import files, known, scan, search  # noqa: PLC0415

    values = known.gather([folder], [], None).values
    targets = [
        replace(target, patterns=False)
        for target in files.select(files.Selection(tree, paths=(tree,)))
    ]
    backends = [search.REGEX]
    if search.default_backend() == search.AHO_CORASICK:
        backends.append(search.AHO_CORASICK)
    runs = []
    for backend in backends:
        start = time.perf_counter()
        scanner = scan.Scanner(values, backend=backend)
        result = scan.scan_targets(scanner, targets, tree)
        seconds = time.perf_counter() - start
        found = {(f.path, f.line, f.rule.split(":", 1)[1]) for f in result.findings}
        hits, false = score(found, planted)
        runs.append(Run(f"secretsctl search ({backend})", seconds, hits, false))
    return runs


def run_detect_secrets(tree: Path, planted: list[Planted]) -> Run:
    """detect-secrets with its default plugins over every file of the tree."""
    argv = [str(BIN / "detect-secrets"), "scan", "--all-files", "."]
    start = time.perf_counter()
    completed = subprocess.run(
        argv, cwd=tree, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    if completed.returncode != 0:
        sys.exit(f"detect-secrets failed ({completed.returncode}): {completed.stderr}")
    results = json.loads(completed.stdout)["results"]
    places = {
        (path, item["line_number"]) for path, items in results.items() for item in items
    }
    expected = {(item.path, item.line) for item in planted}
    hits = len(places & expected)
    by_style: dict[str, int] = {}
    for item in planted:
        if (item.path, item.line) in places:
            by_style[item.style] = by_style.get(item.style, 0) + 1
    note = "by place, not key; " + ", ".join(f"{k} {v}" for k, v in by_style.items())
    run = Run("detect-secrets scan", seconds, hits, len(places - expected), note)
    run.found_by_style = by_style
    return run


def print_table(runs: list[Run], options: argparse.Namespace) -> None:
    size = options.bytes / 2**20
    print(f"{options.files} files ({size:.1f} MiB), {options.secrets} planted secrets")
    header = f"{'tool':<34} {'found':>9} {'false':>6} {'seconds':>8}"
    print(header)
    print("-" * len(header))
    for run in runs:
        found = f"{run.found}/{options.secrets}"
        print(
            f"{run.tool:<34} {found:>9} {run.false_findings:>6} {run.seconds:>8.2f}"
            + (f"  ({run.note})" if run.note else "")
        )


def write_json(
    runs: list[Run], planted: list[Planted], options: argparse.Namespace
) -> None:
    styles = sorted({item.style for item in planted})
    document = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "files": options.files,
        "bytes": options.bytes,
        "secrets": options.secrets,
        "seed": options.seed,
        "styles": {
            style: sum(item.style == style for item in planted) for style in styles
        },
        "runs": [asdict(run) for run in runs],
    }
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
