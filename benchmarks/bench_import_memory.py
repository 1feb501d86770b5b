"""Peak memory of `boligmonitor import` for a large SYNTHETIC tidy CSV, against the file's size.

    .venv/bin/python benchmarks/bench_import_memory.py [--rows 300000] [--database var/boligmonitor.sqlite]

Writes a *synthetic* tidy CSV (``synthetic_import_memory.csv``) into a temporary directory: catalogue share
indicators that have no source of their own × the real municipality codes in use in each year (from the
database's register and change history; not those later split) × the years from 1995 on, with made-up but
valid counts (value = numerator / denominator × 100; every ``source`` cell says "synthetic"), written as
boligmonitor's own tidy export writes them. Then runs `boligmonitor import` on a COPY of the database in a
child process and prints the file size, the child's peak resident memory (``ru_maxrss``), their ratio and
the rows read and written. A one-row synthetic import is measured the same way, so the part of the peak
that the interpreter and its modules take anyway is visible. Target (issue 11): peak under 10× the size.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from boligmonitor.catalog import load_catalog
from boligmonitor.core.status import Status
from boligmonitor.pipeline.importer import geography_from_store
from boligmonitor.sources.readers.tidy import TidyRow, write_tidy_csv
from boligmonitor.store import Store, create_engine_for

REPO = Path(__file__).resolve().parent.parent
TARGET_RATIO = 10.0
FIRST_YEAR = 1995
SEED = 20260425
_IMPORTED = re.compile(r"Imported (\d+) observations of (\d+) indicators")


@dataclass(frozen=True)
class Measured:
    file_bytes: int
    rows_read: int
    rows_written: int
    indicators: int
    peak_bytes: int
    seconds: float

    @property
    def ratio(self) -> float:
        return self.peak_bytes / self.file_bytes


def synthetic_indicators(database: Path) -> list[str]:
    """Share indicators (percent, all four region levels) that the database holds no value for: those without
    a source of their own and those whose source only an online fetch brings in."""
    levels = {"country", "county", "municipality", "district"}
    store = Store(create_engine_for(f"sqlite:///{database}"))
    with_values = {row.indicator_id for row in store.coverage() if row.n_values}
    store.close()
    return [
        indicator.id
        for indicator in load_catalog().indicators
        if indicator.id not in with_values and indicator.unit == "percent" and set(indicator.geo_levels) == levels
    ]


def real_municipality_codes(database: Path) -> Callable[[int], list[str]]:
    """The municipality codes in use on 1 January of a year, as the database's geography knows them.

    Codes later split between several municipalities are left out: importing them needs split weights.
    """
    store = Store(create_engine_for(f"sqlite:///{database}"))
    try:
        harmoniser = geography_from_store(store).harmoniser
        successors: dict[tuple[str, object], set[str]] = {}
        for change in store.region_changes():
            successors.setdefault((change.old_code, change.changed_on), set()).add(change.new_code)
    finally:
        store.close()
    split = {old for (old, _), new in successors.items() if len(new) > 1}
    while True:  # and the codes that became one of them
        before = len(split)
        split |= {old for (old, _), new in successors.items() if new & split}
        if len(split) == before:
            break
    return lambda year: sorted(harmoniser.valid_codes(year) - split)


def synthetic_rows(n_rows: int, indicators: list[str], regions_in: Callable[[int], list[str]]) -> Iterator[TidyRow]:
    """``n_rows`` distinct (indicator, region, year) rows with made-up, consistent counts."""
    rng = random.Random(SEED)
    written = 0
    year = FIRST_YEAR
    while True:
        regions = regions_in(year)
        for indicator in indicators:
            for region in regions:
                if written == n_rows:
                    return
                denominator = float(rng.randint(50, 50_000))
                numerator = float(rng.randint(0, int(denominator)))
                written += 1
                yield TidyRow(
                    line=written + 1,
                    indicator=indicator,
                    region=region,
                    year=year,
                    value=numerator / denominator * 100,
                    numerator=numerator,
                    denominator=denominator,
                    status=Status.OK,
                    flags=frozenset(),
                    note=None,
                    source="synthetic benchmark data",
                )
        year += 1


def write_synthetic_csv(path: Path, n_rows: int, indicators: list[str], regions_in: Callable[[int], list[str]]) -> None:
    """The rows as boligmonitor's own tidy export writes them (shortest exact decimals)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        write_tidy_csv(synthetic_rows(n_rows, indicators, regions_in), out)


def measure_import(csv_path: Path, database: Path, n_rows: int) -> Measured:
    """Import ``csv_path`` into a fresh copy of ``database`` in a child process; its peak RSS."""
    copy = csv_path.parent / "synthetic_import_copy.sqlite"
    shutil.copyfile(database, copy)
    cli = str(Path(sys.executable).parent / "boligmonitor")
    code = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "seconds = time.perf_counter() - start\n"
        "sys.stderr.write(done.stderr)\n"
        "print(done.returncode, seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    command = [cli, "import", str(csv_path), "--database", f"sqlite:///{copy}"]
    result = subprocess.run([sys.executable, "-c", code, *command], check=True, capture_output=True, text=True)
    returncode, seconds, peak_kib = result.stdout.split()
    if returncode != "0":
        raise SystemExit(f"import failed:\n{result.stderr}")
    imported = _IMPORTED.search(result.stderr)
    if imported is None:
        raise SystemExit(f"unexpected output of import:\n{result.stderr}")
    copy.unlink()
    return Measured(
        file_bytes=csv_path.stat().st_size,
        rows_read=n_rows,
        rows_written=int(imported.group(1)),
        indicators=int(imported.group(2)),
        peak_bytes=int(peak_kib) * 1024,  # ru_maxrss is in KiB on Linux
        seconds=float(seconds),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--database", type=Path, default=REPO / "var" / "boligmonitor.sqlite")
    args = parser.parse_args()
    indicators = synthetic_indicators(args.database)
    regions_in = real_municipality_codes(args.database)
    with tempfile.TemporaryDirectory(prefix="synthetic_import_memory_") as tmp:
        work = Path(tmp)
        small = work / "synthetic_one_row.csv"
        write_synthetic_csv(small, 1, indicators, regions_in)
        baseline = measure_import(small, args.database, 1)
        large = work / "synthetic_import_memory.csv"
        write_synthetic_csv(large, args.rows, indicators, regions_in)
        measured = measure_import(large, args.database, args.rows)
    mib = 2**20
    print(f"`boligmonitor import` of a SYNTHETIC tidy CSV ({len(indicators)} catalogue indicators × "
          f"real municipality codes × years from {FIRST_YEAR}; made-up values)")  # fmt: skip
    print(f"  synthetic file      {measured.file_bytes / mib:8.1f} MiB   {measured.rows_read} rows read")
    print(f"  rows written        {measured.rows_written:8d}       ({measured.indicators} indicators)")
    print(f"  peak RSS            {measured.peak_bytes / mib:8.1f} MiB   {measured.seconds:.1f} s")
    print(f"  peak / file size    {measured.ratio:8.2f}       (target < {TARGET_RATIO:g})")
    print(
        f"  one-row import      {baseline.peak_bytes / mib:8.1f} MiB   (interpreter, modules, database reads); "
        f"above it: {(measured.peak_bytes - baseline.peak_bytes) / measured.file_bytes:.2f}× the file size"
    )


if __name__ == "__main__":
    main()
