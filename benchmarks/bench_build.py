"""Build time and peak memory of the offline build from ../shared/data.

Runs `boligmonitor prepare-input` and `boligmonitor build` in fresh processes (so peak memory is per
process), a few times each, and prints medians. Targets (issue 2): build under 30 s, under 1 GB.

    uv run python benchmarks/bench_build.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BOLIGMONITOR_SHARED_DATA", REPO.parent / "shared" / "data"))


def run_measured(arguments: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MiB) of one child process."""
    code = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
        "seconds = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(seconds, peak)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *arguments], check=True, capture_output=True, text=True, env=env
    )
    seconds, peak = result.stdout.split()
    return float(seconds), float(peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cli = str(Path(sys.executable).parent / "boligmonitor")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = dict(os.environ, BOLIGMONITOR_DATABASE_URL=f"sqlite:///{work / 'bench.sqlite'}")
        prepare = [cli, "prepare-input", "--shared", str(SHARED), "--out", str(work / "input")]
        build = [cli, "build", "--from", str(work / "input")]
        results: dict[str, list[tuple[float, float]]] = {"prepare-input": [], "build": []}
        for _ in range(args.repeats):
            results["prepare-input"].append(run_measured(prepare, env))
            results["build"].append(run_measured(build, env))
        size = (work / "bench.sqlite").stat().st_size / 2**20
    print(f"offline build from {SHARED} ({args.repeats} runs each; {os.cpu_count()} cores)")
    for step, runs in results.items():
        seconds = statistics.median(s for s, _ in runs)
        peak = statistics.median(m for _, m in runs)
        print(f"  {step:14s} median {seconds:6.2f} s   peak memory median {peak:7.1f} MiB")
    total = sum(statistics.median(s for s, _ in runs) for runs in results.values())
    print(f"  total          median {total:6.2f} s   (target < 30 s; ratio to target {total / 30:.2f})")
    print(f"  database size  {size:.1f} MiB")


if __name__ == "__main__":
    main()
