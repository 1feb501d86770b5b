"""The fact sheet batch (issue 6): every municipality as a tagged PDF, in parallel, as `boligmonitor factsheet --all`.

Writes all sheets to a temporary directory (or --out) with the given number of worker processes (default 2, the
target machine's cores) and prints:

- wall time of the whole batch (target under 5 minutes on 2 cores), sheets per minute;
- time per sheet as measured inside the workers (content + HTML + PDF): median, 95th percentile, maximum;
- page counts (the sheets must have 2–4 pages) and PDF sizes;
- failures, with their errors;
- the structural PDF/UA check (web/factsheet/pdfua.py) of every PDF, after the timing (--no-check skips it).

The load average before and after is printed too: on a shared machine other work slows the batch down.

    uv run python benchmarks/bench_factsheet.py [--database sqlite:///var/boligmonitor.sqlite] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from boligmonitor.web.factsheet.batch import SheetResult, check_request, read_regions, write_fact_sheets

TARGET_SECONDS = 300.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=None, help="SQLAlchemy URL (default: var/boligmonitor.sqlite)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--lang", default="nb", choices=("nb", "nn"))
    parser.add_argument("--out", type=Path, default=None, help="Keep the sheets here (default: a temporary dir)")
    parser.add_argument("--limit", type=int, default=None, help="Only the first N municipalities (a quick run)")
    parser.add_argument("--no-check", action="store_true", help="Skip the PDF/UA check of every PDF")
    arguments = parser.parse_args()

    codes = check_request(
        read_regions(arguments.database), [], all_municipalities=True, language=arguments.lang, formats=["pdf"]
    )[: arguments.limit]
    with tempfile.TemporaryDirectory(prefix="faktaark-") as scratch:
        out = arguments.out or Path(scratch)
        load_before = os.getloadavg()
        done: list[SheetResult] = []

        def progress(result: SheetResult) -> None:
            done.append(result)
            if len(done) % 25 == 0 or len(done) == len(codes):
                print(f"  {len(done):3d}/{len(codes)} sheets", file=sys.stderr, flush=True)

        start = time.perf_counter()
        batch = write_fact_sheets(
            codes,
            out,
            database=arguments.database,
            language=arguments.lang,
            workers=arguments.workers,
            on_result=progress,
        )
        wall = time.perf_counter() - start
        load_after = os.getloadavg()

        written = batch.written
        seconds = [result.seconds for result in written]
        cpu = [result.cpu_seconds for result in written]
        pages = Counter(result.pages for result in written)
        sizes = [result.pdf_bytes or 0 for result in written]
        print(f"Fact sheet batch: {len(codes)} municipalities, {batch.workers} workers, language {arguments.lang}")
        print(
            f"  wall time            {wall:7.1f} s  ({wall / 60:.2f} min; target {TARGET_SECONDS / 60:.0f} min: "
            f"{'met' if wall < TARGET_SECONDS else 'NOT met'})"
        )
        print(f"  throughput           {60 * len(written) / wall:7.1f} sheets per minute")
        if seconds:
            print(
                f"  per sheet (worker)   median {statistics.median(seconds):5.2f} s"
                f"  p95 {percentile(seconds, 0.95):5.2f} s  max {max(seconds):5.2f} s"
            )
            print(
                f"  CPU per sheet        median {statistics.median(cpu):5.2f} s"
                f"  p95 {percentile(cpu, 0.95):5.2f} s  total {sum(cpu):6.1f} s"
                f"  (ideal wall time on {batch.workers} free cores: {sum(cpu) / batch.workers:6.1f} s)"
            )
            print(f"  pages                {dict(sorted(pages.items()))}")
            print(
                f"  PDF size             median {statistics.median(sizes) / 1024:6.1f} KiB"
                f"  max {max(sizes) / 1024:6.1f} KiB  total {sum(sizes) / 1024 / 1024:6.1f} MiB"
            )
        print(f"  load average         before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
        print(f"  failures             {len(batch.failures)}")
        for result in batch.failures:
            print(f"    {result.code}: {result.error}")
        outside = [result.code for result in written if result.pages is None or not 2 <= result.pages <= 4]
        if outside:
            print(f"  sheets outside 2–4 pages: {', '.join(outside)}")

        problems = 0
        if not arguments.no_check and written:
            from boligmonitor.web.factsheet.pdfua import check_pdf_ua

            checked = time.perf_counter()
            for result in written:
                pdf = next(path for path in result.files if path.suffix == ".pdf")
                report = check_pdf_ua(pdf.read_bytes(), language=arguments.lang)
                if report.problems:
                    problems += 1
                    print(f"    PDF/UA {result.code}: {'; '.join(report.problems)}")
            print(
                f"  PDF/UA structure     {len(written) - problems} of {len(written)} pass"
                f" (checked in {time.perf_counter() - checked:.0f} s)"
            )
    return 1 if batch.failures or outside or problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
