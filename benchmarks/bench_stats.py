"""Time to compute the full indicator table: every indicator × municipality × year with its confidence
interval and comparison with Norway (issue 4 target: under 5 s on 2 cores).

Builds the database once from ../shared/data into a temporary directory, then times fresh table
computations (reading the observations included), printing the median and the split between reading and
computing.

    uv run python benchmarks/bench_stats.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from boligmonitor.analysis.indicator_tables import IndicatorTables
from boligmonitor.catalog import load_catalog
from boligmonitor.pipeline.build import build_database
from boligmonitor.sources.shared_data import prepare_build_input
from boligmonitor.store import Store, create_engine_for, migrate

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BOLIGMONITOR_SHARED_DATA", REPO.parent / "shared" / "data"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    catalog = load_catalog()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        prepare_build_input(SHARED, work / "input")
        engine = create_engine_for(f"sqlite:///{work / 'bench.sqlite'}")
        migrate(engine)
        store = Store(engine)
        build_database(work / "input", store)
        totals, reads, rows = [], [], 0
        for _ in range(args.repeats):
            start = time.perf_counter()
            tables = IndicatorTables(store, catalog)
            for indicator in catalog.indicators:
                tables.observations(indicator.id)
            read = time.perf_counter() - start
            rows = sum(1 for _ in tables.full_table())
            totals.append(time.perf_counter() - start)
            reads.append(read)
        engine.dispose()
    total, read = statistics.median(totals), statistics.median(reads)
    print(f"full indicator table: {rows} rows (indicators × municipalities × years), {args.repeats} runs")
    print(f"  median {total:.2f} s = reading {read:.2f} s + computing {total - read:.2f} s")
    print(f"  target < 5 s; ratio to target {total / 5:.2f}; {rows / (total - read):,.0f} rows/s computed")


if __name__ == "__main__":
    main()
