"""Side-by-side start-up benchmark: the entrypoint against what users would use.

    python bench/startup.py [--sizes 1,20,200,2000] [--rounds 15]
                            [--no-container] [--no-app] [--out FILE]

Run as root (the commands drop to `nobody`). Commands alternate within each
round, so a noisy neighbour slows all of them alike; ratios are taken pair by
pair within a round, then summarised, because absolute times on shared
machines do not compare across runs while ratios do.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from timing import alternate, ratio, spread
from workload import entrypoint_argv, plant

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
Command = list[str]


def main() -> int:
    options = parse_arguments()
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        python = options.python or sys.executable
        entrypoint = install_entrypoint(python, work / "venv")
        report = {
            "machine": {**machine(), "entrypoint_python": _version_of(python)},
            "process": [
                process_level(work, entrypoint, python, size, options.rounds)
                for size in options.sizes
            ],
            "memory": memory(work, entrypoint, min(options.sizes)),
        }
        if not options.no_app:
            from app_side import app_side  # noqa: PLC0415 - needs pydantic

            report["app"] = [
                app_side(work, entrypoint, size, options.rounds)
                for size in options.sizes
            ]
        if not options.no_container:
            from container import container_level  # noqa: PLC0415 - needs docker

            report["container"] = container_level(ROOT, options.rounds)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(report, indent=2) + "\n")
    print(render(report))
    print(f"\nwritten to {options.out}")
    return 0


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(word) for word in text.split(",")],
        default=[1, 20, 200, 2000],
    )
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--no-container", action="store_true")
    parser.add_argument("--no-app", action="store_true")
    parser.add_argument(
        "--python",
        default="/usr/bin/python3" if Path("/usr/bin/python3").exists() else None,
        help="interpreter for the entrypoint's venv and the Python floor "
        "(default: Debian's, as in the image; else this one)",
    )
    parser.add_argument("--out", type=Path, default=HERE / "results" / "startup.json")
    return parser.parse_args()


def install_entrypoint(python: str, venv: Path) -> Path:
    """A plain (not editable) install, as an image would have it."""
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", str(ROOT)],
        check=True,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    return venv / "bin" / "entrypoint"


def machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "kernel": platform.release(),
        "cpus": os.cpu_count(),
        "cpu": _cpu_model(),
        "date": time.strftime("%Y-%m-%d"),
    }


def _version_of(python: str) -> str:
    return subprocess.run(
        [python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()


def process_level(
    work: Path, entrypoint: Path, python: str, size: int, rounds: int
) -> dict[str, Any]:
    """Each command ends by exec'ing /bin/true as nobody (tini: as its child)."""
    workload = plant(work, size)
    keys = workload.keys
    env_file = work / f"run-{size}" / "ep.env"
    file_env = {f"{key}_FILE": str(workload.directory / key.lower()) for key in keys}
    commands: dict[str, tuple[Command, dict[str, str]]] = {
        "entrypoint": (
            entrypoint_argv(entrypoint, workload, env_file, "--user", "nobody"),
            {},
        ),
        "shell+gosu": (
            [
                "bash",
                str(HERE / "shell_pattern.sh"),
                str(work / f"sh-{size}.env"),
                *keys,
                "--",
                "/bin/true",
            ],
            file_env,
        ),
        "tini+gosu": (["tini", "--", "gosu", "nobody", "/bin/true"], {}),
        "python -I": ([python, "-I", "-c", "pass"], {}),
        "python -I -S": ([python, "-I", "-S", "-c", "pass"], {}),
    }
    samples = measure(commands, rounds)
    peaks = {name: peak_memory(*command) for name, command in commands.items()}
    return {"size": size, **summarise(samples, peaks, "entrypoint")}


BASE_ENV = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8"}


def measure(
    commands: dict[str, tuple[Command, dict[str, str]]], rounds: int
) -> dict[str, list[float]]:
    """Milliseconds per run of every command, rounds alternating."""

    def runner(argv: Command, extra: dict[str, str]) -> Callable[[], float]:
        return lambda: run_once(argv, extra, BASE_ENV) * 1000

    return alternate(
        {name: runner(*command) for name, command in commands.items()},
        rounds,
    )


def run_once(argv: Command, extra: dict[str, str], base: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        argv,
        env={**base, **extra},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        error = done.stderr.decode(errors="replace")[-500:]
        raise SystemExit(f"{argv[0]} failed ({done.returncode}): {error}")
    return elapsed


def peak_memory(argv: Command, extra: dict[str, str]) -> int:
    """Peak resident KiB over the whole exec chain, as GNU time reports it.

    Measured apart from the timings: a fork of this benchmark would count
    its own memory as the child's.
    """
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *argv],
        env={**BASE_ENV, **extra},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=True,
    )
    return int(done.stderr.decode().strip().splitlines()[-1])


def summarise(
    samples: dict[str, list[float]], peaks: dict[str, int], reference: str
) -> dict[str, dict[str, dict[str, float]]]:
    """Spread in ms, peak memory, and the pairwise ratio of `reference` to each."""
    return {
        "commands": {
            name: {
                **spread(runs),
                "peak_rss_kib": peaks[name],
                "entrypoint_over_this": ratio(samples[reference], runs),
            }
            for name, runs in samples.items()
        }
    }


def memory(work: Path, entrypoint: Path, size: int) -> dict[str, int]:
    """Resident memory of `entrypoint --init` while its child sleeps."""
    del size
    target = work / "init"
    target.mkdir()
    child = subprocess.Popen(
        [
            str(entrypoint),
            "--init",
            "--allow-root",
            "--env-file",
            str(target / ".env"),
            "--secrets-dir",
            str(target),
            "--",
            "sleep",
            "2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1)
    status = Path(f"/proc/{child.pid}/status").read_text()
    child.wait(timeout=10)
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return {
        "init_rss_kib": int(fields["VmRSS"].split()[0]),
        "init_hwm_kib": int(fields["VmHWM"].split()[0]),
    }


def render(report: dict[str, Any]) -> str:
    lines = [f"machine: {report['machine']}", ""]
    lines.append(
        f"{'N':>5}  {'command':<12} {'median ms':>10} {'min':>8} {'max':>8} "
        f"{'peak KiB':>9} {'entrypoint/this':>16}"
    )
    for block in report["process"]:
        for name, row in block["commands"].items():
            lines.append(
                f"{block['size']:>5}  {name:<12} {row['median_ms']:>10.2f} "
                f"{row['min_ms']:>8.2f} {row['max_ms']:>8.2f} "
                f"{row['peak_rss_kib']:>9} {row['entrypoint_over_this']:>16.3f}"
            )
    lines.append(f"\nentrypoint --init resident: {report['memory']}")
    for key in ("app", "container"):
        if key in report:
            lines.append(f"\n{key}: {json.dumps(report[key], indent=1)}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
