"""Time boligmonitor's JSON-stat reader against pyjstat, and check who keeps the status symbols.

    python benchmarks/bench_jsonstat.py [--repeats N]

Inputs: every real JSON-stat dataset in ../shared/data/api_fixtures (or $BOLIGMONITOR_SHARED_DATA) and one
*synthetic* cube of about 900 000 cells shaped like population by municipality × age × year (random
numbers, some cells marked confidential, missing or preliminary), written with ``write_jsonstat``. Both
readers get the same JSON text; pyjstat is timed as ``Dataset.read(text).write("dataframe")``. Prints
the median of N runs each and the ratio; the target is ≥ 5× faster.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyjstat import pyjstat

from boligmonitor.core.status import Status
from boligmonitor.sources.cube import Cube, Dimension, Unit
from boligmonitor.sources.readers.jsonstat import read_jsonstat, write_jsonstat

TARGET_SPEED_UP = 5.0


@dataclass(frozen=True)
class Result:
    name: str
    cells: int
    statuses: int
    ours_seconds: float
    pyjstat_seconds: float
    pyjstat_nan: int
    ours_missing: int
    symbols_on_numbers: int  # e.g. "*" preliminary: pyjstat shows a plain number, the mark is gone

    @property
    def ratio(self) -> float:
        return self.pyjstat_seconds / self.ours_seconds


def shared_data_dir() -> Path:
    configured = os.environ.get("BOLIGMONITOR_SHARED_DATA")
    return Path(configured) if configured else Path(__file__).resolve().parents[1].parent / "shared" / "data"


def real_inputs() -> list[tuple[str, str]]:
    inputs = []
    for path in sorted((shared_data_dir() / "api_fixtures").glob("*.json")):
        text = path.read_text(encoding="utf-8")
        document = json.loads(text)
        if isinstance(document, dict) and document.get("class") == "dataset":
            inputs.append((path.name, text))
    return inputs


def synthetic_population_text(seed: int = 20260425) -> str:
    """A synthetic cube: 357 municipalities × 106 ages × 1 contents × 24 years = 908 208 cells."""
    rng = random.Random(seed)
    municipalities = tuple(f"{i:04d}" for i in range(1, 358))
    ages = tuple(f"{age:03d}" for age in range(106))
    years = tuple(str(year) for year in range(2001, 2025))
    municipality_names = tuple(f"Synthetic municipality {code}" for code in municipalities)
    dimensions = (
        Dimension("Region", "region", municipalities, municipality_names, role="geo"),
        Dimension("Alder", "alder", ages, tuple(f"{int(a)} år" for a in ages)),
        Dimension("ContentsCode", "statistikkvariabel", ("Personer1",), ("Personer",), role="metric",
                  units={"Personer1": Unit("personer", 0)}),
        Dimension("Tid", "år", years, years, role="time"),
    )  # fmt: skip
    n_cells = math.prod(d.size for d in dimensions)
    values: list[float | None] = [rng.randrange(0, 4000) for _ in range(n_cells)]
    status: dict[int, Status] = {}
    for flat in rng.sample(range(n_cells), n_cells // 100):
        symbol = rng.choice([Status.CONFIDENTIAL, Status.MISSING, Status.PRELIMINARY])
        status[flat] = symbol
        if not symbol.has_value:
            values[flat] = None
    cube = Cube(dimensions, values, status, label="Synthetic population by municipality, age and year")
    return json.dumps(write_jsonstat(cube), ensure_ascii=False, separators=(",", ":"))


def median_seconds(run: Callable[[], Any], repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def read_with_pyjstat(text: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # pyjstat warns about its own internals
        return pyjstat.Dataset.read(text).write("dataframe")


def measure(name: str, text: str, repeats: int, pyjstat_repeats: int) -> Result:
    cube = read_jsonstat(text)
    frame = read_with_pyjstat(text)
    if "status" in frame.columns:
        raise SystemExit("pyjstat now returns status symbols: revisit this benchmark")
    return Result(
        name=name,
        cells=len(cube.values),
        statuses=len(cube.status),
        ours_seconds=median_seconds(lambda: read_jsonstat(text), repeats),
        pyjstat_seconds=median_seconds(lambda: read_with_pyjstat(text), pyjstat_repeats),
        pyjstat_nan=int(frame["value"].isna().sum()),
        ours_missing=sum(v is None for v in cube.values),
        symbols_on_numbers=sum(cube.values[i] is not None for i in cube.status),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5, help="runs per reader for the large cube (median)")
    args = parser.parse_args(argv)
    inputs = real_inputs()
    if not inputs:
        print(f"no JSON-stat fixtures found under {shared_data_dir()}", file=sys.stderr)
        return 1

    results = [measure(name, text, repeats=101, pyjstat_repeats=21) for name, text in inputs]
    synthetic = synthetic_population_text()
    results.append(
        measure("SYNTHETIC population municipality×age×year", synthetic, args.repeats, max(3, args.repeats // 2))
    )

    print(f"{'input':<50}{'cells':>9}{'status':>8}{'ours ms':>11}{'pyjstat ms':>12}{'ratio':>8}")
    for r in results:
        print(
            f"{r.name:<50}{r.cells:>9,}{r.statuses:>8,}{r.ours_seconds * 1e3:>11.3f}"
            f"{r.pyjstat_seconds * 1e3:>12.3f}{r.ratio:>7.1f}×"
        )
    print()
    for r in results:
        if r.statuses:
            print(
                f"{r.name}: boligmonitor keeps {r.statuses:,} status symbols; pyjstat's data frame has no "
                f"status column: {r.pyjstat_nan:,} bare NaN values (ours: {r.ours_missing:,} None with their "
                f"symbol) and {r.symbols_on_numbers:,} numbers whose symbol (e.g. '*' preliminary) is lost"
            )
    slowest = min(r.ratio for r in results)
    verdict = "met" if slowest >= TARGET_SPEED_UP else "NOT met"
    print(f"\nsmallest speed-up {slowest:.1f}× — target ≥ {TARGET_SPEED_UP:.0f}× {verdict}")
    return 0 if slowest >= TARGET_SPEED_UP else 1


if __name__ == "__main__":
    sys.exit(main())
